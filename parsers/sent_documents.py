"""Our own outbound 810 invoices and 856 ship notices read back into RECORDED_LINES (schemas.
reconciliation): documents another system of ours sent a partner (an ERP's invoices, a warehouse's
own ship notices) recorded so the reconciliation sees them. Columnar over the parsed file (no
per-segment objects); no paths, no clock (the time they were sent is the caller's or their GS04/GS05).

810: one row per IT1 (IT101 line id, IT102 quantity, IT103 unit, IT104 price) with BIG01 date, BIG02
invoice number, BIG04 PO and a header REF SI (the shipment billed). 856: one row per SN1 (SN102
quantity, SN103 unit) with the nearest PRF01 (PO) and LIN01 (line id) before it, BSN02 (shipment),
DTM 011 (departure, DTM03 time) and DTM 017 (expected delivery). A set missing what names it (BIG02,
BIG04; BSN02; an SN1 without PRF or LIN) is left out with a RECORDED_DOCUMENT_INCOMPLETE finding. A pack level that
names its case (LIN without LIN01, then SN1 in cases: [fulfilment.asn] case_at_pack) is the row, under the line id of
the item loop after it; its items' SN1s in eaches are not counted again.

An IT1 billed by weight (IT103 a weight: LB, KG ...) with a QTY 39 (the quantity shipped) in another unit in its
loop bills a catch-weight line as our own 810 does (IT1*1*42.35*LB*3.49*PP ... QTY*39*3*CA): its quantity is the
QTY's (3 CA, what the reconciliation counts) and its amount IT102 x IT104 to the cent (what it billed).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from parsers import x12_dates
from parsers.x12_reader import ParseResult
from schemas.findings import Finding, finding
from schemas.order_keys import release_keys
from schemas.orders import PRICE, WIDE_PRICE, prices_as
from schemas.reconciliation import RECORDED_LINES
from schemas.reference import sscc_digits

RECORDED_SETS = ("810", "856")


def element(lists: pa.Array, k: int) -> pa.Array:
    """Element ``k`` of each segment (list<string>), trimmed; null where absent or empty."""
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    ok = np.diff(offsets) > k
    if not len(lists.values):
        return pa.nulls(len(lists), pa.string())
    values = pc.utf8_trim_whitespace(lists.values.take(pa.array(np.where(ok, offsets[:-1] + k, 0), pa.int64())))
    keep = ok & pc.fill_null(pc.not_equal(values, ""), False).to_numpy(zero_copy_only=False)
    return pc.if_else(pa.array(keep), values, pa.scalar(None, pa.string()))


def number(values: pa.Array, typ: pa.DataType) -> pa.Array:
    """X12 numbers (R, Nn) as decimals; anything else null."""
    ok = pc.fill_null(pc.match_substring_regex(values, r"^-?[0-9]*\.?[0-9]+$"), False)
    return pc.cast(pc.if_else(ok, values, pa.scalar(None, pa.string())), typ)


def _moment(day: pa.Array, clock: pa.Array) -> pa.Array:
    """DTM02 date and DTM03 time (HHMM[SS]) as a timestamp; the time missing: midnight."""
    hhmm = pc.utf8_slice_codeunits(pc.fill_null(clock, "0000"), 0, 4)
    hhmm = pc.if_else(pc.fill_null(pc.match_substring_regex(hhmm, r"^[0-9]{4}$"), False), hhmm, pa.scalar("0000"))
    on = pc.strftime(pc.cast(x12_dates.dates(day), pa.timestamp("s")), format="%Y%m%d")
    text = pc.binary_join_element_wise(on, hhmm, "")
    return pc.strptime(text, format="%Y%m%d%H%M", unit="s", error_is_null=True)


class _Sets:
    """The sets of one type in a parsed file, and which set each row of a segment id falls in."""

    def __init__(self, result: ParseResult, set_id: str) -> None:
        self.seg = result.segments
        self.sets = [(ic.control_number, g.control_number, ts.control_number, ts.start, ts.end)
                     for ic, g, ts in result.transaction_sets() if ts.set_id == set_id]
        self.starts = np.array([s[3] for s in self.sets], np.int64)
        self.ends = np.array([s[4] for s in self.sets], np.int64)

    def rows(self, seg_id: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, set index) of the ``seg_id`` segments inside these sets."""
        rows = self.seg.rows_of(seg_id)
        if not len(self.sets) or not len(rows):
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        at = np.searchsorted(self.starts, rows, side="right") - 1
        inside = (at >= 0) & (rows <= self.ends[np.maximum(at, 0)])
        return rows[inside], at[inside]

    def elements(self, rows: np.ndarray) -> pa.Array:
        return self.seg.elements.take(pa.array(rows, pa.int64()))

    def first(self, seg_id: str, k: int, *, qualifier: tuple[int, str] | None = None) -> pa.Array:
        """Per set: element ``k`` of its first ``seg_id`` (whose element qualifier[0] is qualifier[1])."""
        rows, at = self.rows(seg_id)
        out: list[str | None] = [None] * len(self.sets)
        if len(rows):
            els = self.elements(rows)
            values = element(els, k).to_pylist()
            quals = element(els, qualifier[0]).to_pylist() if qualifier else [None] * len(rows)
            for i, v, q in zip(at.tolist(), values, quals, strict=True):
                if out[i] is None and (qualifier is None or q == qualifier[1]):
                    out[i] = v
        return pa.array(out, pa.string())

    def nearest(self, seg_id: str, rows: np.ndarray, at: np.ndarray, k: int) -> pa.Array:
        """For each row: element ``k`` of the nearest ``seg_id`` before it in the same set (else null)."""
        marks, mark_set = self.rows(seg_id)
        if not len(marks) or not len(rows):
            return pa.nulls(len(rows), pa.string())
        i = np.searchsorted(marks, rows, side="right") - 1
        ok = (i >= 0) & (mark_set[np.maximum(i, 0)] == at)
        values = element(self.elements(marks[np.maximum(i, 0)]), k)
        return pc.if_else(pa.array(ok), values, pa.scalar(None, pa.string()))


def read_sent_lines(result: ParseResult, *, partner: str, sha256: str = "",
                    sent_at: datetime | None = None) -> tuple[pa.Table, list[Finding]]:
    """Every IT1 of the file's 810s and SN1 of its 856s as RECORDED_LINES rows, and the findings about
    sets left out. ``sent_at``: when they went to the partner (default: each group's GS04/GS05)."""
    parts, findings = [], []
    for set_id, reader in (("810", _invoices), ("856", _ship_notices)):
        sets = _Sets(result, set_id)
        if not sets.sets:
            continue
        table, missing = reader(sets)
        for i in missing:
            isa13, gs06, st02, start, _ = sets.sets[i]
            findings.append(finding(
                "RECORDED_DOCUMENT_INCOMPLETE", f"This {set_id} (ST02 {st02}) does not say which "
                + ("invoice and PO it is (BIG02, BIG04)" if set_id == "810" else
                   "shipment, PO and line each item is (BSN02, PRF01, LIN01)") + "; it was not recorded.",
                file=result.file, isa13=isa13, gs06=gs06, st02=st02, seg="ST", segment_position=1,
                file_segment=start + 1))
        if table.num_rows:
            parts.append(table)
    if not parts:
        return RECORDED_LINES.empty_table(), findings
    t = pa.concat_tables(parts, promote_options="permissive")
    created = {(ic.control_number, g.control_number): _group_time(g.date, g.time) for ic in result.interchanges
               for g in ic.groups}
    when = [sent_at.replace(microsecond=0) if sent_at else created.get((i, g))
            for i, g in zip(t["isa13"].to_pylist(), t["gs06"].to_pylist(), strict=True)]
    n = t.num_rows
    t = t.append_column("partner", pa.array([partner] * n, pa.string()))
    t = t.append_column("file", pa.array([result.file] * n, pa.string()))
    t = t.append_column("sha256", pa.array([sha256] * n, pa.string()))
    t = t.append_column("sent_at", pa.array(when, pa.timestamp("s")))
    return t.select(RECORDED_LINES.names).cast(RECORDED_LINES), findings


def _group_time(day: str, clock: str) -> datetime | None:
    on = x12_dates.parse(day)
    digits = "".join(ch for ch in clock or "" if ch.isdigit())[:4].ljust(4, "0")
    try:
        return None if on is None else datetime.combine(on, datetime.strptime(digits, "%H%M").time())
    except ValueError:
        return None


def _meta(sets: _Sets, at: np.ndarray) -> dict[str, pa.Array]:
    take = pa.array(at, pa.int64())
    return {"isa13": pa.array([s[0] for s in sets.sets], pa.string()).take(take),
            "gs06": pa.array([s[1] for s in sets.sets], pa.string()).take(take),
            "st02": pa.array([s[2] for s in sets.sets], pa.string()).take(take)}


def _invoices(sets: _Sets) -> tuple[pa.Table, list[int]]:
    number_of, po_of = sets.first("BIG", 2), sets.first("BIG", 4)
    named = pc.and_(pc.is_valid(number_of), pc.is_valid(po_of)).to_numpy(zero_copy_only=False)
    po_of = release_keys(po_of, sets.first("BIG", 5))  # BIG05: the release invoiced
    day_of = x12_dates.dates(sets.first("BIG", 1))
    shipment_of = sets.first("REF", 2, qualifier=(1, "SI"))
    rows, at = sets.rows("IT1")
    keep = named[at] if len(at) else np.zeros(0, bool)
    rows, at = rows[keep], at[keep]
    els = sets.elements(rows)
    take = pa.array(at, pa.int64())
    quantity, unit, price = (number(element(els, 2), RECORDED_LINES.field("quantity").type), element(els, 3),
                             # (an IT104 kept to 6 decimals, 0.00418, read as sent; finer: rounded to 6)
                             prices_as(number(element(els, 4), WIDE_PRICE), PRICE))
    quantity, unit, amount = _by_weight(sets, rows, at, quantity, unit, price)
    amount = _per_many(quantity, unit, price, element(els, 5), amount)
    table = pa.table({
        "doc_type": pa.array(["810"] * len(rows), pa.string()),
        "document_ref": number_of.take(take), "doc_date": day_of.take(take), "shipped_at": pa.nulls(len(rows),
                                                                                                   pa.timestamp("s")),
        "shipment_id": shipment_of.take(take), "po_number": po_of.take(take), "line_id": element(els, 1),
        "quantity": quantity, "unit": unit, "unit_price": price, "amount": amount,
        "expected_delivery_at": pa.nulls(len(rows), pa.timestamp("s")),
        **_meta(sets, at), "position": pa.array(rows, pa.int64()),
    })
    return table, [i for i in range(len(sets.sets)) if not named[i]]


def _per_many(quantity: pa.Array, unit: pa.Array, price: pa.Array, basis: pa.Array, amount: pa.Array) -> pa.Array:
    """``amount`` with the amount of each IT1 whose IT104 is the price of many of its IT103 units kept as sent
    (287.45 per thousand feet, IT105 TF, on 2,500 FT): IT102 x IT104 / that many to the cent (ROUND_HALF_UP, as
    engine.invoice.line_money), 718.63, not 718,625.00; every other IT1's as it was."""
    from decimal import ROUND_HALF_UP, Decimal

    from schemas.units import KEPT_PER_MANY_BASES, priced_per

    of = pc.fill_null(pc.is_in(basis, value_set=pa.array(list(KEPT_PER_MANY_BASES), pa.string())), False)
    if not len(basis) or not pc.any(of).as_py():
        return amount
    rows = np.flatnonzero(np.asarray(of.to_numpy(zero_copy_only=False), bool)).tolist()
    amounts, changed = amount.to_pylist(), False
    for i in rows:
        q, u, p, b = quantity[i].as_py(), unit[i].as_py(), price[i].as_py(), basis[i].as_py()
        many = priced_per(u, b)
        if many != 1 and q is not None and p is not None and amounts[i] is None:
            amounts[i], changed = (q * p / many).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), True
    return pa.array(amounts, amount.type) if changed else amount


def _by_weight(sets: _Sets, rows: np.ndarray, at: np.ndarray, quantity: pa.Array, unit: pa.Array,
               price: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """(quantity, unit, amount) of each IT1 (``rows``, in sets ``at``): an IT1 billed by weight (IT103 a weight)
    whose loop has a QTY 39 in another unit (the cases shipped) counts the QTY's quantity and unit, and bills
    IT102 x IT104 to the cent (ROUND_HALF_UP, as engine.invoice); every other IT1 as it reads, no amount."""
    from decimal import ROUND_HALF_UP, Decimal

    from schemas.units import PRICE_PER_MEASURE, PRICE_PER_WEIGHT

    money = RECORDED_LINES.field("amount").type
    weights = {u for basis in PRICE_PER_WEIGHT for u in PRICE_PER_MEASURE[basis]}
    weighed = pc.fill_null(pc.is_in(unit, value_set=pa.array(sorted(weights))), False).to_numpy(
        zero_copy_only=False) if len(rows) else np.zeros(0, bool)
    qty_rows, qty_at = sets.rows("QTY")
    if not weighed.any() or not len(qty_rows):
        return quantity, unit, pa.nulls(len(rows), money)
    qels = sets.elements(qty_rows)
    shipped = pc.fill_null(pc.equal(element(qels, 1), "39"), False).to_numpy(zero_copy_only=False)
    # each QTY 39's IT1: the nearest before it in the same set, with no IT1 between (its loop)
    all_it1, _ = sets.rows("IT1")
    owner = np.searchsorted(all_it1, qty_rows, side="right") - 1
    owner_row = np.where(owner >= 0, all_it1[np.maximum(owner, 0)], -1)
    owner_row = np.where(owner_row >= sets.starts[qty_at], owner_row, -1)  # an IT1 of its own set
    q_value = number(element(qels, 2), RECORDED_LINES.field("quantity").type).to_pylist()
    q_unit = element(qels, 3).to_pylist()
    cases: dict[int, tuple] = {}
    for k in np.flatnonzero(shipped & (owner_row >= 0)).tolist():
        if q_value[k] is not None and q_unit[k] and q_unit[k] not in weights:
            cases.setdefault(int(owner_row[k]), (q_value[k], q_unit[k]))
    qs, us, ps = quantity.to_pylist(), unit.to_pylist(), price.to_pylist()
    amounts: list[Decimal | None] = [None] * len(rows)
    for i, row in enumerate(rows.tolist()):
        if weighed[i] and row in cases and qs[i] is not None and ps[i] is not None:
            amounts[i] = (qs[i] * ps[i]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            qs[i], us[i] = cases[row]
    return (pa.array(qs, quantity.type), pa.array(us, pa.string()), pa.array(amounts, money))


def _cases_at_pack(sets: _Sets, rows: np.ndarray, at: np.ndarray, po: pa.Array, line: pa.Array
                   ) -> tuple[np.ndarray, np.ndarray, pa.Array, pa.Array]:
    """The SN1 ``rows`` (in sets ``at``, with their PO and LIN01) as counted when a pack level names its case (an SN1
    in an HL P loop whose LIN has no LIN01: engine.asn's case_at_pack): such an SN1 takes the LIN01 of the next LIN
    (its item loop's), and the SN1s of the item loops under it (the same units in eaches) are left out. Unchanged
    when no pack level has an SN1 (every other 856)."""
    if not len(rows):
        return rows, at, po, line
    level = sets.nearest("HL", rows, at, 3)
    cased = pc.and_(pc.fill_null(pc.equal(level, "P"), False), pc.is_null(line)).to_numpy(zero_copy_only=False)
    if not cased.any():
        return rows, at, po, line
    hl_id, parent = sets.nearest("HL", rows, at, 1).to_pylist(), sets.nearest("HL", rows, at, 2).to_pylist()
    packs = {(a, h) for a, h, c in zip(at.tolist(), hl_id, cased.tolist(), strict=True) if c}
    keep = np.array([(a, p) not in packs for a, p in zip(at.tolist(), parent, strict=True)], bool)
    marks, mark_set = sets.rows("LIN")
    after = np.searchsorted(marks, rows, side="right")  # the next LIN: the item loop's under the pack
    ok = cased & (after < len(marks))
    ok[ok] &= mark_set[after[ok]] == at[ok]
    next_line = element(sets.elements(marks[np.minimum(after, len(marks) - 1)]), 1) if len(marks) else line
    line = pc.if_else(pa.array(ok), next_line, line)
    mask = pa.array(keep)
    return rows[keep], at[keep], po.filter(mask), line.filter(mask)


def _ship_notices(sets: _Sets) -> tuple[pa.Table, list[int]]:
    shipment_of = sets.first("BSN", 2)
    left = _moment(sets.first("DTM", 2, qualifier=(1, "011")), sets.first("DTM", 3, qualifier=(1, "011")))
    due = _moment(sets.first("DTM", 2, qualifier=(1, "017")), sets.first("DTM", 3, qualifier=(1, "017")))
    rows, at = sets.rows("SN1")
    po = sets.nearest("PRF", rows, at, 1)
    if len(rows):  # PRF02: the release shipped
        po = release_keys(po, sets.nearest("PRF", rows, at, 2))
    line = sets.nearest("LIN", rows, at, 1)
    rows, at, po, line = _cases_at_pack(sets, rows, at, po, line)
    named = pc.is_valid(shipment_of).to_numpy(zero_copy_only=False)
    complete = pc.and_(pc.is_valid(po), pc.is_valid(line)).to_numpy(zero_copy_only=False) if len(rows) else \
        np.zeros(0, bool)
    bad = set(np.flatnonzero(~named).tolist()) | set(at[~complete].tolist())
    keep = np.array([i not in bad for i in at.tolist()], bool) if len(at) else np.zeros(0, bool)
    rows, at, po, line = rows[keep], at[keep], po.filter(pa.array(keep)), line.filter(pa.array(keep))
    els = sets.elements(rows)
    take = pa.array(at, pa.int64())
    table = pa.table({
        "doc_type": pa.array(["856"] * len(rows), pa.string()),
        "document_ref": shipment_of.take(take), "doc_date": pc.cast(left.take(take), pa.date32()),
        "shipped_at": left.take(take), "shipment_id": shipment_of.take(take), "po_number": po, "line_id": line,
        "quantity": number(element(els, 2), RECORDED_LINES.field("quantity").type), "unit": element(els, 3),
        "unit_price": pa.nulls(len(rows), RECORDED_LINES.field("unit_price").type),
        "amount": pa.nulls(len(rows), RECORDED_LINES.field("amount").type),
        "expected_delivery_at": due.take(take), **_meta(sets, at), "position": pa.array(rows, pa.int64()),
    })
    return table, sorted(bad)


def sent_heads(data: bytes) -> list[dict]:
    """Per transaction set of an X12 file, in order: its ordinal from 1 ("n"), "set_id", and what `state rebuild`
    reads (flows.rebuild_shipments) of an 856 (BSN02, the SSCCs of its MAN*GM, as the store keeps them: no AI 00) or
    an 810 (BIG01 date, BIG02 number, BIG04 PO, REF*SI shipment, CUR02 currency, TDS01 total in cents, the TXI02 tax
    amounts, and per IT1 in order ("IT1s") its IT102 quantity, IT103 unit, IT105 price basis and its loop's QTY 39
    quantity and unit, if any: a line billed by weight)."""
    text = data.decode("latin-1")
    if len(text) < 106 or not text.startswith("ISA"):
        return []
    sep, term = text[3], text[105]
    out: list[dict] = []
    h: dict = {}
    n = 0
    for raw in text.split(term):
        seg = raw.strip("\r\n ")
        el = [e.strip() for e in seg.split(sep)] if seg else [""]
        tag = el[0]
        el += [""] * 5
        if tag == "ST":
            n += 1
            h = {"n": n, "set_id": el[1], "MAN": [], "TXI": [], "IT1s": []}
        elif tag == "BSN":
            h["BSN"] = el[2]
        elif tag == "MAN" and el[1] == "GM":
            h["MAN"].append(sscc_digits(el[2]) or el[2])
        elif tag in ("BIG", "G01"):  # (an 880's G01: the same date, number, PO date, PO)
            h.update(BIG01=el[1], BIG02=el[2], BIG04=el[4])
        elif tag == "REF" and el[1] == "SI" and "IT1" not in h:
            h["SI"] = el[2]
        elif tag == "CUR":
            h["CUR"] = el[2]
        elif tag == "IT1":
            h["IT1"] = True
            h["IT1s"].append({"IT102": el[2], "IT103": el[3], "IT105": el[5]})
        elif tag == "QTY" and el[1] == "39" and h.get("IT1s") and "QTY39" not in h["IT1s"][-1]:
            h["IT1s"][-1]["QTY39"] = (el[2], el[3])
        elif tag == "TDS":
            h["TDS"] = el[1]
        elif tag == "TXI" and el[2]:
            h["TXI"].append(el[2])
        elif tag == "SE" and h:
            out.append(h)
            h = {}
    return out
