"""What a dropped file is when it is not text to read: a compressed container, a PDF, an Office workbook,
or text in UTF-16/32 (two or four bytes a character), told by its first bytes. The X12 and CSV readers
name it in their finding instead of reading its bytes as an interchange or rows. Bytes in, words out.
"""

from __future__ import annotations

from schemas.wide_text import wide_order

# Compressed containers (`po.x12.gz`, a `.zip` of files; an Excel .xlsx is a zip too): never unpacked (their
# size unpacked is unknown, a zip may hold many files), even when a stored zip member shows its text.
_COMPRESSED = ((b"\x1f\x8b", "gzip"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"BZh", "bzip2"),
               (b"\xfd7zXZ\x00", "xz"), (b"7z\xbc\xaf\x27\x1c", "7-Zip"), (b"\x28\xb5\x2f\xfd", "zstd"))
_DOCUMENTS = ((b"%PDF-", "PDF document"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document (an Excel .xls)"))
_WIDE_MARKS = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
               (b"\xfe\xff", "UTF-16"))


def compressed_kind(head: bytes) -> str | None:
    """The kind of compressed container ``head`` starts as (gzip, zip, ...), else None."""
    return next((kind for magic, kind in _COMPRESSED if head.startswith(magic)), None)


def document_kind(head: bytes) -> str | None:
    """"PDF document" or "Office document (...)" when ``head`` starts as one, else None."""
    return next((kind for magic, kind in _DOCUMENTS if head.startswith(magic)), None)


def wide_text(head: bytes) -> str | None:
    """"UTF-16" or "UTF-32" when ``head`` is text of two or four bytes a character: by its byte-order mark,
    or without one by the NUL bytes beside every Latin letter, digit and punctuation mark of its first
    characters (no 8-bit or UTF-8 text has them); else None."""
    mark = next((kind for magic, kind in _WIDE_MARKS if head.startswith(magic)), None)
    if mark is not None:
        return mark
    return "UTF-16" if wide_order(head) else None


def with_article(kind: str) -> str:
    """``kind`` with its indefinite article, to begin a sentence: "A PDF document", "An Office document"."""
    return f"{'An' if kind[:1] in 'AEIOUaeiou' else 'A'} {kind}"


def refused_kind(head: bytes) -> str | None:
    """Words for what ``head`` starts as when it is no 8-bit text: "zip-compressed file", "PDF document",
    "UTF-16 text" ...; else None."""
    packed = compressed_kind(head)
    if packed is not None:
        return f"{packed}-compressed file"
    wide = wide_text(head)
    return document_kind(head) or (f"{wide} text" if wide else None)
