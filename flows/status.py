"""`orderbridge status`: one order's whole story read from the state store. Its lines (deleted and
cancelled ones too, with what shipped and was invoiced), every document sent for it with the
partner's 997 verdict on it, its shipments (cartons, SSCCs, tracking numbers, the 856) and invoices
(the 810), the decisions people took, its history in one order (the store's global sequence), each
time labelled with its clock, and the reconciliation's exceptions about it. Read only: decides nothing.

`story()` returns the JSON document of `status --json`; its keys are stable (README, "status --json").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from connectors.state import StateStore
from parsers.sent_lots import lots_shipped
from schemas.ack_reasons import verdict_words
from schemas.lifecycle import (
    BILL_ONLY,
    BILL_ONLY_WORDS,
    ON_HOLD,
    ON_MEMO,
    PERSON_EVENTS,
    WAITING_ON_HOLD,
    LineRecord,
    OrderRecord,
    invoices_held,
    line_ended,
    memo_words,
    rebuilt_held,
    rebuilt_undecided,
)
from schemas.order_keys import x12_po
from schemas.parties import warehouse_party
from schemas.shipment_records import InvoiceRecord, ShipmentRecord, doc_key_store
from schemas.units import backordered_exactly, in_whole_units, rejected_exactly


def _plain(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return list(v)
    return v.value if hasattr(v, "value") else v


def story(state: StateStore, order: OrderRecord, dates: dict | None = None, line_dates: list | None = None,
          asked: dict | None = None) -> dict:
    """Everything `status` shows for ``order``, as plain JSON values; ``dates``: the PO's DTM dates
    (ORDER_DATES column -> date or None, from its stored table; {} when unread); ``line_dates``: its lines'
    own dates where they differ from the order's (flows.status_view._line_dates; [] when not asked); ``asked``:
    what its PO asked as its stored tables keep it (flows.status_view.asked: its ITD terms, CSH ship complete /
    do not exceed, each line's price basis and SDQ store quantities; None when not read: those keys are then
    null)."""
    partner, po = order.partner, order.po_number
    documents = state.documents_for_order(partner, po)
    resends = state.resends_of(partner, document_ids=[d["id"] for d in documents])
    # each document's sets are answered under its latest envelope, a delivered renumbered resend's when it went
    # again (the reconciliation's rule: docs/state-store.md, resends); the first sending is shown beside it
    latest = {r["document_id"]: r for r in resends if r["status"] == "delivered" and r["renumbered"]}
    numbers = {d["id"]: (latest[d["id"]]["isa13"], latest[d["id"]]["gs06"] or "", d["st02"] or "")
               if d["id"] in latest else (d["isa13"], d["gs06"] or "", d["st02"] or "") for d in documents}
    verdicts = state.document_status_for(partner, set(numbers.values()))
    verdict_of = {d["id"]: v for d in documents if (v := verdicts.get(numbers[d["id"]])) is not None}
    by_id = {d["id"]: d for d in documents}
    by_key = {d["doc_key"]: d for d in documents}
    history = state.order_history(partner, po)
    person = order.person
    shipments = state.shipments_for_order(partner, po)
    serials: dict[tuple[str, str], list[tuple[str, str, str]]] = {}  # (warehouse, shipment) -> its units' serials
    for w, sid, line_id, sku, serial in state.serials_of_order(partner, po):
        serials.setdefault((w, sid), []).append((line_id, sku, serial))
    returned: dict[tuple[str, str], list[tuple[str, ...]]] = {}  # (warehouse, shipment) -> its units returned since
    for w, sid, *unit in state.returned_serials_of_order(partner, po):
        returned.setdefault((w, sid), []).append(tuple(unit))
    lines = state.order_lines(partner, po)
    doc = with_asked({
        "order": {
            "partner": partner, "po_number": po, "state": order.state.value, "revision": order.revision,
            "answered_revision": order.answered_revision, "ack_type": order.ack_type,
            "answered_with": order.answered_with, "value": str(order.value), "currency": order.currency,
            "po_date": _plain(order.po_date), "purpose": order.purpose, "source_file": order.source_file,
            "source_sha256": order.source_sha256, "isa13": order.isa13, "gs06": order.gs06, "st02": order.st02,
            "x12_version": order.x12_version, "line_count": order.line_count, "hold_codes": list(order.hold_codes),
            "hold_reasons": list(order.hold_reasons), "codes": list(order.codes), "change_file": order.change_file,
            "received_at": order.received_at, "updated_at": order.updated_at,
            "order_type": order.order_type,
            # why no 810 went: the order shipped on memo (its state, or a shipment recorded with billing "memo")
            "no_invoice": memo_words(order.order_type) if order.state in ON_MEMO or any(
                s.billing == "memo" for s in shipments) else "",
            "dates": {name: _plain(value) for name, value in (dates or {}).items()},
            "line_dates": list(line_dates or ()),
            # a bill-only order (its lines placed "bill_only": [fulfilment.invoice] bill_only): why no 856 went
            "bill_only": BILL_ONLY_WORDS if any(ln.reason.startswith(BILL_ONLY) for ln in lines) else "",
            # an 855 RD's why: a person's rejection (who, why), or every line refused (no stock, the rules), "" else
            "rejected_for": _rejected_for(order, person, lines),
        },
        "person": ({"verdict": person.verdict, "by": person.by, "note": person.reason, "at": person.at,
                    "clock": "wall"} if person else None),
        # 860s refused (or touching no line) while the order waits for a person: no answer until the person
        # decides; the 855 of that decision (the next run after it) answers each
        "changes_on_hold": [{"file": c.source_file, "change_ref": c.change_ref, "received_at": c.received_at,
                             "outcome": _ON_HOLD_OUTCOME[c.status]}
                            for c in state.pending_changes(statuses=WAITING_ON_HOLD, keys=[order.key])],
        "lines": [_line(ln) for ln in lines],
        "documents": [{
            "document_id": d["id"], "type": d["doc_type"], "isa13": d["isa13"], "gs06": d["gs06"] or "",
            "st02": d["st02"] or "", "file_name": d["file_name"], "status": d["status"],
            "created_at": d["created_at"], "delivered_at": d["delivered_at"], "clock": "run", "run_id": d["run_id"],
            "doc_key": d["doc_key"],
            "partner_ack": _verdict_text(verdict_of.get(d["id"])),
        } for d in documents],
        # its documents ops sent again (`orderbridge resend`): who, when (wall clock), why, what went
        "resends": [{
            "document_id": r["document_id"], "type": r["doc_type"], "file_name": r["file_name"],
            "folder": r["folder"], "isa13": r["isa13"] or "", "gs06": r["gs06"] or "", "st02": r["st02s"] or "",
            "new_control_numbers": bool(r["renumbered"]), "status": r["status"], "asked_by": r["asked_by"],
            "asked_at": r["asked_at"], "note": r["note"], "delivered_at": r["delivered_at"], "clock": "wall",
        } for r in resends],
        # 810s and 856s another system of ours sent for this order, entered with `orderbridge record`: the
        # reconciliation counts them as ours, so the order's story shows them beside the documents we sent
        "recorded": [{**r, "clock": "wall"} for r in state.recorded_for_order(partner, po)],
        # the envelope answered (isa13, gs06, file, sent_at: a renumbered resend's when it went again) and, for a
        # resend, the document's first sending (first_sent; null: the envelope answered is the first)
        "partner_acks": [{
            "document_id": doc_id, "type": v["doc_type"], "isa13": v["isa13"], "gs06": v["gs06"], "st02": v["st02"],
            "file": v["file"], "sent_at": v["sent_at"],
            "first_sent": {"isa13": by_id[doc_id]["isa13"], "gs06": by_id[doc_id]["gs06"] or "",
                           "file": by_id[doc_id]["file_name"], "delivered_at": by_id[doc_id]["delivered_at"]}
            if doc_id in latest else None,
            "status": v["status"],
            "acked_at": v["acked_at"], "due_at": v["due_at"], "ack_type": v["ack_type"], "ack_file": v["ack_file"],
            # its lateness, and what timed it: "written" (the partner's own GS04/GS05, ISA09/ISA10 or 824 date) or
            # "picked_up" (when we took the file: the partner's time missing or not believable); null before
            # schema version 26 stored it, and while unanswered
            "minutes_to_ack": v["minutes_to_ack"], "ack_late": None if v["ack_late"] is None else bool(v["ack_late"]),
            "ack_timed_by": v["ack_timed_by"], "answered": answer_timing(v),
            "reasons": v["reasons"] or "", "as_of": v["as_of"], "clock": "run",
        } for doc_id, v in verdict_of.items()],
        "exceptions": [{
            "exception_id": x["exception_id"], "type": x["type"], "line_number": x["line_number"],
            "document_ref": x["document_ref"], "amount_at_risk": x["amount_at_risk"], "currency": x["currency"],
            "age_days": x["age_days"], "state": x["state"], "found": bool(x["active"]), "message": x["message"],
        } for x in state.exceptions_of_order(partner, po)],
        "findings": [{
            "code": f["code"], "severity": f["severity"], "stage": f["stage"] or "", "message": f["message"] or "",
            "consequence": f["consequence"] or "", "file": f["file"] or "", "isa13": f["isa13"] or "",
            "st02": f["st02"] or "", "segment_id": f["segment_id"] or "", "element": f["element"] or "",
            "value": f["value"], "line_number": f["line_number"], "run_id": f["run_id"] or "",
        } for f in state.findings(partner=partner, po_number=po)],
        "decisions": [{"event": h["event"], "by": h["actor"], "at": h["at"], "clock": h["clock"],
                       "note": h["note"] or ""} for h in history if h["event"] in PERSON_EVENTS],
        "history": [{
            "seq": h["seq"], "at": h["at"], "clock": h["clock"], "event": h["event"], "from_state": h["from_state"],
            "to_state": h["to_state"], "revision": h["revision"], "actor": h["actor"], "note": h["note"] or "",
            "run_id": h["run_id"] or "",
            "document": ({"document_id": h["document_id"], "type": by_id[h["document_id"]]["doc_type"],
                          "isa13": by_id[h["document_id"]]["isa13"],
                          "file_name": by_id[h["document_id"]]["file_name"]}
                         if h["document_id"] in by_id else None),
        } for h in history],
        "reservations": [{"line_number": r.line_number, "warehouse": r.warehouse, "sku": r.sku,
                          "quantity": r.quantity} for r in state.order_reservations(partner, po)],
        "shipments": [_shipment(s, po, by_key, _lots(state, s, po, by_key), serials.get((s.warehouse, s.shipment_id)),
                                returned.get((s.warehouse, s.shipment_id)), _warehouse_acks(state, s))
                      for s in shipments],
        "invoices": [_invoice(v, by_key, shipments, None if asked is None else {
            k: ln.get("price_basis") or "" for k, ln in (asked.get("lines") or {}).items()})
            for v in state.invoices_for_order(partner, po)],
        "file_takes": _file_takes(state, order, shipments),
    }, asked)
    doc["invoices_held"] = invoices_held(doc)
    kind = (state.run(order.run_id) or {}).get("kind") if order.run_id else None
    if rebuilt_undecided(order.state, kind):
        doc["rebuilt"] = REBUILT_RECEIVED
    elif rebuilt_held(order.state, kind):
        doc["rebuilt"] = REBUILT_HELD
    return doc


# an order a state rebuild took in again and no answer in the outbox decided: its rules, and a hold with its
# reasons, are not in the files (docs/state-store.md, Recovery)
REBUILT_RECEIVED = ("taken in again by `orderbridge state rebuild`: no answer in the outbox decided it and no run "
                    "report in reports/ says it was held, so the next run decides it again (its rules' findings are "
                    "not kept in the files; a person's decision not yet answered was lost with the store)")
# an order a state rebuild held again from the run report of the night that held it (engine.lifecycle.restore_holds)
REBUILT_HELD = ("held again by `orderbridge state rebuild` as the run report of the night that held it says (its hold "
                "codes and reasons); a person's decision on it not yet answered was lost with the store: decide it "
                "again (`orderbridge approvals`)")


_ON_HOLD_OUTCOME = {ON_HOLD["refused"]: "refused", ON_HOLD["answered"]: "changed no line"}


def _file_takes(state: StateStore, order: OrderRecord, shipments: list[ShipmentRecord]) -> list[dict]:
    """The earlier takes of the order's file and of its shipments' confirmation files that ops asked to take
    again (`orderbridge retake`), oldest first: what each take left the file, who asked, when (wall clock), why."""
    files = {(order.partner, order.source_sha256): "order"} if order.source_sha256 else {}
    for s in shipments:
        if s.source_sha256:
            files.setdefault((warehouse_party(s.warehouse), s.source_sha256), f"shipment {s.shipment_id}")
    return [{"of": of, "take": t["take"], "file": t["name"], "sha256": t["sha256"], "received_at": t["received_at"],
             "run_id": t["run_id"] or "", "status": t["status"], "error_count": t["error_count"] or 0,
             "asked_by": t["asked_by"], "asked_at": t["asked_at"], "note": t["note"], "clock": "wall"}
            for (key, sha), of in files.items() for t in state.file_takes(key, sha)]


def _doc(doc_key: str, by_key: dict) -> dict | None:
    d = by_key.get(doc_key)
    if d is None:
        return None
    return {"document_id": d["id"], "type": d["doc_type"], "isa13": d["isa13"], "gs06": d["gs06"] or "",
            "st02": d["st02"] or "", "file_name": d["file_name"], "status": d["status"],
            "created_at": d["created_at"], "delivered_at": d["delivered_at"]}


def _lots(state: StateStore, s: ShipmentRecord, po: str, by_key: dict) -> list[dict]:
    """The lots and expiry dates the shipment's 856 lists for ``po`` (a partner whose 856 carries lots,
    asn.lots: read back from the 856 as sent, parsers.sent_documents.lots_shipped); [] when it lists none."""
    d = by_key.get(s.asn_doc_key)
    content = state.document_content(d["id"]) if d is not None else None
    if not content or b"LT" not in content:
        return []
    return [{**lot, "expiration_date": _plain(lot["expiration_date"])} for lot in lots_shipped(
        content, st02=d["st02"] or "", po_number=x12_po(po))]


def _warehouse_acks(state: StateStore, s: ShipmentRecord) -> list[dict]:
    """The 997s (and TA1s) we sent the warehouse answering the 945 file the shipment came in (flows.shipments),
    as a partner's 997s answering its 850's file are among the order's documents; [] for a CSV export."""
    if not s.source_sha256:
        return []
    return [{"document_id": d["id"], "type": d["doc_type"], "isa13": d["isa13"], "gs06": d["gs06"] or "",
             "st02": d["st02"] or "", "file_name": d["file_name"], "status": d["status"],
             "created_at": d["created_at"], "delivered_at": d["delivered_at"], "clock": "run",
             "answers_isa13": d["answers_isa13"], "answers_gs06": d["answers_gs06"] or ""}
            for d in state.answers_to_file(warehouse_party(s.warehouse), s.source_sha256)]


def _shipment(s: ShipmentRecord, po: str, by_key: dict, lots: list[dict] | None = None,
              serials: list[tuple[str, str, str]] | None = None, returned: list[tuple[str, ...]] | None = None,
              acks: list[dict] | None = None) -> dict:
    """One shipment as `status` shows it for ``po``: its header, the 856, the 997s/TA1s we answered its 945 file with
    (``acks``), its cartons (and pallets) with their SSCCs, the order's lines on it, the lots (with their expiry) its
    856 lists for them, and each line's serial numbers shipped (``serials``: (line id, item, serial) of each unit,
    StateStore.serials_of_order), with those of its units ops marked returned since (``returned``: (line id, item,
    serial, returned_at, returned_by, reason), StateStore.returned_serials_of_order)."""
    by_line: dict[tuple[str, str], list[str]] = {}
    for line_id, sku, serial in serials or ():
        by_line.setdefault((line_id, sku), []).append(serial)
    back: dict[tuple[str, str], list[dict]] = {}
    for line_id, sku, serial, at, by, why in returned or ():
        back.setdefault((line_id, sku), []).append({"serial": serial, "returned_at": at, "returned_by": by,
                                                    "reason": why})
    mine = [ln for ln in s.lines if ln.po_number == po]
    labels = {ln.carton for ln in mine} | {ln.pallet for ln in mine}
    return {
        "warehouse": s.warehouse, "shipment_id": s.shipment_id, "ship_date": _plain(s.ship_date),
        "ship_time": s.ship_time.isoformat(timespec="minutes") if s.ship_time else "", "carrier": s.carrier_scac,
        "service_level": s.service_level, "tracking_number": s.tracking_number, "bill_of_lading": s.bill_of_lading,
        "source_file": s.source_file, "departed_at": s.departed_at, "asn_due_at": s.asn_due_at,
        "asn_at": s.asn_at, "asn_late": s.late, "billing": s.billing, "asn": _doc(s.asn_doc_key, by_key),
        "cartons": [{"level": "pallet" if c.level == "T" else "carton", "label": c.label, "sscc": c.sscc,
                     "ours": c.serial is not None, "pallet": c.pallet, "weight": _plain(c.weight),
                     "weight_unit": c.weight_unit} for c in s.cartons if c.po_number == po or c.label in labels],
        "lines": [{"line_number": ln.line_number, "line_id": ln.line_id, "sku": ln.sku, "quantity": _plain(ln.quantity),
                   "unit": ln.unit, "carton": ln.carton, "pallet": ln.pallet, "mark_for_store": ln.mark_for_store,
                   "net_weight": _plain(ln.net_weight), "net_weight_unit": ln.net_weight_unit} for ln in mine],
        "lots": list(lots or ()),
        "warehouse_acks": list(acks or ()),  # our 997s/TA1s answering the warehouse's 945 file
        "serials": [{"line_id": line_id, "sku": sku, "count": len(units), "serials": units,
                     "returned": back.get((line_id, sku), [])} for (line_id, sku), units in by_line.items()],
    }


def _invoice(v: InvoiceRecord, by_key: dict, shipments: list[ShipmentRecord],
             bases: dict[str, str] | None = None) -> dict:
    """One 810 as `status` shows it; each line with the net weight it billed (``net_weight``, its unit) when
    it was billed by weight (a catch-weight line: its amount is the net weight shipped on the shipments the
    810 bills times its price per pound, not its cases times it), else None; ``bases``: each line's price basis
    (PO105), when the order's stored lines were read: the unit billing billed its weight in."""
    weights = _billed_weights(v, shipments, bases)
    return {"invoice_number": v.invoice_number, "invoice_date": _plain(v.invoice_date), "shipment_id": v.shipment_id,
            "warehouse": v.warehouse, "currency": v.currency, "merchandise": _plain(v.merchandise),
            "charges": _plain(v.charges), "tax": _plain(v.tax) if v.tax else None, "total": _plain(v.total),
            "document": _doc(v.doc_key, by_key),
            "store": doc_key_store(v.doc_key),  # the store it bills ([fulfilment.invoice] per "store")
            "lines": [{"line_number": ln.line_number, "line_id": ln.line_id, "quantity": _plain(ln.quantity),
                       "unit": ln.unit, "unit_price": _plain(ln.unit_price), "amount": _plain(ln.amount),
                       "net_weight": _plain(weights.get(ln.line_number, (None, ""))[0]),
                       "net_weight_unit": weights.get(ln.line_number, (None, ""))[1]}
                      for ln in v.lines]}


def _billed_weights(v: InvoiceRecord, shipments: list[ShipmentRecord],
                    bases: dict[str, str] | None = None) -> dict[int, tuple[Decimal, str]]:
    """Line number -> (net weight, unit) of the 810's lines billed by weight: what billing recorded on the invoice line
    (InvoicedLine.net_weight, net_weight_unit). For a line invoiced before the store kept it: the line's net weights
    on the shipments it bills (its own shipment; every shipment of the PO for an 810 per order), each row converted
    to the unit billing billed it in and added, as billing adds them (schemas.units.billed_weight: none when a row
    of it gave none or its unit is no weight), when that weight times the price, to the cent as our invoices round
    (engine.invoice.money), is the amount billed (and the quantity times it is not): engine.lifecycle.billing bills
    a catch-weight line so (the invoice record keeps the cases and the amount). The unit is the one billing takes
    from the line's price basis (``bases``: line id -> PO105 as the order's stored lines keep it, when read: PP
    bills in LB, PK in KG); without it, the first unit (as weighed, else LB, KG ...) whose weight times the price is
    the amount billed."""
    # what billing recorded (invoice_lines.net_weight, net_weight_unit: a store of version 14 on); a line invoiced
    # before has none: its weight is worked out below, as it was
    out = {ln.line_number: (ln.net_weight, ln.net_weight_unit) for ln in v.lines if ln.net_weight is not None}
    if len(out) == len(v.lines):
        return out
    billed = [s for s in shipments if not v.shipment_id or (s.warehouse, s.shipment_id) == (v.warehouse, v.shipment_id)]
    rows = [("", "", v.po_number, ln.line_number, ln.net_weight, ln.net_weight_unit)
            for s in billed for ln in s.lines if ln.po_number == v.po_number]
    if all(r[4] is None for r in rows):
        return out  # nothing weighed (most orders): status reads no pyarrow for them
    from engine.invoice import money
    from engine.lifecycle.billing import net_weights
    from schemas.units import KILOGRAMS_PER, PRICE_PER_MEASURE, billed_weight

    found = net_weights(rows).get(("", "", v.po_number), {})
    for ln in v.lines:
        got = found.get(ln.line_number, ())
        if ln.line_number in out or not got or any(w is None for w, _u in got):
            continue
        basis = (bases or {}).get(ln.line_id or str(ln.line_number), "")
        measures = PRICE_PER_MEASURE.get(basis, ())[:1] if basis else (*dict.fromkeys(
            u for _w, u in got), *KILOGRAMS_PER)  # billing's unit, else each it may have been (19.2 KG per LB)
        for measure in dict.fromkeys(measures):
            weight = billed_weight(got, measure)
            if weight is not None and money(weight * ln.unit_price) == ln.amount != money(ln.quantity * ln.unit_price):
                out[ln.line_number] = (weight, measure)
                break
    return out


# CSH01 (code list 563) in words, for the codes partners send most
SALES_REQUIREMENTS = {"SC": "ship complete", "N": "no back order", "SP": "ship partial, balance cancel",
                      "Y": "back order if out of stock"}


def with_asked(doc: dict, asked: dict | None) -> dict:
    """``doc`` (a story) with what its PO asked (flows.status_view.asked) in its keys: the order's ``terms``
    (ITD), ``sales_requirement`` (CSH01: code and words), ``do_not_exceed`` (CSH03 and CSH02) and, for a
    ship-complete order (CSH01 SC), ``ship_complete_date``, the one day its live lines are promised for (null
    when several or none); each line's ``price_basis`` (PO105), ``price_per`` (the unit it is per: LB for PP),
    ``store_quantities`` (its SDQ pairs), ``dates`` (its own DTM dates set: requested_ship_date,
    requested_delivery_date, cancel_after, do_not_deliver_before / after, ISO) and ``refs`` (its PO1 loop's
    REFs as sent: [{"qualifier", "id"}, ...], a drop-ship hub's REF*CO the consumer's order); and the story's
    ``changes``, what each 860 changed old -> new (flows.status_view.changes). Every one of them null when
    ``asked`` is None (not read)."""
    o = doc["order"]
    doc["changes"] = None if asked is None else list(asked.get("changes") or ())
    if asked is None:
        o.update(terms=None, sales_requirement=None, do_not_exceed=None, ship_complete_date=None)
        for ln in doc["lines"]:
            ln.update(price_basis=None, price_per=None, store_quantities=None, dates=None, refs=None)
        return doc
    from schemas.orders import SHIP_COMPLETE  # (pyarrow: only when the stored tables were read)

    code = asked.get("sales_requirement") or ""
    days = {ln["promised_date"] for ln in doc["lines"] if not line_ended(ln["state"]) and ln["promised_date"]}
    o.update(terms=asked.get("terms") or {},
             sales_requirement={"code": code, "text": SALES_REQUIREMENTS.get(code, "")} if code else None,
             do_not_exceed=asked.get("do_not_exceed"),
             ship_complete_date=next(iter(days)) if code in SHIP_COMPLETE and len(days) == 1 else None)
    kept_lines = asked.get("lines") or {}
    for ln in doc["lines"]:
        kept = kept_lines.get(ln["line_id"] or str(ln["line_number"]), {})
        ln.update(price_basis=kept.get("price_basis", ""), price_per=_price_per(kept.get("price_basis", "")),
                  store_quantities=kept.get("store_quantities", []), dates=kept.get("dates", {}),
                  refs=kept.get("refs", []))
    return doc


def _parts(ln: LineRecord) -> tuple:
    """(allocated, backordered, rejected) of a stored line as its 855 stated them: whole units (ints) of a line in
    whole units; exactly, as text, for a line in a fraction of its unit (12.5 LB placed is stored 12; 2.5 LB
    backordered 3 with backordered_over 0.5; a fraction rejected with its rejected_fraction), never its whole units."""
    whole = (ln.allocated, ln.backordered, ln.rejected)
    if in_whole_units(ln.ordered, ln.rejected_fraction, ln.backordered_over):
        return whole
    back = backordered_exactly(ln.backordered, ln.backordered_over)
    exact = (ln.promised_exact - back, back, rejected_exactly(ln.rejected, ln.rejected_fraction))
    if all(e == w for e, w in zip(exact, whole, strict=True)):
        return whole
    return tuple(str(int(e)) if e == e.to_integral_value() else format(e.normalize(), "f") for e in exact)


def _rejected_for(order, person, lines) -> str:
    """Why the order was answered 855 RD (engine.refusals.why_rejected), "" when it was not."""
    if order.ack_type != "RD":
        return ""
    from engine.lifecycle import VERDICT_APPROVED, VERDICT_REJECTED
    from engine.refusals import why_rejected

    verdict = person.verdict if person else ""
    return why_rejected([_line(ln) for ln in lines], rejected_by=person.by if verdict == VERDICT_REJECTED else "",
                        note=person.reason if verdict == VERDICT_REJECTED else "",
                        approved_by=person.by if verdict == VERDICT_APPROVED else "")


def _line(ln: LineRecord) -> dict:
    allocated, backordered, rejected = _parts(ln)
    return {"line_number": ln.line_number, "line_id": ln.line_id, "sku": ln.sku, "state": ln.state.value,
            "ack": ln.ack, "ordered": _plain(ln.ordered), "unit": ln.unit, "unit_price": _plain(ln.unit_price),
            "ack_price": _plain(ln.ack_price), "allocated": allocated, "backordered": backordered,
            "rejected": rejected, "promised_date": _plain(ln.promised_date), "warehouses": ln.warehouses,
            "reason": ln.reason, "codes": list(ln.codes), "revision": ln.revision, "shipped": _plain(ln.shipped),
            "invoiced": _plain(ln.invoiced),
            # the item the buyer ordered when the line ships its substitute (sku): null on every other line
            "substituted_from": ln.ordered_sku or None,
            # the units of its balance cancelled after shipment, of its backorder cancelled past the order's last
            # date, and its promise before an 860 cut it below what shipped: null when none (kept among its codes as
            # BALANCE_CANCELLED:n, EXPIRED:n, CUT_FROM:n before store version 34)
            "balance_cancelled": _plain(ln.balance_cancelled) if ln.balance_cancelled else None,
            "expired": _plain(ln.expired) if ln.expired else None, "cut_from": ln.cut_from}


def _price_per(basis: str) -> str:
    """The unit a PO105 price is per (PP: LB, PK: KG ...; schemas.units.PRICE_PER_MEASURE); "" for a price per
    the line's own unit or a basis naming none."""
    if not basis or basis == "PE":
        return ""
    from schemas.units import PRICE_PER_MEASURE

    return next(iter(PRICE_PER_MEASURE.get(basis, ())), "")


_TIMED_BY = {"written": "by the partner's own time", "picked_up": "by our pick-up"}


def answer_timing(v: dict) -> str:
    """When a document's answer came, in words: "2026-11-28T09:00:00 (picked up); answered 95 min after we sent it,
    by the partner's own time, on time" ("" while unanswered). acked_at is when we picked the answer up; the lateness
    was measured by the partner's own time when it was believable (ack_timed_by "written"), else by the pick-up."""
    if not v["acked_at"]:
        return ""
    text = f"{v['acked_at']} (picked up)"
    if v["minutes_to_ack"] is not None:
        by = _TIMED_BY.get(v.get("ack_timed_by") or "", "")
        late = "" if v["ack_late"] is None else ", late" if v["ack_late"] else ", on time"
        text += f"; answered {v['minutes_to_ack']} min after we sent it{', ' + by if by else ''}{late}"
    return text


def _verdict_text(v: dict | None) -> str | None:
    """A document's verdict from its partner's 997/999, in a few words (None: not acknowledged by
    partners, as our 997s and TA1s, or not reconciled yet); `partner_acks` has the details."""
    if v is None:
        return None
    text = verdict_words(v["status"], v["ack_type"])
    if v["acked_at"]:
        text += f" ({v['ack_type']} {v['acked_at']})"
    elif v["status"] in ("overdue", "pending"):
        text += f" (due {v['due_at']})"
    return text
