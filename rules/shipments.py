"""Shipment confirmation checks: SHIPMENT_LINES of one feed against the live order lines (with what
is reserved for them), our items and the cartons already recorded -> the lines resolved to their
partner and order line, the findings, and the shipments that must wait for ops.

Pure and columnar: Arrow tables in (the state comes in as tables: schemas.shipments.LINE_STATE,
RECORDED_CARTONS; schemas.reference.ITEMS), lookups are Arrow joins and group-bys; Python only
builds the findings of the rows a mask flags. Nothing is fixed silently: resolving a missing
partner (by PO) or line id (by the one line of the PO with that item) is a lookup, anything else
that does not fit is a finding, and a shipment with an error finding is held whole (an 856 must
list what physically left). The GX suite rules/gx_suites/shipment_lines.json checks the same
columns' shape (not null, ranges, SCAC, uniqueness) in the GX run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.findings import Finding, finding
from schemas.reference import normalise_gtin, sscc18, sscc_digits
from schemas.shipments import CLOSED_LINE_STATUSES

RESOLVED = [pa.field("line_number", pa.int32()), pa.field("item_sku", pa.string()), pa.field("held", pa.bool_())]
_HEADER = (("partner", "partner", "W06"), ("ship_date", "ship_date", "G6202"),
           ("carrier_scac", "carrier_scac", "W2702"), ("service_level", "service_level", "W2703"),
           ("bill_of_lading", "bill_of_lading", "N902"))
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
                    extra_findings: list[Finding] | None = None) -> ShipmentCheck:
    """Check one feed. ``state``: LINE_STATE of every live order line; ``items``: ITEMS; ``recorded``:
    RECORDED_CARTONS of earlier shipments; ``structures``: partner -> its 856 HL structure (SOPI,
    SOTPI, SOI, SOIP), for the carton checks (default SOPI). ``shape_checks``: run the checks the GX
    suite also makes (SHAPE_CODES) here; pass False with the GX run's findings in
    ``extra_findings`` (gx_shipment_findings) so each is reported once and still holds its shipment."""
    structures = structures or {}
    n = lines.num_rows
    out: list[tuple[int, Finding]] = []
    idx = pa.array(np.arange(n, dtype=np.int64))
    t = lines.append_column("_i", idx)

    # -- the partner, by PO when the feed does not say ------------------------------------------
    pairs = state.select(["partner", "po_number"]).group_by(["partner", "po_number"]).aggregate([])
    per_po = pairs.group_by("po_number").aggregate([("partner", "count"), ("partner", "min")])
    t = _left(t, per_po, ["po_number"])
    known_pair = _left(t.select(["_i", "partner", "po_number"]), pairs.append_column(
        "_pair", pa.array(np.ones(pairs.num_rows, dtype=bool))), ["partner", "po_number"])
    given = pc.is_valid(t["partner"])
    partner = pc.if_else(given, t["partner"], pc.if_else(pc.equal(pc.fill_null(t["partner_count"], 0), 1),
                                                          t["partner_min"], pa.scalar(None, pa.string())))
    unknown_po = pc.if_else(given, pc.is_null(known_pair["_pair"]), pc.is_null(t["partner_count"]))
    ambiguous = pc.and_(pc.invert(given), pc.greater(pc.fill_null(t["partner_count"], 0), 1))
    t = t.set_column(t.schema.get_field_index("partner"), "partner", partner).drop_columns(
        ["partner_count", "partner_min"])

    # -- our item, from whatever id the row carries ---------------------------------------------
    item_sku, item_unknown = _resolve_items(t, items)
    t = t.append_column("item_sku", item_sku)

    # -- the order line: by line id, else the one line of the PO with that item -----------------
    st = state.select(["partner", "po_number", "line_number", "line_id", "sku", "unit", "reserved", "status"])
    by_id = _left(t.select(["_i", "partner", "po_number", "line_id"]), st.rename_columns(
        ["partner", "po_number", "line_number", "line_id", "l_sku", "l_unit", "l_reserved", "l_status"]),
        ["partner", "po_number", "line_id"])
    by_item = st.group_by(["partner", "po_number", "sku"]).aggregate([("line_id", "count"), ("line_id", "min")])
    by_item = by_item.rename_columns(["partner", "po_number", "item_sku", "n_lines", "only_line"])
    t = _left(t, by_item, ["partner", "po_number", "item_sku"])
    has_id = pc.is_valid(t["line_id"])
    line_id = pc.if_else(has_id, t["line_id"], pc.if_else(pc.equal(pc.fill_null(t["n_lines"], 0), 1),
                                                         t["only_line"], pa.scalar(None, pa.string())))
    t = t.set_column(t.schema.get_field_index("line_id"), "line_id", line_id)
    line = _left(t.select(["_i", "partner", "po_number", "line_id"]), st.rename_columns(
        ["partner", "po_number", "line_number", "line_id", "l_sku", "l_unit", "l_reserved", "l_status"]),
        ["partner", "po_number", "line_id"])
    del by_id
    line_unknown = pc.and_(pc.is_valid(t["partner"]), pc.is_null(line["line_number"]))
    py = {c: t[c].to_pylist() for c in ("shipment_id", "partner", "po_number", "line_id", "quantity", "unit",
                                         "carton_id", "pallet_id", "item_sku", "n_lines")}
    rows = _Rows(lines)
    ln = {c: line[c].to_pylist() for c in ("line_number", "l_sku", "l_unit", "l_reserved", "l_status")}

    def add(i: int, code: str, message: str, column: str, element: str, value=None) -> None:
        out.append((i, _finding(code, message, rows[i], column, element, value)))

    for i in _true(unknown_po):
        if not ambiguous[i].as_py():
            given_partner = rows.column("partner")[i]
            add(i, "SHIPMENT_PO_UNKNOWN", f"No live order {py['po_number'][i]!r}"
                + (f" of {given_partner!r}." if given_partner else "."), "po_number", "W0606",
                py["po_number"][i])
    for i in _true(ambiguous):
        add(i, "SHIPMENT_PO_AMBIGUOUS", f"PO {py['po_number'][i]!r} is live for several partners.", "po_number",
            "W0606", py["po_number"][i])
    for i in _true(item_unknown):
        add(i, "SHIPMENT_SKU_UNKNOWN", f"No item of ours is {rows[i]['sku'] or rows[i]['upc']!r}.", "sku", "W1208",
            rows[i]["sku"] or rows[i]["upc"])
    for i in _true(line_unknown):
        if unknown_po[i].as_py() or ambiguous[i].as_py():
            continue
        if rows[i]["line_id"] is not None:
            msg = f"PO {py['po_number'][i]} has no line {rows[i]['line_id']!r}."
        elif py["n_lines"][i]:
            msg = f"PO {py['po_number'][i]} has {py['n_lines'][i]} lines with item {py['item_sku'][i]}: say which."
        else:
            msg = f"PO {py['po_number'][i]} has no line with this item."
        add(i, "SHIPMENT_LINE_UNKNOWN", msg, "line_id", "N902", rows[i]["line_id"])
    reserved_left: dict[tuple, object] = {}
    for i, (q, number, status, sku, unit, reserved, row_partner, po, row_line, row_item, shipped_unit) in enumerate(zip(
            py["quantity"], ln["line_number"], ln["l_status"], ln["l_sku"], ln["l_unit"], ln["l_reserved"],
            py["partner"], py["po_number"], py["line_id"], py["item_sku"], py["unit"], strict=True)):
        if q is None or q <= 0:
            add(i, "SHIPMENT_QTY_NOT_POSITIVE", f"Quantity {q} is not positive.", "quantity", "W1203",
                None if q is None else str(q))
        if number is None:
            continue
        if status in CLOSED_LINE_STATUSES:
            add(i, "SHIPMENT_LINE_CLOSED", f"Line {row_line} of {po} is {status}.", "line_id", "N902", row_line)
        if row_item is not None and sku is not None and row_item != sku:
            add(i, "SHIPMENT_SKU_MISMATCH", f"Item {row_item} shipped for line {row_line}, which orders {sku}.", "sku",
                "W1208", rows[i]["sku"] or rows[i]["upc"])
        if shipped_unit and unit and shipped_unit != unit:
            add(i, "SHIPMENT_UNIT_MISMATCH", f"Shipped in {shipped_unit}; the line is in {unit}.", "unit", "W1205",
                shipped_unit)
        elif q is not None and q > 0:
            key = (row_partner, po, row_line)
            left = reserved_left.get(key, reserved or 0)
            reserved_left[key] = left - q
            if left - q < 0 <= left:
                add(i, "SHIPMENT_OVER_RESERVED", f"Line {key[2]} of {key[1]}: {_n(q)} more shipped with only "
                    f"{_n(left)} still reserved.", "quantity", "W1203", _n(q))
    feed, also_held = _feed_checks(rows, py, recorded, structures)
    out.extend(feed)
    if not shape_checks:
        out = [(i, f) for i, f in out if f.code not in SHAPE_CODES]
    out.extend(_locate(extra_findings or [], rows))
    out.sort(key=lambda p: p[0])
    findings = [f for _i, f in out]
    held = frozenset(py["shipment_id"][i] for i, f in out if f.severity == "error") | also_held
    result = t.sort_by("_i").select(lines.column_names)
    extra = [pa.array(ln["line_number"], pa.int32()), t.sort_by("_i")["item_sku"],
             pc.is_in(result["shipment_id"], value_set=pa.array(sorted(held), pa.string()))]
    for field, col in zip(RESOLVED, extra, strict=True):
        result = result.append_column(field, col)
    return ShipmentCheck(result, findings, held, tuple(i for i, _f in out))


def _feed_checks(rows: _Rows, py: dict, recorded: pa.Table, structures: Mapping[str, str]):
    """Checks across rows: duplicate shipment ids, header consistency, repeated lines, cartons on two
    shipments, cartons the partner's structure needs, mixed cartons, SSCCs, SCACs, weights."""
    out: list[tuple[int, Finding]] = []
    recorded_ids = set(recorded["shipment_id"].to_pylist())
    recorded_cartons: dict[str, str] = {}
    for sid, cid, sscc in zip(*(recorded[c].to_pylist() for c in ("shipment_id", "carton_id", "carton_sscc")),
                              strict=True):
        for key in (sscc18(sscc), cid):
            if key:
                recorded_cartons.setdefault(key, sid)
    sources: dict[str, set] = defaultdict(set)  # the confirmations (file + 945 set) naming each shipment
    first_row: dict[str, int] = {}
    header: dict[tuple[str, str], dict] = defaultdict(dict)
    seen_lines: set[tuple] = set()
    carton_shipment: dict[str, str] = {}
    carton_lines: dict[tuple[str, str], set] = defaultdict(set)
    carton_pos: dict[tuple[str, str], str] = {}
    flagged_cartons: set = set()  # carton keys (and (shipment, carton, "po")) already reported
    also_held: set[str] = set()  # the other shipment of a carton on two shipments of this feed

    def add(i: int, code: str, message: str, column: str, element: str, value=None) -> None:
        out.append((i, _finding(code, message, rows[i], column, element, value)))

    sscc_of = _memo(sscc18)  # a carton's rows repeat its label: each label looked at once
    digits_of = _memo(sscc_digits)
    col = rows.column
    given = {name: py["partner"] if name == "partner" else col(name) for name, _col, _element in _HEADER}
    sids = col("shipment_id")
    headers = [(name, element, given[name]) for name, _col, element in _HEADER]
    mixed = set().union(*(_mixed(sids, values) for values in given.values()))  # the only shipments to look at
    sources_of = zip(col("source_file"), col("isa13"), col("gs06"), col("st02"), strict=True)  # file + 945 set
    rows_of = zip(sids, sources_of, col("carton_sscc"), col("carton_id"), col("pallet_id"), py["partner"],
                  py["po_number"], py["line_id"], py["item_sku"], strict=True)
    for i, (sid, source, carton_sscc, carton_id, pallet_id, partner, po, line_id, item_sku) in enumerate(rows_of):
        first_row.setdefault(sid, i)
        seen = sources[sid]
        if sid in recorded_ids and first_row[sid] == i:
            add(i, "SHIPMENT_ID_DUPLICATE", f"Shipment {sid} was already recorded.", "shipment_id", "W0604", sid)
        elif source not in seen and len(seen) == 1 and sid not in recorded_ids:
            add(i, "SHIPMENT_ID_DUPLICATE", f"Shipment {sid} also comes in another confirmation of this feed.",
                "shipment_id", "W0604", sid)
        seen.add(source)
        for name, element, column in headers if sid in mixed else ():
            value = column[i]
            values = header[(sid, name)]
            if value is not None and values and value not in values and len(values) == 1:
                add(i, "SHIPMENT_HEADER_INCONSISTENT", f"Shipment {sid}: {name} {value!r} here, "
                    f"{next(iter(values))!r} before.", name, element, str(value))
            if value is not None:
                values.setdefault(value, i)
        carton = sscc_of(carton_sscc) or carton_id
        key = (sid, carton, partner, po, line_id)
        if carton is not None and key in seen_lines:
            add(i, "SHIPMENT_LINE_DUPLICATE", f"Line {line_id} of {po} twice in carton "
                f"{carton} of {sid}.", "line_id", "W12")
        seen_lines.add(key)
        structure = structures.get(partner or "", "SOPI")
        if carton is None:
            if structure != "SOI":
                add(i, "SHIPMENT_CARTON_MISSING", f"No carton id; {partner}'s 856 lists cartons "
                    f"({structure}).", "carton_id", "MAN02")
            continue
        if carton_id and digits_of(carton_id) and not sscc_of(carton_id):
            add(i, "SHIPMENT_SSCC_INVALID", f"Carton label {carton_id} is not a valid SSCC-18.", "carton_id",
                "MAN02", carton_id)
        if pallet_id and digits_of(pallet_id) and not sscc_of(pallet_id):
            add(i, "SHIPMENT_SSCC_INVALID", f"Pallet label {pallet_id} is not a valid SSCC-18.", "pallet_id",
                "MAN02", pallet_id)
        other = carton_shipment.setdefault(carton, sid)
        earlier = recorded_cartons.get(carton)
        if carton not in flagged_cartons and (other != sid or (earlier is not None and earlier != sid)):
            flagged_cartons.add(carton)
            if other != sid:
                also_held.add(other)
            add(i, "SHIPMENT_CARTON_REUSED", f"Carton {carton} is on shipment {other if other != sid else earlier} "
                f"and on {sid}.", "carton_id", "MAN02", carton)
        in_carton = carton_lines[(sid, carton)]
        in_carton.add((po, line_id or item_sku))
        first_po = carton_pos.setdefault((sid, carton), po)
        if first_po != po and (sid, carton, "po") not in flagged_cartons:
            flagged_cartons.add((sid, carton, "po"))
            add(i, "SHIPMENT_CARTON_MULTI_PO", f"Carton {carton} of {sid} holds items of {first_po} and "
                f"{po}.", "carton_id", "MAN02", carton)
        if structure == "SOIP" and len(in_carton) == 2:
            add(i, "SHIPMENT_CARTON_MIXED", f"Carton {carton} holds several items; {partner} takes standard "
                "carton pack.", "carton_id", "MAN02", carton)
    scac_bad = set()
    scac_ok = _memo(_scac_ok)
    for i, (sid, scac, weight) in enumerate(zip(sids, col("carrier_scac"), col("carton_weight"), strict=True)):
        if scac and not scac_ok(scac) and (sid, scac) not in scac_bad:
            scac_bad.add((sid, scac))
            add(i, "SHIPMENT_SCAC_INVALID", f"Carrier {scac!r} is not a 2-4 letter SCAC.", "carrier_scac", "W2702",
                scac)
        if weight is not None and weight < 0:
            add(i, "SHIPMENT_WEIGHT_INVALID", f"Carton weight {weight} is negative.", "carton_weight",
                "W1210", str(weight))
    return out, frozenset(also_held)


def _mixed(sids: list, values: list) -> set:
    """The shipment ids whose rows hold more than one distinct value (nulls aside) in ``values``."""
    pairs = {(sid, v) for sid, v in zip(sids, values, strict=True) if v is not None}
    if len(pairs) == len({sid for sid, _v in pairs}):
        return set()
    first: dict = {}
    return {sid for sid, v in pairs if first.setdefault(sid, v) != v}


def _memo(f):
    """``f`` of a value, computed once per distinct value."""
    seen: dict = {}

    def once(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = f(value)
            return result
    return once


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


def _n(value) -> str:
    """A quantity as people write it (12, 2.5), not as the table stores it (12.0000)."""
    text = format(value, "f") if value is not None else ""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scac_ok(scac: str) -> bool:
    return 2 <= len(scac) <= 4 and scac.isascii() and scac.isalpha() and scac.isupper()


def _resolve_items(t: pa.Table, items: pa.Table) -> tuple[pa.Array, pa.Array]:
    """Our SKU for each row (from its sku column: a SKU, our vendor part or a GTIN; else its UPC),
    and whether the row named an item we do not have."""
    lookup: dict[str, str] = {}
    for sku, vp, gtin, upc in zip(*(items[c].to_pylist() for c in ("sku", "vendor_part", "gtin", "upc")),
                                  strict=True):
        for key in (gtin, upc and normalise_gtin(upc), vp, sku):
            if key:
                lookup[key] = sku

    def find(value: str | None) -> str | None:
        if value is None:
            return None
        return lookup.get(value) or lookup.get(normalise_gtin(value) or "")

    skus, upcs = t["sku"].to_pylist(), t["upc"].to_pylist()
    cache: dict[tuple, str | None] = {}
    resolved = []
    unknown = []
    for s, u in zip(skus, upcs, strict=True):
        key = (s, u)
        if key not in cache:
            cache[key] = find(s) or find(u)
        resolved.append(cache[key])
        unknown.append(cache[key] is None and (s is not None or u is not None))
    return pa.array(resolved, pa.string()), pa.array(unknown, pa.bool_())


def _left(t: pa.Table, right: pa.Table, keys: list[str]) -> pa.Table:
    """Left join keeping ``t``'s row order (by its _i column)."""
    return t.join(right, keys, join_type="left outer", use_threads=False).sort_by("_i")


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
    frame["weight_value"] = pc.cast(lines["carton_weight"], pa.float64()).to_numpy(zero_copy_only=False)
    frame["carton_key"] = pc.coalesce(lines["carton_sscc"], lines["carton_id"]).to_pylist()
    frame["line_key"] = pc.coalesce(lines["line_id"], lines["sku"], lines["upc"]).to_pylist()
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

