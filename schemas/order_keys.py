"""How an order is keyed when a buyer sends releases against one PO number (850 BEG02 RL, the same BEG03,
another BEG04 each time): each release is an order of its own.

An order's key (the ``po_number`` of the state store and of its stored canonical tables) is its PO number
(BEG03), as it always was, for the first order received under that PO number (whatever its release), so
stores written before releases were told apart read as they did. A later release of a PO already held
under another release number is keyed ``BEG03 + SEP + BEG04``: SEP is a control character, which an X12
value cannot carry (rules.elements refuses it), so a key never collides with a PO number. Documents print
BEG03 and the release apart (BAK03/BAK05, BCA03/BCA04, PRF01/PRF02, BIG04/BIG05): ``x12_po`` gives
BEG03 back; people read ``shown`` ("PO-1 release 2").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported by the column helpers only: `orderbridge status` loads no pyarrow
    import pyarrow as pa

SEP = "\x1e"  # ASCII record separator: never inside an X12 or CSV value we take in (control character)


def release_key(po: str, release: str) -> str:
    """The key of release ``release`` of PO ``po`` when another release of it already holds ``po``."""
    return f"{po}{SEP}{release}"


def can_key(po: str, release: str) -> bool:
    """Whether a release key can be made of these values (neither holds SEP)."""
    return bool(release) and SEP not in po and SEP not in release


def is_release_key(key: str) -> bool:
    return SEP in key


def x12_po(key: str) -> str:
    """The PO number (BEG03) an order key stands for."""
    return key.partition(SEP)[0] if SEP in key else key


def key_release(key: str) -> str:
    """The release number a release key names ("" for a key that is a PO number)."""
    return key.partition(SEP)[2]


def shown(key: str) -> str:
    """An order key as people read it: "PO-1 release 2" for a release key, else the PO number."""
    return key.replace(SEP, " release ", 1) if SEP in key else key


def x12_po_column(keys: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``x12_po`` over a string column; the column itself when it holds no release key."""
    import pyarrow.compute as pc

    if not len(keys) or not pc.any(pc.fill_null(pc.match_substring(keys, SEP), False)).as_py():
        return keys
    return pc.replace_substring_regex(keys, pattern=f"{SEP}.*$", replacement="")


def shown_column(keys: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """``shown`` over a string column; the column itself when it holds no release key."""
    import pyarrow.compute as pc

    if not len(keys) or not pc.any(pc.fill_null(pc.match_substring(keys, SEP), False)).as_py():
        return keys
    return pc.replace_substring(keys, pattern=SEP, replacement=" release ", max_replacements=1)


def release_keys(pos: pa.Array | pa.ChunkedArray, releases: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Of a document naming a PO and its release (BAK03/BAK05, PRF01/PRF02, BIG04/BIG05): the release key
    of each PO that names a release, else the PO number (the column itself when none does). Whoever
    reads it keeps a release key only for a release held as an order of its own (engine.finance_inputs.
    held_releases): the first release of a PO is keyed by its PO number."""
    import pyarrow.compute as pc

    given = pc.fill_null(pc.not_equal(pc.fill_null(releases, ""), ""), False)
    if not len(pos) or not pc.any(given).as_py():
        return pos
    return pc.if_else(given, pc.binary_join_element_wise(pos, releases, SEP), pos)
