"""Text for CI logs, where a line is a GitHub Actions workflow command when it
starts with ``::`` (after blanks), or holds ``##[`` anywhere ("Workflow commands
for GitHub Actions", https://docs.github.com/actions/reference/workflows-and-actions/workflow-commands;
the runner reads them in actions/runner's ``ActionCommand.TryParseV2`` and
``TryParse``). What a post, a file name, the configuration or a network's
answer holds must never become one:

- `one_line`: a user's string (a file name, an id, a title) on one line, every
  line break and control character written as a visible escape;
- `visible_controls`: the same, keeping ``\\n`` (a text shown as lines);
- `log_safe`: a whole rendered output, none of whose lines starts a command;
- `json_for_log`: JSON with no raw line break and no ``##[``;
- `workflow_data`, `workflow_property`: the escaping of a workflow command's
  message and of its property values, which the runner undoes.

It imports nothing of smmgen's: every layer may use it.
"""

from __future__ import annotations

import json
import re
from typing import Any

# Every character `str.splitlines` breaks a line at. The runner itself breaks at
# \n and \r only, but a log viewer or a later tool may break at any of them.
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# Control characters (C0 but tab, DEL, C1) and the two Unicode separators.
_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_UNSAFE_BUT_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# "::" starting a line, after blanks (the runner trims them): a backslash goes before it
_COMMAND_START = re.compile(r"(^|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])(\s*)(?=::)")
_JSON_ESCAPES = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_NAMED = {"\n": "\\n", "\r": "\\r"}


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def one_line(text: str) -> str:
    """``text`` on one line: every line break and control character (but tab) as a
    visible escape (``\\n``, ``\\x1b``, ``\\u2028``)."""
    return _UNSAFE.sub(_visible, text)


def visible_controls(text: str) -> str:
    """``text`` keeping its ``\\n`` line breaks; every other line break and control
    character (but tab) as a visible escape."""
    return _UNSAFE_BUT_NEWLINE.sub(_visible, text)


def log_safe(output: str) -> str:
    """A rendered output that a CI log can print: none of its lines is a workflow command.

    A backslash goes before a ``::`` that starts a line (after blanks), and ``##[``
    becomes ``##\\[``; Markdown renders both as written. Only for output that holds
    no workflow command of smmgen's own.
    """
    return _COMMAND_START.sub(r"\1\2\\", output).replace("##[", "##\\[")


def json_for_log(data: Any) -> str:
    """``data`` as indented JSON (non-ASCII kept) that a CI log can print.

    JSON allows U+0085, U+2028 and U+2029 raw in a string: they are written as
    ``\\u`` escapes, and so is the ``[`` of ``##[``; the value read back is the same.
    """
    text = json.dumps(data, indent=2, ensure_ascii=False)
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text.replace("##[", "##\\u005b")


def _keep_cr(match: re.Match[str]) -> str:
    return match.group() if match.group() == "\r" else _visible(match)


def workflow_data(text: str) -> str:
    """``text`` as the message of a workflow command, which the runner unescapes.

    ``%``, ``\\r`` and ``\\n`` are percent-encoded; the other line breaks and
    control characters (which the runner would keep raw) are visible escapes.
    """
    text = _UNSAFE_BUT_NEWLINE.sub(_keep_cr, text)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(text: str) -> str:
    """``text`` as a property value of a workflow command (``file=``, ``title=``):
    as in `workflow_data`, and ``:`` and ``,`` percent-encoded too."""
    return workflow_data(text).replace(":", "%3A").replace(",", "%2C")
