"""Progress bars and per-file lines on the terminal (tqdm), for the CLI's runs."""

from __future__ import annotations

from tqdm import tqdm


class TerminalObserver:
    """A pef.pipeline.Observer that draws one tqdm bar per phase."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.bar: tqdm | None = None

    def message(self, text: str) -> None:
        tqdm.write(text)

    def start_phase(self, name: str, total: int | None = None, initial: int = 0) -> None:
        self.bar = tqdm(total=total, initial=initial, desc=name, unit=" files", dynamic_ncols=True, leave=True)

    def advance(self, n: int = 1) -> None:
        if self.bar is not None and n:
            self.bar.update(n)

    def finished(self, entry) -> None:
        if self.verbose:
            tail = f"  ERROR {entry.error}" if entry.error else ""
            tqdm.write(f"{entry.status:9} {entry.source} -> {entry.output_file}{tail}")

    def end_phase(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
