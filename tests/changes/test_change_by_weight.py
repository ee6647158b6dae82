"""engine.changes on a line taken in by weight (US Foods' 480 LB of a case item averaging 48 LB, stored as 10 CA
priced per pound: rules.business.by_weight): an 860 in a weight is taken as the 850 was (the nearest whole cases),
answered in that weight; one in cases drops the weight first sent."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from engine.changes import apply_changes
from schemas.orders import ORDER_LINES

from .builders import live_order, read_change

WEIGHED = {"quantity": Decimal(10), "unit": "CA", "unit_price": Decimal("3.79"), "price_basis": "PP",
           "weight_ordered": Decimal(480), "weight_unit": "LB", "weight_per_unit": Decimal(48),
           "weight_basis_sent": "PE"}


def _apply(poc: str):
    order, lines = live_order()
    rows = [dict(r, **WEIGHED) if r["line_number"] == 1 else r for r in lines.to_pylist()]
    header, changes = read_change([poc])
    result = apply_changes(order, pa.Table.from_pylist(rows, schema=ORDER_LINES), header, changes, shipped=False)
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    [answer] = result.line_results
    cols = ("quantity", "unit", "unit_price", "price_basis", "weight_ordered", "weight_unit", "weight_basis_sent")
    return tuple(line[c] for c in cols), (answer.status, *answer.acknowledged()), result


def test_a_change_in_a_weight_is_whole_cases_answered_in_that_weight():
    d = Decimal
    line, answer, result = _apply("POC*1*QD*400**LB")
    assert line == (d(8), "CA", d("3.79"), "PP", d(400), "LB", "PE") and answer == ("IQ", d(384), "LB")
    assert 1 in result.changed_line_numbers and not result.findings
    # in kilograms: 174.18 KG is 384.0012 LB, 8 cases, answered 8 x 21.7724 KG (48 LB)
    line, answer, _r = _apply("POC*1*QD*174.18**KG")
    assert line[:2] == (d(8), "CA") and line[4] == d("384.0012") and answer == ("IQ", d("174.1792"), "KG")
    # 500 LB is 10.4 cases: 10, as the 850's; 470 LB too, the weight asked changed (the line answered again)
    assert _apply("POC*1*QI*500**LB")[:2] == ((d(10), "CA", d("3.79"), "PP", d(500), "LB", "PE"), ("IQ", d(480), "LB"))
    line, answer, result = _apply("POC*1*QD*470**LB")
    assert (line[0], line[4], answer, 1 in result.changed_line_numbers) == (d(10), d(470), ("IQ", d(480), "LB"), True)
    # POC05 left out: the weight the line was ordered in
    assert _apply("POC*1*QI*576")[:2] == ((d(12), "CA", d("3.79"), "PP", d(576), "LB", "PE"), ("IQ", d(576), "LB"))


def test_a_price_per_pound_stays_a_price_per_pound():
    """POC*1*PC***LB*3.99*PE: the new price is per pound (PP, as the 850's PO104 was taken), PE kept for the echo."""
    line, answer, _r = _apply("POC*1*PC***LB*3.99*PE")
    assert line == (Decimal(10), "CA", Decimal("3.99"), "PP", Decimal(480), "LB", "PE") and answer[0] == "IP"


def test_a_change_in_cases_drops_the_weight_first_sent():
    """POC*1*QD*8**CA: the buyer counts the line in cases now; the 480 LB it sent first is no longer echoed (the
    average per case stays, for the answers already sent in pounds)."""
    line, answer, _r = _apply("POC*1*QD*8**CA")
    assert line == (Decimal(8), "CA", Decimal("3.79"), "PP", None, "LB", None) and answer == ("IQ", Decimal(8), "CA")


def test_a_change_in_hundredweights_is_its_pounds_and_a_price_per_hundredweight_is_restated_per_pound():
    """POC05 CW (100 LB), as intake takes a PO1 in CW (rules.business.by_weight.as_cases): 5.76 CW is 576 LB, 12
    cases, answered in CW (12 x 48 LB = 5.76 CW); a POC06 per CW is restated per pound (399 per CW: 3.99 PP, code list
    639 has no price per CW) when exact at 4 places, else the change is refused and the line stays as it was."""
    d = Decimal
    line, answer, result = _apply("POC*1*QI*5.76**CW")
    assert line == (d(12), "CA", d("3.79"), "PP", d(576), "LB", "PE") and answer == ("IQ", d("5.76"), "CW")
    assert not result.findings
    # 5 CW is 500 LB, 10.4 cases: 10, answered 4.8 CW
    assert _apply("POC*1*QI*5**CW")[:2] == ((d(10), "CA", d("3.79"), "PP", d(500), "LB", "PE"), ("IQ", d("4.8"), "CW"))
    line, answer, _r = _apply("POC*1*CA*5.76**CW*399")
    assert line == (d(12), "CA", d("3.99"), "PP", d(576), "LB", "PE") and answer == ("IC", d("5.76"), "CW")
    line, answer, _r = _apply("POC*1*PC***CW*399")
    assert line == (d(10), "CA", d("3.99"), "PP", d(480), "LB", "PE") and answer[0] == "IP"
    line, answer, result = _apply("POC*1*PC***CW*379.001")
    assert line == (d(10), "CA", d("3.79"), "PP", d(480), "LB", "PE") and answer[0] == "IR"
    assert [(f.code, f.message) for f in result.findings] == [(
        "CHANGE_PRICE_INVALID", "POC06 379.001 per CW is 3.79001 per LB (100 LB a CW), not exact to 4 places: the "
        "line is priced per LB (code list 639 has no price per CW); the line stays as it was.")]


DEFINED = {"quantity": Decimal(1323), "unit": "LB", "unit_price": Decimal("4.74"), "price_basis": "PK",
           "weight_ordered": Decimal(600), "weight_unit": "KG", "weight_per_unit": Decimal("0.4536"),
           "weight_basis_sent": None}


def _apply_defined(poc: str):
    """A line of 600 KG of an item counted in pounds, taken in as the 1,323 LB that cover it (rules.business.by_weight
    _by_definition), changed by ``poc``."""
    order, lines = live_order()
    rows = [dict(r, **DEFINED) if r["line_number"] == 1 else r for r in lines.to_pylist()]
    header, changes = read_change([poc])
    result = apply_changes(order, pa.Table.from_pylist(rows, schema=ORDER_LINES), header, changes, shipped=False)
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    [answer] = result.line_results
    return (line["quantity"], line["unit"], line["weight_ordered"], line["weight_unit"]), \
        (answer.status, *answer.acknowledged()), result


def test_a_change_of_a_kilogram_line_of_a_pound_item_takes_the_pounds_that_cover_it_answered_as_asked():
    """As intake takes the 850's 600 KG (1,323 LB, schemas.units.covering), a POC to 500 KG is the 1,103 LB that
    cover it (500.3109 KG), never the nearest 1,102 LB (499.8672 KG, short of the order), answered 500 KG as asked;
    a weight that is a whole number of pounds to 4 places (299.8246 KG: 661 LB) is that number."""
    d = Decimal
    line, answer, result = _apply_defined("POC*1*QD*500**KG")
    assert line == (d(1103), "LB", d(500), "KG") and answer == ("IQ", d(500), "KG") and not result.findings
    line, answer, _r = _apply_defined("POC*1*QD*500")  # POC05 left out: the weight the line was ordered in
    assert line == (d(1103), "LB", d(500), "KG") and answer == ("IQ", d(500), "KG")
    line, answer, _r = _apply_defined("POC*1*QD*299.8246**KG")
    assert line == (d(661), "LB", d("299.8246"), "KG") and answer == ("IQ", d("299.8246"), "KG")
    line, answer, _r = _apply_defined("POC*1*QD*500000**GR")  # in grams: the same kilograms, answered in grams
    assert line == (d(1103), "LB", d(500), "KG") and answer == ("IQ", d(500000), "GR")


def test_a_change_whose_covering_units_exceed_it_by_one_of_its_unit_or_more_is_answered_exactly():
    """A line of 2.2046 LB of an item counted in KG (taken in as 1 KG: 2.2046 LB to 4 places) changed to 1.2 LB: the
    1 KG that covers it exceeds it by 1.0046 LB, one pound or more (within_one), so it is not answered as asked but
    as the 2.2046 LB the line now holds."""
    order, lines = live_order()
    mine = {"quantity": Decimal(1), "unit": "KG", "unit_price": Decimal(3), "price_basis": "PP",
            "weight_ordered": Decimal("2.2046"), "weight_unit": "LB", "weight_per_unit": Decimal("2.2046"),
            "weight_basis_sent": None}
    rows = [dict(r, **mine) if r["line_number"] == 1 else r for r in lines.to_pylist()]
    header, changes = read_change(["POC*1*QD*1.2**LB"])
    result = apply_changes(order, pa.Table.from_pylist(rows, schema=ORDER_LINES), header, changes, shipped=False)
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    [answer] = result.line_results
    assert (line["quantity"], line["unit"], line["weight_ordered"]) == (Decimal(1), "KG", Decimal("1.2"))
    assert (answer.status, *answer.acknowledged()) == ("IQ", Decimal("2.2046"), "LB")
