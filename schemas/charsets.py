"""The character sets a partner's files are written in, as intake records them (connectors.state) and delivery
answers in them ([x12] encoding "auto": parsers.x12_writer). No heavy imports: the state store reads them."""

from __future__ import annotations

import re
from collections.abc import Iterable

# The character sets a partner's X12 files show (parsers.x12_reader.charset), from the one that says least to the
# one that says most: a file in ASCII says nothing of accents; one in single-byte Latin-1 says its translator is no
# UTF-8 one (a UTF-8 file's accents are bytes a Latin-1 reader takes as letters: "QuÃ©bec"); one using a letter
# Windows-1252 alone has, at 0x80-0x9F ("œ", "’", "–", "€": ISO-8859-1's control characters there), says its
# translator writes, and so reads, Windows-1252
CHARSETS = ("ascii", "utf-8", "latin-1", "cp1252")


def widest(charsets: Iterable[str]) -> str:
    """Of the character sets of several files of one partner, the one that says most: "cp1252" over "latin-1"
    (Windows-1252 is ISO-8859-1 with letters where it has control characters), "latin-1" over "utf-8" (a translator
    that once wrote single-byte accents reads them so), any over "ascii"; "" for none."""
    return max(charsets, key=lambda c: CHARSETS.index(c) if c in CHARSETS else -1, default="")


def not_utf8_fix(shown: str, configured: str = "auto", partner: str = "") -> str:
    """What ends X12_NOT_UTF8 on the files of a partner whose profile says [x12] encoding ``configured`` ("auto", the
    default, "utf-8" or "ascii": a "latin-1" or "cp1252" partner gets no such warning, engine.process
    .expected_encoding), its file showing ``shown`` (parsers.x12_reader.charset: "cp1252" where it uses Windows-1252's
    own "’", "–" or "œ", else "latin-1"): the encoding to set in its profile, said to ops with the warning, which
    otherwise repeats on every file it sends. ``partner``: its id ("" when not known, as `inspect` reads a file)."""
    value = "cp1252" if shown == "cp1252" else "latin-1"
    name = "Windows-1252" if value == "cp1252" else "ISO-8859-1 (Latin-1)"
    who = partner or "the partner"
    where = f'encoding = "{value}" in the [x12] table of its profile' + (f" (partners/{partner}.toml)" if partner
                                                                         else "")
    if configured in ("auto", ""):
        return (f"If {who} always sends {name}, set {where}: its files are then read so without this warning (our "
                "documents already reach it in that encoding).")
    return (f'Its profile says [x12] encoding = "{configured}", and our documents reach it so: if {who} always sends '
            f"{name}, set {where}; else ask it to send {configured}.")


# --- control characters (C0, DEL and C1): no X12 element and no CSV cell we send may hold one ---------------------
# A tab, CR, LF or NUL in a value we send: a partner's translator refuses the element (X12's character sets have no
# control character) or splits the line there (a CSV acknowledgment). A run of them and the blanks around it is one
# blank, as translators write it; at either end of the value, nothing.
CONTROL_CHARS = "\x00-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
_CONTROL_RUN = re.compile(f" *[{CONTROL_CHARS}]+[{CONTROL_CHARS} ]*")


def has_control(text: str) -> bool:
    """Whether ``text`` holds a control character (C0, DEL or C1). (isprintable first: C speed, and True for nearly
    every value; one with a non-breaking space or another non-printable letter is searched again.)"""
    return not text.isprintable() and _CONTROL.search(text) is not None


def without_controls(text: str) -> str:
    """``text`` with each run of control characters, and the blanks around it, one blank; none at either end."""
    return _CONTROL_RUN.sub(" ", text).strip(" ") if has_control(text) else text
