"""The README's map of the code stays true: every module under pef/ is named in its Layout section."""

from __future__ import annotations

import re

from conftest import REPO


def test_every_module_is_on_the_map() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Layout\n"):]
    section = section[: section.find("\n## ", 1)] if "\n## " in section[1:] else section
    named = {word for code in re.findall(r"`([^`]+)`", section) for word in re.findall(r"[a-z_]+", code)}
    modules = {p.stem for p in (REPO / "pef").glob("*.py") if not p.stem.startswith("__")}
    assert sorted(modules - named) == []
