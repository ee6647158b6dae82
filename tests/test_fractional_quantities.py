"""A fractional PO102 of a unit counted whole (2.5 EA; 12.5 EA of an item in cases of 12) cannot be stocked,
shipped or invoiced as sent (2.5 LB of an item sold by the pound, a measure, is taken as sent): it is rounded by
the partner's case-pack policy (855 ACK IQ, or IR under "reject") as before, but the finding now says what is
wrong, a fraction of the item's unit, instead of "2.5 eaches is not a
multiple of the case pack 1". A fraction of a count unit that is whole eaches (2.5 DZ = 30) is a case-pack
question as before. A catch-weight line (ordered in cases, priced per pound: PO105 PP) waits for a person
(PRICE_BASIS_UNSUPPORTED), never invoiced per case at the pound price."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from connectors.state import StateStore
from rules.business import check_quantities
from schemas.rule_settings import RuleSettings
from tests.business.tables import line, lines_table, reference
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850

SKU_1003 = "614141100248"  # sold in EA, case pack 12


def _messages(*rows, settings=RuleSettings()):
    return [(f.code, f.message) for f in check_quantities(lines_table(*rows), reference(), settings)]


def test_a_fraction_of_an_each_says_so() -> None:
    assert _messages(line(quantity=Decimal("2.5"))) == [(
        "CASE_PACK_ROUNDED", "PO102 2.5 EA is not a whole number of EA: we stock, ship and invoice item SKU-1001 "
        "in whole EA, never fractions; acknowledged as 3 EA.")]
    assert _messages(line(upc=SKU_1003, quantity=Decimal("12.5"))) == [(
        "CASE_PACK_ROUNDED", "PO102 12.5 EA is not a whole number of EA: we stock, ship and invoice item SKU-1003 "
        "in whole EA (in cases of 12), never fractions; acknowledged as 24 EA.")]
    rejecting = RuleSettings(case_pack_policy="reject")
    assert _messages(line(quantity=Decimal("2.5")), settings=rejecting) == [(
        "CASE_PACK_NOT_MULTIPLE", "PO102 2.5 EA is not a whole number of EA: we stock, ship and invoice item "
        "SKU-1001 in whole EA, never fractions.")]


def test_whole_eaches_of_a_fractional_count_unit_are_a_case_pack_question() -> None:
    # 2.5 dozen is 30 eaches: whole, but not whole cases of 12
    assert _messages(line(upc=SKU_1003, unit="DZ", quantity=Decimal("2.5"))) == [(
        "CASE_PACK_ROUNDED", "30 eaches is not a multiple of the case pack 12 of item SKU-1003; acknowledged as "
        "3 DZ.")]
    assert _messages(line(upc=SKU_1003, unit="DZ", quantity=Decimal("3"))) == []


NIGHT = datetime(2026, 11, 27, 2)


def _night(tmp_path, lines: list[str], *, items=None):
    ws = make_workspace(tmp_path / "ws", partners=())
    if items:
        path = ws.reference_dir / "items.csv"
        path.write_text(items(path.read_text()))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + lines))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    out = state.order("acme", "PO-1"), state.findings(po_number="PO-1", partner="acme")
    state.close()
    return ws, *out


def _855(ws) -> list[str]:
    [path] = sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    return [s for s in path.read_text().replace("\n", "").split("~") if s[:3] in ("BAK", "PO1", "ACK", "CTT")]


def test_a_line_by_the_pound_in_a_fraction_is_taken_as_sent(tmp_path) -> None:
    """2.5 LB of an item sold by the pound is what the buyer wants (a measure of an item counted in one:
    schemas.units.measured): acknowledged as sent, 3 LB reserved to cover it (docs/lifecycle.md, Measures). It used
    to be rounded to 3 LB (CASE_PACK_ROUNDED, ACK IQ 3)."""
    by_the_pound = lambda text: text.replace("Copy paper A4 80g,EA,", "Copy paper A4 80g,LB,")  # noqa: E731
    ws, order, findings = _night(tmp_path, ["PO1*1*2.5*LB*19.70*PE*VN*VP-1001", "CTT*1"], items=by_the_pound)
    assert order.state == "acknowledged"
    assert not [f for f in findings if f["code"] in ("CASE_PACK_ROUNDED", "CASE_PACK_NOT_MULTIPLE")]
    assert _855(ws) == ["BAK*00*AD*PO-1*20261126*****20261127", "PO1*1*2.5*LB*19.7*PE*VN*VP-1001",
                        "ACK*IA*2.5*LB*068*20261210", "CTT*1*2.5"]


def test_a_catch_weight_line_waits_for_a_person(tmp_path) -> None:
    # ten cases, priced per pound: the invoice is by the weight shipped, which we do not record
    ws, order, findings = _night(tmp_path, ["PO1*1*10*CA*3.49*PP*VN*VP-1003", "CTT*1"])
    assert order.state == "held" and "PRICE_BASIS_UNSUPPORTED" in order.hold_codes
    [f] = [f for f in findings if f["code"] == "PRICE_BASIS_UNSUPPORTED"]
    assert "a price per pound, the line being in CA" in f["message"]
    assert not sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12"))


def _catch_weight_partner(ws) -> None:
    # acme's profile says it deals in catch weight (meat, cheese, produce: cases priced per pound)
    path = ws.root / "partners" / "acme.toml"
    path.write_text(path.read_text().replace("[rules]\n", "[rules]\ncatch_weight = true\n", 1))


def test_a_catch_weight_line_of_a_partner_that_deals_in_them_is_acknowledged_as_sent(tmp_path) -> None:
    ws = make_workspace(tmp_path / "ws", partners=())
    _catch_weight_partner(ws)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*3*CA*3.49*PP*VN*VP-1003", "CTT*1"]))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    order, findings = state.order("acme", "PO-1"), state.findings(po_number="PO-1", partner="acme")
    state.close()
    assert order.state == "acknowledged", order.hold_codes
    codes = [f["code"] for f in findings]
    assert "PRICE_BASIS_UNSUPPORTED" not in codes and "PRICE_OUT_OF_TOLERANCE" not in codes
    [f] = [f for f in findings if f["code"] == "CATCH_WEIGHT_LINE"]
    assert f["message"].startswith("3 CA at 3.49 per pound (PO105 PP): a catch-weight line, acknowledged as sent")
    # the 855 acknowledges the cases at the price per pound, as sent
    assert _855(ws) == ["BAK*00*AD*PO-1*20261126*****20261127", "PO1*1*3*CA*3.49*PP*VN*VP-1003",
                        "ACK*IA*3*CA*068*20261210", "CTT*1*3"]


CONFIRMATION = ("Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,"
                "Quantity,Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
                # one carton's gross weight for two lines: no line's net weight
                "SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,1,SKU-1003,3,CA,C-9,31.5,LB,\n"
                "SHP-9,2026-11-27,14:05,UPSN,G2,1Z999AA10123456784,BOL-9,PO-1,2,SKU-1001,12,EA,C-9,31.5,LB,\n")


def test_a_shipped_catch_weight_line_is_never_invoiced_per_case(tmp_path) -> None:
    from tests.support import shipping_workspace

    ws = shipping_workspace(tmp_path / "ws", partners=("acme",))
    _catch_weight_partner(ws)
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + ["PO1*1*3*CA*3.49*PP*VN*VP-1003",
                                                          "PO1*2*12*EA*19.70*PE*VN*VP-1001", "CTT*2"]))
    run_stages(ws, NIGHT)
    confirmations = ws.warehouse_drop_root / "east" / "inbox"
    confirmations.mkdir(parents=True, exist_ok=True)
    (confirmations / "shipments.csv").write_text(CONFIRMATION)
    shipping: list = []
    run_stages(ws, datetime(2026, 11, 28, 2), shipping=shipping)
    outbox = sorted(p.name.split("-")[1] for p in (ws.drop_root / "acme" / "outbox").iterdir())
    assert outbox == ["855", "856", "997"]  # shipped and told; no 810 billing 3 CA at 3.49
    [f] = [f for f in shipping[-1].to_dict()["findings"] if f["code"] == "INVOICE_NOT_BUILT"]
    assert "line 1 is a catch-weight line (3 CA shipped, priced 3.49 per unit of weight: PO105 PP)" in f["message"]
    assert f["consequence"] == "no 810; retried by the next run"


def _sold_by(unit: str, *, case_pack: int, moq: int = 0):
    """The reference data with SKU-1001 sold by ``unit`` (a measure: FT, LB, CM) in packs of ``case_pack``."""
    import dataclasses

    import pyarrow as pa
    import pyarrow.compute as pc

    ref = reference()
    items = ref.items
    mine = pc.equal(items["sku"], "SKU-1001")
    for name, value in (("unit", unit), ("case_pack", case_pack), ("min_order_qty", moq)):
        at = items.column_names.index(name)
        items = items.set_column(at, name, pc.if_else(mine, pa.scalar(value, items[name].type), items[name]))
    return dataclasses.replace(ref, items=items)


def test_an_item_counted_in_a_measure_is_said_in_its_unit_not_in_eaches() -> None:
    """Wire sold by the foot in reels of 50: 30 FT is 30 feet, not "30 eaches"; below a minimum of 100 FT, "30 FT is
    below the minimum". Said by the unit the item is counted in (items.csv unit), as the rule counts it."""
    ref = _sold_by("FT", case_pack=50, moq=100)
    got = [(f.code, f.message) for f in check_quantities(lines_table(line(unit="FT", quantity=Decimal("30"))), ref,
                                                          RuleSettings())]
    assert got == [
        ("CASE_PACK_ROUNDED", "30 FT is not a multiple of the case pack 50 of item SKU-1001; acknowledged as 50 FT."),
        ("QTY_BELOW_MINIMUM", "30 FT is below the minimum order quantity 100 of item SKU-1001; raise to 100 FT.")]
    assert not any("eaches" in m for _c, m in got)
