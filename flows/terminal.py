"""Terminal output for the command line: consoles that never interpret text, and `shown`, the one
place partner-supplied values are made safe to print.

Rich markup and emoji codes are off, so a PO number such as `[/b]` or `:smile:` prints as sent;
styling is given with `style=` and Text, never inside strings. `shown` makes control characters
visible (an ESC in a name cannot clear or retitle the terminal). No EDI knowledge here.
"""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.text import Text

# Cc: C0/C1 controls (ESC, CSI, BEL, newline); Cf: format characters (bidi overrides that reorder
# what is shown); Cs: lone surrogates (undecodable file names); Zl/Zp: line and paragraph separators.
_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def console(*, stderr: bool = False, min_width: int = 0) -> Console:
    """A console that prints text as it is: no markup, no emoji codes, no highlighting. Error lines
    are not wrapped (a path or message stays on one line, as it is). ``min_width``: tables of many columns are
    laid out in at least that many characters, on a narrow terminal and when the output is not one (a pipe, a
    file: 80 otherwise)."""
    out = Console(stderr=stderr, markup=False, emoji=False, highlight=False, soft_wrap=stderr)
    if out.width < min_width:
        out.width = min_width
    return out


TABLE_WIDTH = 120  # the command line's tables (run, status) are never squeezed into fewer characters


def shown(value: object) -> str:
    """``value`` as printable text: every control, format or surrogate character as its escape
    (``\\x1b``, ``\\n``, ``\\u202e``, ``\\udcff``); everything else unchanged."""
    text = "" if value is None else str(value)
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch if unicodedata.category(ch) not in _HIDDEN else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    return ch.encode("unicode_escape", "backslashreplace").decode("ascii")


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line from plain strings and (text, style) pairs; every part goes through `shown`."""
    return Text.assemble(*((shown(p[0]), p[1]) if isinstance(p, tuple) else shown(p) for p in parts))
