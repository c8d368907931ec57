"""A command line quoted for the shell the user types into: POSIX shells, cmd.exe or PowerShell.

cmd.exe hands the line to the program, whose C runtime splits it: double
quotes group, and backslashes are literal except before a double quote. Two
things no quoting can guard against in cmd: a `%NAME%` is expanded when NAME is
a defined variable, and a double quote inside a value ends cmd's own quoting
(Windows paths cannot hold one; a suffix could).
PowerShell's single quotes are literal; a single quote (or one of the
typographic ones PowerShell also takes for quotes) is doubled inside them.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from typing import Iterable, Literal, Mapping

Flavour = Literal["posix", "cmd", "powershell"]

_CMD_PLAIN = re.compile(r"[\w\-.:\\/=+@#~]+", re.ASCII)
_PS_PLAIN = re.compile(r"[\w\-.:\\/=+@%]+", re.ASCII)
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"


def current_flavour(platform: str = sys.platform, environ: Mapping[str, str] | None = None) -> Flavour:
    """The shell pef was most likely started from.

    On Windows, PowerShell adds the user's own module folder (under the user's
    profile) to PSModulePath for itself and what it starts; the machine-wide
    value that cmd.exe inherits has none.
    """
    if platform != "win32":
        return "posix"
    environ = os.environ if environ is None else environ
    profile = environ.get("USERPROFILE", "").rstrip("\\").lower()
    modules = [p.lower() for p in environ.get("PSModulePath", "").split(";") if p]
    if profile and any(p.startswith(profile + "\\") for p in modules):
        return "powershell"
    return "cmd"


def join(parts: Iterable[str], flavour: Flavour | None = None) -> str:
    flavour = flavour or current_flavour()
    if flavour == "posix":
        return shlex.join(parts)
    quote = _cmd_quote if flavour == "cmd" else _powershell_quote
    return " ".join(quote(part) for part in parts)


def _cmd_quote(arg: str) -> str:
    if arg and _CMD_PLAIN.fullmatch(arg):
        return arg
    out, backslashes = ['"'], 0
    for char in arg:
        if char == "\\":
            backslashes += 1
            continue
        if char == '"':
            out.append("\\" * (2 * backslashes + 1) + '"')  # each backslash doubled, then one for the quote
        else:
            out.append("\\" * backslashes + char)
        backslashes = 0
    out.append("\\" * (2 * backslashes) + '"')  # backslashes before the closing quote are doubled
    return "".join(out)


def _powershell_quote(arg: str) -> str:
    # "@" would start a splat and "--%" stops PowerShell's parsing: both quoted.
    if _PS_PLAIN.fullmatch(arg) and not arg.startswith("@") and arg != "--%":
        return arg
    return "'" + "".join(c * 2 if c in _PS_QUOTES else c for c in arg) + "'"
