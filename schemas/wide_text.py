"""Text of two or four bytes a character (UTF-16/32: a spreadsheet's "Unicode text" export, a .NET or database
export) told by its first bytes: by its byte-order mark, or without one by the NUL bytes beside every ASCII
character. The dropped-file readers (parsers.file_kinds, parsers.csv_common) and the reference CSV loader
(connectors.reference) tell it so. Bytes in, a codec name out.
"""

from __future__ import annotations

HEAD_BYTES = 64  # the bytes of a file's head these are told by


def wide_order(head: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" for UTF-16 text without a byte-order mark whose first characters (at least
    two, up to HEAD_BYTES bytes) are ASCII and not NUL; else None."""
    pairs = head[:HEAD_BYTES - HEAD_BYTES % 2]
    if len(pairs) < 4:
        return None
    low, high = pairs[0::2], pairs[1::2]
    if not high.strip(b"\x00") and low.isascii() and b"\x00" not in low:
        return "utf-16-le"
    if not low.strip(b"\x00") and high.isascii() and b"\x00" not in high:
        return "utf-16-be"
    return None


def wide_codec(head: bytes) -> str | None:
    """The codec that reads ``head``'s text when it is UTF-16 or UTF-32 ("utf-32" and "utf-16" read their own
    byte-order mark and drop it; "utf-16-le"/"utf-16-be" without one); None for any other text."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    return wide_order(head)
