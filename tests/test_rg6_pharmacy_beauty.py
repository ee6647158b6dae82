"""Pharmacy and beauty retail (Walgreens, CVS Health, Rite Aid, Ulta Beauty, Sephora) as their guides describe
them: tests/fixtures/rg6/ holds each retailer's profile, reference rows, 850s written in its shapes and the warehouse's
confirmation of what shipped. Walgreens' DC orders name no N1 ship-to (each line's SDQ gives the DC) and its DSD
orders a store; CVS sends ISA ZZ*CVS, REF*VR, heading and line SACs off invoice and an ITD inside a PO1 loop; Rite
Aid 005010 (ISA11 ^, CR LF, N9/MTX, FOB, TD5) with a promotional PO (BEG02 PR, REF*PD, a per-case allowance); Ulta
VICS 4030 (ISA12 00403, GS08 004030VICS) with a ship window and a new-store allocation (BEG02 NE, N1*Z7 store,
REF*PD); Sephora CUR, N1*BY and ST, PID and PO4, a percent promotion SAC. Each night is run as the partners would
see it: inspect, the 997s and 855s, then the 856s and 810s, checked against what the guides require."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from tests.retailer_support import (
    accepted_as_ordered,
    inspected,
    line_counts,
    on_demo,
    po_segments,
    pos_in,
    segments,
    sent_856s_and_810s,
    shipped_night,
)
from tests.support import REPO, x12_850

FIXTURES = REPO / "tests" / "fixtures" / "rg6"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)


def workspace(root: Path, drops: dict[str, list[str]] | None = None):
    """A demo workspace (warehouses, inventory, reference) with the five retailers' profiles and reference rows,
    and their 850s in their inboxes (``drops``: partner -> file names; default every fixture)."""
    return on_demo(FIXTURES, root, drops)


# --- an order whose only destination is its lines' SDQ ----------------------------------------------------------

def _ship_to(body: list[str]) -> tuple[str | None, str | None]:
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    parsed = read_interchanges(x12_850(body))
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    row = orders.select(["ship_to_id_qualifier", "ship_to_id"]).to_pylist()[0]
    return row["ship_to_id_qualifier"], row["ship_to_id"]


def test_a_po_naming_no_ship_to_goes_where_every_sdq_sends_its_lines():
    """Walgreens' DC 850 has no N1 loop: each PO1's SDQ names the distribution center (92) and its quantity. The
    one destination every line's SDQ names is the order's ship-to (it was none: SHIP_TO_UNKNOWN held every
    Walgreens DC order). Several destinations, or a line without SDQ, name none; an N1*ST sent wins."""
    head = ["BEG*00*SA*0045127731**20261125"]
    one = ["PO1*1*20*CA*56.34**UP*614141100170", "SDQ*CA*92*0015*20", "PO1*2*60*EA*4.56**UP*614141100804",
           "SDQ*EA*92*0015*60", "CTT*2*80"]
    assert _ship_to(head + one) == ("92", "0015")
    two = ["PO1*1*20*CA*56.34**UP*614141100170", "SDQ*CA*92*0015*10*0016*10", "CTT*1*20"]
    assert _ship_to(head + two) == (None, None)
    bare = ["PO1*1*20*CA*56.34**UP*614141100170", "SDQ*CA*92*0015*20", "PO1*2*6*EA*4.56**UP*614141100804",
            "CTT*2*26"]
    assert _ship_to(head + bare) == (None, None)
    sent = ["N1*ST*WALGREENS DC 16*92*0016"]
    assert _ship_to(head + sent + one) == ("92", "0016")


def test_each_set_of_a_file_takes_the_sdq_destination_of_its_own_lines():
    """Two POs in one group: a store-ready one with its DC in N1*ST and its lines split over stores, then a DC one
    without N1: the second goes to its own SDQ's DC, the first keeps its N1 (its stores' SDQs are not its ship-to)."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    first = ["ST*850*0001", "BEG*00*SA*PO-A**20261125", "N1*ST*DC 9*92*0009", "PO1*1*12*EA*4.56**UP*614141100804",
             "SDQ*EA*92*0101*6*0102*6", "CTT*1*12", "SE*7*0001"]
    second = ["ST*850*0002", "BEG*00*SA*PO-B**20261125", "PO1*1*20*CA*56.34**UP*614141100170", "SDQ*CA*92*0015*20",
              "CTT*1*20", "SE*6*0002"]
    text = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*U*00401*000000001*0*P*>~"
            "GS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*004010~" + "".join(s + "~" for s in first + second)
            + "GE*2*1~IEA*1*000000001~")
    parsed = read_interchanges(text.encode())
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    assert orders.select(["po_number", "ship_to_id"]).to_pylist() == [
        {"po_number": "PO-A", "ship_to_id": "0009"}, {"po_number": "PO-B", "ship_to_id": "0015"}]


# --- every fixture through inspect, a night and the day's shipments ---------------------------------------------

POS = {"walgreens": {"0045127731": 3, "0045127740": 2, "0087310022": 2}, "cvs": {"7701234": 3, "7701240": 1},
       "riteaid": {"D4471180": 2, "D4471195": 1}, "ulta": {"4500987712": 2, "4500987730": 2},
       "sephora": {"3100044512": 2}}
# what the fixtures carry that we apply to no price or 855, or keep no field for: reported, never held or rejected
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED", "SDQ_NOT_APPLIED"}


@pytest.mark.parametrize("path", sorted(p for p in (FIXTURES / "drops").rglob("*") if p.is_file()),
                         ids=lambda p: p.name)
def test_inspect_reads_every_retailer_po_without_an_error(path):
    seen = inspected(path, NOTED)
    assert line_counts(seen) == pos_in(path, POS[path.parent.name])


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Every fixture 850 taken at 02:00, the warehouse's confirmation shipped and invoiced at 14:30, the documents
    delivered: the workspace, the state's findings and the orders' states."""
    return shipped_night(workspace(tmp_path_factory.mktemp("rg6") / "ws"), FIXTURES, NIGHT, SHIP_DAY, messages=True)


def test_every_po_is_accepted_in_the_997_and_acknowledged_in_full(night):
    ws, found, states = night
    assert [f for f in found if f[1] == "error"] == []
    assert {f[0] for f in found} <= NOTED | {"ASN_LATE"}
    accepted_as_ordered(ws, POS, no_855=("walgreens",))  # its DC program takes no 855
    # Rite Aid's 005010 group is answered by a 005010 997 (AK103 names it); Ulta's 004030VICS one read and accepted
    assert ["AK1", "PO", "22041", "005010"] in segments(ws, "riteaid", "997")
    assert ["AK1", "PO", "612"] in segments(ws, "ulta", "997")
    unshipped = {("walgreens", "0045127740"), ("cvs", "7701240")}
    assert {k for k, v in states.items() if v == "acknowledged"} == unshipped
    assert {k for k, v in states.items() if v == "invoiced"} == {(p, po) for p, pos in POS.items() for po in pos} \
        - unshipped


def test_walgreens_dc_orders_go_to_the_dc_their_sdqs_name_with_pallets_on_the_856(night):
    """No N1 in Walgreens' DC 850: the DC (92 0015) every SDQ names is the ship-to the 856 and 810 give (the order
    used to be held, SHIP_TO_UNKNOWN); pallets at the tare level (extension 1), cartons under them."""
    ws, found, _states = night
    assert not [f for f in found if f[2] in POS["walgreens"] and f[0] == "SHIP_TO_UNKNOWN"]
    # every line goes whole to the one DC its SDQ names: the SDQs are applied, no SDQ_NOT_APPLIED each night
    assert not [f for f in found if f[0] == "SDQ_NOT_APPLIED"]
    asn = po_segments(segments(ws, "walgreens", "856"), "WG-SHP-01", "BSN")
    assert ["N1", "ST", "", "92", "0015"] in asn and ["REF", "IA", "W88210"] in asn
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T"] + ["P", "I"] * 4
    pallets = [s[2] for s in asn if s[0] == "MAN"]
    assert pallets[0].startswith("001") and all(p.startswith("000") for p in pallets[1:])
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "10", "CA"], ["", "10", "CA"], ["", "4", "CA"],
                                                      ["", "60", "EA"]]
    inv = po_segments(segments(ws, "walgreens", "810"), "0045127731", "BIG")
    assert ["N1", "ST", "", "92", "0015"] in inv and ["N1", "RE", "OrderBridge Supply Inc"] in inv
    assert ["TDS", "185352"] in inv  # 20 x 56.34 + 4 x 113.28 + 60 x 4.56
    store = po_segments(segments(ws, "walgreens", "810"), "0087310022", "BIG")  # DSD: to the store
    assert ["N1", "ST", "WALGREENS #05512", "92", "05512"] in store and ["TDS", "13698"] in store


def test_cvs_810_takes_the_po_s_allowances_off_with_its_vr_vendor_number_and_heading_terms(night):
    ws, found, _states = night
    inv = po_segments(segments(ws, "cvs", "810"), "7701234", "BIG")
    assert ["REF", "VR", "0000412233"] in inv
    assert ["ITD", "01", "3", "2", "", "30", "", "60"] in inv  # the heading's terms, not line 2's own ITD
    line2 = next(k for k, s in enumerate(inv) if s[0] == "IT1" and s[1] == "2")
    assert inv[line2 + 2][:6] == ["SAC", "A", "C310", "", "", "1853"]
    assert next(s for s in inv if s[:3] == ["SAC", "A", "A260"])[5] == "2500"
    # 12 x 113.28 + 8 x 23.16 + 3 x 308.40 = 2469.84, less 18.53 and 25.00
    assert ["TDS", "242631"] in inv
    # both SACs are on our 810s (A260 and C310: SAC12 02, the profile's po_allowances): nothing left to agree, no
    # SAC_NOT_APPLIED (it said none reached an 810, then was raised naming both "on our 810s")
    assert not [m for c, _s, po, m in found if c == "SAC_NOT_APPLIED" and po == "7701234"]
    answer = po_segments(segments(ws, "cvs", "855"), "7701234", "BAK")
    assert ["N1", "ST", "CVS DC LUMBERTON", "92", "0412"] in answer


def test_rite_aid_gets_005010_documents_with_the_remit_to_address_and_the_promotion(night):
    ws, _found, _states = night
    text = b"".join(p.read_bytes() for p in sorted((ws.drop_root / "riteaid" / "outbox").glob("*.x12"))).decode()
    assert text.count("*^*00501*") == text.count("ISA*") and "\r\n" in text
    assert all(s[8] == "005010" for s in segments(ws, "riteaid", "810") if s[0] == "GS")
    inv = po_segments(segments(ws, "riteaid", "810"), "D4471195", "BIG")
    at = inv.index(["N1", "RE", "OrderBridge Supply Inc", "1", "123456789"])
    assert inv[at + 1:at + 3] == [["N3", "PO Box 7700"], ["N4", "Newark", "NJ", "07101", "US"]]
    assert ["REF", "PD", "PROMO-2612"] in inv and ["REF", "IA", "40771"] in inv
    # a 6.70 allowance per case of the 4 cases billed: 26.80 off 1072.32
    assert next(s for s in inv if s[0] == "SAC")[:10] == ["SAC", "A", "C000", "", "", "2680", "", "", "6.7", "CA"]
    assert ["TDS", "104552"] in inv
    # its 810 guide makes PID mandatory in every IT1 loop and its 850s send none: our items' descriptions
    # ([fulfilment.invoice] item_pid), on the 810 built with the PO's SACs and on the one built in the batch alike
    for po, names in (("D4471180", ["Whiteboard marker black", "Clear tape 19mm x 33m"]),
                      ("D4471195", ["Label roll 89x28mm"])):
        body = po_segments(segments(ws, "riteaid", "810"), po, "BIG")
        lines = [k for k, s in enumerate(body) if s[0] == "IT1"]
        assert [body[k + 1] for k in lines] == [["PID", "F", "", "", "", name] for name in names]
    promo = po_segments(segments(ws, "riteaid", "855"), "D4471195", "BAK")
    assert ["REF", "PD", "PROMO-2612"] in promo and ["ACK", "IA", "4", "CA", "068", "20261127"] in promo


def test_ulta_s_new_store_allocation_names_the_store_and_the_event_in_its_order_loop(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "ulta", "856"), "UL-SHP-01", "BSN")
    at = next(k for k, s in enumerate(asn) if s[:2] == ["PRF", "4500987730"])
    assert asn[at + 1:at + 5] == [["REF", "IA", "UL5521"], ["REF", "DP", "210"],
                                  ["REF", "PD", "HOLIDAY BEAUTY BLITZ"], ["N1", "Z7", "ULTA BEAUTY STORE 1187", "92",
                                                                          "1187"]]
    window = po_segments(segments(ws, "ulta", "855"), "4500987712", "BAK")
    assert ["DTM", "068", "20261127"] in window  # the window opened (DTM 037) the day before: today
    inv = po_segments(segments(ws, "ulta", "810"), "4500987730", "BIG")
    assert ["TDS", "14538"] in inv  # 6 x 13.71 + 24 x 2.63


def test_sephora_810_takes_the_promotion_percent_off_its_line(night):
    ws, _found, _states = night
    inv = po_segments(segments(ws, "sephora", "810"), "3100044512", "BIG")
    assert ["REF", "DP", "12"] in inv and ["N1", "BY", "SEPHORA USA INC", "92", "0001"] in inv
    # 5 % of line 2's 18 x 5.81 = 104.58 is 5.23; 787.50 + 104.58 - 5.23
    assert next(s for s in inv if s[0] == "SAC")[:8] == ["SAC", "A", "C000", "", "", "523", "3", "5"]
    assert ["TDS", "88685"] in inv
    answer = po_segments(segments(ws, "sephora", "855"), "3100044512", "BAK")
    assert answer[1:4] == [["REF", "IA", "SPH0071"], ["REF", "DP", "12"], ["DTM", "068", "20261203"]]


def test_item_descriptions_fill_only_the_lines_without_one_of_the_partners_that_ask():
    from engine.lifecycle.billing import with_item_descriptions

    lines = pa.table({"partner": ["riteaid", "riteaid", "riteaid", "cvs"], "po_number": ["P1"] * 4,
                      "line_number": [1, 2, 3, 1], "description": [None, "AS THE PO SAID", " ", None]})
    items = pa.table({"sku": ["SKU-1", "SKU-2"], "description": ["Tape", "Pen"]})
    skus = {("riteaid", "P1", 1): "SKU-1", ("riteaid", "P1", 2): "SKU-2", ("cvs", "P1", 1): "SKU-1"}
    out = with_item_descriptions(lines, skus, items, {"riteaid"})
    assert out["description"].to_pylist() == ["Tape", "AS THE PO SAID", " ", None]  # line 3: SKU unknown
    assert with_item_descriptions(lines, skus, items, set()) is lines


def test_every_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):
    """004010 and Rite Aid's 005010 documents alike (the 810s with PO SACs, a remit-to address, item PIDs; an 856
    whose ship-to is an SDQ's DC, without a name)."""
    from tests.test_mark_for import accepted

    ws, _found, _states = night
    sent = sent_856s_and_810s(ws, POS)
    assert len(sent) == 7 + 8  # 856s (Ulta's two POs on one), 810s (Ulta's per order: one per PO)
    for path in sent:
        accepted(path.read_bytes(), tmp_path, maps)


def test_a_walgreens_dc_change_cuts_a_line_of_an_order_whose_dc_came_from_its_sdqs(tmp_path):
    """Walgreens' DC 860 (POC QD with the line's new SDQ, no N1) on 0045127740: the line is cut to 8 cases and
    the order, whose ship-to its 850's SDQs gave, is not held (no SHIP_TO_UNKNOWN): the 997 accepts the change and
    no 855 or 865 goes to a partner that takes neither."""
    from connectors.state import StateStore
    from tests.support import run_stages

    ws = workspace(tmp_path / "ws", {"walgreens": ["WAG850_DC_0045127731.edi"]})
    run_stages(ws, NIGHT)
    body = ["ST*860*0001", "BCH*04*SA*0045127740**20261126*20261127", "REF*IA*W88210",
            "PER*OC*DC ORDERING*TE*8475550112", "POC*1*QD*8*8*CA*77.80**UP*614141101085*IN*482920",
            "SDQ*CA*92*0015*8", "CTT*1", "SE*8*0001"]
    (ws.drop_root / "walgreens" / "inbox" / "chg.edi").write_text(
        "ISA*00*          *00*          *01*008911001      *ZZ*ORDERBRIDGE    *261128*0100*U*00401*000071201*0*P*>~"
        "GS*PC*008911001*ORDERBRIDGE*20261128*0100*71201*X*004010~" + "".join(s + "~" for s in body)
        + "GE*1*71201~IEA*1*000071201~")
    run_stages(ws, datetime(2026, 11, 28, 2))
    state = StateStore(ws.state_path)
    try:
        assert {o.key: o.state.value for o in state.orders()}[("walgreens", "0045127740")] == "acknowledged"
        assert [(ln.line_id, ln.ordered, ln.allocated) for ln in state.order_lines("walgreens", "0045127740")] == [
            ("1", 8, 8), ("2", 5, 5)]
        assert not [f for f in state.findings() if f["severity"] == "error"]
    finally:
        state.close()
    assert ["AK1", "PC", "71201"] in segments(ws, "walgreens", "997")
    assert not list((ws.drop_root / "walgreens" / "outbox").glob("*-8[56]5-*"))
