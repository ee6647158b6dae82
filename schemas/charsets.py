"""The character sets a partner's files are written in, as intake records them (connectors.state) and delivery
answers in them ([x12] encoding "auto": parsers.x12_writer). No heavy imports: the state store reads them."""

from __future__ import annotations

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
