"""The printed resume command, quoted for the shell the user has: sh/bash/zsh, cmd.exe, PowerShell."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pef.shell import current_flavour, join

RESUME = ["pef", "--output", r"D:\Photos\_Google Photos Backup\out", "-p", r"D:\Takeout (2)\\", "--suffix=-sticker",
          "--timezone", "Europe/Paris"]


@pytest.mark.parametrize("flavour, expected", [
    ("posix", r"pef --output 'D:\Photos\_Google Photos Backup\out' -p 'D:\Takeout (2)\\' --suffix=-sticker "
              "--timezone Europe/Paris"),
    ("cmd", r'pef --output "D:\Photos\_Google Photos Backup\out" -p "D:\Takeout (2)\\\\" --suffix=-sticker '
            "--timezone Europe/Paris"),
    ("powershell", r"pef --output 'D:\Photos\_Google Photos Backup\out' -p 'D:\Takeout (2)\\' --suffix=-sticker "
                   "--timezone Europe/Paris"),
])
def test_resume_command_for_each_shell(flavour, expected) -> None:
    assert join(RESUME, flavour) == expected


@pytest.mark.parametrize("arg, cmd, powershell", [
    ("plain", "plain", "plain"),
    ("", '""', "''"),
    ("C:\\", "C:\\", "C:\\"),
    ("C:\\My Photos\\", '"C:\\My Photos\\\\"', "'C:\\My Photos\\'"),
    ("Trip & more", '"Trip & more"', "'Trip & more'"),
    ("100% fun", '"100% fun"', "'100% fun'"),
    ("a$b`c", '"a$b`c"', "'a$b`c'"),
    ("L'été", '"L\'été"', "'L''été'"),
    ("L\u2019été", '"L\u2019été"', "'L\u2019\u2019été'"),
    ('say "hi"', '"say \\"hi\\""', "'say \"hi\"'"),
    ('end\\"', '"end\\\\\\""', "'end\\\"'"),
    ("@list", "@list", "'@list'"),
    ("--%", '"--%"', "'--%'"),
    ("(1)", '"(1)"', "'(1)'"),
    ("a^b|c<d>e", '"a^b|c<d>e"', "'a^b|c<d>e'"),
])
def test_hostile_arguments(arg, cmd, powershell) -> None:
    assert join([arg], "cmd") == cmd
    assert join([arg], "powershell") == powershell


def _crt_split(line: str) -> list[str]:
    """How a Windows program's C runtime splits its command line (the documented rules for argv)."""
    args, i, n = [], 0, len(line)
    while True:
        while i < n and line[i] in " \t":
            i += 1
        if i >= n:
            return args
        arg, quoted = [], False
        while i < n and (quoted or line[i] not in " \t"):
            if line[i] == "\\":
                j = i
                while j < n and line[j] == "\\":
                    j += 1
                count = j - i
                if j < n and line[j] == '"':
                    arg.append("\\" * (count // 2))
                    if count % 2:
                        arg.append('"')
                        j += 1
                    i = j
                    continue
                arg.append("\\" * count)
                i = j
                continue
            if line[i] == '"':
                if quoted and i + 1 < n and line[i + 1] == '"':
                    arg.append('"')  # "" inside quotes: one literal quote
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            arg.append(line[i])
            i += 1
        args.append("".join(arg))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
                min_size=1, max_size=5))
def test_cmd_quoting_splits_back_to_the_same_arguments(args) -> None:
    assert _crt_split(join(args, "cmd")) == args


def _powershell_single_quoted(text: str) -> list[str]:
    """PowerShell's reading of a line of words and '...' strings (two quotes inside: one literal quote)."""
    quotes = "'\u2018\u2019\u201a\u201b"
    words, i = [], 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        if text[i] in quotes:
            i += 1
            word = []
            while True:
                if text[i] in quotes:
                    if i + 1 < len(text) and text[i + 1] in quotes:
                        word.append(text[i])
                        i += 2
                        continue
                    i += 1
                    break
                word.append(text[i])
                i += 1
            words.append("".join(word))
        else:
            j = text.find(" ", i)
            j = len(text) if j < 0 else j
            words.append(text[i:j])
            i = j
    return words


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
                min_size=1, max_size=5))
def test_powershell_quoting_reads_back_to_the_same_arguments(args) -> None:
    assert _powershell_single_quoted(join(args, "powershell")) == args


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20),
                min_size=1, max_size=4))
def test_posix_quoting_through_a_real_shell(args) -> None:
    line = join([sys.executable, "-c", "import sys; print(repr(sys.argv[1:]))", *args], "posix")
    out = subprocess.run(["sh", "-c", line], capture_output=True, text=True, check=True).stdout
    assert out.strip() == repr(args)


def test_which_shell() -> None:
    assert current_flavour("linux", {}) == "posix"
    assert current_flavour("darwin", {"PSModulePath": "x"}) == "posix"
    machine = r"C:\Program Files\WindowsPowerShell\Modules;C:\WINDOWS\system32\WindowsPowerShell\v1.0\Modules"
    assert current_flavour("win32", {"USERPROFILE": r"C:\Users\Ann", "PSModulePath": machine}) == "cmd"
    assert current_flavour("win32", {"USERPROFILE": r"C:\Users\Ann"}) == "cmd"
    powershell = r"C:\Users\Ann\Documents\WindowsPowerShell\Modules;" + machine
    assert current_flavour("win32", {"USERPROFILE": r"C:\Users\Ann", "PSModulePath": powershell}) == "powershell"
    pwsh7 = r"C:\Users\Ann\Documents\PowerShell\Modules;C:\Program Files\PowerShell\Modules;" + machine
    assert current_flavour("win32", {"USERPROFILE": "C:\\Users\\Ann\\", "PSModulePath": pwsh7}) == "powershell"
