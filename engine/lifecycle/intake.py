"""Intake's part of the lifecycle: what one processed file does to orders. BEG01 decides what an 850
for a PO we already hold means (01 cancel, 05 replace or 18 reissue, 06 confirmation, else a duplicate); an 860 is
recorded for the next decide stage; the file's 997/TA1 and findings (with their consequence) go
into the same plan.

Pure: the file's engine.process.Outcome and the orders (and their lines) we already hold in; a Plan out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.envelope import Envelope
from engine.lifecycle.common import contain, first_rows, isolated, planned_document
from engine.lifecycle.table import SHIPPING, create, move
from engine.process import Outcome
from parsers.x12_writer import decimal_column
from rules.lenient import ACCEPTED_AS
from schemas.codes import CATALOGUE
from schemas.codes_finance import PARTNER_VERDICTS
from schemas.findings import Finding, finding
from schemas.lifecycle import (
    BLANKET_REF_FIELDS,
    GONE_LINES,
    LINE_ROWS,
    ORDER_PARTY_FIELDS,
    RECEIVED_ORDERS,
    ChangeUpdate,
    Clock,
    EventKind,
    FindingRecord,
    HistoryEvent,
    LineRecord,
    LineState,
    NewChange,
    OrderLines,
    OrderRecord,
    OrderReservations,
    OrderState,
    OrderTransition,
    Plan,
    StoredChange,
)
from schemas.order_keys import is_ref_key, shown, x12_po

if TYPE_CHECKING:
    from schemas.fulfilment import CsvOrderMapping

REPLACE, CANCEL, CONFIRM, ORIGINAL = "05", "01", "06", "00"
# 04 change (code list 353): a buyer that sends its changes as 850s (no 860) sends the order as it now stands. Of an
# order we hold that has not shipped, it is that order's change: its lines stand for the order's (a new revision, as
# a replacement's), decided again (BEG01 04 is not in the default acted_purposes: held for a person, who approves
# the order as changed; rules.business.purpose says so). It used to be read as a copy that differs
# (ORDER_DUPLICATE): the order stayed acknowledged and shipped its old quantities
CHANGE = "04"
CSV_ORDER = "CSV"  # the ISA13 of an order read from a CSV file (parsers.csv_orders)
# 05 replace and 18 reissue (the order sent again in place of one withdrawn, e.g. by an 860 BCH01 17
# "cancel, to be reissued"): the new 850 replaces the order, a cancelled one too
REPLACING = frozenset({REPLACE, "18"})
# BEG02 RL "Release or Delivery Order": a blanket's call-off. Sent with the blanket's PO number and no BEG04
# release number of its own (Kohl's: the blanket, its SDQ at location 00899, "will be transmitted again (release
# order) with the same purchase order number" once the stores are known), it replaces the blanket we hold for a
# person (held ORDER_TYPE_UNSUPPORTED, or rejected by one), as a BEG01 05 would: not a copy of it
RELEASE = "RL"
_BLANKET_HELD = "ORDER_TYPE_UNSUPPORTED"
TOLERATED_INTERCHANGE = {"IEA_CONTROL_MISMATCH", "IEA_GROUP_COUNT_MISMATCH"}  # TA1 E, not R
ISA_PARTIES = ("isa05", "isa06", "isa07", "isa08")  # the interchange parties an order keeps (OrderRecord, ORDERS)
GROUP_PARTIES = ("gs02", "gs03")  # the group's application ids it keeps (OrderRecord, ORDERS)


def plan_intake(outcome: Outcome, *, partner: str, live: Mapping[str, OrderRecord],
                lines: Mapping[str, tuple[LineRecord, ...]], at: str, run_id: str,
                unanswered: Mapping[str, Sequence[StoredChange]] | None = None,
                envelope: Envelope | None = None, resent_replaces: bool = False,
                buyers: frozenset[str] = frozenset(), csv_layout: CsvOrderMapping | None = None) -> Plan:
    """The plan for one processed file of ``partner``. ``live``: the orders we hold for the POs the
    file names (850s and 860s), by PO number; ``lines``: their line rows; ``unanswered``: their 860s
    applied but not answered yet (a cancellation or replacement supersedes them); ``envelope``: the
    partner's (engine.envelope.envelope_for), with which its 997s come rendered (planned_document);
    ``resent_replaces``: the profile's resent_po is "replace" (a retransmitted 850 whose lines changed replaces
    the order, as BEG01 05 would: ``resent_with_changes``); ``buyers``: the GS02s of the several buyers the partner
    sends for (a hub, a network: X12Settings.buyer_gs_ids), whose PO numbers are each buyer's own, so a PO from one
    of them is never a copy, cancellation or replacement of another's order of the same number, nor is an 860 of
    one of them that order's change (PO_OF_ANOTHER_BUYER); ``csv_layout``: the partner's CSV order layout, in whose
    terms (rows, its header's column names) a finding on a CSV order speaks (resend_differences)."""
    unanswered = unanswered or {}
    parts = [Plan(documents=tuple(planned_document(d, partner=partner, source_sha256=outcome.sha256,
                                                   envelope=envelope)
                                  for d in outcome.documents) + tuple(outcome.answers),
                  findings=tuple(FindingRecord(f, partner, po_of(f), intake_consequence(f, outcome), "intake")
                                 for po_of in ((finding_po(outcome),) if outcome.findings else ())
                                 for f in outcome.findings))]
    working = dict(live)  # a PO met twice in one file sees its first copy
    table = _received_orders(outcome, partner, live, at=at, run_id=run_id)
    if table is not None:  # every PO of the file is new, once: no record per order
        parts.append(Plan(received_orders=(table,)))
        created = set(table["order_ref"].to_pylist())
    else:
        parts += _orders(outcome, partner, working, lines, unanswered, at=at, run_id=run_id,
                         resent_replaces=resent_replaces, buyers=buyers, csv_layout=csv_layout)
        created = {t.record.order_ref for p in parts for t in p.transitions if t.expect_state is None}
    if created:  # new orders' lines in one columnar table (no record per line on the intake's path)
        parts.append(Plan(line_tables=(received_lines(outcome.lines, created, run_id=run_id),)))
    parts += _changes_received(outcome.change_headers.to_pylist(), outcome, partner, working, at=at, run_id=run_id,
                               buyers=buyers)
    return Plan.combine(parts)


def _changes_received(headers: Sequence[dict], outcome: Outcome, partner: str, working: dict[str, OrderRecord], *,
                      at: str, run_id: str, buyers: frozenset[str], by: str = "") -> list[Plan]:
    """The plan of each 860 of ``headers`` for ``partner``'s orders (``working``, by PO: updated as they move): kept
    pending for its order's next decide, its order marked CHANGE_RECEIVED (``by``: the partner who sent it, when it
    is another carrying on ``partner``'s orders: named in the order's history)."""
    parts = []
    for header in headers:
        po = header["po_number"]
        change = NewChange(partner, po, header["change_ref"], outcome.sha256, outcome.file, at)
        current = working.get(po)
        if current is None:
            parts.append(Plan(new_changes=(change,)))
            continue
        if (theirs := current.gs02) in buyers and (sender := header.get("gs02") or "") in buyers and sender != theirs:
            parts.append(_change_of_another_buyer(header, current, sender, outcome, partner))
            continue
        part = isolated(current, partial(_change_received, current, change, outcome.file, at=at, run_id=run_id,
                                         header=header, by=by),
                        at=at, run_id=run_id, stage="intake")
        working.update({t.record.po_number: t.record for t in part.transitions})
        parts.append(part)
    return parts


def continued_rows(outcome: Outcome, pos: set[str], to: str) -> tuple[Outcome, Outcome]:
    """``outcome`` (a file of the partner B carrying on ``to``'s orders, [continues]) split in two: without the 860
    rows naming a PO of ``pos`` (those ``to`` holds and B does not), and those rows alone, their partner ``to``
    (its change tables stored and planned as ``to``'s: plan_continued_changes). Only the change tables move: the
    file, its 997 and its findings stay B's."""
    if not pos or not outcome.change_headers.num_rows:
        return outcome, replace(outcome, change_headers=outcome.change_headers.slice(0, 0),
                                changes=outcome.changes.slice(0, 0), change_sacs=outcome.change_sacs.slice(0, 0))
    wanted = pa.array(sorted(pos), pa.string())

    def split(table: pa.Table) -> tuple[pa.Table, pa.Table]:
        mask = pc.fill_null(pc.is_in(table["po_number"], value_set=wanted), False)
        moved = table.filter(mask)
        at = moved.schema.get_field_index("partner")
        moved = moved.set_column(at, moved.schema.field(at), pa.array([to] * moved.num_rows, pa.string()))
        return table.filter(pc.invert(mask)), moved

    (headers, moved_h), (changes, moved_c), (sacs, moved_s) = (split(outcome.change_headers), split(outcome.changes),
                                                               split(outcome.change_sacs))
    return (replace(outcome, change_headers=headers, changes=changes, change_sacs=sacs),
            replace(outcome, change_headers=moved_h, changes=moved_c, change_sacs=moved_s))


def plan_continued_changes(moved: Outcome, *, partner: str, live: Mapping[str, OrderRecord], at: str, run_id: str,
                           by: str, buyers: frozenset[str] = frozenset()) -> Plan:
    """The plan for the 860s another partner (``by``, whose profile's [continues] names ``partner``) sent for
    ``partner``'s orders (``moved``: continued_rows' second part; ``live``: those orders by PO): as ``partner``'s own
    860s would be (kept pending for decide, each order marked CHANGE_RECEIVED), answered under ``by``'s envelope
    (PartnerProfile.continued). No document and no finding of the file: those stay ``by``'s."""
    return Plan.combine(_changes_received(moved.change_headers.to_pylist(), moved, partner, dict(live), at=at,
                                          run_id=run_id, buyers=buyers, by=by))


def finding_po(outcome: Outcome) -> Callable[[Finding], str]:
    """The order a finding of the file concerns (stored with it, so `status PO`, the failures report and
    the console find it): a CSV row's PO; else that of the transaction set it was raised on (ISA13, GS06,
    ST02; of several sets with those control numbers, the one whose ST comes last before the finding's
    segment): the set's order key as its order or change row holds it (the PO number, or a release's key),
    else, for a set not taken, the PO number its BEG03 / BCH03 gives. "" for a finding of no set (an
    envelope's, a file's), a set whose BEG gives no PO number, or one of several sets it cannot tell apart."""
    keyed: dict[tuple[str, str, str, int], str] = {}
    names = ["isa13", "gs06", "st02", "st_file_segment", "po_number"]
    for table in (outcome.orders, outcome.change_headers):
        if table.num_rows and set(names) <= set(table.column_names):  # (a table made by hand may lack them)
            cols = table.select(names).to_pydict()
            for isa13, gs06, st02, st, po in zip(*cols.values(), strict=True):
                keyed.setdefault((isa13 or "", gs06 or "", st02 or "", -1 if st is None else st), po or "")
    by_set: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    for isa13, gs06, st02, st, po in outcome.set_pos:
        by_set.setdefault((isa13, gs06, st02), []).append((st, keyed.pop((isa13, gs06, st02, st), po)))
    for (isa13, gs06, st02, st), po in keyed.items():  # a file read in batches keeps no set_pos
        by_set.setdefault((isa13, gs06, st02), []).append((st, po))

    def po_of(f: Finding) -> str:
        loc = f.location
        if loc.row is not None or not loc.st02:
            return outcome.row_pos.get(loc.row or 0, "")
        sets = by_set.get((loc.isa13, loc.gs06, loc.st02), ())
        if len(sets) > 1 and loc.file_segment is not None:
            sets = [max(before)] if (before := [s for s in sets if s[0] <= loc.file_segment]) else []
        return sets[0][1] if len({po for _, po in sets}) == 1 else ""

    return po_of


def _orders(outcome: Outcome, partner: str, working: dict[str, OrderRecord],
            lines: Mapping[str, tuple[LineRecord, ...]], unanswered: Mapping[str, Sequence[StoredChange]], *,
            at: str, run_id: str, resent_replaces: bool = False, buyers: frozenset[str] = frozenset(),
            csv_layout: CsvOrderMapping | None = None) -> list[Plan]:
    """The file's 850s one order at a time (``_receive``, each isolated), in file order; ``working``
    (PO -> its record so far) follows each order's transitions."""
    parts: list[Plan] = []
    line_rows = _LineRows(outcome)
    fresh = received_record(partner, at=at, run_id=run_id)  # each new order's record is evolved from it
    received: list[OrderTransition] = []  # new orders' transitions since the last other part (kept in order)
    for order in outcome.orders.select([c for c in _ORDER_FIELDS if c in outcome.orders.column_names]).to_pylist():
        po = order["po_number"]
        current = working.get(po)
        if current is None and (order.get("purpose") or ORIGINAL) != CANCEL:
            # a PO we do not hold: _receive's last case, without a Plan per order (a cancellation of one is
            # _receive's: no order)
            try:
                t = _created(order, fresh, outcome, at=at, run_id=run_id)
            except Exception as exc:  # noqa: BLE001 - as `isolated`: this order's finding, the others go on
                part = contain(None, exc, at=at, run_id=run_id, stage="intake", partner=partner, po_number=po)
            else:
                working[po] = t.record
                received.append(t)
                continue
        else:
            receive = partial(_receive, order, current, line_rows, lines.get(po, ()), outcome, partner=partner,
                              at=at, run_id=run_id, resent_replaces=resent_replaces, buyers=buyers,
                              csv_layout=csv_layout,
                              superseded=tuple(ChangeUpdate(c.id, "superseded") for c in unanswered.get(po, ())))
            part = isolated(current, receive, at=at, run_id=run_id, stage="intake", partner=partner, po_number=po)
        if received:
            parts.append(Plan(transitions=tuple(received)))
            received = []
        working.update({t.record.po_number: t.record for t in part.transitions})
        parts.append(part)
    if received:
        parts.append(Plan(transitions=tuple(received)))
    return parts


def _received_orders(outcome: Outcome, partner: str, live: Mapping[str, OrderRecord], *, at: str,
                     run_id: str) -> pa.Table | None:
    """RECEIVED_ORDERS for the file's 850s when every one is a PO we do not hold, none twice, none
    named by an 860 of the same file and none a cancellation (BEG01 01) (what ``_created`` makes of each, column
    by column); None otherwise (or when a column cannot be built): then ``_orders`` plans them one at a time."""
    orders = outcome.orders
    n = orders.num_rows
    if not n:
        return None
    pos = orders["po_number"]
    if pc.count_distinct(pos, mode="all").as_py() != n or pos.null_count:
        return None
    named = set(pos.to_pylist())
    if not named.isdisjoint(live) or not named.isdisjoint(outcome.change_headers["po_number"].to_pylist()):
        return None
    if pc.any(pc.equal(pc.fill_null(orders["purpose"], ORIGINAL), CANCEL)).as_py():
        return None  # a cancellation of a PO we do not hold creates no order (_receive)
    try:
        def same(value: str) -> pa.Array:
            return pa.repeat(pa.scalar(value, pa.string()), n)

        def text_or(values, default: str):  # a string column read as Python's `value or default`
            filled = pc.fill_null(values, default)
            return pc.if_else(pc.equal(filled, ""), default, filled) if default else filled

        columns = {
            "partner": same(partner), "po_number": pos, "order_ref": orders["order_ref"],
            "lines_key": same(outcome.sha256), "source_file": same(outcome.file),
            "source_sha256": same(outcome.sha256), "isa13": orders["isa13"], "gs06": orders["gs06"],
            "st02": orders["st02"], "purpose": text_or(orders["purpose"], "00"),
            "x12_version": text_or(orders["version"], ""), "po_date": orders["po_date"],
            "currency": text_or(orders["currency"], ""), "line_count": pc.fill_null(orders["line_count"], 0),
            "received_at": same(at), "updated_at": same(at), "run_id": same(run_id),
            "note": same(f"received in {outcome.file}"[:1000]),
            "gs02": text_or(orders["gs02"], "") if "gs02" in orders.column_names else same(""),
            "gs03": text_or(orders["gs03"], "") if "gs03" in orders.column_names else same(""),
            "order_type": text_or(orders["order_type"], "") if "order_type" in orders.column_names else same(""),
            **{name: text_or(orders[name], "") if name in orders.column_names else same("")
               for name in (*ISA_PARTIES, *ORDER_PARTY_FIELDS)},
            # the contract and agreement named (REF*CT, REF*AH), trimmed: "" for none (known), as _order_fields
            **{name: pc.fill_null(pc.utf8_trim_whitespace(orders[name]), "") if name in orders.column_names
               else same("") for name in BLANKET_REF_FIELDS},
        }
        return pa.table({f.name: pc.cast(columns[f.name], f.type) for f in RECEIVED_ORDERS}, schema=RECEIVED_ORDERS)
    except Exception:  # noqa: BLE001 - the per-order path isolates whatever failed here
        return None


def _change_of_another_buyer(header: dict, current: OrderRecord, sender: str, outcome: Outcome, partner: str) -> Plan:
    """An 860 from one of the partner's several buyers (GS02 ``sender``) naming the PO number of another buyer's
    order ``current``: not that order's change (buyers behind a hub or network number their POs each on their own);
    not recorded nor applied, that order left as it was, an error for ops (its 997 was planned with the file's)."""
    po = header["po_number"]
    f = finding("PO_OF_ANOTHER_BUYER", f"860 for PO {x12_po(po)} from buyer {sender} (GS02) names buyer "
                f"{current.gs02}'s order (state {current.state.value}): another buyer's PO, not a change or "
                f"cancellation of that order; it is not applied and that order is left as it was.",
                element="BCH03", value=x12_po(po), file=outcome.file, isa13=header["isa13"] or "",
                gs06=header["gs06"] or "", st02=header["st02"] or "", seg="BCH",
                file_segment=(header["st_file_segment"] or 0) + 1)
    return Plan(findings=(FindingRecord(f, partner, po, "change not applied: the PO number is another buyer's "
                                        "order's; nothing sent", "intake"),))


def _change_received(current: OrderRecord, change: NewChange, file: str, *, at: str, run_id: str,
                     header: Mapping | None = None, by: str = "") -> Plan:
    # An 860 from another of the partner's interchange ids than its 850 ([x12] their_ids: a VAN move between the
    # two, a division writing from its own id), or to another of ours (our_ids), is answered to the id that sent
    # it, from the id it was sent to: the order keeps the 860's (its 865, or revised 855, and its later 856/810 go
    # there, as the partner now writes from it). An 860 whose interchange names none (a table made by hand) leaves
    # the order's as they were. Likewise its group's GS02/GS03 (a partner that moved to another GS02 between its
    # 850 and its 860: the 997 went to the new one, and the revised 855, 856 and 810 went to the 850's)
    parties = {name: header.get(name) or "" for name in ISA_PARTIES} if header else {}
    if not parties.get("isa06") or all(getattr(current, k) == v for k, v in parties.items()):
        parties = {}
    group = {name: value for name in GROUP_PARTIES if (value := (header or {}).get(name))}
    if group.get("gs02") and any(getattr(current, k) != v for k, v in group.items()):
        parties.update(group)
    return Plan(transitions=(move(current, EventKind.CHANGE_RECEIVED, at=at, run_id=run_id,
                                  note=f"{(header or {}).get('set_id') or '860'} change received in {file}"
                                  + (f" from {by}, continuing {current.partner}'s orders" if by else ""),
                                  **parties),), new_changes=(change,))


def _receive(order: dict, live: OrderRecord | None, line_rows: _LineRows, live_lines: tuple[LineRecord, ...],
             outcome: Outcome, *, partner: str, at: str, run_id: str,
             superseded: tuple[ChangeUpdate, ...] = (), resent_replaces: bool = False,
             buyers: frozenset[str] = frozenset(), csv_layout: CsvOrderMapping | None = None) -> Plan:
    po, purpose = order["po_number"], order["purpose"] or "00"
    where = dict(file=outcome.file, isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"], seg="BEG",
                 file_segment=(order["st_file_segment"] or 0) + 1)
    # a CSV order (parsers.csv_orders: ISA13 "CSV", ST02 its PO's first row) is told at its rows and columns
    sheet = csv_layout if order["isa13"] == CSV_ORDER and csv_layout is not None else None
    if live and (theirs := live.gs02) in buyers and (sender := order.get("gs02") or "") in buyers and sender != theirs:
        f = finding("PO_OF_ANOTHER_BUYER", f"PO {x12_po(po)} from buyer {sender} (GS02) has the number of buyer "
                    f"{theirs}'s order (state {live.state.value}): another buyer's PO, not a copy, cancellation or "
                    f"replacement of that order; it is not processed and that order is left as it was.",
                    element="BEG03", value=x12_po(po), **where)
        return Plan(findings=(FindingRecord(f, partner, po, "not taken: the PO number is another buyer's order's; "
                                            "nothing sent", "intake"),))
    if live and purpose == CANCEL:
        note = f"cancelled by BEG01=01 in {outcome.file}"
        return Plan(transitions=(move(live, EventKind.PO_CANCELLED, at=at, run_id=run_id, note=note),),
                    lines=(OrderLines(partner, po, tuple(_cancelled(ln, note, run_id) for ln in live_lines)),),
                    reservations=(OrderReservations(partner, po, ()),), change_updates=superseded)
    if not live and purpose == CANCEL:
        # a cancellation (BEG01 01) of a PO we do not hold (its original never reached us, or went to another
        # partner id): nothing to cancel, and never a new order (it used to be created, allocated, acknowledged
        # and shipped: the goods the buyer had just cancelled)
        f = finding("CHANGE_ORDER_UNKNOWN", f"PO {shown(po)}'s 850 cancels the order (BEG01 01), but we hold no "
                    f"order of that number from {partner}: nothing was cancelled, and the cancellation is not taken "
                    "as a new order.", element="BEG01", value=purpose, **where)
        return Plan(findings=(FindingRecord(f, partner, po, "cancellation of a PO we do not hold: no order "
                                            "created; nothing sent", "intake"),))
    if live and purpose == CONFIRM:
        confirmed = move(live, EventKind.PO_CONFIRMED, at=at, run_id=run_id,
                         note=f"confirmation copy in {outcome.file}")
        if not resent_with_changes(line_rows.of(order["order_ref"]), live_lines):
            return Plan(transitions=(confirmed,))
        # a confirmation is a copy of the order we hold: one whose lines differ (another quantity, price, unit, a
        # line added or gone) confirms an order we do not hold, and is never applied without a person (an 860 or a
        # BEG01 05 replacement changes an order); it used to be passed over without a word
        f = finding("ORDER_CONFIRMATION_DIFFERS", f"PO {shown(po)}'s confirmation (BEG01 06) differs from the order "
                    f"we hold (state {live.state.value}): a line added or gone, or another PO101, quantity, unit or "
                    f"price; the order is left as it was.", element="BEG01", value=purpose, **where)
        return Plan(transitions=(confirmed,), findings=(FindingRecord(
            f, partner, po, "confirmation not applied; the order left as it was; nothing sent", "intake"),))
    replaces = purpose in REPLACING or purpose == CHANGE or calls_off_blanket(order, live) or (
        resent_replaces and purpose == ORIGINAL and live.state not in SHIPPING
        and resent_with_changes(line_rows.of(order["order_ref"]), live_lines)) if live else False
    if live and not replaces:
        release = (order.get("release_number") or "").strip()
        named = f"PO {x12_po(po)} release {release} (BEG04)" if release and not is_ref_key(po) else f"PO {shown(po)}"
        lines_differ = (resend_differences(line_rows.of(order["order_ref"]), live_lines, sheet) if live_lines
                        else [])
        differences = lines_differ or party_differences(order, live)  # (its parties named: _parties_said)
        at_po = dict(element="BEG03", **where)
        if sheet is not None:  # its PO number's cell: the PO's first row, the layout's PO column
            named = f"PO {po}" + (f" release {release}" if release else "")
            first = int(order["st02"]) if (order["st02"] or "").isdigit() else None
            at_po = dict(where, seg="", file_segment=first, row=first, column=sheet.column_text("po_number"))
        if not differences:
            f = finding("ORDER_DUPLICATE", f"{named} was already received from {partner} (state "
                        f"{live.state.value}); this copy is not processed.", value=x12_po(po), **at_po)
            return Plan(transitions=(move(live, EventKind.PO_DUPLICATE, at=at, run_id=run_id,
                                          note=f"duplicate copy in {outcome.file} ignored"),),
                        findings=(FindingRecord(f, partner, po, "copy not processed; nothing sent", "intake"),))
        # an original (BEG01 00) under a live PO number whose lines differ, or its buyer or ship-to (N1*BY, N1*ST), is
        # no resend: an ERP that numbers its POs per company code or legal entity (Dynamics 365's PO-000418 of USMF
        # and of USSI, SAP company codes on their own number ranges) sends another order under the same BEG03, the
        # same lines maybe, or a buyer sends a change as a new 850. Either way it is not taken, and it used to be
        # said as a resend's warning (the order lost in silence)
        what = ("this copy's rows differ from that order's lines" if sheet is not None and lines_differ else
                "this copy differs from that order")
        parties = _parties_said(order, sheet) if lines_differ else ""  # else differences name them
        f = finding("ORDER_DUPLICATE", f"{named} was already received from {partner} (state {live.state.value}), "
                    f"and {what} ({'; '.join(differences)}){parties}: not a resend. It is "
                    f"not processed: {_resend_advice(sheet)}", severity="error", value=x12_po(po), **at_po)
        return Plan(transitions=(move(live, EventKind.PO_DUPLICATE, at=at, run_id=run_id,
                                      note=f"copy in {outcome.file} differs from the order; not processed"),),
                    findings=(FindingRecord(f, partner, po, "copy differing from the order held not processed; "
                                            "nothing sent", "intake"),))
    if live and live.state in SHIPPING:
        what = "change (BEG01 04)" if purpose == CHANGE else "replacement"
        f = finding("ORDER_DUPLICATE", f"PO {po} has shipped; the {what} is not applied.", element="BEG01",
                    value=purpose, **where)
        return Plan(findings=(FindingRecord(f, partner, po, f"{what} not applied; nothing sent", "intake"),))
    fields = _order_fields(order, outcome)
    if live:  # BEG01 05, 18 or 04: the new 850 replaces the order; decided whole again (855 BAK01 00)
        revision = live.revision + 1
        t = move(live, EventKind.PO_REPLACED, at=at, run_id=run_id, note=f"replaced by {outcome.file}",
                 revision=revision, answered_revision=0, arrival=0, value=Decimal(0), ack_type="",
                 answered_with="", hold_codes=(), hold_reasons=(), codes=(), person=None, changed_lines=(),
                 change_file="", **fields)
        t = replace(t, new_arrival=True)
        new = _received_lines(partner, po, line_rows.of(order["order_ref"]), revision, run_id)
        gone = tuple(_deleted(ln, f"not on the replacement in {outcome.file}", revision, run_id)
                     for ln in live_lines if ln.line_number not in {r.line_number for r in new})
        return Plan(transitions=(t,), lines=(OrderLines(partner, po, new + gone),),
                    reservations=(OrderReservations(partner, po, ()),), change_updates=superseded)
    return Plan(transitions=(_created(order, received_record(partner, at=at, run_id=run_id), outcome, at=at,
                                      run_id=run_id),))


def calls_off_blanket(order: dict, live: OrderRecord) -> bool:
    """True for a release (BEG02 RL, no BEG04 of its own: the blanket's PO number alone) of an order we hold
    as one not to ship as it stands (a blanket: held ORDER_TYPE_UNSUPPORTED, or rejected by a person after):
    it replaces the blanket. A release naming an order we acknowledged, shipped or never held is a copy."""
    return ((order.get("order_type") or "") == RELEASE and not (order.get("release_number") or "").strip()
            and live.state in (OrderState.HELD, OrderState.REJECTED_BY_PERSON, OrderState.REJECTED)
            and _BLANKET_HELD in (*live.hold_codes, *live.codes))


def resend_differences(rows: Mapping[int, Mapping], live_lines: Sequence[LineRecord],
                       sheet: CsvOrderMapping | None = None) -> list[str]:
    """What tells a retransmitted 850's lines (``rows``) from the order's (``live_lines``), in words, as
    resent_with_changes compares them: each line added or gone, each line's other PO101, quantity, unit or price
    (the copy's, then the order's); [] for a copy of the order's lines. ``sheet``: the copy is a CSV order in this
    layout: each of its lines named by its row (a row's ``file_segment``) and line column, its values by the
    layout's column names ("row 2 (Line 1): Quantity 36 EA at Unit Price 2.1, the order's Line 1: 24 EA at 2.1"), the
    way the buyer's spreadsheet shows them, not by X12 elements it never saw."""
    held = {ln.line_number: ln for ln in live_lines if ln.state not in GONE_LINES}
    added = sorted(set(rows) - set(held))
    gone = sorted(set(held) - set(rows))
    moved = []
    for n in sorted(set(rows) & set(held)):
        r, ln = rows[n], held[n]
        if ((r["line_id"] or "") != ln.line_id or (r["unit"] or "") != ln.unit or r["unit_price"] != ln.unit_price
                or ("IQ" not in ln.ack.split("+") and r["quantity"] != ln.ordered)):
            moved.append((r, ln))
    if sheet is not None:
        return _sheet_differences(rows, held, added, gone, moved, sheet)
    said = [f"line PO101 {rows[n]['line_id'] or ''} not on the order" for n in added]
    said += [f"the order's line PO101 {held[n].line_id} not on this copy" for n in gone]
    said += [f"line PO101 {r['line_id'] or ''}: {_amount(r['quantity'])} {r['unit'] or ''} at "
             f"{_amount(r['unit_price'])}, the order's PO101 {ln.line_id}: {_amount(ln.ordered)} {ln.unit} "
             f"at {_amount(ln.unit_price)}" for r, ln in moved]
    return said


def party_differences(order: Mapping, live: OrderRecord) -> list[str]:
    """What tells a retransmitted 850's buyer and ship-to (N1*BY, N1*ST: ``order``'s ORDERS columns) from those the
    order held (``live``) names, in words (the copy's, then the order's): an ERP numbering each company's POs on its
    own (Dynamics 365's PO-000418 of legal entity USMF and of USSI, SAP company codes on their own number ranges) may
    send two orders of one number with the same lines, told apart by them alone. A party is compared by its N103/N104
    where both name one, else by its N102 (letter case and spacing aside) where both name one; not where either names
    neither (an order stored before ORDER_PARTIES keeps none: never compared); [] for the same parties."""
    said = []
    for role, prefix in (("BY", "buyer"), ("ST", "ship_to")):
        copy = [(order.get(f"{prefix}_{n}") or "").strip() for n in ("name", "id_qualifier", "id")]
        held = [getattr(live, f"{prefix}_{n}").strip() for n in ("name", "id_qualifier", "id")]
        if copy[2] and held[2]:
            differs = copy[1:] != held[1:]
        else:
            differs = bool(copy[0] and held[0]) and " ".join(copy[0].casefold().split()) != " ".join(
                held[0].casefold().split())
        if differs:
            said.append(f"N1*{role} {' '.join(v for v in copy if v)}, the order's N1*{role} "
                        f"{' '.join(v for v in held if v)}")
    return said


def _sheet_differences(rows: Mapping[int, Mapping], held: Mapping[int, LineRecord], added: list[int],
                       gone: list[int], moved: list[tuple[Mapping, LineRecord]], sheet: CsvOrderMapping) -> list[str]:
    """resend_differences of a CSV copy, in its layout's terms (a column the layout does not read is left out)."""
    line, quantity, unit, price = (sheet.column_text(c) for c in ("line_id", "quantity", "unit", "unit_price"))

    def row(r: Mapping) -> str:
        at = f"row {r['file_segment']}" if r.get("file_segment") is not None else f"line {r['line_number']}"
        return f"{at} ({line} {r['line_id']})" if line and r["line_id"] else at

    def said(amount, of_unit: str, at, named: bool) -> str:
        words = f"{quantity} " if named and quantity else ""
        units = f" {of_unit}" if unit and of_unit else ""
        cost = f" at {f'{price} ' if named else ''}{_amount(at)}" if price else ""
        return f"{words}{_amount(amount)}{units}{cost}"

    def theirs(ln: LineRecord) -> str:
        return f"the order's {line} {ln.line_id}" if line and ln.line_id else f"the order's line {ln.line_number}"

    out = [f"{row(rows[n])} not on the order" for n in added]
    out += [f"{theirs(held[n])} not in this copy" for n in gone]
    out += [f"{row(r)}: {said(r['quantity'], r['unit'] or '', r['unit_price'], True)}, {theirs(ln)}: "
            f"{said(ln.ordered, ln.unit, ln.unit_price, False)}" for r, ln in moved]
    return out


def _resend_advice(sheet: CsvOrderMapping | None) -> str:
    """What a person does with a copy of a live PO whose lines differ: for X12 another order is entered by hand, a
    change asked for as an 860 or a replacement; a CSV buyer sends neither: its change is entered by hand too, or
    the profile's resent_po = "replace" takes such re-exported sheets as the order's replacement."""
    if sheet is None:
        return ("if it is another order under the same number (a company code or legal entity of the buyer's "
                "numbering its POs on its own), enter it by hand; if it changes the order, ask for an 860 or a "
                "BEG01 05 replacement.")
    return ("if it is another order under the same number, enter it by hand or ask the buyer for another PO "
            "number; if the buyer edited the order and exported its sheet again, enter the change by hand (or, "
            "for a buyer that always changes its orders so, set resent_po = \"replace\" in its profile: a sheet "
            "exported again then replaces its order not yet shipped).")


def _amount(value) -> str:
    """A quantity or price as said to a person: as a number, no trailing zeros ("-" for none)."""
    if value is None:
        return "-"
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _parties_said(order: Mapping, sheet: CsvOrderMapping | None = None) -> str:
    """The buyer and ship-to a copy names (N1*BY, N1*ST: their names and ids; a CSV copy: by its layout's ship-to
    columns), for a person telling two orders of one number apart ("" for none)."""
    said = []
    if sheet is not None:
        for field in ("ship_to_name", "ship_to_id"):
            column = sheet.column_text(field)
            if column and order.get(field):
                said.append(f"{column} {order[field]}")
        return f"; its rows name {', '.join(said)}" if said else ""
    for role, prefix in (("BY", "buyer"), ("ST", "ship_to")):
        party = " ".join(v for v in (order.get(f"{prefix}_name"), order.get(f"{prefix}_id_qualifier"),
                                     order.get(f"{prefix}_id")) if v)
        if party:
            said.append(f"N1*{role} {party}")
    return f"; it names {', '.join(said)}" if said else ""


def resent_with_changes(rows: Mapping[int, Mapping], live_lines: Sequence[LineRecord]) -> bool:
    """True when a retransmitted 850's lines (``rows``: line number -> its first row) differ from the order's
    (``live_lines``): a line added or gone, another PO101, unit or PO104, or another PO102 (a quantity we changed
    ourselves, IQ: rounded to cases, raised to a minimum, is not compared). Lines deleted or cancelled count as
    gone (resend_differences says which)."""
    return bool(resend_differences(rows, live_lines))


# the ORDERS columns an order's planning reads
_ORDER_FIELDS = ["po_number", "release_number", "order_type", "purpose", "order_ref", "isa13", "gs06", "st02",
                 "st_file_segment",
                 "version", "po_date", "currency", "line_count", "gs02", "gs03", "isa05", "isa06", "isa07", "isa08",
                 # the parties the order keeps (OrderRecord), which an ORDER_DUPLICATE compares and names
                 # (party_differences, _parties_said)
                 *ORDER_PARTY_FIELDS,
                 # the contract and agreement it names, by which a release naming its blanket so is found
                 *BLANKET_REF_FIELDS]


def _order_fields(order: dict, outcome: Outcome) -> dict:
    """An 850's OrderRecord fields (a new order's, or a replacement's)."""
    return dict(order_ref=order["order_ref"], lines_key=outcome.sha256, source_file=outcome.file,
                source_sha256=outcome.sha256, isa13=order["isa13"], gs06=order["gs06"], st02=order["st02"],
                purpose=order["purpose"] or "00", x12_version=order["version"] or "", po_date=order["po_date"],
                currency=order["currency"] or "", line_count=order["line_count"] or 0, gs02=order.get("gs02") or "",
                gs03=order.get("gs03") or "", order_type=order.get("order_type") or "",
                **{name: order.get(name) or "" for name in (*ISA_PARTIES, *ORDER_PARTY_FIELDS)},
                **{name: (order.get(name) or "").strip() for name in BLANKET_REF_FIELDS})


def received_record(partner: str, *, at: str, run_id: str) -> OrderRecord:
    """What engine.lifecycle.table.create makes of any new order of ``partner`` received ``at``, before
    its 850's fields (``_created`` evolves it once per order)."""
    return create(OrderRecord(partner, "", OrderState.RECEIVED, received_at=at), at=at, run_id=run_id).record


def _created(order: dict, fresh: OrderRecord, outcome: Outcome, *, at: str, run_id: str) -> OrderTransition:
    """A PO we do not hold yet, received: table.create's transition (tests check they agree), built
    from ``fresh`` (``received_record``) with one evolve, not a dataclass built field by field and
    evolved again."""
    new = fresh.evolve(po_number=order["po_number"], **_order_fields(order, outcome))
    return OrderTransition(new, None, None, (HistoryEvent(new.partner, new.po_number, EventKind.PO_RECEIVED, None,
                                                          new.state, at, Clock.RUN, "system",
                                                          f"received in {outcome.file}"[:1000], new.revision,
                                                          run_id),), new_arrival=True)


class _LineRows:
    """order_ref -> line number -> the line's first row, built on first use (replacements and confirmations
    only)."""

    def __init__(self, outcome: Outcome) -> None:
        self.outcome, self.rows = outcome, None

    def of(self, order_ref: str) -> dict[int, dict]:
        if self.rows is None:
            self.rows = {}
            cols = ["order_ref", "line_number", "line_id", "quantity", "unit", "unit_price", "file_segment"]
            lines = self.outcome.lines
            for row in lines.select([c for c in cols if c in lines.column_names]).to_pylist():
                self.rows.setdefault(row["order_ref"], {}).setdefault(row["line_number"], row)
        return self.rows.get(order_ref, {})


def received_lines(lines: pa.Table, order_refs: set[str], *, run_id: str, revision: int = 1) -> pa.Table:
    """LINE_ROWS (state received) for the ORDER_LINES rows of these orders, one per line number
    (a repeated interchange repeats every row), built column by column."""
    keep = pc.is_in(lines["order_ref"], value_set=pa.array(sorted(order_refs), pa.string()))
    mine = lines if pc.all(keep).as_py() else lines.filter(keep)  # usually every order of the file is new
    if not _unique_lines(mine):
        mine = first_rows(mine, ["order_ref", "line_number"])
    n = mine.num_rows
    made: dict[tuple, pa.Array] = {}  # a constant column made once however many columns hold it (immutable)

    def text(value: str) -> pa.Array:
        if ("text", value) not in made:
            made["text", value] = pa.repeat(pa.scalar(value, pa.string()), n)
        return made["text", value]

    def number(value: int, kind: pa.DataType | None = None) -> pa.Array:
        kind = kind or pa.int64()
        if (kind, value) not in made:
            made[kind, value] = pa.repeat(pa.scalar(value, kind), n)
        return made[kind, value]

    columns = {
        "partner": mine["partner"], "po_number": mine["po_number"], "line_number": mine["line_number"],
        "line_id": pc.fill_null(mine["line_id"], ""), "sku": text(""),
        "state": text(LineState.RECEIVED.value), "ack": text(""),
        "ordered": decimal_text(mine["quantity"]), "unit": pc.fill_null(mine["unit"], ""),
        "unit_price": decimal_text(mine["unit_price"]), "ack_price": pa.nulls(n, pa.string()),
        "allocated": number(0), "backordered": number(0), "rejected": number(0),
        "promised_date": pa.nulls(n, pa.string()),
        "warehouses": text(""), "reason": text(""), "codes": text(""), "revision": number(revision, pa.int32()),
        "run_id": text(run_id), "shipped": text("0"), "invoiced": text("0"), "ordered_sku": text(""),
        "rejected_fraction": pa.nulls(n, pa.string()), "priced_per": pa.nulls(n, pa.string()),
        "unit_eaches": pa.nulls(n, pa.int64()), "backordered_over": pa.nulls(n, pa.string()),
        "balance_cancelled": pa.nulls(n, pa.string()), "expired": pa.nulls(n, pa.string()),
        "cut_from": pa.nulls(n, pa.int64()),
    }
    return pa.table({f.name: columns[f.name] if columns[f.name].type == f.type else pc.cast(columns[f.name], f.type)
                     for f in LINE_ROWS}, schema=LINE_ROWS)  # (a cast to the type a column has already: none)


def _unique_lines(lines: pa.Table) -> bool:
    """No (order_ref, line_number) twice (first_rows would keep every row). A parsed file's lines come
    order by order, numbered 1..n in each: when each order's rows are one run (as many distinct
    order_refs as runs) with line numbers rising along it, no key repeats, which is checked without
    hashing every row; otherwise on integer keys."""
    if lines.num_rows < 2:
        return True
    numbers = lines["line_number"]
    if numbers.null_count:
        return False
    refs = lines["order_ref"].combine_chunks()
    number = numbers.to_numpy()
    if not refs.null_count:
        new_run = np.empty(len(number), dtype=bool)
        new_run[0] = True
        new_run[1:] = pc.not_equal(refs.slice(1), refs.slice(0, len(refs) - 1)).to_numpy(zero_copy_only=False)
        if (new_run[1:] | (number[1:] > number[:-1])).all():
            heads = refs.filter(pa.array(new_run)).to_pylist()
            if len(set(heads)) == len(heads):
                return True
    codes = pc.dictionary_encode(refs).indices.to_numpy(zero_copy_only=False)
    keys = (codes.astype(np.int64) << 32) | (number.astype(np.int64) & 0xFFFFFFFF)
    return len(np.unique(keys)) == len(keys)


def decimal_text(values) -> pa.ChunkedArray:
    """Decimals as the store keeps them: exact text without trailing zeros (12.0000 -> 12), null as null."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    fast = [_whole_decimal_text(c) for c in chunks]
    if all(f is not None for f in fast):
        return pa.chunked_array(fast, pa.string())
    return pc.if_else(pc.is_valid(values), decimal_column(values), pa.scalar(None, pa.string()))


_FRACTIONS: dict[int, pa.Array] = {}


def _fraction_texts(scale: int) -> pa.Array:
    """For each fraction 0 .. 10 ** scale - 1 (in units of 10 ** -scale): its text after the whole part,
    the point and the digits without trailing zeros ("" for none: 5000 at scale 4 is ".5")."""
    if scale not in _FRACTIONS:
        digits = [str(f).rjust(scale, "0").rstrip("0") for f in range(10 ** scale)]
        _FRACTIONS[scale] = pa.array([f".{d}" if d else "" for d in digits], pa.string())
    return _FRACTIONS[scale]


def _whole_decimal_text(values: pa.Array) -> pa.Array | None:
    """decimal_text of a decimal128 array whose precision fits int64 (the orders' QTY and MONEY, scale
    at most 4), from its unscaled integers: the whole part by Arrow's integer cast to text (several
    times cheaper than its decimal cast), the fraction's text looked up (_fraction_texts) and joined
    after it where some value has one, "-" before a negative value. None for any other type
    (decimal_column then)."""
    kind = values.type
    if not pa.types.is_decimal128(kind) or kind.precision > 18 or kind.scale > 4:
        return None
    n = len(values)
    if not n:
        return pa.array([], pa.string())
    # little-endian 128-bit two's complement: a value that fits int64 is its low word (the high one signs it)
    ints = np.frombuffer(values.buffers()[1], dtype=np.int64)[2 * values.offset: 2 * (values.offset + n): 2]
    valid = values.is_valid().to_numpy(zero_copy_only=False) if values.null_count else None
    if valid is not None:
        ints = np.where(valid, ints, 0)  # a null slot's bytes are any bytes
    whole, fraction = np.divmod(np.abs(ints), 10 ** kind.scale)
    text = pc.cast(_int64_array(whole), pa.string())
    if fraction.any():
        text = pc.binary_join_element_wise(text, _fraction_texts(kind.scale).take(_int64_array(fraction)), "")
    negative = ints < 0
    if negative.any():
        text = pc.if_else(_bools(negative), pc.binary_join_element_wise("-", text, ""), text)
    if valid is not None:
        offsets, data = text.buffers()[1:]
        text = pa.StringArray.from_buffers(n, offsets, data, pa.py_buffer(np.packbits(valid, bitorder="little")))
    return text


def _int64_array(values: np.ndarray) -> pa.Array:
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def _bools(mask: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.bool_(), len(mask), [None, pa.py_buffer(np.packbits(mask, bitorder="little"))])


def _received_lines(partner: str, po: str, rows: dict[int, dict], revision: int,
                    run_id: str) -> tuple[LineRecord, ...]:
    return tuple(LineRecord(partner, po, n, LineState.RECEIVED, line_id=r["line_id"] or "", ordered=r["quantity"],
                            unit=r["unit"] or "", unit_price=r["unit_price"], revision=revision, run_id=run_id)
                 for n, r in sorted(rows.items()))


def _cancelled(line: LineRecord, reason: str, run_id: str) -> LineRecord:
    if line.state in GONE_LINES:
        return line
    return replace(line, state=LineState.CANCELLED, allocated=0, backordered=0, promised_date=None, warehouses="",
                   reason=reason, run_id=run_id)


def _deleted(line: LineRecord, reason: str, revision: int, run_id: str) -> LineRecord:
    if line.state in GONE_LINES:
        return line
    return replace(line, state=LineState.DELETED, ack="ID", allocated=0, backordered=0, rejected=0,
                   rejected_fraction=Decimal(0), promised_date=None, warehouses="", reason=reason,
                   revision=revision, run_id=run_id)


NOTED_ELEMENT_ERRORS = frozenset(ACCEPTED_AS.values())
# a partner's rejection of a document of ours (PARTNER_VERDICTS): nothing corrects or resends it as it was
# (engine.report_failures' hint for FA_DOCUMENT_REJECTED says what ops can do)
REJECTED_CONSEQUENCE = ("our document rejected by the partner (its status rejected): not sent again as it was "
                        "(it would be rejected again); see the hint")
# VALUE_TOO_LONG_TO_ECHO's consequence (a reference; the PO number: True): the order is taken, and until the profile's
# version fits, what echoes the value is not sent as it is (engine.lifecycle.shipping and billing name this warning
# when they hold the 856 or 810)
ECHO_CONSEQUENCE = {
    False: "order taken; its 855 leaves the reference out (ACK_VALUE_LEFT_OUT); an 856 or 810 echoing it will be held "
           "at ship time (ASN_NOT_BUILT, INVOICE_NOT_BUILT) until the profile's version fits",
    True: "order taken; no 855 is sent for it (ACK_NOT_SENT); its 856 and 810 will be held at ship time "
          "(ASN_NOT_BUILT, INVOICE_NOT_BUILT) until the profile's version fits",
}


def implied_decimal_consequence(element: str) -> str:
    """IMPLIED_DECIMAL_STATED's consequence at ``element``, as engine.acks answers it: an IEA01 so written is noted by
    the TA1 (TA1_NOTED: E, TA105 021); a GE01/GE02 has no 997 code (the group is acknowledged A, the warning kept in
    our reports); an SE01 or an element of the set is noted by the 997 (NOTED_IN_997: AK4 code 6, AK5 E)."""
    if element == "IEA01":
        return "value read as stated; the interchange accepted with errors noted (TA1 E, TA105 021)"
    if element in ("GE01", "GE02"):
        return "value read as stated; the group acknowledged A (the 997 has no code for it): in our reports only"
    return "value read as stated; set accepted with errors noted (997 AK4 code 6, AK5 E)"


_CHANGES = frozenset({"860", "876"})  # a rejected change set leaves its order as it was
_ORDERS = frozenset({"850", "875"})


def _not_taken(f: Finding, outcome: Outcome) -> str:
    """What a rejected set's rejection left undone, by its ST01: an order not taken, a change not applied (its order
    stays as it was: "its order not taken" read as if the order itself were gone), another set not read."""
    loc = f.location
    kinds = {ts.set_id for ic, g, ts in outcome.parse.transaction_sets()
             if ts.control_number == loc.st02 and (not loc.gs06 or g.elements[5:6] == [loc.gs06])
             and (not loc.isa13 or ic.elements[12:13] == [loc.isa13])} if outcome.parse is not None else set()
    if kinds and kinds <= _CHANGES:
        return "its change not applied (the order stays as it was)"
    if not kinds or kinds & _ORDERS:
        return "its order not taken"
    return "the set not read"


def intake_consequence(f: Finding, outcome: Outcome) -> str:
    """What happened because of an intake finding, in words (for the findings table and reports)."""
    spec = CATALOGUE.get(f.code)
    quarantined = outcome.disposition == "quarantine"
    if f.severity != "error":
        # an element error in what the order is not made of, noted (rules.lenient): the order went on
        if f.code in NOTED_ELEMENT_ERRORS:
            return "set accepted with errors noted (997 AK5 E); its order taken"
        if f.code == "VALUE_TOO_LONG_TO_ECHO":  # (rules.outbound.echoes_too_long) what it will do at ship time
            return ECHO_CONSEQUENCE[f.location.element == "BEG03"]
        if f.code == "IMPLIED_DECIMAL_STATED":  # read as stated; told the partner where X12 has a code for it
            return implied_decimal_consequence(f.location.element or "")
        return "none (warning)"
    if f.code in PARTNER_VERDICTS:  # the partner's file is taken; our document is what it refused
        return REJECTED_CONSEQUENCE
    if outcome.parse is None:  # a CSV order file: a bad row leaves its PO out, nothing is answered for it
        return ("the row's PO was not taken" if f.location.row is not None and spec and spec.level != "file"
                else "nothing read") + ("; file quarantined" if quarantined else "")
    level = spec.level if spec else "file"
    where = "; file quarantined" if quarantined else ""
    if level == "interchange":
        if f.code in TOLERATED_INTERCHANGE:
            return "interchange accepted with errors (TA1 E)" + where
        return "interchange rejected (TA1 R, no 997, no orders)" + where
    if level == "group":
        return "group rejected (997 AK9 R); its orders not taken" + where
    if level in ("set", "segment", "element"):
        return f"transaction set rejected (997 AK5 R); {_not_taken(f, outcome)}" + where
    if f.code == "PARTNER_SENDER_MISMATCH":
        return "interchange not answered, not processed" + where
    if f.code == "PARTNER_SWITCH_EARLY":  # [x12] early_ids "hold"
        return "interchange held: not answered, not processed until retaken" + where
    return "file quarantined" if quarantined else "reported"
