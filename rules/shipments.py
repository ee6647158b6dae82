"""Shipment confirmation checks: SHIPMENT_LINES of one feed against the live order lines (with what
is reserved for them), our items and the cartons already recorded -> the lines resolved to their
partner and order line, the findings, and the shipments that must wait for ops.

Pure and columnar: Arrow tables in (the state comes in as tables: schemas.shipments.LINE_STATE,
RECORDED_CARTONS; schemas.reference.ITEMS), lookups are Arrow joins and group-bys; Python only
builds the findings of the rows a mask flags. Nothing is fixed silently: resolving a missing
partner (by PO) or line id (by the one line of the PO with that item, or where several have it the
one of them still open and reserved) is a lookup, anything else that does not fit is a finding, and
a shipment with an error finding is held whole (an 856 must list what physically left). The GX
suite rules/gx_suites/shipment_lines.json checks the same columns' shape (not null, ranges, SCAC,
uniqueness) in the GX run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import lookup_by
from rules.business.item_readings import cross_reference
from rules.shipment_units import ShipmentUnits
from schemas.findings import Finding, finding
from schemas.fulfilment import TARE_FIRST, WHOLE_PALLETS
from schemas.grouping import Groups, encode, first_rows, is_first, joined
from schemas.order_keys import shown, x12_po
from schemas.orders import BUYER_ITEM_QUALIFIERS
from schemas.reference import normalise_gtin, sscc_columns, zeros_dropped_gtin
from schemas.rule_settings import RuleSettings
from schemas.shipments import CLOSED_LINE_STATUSES, serial_problem
from schemas.units import SAME_MEASURE, fraction_of_item, said_in

RESOLVED = [pa.field("line_number", pa.int32()), pa.field("item_sku", pa.string()), pa.field("held", pa.bool_()),
            pa.field("line_eaches", pa.int64())]  # eaches in one unit of the order line (reservations count eaches)
_HEADER = (("partner", "partner", "W06"), ("ship_date", "ship_date", "G6202"),
           ("carrier_scac", "carrier_scac", "W2702"), ("service_level", "service_level", "W2703"),
           ("bill_of_lading", "bill_of_lading", "N902"))
BUYER_ITEM = BUYER_ITEM_QUALIFIERS  # a partner's part number answers to any (schemas.reference: legacy rows to all)
SUITE = Path(__file__).with_name("gx_suites") / "shipment_lines.json"
# what the GX suite checks too: skipped here when the GX run's findings are passed in instead
SHAPE_CODES = frozenset({"SHIPMENT_QTY_NOT_POSITIVE", "SHIPMENT_WEIGHT_INVALID", "SHIPMENT_SCAC_INVALID",
                         "SHIPMENT_LINE_DUPLICATE", "SHIPMENT_ID_MISSING", "SHIPMENT_PO_MISSING",
                         "SHIPMENT_DATE_MISSING"})


@dataclass(frozen=True, slots=True)
class ShipmentCheck:
    lines: pa.Table  # SHIPMENT_LINES (partner and line_id resolved where possible) + line_number, item_sku, held
    findings: list[Finding]
    held: frozenset[str]  # shipment ids with an error finding: no 856 until ops resolve them
    finding_rows: tuple[int, ...] = ()  # for each finding, the index of the line it concerns


def check_shipments(lines: pa.Table, state: pa.Table, items: pa.Table, recorded: pa.Table, *,
                    structures: Mapping[str, str] | None = None, shape_checks: bool = True,
                    extra_findings: list[Finding] | None = None, item_units: pa.Table | None = None,
                    settings: RuleSettings | None = None, partner_items: pa.Table | None = None,
                    order_lines: pa.Table | None = None, over_ship: Mapping[str, Decimal] | None = None
                    ) -> ShipmentCheck:
    """Check one feed. ``state``: LINE_STATE of every live order line; ``items``: ITEMS; ``recorded``:
    RECORDED_CARTONS of earlier shipments; ``structures``: partner -> its 856 HL structure (SOPI,
    SOTPI, SOTI, SOI, SOIP, STOI, STOPI), for the carton checks (default SOPI) and the pallets shipped whole
    (whole_pallets). ``shape_checks``: run the checks the GX
    suite also makes (SHAPE_CODES) here; pass False with the GX run's findings in
    ``extra_findings`` (gx_shipment_findings) so each is reported once and still holds its shipment.
    ``item_units`` (ITEM_UNITS) and ``settings`` (each and case units): how a unit shipped converts to
    the line's, as intake converts an ordered unit (rules.business.quantities.eaches_per_unit);
    ``partner_items`` (PARTNER_ITEMS): the partners' part numbers, for an item named only so;
    ``order_lines`` (canonical ORDER_LINES with their PO4 columns): a line ordered in a unit only its PO4
    counts (a CT of our case) converts as intake converted it. ``over_ship``: partner -> its agreed over-shipment
    tolerance in percent of a line's ordered quantity ([fulfilment] over_ship_percent; absent or 0: none): a line
    shipped beyond its reservation but within it is SHIPMENT_WITHIN_TOLERANCE (a warning: taken), not
    SHIPMENT_OVER_RESERVED."""
    structures = structures or {}
    units = ShipmentUnits(items, item_units, settings or RuleSettings())
    units.learn_lines(state, order_lines)
    n = lines.num_rows
    out: list[tuple[int, Finding]] = []
    idx = pa.array(np.arange(n, dtype=np.int64))
    t = lines.append_column("_i", idx)

    # -- the partner, by PO when the feed does not say ------------------------------------------
    pairs = state.select(["partner", "po_number"]).group_by(["partner", "po_number"], use_threads=False).aggregate([])
    per_po = pairs.group_by("po_number", use_threads=False).aggregate([("partner", "count"), ("partner", "min")])
    by_po = _left(t.select(["_i", "po_number"]), per_po, ["po_number"])
    known_pair = _left(t.select(["_i", "partner", "po_number"]), pairs.append_column(
        "_pair", pa.array(np.ones(pairs.num_rows, dtype=bool))), ["partner", "po_number"])
    given = pc.is_valid(t["partner"])
    partner = pc.if_else(given, t["partner"], pc.if_else(pc.equal(pc.fill_null(by_po["partner_count"], 0), 1),
                                                          by_po["partner_min"], pa.scalar(None, pa.string())))
    unknown_po = pc.if_else(given, pc.is_null(known_pair["_pair"]), pc.is_null(by_po["partner_count"]))
    ambiguous = pc.and_(pc.invert(given), pc.greater(pc.fill_null(by_po["partner_count"], 0), 1))
    t = t.set_column(t.schema.get_field_index("partner"), "partner", partner)
    lines, t = (whole_pallets(x, partner, structures) for x in (lines, t))

    # -- our item, from whatever id the row carries ---------------------------------------------
    item_sku, item_unknown = _resolve_items(t, items, partner_items)
    t = t.append_column("item_sku", item_sku)
    t = _sizes_named(t, state, order_lines)  # a size run's style line named with the size's item: that size's line

    # -- the order line: by line id, else the one line of the PO with that item -----------------
    st = state.select(["partner", "po_number", "line_number", "line_id", "sku", "unit", "reserved", "status", "cut_by",
                       "cut_from", "shipped", "ordered"])
    st = st.append_column("bill_only", pc.fill_null(state["bill_only"], False) if "bill_only" in state.column_names
                          else pa.repeat(pa.scalar(False), state.num_rows))
    by_item = st.group_by(["partner", "po_number", "sku"], use_threads=False).aggregate([("line_id", "count"),
                                                                                         ("line_id", "min")])
    by_item = by_item.rename_columns(["partner", "po_number", "item_sku", "n_lines", "only_line"])
    item_key = ["partner", "po_number", "item_sku"]
    one_item = _left(t.select(["_i", *item_key]), by_item, item_key)
    has_id = pc.is_valid(t["line_id"])
    line_id = pc.if_else(has_id, t["line_id"], pc.if_else(pc.equal(pc.fill_null(one_item["n_lines"], 0), 1),
                                                         one_item["only_line"], pa.scalar(None, pa.string())))
    if not pc.all(pc.or_(has_id, pc.is_valid(line_id))).as_py():  # several lines with the item: the one still open
        live = st.filter(pc.and_(pc.invert(pc.is_in(st["status"], value_set=pa.array(CLOSED_LINE_STATUSES))),
                                 pc.greater(pc.fill_null(st["reserved"], 0), 0)))
        by_open = live.group_by(["partner", "po_number", "sku"], use_threads=False).aggregate(
            [("line_id", "count"), ("line_id", "min")]).rename_columns([*item_key, "n_open", "only_open"])
        one_open = _left(t.select(["_i", *item_key]), by_open, item_key)
        line_id = pc.if_else(pc.or_(has_id, pc.is_valid(line_id)), line_id,
                             pc.if_else(pc.equal(pc.fill_null(one_open["n_open"], 0), 1), one_open["only_open"],
                                        pa.scalar(None, pa.string())))
    t = t.set_column(t.schema.get_field_index("line_id"), "line_id", line_id)
    line_key = ["partner", "po_number", "line_id"]
    line, shared_by = _order_lines(t, st, line_key)
    absent = _mask(pc.and_(pc.and_(pc.is_valid(t["line_id"]), pc.is_valid(t["partner"])),
                           pc.and_(pc.is_null(line["line_number"]), pc.is_null(shared_by))))
    if absent.any():  # "10" for PO101 "0010": the one line id of its PO with those leading zeros
        unpadded = _unpadded_line_ids(t, st, line_key, absent)
        if unpadded is not None:
            t = unpadded
            line, shared_by = _order_lines(t, st, line_key)
    line_unknown = pc.and_(pc.is_valid(t["partner"]), pc.is_null(line["line_number"]))
    rows = _Rows(lines)

    def add(i: int, code: str, message: str, column: str, element: str, value=None) -> None:
        out.append((i, _finding(code, message, rows[i], column, element, value)))

    def at(column, i: int):
        return column[i].as_py()

    po_number = t["po_number"]
    for i in _true(unknown_po):
        if not ambiguous[i].as_py():
            given_partner = rows.column("partner")[i]
            po = at(po_number, i)  # an order key: a later release named as "PO release N" (schemas.order_keys)
            add(i, "SHIPMENT_PO_UNKNOWN", f"No live order {shown(po) if po else po!r}"
                + (f" of {given_partner!r}." if given_partner else "."), "po_number", "W0606", x12_po(po) if po else po)
    for i in _true(ambiguous):
        add(i, "SHIPMENT_PO_AMBIGUOUS", f"PO {at(po_number, i)!r} is live for several partners.", "po_number",
            "W0606", at(po_number, i))
    for i in _true(item_unknown):
        add(i, "SHIPMENT_SKU_UNKNOWN", f"No item of ours is {rows[i]['sku'] or rows[i]['upc']!r}.", "sku", "W1208",
            rows[i]["sku"] or rows[i]["upc"])
    for i in _true(line_unknown):
        if unknown_po[i].as_py() or ambiguous[i].as_py():
            continue
        if at(shared_by, i):
            msg = (f"PO {at(po_number, i)} has {at(shared_by, i)} lines with line id {at(t['line_id'], i)!r}: which "
                   "one shipped is not known.")
        elif rows[i]["line_id"] is not None:
            msg = f"PO {at(po_number, i)} has no line {rows[i]['line_id']!r}."
        elif at(one_item["n_lines"], i):
            msg = (f"PO {at(po_number, i)} has {at(one_item['n_lines'], i)} lines with item {at(t['item_sku'], i)}"
                   " (none or several of them still reserved): say which.")
        else:
            msg = f"PO {at(po_number, i)} has no line with this item."
        add(i, "SHIPMENT_LINE_UNKNOWN", msg, "line_id", "N902", rows[i]["line_id"])
    quantity, unit, line_eaches = _line_checks(t, line, rows, add, units, over_ship or {})
    out.extend(box_checks(t, rows))
    feed, also_held = _feed_checks(rows, t, recorded, structures)
    out.extend(feed)
    if not shape_checks:
        out = [(i, f) for i, f in out if f.code not in SHAPE_CODES]
    out.extend(_locate(extra_findings or [], rows))
    out.sort(key=lambda p: p[0])
    findings = [f for _i, f in out]
    sids = rows.column("shipment_id") if out else []
    held = frozenset(sids[i] for i, f in out if f.severity == "error") | also_held
    result = t.select(lines.column_names)  # t keeps the lines' order: only narrow tables are joined
    result = result.cast(pa.schema([f.with_nullable(True) for f in result.schema]))  # as a joined table's
    for name, column in (("quantity", quantity), ("unit", unit)):  # units shipped in another unit: the line's
        if column is not None:
            result = result.set_column(result.schema.get_field_index(name), name,
                                       pc.cast(column, result.schema.field(name).type))
    extra = [pc.cast(line["line_number"], pa.int32()), t["item_sku"],
             pc.is_in(result["shipment_id"], value_set=pa.array(sorted(held), pa.string())), line_eaches]
    for field, col in zip(RESOLVED, extra, strict=True):
        result = result.append_column(field, col)
    return ShipmentCheck(result, findings, held, tuple(i for i, _f in out))


def _sizes_named(t: pa.Table, state: pa.Table, order_lines: pa.Table | None) -> pa.Table:
    """``t`` with a row naming the PO101 of a size run's style line (ORDER_LINES style_line_id: the style was taken
    in as a line per size, rules.business.size_runs) and one of its sizes' items naming that size's line instead: the
    warehouse confirms the buyer's PO line and the size it picked. Other rows as they are."""
    if order_lines is None or "style_line_id" not in order_lines.column_names or not t.num_rows or \
            order_lines["style_line_id"].null_count == order_lines.num_rows:
        return t
    sizes = order_lines.filter(pc.is_valid(order_lines["style_line_id"]))
    skus = {(p, po, lid): sku for p, po, lid, sku in zip(*(state[c].to_pylist() for c in (
        "partner", "po_number", "line_id", "sku")), strict=True)}
    size_of = {(p, po, style, skus.get((p, po, lid))): lid for p, po, lid, style in zip(
        *(sizes[c].to_pylist() for c in ("partner", "po_number", "line_id", "style_line_id")), strict=True)}
    keys = zip(*(t[c].to_pylist() for c in ("partner", "po_number", "line_id", "item_sku")), strict=True)
    named = [size_of.get(k, k[2]) if k[2] is not None and k[3] is not None else k[2] for k in keys]
    at = t.schema.get_field_index("line_id")
    return t.set_column(at, t.schema.field(at), pa.array(named, t.schema.field(at).type))


_LINE_NAMES = ["partner", "po_number", "line_number", "line_id", "l_sku", "l_unit", "l_reserved", "l_status",
               "l_cut_by", "l_cut_from", "l_shipped", "l_ordered", "l_bill_only"]


def _order_lines(t: pa.Table, st: pa.Table, line_key: list[str]) -> tuple[pa.Table, pa.Array]:
    """Each row's order line (``st``'s columns as _LINE_NAMES, in ``t``'s order; nulls where none) and,
    for a row whose line id several lines of its PO share (a PO101 sent twice: it names no line), how
    many share it."""
    line = joined(t.select(["_i", *line_key]), st.rename_columns(_LINE_NAMES), line_key)
    if line is not None:
        return line, pa.nulls(t.num_rows, pa.int64())
    per_id = st.group_by(line_key, use_threads=False).aggregate([("line_number", "count")])
    shared = per_id.filter(pc.greater(per_id["line_number_count"], 1))
    st = st.filter(pc.invert(pc.fill_null(pc.is_in(_key(st, line_key), value_set=_key(shared, line_key)), False)))
    shared_by = _left(t.select(["_i", *line_key]), shared, line_key)["line_number_count"]
    return _left(t.select(["_i", *line_key]), st.rename_columns(_LINE_NAMES), line_key), shared_by


def _unpadded_line_ids(t: pa.Table, st: pa.Table, line_key: list[str], absent: np.ndarray) -> pa.Table | None:
    """``t`` with the line ids of the ``absent`` rows (naming no line of their PO) read as the one line id
    of the PO that is the same number with leading zeros ("10" for PO101 "0010", as a spreadsheet or a
    WMS keeps a number); None when none is."""
    padded: dict[tuple, set[str]] = defaultdict(set)
    for p, po, lid in zip(*(st[c].to_pylist() for c in line_key), strict=True):
        if lid and lid.isdigit():
            padded[(p, po, lid.lstrip("0") or "0")].add(lid)
    values = t["line_id"].to_pylist()
    partner, po = t["partner"], t["po_number"]
    changed = False
    for i in np.flatnonzero(absent).tolist():
        lid = values[i]
        found = padded.get((partner[i].as_py(), po[i].as_py(), lid.lstrip("0") or "0")) if lid.isdigit() else None
        if found and len(found) == 1:
            values[i], changed = next(iter(found)), True
    return t.set_column(t.schema.get_field_index("line_id"), "line_id", pa.array(values, pa.string())) \
        if changed else None


def _of_measure(eaches, per_line: int, unit: str, *, counted: bool = False) -> bool:
    """``eaches`` of an item are a fraction of its line's ``unit`` we carry exactly: the unit is a number of the
    item's measure (MEASURE_MULTIPLES: 1,344 BF of lumber on a line in TM, thousand board feet, is 1.344 TM, as
    intake takes 1.344 TM as sent; FRACTIONAL_COUNTS: 2,500 sheets on a line in TH is 2.5 TH), or ``counted``: a
    whole number of pieces of an item sold singly on a line in a count unit by its definition (ShipmentUnits.
    counts_singly: 234 towels sold by the each on a line of 20 DZ are 19.5 DZ; the DC counted what left, and the 856
    and 810 carry it, SN102 and IT102 being R decimals; a DZ *ordered* with a fraction is still a case-pack question,
    rules.business.quantities), and the quotient has at most the 4 places a quantity holds."""
    if not (counted or fraction_of_item(unit)):
        return False
    stated = Decimal(eaches) / Decimal(per_line)
    return stated == stated.quantize(Decimal("0.0001"))


def _counted(units: ShipmentUnits, sku: str | None, unit: str | None, per_line: int, eaches) -> bool:
    """``eaches`` shipped are whole pieces of item ``sku`` and its order line's ``unit`` counts them by its
    definition (``per_line`` as the unit is for the item: no PO4 made it another pack): the DC's count, exact in
    the line's unit (_of_measure)."""
    return eaches == int(eaches) and units.counts_singly(sku, unit) and per_line == units.each(sku, unit)


def _line_checks(t: pa.Table, line: pa.Table, rows: _Rows, add, units: ShipmentUnits,
                 over_ship: Mapping[str, Decimal] | None = None):
    """Each row against its order line (``line``: the line found for each row of ``t``, in its order):
    quantity, closed line, item, unit, and more shipped than is still reserved (over the rows of a
    line, in row order, in eaches: what reservations count). A unit other than the line's that
    converts to whole units of it through the item master (the case pack for CA/CS, item_units) is
    converted, with a warning; one that does not is an error. CS for a line in CA (or the reverse), both the
    same case, and EA for a line in UN (a book wholesaler's "units"), both one each, are the line's unit without a
    word, as intake reads either. Returns each row's quantity and unit
    (None: none converted) and the eaches in one unit of its line (1 where not known). Column masks;
    Python only for the rows flagged. ``over_ship``: partner -> over-shipment tolerance in percent (_within)."""
    q, number = t["quantity"], line["line_number"]
    has_line = pc.is_valid(number)
    row_line, po, status = t["line_id"], t["po_number"], line["l_status"]
    for i in np.flatnonzero(_mask(pc.or_(pc.is_null(q), pc.less_equal(q, 0))) & ~further_boxes(t)).tolist():
        value = q[i].as_py()
        add(i, "SHIPMENT_QTY_NOT_POSITIVE", f"Quantity {value} is not positive.", "quantity", "W1203",
            None if value is None else str(value))
    for i in _true(pc.and_(has_line, pc.is_in(status, value_set=pa.array(CLOSED_LINE_STATUSES, pa.string())))):
        add(i, "SHIPMENT_LINE_CLOSED", f"Line {row_line[i].as_py()} of {po[i].as_py()} is {status[i].as_py()}.",
            "line_id", "N902", row_line[i].as_py())
    bill_only = _mask(pc.and_(has_line, pc.fill_null(line["l_bill_only"], False)))
    for i in np.flatnonzero(bill_only).tolist():  # used from the buyer's own stock: nothing of ours ships for it
        add(i, "SHIPMENT_BILL_ONLY", f"Line {row_line[i].as_py()} of {po[i].as_py()} is of a bill-only order (the "
            "buyer used the goods from stock it holds, [fulfilment.invoice] bill_only): nothing of it ships, and it "
            "is billed from the PO. Held: no 856 goes; if goods left the dock, get them back or settle it with the "
            "buyer.", "po_number", "W0606", po[i].as_py())
    item, sku = t["item_sku"], line["l_sku"]
    for i in _true(pc.and_(has_line, pc.not_equal(item, sku))):
        add(i, "SHIPMENT_SKU_MISMATCH", f"Item {item[i].as_py()} shipped for line {row_line[i].as_py()}, which "
            f"orders {sku[i].as_py()}.", "sku", "W1208", rows[i]["sku"] or rows[i]["upc"])
    shipped_unit, unit = t["unit"], line["l_unit"]
    line_sku = pc.coalesce(sku, item)
    line_eaches = pc.fill_null(units.line_column(t["partner"], po, number, line_sku, unit), 1)
    differ = _mask(pc.and_(has_line, pc.and_(pc.and_(pc.not_equal(shipped_unit, ""), pc.not_equal(unit, "")),
                                             pc.not_equal(shipped_unit, unit))))
    mismatch = differ.copy()
    quantity = unit_out = None
    if differ.any():
        converted: dict[int, Decimal] = {}
        for i in np.flatnonzero(differ).tolist():
            value, was, wanted, what = q[i].as_py(), shipped_unit[i].as_py(), unit[i].as_py(), line_sku[i].as_py()
            per_shipped = units.each(what, was)
            per_line = units.line_each(t["partner"][i].as_py(), po[i].as_py(), number[i].as_py(), what, wanted)
            eaches = value * per_shipped if value is not None and per_shipped else None
            part = units.in_own_unit(what, was) if eaches is None and value is not None else None
            if part:  # a part of the item's own measure by definition (500 ML of an item counted in LT: 0.5 of it)
                eaches = value / part
            if value is not None and value > 0 and eaches and per_line and (
                    eaches % per_line == 0 or _of_measure(eaches, per_line, wanted,
                                                          counted=_counted(units, what, wanted, per_line, eaches))):
                converted[i] = eaches / per_line
                mismatch[i] = False
                if per_shipped == per_line and ({was, wanted} <= set(units.settings.case_units)
                                                or {was, wanted} <= set(units.settings.each_units)
                                                or SAME_MEASURE.get(was) == wanted):
                    continue  # CS for CA, EA for UN, FT for LF (or the reverse): one unit, as intake reads either

                worth = f"{_n(eaches)} {units.own_unit(what)} ({part} {was} to the {units.own_unit(what)})" if part \
                    else f"{_n(eaches)} {_said(units, what)}"
                add(i, "SHIPMENT_UNIT_CONVERTED", f"Shipped {_n(value)} {was} of {what}; line {row_line[i].as_py()} "
                    f"is in {wanted}: {worth}, recorded as {_n(converted[i])} {wanted}.", "unit", "W1205", was)
                continue
            why = ""
            if part and value > 0 and per_line and fraction_of_item(wanted):  # exact, but past a quantity's places
                why = (f" ({_n(value)} {was} is {_exactly(eaches / per_line)} {wanted}: more decimal places than the "
                       f"4 a quantity holds, not rounded; ask the warehouse to confirm it in {wanted})")
            elif value is not None and value > 0 and eaches and per_line:
                why = f" ({_n(eaches)} {_said(units, what)}: not whole {wanted} of {per_line})"
            add(i, "SHIPMENT_UNIT_MISMATCH", f"Shipped in {was}; the line is in {wanted}{why}.", "unit", "W1205", was)
        if converted:
            at = np.fromiter(converted, np.int64)
            values = q.to_pylist()
            for i, value in converted.items():
                values[i] = value
            quantity = pa.array(values, q.type)
            unit_out = pc.if_else(pa.array(np.isin(np.arange(len(values)), at)), unit, shipped_unit)
            q = quantity
    # more shipped than reserved: only the lines whose rows together ship more are walked, row by row
    counted = np.asarray(pc.fill_null(pc.and_(pc.and_(has_line, pa.array(~mismatch)), pc.greater(q, 0)), False),
                         dtype=bool) & ~bill_only  # a bill-only line's rows are held for that alone
    if not counted.any():
        return quantity, unit_out, line_eaches
    each = np.asarray(line_eaches.to_numpy(zero_copy_only=False), dtype=np.int64)
    in_eaches = q if bool((each == 1).all()) else pc.multiply_checked(q, pc.cast(line_eaches, pa.decimal128(19, 0)))
    group, _ = encode(t["partner"], po, row_line)
    rows_in = np.flatnonzero(counted)
    totals = pa.table({"g": group[rows_in], "q": in_eaches.take(pa.array(rows_in))}).group_by(
        "g", use_threads=False).aggregate([("q", "sum")])
    first = first_rows(group, counted)
    reserved = line["l_reserved"].take(pa.array(first[totals["g"].to_numpy()]))
    beyond_mask = pc.fill_null(pc.greater(totals["q_sum"], pc.cast(pc.fill_null(reserved, 0), totals["q_sum"].type)),
                               False)
    over = totals["g"].filter(beyond_mask)
    walk = rows_in[np.isin(group[rows_in], over.to_numpy())]
    over_keys, over_totals = over.to_pylist(), totals["q_sum"].filter(beyond_mask).to_pylist()
    beyond = {g: total - (left or 0) for g, total, left in zip(  # each line's eaches past its reservation (the
        over_keys, over_totals,  # lines walked: only theirs is read)
        reserved.filter(beyond_mask).to_pylist(), strict=True)}
    # eaches this feed of each line walked (only theirs is read: not every line's sum made a Decimal, 10,000 a file)
    totals_of = dict(zip(over_keys, over_totals, strict=True))
    reserved_left: dict[int, object] = {}
    room_left: dict[int, object] = {}  # a cut line's eaches that can still have left before the change
    taken = pa.array(walk)
    for i, qty, per, left0, key, cut_by, cut_from, before, ordered in zip(
            walk.tolist(), q.take(taken).to_pylist(), each[walk].tolist(), line["l_reserved"].take(taken).to_pylist(),
            group[walk].tolist(), line["l_cut_by"].take(taken).to_pylist(),
            line["l_cut_from"].take(taken).to_pylist(), line["l_shipped"].take(taken).to_pylist(),
            line["l_ordered"].take(taken).to_pylist(), strict=True):
        left = reserved_left.get(key, left0 or 0)
        reserved_left[key] = left - qty * per
        base = _said(units, line_sku[i].as_py())  # what the item is counted in: eaches, FT of wire sold by the foot
        eaches = "" if per == 1 else f" {base}"
        shipped = _n(qty) if per == 1 else f"{_n(qty)} {unit[i].as_py()} ({_n(qty * per)} {base})"
        if cut_by and cut_from is not None:  # no more than the line had before the cut can have left before it
            room = room_left.get(key, max(left0 or 0, (cut_from - (before or 0)) * per))
            room_left[key] = room - qty * per
            if room - qty * per < 0 <= room:
                add(i, "SHIPMENT_OVER_RESERVED", f"Line {row_line[i].as_py()} of {po[i].as_py()}: {shipped} shipped "
                    f"with only {_n(room)}{eaches} left of the {_n(cut_from * per)}{eaches} the line had before the "
                    f"buyer's change cut it ({cut_by}): {_n(qty * per - room)}{eaches} beyond anything that can have "
                    "left before the change.", "quantity", "W1203", _n(qty))
                continue
        if not left - qty * per < 0 <= left:
            continue
        if cut_by:  # an 860 cut the line's unshipped units after part of it shipped: these left before we knew
            past = _n(beyond[key]) + eaches
            add(i, "SHIPPED_AFTER_CHANGE", f"Line {row_line[i].as_py()} of {po[i].as_py()}: {shipped} shipped with "
                f"only {_n(left)}{eaches} still reserved; the buyer's change cut the line "
                f"({cut_by}), so {past} unit(s) shipped beyond what the change left. They left the dock: the 856 "
                "goes and they are billed; expect the buyer to refuse or return them, or settle it with the buyer.",
                "quantity", "W1203", _n(qty))
            continue
        percent = (over_ship or {}).get(t["partner"][i].as_py()) or 0
        if percent and _within(beyond[key], totals_of[key], before, ordered, per, percent):
            add(i, "SHIPMENT_WITHIN_TOLERANCE", f"Line {row_line[i].as_py()} of {po[i].as_py()}: {shipped} shipped "
                f"with only {_n(left)}{eaches} still reserved: {_n(beyond[key])}{eaches} beyond the line, within the "
                f"{_n(percent)}% over-shipment tolerance agreed with the partner (of {_n(ordered)} ordered). Taken: "
                "the 856 goes and the units shipped are billed.", "quantity", "W1203", _n(qty))
            continue
        add(i, "SHIPMENT_OVER_RESERVED", f"Line {row_line[i].as_py()} of {po[i].as_py()}: {shipped} more shipped "
            f"with only {_n(left)}{eaches} still reserved.", "quantity", "W1203", _n(qty))
    return quantity, unit_out, line_eaches


def _within(beyond, total, before, ordered, per: int, percent) -> bool:
    """Whether a line shipped ``beyond`` eaches past its reservation (``total`` eaches of it in this feed, ``before``
    units of it shipped earlier) is within an over-shipment tolerance of ``percent`` of its ``ordered`` units (``per``
    eaches each): every unit beyond the reservation is beyond what was ordered too (a line with units backordered or
    refused has fewer reserved than ordered: shipping those is no over-shipment, it stays held), and all the line will
    have shipped less what was ordered is at most that share of what was ordered. A line of unknown ordered quantity
    has none."""
    if ordered is None or ordered <= 0:
        return False
    over_ordered = Decimal(before or 0) * per + total - Decimal(ordered) * per
    return beyond <= over_ordered <= Decimal(ordered) * per * Decimal(percent) / 100


BOX_COLUMNS = ("carton_id", "carton_sscc", "pallet_id", "pallet_sscc")


def whole_pallets(table: pa.Table, partner: pa.Array | pa.ChunkedArray, structures: Mapping[str, str]) -> pa.Table:
    """``table`` (SHIPMENT_LINES' box columns) with its pallets shipped whole settled for each row's ``partner``'s
    856 structure. A pallet shipped whole is a row with a pallet id and no carton id (a CSV), or whose carton
    label is its pallet's (a 945 LX whose MAN*GM is also its N9 LV license plate). For an S-O-T-I or S-T-O-I partner
    its label and SSCC fill both the carton's and the pallet's columns (the box the checks see is the pallet;
    engine.shipments writes it as a tare with its items under it); for any other, the pallet's columns are
    cleared (its SSCC once, as the carton of an S-O-P-I / S-O-T-P-I tree; a row without a carton id stays one:
    SHIPMENT_CARTON_MISSING)."""
    if not table.num_rows or pc.all(pc.is_null(table["pallet_id"])).as_py():
        return table
    carton_id, carton_sscc, pallet_id, pallet_sscc = (table[c].combine_chunks() for c in BOX_COLUMNS)
    if isinstance(partner, pa.ChunkedArray):
        partner = partner.combine_chunks()
    structure = _each(partner, lambda p: structures.get(p or "", "SOPI"), null=True)
    soti = pc.is_in(structure, value_set=pa.array(sorted(WHOLE_PALLETS), pa.string()))  # S-O-T-I, S-T-O-I
    same = pc.equal(pc.coalesce(sscc_columns(carton_id)[1], carton_id), pc.coalesce(sscc_columns(pallet_id)[1],
                                                                                   pallet_id))
    same = pc.fill_null(same, False)
    whole = pc.and_(pc.is_valid(pallet_id), pc.or_(pc.is_null(carton_id), same))
    as_pallet = pc.and_(whole, pc.fill_null(soti, False))
    if not pc.any(whole).as_py():
        return table
    null = pa.scalar(None, pa.string())
    pallet_code = pc.coalesce(pallet_sscc, sscc_columns(pallet_id)[1])
    columns = {
        "carton_id": pc.if_else(as_pallet, pallet_id, carton_id),
        "carton_sscc": pc.if_else(as_pallet, pallet_code, carton_sscc),
        "pallet_id": pc.if_else(pc.and_(same, pc.invert(as_pallet)), null, pallet_id),
        "pallet_sscc": pc.if_else(pc.and_(same, pc.invert(as_pallet)), null, pallet_sscc),
    }
    for name, column in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table


def _feed_checks(rows: _Rows, t: pa.Table, recorded: pa.Table, structures: Mapping[str, str]):
    """Checks across rows: duplicate shipment ids, header consistency, repeated lines, cartons on two
    shipments, cartons the partner's structure needs, mixed cartons, SSCCs, SCACs, weights. Each
    check is a mask over the rows (a row's findings in this order); ``t``: the rows with partner,
    line id and item resolved."""
    out: list[tuple[int, Finding]] = []
    n = len(rows)
    if not n:
        return out, frozenset()
    recorded_cartons: dict[str, str] = {}
    for sid, cid, sscc in zip(recorded["shipment_id"].to_pylist(), recorded["carton_id"].to_pylist(),
                              sscc_columns(recorded["carton_sscc"])[1].to_pylist(), strict=True):
        for key in (sscc, cid):
            if key:
                recorded_cartons.setdefault(key, sid)
    also_held: set[str] = set()  # the other shipment of a carton on two shipments of this feed
    table = rows.table

    def add(mask, code: str, message, column: str, element: str, value=lambda i: None) -> None:
        for i in np.flatnonzero(mask).tolist():
            out.append((i, _finding(code, message(i), rows[i], column, element, value(i))))

    def at(name: str, i: int):
        return (t if name in _RESOLVED_COLUMNS else table)[name][i].as_py()

    sid, n_sid = encode(table["shipment_id"])
    partner, po = t["partner"], t["po_number"]
    # a shipment id already recorded (its first row), or named by a second confirmation (file + 945 set): one naming
    # only POs the shipment's earlier 945 sets of its file did not is a part of it (one_shipment_sets)
    recorded_sid = _mask(pc.is_in(table["shipment_id"], value_set=recorded["shipment_id"]))
    first_of_sid = is_first(sid)
    first_of_source = is_first(encode(sid, table["source_file"], table["isa13"], table["gs06"], table["st02"])[0])
    add(recorded_sid & first_of_sid, "SHIPMENT_ID_DUPLICATE", lambda i: f"Shipment {at('shipment_id', i)} was "
        "already recorded.", "shipment_id", "W0604", lambda i: at("shipment_id", i))
    second_source = first_of_source & (Groups(sid, n_sid).running(first_of_source) >= 2)
    if second_source.any():
        second_source &= ~one_shipment_sets(table, sid, first_of_source)
        second_source &= Groups(sid, n_sid).running(second_source) == 1
    add(~recorded_sid & second_source, "SHIPMENT_ID_DUPLICATE",
        lambda i: f"Shipment {at('shipment_id', i)} also comes in another confirmation of this feed.", "shipment_id",
        "W0604", lambda i: at("shipment_id", i))
    # header values that change within a shipment: only the rows of such shipments are walked
    given = {name: partner if name == "partner" else table[name] for name, _col, _element in _HEADER}
    mixed = np.zeros(n, dtype=bool)
    for values in given.values():
        valid = _mask(pc.is_valid(values))
        pairs = np.flatnonzero(valid & is_first(encode(sid, values)[0]))
        mixed |= (np.bincount(sid[pairs], minlength=n) > 1)[sid]
    walk = np.flatnonzero(mixed)
    if len(walk):
        taken = {name: values.take(pa.array(walk)).to_pylist() for name, values in given.items()}
        header: dict[tuple[int, str], dict] = defaultdict(dict)
        found = []
        for k, i in enumerate(walk.tolist()):
            for name, _col, element in _HEADER:
                value = taken[name][k]
                values = header[(int(sid[i]), name)]
                if value is not None and values and value not in values and len(values) == 1:
                    found.append((i, _finding("SHIPMENT_HEADER_INCONSISTENT", f"Shipment {at('shipment_id', i)}: "
                                              f"{name} {value!r} here, {next(iter(values))!r} before.", rows[i], name,
                                              element, str(value))))
                if value is not None:
                    values.setdefault(value, i)
        out.extend(found)
    # the carton: its valid SSCC, else its label
    carton_id, pallet_id = table["carton_id"], table["pallet_id"]
    carton_arr = pc.coalesce(sscc_columns(table["carton_sscc"])[1], carton_id)
    has_carton = _mask(pc.is_valid(carton_arr))
    carton, _ = encode(carton_arr)
    line_id = t["line_id"]
    lot, store = (table[c] if c in table.column_names else pa.nulls(table.num_rows, pa.string())
                  for c in ("lot_number", "mark_for_store"))
    # one carton may hold a line's units of two lots (a row per lot), a pallet shipped whole a line's units for two
    # stores (a row per store: store_checks): a duplicate is the same line, lot and store again
    add(has_carton & ~is_first(encode(sid, carton, partner, po, line_id, lot, store)[0]), "SHIPMENT_LINE_DUPLICATE",
        lambda i: f"Line {at('line_id', i)} of {at('po_number', i)} twice in carton {carton_arr[i].as_py()} of "
        f"{at('shipment_id', i)}.", "line_id", "W12")
    structure = _each(partner, lambda p: structures.get(p or "", "SOPI"), null=True)
    add(~has_carton & _mask(pc.not_equal(structure, "SOI")), "SHIPMENT_CARTON_MISSING",
        lambda i: f"No carton id; {at('partner', i)}'s 856 lists cartons ({structure[i].as_py()})." if structure[i]
        .as_py() not in WHOLE_PALLETS else f"No carton or pallet id; {at('partner', i)}'s 856 lists pallets "
        f"({structure[i].as_py()}).",
        "carton_id", "MAN02")
    for name, label, what in ((("carton_id", carton_id, "Carton"), ("pallet_id", pallet_id, "Pallet"))):
        shaped, valid = sscc_columns(label)
        bad = _mask(pc.and_(pc.is_valid(shaped), pc.is_null(valid)))  # an SSCC's shape, a wrong check digit
        add(has_carton & bad, "SHIPMENT_SSCC_INVALID", lambda i, label=label, what=what:
            f"{what} label {label[i].as_py()} is not a valid SSCC-18.", name, "MAN02",
            lambda i, label=label: label[i].as_py())
    # a carton on two shipments (of this feed, or one recorded before): its first row that says so; a pallet's SSCC
    # alike (the store records each SSCC once: a pallet on two shipments was a crash of the run, not a finding), a
    # pallet whose label is its rows' carton's (shipped whole) being that carton
    pallet_arr = pc.coalesce(sscc_columns(table["pallet_sscc"])[1], sscc_columns(pallet_id)[1])
    pallet_arr = pc.if_else(pc.fill_null(pc.equal(pallet_arr, carton_arr), False), pa.scalar(None, pa.string()),
                            pallet_arr)
    for name, box, what in (("carton_id", carton_arr, "Carton"), ("pallet_id", pallet_arr, "Pallet")):
        out.extend(_reused(box, sid, table["shipment_id"], recorded_cartons, rows, name, what, also_held))
    # a carton of a shipment holding two POs' items (once), or several items for a partner taking carton pack; a
    # pallet shipped whole (its label the box's, whole_pallets) of an S-T-O-I partner holds several POs' items
    in_shipment, n_in_shipment = encode(sid, carton)
    first_po = first_rows(in_shipment, has_carton)[in_shipment]
    po_codes, _ = encode(po)
    consolidated = _mask(pc.and_(pc.is_in(structure, value_set=pa.array(sorted(TARE_FIRST), pa.string())),
                                 pc.equal(carton_id, pallet_id)))
    multi = is_first(in_shipment, has_carton & ~consolidated & (po_codes != po_codes[first_po]))
    add(multi, "SHIPMENT_CARTON_MULTI_PO", lambda i: f"Carton {carton_arr[i].as_py()} of {at('shipment_id', i)} "
        f"holds items of {po[int(first_po[i])].as_py()} and {at('po_number', i)}.", "carton_id", "MAN02",
        lambda i: carton_arr[i].as_py())
    item_or_line = pc.if_else(pc.fill_null(pc.not_equal(line_id, ""), False), line_id, t["item_sku"])
    new_kind = is_first(encode(in_shipment, po_codes, item_or_line)[0])
    kinds = Groups(in_shipment, n_in_shipment).running(new_kind)  # once per carton: at the row bringing its second item
    add(has_carton & _mask(pc.equal(structure, "SOIP")) & new_kind & (kinds == 2), "SHIPMENT_CARTON_MIXED",
        lambda i: f"Carton {carton_arr[i].as_py()} holds several items; {at('partner', i)} takes standard carton "
        "pack.", "carton_id", "MAN02", lambda i: carton_arr[i].as_py())
    scac, weight = table["carrier_scac"], table["carton_weight"]
    scac_bad = _mask(_each(scac, lambda v: bool(v) and not _scac_ok(v), pa.bool_(), null=True))
    add(scac_bad & is_first(encode(sid, scac)[0]), "SHIPMENT_SCAC_INVALID",
        lambda i: f"Carrier {scac[i].as_py()!r} is not a 2-4 letter SCAC.", "carrier_scac", "W2702",
        lambda i: scac[i].as_py())
    add(_mask(pc.less(weight, 0)), "SHIPMENT_WEIGHT_INVALID", lambda i: f"Carton weight {weight[i].as_py()} is "
        "negative.", "carton_weight", "W1210", lambda i: str(weight[i].as_py()))
    return out, frozenset(also_held)


def _reused(box: pa.Array, sid: np.ndarray, shipment_id: pa.ChunkedArray, recorded: Mapping[str, str], rows: _Rows,
            column: str, what: str, also_held: set[str]) -> list[tuple[int, Finding]]:
    """SHIPMENT_CARTON_REUSED at the first row of each ``box`` (a carton's or pallet's key: its SSCC, or a carton's
    label) on two shipments of the feed (``sid``: the rows' shipment codes; the other shipment is added to
    ``also_held``) or recorded (``recorded``: key -> shipment id) for another shipment before."""
    has = _mask(pc.is_valid(box))
    if not has.any():
        return []
    code, _ = encode(box)
    first = first_rows(code, has)
    other = sid[first[code]]
    earlier = _each(box, recorded.get)
    reused = is_first(code, has & ((other != sid) | _mask(pc.not_equal(earlier, shipment_id))))
    out = []
    sids = rows.column("shipment_id") if reused.any() else []
    for i in np.flatnonzero(reused).tolist():
        if other[i] != sid[i]:
            also_held.add(sids[first[code[i]]])
        before = sids[first[code[i]]] if other[i] != sid[i] else earlier[i].as_py()
        out.append((i, _finding("SHIPMENT_CARTON_REUSED", f"{what} {box[i].as_py()} is on shipment {before} and on "
                                f"{sids[i]}.", rows[i], column, "MAN02", box[i].as_py())))
    return out


def further_boxes(lines: pa.Table) -> np.ndarray:
    """The rows that are box 2..m of a multi-box unit shipping 0 of it (SHIPMENT_LINES box_number > 1): a carton of
    the unit counted on its box 1, not a cut line nor a quantity that is not positive."""
    if "box_number" not in lines.column_names or lines["box_number"].null_count == lines.num_rows:
        return np.zeros(lines.num_rows, dtype=bool)
    return _mask(pc.and_(pc.greater(lines["box_number"], 1), pc.equal(lines["quantity"], 0)))


def box_checks(t: pa.Table, rows: _Rows) -> list[tuple[int, Finding]]:
    """SHIPMENT_BOXES_INCOMPLETE (error, the shipment held) per shipment, PO and line whose multi-box units do not
    come whole: a unit shipped with 2 of its 3 boxes (box 3 on fewer rows than units on box 1), a further box
    without its box 1, box 2..m shipping units of their own (the unit is counted on box 1), the line's rows giving
    two box counts. At the line's first boxed row. ``t``: the rows with partner and line id resolved. A box count of 0
    is a kit's further package (engine.lifecycle.kits: its kits counted on the first, whole), no unit's box."""
    if "box_number" not in t.column_names or t["box_number"].null_count == t.num_rows:
        return []
    boxed = np.flatnonzero(_mask(pc.and_(pc.is_valid(t["box_number"]),
                                         pc.not_equal(pc.fill_null(t["box_count"], 1), 0)))).tolist()
    cols = {c: t[c].take(pa.array(boxed, pa.int64())).to_pylist()
            for c in ("shipment_id", "po_number", "line_id", "item_sku", "box_number", "box_count", "quantity",
                      "carton_id")}
    groups: dict[tuple, list[int]] = {}
    for k in range(len(boxed)):
        groups.setdefault(tuple(cols[c][k] for c in ("shipment_id", "po_number", "line_id", "item_sku")),
                          []).append(k)
    out = []
    for (sid, po, line_id, sku), ks in groups.items():
        counts = sorted({cols["box_count"][k] for k in ks})
        units = sum((cols["quantity"][k] or Decimal(0)) for k in ks if cols["box_number"][k] == 1)
        what = f"line {line_id}" if line_id else f"item {sku}"
        problems = []
        if len(counts) > 1:
            problems.append("its rows say " + " and ".join(f"{m} boxes" for m in counts) + " per unit")
        own = [k for k in ks if cols["box_number"][k] > 1 and cols["quantity"][k]]
        if own:
            problems.append(f"box {cols['box_number'][own[0]]} of {cols['box_count'][own[0]]} (carton "
                            f"{cols['carton_id'][own[0]]}) ships {_n(cols['quantity'][own[0]])}: a unit's further "
                            "boxes ship 0, the unit is counted on box 1")
        if len(counts) == 1 and not own:
            m = counts[0]
            for box in range(1, m + 1):
                on = sum(1 for k in ks if cols["box_number"][k] == box)
                if box == 1 and on != units:
                    problems.append(f"box 1 of {m} is on {on} row(s) holding {_n(units)} unit(s) (one unit to a box 1)")
                elif box > 1 and on != units:
                    problems.append(f"box {box} of {m} is on {on} row(s) for {_n(units)} unit(s) on box 1")
        if problems:
            i = boxed[ks[0]]
            out.append((i, _finding("SHIPMENT_BOXES_INCOMPLETE", f"Shipment {sid}, {what} of {po}: "
                                    + "; ".join(problems) + ". The 856 would not state the units' boxes as they "
                                    "shipped (a unit without all its boxes is not delivered complete).", rows[i],
                                    "box_number", "MAN02", str(cols["box_number"][ks[0]]))))
    return out


def _mask(column) -> np.ndarray:
    """An Arrow boolean column as a numpy mask (null: False)."""
    return np.asarray(pc.fill_null(column, False).to_numpy(zero_copy_only=False), dtype=bool)


def _each(column, f, type_: pa.DataType | None = None, *, null: bool = False) -> pa.Array:
    """``f`` of each distinct value of ``column``, computed once per value (a null stays null unless
    ``null``: then ``f`` gets None too)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    values = [f(v) if v is not None or null else None for v in encoded.dictionary.to_pylist()]
    return pa.array(values, type_ or pa.string()).take(encoded.indices)


_RESOLVED_COLUMNS = frozenset({"partner", "po_number", "line_id", "item_sku"})  # _feed_checks reads these from t


class _Rows:
    """The feed's rows: each column read once (``column``), a row as a dict only when a finding names
    it (``rows[i]``)."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.columns: dict[str, list] = {}
        self.made: dict[int, dict] = {}

    def column(self, name: str) -> list:
        values = self.columns.get(name)
        if values is None:
            values = self.columns[name] = self.table[name].to_pylist()
        return values

    def __getitem__(self, i: int) -> dict:
        row = self.made.get(i)
        if row is None:
            row = self.made[i] = self.table.slice(i, 1).to_pylist()[0]
        return row

    def __len__(self) -> int:
        return self.table.num_rows


def _exactly(value: Decimal) -> str:
    """A quotient as people write it, a repeating one to six places and "..." (1 FT is 0.333333... YD)."""
    return _n(value) if value == value.quantize(Decimal("1e-12")) else f"{value.quantize(Decimal('1e-6'))}..."


def _n(value) -> str:
    """A quantity as people write it (12, 2.5), not as the table stores it (12.0000)."""
    text = format(value, "f") if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


def one_shipment_sets(table: pa.Table, sid: np.ndarray, first_of_source: np.ndarray) -> np.ndarray:
    """The first row of each 945 set (``first_of_source``) that is a further part of its shipment, not a second
    confirmation of it: a set of the file of the shipment's first set, naming only POs none of the shipment's earlier
    sets named. A 3PL confirms each order of a load in a W06 set of its own under the load's shipment id (W0604,
    "uniquely identifies the shipment from origin to ultimate destination"), as a CSV lists a shipment's POs under
    one shipment id; a set naming a PO again (a correction sent with the first), or in another file, is a second
    confirmation (SHIPMENT_ID_DUPLICATE), and parts whose heading differs (bill of lading, carrier, date) are held
    as any shipment's (SHIPMENT_HEADER_INCONSISTENT). ``sid``: the rows' shipment codes (encode)."""
    out = np.zeros(len(sid), dtype=bool)
    if "st02" not in table.column_names:
        return out
    sets = encode(table["source_file"], table["isa13"], table["gs06"], table["st02"])[0]
    st02 = table["st02"].to_pylist()
    files, pos = table["source_file"].to_pylist(), table["po_number"].to_pylist()
    named: dict[int, set] = defaultdict(set)  # a set's POs
    for i, k in enumerate(sets.tolist()):
        named[k].add(pos[i])
    seen: dict[int, tuple[str, set]] = {}  # a shipment: its first set's file, the POs of its sets so far
    for i in np.flatnonzero(first_of_source).tolist():
        s, k = int(sid[i]), int(sets[i])
        if s not in seen:
            seen[s] = (files[i], set(named[k]))
            continue
        file, before = seen[s]
        if st02[i] is not None and files[i] == file and not named[k] & before:
            out[i] = True
        before |= named[k]
    return out


def _scac_ok(scac: str) -> bool:
    return 2 <= len(scac) <= 4 and scac.isascii() and scac.isalpha() and scac.isupper()


def _resolve_items(t: pa.Table, items: pa.Table, partner_items: pa.Table | None = None
                   ) -> tuple[pa.Array, pa.Array]:
    """Our SKU for each row (from its sku column: a SKU, our vendor part or a GTIN; else its UPC;
    else its partner's part number through ``partner_items``, as intake reads a PO1 BP/IN/PI/CB), and
    whether the row named an item we do not have (a partner's part number not in the cross-reference
    is not said to be unknown: the line id alone may name the line, as before)."""
    lookup: dict[str, str] = {}
    for sku, vp, gtin, upc in zip(*(items[c].to_pylist() for c in ("sku", "vendor_part", "gtin", "upc")),
                                  strict=True):
        for key in (gtin, upc and normalise_gtin(upc), vp, sku):
            if key:
                lookup[key] = sku

    def find(value: str | None) -> str | None:
        if value is None:
            return None
        # a GTIN as any length it is written in: 14 digits, UPC-A/EAN-13/GTIN-8, or without the leading zeros a
        # spreadsheet dropped (12345678905 for UPC 012345678905: GTIN-14 00012345678905)
        return lookup.get(value) or lookup.get(normalise_gtin(value) or zeros_dropped_gtin(value) or "")

    by_sku, by_upc = _each(t["sku"], lambda v: find(v) or None), _each(t["upc"], find)
    resolved = pc.coalesce(by_sku, by_upc)
    if partner_items is not None and partner_items.num_rows and "buyer_item" in t.column_names \
            and t["buyer_item"].null_count < t.num_rows:
        keys, skus = cross_reference(partner_items)
        by_buyer = pc.coalesce(*(lookup_by([t["partner"], pa.repeat(pa.scalar(q), t.num_rows), t["buyer_item"]],
                                           keys, skus) for q in BUYER_ITEM))
        resolved = pc.coalesce(resolved, by_buyer)
    return resolved, pc.and_(pc.is_null(resolved), pc.or_(pc.is_valid(t["sku"]), pc.is_valid(t["upc"])))


def _key(table: pa.Table, keys: list[str]) -> pa.Array:
    """One string per row joining ``keys`` (for is_in over several columns; a null part as empty)."""
    return pc.binary_join_element_wise(*[pc.fill_null(pc.cast(table[k], pa.string()), "") for k in keys], "\x1f")


def _left(t: pa.Table, right: pa.Table, keys: list[str]) -> pa.Table:
    """Left join keeping ``t``'s row order (by its _i column): schemas.grouping.joined, a join where
    ``right`` repeats a key."""
    out = joined(t, right, keys)
    return out if out is not None else t.join(right, keys, join_type="left outer", use_threads=False).sort_by("_i")


def _true(mask: pa.Array | pa.ChunkedArray) -> list[int]:
    return pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()


def _finding(code: str, message: str, row: dict, column: str, element: str, value=None) -> Finding:
    if row["source_kind"] == "csv":
        return finding(code, message, file=row["source_file"], row=row["row_number"], column=column,
                       value=value)
    seg = element[:-2] if len(element) >= 4 and element[-2:].isdigit() else element
    return finding(code, message, file=row["source_file"], isa13=row["isa13"], gs06=row["gs06"], st02=row["st02"],
                   seg=seg, element=element if seg != element else "", segment_position=row["segment_position"],
                   file_segment=row["file_segment"], value=value)


def _locate(findings: list[Finding], rows: _Rows) -> list[tuple[int, Finding]]:
    """Row index of each finding from the GX run (by file and row number or segment)."""
    if not findings:
        return []
    where = {key: i for i, key in enumerate(zip(rows.column("source_file"), rows.column("row_number"),
                                                rows.column("file_segment"), strict=True))}
    return [(where.get((f.location.file, f.location.row, f.location.file_segment), 0), f) for f in findings]


# --- the GX suite over the same columns ------------------------------------------------------------

def prepare_shipment_frame(lines: pa.Table):
    """A pandas frame of the suite's columns: the identifying ones, numbers as floats for GX's range
    expectations (quantity_value, weight_value), and carton_key / line_key for the uniqueness check."""
    frame = lines.select(["shipment_id", "po_number", "ship_date", "carrier_scac", "line_id", "sku"]).to_pandas()
    frame["_i"] = np.arange(lines.num_rows)
    frame["quantity_value"] = pc.cast(lines["quantity"], pa.float64()).to_numpy(zero_copy_only=False)
    # box 2..m of a multi-box unit ships 0 of it by design (counted on box 1): not a quantity that is not positive
    frame.loc[further_boxes(lines), "quantity_value"] = 1.0
    frame["weight_value"] = pc.cast(lines["carton_weight"], pa.float64()).to_numpy(zero_copy_only=False)
    frame["carton_key"] = pc.coalesce(lines["carton_sscc"], lines["carton_id"]).to_pylist()
    line = pc.coalesce(lines["line_id"], lines["sku"], lines["upc"])
    for per in ("lot_number", "mark_for_store"):  # a row per lot, a row per store (_feed_checks)
        if per in lines.column_names and lines[per].null_count < lines.num_rows:
            line = pc.binary_join_element_wise(line, pc.fill_null(lines[per], ""), "\x1f")
    frame["line_key"] = line.to_pylist()
    return frame


def gx_shipment_findings(lines: pa.Table, suite: dict | None = None) -> list[Finding]:
    """Run the shipment_lines suite once over ``lines`` (GX is imported here, lazily: it is slow)."""
    import json

    from rules.gx_runner import run_suite
    from schemas.errors import ConfigError

    suite = suite or json.loads(SUITE.read_text(encoding="utf-8"))
    frame = prepare_shipment_frame(lines)
    results = run_suite(frame, suite, asset="shipment_lines", index_columns=["_i"])
    rows = lines.to_pylist()
    out: list[tuple[int, Finding]] = []
    for result in results.results:
        if result.success:
            continue
        config = result.expectation_config
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise ConfigError("expectation failed to run", expectation=config.type,
                              error=result.exception_info.get("exception_message"))
        meta = config.meta or {}
        for key in result.result.get("unexpected_index_list") or []:
            i = int(key["_i"])
            value = frame.iloc[i][meta["value_column"]] if "value_column" in meta else None
            text = None if value is None or value != value else str(value)
            out.append((i, _finding(meta["code"], meta.get("message", config.type).format(value=text), rows[i],
                                    meta.get("column", ""), meta.get("element", ""), text)))
    out.sort(key=lambda p: p[0])
    return [f for _i, f in out]



# --- the POs of one shipment: one place ----------------------------------------------------------------------

def order_ship_tos_mixed(lines: pa.Table, orders: pa.Table, each_order: Container[str], *,
                         skip: Container[str] = (), own: Sequence[object] | None = None) -> list[tuple[int, Finding]]:
    """SHIPMENT_SHIP_TOS_MIXED for each shipment of the checked confirmation ``lines`` (partner resolved) whose POs'
    order-level ship-tos (``orders``: canonical ORDERS, N1*ST and its N3/N4; rules.business.places.same_party: one
    name at two addresses, no id, is two places) are two places: a shipment is one truck's load to one place and
    its 856 names one ship-to at the S level (the first order's), so another PO's goods would be announced to the
    wrong place (two doors of one name were one place: compared by id or name alone). At the first row of the
    second place's PO; the shipment is split into one per stop (engine.lifecycle.shipping) or, for a partner taking
    no split load, held, to be confirmed again as one shipment per destination. Not for the partners in
    ``each_order``, whose 856 names each order's ship-to (fulfilment.asn.ship_to_level "order") or is one per PO
    (asn.per "order"); not for shipments in ``skip`` (held already for their lines' places), nor rows whose order
    line names its own ship-to (``own``: a value per row, None where the line goes to its order's), nor an order
    naming no ship-to. Columnar up to the first row of each (shipment, partner, PO) that may count (a later row of
    the same adds nothing: its PO is listed at its place already); Python compares the places of those alone."""
    from rules.business.places import place_columns, places_words, same_party

    if not lines.num_rows or not orders.num_rows or "ship_to_id" not in orders.column_names:
        return []
    # the orders of the file's POs alone (another PO's head meets no row)
    orders = orders.filter(pc.fill_null(pc.is_in(orders["po_number"], value_set=pc.unique(lines["po_number"])),
                                        False))
    # with their addresses: two doors of one name, no id, are two places (same_party)
    heads = {(r["partner"], r["po_number"]): r for r in orders.select(
        ["partner", "po_number", *place_columns(orders)]).to_pylist()
        if (r["ship_to_id"] or "").strip() or (r["ship_to_name"] or "").strip()}
    if len(heads) < 2:  # a shipment's rows meet one place at most
        return []
    counted = ~(_among(lines["partner"], each_order) | _among(lines["shipment_id"], skip))
    if own is not None:  # a row going to its line's own place
        counted[[i for i, o in enumerate(own) if o is not None]] = False
    sid_col, partner_col, po_col = (lines[c] for c in ("shipment_id", "partner", "po_number"))
    firsts = np.flatnonzero(is_first(encode(sid_col, partner_col, po_col)[0], counted))
    taken = pa.array(firsts, pa.int64())
    places: dict[str, list[tuple[dict, list[tuple[str, int]]]]] = {}  # shipment -> [(place, its POs and rows)]
    for i, sid, partner, po in zip(firsts.tolist(), *(c.take(taken).to_pylist() for c in (
            sid_col, partner_col, po_col)), strict=True):
        head = heads.get((partner, po))
        if head is None:
            continue
        known = places.setdefault(sid, [])
        at = next((p for p in known if same_party(head, p[0])), None)
        if at is None:
            known.append((head, [(po, i)]))
        elif all(po != named for named, _i in at[1]):
            at[1].append((po, i))
    rows = _Rows(lines)
    out: list[tuple[int, Finding]] = []
    for sid, known in places.items():
        if len(known) < 2:
            continue
        said = "; ".join(f"{', '.join(po for po, _i in pos)}: {words}" for (_head, pos), words in zip(
            known, places_words([head for head, _pos in known]), strict=True))
        i = known[1][1][0][1]
        partner, po = rows.column("partner")[i], rows.column("po_number")[i]
        out.append((i, _finding("SHIPMENT_SHIP_TOS_MIXED", f"Shipment {sid} holds POs for {len(known)} ship-tos "
                                f"({said}): {partner}'s 856 names one ship-to for the shipment (N1*ST at "
                                "the S level). Confirm one shipment per destination.", rows[i], "po_number", "N104",
                                po)))
    return out


def _among(column: pa.Array | pa.ChunkedArray, values: Container) -> np.ndarray:
    """A row mask: the rows whose value is ``in values`` (Python's test, once per distinct value)."""
    encoded = pc.dictionary_encode(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column,
                                   null_encoding="encode")
    hit = np.array([v in values for v in encoded.dictionary.to_pylist()], dtype=bool)
    return hit[encoded.indices.to_numpy(zero_copy_only=False)] if len(hit) else np.zeros(len(column), dtype=bool)


# --- pre-distributed orders: each carton's store against the line's SDQ store quantities -------------

def store_checks(lines: pa.Table, order_lines: pa.Table | None, store_level: Container[str],
                 shipped: Iterable[tuple] = (), *, asn_of: Mapping[str, tuple[str, str]] | None = None,
                 units: ShipmentUnits | None = None) -> tuple[pa.Table, list[tuple[int, Finding]]]:
    """The checked confirmation ``lines`` (ShipmentCheck.lines: partner and line id resolved, quantities in the
    line's unit) of the partners in ``store_level`` (whose 856 marks each carton's store) against the SDQ store
    quantities of their order lines (canonical ORDER_LINES ``order_lines`` with store_quantities): each carton
    of a line split over stores names one of its stores (SHIPMENT_STORE_MISSING, SHIPMENT_STORE_NOT_ORDERED) and
    no store gets more of the line, over the file's rows and what earlier confirmations shipped it (``shipped``:
    the store's recorded shipment lines, (partner, po_number, line_id, store, quantity, unit) as
    StateStore.shipped_to_stores gives them), than its SDQ quantity (SHIPMENT_STORE_OVER, compared in the line's
    unit: an SDQ01 of another unit converted by ``units``, ShipmentUnits.each, when both units count eaches of the
    item, as SDQ*PR*92*0101*6 of a line in CA of 6 pairs is 1 CA; an SDQ in a unit not so known is not compared).
    Errors (their shipment is held), one per carton and line (per
    store and line for SHIPMENT_STORE_OVER). Returns the lines with each matched store written as the PO wrote
    it (a warehouse's "101" for the PO's "0101", when one store of the line answers to it) and its SDQ02
    qualifier, and the findings with their rows. Lines of other partners, and lines without SDQ, are left as
    they are. ``asn_of``: partner -> (856 structure, mark_for), for a pallet shipped whole (its label the rows'
    carton: whole_pallets) holding several stores' items: an S-T-O-I 856 naming the store in each order loop lists
    it once above each store's order loop; any other gives a pallet one store (_two_stores)."""
    if (not store_level or not lines.num_rows or order_lines is None or not order_lines.num_rows
            or "store_quantities" not in order_lines.column_names or "mark_for_store" not in lines.column_names):
        return lines, []
    partner = lines["partner"].to_pylist()
    mine = [i for i, p in enumerate(partner) if p in store_level]
    if not mine:
        return lines, []
    split = order_lines.filter(pc.is_valid(order_lines["store_quantities"]))
    # (partner, PO, line id) -> (its stores in the SDQ's order, store -> its SDQ pairs): built once per line, so
    # that a store-level PO of 500 lines to 200 stores (100,000 carton rows) reads each line's 200 pairs once
    sdq: dict[tuple, tuple[list[str], dict[str, list[dict]]]] = {}
    for p, po, line_id, quantities in zip(*(split[c].to_pylist() for c in (
            "partner", "po_number", "line_id", "store_quantities")), strict=True):
        if quantities and (p, po, line_id) not in sdq:
            by_store: dict[str, list[dict]] = {}
            for q in quantities:
                by_store.setdefault(q["store"], []).append(q)
            sdq[(p, po, line_id)] = ([n for n in by_store if n], by_store)
    if not sdq:
        return lines, []
    cols = {c: lines[c].to_pylist() for c in ("po_number", "line_id", "mark_for_store", "mark_for_id_qualifier",
                                                "quantity", "unit", "shipment_id", "carton_id")}
    skus = lines["item_sku"].to_pylist() if "item_sku" in lines.column_names else [None] * lines.num_rows
    per_unit = lines["line_eaches"].to_pylist() if "line_eaches" in lines.column_names else [None] * lines.num_rows
    stores, qualifiers = list(cols["mark_for_store"]), list(cols["mark_for_id_qualifier"])
    pallets = lines["pallet_id"].to_pylist() if "pallet_id" in lines.column_names else [None] * lines.num_rows
    rows = _Rows(lines)
    out: list[tuple[int, Finding]] = []
    said: set[tuple] = set()
    used: dict[tuple, Decimal] = defaultdict(Decimal)
    before: dict[tuple, Decimal] = defaultdict(Decimal)  # (line key, store, unit) -> units earlier files shipped
    for p, po, line_id, store_shipped, quantity, unit in shipped:
        before[((p, po, line_id), store_shipped, unit or None)] += Decimal(quantity)
    for i in mine:
        key = (partner[i], cols["po_number"][i], cols["line_id"][i])
        known = sdq.get(key)
        if known is None:
            continue
        names, by_store = known
        carton = cols["carton_id"][i] or "(no carton id)"
        where = f"Carton {carton} of shipment {cols['shipment_id'][i]} (PO {key[1]} line {key[2]})"
        store = (stores[i] or "").strip()
        if not store:
            if (key, cols["shipment_id"][i], carton, "missing") not in said:
                said.add((key, cols["shipment_id"][i], carton, "missing"))
                out.append((i, _finding("SHIPMENT_STORE_MISSING", f"{where} names no store; the PO splits the line "
                                        f"over stores {_listed(names)}.", rows[i], "mark_for_store", "N104")))
            continue
        match = store if store in by_store else None  # (store is not blank: one of names)
        if match is None:  # a spreadsheet's "101" for the PO's "0101": the one store of the line it can be
            loose = [n for n in names if n.lstrip("0") == store.lstrip("0")]
            match = loose[0] if len(loose) == 1 else None
        if match is None:
            if (key, cols["shipment_id"][i], carton, store) not in said:
                said.add((key, cols["shipment_id"][i], carton, store))
                out.append((i, _finding("SHIPMENT_STORE_NOT_ORDERED", f"{where} is marked for store {store!r}, "
                                        f"which the PO's SDQ for the line does not name ({_listed(names)}).",
                                        rows[i], "mark_for_store", "N104", store)))
            continue
        of_store = by_store[match]
        stores[i] = match
        qualifiers[i] = of_store[0]["id_qualifier"] or qualifiers[i]
        unit = cols["unit"][i]
        allowed = [_sdq_in_line_unit(q["quantity"], q["unit"], unit, skus[i], per_unit[i], units) for q in of_store]
        if None in allowed or cols["quantity"][i] is None:
            continue  # a unit not known in the line's (or a quantity not read): not compared
        earlier = before.get((key, match, unit or None), Decimal(0))
        used[(key, match)] += cols["quantity"][i]
        if earlier + used[(key, match)] > sum(allowed) and (key, match, "over") not in said:
            said.add((key, match, "over"))
            out.append((i, _finding("SHIPMENT_STORE_OVER", f"Store {match} gets {_n(used[(key, match)])} {unit} of "
                                    f"PO {key[1]} line {key[2]} in this confirmation"
                                    + (f", after {_n(earlier)} shipped to it before" if earlier else "")
                                    + f"; its SDQ quantity is {_n(sum(allowed))}"
                                    + "".join(f" ({_n(q['quantity'])} {q['unit']})" for q in of_store[:1]
                                              if q["unit"] not in (None, unit)) + ".", rows[i], "quantity", "W1203",
                                    _n(cols["quantity"][i]))))
    whole = {i for i in mine if cols["carton_id"][i] and cols["carton_id"][i] == pallets[i]}
    out += _two_stores(mine, cols, stores, {i for i, _ in out}, {i for i in mine if (
        partner[i], cols["po_number"][i], cols["line_id"][i]) in sdq}, rows, whole, partner, asn_of or {})
    for name, values in (("mark_for_store", stores), ("mark_for_id_qualifier", qualifiers)):
        at = lines.schema.get_field_index(name)
        lines = lines.set_column(at, lines.schema.field(at), pa.array(values, pa.string()))
    return lines, out


def _sdq_in_line_unit(quantity: Decimal | None, sent: str | None, unit: str | None, sku: str | None,
                      line_eaches: int | None, units: ShipmentUnits | None) -> Decimal | None:
    """An SDQ store quantity (SDQ01 ``sent``) in the order line's ``unit``: as sent in it (or with no SDQ01), else
    converted through eaches (``units``: eaches in one SDQ01 unit of item ``sku``; ``line_eaches``: in one of the
    line's, as the check counted them), the pairs of a line in cases (SDQ*PR*92*0101*6 of a line in CA of 6: 1 CA);
    None when either unit is not known in eaches of the item (not compared)."""
    if quantity is None or sent in (None, unit):
        return quantity
    each = units.each(sku, sent) if units is not None and sku else None
    if not each or not line_eaches:
        return None
    return quantity * each / Decimal(line_eaches)


def _two_stores(mine: list[int], cols: dict, stores: list, flagged: set[int], split: set[int], rows,
                whole: Container[int] = (), partner: Sequence[str | None] = (),
                asn_of: Mapping[str, tuple[str, str]] | None = None) -> list[tuple[int, Finding]]:
    """SHIPMENT_CARTON_TWO_STORES, once per carton of a store-level partner whose rows name two stores (the stores
    as matched to the PO's), or a store and none (a line not split over stores, not marked): a pre-distributed
    carton is packed, labelled and routed for one store, and the 856 lists it under that store's order loop, so
    the same carton would be under two (the 856's self-check refused it with no finding saying why). Rows
    already named (a store missing on a split line, a store not ordered) are not counted again. A pallet shipped
    whole (rows in ``whole``) for several stores is one pallet above each store's order loop for an S-T-O-I partner
    naming the store in the order loop (``asn_of``: partner -> (structure, mark_for)): no finding; for any other the
    finding names the pallet (build one pallet per store)."""
    seen: dict[tuple, list[tuple[int, str | None]]] = {}
    for i in mine:
        carton = (cols["carton_id"][i] or "").strip()
        if not carton or i in flagged:
            continue
        store = (stores[i] or "").strip() or None
        if store is None and i in split:
            continue  # SHIPMENT_STORE_MISSING's
        seen.setdefault((cols["shipment_id"][i], carton), []).append((i, store))
    out: list[tuple[int, Finding]] = []
    for (shipment, carton), marks in seen.items():
        names = list(dict.fromkeys(store for _, store in marks))
        if len(names) < 2:
            continue
        i = next(k for k, store in marks if store == names[1])
        said = _listed([n if n is not None else "(none)" for n in names])
        if i in whole:  # a pallet shipped whole
            structure, mark_for = (asn_of or {}).get(partner[i] or "", ("SOPI", "order"))
            if structure in TARE_FIRST and mark_for == "order":
                continue  # S-T-O-I: the pallet once, an order loop per store under it
            why = f"{partner[i]}'s 856 marks each pallet with one store (mark_for \"pack\")" if mark_for == "pack" \
                else f"{partner[i]}'s 856 ({structure}) lists a pallet under one store's order loop"
            out.append((i, _finding("SHIPMENT_CARTON_TWO_STORES", f"Pallet {carton} of shipment {shipment} holds "
                                    f"items for stores {said}; {why}: build one pallet per store.", rows[i],
                                    "mark_for_store", "N104", names[1])))
            continue
        out.append((i, _finding("SHIPMENT_CARTON_TWO_STORES", f"Carton {carton} of shipment {shipment} holds items for "
                                f"stores {said}; a pre-distributed carton is packed for one store (the 856 lists it "
                                "under that store's order loop): repack it per store.", rows[i], "mark_for_store",
                                "N104", names[1])))
    return out


def _listed(names: list[str]) -> str:
    return ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")


# --- serial numbers: each serialised unit's serial, once, for a partner whose 856 lists them -----------------

def serial_checks(lines: pa.Table, partners: Mapping[str, int], serialised: Container[str],
                  shipped: Mapping[str, Iterable[tuple]] | None = None) -> list[tuple[int, Finding]]:
    """The serial numbers of the checked confirmation ``lines`` (ShipmentCheck.lines: partner, line id and item
    resolved, quantities in the line's unit, line_eaches) of the partners in ``partners`` (whose 856 lists each
    unit's serial as REF*SE: fulfilment.asn.serial_numbers; each with REF02's maximum length in its version).
    Each row is one item in one carton: its serials are its units' (one per each). Errors, so the shipment is held
    (an IT distributor or a hospital refuses or charges back an ASN whose serials are missing, repeated or
    miscounted; once sent, the 856 cannot be taken back):
    SHIPMENT_SERIALS_MISSING a row with no serial of an item ``serialised`` (items.csv serialised), or of a line
    whose other rows in the shipment give serials (a carton not scanned);
    SHIPMENT_SERIAL_COUNT_MISMATCH a row whose serials are not as many as its eaches;
    SHIPMENT_SERIAL_INVALID a serial that is no serial (serial_problem);
    SHIPMENT_SERIAL_DUPLICATE the same serial of the same item twice in the confirmation (any partner's rows);
    SHIPMENT_SERIAL_SHIPPED_BEFORE a serial of the item already shipped (``shipped``: serial -> (sku,
    shipment id, partner, PO) of each recorded unit, StateStore.shipped_serials). A line of an item not marked
    serialised without any serial is none of these (cables and paper ship without). Rows of other partners are not
    checked (their 856 carries no serial)."""
    if not lines.num_rows or not partners or "serial_numbers" not in lines.column_names:
        return []
    partner = lines["partner"].to_pylist()
    mine = [i for i, p in enumerate(partner) if p in partners]
    if not mine:
        return []
    texts = lines["serial_numbers"].to_pylist()
    shipped = shipped or {}
    cols = {c: lines[c].to_pylist() for c in ("item_sku", "sku", "quantity", "line_eaches", "shipment_id",
                                                "po_number", "line_id")}
    rows = _Rows(lines)
    further = further_boxes(lines)
    out: list[tuple[int, Finding]] = []
    seen: dict[tuple[str, str], int] = {}  # (item, serial) -> the first row naming it, over every row in order
    again: dict[tuple[int, int], int] = {}  # (row, serial's place in it) -> the row that named it first
    for i, text in enumerate(texts):
        item = cols["item_sku"][i] or cols["sku"][i] or ""
        for k, serial in enumerate((text or "").split()):
            before = seen.setdefault((item, serial), i)
            if before != i or (text or "").split().index(serial) != k:
                again[(i, k)] = before
    # the lines (shipment, PO, line id) some of whose rows give serials: a row of them without any is a carton missed
    given = {(cols["shipment_id"][i], cols["po_number"][i], cols["line_id"][i]) for i in mine if texts[i]}
    for i in mine:
        item = cols["item_sku"][i] or cols["sku"][i] or ""
        serials = (texts[i] or "").split()
        where = f"line {cols['line_id'][i]} of {cols['po_number'][i]} (item {item}) in shipment " \
            f"{cols['shipment_id'][i]}"
        quantity, per = cols["quantity"][i], cols["line_eaches"][i] or 1
        eaches = None if quantity is None else quantity * per
        if not serials:
            if further[i]:  # box 2..m of a multi-box unit: its serial is the unit's, given on box 1
                continue
            elsewhere = (cols["shipment_id"][i], cols["po_number"][i], cols["line_id"][i]) in given
            if item in serialised or elsewhere:
                why = "the item is serialised (items.csv)" if item in serialised else \
                    "the line's other rows of the shipment give serials"
                out.append((i, _finding("SHIPMENT_SERIALS_MISSING", f"No serial numbers for {where}: {why} and "
                                        f"{partner[i]}'s 856 lists each unit's serial (REF*SE); {_n(eaches)} "
                                        "expected.", rows[i], "serial_numbers", "N902")))
            continue
        if eaches is not None and Decimal(len(serials)) != eaches:
            out.append((i, _finding("SHIPMENT_SERIAL_COUNT_MISMATCH", f"{len(serials)} serial number(s) for "
                                    f"{_n(eaches)} unit(s) (eaches) of {where}: {partner[i]}'s 856 lists one serial "
                                    "per unit shipped.", rows[i], "serial_numbers", "N902", str(len(serials)))))
        for k, serial in enumerate(serials):
            problem = serial_problem(serial, partners[partner[i]])
            if problem:
                out.append((i, _finding("SHIPMENT_SERIAL_INVALID", f"Serial {serial!r} of {where} is no serial "
                                        f"number: {problem}.", rows[i], "serial_numbers", "N902", serial)))
                continue
            if (i, k) in again:
                before = again[(i, k)]
                said = "twice in this row" if before == i else "also on " + (
                    f"row {rows[before]['row_number']}" if rows[before]["row_number"] is not None
                    else f"shipment {cols['shipment_id'][before]}") + " of this confirmation"
                out.append((i, _finding("SHIPMENT_SERIAL_DUPLICATE", f"Serial {serial} of item {item} is given "
                                        f"{said} ({where}): one unit cannot ship twice.", rows[i],
                                        "serial_numbers", "N902", serial)))
                continue
            for sku, sid, was_partner, was_po in shipped.get(serial, ()):
                if sku == item and sid != cols["shipment_id"][i]:  # the same shipment again: SHIPMENT_ID_DUPLICATE's
                    out.append((i, _finding(
                        "SHIPMENT_SERIAL_SHIPPED_BEFORE", f"Serial {serial} of item {item} ({where}) already shipped "
                        f"on shipment {sid} ({was_partner} PO {was_po}): one unit cannot ship twice (a unit that came "
                        "back on a return: the partner still holds it as shipped, settle it with them).", rows[i],
                        "serial_numbers", "N902", serial)))
                    break
    return out


def _said(units: ShipmentUnits, sku: str | None) -> str:
    """What ``sku``'s eaches are said in (schemas.units.said_in of its item master unit): "eaches", or FT for wire
    sold by the foot (a reel of 500 FT shipped is 500 FT, not 500 eaches)."""
    return said_in(units.index.own_units.get(sku or ""))
