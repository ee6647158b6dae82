"""855 purchase order acknowledgment: BAK, the PO1 lines echoed with an ACK each, CTT.

Pure: an order row, its lines and a status per line in; segments out. Issue-level statuses
(IA/IB/IQ/IP/IR...) are decided elsewhere (rules, allocation) and passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from parsers.x12_writer import Segment

CHANGE_STATUSES = {"IB", "BP", "IC", "IP", "IQ", "IS", "DR", "IH", "IR", "ID"}


@dataclass(frozen=True, slots=True)
class AckPart:
    """One ACK segment: a status for part of the line's quantity (e.g. BP shipped + IB backordered)."""

    status: str
    quantity: Decimal | None
    ship_date: date | None = None


@dataclass(frozen=True, slots=True)
class LineAck:
    status: str = "IA"  # ACK01
    quantity: Decimal | None = None  # ACK02 (defaults to the ordered quantity)
    unit_price: Decimal | None = None  # our price when it differs (IP)
    ship_date: date | None = None  # ACK05 with ACK04 = 068 (current schedule ship)
    parts: tuple[AckPart, ...] = ()  # when set: one ACK per part instead of the single one above

    def statuses(self) -> list[str]:
        return [p.status for p in self.parts] or [self.status]


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def ack_type(statuses: list[str]) -> str:
    """BAK02: AD accepted as sent, AC accepted with changes, RD rejected (every line rejected)."""
    if statuses and all(s == "IR" for s in statuses):
        return "RD"
    if any(s in CHANGE_STATUSES for s in statuses):
        return "AC"
    return "AD"


def build_855(order: dict, lines: list[dict], acks: list[LineAck], *, today: date,
              purpose: str = "00") -> list[Segment]:
    """Body of an 855 for one PO. ``order``/``lines`` are canonical table rows (schemas.orders)."""
    if len(lines) != len(acks):
        raise ValueError("one LineAck per line is required")
    statuses = [st for a in acks for st in a.statuses()]
    po_date = order.get("po_date")
    body: list[Segment] = [["BAK", purpose, ack_type(statuses), order["po_number"],
                            po_date.strftime("%Y%m%d") if po_date else today.strftime("%Y%m%d"), "", "", "", "",
                            today.strftime("%Y%m%d")]]
    total = Decimal(0)
    for line, ack in zip(lines, acks, strict=False):
        ids: list[str] = []
        for pid in line.get("product_ids") or []:
            ids += [pid["qualifier"], pid["id"]]
        price = ack.unit_price if ack.unit_price is not None else line.get("unit_price")
        body.append(["PO1", line.get("line_id") or str(line["line_number"]), _num(line.get("quantity")),
                     line.get("unit") or "", _num(price), line.get("price_basis") or "", *ids])
        qty = ack.quantity if ack.quantity is not None else line.get("quantity")
        total += qty or Decimal(0)
        parts = ack.parts or (AckPart(ack.status, qty, ack.ship_date),)
        for part in parts:
            ack_seg = ["ACK", part.status, _num(part.quantity), line.get("unit") or ""]
            if part.ship_date:
                ack_seg += ["068", part.ship_date.strftime("%Y%m%d")]
            body.append(ack_seg)
    body.append(["CTT", str(len(lines)), _num(total)])
    return body
