"""Fulfilment's part of the lifecycle: a warehouse's shipment confirmations (already read into
SHIPMENT_LINES) are checked, the cartons and pallets without an SSCC get one from our serials, each
shipment becomes an 856 (built and self-checked), and the orders it carried move:
their lines' shipped quantities grow, the reservations of what shipped are consumed (what is left
stays reserved or backordered), and the order goes partially_shipped or shipped with the 856 on its
history. A shipment with an error finding is held whole (no 856, nothing consumed); the others go on. A
multi-stop load (one shipment whose lines go to several ship-tos) becomes one shipment per stop (_multi_stop,
_per_stop; engine.lifecycle.stops), each its own 856.

Pure: typed records, the store's rows as tables and the numbers the caller took in; a Plan out.
Two steps, so the caller can take exactly the serials needed inside its transaction:
``prepare_shipments`` (checks; how many serials per GS1 company prefix) then ``plan_shipments``.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict, namedtuple
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise, repeat
from operator import attrgetter
from typing import NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.acks import TA1_TOLERATED
from engine.asn import build_856, contacts_fitted, s_segments
from engine.asn_columnar import (
    COLUMNAR,
    CONFIRMED,
    FROM_LINES,
    HeadTexts,
    ShipmentHead,
    build_856_texts,
    write_856_texts,
)
from engine.bill_only import BILL_ONLY, BILL_ONLY_USAGE
from engine.columnar import SCALE, decimal_array, objects, scaled
from engine.deadlines import ship_date_findings, transit_days
from engine.envelope import (
    Envelope,
    asn_address,
    asn_envelope,
    body_chars,
    first_fit,
    joined_body,
    render_body,
    usual_delimiters,
)
from engine.lifecycle.common import findings_said, moved_orders, transaction_set, with_agreed_fob
from engine.lifecycle.kits import kits_shipped
from engine.lifecycle.ship_checks import (
    CANCELLED_SHIPPED,
    STAGE,
    buyers_mixed,
    cancelled_lines,
    cancelled_shipped,
    ship_complete_findings,
    ship_to_mismatches,
    ship_tos_mixed,
)
from engine.lifecycle.ship_checks import releases_held as held_releases
from engine.lifecycle.ship_reservations import final_reservations, line_eaches, units_of_reservations, units_shipped
from engine.lifecycle.stops import STOPS_MAX, boxes_mixed, number_stops, row_places, stop_id
from engine.lifecycle.table import TransitionRefused, move, next_state
from engine.routing import carrier_findings, service_findings, ship_from_findings
from engine.shipments import (
    ShipmentSummary,
    StoreDcs,
    assemble_shipments,
    marks_stores,
    names_packaging,
    number_ssccs,
    own_ship_tos,
    shipment_columns,
    sscc_needs,
    stated_in_weight_ordered,
    store_marks,
    tracking_numbers,
)
from rules.outbound import echo_held_because, values_sent
from rules.shipment_units import ShipmentUnits
from rules.shipments import ShipmentCheck, check_shipments, order_ship_tos_mixed, serial_checks, store_checks
from schemas.codes import CATALOGUE
from schemas.errors import DocumentError
from schemas.findings import Detail, Finding, finding
from schemas.fulfilment import SHIPMENT_PARTIES, TARE_FIRST, WITH_TARES
from schemas.grouping import Groups, encode, first_rows, lookup, paired_codes
from schemas.lifecycle import (
    CUT_MARK,
    ENDED_LINES,
    RESERVATION_ROWS,
    EventKind,
    FindingRecord,
    LineState,
    OrderRecord,
    OrderState,
    OrderTransition,
    Plan,
    PlannedDocument,
    PlannedSet,
    ReservationTable,
    decimal_text,
)
from schemas.orders import QTY
from schemas.profile import PartnerProfile
from schemas.reference import service_skus
from schemas.rule_settings import RuleSettings
from schemas.shipment_records import (
    SHIPPED_LINE_FIELDS,
    RecordedCarton,
    ShipmentRecord,
    ShippedLine,
    ShippedLineBlock,
    ShippedLines,
)
from schemas.shipments import (
    LINE_STATE,
    RECORDED_CARTONS,
    REF02_MAX,
    Party,
    Shipment,
)
from schemas.time_codes import local_offset, time_code_offset, zone_code
from schemas.units import promised_exactly
from schemas.warehouses import WarehouseProfile
from schemas.x12 import Address, Delimiters

Key = tuple[str, str]



# --- what the checks read, from the store's records ----------------------------------------------

def line_state_table(lines: pa.Table, reservations: pa.Table, upcs: pa.Table | None = None) -> pa.Table:
    """LINE_STATE for these orders' ``lines`` (LINE_ROWS, as stored): every line with what is still
    reserved for it (its ``reservations``' total, RESERVATION_ROWS) and what already shipped; ``upcs``:
    a table of partner, po_number, line_number and upc (canonical ORDER_LINES: the last row of a line
    with a UPC gives it; None: no UPCs)."""
    n = lines.num_rows
    partner, po, number = lines["partner"], lines["po_number"], lines["line_number"]
    if reservations.num_rows:  # each line's reservations summed (what a group-by and a join by key give)
        keys = ["partner", "po_number", "line_number"]
        mine, theirs, k, _present = paired_codes([lines[c] for c in keys], [reservations[c] for c in keys])
        sums = np.zeros(k, np.int64)
        np.add.at(sums, theirs, reservations["quantity"].to_numpy().astype(np.int64))
        reserved = pc.cast(pc.cast(pa.array(sums[mine]), pa.decimal128(38, 4)), QTY)
    else:
        reserved = pa.array([Decimal(0)] * n, QTY)
    blank = pa.scalar(None, pa.string())
    line_id = pc.if_else(pc.fill_null(pc.not_equal(lines["line_id"], ""), False), lines["line_id"],
                         pc.cast(number, pa.string()))
    upc = _upc_column(lines, upcs) if upcs is not None else pa.nulls(n, pa.string())
    cut = pc.fill_null(pc.match_substring_regex(lines["codes"], f"(^|,){CUT_MARK}(,|$)"), False)
    cols = {"partner": partner, "po_number": po, "line_number": number, "line_id": line_id,
            "sku": pc.if_else(pc.equal(lines["sku"], ""), blank, lines["sku"]), "upc": upc,
            "unit": pc.if_else(pc.equal(lines["unit"], ""), blank, lines["unit"]),
            "ordered": pc.cast(pc.if_else(pc.equal(lines["ordered"], ""), blank, lines["ordered"]), QTY),
            "reserved": reserved, "shipped": pc.cast(pc.fill_null(pc.if_else(pc.equal(lines["shipped"], ""), blank,
                                                                              lines["shipped"]), "0"), QTY),
            "status": lines["state"],
            "cut_by": pc.if_else(cut, lines["reason"], blank),
            "cut_from": pc.if_else(cut, pc.cast(lines["cut_from"], pa.string()), blank),  # null: not known
            "bill_only": pc.fill_null(pc.starts_with(lines["reason"], BILL_ONLY), False)}
    return pa.table([pc.cast(cols[f.name], f.type) for f in LINE_STATE], schema=LINE_STATE)


def _upc_column(lines: pa.Table, upcs: pa.Table) -> pa.Array:
    """Each of ``lines``' UPC from ``upcs`` (partner, po_number, line_number, upc): of a line's rows with
    a UPC (not null, not ""), the last; null where none."""
    keys = ["partner", "po_number", "line_number"]
    n = lines.num_rows
    given = upcs.select([*keys, "upc"])
    given = given.filter(pc.fill_null(pc.not_equal(given["upc"], ""), False))
    if not n or not given.num_rows:
        return pa.nulls(n, pa.string())
    mine, theirs, k, present = paired_codes([lines[c] for c in keys], [given[c] for c in keys])
    last = np.full(k, -1, np.int64)  # each key's last row with a UPC (a null key pairs with nothing)
    np.maximum.at(last, theirs, np.arange(len(theirs)))
    row = np.where(present, last[mine], -1)
    upc = given["upc"].combine_chunks().take(pa.array(np.maximum(row, 0)))
    return pc.if_else(pa.array(row >= 0), upc, pa.scalar(None, upc.type))


def recorded_table(rows: Sequence[tuple[str, str | None, str | None]]) -> pa.Table:
    """RECORDED_CARTONS from the store's (shipment id, carton label, SSCC) rows."""
    return pa.table({"shipment_id": pa.array([r[0] for r in rows], pa.string()),
                     "carton_id": pa.array([r[1] for r in rows], pa.string()),
                     "carton_sscc": pa.array([r[2] for r in rows], pa.string())}, schema=RECORDED_CARTONS)


# --- step 1: checks, and what must be numbered --------------------------------------------------

@dataclass(frozen=True, slots=True)
class Confirmations:
    """One confirmation file as read: SHIPMENT_LINES, the reader's findings, the shipment ids of rows
    (CSV record number) or 945 sets (ISA13, GS06, ST02) the reader had to leave out, and the PO each such
    row or set names (``pos``: whose order a finding about it concerns)."""

    lines: pa.Table
    findings: tuple[Finding, ...] = ()
    file: str = ""
    sha256: str = ""
    unread: Mapping[object, str] = field(default_factory=dict)
    pos: Mapping[object, str] = field(default_factory=dict)


def clock_zoned(lines: pa.Table, zone: str) -> pa.Table:
    """SHIPMENT_LINES with each ship time given without a zone (a CSV's Ship Time, a 945's G62 without G6205) or in
    local time (G6205 LT) given the time code of the warehouse's clock ``zone`` (IANA, WarehouseProfile.time_zone)
    on its day (schemas.time_codes.zone_code: CT in Chicago; CS or CD when the partner's guide asks, AsnSettings
    .time_code): the 856's DTM04 then says whose 13:50 it is, and the ASN window reads the same instant. A zone
    623 has no code for (+05:45) leaves the time as it was (the window still reads it by ``zone``)."""
    if not zone or lines.num_rows == 0:
        return lines
    given = pc.fill_null(lines["ship_time_zone"], "")
    open_ = pc.and_(pc.is_valid(lines["ship_time"]), pc.is_in(given, value_set=pa.array(["", "LT"])))
    if not pc.any(open_).as_py():
        return lines
    days, times, codes = lines["ship_date"].to_pylist(), lines["ship_time"].to_pylist(), given.to_pylist()
    known: dict[tuple, str] = {}
    for i, missing in enumerate(open_.to_pylist()):
        if missing and days[i] is not None:
            key = (days[i], times[i])
            code = known.get(key)
            if code is None:
                code = known[key] = zone_code(zone, days[i], times[i])
            codes[i] = code or codes[i]
    at = lines.schema.get_field_index("ship_time_zone")
    return lines.set_column(at, lines.schema.field(at), pa.array([c or None for c in codes], pa.string()))


def named_pos(read: Confirmations) -> set[str]:
    """The PO numbers a confirmation file names (its lines', and those of rows or sets left unread)."""
    return {po for po in (*read.lines["po_number"].to_pylist(), *read.pos.values()) if po}


def waiting_for(read: Confirmations, held: Sequence, absent: Collection[str]) -> list[str]:
    """Why a confirmation waits for partners whose profile does not load (``absent``), one phrase per such
    partner or per PO no order holds (``held``: the OrderRecords of its named_pos; such a PO may be in an absent
    partner's untaken inbox); [] when it names none of those (or every profile loads): it is then taken."""
    if not absent:
        return []
    theirs: dict[str, list[str]] = {}
    for r in held:
        if r.partner in absent:
            theirs.setdefault(r.partner, []).append(r.po_number)
    out = [f"PO {', '.join(sorted(set(pos)))} of partner {pid}" for pid, pos in sorted(theirs.items())]
    unknown = sorted(named_pos(read) - {r.po_number for r in held})
    if unknown:
        out.append(f"PO {', '.join(unknown)}, which no order holds yet (it may wait in the inbox of "
                   f"{', '.join(sorted(absent))})")
    return out


@dataclass(frozen=True, slots=True)
class ShipmentBatch:
    """A checked confirmation file: its lines (partner and order line resolved), the shipments held,
    the findings (with whom they concern and their consequence), and the serials each GS1 company
    prefix must hand out (cartons and pallets of partners whose 856 lists them)."""

    warehouse: WarehouseProfile
    check: ShipmentCheck
    held: frozenset[str]
    findings: tuple[FindingRecord, ...]
    needs: Mapping[str, tuple[tuple[tuple, int], ...]]  # prefix -> ((shipment id, label), extension digit)...
    partners: Mapping[str, str]  # shipment id -> partner (shipments not held)

    @property
    def serials_needed(self) -> dict[str, int]:
        return {prefix: len(keys) for prefix, keys in self.needs.items() if keys}

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.findings if f.finding.severity == "error")


def prepare_shipments(read: Confirmations, *, warehouse: WarehouseProfile, state: pa.Table, items: pa.Table,
                      recorded: pa.Table, profiles: Mapping[str, PartnerProfile],
                      item_units: pa.Table | None = None, partner_items: pa.Table | None = None,
                      orders: pa.Table | None = None, order_lines: pa.Table | None = None,
                      store_shipped: Sequence[tuple] = (),
                      serials_shipped: Mapping[str, Sequence[tuple]] | None = None,
                      addresses: Mapping[tuple[str, str], tuple[str, str]] | None = None,
                      dcs: StoreDcs | None = None, stored_lines: pa.Table | None = None,
                      kits: pa.Table | None = None,
                      releases_held: Mapping[tuple[str, str], str] | None = None) -> ShipmentBatch:
    """Check one file's confirmations (rules.shipments) against LINE_STATE ``state``, our ``items``
    (and ``item_units``: units shipped convert to the line's; ``partner_items``: the partners' part
    numbers) and the cartons already ``recorded``; a shipment with an error (the reader's included) is
    held. ``order_lines`` (canonical ORDER_LINES): the lines' PO4, for a unit only it counts, and their SDQ
    store quantities: the cartons of store-level partners' lines split over stores are checked against them,
    with what ``store_shipped`` (StateStore.shipped_to_stores) says earlier confirmations gave each store
    (rules.shipments.store_checks). The serial numbers of the partners whose 856 lists them are checked
    (rules.shipments.serial_checks) against our items' serialised flag and ``serials_shipped``
    (StateStore.shipped_serials: each serial of the file already recorded). ``addresses``: (partner, PO) ->
    (GS02 the order came from, GS03 it was sent to) of the orders not at the profile's ids (a network's other
    buyer, another division of ours): a shipment whose POs answer different ones is held (``buyers_mixed``).
    ``dcs`` (engine.shipments.store_dcs): the DC each store of a store-level partner is shipped through; a
    shipment whose stores go through different DCs (or one, and the PO's own ship-to) is held (``ship_tos_mixed``).
    ``stored_lines`` (LINE_ROWS of the orders, as stored): a held shipment's finding about a line we cancelled units of
    after acknowledging them (past the order's last date, or its balance: ship_checks.cancelled_lines) says so, and
    that the buyer, not the warehouse, decides what becomes of the goods (ship_checks.cancelled_shipped). ``kits``
    (reference KITS): a kit a PO orders confirmed by its components is that kit, a partial one held (kits_shipped).
    ``releases_held``: order key -> name of the releases held for a person since the buyer cancelled their blanket
    (engine.blankets.hold_released): a shipment of one is held (ship_checks.releases_held)."""
    read = kits_shipped(read, kits, state, items, item_units)
    structures = {pid: p.fulfilment.asn.structure for pid, p in profiles.items()}
    check = check_shipments(clock_zoned(read.lines, warehouse.time_zone), state, items, recorded,
                            structures=structures, item_units=item_units,
                            partner_items=partner_items, order_lines=order_lines,
                            over_ship={pid: p.fulfilment.over_ship_percent for pid, p in profiles.items()
                                       if p.fulfilment.over_ship_percent})
    check = _store_checked(check, order_lines, profiles, store_shipped, items, item_units)
    check = _serials_checked(check, items, profiles, serials_shipped)
    cols = _ColumnLists(check.lines)  # read as lists only where a finding asks (a file without one: never)
    by_set: dict[tuple, str] | None = None  # (ISA13, GS06, ST02) -> a shipment of that 945 set, when asked
    reader_held: dict[int, str] = {}
    unattributed = False  # a row left out whose shipment nobody can name: every shipment of the file waits
    for k, f in enumerate(read.findings):
        loc = f.location
        if f.severity != "error":
            continue
        if loc.row is not None:  # CSV: the row's shipment id, as the row wrote it
            sid = read.unread.get(loc.row)
            unattributed |= sid is None and loc.row > 1
        else:  # 945: a set partly read (a W12 left out); a set in error was not read at all
            if by_set is None:
                sets = zip(*(check.lines[c].to_pylist() for c in ("isa13", "gs06", "st02")), strict=True)
                by_set = dict(zip(sets, cols["shipment_id"], strict=True))
            sid = by_set.get((loc.isa13, loc.gs06, loc.st02))
        if sid:
            reader_held[k] = sid
    stored = _stores_kept(check.lines, profiles)  # the stores a DC is looked up by: store-level partners' alone
    elsewhere = ship_to_mismatches(stored, orders, order_lines, dcs) + ship_tos_mixed(
        stored, orders, order_lines, dcs) if orders is not None else []
    if orders is not None:  # POs of one shipment for two places (order-level), where the 856 names one; a row
        # going to its line's own ship-to or through its store's DC is left to ship_tos_mixed
        elsewhere += order_ship_tos_mixed(check.lines, orders, _ship_to_per_order(profiles), skip={
            cols["shipment_id"][i] for i, _f in elsewhere}, own=own_ship_tos(stored, orders, order_lines, dcs))
    elsewhere += buyers_mixed(check.lines, addresses or {}, profiles)
    elsewhere += held_releases(check.lines, releases_held or {})
    elsewhere, stop_numbers, loads = _multi_stop(check.lines, stored, elsewhere, cols, orders, order_lines, dcs,
                                                 profiles) if orders is not None else (elsewhere, [], frozenset())
    held = check.held | frozenset(reader_held.values()) | frozenset(cols["shipment_id"][i] for i, _f in elsewhere)
    if unattributed:
        held |= frozenset(cols["shipment_id"])
    # each shipment not held: the partner of its first row naming one (in the order of those rows)
    named = pc.fill_null(pc.not_equal(check.lines["partner"], ""), False).to_numpy(zero_copy_only=False)
    firsts = first_rows(encode(check.lines["shipment_id"])[0], named)
    partner_of: dict[str, str] = {}
    taken = pa.array(np.sort(firsts[firsts >= 0]), pa.int64())
    for sid, partner in zip(check.lines["shipment_id"].take(taken).to_pylist(),
                            check.lines["partner"].take(taken).to_pylist(), strict=True):
        if sid not in held:
            partner_of[sid] = partner
    records: list[FindingRecord] = []
    for k, f in enumerate(read.findings):
        sid = reader_held.get(k)
        why = _consequence(f, sid, held=True)
        if unattributed and sid is None and f.severity == "error" and f.location.row is not None:
            why = "row not read and its shipment unknown: every shipment of the file held; file quarantined"
        records.append(FindingRecord(_holding(f, sid, held=True), *_owner_of(sid, cols), why, STAGE))
    cancelled = cancelled_lines(stored_lines) if stored_lines is not None and any(
        f.code in CANCELLED_SHIPPED for f in check.findings) else {}
    explained: set[int] = set()
    for f, i in zip(check.findings, check.finding_rows, strict=True):
        f = _as_written(f, warehouse)
        sid = cols["shipment_id"][i] if i < len(cols["shipment_id"]) else ""
        why = _consequence(f, sid, held=sid in held)
        gone = cancelled.get((cols["partner"][i], cols["po_number"][i], cols["line_number"][i])) \
            if cancelled and sid in held and f.code in CANCELLED_SHIPPED else None
        if gone:  # units we cancelled after acknowledging them: the goods left, the buyer decides (said once a row)
            told, why = cancelled_shipped(f, sid, {c: cols[c][i] for c in ("quantity", "unit", "ship_date")}, gone)
            f = f if i in explained else told
            explained.add(i)
        f = _holding(f, sid, held=sid in held) if not gone else _holding(f, sid, held=True, told=True)
        records.append(FindingRecord(f, cols["partner"][i] or "" if sid else "", cols["po_number"][i] or "", why,
                                     STAGE))
    for i, f in elsewhere:
        sid = cols["shipment_id"][i]
        records.append(FindingRecord(_holding(f, sid, held=True), cols["partner"][i] or "", cols["po_number"][i] or "",
                                     _consequence(f, sid, held=True), STAGE))
    records += _tracking_not_sent(check.lines, held, profiles, warehouse)
    batch = _per_order(ShipmentBatch(warehouse, check, held, tuple(records),
                                     _needs(check.lines, held, partner_of, profiles), partner_of), profiles, orders)
    return _per_stop(batch, stop_numbers, loads, profiles) if loads else batch


def _tracking_not_sent(lines: pa.Table, held: Collection[str], profiles: Mapping[str, PartnerProfile],
                       warehouse: WarehouseProfile) -> list[FindingRecord]:
    """SHIPMENT_TRACKING_NOT_SENT, once a carton (at its first row), for a carton whose cell lists several tracking
    numbers (engine.shipments.tracking_numbers) shipped to a partner whose 856 carries a carton's number in its MAN
    (AsnSettings.package_tracking_in "man": one MAN a carton, MAN04/05 the first number): the others are on no 856,
    said rather than dropped unseen. A partner taking them as REF*CN gets each in the pack loop."""
    if not any(p.fulfilment.asn.package_tracking and p.fulfilment.asn.package_tracking_in == "man"
               for p in profiles.values()):
        return []
    several = pc.fill_null(pc.match_substring(lines["tracking_number"], "|"), False)
    if not pc.any(several).as_py():
        return []
    out: list[FindingRecord] = []
    told: set[tuple[str, str]] = set()
    rows = lines.filter(several).select(["shipment_id", "partner", "po_number", "carton_id", "tracking_number",
                                         "row_number"]).to_pylist()
    for r in rows:
        profile = profiles.get(r["partner"] or "")
        asn = profile.fulfilment.asn if profile is not None else None
        key = (r["shipment_id"], r["carton_id"] or "")
        if asn is None or not (asn.package_tracking and asn.package_tracking_in == "man") or not r["carton_id"] \
                or r["shipment_id"] in held or key in told:
            continue
        told.add(key)
        first, *others = tracking_numbers(r["tracking_number"])
        f = finding("SHIPMENT_TRACKING_NOT_SENT", f"Carton {r['carton_id']} of shipment {r['shipment_id']} has "
                    f"{1 + len(others)} tracking numbers; {r['partner']}'s 856 carries a carton's in its one MAN "
                    f"(MAN04/05): {first} is sent, {', '.join(others)} not. Tell the buyer if it needs them.",
                    row=r["row_number"], column="tracking_number", value=", ".join(others))
        out.append(FindingRecord(_as_written(f, warehouse), r["partner"] or "", r["po_number"] or "",
                                 "856 sent with the first tracking number (warning)", STAGE))
    return out


def _multi_stop(lines: pa.Table, stored: pa.Table, elsewhere: list[tuple[int, Finding]], cols: _ColumnLists,
                orders: pa.Table, order_lines: pa.Table | None, dcs: StoreDcs | None,
                profiles: Mapping[str, PartnerProfile]) -> tuple[list[tuple[int, Finding]], list[int], frozenset[str]]:
    """The multi-stop loads among the shipments ``elsewhere`` holds for lines of several ship-tos
    (SHIPMENT_SHIP_TOS_MIXED) whose partner splits them (fulfilment.multi_stop "split"): (``elsewhere`` without
    their findings, each row's stop number within its load (engine.lifecycle.stops.number_stops; 0 outside
    them), the loads). A load with a carton or pallet of two stops (boxes_mixed) stays held, its finding naming
    the box in place of the load's; so does one of more stops than STOPS_MAX. ``stored``: the rows with the stores
    a DC is looked up by (_stores_kept)."""
    mixed = {cols["shipment_id"][i]: cols["partner"][i] for i, f in elsewhere if f.code == "SHIPMENT_SHIP_TOS_MIXED"}
    split = {sid for sid, partner in mixed.items()
             if partner in profiles and profiles[partner].fulfilment.multi_stop == "split"}
    if not split:
        return elsewhere, [], frozenset()
    places = row_places(stored, orders, order_lines, dcs, _ship_to_per_order(profiles))
    numbers, known = number_stops(cols["shipment_id"], places, split)
    split = {sid for sid in split if len(known[sid]) <= STOPS_MAX}  # (more stops than ids: held as it was)
    numbers = [n if sid in split else 0 for sid, n in zip(cols["shipment_id"], numbers, strict=True)]
    boxed = boxes_mixed(lines, numbers, known)  # the finding of a load that cannot be split, in place of its own
    loads = frozenset(split - {cols["shipment_id"][i] for i, _f in boxed})
    told = {cols["shipment_id"][i] for i, f in elsewhere if f.code == "SHIPMENT_SHIP_TO_MISMATCH"}  # (held: said)
    if loads - told:  # a 945's N1 ST (a CSV row's ship-to) against where each stop's lines go, as for a shipment
        boxed += _stop_ship_tos(stored, [n if sid in loads - told else 0 for sid, n in zip(
            cols["shipment_id"], numbers, strict=True)], orders, order_lines, dcs)
    left = [(i, f) for i, f in elsewhere if f.code != "SHIPMENT_SHIP_TOS_MIXED" or cols["shipment_id"][i] not in split]
    # (a load whose places are one by same_party, a line's own ship-to and another PO's: one stop, not split)
    return sorted(left + boxed, key=lambda p: p[0]), [n if sid in loads else 0 for sid, n in zip(
        cols["shipment_id"], numbers, strict=True)], loads


def _stop_ship_tos(stored: pa.Table, numbers: Sequence[int], orders: pa.Table, order_lines: pa.Table | None,
                   dcs: StoreDcs | None) -> list[tuple[int, Finding]]:
    """ship_to_mismatches of the rows of multi-stop loads (``numbers``: each row's stop, 0 outside them), each stop
    taken as a shipment of its own (its lines of a PO go to one place): a confirmation naming one ship-to for a PO
    whose lines go to two stops, or another than its stop's, holds the load; the message names the stop."""
    rows = np.flatnonzero(np.asarray(numbers) > 0)
    if not len(rows) or "ship_to_id" not in stored.column_names:
        return []
    found = ship_to_mismatches(stored.take(pa.array(rows, pa.int64())), orders, order_lines, dcs,
                               stops=[numbers[i] for i in rows.tolist()])
    return [(int(rows[k]), f) for k, f in found]


def _per_stop(batch: ShipmentBatch, numbers: Sequence[int], loads: frozenset[str],
              profiles: Mapping[str, PartnerProfile]) -> ShipmentBatch:
    """``batch`` with each multi-stop load (``loads``, not held) split into one shipment per stop (``numbers``:
    each row's stop within its load, _multi_stop): its own 856, record, SSCCs and 810, the S level's bill of
    lading, tracking and carrier the load's. A part of a load already split per PO (_per_order) whose rows go
    to several stops is split the same way, its stops numbered again in the order of their first rows. Each stop's
    id is engine.lifecycle.stops.stop_id of the shipment it is part of."""
    lines = batch.check.lines
    sids = lines["shipment_id"].to_pylist()
    parts: dict[str, dict[int, None]] = defaultdict(dict)  # shipment (or its PO's part) -> its stops, in row order
    for sid, n in zip(sids, numbers, strict=True):
        if n and sid not in batch.held:
            parts[sid][n] = None
    renamed = {(sid, n): stop_id(sid, k) for sid, named in parts.items() if len(named) > 1
               for k, n in enumerate(named, 1)}
    if not renamed:
        return batch
    partners: dict[str, str] = {}
    for sid, partner in batch.partners.items():
        if len(parts.get(sid, ())) > 1:
            partners.update((renamed[(sid, n)], partner) for n in parts[sid])
        else:
            partners[sid] = partner
    at = lines.schema.get_field_index("shipment_id")
    lines = lines.set_column(at, lines.schema.field(at), pa.array(
        [renamed.get((sid, n), sid) for sid, n in zip(sids, numbers, strict=True)], pa.string()))
    return replace(batch, check=replace(batch.check, lines=lines), partners=partners,
                   needs=_needs(lines, batch.held, partners, profiles))


def _ship_to_per_order(profiles: Mapping[str, PartnerProfile]) -> frozenset[str]:
    """The partners whose 856 names each PO's ship-to: in its order loop (asn.ship_to_level "order") or an 856 per
    PO (asn.per "order")."""
    return frozenset(pid for pid, p in profiles.items()
                     if p.fulfilment.asn.ship_to_level == "order" or p.fulfilment.asn.per == "order")


class _ColumnLists(dict):
    """A table's columns as Python lists (name -> list), each made when first asked for."""

    def __init__(self, table: pa.Table) -> None:
        super().__init__()
        self.table = table

    def __missing__(self, name: str) -> list:
        made = self[name] = self.table[name].to_pylist()
        return made


ASN_ID_MAX = 30  # BSN02 (shipment identification): AN 2-30


def asn_shipment_id(shipment_id: str, po_number: str) -> str:
    """The shipment id of the 856 of one PO of a shipment carrying several, for a partner taking one 856 per
    PO (fulfilment.asn.per "order"): its BSN02 and the shipment record's id. The shipment id, "-" and the
    PO; when that is longer than BSN02's 30 characters, the shipment id's first 21, "-" and 8 hex digits of
    a hash of the two. The same shipment and PO give the same id on every run."""
    return _fitted_id(f"{shipment_id}-{po_number}", shipment_id, shipment_id, po_number)


def _fitted_id(whole: str, head: str, *key: str) -> str:
    """``whole`` when it fits ASN_ID_MAX; else ``head``'s first characters, "-" and 8 hex digits of a hash of
    ``key`` (the same key, the same id on every run)."""
    if len(whole) <= ASN_ID_MAX:
        return whole
    digest = hashlib.sha256("\x00".join(key).encode()).hexdigest()[:8].upper()
    return f"{head[:ASN_ID_MAX - 9]}-{digest}"


def _per_order(batch: ShipmentBatch, profiles: Mapping[str, PartnerProfile],
               order_table: pa.Table | None = None) -> ShipmentBatch:
    """``batch`` with each shipment (not held) of a partner taking one 856 per PO (fulfilment.asn.per "order")
    that carries several POs split into one shipment per PO (asn_shipment_id; in the order the rows name the
    POs): its own 856, record and SSCCs, the S level's bill of lading, tracking and carrier the same. A shipment
    with a pallet holding several POs' cartons, for a structure listing pallets under each order (SOTPI, SOTI),
    is held (ASN_NOT_BUILT), whatever the 856s are per: the pallet's one label cannot be on two 856s, nor under
    two orders of one (the 856's self-check refused it as an SSCC listed twice, a reason no one could act on).
    A structure listing each pallet above the orders it holds (STOI, STOPI: a consolidated pallet) takes a pallet of
    several POs, and of several stores, in one 856; its POs go to one place (the 856's one N1*ST): a pallet whose POs
    name different ship-tos in ``order_table`` (canonical ORDERS) is held the same way (build one pallet per ship-to).
    For a store-level partner, whose 856 has an order loop per PO and store (fulfilment.asn.store_level; the store
    named there or, mark_for "pack", on each carton), a pallet of one PO holding cartons of two stores is held the
    same way (build one pallet per store)."""
    split = {pid for pid, p in profiles.items() if p.fulfilment.asn.per == "order"}
    tares = {pid for pid, p in profiles.items() if p.fulfilment.asn.structure in WITH_TARES}
    above = {pid for pid in tares if profiles[pid].fulfilment.asn.structure in TARE_FIRST}  # a pallet above its POs
    if not (split | tares) or not any(partner in split | tares for partner in batch.partners.values()):
        return batch
    by_store = {pid for pid in tares if profiles[pid].fulfilment.asn.store_level}
    lines = batch.check.lines
    sids, pos, pallets = (lines[c].to_pylist() for c in ("shipment_id", "po_number", "pallet_id"))
    stores = lines["mark_for_store"].to_pylist() if by_store and marks_stores(lines) else [None] * len(sids)
    orders: dict[str, dict[str, None]] = defaultdict(dict)  # shipment -> its POs, in the order the rows name them
    loops: dict[str, dict[tuple[str, str], None]] = defaultdict(dict)  # shipment -> its order loops (PO, store)
    pallet_loops: dict[tuple[str, str], dict[tuple[str, str], None]] = defaultdict(dict)
    for sid, po, pallet, store in zip(sids, pos, pallets, stores, strict=True):
        partner = batch.partners.get(sid)
        if partner in split or partner in tares:
            orders[sid][po or ""] = None
            loop = (po or "", (store or "") if partner in by_store else "")
            loops[sid][loop] = None
            if pallet and partner in tares:
                pallet_loops[(sid, pallet)][loop] = None
    held, findings = set(batch.held), list(batch.findings)
    for (sid, pallet), named in pallet_loops.items():
        partner = batch.partners[sid]
        if len(named) > 1 and len(loops[sid]) > 1 and sid not in held:
            structure = profiles[partner].fulfilment.asn.structure
            pos_named = list(dict.fromkeys(po for po, _store in named))
            places = _ship_to_places(order_table, partner, pos_named) if partner in above else {}
            if partner in above and partner not in split and _one_place(places.values()):
                continue  # a consolidated pallet: its orders under it in the one 856
            held.add(sid)
            if partner in above and partner not in split:  # the POs of two places on one pallet
                what = "items of POs " + ", ".join(f"{po} (ship-to {place})" for po, place in _places_named(
                    places, pos_named).items())
                why = f"{partner}'s 856 ({structure}) lists the pallet above its orders: a pallet goes to one place"
                build = "one pallet per ship-to"
            elif len(pos_named) == 1:  # one PO's cartons of several stores, each store its own order loop
                what = f"cartons of PO {pos_named[0]} for stores {', '.join(store for _po, store in named)}"
                why = (f"{partner}'s 856 ({structure}) has an order loop per PO and store (fulfilment.asn."
                       "store_level) and lists each pallet under one: the pallet's label cannot be under two stores")
                build = "one pallet per store"
            else:
                what = f"cartons of POs {', '.join(pos_named)}"
                why = (f"{partner} takes one 856 per PO (fulfilment.asn.per \"order\"): the pallet's label cannot be "
                       "on two 856s" if partner in split else f"{partner}'s 856 ({structure}) lists each pallet "
                       "under one order: the pallet's label cannot be under two orders")
                build = "one pallet per PO"
            f = finding("ASN_NOT_BUILT", f"Shipment {sid}: pallet {pallet} holds {what}, "
                        f"and {why}; it is held (no 856, nothing consumed).", value=sid,
                        detail=Detail(shipment_id=sid))
            findings.append(FindingRecord(f, partner, pos_named[0], f"shipment {sid} held: no 856, nothing consumed; "
                                          f"the warehouse must build {build}", STAGE))
    frozen = frozenset(held)
    if len(frozen) > len(batch.held):  # the rows' held flag, as _store_checked keeps it
        lines = lines.set_column(lines.schema.get_field_index("held"), "held",
                                 pc.is_in(lines["shipment_id"], value_set=pa.array(sorted(frozen), pa.string())))
    renamed = {(sid, po): asn_shipment_id(sid, po) for sid, named in orders.items()
               if len(named) > 1 and sid not in frozen and batch.partners[sid] in split for po in named}
    partners: dict[str, str] = {}
    for sid, partner in batch.partners.items():
        if sid in frozen:
            continue
        if (sid, next(iter(orders.get(sid, {"": None})))) in renamed:
            partners.update((renamed[(sid, po)], partner) for po in orders[sid])
        else:
            partners[sid] = partner
    if renamed:
        new_ids = pa.array([renamed.get((sid, po or ""), sid) for sid, po in zip(sids, pos, strict=True)], pa.string())
        at = lines.schema.get_field_index("shipment_id")
        lines = lines.set_column(at, lines.schema.field(at), new_ids)
    if lines is batch.check.lines:
        return batch
    return replace(batch, check=replace(batch.check, lines=lines), held=frozen, findings=tuple(findings),
                   partners=partners, needs=_needs(lines, frozen, partners, profiles))


def _ship_to_places(orders: pa.Table | None, partner: str, pos: Sequence[str]) -> dict[str, dict]:
    """PO -> the place its order ships to (``orders``: canonical ORDERS): its N1*ST name, id with its qualifier and
    N3/N4 address (rules.business.places.same_party's terms: one name at two addresses, no id, is two places); a PO
    not in ``orders`` is left out."""
    from rules.business.places import place_columns

    if orders is None or not orders.num_rows or "ship_to_id" not in orders.column_names:
        return {}
    mine = orders.filter(pc.and_(pc.equal(orders["partner"], partner),
                                 pc.is_in(orders["po_number"], value_set=pa.array(list(pos), pa.string()))))
    return {r["po_number"]: r for r in mine.select(["po_number", *place_columns(mine)]).to_pylist()}


def _one_place(places: Iterable[Mapping]) -> bool:
    """Whether ``places`` (_ship_to_places') are one place by rules.business.places.same_party (none: one)."""
    from rules.business.places import same_party

    places = list(places)
    return all(same_party(p, places[0]) for p in places[1:])


def _places_named(places: Mapping[str, Mapping], pos: Sequence[str]) -> dict[str, str]:
    """PO -> its place (_ship_to_places) as a message names it beside the others' (rules.business.places.places_words:
    two of one name with their addresses); "unknown" for a PO not in ``places``."""
    from rules.business.places import places_words

    known = [po for po in pos if po in places]
    words = dict(zip(known, places_words([places[po] for po in known]), strict=True))
    return {po: words.get(po, "unknown") for po in pos}


def _stores_kept(lines: pa.Table, profiles: Mapping[str, PartnerProfile]) -> pa.Table:
    """``lines`` with the cartons' stores (mark_for_store) kept for the partners whose 856 marks each carton's
    store (fulfilment.asn.store_level) and cleared for the others (their 856 is the one it was: a store the
    warehouse names is not theirs to route by)."""
    if not marks_stores(lines):
        return lines
    keep = pc.fill_null(pc.is_in(lines["partner"], value_set=pa.array(list(_store_parties(profiles)), pa.string())),
                        False)
    if pc.all(keep).as_py():
        return lines
    for name in ("mark_for_store", "mark_for_id_qualifier"):
        at = lines.schema.get_field_index(name)
        lines = lines.set_column(at, lines.schema.field(at),
                                 pc.if_else(keep, lines[name], pa.scalar(None, pa.string())))
    return lines


LOT_COLUMNS = ("lot_number", "expiration_date")
# what one item of a carton is for a partner without lots on its 856: its order line and product, unit and pallet
_ITEM_OF_CARTON = ("shipment_id", "carton_id", "carton_sscc", "po_number", "line_id", "sku", "upc", "unit", "pallet_id",
                   "mark_for_store")


def _lots_kept(lines: pa.Table, profiles: Mapping[str, PartnerProfile]) -> pa.Table:
    """``lines`` with the lots (lot_number, expiration_date) kept for the partners whose 856 lists them
    (fulfilment.asn.lots "lin" / "ref") and cleared for the others, whose 856 is the one it was: one item per
    line and carton. A line of a carton shipped from several lots (a confirmation row per lot, each naming a
    different lot) is one row for them, the first's, with the lots' units summed (and their net weights, when
    each lot was weighed in one unit); rows without a lot, or repeating one, stay as they are (the checks
    found a doubled line already)."""
    if not all(c in lines.column_names for c in LOT_COLUMNS) or all(
            lines[c].null_count == lines.num_rows for c in LOT_COLUMNS):
        return lines  # no lot in the file: the usual one, as it is
    with_lots = [pid for pid, p in profiles.items() if p.fulfilment.asn.lots != "none"]
    keep = pc.fill_null(pc.is_in(lines["partner"], value_set=pa.array(with_lots, pa.string())), False)
    if pc.all(keep).as_py():
        return lines
    kept = keep.to_numpy(zero_copy_only=False)
    keys = list(zip(*(lines[c].to_pylist() for c in _ITEM_OF_CARTON), strict=True))
    lots = lines["lot_number"].to_pylist()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, key in enumerate(keys):
        if not kept[i] and key[1] is not None:  # a carton's row of a partner without lots
            groups[key].append(i)
    quantity, net, net_unit = (lines[c].to_pylist() for c in ("quantity", "net_weight", "net_weight_unit"))
    dropped: set[int] = set()
    for rows in groups.values():
        named = [lots[i] for i in rows]
        if len(rows) == 1 or not all(named) or len(set(named)) != len(named):
            continue
        first = rows[0]
        nets = [net[i] for i in rows]
        weighed = all(n is not None for n in nets) and len({net_unit[i] for i in rows}) == 1  # each lot, one unit
        quantity[first] = sum((quantity[i] for i in rows), Decimal(0))
        net[first] = sum(nets, Decimal(0)) if weighed else None
        net_unit[first] = net_unit[first] if weighed else None
        dropped.update(rows[1:])
    for name, values in (("quantity", quantity), ("net_weight", net), ("net_weight_unit", net_unit)):
        if dropped:
            at = lines.schema.get_field_index(name)
            lines = lines.set_column(at, lines.schema.field(at), pa.array(values, lines.schema.field(at).type))
    for name in LOT_COLUMNS:
        at = lines.schema.get_field_index(name)
        lines = lines.set_column(at, lines.schema.field(at),
                                 pc.if_else(keep, lines[name], pa.scalar(None, lines.schema.field(at).type)))
    if dropped:
        lines = lines.take(pa.array([i for i in range(lines.num_rows) if i not in dropped], pa.int64()))
    return lines


def _store_parties(profiles: Mapping[str, PartnerProfile]) -> dict[str, str]:
    """The store-level partners (fulfilment.asn.store_level), each with the N101 of the store's N1
    (AsnSettings.store_party)."""
    return {pid: p.fulfilment.asn.store_party for pid, p in profiles.items() if p.fulfilment.asn.store_level}


def _catalog_described(profiles: Mapping[str, PartnerProfile]) -> frozenset[str]:
    """The partners whose 856 items have our items.csv description where the PO sent none (item_pid_catalog)."""
    return frozenset(pid for pid, p in profiles.items()
                     if p.fulfilment.asn.item_pid and p.fulfilment.asn.item_pid_catalog)


def _store_checked(check: ShipmentCheck, order_lines: pa.Table | None,
                   profiles: Mapping[str, PartnerProfile], shipped: Sequence[tuple] = (),
                   items: pa.Table | None = None, item_units: pa.Table | None = None) -> ShipmentCheck:
    """``check`` with store_checks' findings (their shipments held) and its stores written as the POs wrote
    them, for the partners whose profile sets fulfilment.asn.store_level (``items``, ``item_units``: an SDQ in
    another unit than its line's compared in the line's, ShipmentUnits; built only when a partner is store-level)."""
    parties = _store_parties(profiles)
    units = ShipmentUnits(items, item_units, RuleSettings()) if parties and items is not None else None
    lines, found = store_checks(check.lines, order_lines, parties, shipped, asn_of={
        pid: (p.fulfilment.asn.structure, p.fulfilment.asn.mark_for) for pid, p in profiles.items()}, units=units)
    return _with_findings(check, lines, found)


def _serials_checked(check: ShipmentCheck, items: pa.Table, profiles: Mapping[str, PartnerProfile],
                     shipped: Mapping[str, Sequence[tuple]] | None) -> ShipmentCheck:
    """``check`` with serial_checks' findings (their shipments held), for the partners whose profile sets
    fulfilment.asn.serial_numbers (each with REF02's length in its X12 version)."""
    partners = {pid: REF02_MAX.get(p.x12.version if p.x12 else "", 30) for pid, p in profiles.items()
                if p.fulfilment.asn.serial_numbers}
    if not partners:
        return check
    serialised = frozenset(pc.filter(items["sku"], pc.fill_null(items["serialised"], False)).to_pylist()) \
        if "serialised" in items.column_names else frozenset()
    return _with_findings(check, check.lines, serial_checks(check.lines, partners, serialised, shipped))


def _with_findings(check: ShipmentCheck, lines: pa.Table, found: list[tuple[int, Finding]]) -> ShipmentCheck:
    """``check`` with ``lines`` and more findings at their rows (``found``), the shipments of their errors held."""
    if lines is check.lines and not found:
        return check
    sids = lines["shipment_id"].to_pylist()
    held = check.held | frozenset(sids[i] for i, f in found if f.severity == "error")
    lines = lines.set_column(lines.schema.get_field_index("held"), "held",
                             pc.is_in(lines["shipment_id"], value_set=pa.array(sorted(held), pa.string())))
    pairs = sorted([*zip(check.finding_rows, check.findings, strict=True), *found], key=lambda p: p[0])
    return replace(check, lines=lines, findings=[f for _i, f in pairs], held=held,
                   finding_rows=tuple(i for i, _f in pairs))


def _as_written(f: Finding, warehouse: WarehouseProfile) -> Finding:
    """A CSV finding's column named as the warehouse's header names it (the checks name the field)."""
    title = getattr(warehouse.csv, f.location.column, None) if f.location.column else None
    if warehouse.format != "csv" or f.location.row is None or not isinstance(title, str):
        return f
    return replace(f, location=replace(f.location, column=title))


def _owner_of(sid: str | None, cols: dict) -> tuple[str, str]:
    """(partner, PO) of a reader's finding about shipment ``sid``: the partner of its first row naming
    one, and the PO when all its rows of that partner name one PO ("" when the shipment spans several,
    or none is known: the flow gives such a finding to the warehouse)."""
    if not sid:
        return "", ""
    rows = [(p, po) for s, p, po in zip(cols["shipment_id"], cols["partner"], cols["po_number"], strict=True)
            if s == sid and p]
    if not rows:
        return "", ""
    pos = {po for p, po in rows if p == rows[0][0]}
    return rows[0][0], (next(iter(pos)) or "") if len(pos) == 1 else ""


def _holds(f: Finding, sid: str | None, *, held: bool) -> bool:
    """Does ``f`` hold confirmed shipment ``sid`` (an error of a shipment held that is not its id again)?"""
    return f.severity == "error" and bool(sid) and held and f.code != "SHIPMENT_ID_DUPLICATE"


def _holding(f: Finding, sid: str | None, *, held: bool, told: bool = False) -> Finding:
    """``f`` with the shipment it holds as its detail (Detail.shipment_id: engine.reconcile.held_on_lines reads it
    where the consequence says "shipment S held: ..."), when it holds one (_holds, or ``told``: cancelled_shipped
    said so); else as it is."""
    if not sid or not (told or _holds(f, sid, held=held)):
        return f
    return replace(f, detail=replace(f.detail, shipment_id=sid))


def _consequence(f: Finding, sid: str | None, *, held: bool) -> str:
    if f.severity != "error":
        return "none (warning)"
    if sid and f.code == "SHIPMENT_ID_DUPLICATE":
        return f"shipment {sid} not recorded again; no 856 sent again"
    if _holds(f, sid, held=held):
        return f"shipment {sid} held: no 856, nothing consumed; the warehouse must send a corrected confirmation"
    return _X12_CONSEQUENCES.get(_x12_level(f), "row not read") + "; file quarantined"


# What a 945's envelope or structure error did (engine.warehouse_acks.judge_945s), in the words a partner's intake
# finding uses (engine.lifecycle.intake.intake_consequence): by the level of its code; "tolerated" an interchange
# error after which its groups are still read (TA1 E)
_X12_CONSEQUENCES = {
    "tolerated": "interchange accepted with errors (TA1 E); its 945s read",
    "interchange": "interchange rejected (TA1 R, no 997): none of its 945s read, nothing of them shipped",
    "group": "group rejected (997 AK9 R): none of its 945s read, nothing of them shipped",
    "set": "transaction set rejected (997 AK5 R): the 945 not read, nothing of it shipped",
    "stranger": "interchange not read or answered (another ISA sender)",
}


def _x12_level(f: Finding) -> str:
    """The X12 level (interchange, group, set; "tolerated"; "stranger" another sender's interchange) of a 945 file's
    envelope or structure finding, else "" (a CSV row's, a 945's content: the reader's other SHIPMENT_945_* codes)."""
    spec = CATALOGUE.get(f.code)
    if f.location.row is not None or spec is None:
        return ""
    if f.code == "SHIPMENT_945_SENDER_UNKNOWN":
        return "stranger"
    if spec.level == "interchange":
        return "tolerated" if f.code in TA1_TOLERATED else "interchange"
    return "set" if spec.level in ("segment", "element") else spec.level if spec.level in ("group", "set") else ""


def _needs(lines: pa.Table, held: frozenset[str], partner_of: Mapping[str, str],
           profiles: Mapping[str, PartnerProfile]) -> dict[str, tuple[tuple[tuple, int], ...]]:
    """Per company prefix: the cartons (and pallets, in S-O-T-P-I) of shipments going out to partners
    that receive 856s, that carry no SSCC of the warehouse's, with the extension digit for each."""
    needs = sscc_needs(lines)
    out: dict[str, list[tuple[tuple, int]]] = defaultdict(list)
    for keys, pallets in ((needs.cartons, False), (needs.pallets, True)):
        numbered = {partner: _numbered_by(profiles.get(partner), pallets) for partner in set(partner_of.values())}
        by_shipment = {sid: numbered[partner] for sid, partner in partner_of.items() if sid not in held}
        for key in keys:
            by = by_shipment.get(key[0])
            if by is not None:
                out[by[0]].append((key, by[1]))
    return {prefix: tuple(keys) for prefix, keys in out.items()}


def _numbered_by(profile: PartnerProfile | None, pallets: bool) -> tuple[str, int] | None:
    """(company prefix, extension digit) of the SSCCs a partner's 856 needs for its cartons (or pallets);
    None when it lists none (no 856, no SSCC settings, a structure without them)."""
    if profile is None or "856" not in profile.receives or profile.fulfilment.sscc is None:
        return None
    structure = profile.fulfilment.asn.structure
    if structure == "SOI" or (pallets and structure not in WITH_TARES):
        return None  # the partner's 856 does not list them
    sscc = profile.fulfilment.sscc
    ext = sscc.pallet_extension_digit if pallets and sscc.pallet_extension_digit is not None \
        else sscc.extension_digit
    return sscc.company_prefix, ext


# --- step 2: 856s, shipment records, order moves -------------------------------------------------

def plan_shipments(batch: ShipmentBatch, *, serials: Mapping[str, Sequence[int]],
                   records: Mapping[Key, OrderRecord], lines: pa.Table, reservations: pa.Table,
                   orders: pa.Table, order_lines: pa.Table,
                   items: pa.Table | None, profiles: Mapping[str, PartnerProfile], created: datetime, at: str,
                   run_id: str, source: Mapping[str, str] | None = None,
                   refused: Mapping[str, Sequence[Finding]] | None = None, clock_zone: str = "",
                   dcs: StoreDcs | None = None, warehouses: Mapping[str, WarehouseProfile] | None = None) -> Plan:
    """The plan for every shipment of ``batch`` not held, in the order they appear: each one's 856
    (``serials``: prefix -> the serials taken, as many as batch.serials_needed), its record, and its
    orders' moves. ``lines``/``reservations``: the orders' stored lines and reservations (LINE_ROWS,
    RESERVATION_ROWS; the plan rewrites those of the orders shipped as tables); ``orders``/``order_lines``:
    the canonical tables of the orders' current revisions;
    ``created``: the 856's time (the run's clock); ``source``: the file's lineage (source_kind,
    source_file, source_sha256); ``refused``: shipment id -> what the outbound validator found wrong
    with its 856 in an earlier attempt (held with ASN_NOT_BUILT; see ``holding``); ``dcs``
    (engine.shipments.store_dcs): the DC each store is shipped through, its shipment's N1*ST. A shipment whose
    856 fails to build, or whose orders cannot move, is held with a finding; the others go on. ``warehouses``:
    every warehouse profile by id, the ship-froms a PO's N1*SF may name (SHIP_FROM_NOT_ROUTED; None: the batch's
    warehouse alone is known)."""
    source = dict(source or {})
    orders = with_agreed_fob(orders, profiles)  # the S level's FOB of a PO that sent none, where one is agreed
    check, held = batch.check, batch.held
    good = _rows_where(check.lines, pc.invert(pc.is_in(check.lines["shipment_id"],
                                                       value_set=pa.array(sorted(held), pa.string()))))
    good = _lots_kept(_stores_kept(good, profiles), profiles)
    ssccs: dict[tuple, str] = {}
    ours: dict[str, int] = {}
    for prefix, keys in batch.needs.items():
        taken = list(serials.get(prefix, ()))
        if len(taken) < len(keys):
            raise ValueError(f"{len(keys)} SSCC serials are needed for prefix {prefix}, {len(taken)} were taken")
        _number(keys, taken, prefix, ssccs, ours)
    ship_from = batch.warehouse.ship_from.party()
    parts: list[Plan] = []
    findings = list(batch.findings)
    for sid, found in (refused or {}).items():
        findings.append(_held_by_validation(sid, found, batch, orders))
    envelopes: dict[str, Envelope] = {}  # partner -> its envelope, made once
    names = batch.warehouse.service_levels  # the warehouse's own names for its services (TD512 and TD504)
    # the 856s state a line taken in another weight than the buyer's in the weight ordered (400 OZ, the line counted
    # in LB): built and checked of the rows so stated; the line's moves, reservations and record stay in its unit
    stated = stated_in_weight_ordered(good, order_lines)
    columns = _from_columns(stated, orders, order_lines, ship_from=ship_from, ssccs=ssccs, serials=ours, items=items,
                            profiles=profiles, created=created, envelopes=envelopes, dcs=dcs, service_names=names)
    shipments: Sequence[Shipment | ShipmentSummary]
    assembled: list[Shipment] | None = None
    if columns is not None:  # every shipment's 856 written from the columns, without the typed objects
        shipments, texts = columns
    else:
        shipments = assembled = assemble_shipments(stated, orders, order_lines, ship_from=ship_from, ssccs=ssccs,
                                                   items=items, store_party=_store_parties(profiles), dcs=dcs,
                                                   described=_catalog_described(profiles), service_names=names)
        texts = _asn_texts(assembled, stated, profiles, created, envelopes)
    kw = {"created": created, "at": at, "run_id": run_id, "source": source, "envelopes": envelopes,
          "clock_zone": clock_zone}
    # the 856s were built of the confirmed goods; the orders' service lines go with their first shipment, to be
    # recorded as delivered and billed with it (no warehouse confirms them, no 856 carries them)
    confirmed = stated
    good = with_services(good, lines, service_skus(items) if items is not None else frozenset(),
                         {s.shipment_id: s.partner for s in shipments})
    at_once = _plan_at_once(shipments, texts, good, lines, records, batch.warehouse, profiles, ours,
                            confirmed=confirmed, **kw)
    line_units = None  # each stored line's whole units shipped, when the lines moved in columns
    if at_once is not None:  # every shipment planned, the orders' lines moved in columns
        parts, touched, keys, line_units = at_once
        sent = [s.shipment_id for s in shipments]
    else:  # a shipment held (its 856 or its orders' moves refused): one at a time, each on what the others left
        if assembled is None:  # the loop builds and holds shipments as objects
            assembled = assemble_shipments(stated, orders, order_lines, ship_from=ship_from, ssccs=ssccs, items=items,
                                           store_party=_store_parties(profiles), dcs=dcs,
                                           described=_catalog_described(profiles), service_names=names)
        work = _Working(records, lines, reservations)
        rows = _rows_by_shipment(good)
        goods_rows = rows if confirmed is good else _rows_by_shipment(confirmed)  # what the 856 is checked against
        sent = []  # the shipments planned, in order
        for shipment, text in zip(assembled, texts, strict=True):
            mine = rows[shipment.shipment_id]
            try:
                body = text or _asn(shipment, goods_rows[shipment.shipment_id], profiles[shipment.partner], created)
                part = _one(shipment, mine, body, batch.warehouse, profiles[shipment.partner], work, ours, **kw)
            except _REFUSALS as exc:
                findings.append(_held(shipment, exc))
                continue
            parts.append(part)
            sent.append(shipment.shipment_id)
        touched, keys = work.final_lines(), list(work.touched)
    plan = Plan.combine(parts)
    reserved: tuple[ReservationTable, ...] = ()
    if keys:
        units = units_shipped(good, sent, {s.shipment_id: s.partner for s in shipments}) if line_units is None \
            else units_of_reservations(reservations, lines, line_units)
        reserved = (final_reservations(reservations, keys, units, batch.warehouse.stock_warehouse),)
    went = _rows_where(confirmed, pc.is_in(confirmed["shipment_id"], value_set=pa.array(sent, pa.string())))
    plan = _with_serials(plan, went)
    # the 856 goes; ops expect a chargeback (a 063 less the days in transit: its last ship day)
    findings += ship_date_findings(went, orders, order_lines, stage=STAGE, transit=transit_days(profiles))
    findings += carrier_findings(went, orders, stage=STAGE)  # tendered to a carrier the PO did not route by
    # by the routed carrier at a slower service than the PO's TD512 (next day air shipped ground)
    findings += service_findings(went, orders, names, stage=STAGE)
    # shipped from another warehouse than the PO's N1*SF routed it to (or one that is none of ours)
    findings += ship_from_findings(went, orders, batch.warehouse, warehouses or {}, {
        pid: p.fulfilment.ship_from_ids for pid, p in profiles.items()}, stage=STAGE)
    findings += ship_complete_findings(went, orders, touched, frozenset(
        pid for pid, p in profiles.items() if p.allocation.ship_complete))
    return plan + Plan(line_tables=(touched,) if touched.num_rows else (), reservation_tables=reserved,
                       findings=tuple(findings))


# confirmation columns a service line's row leaves empty: it is in no carton, on no pallet, of no lot or serial
_NOT_PACKED = ("upc", "buyer_item", "carton_id", "carton_sscc", "carton_weight", "pallet_id", "pallet_sscc",
               "net_weight", "net_weight_unit", "lot_number", "expiration_date", "serial_numbers")


def with_services(good: pa.Table, lines: pa.Table, services: Collection[str], partners: Mapping[str, str]
                  ) -> pa.Table:
    """The confirmation rows ``good`` with a row for each service line (a line of an item of ``services``,
    schemas.reference.service_skus) of each order they ship that is not ended and has units unshipped (``lines``:
    the orders' stored lines), on the order's first shipment in ``good`` (``partners``: shipment id -> its
    partner): its unshipped units, in the line's unit, copying the shipment's heading of the order's first row and
    none of its carton, pallet, lot or serial (_NOT_PACKED). A service is never on a warehouse's confirmation nor an
    856 (the 856s are built before); so recorded, the line is shipped (delivered) with the order's first goods and
    billed on that shipment's 810, and the order is shipped in full when its goods are. ``good`` itself when no
    order of it has such a line."""
    if not services or not good.num_rows or not lines.num_rows:
        return good
    is_service = pc.fill_null(pc.is_in(lines["sku"], value_set=pa.array(sorted(services), pa.string())), False)
    if not pc.any(is_service).as_py():
        return good
    ended = {s.value for s in ENDED_LINES}
    open_services: dict[Key, list[dict]] = defaultdict(list)
    names = [c for c in ("partner", "po_number", "line_number", "line_id", "sku", "state", "allocated",
                         "backordered", "shipped", "unit") if c in lines.column_names]
    for r in lines.filter(is_service).select(names).to_pylist():
        left = Decimal(r["allocated"] or 0) + Decimal(r["backordered"] or 0) - Decimal(r["shipped"] or 0)
        if r["state"] not in ended and left > 0:
            open_services[(r["partner"], r["po_number"])].append({**r, "left": left})
    if not open_services:
        return good
    take: list[int] = []
    added: list[dict] = []
    for i, (sid, po) in enumerate(zip(good["shipment_id"].to_pylist(), good["po_number"].to_pylist(), strict=True)):
        key = (partners.get(sid, ""), po)
        for r in open_services.pop(key, ()):  # the order's first row: its first shipment in the file
            take.append(i)
            added.append(r)
    if not added:
        return good
    extra = good.take(pa.array(take, pa.int64()))
    values = {"line_number": [r["line_number"] for r in added], "line_id": [r.get("line_id") for r in added],
              "sku": [r["sku"] for r in added], "item_sku": [r["sku"] for r in added],
              "quantity": [r["left"] for r in added], "unit": [r.get("unit") for r in added],
              "line_eaches": [1] * len(added)}
    for name in extra.column_names:
        type_ = extra.schema.field(name).type
        if name in values:
            column = pa.array(values[name], type_)
        elif name in _NOT_PACKED:
            column = pa.nulls(len(added), type_)
        else:
            continue
        extra = extra.set_column(extra.schema.get_field_index(name), extra.schema.field(name), column)
    return pa.concat_tables([good, extra])


SERVICE_DELIVERY = "services"  # the warehouse of a service delivery's record (no warehouse of ours confirms it)


def service_delivery_id(po_number: str, revision: int) -> str:
    """The shipment id of an order's service delivery (its 810's REF*SI): SVC- and the PO number, with the order's
    revision after a change (a second delivery of hours an 860 added); longer than REF02's 30 characters: SVC-, the
    PO number's first 17, "-" and 8 hex digits of a hash of the two (the same order and revision, the same id)."""
    return _fitted_id(f"SVC-{po_number}" + (f"-{revision}" if revision > 1 else ""), f"SVC-{po_number}", po_number,
                      str(revision))


def plan_service_deliveries(records: Mapping[Key, OrderRecord], lines: pa.Table, services: Collection[str],
                            profiles: Mapping[str, PartnerProfile], *, today: date, at: str, run_id: str) -> Plan:
    """The orders of ``records`` (acknowledged or partially shipped) whose every unit still to ship is of a service
    item (``services``; ``lines``: their stored lines, LINE_ROWS): a PO of hours, an inspection or a repair alone,
    or one whose goods all shipped (or were refused) and an 860 then added hours. No warehouse will ever confirm
    such an order, so it is delivered here, at the invoice stage, the night it is acknowledged: a shipment record of
    its open service lines (warehouse SERVICE_DELIVERY, id service_delivery_id, dated ``today``, no carton and no
    856), billed per the partner's 810s as any shipment ("none" for a partner that takes no 810), and the order
    moved shipped in full (its lines shipped). An order with goods still to ship is left to its shipments
    (with_services bills its services with the first). Pure."""
    if not services or not records or not lines.num_rows:
        return Plan()
    return _deliver_unshipped(records, lines, profiles, lambda sku, _reason: sku in services, SERVICE_DELIVERY,
                              service_delivery_id, "service delivery {sid}: {units} unit(s) on {n} line(s); no 856 "
                              "(services are not shipped)", today=today, at=at, run_id=run_id)


def bill_only_usage_id(po_number: str, revision: int) -> str:
    """The shipment id of a bill-only order's usage record (its 810's REF*SI): USE- and the PO number (with the
    order's revision after a change), fitted to REF02's 30 characters as service_delivery_id."""
    return _fitted_id(f"USE-{po_number}" + (f"-{revision}" if revision > 1 else ""), f"USE-{po_number}", po_number,
                      str(revision), "use")


def plan_bill_only(records: Mapping[Key, OrderRecord], lines: pa.Table, profiles: Mapping[str, PartnerProfile], *,
                   today: date, at: str, run_id: str) -> Plan:
    """The bill-only orders of ``records`` (acknowledged; ``lines``: their stored lines, LINE_ROWS, each open one
    placed with reason engine.bill_only.BILL_ONLY): goods the buyer already used from the stock it holds (implants
    from a hospital's consigned stock), which no warehouse of ours ships. Each is recorded used here, at the invoice
    stage, the night it is acknowledged: a usage record of its open lines as ordered (warehouse BILL_ONLY_USAGE, id
    bill_only_usage_id, dated ``today``, no carton and no 856), billed per the partner's 810s as any shipment, and
    the order moved shipped in full, then invoiced and closed as any. Pure."""
    if not records or not lines.num_rows:
        return Plan()
    return _deliver_unshipped(records, lines, profiles, lambda _sku, reason: reason.startswith(BILL_ONLY),
                              BILL_ONLY_USAGE, bill_only_usage_id, "bill only {sid}: {units} unit(s) on {n} line(s) "
                              "used from the buyer's stock ([fulfilment.invoice] bill_only); billed from the PO, "
                              "nothing reserved, no 856", today=today, at=at, run_id=run_id)


def _deliver_unshipped(records: Mapping[Key, OrderRecord], lines: pa.Table, profiles: Mapping[str, PartnerProfile],
                       takes: Callable[[str, str], bool], warehouse: str, id_of: Callable[[str, int], str],
                       words: str, *, today: date, at: str, run_id: str) -> Plan:
    """Each order of ``records`` (acknowledged or partially shipped) whose every open line ``takes`` (its sku and
    stored reason) recorded delivered whole on a record of ``warehouse`` (id ``id_of``(PO, revision), no 856), the
    order moved shipped in full with ``words`` ({sid}, {units}, {n}) as the event's note."""
    work = _Working(records, lines, RESERVATION_ROWS.empty_table())
    names = ("partner", "po_number", "line_number", "line_id", "sku", "unit", "reason")
    facts = {(p, po, n): (line_id or "", sku or "", unit or "", reason or "") for p, po, n, line_id, sku, unit, reason
             in zip(*(lines[c].to_pylist() for c in names), strict=True)}
    transitions, recorded = [], []
    for key in sorted(records):
        record, profile = records[key], profiles.get(key[0])
        if profile is None or record.state not in (OrderState.ACKNOWLEDGED, OrderState.PARTIALLY_SHIPPED):
            continue
        current = dict(work.lines.get(key, {}))
        open_lines = {n: ln for n, ln in current.items() if not ln[2] and ln[0] < ln[1]}
        if not open_lines or not all(takes(facts[(*key, n)][1], facts[(*key, n)][3]) for n in open_lines):
            continue
        sid = id_of(key[1], record.revision)
        shipped = []
        for n in sorted(open_lines):
            before, promised, _ended, _state, row = current[n]
            line_id, sku, unit, _reason = facts[(*key, n)]
            shipped.append(ShippedLine(key[1], n, line_id, sku, Decimal(promised) - before, unit))
            current[n] = [Decimal(promised), promised, *_SHIPPED_LINE[True], row]
            work.run_id[row] = run_id
        note = words.format(sid=sid, units=_num(sum(ln.quantity for ln in shipped)), n=len(shipped))
        try:
            transitions.append(move(record, EventKind.SHIPPED_IN_FULL, at=at, run_id=run_id, note=note))
        except TransitionRefused:
            continue
        work.lines[key] = current
        work.touched.setdefault(key)
        billing = profile.fulfilment.invoice.charge_scope if profile.invoiced else "none"
        recorded.append(ShipmentRecord(warehouse=warehouse, shipment_id=sid, partner=key[0], ship_date=today,
                                       lines=tuple(shipped), departed_at=at, billing=billing, run_id=run_id))
    if not transitions:
        return Plan()
    return Plan(transitions=tuple(transitions), shipments=tuple(recorded), line_tables=(work.final_lines(),))


def _with_serials(plan: Plan, went: pa.Table) -> Plan:
    """``plan`` with each recorded shipment's serial numbers (ShipmentRecord.serial_numbers: (PO, line id, item,
    serial) of each unit the confirmation rows ``went`` give one for), kept in shipped_serials."""
    if "serial_numbers" not in went.column_names or went["serial_numbers"].null_count == went.num_rows:
        return plan
    by_sid: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for sid, po, line_id, item, sku, text in zip(*(went[c].to_pylist() for c in (
            "shipment_id", "po_number", "line_id", "item_sku", "sku", "serial_numbers")), strict=True):
        units = [(po, line_id or "", item or sku or "", serial) for serial in (text or "").split()]
        by_sid[sid] += units
        by_sid[asn_shipment_id(sid, po)] += units  # a partner taking an 856 per PO: the record of the PO's
    if not by_sid:
        return plan
    return replace(plan, shipments=tuple(replace(r, serial_numbers=tuple(by_sid[r.shipment_id]))
                                         if by_sid.get(r.shipment_id) else r for r in plan.shipments))


def _rows_where(table: pa.Table, mask) -> pa.Table:
    """``table.filter(mask)``: the table itself when every row is kept (no shipment held, every one sent:
    the usual file), without copying each of its columns."""
    if not mask.null_count and pc.all(mask).as_py() is not False:
        return table
    return table.filter(mask)


_REFUSALS = (DocumentError, TransitionRefused, ValueError, KeyError)  # what holds a shipment (ASN_NOT_BUILT)


def _plan_at_once(shipments: Sequence[Shipment | ShipmentSummary], texts: list[_AsnText | None], good: pa.Table,
                  lines: pa.Table,
                  records: Mapping[Key, OrderRecord], warehouse: WarehouseProfile,
                  profiles: Mapping[str, PartnerProfile], ours: Mapping[str, int], *, created: datetime, at: str,
                  run_id: str, source: dict, envelopes: dict[str, Envelope], clock_zone: str = "",
                  confirmed: pa.Table | None = None) -> tuple[list[Plan], pa.Table, list[Key], np.ndarray] | None:
    """What the one-at-a-time loop plans when no shipment is held: (each shipment's plan, the touched
    orders' lines as final_lines writes them, the touched orders in the order first changed, each stored
    line's whole units shipped as units_shipped counts them), the
    orders' line moves computed in columns (_line_moves); None when a shipment would be held (its 856
    or a move refused, a line or order not found), for the loop to plan each on what the others left."""
    moves = _line_moves(shipments, good, lines, records, run_id)
    if moves is None:
        return None
    per_shipment, touched, keys, line_units = moves
    follows = _measures_to_follow(touched)
    states: dict[Key, OrderState] = {}  # each order's state as the shipments before left it
    events: list[tuple] = []  # each order's move by each shipment (moved_orders' events), in plan order
    # the shipments' plans, as Plan.combine of one plan per shipment lists them
    documents: list[PlannedDocument] = []
    recorded: list[ShipmentRecord] = []
    findings: list[FindingRecord] = []
    shipped = _shipped_by_shipment(good)
    rows: dict[str, list[_Row]] | None = None  # the rows an 856 built alone is checked against, when one is
    try:
        for k, (shipment, text) in enumerate(zip(shipments, texts, strict=True)):
            profile = profiles[shipment.partner]
            if text is None and rows is None:  # the 856 is checked against the confirmed rows (no service line)
                rows = _rows_by_shipment(good if confirmed is None else confirmed)
            body = text or _asn(shipment, rows[shipment.shipment_id], profile, created)  # type: ignore[index, arg-type]
            sid = shipment.shipment_id
            doc_key = f"856:{warehouse.id}:{sid}" if body is not None else ""
            sent = f"; 856 {sid}" if body is not None else "; no 856 (the partner receives none)"
            docs = _documents(shipment, body, doc_key, profile, source, envelopes)
            for key, units, n_lines, done in per_shipment[k]:  # what move records, checked as it checks
                note = f"shipment {sid} from {warehouse.id}: {_num(units)} unit(s) on {n_lines} line(s){sent}"
                note += "" if done else follows.get(key, "")
                event = EventKind.SHIPPED_IN_FULL if done else EventKind.SHIPPED_IN_PART
                before = states.get(key) or records[key].state
                to = next_state(before, event)
                if to is None:
                    return None  # (move refuses it: the loop holds the shipment)
                events.append((*key, event, before, to, records[key].revision, note[:1000], doc_key))
                states[key] = to
            record, late = _shipment_record(shipment, shipped[sid], docs, doc_key, warehouse, profile, ours,
                                            created=created, at=at, run_id=run_id, source=source,
                                            clock_zone=clock_zone,
                                            memo=on_memo([records[e[0]] for e in per_shipment[k]], profile))
            documents += docs
            recorded.append(record)
            findings += late
    except _REFUSALS:
        return None
    # the orders' moves as columns: the rows move's transitions, written whole, would leave
    decided = (moved_orders(records, states, events, at=at, run_id=run_id),) if events else ()
    plan = Plan(decided=decided, documents=tuple(documents), shipments=tuple(recorded), findings=tuple(findings))
    return [plan], touched, keys, line_units


def _line_moves(shipments: Sequence[Shipment | ShipmentSummary], good: pa.Table, lines: pa.Table,
                records: Mapping[Key, OrderRecord], run_id: str
                ) -> tuple[list[list[tuple[Key, Decimal, int, bool]]], pa.Table, list[Key], np.ndarray] | None:
    """The orders' moves of every shipment (none held), in columns: per shipment, per order it ships
    (in the order its rows name them) (order, units, lines shipped, is everything promised now shipped);
    the touched orders' stored ``lines`` as _Working.final_lines writes them, those orders in the
    order first changed, and each stored line's whole units shipped (each shipment's quantity of the
    line rounded up, summed: what units_shipped gives). A line's shipped quantity after a shipment is
    what was stored plus the shipments up to it; the order is shipped in full when each of its lines
    is: a line shipped by then when that quantity reaches what was promised, a line not shipped by then
    when it did already or it ended. None when a row's order line or order is not stored once (the loop
    then holds it)."""
    n_s, n = len(shipments), good.num_rows
    if not n_s or not n or good["quantity"].null_count or good["line_number"].null_count:
        return None
    ids = pa.array([s.shipment_id for s in shipments], pa.string())
    k_row = pc.index_in(good["shipment_id"], value_set=ids)
    if k_row.null_count:
        return None
    k_row = k_row.to_numpy(zero_copy_only=False).astype(np.int64)
    partner = pa.array([s.partner for s in shipments], pa.string()).take(pa.array(k_row))
    m = lines.num_rows
    keys = ["partner", "po_number", "line_number"]
    li = lookup([partner, good["po_number"], good["line_number"]], [lines[c] for c in keys])  # each row's stored line
    if li is None or bool((li < 0).any()):
        return None  # a line stored twice (the loop keeps the last), or a row's line not stored
    o_line, n_o = encode(lines["partner"], lines["po_number"])  # each stored line's order
    o_keys = list(zip(*(lines[c].take(pa.array(first_rows(o_line, n=n_o))).to_pylist()
                        for c in ("partner", "po_number")), strict=True))
    o_row = o_line[li]
    if any(o_keys[o] not in records for o in np.unique(o_row).tolist()):
        return None
    q = scaled(good["quantity"])[0]
    try:
        text = pc.if_else(pc.equal(lines["shipped"], ""), pa.scalar(None, pa.string()), lines["shipped"])
        base = scaled(pc.cast(text, pa.decimal128(38, 4)))[0] if m else np.zeros(0, np.int64)
    except (pa.ArrowInvalid, OverflowError):
        return None
    promised = np.array([int(v * SCALE) for v in promised_of(lines)], np.int64) if m else np.zeros(0, np.int64)
    ended = pc.is_in(lines["state"], value_set=pa.array([s.value for s in ENDED_LINES], pa.string())
                     ).to_numpy(zero_copy_only=False)
    ok_before = ended | (base >= promised)  # a line no shipment of the file has reached yet

    # (line, shipment) events: each line's quantity per shipment, summed up the shipments in order
    event, n_e = encode(li, k_row)
    e_first = first_rows(event, n=n_e)
    e_line, e_ship = li[e_first], k_row[e_first]
    e_q = np.zeros(n_e, np.int64)
    np.add.at(e_q, event, q)
    e_each = line_eaches(good)[e_first]  # eaches in one unit of the line: what its reservations count
    by = np.lexsort((e_ship, e_line))
    e_line, e_ship, e_q, e_each = e_line[by], e_ship[by], e_q[by], e_each[by]
    e_key = e_line * n_s + e_ship
    cum = np.cumsum(e_q)
    line_starts = np.r_[0, np.flatnonzero(np.diff(e_line)) + 1]
    cum -= np.repeat(cum[line_starts] - e_q[line_starts], np.diff(np.r_[line_starts, n_e]))
    shipped_total = np.zeros(m, np.int64)
    np.add.at(shipped_total, e_line, e_q)
    first_ship = np.full(m, n_s, np.int64)
    np.minimum.at(first_ship, e_line, e_ship)

    # (shipment, order) pairs, in shipment order and, within one, the order its rows name them
    pair, n_p = encode(k_row, o_row)
    p_first = first_rows(pair, n=n_p)
    p_ship, p_order = k_row[p_first], o_row[p_first]
    p_units = np.zeros(n_p, np.int64)
    np.add.at(p_units, pair, q)
    p_lines = np.bincount(pair[e_first], minlength=n_p)
    # is every line of the order shipped by then: each pair against each line of its order
    line_order = np.argsort(o_line, kind="stable")
    o_count = np.bincount(o_line, minlength=n_o)
    o_start = np.r_[0, np.cumsum(o_count)[:-1]]
    size = o_count[p_order]
    owner = np.repeat(np.arange(n_p), size)
    member = line_order[np.repeat(o_start[p_order], size) + np.arange(len(owner)) - np.repeat(np.cumsum(size) - size,
                                                                                              size)]
    at_ship = p_ship[owner]
    pos = np.searchsorted(e_key, member * n_s + at_ship, side="right") - 1
    hit = (pos >= 0) & (e_line[np.maximum(pos, 0)] == member) if n_e else np.zeros(len(member), bool)
    so_far = np.where(hit, cum[np.maximum(pos, 0)], 0)
    ok = np.where(first_ship[member] <= at_ship, base[member] + so_far >= promised[member], ok_before[member])
    p_done = np.ones(n_p, bool)
    np.logical_and.at(p_done, owner, ok)

    order = np.lexsort((p_first, p_ship))
    units = objects(decimal_array(p_units))
    per_shipment: list[list[tuple[Key, Decimal, int, bool]]] = [[] for _ in range(n_s)]
    for j, k, o in zip(order.tolist(), p_ship[order].tolist(), p_order[order].tolist(), strict=True):
        per_shipment[k].append((o_keys[o], units[j], int(p_lines[j]), bool(p_done[j])))

    # the touched orders' lines, in the order first changed, each by line number
    o_rank = np.full(n_o, -1, np.int64)
    touched_orders = list(dict.fromkeys(p_order[order].tolist()))
    o_rank[touched_orders] = np.arange(len(touched_orders))
    rows_out = np.flatnonzero(o_rank[o_line] >= 0)
    number = lines["line_number"].to_numpy(zero_copy_only=False)
    rows_out = rows_out[np.lexsort((number[rows_out], o_rank[o_line[rows_out]]))]
    total = base[rows_out] + shipped_total[rows_out]
    moved = first_ship[rows_out] < n_s
    table = stored_lines(lines.take(pa.array(rows_out)))
    totals = decimal_array(total)
    distinct = pc.unique(totals)  # each distinct quantity written once
    done_text = pa.array([decimal_text(v) for v in distinct.to_pylist()], pa.string()).take(
        pc.index_in(totals, value_set=distinct))
    state = pc.if_else(pa.array(total >= promised[rows_out]), pa.scalar(LineState.SHIPPED.value),
                       pa.scalar(LineState.PARTIALLY_SHIPPED.value))
    blank = pa.scalar(None, pa.string())
    for name, values in (("shipped", done_text), ("state", pc.if_else(pa.array(moved), state, blank)),
                         ("run_id", pc.if_else(pa.array(moved), pa.scalar(run_id, pa.string()), blank))):
        at = table.schema.get_field_index(name)
        table = table.set_column(at, name, pc.coalesce(pc.cast(values, pa.string()), table[name]))
    line_units = np.zeros(m, np.int64)
    np.add.at(line_units, e_line, -(-(e_q * e_each) // SCALE))  # each shipment's eaches of a line, rounded up
    return per_shipment, table, [o_keys[o] for o in touched_orders], line_units


def _number(keys: Sequence[tuple[tuple, int]], taken: Sequence[int], prefix: str, ssccs: dict[tuple, str],
            ours: dict[str, int]) -> None:
    """Each (key, extension digit) of ``keys`` numbered with the serial at its position in ``taken``:
    ``ssccs`` key -> SSCC, ``ours`` SSCC -> serial. A run at a time: consecutive serials (the store hands
    out a block) of one extension digit are one number_ssccs call."""
    n = min(len(keys), len(taken))
    if not n:
        return
    labels, ext = (list(c) for c in zip(*keys[:n], strict=True))
    taken = list(taken[:n])
    # the runs cut where the extension digit changes or the serials stop being consecutive (in columns: a night's
    # 25,000 cartons are a handful of runs)
    step = np.asarray(taken, np.int64) - np.arange(n, dtype=np.int64)
    digit = np.asarray(ext, np.int64)
    cuts = np.flatnonzero((np.diff(step) != 0) | (np.diff(digit) != 0)) + 1
    for a, b in pairwise([0, *cuts.tolist(), n]):
        codes = list(number_ssccs(tuple(range(b - a)), prefix, ext[a], taken[a]).values())  # the run's i-th SSCC
        ssccs.update(zip(labels[a:b], codes, strict=True))
        ours.update(zip(codes, taken[a:b], strict=True))


def holding(batch: ShipmentBatch, shipment_ids: set[str], profiles: Mapping[str, PartnerProfile]) -> ShipmentBatch:
    """``batch`` with these shipments held too (an 856 the outbound validator refused): they need no
    serial any more, so the serials taken again are exactly those of what is sent."""
    held = batch.held | frozenset(shipment_ids)
    return replace(batch, held=held, needs=_needs(batch.check.lines, held, batch.partners, profiles))


def held_lines(batch: ShipmentBatch, findings: Iterable[FindingRecord]) -> list[tuple[str, str, str, int | None]]:
    """The order lines each shipment these findings hold carries (their detail's shipment_id: the ship stage's,
    plan_shipments' and the outbound validator's holds), as its confirmation's rows name them: (partner, shipment
    id, PO, line number, None where a row named no line), once each, in the rows' order; rows of no partner's PO
    are none. The state store keeps them (held_lines) so the reconciliation names a held shipment only on the
    lines it carries (engine.reconcile.held_on_lines)."""
    held = {fr.finding.detail.shipment_id for fr in findings if fr.finding.detail.shipment_id}
    if not held:
        return []
    lines = batch.check.lines
    rows = _rows_where(lines, pc.is_in(lines["shipment_id"], value_set=pa.array(sorted(held), pa.string())))
    seen: dict[tuple[str, str, str, int | None], None] = {}
    for key in zip(*(rows[c].to_pylist() for c in ("partner", "shipment_id", "po_number", "line_number")),
                   strict=True):
        if key[0] and key[2]:
            seen.setdefault(key, None)
    return list(seen)


def _held_by_validation(sid: str, found: Sequence[Finding], batch: ShipmentBatch, orders: pa.Table) -> FindingRecord:
    cols = batch.check.lines
    pos = list(dict.fromkeys(p for s, p in zip(cols["shipment_id"].to_pylist(), cols["po_number"].to_pylist(),
                                                  strict=True) if s == sid and p))
    po = pos[0] if pos else ""
    partner = batch.partners.get(sid, "")
    mine = orders.filter(pc.and_(pc.equal(orders["partner"], partner),
                                 pc.is_in(orders["po_number"], value_set=pa.array(pos, pa.string())))) \
        if pos and orders.num_rows else orders.slice(0, 0)
    why = findings_said(found)
    f = finding("ASN_NOT_BUILT", f"Shipment {sid}: the 856 failed validation ({why}); it is held (no 856, nothing "
                f"consumed).{echo_held_because(found, values_sent(mine.to_pylist()))}", value=sid,
                detail=Detail(shipment_id=sid))
    return FindingRecord(f, partner, po, f"shipment {sid} held: no 856", STAGE)


def _held(shipment: Shipment, exc: Exception) -> FindingRecord:
    why = f"{type(exc).__name__}: {exc}"[:500]
    f = finding("ASN_NOT_BUILT", f"Shipment {shipment.shipment_id}: {why}; it is held (no 856, nothing consumed).",
                value=shipment.shipment_id, detail=Detail(shipment_id=shipment.shipment_id))
    po = shipment.orders[0].po_number if shipment.orders else ""
    return FindingRecord(f, shipment.partner, po, f"shipment {shipment.shipment_id} held: no 856", STAGE)


_ROW = ("po_number", "line_id", "line_number", "quantity", "isa13", "gs06", "st02")
_Row = namedtuple("_Row", (*_ROW, "shipped"))  # one confirmation line, as the planner reads it and as recorded
_LINE = ("shipment_id", "item_sku", "sku", "unit", "carton_id", "pallet_id", "row_number", "file_segment")


class _Shipped(NamedTuple):
    """A shipment's confirmation lines as recorded, and its first line's PO and envelope (ISA13, GS06, ST02)."""

    lines: tuple[ShippedLine, ...] | ShippedLines
    po_number: str
    isa13: str | None
    gs06: str | None
    st02: str | None


def _shipped_by_shipment(lines: pa.Table) -> dict[str, _Shipped]:
    """Each shipment's ShippedLines (what _rows_by_shipment makes, without the planner's rows: rows of one
    ShippedLineBlock of every shipment's lines, made in columns, no Python object per line) and its first
    line's PO and envelope, the shipments in first-seen order (as the block holds them)."""
    key, count = encode(lines["shipment_id"])
    groups = Groups(key, count)
    order = groups.order
    ends = (groups.starts + groups.count[groups.keys]).tolist()
    firsts = order[groups.starts]
    # the shipments in first-seen order, each one's rows in row order: the block's rows
    by_first = np.argsort(firsts, kind="stable")
    sizes = (groups.count[groups.keys])[by_first]
    rows = np.concatenate([order[a:b] for a, b in zip(groups.starts[by_first].tolist(),
                                                      np.asarray(ends)[by_first].tolist(), strict=True)]) \
        if len(by_first) else np.zeros(0, np.int64)
    table = _shipped_line_table(lines)
    if len(rows) and not bool(np.all(rows[1:] > rows[:-1])):  # a shipment's rows apart: its rows together
        table = table.take(pa.array(rows, pa.int64()))
    block = ShippedLineBlock(table)
    stops = np.cumsum(sizes).tolist()
    heads = lines.select(["shipment_id", "po_number", "isa13", "gs06", "st02"]).take(
        pa.array(firsts[by_first])).to_pylist()
    return {h["shipment_id"]: _Shipped(ShippedLines(block, stop - size, stop), h["po_number"], h["isa13"], h["gs06"],
                                       h["st02"])
            for h, stop, size in zip(heads, stops, sizes.tolist(), strict=True)}


def _shipped_line_table(lines: pa.Table) -> pa.Table:
    """The ShippedLines of confirmation ``lines`` as columns (SHIPPED_LINE_FIELDS), what _rows_by_shipment
    makes of each row: absent text "", the item's SKU (item_sku, else sku, else ""), the carton's store
    (store_marks) and net weight (_net_weights)."""
    n = lines.num_rows
    blank = pa.scalar("", pa.string())

    def text(name: str) -> pa.Array:
        return pc.fill_null(lines[name], blank)

    def given(column) -> pa.Array:  # a value, not null or ""
        return pc.fill_null(pc.not_equal(column, blank), False)

    item_sku, sku = lines["item_sku"], lines["sku"]
    sku = pc.if_else(given(item_sku), item_sku, pc.if_else(given(sku), sku, blank))
    store = text("mark_for_store") if marks_stores(lines) else pa.repeat(blank, n)
    if "net_weight" not in lines.column_names or lines["net_weight"].null_count == n:
        net = pa.nulls(n, lines.schema.field("net_weight").type if "net_weight" in lines.column_names
                       else pa.decimal128(18, 4))
        net_unit = pa.repeat(blank, n)
    else:
        net, net_unit = lines["net_weight"], text("net_weight_unit")
    return pa.table([lines["po_number"], lines["line_number"], text("line_id"), sku, lines["quantity"],
                     text("unit"), text("carton_id"), text("pallet_id"), lines["row_number"], lines["file_segment"],
                     store, net, net_unit], names=list(SHIPPED_LINE_FIELDS))


def _net_weights(lines: pa.Table) -> tuple:
    """Each line's net weight (None when not given) and its unit ("" none): what a catch-weight line is billed by."""
    if "net_weight" not in lines.column_names or lines["net_weight"].null_count == lines.num_rows:
        return repeat(None, lines.num_rows), repeat("", lines.num_rows)
    return objects(lines["net_weight"]), [u or "" for u in lines["net_weight_unit"].to_pylist()]


def _rows_by_shipment(lines: pa.Table) -> dict[str, list[_Row]]:
    """Each shipment's confirmation lines, each with its ShippedLine (built here column by column,
    every record made in C; only the columns the planner and the record read)."""
    cols = {c: objects(lines[c]) if c == "quantity" else lines[c].to_pylist() for c in (*_ROW, *_LINE)}
    blank = [[v or "" for v in cols[c]] for c in ("line_id", "unit", "carton_id", "pallet_id")]
    sku = [a or b or "" for a, b in zip(cols["item_sku"], cols["sku"], strict=True)]
    shipped = map(tuple.__new__, repeat(ShippedLine), zip(
        cols["po_number"], cols["line_number"], blank[0], sku, cols["quantity"], *blank[1:], cols["row_number"],
        cols["file_segment"], store_marks(lines), *_net_weights(lines), strict=True))
    made = list(map(tuple.__new__, repeat(_Row), zip(*(cols[c] for c in _ROW), shipped, strict=True)))
    key, count = encode(lines["shipment_id"])
    groups = Groups(key, count)
    ordered = [made[i] for i in groups.order.tolist()]
    ends = (groups.starts + groups.count[groups.keys]).tolist()
    spans = {int(groups.order[a]): (a, b) for a, b in zip(groups.starts.tolist(), ends, strict=True)}
    out: dict[str, list[_Row]] = defaultdict(list)
    for first in sorted(spans):  # each shipment's rows in row order, the shipments in first-seen order
        a, b = spans[first]
        out[cols["shipment_id"][first]] = ordered[a:b]
    return out


def promised_of(lines: pa.Table) -> list[int | Decimal]:
    """Each stored line's promise (``lines``: LINE_ROWS), what shipping must reach for it to be shipped: its whole
    units (allocated + backordered) when it is in whole units, else exactly (schemas.units.promised_exactly: 12.5 for
    12.5 LB of a measure stored allocated 12). A DC shipping 12.0 of it leaves the line partly shipped, 0.5 LB to
    follow (or its balance to the partner's under-shipment tolerance, engine.lifecycle.balance); it used to complete
    it at 12, the half pound neither shipped nor open."""
    whole = pc.add(pc.fill_null(lines["allocated"], 0), pc.fill_null(lines["backordered"], 0)).to_pylist()
    if not lines.num_rows:
        return whole
    none = pa.nulls(lines.num_rows, pa.string())
    parts = [lines[c] if c in lines.column_names else none for c in ("rejected_fraction", "backordered_over")]
    marked = pc.fill_null(pc.match_substring(lines["ordered"], "."), False)
    for part in parts:  # a fraction kept beside the whole units (null or "": none)
        marked = pc.or_(marked, pc.not_equal(pc.fill_null(part, ""), ""))
    rows = np.flatnonzero(np.asarray(marked.to_numpy(zero_copy_only=False), bool))
    if len(rows):
        picked = pa.array(rows)
        cols = [lines[c].take(picked).to_pylist() for c in ("ordered", "allocated", "backordered", "rejected")]
        for i, ordered, allocated, backordered, rejected, fraction, over in zip(
                rows.tolist(), *cols, *(p.take(picked).to_pylist() for p in parts), strict=True):
            whole[i] = promised_exactly(Decimal(ordered) if ordered else None, allocated or 0, backordered or 0,
                                        rejected or 0, Decimal(fraction) if fraction else None,
                                        Decimal(over) if over else None)
    return whole


class _Working:
    """The orders a file's shipments touch, as they stand after each shipment (records chain): each
    line's [shipped, promised, ended, new state] by (order, line number); the stored lines and
    reservations are rewritten once at the end, the reservations less what the shipments planned
    consumed (computed then, in columns: consuming never refuses a shipment)."""

    def __init__(self, records: Mapping[Key, OrderRecord], lines: pa.Table, reservations: pa.Table) -> None:
        self.records: dict[Key, OrderRecord] = dict(records)
        self.table, self.reservation_table = lines, reservations
        self.lines: dict[Key, dict[int, list]] = defaultdict(dict)
        cols = [lines[c].to_pylist() for c in ("partner", "po_number", "line_number", "state", "shipped")]
        ended = {state: LineState(state) in ENDED_LINES for state in set(cols[3])}
        decimals = {text: Decimal(text) for text in set(cols[4]) if text}  # each distinct quantity read once
        zero = Decimal(0)
        promised = promised_of(lines)
        keys = zip(cols[0], cols[1], strict=True)
        for i, (key, number, state, shipped, promise) in enumerate(zip(keys, cols[2], cols[3], cols[4], promised,
                                                                        strict=True)):
            self.lines[key][number] = [decimals[shipped] if shipped else zero, promise, ended[state], None, i]
        self.run_id: dict[int, str] = {}  # row of ``lines`` -> the run that shipped it
        self.touched: dict[Key, None] = {}  # the orders changed, in the order first changed

    def final_lines(self) -> pa.Table:
        """LINE_ROWS of every line of the orders changed (in the order first changed, by line number),
        as the store writes a line (stored_lines): what shipped, the state and run of the lines shipped."""
        lines = [line for key in self.touched for _number, line in sorted(self.lines[key].items())]
        order = [line[4] for line in lines]
        text: dict[Decimal, str | None] = {}  # each distinct quantity written once
        shipped = [text[q] if q in text else text.setdefault(q, decimal_text(q)) for q in [line[0] for line in lines]]
        state = [line[3] for line in lines]
        run = [self.run_id.get(i) for i in order]
        table = stored_lines(self.table.take(pa.array(order, pa.int64())))
        for name, values in (("shipped", shipped), ("state", state), ("run_id", run)):
            at = table.schema.get_field_index(name)
            table = table.set_column(at, name, pc.coalesce(pa.array(values, pa.string()), table[name]))
        return table


def _asn(shipment: Shipment, rows: list[_Row], profile: PartnerProfile, created: datetime) -> list | None:
    """The shipment's 856 body (self-checked against the confirmation's quantities), or None when the
    partner receives no 856."""
    if "856" not in profile.receives:
        return None
    sscc = profile.fulfilment.sscc
    if profile.fulfilment.asn.ship_to_contact:  # the PO's PER as the 856's version can carry it
        x = profile.x12  # the 856's GS08 (engine.envelope.Envelope: its gs_versions, else gs_version, else version)
        shipment = contacts_fitted(shipment, (dict(x.gs_versions).get("856") or x.gs_version or x.version)
                                   if x else None)
    return build_856(shipment, profile.fulfilment.asn, created=created, expected=_expected(rows),
                     sscc_with_ai=sscc.with_ai if sscc else True)


def _asn_texts(shipments: list[Shipment], lines: pa.Table, profiles: Mapping[str, PartnerProfile],
               created: datetime, envelopes: dict[str, Envelope]) -> list[_AsnText | None]:
    """Each shipment's 856 body as text (engine.asn_columnar.build_856_texts: the shipments of each partner whose
    structure it writes, with the delimiter set the partner's envelope alone allows, checked against
    their confirmation ``lines``), None for the shipments _asn builds one at a time (other structures
    and partners, and what the text path leaves)."""
    out: list[_AsnText | None] = [None] * len(shipments)
    by_partner: dict[str, list[int]] = defaultdict(list)
    for k, shipment in enumerate(shipments):
        by_partner[shipment.partner].append(k)
    for partner, at in by_partner.items():
        profile = profiles.get(partner)
        if profile is None or "856" not in profile.receives or profile.fulfilment.asn.structure not in COLUMNAR \
                or profile.fulfilment.asn.lots != "none" or profile.fulfilment.asn.serial_numbers \
                or profile.fulfilment.asn.line_refs or profile.fulfilment.asn.multi_box != "each" \
                or profile.fulfilment.asn.pack_td1 or profile.fulfilment.asn.case_at_pack:
            continue  # lots, serial numbers, the lines' own REFs, multi-box units' further boxes without their item,
            # each carton's TD1, the case at the pack level: written by build_856 (engine.asn._item_writer, _packs)
        usual = usual_delimiters(envelopes.get(partner) or envelopes.setdefault(partner, asn_envelope(profile)))
        if usual is None:
            continue
        sscc = profile.fulfilment.sscc
        mine = [shipments[k] for k in at]
        texts = build_856_texts(mine, profile.fulfilment.asn, *usual, created=created,
                                expected=_confirmed(lines, mine), sscc_with_ai=sscc.with_ai if sscc else True)
        for k, text in zip(at, texts, strict=True):
            if text is not None:
                out[k] = _AsnText(*text, usual[0])
    return out


def _confirmed(lines: pa.Table, shipments: Sequence[Shipment | ShipmentSummary]) -> pa.Table:
    """engine.asn_columnar.CONFIRMED: the confirmation ``lines`` of these ``shipments`` (what _expected sums)."""
    at = pc.index_in(lines["shipment_id"], value_set=pa.array([s.shipment_id for s in shipments], pa.string()))
    mine = pc.is_valid(at)
    return pa.table([pc.cast(at.filter(mine), pa.int64()), *(lines[c].filter(mine) for c in ("po_number", "line_id",
                                                                                             "quantity"))],
                    schema=CONFIRMED)


def _from_columns(good: pa.Table, orders: pa.Table, order_lines: pa.Table, *, ship_from: Party,
                  ssccs: Mapping[tuple, str], serials: Mapping[str, int], items: pa.Table | None,
                  profiles: Mapping[str, PartnerProfile],
                  created: datetime, envelopes: dict[str, Envelope], dcs: StoreDcs | None = None,
                  service_names: Mapping[str, str] | None = None
                  ) -> tuple[list[ShipmentSummary], list[_AsnText | None]] | None:
    """The usual file's shipments without their objects: each one's summary and 856 text
    (engine.shipments.shipment_columns written by engine.asn_columnar.write_856_texts: the same text
    build_856_texts writes of assemble_shipments' objects, self-checked alike against the confirmation
    ``good``), in the order assemble_shipments lists them, each partner's written together, when every
    shipment's rows name one partner whose 856 is S-O-P-I or S-O-T-P-I with the delimiter set its
    envelope alone allows, and every text is written; else None (assemble_shipments and _asn_texts)."""
    if not good.num_rows or good["partner"].null_count:
        return None
    partners = pc.unique(good["partner"]).to_pylist()
    if len(partners) == 1:
        return _partner_columns(good, partners[0], orders, order_lines, ship_from=ship_from, ssccs=ssccs,
                                serials=serials, items=items, profiles=profiles, created=created, envelopes=envelopes,
                                dcs=dcs, service_names=service_names)
    if encode(good["shipment_id"], good["partner"])[1] != encode(good["shipment_id"])[1]:
        return None  # a shipment whose rows name two partners
    code, _ = encode(good["shipment_id"])
    first = first_rows(code)
    first_of = dict(zip(good["shipment_id"].take(pa.array(first)).to_pylist(), first.tolist(), strict=True))
    made: list[tuple[int, ShipmentSummary, _AsnText | None]] = []
    for partner in partners:  # each partner's rows of the orders and lines alone: its columns never read another's
        # (keyed by partner and PO), and hundreds of partners each reading every partner's rows cost N x N
        mine = _partner_columns(good.filter(pc.equal(good["partner"], partner)), partner,
                                orders.filter(pc.equal(orders["partner"], partner)),
                                order_lines.filter(pc.equal(order_lines["partner"], partner)),
                                ship_from=ship_from, ssccs=ssccs, serials=serials, items=items, profiles=profiles,
                                created=created, envelopes=envelopes, dcs=dcs, service_names=service_names)
        if mine is None:
            return None
        made += [(first_of[s.shipment_id], s, text) for s, text in zip(*mine, strict=True)]
    made.sort(key=lambda m: m[0])  # the shipments in the order of their first rows, as assembled
    return [m[1] for m in made], [m[2] for m in made]


def _partner_columns(good: pa.Table, partner: str, orders: pa.Table, order_lines: pa.Table, *, ship_from: Party,
                     ssccs: Mapping[tuple, str], serials: Mapping[str, int], items: pa.Table | None,
                     profiles: Mapping[str, PartnerProfile], created: datetime, envelopes: dict[str, Envelope],
                     dcs: StoreDcs | None = None, service_names: Mapping[str, str] | None = None
                     ) -> tuple[list[ShipmentSummary], list[_AsnText | None]] | None:
    """_from_columns of one partner's rows (``service_names``: the warehouse's, WarehouseProfile.service_levels)."""
    profile = profiles.get(partner)
    if profile is None or "856" not in profile.receives or profile.fulfilment.asn.structure not in FROM_LINES \
            or profile.fulfilment.asn.lots != "none" or profile.fulfilment.asn.serial_numbers \
            or profile.fulfilment.asn.line_refs or profile.fulfilment.asn.multi_box != "each" \
            or profile.fulfilment.asn.pack_td1 or profile.fulfilment.asn.case_at_pack:
        return None  # lots, serial numbers, the lines' own REFs, further boxes without items, carton TD1s, the case
        # at the pack level: written by build_856
    usual = usual_delimiters(envelopes.get(partner) or envelopes.setdefault(partner, asn_envelope(profile)))
    if usual is None:
        return None
    asn = profile.fulfilment.asn
    if asn.package_tracking:
        return None  # each carton's tracking number in its loop: assemble_shipments' packs carry it (build_856)
    if asn.order_td1:
        return None  # a TD1 in each order loop: written by build_856 (engine.asn.order_td1_segments)
    if asn.ship_to_level != "shipment" or asn.ship_to_contact:
        return None  # the ship-to in each order loop, or with its PER: written by build_856
    if asn.dates_level != "shipment":
        return None  # the shipment's dates in the heading, after BSN: written by build_856
    if asn.shipment_parties != SHIPMENT_PARTIES:
        return None  # the S level without its ship-from or ship-to: written by build_856
    if asn.fob:
        return None  # the PO's FOB at the S level: assemble_shipments' Shipment carries it (Shipment.fob)
    if names_packaging(good, items):
        return None  # a carton's own packaging (its rows', the item master's): assemble_shipments' packs carry it
    if asn.store_level and marks_stores(good):
        return None  # an order loop per PO and store: assemble_shipments' objects (engine.shipments._stores)
    built = shipment_columns(good, orders, order_lines, pallets=asn.structure == "SOTPI", ssccs=ssccs, items=items,
                             serials=serials, dcs=dcs, service_names=service_names,
                             described=_catalog_described({partner: profile}))
    if built is None:
        return None
    summaries, flat = built

    def head(s: int) -> ShipmentHead:
        h = summaries[s]
        given = dict(h.given)
        weight, unit = (given["gross_weight"], given["weight_unit"]) if given.get("gross_weight") is not None \
            else (h.weight, h.weight_unit)
        return ShipmentHead(h.shipment_id, bool(h.po_numbers), s_segments(
            asn, cartons=h.n_cartons, pallets=h.n_pallets or given.get("pallets_given") or 0, weight=weight,
            weight_unit=unit,
            carrier_scac=h.carrier_scac, service_level=h.service_level, routed_level=given.get("routed_level") or "",
            transport_method=given.get("transport_method") or _METHOD, bill_of_lading=h.bill_of_lading,
            tracking_number=h.tracking_number, extra_refs=tuple(("CN", number) for number in h.more_tracking),
            ship_date=h.ship_date, ship_time=h.ship_time, estimated_delivery=None, volume=given.get("volume"),
            volume_unit=given.get("volume_unit") or "", equipment=given.get("equipment") or ("", "", ""),
            seal_number=given.get("seal_number") or "",
            method_given=bool(given.get("method_given")), time_zone=given.get("time_zone") or ""), ship_from,
            h.ship_to)

    heads = HeadTexts(asn, *usual, created)

    read: dict[tuple, tuple] = {}  # what head() reads of a shipment's given fields, once per distinct ones

    def quick(s: int) -> tuple[str, int, Party, Party] | None:
        """head(s) joined as write_856_texts joins it (HeadTexts: the segments most shipments share joined once)."""
        h = summaries[s]
        of = read.get(h.given)
        if of is None:
            given = dict(h.given)
            of = read[h.given] = (
                given.get("gross_weight") is not None, given.get("gross_weight"), given.get("weight_unit"),
                given.get("pallets_given") or 0, given.get("routed_level") or "",
                given.get("transport_method") or _METHOD, given.get("volume"), given.get("volume_unit") or "",
                given.get("equipment") or ("", "", ""), given.get("seal_number") or "", bool(given.get("method_given")),
                given.get("time_zone") or "")
        weighed, gross, gross_unit, pallets, *rest = of
        got = heads.text(h.shipment_id, bool(h.po_numbers), (
            h.n_cartons, h.n_pallets or pallets, gross if weighed else h.weight,
            gross_unit if weighed else h.weight_unit, h.carrier_scac, h.service_level, rest[0], rest[1], h.ship_date,
            h.ship_time, *rest[2:]),
            h.bill_of_lading, h.tracking_number, tuple(("CN", number) for number in h.more_tracking))
        return None if got is None else (*got, ship_from, h.ship_to)

    sscc = profile.fulfilment.sscc
    texts = write_856_texts(flat, head, asn, *usual, created=created, expected=_confirmed(good, summaries),
                            sscc_with_ai=sscc.with_ai if sscc else True, quick=quick)
    if any(text is None for text in texts):
        return None
    return summaries, [_AsnText(*text, usual[0]) for text in texts]  # type: ignore[call-arg, misc]


_METHOD = "M"  # TD504 of an assembled shipment (Shipment.transport_method's default: motor)


class _AsnText(NamedTuple):
    """An 856 body already rendered: its text, number of segments and delimiters."""

    text: str
    segments: int
    delimiters: Delimiters


def _expected(rows: list[_Row]) -> dict[tuple[str, str], Decimal]:
    """(PO, line id) -> the units the confirmation says shipped: what the 856 is checked against."""
    expected: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in rows:
        expected[(r.po_number, r.line_id)] += r.quantity
    return expected


def _one(shipment: Shipment, rows: list[_Row], body: list | _AsnText | None, warehouse: WarehouseProfile,
         profile: PartnerProfile, work: _Working, ours: Mapping[str, int], *, created: datetime, at: str,
         run_id: str, source: dict, envelopes: dict[str, Envelope], clock_zone: str = "") -> Plan:
    partner, sid = shipment.partner, shipment.shipment_id
    doc_key = f"856:{warehouse.id}:{sid}" if body is not None else ""
    docs = _documents(shipment, body, doc_key, profile, source, envelopes)
    # the orders' moves, on copies: committed to ``work`` only when every order of the shipment moved
    shipped: dict[Key, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in rows:
        shipped[(partner, r.po_number)][r.line_number] += r.quantity
    transitions: list[OrderTransition] = []
    new_lines: dict[Key, dict[int, list]] = {}
    moved: list[int] = []  # rows of the stored lines shipped
    for key, per_line in shipped.items():
        record = work.records[key]
        current = dict(work.lines.get(key, {}))
        units = 0
        for number, qty in per_line.items():
            before, promised, _ended, _state, row = current[number]
            total = before + qty
            current[number] = [total, promised, *_SHIPPED_LINE[total >= promised], row]
            moved.append(row)
            units += qty
        done = all(ln[0] >= ln[1] for ln in current.values() if not ln[2])  # nothing promised left unshipped
        event = EventKind.SHIPPED_IN_FULL if done else EventKind.SHIPPED_IN_PART
        note = (f"shipment {sid} from {warehouse.id}: {_num(units)} unit(s) on {len(per_line)} line(s)"
                + (f"; 856 {sid}" if body is not None else "; no 856 (the partner receives none)")
                + _to_follow((n, ln[0], ln[1]) for n, ln in sorted(current.items()) if n in per_line))
        transitions.append(move(record, event, at=at, run_id=run_id, note=note, document_key=doc_key))
        new_lines[key] = current
    for t in transitions:
        work.records[t.record.key] = t.record
    for key in new_lines:
        work.lines[key] = new_lines[key]
        work.touched.setdefault(key)
    work.run_id.update(dict.fromkeys(moved, run_id))
    first = rows[0]
    mine = _Shipped(tuple(map(_SHIPPED, rows)), first.po_number, first.isa13, first.gs06, first.st02)
    record, late = _shipment_record(shipment, mine, docs, doc_key, warehouse, profile, ours, created=created, at=at,
                                    run_id=run_id, source=source, clock_zone=clock_zone,
                                    memo=on_memo([work.records[key] for key in shipped], profile))
    return Plan(transitions=tuple(transitions), documents=docs, shipments=(record,), findings=late)


def _documents(shipment: Shipment | ShipmentSummary, body: list | _AsnText | None, doc_key: str,
               profile: PartnerProfile, source: dict, envelopes: dict[str, Envelope]) -> tuple[PlannedDocument, ...]:
    """The shipment's 856 as a planned document (none without a ``body``)."""
    if body is None:
        return ()
    partner = shipment.partner
    pos = shipment.po_numbers if isinstance(shipment, ShipmentSummary) else \
        list(dict.fromkeys(o.po_number for o in shipment.orders))  # a PO once (a store-level order: per store)
    return (_asn_document(doc_key, body, partner=partner, po_number=",".join(pos),
                          source_sha256=source.get("source_sha256", ""),
                          env=envelopes.get(partner) or envelopes.setdefault(partner, asn_envelope(profile)),
                          to=asn_address(profile)),)


def _shipment_record(shipment: Shipment | ShipmentSummary, rows: _Shipped, docs: tuple[PlannedDocument, ...],
                     doc_key: str,
                     warehouse: WarehouseProfile, profile: PartnerProfile, ours: Mapping[str, int], *,
                     created: datetime, at: str, run_id: str, source: dict, clock_zone: str = "",
                     memo: bool = False) -> tuple[ShipmentRecord, tuple[FindingRecord, ...]]:
    """One shipment's record, and ASN_LATE when its 856 (``docs``) is built after the partner's window
    (the departure in our clock's zone, ``clock_zone``: SHIPMENT_TIME_ZONE_UNRESOLVED when the warehouse's
    time zone cannot be converted to it)."""
    partner, sid = shipment.partner, shipment.shipment_id
    zone = _zone_of(shipment)
    offset = time_code_offset(zone, shipment.ship_date, shipment.ship_time) if zone and shipment.ship_time else None
    unresolved = bool(zone) and shipment.ship_time is not None and zone != "LT" and (offset is None or not clock_zone)
    if zone in ("", "LT") and warehouse.time_zone and shipment.ship_time is not None:  # the warehouse's own clock
        offset = local_offset(warehouse.time_zone, shipment.ship_date, shipment.ship_time)
        unresolved, zone = not clock_zone, zone or warehouse.time_zone
    record = _record(shipment, rows, warehouse, profile, ours, doc_key=doc_key, created=created, at=at,
                     run_id=run_id, source=source, offset=None if unresolved else offset, clock_zone=clock_zone,
                     memo=memo)
    late: tuple[FindingRecord, ...] = ()
    if unresolved:
        why = f"G6205 {zone!r} is no time code we know" if offset is None else \
            "our clock's zone is not set (workspace.toml [clock] zone)"
        f = finding("SHIPMENT_TIME_ZONE_UNRESOLVED", f"Shipment {sid} left at {shipment.ship_time:%H:%M} {zone}: "
                    f"{why}; the time is taken as our clock's for the ASN window.", value=zone)
        late += (FindingRecord(f, partner, rows.po_number, "none (warning)", STAGE),)
    if record.late and docs:
        f = finding("ASN_LATE", f"The 856 for shipment {sid} was built at {at}, after {partner}'s "
                    f"{profile.fulfilment.asn.window_minutes}-minute window from departure ({record.departed_at}; "
                    f"due {record.asn_due_at}).", value=sid)
        late += (FindingRecord(f, partner, rows.po_number, "856 sent late: chargeback risk", STAGE),)
    return record, late


def on_memo(records: Sequence[OrderRecord], profile: PartnerProfile) -> bool:
    """Every order of a shipment (``records``) is of a type the partner's [fulfilment.invoice] memo_order_types
    ships on memo: its billing is "memo", no 810 is due for it (a shipment carrying another order too is billed
    for that one: engine.lifecycle.billing.invoices_due passes the memo orders over)."""
    memo = profile.fulfilment.invoice.memo_order_types
    return bool(memo and records) and all(r.order_type in memo for r in records)


def _zone_of(shipment: Shipment | ShipmentSummary) -> str:
    if isinstance(shipment, ShipmentSummary):
        return dict(shipment.given).get("time_zone") or ""
    return shipment.time_zone


# a line shipped in full (True) or in part: (does it end the line, its state's value), as _one stores it
_SHIPPED_LINE = {full: (state in ENDED_LINES, state.value) for full, state in (
    (True, LineState.SHIPPED), (False, LineState.PARTIALLY_SHIPPED))}


def _asn_document(doc_key: str, body: list | _AsnText, *, partner: str, po_number: str, source_sha256: str,
                  env: Envelope, to: Address | None = None) -> PlannedDocument:
    """The 856 as a planned document, its body rendered here with the first of the partner's delimiter
    sets no value uses (what the store's renderer would choose: it then only wraps the text); as
    segments when no set fits (the store holds it with a finding). A body of text values (what
    build_856 writes) is first joined whole with the set the envelope alone allows (the usual case):
    when that text holds each of the set's characters only where the joining put it, no value holds
    one and the text stands (trailing empty elements dropped); else the set is chosen from the values'
    characters and render_body writes the body. A body already rendered (_AsnText) stands as it is."""
    if isinstance(body, _AsnText):
        return _planned(doc_key, body.segments, partner, po_number, source_sha256, body.delimiters, body.text, to)
    usual = usual_delimiters(env)
    text = joined_body(body, *usual) if usual is not None else None
    if text is not None:
        return _planned(doc_key, len(body), partner, po_number, source_sha256, usual[0], text,  # type: ignore[index]
                        to)
    try:
        used = set("".join(["".join(seg[1:]) for seg in body]))  # every value, when all are text
    except TypeError:  # a value that is not text: the general path
        used = body_chars([body])
    d = first_fit(env, used)
    if d is None:
        return replace(transaction_set("856", "SH", doc_key, body, partner=partner, po_number=po_number,
                                       source_sha256=source_sha256), to=to)
    return _planned(doc_key, len(body), partner, po_number, source_sha256, d, render_body(body, d), to)


def _planned(doc_key: str, segments: int, partner: str, po_number: str, source_sha256: str, d: Delimiters,
             text: str, to: Address | None = None) -> PlannedDocument:
    return PlannedDocument(partner, "856", "SH", (PlannedSet(doc_key, po_number=po_number, source_sha256=source_sha256,
                                                             text=text, segments=segments),), delimiters=d, to=to)


def stored_lines(table: pa.Table) -> pa.Table:
    """LINE_ROWS as the store writes a line it read (connectors.state: a LineRecord and back): absent
    text "", absent counts 0, revision at least 1, decimals exact without trailing zeros (shipped and
    invoiced "0" when absent), dates ISO, codes without empty entries; each distinct value once."""
    def dec(text):
        return decimal_text(Decimal(text)) if text not in (None, "") else None

    def count(text):
        return decimal_text(Decimal(text) if text not in (None, "") else Decimal(0))

    out = table
    for name in ("line_id", "sku", "ack", "unit", "warehouses", "reason", "run_id", "ordered_sku"):
        out = _replaced(out, name, pc.fill_null(table[name], ""))
    for name in ("allocated", "backordered", "rejected"):
        out = _replaced(out, name, pc.fill_null(table[name], 0))
    def fraction(text):  # (a LineRecord's rejected_fraction or backordered_over 0 is stored null)
        return decimal_text(Decimal(text)) if text not in (None, "") and Decimal(text) else None

    def many(text):  # (a LineRecord's priced_per 1 is stored null)
        return decimal_text(Decimal(text)) if text not in (None, "") and Decimal(text) != 1 else None

    for name, f in (("ordered", dec), ("unit_price", dec), ("ack_price", dec), ("shipped", count),
                    ("rejected_fraction", fraction), ("priced_per", many), ("unit_eaches", lambda v: v or None),
                    ("backordered_over", fraction), ("balance_cancelled", fraction), ("expired", fraction),
                    ("invoiced", count), ("revision", lambda v: v or 1),
                    ("promised_date", lambda t: date.fromisoformat(t).isoformat() if t else None),
                    ("codes", lambda t: ",".join(c for c in (t or "").split(",") if c))):
        out = _replaced(out, name, _each_distinct(table[name], f))
    return out


def _replaced(table: pa.Table, name: str, column) -> pa.Table:
    at = table.schema.get_field_index(name)
    return table.set_column(at, table.schema.field(at), pc.cast(column, table.schema.field(at).type))


def _each_distinct(column, f):
    """``f`` of each value of ``column``, computed once per distinct value (null included)."""
    values = pc.unique(column)
    mapped = pa.array([f(v) for v in values.to_pylist()], column.type)
    if mapped.equals(values):  # every value as ``f`` leaves it (a column as the store writes it)
        return column
    return pc.take(mapped, pc.index_in(column, value_set=values))


def _record(shipment: Shipment | ShipmentSummary, rows: _Shipped, warehouse: WarehouseProfile, profile: PartnerProfile,
            ours: Mapping[str, int], *, doc_key: str, created: datetime, at: str, run_id: str,
            source: dict, offset: timedelta | None = None, clock_zone: str = "", memo: bool = False) -> ShipmentRecord:
    departed, due_at, due = _departure(shipment.ship_date, shipment.ship_time, profile.fulfilment.asn.window_minutes,
                                       offset, clock_zone)
    cartons: list[RecordedCarton] = []
    if isinstance(shipment, ShipmentSummary):  # its pallets and cartons recorded in columns
        cartons = list(shipment.cartons)
    pallets: set[str] = set()  # a pallet above several orders (S-T-O-I) recorded once, with the first PO on it
    for order in () if isinstance(shipment, ShipmentSummary) else shipment.orders:
        for tare in order.tares:
            if tare.sscc and tare.sscc not in pallets:
                pallets.add(tare.sscc)
                cartons.append(RecordedCarton("T", tare.pallet_id, tare.sscc, ours.get(tare.sscc), "",
                                              order.po_number))
            cartons.extend(RecordedCarton("P", p.carton_id, p.sscc, ours.get(p.sscc), tare.pallet_id, order.po_number,
                                          p.weight, p.weight_unit) for p in tare.packs if p.sscc)
        cartons.extend(RecordedCarton("P", p.carton_id, p.sscc, ours.get(p.sscc), "", order.po_number, p.weight,
                                      p.weight_unit) for p in order.packs if p.sscc)
    # billed per shipment ("shipment"; per store too: each store's 810 bills its units of the shipment) or per order
    billing = ("memo" if memo else profile.fulfilment.invoice.charge_scope) if profile.invoiced else "none"
    return ShipmentRecord(
        warehouse=warehouse.id, shipment_id=shipment.shipment_id, partner=shipment.partner,
        ship_date=shipment.ship_date, lines=rows.lines, cartons=tuple(cartons),
        stock_warehouse=warehouse.stock_warehouse,
        source_kind=source.get("source_kind", ""), source_file=source.get("source_file", ""),
        source_sha256=source.get("source_sha256", ""), isa13=_envelope(rows.isa13), gs06=rows.gs06 or "",
        st02=rows.st02 or "",
        ship_time=shipment.ship_time, carrier_scac=shipment.carrier_scac, service_level=shipment.service_level,
        tracking_number=shipment.tracking_number, bill_of_lading=shipment.bill_of_lading,
        departed_at=departed, asn_due_at=due_at, asn_doc_key=doc_key,
        asn_at=at if doc_key else "", late=bool(doc_key) and created > due, billing=billing, run_id=run_id,
        transport_method=_method_sent(shipment))


def _method_sent(shipment: Shipment | ShipmentSummary) -> str:
    """The TD504 the 856 of ``shipment`` writes (engine.asn.s_segments: its transport method with a carrier, or
    one the warehouse named without; "" when none goes), kept with the shipment so its 810's CAD01 and 880's G2701
    say the same (the warehouse's own W2701 or Transport Method is not worked out again from the PO)."""
    given = dict(shipment.given) if isinstance(shipment, ShipmentSummary) else {
        "transport_method": shipment.transport_method, "method_given": shipment.method_given}
    method = given.get("transport_method") or ""
    return method if shipment.carrier_scac or given.get("method_given") else ""


_SHIPPED = attrgetter("shipped")


@lru_cache(maxsize=4096)  # a file's shipments share a few departures
def _departure(ship_date: date, ship_time: time | None, window_minutes: int, offset: timedelta | None = None,
               clock_zone: str = "") -> tuple[str, str, datetime]:
    """(departure ISO: the ship date and time, end of the day without one; the ASN's due time ISO; that
    due time), in our clock's time: a time the warehouse gave at UTC ``offset`` (its G6205) is converted
    to ``clock_zone`` (IANA) first."""
    departed = datetime.combine(ship_date, ship_time or time(23, 59, 59))
    if offset is not None and clock_zone and ship_time is not None:
        from zoneinfo import ZoneInfo

        departed = departed.replace(tzinfo=timezone(offset)).astimezone(ZoneInfo(clock_zone)).replace(tzinfo=None)
    due = departed + timedelta(minutes=window_minutes)
    return departed.isoformat(), due.isoformat(), due


def _envelope(isa13: str | None) -> str:
    return "" if isa13 in (None, "CSV") else isa13


def _num(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _to_follow(lines: Iterable[tuple[int, Decimal, int | Decimal]]) -> str:
    """What a shipment's history note says of its lines in a fraction of a measure shipped short ((line number,
    shipped, promised exactly)): "; line 1: 12 of 12.5 shipped, 0.5 to follow" (the line stays open for it,
    reserved, unless the partner's under-shipment tolerance closes it); "" for none. A line in whole units says
    nothing here (its units to follow are whole, as they always were)."""
    said = [f"line {n}: {_num(shipped)} of {_num(promised)} shipped, {_num(promised - shipped)} to follow"
            for n, shipped, promised in lines
            if isinstance(promised, Decimal) and promised != promised.to_integral_value() and 0 < shipped < promised]
    return "".join(f"; {s}" for s in said)


def _measures_to_follow(lines: pa.Table) -> dict[Key, str]:
    """_to_follow's words for each order of ``lines`` (LINE_ROWS after the file's shipments) with a measure's
    line shipped short: (partner, PO) -> its words."""
    if not lines.num_rows:
        return {}
    rows = np.flatnonzero(np.asarray(pc.fill_null(pc.match_substring(lines["ordered"], "."), False)
                                     .to_numpy(zero_copy_only=False), bool))
    if not len(rows):
        return {}
    picked = lines.take(pa.array(rows))
    promised = promised_of(picked)
    out: dict[Key, list] = defaultdict(list)
    for i, (p, po, n, shipped) in enumerate(zip(*(picked[c].to_pylist() for c in (
            "partner", "po_number", "line_number", "shipped")), strict=True)):
        out[(p, po)].append((n, Decimal(shipped or 0), promised[i]))
    return {k: text for k, v in out.items() if (text := _to_follow(v))}


__all__ = ["Confirmations", "ShipmentBatch", "holding", "line_state_table", "plan_shipments", "prepare_shipments",
           "recorded_table"]
