"""Farm, pet and hardware channels (Tractor Supply, Petco, PetSmart, Chewy, Menards, and the hardware co-ops
Ace Hardware, Do it Best, Orgill, True Value) as their guides describe them: tests/fixtures/rg8/ holds each
retailer's profile, reference rows, 850s written in its shapes (ISA ids qualified 14 DUNS+4, 12 phone, 01 DUNS;
005010 with a repetition separator; GLN ship-tos; direct-to-consumer drop ships with REF*CO and the consumer's
address; co-op RSC replenishment with promotion dating and an off-invoice freight allowance; member drop ships
naming the member's store; a store mark-for on a DC order; a guest's jobsite special order; N9/MSG notes, TD3,
FOB with a location) and the warehouse's confirmation of what shipped. Each night is run as the partners would see
it: inspect, the 997s and 855s, then the 856s and 810s, checked against what the guides require."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

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
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg8"
NIGHT = datetime(2026, 11, 27, 2)
SHIP_DAY = datetime(2026, 11, 27, 14, 30)

POS = {"tractorsupply": {"TS40012345": 3, "TS80098765": 2, "TS80098770": 1},
       "petco": {"P7788120": 2, "P7788133": 2}, "petsmart": {"4400918273": 3, "4400918274": 1},
       "chewy": {"RS1009921": 3, "DS3300456": 1}, "menards": {"M58812290": 2, "M58812301": 1},
       "acehardware": {"RS5541122": 2, "DS8820014": 2}, "doitbest": {"B3009977": 2, "D7100452": 1},
       "orgill": {"0041882": 2}, "truevalue": {"TV2265019": 2}}
SHIPPED = {("tractorsupply", "TS40012345"), ("tractorsupply", "TS80098765"), ("petco", "P7788120"),
           ("petsmart", "4400918273"), ("chewy", "RS1009921"), ("chewy", "DS3300456"), ("menards", "M58812290"),
           ("menards", "M58812301"), ("acehardware", "RS5541122"), ("acehardware", "DS8820014"),
           ("doitbest", "B3009977"), ("orgill", "0041882"), ("truevalue", "TV2265019")}
# what the fixtures carry that we keep no field for, or that differs from the agreement: reported, never held
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}


def workspace(root: Path):
    """A demo workspace (warehouses, inventory, reference) with the nine retailers' profiles, reference rows and
    850s in their inboxes."""
    return on_demo(FIXTURES, root)


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_retailer_po_without_an_error(path):
    seen = inspected(path, NOTED)
    assert line_counts(seen) == pos_in(path, POS[path.parent.name])


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """Every fixture 850 taken at 02:00, the warehouse's confirmation shipped and invoiced at 14:30, the
    documents delivered: the workspace, the state's findings and order states."""
    return shipped_night(workspace(tmp_path_factory.mktemp("rg8") / "ws"), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_in_the_997_and_acknowledged_as_ordered(night):
    ws, found, states = night
    assert [f for f in found if f[1] == "error"] == []
    # the dated co-op POs' terms differ from the standing agreement (warned: their 810s state the PO's); the
    # 856s are built hours after the trucks left (the test's clock), nothing else
    assert {c for c, _s, _po in found} <= NOTED | {"TERMS_MISMATCH", "ASN_LATE"}
    assert {po for c, _s, po in found if c == "TERMS_MISMATCH"} == {"RS5541122", "0041882"}
    accepted_as_ordered(ws, POS, no_855=("menards", "orgill", "truevalue"))  # no 855 in their programmes
    # Chewy's 005010 group is answered by a 005010 997
    assert ["AK1", "PO", "880012", "005010"] in segments(ws, "chewy", "997")
    assert {k for k, v in states.items() if v == "invoiced"} == SHIPPED
    assert {k for k, v in states.items() if v == "acknowledged"} == {
        (p, po) for p, pos in POS.items() for po in pos} - SHIPPED


def test_drop_ships_to_consumers_and_members_are_acknowledged_as_ordered_not_rounded(night):
    """A consumer's one stapler (item minimum 5), a member store's 5 scissors (case of 10): drop ships are
    acknowledged and billed as ordered; the consumer's and the member's PO1 as sent."""
    ws, _found, _states = night
    dtc = po_segments(segments(ws, "tractorsupply", "855"), "TS80098765", "BAK")
    assert ["REF", "IA", "448211"] in dtc and ["REF", "CO", "C5512098877"] in dtc
    assert [s[1:6] for s in dtc if s[0] == "ACK"] == [["IA", "1", "EA", "068", "20261130"],
                                                        ["IA", "2", "EA", "068", "20261130"]]
    member = po_segments(segments(ws, "acehardware", "855"), "DS8820014", "BAK")
    assert [s[1:6] for s in member if s[0] == "ACK"] == [["IA", "5", "EA", "068", "20261202"],
                                                           ["IA", "1", "EA", "068", "20261202"]]
    # Ace asks a ship date per line: the RSC order's lines are promised for its DTM 010
    rsc = po_segments(segments(ws, "acehardware", "855"), "RS5541122", "BAK")
    assert [s[4:6] for s in rsc if s[0] == "ACK"] == [["068", "20261207"]] * 2 and ["DTM", "068", "20261207"] in rsc


def test_do_it_best_855_routes_from_our_dock_to_the_rsc_with_a_ready_date(night):
    """Do it Best's 855 is its routing document: origin street address, destination address, ready date."""
    ws, _found, _states = night
    doc = po_segments(segments(ws, "doitbest", "855"), "B3009977", "BAK")
    at = next(k for k, s in enumerate(doc) if s[:2] == ["N1", "ST"])
    assert doc[at:at + 6] == [["N1", "ST", "DO IT BEST RSC MEDINA", "92", "MED"], ["N3", "600 GRANDE BLVD"],
                              ["N4", "MEDINA", "OH", "44256", "US"],
                              ["N1", "SF", "OrderBridge Supply East DC", "92", "88015"], ["N3", "1 Dock Road"],
                              ["N4", "Newark", "NJ", "07101", "US"]]
    assert {s[5] for s in doc if s[0] == "ACK"} == {"20261204"}  # after the 855's own date, as the guide asks
    asn = po_segments(segments(ws, "doitbest", "856"), "DB-SHP-01", "BSN")
    assert ["TD5", "B", "2", "DIBT", "M"] in asn and ["REF", "BM", "BOL-DB-1201"] in asn
    assert ["N3", "1 Dock Road"] in asn and ["N4", "MEDINA", "OH", "44256", "US"] in asn


def test_tractor_supply_856s_carry_the_vendor_number_and_the_consumer_s_order(night):
    ws, _found, _states = night
    dc = po_segments(segments(ws, "tractorsupply", "856"), "TS-SHP-01", "BSN")
    assert [s[3] for s in dc if s[0] == "HL"] == ["S", "O", "P", "I", "P", "I", "P", "I"]
    assert ["N1", "ST", "TSC DC FRANKFORT", "92", "0560"] in dc and ["REF", "IA", "448211"] in dc
    assert [s[1:4] for s in dc if s[0] == "SN1"] == [["", "12", "CA"], ["", "40", "EA"], ["", "4", "CA"]]
    dtc = po_segments(segments(ws, "tractorsupply", "856"), "TS-SHP-02", "BSN")
    at = next(k for k, s in enumerate(dtc) if s[0] == "PRF")
    assert dtc[at:at + 3] == [["PRF", "TS80098765", "", "", "20261126"], ["REF", "IA", "448211"],
                              ["REF", "CO", "C5512098877"]]
    assert ["REF", "CN", "1Z88TS0000000001"] in dtc and ["N3", "4412 COUNTY ROAD 9", "UNIT B"] in dtc
    inv = po_segments(segments(ws, "tractorsupply", "810"), "TS80098765", "BIG")
    assert ["REF", "IA", "448211"] in inv and ["REF", "CO", "C5512098877"] in inv
    assert ["TDS", "4962"] in inv  # 22.20 + 2 x 13.71


def test_menards_856_names_the_store_a_dc_order_is_for(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "menards", "856"), "MN-SHP-01", "BSN")
    at = next(k for k, s in enumerate(asn) if s[0] == "PRF")
    assert asn[at + 1:at + 3] == [["REF", "IA", "41177"], ["N1", "Z7", "MENARDS AURORA", "92", "3112"]]
    assert [(s[2], s[3], s[4], s[5]) for s in asn if s[0] == "LIN"] == [("VN", "VP-1009", "SK", "1419001"),
                                                                       ("VN", "VP-1021", "SK", "1419022")]
    guest = po_segments(segments(ws, "menards", "810"), "M58812301", "BIG")
    assert ["N1", "ST", "TOM BUILDER JOBSITE"] in guest and ["REF", "CO", "SO-7741021"] in guest
    assert ["N1", "BY", "MENARDS EAU CLAIRE", "92", "3001"] in guest


def test_co_op_810s_take_the_off_invoice_freight_allowance(night):
    """Petco's flat $30.00 and Ace's 5 % prepaid-freight allowances (SAC12 02, off invoice) are taken on the 810:
    TDS is the lines less the allowance."""
    ws, _found, _states = night
    petco = po_segments(segments(ws, "petco", "810"), "P7788120", "BIG")
    assert ["TDS", "748800"] in petco  # 2268.00 + 5250.00 - 30.00
    assert next(s for s in petco if s[0] == "SAC")[:6] == ["SAC", "A", "D240", "", "", "3000"]
    ace = po_segments(segments(ws, "acehardware", "810"), "RS5541122", "BIG")
    assert ["REF", "PD", "SPRING27"] in ace
    assert next(s for s in ace if s[0] == "SAC")[:8] == ["SAC", "A", "D240", "", "", "9514", "3", "5"]
    assert ["TDS", "180758"] in ace  # 631.20 + 1271.52 - 95.14


def test_chewy_856_and_810_keep_its_item_numbers_and_its_delimiters(night):
    ws, _found, _states = night
    sent = (sorted((ws.drop_root / "chewy" / "outbox").glob("chewy-856-*.x12"))[0]).read_text()
    assert sent.startswith("ISA*") and sent[82:83] == "^" and "*00501*" in sent[:106]
    asn = po_segments(segments(ws, "chewy", "856"), "CH-SHP-01", "BSN")
    assert [s[2:] for s in asn if s[0] == "LIN"][0] == ["UP", "614141100873", "VN", "VP-1012", "SK", "201554"]
    assert [s[1:4] for s in asn if s[0] == "SN1"] == [["", "36", "EA"], ["", "5", "CA"], ["", "60", "EA"]]
    inv = po_segments(segments(ws, "chewy", "810"), "RS1009921", "BIG")
    assert ["REF", "IA", "V77120"] in inv and ["TDS", "636156"] in inv  # 209.16 + 5961.60 + 190.80


def test_an_off_invoice_allowance_the_810_takes_is_not_said_to_reach_no_810(night):
    """Petco's freight allowance (SAC*A*D240, SAC12 02 off invoice) is on its 810 (the profile's po_allowances,
    default 02): SAC_NOT_APPLIED said "we do not apply [it] to prices, 855s or 810s". Its words now say which
    SACs an 810 carries, and the finance reconciliation still reads the allowance they name (and older words)."""
    from schemas.sac_words import sacs_in_words

    def _allowances_named(message):  # the allowances asking something its words name (as migrated)
        sacs, more = sacs_in_words(message)
        return [(s.code, s.line_id, s.amount, s.percent, s.words) for s in sacs
                if s.kind == "A" and s.handling not in ("12", "15")], more
    from flows.cli import app

    po = FIXTURES / "drops" / "petco" / "petco-850-dc-20261126.x12"
    result = CliRunner().invoke(app, ["inspect", "--json", str(po)])
    [message] = [f["message"] for f in json.loads(result.output)["findings"] if f["code"] == "SAC_NOT_APPLIED"]
    assert "855s or 810s" not in message  # inspect without --partner: the rule, not a verdict per SAC
    assert "our 810s carry those whose SAC12 the partner's [fulfilment.invoice] po_allowances lists" in message
    named, more = _allowances_named(message)
    assert [(code, line, str(amount)) for code, line, amount, _p, _w in named] == [("D240", None, "30.00")]
    old = ("The PO asks for allowances or charges we do not apply to prices, 855s or 810s: allowance D240 30.00, "
           "handling 02 off invoice. Agree them with the partner (an 810's charges come from the partner's profile).")
    assert [(code, str(amount)) for code, _l, amount, _p, _w in _allowances_named(old)[0]] == [("D240", "30.00")]
    ws, _found, _states = night
    assert ["SAC", "A", "D240", "", "", "3000"] == next(
        s for s in po_segments(segments(ws, "petco", "810"), "P7788120", "BIG") if s[0] == "SAC")[:6]


def test_a_dated_co_op_po_is_invoiced_on_its_own_dating_where_the_profile_says_so(night, tmp_path):
    """Ace's spring-dating order (ITD*08, 2 % if paid by 2027-01-10, net 2027-03-10) and Orgill's market order (net
    due 2027-01-15) against a standing agreement of net 30: with ``[fulfilment.invoice] terms = "po"`` their 810s
    state the PO's dating, which the co-op's payables match the invoice to (an 810 saying net 30 is due a month
    and more before the dating the PO promised); a PO that sent no dating is billed on its own ITD too. The
    default ("agreed") still states the agreement, TERMS_MISMATCH telling ops of the difference."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws, _found, _states = night
    ace = po_segments(segments(ws, "acehardware", "810"), "RS5541122", "BIG")
    assert [s for s in ace if s[0] == "ITD"] == [
        ["ITD", "08", "3", "2", "20270110", "", "20270310", "", "", "", "", "", "SPRING DATING 2% JAN 10 NET MAR 10"]]
    orgill = po_segments(segments(ws, "orgill", "810"), "0041882", "BIG")
    assert [s for s in orgill if s[0] == "ITD"] == [["ITD", "05", "3", "", "", "", "20270115"]]
    member = po_segments(segments(ws, "acehardware", "810"), "DS8820014", "BIG")
    assert [s for s in member if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "", "30"]]

    agreed = workspace(tmp_path / "agreed")
    for name in ("acehardware.toml", "orgill.toml"):
        profile = agreed.partners_dir / name
        profile.write_text(profile.read_text().replace('terms = "po"', ""))
    run_stages(agreed, NIGHT)
    inbox = agreed.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    lines = (FIXTURES / "shipments" / "east-shipments-20261127.csv").read_text().splitlines()
    co_ops = [ln for ln in lines if ln.startswith(("AC-", "OG-"))]
    (inbox / "co-ops.csv").write_text("\n".join([lines[0], *co_ops]) + "\n")
    ship_stages(agreed, SHIP_DAY, run_id="day1")
    deliver_all(agreed, SHIP_DAY)
    for partner, po in (("acehardware", "RS5541122"), ("orgill", "0041882")):
        inv = po_segments(segments(agreed, partner, "810"), po, "BIG")
        assert [s for s in inv if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "", "30"]]


def test_member_stores_named_per_line_are_reported_not_dropped_without_a_word(tmp_path):
    """A co-op's consolidated member drop ship names each line's member store in the PO1 loop's N1*ST. Beside a
    heading N1*ST (the RSC) the order would ship to the heading's, but the lines' stores were dropped
    without a word: one LINE_SHIP_TO_NOT_APPLIED names them (and LINE_SHIP_TO_DIFFERS holds the order).
    Without a heading ship-to the order waits for a
    person (SHIP_TO_UNKNOWN), whose words said "No ship-to id and no address was sent" of a PO that sent both
    for every line; a line naming the heading's own party raises nothing."""
    from connectors.state import StateStore
    from tests.support import run_stages

    def night(root: Path, heading: list[str]) -> list[tuple[str, str]]:
        ws = workspace(root)
        for folder in ws.drop_root.iterdir():
            for f in (folder / "inbox").iterdir():
                f.unlink()
        body = ["BEG*00*DS*DS9900001**20261126", "REF*IA*V22190", *heading,
                "PO1*1*5*EA*24.04*PE*VN*VP-1020", "N1*ST*SMITH ACE HARDWARE*92*15522", "N3*210 MAIN ST",
                "N4*GREENVILLE*OH*45331*US", "PO1*2*1*EA*58.58*PE*VN*VP-1021", "N1*ST*JONES ACE HARDWARE*92*16001",
                "N3*9 ELM ST", "N4*DAYTON*OH*45402*US", "PO1*3*1*EA*58.58*PE*VN*VP-1021",
                "N1*ST*ACE RSC WILTON*92*047", "CTT*3*7"]
        sets = ["ST*850*0001", *body, f"SE*{len(body) + 2}*0001"]
        (ws.drop_root / "acehardware" / "inbox" / "members.x12").write_text(
            "ISA*00*          *00*          *01*007064016      *ZZ*ORDERBRIDGE    *261126*0215*U*00401*000060099*0*P*>~"
            "GS*PO*007064016*ORDERBRIDGE*20261126*0215*60099*X*004010~" + "".join(seg + "~" for seg in sets)
            + "GE*1*60099~IEA*1*000060099~")
        run_stages(ws, NIGHT)
        state = StateStore(ws.state_path)
        try:
            return [(f["code"], f["message"]) for f in state.findings() if f["po_number"] == "DS9900001"]
        finally:
            state.close()

    with_rsc = night(tmp_path / "rsc", ["N1*ST*ACE RSC WILTON*92*047"])
    # and each member store's line holds the order for a person (tests/test_line_ship_to_held.py), line 3 not
    assert sorted(c for c, _m in with_rsc) == ["LINE_SHIP_TO_DIFFERS", "LINE_SHIP_TO_DIFFERS",
                                               "LINE_SHIP_TO_NOT_APPLIED"]
    assert sum("Line 3" in m for c, m in with_rsc if c == "LINE_SHIP_TO_DIFFERS") == 0
    [said] = [m for c, m in with_rsc if c == "LINE_SHIP_TO_NOT_APPLIED"]
    assert ("line 1 N1*ST SMITH ACE HARDWARE 92 15522; line 2 N1*ST JONES ACE HARDWARE 92 16001)" in said
            and "line 3" not in said and "heading's N1*ST ACE RSC WILTON 92 047" in said)
    alone = dict(night(tmp_path / "alone", []))
    assert set(alone) == {"LINE_SHIP_TO_NOT_APPLIED", "SHIP_TO_UNKNOWN"}
    assert "line 3 N1*ST ACE RSC WILTON 92 047" in alone["LINE_SHIP_TO_NOT_APPLIED"]
    assert "no address was sent" not in alone["SHIP_TO_UNKNOWN"]
    assert "nor one ship-to all its PO1 lines share" in alone["SHIP_TO_UNKNOWN"]


def test_every_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):
    from tests.test_mark_for import accepted

    ws, _found, _states = night
    sent = sent_856s_and_810s(ws, POS)
    assert len(sent) == 13 + 13  # 856s (one per shipment), 810s (one per PO)
    for path in sent:
        accepted(path.read_bytes(), tmp_path, maps)
