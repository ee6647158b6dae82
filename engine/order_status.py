"""870 Order Status Report as a partner's answer to a purchase order: for a partner whose guide asks for a detail
order status report where others take an 855 (Lands' End: "a detail level acknowledgement (870)"; the profile's
``receives`` names "870" instead of "855").

The same decision the 855 answers is told (engine.po_ack.LineAck per line: its ACK statuses, quantities and
dates), in the 870's shape: BSR, the order level (HL O with the PO's PRF), then per line an item level (HL I,
child of the order) with the PO1 as the 855 echoes it (our price when it differs) and one ISR per ACK the 855
would write, ISR01 the status mapped from the 855's ACK01 (ISR_STATUS) and ISR02 the ACK's ship date; CTT.

ISR_STATUS: element 368 Shipment/Order Status Code (X12 004010) for each 855 line status (element 668):

- IA accepted, and the accepted-with-changes IQ/IP/IC/DR/AR (quantity, price, schedule, or a change of ours:
  the PO1 and dates carry them): AS "Available Now - Scheduled to Ship (date)" with ISR02 the ship day, or IN
  "In Process" without one.
- IS substitution: IS "Item Represents Substitution from Original Order".
- IB backordered: BO "Back Ordered" (ISR02 the promised day when there is one).
- BP partial shipment, balance backordered: BP "Shipment Partial, Back Order to Ship on (Date)".
- AC accepted and shipped: CC "Shipment Complete on (Date)".
- IR and R1..R8 rejected, ID deleted: IC "Item Canceled".
- IH, IW, IF, SP on hold / pending: PH "Product On Hold".
- anything else: IN "In Process".

The 870 has no element for an accepted quantity other than the PO1's: a part's quantity is told by its status
(a line partly backordered has a BP and a BO item status report). BSR01 2 (Prearranged Schedule or Agreement:
the partner's guide asks for it on each PO), BSR02 PA (Selected Orders - All Items: one PO, every line), BSR03
the PO number (the report is about that PO; 1/30 holds any 1/22 PO number), BSR04 today.

Agreed allowances (a partner whose acknowledgment states them: [acks.po_ack] allowances = "agreed"): a line's, as
its 855 states them in its PO1 loop (engine.po_ack.SAC_LIST: the PO's SAC with the deal in SAC13), are in its first
ISR loop (the 870's only SAC: PO1 loop > ISR loop, position 240, after REF; 25 at most) of every version 004010-005010.
The 870 has no SAC in its heading nor its order level: a heading allowance a deal agreed is not stated (the 855 of a
partner answered by 855s states it; docs/onboarding.md).

Pure: an order row, its lines and a LineAck per line in; segments out.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from engine.po_ack import SAC_LIST, AckPart, LineAck, _num
from parsers.x12_writer import Segment
from schemas.order_keys import x12_po

ISR_STATUS = {
    "IA": "AS", "IQ": "AS", "IP": "AS", "IC": "AS", "DR": "AS", "AR": "AS",
    "IS": "IS",
    "IB": "BO",
    "BP": "BP",
    "AC": "CC",
    "IR": "IC", "ID": "IC", **{f"R{n}": "IC" for n in range(1, 9)},
    "IH": "PH", "IW": "PH", "IF": "PH", "SP": "PH",
}
DATED_ONLY = {"AS": "IN"}  # a status that names a date, and what is said when the part has none
ISR_SACS = 25  # the ISR loop's SAC: max use 25 (004010, 005010)
STATUS_REPORT = "2"  # BSR01: Prearranged Schedule or Agreement
ORDER_ITEMS = "PA"  # BSR02: Selected Orders - All Items


ACK_OF_ISR = {"AS": "IA", "IN": "IA", "IS": "IS", "BO": "IB", "BP": "BP", "CC": "AC", "IC": "IR", "PH": "IH"}


def as_acks(quantity: Decimal | None, isrs: tuple) -> tuple[tuple[str, Decimal | None], ...]:
    """One line of an 870 read back (a state rebuild) as the 855 ACKs it stands for: each ISR01 as the ACK01 it was
    written for (ACK_OF_ISR: the accepted-with-changes statuses read as IA, their PO1 carries the change; an item
    canceled as IR), its quantity PO102 when the line has one status (the report gives none per status), else
    unknown."""
    codes = [ACK_OF_ISR.get(code, "IA") for code, _ in isrs]
    return tuple((code, quantity if len(codes) == 1 else None) for code in codes)


def isr_status(ack_status: str, ship_date: date | None) -> str:
    """ISR01 for one 855 ACK status (and whether its part has a date)."""
    code = ISR_STATUS.get(ack_status, "IN")
    return DATED_ONLY.get(code, code) if ship_date is None else code


def build_870(order: dict, lines: list[dict], acks: list[LineAck], *, today: date) -> list[Segment]:
    """Body of an 870 (BSR .. CTT, without ST/SE) for one PO. ``order``: po_number, po_date, release_number;
    ``lines``: canonical line rows (schemas.orders), ``acks`` their statuses, aligned."""
    if len(lines) != len(acks):
        raise ValueError("one LineAck per line is required")
    po = x12_po(order["po_number"])
    po_date = order.get("po_date")
    body: list[Segment] = [["BSR", STATUS_REPORT, ORDER_ITEMS, po, today.strftime("%Y%m%d")],
                           ["HL", "1", "", "O"],
                           ["PRF", po, order.get("release_number") or "", "",
                            po_date.strftime("%Y%m%d") if po_date else ""]]
    total = Decimal(0)
    for n, (line, ack) in enumerate(zip(lines, acks, strict=True), 2):
        ids = [v for pid in line.get("product_ids") or [] for v in (pid["qualifier"], pid["id"])]
        price = ack.unit_price if ack.unit_price is not None else line.get("unit_price")
        body.append(["HL", str(n), "1", "I"])
        body.append(["PO1", line.get("line_id") or str(line["line_number"]), _num(line.get("quantity")),
                     line.get("unit") or "", _num(price), line.get("price_basis") or "", *ids])
        total += line.get("quantity") or Decimal(0)
        qty = ack.quantity if ack.quantity is not None else line.get("quantity")
        sacs = [list(seg) for seg in line.get(SAC_LIST) or ()][:ISR_SACS]  # its agreed allowances: the first ISR's
        for part in ack.parts or (AckPart(ack.status, qty, ack.ship_date),):
            isr = ["ISR", isr_status(part.status, part.ship_date)]
            if part.ship_date is not None:
                isr.append(part.ship_date.strftime("%Y%m%d"))
            body.append(isr)
            body += sacs
            sacs = []
    body.append(["CTT", str(len(lines)), _num(total)])
    return [_trimmed(seg) for seg in body]


def _trimmed(seg: Segment) -> Segment:
    """A segment without its trailing empty elements."""
    out = list(seg)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out
