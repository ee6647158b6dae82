"""What the 880 Grocery Products Invoice's G17 can state of a line: its quantity (G1701), unit (G1702) and item list
cost (G1703), the G17 having no basis of price (no IT105): one rule, read by the 880's writer (engine.invoice_880)
and by the intake rules (rules.business.money: a line the partner's 880 could never bill is found when it comes in,
not refused by billing night after night). Definitions and arithmetic only: no documents, no findings.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from schemas.fulfilment import G72_TAX_CODES
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

# SAC01 + SAC02 (1300) -> G7201 (340): the pairs whose two codes name the same allowance or charge in X12's lists.
# C310 "Discount" has no 340 code of the same meaning (51 trade, 52 quantity, 45 new discount are kinds of it);
# a charge F050 "Other" neither (999 "Other Charges" is in 3010's list, not verified in 4010's): both refused.
SAC_TO_G7201 = {
    ("A", "D170"): "1",  # free goods
    ("A", "G860"): "2",  # shrink (allowance)
    ("A", "A400"): "5",  # allowance non-performance
    ("A", "C320"): "43",  # display (allowance)
    ("A", "C540"): "44",  # early buy (allowance)
    ("A", "E760"): "46",  # new warehouse
    ("A", "H010"): "48",  # special buy
    ("A", "F340"): "54",  # pick-up (allowance)
    ("A", "E160"): "60",  # label (allowance)
    ("A", "E730"): "65",  # new item (allowance)
    ("A", "A390"): "70",  # allowance for consignment merchandise
    ("A", "F280"): "90",  # performance allowance
    ("A", "B210"): "93",  # co-op credit
    ("A", "H560"): "95",  # swell
    ("A", "A260"): "100",  # advertising allowance
    ("A", "F050"): "499",  # other: other allowance
    ("C", "H090"): "503",  # special handling
    ("C", "D240"): "504",  # freight
    ("C", "D980"): "505",  # insurance
    ("C", "F190"): "512",  # palletizing
    ("C", "H550"): "514",  # surcharge
    ("C", "C040"): "516",  # delivery (charge)
}


def g72_sacs(codes: Mapping[str, str] | None) -> dict[tuple[str, str], str]:
    """(SAC01, G7201) -> the SAC02 a G72's 340 code says: by a partner's [fulfilment.invoice] g72_codes (``codes``:
    "A:C310" -> "51"), else SAC_TO_G7201, as the 880's writer (engine.invoice_880._g72) chose; a 340 code that two
    SAC02s are written as (the profile's C310 and the table's C320 both 43) names neither. How an 880 we sent is read
    back (engine.finance_inputs) and a grocer's 875 / 876 G72 is read as a SAC (parsers.orders_875.g72_as_sac)."""
    written = {**{f"{kind}:{sac02}": g7201 for (kind, sac02), g7201 in SAC_TO_G7201.items()},
               **{key: g7201 for key, g7201 in (codes or {}).items() if key[:2] in ("A:", "C:")}}
    by_code: dict[tuple[str, str], set[str]] = {}
    for key, g7201 in written.items():
        kind, _, sac02 = key.partition(":")
        by_code.setdefault((kind, g7201), set()).add(sac02)
    return {at: next(iter(sac02s)) for at, sac02s in by_code.items() if len(sac02s) == 1}


def g72_kind(g7201: str | None) -> str:
    """A G72's SAC01: 340 codes 500 and on are charges (C), 1-499 allowances (A); "" for no number. A tax's
    (schemas.fulfilment.G72_TAX_CODES: 501, 526, 537) is "T": a tax, not a charge."""
    if g7201 in G72_TAX_CODES:
        return "T"
    return "C" if (g7201 or "").isdigit() and int(g7201) >= 500 else "A" if (g7201 or "").isdigit() else ""
