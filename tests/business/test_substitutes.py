"""Substitutes accepted (the partner's profile: [rules] substitutes = "accept"): a PO line naming a discontinued
item that items.csv supersedes (replaced_by, chain followed) by an active item is decided on that item:
ITEM_SUBSTITUTED naming both, the replacement's sku, case pack, minimum and price, 855 ACK01 IS. A loop, or a
chain ending at an item that is not active, stays ITEM_DISCONTINUED; a partner without the switch, as before."""

from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from connectors.reference import load_reference
from engine.decide import decide
from rules.business import resolve_items, run_business_rules, substitute
from rules.business.items import as_shipped, shipped_part_ids, substitute_ids
from rules.suite import run_suite
from schemas.reference import ReferenceData
from schemas.rule_settings import PartnerRuleOverrides, RuleSettings

from .tables import REFERENCE_DIR, TODAY, line, lines_table, order, orders_table

ACCEPTS = RuleSettings(partners={"acme": PartnerRuleOverrides(substitutes="accept")})
OLD = {"upc": "614141100590", "vendor_part": "VP-1008", "buyer_part": "ACME-OLD-8"}  # SKU-1008, discontinued


def _reference(tmp_path: Path, replaced: dict[str, str], *, no_price: str = "") -> ReferenceData:
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    rows = (REFERENCE_DIR / "items.csv").read_text(encoding="utf-8").splitlines()
    out = [rows[0] + ",replaced_by"]
    out += [f"{r},{replaced.get(r.split(',')[0], '')}" for r in rows[1:] if r.strip()]
    (tmp_path / "items.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    if no_price:  # acme has no price on file for this sku
        prices = (tmp_path / "prices.csv").read_text(encoding="utf-8").splitlines()
        (tmp_path / "prices.csv").write_text("\n".join(p for p in prices if not p.startswith(f"acme,{no_price},"))
                                             + "\n", encoding="utf-8")
    return load_reference(tmp_path)


def _suite(ref, settings=ACCEPTS, **ids):
    return run_suite(orders_table(order()), lines_table(line(**(ids or OLD))), ref, settings, today=TODAY,
                     use_gx=False)


def test_a_superseded_line_is_decided_on_its_replacement(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    result = _suite(ref)
    assert [(f.code, f.severity) for f in result.findings] == [("ITEM_SUBSTITUTED", "warning")]
    [f] = result.findings
    assert f.message == ("Substituted SKU-1008 -> SKU-1001: item SKU-1008 (614141100590) is discontinued; SKU-1001 "
                         "(vendor part VP-1001, GTIN 00614141100101) is shipped in its place, as the partner accepts "
                         "substitutes (855 ACK*IS names the new part).")
    assert (f.location.segment_id, f.location.element, f.location.value) == ("PO1", "PO107", "614141100590")
    [row] = result.lines.select(["sku", "ordered_sku", "case_pack", "min_order_qty", "item_status",
                                 "substitute_ids"]).to_pylist()
    # the new part's ids in the qualifiers sent: UP and VN ours, BP through acme's cross-reference (ACME-5000)
    assert row == {"sku": "SKU-1001", "ordered_sku": "SKU-1008", "case_pack": 1, "min_order_qty": 1,
                   "item_status": "active", "substitute_ids": [
                       {"qualifier": "UP", "id": "614141100101"}, {"qualifier": "VN", "id": "VP-1001"},
                       {"qualifier": "BP", "id": "ACME-5000"}]}
    # the same through run_business_rules
    findings = run_business_rules(orders_table(order()), lines_table(line(**OLD)), ref, ACCEPTS, today=TODAY)
    assert [x.code for x in findings] == ["ITEM_SUBSTITUTED"]


def test_a_substitute_is_answered_is_and_its_case_pack_applies(tmp_path):
    # SKU-1008 -> SKU-1019 (discontinued) -> SKU-1002 (active, 6 a case, minimum 6): 10 EA rounded up to 12, still IS
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1019", "SKU-1019": "SKU-1002"})
    result = _suite(ref, **OLD, unit_price=Decimal("9.39"))  # SKU-1002's price for acme
    assert sorted(f.code for f in result.findings) == ["CASE_PACK_ROUNDED", "ITEM_SUBSTITUTED"]
    [sub] = [f for f in result.findings if f.code == "ITEM_SUBSTITUTED"]
    assert "SKU-1002 (vendor part VP-1002, GTIN 00614141100170) is shipped in its place (through SKU-1019)" in \
        sub.message
    [d] = decide(orders_table(order()), result.lines, result.findings, ref, ACCEPTS)
    [ld] = d.lines
    assert (ld.ack01, ld.action, ld.quantity) == ("IS", "change_quantity", Decimal(12))


def test_a_hold_wins_over_the_substitution(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    result = _suite(ref)
    [d] = decide(orders_table(order()), result.lines, result.findings, ref, ACCEPTS,
                 policies={"acme": {"ITEM_SUBSTITUTED": "hold_line"}})
    assert d.lines[0].ack01 == "IH" and d.status == "held"
    [d] = decide(orders_table(order()), result.lines, result.findings, ref, ACCEPTS)
    assert (d.status, d.lines[0].ack01, d.lines[0].action) == ("accepted", "IS", "accept")


def test_a_loop_or_a_chain_ending_discontinued_is_rejected_as_before(tmp_path):
    for n, replaced, words in ((1, {"SKU-1008": "SKU-1019", "SKU-1019": "SKU-1008"}, "loop"),
                               (2, {"SKU-1008": "SKU-1019"}, "itself discontinued")):
        folder = tmp_path / str(n)
        folder.mkdir()
        result = _suite(_reference(folder, replaced))
        assert [f.code for f in result.findings if f.code.startswith("ITEM_")] == ["ITEM_DISCONTINUED"]
        assert words in next(f.message for f in result.findings if f.code == "ITEM_DISCONTINUED")
        assert result.lines["sku"].to_pylist() == ["SKU-1008"]
        assert "ordered_sku" not in result.lines.column_names


def test_without_the_switch_nothing_is_substituted(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    for settings in (RuleSettings(), RuleSettings(partners={"globex": PartnerRuleOverrides(substitutes="accept")})):
        result = _suite(ref, settings)
        assert [f.code for f in result.findings if f.code.startswith("ITEM_")] == ["ITEM_DISCONTINUED"]
        assert result.lines["sku"].to_pylist() == ["SKU-1008"]
        [d] = decide(orders_table(order()), result.lines, result.findings, ref, settings)
        assert d.lines[0].ack01 == "IR"


def test_no_price_on_file_for_the_replacement_holds_the_line(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"}, no_price="SKU-1001")
    result = _suite(ref)
    assert sorted(f.code for f in result.findings) == ["ITEM_SUBSTITUTED", "PRICE_NOT_ON_FILE"]
    assert "SKU-1001" in next(f.message for f in result.findings if f.code == "PRICE_NOT_ON_FILE")
    [d] = decide(orders_table(order()), result.lines, result.findings, ref, ACCEPTS)
    assert (d.status, d.lines[0].ack01) == ("held", "IH")


def test_resolving_items_as_sent_never_substitutes(tmp_path):
    # what shipment confirmations and weights resolve through (rules.shipment_units, by_weight) names the item sent
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    resolved = resolve_items(lines_table(line(**OLD)), ref.items, ref.partner_items)
    assert resolved.select(["sku", "item_status"]).to_pylist() == [{"sku": "SKU-1008", "item_status": "discontinued"}]
    assert substitute(resolved, ref.items, ref.partner_items, RuleSettings()) is resolved


def test_the_substitute_s_ids_in_the_qualifiers_sent(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    sent = [{"qualifier": q, "id": "x"} for q in ("UK", "EN", "UI", "UD", "VP", "SK", "BP")]
    # SK: acme has no such cross-reference for SKU-1001, left out; BP through the legacy cross-reference row
    assert substitute_ids(sent, "SKU-1001", "acme", ref.items, ref.partner_items) == [
        {"qualifier": "UK", "id": "00614141100101"}, {"qualifier": "EN", "id": "0614141100101"},
        {"qualifier": "UI", "id": "61414110010"}, {"qualifier": "UD", "id": "061414110010"},
        {"qualifier": "VP", "id": "VP-1001"}, {"qualifier": "BP", "id": "ACME-5000"}]
    # only ids nobody has for it: its vendor part
    assert substitute_ids([{"qualifier": "SK", "id": "x"}], "SKU-1001", "acme", ref.items, None) == [
        {"qualifier": "VP", "id": "VP-1001"}]
    # what shipped: ours replaced, the buyer's own as sent; with none of ours, our vendor part added
    assert shipped_part_ids([{"qualifier": "UP", "id": "614141100590"}, {"qualifier": "BP", "id": "ACME-OLD-8"}],
                            "SKU-1001", ref.items) == [{"qualifier": "UP", "id": "614141100101"},
                                                       {"qualifier": "BP", "id": "ACME-OLD-8"}]
    assert shipped_part_ids([{"qualifier": "BP", "id": "ACME-OLD-8"}], "SKU-1001", ref.items) == [
        {"qualifier": "BP", "id": "ACME-OLD-8"}, {"qualifier": "VP", "id": "VP-1001"}]


def test_as_shipped_rewrites_only_substituted_lines(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    lines = lines_table(line(**OLD), line(line_number=2, line_id="2", upc="614141100170"))
    stored = pa.table({"partner": ["acme", "acme"], "po_number": ["PO-1", "PO-1"], "line_number": [1, 2],
                       "sku": ["SKU-1001", "SKU-1002"], "codes": ["ITEM_SUBSTITUTED", ""]})
    out = as_shipped(lines, stored, ref.items)
    assert out["product_ids"].to_pylist() == [
        [{"qualifier": "UP", "id": "614141100101"}, {"qualifier": "VN", "id": "VP-1001"},
         {"qualifier": "BP", "id": "ACME-OLD-8"}], lines["product_ids"].to_pylist()[1]]
    assert as_shipped(lines, stored.set_column(4, "codes", pa.array(["", ""])), ref.items) is lines
    # a line stored with the item ordered (order_lines.ordered_sku) and no ITEM_SUBSTITUTED (a partner whose rule
    # suites leave "items" out): rewritten too
    kept = stored.set_column(4, "codes", pa.array(["", ""])).append_column("ordered_sku", pa.array(["SKU-1008", ""]))
    assert as_shipped(lines, kept, ref.items)["product_ids"].to_pylist() == out["product_ids"].to_pylist()


def test_a_substitute_is_answered_is_when_the_items_suite_is_off(tmp_path):
    # a partner whose profile leaves the "items" rule suite out: no ITEM_SUBSTITUTED warning is kept, yet the line
    # is decided on the replacement, so its 855 must still say IS (IA naming another part is a silent substitution)
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    orders, lines = orders_table(order()), lines_table(line(**OLD))
    result = run_suite(orders, lines, ref, ACCEPTS, today=TODAY, use_gx=False, suites={"acme": ("prices",)})
    assert [f.code for f in result.findings] == []
    assert result.lines["sku"].to_pylist() == ["SKU-1001"]
    [d] = decide(orders, result.lines, result.findings, ref, ACCEPTS)
    [ld] = d.lines
    assert (ld.ack01, ld.action, ld.quantity) == ("IS", "accept", Decimal(10))
    # with another finding on the order (one the partner keeps: a case pack rounded), still IS
    (tmp_path / "2").mkdir()
    ref2 = _reference(tmp_path / "2", {"SKU-1008": "SKU-1019", "SKU-1019": "SKU-1002"})
    lines2 = lines_table(line(**OLD, unit_price=Decimal("9.39")))
    result2 = run_suite(orders, lines2, ref2, ACCEPTS, today=TODAY, use_gx=False,
                        suites={"acme": ("quantities", "prices")})
    assert [f.code for f in result2.findings] == ["CASE_PACK_ROUNDED"]
    [d2] = decide(orders, result2.lines, result2.findings, ref2, ACCEPTS)
    assert [(x.ack01, x.action) for x in d2.lines] == [("IS", "change_quantity")]
