"""Electrical, foodservice and industrial distribution, as their guides and trade practice describe them:
tests/fixtures/rg36/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Dot Foods (its 4010 850 as its guide lists the heading: BEG, one REF, PER, FOB, DTM,
TD5, the N9 loop, then the PO1 loops: no N1 loop and no CTT; its trucks collect, FOB CC, DTM 118, TD5 H; its 855
guide requires DTM 068 current schedule ship, DTM process and TD5, with an N1 SF; its 810 BIG, N1 BT, ITD, DTM, TDS,
CAD); Gordon Food Service (its DC by GLN, N1*ST*UL, our vendor party N1*VN, cases by its item IN, our VN and the case
GTIN-14 UK, PO4; 1 % 10 net 30; a ship window); Border States (a contractor's job: REF*JB and REF*PJ, the job site by
address alone with its N2, the buying branch N1*BY; wire priced per thousand feet, PO105 TP, conduit per hundred,
HP); Gexpro / Rexel USA (005010 from DUNS plus suffix, qualifier 14; CUR, reels RL, the UPC beside BP, VP and MG;
AMT*TT); Global Industrial (a drop ship to a business, BEG02 DS, REF*CO, the company's N2 attention line and two
street lines, PER; PO1 lines 1 and 3, the 2nd deleted before sending; UPS ground, a tracking number per package).
One night takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and
pyx12."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg36"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"dotfoods": {"4410772": 2}, "gfs": {"P7730418": 2}, "borderstates": {"F2261187": 3},
       "gexpro": {"4700318824": 2}, "globalindustrial": {"GI31877045": 2}}
NOTED = {"NOTES_NOT_KEPT"}  # Dot Foods' N9/MSG receiving note: no document of ours carries it
# Border States' prices per thousand and per hundred feet taken per foot; the confirmations arrive after the trucks
# left
NIGHT_NOTED = NOTED | {"PRICE_BASIS_CONVERTED", "ASN_LATE"}
DOT_PO = FIXTURES / "drops" / "dotfoods" / "dotfoods-850-4410772.x12"


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_distributor_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    return shipped_night(of_its_own(FIXTURES, tmp_path_factory.mktemp("rg36") / "ws"), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def _heading(doc: list[list[str]], first: str) -> list[list[str]]:
    return doc[1:next(k for k, s in enumerate(doc) if s[0] == first)]


def test_a_po_with_no_n1_loop_goes_to_the_profiles_ship_to(night):
    """Dot Foods' 850 has no N1 loop (its guide's heading: BEG, REF, PER, FOB, DTM, TD5, N9). Every one of its POs
    used to be held SHIP_TO_UNKNOWN, its shipment then refused SHIPMENT_OVER_RESERVED: the profile's [rules]
    default_ship_to names where its goods go (a ship_tos.csv location, N103 92), and the 856 names it with the
    address on file (ship_to_address_from_reference)."""
    ws, found, states = night
    assert states[("dotfoods", "4410772")] == "invoiced"
    assert not [f for f in found if f[2] == "4410772" and f[0] not in NIGHT_NOTED]
    asn = po_segments(segments(ws, "dotfoods", "856"), "DF-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "", "92", "MTSTERLING"])
    assert asn[at + 1:at + 3] == [["N3", "1 Dot Way"], ["N4", "Mt Sterling", "IL", "62353", "US"]]


def test_dot_foods_855_and_810_headings_are_what_its_guides_list(night):
    """Its 855: BAK, DTM 068 (the pick-up day its DTM 118 asks for), DTM 009 the day we processed the PO (its guide
    requires both: [acks.po_ack] process_date), its TD5 as sent, us as N1*SF, then the lines and CTT. Its 810: BIG,
    N1 BT (the profile's), ITD, DTM, TDS, CAD with the bill of lading (no REF, no ship-to loop)."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "dotfoods", "855"), "4410772", "BAK")
    assert _heading(ack, "PO1") == [["DTM", "068", "20261130"], ["DTM", "009", "20261125"],
                                    ["TD5", "O", "92", "DOTF", "H", "DOT FOODS BACKHAUL"],
                                    ["N1", "SF", "ORDERBRIDGE SUPPLY DC EAST", "92", "DV20931"]]
    assert [s[1:] for s in ack if s[0] == "ACK"] == [["IA", "120", "CA", "068", "20261130"],
                                                    ["IA", "80", "CA", "068", "20261130"]]
    inv = po_segments(segments(ws, "dotfoods", "810"), "4410772", "BIG")
    assert _heading(inv, "IT1") == [["N1", "BT", "DOT FOODS INC", "1", "062718853"],
                                    ["ITD", "01", "3", "", "", "", "", "30"], ["DTM", "011", "20261130"]]
    assert inv[-3:] == [["TDS", "543600"], ["CAD", "", "", "", "DOTF", "", "", "BM", "BOL-DF-0772"], ["CTT", "2"]]
    # the other partners' 855s carry no DTM 009 (process_date is off by default)
    assert not [s for p in POS if p != "dotfoods" for s in segments(ws, p, "855") if s[:2] == ["DTM", "009"]]


def test_the_default_ship_to_is_only_for_a_po_naming_none():
    """parsers.orders_850: the default is the ship-to of a set naming none by any means; a set naming its own
    (an N1*ST with its id here) keeps it; without a default the set has none (SHIP_TO_UNKNOWN holds it, as
    before)."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    def ship_to(data: bytes, default: str | None) -> tuple:
        result = read_interchanges(data, file=DOT_PO.name)
        orders, _ = read_orders(result, list(result.transaction_sets()), partner="dotfoods", ship_to=default)
        return tuple(orders.select(["ship_to_id_qualifier", "ship_to_id", "ship_to_name"]).to_pylist()[0].values())

    sent = DOT_PO.read_bytes()
    assert ship_to(sent, "MTSTERLING") == ("92", "MTSTERLING", None)
    assert ship_to(sent, None) == (None, None, None)
    named = sent.replace(b"N9*L1*", b"N1*ST*DOT FOODS MODESTO*92*MODESTO~\nN9*L1*").replace(b"SE*15*", b"SE*16*")
    assert ship_to(named, "MTSTERLING") == ("92", "MODESTO", "DOT FOODS MODESTO")
    # a name alone names no place: the default's id under the name sent (a name alone used to be held, and still is
    # without a default)
    alone = sent.replace(b"N9*L1*", b"N1*ST*DOT FOODS MT STERLING~\nN9*L1*").replace(b"SE*15*", b"SE*16*")
    assert ship_to(alone, "MTSTERLING") == ("92", "MTSTERLING", "DOT FOODS MT STERLING")
    assert ship_to(alone, None) == (None, None, "DOT FOODS MT STERLING")


def test_a_default_ship_to_off_file_is_named_by_partner_check(tmp_path):
    from connectors.reference import load_reference
    from rules.partner_check import check_reference
    from schemas.profile import load_profile

    profile = load_profile(FIXTURES / "partners" / "dotfoods.toml")
    ref = load_reference(FIXTURES / "reference")
    assert not [m for m in check_reference(profile, ref) if "default_ship_to" in m]
    off = profile.model_copy(update={"rules": profile.rules.model_copy(update={"default_ship_to": "QUINCY"})})
    assert [m for m in check_reference(off, ref) if "default_ship_to" in m] == [
        "ship_tos.csv: the profile's [rules] default_ship_to 'QUINCY' is no location of partner dotfoods: orders "
        "naming no ship-to would be held SHIP_TO_UNKNOWN"]


def test_electrical_jobs_prices_per_thousand_feet_and_5010_answers(night):
    ws, _found, _states = night
    # Border States: the job and project back on every document, the job site with its N2 as sent; wire per
    # thousand feet and conduit per hundred billed per foot (2500 x 0.185 + 1000 x 0.98 + 24 x 14.75)
    ack = po_segments(segments(ws, "borderstates", "855"), "F2261187", "BAK")
    assert ack[1:3] == [["REF", "JB", "FARGO-MED-CTR-PH2"], ["REF", "PJ", "J-40772"]]
    assert [s[1:6] for s in ack if s[0] == "PO1"] == [["1", "2500", "FT", "0.185", "PE"],
                                                     ["2", "1000", "FT", "0.98", "PE"], ["3", "24", "EA", "14.75", ""]]
    inv = po_segments(segments(ws, "borderstates", "810"), "F2261187", "BIG")
    assert ["TDS", "179650"] in inv and ["N2", "GATE 3 LAYDOWN YARD"] in inv
    assert ["N1", "BY", "BORDER STATES FARGO", "92", "1041"] in inv
    # Gexpro: its DUNS plus suffix (14) answered in 005010; reels and cases as ordered, the UPC kept; CUR echoed
    assert segments(ws, "gexpro", "997")[0][7:9] == ["14", "0785544210001  "]
    assert segments(ws, "gexpro", "855")[0][12] == "00501"
    inv = po_segments(segments(ws, "gexpro", "810"), "4700318824", "BIG")
    assert ["CUR", "SE", "USD"] in inv and ["TDS", "251400"] in inv  # the PO's AMT*TT 2514
    assert ["IT1", "1", "4", "RL", "412.5", "", "BP", "77120455", "VP", "EL-504", "MG", "XHHW4-500-RL", "UP",
            "614141605040"] in inv


def test_foodservice_and_drop_ship_shapes(night):
    ws, _found, _states = night
    # Gordon Food Service: acknowledged for its ship-not-before day, its DC by GLN echoed; billed on 1 % 10 net 30
    ack = po_segments(segments(ws, "gfs", "855"), "P7730418", "BAK")
    assert ["DTM", "068", "20261130"] in ack
    assert ["N1", "ST", "GORDON FOOD SERVICE BRIGHTON DC", "UL", "0007845100123"] in ack
    inv = po_segments(segments(ws, "gfs", "810"), "P7730418", "BIG")
    assert ["ITD", "08", "3", "1", "", "10", "", "30"] in inv and ["TDS", "340500"] in inv  # 60 x 42.80 + 45 x 18.60
    # Global Industrial: lines 1 and 3 answered under their own numbers; the business's attention line and both
    # street lines on the 856; a tracking number per package
    ack = po_segments(segments(ws, "globalindustrial", "855"), "GI31877045", "BAK")
    assert [s[1] for s in ack if s[0] == "PO1"] == ["1", "3"]
    asn = po_segments(segments(ws, "globalindustrial", "856"), "GI-SHP-01", "BSN")
    assert ["N2", "ATTN: SHIPPING RECEIVING"] in asn and ["N3", "880 INDUSTRIAL PKWY", "BLDG C"] in asn
    assert sorted({s[2] for s in asn if s[:2] == ["REF", "CN"]}) == [
        "1Z999AA10123457001", "1Z999AA10123457012", "1Z999AA10123457023"]
    inv = po_segments(segments(ws, "globalindustrial", "810"), "GI31877045", "BIG")
    assert [s[1] for s in inv if s[0] == "IT1"] == ["1", "3"] and ["TDS", "63450"] in inv  # 2 x 189 + 6 x 42.75


def test_dot_foods_810_names_its_bill_to_from_the_profile(night):
    """Dot Foods' 810 guide requires its bill-to loop (N1*BT) and its 850 sends no N1 at all: its 810 used to carry
    none. [fulfilment.invoice] bill_to names it for a PO that named none; a PO's own N1*BT still wins (Border
    States' and Gexpro's 810s, no bill_to set, are as before)."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "dotfoods", "810"), "4410772", "BIG")
    assert [s for s in inv if s[0] == "N1"] == [["N1", "BT", "DOT FOODS INC", "1", "062718853"]]
    assert ["N1", "BT", "REXEL USA ACCOUNTS PAYABLE", "92", "AP100"] in po_segments(
        segments(ws, "gexpro", "810"), "4700318824", "BIG")


def test_a_po_s_own_bill_to_wins_over_the_profile_s():
    from engine.invoice import head_810
    from schemas.fulfilment import InvoiceSettings, PoAckParty
    from schemas.invoices import Invoice
    from schemas.shipments import Party

    def _invoice(bill_to: Party | None = None) -> Invoice:
        return Invoice(invoice_number="INV1", invoice_date=date(2026, 12, 1), po_number="4410772", lines=(),
                       bill_to=bill_to)

    settings = InvoiceSettings(bill_to=PoAckParty(name="DOT FOODS INC", id_qualifier="1", id="062718853"))
    invoice = _invoice()
    assert [s for s in head_810(invoice, settings) if s[0] == "N1"] == [["N1", "BT", "DOT FOODS INC", "1",
                                                                         "062718853"]]
    own = _invoice(bill_to=Party("BT", "DOT FOODS AP", "92", "AP7"))
    assert [s for s in head_810(own, settings) if s[0] == "N1"] == [["N1", "BT", "DOT FOODS AP", "92", "AP7"]]


def test_dot_foods_856_goes_in_the_release_of_its_856_guide(night):
    """Dot Foods' 856 guide is X12 005010 while its 850, 855 and 810 are 004010: a profile used to write every
    document in its one [x12] version. [fulfilment.asn] version puts the 856 (its GS08 and ISA12) in the release of
    its guide; its other documents stay in the profile's (and the 856 passes our checks in its release: the sweep's
    validator, Bots and pyx12 test)."""
    ws, _found, _states = night
    assert [s[12] for s in segments(ws, "dotfoods", "856") if s[0] == "ISA"] == ["00501"]
    assert [s[8] for s in segments(ws, "dotfoods", "810") if s[0] == "GS"] == ["004010"]
    assert [s[8] for s in segments(ws, "dotfoods", "856") if s[0] == "GS"] == ["005010"]
    assert [s[8] for s in segments(ws, "dotfoods", "855") if s[0] == "GS"] == ["004010"]


def test_the_process_date_is_the_answers_day():
    """engine.po_ack.heading: DTM 009 with the day we answer, after DTM 068; none without the setting or the day."""
    from engine.po_ack import heading
    from schemas.fulfilment import PoAckSettings

    order = {"ship_date": date(2026, 11, 30)}
    on = PoAckSettings(ship_date=True, process_date=True)
    assert heading(order, on, date(2026, 11, 25)) == [["DTM", "068", "20261130"], ["DTM", "009", "20261125"]]
    assert heading(order, on) == [["DTM", "068", "20261130"]]
    assert heading(order, PoAckSettings(ship_date=True), date(2026, 11, 25)) == [["DTM", "068", "20261130"]]


def test_an_interchange_of_such_pos_read_in_batches_gets_the_default_as_a_whole_read_does():
    """engine.process_batches reads a big interchange batch by batch: each batch's POs naming no ship-to get the
    profile's default_ship_to as engine.process gives a whole file's (the same orders, findings and documents)."""
    from schemas.profile import load_profile
    from tests.test_intake_batches import _same

    sent = DOT_PO.read_text(encoding="utf-8")
    head, rest = sent.split("ST*850*0001~\n", 1)
    body, tail = rest.split("SE*15*0001~\n", 1)
    sets = "".join(f"ST*850*000{k}~\n" + body.replace("4410772", f"441077{k}") + f"SE*15*000{k}~\n"
                   for k in range(1, 4))
    data = (head + sets + tail.replace("GE*1*", "GE*3*")).encode()
    outs = _same(data, load_profile(FIXTURES / "partners" / "dotfoods.toml"), max_sets=1)
    assert [(o["po_number"], o["ship_to_id_qualifier"], o["ship_to_id"]) for out in outs
            for o in out.orders.to_pylist()] == [(f"441077{k}", "92", "MTSTERLING") for k in range(1, 4)]


def test_an_856_in_its_own_release_still_goes_to_the_buyer_that_ordered():
    """engine.lifecycle.batches.addressed_documents: an 856 addressed to its guide's release (asn_address) and
    ordered by a buyer writing from another GS id than the profile's goes to that buyer, in that release; the
    release equal to the profile's version is no address at all."""
    from engine.envelope import asn_address
    from engine.lifecycle.batches import addressed_documents
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet
    from schemas.profile import load_profile
    from schemas.x12 import Address

    profile = load_profile(FIXTURES / "partners" / "dotfoods.toml")
    assert asn_address(profile) == Address(version="005010")
    same = profile.model_copy(update={"fulfilment": profile.fulfilment.model_copy(update={
        "asn": profile.fulfilment.asn.model_copy(update={"version": "004010"})})})
    assert asn_address(same) is None
    doc = PlannedDocument("dotfoods", "856", "SH", (PlannedSet("DF-SHP-01", po_number="4410772", text="BSN*00",
                                                               segments=1),), to=Address(version="005010"))
    plan = Plan(documents=(doc,))
    assert addressed_documents(plan, {"dotfoods": profile}, {}).documents == (doc,)
    assert addressed_documents(plan, {"dotfoods": profile}, {("dotfoods", "4410772"): ("062718853", "ORDERBRIDGE")}
                               ).documents == (doc,)
    moved = addressed_documents(plan, {"dotfoods": profile}, {("dotfoods", "4410772"): ("DOTMODESTO", "ORDERBRIDGE")})
    assert [d.to for d in moved.documents] == [Address(gs_id="DOTMODESTO", version="005010")]
