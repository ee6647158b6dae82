"""Health-care and pharmacy distributors (McKesson, Cardinal Health, Owens & Minor) as their 850s come: NDCs
under N4 (the HDA 850 guideline's product id), hyphenated as printed on the label or as 11 bare digits; a
medical-surgical case of boxes described by PO4 (PO4*10*100*EA: 10 boxes of 100 gloves); drop ships to
hospitals (BEG02 DS, N1 ST by HIN or DEA number). The fixtures are in tests/fixtures/rg3/ (profiles,
reference data, stock, 850s, the warehouse's confirmations); the night and the shipments run over them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

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


# --- the fixtures through inspect, a night and the shipments run ----------------------------------------

NIGHT, SHIPPING = datetime(2026, 12, 1, 2, 0), datetime(2026, 12, 1, 14, 30)
PARTNERS = ("cardinal", "mckesson", "owensminor")


def _segments(path: Path) -> list[list[str]]:
    text = path.read_text().replace("\r", "").replace("\n", "")
    element = text[3]
    return [s.split(element) for s in text.split("~") if s]


def _documents(ws, partner: str, kind: str) -> list[list[list[str]]]:
    """The partner's outbox documents of ``kind`` (855, 856, 810, 997, TA1), each as its segments, by name."""
    return [_segments(p) for p in sorted((ws.drop_root / partner / "outbox").glob(f"*-{kind}-*"))]


def _sets(docs: list[list[list[str]]]) -> dict[str, list[list[str]]]:
    """Each transaction set of ``docs`` (ST..SE) by its first reference: BAK03, BSN02, BIG02."""
    out: dict[str, list[list[str]]] = {}
    for doc in docs:
        at = [k for k, s in enumerate(doc) if s[0] == "ST"]
        for k in at:
            body = doc[k:next(j for j in range(k, len(doc)) if doc[j][0] == "SE") + 1]
            key = {"BAK": 3, "BSN": 2, "BIG": 2}
            head = next(s for s in body if s[0] in key)
            out[head[key[head[0]]]] = body
    return out


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """The fixtures' workspace after the night of December 1 and the shipments run at 14:30."""
    import shutil

    from flows.cli import app
    from flows.workspace import open_workspace
    from tests.support import run_night, run_shipments

    root = tmp_path_factory.mktemp("health") / "ws"
    ws = open_workspace(root)
    for folder in ("partners", "reference", "warehouses"):
        shutil.copytree(FIXTURES / folder, root / folder)
    loaded = CliRunner().invoke(app, ["inventory", "load", str(FIXTURES / "stock.csv"), "--receipts",
                                      str(FIXTURES / "receipts.csv"), "-w", str(root)])
    assert loaded.exit_code == 0, loaded.output
    for partner in PARTNERS:
        shutil.copytree(FIXTURES / "drops" / partner, ws.drop_root / partner / "inbox")
    run_night(ws, NIGHT)
    shutil.copytree(FIXTURES / "warehouse-drops" / "east", ws.warehouse_drop_root / "east" / "inbox",
                    dirs_exist_ok=True)
    run_shipments(ws, SHIPPING)
    return ws


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_finds_no_error_in_the_distributors_850s(path):
    from flows.cli import app

    res = CliRunner().invoke(app, ["inspect", "--json", str(path)])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == []
    assert all(o["po_number"] for o in report["orders"]) and report["orders"]


def test_the_night_acknowledges_every_po_line_by_line(night):
    from connectors.state import StateStore

    state = StateStore(night.state_url)
    try:
        orders = {o.key[1]: o.state.value for o in state.orders()}
        found = state.findings()
    finally:
        state.close()
    assert {f["code"] for f in found} == {"NOTES_NOT_KEPT", "ASN_LATE"}  # the drop ships' N9/MSG; 856s after 30'
    assert [f for f in found if f["severity"] == "error"] == []
    assert set(orders) == {"4500188231", "4500188232", "0113-7745120", "0113-7745188", "OM-2611-30042",
                           "OM-2611-30043"}
    # one 997 per group, every set accepted; Cardinal's first interchange asked for a TA1 (ISA14 = 1)
    acks = [s for p in PARTNERS for d in _documents(night, p, "997") for s in d if s[0] in ("AK2", "AK5", "AK9")]
    assert [s for s in acks if s[0] == "AK5"] == [["AK5", "A"]] * 6
    assert [s[1] for s in acks if s[0] == "AK9"] == ["A"] * 5
    assert [d[1][1:5] for d in _documents(night, "cardinal", "TA1")] == [["000088123", "261130", "2340", "A"]]
    statuses = {}
    for partner in PARTNERS:
        for po, body in _sets(_documents(night, partner, "855")).items():
            statuses[po] = (next(s[2] for s in body if s[0] == "BAK"), [s[1:3] for s in body if s[0] == "ACK"])
    assert statuses == {
        # the hyphenated NDC (00093-7156-01, 2 cases of 12) is the drug the cross-reference keeps as 11 digits
        "4500188231": ("AD", [["IA", "48"], ["IA", "24"]]), "4500188232": ("AD", [["IA", "2"], ["IA", "30"]]),
        "0113-7745120": ("AD", [["IA", "36"], ["IA", "20"]]), "0113-7745188": ("AD", [["IA", "6"]]),
        # 4 cases of 10 boxes (PO4*10*100*EA), 20 boxes, 10 trays; the drop ship to a hospital
        "OM-2611-30042": ("AD", [["IA", "4"], ["IA", "20"], ["IA", "10"]]),
        "OM-2611-30043": ("AD", [["IA", "2"], ["IA", "2"]])}
    mck = _sets(_documents(night, "mckesson", "855"))["4500188231"]
    assert ["REF", "IA", "614141"] in mck and ["N1", "ST", "MCKESSON MEMPHIS DC", "91", "8142"] in mck
    assert ["PO1", "1", "2", "CA", "153.6", "", "N4", "00093-7156-01"] in _sets(
        _documents(night, "mckesson", "855"))["4500188232"]  # the id echoed as the PO sent it


def test_the_856s_carry_each_lot_and_its_expiry_and_the_810s_bill_what_shipped(night):
    asns = {**_sets(_documents(night, "cardinal", "856")), **_sets(_documents(night, "mckesson", "856")),
            **_sets(_documents(night, "owensminor", "856"))}
    assert set(asns) == {"SHP-7001", "SHP-7002", "SHP-7003", "SHP-7004"}
    two_lots = asns["SHP-7002"]  # one carton, line 1 from two lots: two item loops (it was held as a duplicate)
    lins = [s for s in two_lots if s[0] in ("LIN", "SN1", "DTM") and s[1] != "011"]
    assert lins == [
        ["LIN", "1", "N4", "00093715601", "UK", "00300937156017", "LT", "A23K117"],
        ["SN1", "", "24", "EA", "", "36", "EA"],
        ["DTM", "036", "20280630"],
        ["LIN", "1", "N4", "00093715601", "UK", "00300937156017", "LT", "A24B002"],
        ["SN1", "", "12", "EA", "", "36", "EA"],
        ["DTM", "036", "20281130"],
        ["LIN", "2", "N4", "36800012345", "UK", "00368000123458", "LT", "SC5521"],
        ["SN1", "", "20", "EA", "", "20", "EA"],
        ["DTM", "036", "20270331"]]
    assert ["N1", "ST", "ST MARY MEDICAL CENTER", "21", "1AB2345C6"] in asns["SHP-7003"]  # the hospital (HIN)
    # the drop ship's hospital PO (REF*CO after BEG) back in the order loop and in the 810's heading; the DC
    # order sent none: no REF*CO
    drop_ship = asns["SHP-7003"]
    assert drop_ship[drop_ship.index(["PRF", "0113-7745188", "", "", "20261130"]) + 1] == ["REF", "CO", "SMMC-PO-55102"]
    assert not any(s[:2] == ["REF", "CO"] for s in two_lots)
    assert ["REF", "IA", "614141"] in asns["SHP-7001"]  # McKesson's vendor number in the order loop
    om = [s for s in asns["SHP-7004"] if s[0] in ("LIN", "REF", "DTM") and s[1] not in ("BM", "DP", "011")]
    assert om == [["LIN", "1", "VC", "VP-MS01"], ["REF", "LT", "GL26-0412"], ["DTM", "036", "20310430"],
                  ["LIN", "2", "VC", "VP-MS02"], ["REF", "LT", "FC-88123"]]  # Owens & Minor: REF*LT
    invoices = {**_sets(_documents(night, "cardinal", "810")), **_sets(_documents(night, "mckesson", "810")),
                **_sets(_documents(night, "owensminor", "810"))}
    hospital = next(body for body in invoices.values() if ["REF", "CO", "SMMC-PO-55102"] in body)
    assert next(s for s in hospital if s[0] == "BIG")[4] == "0113-7745188"
    billed = {next(s[4] for s in body if s[0] == "BIG"): ([s[1:5] for s in body if s[0] == "IT1"],
                                                          next(s[1] for s in body if s[0] == "TDS"))
              for body in invoices.values()}
    assert billed == {
        "4500188231": ([["1", "48", "EA", "12.8"], ["2", "24", "EA", "7.15"]], "78600"),
        "0113-7745120": ([["1", "36", "EA", "12.8"], ["2", "20", "EA", "3.95"]], "53980"),  # both lots: 36
        "0113-7745188": ([["1", "6", "EA", "7.15"]], "4290"),
        "OM-2611-30043": ([["1", "2", "CS", "425"], ["2", "2", "EA", "18.75"]], "88750")}


def test_mckessons_860_raises_a_line_named_by_its_hyphenated_ndc(night):
    """The next night McKesson's 860 (BCH 04, POC QI) raises line 2 of 4500188231 (shipped on December 1:
    24 of the 24 it then ordered) to 36, naming it N4*00093-7158-02: the change is applied to the line, the
    12 more allocated, its 997 accepts it; McKesson takes no 865 (its profile), so nothing else is sent."""
    import shutil

    from connectors.state import StateStore
    from tests.support import run_night

    shutil.copy2(FIXTURES / "changes" / "mckesson" / "MCK860_4500188231.edi", night.drop_root / "mckesson" / "inbox")
    run_night(night, datetime(2026, 12, 2, 2, 0))
    state = StateStore(night.state_url)
    try:
        lines = {ln.line_id: ln for ln in state.order_lines("mckesson", "4500188231")}
        found = state.findings(partner="mckesson", po_number="4500188231")
    finally:
        state.close()
    assert (lines["2"].ordered, lines["2"].allocated, lines["1"].ordered) == (36, 36, 48)  # 24 shipped + 12 more
    assert [f["code"] for f in found if f["severity"] == "error"] == []
    last = _documents(night, "mckesson", "997")[-1]
    assert ["AK1", "PC", "40790"] in last and ["AK5", "A"] in last
