"""A line in a unit of the same measure as the item's own by the units' definitions (600 KG of wire we count in
pounds: a pound is 0.45359237 kg): a weight is taken in, of any partner, as the whole pounds that cover it
(rules.business.by_weight.as_cases: 1,323 LB for 1,322.7736), answered as ordered (as_sent_by_weight: ACK IA 600
KG), priced per the weight ordered and billed by the pounds shipped converted exactly (schemas.units.weight_in);
what UNIT_NOT_CONVERTIBLE says of such a line that is not taken (and of a length or a volume: FT of an item
counted in MR, GA of one in LT) is the units' definition, never a request for an average weight. The night end to
end: tests/test_rg68_gas_welding_safety.py (test_wire_ordered_by_the_kilogram_of_an_item_counted_in_pounds_is_taken)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from engine.finance_inputs import acknowledged_in_units, with_weights
from rules.business import check_prices, check_quantities
from rules.business.by_weight import as_cases, as_sent_by_weight
from schemas.rule_settings import RuleSettings
from schemas.units import covering, same_measure, weight_in, within_one
from tests.business.tables import line, lines_table, order, orders_table
from tests.test_fractional_quantities import _sold_by


def test_the_whole_units_that_cover_a_weight_by_definition() -> None:
    assert covering(Decimal(600), "KG", "LB") == Decimal(1323)  # 1,322.7736 LB
    assert covering(Decimal("299.8246"), "KG", "LB") == Decimal(661)  # 661 LB stated to 4 places: not 662
    assert covering(Decimal(16), "OZ", "LB") == Decimal(1)
    assert covering(Decimal("0.1"), "KG", "LB") == Decimal(1)
    assert within_one(Decimal(1323), "LB", Decimal(600), "KG")  # 0.1027 KG over
    assert not within_one(Decimal(1), "KG", Decimal(500), "GR")  # 500 GR over: a whole KG is twice the line
    assert same_measure("KG", "LB") == ("weight", Decimal("1") / Decimal("0.45359237"))
    assert same_measure("FT", "MR") == ("length", Decimal("0.3048"))
    assert same_measure("GA", "LT") == ("volume", Decimal("3.785411784"))
    assert same_measure("IN", "CM") == ("length", Decimal("2.54"))
    assert same_measure("LB", "LB") is None and same_measure("CA", "LB") is None and same_measure("FT", "LB") is None


def _kg_line(**over) -> pa.Table:
    return lines_table(line(unit="KG", quantity=Decimal(600), unit_price=Decimal("4.74"), **over))


@pytest.mark.parametrize("catch_weight", [False, True])
def test_a_kilogram_line_of_an_item_counted_in_pounds_is_taken_in_as_the_pounds_that_cover_it(catch_weight) -> None:
    """Of any partner (catch weight or not): 1,323 LB at 4.74 per KG (PO105 PK), the line as sent kept (600 KG,
    PO105 none) for the 855; one LB is 0.4536 KG as a stored weight per unit."""
    taken = as_cases(_kg_line(), _sold_by("LB", case_pack=1), weights=catch_weight).to_pylist()[0]
    assert (taken["quantity"], taken["unit"], taken["unit_price"], taken["price_basis"]) == (
        Decimal(1323), "LB", Decimal("4.74"), "PK")
    assert (taken["weight_ordered"], taken["weight_unit"], taken["weight_per_unit"], taken["weight_basis_sent"]) == (
        Decimal(600), "KG", Decimal("0.4536"), None)
    settings = RuleSettings()
    assert not [f for f in check_quantities(pa.Table.from_pylist([taken], schema=_kg_line().schema),
                                            _sold_by("LB", case_pack=1), settings) if f.severity == "error"]
    priced = check_prices(orders_table(order()), pa.Table.from_pylist([taken], schema=_kg_line().schema),
                          _sold_by("LB", case_pack=1), settings)
    assert [f.code for f in priced if f.severity == "error"] == [], [(f.code, f.message) for f in priced]
    [told] = [f for f in priced if f.code == "CATCH_WEIGHT_LINE"]
    assert "shipped in LB and invoiced by the LB shipped converted exactly" in told.message
    assert "waits until a weight shipped is confirmed" not in told.message


def test_a_line_whose_covering_units_exceed_it_by_one_of_its_unit_or_more_is_left_as_sent() -> None:
    """500 GR of an item counted in KG: a whole KG is 500 GR more than ordered; a line priced per hundred: neither
    is taken (UNIT_NOT_CONVERTIBLE says why)."""
    grams = lines_table(line(unit="GR", quantity=Decimal(500), unit_price=Decimal("0.01")))
    assert as_cases(grams, _sold_by("KG", case_pack=1)).to_pylist()[0]["unit"] == "GR"
    per_hundred = _kg_line(price_basis="HP")
    assert as_cases(per_hundred, _sold_by("LB", case_pack=1)).to_pylist()[0]["unit"] == "KG"


def _answered(parts: list[dict], acked: Decimal) -> tuple[list[dict], Decimal]:
    taken = as_cases(_kg_line(), _sold_by("LB", case_pack=1))
    statuses = pa.table({"parts": pa.array([parts], pa.list_(pa.struct([("status", pa.string()),
                                                                          ("quantity", pa.decimal128(18, 4))]))),
                         "ack_quantity": pa.array([acked], pa.decimal128(18, 4))})
    rows, out = as_sent_by_weight(taken, statuses)
    assert rows.to_pylist()[0]["quantity"] == Decimal(600) and rows.to_pylist()[0]["unit"] == "KG"
    return out["parts"].to_pylist()[0], out["ack_quantity"].to_pylist()[0]


def test_the_855_answers_the_kilograms_ordered_when_the_pounds_cover_them() -> None:
    """The 1,323 LB accepted are answered as the 600 KG ordered (IA 600: no quantity the buyer did not ask for, as
    the average-weight path's IQ 600.1128 was); a part of them (661 LB backordered, 662 LB accepted) in the exact
    kilograms it is (299.8246 and 300.2781 KG)."""
    assert _answered([{"status": "IA", "quantity": Decimal(1323)}], Decimal(1323)) == (
        [{"status": "IA", "quantity": Decimal(600)}], Decimal(600))
    parts, acked = _answered([{"status": "IA", "quantity": Decimal(662)}, {"status": "IB", "quantity": Decimal(661)}],
                             Decimal(1323))
    assert parts == [{"status": "IA", "quantity": Decimal("300.2781")},
                     {"status": "IB", "quantity": Decimal("299.8246")}]
    assert acked == Decimal(600)
    assert _answered([{"status": "IA", "quantity": Decimal(1300)}], Decimal(1300)) == (
        [{"status": "IQ", "quantity": Decimal("589.6701")}], Decimal("589.6701")), "fewer pounds than ordered: IQ"


def test_reconciliation_counts_the_acknowledged_kilograms_in_the_pounds_that_cover_them_and_weighs_pounds_shipped():
    acks = pa.table({"partner": ["acme", "acme"], "po_number": ["PO-1", "PO-1"], "line_number": [2, 2],
                     "quantity": pa.array([Decimal(600), Decimal("299.8246")], pa.decimal128(18, 4)),
                     "unit": ["KG", "KG"]})
    weighed = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "line_number": pa.array([2], pa.int32()),
                        "unit": ["LB"], "weight_per_unit": pa.array([Decimal("0.4536")], pa.decimal128(18, 4))})
    got = acknowledged_in_units(acks, weighed)
    assert got["quantity"].to_pylist() == [Decimal(1323), Decimal(661)] and got["unit"].to_pylist() == ["LB", "LB"]
    shipped = pa.table({"partner": ["acme", "acme"], "shipment_id": ["S-1", "S-1"], "po_number": ["PO-1", "PO-1"],
                        "line_number": [2, 2], "quantity": pa.array([Decimal(660), Decimal(663)], pa.decimal128(18, 4)),
                        "unit": ["LB", "LB"]})
    catch = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "line_number": pa.array([2], pa.int64()),
                      "price_basis": ["PK"]})
    weights = with_weights(shipped, [], catch)["net_weight"].to_pylist()
    assert weights == [weight_in(Decimal(660), "LB", "KG"), weight_in(Decimal(663), "LB", "KG")]
    assert with_weights(shipped, [], None)["net_weight"].null_count == 2  # no catch-weight line: as before


def _refused(unit: str, quantity: str, own: str, **over) -> str:
    [f] = [f for f in check_quantities(lines_table(line(unit=unit, quantity=Decimal(quantity), **over)),
                                       _sold_by(own, case_pack=1), RuleSettings()) if f.code == "UNIT_NOT_CONVERTIBLE"]
    assert "average_weight" not in f.message and "average weight" not in f.message, f.message
    return f.message


def test_a_refused_line_of_the_same_measure_by_definition_is_told_the_definition_never_an_average_weight() -> None:
    """A KG line left as sent (priced per hundred; or its order taken in before), 500 GR of an item counted in KG
    (a KG is twice it), FT of one counted in MR, GA of one counted in LT, IN of one counted in CM: each told what
    the line is in the item's unit by definition and what to ask for."""
    kilo = _refused("KG", "600", "LB")
    assert ("KG and LB are both units of weight: one LB is 0.45359237 KG by definition, so 600 KG is 1322.7736 LB. "
            "Such a line is taken in as the whole LB that cover it (1323 LB)") in kilo, kilo
    grams = _refused("GR", "500", "KG")
    assert ("GR and KG are both units of weight: one GR is 0.001 KG by definition, so 500 GR is 0.5 KG. The whole "
            "KG that would cover it, 1 KG, would be 500 GR more than ordered") in grams, grams
    feet = _refused("FT", "30", "MR")
    assert ("FT and MR are both units of length: one FT is 0.3048 MR by definition, so 30 FT is 9.144 MR. A line in "
            "a length of an item counted in another is taken only when it is a whole number of the item's unit") \
        in feet, feet
    gallons = _refused("GA", "5", "LT")
    assert "GA and LT are both units of volume: one GA is 3.785411784 LT by definition, so 5 GA is 18.9271 LT." \
        in gallons, gallons
    assert "A line in a volume of an item counted in another is taken only when it is a whole number of the item's " \
        "unit by the units' definitions (a litre is 1000 ML)" in gallons, gallons
    ounces = _refused("KG", "10", "OZ", price_basis="HP")
    assert "one OZ is 0.028349523125 KG by definition, so 10 KG is 352.7396 OZ" in ounces, ounces
    inches = _refused("IN", "10", "CM")
    assert "one IN is 2.54 CM by definition, so 10 IN is 25.4 CM" in inches, inches


def test_a_weight_that_is_a_whole_number_of_the_items_unit_by_its_multiples_is_taken_as_before() -> None:
    """12.5 KG of an item counted in grams is 12,500 GR (METRIC_MULTIPLES, rules.business.quantities): not restated
    at intake, priced per its unit as sent."""
    kilos = lines_table(line(unit="KG", quantity=Decimal("12.5"), unit_price=Decimal("8")))
    assert as_cases(kilos, _sold_by("GR", case_pack=1)).to_pylist()[0]["unit"] == "KG"
    found = check_quantities(kilos, _sold_by("GR", case_pack=1), RuleSettings())
    assert not [f for f in found if f.severity == "error"], found
