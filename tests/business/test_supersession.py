"""Superseded part numbers (items.csv ``replaced_by``): a PO line naming a discontinued item that a new
number replaces is still rejected, but the finding names the replacement (following chains, naming a loop),
so ops can call the buyer instead of losing the order line."""

from pathlib import Path

import pytest

from connectors.reference import load_reference
from rules.business import check_items, run_business_rules
from schemas.errors import ConfigError
from schemas.rule_settings import RuleSettings

from .tables import REFERENCE_DIR, TODAY, line, lines_table, order, orders_table


def _reference(tmp_path: Path, replaced: dict[str, str]):
    for f in REFERENCE_DIR.glob("*.csv"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    rows = (REFERENCE_DIR / "items.csv").read_text(encoding="utf-8").splitlines()
    out = [rows[0] + ",replaced_by"]
    out += [f"{r},{replaced.get(r.split(',')[0], '')}" for r in rows[1:] if r.strip()]
    (tmp_path / "items.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return load_reference(tmp_path)


def _discontinued_message(ref) -> str:
    findings = check_items(lines_table(line(upc="614141100590")), ref)  # SKU-1008, discontinued
    assert [f.code for f in findings] == ["ITEM_DISCONTINUED"]
    assert findings[0].location.value == "614141100590"
    return findings[0].message


def test_a_superseded_item_s_finding_names_its_replacement(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    message = _discontinued_message(ref)
    assert "SKU-1008" in message and "replaced by SKU-1001 (vendor part VP-1001, GTIN 00614141100101)" in message
    assert "offer the buyer SKU-1001" in message


def test_a_chain_of_replacements_is_followed_to_its_end(tmp_path):
    # SKU-1008 -> SKU-1019 (itself discontinued) -> SKU-1002
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1019", "SKU-1019": "SKU-1002"})
    message = _discontinued_message(ref)
    assert "replaced by SKU-1002 (vendor part VP-1002" in message and "(through SKU-1019)" in message


def test_a_loop_of_replacements_is_named_not_followed(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1019", "SKU-1019": "SKU-1008"})
    message = _discontinued_message(ref)
    assert "loop: SKU-1008 -> SKU-1019 -> SKU-1008" in message and "fix items.csv" in message


def test_an_item_not_superseded_is_said_discontinued_as_before(tmp_path):
    ref = _reference(tmp_path, {"SKU-1019": "SKU-1002"})
    assert _discontinued_message(ref) == "Item SKU-1008 (614141100590) is discontinued."


def test_the_night_s_rules_name_the_replacement(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    findings = run_business_rules(orders_table(order()), lines_table(line(upc="614141100590")), ref,
                                  RuleSettings(), today=TODAY)
    assert [f.message for f in findings if f.code == "ITEM_DISCONTINUED"] == [
        "Item SKU-1008 (614141100590) is discontinued. It is replaced by SKU-1001 (vendor part VP-1001, "
        "GTIN 00614141100101): offer the buyer SKU-1001."]


@pytest.mark.parametrize("replaced", [{"SKU-1008": "SKU-9999"}, {"SKU-1008": "SKU-1008"}])
def test_a_replacement_must_be_another_known_item(tmp_path, replaced):
    with pytest.raises(ConfigError, match="replaced_by"):
        _reference(tmp_path, replaced)


def test_the_night_s_suite_names_the_replacement(tmp_path):
    from rules.suite import run_suite

    ref = _reference(tmp_path, {"SKU-1008": "SKU-1001"})
    result = run_suite(orders_table(order()), lines_table(line(upc="614141100590")), ref, RuleSettings(),
                       today=TODAY, use_gx=False)
    assert [f.message for f in result.findings if f.code == "ITEM_DISCONTINUED"] == [
        "Item SKU-1008 (614141100590) is discontinued. It is replaced by SKU-1001 (vendor part VP-1001, "
        "GTIN 00614141100101): offer the buyer SKU-1001."]


def test_a_replacement_itself_discontinued_is_said_so(tmp_path):
    ref = _reference(tmp_path, {"SKU-1008": "SKU-1027"})  # SKU-1027: discontinued, not superseded
    assert "replaced by SKU-1027 (vendor part VP-1027, GTIN 00614141101924, itself discontinued)" in (
        _discontinued_message(ref))
