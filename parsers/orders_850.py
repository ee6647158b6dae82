"""850 transaction sets -> canonical ORDERS and ORDER_LINES tables (schemas.orders), columnar.

Rows are located with numpy over the segment table (which set, which PO1 owns a PID, which N1
owns an N3/N4); no per-segment Python objects. Values are converted in one place (_decimal,
parsers.x12_dates for CCYYMMDD and the older versions' YYMMDD). Problems with content are
findings from rules/, not from here.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers.x12_dates import dates, dtm_date, dtm_window, first_dated
from parsers.x12_reader import ParseResult
from parsers.x12_writer import x12_implied
from schemas.code_case import capital_codes
from schemas.empty import empty_table
from schemas.orders import (
    BUYER_COST_PRICES,
    ELEMENTS_SEP,
    HAZMAT_SENT,
    HEADING_REF,
    ITDS_SEP,
    LINE_DATES,
    LINE_DTM_DATES,
    LINE_EXPIRY,
    LINE_LOOP_ENDS,
    LINE_MARK_FOR,
    LINE_OWN_REF,
    LINE_PRICE,
    LINE_SHIP_TO,
    LINE_SHIP_TO_ADDRESS,
    LINE_WIDE_DATES,
    MONEY,
    NOTES_SEP,
    ORDER_LINES,
    ORDER_REFS,
    ORDER_SACS,
    ORDERS,
    PARTY_REF,
    PID_SENT,
    PREPACK_COMPONENT,
    PRODUCT_ID,
    PRODUCT_QUALIFIERS,
    QTY,
    QUALIFIERS_READ,
    RANGE_ENDS,
    RANGE_START,
    REF_DESCRIPTION,
    SDQ_PAIRS,
    STORE_QUANTITY,
    TXI_EXEMPTING,
    WEIGHT_AS_SENT,
    hazmat_marking,
    name2_kept,
)
from schemas.units import (
    NO_CHARGE,
    PRICE_PER_EACH,
    PRICE_PER_EACH_OF,
    PRICE_PER_MANY,
    PRICE_PER_MANY_OF,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    capital_units,
    in_many_of,
)
from schemas.x12 import Group, Interchange, TransactionSet

PARTIES = {"ST": "ship_to", "BT": "bill_to", "BY": "buyer", "Z7": "mark_for", "BS": "bill_and_ship_to",
           "SN": "store"}
# the N101 entity codes (code list 98) the reader reads: its parties, the vendor (VN, SU: vendor_party_sent) and the
# ship-from (SF). One sent in small letters whose capitals are one of them ("st": ST) is read as it (_Cells)
ENTITIES_READ = frozenset({*PARTIES, "VN", "SU", "SF"})
_ENTITIES_READ = tuple(sorted(ENTITIES_READ))
# N101 BS "Bill and Ship To" (code list 98): one N1 naming the party billed and shipped to, as BISAC X12 book orders
# send it (Baker & Taylor, Anchor: N1*BS*..*15*SAN): the ship-to and bill-to of a set that names no N1*ST / BT
_BILL_AND_SHIP = {"ship_to": "bill_and_ship_to", "bill_to": "bill_and_ship_to"}
_PARTY_FIELDS = ("name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country")
DATES = {"002": "requested_delivery_date", "010": "requested_ship_date", "037": "ship_not_before",
         "038": "ship_no_later", "001": "cancel_after", "063": "do_not_deliver_after", "064": "do_not_deliver_before",
         # 036 Expiration: a blanket order's end (BEG02 BK ...), after which no release calls it off (engine.blankets)
         "036": "expires_on"}
LATEST_DATES = frozenset({"038", "001", "063"})  # DTM01 of a last acceptable date (ship no later, cancel after ...)
# PID02 (product/process characteristic, element 750) of a PID describing one attribute of the item, not the item:
# 35 colour, 73 vendor colour description, 74 vendor size description, 75 buyer's colour description, 91 buyer's
# item size description (department stores' 850s send the NRF colour and size as PID*F*73 and PID*F*74 under each
# PO1). Such a PID's text is never the line's description (PID05 of its first other PID: F, 08 or unqualified)
ATTRIBUTE_PIDS = frozenset({"35", "73", "74", "75", "91"})
_DEC = r"^-?(\d{1,14})(\.\d*)?$|^-?\.\d+$"
_DEC_PLAIN = r"^-?\d{1,14}(\.\d{1,4})?$"  # a subset of _DEC that decimal128(18, 4) holds exactly
# R with an exponent ("1.5E1", "25E-1": X12.6 from 005010), read one value at a time (they are rare)
_EXPONENT = r"^-?(\d+\.?\d*|\.\d+)[Ee]-?\d{1,3}$"
_LEADING_ZEROS = r"^(-?)0+(\d)"  # "000000000000010" is 10 (R 1/15 counts the zeros): dropped before reading


def _decimal(values: pa.Array, scale: int = 4) -> pa.Array:
    """Strings to decimal128(18, scale); anything unparsable becomes null (rules report it). Every R
    value X12 allows is read: leading zeros (however many), a leading or trailing point, a minus sign
    and an exponent ("1.5E1" is 15); what decimal128(18, scale) cannot hold stays null."""
    values = values.cast(pa.string())
    if values.null_count == len(values):  # (an element no set sends)
        return pa.nulls(len(values), pa.decimal128(18, scale))
    if scale == 4:
        plain = _plain_decimal(values)
        if plain is not None:
            return plain
    if scale == 4 and pc.all(pc.match_substring_regex(values, _DEC_PLAIN)).as_py() is not False:
        # every value is plain (at most 4 decimals, nothing to fix up or round): one exact cast
        # (nulls stay null; all() skips them and is True for an empty or all-null array)
        return pc.cast(values, pa.decimal128(18, 4))
    zeros = pc.fill_null(pc.match_substring_regex(values, _LEADING_ZEROS), False)
    if pc.any(zeros).as_py():
        values = pc.replace_substring_regex(values, _LEADING_ZEROS, r"\1\2")
    ok = pc.fill_null(pc.match_substring_regex(values, _DEC), False)
    exponent = pc.fill_null(pc.match_substring_regex(values, _EXPONENT), False)
    clean = values if pc.all(ok).as_py() else pc.if_else(ok, values, pa.scalar(None, pa.string()))
    # fix-ups only when some value needs them (each is a full pass otherwise)
    lead = pc.starts_with(clean, ".")
    if pc.any(lead).as_py():
        clean = pc.if_else(lead, pc.binary_join_element_wise("0", clean, ""), clean)
    lead = pc.starts_with(clean, "-.")
    if pc.any(lead).as_py():
        clean = pc.if_else(lead, pc.replace_substring(clean, "-.", "-0."), clean)
    trail = pc.ends_with(clean, ".")
    if pc.any(trail).as_py():
        clean = pc.if_else(trail, pc.binary_join_element_wise(clean, "0", ""), clean)
    wide = pc.cast(clean, pa.decimal128(38, 12))
    out = _fit(pc.round(wide, scale), pa.decimal128(18, scale))  # "99999999999999.999" rounds past 14 digits
    if pc.any(exponent).as_py():
        out = _with_exponents(out, values, exponent.to_numpy(zero_copy_only=False), scale)
    return out


def _with_exponents(out: pa.Array, values: pa.Array, exponent: np.ndarray, scale: int) -> pa.Array:
    """``out`` with the values written with an exponent read in (rounded half to even to ``scale``
    places, as pc.round does; null when decimal128(18, scale) cannot hold them)."""
    limit = Decimal(10) ** (18 - scale)
    read = out.to_pylist()
    for i in np.flatnonzero(exponent).tolist():
        value = Decimal(values[i].as_py())
        if abs(value) < limit:
            value = value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_EVEN)
        read[i] = value if abs(value) < limit else None
    return pa.array(read, pa.decimal128(18, scale))


def _fit(values: pa.Array, to: pa.Decimal128Type) -> pa.Array:
    """``values`` (a wider decimal) cast to ``to``; a value too large for it becomes null like any
    unreadable number (an ITD03 of 123456 is legal R6 syntax but no percent we can hold; the element's
    length and type are the syntax check's findings)."""
    limit = pa.scalar(Decimal(10) ** (to.precision - to.scale), values.type)
    big = pc.fill_null(pc.greater_equal(pc.abs(values), limit), False)
    if pc.any(big).as_py():
        values = pc.if_else(big, pa.scalar(None, values.type), values)
    return values.cast(to)


_POW10 = 10 ** np.arange(19, dtype=np.int64)


def _plain_decimal(values: pa.Array) -> pa.Array | None:
    """decimal128(18, 4) of string values that are all unsigned _DEC_PLAIN numbers (digits, at most one
    point, 1-14 digits before it and 1-4 after), read with numpy over the bytes; None for anything else
    (signs, other characters, empty strings, ...: the caller's general path decides)."""
    n = len(values)
    bufs = values.buffers()
    if not n or values.type != pa.string() or bufs[1] is None:
        return None
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[values.offset: values.offset + n + 1].astype(np.int64)
    lens = np.diff(offsets)
    valid = None
    if values.null_count:
        valid = values.is_valid().to_numpy(zero_copy_only=False)
        if lens[~valid].any():
            return None  # a null slot with bytes behind it: leave it to the general path
    if bufs[2] is None or offsets[-1] == offsets[0]:
        data = np.zeros(0, dtype=np.uint8)
    else:
        data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
    rel = offsets - offsets[0]
    digit = data - np.uint8(48)  # wraps for bytes below "0"
    is_dot = data == 46
    if not ((digit <= 9) | is_dot).all():
        return None
    int_len = lens.copy()
    frac_len = np.zeros(n, dtype=np.int64)
    dots = np.flatnonzero(is_dot)
    if len(dots):
        dots_before = np.zeros(len(data) + 1, dtype=np.int64)
        np.cumsum(is_dot, out=dots_before[1:])
        per_value = dots_before[rel[1:]] - dots_before[rel[:-1]]
        if (per_value > 1).any():
            return None  # two points in one value
        owner = np.flatnonzero(per_value)  # the values with a point, in the order of their points
        int_len[owner] = dots - rel[owner]
        frac_len[owner] = rel[owner + 1] - dots - 1
        if (frac_len[owner] < 1).any():
            return None
    present = lens > 0 if valid is None else valid
    if valid is not None:
        int_len[~valid] = 1  # null: no bytes, nothing to check
    if (int_len < 1).any() or (int_len > 14).any() or (frac_len > 4).any() or not present.all() and valid is None:
        return None
    # the digits without the point, as whole numbers (Arrow's string->int64 cast), scaled to 0.0001 units
    stripped_offsets = rel.copy()
    if len(dots):
        has_dot = np.zeros(n, dtype=np.int64)
        has_dot[owner] = 1
        stripped_offsets[1:] -= np.cumsum(has_dot)
        data = data[~is_dot]
    if valid is not None:
        data_ok = valid
    else:
        data_ok = None
    digits = pa.StringArray.from_buffers(n, pa.py_buffer(stripped_offsets.astype(np.int32)), pa.py_buffer(data),
                                         None if data_ok is None else pa.py_buffer(np.packbits(data_ok,
                                                                                               bitorder="little")))
    whole = pc.cast(digits, pa.int64())
    out = np.zeros((n, 2), dtype=np.int64)
    out[:, 0] = np.frombuffer(whole.buffers()[1], dtype=np.int64)[whole.offset: whole.offset + n]
    if valid is not None:
        out[~valid, 0] = 0
    out[:, 0] *= _POW10[4 - frac_len]
    bitmap = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.decimal128(18, 4), n, [bitmap, pa.py_buffer(out)])


def _implied_cents(values: pa.Array) -> pa.Array:
    """An N2 amount (CSH03: implied two decimals, "150000" is 1500.00) as MONEY; a value written with its
    decimal point ("1500.00", a translator's R) is read as written; what is no number, or too large for
    MONEY, stays null."""
    values = values.cast(pa.string())
    if values.null_count == len(values):
        return pa.nulls(len(values), MONEY)
    digits = pc.fill_null(pc.match_substring_regex(values, r"^-?\d{1,18}$"), False)
    ints = pc.cast(pc.if_else(digits, values, pa.scalar(None, pa.string())), pa.int64())
    cents = pc.multiply(pc.cast(ints, pa.decimal128(19, 0)), pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))
    written = _decimal(pc.if_else(digits, pa.scalar(None, pa.string()), values))
    return pc.coalesce(_fit(cents, MONEY), written)


def _int(values: pa.Array) -> pa.Array:
    """An N0 element (CTT01, ITD05/ITD07/ITD13 days, PO401/PO414 packs) as int32; a whole number a translator
    wrote with its decimal point ("30.", "30.00": IMPLIED_DECIMAL_STATED) as the number it states (30); what is
    no whole number, or too large, stays null."""
    values = values.cast(pa.string())
    if values.null_count == len(values):  # (an element no set sends)
        return pa.nulls(len(values), pa.int32())
    ok = pc.fill_null(pc.match_substring_regex(values, r"^-?\d{1,9}$"), False)
    pointed = pc.fill_null(pc.match_substring_regex(values, r"^-?\d{1,9}\.0*$"), False)
    if pc.any(pointed).as_py():  # rare: the point and its zeros dropped
        values = pc.if_else(pointed, pc.replace_substring_regex(values, r"\.0*$", ""), values)
        ok = pc.or_(ok, pointed)
    return pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), pa.int32())


class _Cells:
    """Element access by (row, position) over the segment table, without Python objects per cell."""

    def __init__(self, result: ParseResult) -> None:
        elements = result.segments.elements
        self.flat = elements.flatten()
        if len(self.flat) and pc.any(pc.ends_with(self.flat, " ")).as_py():
            # X12.6: trailing spaces are not significant in a variable-length value (a sender suppresses
            # them): 'VP-1011   ' from a fixed-width export names item VP-1011, a value of spaces is empty
            self.flat = pc.utf8_rtrim(self.flat, characters=" ")
        offsets = elements.offsets.to_numpy()
        self.offsets = offsets[:-1] - offsets[0]
        self.row_len = np.diff(offsets)
        flat = self.flat
        value_offsets = np.frombuffer(flat.buffers()[1], dtype=np.int32)[flat.offset: flat.offset + len(flat) + 1] \
            if len(flat) else np.zeros(1, dtype=np.int32)
        self.nonempty = np.diff(value_offsets) > 0
        self.case_told = self._capitals(result)

    def _capitals(self, result: ParseResult) -> list[tuple[np.ndarray, str, pa.Array]]:
        """The codes of _CAPITALS (N101 entity codes, LIN and SLN product id qualifiers, SLN07 and CTP02) sent in
        small letters whose capitals are a code the reader reads there ("st" as ST, "bp" as BP, "con" as CON:
        capital_codes), read in capitals wherever the element is looked at: an ERP writing its own table's case
        (`N1*st*...`) named its ship-to, yet the PO was held SHIP_TO_UNKNOWN after its 997 had accepted it. Returns,
        per element so read, its rows, its name ("N101") and its values as sent (CODE_CASE_CONVERTED tells them);
        none in a usual file (one columnar look at those elements, all in capitals)."""
        vocab, codes = result.segments.id_codes
        groups = []
        for seg_id, positions, read in _CAPITALS:
            rows = np.flatnonzero(codes == vocab.index(seg_id)) if seg_id in vocab else np.empty(0, np.int64)
            for k in positions if len(rows) else ():
                at, ok = self.index(rows, k)
                if ok.any():
                    groups.append((f"{seg_id}{k:02d}", rows[ok], at[ok], read))
        if not groups:
            return []
        values = self.flat.take(pa.array(np.concatenate([at for _e, _r, at, _c in groups]), pa.int64()))
        if not pc.any(pc.not_equal(values, pc.utf8_upper(values))).as_py():
            return []
        told, changed = [], {}
        for element, rows, at, read in groups:
            got, sent = capital_codes(self.flat.take(pa.array(at, pa.int64())), _code_array(read))
            if sent.null_count == len(sent):
                continue
            hit = sent.is_valid().to_numpy(zero_copy_only=False)
            changed.update(zip(at[hit].tolist(), got.filter(pa.array(hit)).to_pylist(), strict=True))
            told.append((rows[hit], element, sent.filter(pa.array(hit))))
        if changed:
            mask = np.zeros(len(self.flat), dtype=bool)
            mask[list(changed)] = True
            self.flat = pc.replace_with_mask(self.flat, pa.array(mask),
                                             pa.array([changed[a] for a in sorted(changed)], pa.string()))
        return told

    def index(self, rows: np.ndarray, k) -> tuple[np.ndarray, np.ndarray]:
        """(flat index, present and non-empty) of element ``k`` of each row (k: int or int array)."""
        exists = self.row_len[rows] > k
        at = np.where(exists, self.offsets[rows] + k, 0)
        return at, exists & self.nonempty[at] if len(self.nonempty) else exists

    def column(self, rows: np.ndarray, k: int) -> pa.Array:
        """Element ``k`` of each row as strings; missing or empty elements are null."""
        at, ok = self.index(rows, k)
        return self.take(at, ok)

    def take(self, at: np.ndarray, ok: np.ndarray) -> pa.Array:
        if not len(at):
            return pa.array([], pa.string())
        return self.flat.take(_int64(at, ok))


def _state_by_location(states: pa.Array, rows: np.ndarray, slots: np.ndarray, cells: _Cells) -> pa.Array:
    """``states`` (a party's N402 per set) with the state of each N4 of ``rows`` (in set ``slots``) that names it
    elsewhere: no N402, and N405 SP (code list 309 "State/Province") with N406 the code, else (005010 on) N407 the
    country subdivision code, as a Mexican chain writes its CEDIS's state (ISO 3166-2 NLE, VER: three letters N402's
    two cannot hold)."""
    if not len(rows):
        return states
    _at, n402 = cells.index(rows, 2)
    sp = pc.fill_null(pc.equal(cells.column(rows, 5), "SP"), False)
    named = pc.coalesce(pc.if_else(sp, cells.column(rows, 6), pa.scalar(None, pa.string())), cells.column(rows, 7))
    use = ~n402 & named.is_valid().to_numpy(zero_copy_only=False)
    if not use.any():
        return states
    values = states.to_pylist()
    for slot, state in zip(slots[use], named.filter(pa.array(use)).to_pylist(), strict=True):
        values[slot] = state
    return pa.array(values, pa.string())


def _int64(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """numpy integers as an Arrow int64 array, null where ``valid`` is False (no pandas import)."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    bitmap = None
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(pa.int64(), len(values), [bitmap, pa.py_buffer(values)])


def _joined_elements(elements: pa.ListArray, rows: np.ndarray) -> pa.Array:
    """Elements 01.. of each of ``rows`` (trailing blanks dropped, X12.6) joined by ELEMENTS_SEP."""
    if not len(rows):
        return pa.array([], pa.string())
    lists = pc.list_slice(elements.take(pa.array(rows, pa.int64())), 1)
    # trimmed in place (``values``, not ``flatten()``): the offsets index into it as they are
    trimmed = pc.utf8_rtrim(lists.values, characters=" ")
    return pc.binary_join(pa.ListArray.from_arrays(lists.offsets, trimmed), ELEMENTS_SEP)


# the N elements (implied decimals) of the segments an 855 echoes whole: position -> decimal places (004010 to
# 005010 alike; FOB and TD5 have none)
_N_PLACES = {"ITD": {5: 0, 7: 0, 8: 2, 10: 2, 13: 0}}


def _implied_form(joined: pa.Array, places: dict[int, int] | None) -> pa.Array:
    """Joined elements (``_joined_elements``) whose N elements written with a decimal point (ITD08 "25.00", ITD07
    "30.00": IMPLIED_DECIMAL_STATED) are rewritten as X12 writes them (2500, 30), so an 855 echoing the segment
    carries the number stated in valid X12; a value with more decimals than its type holds ("25.555" in an N2)
    stays as sent. Rare: only values with a point are looked at, one by one."""
    if not places or not len(joined) or not pc.any(pc.fill_null(pc.match_substring(joined, "."), False)).as_py():
        return joined
    out = joined.to_pylist()
    for i, text in enumerate(out):
        if text is None or "." not in text:
            continue
        parts = text.split(ELEMENTS_SEP)
        for position, scale in places.items():
            if position <= len(parts) and "." in parts[position - 1]:
                parts[position - 1] = _implied_digits(parts[position - 1], scale)
        out[i] = ELEMENTS_SEP.join(parts)
    return pa.array(out, pa.string())


def _implied_digits(value: str, places: int) -> str:
    """An N value written with its point ("25.00") in X12's form for ``places`` implied decimals ("2500"); as
    sent when it is no number or holds more decimals than ``places``."""
    try:
        return x12_implied(Decimal(value.strip()), places)
    except (InvalidOperation, ValueError, OverflowError):  # no number; more decimals; not finite
        return value


def _scatter(n: int, slots: np.ndarray, values: pa.Array) -> pa.Array:
    """An array of ``n`` nulls with ``values[i]`` at ``slots[i]`` (``values`` itself when ``slots`` are
    0..n-1: a segment every set has once, the usual header)."""
    if not len(values):  # (no set has one: most of the heading's optional elements)
        return pa.nulls(n, values.type)
    if len(slots) == n and slots[0] == 0 and slots[-1] == n - 1 and (np.diff(slots) == 1).all():
        return values
    idx = np.zeros(n, dtype=np.int64)
    idx[slots] = np.arange(len(slots))
    valid = np.zeros(n, dtype=bool)
    valid[slots] = True
    return values.take(_int64(idx, valid))


def _claims(keys: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidates in row order, grouped by ``keys``: each group's candidates up to and including its
    first blocking one claim its slot, and the last claimant's values stay (what a "fill the slot
    while it is still empty" loop does). Returns (claimant positions, each group's last claimant)."""
    if not len(keys):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    order = np.argsort(keys, kind="stable")
    k, b = keys[order], blocks[order].astype(np.int64)
    start = np.r_[True, k[1:] != k[:-1]]
    before = np.cumsum(b) - b
    group_base = before[np.flatnonzero(start)][np.cumsum(start) - 1]
    claimed = (before - group_base) == 0
    claimants = order[claimed]
    ck = k[claimed]
    last = claimants[np.r_[ck[1:] != ck[:-1], True]]
    return np.sort(claimants), last


def _all_per_set(n: int, set_of_row: np.ndarray, rows: np.ndarray, values: pa.Array, sep: str) -> pa.Array:
    """Per set (``n``), the ``values`` of its ``rows`` in file order joined by ``sep``; null where it has none.
    Rare (a PO with several ITDs): the values are joined one by one."""
    out: list[str | None] = [None] * n
    for k, text in sorted(zip(rows.tolist(), values.to_pylist(), strict=True)):
        at = int(set_of_row[k])
        out[at] = text if out[at] is None else f"{out[at]}{sep}{text or ''}"
    return pa.array(out, pa.string())


def _other_ship_tos(n: int, set_of_row: np.ndarray, st_rows: np.ndarray, cells, elements: pa.ListArray) -> pa.Array:
    """Per set (``n``), ORDERS.ship_to_others_sent: its heading's N1*ST loops, and N1*BS (bill and ship to) loops,
    naming another party than the order's ship-to (the first N1*ST, else the first N1*BS: ``st_rows``: the
    heading's N1*ST and N1*BS rows, ascending), each N1's elements from N101 joined by ELEMENTS_SEP, ITDS_SEP
    between them; null where there is none. The same party is the same N103/N104 where both have one, else the
    same N102 (another name of the same location). A BS naming another place than the set's own N1*ST (whose goods
    then go where?) used to be compared with nothing. Rare: joined one by one, only for the sets that have two or
    more."""
    if len(st_rows) < 2:
        return pa.nulls(n, pa.string())
    owner = set_of_row[st_rows]
    several = np.bincount(owner, minlength=n) > 1
    rows = st_rows[several[owner]]
    if not len(rows):
        return pa.nulls(n, pa.string())
    code, name, qualifier, ident = (cells.column(rows, k).to_pylist() for k in (1, 2, 3, 4))
    first: dict[int, tuple] = {}
    for j, r in enumerate(rows.tolist()):  # the order's ship-to: a set's first ST, else its first BS
        k = int(set_of_row[r])
        if k not in first or (code[j] == "ST" and first[k][0] != "ST"):
            first[k] = (code[j], j)
    others: list[int] = []
    for j, r in enumerate(rows.tolist()):
        kind, at = first[int(set_of_row[r])]
        party = ((name[j] or "").strip(), qualifier[j] or "", (ident[j] or "").strip())
        head = ((name[at] or "").strip(), qualifier[at] or "", (ident[at] or "").strip())
        if at != j and ((head[1], head[2]) != (party[1], party[2]) if head[2] and party[2]
                        else head[0] != party[0]):
            others.append(r)
    if not others:
        return pa.nulls(n, pa.string())
    picked = np.array(others, dtype=np.int64)
    return _all_per_set(n, set_of_row, picked, _joined_elements(elements, picked), ITDS_SEP)


def _first_per_set(set_of_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The first of ``rows`` (ascending) in each set."""
    if not len(rows):
        return rows
    sets = set_of_row[rows]
    return rows[np.r_[True, sets[1:] != sets[:-1]]] if (np.diff(sets) >= 0).all() else \
        rows[np.unique(sets, return_index=True)[1]]


def sets_of_rows(n: int, sets: list[tuple[Interchange, Group, TransactionSet]]) -> np.ndarray:
    """Each of ``n`` rows' index in ``sets`` (rows ST..SE of the set), -1 outside them: from the sets'
    bounds at once when they follow each other in file order (as a file's sets do), else set by set."""
    set_of_row = np.full(n, -1, dtype=np.int64)
    starts = np.fromiter((ts.start for _ic, _g, ts in sets), np.int64, len(sets))
    ends = np.fromiter((ts.end for _ic, _g, ts in sets), np.int64, len(sets))
    if len(sets) and (ends >= starts).all() and (starts[1:] > ends[:-1]).all() and starts[0] >= 0 and ends[-1] < n:
        # +1 where a set opens, -1 after it closes: inside a set where the running sum is 1
        edges = np.zeros(n + 1, dtype=np.int64)
        edges[starts] = 1
        edges[ends + 1] -= 1
        inside = np.cumsum(edges[:n]) > 0
        opened = np.zeros(n, dtype=np.int64)
        opened[starts] = 1
        set_of_row[inside] = (np.cumsum(opened) - 1)[inside]
        return set_of_row
    for k, (_ic, _g, ts) in enumerate(sets):
        set_of_row[ts.start: ts.end + 1] = k
    return set_of_row


def read_orders(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *, partner: str,
                source_sha256: str = "", lines: bool = True, ship_to: str | None = None) -> tuple[pa.Table, pa.Table]:
    """Canonical (orders, order_lines) for the given 850 sets of one parsed file; with ``lines=False``
    the order lines are not built (an empty table: `inspect` shows the orders only). ``ship_to``: the partner's
    default ship-to (its profile's [rules] default_ship_to) for a PO that names none (_default_ship_to)."""
    orders, order_lines, _ = _read_orders(result, sets, partner=partner, source_sha256=source_sha256, lines=lines,
                                          sacs=False, ship_to=ship_to)
    return orders, order_lines


def read_orders_with_sacs(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *,
                          partner: str, source_sha256: str = "",
                          ship_to: str | None = None) -> tuple[pa.Table, pa.Table, pa.Table]:
    """read_orders' (orders, order_lines) and the sets' SAC allowances and charges (schemas.orders.ORDER_SACS:
    what each PO promised, kept with its order)."""
    return _read_orders(result, sets, partner=partner, source_sha256=source_sha256, lines=True, sacs=True,
                        ship_to=ship_to)


def _read_orders(result: ParseResult, sets: list[tuple[Interchange, Group, TransactionSet]], *, partner: str,
                 source_sha256: str, lines: bool, sacs: bool,
                 ship_to: str | None = None) -> tuple[pa.Table, pa.Table, pa.Table]:
    if not sets:
        return empty_table(ORDERS), empty_table(ORDER_LINES), empty_table(ORDER_SACS)
    seg = result.segments
    n = len(seg)
    nsets = len(sets)
    set_of_row = sets_of_rows(n, sets)
    vocab, codes = seg.id_codes
    cells = _Cells(result)

    inside = set_of_row >= 0
    found: dict[str, np.ndarray] = {}  # each segment id's rows found once (read only: callers index them)

    def rows_of(seg_id: str) -> np.ndarray:
        if seg_id not in found:
            rows = np.flatnonzero((codes == vocab.index(seg_id)) & inside) if seg_id in vocab else \
                np.empty(0, dtype=np.int64)
            rows.flags.writeable = False
            found[seg_id] = rows
        return found[seg_id]

    po1_rows = rows_of("PO1")
    # header area = rows before the set's first PO1
    first_po1 = np.full(nsets, np.iinfo(np.int64).max, dtype=np.int64)
    if len(po1_rows):
        np.minimum.at(first_po1, set_of_row[po1_rows], po1_rows)

    def header_rows(seg_id: str) -> np.ndarray:
        r = rows_of(seg_id)
        return r[r < first_po1[set_of_row[r]]]

    def per_set(rows: np.ndarray, k: int) -> pa.Array:
        """Element k of the given rows (one per set at most) as a column over all sets."""
        return _scatter(nsets, set_of_row[rows], cells.column(rows, k))

    # the header's columns are asked for as they are found (pick) and read together (columns): one
    # element lookup and one take for all of them, instead of one each
    picks: list[tuple[dict, str, np.ndarray, np.ndarray, int]] = []

    def pick(into: dict, name: str, rows: np.ndarray, k: int, slots: np.ndarray | None = None) -> None:
        """Element k of ``rows`` as column ``name`` over all sets (row i's value in set ``slots[i]``,
        by default the row's own set)."""
        picks.append((into, name, rows, set_of_row[rows] if slots is None else slots, k))

    def columns() -> None:
        sizes = [len(rows) for _into, _name, rows, _slots, _k in picks]
        values = cells.column(np.concatenate([rows for _into, _name, rows, _slots, _k in picks]),
                              np.repeat(np.array([k for *_rest, k in picks], dtype=np.int64), sizes))
        at = 0
        for (into, name, _rows, slots, _k), size in zip(picks, sizes, strict=True):
            into[name] = _scatter(nsets, slots, values.slice(at, size))
            at += size
        picks.clear()

    cols: dict[str, pa.Array] = {}
    for seg_id, fields in (("BEG", {"purpose": 1, "order_type": 2, "po_number": 3, "release_number": 4,
                                   "po_date": 5}),
                          ("CUR", {"currency": 2}),
                          ("ITD", {"terms_type": 1, "terms_basis_date": 2, "terms_discount_percent": 3,
                                   "terms_discount_due_date": 4, "terms_discount_days": 5,
                                   "terms_net_due_date": 6, "terms_net_days": 7, "terms_description": 12,
                                   "terms_day_of_month": 13})):
        r = _first_per_set(set_of_row, header_rows(seg_id))
        for name, k in fields.items():
            pick(cols, name, r, k)
    # CSH may repeat in the heading (max use 5 in 004010: CSH*N for the back-order rule, then CSH**0*500000 for
    # the amount): CSH01 from the first CSH that has one, CSH02/CSH03 from the first that has either
    csh = header_rows("CSH")
    pick(cols, "sales_requirement", _first_per_set(set_of_row, csh[cells.index(csh, 1)[1]]), 1)
    limit = csh[cells.index(csh, 2)[1] | cells.index(csh, 3)[1]]
    limit = _first_per_set(set_of_row, limit)
    pick(cols, "do_not_exceed_action", limit, 2)
    pick(cols, "do_not_exceed_amount", limit, 3)
    # CTT sits in the summary, after the lines
    pick(cols, "ctt_line_count", _first_per_set(set_of_row, rows_of("CTT")), 1)
    # dates by DTM01 qualifier (first of each per set)
    dtm = header_rows("DTM")
    dtm_qual = cells.column(dtm, 1)
    period: dict[str, pa.Array] = {}  # DTM05/DTM06 of each: the date when DTM02 is left out
    dtm_set = set_of_row[dtm]
    for qual, name in DATES.items():
        # the first DTM of the qualifier, else of its first twin sent (106 Required By as 002 ...)
        first = dtm[first_dated(dtm_qual, dtm_set, qual)]
        pick(cols, name, first, 2)
        pick(period, f"{name}:05", first, 5)
        pick(period, f"{name}:06", first, 6)
        pick(period, f"{name}:07", first, 7)  # the period of a DTM before 004010 (x12_dates.dtm_date)
    # references the 856 and 810 carry back (REF*DP department, ...): the first of each qualifier with a REF02
    every_ref = header_rows("REF")
    ref = every_ref[cells.index(every_ref, 2)[1]]
    ref_qual = cells.column(ref, 1)
    for qual, name in ORDER_REFS.items():
        mask = pc.fill_null(pc.equal(ref_qual, qual), False).to_numpy(zero_copy_only=False)
        pick(cols, name, _first_per_set(set_of_row, ref[mask]), 2)
    # and the REF03 of each of them (or of a REF stating its reference by REF03 alone): carried back beside REF02
    cols["ref_descriptions"] = _ref_descriptions(nsets, set_of_row, every_ref, cells)
    cols["refs_sent"] = _refs_per_set(nsets, set_of_row[ref], *(cells.column(ref, k) for k in (1, 2, 3)))
    # the vendor party the buyer numbers us by (N1*VN / N1*SU, N103 92): the first of the heading, "N101 N104"
    vendors: list[str | None] = [None] * nsets
    n1_rows = header_rows("N1")
    for at, who, qualifier, value in zip(set_of_row[n1_rows].tolist(), *(cells.column(n1_rows, k).to_pylist()
                                                                        for k in (1, 3, 4)), strict=True):
        if who in ("VN", "SU") and qualifier == "92" and value and vendors[at] is None:
            vendors[at] = f"{who} {value}"
    cols["vendor_party_sent"] = pa.array(vendors, pa.string())
    # the ship-from the buyer routed the PO to (N1*SF): the heading's first, its N102, N103, N104 as sent
    sf = n1_rows[pc.fill_null(pc.equal(cells.column(n1_rows, 1), "SF"), False).to_numpy(zero_copy_only=False)]
    sf = _first_per_set(set_of_row, sf)
    for name, k in (("ship_from_name", 2), ("ship_from_id_qualifier", 3), ("ship_from_id", 4)):
        pick(cols, name, sf, k)
    # REF*ST (store number): the ship-to of a store's PO that has no N1 loop (_store_ship_to)
    stores: dict[str, pa.Array] = {}
    # BEG06, the contract number in the PO's beginning segment (AT&T's, Hershey's 850s): the order's contract when
    # no REF*CT names one, so an 856 / 810 asked to carry REF*CT back has it (it used to be dropped without a word)
    pick(stores, "contract", _first_per_set(set_of_row, header_rows("BEG")), 6)
    pick(stores, "store", _first_per_set(set_of_row, ref[pc.fill_null(pc.equal(ref_qual, "ST"), False).to_numpy(
        zero_copy_only=False)]), 2)
    # the heading's first FOB, ITD and TD5, whole (an 855 may echo them as sent)
    for seg_id, name in (("FOB", "fob_sent"), ("ITD", "itd_sent"), ("TD5", "td5_sent")):
        every = header_rows(seg_id)
        r = _first_per_set(set_of_row, every)
        cols[name] = _scatter(nsets, set_of_row[r], _implied_form(_joined_elements(seg.elements, r),
                                                                  _N_PLACES.get(seg_id)))
        if seg_id in ("ITD", "TD5"):  # a set's further ITDs (installments), TD5s (routing by mode; a PO1 loop's
            # own: a drop ship's line by another carrier), rare: after the heading's first, in file order
            more = np.setdiff1d(rows_of("TD5") if seg_id == "TD5" else every, r)
            cols[f"{seg_id.lower()}_more_sent"] = _all_per_set(nsets, set_of_row, more, _implied_form(
                _joined_elements(seg.elements, more), _N_PLACES.get(seg_id)), ITDS_SEP) if len(more) else \
                pa.nulls(nsets, pa.string())
    # the heading's TAXes (a sales-tax exemption: TAX12, per the states TAX02-TAX11 name), each whole, in file order
    tax = header_rows("TAX")
    cols["tax_sent"] = _all_per_set(nsets, set_of_row, tax, _joined_elements(seg.elements, tax), ITDS_SEP) \
        if len(tax) else pa.nulls(nsets, pa.string())
    # parties: header N1 loops; N2/N3/N4 belong to the closest N1 above them
    party_cols: dict[str, pa.Array] = {}
    n1_all = np.flatnonzero(codes == vocab.index("N1")) if "N1" in vocab else np.empty(0, np.int64)
    n1 = header_rows("N1")
    n1_code = cells.column(n1, 1)
    _, name_ok = cells.index(n1, 2)
    _, id_ok = cells.index(n1, 4)
    prefixes = list(dict.fromkeys(PARTIES.values()))
    prefix_of_n1 = np.full(len(n1), -1, dtype=np.int64)
    for qual, prefix in PARTIES.items():
        hit = pc.fill_null(pc.equal(n1_code, qual), False).to_numpy(zero_copy_only=False)
        prefix_of_n1[hit & (prefix_of_n1 < 0)] = prefixes.index(prefix)
    cand = np.flatnonzero(prefix_of_n1 >= 0)
    # an N1 takes its party's slot while the slot has neither name nor id
    claim, last = _claims(set_of_row[n1[cand]] * len(prefixes) + prefix_of_n1[cand], name_ok[cand] | id_ok[cand])
    claimed_n1 = n1[cand[claim]]
    claimed_key = set_of_row[claimed_n1] * len(prefixes) + prefix_of_n1[cand[claim]]
    for p, prefix in enumerate(prefixes):
        mine = last[prefix_of_n1[cand[last]] == p]
        r = n1[cand[mine]]
        for f, k in (("name", 2), ("id_qualifier", 3), ("id", 4)):
            pick(party_cols, f"{prefix}_{f}", r, k)
    by_row = np.argsort(n1[cand[last]])
    party_n1, party_of_n1 = n1[cand[last]][by_row], prefix_of_n1[cand[last]][by_row]  # each party's own N1
    # the REFs of the heading's N1 loops, with their party (N1*BT then REF*0B: the bill-to's state licence)
    cols["party_refs_sent"] = _party_refs(nsets, set_of_row, ref, n1, header_rows("N9"), party_n1, cells)
    cols["ship_to_others_sent"] = _other_ship_tos(
        nsets, set_of_row, n1[pc.fill_null(pc.is_in(n1_code, value_set=pa.array(["ST", "BS"])), False).to_numpy(
            zero_copy_only=False)], cells, seg.elements)
    owner = np.where(np.isin(codes, [vocab.index("N1")] if "N1" in vocab else []), np.arange(n), -1)
    owner = np.maximum.accumulate(owner) if n else owner
    key_of_n1 = np.full(n, -1, dtype=np.int64)
    key_of_n1[claimed_n1] = claimed_key
    del n1_all
    more_streets: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # a party's N3s after its first
    located: list[tuple[str, np.ndarray, np.ndarray]] = []  # each party's N4 (prefix, rows, sets): N405 SP / N406
    for seg_id, fields in (("N3", ("address1", "address2")), ("N4", ("city", "state", "postal_code", "country"))):
        r = header_rows(seg_id)
        own = owner[r] if len(r) else r
        keys = np.where(own >= 0, key_of_n1[np.maximum(own, 0)], -1) if len(r) else r
        r, keys = r[keys >= 0], keys[keys >= 0]
        _, first_ok = cells.index(r, 1)
        # the first element decides whether the party's slot is still empty
        _claim, last = _claims(keys, first_ok)
        for p, prefix in enumerate(prefixes):
            mine = last[keys[last] % len(prefixes) == p]
            slots = keys[mine] // len(prefixes)  # the set of the owning N1
            for i, f in enumerate(fields, start=1):
                pick(party_cols, f"{prefix}_{f}", r[mine], i, slots)
            if seg_id == "N4":
                located.append((prefix, r[mine], slots))
        if seg_id == "N3" and len(last):
            # N3 may come twice (max use 2): the second's street ("APT 4B") is no less the address
            claimed = np.full(int(keys.max()) + 1, -1, dtype=np.int64)
            claimed[keys[last]] = r[last]
            later = r > claimed[keys]
            if later.any():
                more_streets.append((r[later], keys[later] // len(prefixes), keys[later] % len(prefixes)))
    columns()
    for prefix, rows, slots in located:
        party_cols[f"{prefix}_state"] = _state_by_location(party_cols[f"{prefix}_state"], rows, slots, cells)
    for rows, slots, which in more_streets:
        _append_to(party_cols, [f"{prefix}_address2" for prefix in prefixes], rows, slots, which, cells)
    n2 = header_rows("N2")
    if len(n2) and len(party_n1):
        # N2 (additional name: a company, "C/O ...", "ATTN ...") joins the name of the party whose N1 it follows
        at = np.searchsorted(party_n1, owner[n2])
        hit = (at < len(party_n1)) & (party_n1[np.minimum(at, len(party_n1) - 1)] == owner[n2])
        if hit.any():
            _append_to(party_cols, [f"{prefix}_name" for prefix in prefixes], n2[hit],
                          set_of_row[n2[hit]], party_of_n1[at[hit]], cells)
            # each party's N2s on their own too (the 855 / 856 / 810 write them as N2, never run into N102)
            for p, prefix in enumerate(prefixes):
                mine = hit.copy()
                mine[hit] = party_of_n1[at[hit]] == p
                if mine.any():  # each N2's elements apart (name2_kept: written back as sent)
                    party_cols[f"{prefix}_name2"] = _name2_kept(nsets, n2[mine], set_of_row[n2[mine]], cells)
    # the PER in the ship-to's N1 loop (a drop ship's consumer: phone, email), its elements as sent: the first of the
    # set's N1*ST loop (a heading PER before the N1 loops, position 060, is the buyer's contact, not the ship-to's)
    per = header_rows("PER")
    if len(per) and len(party_n1):
        at = np.searchsorted(party_n1, owner[per])
        hit = (at < len(party_n1)) & (party_n1[np.minimum(at, len(party_n1) - 1)] == owner[per])
        hit &= set_of_row[np.maximum(owner[per], 0)] == set_of_row[per]  # an N1 of the set itself
        hit[hit] = party_of_n1[at[hit]] == prefixes.index("ship_to")
        if hit.any():
            first = _first_per_set(set_of_row, per[hit])
            party_cols["ship_to_contact_sent"] = _scatter(nsets, set_of_row[first],
                                                          _joined_elements(seg.elements, first))
    for prefix in prefixes:
        for f in ("address1", "address2", "city", "state", "postal_code", "country"):
            party_cols.setdefault(f"{prefix}_{f}", pa.nulls(nsets, pa.string()))
    party_vals = {f"{prefix}_{f}": party_cols[f"{prefix}_{f}"] for prefix in PARTIES.values() for f in _PARTY_FIELDS}
    for prefix, both in _BILL_AND_SHIP.items():  # N1*BS: the ship-to / bill-to of a set that names none of its own
        none = pc.and_kleene(pc.is_null(party_vals[f"{prefix}_name"]), pc.is_null(party_vals[f"{prefix}_id"]))
        for f in _PARTY_FIELDS:
            party_vals[f"{prefix}_{f}"] = pc.if_else(none, party_vals[f"{both}_{f}"], party_vals[f"{prefix}_{f}"])
        if f"{both}_name2" in party_cols:  # its N2s with its name
            party_cols[f"{prefix}_name2"] = pc.if_else(none, party_cols[f"{both}_name2"], party_cols.get(
                f"{prefix}_name2", pa.nulls(nsets, pa.string())))
    for f in _PARTY_FIELDS:
        del party_vals[f"bill_and_ship_to_{f}"]
    _detail_ship_to(party_vals, party_cols, rows_of("N1"), po1_rows, first_po1, set_of_row, owner, codes, vocab,
                    cells, seg.elements)
    _sdq_ship_to(party_vals, po1_rows, set_of_row, codes, vocab, cells)
    _store_party_ship_to(party_vals, party_cols)
    _store_ship_to(party_vals, stores["store"])
    _default_ship_to(party_vals, ship_to, nsets)
    cols["contract_number"] = pc.coalesce(cols["contract_number"], stores["contract"])
    # --- lines ----------------------------------------------------------------------------------
    beg = _first_per_set(set_of_row, rows_of("BEG")[cells.index(rows_of("BEG"), 3)[1]])
    po_numbers = pc.fill_null(per_set(beg, 3), "")
    labels = _set_labels(sets)
    lineage = _lineage(result, sets, np.arange(nsets), source_sha256, labels)
    order_lines = _lines(result, sets, set_of_row, po1_rows, codes, vocab, partner, source_sha256, cells,
                         po_numbers, labels, lineage) if lines else ORDER_LINES.empty_table()
    line_counts = np.bincount(set_of_row[po1_rows], minlength=nsets) if len(po1_rows) else np.zeros(nsets, int)
    # a requested ship date sent as a range (DTM*010****RD8*20261221-20261230) is the buyer's ship window: its first
    # and last days are the window's opening and end where the heading sends no 037 / 038 (its end used to be dropped:
    # a shipment after it left without SHIPPED_OUTSIDE_WINDOW)
    ship_range = dtm_window(cols["requested_ship_date"], period["requested_ship_date:05"],
                            period["requested_ship_date:06"], dtm07=period["requested_ship_date:07"])
    delivery_end = dtm_window(cols["requested_delivery_date"], period["requested_delivery_date:05"],
                              period["requested_delivery_date:06"], dtm07=period["requested_delivery_date:07"])[1]
    for qual, name in DATES.items():  # a range of a latest acceptable date gives its end
        cols[name] = dtm_date(cols[name], period[f"{name}:05"], period[f"{name}:06"], end=qual in LATEST_DATES,
                              dtm07=period[f"{name}:07"])
    for name, text in zip(("ship_not_before", "ship_no_later"), ship_range, strict=True):
        cols[name] = pc.coalesce(cols[name].cast(pa.string()), text)
    # the last day of a requested ship or delivery date sent as a range (RANGE_ENDS): kept, so findings name the range
    # sent, and a delivery range's end is a day to arrive by (not a cancel date: schemas.orders.RANGE_ENDS)
    cols["requested_ship_end"], cols["requested_delivery_end"] = ship_range[1], delivery_end
    when = _dates_of({name: cols[name] for name in ("po_date", *DATES.values(), *RANGE_ENDS.values(),
                                                     "terms_discount_due_date", "terms_net_due_date")})
    # the ship window every PO1 loop states alike (each line keeps its own: ORDER_LINES), the order's too, and the
    # requested ship range it came from where every line's came from the same: its end and its first day together
    # (the first day alone left the order a range's end with no start, its window's opening named DTM 037). A single
    # DTM 010 every line sends stays the lines' own, read with the lines or without (inspect: it used to be the
    # order's there only)
    wide = [*LINE_WIDE_DATES.values(), "requested_ship_date", RANGE_ENDS["010"]]
    windows = {name: order_lines[name] for name in wide} if lines else \
        line_dates(set_of_row, po1_rows, codes, vocab, cells, {**LINE_WIDE_DATES, "010": "requested_ship_date"},
                   ends={"010": RANGE_ENDS["010"]})
    common = common_line_dates(set_of_row[po1_rows], windows, nsets)
    common["requested_ship_date"] = pc.if_else(pc.is_valid(common[RANGE_ENDS["010"]]), common["requested_ship_date"],
                                               pa.scalar(None, pa.date32()))
    # the first day of the range every line sent where the heading's own single DTM 010 stays the order's requested
    # ship date (RANGE_START: where the window's opening came from; its opening used to be named DTM 037 then). A
    # heading's own range, or the lines' with no heading DTM 010, begins on requested_ship_date (RANGE_START null)
    heading_single = pc.and_(pc.is_valid(when["requested_ship_date"]), pc.is_null(when[RANGE_ENDS["010"]]))
    when[RANGE_START] = pc.if_else(pc.and_(heading_single, pc.not_equal(common["requested_ship_date"],
                                                                         when["requested_ship_date"])),
                                   common["requested_ship_date"], pa.scalar(None, pa.date32()))
    for name, days in common.items():
        when[name] = pc.coalesce(when[name], days)  # the heading's own date first
    percent = _fit(_decimal(cols["terms_discount_percent"]), ORDERS.field("terms_discount_percent").type)
    orders = {
        "partner": _repeat(partner, nsets),
        "order_ref": lineage["order_ref"],
        "po_number": pc.fill_null(cols["po_number"], ""),
        "purpose": cols["purpose"], "order_type": cols["order_type"], "release_number": cols["release_number"],
        "po_date": when["po_date"],
        "version": pa.array(labels[3], pa.string()),
        "interchange_usage": pa.array(_usages(sets), pa.string()),
        "gs02": pa.array(_group_senders(sets), pa.string()),
        "gs03": pa.array(_group_receivers(sets), pa.string()),
        **interchange_parties(sets),
        "currency": cols["currency"], "terms_type": cols["terms_type"], "terms_basis_date": cols["terms_basis_date"],
        "terms_discount_percent": percent,
        "terms_discount_percent_sent": _rounded(cols["terms_discount_percent"], percent),
        "terms_discount_due_date": when["terms_discount_due_date"],
        "terms_discount_days": _int(cols["terms_discount_days"]),
        "terms_net_due_date": when["terms_net_due_date"],
        "terms_net_days": _int(cols["terms_net_days"]),
        "terms_description": cols["terms_description"],
        "terms_day_of_month": _int(cols["terms_day_of_month"]),
        "sales_requirement": cols["sales_requirement"],
        "do_not_exceed_action": cols["do_not_exceed_action"],
        "do_not_exceed_amount": _implied_cents(cols["do_not_exceed_amount"]),
        **{name: when[name] for name in (*DATES.values(), *RANGE_ENDS.values(), RANGE_START)},
        **party_vals,
        **{f"{prefix}_name2": party_cols.get(f"{prefix}_name2", pa.nulls(nsets, pa.string()))
           for prefix in ("ship_to", "bill_to", "buyer", "mark_for")},
        "ship_to_contact_sent": party_cols.get("ship_to_contact_sent", pa.nulls(nsets, pa.string())),
        **{name: cols[name] for name in ORDER_REFS.values()},
        "refs_sent": cols["refs_sent"], "ref_descriptions": cols["ref_descriptions"],
        "party_refs_sent": cols["party_refs_sent"], "ship_to_others_sent": cols["ship_to_others_sent"],
        "vendor_party_sent": cols["vendor_party_sent"],
        "codes_case_sent": _heading_case_sent(nsets, set_of_row, first_po1, cells),
        **{name: cols[name] for name in ("ship_from_name", "ship_from_id_qualifier", "ship_from_id")},
        "fob_sent": cols["fob_sent"], "td5_sent": cols["td5_sent"], "itd_sent": cols["itd_sent"],
        "itd_more_sent": cols["itd_more_sent"], "td5_more_sent": cols["td5_more_sent"], "tax_sent": cols["tax_sent"],
        "notes": messages(nsets, set_of_row[header_rows("MSG")], header_rows("MSG"), cells),
        "n9_sent": _n9_per_set(nsets, set_of_row, header_rows("N9"), cells),
        "hazmat_sent": heading_hazmat(nsets, set_of_row, header_rows("TD4"), codes, vocab, cells),
        "line_count": pa.array(line_counts.astype(np.int32), pa.int32()),
        "ctt_line_count": _int(cols["ctt_line_count"]),
        **{k: lineage[k] for k in ("source_file", "source_sha256", "isa13", "gs06", "st02")},
        "st_file_segment": pa.array([ts.start + 1 for _ic, _g, ts in sets], pa.int32()),
    }
    order_sacs = _sacs(result, sets, set_of_row, [(rows_of(seg), at) for seg, at in _ALLOWANCES], po1_rows, cells,
                       partner, source_sha256, po_numbers, lineage) if sacs else empty_table(ORDER_SACS)
    return pa.table(orders, schema=ORDERS), order_lines, order_sacs


def _heading_case_sent(nsets: int, set_of_row: np.ndarray, first_po1: np.ndarray, cells: _Cells) -> pa.Array:
    """Per set, the codes of its heading (before its first PO1: its N1 loops' N101s) read in capitals
    (_Cells._capitals), each with its element, in the order sent: "N101 st; N101 bt" (ORDERS codes_case_sent); null
    for a set without one (every usual set: one null column). A PO1 loop's are its line's (_lines_case_told)."""
    out: list[str | None] = [None] * nsets
    for rows, element, sent in cells.case_told:
        at = set_of_row[rows]
        for row, set_at, value in zip(rows.tolist(), at.tolist(), sent.to_pylist(), strict=True):
            if set_at >= 0 and row < first_po1[set_at]:
                out[set_at] = f"{out[set_at]}; {element} {value}" if out[set_at] else f"{element} {value}"
    return pa.array(out, pa.string()) if any(out) else pa.nulls(nsets, pa.string())


def _lines_case_told(set_of_row: np.ndarray, po1_rows: np.ndarray, cells: _Cells
                     ) -> list[tuple[np.ndarray, list[str], pa.Array]]:
    """The codes of the PO1 loops read in capitals (_Cells._capitals: LIN02, SLN09, SLN07, CTP02, a line's N101),
    as codes_case_sent takes them: each one's line, its element and its value as sent."""
    out = []
    for rows, element, sent in cells.case_told:
        owner = np.searchsorted(po1_rows, rows, side="right") - 1
        ok = owner >= 0
        ok[ok] = set_of_row[po1_rows[owner[ok]]] == set_of_row[rows[ok]]
        if ok.any():
            out.append((owner[ok], [element] * int(ok.sum()), sent.filter(pa.array(ok))))
    return out


# the allowance segments and where each ORDER_SACS column is in them (kind, code, amount, basis, percent, rate,
# handling, description, agency, agency_code, unit, quantity, reference; 0: the segment has none): SAC (SAC03
# agency qualifier, SAC04 its code, SAC09 unit, SAC10 quantity, SAC13 reference: the deal or promotion number
# finance matches a bill back by), and ITA, which 003010/003020 850s carry instead (ITA01 indicator, ITA03
# special services code, ITA07 total amount (N2), ITA08 percent qualifier, ITA09 percent, ITA06 rate, ITA04
# method of handling, ITA13 description, ITA02 agency qualifier, ITA11 unit, ITA10 quantity, ITA05 allowance
# or charge number: "referencing an allowance, promotion, deal"), as rules.set_checks names both in
# SAC_NOT_APPLIED
_ALLOWANCES = (("SAC", (1, 2, 5, 6, 7, 8, 12, 15, 3, 4, 9, 10, 13)),
               ("ITA", (1, 3, 7, 8, 9, 6, 4, 13, 2, 0, 11, 10, 5)))


def _sacs(result: ParseResult, sets, set_of_row: np.ndarray, segments: list[tuple[np.ndarray, tuple[int, ...]]],
          po1_rows: np.ndarray, cells: _Cells, partner: str, sha: str, po_numbers: pa.Array,
          set_lineage: dict[str, pa.Array]) -> pa.Table:
    """ORDER_SACS of the sets from each of ``segments`` (its rows, where its columns are: _ALLOWANCES), in file
    order."""
    tables = [_sac_rows(result, sets, set_of_row, rows, at, po1_rows, cells, partner, sha, po_numbers, set_lineage)
              for rows, at in segments if len(rows)]
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return empty_table(ORDER_SACS)
    if len(tables) == 1:
        return tables[0]
    joined = pa.concat_tables(tables)
    return joined.take(pc.sort_indices(joined["file_segment"]))


def _sac_rows(result: ParseResult, sets, set_of_row: np.ndarray, sac_rows: np.ndarray, at_: tuple[int, ...],
              po1_rows: np.ndarray, cells: _Cells, partner: str, sha: str, po_numbers: pa.Array,
              set_lineage: dict[str, pa.Array], kinds: tuple[str, ...] = ("A", "C")) -> pa.Table:
    """ORDER_SACS of the sets: each SAC (or ITA) whose SAC01 is A (allowance) or C (charge; N and other codes
    ask nothing; ``kinds``: those kept - an 860's N takes a code off), with the PO1 loop it sits in (the set's
    last PO1 before it; none: the heading's), SAC05 read
    with its two implied decimals, SAC07 and SAC08 as decimals, the codes and SAC15 as sent (``at_``: the
    positions of those elements in the segment). No SAC in the sets (most POs): an empty table, nothing else
    built."""
    if not len(sac_rows):
        return empty_table(ORDER_SACS)
    (k_kind, k_code, k_amount, k_basis, k_percent, k_rate, k_handling, k_description, k_agency, k_agency_code,
     k_unit, k_quantity, k_reference) = at_
    kind = cells.column(sac_rows, k_kind)
    asks = pc.fill_null(pc.is_in(kind, value_set=pa.array(list(kinds))), False).to_numpy(zero_copy_only=False)
    if not asks.any():
        return empty_table(ORDER_SACS)
    sac_rows = sac_rows[asks]
    kind = kind.filter(pa.array(asks))
    n = len(sac_rows)
    sac_set = set_of_row[sac_rows]
    line = np.searchsorted(po1_rows, sac_rows, side="right") - 1 if len(po1_rows) else np.full(n, -1, np.int64)
    on_line = line >= 0
    on_line[on_line] = set_of_row[po1_rows[line[on_line]]] == sac_set[on_line]
    line_at = np.maximum(line, 0)
    # the line's number within its set: 1 + its PO1's index less the index of its set's first PO1
    first_line = np.searchsorted(po1_rows, np.array([ts.start for _ic, _g, ts in sets], np.int64))
    line_number = line - first_line[sac_set] + 1
    at = _int64(sac_set)
    st_rows = np.array([ts.start for _ic, _g, ts in sets], dtype=np.int64)
    line_ids = cells.column(po1_rows[line_at], 1) if len(po1_rows) else pa.nulls(n, pa.string())

    def text(k: int) -> pa.Array:  # an element as sent; 0: the segment has none
        return cells.column(sac_rows, k) if k else pa.nulls(n, pa.string())

    data = {
        "partner": _repeat(partner, n),
        "order_ref": set_lineage["order_ref"].take(at),
        "po_number": po_numbers.take(at),
        "line_number": pa.array(line_number.astype(np.int32), pa.int32(), mask=~on_line),
        "line_id": pc.if_else(pa.array(on_line), line_ids, pa.scalar(None, pa.string())),
        "kind": kind,
        "code": cells.column(sac_rows, k_code),
        "amount": _implied_decimals(cells.column(sac_rows, k_amount)),
        "basis": cells.column(sac_rows, k_basis),
        "percent": _decimal(cells.column(sac_rows, k_percent)),
        "rate": _decimal(cells.column(sac_rows, k_rate)),
        "handling": cells.column(sac_rows, k_handling),
        "description": cells.column(sac_rows, k_description),
        "source_file": _repeat(result.file, n),
        "source_sha256": _repeat(sha, n),
        **{k: set_lineage[k].take(at) for k in ("isa13", "gs06", "st02")},
        "segment_position": pa.array((sac_rows - st_rows[sac_set] + 1).astype(np.int32), pa.int32()),
        "file_segment": pa.array((sac_rows + 1).astype(np.int32), pa.int32()),
        "agency": text(k_agency), "agency_code": text(k_agency_code), "unit": text(k_unit),
        "quantity": _decimal(text(k_quantity)) if k_quantity else pa.nulls(n, QTY),
        "reference": text(k_reference),
    }
    return pa.table(data, schema=ORDER_SACS)


def _implied_decimals(values: pa.Array) -> pa.Array:
    """An N2 amount (SAC05: two implied decimals, "2500" is 25.00) as MONEY, every value read as the
    SAC_NOT_APPLIED words read it (rules.set_checks n2_text): digits shifted two places; a value a translator
    wrote with its decimal point ("25.00", "1125.555": a syntax deviation, but its meaning is unambiguous) as
    the number it states (25.00, never 0.25; 1125.555), held to four places half to even; what is no number,
    or too large, is null."""
    values = values.cast(pa.string())
    digits = pc.fill_null(pc.match_substring_regex(values, r"^-?\d{1,18}$"), False)
    ints = pc.cast(pc.if_else(digits, values, pa.scalar(None, pa.string())), pa.int64())
    cents = _fit(pc.multiply(pc.cast(ints, pa.decimal128(19, 0)), pa.scalar(Decimal("0.01"), pa.decimal128(3, 2))),
                 MONEY)
    other = np.flatnonzero(~digits.to_numpy(zero_copy_only=False) & pc.is_valid(values).to_numpy(
        zero_copy_only=False))
    if not len(other):
        return cents
    read = cents.to_pylist()
    limit = Decimal(10) ** 14
    for i in other.tolist():  # rare: a value written with a point, a sign or an exponent
        text = values[i].as_py().strip()
        try:
            value = Decimal(text).scaleb(0 if "." in text else -2).quantize(_TEN_THOUSANDTH,
                                                                            rounding=ROUND_HALF_EVEN)
        except (InvalidOperation, ValueError):
            continue
        read[i] = value if value.is_finite() and abs(value) < limit else None
    return pa.array(read, MONEY)


_SHIP_TO = ("name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country")


def _append_to(party_cols: dict[str, pa.Array], into: list[str], rows: np.ndarray, slots: np.ndarray,
                  which: np.ndarray, cells: _Cells) -> None:
    """The first two elements of ``rows`` (their set, their party's index in ``into``) appended to that
    party's column, ', ' between values: a party's N3s after its first (the 850's N1 loop allows two N3s, and
    a consumer's 'APT 4B' sent in the second was dropped) to its address2, its N2 (additional name) to its
    name. Few sets have either: a loop over them."""
    texts = [cells.column(rows, k).to_pylist() for k in (1, 2)]
    columns = {name: party_cols[name].to_pylist() for name in set(into[w] for w in which.tolist())}
    for j, (slot, w) in enumerate(zip(slots.tolist(), which.tolist(), strict=True)):
        values = columns[into[w]]
        values[slot] = ", ".join(v for v in (values[slot], texts[0][j], texts[1][j]) if v) or None
    for name, values in columns.items():
        party_cols[name] = pa.array(values, pa.string())


def _name2_kept(nsets: int, rows: np.ndarray, slots: np.ndarray, cells: _Cells) -> pa.Array:
    """Per set, the N2s ``rows`` (in file order, their sets ``slots``) as schemas.orders name2_kept keeps them:
    N201 and N202 apart, each N2 apart. Few sets have one: a loop over them."""
    texts = [cells.column(rows, k).to_pylist() for k in (1, 2)]
    segments: dict[int, list[tuple[str | None, str | None]]] = {}
    for slot, first, second in zip(slots.tolist(), *texts, strict=True):
        segments.setdefault(slot, []).append((first, second))
    values: list[str | None] = [None] * nsets
    for slot, segs in segments.items():
        values[slot] = name2_kept(segs)
    return pa.array(values, pa.string())


def _detail_ship_to(party_vals: dict[str, pa.Array], party_cols: dict[str, pa.Array], n1_rows: np.ndarray,
                    po1_rows: np.ndarray, first_po1: np.ndarray, set_of_row: np.ndarray, owner: np.ndarray,
                    codes: np.ndarray, vocab: list, cells: _Cells, elements: pa.ListArray) -> None:
    """The ship-to of a set whose heading names none, from the N1 loops of its PO1 loops (the 850 allows
    N1*ST at either level; some partners send it with the lines): taken when every detail N1*ST of the
    set names the same party (N102-N104), with the N2s, N3/N4 and PER of the first, as the heading's are read (its
    N2s in the name after ", " and in ``party_cols`` ship_to_name2, its PER in ship_to_contact_sent: the 856 and
    810 write them as N2 and PER again; the N2 used to go into N102 only). Sets whose lines ship to several
    places keep no ship-to (a person decides: SHIP_TO_UNKNOWN). Few sets need it: a loop over them."""
    detail = n1_rows[n1_rows > first_po1[set_of_row[n1_rows]]] if len(n1_rows) else n1_rows
    if not len(detail):
        return
    detail = detail[pc.fill_null(pc.equal(cells.column(detail, 1), "ST"), False).to_numpy(zero_copy_only=False)]
    empty = np.ones(len(first_po1), dtype=bool)
    for f in _SHIP_TO:
        empty &= pc.is_null(party_vals[f"ship_to_{f}"]).to_numpy(zero_copy_only=False)
    detail = detail[empty[set_of_row[detail]]]
    if not len(detail):
        return
    by_set: dict[int, list[tuple[int, tuple]]] = {}
    heads = (cells.column(detail, k).to_pylist() for k in (2, 3, 4))
    for row, *party in zip(detail.tolist(), *heads, strict=True):
        by_set.setdefault(int(set_of_row[row]), []).append((row, tuple(party)))
    values = {f: party_vals[f"ship_to_{f}"].to_pylist() for f in _SHIP_TO}
    nsets = len(values["name"])
    own = {c: (party_cols[c].to_pylist() if c in party_cols else [None] * nsets)
           for c in ("ship_to_name2", "ship_to_contact_sent")}
    for k, found in by_set.items():
        if len({party for _row, party in found}) != 1:
            continue  # several destinations
        row, (name, qualifier, ident) = found[0]
        values["name"][k], values["id_qualifier"][k], values["id"][k] = name, qualifier, ident
        later = po1_rows[po1_rows > row]
        stop = int(later[0]) if len(later) else len(owner)
        if "N2" in vocab:  # an additional name joins the name, as in the heading
            code = vocab.index("N2")
            sent = []
            for r in range(row + 1, stop):
                if owner[r] == row and codes[r] == code and set_of_row[r] == k:
                    more = [cells.column(np.array([r]), i)[0].as_py() for i in (1, 2)]
                    values["name"][k] = ", ".join(v for v in (values["name"][k], *more) if v) or None
                    sent.append(more)
            if sent:  # each N2's elements apart (name2_kept: written back as sent)
                own["ship_to_name2"][k] = name2_kept(sent)
        if "PER" in vocab:  # the loop's first PER (a consumer's phone), as the heading's ship-to's
            code = vocab.index("PER")
            per = [r for r in range(row + 1, stop) if owner[r] == row and codes[r] == code and set_of_row[r] == k]
            if per:
                own["ship_to_contact_sent"][k] = _joined_elements(elements, np.array(per[:1]))[0].as_py()
        for seg_id, fields in (("N3", ("address1", "address2")), ("N4", ("city", "state", "postal_code", "country"))):
            if seg_id not in vocab:
                continue
            code = vocab.index(seg_id)
            mine = [r for r in range(row + 1, stop) if owner[r] == row and codes[r] == code and set_of_row[r] == k]
            for i, f in enumerate(fields, start=1):
                if mine:
                    values[f][k] = cells.column(np.array(mine[:1]), i)[0].as_py()
            if seg_id == "N3" and len(mine) > 1:  # a second N3's street joins address2, as in the heading
                more = [v for r in mine[1:] for v in (cells.column(np.array([r]), 1)[0].as_py(),
                                                      cells.column(np.array([r]), 2)[0].as_py()) if v]
                values["address2"][k] = ", ".join([v for v in (values["address2"][k],) if v] + more) or None
    for f in _SHIP_TO:
        party_vals[f"ship_to_{f}"] = pa.array(values[f], pa.string())
    for c, got in own.items():
        if any(v is not None for v in got):
            party_cols[c] = pa.array(got, pa.string())


def _sdq_ship_to(party_vals: dict[str, pa.Array], po1_rows: np.ndarray, set_of_row: np.ndarray,
                 codes: np.ndarray, vocab: list, cells: _Cells) -> None:
    """The ship-to of a set that names none (no N1*ST in the heading or the lines) from its SDQs, when every
    PO1 line carries one and all of them name the same single destination (SDQ02 qualifier, location): the
    whole order goes there. Walgreens' DC purchase orders are written so: no N1 loop, each line's SDQ gives
    the distribution center (92 DC number) and its quantity. SDQs naming several destinations leave the
    ship-to empty (a person decides: SHIP_TO_UNKNOWN), as do lines without SDQ beside lines with one."""
    if not len(po1_rows) or "SDQ" not in vocab:
        return
    empty = np.ones(len(party_vals["ship_to_id"]), dtype=bool)
    for f in _SHIP_TO:
        empty &= pc.is_null(party_vals[f"ship_to_{f}"]).to_numpy(zero_copy_only=False)
    rows = po1_rows[empty[set_of_row[po1_rows]]]  # the lines of the sets naming no ship-to (all of each set's)
    if not len(rows):
        return
    destinations: dict[int, set] = {}
    for k, pairs in zip(set_of_row[rows].tolist(), store_quantities(set_of_row, rows, codes, vocab, cells).to_pylist(),
                        strict=True):
        places = destinations.setdefault(k, set())
        places.update((p["id_qualifier"], p["store"]) for p in pairs or [{"id_qualifier": None, "store": None}])
    values = {f: party_vals[f"ship_to_{f}"].to_pylist() for f in ("id_qualifier", "id")}
    for k, places in destinations.items():
        if len(places) == 1 and (place := next(iter(places)))[1]:
            values["id_qualifier"][k], values["id"][k] = place
    for f, v in values.items():
        party_vals[f"ship_to_{f}"] = pa.array(v, pa.string())


def _store_party_ship_to(party_vals: dict[str, pa.Array], party_cols: dict[str, pa.Array]) -> None:
    """The ship-to of a set that names none (no N1*ST or N1*BS in the heading or the lines, no SDQ destination) from
    its heading's N1*SN (entity 98 SN "Store": a buyer naming the store the goods go to, N103 92 its own location
    number, as REF*ST does in _store_ship_to), with the N2s, N3/N4 of its loop as an N1*ST's are read; the store_*
    values leave ``party_vals`` (ORDERS keeps no store party). A set with an N1*ST keeps it (the store is then the
    party the goods are for; not read). Such a PO used to be held SHIP_TO_UNKNOWN as if it named no destination."""
    store = {f: party_vals.pop(f"store_{f}") for f in _PARTY_FIELDS}
    named = pc.or_kleene(pc.is_valid(store["name"]), pc.is_valid(store["id"]))
    if not pc.any(named).as_py():
        return
    empty = named
    for f in _SHIP_TO:
        empty = pc.and_(empty, pc.is_null(party_vals[f"ship_to_{f}"]))
    if not pc.any(empty).as_py():
        return
    for f in _PARTY_FIELDS:
        party_vals[f"ship_to_{f}"] = pc.if_else(empty, store[f], party_vals[f"ship_to_{f}"])
    if "store_name2" in party_cols:  # its N2s with its name
        party_cols["ship_to_name2"] = pc.if_else(empty, party_cols["store_name2"], party_cols.get(
            "ship_to_name2", pa.nulls(len(empty), pa.string())))


def _store_ship_to(party_vals: dict[str, pa.Array], store: pa.Array) -> None:
    """The ship-to of a set that names none (no N1*ST in the heading or the lines, no SDQ destination) from its
    heading's REF*ST store number, as the buyer's own location number (N103 92): a direct-store-delivery PO names
    its store so, with no N1 loop (H-E-B's DSD 850: REF department and store number, PER, DTM). The store is looked
    up in ship_tos.csv as any N104 is (SHIP_TO_UNKNOWN when it is not there)."""
    if store.null_count == len(store):
        return
    empty = pc.is_valid(store)
    for f in _SHIP_TO:
        empty = pc.and_(empty, pc.is_null(party_vals[f"ship_to_{f}"]))
    if not pc.any(empty).as_py():
        return
    party_vals["ship_to_id_qualifier"] = pc.if_else(empty, pa.scalar("92"), party_vals["ship_to_id_qualifier"])
    party_vals["ship_to_id"] = pc.if_else(empty, store, party_vals["ship_to_id"])


def _default_ship_to(party_vals: dict[str, pa.Array], ship_to: str | None, nsets: int) -> None:
    """The partner's default ship-to (``ship_to``: its profile's [rules] default_ship_to, a ship_tos.csv location)
    as the ship-to of a set that names none by any means above (no N1*ST or N1*BS id or address in the heading or
    the lines, no SDQ destination, no REF*ST store): a buyer whose 850 guide has no N1 loop at all and whose goods
    go where the trading agreement says (Dot Foods: BEG, REF, PER, FOB, DTM, TD5, N9, then the PO1 loops). Its N103
    is 92, the buyer's own location code, looked up in ship_tos.csv as any N104 is. A name sent alone names no place
    (as a CSV layout's default_ship_to takes it): it stays the ship-to's name."""
    if not ship_to or not nsets:
        return
    empty = pa.array(np.ones(nsets, dtype=bool))
    for f in _SHIP_TO[1:]:  # all but the name
        empty = pc.and_(empty, pc.is_null(party_vals[f"ship_to_{f}"]))
    if not pc.any(empty).as_py():
        return
    party_vals["ship_to_id_qualifier"] = pc.if_else(empty, pa.scalar("92"), party_vals["ship_to_id_qualifier"])
    party_vals["ship_to_id"] = pc.if_else(empty, pa.scalar(ship_to), party_vals["ship_to_id"])


def _dates_of(columns: dict[str, pa.Array]) -> dict[str, pa.Array]:
    """parsers.x12_dates.dates of each column, read in one call (a column without any value is all
    null: no call for it); each value's date is its own, whatever the others hold."""
    named = [name for name, values in columns.items() if values.null_count < len(values)]
    out = {name: pa.nulls(len(values), pa.date32()) for name, values in columns.items() if name not in named}
    if named:
        read = dates(pa.concat_arrays([columns[name].cast(pa.string()) for name in named]))
        at = 0
        for name in named:
            out[name] = read.slice(at, len(columns[name]))
            at += len(columns[name])
    return {name: out[name] for name in columns}


def _repeat(value: str, n: int) -> pa.Array:
    if not n:
        return pa.array([], pa.string())
    raw = value.encode("utf-8")
    if len(raw) * n >= 2**31:
        return pa.array([value], pa.string()).take(_int64(np.zeros(n, dtype=np.int64)))
    offsets = np.arange(0, (n + 1) * len(raw), len(raw), dtype=np.int32) if raw else np.zeros(n + 1, np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(raw * n))


def _usages(sets) -> list[str | None]:
    """ISA15 of each set's interchange (None when empty), each interchange's read once (a file's 500 sets
    usually share one)."""
    out: list[str | None] = []
    last_ic = None
    usage = None
    for ic, _g, _ts in sets:
        if ic is not last_ic:
            last_ic, usage = ic, ic.usage or None
        out.append(usage)
    return out


def _group_ids(sets, attr: str) -> list[str | None]:
    """The group's ``attr`` ("sender": GS02, "receiver": GS03) for each set (None when empty), each group's read
    once."""
    out: list[str | None] = []
    last_g = None
    value = None
    for _ic, g, _ts in sets:
        if g is not last_g:
            last_g, value = g, getattr(g, attr) or None
        out.append(value)
    return out


ISA_PARTIES = (("isa05", "sender_qualifier"), ("isa06", "sender"), ("isa07", "receiver_qualifier"),
               ("isa08", "receiver"))  # the ORDERS / CHANGE_HEADERS columns of each set's interchange parties


def interchange_parties(sets) -> dict[str, pa.Array]:
    """ISA05, ISA06, ISA07 and ISA08 of each set's interchange (stripped; None when empty), by their ORDERS
    columns (isa05 ...): the sender an order's documents go to and the id of ours they are sent from (a partner
    sending from several ids, [x12] their_ids / our_ids). Each interchange's read once (a file's sets usually share
    one)."""
    out: dict[str, list[str | None]] = {column: [] for column, _attr in ISA_PARTIES}
    last_ic = None
    values: tuple[str | None, ...] = ()
    for ic, _g, _ts in sets:
        if ic is not last_ic:
            last_ic, values = ic, tuple(getattr(ic, attr) or None for _column, attr in ISA_PARTIES)
        for (column, _attr), value in zip(ISA_PARTIES, values, strict=True):
            out[column].append(value)
    return {column: pa.array(values, pa.string()) for column, values in out.items()}


def _group_senders(sets) -> list[str | None]:
    """GS02 of each set's group (None when empty)."""
    return _group_ids(sets, "sender")


def _group_receivers(sets) -> list[str | None]:
    """GS03 of each set's group (None when empty)."""
    return _group_ids(sets, "receiver")


def _set_labels(sets) -> tuple[list[str], list[str], list[str], list[str]]:
    """(ISA13, GS06, ST02, group version) of each set; each envelope's properties read once."""
    isa: list[str] = []
    gs: list[str] = []
    st: list[str] = []
    version: list[str] = []
    last_ic = last_g = None
    ic_cn = g_cn = g_version = ""
    for ic, g, ts in sets:
        if ic is not last_ic:
            last_ic, ic_cn = ic, ic.control_number
        if g is not last_g:
            last_g, g_cn, g_version = g, g.control_number, g.version
        isa.append(ic_cn)
        gs.append(g_cn)
        st.append(ts.control_number)
        version.append(g_version)
    return isa, gs, st, version


def _lineage(result: ParseResult, sets, set_idx: np.ndarray, sha: str, labels=None) -> dict[str, pa.Array]:
    isa, gs, st, _version = labels if labels is not None else _set_labels(sets)
    ref = [f"{a}-{b}-{c}" for a, b, c in zip(isa, gs, st, strict=True)]
    n = len(set_idx)
    idx = _int64(set_idx)

    def per(values: list[str]) -> pa.Array:
        return pa.array(values, pa.string()).take(idx) if n else pa.array([], pa.string())

    return {
        "order_ref": per(ref),
        "source_file": _repeat(result.file, n),
        "source_sha256": _repeat(sha, n),
        "isa13": per(isa),
        "gs06": per(gs),
        "st02": per(st),
    }


# CTP02 price identifiers that state what the buyer pays per unit (code list 236): unit cost, contract, net item
# price (BISAC book orders price a line by CTP**NET beside the list price, CTP**SLP, and leave PO104 out)
# the CTP02 price identifiers of what the buyer pays (schemas.orders.BUYER_COST_PRICES: UCP unit cost, CON contract,
# NET net item, ACT actual, CUP confirmed unit, INV invoice billing price), any of which prices a line without PO104
# (ACT, CUP and INV were left out: such a line was taken as unpriced, PRICE_MISSING, and acknowledged IP at ours)
_COST_PRICES = tuple(sorted(BUYER_COST_PRICES))


def _ctp_prices(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells,
                quantities: pa.Array, units: pa.Array, components: list[str]
                ) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array, pa.Array]:
    """Per line, CTP03 (as sent, a string) of the cost CTP of its PO1 loop (_COST_PRICES: CTP02 UCP unit cost, CON
    contract price, NET net item price, ACT actual, CUP confirmed unit, INV invoice billing price) that prices it:
    the buyer's price where PO104 is left out and the price is sent in CTP (as Canadian grocers and BISAC book
    orders do); null elsewhere. Header CTPs (before the first PO1 of their
    set) are no line's, nor is a CTP after an SLN (or another of _NOT_THE_LINES): it prices that subline, one size
    of a prepack, not the pack.

    Several cost CTPs in one loop are quantity breaks (X12's CTP figure: CTP03 the price from CTP04 units of
    CTP05 on, ``CTP**CON*10.00*1*EA`` and ``CTP**CON*9.00*100*EA``): given the lines' ``quantities`` and
    ``units`` (PO102, PO103), the break with the highest CTP04 not above the quantity applies. Breaks that
    cannot be ordered against the line (a CTP04 missing or unreadable, a CTP05 other than PO103, two prices at
    one quantity, a quantity below every break) leave the first cost CTP the price, and the second array says
    so: per such line, the cost CTPs as sent (``CON 10.00 from 1 EA; CON 9.00``), null elsewhere. The third:
    the chosen CTP's multiplier as sent (CTP07 then CTP06: ``0.90 DIS``), which we do not apply. The fourth: the
    chosen CTP's basis of unit price (CTP09, code list 639 as PO105: ``CTP**UCP*272******HP`` is 272 per hundred),
    null where it sends none: the line's basis where its PO105 (POC07) sends none, so a price per hundred is not
    taken (and echoed) per each with the same number. The fifth: the chosen CTP's CTP05 unit (its first component),
    null where it sends none: X12 pairs CTP04 and CTP05 (P0405) and gives CTP03 no unit of its own, so CTP03 is the
    price per one CTP05 unit (per CTP09's count of it: ``CTP**UCP*3600*1*CA****HP`` is 36 per CA; X12's break
    figure prices each CTP04 quantity per one of the unit it counts), which may be another than PO103/POC05."""
    n_lines = len(po1_rows)
    ctp_rows, owner_line = _lines_own(set_of_row, po1_rows, codes, vocab, "CTP")
    nothing = pa.nulls(n_lines, pa.string())
    if not len(ctp_rows):
        return nothing, nothing, nothing, nothing, nothing
    kind = cells.column(ctp_rows, 2)
    cost = pc.fill_null(pc.is_in(kind, value_set=pa.array(_COST_PRICES, pa.string())), False)
    _, has_price = cells.index(ctp_rows, 3)
    keep = cost.to_numpy(zero_copy_only=False) & has_price
    ctp_rows, owner_line = ctp_rows[keep], owner_line[keep]
    first = np.r_[True, owner_line[1:] != owner_line[:-1]] if len(owner_line) else owner_line.astype(bool)
    chosen = ctp_rows[first].copy()
    starts = np.r_[np.flatnonzero(first), len(owner_line)]  # each line's cost CTPs: ctp_rows[starts[j]:starts[j + 1]]
    unclear = nothing
    notes: dict[int, str] = {}
    for j in np.flatnonzero(np.diff(starts) > 1):  # the few lines with breaks: decided one by one
        rows = ctp_rows[starts[j]: starts[j + 1]]
        line = int(owner_line[starts[j]])
        pick, note = _price_break(
            cells.column(rows, 2).to_pylist(), cells.column(rows, 3).to_pylist(),
            cells.column(rows, 4).to_pylist(), cells.column(rows, 5).to_pylist(),
            components[int(po1_rows[line])], quantities[line].as_py(), units[line].as_py())
        chosen[j] = rows[pick]
        if note:
            notes[line] = note
    if notes:
        at = np.fromiter(sorted(notes), np.int64, len(notes))
        unclear = _scatter(n_lines, at, pa.array([notes[int(i)] for i in at], pa.string()))
    # a multiplier (CTP06 qualifier, CTP07 factor: 0.90 for 10% off, or 90 in 003010's own example) makes
    # the price another than CTP03: kept as sent (``0.90 DIS``), never applied by guess
    multiplier = nothing
    _, multiplied = cells.index(chosen, 7)
    if multiplied.any():
        factor = pc.binary_join_element_wise(cells.column(chosen, 7), pc.fill_null(cells.column(chosen, 6), ""),
                                             " ")
        multiplier = _scatter(n_lines, owner_line[first], pc.utf8_rtrim(factor, characters=" "))
    _, based = cells.index(chosen, 9)
    basis = _scatter(n_lines, owner_line[first], cells.column(chosen, 9)) if based.any() else nothing
    _, united = cells.index(chosen, 5)
    unit = nothing
    if united.any():
        heads = [u.split(components[int(po1_rows[line])])[0] if u and components[int(po1_rows[line])] else u
                 for u, line in zip(cells.column(chosen, 5).to_pylist(), owner_line[first].tolist(), strict=True)]
        unit = _scatter(n_lines, owner_line[first], pa.array([(h or "").strip().upper() or None for h in heads],
                                                             pa.string()))
    return (_scatter(n_lines, owner_line[first], cells.column(chosen, 3).cast(pa.string())), unclear, multiplier,
            basis, unit)


def _ctp_price_units(from_ctp: pa.Array, ctp_unit: pa.Array, bases: pa.Array, units: pa.Array) -> pa.Array:
    """Per line, the unit its price is per where that is not PO103: the CTP05 (``ctp_unit``, _ctp_prices) of the cost
    CTP that priced it (``from_ctp``) when that is another unit than PO103 (in capitals), or PO103 is empty, and the
    price has no basis (PO105/CTP09) of its own but a count of that unit (HP, per hundred of it): a price per each,
    per a measure or no charge is what its basis says whatever CTP05 counts. Null elsewhere. Restated per PO103
    through the item's pack with the reference data (rules.business.ctp_units); it used to be read per PO103 unit
    (``PO1*1*12*EA`` with ``CTP**UCP*36*1*CA``: 36 per EA, twelve times the price)."""
    line_unit = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(units, "")))
    own_basis = pc.fill_null(pc.is_in(capital_bases(bases)[0], value_set=pa.array(list(PRICE_PER_MANY), pa.string())),
                             False)
    other = pc.and_(pc.and_(pc.fill_null(from_ctp, False), pc.is_valid(ctp_unit)),
                    pc.and_(pc.not_equal(pc.fill_null(ctp_unit, ""), line_unit),
                            pc.or_(pc.is_null(bases), own_basis)))
    return pc.if_else(pc.fill_null(other, False), ctp_unit, pa.scalar(None, pa.string()))


def _price_break(kinds: list, prices: list, quantities: list, units: list, component: str,
                 quantity: Decimal | None, unit: str | None) -> tuple[int, str | None]:
    """Which of one line's cost CTPs prices it (an index) and, where the breaks could not be ordered against
    the line's quantity and unit, the CTPs as sent (the first then prices it)."""
    heads = [u.split(component)[0] if (u and component) else u for u in units]
    froms: list[Decimal | None] = []
    for q in quantities:
        try:
            froms.append(Decimal(q) if q is not None else None)
        except InvalidOperation:
            froms.append(None)
    applies = [i for i, (f, u) in enumerate(zip(froms, heads, strict=True))
               if f is not None and quantity is not None and f <= quantity]
    orderable = (quantity is not None and unit is not None and None not in froms
                 and all(u == unit for u in heads) and len(set(froms)) == len(froms) and applies)
    if orderable:
        return max(applies, key=lambda i: froms[i]), None
    sent = "; ".join(f"{k} {p}" + (f" from {q} {u or ''}".rstrip() if q is not None else "")
                     for k, p, q, u in zip(kinds, prices, quantities, heads, strict=True))
    return 0, sent


# a value with a digit other than 0 past the 4th decimal, or written with an exponent (decided one by one)
_PAST_4_PLACES = r"\.\d{4}\d*[1-9]|[Ee]"


def _may_be_past_4_places(texts: pa.Array) -> bool:
    """False when no value of ``texts`` (a string array) can match _PAST_4_PLACES: its bytes hold no E or e, and
    no point has more than four characters of its value after it (what nearly every price and quantity sent
    shows), found with numpy over the bytes: a 10,000-line file's prices in ~0.03 ms, where the regex over
    every value takes ~0.35 (three columns a file; a 10,000-PO intake 0.36 -> 0.31 s for its 850 reads). True
    otherwise (the regex decides), and for anything but a plain string array."""
    bufs = texts.buffers()
    if not isinstance(texts, pa.StringArray) or len(bufs) != 3 or bufs[1] is None:
        return True
    if bufs[2] is None:
        return False  # no bytes at all: every value empty or null
    offsets = np.frombuffer(bufs[1], dtype=np.int32)[texts.offset: texts.offset + len(texts) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
    if ((data | 32) == 101).any():  # an E or an e somewhere
        return True
    dots = np.flatnonzero(data == 46)
    if not len(dots):
        return False
    ends = offsets[1:].astype(np.int64) - int(offsets[0])  # each value's end, past its last byte
    return bool((ends[np.searchsorted(ends, dots, side="right")] - dots > 5).any())


def no_charge_prices(prices: pa.Array, bases: pa.Array, texts: pa.Array) -> pa.Array:
    """A line marked no charge (PO105 NC) whose price was left empty (no PO104, no cost CTP) is priced 0:
    the line is free, not unpriced (read as no price it was answered and invoiced at our price list's).
    The price rules hold such a line for a person (PRICE_NO_CHARGE); approved, it is answered and
    invoiced at 0 with NC, the shape X12 allows (PO104/IT104 present with PO105/IT105)."""
    if not len(prices) or not prices.null_count:
        return prices
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(pc.cast(texts, pa.string())), ""), True)
    free = pc.and_(pc.and_(pc.is_null(prices), blank), pc.fill_null(pc.equal(bases, NO_CHARGE), False))
    if not pc.any(free).as_py():
        return prices
    return pc.if_else(free, pa.scalar(Decimal(0), prices.type), prices)


_QUALIFIERS_READ = tuple(sorted(QUALIFIERS_READ))


def capital_qualifiers(qualifiers: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Product id qualifiers (element 235: PO106, PO108 ..., POC08 ...) as read, and as sent where read otherwise
    (capital_codes): "bp", "vp", "up" read as BP, VP, UP, the qualifiers we read or match by (QUALIFIERS_READ); a
    line whose only id was "bp" was rejected ITEM_UNKNOWN after its 997 had accepted it. Any other as sent."""
    return capital_codes(qualifiers, _code_array(_QUALIFIERS_READ))


# PO105/POC07 codes (element 639) the readers and the price rules act on: a basis sent in small letters whose
# capitals are one of them ("hp": HP) is read as it (capital_bases)
_BASES_ACTED_ON = tuple(sorted({*PRICE_PER_MANY, *PRICE_PER_MANY_OF, *PRICE_PER_EACH, *PRICE_PER_EACH_OF.values(),
                                 *PRICE_PER_WEIGHT, NO_CHARGE}))


@functools.cache
def _code_array(codes: tuple[str, ...]) -> pa.Array:
    """``codes`` as an Arrow array, built on first use: pa.array imports pandas (pyarrow's pandas shim), which a
    worker's intake or delivery flow run must not pay for at import (tests/test_pool_stages.py)."""
    return pa.array(codes, pa.string())


def capital_bases(bases: pa.Array) -> tuple[pa.Array, pa.Array]:
    """PO105/POC07 (element 639) as read, and as sent where read otherwise (capital_codes): "hp" read as HP (the
    washers at 46.00 per hundred were taken as 46.00 each and answered as a price change), "pe", "nc" as PE, NC;
    only a code we act on (_BASES_ACTED_ON). Any other as sent."""
    return capital_codes(bases, _code_array(_BASES_ACTED_ON))


def codes_case_sent(n_lines: int, told: list[tuple[np.ndarray, list[str], pa.Array]]) -> pa.Array:
    """Per line, its codes read in capitals as sent (capital_codes' ``sent``), each with its element ("PO105 hp;
    PO106 bp": ORDER_LINES/ORDER_CHANGES codes_case_sent); null for a line without one. ``told``: per element
    kind, each value's line, its element and what capital_codes gave as sent."""
    told = [(line_of, elements, sent) for line_of, elements, sent in told if sent.null_count < len(sent)]
    if not told:  # (every usual set: its codes in capitals)
        return pa.nulls(n_lines, pa.string())
    out: list[str | None] = [None] * n_lines
    for line_of, elements, sent in told:
        for line, element, value in zip(line_of.tolist(), elements, sent.to_pylist(), strict=True):
            if value is not None:
                out[line] = f"{out[line]}; {element} {value}" if out[line] else f"{element} {value}"
    return pa.array(out, pa.string())


def per_unit_prices(prices: pa.Array, bases: pa.Array, exact: pa.Array, units: pa.Array | None = None
                    ) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Prices sent per several units (PO105 HP per hundred, TP per thousand, PD per dozen ... :
    schemas.units.PRICE_PER_MANY; on a line whose PO103 ``units`` is their measure, TF per thousand feet, HF per
    hundred feet ...: PRICE_PER_MANY_OF) as prices per unit (PO105 PE, or the catalog, quoted, retail, contract or
    wholesale price per each of a catalog ... price per hundred) where that is exact at 4 decimals (1970 per
    hundred is 19.70 per each; 12.345 per thousand, 0.012345, is left as sent and held by the price rules):
    our prices, order values, 855s and 810s are per unit; on a line in a weight, per one of it (Ryerson's 4900 LB at
    52.75 per hundred, HP, is 0.5275 per pound: PP, as the 810 bills it, never PE, a price per each labelling a
    price per pound). ``exact``: the prices read without rounding.
    A basis in small letters whose capitals are a code we act on (``hp``: HP, capital_bases) is read as that code.
    Returns the prices, the bases and, per converted price, the basis as sent (null elsewhere; HP for hp)."""
    bases = capital_bases(bases)[0]
    many = pc.index_in(bases, value_set=pa.array(list(PRICE_PER_MANY), pa.string()))
    of = pc.index_in(bases, value_set=pa.array(list(PRICE_PER_MANY_OF), pa.string())) if units is not None \
        else pa.nulls(len(bases), pa.int32())
    nothing = pa.nulls(len(bases), pa.string())
    if many.null_count == len(many) and of.null_count == len(of):
        return prices, bases, nothing
    priced = pc.and_(pc.or_(pc.is_valid(many), pc.is_valid(of)), pc.and_(pc.is_valid(prices), exact))
    at = np.flatnonzero(pc.fill_null(priced, False).to_numpy(zero_copy_only=False))
    counts, of_bases = list(PRICE_PER_MANY.values()), list(PRICE_PER_MANY_OF)
    taken = pa.array(at, pa.int64())
    per_unit, each_basis, done = prices.to_pylist(), bases.to_pylist(), []
    for i, price, k, m, unit in zip(at, prices.take(taken).to_pylist(), many.take(taken).to_pylist(),
                                    of.take(taken).to_pylist(),
                                    [None] * len(at) if units is None else units.take(taken).to_pylist(), strict=True):
        of_unit = in_many_of(unit, of_bases[m]) if k is None else None
        if k is None and of_unit is None:
            continue  # per thousand feet of a line not in feet: not a price of so many of its units
        each = price / (counts[k] if k is not None else of_unit)
        if each == each.quantize(_TEN_THOUSANDTH):
            per_unit[i] = each.quantize(_TEN_THOUSANDTH)
            each_basis[i] = (_PER_ONE_OF_WEIGHT.get(unit) or PRICE_PER_EACH_OF[each_basis[i]]) if k is not None \
                else "PE"
            done.append(int(i))
    if not done:
        return prices, bases, nothing
    converted = np.zeros(len(bases), dtype=bool)
    converted[done] = True
    mask = pa.array(converted)
    return pa.array(per_unit, prices.type), pa.array(each_basis, pa.string()), pc.if_else(mask, bases, nothing)


_TEN_THOUSANDTH = Decimal("0.0001")
# the price per one of each weight (LB -> PP, KG -> PK, TN -> PT ...): a price per hundred pounds restated per pound
_PER_ONE_OF_WEIGHT = {u: b for b in PRICE_PER_WEIGHT for u in PRICE_PER_MEASURE[b]}


def _rounded(texts: pa.Array, values: pa.Array) -> pa.Array:
    """Per value, the text as sent where ``values`` (its decimal128(18, 4) reading) holds it rounded: a
    unit price of 0.012345 (screws, fasteners, components are priced to 5 or 6 decimals; X12's R type
    allows any) is 0.0123 in our tables, 855s and 810s, and the line must say so; so is a quantity of
    12.34567 LB (a catch-weight or bulk line). Null elsewhere (exact, trailing zeros included: 10.000000;
    unreadable or absent)."""
    texts = texts.cast(pa.string())
    if texts.null_count == len(texts) or not _may_be_past_4_places(texts):  # (an element no set sends)
        return pa.nulls(len(texts), pa.string())
    maybe = pc.fill_null(pc.match_substring_regex(texts, _PAST_4_PLACES), False)
    at = np.flatnonzero(maybe.to_numpy(zero_copy_only=False) & pc.is_valid(values).to_numpy(zero_copy_only=False))
    if not len(at):
        return pa.nulls(len(texts), pa.string())
    keep = []
    for i, text, value in zip(at, texts.take(pa.array(at)).to_pylist(), values.take(pa.array(at)).to_pylist(),
                              strict=True):
        try:
            if Decimal(text) != value:
                keep.append(int(i))
        except (InvalidOperation, TypeError):
            continue
    return _scatter(len(texts), np.array(keep, dtype=np.int64), texts.take(pa.array(keep, pa.int64())))


def _po4_packs(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
               ) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array]:
    """Per line, PO401 (pack) and PO414 (inner pack) of the first PO4 of its PO1 loop, as int32 (null: no
    PO4, or not a whole number), and its PO402 (size, a decimal) and PO403 (the size's unit: ``PO4*2*6*EA``
    is 2 inner packs of 6 eaches, ``PO4*24*12*OZ`` 24 packages of 12 ounces). A PO4 after an SLN of the
    loop is the subline's, not the line's. All null when no loop carries one."""
    n_lines = len(po1_rows)
    none = pa.nulls(n_lines, pa.int32())
    no_size = (pa.nulls(n_lines, QTY), pa.nulls(n_lines, pa.string()))
    if "PO4" not in vocab:
        return none, none, *no_size
    po4_rows = np.flatnonzero((codes == vocab.index("PO4")) & (set_of_row >= 0))
    owner_line = np.searchsorted(po1_rows, po4_rows, side="right") - 1
    ok = owner_line >= 0
    ok[ok] &= set_of_row[po1_rows[owner_line[ok]]] == set_of_row[po4_rows[ok]]
    if "SLN" in vocab:
        sln_rows = np.flatnonzero(codes == vocab.index("SLN"))
        last_sln = np.searchsorted(sln_rows, po4_rows, side="right") - 1
        in_sln = ok & (last_sln >= 0)
        in_sln[in_sln] = sln_rows[last_sln[in_sln]] > po1_rows[owner_line[in_sln]]
        ok &= ~in_sln
    po4_rows, owner_line = po4_rows[ok], owner_line[ok]
    if not len(po4_rows):
        return none, none, *no_size
    first = np.r_[True, owner_line[1:] != owner_line[:-1]]
    rows, slots = po4_rows[first], owner_line[first]
    return (_scatter(n_lines, slots, _int(cells.column(rows, 1))),
            _scatter(n_lines, slots, _int(cells.column(rows, 14))),
            _scatter(n_lines, slots, _decimal(cells.column(rows, 2))),
            _scatter(n_lines, slots, cells.column(rows, 3)))


def _in_line_loops(rows: np.ndarray, po1_rows: np.ndarray, set_of_row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of segment ``rows``, those in a PO1 loop (after a PO1 of the same set), with the index of that PO1 line."""
    owner = np.searchsorted(po1_rows, rows, side="right") - 1
    ok = owner >= 0
    ok[ok] &= set_of_row[po1_rows[owner[ok]]] == set_of_row[rows[ok]]
    return rows[ok], owner[ok]


def tax_exemptions(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                   ) -> pa.Array:
    """Per line, TXI01 of each TXI of its PO1 loop whose TXI06 exempts (schemas.orders.TXI_EXEMPTING), in the order
    sent, joined by a space (ORDER_LINES tax_exempt_sent); null for a line without one."""
    n_lines = len(po1_rows)
    if not n_lines or "TXI" not in vocab:
        return pa.nulls(n_lines, pa.string())
    rows, owner = _in_line_loops(np.flatnonzero((codes == vocab.index("TXI")) & (set_of_row >= 0)), po1_rows,
                                 set_of_row)
    texts: list[list[str]] = [[] for _ in range(n_lines)]
    for line, kind, code in zip(owner.tolist(), cells.column(rows, 1).to_pylist(), cells.column(rows, 6).to_pylist(),
                                strict=True):
        if (code or "").strip().upper() in TXI_EXEMPTING and (kind or "").strip():
            texts[line].append(kind.strip().upper())
    return pa.array([" ".join(t) if t else None for t in texts], pa.string())


def sales_requirements(set_of_row: np.ndarray, line_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                       ) -> pa.Array:
    """Per line, its own sales requirement (ORDER_LINES sales_requirement): CSH01 of the first CSH of its loop
    (``line_rows``: PO1 or POC rows) that has one, else IT801 of its IT8 (the same code list, 563: IT8*N says no
    back order as CSH*N does), as sent (blanks stripped); null for a line that states none. Few lines do: read row by
    row."""
    n_lines = len(line_rows)
    out: list[str | None] = [None] * n_lines
    for seg_id in ("CSH", "IT8"):
        if seg_id not in vocab:
            continue
        rows, owner = _lines_own(set_of_row, line_rows, codes, vocab, seg_id)
        for line, code in zip(owner.tolist(), cells.column(rows, 1).to_pylist() if len(rows) else [], strict=True):
            if out[line] is None and code and code.strip():
                out[line] = code.strip()
    return pa.array(out, pa.string())


def pids_sent(n_lines: int, owner: np.ndarray, kinds: pa.Array, characteristics: pa.Array, texts: pa.Array,
              languages: pa.Array) -> pa.Array:
    """Per line, its own free-form PIDs (``owner``: the line of each PID row of the lines' own loops; ``kinds``,
    ``characteristics``, ``texts``, ``languages``: their PID01, PID02, PID05, PID09) as PID_SENT, in the order sent,
    each with its language as sent (Daiso's PID*F*08***...****JA and ****EN): its description's PID
    (the first with a PID05 not of a colour or size, ATTRIBUTE_PIDS, when a PID*F) and each other PID*F with a PID02
    and a PID05 (a colour, a size ...), where one of them has a PID02; null elsewhere (ORDER_LINES pids_sent): a
    plain description alone, or beside other plain ones (Shoppers' English and French PID*F****X****EN / FR: the
    first, as before), or a description that is no PID*F. PIDs are few: read row by row."""
    found: list[list[dict]] = [[] for _ in range(n_lines)]
    described = [False] * n_lines  # the line's description is a PID*F of the list
    seen = [False] * n_lines
    said = languages.to_pylist() if languages.null_count < len(languages) else [None] * len(languages)  # (most: none)
    for line, kind, code, text, language in zip(owner.tolist(), kinds.to_pylist(), characteristics.to_pylist(),
                                                texts.to_pylist(), said, strict=True):
        if text is None:
            continue
        first = not seen[line] and code not in ATTRIBUTE_PIDS
        if first:
            seen[line], described[line] = True, kind == "F"
        if kind == "F" and (first or code is not None):
            found[line].append({"characteristic": code, "description": text, "language": language})
    out = [p if described[k] and any(pid["characteristic"] is not None for pid in p) else None
           for k, p in enumerate(found)]
    return pa.array(out, pa.list_(PID_SENT))


def hazmat_sent(n_lines: int, set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list,
                cells: _Cells) -> pa.Array:
    """Per line, the TD4s of its own loop (before any of LINE_LOOP_ENDS) that mark it hazardous (hazmat_marking: TD401
    HM, or a TD402/TD403 class) as HAZMAT_SENT, in the order sent; null for a line without one (ORDER_LINES
    hazmat_sent). TD4s are few: read row by row."""
    if "TD4" not in vocab:
        return pa.nulls(n_lines, pa.list_(HAZMAT_SENT))
    return _hazmat_of(n_lines, *_lines_own(set_of_row, po1_rows, codes, vocab, "TD4"), cells)


def heading_hazmat(nsets: int, set_of_row: np.ndarray, rows: np.ndarray, codes: np.ndarray, vocab: list,
                   cells: _Cells) -> pa.Array:
    """Per set, the heading's own TD4s (``rows``: its TD4 rows before its first PO1) that mark the load hazardous, as
    hazmat_sent a line's: those before any of LINE_LOOP_ENDS of the set (a TD4 of a heading N1 loop is that party's);
    null for a set without one (ORDERS hazmat_sent)."""
    ends = np.flatnonzero(np.isin(codes, [vocab.index(s) for s in LINE_LOOP_ENDS if s in vocab]))
    if len(rows) and len(ends):
        last = np.searchsorted(ends, rows, side="right") - 1
        rows = rows[~((last >= 0) & (set_of_row[ends[np.maximum(last, 0)]] == set_of_row[rows]))]
    return _hazmat_of(nsets, rows, set_of_row[rows], cells)


def _hazmat_of(n: int, rows: np.ndarray, owner: np.ndarray, cells: _Cells) -> pa.Array:
    """Per owner (a line, a set), the TD4s of ``rows`` (each of ``owner``) that mark it hazardous (hazmat_marking) as
    HAZMAT_SENT, as sent, in the order sent; null for an owner without one. TD4s are few: read row by row."""
    out_type = pa.list_(HAZMAT_SENT)
    if not len(rows):
        return pa.nulls(n, out_type)
    found: list[list[dict] | None] = [None] * n
    for at, *values in zip(owner.tolist(), *(cells.column(rows, k).to_pylist() for k in (1, 2, 3, 4)), strict=True):
        code, qualifier, hazard_class, text = ((v.strip() or None) if v else None for v in values)
        if hazmat_marking(code, qualifier, hazard_class):
            found[at] = (found[at] or []) + [{"code": code, "qualifier": qualifier, "hazard_class": hazard_class,
                                              "description": text}]
    return pa.array(found, out_type)


def store_quantities(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                     ) -> pa.Array:
    """Per line, its SDQ store quantities (schemas.orders.STORE_QUANTITY): every location/quantity pair of the
    SDQs of its PO1 loop, in the order sent, each with its SDQ's SDQ01 unit and SDQ02 id qualifier; null for a
    line without SDQ. A pair with a location and no quantity (or the reverse) is kept as sent (null quantity or
    store): rules.set_checks names a line whose quantities do not add up."""
    n_lines = len(po1_rows)
    out_type = pa.list_(STORE_QUANTITY)
    if not n_lines or "SDQ" not in vocab:
        return pa.nulls(n_lines, out_type)
    sdq_rows, owner = _in_line_loops(np.flatnonzero((codes == vocab.index("SDQ")) & (set_of_row >= 0)), po1_rows,
                                     set_of_row)
    if not len(sdq_rows):
        return pa.nulls(n_lines, out_type)
    k = len(SDQ_PAIRS)
    rows_grid = np.repeat(sdq_rows, k)  # (SDQ, pair) in row-major order: the pairs as sent
    k_grid = np.tile(np.asarray(SDQ_PAIRS), len(sdq_rows))
    p_at, p_ok = cells.index(rows_grid, k_grid)
    q_at, q_ok = cells.index(rows_grid, k_grid + 1)
    keep = p_ok | q_ok
    sdq_of = np.repeat(np.arange(len(sdq_rows)), k)[keep]
    quantity_text = cells.take(q_at[keep], q_ok[keep])
    quantity = _decimal(quantity_text)
    units, qualifiers = cells.column(sdq_rows, 1), cells.column(sdq_rows, 2)
    at = _int64(sdq_of)
    structs = pa.StructArray.from_arrays(
        [units.take(at), qualifiers.take(at), cells.take(p_at[keep], p_ok[keep]), quantity,
         _rounded(quantity_text, quantity)], fields=list(STORE_QUANTITY))
    per_line = np.bincount(owner[sdq_of], minlength=n_lines)
    offsets = np.zeros(n_lines + 1, dtype=np.int32)
    np.cumsum(per_line, out=offsets[1:])
    has = np.zeros(n_lines, dtype=bool)
    has[owner] = True
    offsets_array = pa.Array.from_buffers(pa.int32(), n_lines + 1, [None, pa.py_buffer(offsets)])
    return pa.ListArray.from_arrays(offsets_array, structs, mask=None if has.all() else pa.array(~has))


def messages(n: int, owner: np.ndarray, rows: np.ndarray, cells: _Cells) -> pa.Array:
    """Per owner (a set's heading, a line), the MSG01 texts of its ``rows`` (MSG segments of its N9 loops) in the
    order sent, joined by NOTES_SEP; null for one without any. MSGs are few: read row by row."""
    if not len(rows):
        return pa.nulls(n, pa.string())
    texts: list[list[str]] = [[] for _ in range(n)]
    for slot, text in zip(owner.tolist(), cells.column(rows, 1).to_pylist(), strict=True):
        if text and text.strip():
            texts[slot].append(text.strip())
    return pa.array([NOTES_SEP.join(t) if t else None for t in texts], pa.string())


def line_marks_for(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                   ) -> dict[str, pa.Array]:
    """Per line, the first N1*Z7 of its PO1 loop (ORDER_LINES mark_for_name, mark_for_id_qualifier, mark_for_id:
    N102, N103, N104 as sent: the party the line's goods are marked for, Home Hardware's dealer of a tag order);
    null for a line without one (the order's mark-for applies)."""
    return _first_line_party("Z7", "mark_for_", LINE_MARK_FOR, set_of_row, po1_rows, codes, vocab, cells)[0]


def _first_line_party(qualifier: str, prefix: str, fields: tuple[str, ...], set_of_row: np.ndarray,
                      po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                      ) -> tuple[dict[str, pa.Array], np.ndarray, np.ndarray]:
    """Per line, N102.. of the first N1 whose N101 is ``qualifier`` in its PO1 loop (columns ``prefix`` + each of
    ``fields``, null for a line without one), the rows of those N1s and the line of each (_in_line_loops' owner)."""
    n_lines = len(po1_rows)
    out = {f"{prefix}{f}": pa.nulls(n_lines, pa.string()) for f in fields}
    if not n_lines or "N1" not in vocab:
        return out, np.empty(0, np.int64), np.empty(0, np.int64)
    n1_rows, owner = _in_line_loops(np.flatnonzero((codes == vocab.index("N1")) & (set_of_row >= 0)), po1_rows,
                                    set_of_row)
    if not len(n1_rows):
        return out, n1_rows, owner
    mine = pc.fill_null(pc.equal(cells.column(n1_rows, 1), qualifier), False).to_numpy(zero_copy_only=False)
    n1_rows, owner = n1_rows[mine], owner[mine]
    if not len(n1_rows):
        return out, n1_rows, owner
    first = np.r_[True, owner[1:] != owner[:-1]]
    n1_rows, owner = n1_rows[first], owner[first]
    for k, f in enumerate(fields, start=2):
        out[f"{prefix}{f}"] = _scatter(n_lines, owner, cells.column(n1_rows, k))
    return out, n1_rows, owner


def line_ship_tos(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
                  ) -> dict[str, pa.Array]:
    """Per line, the first N1*ST of its PO1 loop (ORDER_LINES ship_to_name, ship_to_id_qualifier, ship_to_id:
    N102, N103, N104 as sent) and the address of that N1 loop (ship_to_address1/2: its first N3's N301/N302, a second
    N3's elements joining address2 as the heading's do; city, state, postal_code, country: its N4's N401..N404; the
    N2s between them passed over); null for a line without one (the order's ship-to applies)."""
    n_lines = len(po1_rows)
    out, n1_rows, owner = _first_line_party("ST", "ship_to_", LINE_SHIP_TO, set_of_row, po1_rows, codes, vocab, cells)
    out.update({f"ship_to_{f}": pa.nulls(n_lines, pa.string()) for f in LINE_SHIP_TO_ADDRESS})
    if not len(n1_rows):
        return out
    # the N3 and N4 of each such N1 loop: the segments right after its N1 (N2s, N3s, N4: the loop's order)
    n = len(codes)
    wanted = {vocab.index(c) for c in ("N2", "N3", "N4") if c in vocab}
    for seg_id, fields in (("N3", LINE_SHIP_TO_ADDRESS[:2]), ("N4", LINE_SHIP_TO_ADDRESS[2:])):
        if seg_id not in vocab:
            continue
        code = vocab.index(seg_id)
        found = np.full(len(n1_rows), -1, dtype=np.int64)
        second = np.full(len(n1_rows), -1, dtype=np.int64)  # a second N3 (max use 2), as in the heading
        going = np.ones(len(n1_rows), dtype=bool)
        for step in range(1, 6):  # N2 (2 at most), N3 (2 at most), N4
            at = n1_rows + step
            going &= at < n
            row_codes = np.where(going, codes[np.minimum(at, n - 1)], -1)
            going &= np.isin(row_codes, list(wanted)) & (set_of_row[np.minimum(at, n - 1)] == set_of_row[n1_rows])
            hit = going & (row_codes == code)
            second[hit & (found >= 0) & (second < 0)] = at[hit & (found >= 0) & (second < 0)]
            found[hit & (found < 0)] = at[hit & (found < 0)]
        if (found >= 0).any():
            has = found >= 0
            for k, f in enumerate(fields, start=1):
                out[f"ship_to_{f}"] = _scatter(n_lines, owner[has], cells.column(found[has], k))
            if seg_id == "N4":  # a state named by N405 SP / N406 (or N407), as in the heading
                out["ship_to_state"] = _state_by_location(out["ship_to_state"], found[has], owner[has], cells)
        if seg_id == "N3" and (second >= 0).any():  # its street ("APT 4B") joins address2
            more = second >= 0
            _append_to(out, ["ship_to_address2"], second[more], owner[more], np.zeros(int(more.sum()), np.int64),
                       cells)
    return out


# SLN09/SLN10 .. SLN27/SLN28: a subline's product id qualifier/value pairs (positions of the qualifiers)
_SLN_PAIRS = tuple(range(9, 29, 2))


def prepack_components(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells,
                       component: list[str]) -> pa.Array:
    """Per line, its prepack components (schemas.orders.PREPACK_COMPONENT): the SLN sublines of its PO1 loop whose
    SLN03 is I (included: what one pack holds), in the order sent, each with SLN01, SLN04 and SLN05 (its first
    component: ``component`` holds each row's component separator), SLN06/SLN07 and its qualifier/id pairs; null
    for a line without one. A quantity or price that is no number is kept as null (the line still reads; the 856
    then lists the pack alone: engine.asn). Sublines are few (a prepack's sizes): read row by row."""
    n_lines = len(po1_rows)
    out_type = pa.list_(PREPACK_COMPONENT)
    if not n_lines or "SLN" not in vocab:
        return pa.nulls(n_lines, out_type)
    sln_rows, owner = _in_line_loops(np.flatnonzero((codes == vocab.index("SLN")) & (set_of_row >= 0)), po1_rows,
                                     set_of_row)
    included = pc.fill_null(pc.equal(cells.column(sln_rows, 3), "I"), False).to_numpy(zero_copy_only=False)
    sln_rows, owner = sln_rows[included], owner[included]
    if not len(sln_rows):
        return pa.nulls(n_lines, out_type)
    subline, quantity, unit, price, basis = (cells.column(sln_rows, k).to_pylist() for k in (1, 4, 5, 6, 7))
    pairs = [cells.column(sln_rows, k).to_pylist() for k in (j for q in _SLN_PAIRS for j in (q, q + 1))]
    per_line: list[list[dict] | None] = [None] * n_lines
    for j, line in enumerate(owner.tolist()):
        sep = component[int(sln_rows[j])]
        ids = [{"qualifier": pairs[2 * p][j], "id": pairs[2 * p + 1][j]} for p in range(len(_SLN_PAIRS))
               if pairs[2 * p][j] and pairs[2 * p + 1][j]]
        per_line[line] = (per_line[line] or []) + [{
            "subline": subline[j], "quantity": _number(quantity[j]),
            "unit": unit[j].split(sep)[0] if unit[j] and sep else unit[j], "unit_price": _number(price[j]),
            "price_basis": basis[j], "product_ids": ids}]
    return pa.array(per_line, out_type)


def _number(text: str | None) -> Decimal | None:
    """An R element as a decimal of 4 places at most (QTY, MONEY), None when it is no such number."""
    try:
        value = Decimal(text.strip()) if text else None
    except InvalidOperation:
        return None
    if value is None or not value.is_finite() or value != value.quantize(Decimal("0.0001")) or abs(value) >= 10 ** 14:
        return None
    return value


# segments after which a DTM of a PO1 (or POC) loop is no longer the line's own: a reference, a destination,
# a schedule, a subline (rules.set_checks names those dates)
_NOT_THE_LINES = LINE_LOOP_ENDS


def _lines_own(set_of_row: np.ndarray, line_rows: np.ndarray, codes: np.ndarray, vocab: list, seg_id: str
               ) -> tuple[np.ndarray, np.ndarray]:
    """The ``seg_id`` segments (``seg_id`` in ``vocab``) of the line loops (``line_rows``: PO1 or POC rows,
    ascending) before any of _NOT_THE_LINES, each with the index of its line."""
    rows = np.flatnonzero((codes == vocab.index(seg_id)) & (set_of_row >= 0))
    owner = np.searchsorted(line_rows, rows, side="right") - 1
    ok = owner >= 0
    ok[ok] &= set_of_row[line_rows[owner[ok]]] == set_of_row[rows[ok]]
    stops = [vocab.index(s) for s in _NOT_THE_LINES if s in vocab]
    if stops and ok.any():
        stop_rows = np.flatnonzero(np.isin(codes, stops))
        last = np.searchsorted(stop_rows, rows, side="right") - 1
        late = ok & (last >= 0)
        late[late] = stop_rows[last[late]] > line_rows[owner[late]]
        ok &= ~late
    return rows[ok], owner[ok]


_LIN_PAIRS = tuple(range(2, 32, 2))  # LIN02/LIN03 .. LIN30/LIN31: the qualifier/id pairs of a LIN

# the codes _Cells reads in capitals when sent in small letters, where the reader reads them: (segment, element
# positions, the codes read there): N101 (ENTITIES_READ), a PO1 loop's LIN02, LIN04 .. and a subline's SLN09, SLN11 ..
# product id qualifiers (QUALIFIERS_READ), SLN07 price basis (_BASES_ACTED_ON), CTP02 price identifier of what the
# buyer pays (BUYER_COST_PRICES). PO1's own (PO105, PO106 ..) are read with the line (capital_qualifiers, capital_bases)
_CAPITALS = (("N1", (1,), _ENTITIES_READ), ("LIN", _LIN_PAIRS, _QUALIFIERS_READ),
             ("SLN", (7,), _BASES_ACTED_ON),
             ("SLN", _SLN_PAIRS, _QUALIFIERS_READ), ("CTP", (2,), tuple(sorted(BUYER_COST_PRICES))))


def _with_lin_ids(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells,
                  product_cols: dict[str, pa.Array], product_ids: pa.Array) -> tuple[dict[str, pa.Array], pa.Array]:
    """The lines' product ids with those of each PO1 loop's own LIN (850 position 015, Item Identification: the
    line's further ids, LIN02/LIN03 .. LIN30/LIN31), after the PO1's own pairs (a pair the PO1 sent already is not
    repeated); each id column (upc, vendor_part, buyer_part ...) the PO1 left empty takes the LIN's, chosen as the
    PO1's are (PRODUCT_QUALIFIERS' order, then the first pair). A PO1 may send no id at all (PO106/PO107 are
    conditional) and identify its item in the LIN alone (``PO1*2*6*EA*21.5~LIN**IN*HD-338210*VN*RG77-10``): the
    line was refused (ITEM_ID_MISSING, ACK IR) for an item it named. Few lines send a LIN: only theirs are read
    row by row."""
    lin_rows, owner = _lines_own(set_of_row, po1_rows, codes, vocab, "LIN")
    if not len(lin_rows):
        return product_cols, product_ids
    pairs = [(cells.column(lin_rows, k).to_pylist(), cells.column(lin_rows, k + 1).to_pylist()) for k in _LIN_PAIRS]
    extra: dict[int, list[tuple[str, str]]] = {}
    for j, line in enumerate(owner.tolist()):
        for q, v in pairs:
            if q[j] and v[j] and v[j].strip():
                extra.setdefault(line, []).append((q[j], v[j]))
    if not extra:
        return product_cols, product_ids
    ids = product_ids.to_pylist()
    cols = {c: a.to_pylist() for c, a in product_cols.items()}
    order = list(PRODUCT_QUALIFIERS)
    for line, found in extra.items():
        sent = ids[line] or []
        have = {(p["qualifier"], p["id"]) for p in sent}
        ids[line] = [*sent, *({"qualifier": q, "id": v} for q, v in dict.fromkeys(found) if (q, v) not in have)]
        for col, values in cols.items():
            if values[line] is None:
                values[line] = next((v for qual in order if PRODUCT_QUALIFIERS[qual] == col
                                     for q, v in found if q == qual), None)
    return ({c: pa.array(v, pa.string()) for c, v in cols.items()},
            pa.array(ids, product_ids.type))


def _ref_descriptions(nsets: int, set_of_row: np.ndarray, rows: np.ndarray, cells: _Cells) -> pa.Array:
    """Per set, ORDERS.ref_descriptions: for each heading REF01, the REF03 of its first heading REF with a REF02
    (the one its ORDER_REFS column, or refs_sent's first of it, holds), or, where none has a REF02, of its first
    REF with a REF03 (REF*JB**MERCY CLINIC HVAC RETROFIT: valid by REF's R0203, REF02 or REF03 required); those
    ORDER_REFS names in its order, then the others in the order sent; null for a set without one. ``rows``: the
    heading's REF rows. Few REFs send a REF03: only their sets are read row by row."""
    out_type = pa.list_(REF_DESCRIPTION)
    described = rows[cells.index(rows, 3)[1]]
    if not len(described):
        return pa.nulls(nsets, out_type)
    rows = rows[np.isin(set_of_row[rows], set_of_row[described])]
    kept: dict[tuple[int, str], tuple[bool, str | None]] = {}  # (set, REF01) -> (has REF02, its REF03)
    for at, qualifier, value, text in zip(set_of_row[rows].tolist(), *(cells.column(rows, k).to_pylist()
                                                                       for k in (1, 2, 3)), strict=True):
        if not qualifier:
            continue
        had = kept.get((at, qualifier))
        if had is None or (not had[0] and value) or (had == (False, None) and text):
            kept[(at, qualifier)] = (bool(value), text)
    per_set: list[list[dict] | None] = [None] * nsets
    order = {q: k for k, q in enumerate(ORDER_REFS)}
    first = {key: k for k, key in enumerate(kept)}  # the others: in the order first sent
    for (at, qualifier), (_value, text) in sorted(kept.items(), key=lambda kv: (
            kv[0][0], order.get(kv[0][1], len(order)), first[kv[0]])):
        if text:
            per_set[at] = (per_set[at] or []) + [{"qualifier": qualifier, "description": text}]
    return pa.array(per_set, out_type)


def _party_refs(nsets: int, set_of_row: np.ndarray, refs: np.ndarray, n1_rows: np.ndarray, n9_rows: np.ndarray,
                own: np.ndarray, cells: _Cells) -> pa.Array:
    """Per set, ORDERS.party_refs_sent: each heading REF (``refs``: those with REF01 and REF02) inside an N1 loop
    (its nearest N1 or N9 before it, in its set, an N1: the N9 loop's REFs are its note's) as {party: N101,
    qualifier, id}, in the order sent; null for a set without one. Of a party the ORDERS columns hold (ST, BT, BY,
    Z7, BS), the loop they hold (``own``: each one's N1 row); of another N101 (VN, SF ...), its first loop."""
    out_type = pa.list_(PARTY_REF)
    if not len(refs) or not len(n1_rows):
        return pa.nulls(nsets, out_type)
    starts = np.concatenate([n1_rows, n9_rows])
    is_n1 = np.concatenate([np.ones(len(n1_rows), bool), np.zeros(len(n9_rows), bool)])
    order = np.argsort(starts, kind="stable")
    starts, is_n1 = starts[order], is_n1[order]
    at = np.searchsorted(starts, refs, side="right") - 1
    inside = (at >= 0) & is_n1[np.maximum(at, 0)] & (set_of_row[starts[np.maximum(at, 0)]] == set_of_row[refs])
    if not inside.any():
        return pa.nulls(nsets, out_type)
    refs, owners = refs[inside], starts[at[inside]]
    codes = dict(zip(n1_rows.tolist(), cells.column(n1_rows, 1).to_pylist(), strict=True))
    firsts: dict[tuple[int, str], int] = {}  # (set, N101) -> the N1 row of its loop whose REFs are kept
    for row in own.tolist():
        firsts[(int(set_of_row[row]), codes[row])] = row
    for row, code in codes.items():
        if code not in PARTIES:
            firsts.setdefault((int(set_of_row[row]), code), row)
    per_set: list[list[dict] | None] = [None] * nsets
    for row, owner, qualifier, value in zip(refs.tolist(), owners.tolist(), cells.column(refs, 1).to_pylist(),
                                            cells.column(refs, 2).to_pylist(), strict=True):
        k, code = int(set_of_row[row]), codes[owner]
        if code and qualifier and value and firsts.get((k, code)) == owner:
            per_set[k] = (per_set[k] or []) + [{"party": code, "qualifier": qualifier, "id": value}]
    return pa.array(per_set, out_type)


def _n9_per_set(nsets: int, set_of_row: np.ndarray, rows: np.ndarray, cells: _Cells) -> pa.Array:
    """Per set, ORDERS.n9_sent: each heading N9 (``rows``) as {qualifier: N901, id: N902, description: N903}, in
    the order sent (an N9 with neither N902 nor N903 is left out); null for a set without one. N9s are few: read
    row by row."""
    out_type = pa.list_(LINE_OWN_REF)
    if not len(rows):
        return pa.nulls(nsets, out_type)
    per_set: list[list[dict] | None] = [None] * nsets
    for row, qualifier, value, text in zip(rows.tolist(), *(cells.column(rows, k).to_pylist() for k in (1, 2, 3)),
                                           strict=True):
        if value or text:
            k = int(set_of_row[row])
            per_set[k] = (per_set[k] or []) + [{"qualifier": qualifier or None, "id": value or None,
                                                "description": text or None}]
    return pa.array(per_set, out_type)


def _refs_per_set(nsets: int, sets: np.ndarray, qualifiers: pa.Array, ids: pa.Array, texts: pa.Array) -> pa.Array:
    """Per set, the REFs of its heading (ORDERS.refs_sent: those with REF01 and REF02, each with its REF03, null
    when none, in the order sent: two of one qualifier both kept); null for a set without one. ``sets``: the set of
    each REF row, ``qualifiers``/``ids``/``texts``: its REF01/REF02/REF03."""
    per_set: list[list[dict] | None] = [None] * nsets
    for at, qualifier, value, text in zip(sets.tolist(), qualifiers.to_pylist(), ids.to_pylist(), texts.to_pylist(),
                                          strict=True):
        if qualifier and value:
            per_set[at] = (per_set[at] or []) + [{"qualifier": qualifier, "id": value, "description": text or None}]
    return pa.array(per_set, pa.list_(HEADING_REF))


def line_refs(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells
              ) -> pa.Array:
    """Per line, its own references (schemas.orders.LINE_OWN_REF): each REF of its PO1 loop before any of
    _NOT_THE_LINES (an N1 loop's REF names its party, an N9's its note) with both REF01 and REF02, with its REF03
    (null when none), in the order sent; null for a line without one. Few lines carry them: read row by row."""
    n_lines = len(po1_rows)
    out_type = pa.list_(LINE_OWN_REF)
    if not n_lines or "REF" not in vocab:
        return pa.nulls(n_lines, out_type)
    rows, owner = _lines_own(set_of_row, po1_rows, codes, vocab, "REF")
    if not len(rows):
        return pa.nulls(n_lines, out_type)
    per_line: list[list[dict] | None] = [None] * n_lines
    for line, qualifier, value, description in zip(owner.tolist(), cells.column(rows, 1).to_pylist(),
                                                   cells.column(rows, 2).to_pylist(),
                                                   cells.column(rows, 3).to_pylist(), strict=True):
        if qualifier and value:
            per_line[line] = (per_line[line] or []) + [{"qualifier": qualifier, "id": value,
                                                        "description": description or None}]
    return pa.array(per_line, out_type)


def line_prices(set_of_row: np.ndarray, po1_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells,
                components: list[str]) -> pa.Array:
    """Per line, its own prices (schemas.orders.LINE_PRICE): each CTP of its PO1 loop before any of
    _NOT_THE_LINES (a CTP after an SLN prices that subline) with both CTP02 and CTP03, as sent (CTP05's first
    component: ``components`` holds each segment row's component separator), in the order sent; null for a line
    without one. Few lines carry them: read row by row."""
    n_lines = len(po1_rows)
    out_type = pa.list_(LINE_PRICE)
    if not n_lines or "CTP" not in vocab:
        return pa.nulls(n_lines, out_type)
    rows, owner = _lines_own(set_of_row, po1_rows, codes, vocab, "CTP")
    if not len(rows):
        return pa.nulls(n_lines, out_type)
    per_line: list[list[dict] | None] = [None] * n_lines
    for row, line, trade, qualifier, price, quantity, unit in zip(
            rows.tolist(), owner.tolist(), *(cells.column(rows, k).to_pylist() for k in range(1, 6)), strict=True):
        if qualifier and price:
            component = components[row] if unit else ""
            per_line[line] = (per_line[line] or []) + [{
                "class_of_trade": trade or None, "qualifier": qualifier, "price": price, "quantity": quantity or None,
                "unit": (unit.split(component)[0] if component else unit) or None if unit else None}]
    return pa.array(per_line, out_type)


def line_dates(set_of_row: np.ndarray, line_rows: np.ndarray, codes: np.ndarray, vocab: list, cells: _Cells,
               kept: Mapping[str, str] = LINE_DATES, *, ends: Mapping[str, str] | None = None) -> dict[str, pa.Array]:
    """Per line (``line_rows``: its PO1 or POC rows, ascending), the dates of its loop before any of
    _NOT_THE_LINES that ``kept`` names (DTM01 -> column: schemas.changes.CHANGE_LINE_DATES for an 860's POC,
    LINE_DTM_DATES for an 850's PO1), each read as the heading's is (x12_dates.first_dated: the first DTM of the
    qualifier, else of its first twin: 175 as 001, 118 as 010 ...; a DTM05 range gives its end for a latest
    date), as date32 columns. All null when no loop carries one. ``ends``: DTM01 -> the column of the last day of
    that date sent as a range (schemas.orders.RANGE_ENDS; x12_dates.dtm_window), given too."""
    n_lines = len(line_rows)
    ends = {q: name for q, name in (ends or {}).items() if q in kept}
    out = {name: pa.nulls(n_lines, pa.date32()) for name in (*kept.values(), *ends.values())}
    if not n_lines or "DTM" not in vocab:
        return out
    dtm_rows, owner = _lines_own(set_of_row, line_rows, codes, vocab, "DTM")
    if not len(dtm_rows):
        return out
    qual = cells.column(dtm_rows, 1)
    ranged: dict[str, pa.Array] = {}
    for q, name in kept.items():
        at = first_dated(qual, owner, q)
        if not len(at):
            continue
        rows, slots = dtm_rows[at], owner[at]
        text = dtm_date(cells.column(rows, 2), cells.column(rows, 5), cells.column(rows, 6), end=q in LATEST_DATES,
                        dtm07=cells.column(rows, 7))
        out[name] = _scatter(n_lines, slots, dates(text))
        if q in ends:
            last = dtm_window(cells.column(rows, 2), cells.column(rows, 5), cells.column(rows, 6),
                              dtm07=cells.column(rows, 7))[1]
            if last.null_count < len(last):
                out[ends[q]] = _scatter(n_lines, slots, dates(last))
        if q == "010":  # a range: the line's ship window where its loop sends no 037 / 038 (dtm_window)
            window = dtm_window(cells.column(rows, 2), cells.column(rows, 5), cells.column(rows, 6),
                                dtm07=cells.column(rows, 7))
            ranged = {wide: _scatter(n_lines, slots, dates(text)) for wide, text
                      in zip(("ship_not_before", "ship_no_later"), window, strict=True) if text.null_count < len(text)}
    for wide, days in ranged.items():
        if wide in out:
            out[wide] = pc.coalesce(out[wide], days)
    return out


def common_line_dates(line_set: np.ndarray, windows: Mapping[str, pa.Array | pa.ChunkedArray],
                      nsets: int) -> dict[str, pa.Array]:
    """Per set, each of schemas.orders.LINE_WIDE_DATES (the ship window) that every one of its PO1 loops states in
    its own part, all with the same date (``windows``: each line's own, as _lines keeps them: line_dates;
    ``line_set``: each line's set): that date, the order's when its heading sends none; null where a line states
    none or another date (each line keeps its own all the same)."""
    out = {name: pa.nulls(nsets, pa.date32()) for name in windows}
    if not len(line_set):
        return out
    none = np.iinfo(np.int32).min
    for name in windows:
        values = windows[name]
        if values.null_count == len(values):
            continue
        days = pc.fill_null(values.cast(pa.int32()), none).to_numpy(zero_copy_only=False)
        low = np.full(nsets, np.iinfo(np.int32).max, np.int64)
        high = np.full(nsets, none, np.int64)
        np.minimum.at(low, line_set, days)
        np.maximum.at(high, line_set, days)
        alike = (low == high) & (low != none)  # every line has it (a line without is ``none``, the lowest), one date
        out[name] = pa.array(np.where(alike, low, 0).astype(np.int32), pa.int32(), mask=~alike).cast(pa.date32())
    return out


def _lines(result, sets, set_of_row, po1_rows, codes, vocab, partner, sha, cells: _Cells,
           po_numbers: pa.Array, labels=None, set_lineage: dict[str, pa.Array] | None = None) -> pa.Table:
    n_lines = len(po1_rows)
    if not n_lines:
        return ORDER_LINES.empty_table()
    line_set = set_of_row[po1_rows]
    # line_number: 1..n within each set (po1_rows are sorted, sets are contiguous)
    starts = np.r_[0, np.flatnonzero(np.diff(line_set)) + 1]
    line_number = np.arange(n_lines) - np.repeat(starts, np.diff(np.r_[starts, n_lines])) + 1
    st_rows = np.array([ts.start for _ic, _g, ts in sets], dtype=np.int64)
    # qualifier/id pairs PO106/PO107 .. PO124/PO125: a (line, pair) grid of element indexes
    pair_k = np.arange(6, 26, 2)
    # only pairs whose qualifier some line has (the rest are absent everywhere: no qualifier, no value)
    pair_k = pair_k[: max(1, int(np.count_nonzero(pair_k < int(cells.row_len[po1_rows].max()))))]
    rows_grid = np.repeat(po1_rows, len(pair_k))
    k_grid = np.tile(pair_k, n_lines)
    q_at, q_ok = cells.index(rows_grid, k_grid)
    v_at, v_ok = cells.index(rows_grid, k_grid + 1)
    quals = list(PRODUCT_QUALIFIERS)
    # the qualifiers sent, in (line, pair) order ("bp" read as BP: capital_qualifiers)
    q_values, q_sent = capital_qualifiers(cells.take(q_at[q_ok], q_ok[q_ok]))
    q_code = np.full(len(q_at), -1, dtype=np.int64)
    q_code[q_ok] = pc.fill_null(pc.index_in(q_values, value_set=pa.array(quals, pa.string())), -1).to_numpy(
        zero_copy_only=False)
    q_code = q_code.reshape(n_lines, len(pair_k))
    usable = v_ok.reshape(n_lines, len(pair_k))
    product_cols: dict[str, pa.Array] = {}
    for col in dict.fromkeys(PRODUCT_QUALIFIERS.values()):
        # the first qualifier (catalogue order) with a value wins, then the first pair carrying it
        chosen = np.full(n_lines, -1, dtype=np.int64)
        for q, qual in enumerate(quals):
            if PRODUCT_QUALIFIERS[qual] != col:
                continue
            hit = (q_code == q) & usable
            # the first hit per line (a loop over the few pair columns beats any/argmax along axis 1)
            first = np.full(n_lines, -1, dtype=np.int64)
            for j in range(len(pair_k) - 1, -1, -1):
                first[hit[:, j]] = j
            chosen = np.where(chosen < 0, first, chosen)
        ok = chosen >= 0
        if not ok.any():  # no line has this kind of product id (most files send one or two kinds)
            product_cols[col] = pa.nulls(n_lines, pa.string())
            continue
        at = v_at.reshape(n_lines, len(pair_k))[np.arange(n_lines), np.maximum(chosen, 0)]
        product_cols[col] = cells.take(at, ok)
    # every pair with a qualifier, as list<struct>
    keep = q_ok
    counts = keep.reshape(n_lines, len(pair_k)).sum(axis=1)
    offsets = np.zeros(n_lines + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    structs = pa.StructArray.from_arrays([q_values, cells.take(v_at[keep], v_ok[keep])],
                                         fields=list(PRODUCT_ID))
    product_ids = pa.ListArray.from_arrays(
        pa.Array.from_buffers(pa.int32(), n_lines + 1, [None, pa.py_buffer(offsets)]), structs)
    if "LIN" in vocab:
        product_cols, product_ids = _with_lin_ids(set_of_row, po1_rows, codes, vocab, cells, product_cols,
                                                  product_ids)
    # description: the first PID with PID05 of each PO1 loop's own (before any of _NOT_THE_LINES: a PID after an SLN
    # describes that subline, a prepack's size), not one of a colour or size (ATTRIBUTE_PIDS)
    desc = pa.nulls(n_lines, pa.string())
    pids = pa.nulls(n_lines, pa.list_(PID_SENT))
    if "PID" in vocab:
        pid_rows, owner_line = _lines_own(set_of_row, po1_rows, codes, vocab, "PID")
        if len(pid_rows):
            pids = pids_sent(n_lines, owner_line, cells.column(pid_rows, 1), cells.column(pid_rows, 2),
                             cells.column(pid_rows, 5), cells.column(pid_rows, 9))
            _, text_ok = cells.index(pid_rows, 5)
            attribute = pc.is_in(cells.column(pid_rows, 2), value_set=pa.array(sorted(ATTRIBUTE_PIDS), pa.string()))
            ok = text_ok & ~pc.fill_null(attribute, False).to_numpy(zero_copy_only=False)
            pid_rows, owner_line = pid_rows[ok], owner_line[ok]
            first = np.r_[True, owner_line[1:] != owner_line[:-1]] if len(owner_line) else owner_line.astype(bool)
            desc = _scatter(n_lines, owner_line[first], cells.column(pid_rows[first], 5))
    pack, inner_pack, size, size_unit = _po4_packs(set_of_row, po1_rows, codes, vocab, cells)
    price_text = cells.column(po1_rows, 4)
    unit_price = _decimal(price_text)
    quantity_text = cells.column(po1_rows, 2)
    quantity = _decimal(quantity_text)
    breaks_unclear = multiplier = price_unit = pa.nulls(n_lines, pa.string())
    bases = cells.column(po1_rows, 5)
    if "CTP" in vocab and unit_price.null_count:
        ctp_text, breaks_unclear, multiplier, ctp_basis, ctp_unit = _ctp_prices(
            set_of_row, po1_rows, codes, vocab, cells, quantity, cells.column(po1_rows, 3), result.segments.component)
        breaks_unclear = pc.if_else(pc.is_null(unit_price), breaks_unclear, pa.scalar(None, pa.string()))
        multiplier = pc.if_else(pc.is_null(unit_price), multiplier, pa.scalar(None, pa.string()))
        from_ctp = pc.and_(pc.is_null(unit_price), pc.is_valid(ctp_text))
        unit_price = pc.coalesce(unit_price, _decimal(ctp_text))
        price_text = pc.if_else(from_ctp, ctp_text, price_text)
        # the CTP's own basis (CTP09) where PO105 sends none: 272 per hundred is 2.72 per each, not 272
        bases = pc.if_else(pc.and_(from_ctp, pc.is_null(bases)), ctp_basis, bases)
        price_unit = _ctp_price_units(from_ctp, ctp_unit, bases, cells.column(po1_rows, 3))
    price_sent = _rounded(price_text, unit_price)
    unit_price, basis, basis_sent = per_unit_prices(unit_price, bases, pc.is_null(price_sent),
                                                    cells.column(po1_rows, 3))
    unit_price = no_charge_prices(unit_price, basis, price_text)
    if set_lineage is None:
        lineage = _lineage(result, sets, line_set, sha, labels)
    else:
        # the sets' lineage (one row per set, in set order) spread to the lines
        at = _int64(line_set)
        lineage = {k: set_lineage[k].take(at) for k in ("order_ref", "st02")}
        for k, values in (("isa13", labels[0]), ("gs06", labels[1])):
            # usually one interchange and one group: the same value on every line
            lineage[k] = _repeat(values[0], n_lines) if len(set(values)) == 1 else set_lineage[k].take(at)
        lineage["source_file"] = _repeat(result.file, n_lines)
        lineage["source_sha256"] = _repeat(sha, n_lines)
    data = {
        "partner": _repeat(partner, n_lines),
        "order_ref": lineage["order_ref"],
        "po_number": po_numbers.take(_int64(line_set)),
        "line_number": pa.array(line_number.astype(np.int32), pa.int32()),
        "line_id": cells.column(po1_rows, 1),
        "quantity": quantity,
        "quantity_sent": _rounded(quantity_text, quantity),
        **dict(zip(("unit", "unit_sent"), capital_units(cells.column(po1_rows, 3)), strict=True)),
        "unit_price": unit_price,
        "price_basis": basis,
        "price_sent": price_sent,
        "price_basis_sent": basis_sent,
        "price_breaks_unclear": breaks_unclear,
        "price_multiplier_sent": multiplier,
        "price_unit": price_unit,
        "price_unit_sent": pa.nulls(n_lines, pa.string()),
        **{c: product_cols.get(c, pa.nulls(n_lines, pa.string())) for c in ("upc", "gtin", "ean", "vendor_part",
                                                                               "buyer_part")},
        "product_ids": product_ids,
        # PO105 and the PO106, PO108 ... qualifiers sent in small letters and read as their codes (hp: HP, bp: BP)
        "codes_case_sent": codes_case_sent(n_lines, [
            (np.arange(n_lines), ["PO105"] * n_lines, capital_bases(cells.column(po1_rows, 5))[1]),
            (np.repeat(np.arange(n_lines), len(pair_k))[q_ok], [f"PO1{k:02d}" for k in k_grid[q_ok].tolist()]
             if q_sent.null_count < len(q_sent) else [], q_sent),  # (named only when one was: codes_case_sent)
            *_lines_case_told(set_of_row, po1_rows, cells)]),
        "description": desc,
        "po4_pack": pack,
        "po4_inner_pack": inner_pack,
        "po4_size": size,
        "po4_size_unit": size_unit,
        **line_dates(set_of_row, po1_rows, codes, vocab, cells, LINE_DTM_DATES, ends=RANGE_ENDS),
        RANGE_START: pa.nulls(n_lines, pa.date32()),  # a line's own range begins on its own DTM 010
        **line_dates(set_of_row, po1_rows, codes, vocab, cells, LINE_EXPIRY),
        **{k: lineage[k] for k in ("source_file", "source_sha256", "isa13", "gs06", "st02")},
        "segment_position": pa.array((po1_rows - st_rows[line_set] + 1).astype(np.int32), pa.int32()),
        "file_segment": pa.array((po1_rows + 1).astype(np.int32), pa.int32()),
        "store_quantities": store_quantities(set_of_row, po1_rows, codes, vocab, cells),
        "prepack_components": prepack_components(set_of_row, po1_rows, codes, vocab, cells,
                                                 result.segments.component),
        # a line ordered by weight, as sent: filled when it is taken in as cases (rules.business.by_weight)
        **{c: pa.nulls(n_lines, ORDER_LINES.field(c).type) for c in WEIGHT_AS_SENT},
        **line_ship_tos(set_of_row, po1_rows, codes, vocab, cells),
        "line_refs": line_refs(set_of_row, po1_rows, codes, vocab, cells),
        "notes": messages(n_lines, *_in_line_loops(np.flatnonzero((codes == vocab.index("MSG")) & (set_of_row >= 0))
                                                   if "MSG" in vocab else np.empty(0, np.int64), po1_rows,
                                                   set_of_row)[::-1], cells),
        "line_prices": line_prices(set_of_row, po1_rows, codes, vocab, cells, result.segments.component),
        "tax_exempt_sent": tax_exemptions(set_of_row, po1_rows, codes, vocab, cells),
        **line_marks_for(set_of_row, po1_rows, codes, vocab, cells),
        "pids_sent": pids,
        "style_line_id": pa.nulls(n_lines, pa.string()),  # a size of a style line: rules.business.size_runs
        "hazmat_sent": hazmat_sent(n_lines, set_of_row, po1_rows, codes, vocab, cells),
        "sales_requirement": sales_requirements(set_of_row, po1_rows, codes, vocab, cells),
    }
    return pa.table(data, schema=ORDER_LINES)
