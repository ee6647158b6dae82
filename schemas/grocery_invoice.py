"""What the 880 Grocery Products Invoice's G17 can state of a line: its quantity (G1701), unit (G1702) and item list
cost (G1703), the G17 having no basis of price (no IT105): one rule, read by the 880's writer (engine.invoice_880)
and by the intake rules (rules.business.money: a line the partner's 880 could never bill is found when it comes in,
not refused by billing night after night). Definitions and arithmetic only: no documents, no findings.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from schemas.units import EACH_UNITS, priced_per

G1703_DIGITS = 9  # element 237 (item list cost): R 1/9
G1701_DIGITS = 10  # element 358 (quantity invoiced): R 1/10 in 004010 (1/15 in 005010: the lesser holds for both)
# a line in eaches (EA, or its twins UN unit and PC piece) priced per dozen, hundred or thousand of them may be
# invoiced in those: how many eaches -> the 355 unit of so many (eggs by the dozen: 30 EA at 4.99 PD is 2.5 DZ)
EACHES = EACH_UNITS
EACHES_BY_MANY = {12: "DZ", 100: "HU", 1000: "TH"}


def r_text(value: Decimal) -> str:
    """An R element's text of ``value`` (no exponent, no trailing zeros after the point), as the X12 writer
    writes it (parsers.x12_writer.x12_decimal)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0", "-") else text


def r_digits(value: Decimal) -> int:
    """The digits of ``value`` as written (r_text), its sign, point and a lone 0 before the point not counted, the
    zeros after the point counted (0.01237: 5), as an R element's length is counted."""
    text = r_text(value).lstrip("-")
    return len(text[2:] if text.startswith("0.") else text.replace(".", ""))


def g17_statement(quantity: str | Decimal, unit: str, price: str | Decimal, basis: str = ""
                  ) -> tuple[str, str, str] | None:
    """(G1701, G1702, G1703) of a line of ``quantity`` ``unit`` at ``price`` (IT104) per ``basis`` (IT105), or None
    when the 880 cannot state it. A price of so many of its units (schemas.units.priced_per: 4.99 PD on EA is the
    price of 12) is stated per unit, price / that many, where that is exact in at most 9 digits (12.37 per thousand
    EA: 0.01237), so G1701 x G1703 is the 810's amount; else, for a line in eaches priced per dozen, hundred or
    thousand (EACHES_BY_MANY), in the price's own unit (30 EA at 4.99 PD: 2.5 DZ at 4.99) where the quantity is an
    exact number of them in G1701's 10 digits. A price that is neither (7 EA at 4.99 PD: 0.58333... DZ, 0.41583...
    per EA) has no statement: never per dozen as if per each, never a per-each price rounded into another one.
    Any other line as it is."""
    price_text = str(price)
    return g17_of(quantity, unit, price, priced_per(unit, basis) if basis and price_text else 1)


def g17_of(quantity: str | Decimal, unit: str, price: str | Decimal, many: int | Decimal
           ) -> tuple[str, str, str] | None:
    """g17_statement of a line whose price is the price of ``many`` of its units (priced_per, or a stored line's
    priced_per: schemas.lifecycle.LineRecord), as billing reads a line shipped (7 EA at 4.99 per 12 EA)."""
    price_text, quantity_text = str(price), str(quantity)
    if many == 1:
        return quantity_text, unit, price_text
    try:
        cost, count = Decimal(price_text), Decimal(quantity_text) if quantity_text else None
    except InvalidOperation:
        return None
    each = cost / Decimal(many)
    if each * Decimal(many) == cost and r_digits(each) <= G1703_DIGITS:
        return quantity_text, unit, r_text(each)
    by_many = EACHES_BY_MANY.get(int(many)) if unit in EACHES and int(many) == many else None
    if by_many is not None and count is not None and r_digits(cost) <= G1703_DIGITS:
        in_many = count / Decimal(many)
        if in_many * Decimal(many) == count and r_digits(in_many) <= G1701_DIGITS:
            return r_text(in_many), by_many, price_text
    return None


def in_many_unit(unit: str, basis: str) -> str | None:
    """The 355 unit a line in eaches priced per ``basis`` may be invoiced in by the 880 (DZ for PD on EA), or
    None: what a finding names as the quantity to agree."""
    many = priced_per(unit, basis) if basis else 1
    return EACHES_BY_MANY.get(int(many)) if unit in EACHES and int(many) == many else None
