"""A transaction set's own counts, beyond segment and element syntax: CTT01 against the number of
line segments (PO1 in the 850, POC in the 860), the 850's CTT02 against the hash total of PO102,
repeated line ids (PO101, POC01), the 850's SDQ store quantities and SCH delivery schedules (not
applied; their sums against PO102), its line dates, SLN sublines that add, delete or substitute, and SAC
allowances and charges (not applied), the 860's heading and line dates (not applied). Columnar over all
sets at once; warnings, never in the 997.

Registered per set id in SET_CHECKS, which rules.structure runs for the sets it judges.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import schemas.codes_changes  # noqa: F401  (registers POC_LINE_ID_DUPLICATE)
from parsers.x12_dates import first_dated, taken_dtms
from parsers.x12_reader import ParseResult
from rules.elements import FlatElements
from schemas.changes import (
    CHANGE_LINE_DATES,
    DATE_TYPES,
    DELETE_TYPES,
    HEADER_DATES,
    KEPT_PARTIES,
    SUPPORTED_TYPES,
)
from schemas.countries import region_code
from schemas.findings import Detail, Finding, SacNamed, finding
from schemas.orders import (
    BACKORDER_ALLOWED,
    BLANKET_TYPES,
    BUYER_COST_PRICES,
    DATE_TWIN_NAMES,
    DATE_TWINS,
    DATES_NOT_KEPT,
    EXPIRATION,
    LINE_DTM_DATES,
    LINE_LOOP_ENDS,
    LIST_PRICE_BASES,
    NO_BACKORDER,
    SDQ_PAIRS,
    TXI_EXEMPTING,
    hazmat_marking,
)
from schemas.sac_words import AS_OUR_CHARGE, NOT_ON_OUR_810S, ON_OUR_810S  # what an item says of our 810s
from schemas.units import (
    EACH_UNITS,
    NO_CHARGE,
    PRICE_PER_EACH,
    PRICE_PER_MANY,
    PRICE_PER_MANY_OF,
    PRICE_PER_MEASURE,
    PRICE_PER_WEIGHT,
    in_many_of,
)
from schemas.x12 import Group, Interchange, TransactionSet
from schemas.x12dict import dictionary

if TYPE_CHECKING:  # an annotation only: the pydantic profile models cost ~0.2 s to import
    from schemas.fulfilment import InvoiceSettings

Sets = list[tuple[Interchange, Group, TransactionSet]]
_NUMBER = r"^-?(\d+\.?\d*|\.\d+)$"
HASH_DIGITS = 10  # CTT02 is R 1/10: a hash total drops its most significant digits beyond that


def _column(fe: FlatElements, rows: np.ndarray, position: int) -> tuple[pa.Array, np.ndarray]:
    """Element ``position`` of each row as a string array (null where absent or empty) and whether present."""
    if not len(rows):
        return pa.array([], pa.string()), np.zeros(0, dtype=bool)
    at = np.minimum(fe.offsets[rows] + position, max(len(fe.flat) - 1, 0))
    has = (fe.row_len[rows] > position) & (fe.lengths[at] > 0)
    return fe.flat.take(pa.array(at, pa.int64(), mask=None if has.all() else ~has)), has


def _where(result: ParseResult, ic: Interchange, g: Group, ts: TransactionSet, row: int) -> dict:
    return dict(file=result.file, isa13=ic.control_number, gs06=g.control_number, st02=ts.control_number,
                segment_position=row - ts.start + 1, file_segment=row + 1)


def _rows_in(result: ParseResult, seg_id: str, mine: np.ndarray, set_of_row: np.ndarray) \
        -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``seg_id`` inside the sets marked in ``mine`` and the index of each one's set."""
    rows = result.segments.rows_of(seg_id)
    owner = set_of_row[rows]
    keep = mine[owner]  # owner -1 reads the last slot of ``mine``: False
    return rows[keep], owner[keep]


def _line_checks(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray, fe: FlatElements,
                 line_seg: str, duplicate_code: str, what: str, hash_total: bool) -> list[Finding]:
    out: list[Finding] = []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    line_rows, line_owner = _rows_in(result, line_seg, mine, set_of_row)
    out += _duplicate_ids(result, sets, fe, line_rows, line_owner, line_seg, duplicate_code)
    ctt_rows, ctt_owner = _rows_in(result, "CTT", mine, set_of_row)
    if not len(ctt_rows):
        return out
    # the lines before each CTT (a line segment after the CTT is out of order: the walk reports it)
    set_starts = np.fromiter((sets[k][2].start for k in ctt_owner.tolist()), dtype=np.int64, count=len(ctt_owner))
    before = np.searchsorted(line_rows, ctt_rows) - np.searchsorted(line_rows, set_starts)
    ctt01, _ = _column(fe, ctt_rows, 1)
    sent = _floats(ctt01, r"^\d{1,15}$")
    off = np.flatnonzero(~np.isnan(sent.astype(np.float64)) & (sent.astype(np.float64) != before))
    for j in off.tolist():
        row, k = int(ctt_rows[j]), int(ctt_owner[j])
        ic, g, ts = sets[k]
        n_lines = ctt01[j].as_py()
        out.append(finding("CTT_LINE_COUNT_MISMATCH", f"CTT01 is {n_lines} but the {what} has {before[j]} "
                           f"{line_seg} line(s).", seg="CTT", element="CTT01", value=n_lines,
                           **_where(result, ic, g, ts, row)))
    if hash_total:
        out += _hash_totals(result, sets, fe, line_rows, line_owner, ctt_rows, ctt_owner, line_seg)
    return out


def _duplicate_ids(result: ParseResult, sets: Sets, fe: FlatElements, line_rows: np.ndarray, line_owner: np.ndarray,
                   line_seg: str, code: str) -> list[Finding]:
    """The second and later lines of a set that repeat a line id (element 01)."""
    out: list[Finding] = []
    ids, has = _column(fe, line_rows, 1)
    if not len(ids) or _ascending_numbers(ids, line_owner):
        return out
    encoded = ids.dictionary_encode()
    key = line_owner * (len(encoded.dictionary) + 1) + pc.fill_null(encoded.indices, -1).to_numpy(
        zero_copy_only=False).astype(np.int64) + 1
    order = np.argsort(key, kind="stable")
    ks = key[order]
    again = np.zeros(len(ks), dtype=bool)
    again[1:] = ks[1:] == ks[:-1]
    for j in np.flatnonzero(again & has[order]).tolist():
        first = order[np.searchsorted(ks, ks[j])]
        row, k = int(line_rows[order[j]]), int(line_owner[order[j]])
        ic, g, ts = sets[k]
        line_id = ids[int(order[j])].as_py()
        out.append(finding(code, f"{line_seg}01 {line_id!r} repeats (first at segment "
                           f"{int(line_rows[first]) - ts.start + 1}).", seg=line_seg, element=f"{line_seg}01",
                           value=line_id, **_where(result, ic, g, ts, row)))
    return out


def _ascending_numbers(ids: pa.Array, owner: np.ndarray) -> bool:
    """The common case, decided in one pass: every line id is a whole number, ascending within its set
    (then none repeats)."""
    if ids.null_count:
        return False
    try:
        n = pc.cast(ids, pa.int64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return False
    return bool(((n[1:] > n[:-1]) | (owner[1:] != owner[:-1])).all())


def _hash_totals(result: ParseResult, sets: Sets, fe: FlatElements, line_rows: np.ndarray, line_owner: np.ndarray,
                 ctt_rows: np.ndarray, ctt_owner: np.ndarray, line_seg: str) -> list[Finding]:
    """CTT02 against the sum of the lines' quantities (element 02 where present). Screened in floats
    over all sets at once; a set that seems off is summed exactly (Decimal) before it is reported."""
    ctt02, sent_has = _column(fe, ctt_rows, 2)
    if not sent_has.any():
        return []
    qty, _ = _column(fe, line_rows, 2)
    quantities = _floats(qty)
    ok_line = ~np.isnan(quantities)
    totals = np.bincount(line_owner[ok_line], weights=quantities[ok_line], minlength=len(sets))
    bad_sets = set(line_owner[~ok_line & qty.is_valid().to_numpy(zero_copy_only=False)].tolist())  # no total
    sent = _floats(ctt02)
    near = np.isclose(sent, totals[ctt_owner], rtol=1e-12, atol=1e-9) | np.isnan(sent)
    out: list[Finding] = []
    for j in np.flatnonzero(~near & sent_has).tolist():
        k = int(ctt_owner[j])
        if k in bad_sets:
            continue
        mine = line_owner == k
        total = sum((Decimal(q) for q in qty.filter(pa.array(mine)).to_pylist() if q is not None), Decimal(0))
        hashed = ctt02[j].as_py()
        if _hash_matches(hashed, total):
            continue
        ic, g, ts = sets[k]
        out.append(finding("CTT_QUANTITY_MISMATCH", f"CTT02 is {hashed} but the {line_seg}02 quantities add up to "
                           f"{total}.", seg="CTT", element="CTT02", value=hashed,
                           **_where(result, ic, g, ts, int(ctt_rows[j]))))
    return out


def _floats(values: pa.Array, pattern: str = _NUMBER) -> np.ndarray:
    """Number strings as float64 (NaN where null or not matching ``pattern``): one cast when the cast
    takes every value (what it takes beyond X12's R, such as "inf", the element checks report), else
    the values matching ``pattern``."""
    try:
        floats = pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)
        return floats if pattern == _NUMBER else np.where(np.floor(floats) == floats, floats, np.nan)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.match_substring_regex(values, pattern)
    if not pc.all(ok).as_py():
        values = pc.if_else(ok, values, pa.scalar(None, pa.string()))
    return pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False)


def _hash_matches(sent: str, total: Decimal) -> bool:
    """CTT02 equals the total, or the total with its most significant digits dropped to fit R 1/10."""
    try:
        value = Decimal(sent)
    except InvalidOperation:
        return True  # not a number: an element finding already
    if value == total:
        return True
    exponent = total.as_tuple().exponent
    decimals = max(-exponent, 0) if isinstance(exponent, int) else 0
    return abs(value) == abs(total) % (Decimal(10) ** (HASH_DIGITS - decimals))


# Every code the set checks emit: warnings about what a set says (its counts, what it asks that we do not
# apply), the same in every X12 version, so a set of a version we hold no dictionary for (003040 ...) gets
# them too (rules.structure.COMMON_CODES)
SET_CHECK_CODES = frozenset({
    "CTT_LINE_COUNT_MISMATCH", "CTT_QUANTITY_MISMATCH", "PO1_LINE_ID_DUPLICATE", "SDQ_NOT_APPLIED",
    "SDQ_QUANTITY_MISMATCH", "SCH_NOT_APPLIED", "SCH_QUANTITY_MISMATCH", "LINE_DATES_NOT_APPLIED",
    "SLN_NOT_APPLIED", "SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "POC_LINE_ID_DUPLICATE", "CHANGE_HEADER_NOT_APPLIED",
    "CHANGE_LINE_DATES_NOT_APPLIED", "HEADING_DATES_NOT_APPLIED", "SHIP_TO_NOT_APPLIED", "LINE_SHIP_TO_NOT_APPLIED",
    "CHANGE_LINE_SHIP_TO_NOT_APPLIED", "LINE_MARK_FOR_NOT_APPLIED",
    "PREPACK_COMPONENT_UNREADABLE", "PREPACK_QUANTITY_MISMATCH", "PO_TOTAL_MISMATCH", "CTP_PRICE_MISMATCH",
    "PO_TAX_MISMATCH", "LINE_AMOUNT_MISMATCH"})


# A set check: (parse result, the sets being judged, indexes of those of its set id, each row's index in
# the sets or -1, the flattened elements) -> findings.
SetCheck = Callable[[ParseResult, Sets, np.ndarray, np.ndarray, FlatElements], list[Finding]]


def check_850_counts(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                     fe: FlatElements, invoice: InvoiceSettings | None = None,
                     components: bool = False, marks_carried: bool = True,
                     refs_echoed: Collection[str] = frozenset(), agreed_currency: str | None = None) -> list[Finding]:
    """CTT01 vs the PO1 count, CTT02 vs the hash total of PO102, repeated PO101, SDQ, SCH, line dates, SLN,
    SAC (warnings; ``invoice``: the partner's invoice settings, by which each SAC says whether our 810s carry
    it); with ``components`` (the partner's 856s list prepacks by their components), the prepacks' components;
    ``refs_echoed``: the line REFs the partner's documents carry back (not quoted as notes); ``agreed_currency``:
    the currency agreed with the partner (customers.csv; None: not known), that of a PO sending no heading CUR."""
    return (_line_checks(result, sets, chosen, set_of_row, fe, "PO1", "PO1_LINE_ID_DUPLICATE", "order",
                         hash_total=True) + _destination_quantities(result, sets, chosen, set_of_row, fe)
            + _schedules(result, sets, chosen, set_of_row, fe) + _po1_dates(result, sets, chosen, set_of_row, fe)
            + _heading_dates(result, sets, chosen, set_of_row, fe)
            + _sublines(result, sets, chosen, set_of_row, fe)
            + (_prepacks(result, sets, chosen, set_of_row, fe) if components else [])
            + _allowances(result, sets, chosen, set_of_row, fe, invoice)
            + _notes(result, sets, chosen, set_of_row, fe, echoed=refs_echoed, agreed_currency=agreed_currency)
            + _ship_tos(result, sets, chosen, set_of_row, fe)
            + _line_marks_for(result, sets, chosen, set_of_row, fe, marks_carried)
            + _stated_totals(result, sets, chosen, set_of_row, fe)
            + _stated_line_amounts(result, sets, chosen, set_of_row, fe)
            + _contract_prices(result, sets, chosen, set_of_row, fe)
            + _stated_taxes(result, sets, chosen, set_of_row, fe, invoice))


def _number(value: str, scale: int = 0) -> str:
    """A numeric element as a reader would write it (N2 scaled: 112500 -> 1125.00; .5 -> 0.5); as sent
    when it is no number (an element finding says so)."""
    try:
        number = Decimal(value).scaleb(scale)
    except InvalidOperation:
        return value
    if scale and number == number.quantize(Decimal(1).scaleb(scale)):
        return f"{number:.{-scale}f}"
    return f"{number:f}"  # every digit sent (an N2 written with a point, 1125.555: never rounded to 11.26)


def n2_text(value: str) -> str:
    """An N2 element (SAC05, ITA07: two implied decimals) as a reader would write it: digits shifted two
    places ("2500" -> 25.00); a value written with its decimal point ("25.00", as some translators write an
    N2: a syntax deviation, but its meaning is unambiguous) as the number it states, never shifted (25.00,
    not 0.25)."""
    if "." not in value:
        return _number(value, -2)
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return f"{number:.2f}" if number == number.quantize(Decimal("0.01")) else f"{number:f}"


_SAC_KINDS = {"A": "allowance", "C": "charge"}  # SAC01; N (no allowance or charge) and others ask nothing
# SAC12 (element 331, allowance or charge method of handling): how the partner settles it
SAC_HANDLING = {
    "01": "bill back", "02": "off invoice", "03": "vendor check to customer", "04": "credit customer account",
    "05": "charge to be paid by vendor", "06": "charge to be paid by customer", "07": "optional",
    "08": "off gross quantity invoiced", "09": "allowance to be issued by vendor",
    "10": "allowance to be issued by reseller", "11": "charge denied by vendor", "12": "cancel allowance",
    "13": "provide amount", "15": "information only", "18": "non-payable tax", "ZZ": "mutually defined",
}


def sac_handling(code: str) -> str:
    """SAC12 as the SAC_NOT_APPLIED words write it: "handling 02 off invoice" (a code we do not know: as sent)."""
    words = SAC_HANDLING.get(code)
    return f"handling {code}" + (f" {words}" if words else "")


def sac_description(text: str) -> str:
    """SAC15 (a free-form description) as a SAC_NOT_APPLIED item may hold it: without the characters that
    separate the items (``;``), quote it (``"``) or open its line (``(``, ``)``), at most 80 characters."""
    return " ".join(text.translate(str.maketrans(";\"()", "    ")).split())[:80]


_SAC_NAMED = 10  # SACs named in the message; the rest counted
_WEIGHT_BILLED = frozenset({"LB", "KG"})  # the units a catch-weight line's net weight is billed in


def sac_carried(kind: str | None, code: str | None, handling: str | None, priced: bool, carried: Collection[str],
                agreed: Collection[tuple[str, str]], agency_code: str | None = None) -> bool:
    """Does an 810 of ours carry this SAC of the PO (the one rule: engine.invoice_po_sacs picks the SACs it
    writes by it, on_our_810s tells the SAC_NOT_APPLIED words)? An allowance or charge (SAC01 A / C) with a code
    (SAC02, or without it the agency's code, ``agency_code``: SAC04 with its SAC03, as X12's R0203 allows and our
    810 writes them back), an amount, percent or rate (``priced``), its SAC12 among ``carried`` (the profile's
    po_allowances), and no kind and code of ``agreed`` (the profile's own charges bill that one: never billed
    twice)."""
    return (kind in _SAC_KINDS and bool(code or agency_code) and priced and (handling or "") in carried
            and (kind, code) not in agreed)


def on_our_810s(kind: str | None, code: str | None, handling: str | None, priced: bool,
                invoice: InvoiceSettings, agency_code: str | None = None) -> bool:
    """sac_carried for a partner's ``invoice`` settings. (The words are the 850's: an 860 that later changes
    the order's SACs changes what its 810s carry, engine.invoice_po_sacs.current_po_sacs.)"""
    return sac_carried(kind, code, handling, priced, invoice.po_allowances,
                       {(c.kind, c.code) for c in invoice.charges}, agency_code)


def our_charge_for(kind: str | None, code: str | None, fob: str | None, invoice: InvoiceSettings) -> str:
    """The profile's own charge (``invoice.charges``) that our 810s bill in place of the PO's SAC of ``kind`` and
    ``code`` (sac_carried never bills that one twice), as a SAC_NOT_APPLIED item names it ("charge D240 25.00 per
    order", "allowance C310 2 % of each 810's lines"); "" when none of that kind and code is billed on a PO of
    heading FOB01 ``fob`` (a charge limited to some FOB01s, Charge.fob, as engine.invoice bills it)."""
    for c in invoice.charges:
        if (c.kind, c.code) == (kind, code) and (not c.fob or (fob or "") in c.fob):
            value = (f"{_number(str(c.percent))} % of each 810's lines" if c.percent is not None
                     else f"{c.amount:.2f} per {c.per or invoice.charge_scope}")
            return f"{_SAC_KINDS[c.kind]} {c.code} {value}"
    return ""


# the allowance and charge segments and the positions of their indicator, code, amount (N2), percent basis,
# percent, rate, method of handling and description: SAC (004010 on, and most 003xxx), and ITA, which
# 003010/003020 850s carry instead (Allowance, Charge or Service: ITA03 special services code, ITA07 total amount,
# ITA08 percent qualifier, ITA09 percent, ITA06 rate, ITA04 method of handling, ITA13 description)
_ALLOWANCE_SEGMENTS = (("SAC", (1, 2, 5, 6, 7, 8, 12, 15)), ("ITA", (1, 3, 7, 8, 9, 6, 4, 13)))


_AMOUNT_AT = {seg: positions[2] for seg, positions in _ALLOWANCE_SEGMENTS}  # SAC05, ITA07


def _pointed_words(amounts: list[str] | None, g: Group, ts: TransactionSet) -> str:
    """What the words add for N2 amounts sent with a decimal point ("SAC05 25.00"), read as the numbers
    they state: nothing when the set's version has a dictionary that judges the set (its element check
    already reports each one, IMPLIED_DECIMAL_STATED, a warning noted in the 997 as AK4 code 6) or when there
    is none; else (a
    003010 850's ITA07 "25.00", a version we hold no dictionary for) a sentence naming them, so the reading
    is never silent."""
    if not amounts:
        return ""
    d = dictionary(g.version)
    if d is not None and d.set_table(ts.set_id) is not None:
        return ""
    shown = ", ".join(amounts[:_SAC_NAMED]) + (f" and {len(amounts) - _SAC_NAMED} more"
                                               if len(amounts) > _SAC_NAMED else "")
    return (f" {shown} {'was' if len(amounts) == 1 else 'were'} sent with a decimal point, which an N2 element "
            "does not carry (two implied decimals): read as the number stated, not shifted two places.")


def _allowances(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                fe: FlatElements, invoice: InvoiceSettings | None = None) -> list[Finding]:
    """SAC_NOT_APPLIED once per 850 with SAC (or, in the older versions, ITA) allowances or charges (heading
    or PO1 loops): we apply none of them to prices or 855s, so each is named with its amount (SAC05 / ITA07,
    two implied decimals), percent (SAC07 / ITA09) or rate (SAC08 / ITA06) and its line, and, with the
    partner's ``invoice`` settings, whether our 810s carry it (on_our_810s: po_allowances by SAC12)."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    found: list[tuple[int, int, str, list]] = []  # (row, set, segment id, [indicator, code, amount, percent, rate])
    rate_units: dict[int, tuple[str, str | None]] = {}  # SAC row -> its SAC09 (the unit its rate is per), SAC10
    agencies: dict[int, str] = {}  # SAC row without SAC02 -> "SAC03:SAC04", the agency's code naming it
    for seg, positions in _ALLOWANCE_SEGMENTS:
        rows, owner = _rows_in(result, seg, mine, set_of_row)
        if len(rows):
            values = [_column(fe, rows, k)[0].to_pylist() for k in positions]
            found += [(r, o, seg, [v[j] for v in values])
                      for j, (r, o) in enumerate(zip(rows.tolist(), owner.tolist(), strict=True))]
            if seg == "SAC":
                rate_units.update((r, (u, q)) for r, u, q in zip(rows.tolist(), _column(fe, rows, 9)[0].to_pylist(),
                                                                 _column(fe, rows, 10)[0].to_pylist(), strict=True)
                                  if u)
                # SAC03/SAC04 of one without SAC02: the agency's code names it (and our 810 writes both back)
                agencies.update((r, f"{a}:{c}") for r, a, c, code in zip(
                    rows.tolist(), _column(fe, rows, 3)[0].to_pylist(), _column(fe, rows, 4)[0].to_pylist(),
                    values[1], strict=True) if a and c and not code)
    if not found:
        return []
    found.sort(key=lambda f: f[0])
    sac_rows = np.array([f[0] for f in found], dtype=np.int64)
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    at = np.searchsorted(line_rows, sac_rows, side="right") - 1
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    # the units each PO1 may be billed in (PO103; a line priced per pound, PO105 PP ..., may be billed by weight:
    # its pounds or kilograms too), for a rate per its SAC09 unit (engine.invoice_po_sacs: one per a unit no line
    # is billed in is carried as its stated amount, none without one; a line's own rate for the SAC10 units the PO
    # states for the line is carried by them)
    line_units = [{u or ""} | (_WEIGHT_BILLED if b in PRICE_PER_WEIGHT else set()) for u, b in zip(
        _column(fe, line_rows, 3)[0].to_pylist(), _column(fe, line_rows, 5)[0].to_pylist(), strict=True)]
    fobs: dict[int, str | None] = {}  # set -> its heading's first FOB01 (a profile charge limited by FOB01)
    if invoice is not None and any(c.fob for c in invoice.charges):
        fob_rows, fob_owner = _rows_in(result, "FOB", mine, set_of_row)
        first_line = {int(o): int(r) for r, o in zip(line_rows[::-1].tolist(), line_owner[::-1].tolist(),
                                                      strict=True)}
        for r, o, v in zip(fob_rows.tolist(), fob_owner.tolist(), _column(fe, fob_rows, 1)[0].to_pylist(),
                           strict=True):
            if o not in fobs and r < first_line.get(o, r + 1):
                fobs[o] = v
    asked: dict[int, list[tuple[int, str, str, str | None]]] = {}  # set -> (row, text, segment id, code)
    billed: dict[int, list[bool]] = {}  # set -> whether our 810s bill each (its own SAC, or our charge for it)
    said: dict[int, list[str]] = {}  # set -> what each says of our 810s (its finding's Detail.our_810s)
    as_data: dict[int, list[SacNamed]] = {}  # set -> each SAC as data (its finding's Detail.sacs)
    pointed: dict[int, list[str]] = {}  # set -> its N2 amounts sent with a decimal point ("SAC05 25.00")
    for j, (row, k, seg, (kind, code, amount, basis, percent, rate, handling, note)) in enumerate(found):
        if kind not in _SAC_KINDS:
            continue
        agency = agencies.get(row)
        what = [f"{_SAC_KINDS[kind]} {code or '(no code)'}"]
        money = ([n2_text(amount)] if amount is not None else []) + (  # SAC05 and ITA07 are N2
            [f"{_number(percent)} %" + (f" of basis {basis}" if basis else "")]
            if percent is not None else []) + (
            [f"rate {_number(rate)}"] if rate is not None else []) + (
            [sac_handling(handling)] if handling else []) + (
            [f'"{sac_description(note)}"'] if note and sac_description(note) else [])
        if agency:  # named by the agency's code, its own first ", "-part (no figure of the words' readers)
            money.insert(0, f"agency {agency}")
        line = int(at[j])
        own_line = line >= 0 and line_owner[line] == k
        line_id = str(line_ids[line] or line + 1 - int(np.searchsorted(line_owner, k))) if own_line else None
        plain = " ".join(what) + (" " + ", ".join(money) if money else "") + (f" (line {line_id})" if own_line
                                                                               else "")
        as_data.setdefault(k, []).append(SacNamed(
            kind=kind, code=code or None, agency_code=agency or None, line_id=line_id,
            amount=n2_text(amount) if amount else None, basis=basis or None,
            percent=_number(percent) if percent else None, rate=_number(rate) if rate else None,
            handling=handling or None, description=(sac_description(note) or None) if note else None, words=plain))
        if invoice is not None:
            priced = any(v not in (None, "") for v in (amount, percent, rate))
            on = on_our_810s(kind, code, handling, priced, invoice, agency)
            if on and rate not in (None, "") and amount in (None, "") and row in rate_units:
                unit, counted = rate_units[row]
                if line >= 0 and line_owner[line] == k:  # its line's: in the line's unit, or SAC10 of it stated
                    on = unit in line_units[line] or (_decimal(counted) or 0) > 0
                else:  # a heading SAC: the set's lines
                    on = all(unit in line_units[i] for i in np.flatnonzero(line_owner == k).tolist())
            ours = "" if on else our_charge_for(kind, code, fobs.get(k), invoice)
            money.append(ON_OUR_810S if on else f"{AS_OUR_CHARGE} {ours}" if ours
                         else NOT_ON_OUR_810S)
            billed.setdefault(k, []).append(on or bool(ours))
            said.setdefault(k, []).append(money[-1])
        text = " ".join(what) + (" " + ", ".join(money) if money else "")
        if own_line:
            text += f" (line {line_id})"
        asked.setdefault(k, []).append((row, text, seg, code))
        if amount is not None and "." in amount:
            pointed.setdefault(k, []).append(f"{seg}{_AMOUNT_AT[seg]:02d} {amount}")
    out: list[Finding] = []
    for k, items in sorted(asked.items()):
        ic, g, ts = sets[k]
        read = _pointed_words(pointed.get(k), g, ts)
        if invoice is not None and all(billed.get(k, [False])) and not read:
            continue  # our 810s bill every one (its own SAC, or our charge of its kind and code): nothing to agree
        first, _text, seg, code = items[0]
        named = _listed([t for _r, t, _s, _c in items], _SAC_NAMED)
        words = ("each says whether our 810s carry it (those whose SAC12 the partner's [fulfilment.invoice] "
                 "po_allowances lists; as our own charge those of a kind and code its own charges bill): "
                 f"{named}. Agree the others with the partner."
                 if invoice is not None else
                 "our 810s carry those whose SAC12 the partner's [fulfilment.invoice] po_allowances lists, none its "
                 f"own charges bill: {named}. Agree them with the partner.")
        out.append(finding("SAC_NOT_APPLIED", "The PO asks for allowances or charges we apply to no price or 855; "
                           + words + read,
                           seg=seg,
                           element="SAC02" if seg == "SAC" else "ITA03", value=code,
                           detail=Detail(our_810s=tuple(said.get(k, ())[:_SAC_NAMED]),
                                         sacs=tuple(as_data[k][:_SAC_NAMED]),
                                         sacs_more=max(0, len(as_data[k]) - _SAC_NAMED)),
                           **_where(result, ic, g, ts, first)))
    return out


# free-form notes: MSG01 (the N9 loop's message text, heading or PO1 loop), MTX02 (005010's text segment, which
# took MSG's place in the N9 loops: Kroger's 5010 850 sends its receiving notes so) and NTE02 (the note segment of
# the older versions, and of translators that send it still); TD404 and PKG05, the free-form special handling of a
# load and its packing or marking ("KEEP FROZEN 0F OR BELOW", "STRETCH WRAP PALLETS": US Foods' frozen loads, McLane's
# pallets), which no shipment of ours carries either
_NOTE_TEXTS = (("MSG", 1), ("MTX", 2), ("NTE", 2), ("TD4", 4), ("PKG", 5))
# a PO1 loop's own TD5: the line's carrier (TD503) and service (TD505 routing, TD512 service level), as drop-ship
# hubs send a consumer's shipping choice per line (CommerceHub: FedEx Home Delivery for one line, UPS Ground for the
# heading's). Only the heading's first TD5 is kept (855 echo, 856 TD504): a line's other than it is quoted with
# the notes
_LINE_ROUTING = ("TD5", (3, 5, 12))
# PWK, paperwork the buyer asks to come with the goods or apart (PWK01 the report type: CT certification, CP
# certificate of compliance, PL packing list ...; PWK02 how: BM by mail, EL electronically, BP with the parts ...;
# PWK07 its description), in the heading or a PO1 loop: Fisher Scientific's supplier 850 asks per line for the lot's
# certificates. No 855, 856 or warehouse order of ours carries or answers them: quoted with the notes
_PAPERWORK = ("PWK", (1, 2, 7))
# an N9 loop of notes (N901 L1, Letters or Notes) that says its note in the N9 itself, in N903 (free-form
# description), with no MSG or MTX in its loop: Lands' End's 850 per PO1 loop ("N9*L1*PACKING*ON HANGERS"). Quoted
# with the notes (N902, its title, before it); an N9 L1 followed by its MSG/MTX is that message's title, quoted with
# it; an N9 L1 with N902 alone is a title whose messages were left out ("N9*L1*SPECIAL INSTRUCTIONS"), no note
_NOTE_N9 = ("N9", "L1", (2, 3))
_NOTES_NAMED = 10  # notes quoted in the message; the rest counted


# the element a finding on a PWK or an N9 note points at (a line's TD5: TD505)
_OTHER_NOTE_AT = {"PWK": 1, "N9": 3, "REF": 2, "TD3": 1, "MAN": 2, "PO3": 4, "DIS": 1, "INC": 1, "LDT": 1, "CSH": 1,
                  "IT8": 1, "CTB": 2, "N1": 1, "ITD": 1, "CUR": 2}
# terms of the sale an 850 may state that no order, 855, 856, warehouse order or 810 of ours applies, each with the
# elements quoted: DIS (discount detail: a quantity or volume discount, DIS01 its terms, DIS02/DIS03 its base,
# DIS04/DIS05 its limit), INC (installment information: the bill paid in INC03 parts of INC05), LDT (lead time: LDT02
# periods of LDT03 from the event LDT01 names, by LDT04), CTB (restrictions or conditions: Burlington's
# "CTB*OR*PRETICKET WITH BURLINGTON TICKET", a minimum "CTB*OR**01*12"), in the heading or a PO1 loop; a PO1
# loop's PO3 with a price (PO304: an additional item detail priced otherwise than the PO1, "PO3*ZZ**QTE*2.95**24*EA*
# QUOTED PRICE 24 AND UP"; one with a quantity and words alone describes the item, as AT&T's); a PO1 loop's own CSH
# (the line's sales requirement: SC ship complete) other than the heading's, which the order keeps, and its IT8
# (conditions of sale: IT801 the same codes, IT807 the substitution allowed), but for a line's own back-order rule
# (CSH*N, CSH*Y, IT8*N: ORDER_LINES sales_requirement, applied to the line by engine.answer)
_TERMS = (("DIS", (1, 2, 3, 4, 5, 6)), ("INC", (1, 2, 3, 4, 5)), ("LDT", (1, 2, 3, 4)), ("CTB", (1, 2, 3, 4, 5, 6)))
# N101 (entity identifier 98) of the parties the goods are ultimately for that no order, 855, 856 or warehouse order
# of ours names (Z7, mark for, is kept): MA (party for whom the item is ultimately intended), UD (ultimate
# destination); quoted with their names and ids
_ULTIMATE_PARTIES = frozenset({"MA", "UD"})
_PRICED_PO3 = ("PO3", (1, 2, 3, 4, 5, 6, 7, 8), 4)
_LINE_SALE = (("CSH", (1, 2, 3, 4, 5, 6, 7, 8)), ("IT8", (1, 2, 3, 4, 5, 6, 7)))


def _n9_notes(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
              fe: FlatElements) -> list[tuple[int, int, str, str]]:
    """The N9 L1 notes said in the N9 itself (_NOTE_N9): (row, set, "N9 L1 <N902 N903>", "N9") each, of the N9s
    with an N903 whose loop holds no MSG or MTX (its DTMs skipped)."""
    seg, qualifier, ks = _NOTE_N9
    rows, owner = _rows_in(result, seg, mine, set_of_row)
    if not len(rows):
        return []
    dates = result.segments.rows_of("DTM")
    after = rows + 1
    while (on_date := np.isin(after, dates)).any():
        after = np.where(on_date, after + 1, after)
    told = np.isin(after, np.concatenate([result.segments.rows_of("MSG"), result.segments.rows_of("MTX")]))
    out = []
    for row, own, kind, has_message, *values in zip(
            rows.tolist(), owner.tolist(), _column(fe, rows, 1)[0].to_pylist(), told.tolist(),
            *(_column(fe, rows, k)[0].to_pylist() for k in ks), strict=True):
        text = " ".join(v.strip() for v in values if v and v.strip())
        if kind == qualifier and not has_message and values[-1] and values[-1].strip():
            out.append((row, own, f"{seg} {qualifier} {text}", seg))
    return out


def _terms_asked(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
                 fe: FlatElements, agreed_currency: str | None = None) -> list[tuple[int, int, str, str]]:
    """The terms of the sale a PO states that nothing of ours applies (_TERMS, _PRICED_PO3, _LINE_SALE): a DIS,
    INC, LDT or CTB anywhere; an N1 loop of a party the goods are ultimately for (_ULTIMATE_PARTIES: N1*MA,
    N1*UD); a PO1 loop's PO3 with a price; a PO1 loop's CSH or IT8 that asks other than the heading's CSH01 (kept:
    ORDERS.sales_requirement; an IT8 whose IT801 is the heading's and says nothing else asks nothing more) and other
    than the line's own back-order rule (_applied_sale: CSH*N alone, kept and applied to its line). (row,
    set, "DIS QTY RP 3 DQ 10", "DIS") each, for NOTES_NOT_KEPT to quote rather than the discount, the instalments,
    the lead time, the restriction, the consignee, the line's price or its no-back-order be dropped without a
    word."""
    out: list[tuple[int, int, str, str]] = []

    def said(seg: str, ks: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
        rows, owner = _rows_in(result, seg, mine, set_of_row)
        columns = [_column(fe, rows, k)[0].to_pylist() for k in ks] if len(rows) else []
        values = [[(v or "").strip() for v in row] for row in zip(*columns, strict=True)] if columns else []
        return rows, owner, values

    for seg, ks in _TERMS:
        rows, owner, values = said(seg, ks)
        out += [(row, own, " ".join([seg, *(v for v in vals if v)]), seg)
                for row, own, vals in zip(rows.tolist(), owner.tolist(), values, strict=True) if any(vals)]
    rows, owner = _rows_in(result, "N1", mine, set_of_row)  # (every PO's: its few MA / UD read one by one)
    if len(rows):
        ultimate = pc.fill_null(pc.is_in(_column(fe, rows, 1)[0], value_set=pa.array(sorted(_ULTIMATE_PARTIES))),
                                False).to_numpy(zero_copy_only=False)
        for row, own in zip(rows[ultimate].tolist(), owner[ultimate].tolist(), strict=True):
            values = [(_column(fe, np.array([row]), k)[0][0].as_py() or "").strip() for k in (1, 2, 3, 4)]
            if any(values[1:]):
                out.append((row, own, " ".join(["N1", *(v for v in values if v)]), "N1"))
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    if not len(line_rows):
        return out

    def in_line(rows: np.ndarray, owner: np.ndarray) -> list[bool]:
        line = np.searchsorted(line_rows, rows, side="right") - 1
        return ((line >= 0) & (line_owner[np.maximum(line, 0)] == owner)).tolist()

    seg, ks, price_at = _PRICED_PO3
    rows, owner, values = said(seg, ks)
    out += [(row, own, " ".join([seg, *(v for v in vals if v)]), seg) for row, own, vals, inside in zip(
        rows.tolist(), owner.tolist(), values, in_line(rows, owner), strict=True) if inside and vals[price_at - 1]]
    out += _line_terms(result, mine, set_of_row, fe, in_line, agreed_currency)
    heading: dict[int, str] = {}  # each set's first heading CSH01: the order's sales requirement
    kept: dict[int, str] = {}  # each line's own sales requirement (PO1 row -> its first CSH01, else IT801)
    for seg, ks in _LINE_SALE:
        rows, owner, values = said(seg, ks)
        inside = in_line(rows, owner)
        lines = line_rows[np.maximum(np.searchsorted(line_rows, rows, side="right") - 1, 0)].tolist()
        for own, vals, line, po1 in zip(owner.tolist(), values, inside, lines, strict=True):
            if not line and seg == "CSH":
                heading.setdefault(own, vals[0])
            elif line and vals[0] and po1 not in kept:
                kept[po1] = vals[0]
        for row, own, vals, line, po1 in zip(rows.tolist(), owner.tolist(), values, inside, lines, strict=True):
            asks = [v for v in vals if v]
            if line and asks and asks != [heading.get(own)] and not _applied_sale(asks, kept.get(po1)):
                out.append((row, own, " ".join([seg, *asks]), seg))
    return out


def _applied_sale(asks: list[str], kept: str | None) -> bool:
    """Whether a PO1 loop's CSH or IT8 (``asks``: its elements sent) says nothing but the line's own sales
    requirement (``kept``: ORDER_LINES sales_requirement) and engine.answer applies that: a back-order rule
    (NO_BACKORDER, BACKORDER_ALLOWED)."""
    return asks == [kept] and kept.upper() in (*NO_BACKORDER, *BACKORDER_ALLOWED)


def _line_terms(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray, fe: FlatElements,
                in_line: Callable[[np.ndarray, np.ndarray], list[bool]],
                agreed_currency: str | None = None) -> list[tuple[int, int, str, str]]:
    """A PO1 loop's own ITD (the line's terms of sale: CVS's line 2 at 1 % 20 days where the heading offers 2 % 30)
    other than the heading's first, the order's (its 810's ITD), and a PO1 loop's own CUR (position 020, not a CTP's
    or a SAC's loop's: the row before it is neither) whose CUR02 is not the heading's (or the heading sent none: the
    order is in the partner's agreed currency, ``agreed_currency``: customers.csv's; a line in it says nothing more;
    None, not known: told): (row, set, "ITD 01 3 1 20 60", "ITD") each, for NOTES_NOT_KEPT.
    The line is billed on the order's terms, in the order's currency; both were dropped without a word."""
    out: list[tuple[int, int, str, str]] = []
    loops = np.concatenate([result.segments.rows_of("CTP"), result.segments.rows_of("SAC")])
    for seg, ks, compared in (("ITD", tuple(range(1, 16)), None), ("CUR", (1, 2), 1)):
        rows, owner = _rows_in(result, seg, mine, set_of_row)
        if not len(rows):
            continue
        own_loop = ~np.isin(rows - 1, loops) if seg == "CUR" else np.ones(len(rows), bool)  # a CUR after a CTP
        # or a SAC is that loop's
        lined = np.asarray(in_line(rows, owner), bool) & own_loop
        if not lined.any():  # only heading ones (every PO's ITD): nothing a line says apart
            continue
        # only the lines' own and the heading ones of their sets read as text (a night's 10,000 heading ITDs
        # of 15 elements each are not)
        kept = lined | (~lined & own_loop & np.isin(owner, owner[lined]))
        rows, owner, own_loop = rows[kept], owner[kept], own_loop[kept]
        values = [[(v or "").strip() for v in row] for row in zip(
            *(_column(fe, rows, k)[0].to_pylist() for k in ks), strict=True)]
        heading: dict[int, list[str]] = {}
        inside = in_line(rows, owner)
        for own, vals, line, ok in zip(owner.tolist(), values, inside, own_loop.tolist(), strict=True):
            if not line and ok:
                heading.setdefault(own, vals)
        for row, own, vals, line, ok in zip(rows.tolist(), owner.tolist(), values, inside, own_loop.tolist(),
                                            strict=True):
            theirs = heading.get(own)
            if not (line and ok and any(vals)):
                continue
            if theirs is None and compared is not None and agreed_currency:  # the order in the agreed currency
                theirs = [""] * compared + [agreed_currency.strip().upper()]
            differs = theirs is None or (vals[compared].upper() != theirs[compared].upper() if compared is not None
                                         else vals != theirs)
            if differs:
                out.append((row, own, " ".join([seg, *(v for v in vals if v)]), seg))
    return out


def _kept_hazmat(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray, fe: FlatElements) -> set[int]:
    """The rows of the TD4s the order keeps (ORDER_LINES and ORDERS hazmat_sent: parsers.orders_850.hazmat_sent,
    heading_hazmat): those of a PO1 loop's own segments (after its PO1, before any of LINE_LOOP_ENDS), or of the
    heading's (before its first PO1 and any of LINE_LOOP_ENDS: not a heading N1 loop's), that mark the line or load
    hazardous (hazmat_marking). Its 856 writes each back in the item's or order's HL loop: no note to quote."""
    rows, owner = _rows_in(result, "TD4", mine, set_of_row)
    if not len(rows):
        return set()
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    start = np.full(len(rows), -1, np.int64)  # the row its owner starts after: its line's PO1 (-1: the heading's)
    if len(line_rows):
        line = np.searchsorted(line_rows, rows, side="right") - 1
        in_line = (line >= 0) & (line_owner[np.maximum(line, 0)] == owner)
        start = np.where(in_line, line_rows[np.maximum(line, 0)], -1)
    own = np.ones(len(rows), bool)
    ends = np.sort(np.concatenate([result.segments.rows_of(s) for s in LINE_LOOP_ENDS]))
    if len(ends):  # an end of its owner's own segments between its owner's start and it: another thing's TD4
        last = np.searchsorted(ends, rows, side="right") - 1
        end = ends[np.maximum(last, 0)]
        own = ~((last >= 0) & (end > start) & (set_of_row[end] == owner))
    return {row for row, inside, *values in zip(rows.tolist(), own.tolist(), *(_column(fe, rows, k)[0].to_pylist()
                                                                                for k in (1, 2, 3)), strict=True)
            if inside and hazmat_marking(*values)}


def _hazmat_codes(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
                  fe: FlatElements, kept: set[int]) -> list[tuple[int, int, str, str]]:
    """A TD4 that marks something hazardous by code alone, with no TD404 words (_NOTE_TEXTS quotes those): TD401 HM
    (hazardous materials) or a TD403 class, in a loop of the heading's or a line's (an N1's, an SCH's). No order, 855,
    856 or warehouse order of ours carries it: (row, set, "TD4 HM D 2.1", "TD4") each, for NOTES_NOT_KEPT to quote
    rather than the marking be dropped without a word. A PO1 loop's or the heading's own marking (``kept``:
    _kept_hazmat, a farm store's fertiliser TD4*HM*D*5.1) is kept with its line or order and written by its 856."""
    rows, owner = _rows_in(result, "TD4", mine, set_of_row)
    if not len(rows):
        return []
    out = []
    for row, own, code, qualifier, cls, words in zip(
            rows.tolist(), owner.tolist(), *(_column(fe, rows, k)[0].to_pylist() for k in (1, 2, 3, 4)), strict=True):
        code, qualifier, cls = ((v or "").strip() for v in (code, qualifier, cls))
        if (code == "HM" or cls) and not (words and words.strip()) and row not in kept:
            out.append((row, own, " ".join(["TD4", *(v for v in (code, qualifier, cls) if v)]), "TD4"))
    return out


# TD301 (element 40, Equipment Description Code) codes of temperature-controlled equipment: AT closed container
# (controlled temperature), CZ refrigerated container, RC refrigerated (reefer) car, RT controlled temperature
# trailer (reefer), as a garden centre's live goods or a florist's cut flowers are ordered (TD3*RT)
_REEFERS = frozenset({"AT", "CZ", "RC", "RT"})


def _reefer_asked(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
                  fe: FlatElements) -> list[tuple[int, int, str, str]]:
    """A TD3 asking for temperature-controlled equipment (_REEFERS: TD3*RT, a reefer trailer for live plants). No
    order, 855, 856 or warehouse order of ours carries a TD3, so the load may go in a dry van: (row, set, "TD3 RT",
    "TD3") each, for NOTES_NOT_KEPT to quote rather than the ask be dropped without a word. Other equipment (TD3*TL
    trailer) is how the buyer's carrier comes, nothing for us to act on: not told."""
    rows, owner = _rows_in(result, "TD3", mine, set_of_row)
    if not len(rows):
        return []
    return [(row, own, " ".join(["TD3", code.strip(), *([number.strip()] if number and number.strip() else [])]),
             "TD3") for row, own, code, number in zip(
        rows.tolist(), owner.tolist(), *(_column(fe, rows, k)[0].to_pylist() for k in (1, 3)), strict=True)
        if code and code.strip() in _REEFERS]


def _marks_asked(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
                 fe: FlatElements) -> list[tuple[int, int, str, str]]:
    """A MAN (marks and numbers) in the heading or a PO1 loop: marks the buyer asks to be put on the goods or their
    packages (MAN01 the kind, MAN02 the marks; a second pair in MAN04/MAN05), as Navistar's service-parts 850 carries
    a dealer's vehicle-off-road unit; or a PKG that asks for a packaging by code alone, with no PKG05 words
    (_NOTE_TEXTS quotes those): PKG02 its characteristic, PKG03/PKG04 the agency's code (a returnable tote, ``PKG*S*68
    *ZZ*RET``). The MAN segments of our 856 are our own labels (SSCCs); no order, 855, 856 or warehouse order of ours
    carries the buyer's marks or packaging: (row, set, "MAN ZZ VOR UNIT 55871", "MAN") each, for NOTES_NOT_KEPT to
    quote rather than the ask be dropped without a word."""
    out = []
    for seg, ks, words in (("MAN", (1, 2, 3, 4, 5, 6), None), ("PKG", (1, 2, 3, 4), 5)):
        rows, owner = _rows_in(result, seg, mine, set_of_row)
        if not len(rows):
            continue
        said = _column(fe, rows, words)[0].to_pylist() if words else [None] * len(rows)
        for row, own, told, *values in zip(rows.tolist(), owner.tolist(), said,
                                           *(_column(fe, rows, k)[0].to_pylist() for k in ks), strict=True):
            codes = [v.strip() for v in values if v and v.strip()]
            if not (told and told.strip()) and len(codes) > 1:
                out.append((row, own, " ".join([seg, *codes]), seg))
    return out


_ONE_ASKED = ("LT", "SE")  # REF01 of a PO1 loop asking for one lot (LT) or one serial number (SE)
# REF01 of a line's own REF that is a note in words, not an id anything of ours acts on: ZZ (code list 128 "Mutually
# Defined": the electronics trade's REF*ZZ*NCNR, non-cancellable non-returnable, a commercial term) and L1 ("Letters or
# Notes")
_NOTE_REFS = ("ZZ", "L1")


def _line_refs_told(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray, fe: FlatElements, loop: str,
                    also: tuple[str, ...] = (), echoed: Collection[str] = ()) -> list[tuple[int, int, str, str]]:
    """A line's own REFs (a PO1 or 860 POC ``loop``'s, before any of LINE_LOOP_ENDS: an N1 loop's REF names its party)
    no one acts on: a note by its REF01 (_NOTE_REFS: REF*ZZ*NCNR, a term ops must see), one of ``also`` (an 860's
    REF*LT / SE: _lots_asked's), and any sent with its REF03 alone (REF*ZZ**NON-CANCELLABLE), which the line's
    line_refs do not keep (REF01 and REF02 both): (row, set, "REF ZZ NCNR", "REF") each, for NOTES_NOT_KEPT to quote
    rather than it be dropped without a word. The line keeps the others (ORDER_LINES line_refs) and its 855, 856 and
    810 echo those the partner lists: a note REF with its REF02 of a qualifier they echo (``echoed``:
    line_refs_echoed_by) is carried back, so it is not quoted (it used to be: a false warning); a lot (``also``) is,
    the warehouse picking by SKU whatever the documents say."""
    rows, owner = _rows_in(result, "REF", mine, set_of_row)
    line_rows, line_owner = _rows_in(result, loop, mine, set_of_row)
    if not len(rows) or not len(line_rows):
        return []
    line = np.searchsorted(line_rows, rows, side="right") - 1
    own = (line >= 0) & (line_owner[np.maximum(line, 0)] == owner)
    start = line_rows[np.maximum(line, 0)]
    ends = np.sort(np.concatenate([result.segments.rows_of(s) for s in LINE_LOOP_ENDS]))
    if len(ends):  # an end of the line's own segments between its POC/PO1 and the REF: another thing's REF
        last = np.searchsorted(ends, rows, side="right") - 1
        end = ends[np.maximum(last, 0)]
        own &= ~((last >= 0) & (end > start))
    out = []
    for row, set_, inside, kind, ident, words in zip(rows.tolist(), owner.tolist(), own.tolist(),
                                                     *(_column(fe, rows, k)[0].to_pylist() for k in (1, 2, 3)),
                                                     strict=True):
        ident, words = (ident or "").strip(), (words or "").strip()
        if inside and (ident or words) and (kind in _NOTE_REFS or kind in also or not ident) and not (
                ident and kind in echoed and kind not in also):
            out.append((row, set_, " ".join(v for v in ("REF", kind or "", ident, words) if v), "REF"))
    return out


def _lots_asked(result: ParseResult, mine: np.ndarray, set_of_row: np.ndarray,
                fe: FlatElements) -> list[tuple[int, int, str, str]]:
    """A PO1 loop's REF*LT: the line asks for one lot (a wine distributor's vintage, REF*LT*V2022); or its REF*SE:
    for one serial number (an aerospace buyer's serialised part or kit, REF*SE*K7-0042). We allocate, pick and ship
    by SKU; no order, warehouse order or 856 of ours asks the warehouse for that lot or unit, so another may ship:
    (row, set, "REF LT V2022", "REF") each, for NOTES_NOT_KEPT to quote rather than it be dropped without a
    word."""
    rows, owner = _rows_in(result, "REF", mine, set_of_row)
    if not len(rows):
        return []
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    if not len(line_rows):
        return []
    line = np.searchsorted(line_rows, rows, side="right") - 1
    in_line = (line >= 0) & (line_owner[np.maximum(line, 0)] == owner)
    return [(row, own, f"REF {kind} {lot.strip()}", "REF") for row, own, inside, kind, lot in zip(
        rows.tolist(), owner.tolist(), in_line.tolist(), *(_column(fe, rows, k)[0].to_pylist() for k in (1, 2)),
        strict=True) if inside and kind in _ONE_ASKED and lot and lot.strip()]



def _notes(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
           fe: FlatElements, *, change: bool = False, echoed: Collection[str] = (),
           agreed_currency: str | None = None) -> list[Finding]:
    """NOTES_NOT_KEPT once per 850 with free-form notes (MSG or MTX under an N9, NTE; a TD4 or PKG described in
    words), in its heading or its PO1 loops: "DELIVER TO DOCK 4 ONLY", "CALL 24 HOURS BEFORE DELIVERY", "GIFT WRAP",
    "KEEP FROZEN 0F OR BELOW"; a reefer the PO asks for (TD3 RT); a PO1 loop's own TD5 (the line's carrier and
    service: "TD5 FDEG FEDEX HOME DELIVERY"); the paperwork a PWK asks for ("PWK CT BM CERTIFICATE OF ANALYSIS"); a
    line's lot or serial number (REF LT, REF SE); a line's own REF that is a note or a term (REF ZZ NCNR, REF L1,
    one with its REF03 words alone: _line_refs_told). No order, 855, 856 or warehouse order of ours carries them, so
    each is quoted (with its line, and the N9 reference it follows) for a person to pass on, instead of being dropped
    without a word. An 860 (``change``): its free-form notes alone (MSG, MTX, NTE, an N9 L1's words; its heading's
    TD4, TD5 ... are CHANGE_HEADER_NOT_APPLIED's) and its POC loops' REFs as a PO1 loop's (and their REF LT / SE), each
    with its POC line: a ticketing or packing instruction a
    revision before the season sends (Tuesday Morning's N9 L1 TICKETING with MSG) used to be answered with an 865
    and read by nobody. ``echoed``: the line REF qualifiers the partner's documents carry back (_line_refs_told);
    ``agreed_currency``: the partner's agreed currency (_line_terms)."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    found: list[tuple[int, int, str, str]] = []  # (row, set, text, segment id)
    kept = _kept_hazmat(result, mine, set_of_row, fe)  # a line's own hazardous-material TD4s: its order keeps them
    for seg, k in _NOTE_TEXTS[:3] if change else _NOTE_TEXTS:
        rows, owner = _rows_in(result, seg, mine, set_of_row)
        for row, own, text in zip(rows.tolist(), owner.tolist(), _column(fe, rows, k)[0].to_pylist(), strict=True):
            if text and text.strip() and row not in kept:
                found.append((row, own, text.strip(), seg))
    if change:  # (and the POC loops' own REFs no one acts on, as a PO1 loop's: the line keeps the rest)
        return _notes_told(result, sets, set_of_row, fe, mine,
                           found + _n9_notes(result, mine, set_of_row, fe)
                           + _line_refs_told(result, mine, set_of_row, fe, "POC", _ONE_ASKED, echoed), "POC",
                           "860")
    found += _hazmat_codes(result, mine, set_of_row, fe, kept)
    found += _terms_asked(result, mine, set_of_row, fe, agreed_currency)
    found += _lots_asked(result, mine, set_of_row, fe)
    found += _line_refs_told(result, mine, set_of_row, fe, "PO1", echoed=echoed)
    found += _reefer_asked(result, mine, set_of_row, fe)
    found += _marks_asked(result, mine, set_of_row, fe)
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    seg, ks = _LINE_ROUTING
    rows, owner = _rows_in(result, seg, mine, set_of_row)
    line = np.searchsorted(line_rows, rows, side="right") - 1
    in_line = (line >= 0) & (line_owner[np.maximum(line, 0)] == owner) if len(line_rows) else np.zeros(len(rows), bool)
    texts = [" ".join(v.strip() for v in values if v and v.strip())
             for values in zip(*(_column(fe, rows, k)[0].to_pylist() for k in ks), strict=True)]
    heading: dict[int, str] = {}  # each set's first heading TD5, which the order keeps: a line repeating it is not told
    first: set[int] = set()
    for row, own, text, inside in zip(rows.tolist(), owner.tolist(), texts, in_line.tolist(), strict=True):
        if not inside and own not in heading:
            heading[own] = text
            first.add(row)
    # a heading N1 loop's own TD5 (the routing to that party: N1*ST's) other than the order's: told with its party
    n1_rows, n1_owner = _rows_in(result, "N1", mine, set_of_row)
    n1_at = np.searchsorted(n1_rows, rows, side="right") - 1
    n1_kind = _column(fe, n1_rows, 1)[0].to_pylist()
    for j, (row, own, text, inside) in enumerate(zip(rows.tolist(), owner.tolist(), texts, in_line.tolist(),
                                                     strict=True)):
        if inside and text and text != heading.get(own):
            found.append((row, own, f"TD5 {text}", seg))
        elif not inside and row not in first and text and text != heading.get(own) and n1_at[j] >= 0 \
                and n1_owner[n1_at[j]] == own:
            found.append((row, own, f"N1 {n1_kind[n1_at[j]] or ''} TD5 {text}", seg))
    seg, ks = _PAPERWORK
    rows, owner = _rows_in(result, seg, mine, set_of_row)
    for row, own, values in zip(rows.tolist(), owner.tolist(),
                                zip(*(_column(fe, rows, k)[0].to_pylist() for k in ks), strict=True), strict=True):
        text = " ".join(v.strip() for v in values if v and v.strip())
        if text:
            found.append((row, own, f"PWK {text}", seg))
    found += _n9_notes(result, mine, set_of_row, fe)
    return _notes_told(result, sets, set_of_row, fe, mine, found, "PO1", "PO")


def _notes_told(result: ParseResult, sets: Sets, set_of_row: np.ndarray, fe: FlatElements, mine: np.ndarray,
                found: list[tuple[int, int, str, str]], line_seg: str, subject: str) -> list[Finding]:
    """NOTES_NOT_KEPT once per set of ``found`` notes ((row, set, text, segment id) each), each quoted with its line
    (``line_seg``: PO1, or an 860's POC) and the N9 reference it follows; ``subject``: what carries them (PO, 860)."""
    if not found:
        return []
    found.sort()
    line_rows, line_owner = _rows_in(result, line_seg, mine, set_of_row)
    rows = np.array([r for r, *_rest in found], dtype=np.int64)
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    at = np.searchsorted(line_rows, rows, side="right") - 1
    n9_rows, n9_owner = _rows_in(result, "N9", mine, set_of_row)
    n9_at = np.searchsorted(n9_rows, rows, side="right") - 1
    n9_title = [" ".join(v for v in (a, b, c) if v) for a, b, c in zip(
        *(_column(fe, n9_rows, k)[0].to_pylist() for k in (1, 2, 3)), strict=True)]
    asked: dict[int, list[tuple[int, str, str, str]]] = {}  # set -> (row, quoted, segment id, text)
    for j, (row, k, text, seg) in enumerate(found):
        where = []
        line = int(at[j])
        if line >= 0 and line_owner[line] == k:
            where.append(f"line {line_ids[line] or line + 1 - int(np.searchsorted(line_owner, k))}")
        n9 = int(n9_at[j])
        if seg in ("MSG", "MTX") and n9 >= 0 and n9_owner[n9] == k and n9_title[n9] and (
                line < 0 or line_owner[line] != k or n9_rows[n9] > line_rows[line]):
            where.append(f"N9 {n9_title[n9]}")
        asked.setdefault(k, []).append((row, (f"({', '.join(where)}) " if where else "") + repr(text), seg, text))
    out: list[Finding] = []
    for k, items in sorted(asked.items()):
        ic, g, ts = sets[k]
        first, _quoted, seg, text = items[0]
        quoted = _listed([q for _r, q, _s, _t in items], _NOTES_NAMED)
        out.append(finding("NOTES_NOT_KEPT", f"The {subject} carries notes no order, 855, 856 or warehouse order of "
                           f"ours carries: {quoted}. Pass them on to whoever must act on them.", seg=seg,
                           element=f"{seg}0{_note_element(seg, text)}", value=text,
                           **_where(result, ic, g, ts, first)))
    return out


def _note_element(seg: str, text: str) -> int:
    """The element a NOTES_NOT_KEPT finding points at: the note's words (_NOTE_TEXTS), or the code that asks
    (_OTHER_NOTE_AT; a PKG by code alone, _marks_asked: PKG02)."""
    if seg == "PKG" and text.startswith("PKG "):
        return 2
    return dict(_NOTE_TEXTS).get(seg, _OTHER_NOTE_AT.get(seg, 5))


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value is not None and value.strip() else None
    except InvalidOperation:
        return None


def _line_value(quantity: str | None, price: str | None, unit: str | None, basis: str | None) -> Decimal | None:
    """PO102 x PO104 in PO105's basis (a price per hundred or thousand of the unit divided so; no charge nothing), or
    None when it cannot be told from the line alone: no quantity or price, a per-each price on a pack (per each of
    the pack, or per pack: translators write both), a price per a measure or weight the line is not in (a catch
    weight: billed by what ships)."""
    q, p = _decimal(quantity), _decimal(price)
    if q is None or p is None:
        return None
    if basis == NO_CHARGE:
        return Decimal(0)
    if basis in PRICE_PER_MANY:
        return q * p / PRICE_PER_MANY[basis]
    if basis in PRICE_PER_MANY_OF:
        many = in_many_of(unit, basis)
        return q * p / many if many is not None else None
    if basis in PRICE_PER_EACH and unit not in (None, "", "EA"):
        return None
    if basis in PRICE_PER_MEASURE and unit not in PRICE_PER_MEASURE[basis]:
        return None
    return q * p


def _stated_totals(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                   fe: FlatElements) -> list[Finding]:
    """PO_TOTAL_MISMATCH once per 850 whose summary AMT*TT (the total transaction amount as calculated by the
    sender: Fisher Scientific's supplier 850 sends it after CTT) is neither the sum of its lines (PO102 x PO104) nor
    that sum with its SAC amounts (charges added, allowances taken off: _sac_amount, SAC05, else a percent SAC07 of
    the lines or of its line, else a rate SAC08 x SAC10; all of them, or those settled on the invoice, no bill-back
    ..., _SETTLED_ELSEWHERE), nor any of these with the taxes its TXIs state (TXI02), to the cent. The order is
    taken at its lines' prices, so the buyer's own total is named for a person: it used to be passed over without a
    word. A set with a line without a quantity or a price, or an AMT that is no number, says nothing (its total is
    not ours to judge; nor one priced per each on a pack or by weight: _line_value). (A total net of a percent
    allowance, a 2 % C310 without SAC05, or with the tax the PO states was told as a mismatch.)"""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    amt_rows, amt_owner = _rows_in(result, "AMT", mine, set_of_row)
    if not len(amt_rows):
        return []
    # only the sets stating a total have their lines valued (a night's 200,000 lines of POs without one: none)
    stating = np.array([c == "TT" for c in _column(fe, amt_rows, 1)[0].to_pylist()], dtype=bool)
    if not stating.any():
        return []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[np.unique(amt_owner[stating])] = True
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    last_line: dict[int, int] = {}
    lines: dict[int, Decimal | None] = {}
    line_values: list[Decimal | None] = []  # each PO1 row's PO102 x PO104 (a line SAC's percent is of it)
    line_quantities = _column(fe, line_rows, 2)[0].to_pylist()
    for row, own, *line in zip(line_rows.tolist(), line_owner.tolist(),
                               *(_column(fe, line_rows, k)[0].to_pylist() for k in (2, 4, 3, 5)), strict=True):
        last_line[own] = row
        value = _line_value(*line)
        line_values.append(value)
        total = lines.get(own, Decimal(0))
        lines[own] = None if value is None or total is None else total + value
    sac_rows, sac_owner = _rows_in(result, "SAC", mine, set_of_row)
    sacs: dict[int, Decimal] = {}  # every SAC's amount, charges added, allowances taken off
    on_invoice: dict[int, Decimal] = {}  # of those, the ones settled on the invoice (no bill-back ...: SAC12)
    sac_line = np.searchsorted(line_rows, sac_rows, side="right") - 1  # the PO1 before each SAC (-1: none)
    for own, j, kind, handling, *sac in zip(
            sac_owner.tolist(), sac_line.tolist(),
            *(_column(fe, sac_rows, k)[0].to_pylist() for k in (1, 12, 5, 7, 8, 10)), strict=True):
        of_line = j >= 0 and int(line_owner[j]) == own  # a line's SAC, else the heading's
        value = _sac_amount(*sac, lines.get(own) if not of_line else line_values[j],
                            _decimal(line_quantities[j]) if of_line else None)
        if kind in _SAC_KINDS and value is not None:
            signed = value if kind == "C" else -value
            sacs[own] = sacs.get(own, Decimal(0)) + signed
            if handling not in _SETTLED_ELSEWHERE:
                on_invoice[own] = on_invoice.get(own, Decimal(0)) + signed
    txi_rows, txi_owner = _rows_in(result, "TXI", mine, set_of_row)
    taxes: dict[int, Decimal] = {}
    for own, amount in zip(txi_owner.tolist(), _column(fe, txi_rows, 2)[0].to_pylist(), strict=True):
        if (value := _decimal(amount)) is not None:
            taxes[own] = taxes.get(own, Decimal(0)) + value
    out: list[Finding] = []
    told: set[int] = set()
    cent = Decimal("0.01")
    for row, own, code, amount in zip(amt_rows.tolist(), amt_owner.tolist(), _column(fe, amt_rows, 1)[0].to_pylist(),
                                      _column(fe, amt_rows, 2)[0].to_pylist(), strict=True):
        stated = _decimal(amount)
        computed = lines.get(own)
        if (code != "TT" or own in told or stated is None or computed is None or row < last_line.get(own, row)):
            continue
        with_sacs = computed + sacs.get(own, Decimal(0))
        tax = taxes.get(own, Decimal(0))
        totals = (computed, with_sacs, computed + on_invoice.get(own, Decimal(0)))
        if stated.quantize(cent) in {v.quantize(cent) for v in (*totals, *(v + tax for v in totals))}:
            continue
        told.add(own)
        ic, g, ts = sets[own]
        also = f", {with_sacs.quantize(cent)} with its SAC allowances and charges" if own in sacs else ""
        out.append(finding("PO_TOTAL_MISMATCH", f"AMT*TT states the PO's total as {stated:f}; its lines add up to "
                           f"{computed.quantize(cent)} (PO102 x PO104){also}. The order is taken, acknowledged and "
                           "invoiced at its lines' prices: check with the partner which is meant.", seg="AMT",
                           element="AMT02", value=amount, **_where(result, ic, g, ts, row)))
    return out


# SAC12 handlings (element 331) settled apart from the invoice's total: bill back, vendor check, credit to the
# customer's account, paid by the vendor, issued later by the vendor or the reseller, denied, cancelled, an amount
# to provide, information only, a non-payable tax. A buyer's AMT*TT may leave them out.
_SETTLED_ELSEWHERE = frozenset({"01", "03", "04", "05", "09", "10", "11", "12", "13", "15", "18"})


def _sac_amount(amount: str | None, percent: str | None, rate: str | None, quantity: str | None,
                base: Decimal | None, units: Decimal | None) -> Decimal | None:
    """A SAC's amount as the buyer's own totals count it: SAC05 (N2), else its percent (SAC07) of ``base`` (the
    heading's lines or its line's PO102 x PO104), else its rate (SAC08) times SAC10 or, of a line's SAC, ``units``
    (PO102); None when none of them can be told (a percent of no known base ...)."""
    if amount:
        return _decimal(n2_text(amount))
    if (pct := _decimal(percent)) is not None:
        return pct * base / 100 if base is not None else None
    if (each := _decimal(rate)) is not None:
        count = _decimal(quantity) if quantity else units
        return each * count if count is not None else None
    return None


_LINE_AMOUNT = "1"  # AMT01 (element 522) of a PO1 loop's AMT loop: Line Item Total


def _stated_line_amounts(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                         fe: FlatElements) -> list[Finding]:
    """LINE_AMOUNT_MISMATCH once per 850 whose PO1 loops state their own amount, AMT*1 (the AMT loop of the PO1 loop,
    after its SLN, N9 and N1 loops: the line item total as the buyer calculated it; McLane's and Fisher
    Scientific's 850s send one per line), other than the line's PO102 x PO104 (_line_value) and than that with the
    line's own SAC amounts (SAC05, allowances taken off, charges added), to the cent. The line is taken,
    acknowledged and billed at PO102 x PO104: the buyer's own figure is named for a person, lines and both amounts
    (a line SAC's amount by _sac_amount: SAC05, else its percent of the line, else its rate x SAC10 or PO102).
    It was passed over without a word (PO_TOTAL_MISMATCH judges AMT*TT, the PO's, alone). A line whose value cannot
    be told from itself (no quantity or price, a price per each on a pack, by weight) says nothing."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    amt_rows, amt_owner = _rows_in(result, "AMT", mine, set_of_row)
    if not len(amt_rows):
        return []
    codes = _column(fe, amt_rows, 1)[0].to_pylist()
    stating = np.array([c == _LINE_AMOUNT for c in codes], dtype=bool)
    if not stating.any():
        return []
    amt_rows, amt_owner = amt_rows[stating], amt_owner[stating]
    amounts = _column(fe, amt_rows, 2)[0].to_pylist()
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    if not len(line_rows):
        return []
    line_at = np.searchsorted(line_rows, amt_rows, side="right") - 1
    ctt_rows = result.segments.rows_of("CTT")  # an AMT after the CTT is the summary's (its CTT loop), no line's
    if len(ctt_rows):
        last = np.searchsorted(ctt_rows, amt_rows, side="right") - 1
        summary = (last >= 0) & (ctt_rows[np.maximum(last, 0)] > line_rows[np.maximum(line_at, 0)])
        line_at = np.where(summary, -1, line_at)
    wanted = sorted({int(j) for j, own in zip(line_at.tolist(), amt_owner.tolist(), strict=True)
                     if j >= 0 and line_owner[j] == own})
    if not wanted:
        return []
    values = {j: _line_value(*(_column(fe, line_rows[[j]], k)[0][0].as_py() for k in (2, 4, 3, 5))) for j in wanted}
    ids = {j: _column(fe, line_rows[[j]], 1)[0][0].as_py() for j in wanted}
    sac_rows, sac_owner = _rows_in(result, "SAC", mine, set_of_row)
    sacs: dict[int, Decimal] = {}  # line -> its own SAC amounts
    if len(sac_rows):
        sac_line = np.searchsorted(line_rows, sac_rows, side="right") - 1
        for j, own, kind, *sac in zip(sac_line.tolist(), sac_owner.tolist(),
                                      *(_column(fe, sac_rows, k)[0].to_pylist() for k in (1, 5, 7, 8, 10)),
                                      strict=True):
            if j not in values or line_owner[j] != own:
                continue
            value = _sac_amount(*sac, values[j], _decimal(_column(fe, line_rows[[j]], 2)[0][0].as_py()))
            if kind in _SAC_KINDS and value is not None:
                sacs[j] = sacs.get(j, Decimal(0)) + (value if kind == "C" else -value)
    cent = Decimal("0.01")
    told: dict[int, list[tuple[int, str, str]]] = {}  # set -> (row, words, AMT02)
    for row, own, j, amount in zip(amt_rows.tolist(), amt_owner.tolist(), line_at.tolist(), amounts, strict=True):
        stated, computed = _decimal(amount), values.get(j)
        if j < 0 or line_owner[j] != own or stated is None or computed is None:
            continue
        with_sacs = computed + sacs.get(j, Decimal(0))
        if stated.quantize(cent) in (computed.quantize(cent), with_sacs.quantize(cent)):
            continue
        label = ids[j] or str(j + 1 - int(np.searchsorted(line_owner, own)))
        also = f", {with_sacs.quantize(cent)} with its SACs" if j in sacs else ""
        told.setdefault(own, []).append((row, f"line {label} AMT*1 {stated:f}, PO102 x PO104 "
                                              f"{computed.quantize(cent)}{also}", amount))
    out: list[Finding] = []
    for own, items in sorted(told.items()):
        ic, g, ts = sets[own]
        out.append(finding("LINE_AMOUNT_MISMATCH", "PO1 lines state their own amount (AMT*1) other than their "
                           f"quantity times price: {_listed([w for _r, w, _a in items], _PRICES_NAMED)}. Each line "
                           "is taken, acknowledged and invoiced at PO102 x PO104: check with the partner which is "
                           "meant.", seg="AMT", element="AMT02", value=items[0][2],
                           **_where(result, ic, g, ts, items[0][0])))
    return out


# the segments after which a CTP is no longer the PO1 line's own (parsers.orders_850._NOT_THE_LINES): a subline's,
# a destination's, a reference's
_PAST_THE_LINE = ("N9", "N1", "SCH", "SLN", "AMT", "LM", "LS", "CTT")
_PRICES_NAMED = 10  # lines named in the message; the rest counted


def _contract_prices(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                     fe: FlatElements) -> list[Finding]:
    """CTP_PRICE_MISMATCH once per 850 whose PO1 lines state two prices: PO104 and, in a CTP of the line's own loop,
    a price the buyer pays (CTP02 of schemas.orders.BUYER_COST_PRICES: CON contract, UCP unit cost ...) that is not
    PO104 (VWR's ``PO1*1*30*EA*18.75`` with ``CTP**CON*17.5``). The line is acknowledged and invoiced at PO104, so
    the other price is named for a person: it used to be kept (ORDER_LINES.line_prices) and compared with nothing.
    A line is not judged without PO104 (its CTP prices it: parsers.orders_850), priced no charge (PO105 NC), or with
    a PO105 naming PO104 a list price (LIST_PRICE_BASES: WE, wholesale per each, is a pharmaceutical wholesaler's WAC,
    the CTP CON beside it the contract price it charges back: two prices by design, Morris & Dickson's); a CTP
    is not compared when it carries a multiplier (CTP06/CTP07: its price is not CTP03), a unit (CTP05) other than
    PO103, or a basis (CTP09) other than PO105. Several such CTPs (quantity breaks) are one line's: any of them equal
    to PO104 (or to PO104 restated per unit, a price per hundred ...) says nothing. A retail or suggested price (RES,
    MSR, SLP ...) is no price the buyer pays: never compared."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    ctp_rows, ctp_owner = _rows_in(result, "CTP", mine, set_of_row)
    if not len(ctp_rows):
        return []
    cost = np.array([q in BUYER_COST_PRICES for q in _column(fe, ctp_rows, 2)[0].to_pylist()], dtype=bool)
    if not cost.any():
        return []
    ctp_rows, ctp_owner = ctp_rows[cost], ctp_owner[cost]
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    at = np.searchsorted(line_rows, ctp_rows, side="right") - 1
    owned = at >= 0
    owned[owned] = line_owner[at[owned]] == ctp_owner[owned]
    stops = np.sort(np.concatenate([result.segments.rows_of(s) for s in _PAST_THE_LINE]))
    if len(stops) and owned.any():
        last = np.searchsorted(stops, ctp_rows, side="right") - 1
        late = owned & (last >= 0)
        late[late] = stops[last[late]] > line_rows[at[late]]
        owned &= ~late
    if not owned.any():
        return []
    ctp_rows, at = ctp_rows[owned], at[owned]
    ctps: dict[int, list[tuple]] = {}  # PO1 index -> (row, CTP02, CTP03, CTP05, CTP06, CTP07, CTP09) of its loop
    for row, line, *elements in zip(ctp_rows.tolist(), at.tolist(),
                                    *(_column(fe, ctp_rows, k)[0].to_pylist() for k in (2, 3, 5, 6, 7, 9)),
                                    strict=True):
        ctps.setdefault(line, []).append((row, *elements))
    picked = np.array(sorted(ctps), dtype=np.int64)
    po1 = line_rows[picked]
    named: dict[int, list[tuple[int, str]]] = {}
    for line, label, unit, price, basis in zip(
            picked.tolist(), *(_column(fe, po1, k)[0].to_pylist() for k in (1, 3, 4, 5)), strict=True):
        stated = _decimal(price)
        if stated is None or basis == NO_CHARGE or basis in LIST_PRICE_BASES:
            continue
        per_unit = _line_value("1", price, unit, basis)
        theirs = [(r, q, p) for r, q, p, u, mult_kind, mult, p_basis in ctps[line]
                  if _decimal(p) is not None and not mult_kind and not mult
                  and (not u or _unit_code(u) == (unit or "")) and (not p_basis or p_basis == (basis or ""))]
        if not theirs or any(_decimal(p) in (stated, per_unit) for _r, _q, p in theirs):
            continue
        k = int(line_owner[line])
        words = ", ".join(f"CTP {q} {p}" for _r, q, p in theirs)
        label = label or str(line + 1 - int(np.searchsorted(line_owner, k)))
        named.setdefault(k, []).append((theirs[0][0], f"line {label} PO104 {price}, {words}"))
    out: list[Finding] = []
    for k, found in sorted(named.items()):
        ic, g, ts = sets[k]
        first = found[0][0]
        value = _column(fe, np.array([first]), 3)[0][0].as_py()
        out.append(finding("CTP_PRICE_MISMATCH", "PO1 lines state a price (PO104) other than the price the buyer "
                           f"pays in a CTP of their loop ({_listed([w for _r, w in found], _PRICES_NAMED)}): each "
                           "line is acknowledged and invoiced at its PO104; check with the partner which price is "
                           "meant.", seg="CTP", element="CTP03", value=value, **_where(result, ic, g, ts, first)))
    return out


def _unit_code(composite: str) -> str:
    """A composite unit (CTP05) as its first component, the unit code: ``EA`` of ``EA>1``, whatever separator."""
    code = ""
    for ch in composite:
        if not ch.isalnum():
            break
        code += ch
    return code


# SLN03 (code list 662) that ask for something else than the PO1 item as ordered: I (included: a prepack's
# components) and O (information only) describe the item and ask nothing
_SLN_ASKS = {"A": "adds", "D": "deletes", "S": "substitutes"}
_SLN_NAMED = 10  # sublines named in the message; the rest counted


def _sublines(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
              fe: FlatElements) -> list[Finding]:
    """SLN_NOT_APPLIED once per 850 whose PO1 lines carry SLN sublines that add, delete or substitute a
    component (SLN03 A, D, S): we allocate, acknowledge and ship the PO1 item as ordered, so each is named
    (line, subline, what it asks, SLN04 quantity and unit, its first product id) for a person to agree.
    Included components (I: a prepack's contents) and information only (O) ask nothing."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    sln_rows, sln_owner = _rows_in(result, "SLN", mine, set_of_row)
    if not len(sln_rows):
        return []
    code = _column(fe, sln_rows, 3)[0].to_pylist()
    asking = np.array([c in _SLN_ASKS for c in code], dtype=bool)
    if not asking.any():
        return []
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    at = np.searchsorted(line_rows, sln_rows, side="right") - 1
    sub, quantity, unit, qualifier, ident = (_column(fe, sln_rows, k)[0].to_pylist() for k in (1, 4, 5, 9, 10))
    asked: dict[int, list[tuple[int, str]]] = {}
    for j in np.flatnonzero(asking).tolist():
        k, line = int(sln_owner[j]), int(at[j])
        owned = line >= 0 and line_owner[line] == k
        label = (line_ids[line] or str(line + 1 - int(np.searchsorted(line_owner, k)))) if owned else "?"
        unit_text = (unit[j] or "").split(">")[0] if unit[j] else ""  # SLN05 is C001 from 005010
        what = " ".join(v for v in (quantity[j], unit_text, qualifier[j], ident[j]) if v)
        asked.setdefault(k, []).append((int(sln_rows[j]), f"line {label} subline {sub[j] or '?'} "
                                                          f"{_SLN_ASKS[code[j]]} {what or 'a component'}"))
    out: list[Finding] = []
    for k, items in sorted(asked.items()):
        ic, g, ts = sets[k]
        named = _listed([t for _, t in items], _SLN_NAMED)
        first = items[0][0]
        out.append(finding("SLN_NOT_APPLIED", f"SLN sublines ask for changes to their PO1 items ({named}): we "
                           "allocate, acknowledge and ship each PO1 item as ordered; agree the sublines with the "
                           "partner.", seg="SLN", element="SLN03",
                           value=_column(fe, np.array([first]), 3)[0][0].as_py(), **_where(result, ic, g, ts, first)))
    return out


# SLN09/SLN10 .. SLN27/SLN28: a component's product id pairs (parsers.orders_850 reads the same)
_SLN_ID_PAIRS = tuple(range(9, 29, 2))
_EACHES = EACH_UNITS  # SLN05 units counting eaches (RuleSettings.each_units' default), the PO4 PO414 unit


def _per_pack(text: str | None) -> Decimal | None:
    """SLN04 as parsers.orders_850 keeps it (a number of at most 4 decimals), when it is more than nothing."""
    try:
        value = Decimal(text.strip()) if text else None
    except InvalidOperation:
        return None
    if value is None or not value.is_finite() or value <= 0 or value != value.quantize(Decimal("0.0001")):
        return None
    return value


def _prepacks(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
              fe: FlatElements) -> list[Finding]:
    """A prepack's components (its PO1 loop's SLN sublines with SLN03 I, what one pack holds), as an 856 listing
    them (AsnSettings.prepacks "components") reads them: PREPACK_COMPONENT_UNREADABLE once per 850 with a component
    that cannot be read, no SLN04 quantity per pack (or none that is a number above 0) or no product id pair, at
    its SLN: such a pack's 856 lists the pack alone (engine.shipments), which used to happen without a word.
    PREPACK_QUANTITY_MISMATCH once per 850 whose readable components, all in eaches, add up to neither the
    PO1 loop's PO4 inner pack (PO414: eaches per inner container, the prepack) nor its outer pack (PO401 x
    PO414), where both are sent; or, without a PO414, to other than its PO401 where PO402/PO403 size each of the
    pack's units one each (PO4*4*1*EA: a gift set of 4 eaches; it was passed over): the buyer's pack and its
    contents disagree. Warnings: the PO is taken as sent.
    Checked for a partner whose 856s list the components only (check_850_counts' ``components``): for any other
    they are not used."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    sln_rows, sln_owner = _rows_in(result, "SLN", mine, set_of_row)
    if not len(sln_rows):
        return []
    included = np.array([c == "I" for c in _column(fe, sln_rows, 3)[0].to_pylist()], dtype=bool)
    sln_rows, sln_owner = sln_rows[included], sln_owner[included]
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    at = np.searchsorted(line_rows, sln_rows, side="right") - 1
    owned = (at >= 0) & (line_owner[np.maximum(at, 0)] == sln_owner) if len(line_rows) else at >= 0
    sln_rows, sln_owner, at = sln_rows[owned], sln_owner[owned], at[owned]
    if not len(sln_rows):
        return []
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    sub, quantity, unit = (_column(fe, sln_rows, k)[0].to_pylist() for k in (1, 4, 5))
    pairs = [_column(fe, sln_rows, k)[0].to_pylist() for q in _SLN_ID_PAIRS for k in (q, q + 1)]
    po4_rows, po4_owner = _rows_in(result, "PO4", mine, set_of_row)
    po4_line = np.searchsorted(line_rows, po4_rows, side="right") - 1
    first_sln = {}  # line index -> its first I subline row: the PO4 of the line is before it
    for j, line in enumerate(at.tolist()):
        first_sln.setdefault(line, int(sln_rows[j]))
    po4_of = {}  # line index -> its PO1 loop's first PO4 row (before its sublines)
    for r, line, k in zip(po4_rows.tolist(), po4_line.tolist(), po4_owner.tolist(), strict=True):
        if line >= 0 and line_owner[line] == k and line in first_sln and r < first_sln[line]:
            po4_of.setdefault(line, r)
    unreadable: dict[int, list[tuple[int, str]]] = {}
    totals: dict[int, Decimal | None] = {}  # line index -> its components' eaches per pack (None: not in eaches)
    for j, line in enumerate(at.tolist()):
        k = int(sln_owner[j])
        label = line_ids[line] or str(line + 1 - int(np.searchsorted(line_owner, k)))
        per = _per_pack(quantity[j])
        has_id = any(pairs[2 * p][j] and pairs[2 * p + 1][j] for p in range(len(_SLN_ID_PAIRS)))
        if per is None or not has_id:
            why = " and ".join(w for w, bad in ((f"no quantity per pack (SLN04 {quantity[j]!r})" if quantity[j] else
                                                 "no quantity per pack (SLN04)", per is None),
                                                ("no product id (SLN09/SLN10 ...)", not has_id)) if bad)
            unreadable.setdefault(k, []).append((int(sln_rows[j]), f"line {label} subline {sub[j] or '?'}: {why}"))
            totals[line] = None
            continue
        unit_code = (unit[j] or "").split(">")[0].split(":")[0] if unit[j] else ""
        if unit_code not in _EACHES:
            totals[line] = None  # not in eaches: not compared with the PO4
        elif line not in totals or totals[line] is not None:
            totals[line] = totals.get(line, Decimal(0)) + per
    out: list[Finding] = []
    for k, items in sorted(unreadable.items()):
        ic, g, ts = sets[k]
        named = _listed([t for _, t in items], _SLN_NAMED)
        first = items[0][0]
        out.append(finding("PREPACK_COMPONENT_UNREADABLE", f"A prepack's components (SLN03 I) cannot all be read "
                           f"({named}): an 856 listing the pack's components lists that pack alone, without them. "
                           "Ask the buyer for each component's quantity per pack and product id.", seg="SLN",
                           element="SLN04", value=quantity[int(np.flatnonzero(sln_rows == first)[0])],
                           **_where(result, ic, g, ts, first)))
    mismatched: dict[int, list[tuple[int, str, str]]] = {}
    for line, total in sorted(totals.items()):
        r = po4_of.get(line)
        if total is None or r is None:
            continue
        pack_text, size_text, size_unit, inner_text = (_column(fe, np.array([r]), p)[0][0].as_py()
                                                       for p in (1, 2, 3, 14))
        outer, inner = _per_pack(pack_text), _per_pack(inner_text)
        k = int(line_owner[line])
        label = line_ids[line] or str(line + 1 - int(np.searchsorted(line_owner, k)))
        if inner is None:
            # no PO414: PO401 is the pack's count of eaches when PO402/PO403 size each of them one each (PO4*4*1*EA:
            # Meijer's gift set of 4); a size in another unit (PO4*6*16*OZ) or above one says nothing of eaches
            # (PO4*1 alone, or a size without its unit, may count packs per carton: not judged)
            if outer is None or _per_pack(size_text) != 1 or (size_unit or "").strip() not in _EACHES \
                    or total == outer:
                continue
            mismatched.setdefault(k, []).append((r, f"line {label}: components {_number(str(total))} EA, PO401 "
                                                    f"{pack_text}", pack_text))
            continue
        if total in (inner, inner * (outer or 1)):
            continue
        said = f"PO414 {inner_text}" + (f" (PO401 {pack_text} of them: {_number(str(inner * outer))})"
                                         if outer and outer != 1 else "")
        mismatched.setdefault(k, []).append((r, f"line {label}: components {_number(str(total))} EA, {said}",
                                             inner_text))
    for k, items in sorted(mismatched.items()):
        ic, g, ts = sets[k]
        named = _listed([t for _, t, _v in items], _SLN_NAMED)
        first, text, value = items[0]
        out.append(finding("PREPACK_QUANTITY_MISMATCH", f"A prepack's components (SLN03 I, SLN04 each per pack) do "
                           f"not add up to the eaches its PO4 pack holds ({named}). The PO is taken as sent and "
                           "an 856 lists the components as the SLNs say; confirm the pack's contents with the buyer.",
                           seg="PO4", element="PO414" if "PO414" in text else "PO401", value=value,
                           **_where(result, ic, g, ts, first)))
    return out


_SHIP_TOS_NAMED = 10  # line ship-tos named in the message; the rest counted


def _stated_taxes(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray, fe: FlatElements,
                  invoice: InvoiceSettings | None) -> list[Finding]:
    """PO_TAX_MISMATCH once per 850 whose TXIs (a PO1 loop's, or the heading's: the buyer's own statement of a tax,
    TXI01 its code, TXI02 an amount, TXI03 a percent) state a tax other than our 810s bill for its ship-to
    (``invoice``: the partner's [[fulfilment.invoice.taxes]], those whose regions hold the heading ship-to's N402 or
    N405 SP / N406; every one when it sent none): a code none of ours bills, a percent other than ours, or, without
    a percent, an amount other than ours of the line's value (PO102 x PO104; the heading's: of every line's; a cent
    apart is the same). Each is named with ours. What we bill does not change: finance is told before the 810 is
    disputed. Not compared: a TXI that exempts (TXI06: read as an exemption, parsers.orders_850), one stating no
    amount or percent, or 0 for a code none of ours bills, and a tax of ours whose amount depends on the item's
    class (its ``exempt``: the PO's figure may be a zero-rated or stamped item's). Without the partner's settings
    (None), nothing."""
    if invoice is None or not len(result.segments.rows_of("TXI")):
        return []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    rows, owner = _rows_in(result, "TXI", mine, set_of_row)
    if not len(rows):
        return []
    kinds, amounts, percents, exempting = (_column(fe, rows, k)[0].to_pylist() for k in (1, 2, 3, 6))
    line_rows, line_owner = _rows_in(result, "PO1", mine, set_of_row)
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    values = [_line_value(q, p, u, b) for q, u, p, b in zip(*(_column(fe, line_rows, k)[0].to_pylist()
                                                              for k in (2, 3, 4, 5)), strict=True)]
    at = np.searchsorted(line_rows, rows, side="right") - 1
    regions = _ship_to_regions(result, set(owner.tolist()), mine, set_of_row, fe, line_rows, line_owner)
    told: dict[int, list[tuple[int, str, str]]] = {}  # set -> (row, words, TXI01) of each told
    for j, (row, k) in enumerate(zip(rows.tolist(), owner.tolist(), strict=True)):
        code = (kinds[j] or "").strip().upper()
        amount, percent = _decimal(amounts[j]), _decimal(percents[j])
        if (exempting[j] or "").strip().upper() in TXI_EXEMPTING or (amount is None and percent is None):
            continue
        line = int(at[j]) if at[j] >= 0 and line_owner[at[j]] == k else -1
        where = regions.get(k)
        ours = [t for t in invoice.taxes if where is None or where in t.regions]
        same = [t for t in ours if t.code == code]
        if not same:
            if not (amount or percent):
                continue
            theirs = "none of code " + code + (": " + ", ".join(_tax_words(t) for t in ours) if ours else "")
        else:
            tax = same[0]
            if tax.exempt or percent == tax.percent:
                continue
            theirs = _tax_words(tax)
            if percent is None:  # an amount alone: ours of the line's value (the heading's: of every line's)
                base = [values[i] for i in ([line] if line >= 0 else np.flatnonzero(line_owner == k).tolist())]
                if not base or any(v is None for v in base):
                    continue
                expected = (sum(base, Decimal(0)) * tax.percent / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
                if abs(amount - expected) <= Decimal("0.01"):
                    continue
                theirs += f", {expected:f}"
        sent = f"TXI {code}" + (f" {_number(amounts[j])}" if amount is not None else "") + (
            f" {_number(percents[j])} %" if percent is not None else "")
        label = (f"line {line_ids[line] or line + 1 - int(np.searchsorted(line_owner, k))}" if line >= 0
                 else "the heading")
        told.setdefault(k, []).append((row, f"{label} {sent} (ours: {theirs})", code))
    out: list[Finding] = []
    for k, items in sorted(told.items()):
        ic, g, ts = sets[k]
        place = f" to {regions[k]}" if regions.get(k) else ""
        out.append(finding("PO_TAX_MISMATCH", f"The PO states taxes other than our 810s bill{place} (the partner's "
                           f"[[fulfilment.invoice.taxes]]): {_listed([t for _r, t, _c in items], _SAC_NAMED)}. "
                           "Our 810s bill ours; agree the tax with the partner (or correct its profile) before the "
                           "810 is disputed.", seg="TXI", element="TXI01", value=items[0][2],
                           **_where(result, ic, g, ts, items[0][0])))
    return out


def _tax_words(tax) -> str:
    """A tax of ours (schemas.fulfilment.InvoiceTax) as PO_TAX_MISMATCH names it: "GST GS 5 %"."""
    return f"{tax.kind} {tax.code} {_number(str(tax.percent))} %"


def _ship_to_regions(result: ParseResult, wanted: set[int], mine: np.ndarray, set_of_row: np.ndarray,
                     fe: FlatElements, line_rows: np.ndarray, line_owner: np.ndarray) -> dict[int, str]:
    """Per set of ``wanted``, the state or province of its heading ship-to (the first N1*ST before its first PO1):
    its N4's N402, else N406 after N405 SP, as engine.invoice_taxes.region reads it (a Canadian province's former
    code as today's); a set without one is left out."""
    n1_rows, n1_owner = _rows_in(result, "N1", mine, set_of_row)
    n4_rows, _ = _rows_in(result, "N4", mine, set_of_row)
    n1_codes = _column(fe, n1_rows, 1)[0].to_pylist()
    first_line = {int(k): int(r) for r, k in zip(line_rows[::-1].tolist(), line_owner[::-1].tolist(), strict=True)}
    out: dict[int, str] = {}
    for j, (row, k) in enumerate(zip(n1_rows.tolist(), n1_owner.tolist(), strict=True)):
        if k not in wanted or k in out or n1_codes[j] != "ST" or row > first_line.get(k, row + 1):
            continue
        ends = [first_line.get(k), int(n1_rows[j + 1]) if j + 1 < len(n1_rows) else None]
        stop = min((e for e in ends if e is not None), default=int(set_of_row.size))  # its loop's end
        n4 = n4_rows[(n4_rows > row) & (n4_rows < stop)]
        if not len(n4):
            continue
        state, qualifier, location = (_column(fe, n4[:1], i)[0][0].as_py() for i in (2, 5, 6))
        state = state or (location if (qualifier or "").strip().upper() == "SP" else None)
        if state and state.strip():
            out[k] = region_code("CA", state)
    return out


def _ship_tos(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
              fe: FlatElements) -> list[Finding]:
    """The 850s' ship-to warnings, their N1*ST rows found once: SHIP_TO_NOT_APPLIED (the heading's) and
    LINE_SHIP_TO_NOT_APPLIED (the PO1 loops')."""
    found = _ship_to_rows(result, "PO1", sets, chosen, set_of_row, fe)
    both = _under_lines(result, "N1", sets, chosen, set_of_row, keep=lambda rows: np.asarray(pc.fill_null(
        pc.equal(_column(fe, rows, 1)[0], "BS"), False).to_numpy(zero_copy_only=False), dtype=bool))
    heading = _heading_ship_tos(result, sets, found, fe, both) if found is not None or both is not None else []
    if found is None:
        return heading
    return heading + (_line_ship_tos(result, sets, found, fe) if found[5].any() else [])


def _line_ship_tos(result: ParseResult, sets: Sets, found: tuple, fe: FlatElements) -> list[Finding]:
    """LINE_SHIP_TO_NOT_APPLIED once per 850 whose PO1 loops name ship-tos (N1*ST in the line's N1 loop: a co-op's
    consolidated drop ship, one member store per line) the order does not ship to: another party than the
    heading's N1*ST (the order, each line included, ships to the heading's: rules.business.places'
    LINE_SHIP_TO_DIFFERS decides whether it may), or, without a heading ship-to, more than one party (the order
    has none: SHIP_TO_UNKNOWN holds it). One the lines all share, without a heading
    ship-to, is the order's (parsers.orders_850) and raises nothing; so does a line's N1*ST naming the heading's
    party (its id, else its name) at the heading's department. Each is named (line, N102, N103/N104; ten at most).
    Another warning names the lines whose N1*ST is the heading's party with a department of its own (its N2: a
    hospital's PO for several nursing units, the hospital's GLN on each line): every line is shipped, labelled and
    invoiced to the heading's department, the line's used to be dropped without a word; the order still ships (its
    dock is the hospital's), so nothing holds it. ``found``: _ship_to_rows' of
    the 850s, some within a PO1 loop."""
    heading, lines = _heading_and_line_parties(fe, found)
    heading_rows: dict[int, int] = {}  # set -> its heading N1*ST row (the first, as _heading_and_line_parties)
    for j in np.flatnonzero(~found[5]).tolist():
        heading_rows.setdefault(int(found[1][j]), int(found[0][j]))
    words = _party_words
    out: list[Finding] = []
    for k, found in sorted(lines.items()):
        head = heading.get(k)
        if head is not None:
            out += _line_departments(result, sets[k], found, head, _department(result, heading_rows[k]))
            other = [(r, label, party) for r, label, party in found if not _same_party(party, head)]
            why = (f"the order, each of these lines included, would be allocated, shipped and invoiced to the "
                   f"heading's N1*ST {words(head)} (LINE_SHIP_TO_DIFFERS holds it for a person unless the partner's "
                   "profile accepts that)")
        else:
            other = found if len({party for _r, _l, party in found}) > 1 else []
            why = "the heading names no ship-to, so the order has none (SHIP_TO_UNKNOWN holds it for a person)"
        if not other:
            continue
        ic, g, ts = sets[k]
        named = _listed([f"line {label} N1*ST {words(party)}" for _r, label, party in other], _SHIP_TOS_NAMED)
        first, _label, party = other[0]
        out.append(finding("LINE_SHIP_TO_NOT_APPLIED", f"PO1 loops name their own ship-tos ({named}): {why}; "
                           "agree with the partner how these lines ship (one PO per destination, or by hand).",
                           seg="N1", element="N104" if party[2] else "N102", value=party[2] or party[0] or "",
                           **_where(result, ic, g, ts, first)))
    return out



def _department(result: ParseResult, row: int) -> str:
    """The department an N1 names: the N2 right after it (N201, N202 joined by ", ", as parsers.orders_850 joins
    them to the name); "" when its next segment is none."""
    segments = result.segments
    if row + 1 >= len(segments) or segments.ids[row + 1].as_py() != "N2":
        return ""
    return ", ".join(e.strip() for e in segments.row(row + 1)[1:3] if e and e.strip())


def _line_departments(result: ParseResult, where: tuple[Interchange, Group, TransactionSet], found: list[tuple],
                      head: tuple, home: str) -> list[Finding]:
    """LINE_SHIP_TO_NOT_APPLIED for one 850's PO1 loops whose N1*ST names the heading's party (``head``) with a
    department (N2) other than the heading's (``home``; "" none): named, line by line (ten at most)."""
    moved = [(r, label, party, unit) for r, label, party in found
             if _same_party(party, head) and (unit := _department(result, r)) and unit != home]
    if not moved:
        return []
    ic, g, ts = where
    named = _listed([f"line {label} N1*ST {_party_words(party)} N2 {unit}" for _r, label, party, unit in moved],
                    _SHIP_TOS_NAMED)
    first, _label, _party, unit = moved[0]
    at = f"the heading's N1*ST {_party_words(head)}" + (f" N2 {home}" if home else " (no N2)")
    return [finding("LINE_SHIP_TO_NOT_APPLIED", f"PO1 loops name departments of their own at the order's ship-to "
                    f"({named}): every line is acknowledged, shipped, labelled and invoiced to {at}; tell the "
                    "warehouse which goods are for which department (a label each), or ask the partner for one PO "
                    "per department.", seg="N2", element="N201", value=unit, **_where(result, ic, g, ts, first + 1))]

def _heading_ship_tos(result: ParseResult, sets: Sets, found: tuple | None, fe: FlatElements,
                      both: tuple | None = None) -> list[Finding]:
    """SHIP_TO_NOT_APPLIED once per 850 whose heading names more than one ship-to: N1*ST loops (the N1 loop may
    repeat), or an N1*BS (bill and ship to: BISAC's book orders), naming another party than the order's ship-to
    (by N103/N104 where both have one, else N102; a loop repeating its party, another name of the same location,
    raises nothing). The order's ship-to is the heading's first N1*ST, else its first N1*BS
    (parsers.orders_850: allocated, acknowledged, shipped and invoiced to it, once rules.business.places'
    SHIP_TO_AMBIGUOUS, which holds the order, is decided); the others are not applied. X12 says
    where the goods of one PO go by SDQ destination quantities or a ship-to in each PO1 loop: two heading ship-tos
    tell no one which goods go where, so a person must ask. Each other is named (N101, N102, N103/N104; ten at
    most). ``found``: _ship_to_rows' of the 850s (None: no N1*ST); ``both``: _under_lines' N1*BS rows (None: none).
    An N1*BS beside N1*ST loops used to be compared with nothing (its place dropped without a word)."""
    per_set: dict[int, list[tuple[int, str, tuple]]] = {}
    for code, rows in (("ST", found), ("BS", both)):
        if rows is None:
            continue
        n1_rows, n1_owner, _line_rows, _line_owner, _at, in_line = rows
        heading = np.flatnonzero(~in_line)
        if not len(heading):
            continue
        name, qualifier, ident = (_column(fe, n1_rows[heading], k)[0].to_pylist() for k in (2, 3, 4))
        for j, at in enumerate(heading.tolist()):
            per_set.setdefault(int(n1_owner[at]), []).append((int(n1_rows[at]), code,
                                                              (name[j], qualifier[j], ident[j])))
    out: list[Finding] = []
    for k, parties in sorted(per_set.items()):
        if len(parties) < 2:  # (a night's 850s have one each)
            continue
        parties.sort()
        head = next((p for p in parties if p[1] == "ST"), parties[0])  # the order's: its first ST, else first BS
        _first_row, code, first = head
        others = [(r, c, p) for r, c, p in parties if (r, c, p) != head and not _same_party(p, first)]
        if not others:
            continue
        ic, g, ts = sets[k]
        named = _listed([f"N1*{c} {_party_words(p)}" for _r, c, p in others], _SHIP_TOS_NAMED)
        row, _c, party = others[0]
        out.append(finding("SHIP_TO_NOT_APPLIED", f"The PO's heading names more than one ship-to: the first, N1*{code} "
                           f"{_party_words(first)}, is the order's (it would be allocated, acknowledged, shipped and "
                           "invoiced to it: SHIP_TO_AMBIGUOUS holds it for a person unless the partner's profile "
                           f"accepts that); {named} {'is' if len(others) == 1 else 'are'} not applied. One PO's goods "
                           "for several places come as SDQ destination quantities or a ship-to in each PO1 loop: "
                           "ask the partner where these goods go before they ship.", seg="N1",
                           element="N104" if party[2] else "N102", value=party[2] or party[0] or "",
                           **_where(result, ic, g, ts, row)))
    return out


def _line_marks_for(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                    fe: FlatElements, carried: bool = True) -> list[Finding]:
    """LINE_MARK_FOR_NOT_APPLIED once per 850 whose PO1 loops name mark-for parties of their own (N1*Z7 in the
    line's N1 loop: Home Hardware's tag orders, each line tagged for the dealer it is bought for, shipped through
    the DC) other than the heading's N1*Z7 that our 856 does not carry. A line's first N1*Z7 with an id (N103 and
    N104) is kept (ORDER_LINES mark_for_*) and, for a partner whose 856s mark cartons (``carried``:
    marks_carried_by), each carton holding the line is marked for it (its N1*Z7 after the carton's MAN:
    engine.shipments.line_marks_for, engine.asn): nothing said. Named (line, N102, N103/N104; ten at most): one
    without an id (no location to mark a carton for), a line's second, and every one when the partner's 856s mark
    no cartons (no 856, a structure without carton loops, asn.mark_for "none"). A line's N1*Z7 naming the heading's
    party (its id, else its name) raises nothing."""
    def marks(rows: np.ndarray) -> np.ndarray:
        return np.asarray(pc.fill_null(pc.equal(_column(fe, rows, 1)[0], "Z7"), False).to_numpy(
            zero_copy_only=False), dtype=bool)

    found = _under_lines(result, "N1", sets, chosen, set_of_row, keep=marks)
    if found is None or not found[5].any():
        return []
    heading, lines = _heading_and_line_parties(fe, found)
    out: list[Finding] = []
    for k, every in sorted(lines.items()):
        head = heading.get(k)
        firsts = {x[1]: x for x in reversed(every)}  # each line's first N1*Z7: the one kept (parsers.orders_850)
        found_lines = [x for x in every if (head is None or not _same_party(x[2], head))
                       and not (carried and x[2][1] and x[2][2] and firsts[x[1]] is x)]
        if not found_lines:
            continue
        ic, g, ts = sets[k]
        named = _listed([f"line {label} N1*Z7 {_party_words(party)}" for _r, label, party in found_lines],
                        _SHIP_TOS_NAMED)
        first, _label, party = found_lines[0]
        why = ("without an id (N103, N104) or a line's second, our 856 marks no carton for them" if carried else
               "this partner's 856s mark no carton for them")
        out.append(finding("LINE_MARK_FOR_NOT_APPLIED", f"PO1 loops name mark-for parties of their own ({named}): "
                           f"{why}, nor do our 855s and 810s name them; tell the warehouse which goods are for whom "
                           "(a label per party) or ask the partner for one PO per party.", seg="N1",
                           element="N104" if party[2] else "N102", value=party[2] or party[0] or "",
                           **_where(result, ic, g, ts, first)))
    return out


def _heading_and_line_parties(fe: FlatElements, found: tuple) -> tuple[dict[int, tuple], dict[int, list[tuple]]]:
    """Of _under_lines' ``found`` N1 rows: set -> its heading party (N102, N103, N104), the first; and set -> (row,
    line label: PO101, else the line's place in its set, party) of each N1 in its PO1 loops, in order."""
    n1_rows, n1_owner, line_rows, line_owner, at, in_line = found
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    name, qualifier, ident = (_column(fe, n1_rows, k)[0].to_pylist() for k in (2, 3, 4))
    heading: dict[int, tuple] = {}
    for j in np.flatnonzero(~in_line).tolist():
        heading.setdefault(int(n1_owner[j]), (name[j], qualifier[j], ident[j]))
    lines: dict[int, list[tuple[int, str, tuple]]] = {}
    for j in np.flatnonzero(in_line).tolist():
        k, line = int(n1_owner[j]), int(at[j])
        label = line_ids[line] or str(line + 1 - int(np.searchsorted(line_owner, k)))
        lines.setdefault(k, []).append((int(n1_rows[j]), label, (name[j], qualifier[j], ident[j])))
    return heading, lines


def _same_party(a: tuple, b: tuple) -> bool:
    """The same N1 party: by N103/N104 where both have one, else by N102."""
    return (a[1], a[2]) == (b[1], b[2]) if a[2] and b[2] else (a[0] or "") == (b[0] or "")


def _party_words(party: tuple) -> str:
    return " ".join(v for v in party if v) or "(no name or id)"


def _ship_tos_under(result: ParseResult, loop: str, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                    fe: FlatElements):
    """_under_lines for the chosen sets' N1*ST rows under ``loop`` (PO1: an 850 line's own ship-to; POC: an 860's);
    None when no N1*ST is within a loop of its own set."""
    found = _ship_to_rows(result, loop, sets, chosen, set_of_row, fe)
    return found if found is not None and found[5].any() else None


def _ship_to_rows(result: ParseResult, loop: str, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                  fe: FlatElements):
    """_under_lines for the chosen sets' N1*ST rows, the heading's and those under ``loop``; None without any."""
    def ship_tos(rows: np.ndarray) -> np.ndarray:
        return np.asarray(pc.fill_null(pc.equal(_column(fe, rows, 1)[0], "ST"), False).to_numpy(
            zero_copy_only=False), dtype=bool)

    return _under_lines(result, "N1", sets, chosen, set_of_row, loop=loop, keep=ship_tos)


def _under_lines(result: ParseResult, seg: str, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                 loop: str = "PO1", keep: Callable[[np.ndarray], np.ndarray] | None = None):
    """The chosen sets' ``seg`` rows (those ``keep`` marks, when given) with their sets, the ``loop`` rows (PO1,
    an 860's POC) with theirs, the loop row each ``seg`` row follows (-1 before the first) and whether that loop
    row is in the row's own set; None without such ``seg`` rows."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    rows, owner = _rows_in(result, seg, mine, set_of_row)
    if keep is not None and len(rows):
        kept = keep(rows)
        rows, owner = rows[kept], owner[kept]
    if not len(rows):
        return None
    line_rows, line_owner = _rows_in(result, loop, mine, set_of_row)
    at = np.searchsorted(line_rows, rows, side="right") - 1  # the PO1 each row follows
    owned = at >= 0
    owned[owned] = line_owner[at[owned]] == owner[owned]  # within its own set
    return rows, owner, line_rows, line_owner, at, owned


def _lines_by_set(per_line: dict, set_of_row: np.ndarray) -> list[tuple[int, list[int]]]:
    """The PO1 rows of ``per_line`` grouped by their set, in set order."""
    by_set: dict[int, list[int]] = {}
    for row in per_line:
        by_set.setdefault(int(set_of_row[row]), []).append(row)
    return sorted(by_set.items())


def _destination_quantities(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                            fe: FlatElements) -> list[Finding]:
    """SDQ_NOT_APPLIED once per 850 whose PO1 lines carry SDQ store quantities (we ship each line to the
    order's ship-to as one, never per store), and SDQ_QUANTITY_MISMATCH for each line whose SDQ quantities,
    in the line's own unit (SDQ01 = PO103), do not add up to its PO102."""
    found = _under_lines(result, "SDQ", sets, chosen, set_of_row)
    if found is None:
        return []
    sdq_rows, sdq_owner, line_rows, line_owner, at, owned = found
    units, _ = _column(fe, sdq_rows, 1)
    pairs = [(_column(fe, sdq_rows, k)[0].to_pylist(), _column(fe, sdq_rows, k + 1)[0].to_pylist()) for k in SDQ_PAIRS]
    per_line: dict[int, tuple[set, list, set]] = {}  # PO1 row -> (units, quantities, destinations)
    for j in np.flatnonzero(owned).tolist():
        unit_set, quantities, places = per_line.setdefault(int(line_rows[at[j]]), (set(), [], set()))
        unit_set.add(units[j].as_py())
        for place, quantity in ((p[j], q[j]) for p, q in pairs):
            if place is not None or quantity is not None:
                places.add(place)
                quantities.append(quantity)
    out: list[Finding] = []
    ship_tos = _ship_to_ids(result, sets, chosen, set_of_row, fe)
    line_count = np.bincount(line_owner, minlength=len(sets)) if len(line_owner) else np.zeros(len(sets), int)
    for k, rows in _lines_by_set(per_line, set_of_row):
        ic, g, ts = sets[k]
        first = int(sdq_rows[np.flatnonzero(owned & (sdq_owner == k))[0]])
        named = set().union(*(per_line[r][2] for r in rows))
        places = len(named)
        lines = f"{len(rows)} PO1 line carries" if len(rows) == 1 else f"{len(rows)} PO1 lines carry"
        where = f"{places} destination" + ("s" if places != 1 else "")
        # every line whole to the one place its SDQ names, which is the ship-to: the SDQs are applied as sent,
        # nothing to say. The PO naming its N1*ST, the lines without an SDQ go there too (Grainger's one line of
        # SDQ*BX*92*0351*10 to its DC 0351); naming none, the place is taken as the ship-to when every line's SDQ
        # names it (parsers.orders_850: Walgreens' DC orders)
        applied = places == 1 and None not in named and (
            ship_tos[k] == named if k in ship_tos else len(rows) == line_count[k])
        if not applied:
            out.append(finding("SDQ_NOT_APPLIED", f"{lines} SDQ store quantities ({where}): we do not split lines "
                               "per store; each line ships whole to the order's ship-to.", seg="SDQ", element="SDQ03",
                               value=fe.flat[int(fe.offsets[first]) + 3].as_py() if fe.row_len[first] > 3 else None,
                               **_where(result, ic, g, ts, first)))
        for row in sorted(rows):
            out += _split_sum(result, fe, sets[k], row, *per_line[row][:2])
    return out


def _ship_to_ids(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                 fe: FlatElements) -> dict[int, set]:
    """Per chosen set that sends an N1*ST (heading or lines), the N104 ids they name."""
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    rows, owner = _rows_in(result, "N1", mine, set_of_row)
    if not len(rows):
        return {}
    out: dict[int, set] = {}
    for k, party, ident in zip(owner.tolist(), _column(fe, rows, 1)[0].to_pylist(), _column(fe, rows, 4)[0].to_pylist(),
                               strict=True):
        if party == "ST":
            out.setdefault(k, set()).add(ident)
    return out


_SCH_NAMED = 10  # schedule lines named in the message; the rest counted


def _at(time: str | None) -> str:
    """A schedule date's time as the SCH sent it (SCH07, SCH10: HHMM), after a space; "" for none."""
    return f" {time.strip()}" if time and time.strip() else ""


def _schedules(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
               fe: FlatElements) -> list[Finding]:
    """SCH_NOT_APPLIED once per 850 whose PO1 lines carry SCH schedules (a line's quantity split over
    several delivery or ship dates): we keep no dates per line, so each line is allocated, acknowledged
    and shipped whole on the order's dates; the message names each schedule (quantity, unit, date
    qualifier, date and time, and its second date with its qualifier and time, SCH08-SCH10, after a '/': an
    aerospace buyer's ship date and dock date in one SCH; its line) for a person to pass on.
    SCH_QUANTITY_MISMATCH for each line whose SCH01 quantities, in its own unit (SCH02 = PO103, as X12's 850
    note asks), do not add up to PO102."""
    found = _under_lines(result, "SCH", sets, chosen, set_of_row)
    if found is None:
        return []
    sch_rows, sch_owner, line_rows, line_owner, at, owned = found
    quantity, unit, qualifier, when, hour, qualifier2, when2, hour2 = (
        _column(fe, sch_rows, k)[0].to_pylist() for k in (1, 2, 5, 6, 7, 8, 9, 10))
    line_ids = _column(fe, line_rows, 1)[0].to_pylist()
    per_line: dict[int, tuple[set, list, list]] = {}  # PO1 row -> (units, quantities, schedule texts)
    label: dict[int, str] = {}  # PO1 row -> its PO101, else its line number in the set
    for j in np.flatnonzero(owned).tolist():
        row = int(line_rows[at[j]])
        units, quantities, texts = per_line.setdefault(row, (set(), [], []))
        units.add(unit[j])
        quantities.append(quantity[j])
        label[row] = line_ids[at[j]] or str(int(at[j]) + 1 - int(np.searchsorted(line_owner, sch_owner[j])))
        date = f" {qualifier[j] or ''} {when[j]}".replace("  ", " ") + _at(hour[j]) if when[j] else ""
        if when2[j]:  # SCH08-SCH10: its second date (a dock date after the ship date, a window's end)
            date += f" / {qualifier2[j] or ''} {when2[j]}".replace("  ", " ") + _at(hour2[j])
        texts.append(f"{quantity[j] or '?'} {unit[j] or ''}".rstrip() + date)
    out: list[Finding] = []
    for k, rows in _lines_by_set(per_line, set_of_row):
        ic, g, ts = sets[k]
        first = int(sch_rows[np.flatnonzero(owned & (sch_owner == k))[0]])
        parts, left = [], _SCH_NAMED
        for row in sorted(rows):
            texts = per_line[row][2]
            if left > 0:
                parts.append(f"line {label[row]}: " + ", ".join(texts[:left]))
            left -= len(texts)
        named = "; ".join(parts) + (f"; and {-left} more" if left < 0 else "")
        lines = f"{len(rows)} PO1 line" + (" carries" if len(rows) == 1 else "s carry")
        out.append(finding("SCH_NOT_APPLIED", f"{lines} SCH delivery schedules ({named}): we keep no dates per "
                           "line, so each line is allocated, acknowledged and shipped whole on the order's dates; "
                           "pass the schedule on to the warehouse.", seg="SCH", element="SCH06",
                           value=fe.flat[int(fe.offsets[first]) + 6].as_py() if fe.row_len[first] > 6 else None,
                           **_where(result, ic, g, ts, first)))
        for row in sorted(rows):
            out += _split_sum(result, fe, sets[k], row, *per_line[row][:2], code="SCH_QUANTITY_MISMATCH",
                              what="SCH schedule quantities")
    return out


def _split_sum(result: ParseResult, fe: FlatElements, set_: tuple, row: int, units: set, quantities: list, *,
               code: str = "SDQ_QUANTITY_MISMATCH", what: str = "SDQ store quantities") -> list[Finding]:
    """``code`` (SDQ_ or SCH_QUANTITY_MISMATCH) when the line's split quantities (all in PO103's unit) do
    not add up to PO102."""
    ordered = _column(fe, np.array([row]), 2)[0][0].as_py()
    line_unit = _column(fe, np.array([row]), 3)[0][0].as_py()
    if units != {line_unit} or ordered is None:
        return []  # another unit (or none): the sum cannot be compared with PO102
    try:
        total = sum((Decimal(q) for q in quantities if q is not None), Decimal(0))
        if total == Decimal(ordered):
            return []
    except InvalidOperation:
        return []  # not a number: an element finding already
    ic, g, ts = set_
    line_id = _column(fe, np.array([row]), 1)[0][0].as_py()
    return [finding(code, f"PO1 line {line_id or '(no PO101)'} orders {ordered} {line_unit}, "
                    f"but its {what} add up to {total}.", seg="PO1", element="PO102", value=ordered,
                    **_where(result, ic, g, ts, row))]


def check_860_counts(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                     fe: FlatElements, refs_echoed: Collection[str] = frozenset()) -> list[Finding]:
    """CTT01 vs the POC count, repeated POC01, header changes we do not apply (warnings); ``refs_echoed``: as
    check_850_counts'."""
    out = _line_checks(result, sets, chosen, set_of_row, fe, "POC", "POC_LINE_ID_DUPLICATE", "change",
                       hash_total=False)
    return out + _header_changes(result, sets, chosen) + _line_dates(result, sets, chosen, set_of_row, fe) \
        + _change_line_ship_tos(result, sets, chosen, set_of_row, fe) + _notes(result, sets, chosen, set_of_row, fe,
                                                                               change=True, echoed=refs_echoed)


def _change_line_ship_tos(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                          fe: FlatElements) -> list[Finding]:
    """CHANGE_LINE_SHIP_TO_NOT_APPLIED once per 860 whose POC loops name more ship-tos than one (a second N1*ST in a
    POC loop). A POC loop's first N1*ST, with the N3/N4 of its loop, is the line's new ship-to (ORDER_CHANGES
    ship_to_*, as an 850's PO1 loop's first N1*ST is the line's: engine.changes applies it, the line decided again
    and its new place checked); a later one in the same loop is read by nothing, so the goods would go to the first
    alone. Each such is named (line, POC02, N102, N103/N104; ten at most) for a person to check by hand. A deleted
    line's (DI, CF) is not: it ships nowhere. (An 860 for an order that shipped does not move a line: engine.changes
    says so with this code, at the line.) The heading's N1*ST is the order's new ship-to (CHANGE_HEADER_APPLIED)."""
    found = _ship_tos_under(result, "POC", sets, chosen, set_of_row, fe)
    if found is None:
        return []
    n1_rows, n1_owner, poc_rows, _poc_owner, at, in_line = found
    line_ids, kinds = (_column(fe, poc_rows, k)[0].to_pylist() for k in (1, 2))
    name, qualifier, ident = (_column(fe, n1_rows, k)[0].to_pylist() for k in (2, 3, 4))
    named: dict[int, list[tuple[int, str, str, str]]] = {}  # set -> (row, text, element, value) per POC N1*ST
    taken: set[int] = set()  # the POC loops whose first N1*ST was seen (the line's new ship-to)
    for j in np.flatnonzero(in_line).tolist():
        line = int(at[j])
        if line not in taken:
            taken.add(line)
            continue
        if kinds[line] in DELETE_TYPES:
            continue
        party = " ".join(v for v in (name[j], qualifier[j], ident[j]) if v) or "(no name or id)"
        named.setdefault(int(n1_owner[j]), []).append(
            (int(n1_rows[j]), f"line {line_ids[line] or '(no POC01)'} ({kinds[line] or 'no POC02'}) N1*ST {party}",
             "N104" if ident[j] else "N102", ident[j] or name[j] or ""))
    out: list[Finding] = []
    for k, found in sorted(named.items()):
        ic, g, ts = sets[k]
        row, _text, element, value = found[0]
        out.append(finding(
            "CHANGE_LINE_SHIP_TO_NOT_APPLIED",
            f"POC loops name a second ship-to ({_listed([t for _r, t, _e, _v in found], _SHIP_TOS_NAMED)}): a "
            "line's new ship-to is the first N1*ST of its POC loop (applied, as an 850 line's), so this one was not "
            "applied and the line's goods go to the first alone. Check by hand where they must go before they ship: "
            "agree it with the partner (one PO line per destination) and tell the warehouse.",
            seg="N1", element=element, value=value,
            **_where(result, ic, g, ts, row)))
    return out


# 860 heading segments that would change the order as a whole (REF, PER, N9/MSG only identify or annotate)
_HEADER_CHANGES = frozenset({"CUR", "TAX", "FOB", "CTP", "CSH", "SAC", "ITD", "DIS", "DTM", "LDT", "PKG", "TD1", "TD5",
                             "TD3", "TD4", "N1", "N2", "N3", "N4", "SCH"})


def _unapplied(result: ParseResult, start: int, head: list[str]) -> list[int]:
    """Positions in ``head`` (an 860's heading segment ids from row ``start``) of the segments that would
    change the order and engine.changes does not apply: all of _HEADER_CHANGES but a DTM
    002/010/037/038/001/063/064, the N1 ST loop (N1, N2, N3, N4) and the first CSH with CSH01 alone (the order's sales
    requirement), which it applies (schemas.changes.HEADER_DATES, SHIP_TO_FIELDS, sales_requirement), and the first
    CUR and the N1 BT / BY / Z7 loops
    (schemas.changes.KEPT_PARTIES), which it names only when they are not the order's own (a CUR or a buyer
    restating it changes nothing: Home Depot's CUR*BY*USD, Hudson's Bay's N1*BY on every 860); likewise
    the first ITD (Advance Auto Parts' 860 guide requires ITD on every change, restating the PO's terms), TD5 and FOB
    (a replace, BCH01 05, restates the PO's routing: Nordstrom's; each used to be named here whether or not it
    changed)."""
    out, in_party = [], False
    elements = result.segments.elements
    dtm_at = [k for k, sid in enumerate(head) if sid == "DTM"]
    quals = [(el[1] if len(el) > 1 else None) for el in (elements[start + k].as_py() for k in dtm_at)]
    # a twin read as a date (106 Required By as 002 ...: parsers.x12_dates.taken_dtms) is applied as it
    twins_taken = {dtm_at[i] for q, i in taken_dtms(quals, HEADER_DATES).items() if quals[i] != q}
    compared = {head.index(sid) for sid in ("CUR", "ITD", "TD5", "FOB") if sid in head}  # engine.changes' to name
    csh_taken = False  # the first CSH sending CSH01: the order's new sales requirement, applied (engine.changes)
    for k, sid in enumerate(head):
        if sid not in _HEADER_CHANGES or k in compared:
            continue
        if sid == "CSH" and not csh_taken and not in_party:
            el = [(v or "").strip() for v in elements[start + k].as_py()[1:]]
            if el and el[0]:
                csh_taken = True
                if not any(el[1:]):  # CSH01 alone: applied; a limit or an action code with it is still named
                    continue
        if sid in ("DTM", "N1"):
            el = elements[start + k].as_py()
            qualifier = (el[1] if len(el) > 1 else None) or ""
            if sid == "N1":  # a loop engine.changes applies (ST) or compares with the order's (KEPT_PARTIES)
                in_party = qualifier == "ST" or qualifier in KEPT_PARTIES
            if (sid == "DTM" and (qualifier in HEADER_DATES or k in twins_taken)) or (sid == "N1" and in_party):
                continue
        elif sid in ("N2", "N3", "N4") and in_party:
            continue
        out.append(k)
    return out


def _header_changes(result: ParseResult, sets: Sets, chosen: np.ndarray) -> list[Finding]:
    """CHANGE_HEADER_NOT_APPLIED, once per 860 whose heading (before its first POC) carries segments that
    change the order as a whole and that engine.changes does not apply (TD5 routing, FOB, ITD terms, SAC, a
    DTM other than 002/010/037/038/001/063/064 or a twin read as one (schemas.orders.DATE_TWINS), an N1 other
    than ST, BT, BY and Z7 ...): named, so a person passes them on. Its new DTM dates and N1 ST ship-to are
    applied to the order (CHANGE_HEADER_APPLIED)."""
    out: list[Finding] = []
    vocab, codes = result.segments.id_codes
    for k in chosen.tolist():
        ic, g, ts = sets[k]
        seg_codes = codes[ts.start: ts.end + 1]
        ids = [vocab[c] for c in seg_codes.tolist()]
        head = ids[: ids.index("POC")] if "POC" in ids else ids
        unapplied = _unapplied(result, ts.start, head)
        changed = list(dict.fromkeys(head[k] for k in unapplied))
        if not changed:
            continue
        row = ts.start + unapplied[0]
        out.append(finding("CHANGE_HEADER_NOT_APPLIED", f"The 860's heading carries {', '.join(changed)}: we "
                           "apply its POC lines, DTM 002/010/037/038/001/063/064 dates, N1 ST ship-to and CSH01 "
                           "sales requirement only, so "
                           "those changes were not recorded; check them by hand."
                           + (" Its SAC allowances and charges change the order's (the 810s carry those the "
                              "profile's po_allowances carry, the charge reconciliation holds them to them, and the "
                              "allowances are judged by the customer's discount approval threshold and deals.csv); "
                              "they change no PO104."
                              if "SAC" in changed else ""), seg=changed[0],
                           value=" ".join(changed), **_where(result, ic, g, ts, row)))
    return out


def _listed(texts: list[str], most: int) -> str:
    """The first ``most`` of ``texts`` joined for a finding's message, and how many more there are."""
    return "; ".join(texts[:most]) + (f"; and {len(texts) - most} more" if len(texts) > most else "")


SET_CHECKS: dict[str, SetCheck] = {
    "850": check_850_counts,
    "860": check_860_counts,
}


def set_checks_for(invoice: InvoiceSettings | None, components: bool = False,
                   marks_carried: bool = True, refs_echoed: Collection[str] = frozenset(),
                   agreed_currency: str | None = None) -> dict[str, SetCheck]:
    """SET_CHECKS for a partner whose invoice settings are ``invoice`` (None: not known, SAC_NOT_APPLIED then
    says which SACs our 810s carry by the rule, not per SAC) and whose 856s list prepacks by their components
    (``components``: the 850's prepack components are checked, _prepacks); ``refs_echoed``: the line REF
    qualifiers its documents carry back (line_refs_echoed_by); ``agreed_currency``: the currency agreed with it
    (customers.csv; None: not known), a PO's without a heading CUR (a line's own CUR in it is not told)."""
    if invoice is None and not components and marks_carried and not refs_echoed and not agreed_currency:
        return SET_CHECKS
    return {**SET_CHECKS,
            "850": partial(check_850_counts, invoice=invoice, components=components, marks_carried=marks_carried,
                           refs_echoed=refs_echoed, agreed_currency=agreed_currency),
            "860": partial(check_860_counts, refs_echoed=refs_echoed) if refs_echoed else check_860_counts}


# the 856 structures with a carton (pack) loop, where a carton is marked for its lines' own N1*Z7 (engine.asn)
_PACKED = frozenset({"SOPI", "SOTPI", "STOPI", "SOIP"})


def marks_carried_by(profile) -> bool:
    """Whether a partner's 856s carry its lines' own mark-for parties (a PO1 loop's N1*Z7 with an id, each carton
    marked for its lines' party after its MAN: engine.asn._pack_marks): its profile (schemas.profile.PartnerProfile)
    receives 856s, in a structure with carton loops (_PACKED), naming mark-fors (asn.mark_for not "none")."""
    asn = profile.fulfilment.asn
    return "856" in profile.receives and asn.structure in _PACKED and asn.mark_for != "none"


def line_refs_echoed_by(profile) -> frozenset[str]:
    """The line REF qualifiers (a PO1 or POC loop's REF01) a partner's documents carry back on the line: the
    line_refs of its 855 ([acks.po_ack]), 856 ([fulfilment.asn]) and 810 ([fulfilment.invoice]) among those it
    receives (schemas.profile.PartnerProfile). Such a REF (with its REF02) is kept and echoed: no note of ours to
    quote (NOTES_NOT_KEPT)."""
    f = profile.fulfilment
    return frozenset(q for doc, refs in (("855", profile.acks.po_ack.line_refs), ("856", f.asn.line_refs),
                                         ("810", f.invoice.line_refs)) if doc in profile.receives for q in refs)


# POC02 types engine.changes applies: a line's own DTM 001/063/064/010/037/038/002 (schemas.changes.CHANGE_LINE_DATES)
# under any of them moves the line's cancel / do-not-deliver dates, its requested ship date, its ship window or its
# requested delivery date; other dates are not kept.
# The dates types (CT, RS, RB, RQ, PR, MU) that carry none of those say so themselves (CHANGE_DATES_NOT_STORED), a
# deletion needs none, an unsupported type is refused whole
_DATES_DROPPED_BY = SUPPORTED_TYPES - DELETE_TYPES
# segments after which a DTM or SCH is no longer the POC line's own: a reference (N9), a subline (SLN)
_NOT_THE_LINES = frozenset({"N9", "SLN", "AMT", "LM", "LS"})
_DATES_NAMED = 10  # dates named in the message; the rest counted


def _line_dates(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                fe: FlatElements) -> list[Finding]:
    """CHANGE_LINE_DATES_NOT_APPLIED, once per 860 whose POC loops carry dates we do not keep (DTM, or SCH
    schedules, of the line or of one of its N1 destinations, but the line's own first DTM 001/063/064/010/037/038/002,
    which engine.changes applies): a QD with its new SCH schedule, or an added line with its estimated delivery
    date, would
    otherwise lose the dates without a word. Each is named with its line for a person to pass on; a dates
    type (CT, RS ...) that moves none of the kept dates reports its own (engine.changes)."""
    out: list[Finding] = []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    dated = np.unique(np.concatenate([_rows_in(result, seg_id, mine, set_of_row)[1] for seg_id in ("DTM", "SCH")]))
    vocab, codes = result.segments.id_codes
    for k in dated.tolist():  # the sets with a DTM or SCH somewhere
        ic, g, ts = sets[k]
        ids = [vocab[c] for c in codes[ts.start: ts.end + 1].tolist()]
        poc = None  # (POC01, POC02) of the loop we are in, None outside one or past its own part
        # per loop: (POC01, POC02), the kept DTM01s, dates not kept, and its own part's DTMs (row, DTM01, DTM02)
        loops: list[tuple[tuple, set, list[tuple[int, str]], list]] = []
        own: list | None = None  # the loop's own DTMs so far; None past its N1 or SCH
        for i, seg_id in enumerate(ids):
            row = ts.start + i
            if seg_id == "POC":
                line, kind = (_column(fe, np.array([row]), p)[0][0].as_py() for p in (1, 2))
                poc, own = ((line, kind) if kind in _DATES_DROPPED_BY else None), []
                loops.append((poc, set(), [], own))
            elif seg_id in _NOT_THE_LINES or seg_id == "CTT":
                poc = None
            elif poc is not None and seg_id == "DTM" and own is not None:
                own.append((row, *_dtm_dated(fe, row)))
            elif poc is not None and seg_id in ("DTM", "SCH"):
                loops[-1][2].append((row, f"line {poc[0] or '(no POC01)'} ({poc[1]}): "
                                          f"{_date_text(fe, row, seg_id)}"))
                own = None if seg_id == "SCH" else own
            elif poc is not None and seg_id == "N1":
                own = None
        for kind, kept, dates, own_dtms in loops:
            # the line's own first DTM 001/063/064/010/037/038/002, or a twin read as one (175 as 001 ...:
            # parsers.orders_860's line_dates, through x12_dates.first_dated): applied (engine.changes); the rest named
            rows, taken = _kept_of_line(own_dtms, CHANGE_LINE_DATES)
            kept.update(taken)
            if kind is not None:
                dates += [(row, f"line {kind[0] or '(no POC01)'} ({kind[1]}): {_date_text(fe, row, 'DTM')}")
                          for row, q, d in own_dtms if row not in rows and not _says_kept(taken, q, d)]
        # a dates type that moved none of the kept dates says so itself (CHANGE_DATES_NOT_STORED)
        named = [d for kind, kept, dates, _own in loops if kind is not None and not (kind[1] in DATE_TYPES and not kept)
                 for d in dates]
        named.sort()
        if named:
            out.append(_dates_finding(
                result, fe, sets[k], named, "CHANGE_LINE_DATES_NOT_APPLIED", "POC lines carry dates we do not "
                "apply ({}): of a line's dates we keep its own cancel and do-not-deliver dates (DTM 001/063/064), "
                "requested ship and delivery dates (DTM 010, 002) and ship window (DTM 037/038) only, so the "
                "quantities and prices were applied without them; "
                "pass the dates on to the warehouse."))
    return out


def _dtm_said(dtm02: str | None, dtm05: str | None, dtm06: str | None, dtm07: str | None) -> str | None:
    """The date a DTM gives, as sent: DTM02, else its format qualifier and period ('D8 20261215': DTM05 and DTM06,
    or DTM06 and DTM07 where DTM07 is sent, the layout before 004010 whose DTM05 was the century:
    parsers.x12_dates.dtm_date); None when it gives none."""
    if dtm02:
        return dtm02
    form, period = (dtm06, dtm07) if dtm07 else (dtm05, dtm06)
    return " ".join(v for v in (form, period) if v) if period else None


def _dtm_dated(fe: FlatElements, row: int) -> tuple[str | None, str | None]:
    """A DTM's DTM01 and the date it gives, as sent (_dtm_said: DTM02, else its format qualifier and period)."""
    values = [v.as_py() for v in fe.flat.slice(int(fe.offsets[row]) + 1, max(int(fe.row_len[row]) - 1, 0))]
    values += [None] * 7
    return values[0], _dtm_said(values[1], values[4], values[5], values[6])


def _date_text(fe: FlatElements, row: int, seg_id: str) -> str:
    """'DTM 002 20261215' (qualifier, date; 'DTM 017 D6 261215' for one given by format and period) or
    'SCH 4 EA 002 20261220' (quantity, unit, qualifier, date)."""
    values = [v.as_py() for v in fe.flat.slice(int(fe.offsets[row]) + 1, max(int(fe.row_len[row]) - 1, 0))]
    values += [None] * 7
    if seg_id == "DTM":
        return " ".join(v for v in ("DTM", values[0], _dtm_said(values[1], values[4], values[5], values[6])) if v)
    return " ".join(v for v in ("SCH", values[0] or "?", values[1], values[4], values[5]) if v)


def _dates_finding(result: ParseResult, fe: FlatElements, set_: tuple, named: list[tuple[int, str]], code: str,
                   message: str) -> Finding:
    """One warning naming the dates in ``named`` ((row, text), ten at most, the rest counted) at the first;
    ``message`` takes them at its {}."""
    ic, g, ts = set_
    texts = _listed([t for _, t in named], _DATES_NAMED)
    first = named[0][0]
    seg_id = result.segments.ids[first].as_py()
    date_at = 2 if seg_id == "DTM" else 6  # DTM02, SCH06
    return finding(code, message.format(texts), seg=seg_id, value=_column(fe, np.array([first]), date_at)[0][0].as_py(),
                   **_where(result, ic, g, ts, first))


# segments that end an 850 heading's own dates: a DTM after them is a reference's (N9 loop), a specification's
# (SPI loop) or a line's
_HEADING_ENDS = frozenset({"N9", "N1", "SPI", "ADV", "LM", "PO1", "CTT", "SE"})
# the standard twin of each qualifier read as it (schemas.orders.DATE_TWINS), and what each standard one is
_TWIN_OF = {twin: qual for qual, twins in DATE_TWINS.items() for twin in twins}
# the kept dates whose DTM03 time bounds a delivery window (do not deliver before / after): named when sent, as a
# day is kept of them and never an hour (a requested delivery's or ship date's time, 002 0800, asks for no limit)
_WINDOW_TIMES = {"064": "do not deliver before", "063": "do not deliver after"}
_KEPT_NAMES = {"002": "delivery requested", "010": "requested ship", "001": "cancel after",
               "063": "do not deliver after"}


def _heading_dates(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
                   fe: FlatElements) -> list[Finding]:
    """HEADING_DATES_NOT_APPLIED, once per 850 whose heading DTMs (before its N9, N1, SPI loops and lines)
    carry a delivery, ship or cancel date we keep nothing for (schemas.orders.DATES_NOT_KEPT: 077 Requested
    for Delivery (Week of), 068 Current Schedule Ship ...), or a twin of a date we keep (DATE_TWINS: 175
    Cancel if Not Shipped by ...) not taken because its standard twin (or an earlier twin) came too with
    another date: the order is allocated, acknowledged and shipped without them, so each is named for a
    person. A twin taken, or one with the date taken, raises nothing."""
    out: list[Finding] = []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    dtm_rows, dtm_owner = _rows_in(result, "DTM", mine, set_of_row)
    if not len(dtm_rows):
        return out
    quals = _column(fe, dtm_rows, 1)[0].to_pylist()
    times = _column(fe, dtm_rows, 3)[0].to_pylist()
    interesting = np.array([q in DATES_NOT_KEPT or q in _TWIN_OF or (q in _WINDOW_TIMES and bool(t))
                            for q, t in zip(quals, times, strict=True)], dtype=bool)
    vocab, codes = result.segments.id_codes
    for k in np.unique(dtm_owner[interesting]).tolist():
        ic, g, ts = sets[k]
        ids = [vocab[c] for c in codes[ts.start: ts.end + 1].tolist()]
        end = next((i for i, x in enumerate(ids) if i and x in _HEADING_ENDS), len(ids))
        rows = np.array([ts.start + i for i, x in enumerate(ids[:end]) if x == "DTM"], np.int64)
        if not len(rows):
            continue
        q_of, d2, d3, d4, d5, d6, d7 = (_column(fe, rows, p)[0].to_pylist() for p in (1, 2, 3, 4, 5, 6, 7))
        # a blanket order's DTM 036 is its end, kept (ORDERS expires_on): not named
        beg = np.array([ts.start + i for i, x in enumerate(ids[:end]) if x == "BEG"][:1], np.int64)
        blanket = bool(len(beg)) and (_column(fe, beg, 2)[0].to_pylist()[0] or "") in BLANKET_TYPES
        sent = [_dtm_said(*said) for said in zip(d2, d5, d6, d7, strict=True)]
        taken: dict[str, str | None] = {}  # standard qualifier -> the date text taken for it
        for q, text in zip(q_of, sent, strict=True):
            if q in DATE_TWINS and q not in taken:
                taken[q] = text
        for q in (t for twins in DATE_TWINS.values() for t in twins):  # twins in the order they are taken
            for q2, text in zip(q_of, sent, strict=True):
                if q2 == q and _TWIN_OF[q] not in taken:
                    taken[_TWIN_OF[q]] = text
        named: list[tuple[int, str]] = []
        seen: set[str] = set()
        for row, q, text, t, z in zip(rows.tolist(), q_of, sent, d3, d4, strict=True):
            words = " ".join(v for v in ("DTM", q, text) if v)
            if q == EXPIRATION and blanket:
                pass
            elif q in DATES_NOT_KEPT:
                named.append((row, f"{words} ({DATES_NOT_KEPT[q]})"))
            elif q in _TWIN_OF and q in seen:
                continue  # a repeat of one already read or named
            elif q in _TWIN_OF and taken.get(_TWIN_OF[q]) != text:
                twin = _TWIN_OF[q]
                named.append((row, f"{words} ({DATE_TWIN_NAMES[q]}; DTM {twin} ({_KEPT_NAMES[twin]}) "
                                   f"{taken.get(twin) or '(none)'} taken)"))
            if q in _WINDOW_TIMES and d2 and t:
                # a delivery window's hour (a home delivery's appointment, 064 0800 to 063 1200): we keep its
                # day alone, so a delivery that day outside the hours would meet every date we keep
                named.append((row, f"{words} {' '.join(v for v in (t, z) if v)} ({_WINDOW_TIMES[q]}: "
                                   "its day kept, not its hour)"))
            if q in _TWIN_OF:
                seen.add(q)
        if named:
            out.append(_dates_finding(
                result, fe, sets[k], named, "HEADING_DATES_NOT_APPLIED", "The PO's heading carries dates we do "
                "not keep ({}): we keep DTM 002, 010, 037, 038, 001, 063 and 064 (106, 996 and 074 read as 002, "
                "118 as 010, 175 and 177 as 001, 061 as 063, where the PO does not send that one itself), so the "
                "order is allocated, acknowledged and shipped without them; pass them on to the warehouse."))
    return out


def _po1_dates(result: ParseResult, sets: Sets, chosen: np.ndarray, set_of_row: np.ndarray,
               fe: FlatElements) -> list[Finding]:
    """LINE_DATES_NOT_APPLIED, once per 850 whose PO1 loops carry DTM dates (of the line, or of one of its N1
    destinations) that its heading does not (same DTM01 and DTM02) and that the line does not keep: of its own
    part (before its N1 or SCH) a line keeps the dates the heading keeps of the order (schemas.orders.
    LINE_DTM_DATES: 002, 010, 037, 038, 001, 063, 064, a twin read as its standard one where the line lacks it,
    as parsers.x12_dates.first_dated reads them), so a date the line keeps (its own ship window included: what
    every line states alike is the order's too, parsers.orders_850.common_line_dates, read from the lines' kept
    columns, not here), or a twin that says the date kept, raises nothing; another qualifier (017, 077 ...), a
    repeat with another date or an N1
    destination's date would be lost without a word. Each is named with its line for a person to pass on; SCH
    schedules have their own warning (SCH_NOT_APPLIED), a reference (N9 loop) or a subline's date is not named."""
    out: list[Finding] = []
    mine = np.zeros(len(sets) + 1, dtype=bool)
    mine[chosen] = True
    dtm_rows, dtm_owner = _rows_in(result, "DTM", mine, set_of_row)
    po1_rows, po1_owner = _rows_in(result, "PO1", mine, set_of_row)
    if not len(dtm_rows) or not len(po1_rows):
        return out
    first_po1 = np.full(len(sets) + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_po1, po1_owner, po1_rows)
    vocab, codes = result.segments.id_codes
    for k in np.unique(dtm_owner[dtm_rows > first_po1[dtm_owner]]).tolist():  # the sets with a DTM after a PO1
        ic, g, ts = sets[k]
        ids = [vocab[c] for c in codes[ts.start: ts.end + 1].tolist()]
        head = ids.index("PO1")
        heading = {_dtm_dated(fe, ts.start + i) for i, x in enumerate(ids[:head]) if x == "DTM"}
        line = None  # PO101 (or the line's number) while in a PO1 loop's own part
        number = 0
        own: list | None = None  # the line's own DTMs so far (row, DTM01, date); None past its N1 or SCH
        named: list[tuple[int, str]] = []
        lines_own: list[tuple[list, str | None]] = []  # each line's own DTMs, named once all are known

        def settle(own: list | None, line: str | None, lines_own: list = lines_own) -> None:
            if own is not None and line is not None:  # a PO1 loop's own part ended (at its N1, SCH, next PO1 ...)
                lines_own.append((own, line))

        for i in range(head, len(ids)):
            seg_id, row = ids[i], ts.start + i
            if seg_id == "PO1":
                settle(own, line)
                number += 1
                line = _column(fe, np.array([row]), 1)[0][0].as_py() or str(number)
                own = []
            elif seg_id in _NOT_THE_LINES or seg_id == "CTT":
                settle(own, line)
                line, own = None, None
            elif seg_id in ("N1", "SCH"):
                settle(own, line)
                own = None
            elif line is not None and seg_id == "DTM":
                q, d = _dtm_dated(fe, row)
                if own is not None:
                    own.append((row, q, d))
                elif (q, d) not in heading:
                    named.append((row, f"line {line}: {_date_text(fe, row, seg_id)}"))
        settle(own, line)
        for mine, at_line in lines_own:  # each line's own DTMs it does not keep (_kept_of_line), nor the heading sends
            if mine:
                rows, kept = _kept_of_line(mine)
                named.extend((row, f"line {at_line}: {_date_text(fe, row, 'DTM')}") for row, q, d in mine
                             if row not in rows and (q, d) not in heading and not _says_kept(kept, q, d))
        named.sort()
        if named:
            out.append(_dates_finding(
                result, fe, sets[k], named, "LINE_DATES_NOT_APPLIED", "PO1 lines carry dates the order's heading "
                "does not ({}): of a line's own dates we keep its requested delivery and ship dates, its ship window "
                "and "
                "its cancel and do-not-deliver dates (DTM 002/010/037/038/001/063/064; 106, 996 and 074 read as 002, "
                "118 as 010, 175 "
                "and 177 as 001, 061 as 063, where the line does not send that one itself) only, so the lines are "
                "allocated, acknowledged and shipped without these; pass the line dates on to the warehouse."))
    return out


def _kept_of_line(own: list[tuple[int, str, str | None]], keeps: dict = LINE_DTM_DATES
                  ) -> tuple[set[int], dict[str, str | None]]:
    """Of a PO1 (or POC) loop's own DTMs ((row, DTM01, its date as sent: _dtm_dated), in order), those the line
    keeps (``keeps``:
    LINE_DTM_DATES for an 850, schemas.changes.CHANGE_LINE_DATES for an 860's POC; each
    read as parsers.x12_dates.first_dated reads it: its own first, else its first twin's first): their rows,
    and each kept standard qualifier's date."""
    quals = pa.array([q for _row, q, _d in own], pa.string())
    slots = np.zeros(len(own), dtype=np.int64)
    rows: set[int] = set()
    kept: dict[str, str | None] = {}
    for q in keeps:
        for at in first_dated(quals, slots, q).tolist():
            rows.add(own[at][0])
            kept[q] = own[at][2]
    return rows, kept


def _says_kept(kept: dict[str, str | None], q: str, d: str | None) -> bool:
    """A loop's DTM (DTM01 ``q``, its date as sent ``d``: _dtm_dated) says the date its line keeps for ``q``'s
    standard qualifier (a repeat, or a twin, with the same date): nothing is lost."""
    std = _TWIN_OF.get(q, q)
    return d is not None and std in kept and kept[std] == d
