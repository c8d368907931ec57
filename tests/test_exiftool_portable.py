"""ExifTool on every system (where pef finds it, what it says when there is none, that it never outlives pef) and the
other ways a user stops pef: the console's Ctrl+C, closing the terminal, nohup."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, write_sidecar
from pef.exiftool import ExifTool, ExifToolError, ExifToolMissing, find_exiftool, install_hint, missing_detail
from pef.sample import generate_takeout, make_media

T = 1546300800
# Every process started here carries this mark, so leftovers can be told from other ExifTools.
MARK = f"PEF_EXIFTOOL_TEST={os.getpid()}".encode()
ENV = {**os.environ, "PYTHONPATH": str(REPO), "TZ": "UTC", "PEF_EXIFTOOL_TEST": str(os.getpid())}


def _proc_entries():
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            yield entry


def marked() -> dict[int, str]:
    """pid -> command line of every live process started by this test module (zombies aside)."""
    found = {}
    for entry in _proc_entries():
        try:
            if MARK not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


def in_session(sid: int) -> list[int]:
    """Live processes of one session (ExifTool and its guard run in a session of their own)."""
    found = []
    for entry in _proc_entries():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def wait_for(condition, seconds: float, what: str):
    """Poll until condition() is true; fail after a generous bound (never a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: still not so after {seconds} s")
        time.sleep(0.05)


# ----- discovery -------------------------------------------------------------------


def _program(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    return {"beside": tmp_path / "pef-bin", "path": tmp_path / "on-path", "env": tmp_path / "from-env",
            "option": tmp_path / "from-option"}


def test_discovery_order(places: dict[str, Path]) -> None:
    option = _program(places["option"], "exiftool")
    env_one = _program(places["env"], "exiftool")
    beside = _program(places["beside"], "exiftool")
    on_path = _program(places["path"], "exiftool")
    environ = {"PATH": str(places["path"]), "PEF_EXIFTOOL": str(env_one)}
    find = lambda explicit, env: find_exiftool(explicit, environ=env, beside=places["beside"], platform="linux")  # noqa: E731
    assert find(str(option), environ) == str(option)
    assert find(None, environ) == str(env_one)
    assert find(None, {"PATH": str(places["path"])}) == str(beside)
    beside.unlink()
    assert find(None, {"PATH": str(places["path"])}) == str(on_path)
    on_path.unlink()
    assert find(None, {"PATH": str(places["path"])}) is None


def test_discovery_takes_a_bare_name_from_path(places: dict[str, Path]) -> None:
    on_path = _program(places["path"], "exiftool-13")
    environ = {"PATH": str(places["path"]), "PEF_EXIFTOOL": "exiftool-13"}
    assert find_exiftool(environ=environ, beside=places["beside"], platform="linux") == str(on_path)
    # A path that names nothing is still the user's choice: starting it fails with its name (below).
    assert find_exiftool("/no/such/exiftool", environ=environ, beside=places["beside"]) == "/no/such/exiftool"


def test_discovery_on_windows_looks_for_exiftool_exe(places: dict[str, Path]) -> None:
    _program(places["beside"], "exiftool")  # the Perl script's name: not what Windows runs
    exe = _program(places["beside"], "exiftool.exe")
    assert find_exiftool(environ={"PATH": ""}, beside=places["beside"], platform="win32") == str(exe)
    exe.unlink()
    on_path = _program(places["path"], "exiftool.exe")
    assert find_exiftool(environ={"PATH": str(places["path"])}, beside=places["beside"], platform="win32") == str(on_path)


def test_the_windows_download_kept_its_name(places: dict[str, Path]) -> None:
    _program(places["path"], "exiftool(-k).exe")
    environ = {"PATH": str(places["path"])}
    assert find_exiftool(environ=environ, beside=places["beside"], platform="win32") is None
    assert missing_detail(environ, places["beside"]) == (
        f"Found {places['path'] / 'exiftool(-k).exe'}: rename it to exiftool.exe (keep it beside its exiftool_files folder)."
    )
    assert missing_detail({"PATH": ""}, places["beside"]) is None


def test_install_hint_for_each_system() -> None:
    tail = ("or tell pef where it is with the PEF_EXIFTOOL variable (the program's full path),\n"
            "or run pef with --no-exif to only copy files and set their file times.")
    assert install_hint("win32") == (
        "ExifTool is needed to write metadata. Install it:\n"
        "  winget install OliverBetz.ExifTool\n"
        "  or: choco install exiftool\n"
        "  or: download the Windows zip from https://exiftool.org, unzip it, rename exiftool(-k).exe to\n"
        "      exiftool.exe and keep it with its exiftool_files folder beside pef or in a folder on PATH\n" + tail
    )
    assert install_hint("darwin") == (
        "ExifTool is needed to write metadata. Install it:\n"
        "  brew install exiftool\n  or: the macOS package from https://exiftool.org\n" + tail
    )
    assert install_hint("linux") == (
        "ExifTool is needed to write metadata. Install it:\n"
        "  Debian/Ubuntu: sudo apt install libimage-exiftool-perl\n"
        "  Fedora:        sudo dnf install perl-Image-ExifTool\n"
        "  Arch:          sudo pacman -S perl-image-exiftool\n" + tail
    )
    assert str(ExifToolMissing("Found x.", platform="darwin")) == "Found x.\n" + install_hint("darwin")


def test_missing_exiftool_stops_the_run_before_any_write(src: Path, tmp_path: Path) -> None:
    make_media(src / "a.jpg", seed=1)
    write_sidecar(src / "a.jpg.json", "a.jpg", T)
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**ENV, "PATH": f"{empty}{os.pathsep}{Path(sys.executable).parent}"}
    env.pop("PEF_EXIFTOOL", None)
    proc = subprocess.run([sys.executable, "-m", "pef", "-p", str(src), "--output", str(tmp_path / "out")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == f"pef: {install_hint()}\n"
    assert not (tmp_path / "out").exists()


def test_exiftool_option_of_the_library(src: Path, tmp_path: Path) -> None:
    from pef.pipeline import RunConfig, run

    make_media(src / "a.jpg", seed=1)
    write_sidecar(src / "a.jpg.json", "a.jpg", T)
    with pytest.raises(ExifToolError) as refused:
        ExifTool(str(tmp_path / "no-exiftool"), timeout=30).run(["-ver"])
    assert str(refused.value) == f"cannot start ExifTool ({tmp_path / 'no-exiftool'}): No such file or directory"
    real = find_exiftool(environ={"PATH": os.environ["PATH"]})
    result = run(RunConfig(sources=(src,), output=tmp_path / "out", timezone="UTC", exiftool=real))
    assert result.report["media"]["a.jpg"]["status"] == "written"


# ----- process handling ----------------------------------------------------------


def _hanging_wrapper(tmp_path: Path) -> Path:
    """A real ExifTool behind a wrapper that never answers a command naming bad.jpg (a hang cannot be caused
    otherwise); it creates the file `hung` beside itself when it starts hanging."""
    wrapper = tmp_path / "exiftool"
    hang = f"open(my $f, '>', '{tmp_path / 'hung'}'); close($f); sleep 100000;"
    wrapper.write_text(
        "#!/usr/bin/env perl\n"
        "use IPC::Open2;\n"
        "my $pid = open2(my $out, my $in, 'exiftool', @ARGV);\n"
        "select((select($in), $| = 1)[0]); $| = 1;\n"
        "if (my $child = fork) { while (my $l = <STDIN>) { if ($l =~ /bad\\.jpg/) { " + hang + " } print $in $l }"
        " close $in; waitpid($child, 0); exit 0 }\n"
        "while (my $l = <$out>) { print STDOUT $l } exit 0;\n"
    )
    wrapper.chmod(0o755)
    return wrapper


def test_reply_and_restart_after_a_timeout(tmp_path: Path) -> None:
    make_media(tmp_path / "bad.jpg", seed=1)
    make_media(tmp_path / "good.jpg", seed=2)
    tool = ExifTool(str(_hanging_wrapper(tmp_path)), timeout=2)
    try:
        assert tool.run(["-ver"]).stdout.strip().replace(".", "").isdigit()
        guard = tool._proc.pid
        assert len(in_session(guard)) == 4  # the guard, the wrapper and its fork, ExifTool
        with pytest.raises(ExifToolError, match="^ExifTool did not answer within 2 s$"):
            tool.run(["-FileName", str(tmp_path / "bad.jpg")])
        # Everything in ExifTool's group is gone, the wrapper's sleeping fork included.
        assert in_session(guard) == []
        reply = tool.run(["-s3", "-FileName", str(tmp_path / "good.jpg")])
        assert (reply.stdout, reply.errors) == ("good.jpg\n", [])
    finally:
        tool.close()


def test_commands_sent_ahead_get_their_own_replies(tmp_path: Path) -> None:
    """Many commands in the pipe at once: each reply is cut at its own marker, whatever has arrived
    of the next; a value that looks like a marker inside output does not cut it."""
    names = [f"f{i}.jpg" for i in range(30)]
    for i, name in enumerate(names):
        make_media(tmp_path / name, seed=i)
    tool = ExifTool("exiftool", timeout=60)
    try:
        # Command 1 writes; command 2 reads f0, whose caption is command 2's own marker.
        tricky = tool.run(["-overwrite_original", "-XMP-dc:Description={ready2}", str(tmp_path / names[0])])
        assert tricky.errors == []
        commands = [["-j", "-XMP-dc:Description", "-FileName", str(tmp_path / n)] for n in names]
        commands.insert(5, ["-FileName", str(tmp_path / "missing.jpg")])
        replies = tool.run_many(commands)
        assert len(replies) == 31
        got = [json.loads(r.stdout)[0]["FileName"] for i, r in enumerate(replies) if i != 5]
        assert got == names
        assert json.loads(replies[0].stdout)[0]["Description"] == "{ready2}"
        assert replies[5].errors == [f"Error: File not found - {tmp_path / 'missing.jpg'}"]
    finally:
        tool.close()


def test_after_a_timeout_the_commands_sent_ahead_run_on_a_fresh_exiftool(tmp_path: Path) -> None:
    make_media(tmp_path / "bad.jpg", seed=1)
    make_media(tmp_path / "good.jpg", seed=2)
    tool = ExifTool(str(_hanging_wrapper(tmp_path)), timeout=2)
    try:
        replies = tool.run_many([["-s3", "-FileName", str(tmp_path / "good.jpg")],
                                 ["-s3", "-FileName", str(tmp_path / "bad.jpg")],
                                 ["-s3", "-FileName", str(tmp_path / "good.jpg")]])
        assert replies[0].stdout == "good.jpg\n"
        assert isinstance(replies[1], ExifToolError) and str(replies[1]) == "ExifTool did not answer within 2 s"
        assert replies[2].stdout == "good.jpg\n"
    finally:
        tool.close()


def test_a_pef_gone_in_the_middle_of_a_command_leaves_no_exiftool() -> None:
    """Commands are sent ahead, so pef may die halfway through writing one: the guard's stop request must
    still reach ExifTool as a line of its own (else ExifTool waits for the rest of the command forever)."""
    tool = ExifTool("exiftool", timeout=300)  # the guard's grace: far longer than this test waits
    tool.run(["-ver"])
    proc = tool._proc
    guard = proc.pid
    os.write(proc.stdin.fileno(), b"-j\n-FileName\n/tmp/cut-in-the-mid")
    os.close(proc.stdin.fileno())
    wait_for(lambda: in_session(guard) == [], 30, "ExifTool stopped after pef went away mid-command")
    proc.wait(timeout=30)


def test_close_ends_exiftool_and_its_guard(tmp_path: Path) -> None:
    tool = ExifTool("exiftool", timeout=30)
    tool.run(["-ver"])
    proc = tool._proc
    session = in_session(proc.pid)
    assert len(session) == 2
    tool.close()
    assert proc.returncode == 0
    assert in_session(proc.pid) == []


def test_a_guard_told_to_go_takes_exiftool_with_it() -> None:
    tool = ExifTool("exiftool", timeout=30)
    tool.run(["-ver"])
    guard = tool._proc.pid
    assert len(in_session(guard)) == 2
    os.kill(guard, signal.SIGTERM)
    wait_for(lambda: in_session(guard) == [], 30, "ExifTool ended with its guard")
    assert tool.run(["-ver"]).stdout.strip() == tool.run(["-ver"]).stdout.strip()  # restarted on demand
    tool.close()


def test_a_guard_that_does_not_answer_is_ended_with_its_group() -> None:
    tool = ExifTool("exiftool", timeout=30)
    tool.run(["-ver"])
    guard = tool._proc.pid
    os.kill(guard, signal.SIGSTOP)  # a guard that cannot read the kill line
    tool.kill(patience=0.5)
    # The whole group got SIGKILL; ExifTool, no child of ours, is gone once the system has reaped it.
    wait_for(lambda: in_session(guard) == [], 30, "ExifTool ended with its stopped guard")


@pytest.fixture(scope="module")
def takeout(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("exiftool-portable") / "export"
    generate_takeout(root, photos=200, videos=2, seed=11)
    return root


def _start_pef(src: Path, out: Path, *extra: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "--timezone", "UTC", "-j", "2", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV, **popen,
    )


def _journal_started(out: Path) -> bool:
    journal = out / "processing_state.journal"
    return journal.exists() and journal.stat().st_size > 0


def test_no_exiftool_outlives_a_killed_pef(takeout: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _start_pef(takeout, out)
    wait_for(lambda: _journal_started(out), 120, "pef wrote its first file")
    running = marked()
    assert proc.poll() is None, "the run ended before it could be killed"
    exiftools = [cmd for cmd in running.values() if " -stay_open True -@ -" in cmd and "exiftool_guard" not in cmd]
    assert len(exiftools) == 2, running
    proc.kill()
    proc.communicate()
    wait_for(lambda: marked() == {}, 60, "every ExifTool and guard of the killed pef has ended")


def test_no_hung_exiftool_outlives_a_killed_pef(src: Path, tmp_path: Path) -> None:
    # ExifTool stuck in a command when pef is killed: the guard waits for it as long as --timeout, then ends it
    # (were pef slower than that to be killed, its own timeout would end the hung ExifTool: the same end state).
    for name in ("a.jpg", "bad.jpg"):
        make_media(src / name, seed=ord(name[0]))
        write_sidecar(src / (name + ".json"), name, T)
    out = tmp_path / "out"
    env = {**ENV, "PEF_EXIFTOOL": str(_hanging_wrapper(tmp_path))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pef", "-p", str(src), "--output", str(out), "--timezone", "UTC", "-j", "1",
         "--timeout", "8"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    wait_for(lambda: (tmp_path / "hung").exists(), 120, "ExifTool hung on bad.jpg")
    assert len(marked()) == 5, marked()  # pef, the guard, the wrapper and its fork, ExifTool
    proc.kill()
    proc.communicate()
    wait_for(lambda: marked() == {}, 60, "the hung ExifTool of the killed pef has ended")


def test_ctrl_c_in_the_console_reaches_pef_only(takeout: Path, tmp_path: Path) -> None:
    """A terminal's Ctrl+C goes to its whole foreground group: ExifTool, in a group of its own, finishes its files."""
    out = tmp_path / "out"
    proc = _start_pef(takeout, out, start_new_session=True)
    wait_for(lambda: _journal_started(out), 120, "pef wrote its first file")
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stdout + stderr
    assert "Interrupted! Saving progress..." in stderr
    media = json.loads((out / "report.json").read_text())["media"]
    assert [k for k, v in media.items() if v["status"] == "error"] == []
    done = [k for k, v in media.items() if v["status"] in ("written", "copied")]
    assert 0 < len(done) < len(media)
    again = _start_pef(takeout, out)
    again.communicate(timeout=600)
    assert again.returncode in (0, 2)
    wait_for(lambda: marked() == {}, 60, "no ExifTool left")


def test_closing_the_terminal_stops_the_run_like_ctrl_c(takeout: Path, tmp_path: Path) -> None:
    """pef in a real terminal (a pty as its controlling terminal); closing it sends SIGHUP, and every write
    to it fails from then on: the files in flight still finish, the state is saved, a resume completes."""
    out = tmp_path / "out"
    master, slave = os.openpty()
    proc = subprocess.Popen(
        ["setsid", "--ctty", sys.executable, "-m", "pef", "-p", str(takeout), "--output", str(out),
         "--timezone", "UTC", "-j", "2"],
        stdin=slave, stdout=slave, stderr=slave, env=ENV,
    )
    os.close(slave)
    reader = subprocess.Popen(["cat"], stdin=master, stdout=subprocess.DEVNULL)  # a terminal that shows the output
    wait_for(lambda: _journal_started(out), 120, "pef wrote its first file")
    reader.kill()
    reader.wait()
    os.close(master)  # the terminal window is closed
    assert proc.wait(timeout=120) == 130
    media = json.loads((out / "report.json").read_text())["media"]
    assert [k for k, v in media.items() if v["status"] == "error"] == []
    assert 0 < sum(v["status"] in ("written", "copied") for v in media.values()) < len(media)
    again = _start_pef(takeout, out)
    again.communicate(timeout=600)
    assert again.returncode in (0, 2)
    wait_for(lambda: marked() == {}, 60, "no ExifTool left")


def test_under_nohup_closing_the_terminal_changes_nothing() -> None:
    code = ("import os, signal\n"
            "signal.signal(signal.SIGHUP, signal.SIG_IGN)\n"  # what nohup does before it starts pef
            "from pef.cli import Interrupts\n"
            "interrupts = Interrupts()\n"
            "interrupts.install()\n"
            "os.kill(os.getpid(), signal.SIGHUP)\n"
            "print(interrupts.requested, signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, check=True)
    assert out.stdout == "False True\n"
