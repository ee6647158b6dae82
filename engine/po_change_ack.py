"""865 purchase order change acknowledgment: BCA, a DTM for each heading date the change moved, each POC of
the 860 echoed with an ACK, CTT.

Pure, the twin of engine.po_ack.build_855: the 860's header row and the ChangeResult of
engine.changes.apply_changes in, segments out (the envelope is engine.envelope's job).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from engine.changes import REJECTED, ChangeResult
from engine.po_ack import StatedSacs, _num, ack_sac
from parsers.x12_writer import Segment
from schemas.changes import HEADER_DATES
from schemas.order_keys import key_release, x12_po
from schemas.orders import RANGE_ENDS, SHIP_RANGE_SIDES, window_named


def change_ack_type(results: ChangeResult) -> str:
    """BCA02. The line statuses echo the buyer's own changes (IQ/IP/ID are what was asked), so "change"
    here means we did not take all of them: AD every POC applied, AC some rejected or done only in part
    (a decrease below what shipped: IQ with the shipped quantity), RD every POC rejected; with no POC
    lines, AK accepted (e.g. a whole-PO cancel) or RJ rejected."""
    statuses = [r.status for r in results.line_results]
    if not statuses:
        return "RJ" if results.rejected else "AC" if results.partial else "AK"
    if all(s == REJECTED for s in statuses):
        return "RD"
    return "AC" if REJECTED in statuses or any(r.code for r in results.line_results) else "AD"


def _date8(value: date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


# the most SAC loops the 865 has at its heading and in a POC loop (004010, 005010: LOOP SAC O 25)
SAC_LOOPS = 25


def build_865(header: Mapping, results: ChangeResult, *, today: date, sacs: StatedSacs | None = None
              ) -> list[Segment]:
    """Body of an 865 for one 860. ``header`` is its CHANGE_HEADERS row. ``sacs``: the allowances of the 860 we
    accepted (change_sacs_865: a deal agreed them), stated where X12's 865 has them: the heading's in its SAC loop
    (after BCA, before the DTMs), a POC loop's after its POC (before the ACK); none for a POC we refused (IR), nor
    at the heading of a change refused (RD, RJ)."""
    po_date = header.get("po_date") or header.get("change_date") or today
    body: list[Segment] = [
        [
            "BCA",
            "00",
            change_ack_type(results),
            x12_po(header["po_number"]),
            header.get("release_number") or key_release(header["po_number"]),  # the release changed
            header.get("change_order_ref") or "",
            _date8(po_date),
            "",
            "",
            "",
            _date8(today),
            _date8(header.get("change_date")),
        ]
    ]
    # the heading dates the change moved (DTM 002/010/037/038/001/063/064), as applied: the buyer sees them taken,
    # as it sent them: a DTM 010 / 002 range as its range (DTM05 RD8), and a ship window it gave as a DTM 010 range
    # (no 037 / 038: schemas.orders.window_named) not as a 037 / 038 it never sent
    kind = body[0][2]
    if sacs is not None and kind not in ("RD", "RJ"):
        body += [list(s) for s in sacs.heading[:SAC_LOOPS]]
    body += _moved_dates(header, results.order_changes)
    total: Decimal | None = None
    for result in results.line_results:
        poc = result.change
        ids: list[str] = []
        for pid in poc.get("product_ids") or []:
            ids += [pid["qualifier"], pid["id"]]
        body.append(
            [
                "POC",
                poc.get("line_id") or "",
                poc.get("change_type") or "",
                # a value past 4 decimals (a rejected POC's, or POC04 we do not apply) is echoed as sent
                _num(_as_sent(poc, "quantity_sent", "quantity_ordered")),
                _num(_as_sent(poc, "quantity_left_sent", "quantity_left_to_receive")),
                # no POC05, a price alone sent in a CTP per another unit (CTP05 CA): the unit it is stated per
                result.price_unit or poc.get("unit") or "",
                # a price we restated per the unit the POC moved its line to (it sent none): per that unit, no basis
                _num(result.price if result.price is not None else _as_sent(poc, "price_sent", "unit_price")),
                "" if result.price is not None else poc.get("price_basis") or "",
                *ids,
            ]
        )
        if sacs is not None and result.status != REJECTED:
            body += sacs.of_line(poc.get("line_id"))[:SAC_LOOPS]
        if poc.get("quantity_ordered") is not None:
            total = (total or Decimal(0)) + _as_sent(poc, "quantity_sent", "quantity_ordered")
        ack: list[str] = ["ACK", result.status]
        quantity, unit = result.acknowledged()  # in the POC's unit when it was converted to the line's
        if quantity is not None and unit:  # ACK02/ACK03 travel together
            ack += [_num(quantity), unit]
        if result.ship_date is not None and result.status != REJECTED:  # ACK04 068, ACK05: the line's last 855 day
            ack += [""] * (4 - len(ack)) + ["068", _date8(result.ship_date)]
        body.append(ack)
    if results.line_results:
        body.append(["CTT", str(len(results.line_results)), _num(total)])  # CTT02: hash total of POC03
    return body


def change_sacs_865(agreed, store_key: str, change_ref: str) -> StatedSacs | None:
    """Of one order's agreed allowances (rules.business.allowance_discounts.AgreedAllowance, as the rules judged the
    order as changed), those the 860 stored as ``store_key`` (its file) and ``change_ref`` (its set: ISA13-GS06-ST02)
    sent, as the 865 answering it states them (build_865 ``sacs``): the heading's, and each POC loop's by its POC01
    (the line_id an 860's line SAC keeps). None: the 860 sent none that was agreed. An 850's allowance the change left
    alone is the 855's to state, not the 865's."""
    heading: list[Segment] = []
    lines: dict[str, list[Segment]] = {}
    for a in agreed or ():
        sac = a.sac
        if sac.get("source_sha256") != store_key or "-".join(
                str(sac.get(k) or "") for k in ("isa13", "gs06", "st02")) != change_ref:
            continue
        seg = ack_sac(sac, a.deal)
        if sac.get("line_id") is not None:
            lines.setdefault(sac["line_id"], []).append(seg)
        elif sac.get("line_number") is None:
            heading.append(seg)
    if not heading and not lines:
        return None
    return StatedSacs(tuple(heading), {k: tuple(v) for k, v in lines.items()})


def _moved_dates(header: Mapping, moved: Mapping) -> list[Segment]:
    """The 865's DTMs of the heading dates ``moved`` (ChangeResult.order_changes) as the 860 (``header``: its
    CHANGE_HEADERS row) sent them: ``DTM*010****RD8*a-b`` for a range (schemas.orders.RANGE_ENDS), its window's sides
    from it left to the range."""
    out: list[Segment] = []
    for q, n in HEADER_DATES.items():
        if window_named(n, q, "", header)[0] != q:  # a side of the DTM 010 range: the range says it
            continue
        end = RANGE_ENDS.get(q)
        if end is not None and header.get(end) is not None and header.get(n) is not None and (
                moved.get(n) is not None or moved.get(end) is not None
                or (q == "010" and any(moved.get(side) is not None for side in SHIP_RANGE_SIDES))):
            out.append(["DTM", q, "", "", "", "RD8", f"{_date8(header[n])}-{_date8(header[end])}"])
        elif moved.get(n) is not None:
            out.append(["DTM", q, _date8(moved[n])])
        elif end is not None and end in moved and header.get(n) is not None:
            # a single day on the range's first day: the range ended (its end moved to none), the day echoed as sent
            # (no DTM was echoed: the date itself had not moved)
            out.append(["DTM", q, _date8(header[n])])
    return out


def _as_sent(poc: Mapping, sent: str, read: str) -> Decimal | None:
    """POC ``read``'s value, exactly as sent where our 4-decimal reading rounded it (``sent``: its text)."""
    return Decimal(poc[sent]) if poc.get(sent) else poc.get(read)
