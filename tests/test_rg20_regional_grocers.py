"""Regional grocers and supermarket chains, as their guides and vendor requirements describe them:
tests/fixtures/rg20/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped. Meijer (005010VICS 850s, ISA qualifier 08, REF*DP and IA, a promotion's PO with REF*PD,
DTM*015 and an off-invoice SAC at a rate per case; lines in cases by case GTIN-14 and Meijer item number IN); H-E-B
(a warehouse PO its own fleet picks up at our dock: FOB*CC*OR, TD5 H, N1*SF, a pickup allowance per case; lines by
the UPC case code UA, 2-5-5, beside the UPC; a direct-store-delivery PO naming its store by REF*ST, no N1 loop; an
860); Hy-Vee (catch weight: pork loin in cases priced per pound, PO105 PP,
with PO4 case weights, and cheddar ordered by the pound, PO103 LB, its case weight in its PO4; a receiving window
DTM 064/063); Ahold Delhaize USA (its banners' DCs, N1*BY the banner, a delivery appointment DTM*002 with a time;
its documented set has no 855); Wegmans (its item numbers, IN; a PO ships complete, no back orders); Giant Eagle
(a backhaul with a flat pickup allowance off invoice, a delivery window and an appointment). One night takes them
all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

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

FIXTURES = REPO / "tests" / "fixtures" / "rg20"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"  # the east DC whose CSV carries net weights
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"meijer": {"4418820017": 2, "4418820025": 1}, "heb": {"5520114": 2, "5520290": 1}, "hyvee": {"77120450": 3},
       "adusa": {"FL2611240031": 2, "SS2611240058": 1}, "wegmans": {"3381207": 2}, "gianteagle": {"GE8812044": 2}}
# the PO's allowances (SAC) are applied to no price or 855 (our 810s carry the off-invoice ones); H-E-B's pickup
# note in N9/MSG reaches no document of ours
NOTED = {"SAC_NOT_APPLIED", "NOTES_NOT_KEPT"}
# Hy-Vee's catch-weight lines, acknowledged as sent; the confirmations arrive hours after the trucks left
NIGHT_NOTED = NOTED | {"CATCH_WEIGHT_LINE", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_grocer_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg20") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    # Ahold Delhaize USA's programme takes no 855: its POs are answered by the 997 alone
    night_all_invoiced(night, POS, NIGHT_NOTED, no_855={"adusa"})
    ws = night[0]
    # Meijer's 005010 interchange from ISA qualifier 08 answered to it as sent
    acks = segments(ws, "meijer", "997")
    assert acks[0][7:9] == ["08", "9259300000     "] and acks[0][11:13] == ["^", "00501"]
    assert ["AK1", "PO", "71101", "005010VICS"] in acks


def test_case_lines_promotions_and_allowances(night):
    ws, _found, _states = night
    # Meijer: REF*DP and the promotion REF*PD quoted back; cases by case GTIN-14 and Meijer item (IN) as sent
    ack = po_segments(segments(ws, "meijer", "855"), "4418820025", "BAK")
    assert ack[1:5] == [["REF", "IA", "MJ55021"], ["REF", "DP", "410"], ["REF", "PD", "HOLIDAY26"],
                        ["DTM", "068", "20261201"]]
    assert [s for s in ack if s[0] == "PO1"] == [["PO1", "1", "48", "CA", "33.6", "", "UK", "10614141502032", "IN",
                                                  "330169"]]
    # its off-invoice promotion, 0.50 a case on 48 cases, taken off the 810: 48 x 33.60 - 24.00
    inv = po_segments(segments(ws, "meijer", "810"), "4418820025", "BIG")
    assert ["REF", "PD", "HOLIDAY26"] in inv and ["TDS", "158880"] in inv
    assert ["SAC", "A", "F800", "", "", "2400", "", "", "0.5", "CA", "48", "", "02", "", "",
            "HOLIDAY AD OFF INVOICE"] in inv
    # H-E-B: the UPC case code (UA, 2-5-5) matched to our item and echoed; its pickup allowance (0.35 a case on 60
    # cases) off the 810: 36 x 17.40 + 24 x 33.60 - 21.00
    ack = po_segments(segments(ws, "heb", "855"), "5520114", "BAK")
    assert [s[1:9] for s in ack if s[0] == "PO1"] == [["1", "36", "CA", "17.4", "", "UA", "061414150201", "UP"],
                                                     ["2", "24", "CA", "33.6", "", "UA", "061414150203", "UP"]]
    inv = po_segments(segments(ws, "heb", "810"), "5520114", "BIG")
    assert ["TDS", "141180"] in inv and ["SAC", "A", "C310", "", "", "2100", "", "", "0.35", "CA", "60", "", "02", "",
                                         "", "CUSTOMER PICKUP ALLOWANCE"] in inv
    # Giant Eagle's flat backhaul allowance: 30 x 33.60 + 30 x 11.90 - 42.00
    inv = po_segments(segments(ws, "gianteagle", "810"), "GE8812044", "BIG")
    assert ["TDS", "132300"] in inv and ["SAC", "A", "C310", "", "", "4200", "", "", "", "", "", "", "02", "", "",
                                         "BACKHAUL PICKUP ALLOWANCE"] in inv


def test_pickups_are_answered_and_shipped_as_the_buyer_routed_them(night):
    """A grocer's own fleet collects at our dock (a backhaul): the PO says so with FOB*CC*OR and TD5 method H; the
    855 (H-E-B's profile: fob, carrier) quotes them back and the 856 names the pickup (TD504 H), FOB at S."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "heb", "855"), "5520114", "BAK")
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in ack and ["TD5", "O", "2", "HEBT", "H"] in ack
    asn = po_segments(segments(ws, "heb", "856"), "HB-SHP-01", "BSN")
    assert ["TD5", "B", "2", "HEBT", "H"] in asn and ["FOB", "CC", "OR", "NEWARK NJ"] in asn
    asn = po_segments(segments(ws, "gianteagle", "856"), "GE-SHP-01", "BSN")
    assert ["TD5", "B", "2", "GEAG", "H"] in asn


def test_a_store_delivery_po_naming_its_store_by_ref_st_ships_to_that_store(night):
    """H-E-B's DSD 850 names its store in the heading's REF*ST (its guide's heading: REF department and store number,
    PER, DTM; no N1 loop). It was held for a person (SHIP_TO_UNKNOWN: "no N1*ST id or N3/N4 address"), a valid PO
    of a known store never answered: now the store number is the ship-to (N103 92), looked up in ship_tos.csv,
    answered, shipped to it by parcel and invoiced with N1*ST naming it."""
    ws, _found, _states = night
    assert [s[1:3] for s in po_segments(segments(ws, "heb", "855"), "5520290", "BAK") if s[0] == "ACK"] == [
        ["IA", "10"]]
    asn = po_segments(segments(ws, "heb", "856"), "HB-SHP-02", "BSN")
    assert ["N1", "ST", "", "92", "0233"] in asn and ["REF", "CN", "612999000523301"] in asn
    inv = po_segments(segments(ws, "heb", "810"), "5520290", "BIG")
    assert ["N1", "ST", "", "92", "0233"] in inv and ["TDS", "11900"] in inv


def test_ref_st_names_the_ship_to_only_of_a_po_that_names_none():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    def ship_to(data: bytes) -> tuple:
        result = read_interchanges(data, file="heb.x12")
        row = read_orders(result, list(result.transaction_sets()), partner="heb")[0].to_pylist()[0]
        return row["ship_to_id_qualifier"], row["ship_to_id"]

    dsd = (FIXTURES / "drops" / "heb" / "heb-850-dsd-5520290.x12").read_bytes()
    assert ship_to(dsd) == ("92", "0233")
    # an N1*ST (the heading's, or one every line names) is the ship-to, whatever the REF*ST says
    named = dsd.replace(b"DTM*004*20261124~\n", b"DTM*004*20261124~\nN1*ST*HEB DC*UL*0079240000411~\n")
    assert ship_to(named.replace(b"SE*11*", b"SE*12*")) == ("UL", "0079240000411")
    assert ship_to(dsd.replace(b"REF*ST*0233~\n", b"").replace(b"SE*11*", b"SE*10*")) == (None, None)


def test_catch_weight_is_acknowledged_as_ordered_and_billed_by_the_weight_shipped(night):
    """Hy-Vee's pork loin, 20 cases at 3.29 a pound (PO105 PP), and its cheddar ordered as 100 LB whose PO4 says a
    case is 10 LB: the 855 answers each as sent, the 856 counts cases with the net weight (MEA), the 810 bills the
    weight shipped: 812.4 x 3.29 + 103.6 x 2.89 + 30 x 17.40 = 3494.20."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "hyvee", "855"), "77120450", "BAK")
    assert [s[1:3] for s in ack if s[0] == "ACK"] == [["IA", "20"], ["IA", "100"], ["IA", "30"]]
    asn = po_segments(segments(ws, "hyvee", "856"), "HV-SHP-01", "BSN")
    assert [s for s in asn if s[0] == "MEA"] == [["MEA", "WT", "N", "812.4", "LB"], ["MEA", "WT", "N", "103.6", "LB"]]
    inv = po_segments(segments(ws, "hyvee", "810"), "77120450", "BIG")
    # IT105 as each PO1 sent its PO105 (misc63): PP for the pork loin, none for the cheddar (it said PP, the basis
    # intake gave the line taken by weight, though the PO sent none)
    assert [s[1:6] for s in inv if s[0] == "IT1"] == [["1", "812.4", "LB", "3.29", "PP"],
                                                      ["2", "103.6", "LB", "2.89", ""], ["3", "30", "CA", "17.4", ""]]
    assert [s for s in inv if s[0] == "QTY"] == [["QTY", "39", "20", "CA"], ["QTY", "39", "10", "CA"]]
    assert ["TDS", "349420"] in inv


def test_banners_wegmans_and_appointments(night):
    ws, _found, _states = night
    # Ahold Delhaize USA: each banner's DC its own 856 and 810, the banner (N1*BY) in the order loop and on the 810
    for po, sid, dc, banner in (("FL2611240031", "AD-SHP-01", "0078903000112", "FL"),
                                ("SS2611240058", "AD-SHP-02", "0078903000228", "SS")):
        asn = po_segments(segments(ws, "adusa", "856"), sid, "BSN")
        assert next(s for s in asn if s[:2] == ["N1", "ST"])[4] == dc
        assert next(s for s in asn if s[:2] == ["N1", "BY"])[4] == banner
        inv = po_segments(segments(ws, "adusa", "810"), po, "BIG")
        assert next(s for s in inv if s[:2] == ["N1", "BY"])[4] == banner
    # Wegmans: its item numbers as sent on the 856 and 810 beside the case GTIN-14; the PO shipped complete
    asn = po_segments(segments(ws, "wegmans", "856"), "WG-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "UK", "10614141502025", "IN", "20118"],
                                                    ["2", "UK", "10614141502063", "IN", "20240"]]
    inv = po_segments(segments(ws, "wegmans", "810"), "3381207", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "60", "CA"], ["2", "20", "CA"]] and ["TDS", "219360"] in inv


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # one 856 and 810 per PO; an 855 per PO but Ahold Delhaize USA's. Meijer's are written in 005010VICS (its profile's
    # gs_version), checked by the 005010 grammars the checkers hold
    assert all(b"*X*005010VICS~" in p.read_bytes() for p in (ws.drop_root / "meijer" / "outbox").glob("*-8[15]*"))
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=9, answers=7,
                      as_read=lambda b: b.replace(b"*X*005010VICS~", b"*X*005010~"))


def test_a_line_ordered_by_the_pound_takes_the_case_weight_its_po4_states():
    """Hy-Vee orders cheddar by the pound (PO1*2*100*LB) of an item we sell by the case, and its PO4 says what a case
    weighs (PO4*1*10*LB). Without an average weight in items.csv the line was rejected (UNIT_NOT_CONVERTIBLE, 855
    IR), an order line lost though the PO itself said how many cases it is: now taken as 10 CA priced per pound.
    items.csv's average weight still wins; a PO4 of no weight, or one describing eaches of an item sold singly by
    the each (case pack more than 1), leaves the line as sent."""
    from decimal import Decimal

    from connectors.reference import load_reference
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.business.by_weight import as_cases

    path = FIXTURES / "drops" / "hyvee" / "hyvee-850-77120450.x12"
    ref = load_reference(FIXTURES / "reference")

    def cheddar(data: bytes) -> dict:
        result = read_interchanges(data, file=path.name)
        lines = read_orders(result, list(result.transaction_sets()), partner="hyvee")[1]
        row = as_cases(lines, ref).slice(1, 1).to_pylist()[0]
        return {k: row[k] for k in ("quantity", "unit", "price_basis", "weight_ordered", "weight_per_unit")}

    data = path.read_bytes()
    assert cheddar(data) == {"quantity": Decimal(10), "unit": "CA", "price_basis": "PP",
                             "weight_ordered": Decimal(100), "weight_per_unit": Decimal(10)}
    # two 5 LB blocks a case (PO4*2*5*LB), and a case stated in kilograms (4.5 KG = 9.9208 LB: 100 LB is 10 cases)
    assert cheddar(data.replace(b"PO4*1*10*LB**G", b"PO4*2*5*LB**G"))["quantity"] == Decimal(10)
    assert cheddar(data.replace(b"PO4*1*10*LB**G", b"PO4*1*4.5*KG**G"))["weight_per_unit"] == Decimal("9.9208")
    # a PO4 stating no weight (a count), and no PO4: left as sent, in pounds
    for other in (b"PO4*24", b""):
        sent = data.replace(b"PO4*1*10*LB**G*11*LB~\n", other + (b"~\n" if other else b""))
        assert (cheddar(sent)["unit"], cheddar(sent)["weight_ordered"]) == ("LB", None)
    # black beans (sold by the each, twelve a case) ordered by the pound with a PO4 of twelve 15 OZ cans: as sent
    beans = data.replace(b"PO1*3*30*CA*17.4**UK", b"PO1*3*90*LB*1.2**UK")
    result = read_interchanges(beans, file=path.name)
    lines = read_orders(result, list(result.transaction_sets()), partner="hyvee")[1]
    assert as_cases(lines, ref).slice(2, 1).to_pylist()[0]["unit"] == "LB"


def test_heb_856_names_the_case_code_and_its_cases_at_the_pack_level(night):
    """H-E-B's ASN guidance: the quantity shipped is stated at the pack level, where H-E-B reads which product it
    received from the case code (LIN UA, 12 digits 2-5-5; UK the 14-digit alternative) with SN1 in CA; each pack's
    item level names the consumer UPC with its eaches (SN1 in EA, PO4 the pack). A tare level always, pallets or
    not (our S-O-T-P-I does that)."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "heb", "856"), "HB-SHP-01", "BSN")
    packs = [k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P"]
    # LIN (020) and SN1 (030) open the pack's HL loop, its MAN*GM (190) after them, as the 856's segment order wants
    assert [asn[k + 1] for k in packs] == [["LIN", "", "UA", "061414150201"], ["LIN", "", "UA", "061414150203"]]
    assert [asn[k + 2] for k in packs] == [["SN1", "", "36", "CA"], ["SN1", "", "24", "CA"]]
    assert [asn[k + 3][:2] for k in packs] == [["MAN", "GM"], ["MAN", "GM"]]
    assert [s[:4] for s in asn if s[0] == "SN1" and s[3] == "EA"] == [["SN1", "", "432", "EA"],
                                                                      ["SN1", "", "192", "EA"]]


def test_heb_860_raising_a_line_and_moving_its_pickup_is_answered_by_a_revised_855(tmp_path, maps):  # noqa: F811
    """H-E-B's warehouse 860 (BCH 04) two days later: six more cases of pizza (POC02 QI, POC03 the new quantity 30)
    and the pickup a day later (DTM*010). Its profile answers changes with a revised 855 (BAK01 05): the whole PO
    again, line 2 at 30 CA, the new ship date, FOB and TD5 as the first; its 997 accepts the 860."""
    import shutil

    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"heb": ["heb-850-5520114.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    shutil.copy2(FIXTURES / "changes" / "heb-860-5520114.x12", ws.drop_root / "heb" / "inbox")
    run_stages(ws, datetime(2026, 11, 26, 4))
    acks = segments(ws, "heb", "997")
    assert ["AK2", "860", "0001"] in acks and {s[1] for s in acks if s[0] == "AK5"} == {"A"}
    revised = [s for s in segments(ws, "heb", "855") if s[0] != "BAK" or s[1] == "05"]
    doc = po_segments(revised, "5520114", "BAK")
    assert doc[0][1:3] == ["05", "AD"] and ["DTM", "068", "20261202"] in doc
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in doc and ["TD5", "O", "2", "HEBT", "H"] in doc
    assert [s[1:4] for s in doc if s[0] == "ACK"] == [["IA", "36", "CA"], ["IA", "30", "CA"]]
    all_sent_accepted(ws, ["heb"], tmp_path, maps, shipments=0, answers=2)
