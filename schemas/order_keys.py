"""How an order is keyed when a buyer sends releases against one PO number (850 BEG02 RL, the same BEG03,
another BEG04 each time): each release is an order of its own.

An order's key (the ``po_number`` of the state store and of its stored canonical tables) is its PO number
(BEG03), as it always was, for the first order received under that PO number (whatever its release), so
stores written before releases were told apart read as they did. A later release of a PO already held
under another release number is keyed ``BEG03 + SEP + BEG04``: SEP is a control character, which an X12
value cannot carry (rules.elements refuses it), so a key never collides with a PO number. Documents print
BEG03 and the release apart (BAK03/BAK05, BCA03/BCA04, PRF01/PRF02, BIG04/BIG05): ``x12_po`` gives
BEG03 back; people read ``shown`` ("PO-1 release 2").

A partner whose orders under one PO number are told apart by a heading reference instead ([x12]
order_key_ref, e.g. "CO": Cabela's nightly drop-ship sets share one master BEG03, one set per consumer
order, each with its own REF*CO) has each such order keyed ``BEG03 + SEP + REF + value`` (``ref_key``),
whether or not another is held: REF is another control character, so such a key never collides with a PO
number nor with a release key. Documents print BEG03 only (no release: BAK05/PRF02/BIG05 stay the 850's
BEG04) and echo the reference as sent; people read "PO-1 order C778120045".

A blanket order (BEG02 BK, BE, KB, LB, no BEG04) received after one of its releases, which holds the PO
number, is keyed ``BEG03 + SEP + BLANKET`` (``blanket_key``): BLANKET is a third control character, so the
key never collides with a PO number, a release key or a ref key; it names no release (``key_release`` "",
its documents print BEG03 alone) and people read "PO-1 blanket". A blanket received first is keyed by the PO
number, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pyarrow is imported by the column helpers only: `orderbridge status` loads no pyarrow
    import pyarrow as pa

# BEG02 blanket orders (code list 92: BE blanket with estimated quantities, BK blanket, KB blanket purchase agreement,
# LB lease), called off by releases (BEG02 RL); schemas.orders names them too
BLANKET_TYPES = frozenset({"BE", "BK", "KB", "LB"})
SEP = "\x1e"  # ASCII record separator: never inside an X12 or CSV value we take in (control character)
REF = "\x1d"  # ASCII group separator, after SEP: the rest of the key is a reference's value, not a release
BLANKET = "\x1c"  # ASCII file separator, after SEP: a blanket keyed apart from its release holding the PO number


def release_key(po: str, release: str) -> str:
    """The key of release ``release`` of PO ``po`` when another release of it already holds ``po``."""
    return f"{po}{SEP}{release}"


def ref_key(po: str, value: str) -> str:
    """The key of the order of PO ``po`` told apart by reference value ``value`` (order_key_ref)."""
    return f"{po}{SEP}{REF}{value}"


def ref_tag(value: str) -> str:
    """A reference value as engine.lifecycle.releases compares it with releases ("" for none)."""
    return f"{REF}{value}" if value else ""


def blanket_key(po: str) -> str:
    """The key of the blanket of PO ``po`` when a release of it (BEG04) already holds ``po``."""
    return f"{po}{SEP}{BLANKET}"


def is_blanket_key(key: str) -> bool:
    """Whether ``key`` is a blanket keyed apart from its release (blanket_key)."""
    return key.endswith(SEP + BLANKET)


def can_key(po: str, release: str) -> bool:
    """Whether a release key can be made of these values (neither holds SEP)."""
    return bool(release) and SEP not in po and SEP not in release


def is_ref_key(key: str) -> bool:
    """Whether ``key`` is an order told apart by a reference (ref_key)."""
    return SEP + REF in key


def key_ref(key: str) -> str:
    """The reference value a ref_key names ("" for any other key)."""
    rest = key.partition(SEP)[2]
    return rest[1:] if rest.startswith(REF) else ""


def is_release_key(key: str) -> bool:
    return SEP in key


def x12_po(key: str) -> str:
    """The PO number (BEG03) an order key stands for."""
    return key.partition(SEP)[0] if SEP in key else key


def key_release(key: str) -> str:
    """The release number a release key names ("" for a key that is a PO number, a ref_key or a blanket_key)."""
    rest = key.partition(SEP)[2]
    return "" if rest.startswith((REF, BLANKET)) else rest


def shown(key: str) -> str:
    """An order key as people read it: "PO-1 release 2" for a release key, "PO-1 order C778120045" for a
    ref_key, "PO-1 blanket" for a blanket_key, else the PO number."""
    if SEP not in key:
        return key
    if is_blanket_key(key):
        return x12_po(key) + " blanket"
    return key.replace(SEP + REF, " order ", 1) if SEP + REF in key else key.replace(SEP, " release ", 1)


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
    keys = pc.replace_substring(keys, pattern=SEP + REF, replacement=" order ", max_replacements=1)
    keys = pc.replace_substring(keys, pattern=SEP + BLANKET, replacement=" blanket", max_replacements=1)
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
