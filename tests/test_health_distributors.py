"""Health-care and pharmacy distributors (McKesson, Cardinal Health, Owens & Minor) as their 850s come: NDCs
under N4 (the HDA 850 guideline's product id), hyphenated as printed on the label or as 11 bare digits; a
medical-surgical case of boxes described by PO4 (PO4*10*100*EA: 10 boxes of 100 gloves); drop ships to
hospitals (BEG02 DS, N1 ST by HIN or DEA number). The fixtures are in tests/fixtures/rg3/ (profiles,
reference data, stock, 850s, the warehouse's confirmations); the night and the shipments run over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.reference import load_reference
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.business.items import resolve_items
from rules.business.quantities import check_quantities
from schemas.reference import ndc_11
from schemas.rule_settings import RuleSettings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rg3"
ISA = ("ISA*00*          *00*          *01*177667227      *01*614141000      *261130*2215*U*00401*000040799*0*P*>~"
       "GS*PO*177667227*614141000*20261130*2215*40799*X*004010~")


def _lines(body: list[str], partner: str = "mckesson"):
    text = (ISA + "ST*850*0001~" + "".join(s + "~" for s in body)
            + f"SE*{len(body) + 2}*0001~GE*1*40799~IEA*1*000040799~")
    result = read_interchanges(text.encode(), file="po.x12")
    assert [f for f in result.findings if f.severity == "error"] == []
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner=partner)
    return lines


@pytest.mark.parametrize(("sent", "qualifier", "expected"), [
    ("00093715601", "N4", "00093715601"),  # the HIPAA 11 digits, as the cross-reference keeps them
    ("00093-7156-01", "N4", "00093715601"),  # 5-4-2 with the label's hyphens
    ("0093-7156-01", "N4", "00093715601"),  # the FDA's 10-digit 4-4-2, hyphenated: padded where it is short
    ("00093-156-01", "ND", "00093015601"),  # 5-3-2
    ("00093-7156-1", "N4", "00093715601"),  # 5-4-1
    ("00093 7156 01", "N4", "00093715601"),  # blanks for hyphens
    ("0093715601", "N1", "00093715601"),  # 10 bare digits in the layout the qualifier names (N1: 4-4-2)
    ("0093715601", "ND", None),  # 10 bare digits under ND: no layout, nothing guessed
    ("0093715601", "N4", None),  # N4 says 11 digits: 10 are none
    ("0093-71560-1", "N4", None), ("12-34", "N4", None), ("ABC-1234-56", "N4", None), (None, "N4", None)])
def test_an_ndc_is_its_eleven_digits_however_it_is_printed(sent, qualifier, expected):
    assert ndc_11(sent, qualifier) == expected


def test_a_hyphenated_ndc_finds_the_item_the_cross_reference_keeps_as_eleven_digits():
    """McKesson's second PO of the fixture sends N4*00093-7156-01 (the label's 5-4-2); the cross-reference
    keeps 00093715601. The line was ITEM_UNKNOWN and rejected (855 IR): a drug not shipped to a DC."""
    ref = load_reference(FIXTURES / "reference")
    lines = _lines(["BEG*00*SA*4500188299**20261130", "N1*ST*MCKESSON AURORA DC*91*8150",
                    "PO1*1*2*CA*153.6**N4*00093-7156-01", "PO1*2*30*EA*3.95**N4*36800012345",
                    "PO1*3*1*EA*7.15**N1*0093-7158-02", "PO1*4*1*EA*7.15**N4*00093-7158-03", "CTT*4"])
    resolved = resolve_items(lines, ref.items, ref.partner_items)
    assert resolved.column("sku").to_pylist() == ["SKU-RX01", "SKU-RX03", "SKU-RX02", None]
    assert resolved.column("matched_by").to_pylist()[:3] == ["N4", "N4", "N1"]
    # the PO keeps the id as it was sent (the 855, 856 and 810 echo it so)
    assert lines.column("product_ids").to_pylist()[0] == [{"qualifier": "N4", "id": "00093-7156-01"}]


def test_a_case_of_boxes_whose_po4_counts_the_eaches_in_each_box_is_our_case():
    """Owens & Minor orders gloves sold by the box (items.unit BX, 10 boxes a case) in cases, with
    PO4*10*100*EA: PO401 10 inner containers (boxes) per case, PO402/PO403 each of 100 eaches (gloves).
    The case was read as 1000 of our boxes (10 x 100) and the line held (CASE_PACK_MISMATCH): the order
    waited for a person. A PO4 whose count is wrong is still found."""
    ref = load_reference(FIXTURES / "reference")
    head = ["BEG*00*SA*OM-1**20261130", "N1*ST*OWENS & MINOR RICHMOND DC*92*OM-RICH"]
    ours = _lines([*head, "PO1*1*4*CS*425**VC*VP-MS01", "PO4*10*100*EA", "CTT*1"], partner="owensminor")
    assert [f.code for f in check_quantities(ours, ref, RuleSettings())] == []
    wrong = _lines([*head, "PO1*1*4*CS*425**VC*VP-MS01", "PO4*12*100*EA", "CTT*1"], partner="owensminor")
    assert [f.code for f in check_quantities(wrong, ref, RuleSettings())] == ["CASE_PACK_MISMATCH"]
    # an item sold by the each (a bottle, 12 a case): PO4*12*1*EA is our case, PO4*12*100*EA still 1200 eaches
    bottles = _lines([*head, "PO1*1*1*CS*153.6**VC*VP-RX01", "PO4*12*1*EA", "CTT*1"], partner="owensminor")
    assert [f.code for f in check_quantities(bottles, ref, RuleSettings())] == []
    bottles = _lines([*head, "PO1*1*1*CS*153.6**VC*VP-RX01", "PO4*12*100*EA", "CTT*1"], partner="owensminor")
    assert [f.code for f in check_quantities(bottles, ref, RuleSettings())] == ["CASE_PACK_MISMATCH"]
