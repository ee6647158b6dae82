"""Drop-ship (consumer-direct) orders: the goods go straight to the buyer's customer (Wayfair's BEG02 DS with a
consumer's address), who bought what the line says. A 1-unit line of an item with a wholesale minimum of 12 and
case pack 12 used to be raised and rounded to 12 (855 ACK*IQ*12: 11 units shipped to a consumer who ordered 1).
A drop ship's lines are now acknowledged as ordered (no QTY_BELOW_MINIMUM, no CASE_PACK_ROUNDED); the same
partner's wholesale orders keep the rounding; a partner may mark drop ships otherwise ([rules] drop_ship_marks:
every order, REF*CO, a ship-to without a location id) or turn it off ([rules] drop_ship_as_ordered = false)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rules.business import check_quantities, run_business_rules
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings
from tests.business.tables import TODAY, line, lines_table, order, orders_table, reference

SKU_1003 = "614141100248"  # case pack 12, minimum 12
ROUNDED = ["CASE_PACK_ROUNDED", "QTY_BELOW_MINIMUM"]


def _codes(orders, lines, settings=RuleSettings()):
    return sorted(f.code for f in check_quantities(lines, reference(), settings, orders=orders))


def _one(**order_values):
    return orders_table(order(**order_values)), lines_table(line(upc=SKU_1003, quantity=Decimal(1)))


def test_a_drop_ship_line_is_acknowledged_as_ordered_and_a_wholesale_one_rounded():
    assert _codes(*_one(order_type="DS")) == []
    assert _codes(*_one(order_type="SA")) == ROUNDED
    assert _codes(*_one(order_type=None)) == ROUNDED


def test_a_drop_ship_and_a_wholesale_order_of_one_partner_in_one_run():
    orders = orders_table(order(order_type="DS"), order(order_ref="000000101-1-0002", po_number="PO-2", st02="0002"))
    lines = lines_table(line(upc=SKU_1003, quantity=Decimal(1)),
                        line(upc=SKU_1003, quantity=Decimal(1), order_ref="000000101-1-0002", po_number="PO-2",
                             st02="0002"))
    found = check_quantities(lines, reference(), RuleSettings(), orders=orders)
    assert sorted((f.code, f.location.st02) for f in found) == [("CASE_PACK_ROUNDED", "0002"),
                                                                ("QTY_BELOW_MINIMUM", "0002")]


def test_a_fraction_of_a_unit_is_still_no_quantity_we_ship():
    orders = orders_table(order(order_type="DS"))
    assert _codes(orders, lines_table(line(upc=SKU_1003, quantity=Decimal("1.5")))) == ["CASE_PACK_ROUNDED"]


@pytest.mark.parametrize("overrides, order_values, rounded", [
    ({"drop_ship_as_ordered": False}, {"order_type": "DS"}, True),  # turned off: wholesale rules
    ({"drop_ship_order_types": ("DS", "DR")}, {"order_type": "DR"}, False),  # the partner's own BEG02 code
    ({"drop_ship_order_types": ()}, {"order_type": "DS"}, True),
    ({"drop_ship_marks": ("every_order",)}, {"order_type": "SA"}, False),  # a partner that only drop-ships
    ({"drop_ship_marks": ("customer_order",)}, {"customer_order": "4412398571"}, False),
    ({"drop_ship_marks": ("customer_order",)}, {"customer_order": "  "}, True),
    ({"drop_ship_marks": ("customer_order",)}, {}, True),
    ({"drop_ship_marks": ("ship_to_without_id",)}, {"ship_to_id": None, "ship_to_id_qualifier": None,
                                                    "ship_to_name": "MARIA GONZALEZ"}, False),
    ({"drop_ship_marks": ("ship_to_without_id",)}, {}, True),  # N1*ST*...*92*0001: a store or DC
    ({}, {"customer_order": "4412398571", "ship_to_id": None}, True),  # marks are the partner's choice
])
def test_a_partner_names_its_drop_ships_or_turns_the_default_off(overrides, order_values, rounded):
    settings = RuleSettings(partners={"acme": PartnerRuleOverrides(**overrides)})
    assert _codes(*_one(**order_values), settings) == (ROUNDED if rounded else [])
    other = RuleSettings(partners={"globex": PartnerRuleOverrides(**overrides)})  # another partner's marks
    assert _codes(*_one(**order_values), other) == (ROUNDED if order_values.get("order_type") != "DS" else [])


def test_drop_ship_orders_names_each_order_by_partner_and_po_number():
    from rules.business.purpose import drop_ship_orders

    orders = orders_table(order(order_type="DS"), order(po_number="PO-2", order_ref="000000101-1-0002", st02="0002"),
                          order(order_type="DS", partner="globex", source_file="other.x12"))
    keys = drop_ship_orders(orders, RuleSettings()).to_pylist()
    assert sorted(keys) == ["4:acme:PO-1", "6:globex:PO-1"]  # pair_key: PO-2 (SA) is no drop ship
    assert drop_ship_orders(orders, RuleSettings(drop_ship_as_ordered=False)).to_pylist() == []


def test_every_business_rule_run_knows_the_drop_ships():
    orders, lines = _one(order_type="DS")
    codes = {f.code for f in run_business_rules(orders, lines, reference(), RuleSettings(), today=TODAY)}
    assert not codes & set(ROUNDED)
    orders, lines = _one(order_type="SA")
    codes = {f.code for f in run_business_rules(orders, lines, reference(), RuleSettings(), today=TODAY)}
    assert set(ROUNDED) <= codes


# --- a night of Wayfair's (tests/fixtures/rg1, its profile without [rules.outcomes]) ---------------------------

def test_a_wayfair_drop_ship_is_answered_as_bought_and_its_wholesale_order_raised(tmp_path):
    """Wayfair's drop ship CS448812077 (BEG02 DS): 1 tape dispenser (SKU-1021, minimum 5) to Maria Gonzalez,
    855 ACK*IA*1 (CS448812101: 2 staplers, minimum 5, IA 2); the same POs sent as wholesale orders (BEG02 SA,
    CastleGate stock) are raised to the minimum as before (ACK*IQ*5, QTY_BELOW_MINIMUM in the run's findings); the
    profile needs no outcome overrides."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_retailer_homedepot_wayfair import FIX, NIGHT, _outbox, _workspace

    ws = _workspace(tmp_path / "ws")
    text = (FIX / "wayfair" / "wf-850-dropship-20261126.x12").read_text()
    wholesale = (text.replace("BEG*00*DS*CS4488", "BEG*00*SA*WS4488").replace("000800311", "000800399")
                 .replace("*800311", "*800399"))
    (ws.drop_root / "wayfair" / "inbox" / "wf-850-stock-20261126.x12").write_text(wholesale)
    run_stages(ws, NIGHT)
    answers = {po: [s[1:4] for s in segs if s[0] == "ACK"] for po, segs in _outbox(ws, "wayfair", "855").items()}
    assert answers["CS448812077"] == [["IA", "1", "EA"], ["IA", "2", "EA"]]
    assert answers["WS448812077"] == [["IQ", "5", "EA"], ["IA", "2", "EA"]]
    assert (answers["CS448812101"], answers["WS448812101"]) == ([["IA", "2", "EA"]], [["IQ", "5", "EA"]])  # staplers
    found = StateStore(ws.state_path).findings(partner="wayfair")
    assert {(f["po_number"], f["code"]) for f in found if f["code"] in ROUNDED} == {
        ("WS448812077", "QTY_BELOW_MINIMUM"), ("WS448812101", "QTY_BELOW_MINIMUM")}


def test_a_line_an_860_adds_to_a_drop_ship_is_acknowledged_as_ordered(tmp_path):
    """Night 2: Wayfair adds 1 tape dispenser (minimum 5) to the consumer's drop ship CS448812101 (860 BCH 04,
    POC AI) and raises CS448812077's 1 to 2 (POC QI): the lines decided again keep the quantities the consumer
    asked for, as the 850's did (the order's BEG02 DS still marks it)."""
    from connectors.state import StateStore
    from tests.support import run_stages
    from tests.test_retailer_homedepot_wayfair import NIGHT, NIGHT2, _workspace

    ws = _workspace(tmp_path / "ws")
    run_stages(ws, NIGHT)
    sets = [["ST", "860", "0001"], ["BCH", "04", "DS", "CS448812101", "", "", "20261126"],
            ["POC", "2", "AI", "1", "1", "EA", "11.2", "", "VN", "VP-1021", "SK", "WFS21013344"], ["CTT", "1"],
            ["SE", "5", "0001"],
            ["ST", "860", "0002"], ["BCH", "04", "DS", "CS448812077", "", "", "20261126"],
            ["POC", "1", "QI", "2", "1", "EA", "11.2", "", "VN", "VP-1021", "SK", "WFS21013344"], ["CTT", "1"],
            ["SE", "5", "0002"]]
    text = ("ISA*00*          *00*          *ZZ*WAYFAIR        *ZZ*ORDERBRIDGE    *261127*2201*U*00401*000800412*0*P*>~"
            "GS*PC*WAYFAIR*ORDERBRIDGE*20261127*2201*800412*X*004010~"
            + "".join("*".join(s) + "~" for s in sets) + "GE*2*800412~IEA*1*000800412~")
    (ws.drop_root / "wayfair" / "inbox" / "wf-860-20261127.x12").write_text(text)
    run_stages(ws, NIGHT2)
    state = StateStore(ws.state_path)
    try:
        added = {ln.line_number: (ln.ordered, ln.codes) for ln in state.order_lines("wayfair", "CS448812101")}
        raised = {ln.line_number: (ln.ordered, ln.codes) for ln in state.order_lines("wayfair", "CS448812077")}
    finally:
        state.close()
    assert added[2][0] == 1 and not set(added[2][1]) & set(ROUNDED)
    assert raised[1][0] == 2 and not set(raised[1][1]) & set(ROUNDED)


def test_a_profile_names_its_drop_ship_marks_and_the_run_settings_carry_them():
    import pydantic

    from flows.decide import rule_settings
    from schemas.profile import RuleProfile, load_profiles
    from tests.support import REPO

    acme = load_profiles(REPO / "partners")["acme"]
    rules = RuleProfile(drop_ship_marks=["every_order", "ship_to_without_id"], drop_ship_as_ordered=True)
    settings = rule_settings({"acme": acme.model_copy(update={"rules": rules})}).for_partner("acme")
    assert settings.drop_ship_marks == ("every_order", "ship_to_without_id") and settings.drop_ship_order_types == (
        "DS",)
    assert rule_settings({"acme": acme}).for_partner("acme").drop_ship_as_ordered  # the default: on
    with pytest.raises(pydantic.ValidationError):
        RuleProfile(drop_ship_marks=["REF*ZZ"])  # a mark we do not know is refused, not ignored


# --- allocation: what the 855 acknowledged is what is reserved -----------------------------------------------

@pytest.mark.parametrize("rounding", ["up", "down"])
def test_allocation_reserves_a_drop_ship_line_as_acknowledged_whatever_its_case_pack_rounding(rounding):
    """A partner's [allocation] case_pack_rounding rounds a line to whole cases when stock is placed. A drop ship's
    1 unit of an item in cases of 12 is acknowledged as ordered (IA 1): it used to be reserved as 12 ("up": 11
    units held for no one, the warehouse told to pick a case for a consumer who bought one) or as 0 ("down":
    rounded_to_zero, the line the 855 accepted never reserved). Now it is reserved as the 855 says; the same
    partner's wholesale line (rounded by the rules to 12) is placed in whole cases as before."""
    from datetime import date

    import pyarrow as pa

    from engine.allocate import allocate
    from engine.answer import allocation_input
    from engine.decide import decide
    from rules.business import resolve_items
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    ref = reference()
    orders = orders_table(order(order_type="DS"), order(order_ref="000000101-1-0002", po_number="PO-2", st02="0002"))
    lines = resolve_items(lines_table(line(upc=SKU_1003, quantity=Decimal(1)),
                                      line(upc=SKU_1003, quantity=Decimal(1), order_ref="000000101-1-0002",
                                           po_number="PO-2", st02="0002")), ref.items, ref.partner_items)
    settings = RuleSettings()
    decisions = decide(orders, lines, check_quantities(lines, ref, settings, orders=orders), ref, settings)
    alloc_in = allocation_input(decisions, lines, orders, {("acme", "PO-1"): 1, ("acme", "PO-2"): 2},
                                settings=settings)
    snapshot = pa.Table.from_pylist([{"as_of": TODAY, "warehouse": "EAST", "sku": "SKU-1003", "on_hand": 100,
                                      "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    result = allocate(alloc_in, snapshot, EXPECTED_RECEIPTS.empty_table(),
                      {"acme": AllocationPolicy(case_pack_rounding=rounding)}, today=date(2026, 11, 27))
    placed = {(r["po_number"], r["reason"]): r["allocated"] for r in result.lines.to_pylist()}
    assert placed == {("PO-1", "filled"): Decimal(1), ("PO-2", "filled"): Decimal(12)}


def test_allocation_reserves_a_store_split_line_as_acknowledged():
    """A store-level partner's line split over stores by SDQ (1 unit to each of two stores, an item in cases of 12)
    is acknowledged as the stores ordered it (IA 2): with case_pack_rounding "up" it used to be reserved as 12."""
    from datetime import date

    import pyarrow as pa

    from engine.allocate import allocate
    from engine.answer import allocation_input
    from engine.decide import decide
    from rules.business import resolve_items
    from schemas.allocation import AllocationPolicy
    from schemas.inventory import EXPECTED_RECEIPTS, INVENTORY_SNAPSHOT

    ref = reference()
    orders = orders_table(order())
    stores = [{"unit": "EA", "id_qualifier": "92", "store": s, "quantity": Decimal(1), "quantity_sent": "1"}
              for s in ("0201", "0202")]
    lines = resolve_items(lines_table(line(upc=SKU_1003, quantity=Decimal(2), store_quantities=stores)), ref.items,
                          ref.partner_items)
    settings = RuleSettings(store_level=True)
    decisions = decide(orders, lines, check_quantities(lines, ref, settings, orders=orders), ref, settings)
    alloc_in = allocation_input(decisions, lines, orders, {("acme", "PO-1"): 1}, settings=settings)
    snapshot = pa.Table.from_pylist([{"as_of": TODAY, "warehouse": "EAST", "sku": "SKU-1003", "on_hand": 100,
                                      "reserved": 0}], schema=INVENTORY_SNAPSHOT)
    result = allocate(alloc_in, snapshot, EXPECTED_RECEIPTS.empty_table(),
                      {"acme": AllocationPolicy(case_pack_rounding="up")}, today=date(2026, 11, 27))
    assert [(r["reason"], r["allocated"]) for r in result.lines.to_pylist()] == [("filled", Decimal(2))]
