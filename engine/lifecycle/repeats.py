"""A confirmation file's shipments already recorded from an earlier file, repeated as recorded: a WMS or shipping
tool exporting every shipment of the last days each day (ShipStation's, Extensiv's, NetSuite's saved searches), so
that each file repeats yesterday's. Pure: the recorded shipments are passed in (flows.shipments reads them).

A repeat is the same shipment id with the same ship date and the same (PO, carton, quantity) rows as recorded: it
is passed over with a warning at its first row (SHIPMENT_REPEATED), nothing recorded, consumed or sent again, and
the file's other shipments go. It used to be held as SHIPMENT_ID_DUPLICATE (an error: the file quarantined, its
lines "more than reserved", ops told the warehouse must send a corrected confirmation) though nothing was wrong. A
shipment id recorded before whose rows differ is a correction or another shipment: SHIPMENT_ID_DUPLICATE, as
before (rules.shipments), for a person to settle. A kit confirmed by its components (engine.lifecycle.kits) is
compared as the kit it was recorded as (it used to be compared as components: never a repeat, held every day).

A voided label's rows (SHIPMENT_LABEL_VOIDED, parsers.shipments_csv) whose shipment was recorded from an earlier
file are told as such (voided_after_recorded): its 856 went to the buyer for a label that no longer ships.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pyarrow as pa

from engine.lifecycle.kits import kits_shipped
from parsers.shipments_csv import voided_label
from schemas.findings import finding
from schemas.shipment_records import ShipmentRecord


def without_repeats(read, recorded: Sequence[ShipmentRecord], parts: Mapping[str, str] | None = None,
                    kits: pa.Table | None = None, items: pa.Table | None = None, item_units: pa.Table | None = None):
    """``read`` (engine.lifecycle.shipping.Confirmations) without the rows of its shipments that repeat one of
    ``recorded`` (the warehouse's recorded shipments of the file's shipment ids) as recorded, a SHIPMENT_REPEATED
    warning each (at its first row: a CSV's record number, a 945's set), the row's shipment and PO named for the
    failures report; ``read`` itself when none does. ``parts``: the id of a shipment recorded in parts (one per PO
    for a partner taking an 856 per PO, one per stop of a multi-stop load) -> the shipment id the warehouse gave:
    its parts' lines together are what it recorded (all of one ship date), the parts named in the warning. ``kits``
    (reference KITS): rows of a kit's components are compared as the kit (kits_shipped, the kits the records ship
    being what their POs order; ``items``, ``item_units``: a component confirmed in another unit than the each
    counted in eaches, as kits_shipped reads it)."""
    parts = parts or {}
    by_id = _as_confirmed(recorded, parts)
    lines = read.lines
    sids = lines["shipment_id"].to_pylist()
    wanted = set(sids) & by_id.keys()
    if not wanted:
        return read
    cols = {c: lines[c].to_pylist() for c in ("po_number", "carton_id", "quantity", "ship_date", "row_number",
                                              "isa13", "gs06", "st02")}
    rows_of: dict[str, list[int]] = defaultdict(list)
    for i, sid in enumerate(sids):
        if sid in wanted:
            rows_of[sid].append(i)
    compared = _as_kits(read, by_id.values(), kits, items, item_units)
    shown = {c: compared[c].to_pylist() for c in ("shipment_id", "po_number", "carton_id", "quantity", "ship_date")}
    shown_of: dict[str, list[int]] = defaultdict(list)
    for i, sid in enumerate(shown["shipment_id"]):
        if sid in wanted:
            shown_of[sid].append(i)
    named_parts: dict[str, list[str]] = defaultdict(list)
    for r in recorded:
        if r.shipment_id in parts:
            named_parts[parts[r.shipment_id]].append(r.shipment_id)
    drop: list[int] = []
    found = []
    unread, pos = dict(read.unread), dict(read.pos)
    for sid, rows in rows_of.items():
        was = by_id[sid]
        given = sorted((shown["po_number"][i] or "", shown["carton_id"][i] or "", shown["quantity"][i])
                       for i in shown_of[sid])
        kept = sorted((line.po_number, line.carton, line.quantity) for line in was.lines)
        if given != kept or any(cols["ship_date"][i] != was.ship_date for i in rows):
            continue
        drop += rows
        first = rows[0]
        row = cols["row_number"][first]
        at = {"row": row, "column": "shipment_id"} if row is not None else {
            "isa13": cols["isa13"][first] or "", "gs06": cols["gs06"][first] or "", "st02": cols["st02"][first] or "",
            "seg": "W06", "element": "W0604"}
        split = f" (as {', '.join(named_parts[sid])})" if sid in named_parts else ""
        found.append(finding("SHIPMENT_REPEATED", f"Shipment {sid} repeats the one recorded{split} on "
                             f"{was.ship_date.isoformat()} from {was.source_file or 'an earlier confirmation'} (the "
                             "same POs, cartons and quantities): not recorded or sent again.", file=read.file,
                             value=sid, **at))
        if row is not None:
            unread[row], pos[row] = sid, cols["po_number"][first] or ""
    if not drop:
        return read
    keep = np.ones(len(sids), dtype=bool)
    keep[drop] = False
    return replace(read, lines=lines.filter(pa.array(keep)), findings=(*read.findings, *found), unread=unread,
                   pos=pos)


def _as_kits(read, recorded, kits: pa.Table | None, items: pa.Table | None = None,
             item_units: pa.Table | None = None) -> pa.Table:
    """``read``'s lines with each kit confirmed by its components as the kit (engine.lifecycle.kits), the kits a PO
    orders being the SKUs ``recorded`` shipped on it; its lines themselves without ``kits``."""
    if kits is None or kits.num_rows == 0:
        return read.lines
    shipped = {(line.po_number, line.sku) for r in recorded for line in r.lines}
    state = pa.table({"po_number": pa.array([po for po, _sku in shipped], pa.string()),
                      "sku": pa.array([sku for _po, sku in shipped], pa.string())})
    return kits_shipped(read, kits, state, items, item_units).lines


def _as_confirmed(recorded: Sequence[ShipmentRecord], parts: Mapping[str, str]) -> dict[str, ShipmentRecord]:
    """The recorded shipments by the id the warehouse confirmed them under: a shipment recorded in parts (``parts``:
    part id -> that id) is one record of its parts' lines when they share a ship date (parts of different dates, or
    a shipment recorded whole beside parts, are no one shipment: none is a repeat, the duplicate is held as before)."""
    out: dict[str, ShipmentRecord] = {}
    split: dict[str, list[ShipmentRecord]] = defaultdict(list)
    for r in recorded:
        if r.shipment_id in parts:
            split[parts[r.shipment_id]].append(r)
        else:
            out[r.shipment_id] = r
    for sid, records in split.items():
        if sid in out or len({r.ship_date for r in records}) != 1:
            out.pop(sid, None)
            continue
        out[sid] = replace(records[0], shipment_id=sid, lines=tuple(line for r in records for line in r.lines))
    return out


def voided_after_recorded(read, recorded: Sequence[ShipmentRecord]):
    """``read`` with its SHIPMENT_LABEL_VOIDED findings about a shipment of ``recorded`` (shipment ids the reader
    gave each row: ``read.unread``) saying that it was recorded and its 856 sent: the label voided after the export
    that confirmed it (a cumulative export's next day), the buyer holds an ASN for a label that will not move. They
    used to say only "not recorded as shipped", as of a label voided before it was ever confirmed."""
    by_id = {r.shipment_id: r for r in recorded}
    if not by_id:
        return read
    told = []
    for f in read.findings:
        sid = read.unread.get(f.location.row) if f.code == "SHIPMENT_LABEL_VOIDED" else None
        was = by_id.get(sid) if sid else None
        if was is None:
            told.append(f)
            continue
        loc = f.location
        told.append(replace(f, message=f"{voided_label(loc.row, loc.column, loc.value, f.detail, sid)}: recorded on "
                            f"{was.ship_date.isoformat()} from {was.source_file or 'an earlier confirmation'} and its "
                            "856 sent, for a label voided since: tell the buyer (the goods' new label is a shipment "
                            "of its own)."))
    return replace(read, findings=tuple(told))
