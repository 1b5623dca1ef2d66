"""Text from a submission, shown on a terminal: what could drive the terminal is made visible.

A cell, a file name or an ID may hold control characters: ``ESC]8;;http://…`` makes a
clickable link, ``ESC[2J`` clears the screen, a carriage return or a line feed rewrites or
splits a one-line message, a bidirectional override shows text in another order than it is
stored. Every value from a submission that the command line prints goes through ``visible``,
which writes such characters as escapes (``\\x1b``, ``\\u202e``)."""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "visible"]

#: The Unicode bidirectional overrides and isolates (code point ranges).
BIDI_CONTROLS = ((0x202A, 0x202E), (0x2066, 0x2069))

#: C0 controls (tab, line feed and carriage return among them: a message is one line), DEL,
#: C1 controls, the line and paragraph separators, and the bidirectional controls.
_SHOWN_ESCAPED = re.compile(
    "["
    + "".join(
        f"\\U{low:08x}-\\U{high:08x}"
        for low, high in ((0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), *BIDI_CONTROLS)
    )
    + "]"
)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` with every control character written as an escape (``\\x1b``)."""
    return _SHOWN_ESCAPED.sub(_escaped, str(text))
