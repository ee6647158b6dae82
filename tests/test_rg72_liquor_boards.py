"""Government liquor control boards as buyers of a spirits and wine supplier, in the shapes their trade's 850s take
(public material found: the LCBO's Web PO supplier guide - confirm, ready to ship, the LCBO's carrier picking up at
a scheduled date; the NC ABC Commission's supplier pages - a bailment state, the supplier's stock in the state
warehouse in Raleigh until a local board draws it, special orders placed by a local board and shipped to that
warehouse; Ohio's bailment listing manual; no board's own X12 850 table was found: the segments are the X12
standard's, the facts the boards' own). tests/fixtures/rg72/ holds each one's profile, reference rows, stock, 850s
and the east DC's confirmation of what shipped (the rg2 DC). The LCBO (004010 in CAD; FOB CC at our dock, its
carrier routed by TD5, a ready-to-ship date DTM 010 and the arrival it schedules at its Durham DC, DTM 002, N1 ST 92
its DC number; items by LCBO number, BP, and the case's GTIN-14, UK; cases of 12 x 750 ML and 6 x 1 LT, PO4; the
vintage and alcohol by volume in PID); the SAQ (005010 in CAD from its GLN; its product code, IN; each line in
French and English, PID09 FR / EN); Virginia ABC (004010 new orders, BEG02 NE, to its central warehouse; its codes
with leading zeros; proof in PID; 6 x 1.75 LT, 120 x 50 ML minis and 12 x 1 LT of items we sell by the case); the NC
ABC Commission (a bailment order, BEG02 CN: the 856, no 810; a special order of one case for a local board, marked
for it, N1 Z7, its number REF CO echoed); the Alabama ABC Board (cases as CS, lines by the case's GTIN-14 and its
code alone; a ship window DTM 037 / 038); Utah DABS (005010; its DC by our code for it, N1 ST 91; its catalog
numbers, CB; a special order of bottles, BO). One night takes them all: inspect, the 997s and 855s, then the 856s
and 810s, checked by our validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    findings_and_states,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg72"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"lcbo": {"LC72001180": 2}, "saq": {"SQ72002207": 2}, "vaabc": {"VA72003301": 3},
       "ncabc": {"NC72004401": 2, "NC72004402": 1}, "alabc": {"AL72005501": 2}, "utahdabs": {"UT72006601": 2}}
# the NC ABC Commission's bailment order (BEG02 CN, its profile's memo_order_types): the 856 goes, no 810
MEMO = {("ncabc", "NC72004401")}
NOTED: set[str] = set()
NIGHT_NOTED = {"ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg72") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED, memo=MEMO)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=7, answers=7, invoices=6)


def test_each_board_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # the LCBO: its collect FOB (its carrier picks up at our dock) echoed on the 855, 856 and 810; its item number
    # and the case's GTIN-14 carried back; the vintage and alcohol by volume as sent; billed in CAD
    fob = ["FOB", "CC", "OR", "SUPPLIER DOCK"]
    ack = po_segments(segments(ws, "lcbo", "855"), "LC72001180", "BAK")
    asn = po_segments(segments(ws, "lcbo", "856"), "LC-SHP-01", "BSN")
    inv = po_segments(segments(ws, "lcbo", "810"), "LC72001180", "BIG")
    assert all(fob in doc for doc in (ack, asn, inv))
    assert ["LIN", "1", "UK", "10614141572011", "VN", "RG72-01", "BP", "0021873"] in asn
    vintage = [["PID", "F", "08", "", "", "CHATEAU DES ORMES BORDEAUX SUPERIEUR 2019"],
               ["PID", "F", "08", "", "", "13.5 PCT ALC/VOL"]]
    at = inv.index(["IT1", "1", "56", "CA", "162", "", "BP", "0021873", "UK", "10614141572011", "VN", "RG72-01"])
    assert inv[at + 1:at + 3] == vintage and asn[asn.index(["SN1", "", "56", "CA", "", "56", "CA"]) + 1:][:2] == vintage
    assert ["CUR", "SE", "CAD"] in inv and ["TDS", "1915200"] in inv  # 56 x 162.00 + 30 x 336.00
    assert ["N1", "ST", "LCBO DURHAM DISTRIBUTION CENTRE", "92", "0702"] in asn
    # the SAQ: each line described in French and in English, as sent, on the 856 and the 810
    bilingual = [["PID", "F", "08", "", "", "VIN ROUGE COTES DU RHONE 2022 750 ML", "", "", "", "FR"],
                 ["PID", "F", "08", "", "", "RED WINE COTES DU RHONE 2022 750 ML", "", "", "", "EN"]]
    for kind, key, head in (("856", "SQ-SHP-01", "BSN"), ("810", "SQ72002207", "BIG")):
        doc = po_segments(segments(ws, "saq", kind), key, head)
        assert [s for s in doc if s[0] == "PID"][:2] == bilingual, kind
    assert ["IT1", "1", "80", "CA", "118.8", "", "IN", "10270380", "UP", "614141572038", "VN", "RG72-03"] in doc
    # Virginia ABC: its codes with their leading zeros; 10 cases of 120 minis billed as 10 cases
    inv = po_segments(segments(ws, "vaabc", "810"), "VA72003301", "BIG")
    assert ["IT1", "2", "10", "CA", "138", "", "IN", "038176", "UP", "614141572069", "VN", "RG72-06"] in inv
    assert ["TDS", "1218000"] in inv  # 40 x 171 + 10 x 138 + 20 x 198
    # Utah DABS: its DC named as it named it (91: our code for it), the special order's bottles shipped as bottles
    asn = po_segments(segments(ws, "utahdabs", "856"), "UT-SHP-01", "BSN")
    assert ["N1", "ST", "DABS DISTRIBUTION CENTER", "91", "UT-DC1"] in asn
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "18", "CA", "", "18", "CA"], ["", "5", "BO", "", "5", "BO"]]


def test_a_bailment_order_ships_without_an_invoice_and_a_special_order_is_marked_for_its_local_board(night):
    """NC is a bailment state: the stock we ship into the state warehouse stays ours until a local board draws it, and
    the Commission pays for what is drawn. Its bailment PO (BEG02 CN, the profile's memo_order_types) gets its 856
    and no 810; a special order a local board placed (BEG02 SA) ships to the same warehouse marked for that board
    (N1 Z7), its special order number (REF CO) carried back, and is billed."""
    ws, _found, states = night
    assert states[("ncabc", "NC72004401")] == "shipped_on_memo" and states[("ncabc", "NC72004402")] == "invoiced"
    invoices = segments(ws, "ncabc", "810")
    assert [s[4] for s in invoices if s[0] == "BIG"] == ["NC72004402"]
    board, special = ["N1", "Z7", "WAKE COUNTY ABC BOARD", "92", "0910"], ["REF", "CO", "SO-0910-2231"]
    asn = po_segments(segments(ws, "ncabc", "856"), "NC-SHP-02", "BSN")
    inv = po_segments(invoices, "NC72004402", "BIG")
    # the board's special order number (REF CO, the profile's order_refs) with the order on the 856, on the 810
    assert board in asn and special in asn[asn.index(["PRF", "NC72004402", "", "", "20261124"]):]
    assert board in inv and special in inv and ["IT1", "1", "1", "CA", "456", "", "IN", "00-1234", "UP",
                                                "614141572083", "VN", "RG72-08"] in inv


def test_cases_ordered_as_cs_of_an_item_whose_case_is_its_item_units_ca_row_are_taken_as_cases(night):
    """The Alabama ABC Board orders cases as CS (PO1*1*45*CS), of whisky we sell by the bottle (items.csv unit BO)
    whose case of 12 is an item_units.csv row in CA, as the trade's item masters keep it. CA and CS both name the
    case (RuleSettings.case_units), yet the line with no PO4 was rejected: ACK IR, UNIT_NOT_CONVERTIBLE "item_units.csv
    has no RG72-10,CS row" (the CA row was read for CA alone; CS found only items.csv's case_pack, 1). Its other line
    was taken only by its PO4*6 - and then reserved as 25 bottles, not 25 cases: the reservations' own conversion
    (quantities.per_unit_column) had the same gap, so the cases shipped were over what was reserved. Now a case code
    converts through the item_units row of the other (the item having no case pack; a row of one each, a cassette,
    is no case): 45 CS are 540 bottles, acknowledged, reserved, shipped and billed as 45 CS."""
    ws, _found, states = night
    assert states[("alabc", "AL72005501")] == "invoiced"
    ack = po_segments(segments(ws, "alabc", "855"), "AL72005501", "BAK")
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "45", "CS"], ["IA", "25", "CS"]]
    asn = po_segments(segments(ws, "alabc", "856"), "AL-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "45", "CS", "", "45", "CS"], ["", "25", "CS", "", "25", "CS"]]
    inv = po_segments(segments(ws, "alabc", "810"), "AL72005501", "BIG")
    assert ["IT1", "1", "45", "CS", "195", "", "UK", "10614141572103", "IN", "4120"] in inv
    assert ["TDS", "1158750"] in inv  # 45 x 195.00 + 25 x 112.50


def test_a_case_code_converts_through_the_item_units_row_of_the_other():
    import pyarrow as pa

    from rules.business.quantities import UnitIndex, eaches_per_unit, per_unit_column
    from schemas.rule_settings import RuleSettings

    index = UnitIndex({("WHISKY", "BO"): 1, ("WHISKY", "CA"): 12, ("RUM", "BO"): 1, ("RUM", "CS"): 6})
    index.own_units = {"WHISKY": "BO", "RUM": "BO"}
    s = RuleSettings()
    assert eaches_per_unit("CS", "WHISKY", 1, index, s) == 12 and eaches_per_unit("CA", "RUM", 1, index, s) == 6
    assert eaches_per_unit("CA", "WHISKY", 1, index, s) == 12 and eaches_per_unit("CS", "RUM", 1, index, s) == 6
    lines = pa.table({"unit": ["CS", "CA", "CS", "BX"], "sku": ["WHISKY", "RUM", "OTHER", "WHISKY"],
                      "case_pack": pa.array([1, 1, 24, 1], pa.int32())})
    got = per_unit_column(lines, s, index)
    assert got[:3].tolist() == [12.0, 6.0, 24.0] and got[3] != got[3]  # a BX row none: not sold in it (NaN)
    # an item with no case row of either and case pack 1 is still not sold by the case; a case pack on file still
    # counts a case code with no row of its own; a CS row of one (a cassette) is no case for a CA line
    assert eaches_per_unit("CS", "GIN", 1, UnitIndex({("GIN", "BO"): 1}), s) is None
    assert eaches_per_unit("CS", "WHISKY", 24, index, s) == 24
    tape = UnitIndex({("TAPE", "EA"): 1, ("TAPE", "CS"): 1})
    assert eaches_per_unit("CA", "TAPE", 12, tape, s) == 12 and eaches_per_unit("CA", "TAPE", 1, tape, s) is None
    assert eaches_per_unit("CS", "TAPE", 12, tape, s) == 1
    got = per_unit_column(pa.table({"unit": ["CA", "CA"], "sku": ["TAPE", "TAPE"],
                                    "case_pack": pa.array([12, 1], pa.int32())}), s, tape)
    assert got[0] == 12.0 and got[1] != got[1]


def test_a_cs_line_confirmed_in_ca_and_in_bottles_is_recorded_in_the_line_s_cases(tmp_path):
    """The DC confirms the Alabama lines in its own words: 45 CA of the CS line (the same case: no finding), 150
    bottles of the 25 CS of 6 (SHIPMENT_UNIT_CONVERTED, 150 BO recorded as 25 CS); both shipped and billed in CS."""
    confirmed = [(",45,CS,", ",45,CA,"), (",25,CS,", ",150,BO,")]
    ws, found, states = variant_night(FIXTURES, "alabc", "AL72005501", tmp_path, warehouses=WAREHOUSES, night=NIGHT,
                                      ship_day=SHIP_DAY, shipped_swaps=confirmed)
    assert [f[3] for f in found if f[0] != "ASN_LATE"] == [
        "Shipped 150 BO of RG72-11; line 2 is in CS: 150 BO, recorded as 25 CS."]
    assert states == {("alabc", "AL72005501"): "invoiced"}
    asn = segments(ws, "alabc", "856")
    assert [s[1:] for s in asn if s[0] == "SN1"] == [["", "45", "CS", "", "45", "CS"], ["", "25", "CS", "", "25", "CS"]]


def test_an_860_cutting_a_line_of_cs_ships_and_bills_the_cases_left(tmp_path):
    """The Alabama ABC Board cuts line 1 from 45 to 40 CS by an 860 (POC*1*QD*40*5*CS) the next night: the change is
    read in the line's cases (engine.lifecycle.changes unit_eaches: the item_units CA row) and 40 CS ship and are
    billed. Before, the 850's line was rejected (CS not convertible) and the 860 changed nothing that could ship."""
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"alabc": ["alabc-850-AL72005501.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    body = ["ST*860*7216", "BCH*04*SA*AL72005501**1*20261126", "REF*IA*AL6612",
            "POC*1*QD*40*5*CS*195**UK*10614141572103*IN*4120", "CTT*1*40"]
    body.append(f"SE*{len(body) + 1}*7216")
    text = "~".join([
        "ISA*00*          *00*          *ZZ*ALABCBOARD     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000007216*0*P*>",
        "GS*PC*ALABCBOARD*ORDERBRIDGE*20261126*0200*7216*X*004010", *body, "GE*1*7216", "IEA*1*000007216"]) + "~"
    (ws.drop_root / "alabc" / "inbox" / "alabc-860-AL72005501.x12").write_text(text, encoding="utf-8")
    run_stages(ws, datetime(2026, 11, 27, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)
    (inbox / "east-shipments-20261201.csv").write_text("".join(
        r.replace(",45,CS,", ",40,CS,") for r in rows if r.startswith("Shipment ID") or ",AL72005501," in r),
        encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    found, states = findings_and_states(ws)
    assert [f for f in found if f[0] != "ASN_LATE"] == [] and states == {("alabc", "AL72005501"): "invoiced"}
    inv = segments(ws, "alabc", "810")
    assert ["IT1", "1", "40", "CS", "195", "", "UK", "10614141572103", "IN", "4120"] in inv
    assert ["TDS", "1061250"] in inv  # 40 x 195.00 + 25 x 112.50
