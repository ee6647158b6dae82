"""Units shipped that a grocer's 880 cannot state (schemas.grocery_invoice.g17_of: the G17 has no basis of price, so 7
EA of a line at 4.99 per dozen is neither 0.58333 DZ nor 0.41583... per EA): which lines of an invoice due are such,
and the finding that holds the invoice (INVOICE_HELD_NOT_ON_880), said once. A line fine at intake (24 EA: 2 DZ) may
ship part of itself so; billing (engine.lifecycle.billing) holds its 880 and bills it with the shipment that completes
the dozen. Pure: no store, no documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import NamedTuple, Protocol

from schemas.findings import finding
from schemas.grocery_invoice import EACHES_BY_MANY, G1703_DIGITS, g17_of
from schemas.lifecycle import FindingRecord

HELD = "INVOICE_HELD_NOT_ON_880"
STAGE = "invoicing"
CONSEQUENCE = "880 held (no number): billed with the shipment completing the dozen, else by hand"


class _Line(Protocol):  # what is read of an order line (engine.lifecycle.billing.BilledLine, LineRecord)
    line_number: int
    line_id: str
    unit: str
    unit_price: Decimal | None
    ack_price: Decimal | None
    priced_per: Decimal


class Unstated(NamedTuple):
    """A line of an invoice due whose units the 880 cannot state: its number and PO101, the units billed, its unit,
    the price billed (ours when we changed it, else PO104) and how many units that price is of."""

    line_number: int
    line_id: str
    quantity: Decimal
    unit: str
    price: Decimal
    many: Decimal


def unstated(quantities: Mapping[int, Decimal], lines: Iterable[_Line]) -> list[Unstated]:
    """The lines of an invoice billing ``quantities`` (line number -> units) that its 880 cannot state, in line
    order: a price kept per several units (the stored line's priced_per, schemas.units.priced_per) whose price per
    unit is not exact in G1703's 9 digits and whose units billed are no whole number of dozens (hundreds,
    thousands). A line without a price is left to the builder (INVOICE_NOT_BUILT)."""
    by_number = {ln.line_number: ln for ln in lines}
    out = []
    for n in sorted(quantities):
        ln = by_number.get(n)
        if ln is None or ln.priced_per == 1:
            continue
        price = ln.ack_price if ln.ack_price is not None else ln.unit_price
        many = ln.priced_per
        if price is None or many == 1:
            continue
        if g17_of(quantities[n], ln.unit or "EA", price, many) is None:
            out.append(Unstated(n, ln.line_id, quantities[n], ln.unit or "EA", price, many))
    return out


def held_finding(partner: str, po_number: str, doc_key: str, where: str, lines: list[Unstated]) -> FindingRecord:
    """INVOICE_HELD_NOT_ON_880 for the 880 ``doc_key`` (of ``where``: "shipment SHP-1 (east)") of ``po_number``,
    at its first line the 880 cannot state (its line number; the doc key as its value), naming each."""
    said = []
    for u in lines:
        unit = EACHES_BY_MANY.get(int(u.many)) if int(u.many) == u.many else None
        whole = f"no whole number of {unit}" if unit else f"no whole number of {_text(u.many)} {u.unit}"
        said.append(f"line {u.line_number} (PO101 {u.line_id or u.line_number}): {_text(u.quantity)} {u.unit} at "
                    f"{_text(u.price)} per {_text(u.many)} {u.unit} is {whole}, and {_text(u.price)} / "
                    f"{_text(u.many)} no price per {u.unit} of at most {G1703_DIGITS} digits")
    f = finding(HELD, (
        f"PO {po_number}, {where}: the 880 ({doc_key}) is held, not sent: its G17 has no basis of price and "
        + "; ".join(said) + ". It waits, said once, not retried as an error: the shipment that completes the dozen "
        "bills its units with these on one 880; if none will (the rest cancelled or not owed), invoice these units "
        "by hand and explain the reconciliation's SHIPPED_NOT_INVOICED."), line_number=lines[0].line_number,
        value=doc_key)
    return FindingRecord(f, partner, po_number, CONSEQUENCE, STAGE)


def _text(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
