"""X12 code values sent in small letters ("ea", "bp", "hp", "st"): an ERP writing its own table's case. X12's codes
are capitals, and a 997 accepts such a value (no code list is checked there), so a line or order lost over letter
case is worse than a warning: where the capitals of a value are a code the reader acts on, it is read as that code,
and the value as sent is kept for the finding that tells it (UNIT_CASE_CONVERTED, CODE_CASE_CONVERTED). One
mechanism for every element read so (units: schemas.units.capital_units; qualifiers, price bases, entity codes:
parsers.orders_850)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def capital_codes(values: pa.Array, codes: pa.Array) -> tuple[pa.Array, pa.Array]:
    """``values`` (an ID element as sent) as read, and as sent where read otherwise (null elsewhere): a value in
    small letters that is not itself one of ``codes`` and whose capitals are one ("bp", "Cs") is read as that code.
    Anything else as sent. One columnar look when every value is in capitals (every usual set)."""
    import pyarrow as pa  # (here: importing schemas loads no pyarrow; the inspect fast path)
    import pyarrow.compute as pc

    values = values.cast(pa.string())
    none = pa.nulls(len(values), pa.string())
    if values.null_count == len(values):
        return values, none
    upper = pc.utf8_upper(values)
    lower = pc.fill_null(pc.not_equal(values, upper), False)
    if not pc.any(lower).as_py():
        return values, none
    read = pc.and_(lower, pc.and_(pc.is_in(upper, value_set=codes), pc.invert(pc.is_in(values, value_set=codes))))
    if not pc.any(read).as_py():
        return values, none
    return pc.if_else(read, upper, values), pc.if_else(read, values, none)
