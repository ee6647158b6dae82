"""Grocery and natural-products distributors, a Canadian pharmacy chain and a flash-sale site, as their guides and
vendor requirements describe them: tests/fixtures/rg24/ holds each one's profile, reference rows, stock, 850s written
in its shapes and the east DC's confirmation of what shipped (with lots and best-by dates, and net weights: the rg2
DC). UNFI (004010 from its DUNS; a natural DC's PO by case GTIN-14, UK, beside the consumer UPC, UP, and our item,
PO4 pack and size, a 4 % off-invoice introductory allowance and a per-case bill back, SAC12 01, that no invoice
carries; a SUPERVALU conventional DC's backhaul, FOB CC and TD5 H, with a pickup allowance per case and a
catch-weight line of ground beef in cases priced per pound); KeHE (005010 with PER, heading SAC, TD5, KeHE item IN,
PID, PO4 and AMT; a KeHE Pick Up PO with its allowance per case on the line; its 856 with the pallet level and each
item's lot and best-by date, a line from two lots two item loops); C&S Wholesale Grocers (ship complete, CSH SC; its
own fleet collects, FOB CC and TD5 H; a backhaul allowance per hundredweight stated with its amount; pallets shipped
whole, S-O-T-I); Shoppers Drug Mart (CAD, its Ontario DC and its Quebec banner Pharmaprix's with bilingual
descriptions, PID09 EN and FR; 810s with HST, or GST and QST, on each item and in the summary, groceries
zero-rated); Zulily (a flash-sale event's PO with its ship window and a drop-ship PO, BEG02 DS, to its customer's
home, REF CO the customer order, shipped by parcel). One night takes them all: inspect, the 997s and 855s, then the
856s and 810s, checked by our validator, Bots and pyx12.

A rate allowance used to be multiplied by every quantity the 810 billed, whatever its SAC09 unit: UNFI's backhaul
allowance of 0.75 a case was taken on 30 cases plus the 243.6 pounds of the catch-weight line (205.20, not 31.50),
and C&S's 0.85 per hundredweight stated as 40.80 on the 308.8 "units" of cases and pounds (262.48)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

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

FIXTURES = REPO / "tests" / "fixtures" / "rg24"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"  # the east DC whose CSV carries net weights
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"unfi": {"0861122": 2, "4410233": 2}, "kehe": {"K4471120": 2, "K4471139": 1}, "cswg": {"CS5528810": 3},
       "shoppers": {"SD7712001": 2, "SD7712019": 1}, "zulily": {"7700112": 2, "7700127": 1}}
# the PO's allowances (SAC) are applied to no price or 855 (our 810s carry the off-invoice ones)
NOTED = {"SAC_NOT_APPLIED"}
# the catch-weight lines, acknowledged as sent; the confirmations arrive hours after the trucks left; the SUPERVALU
# DC's PO names us by its own vendor number (SV77120), not the UN40772 our UNFI documents carry
NIGHT_NOTED = NOTED | {"CATCH_WEIGHT_LINE", "ASN_LATE", "VENDOR_NUMBER_MISMATCH"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_distributor_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg24") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws, found = night[0], night[1]
    assert [f for f in found if f[0] == "VENDOR_NUMBER_MISMATCH"] == [("VENDOR_NUMBER_MISMATCH", "warning", "4410233")]
    # KeHE's 005010 interchange answered in 005010; Shoppers' ISA qualifier 08 answered to it as sent
    acks = segments(ws, "kehe", "997")
    assert acks[0][11:13] == ["^", "00501"] and ["AK1", "PO", "52201", "005010"] in acks
    assert segments(ws, "shoppers", "997")[0][7:9] == ["08", "0061250000     "]


def test_backhaul_allowances_are_taken_per_case_or_as_stated_never_per_pound(night):
    """A rate allowance applies to the units of its SAC09 unit. UNFI's SUPERVALU backhaul: 0.75 a case on 30 cases
    of bread and the 12 cases of catch-weight beef billed by their 243.6 LB, 31.50 (it was 0.75 x 273.6 = 205.20:
    the pounds added to the cases). C&S's 0.85 per hundredweight, stated as 40.80: its lines are in cases, not
    hundredweights, so the stated amount is taken once (it was 0.85 x 308.8 = 262.48)."""
    ws, _found, _states = night
    inv = po_segments(segments(ws, "unfi", "810"), "4410233", "BIG")
    assert [s[1:6] for s in inv if s[0] == "IT1"] == [["1", "30", "CA", "37.2", ""], ["2", "243.6", "LB", "4.49", "PP"]]
    assert ["QTY", "39", "12", "CA"] in inv
    assert ["SAC", "A", "C310", "", "", "3150", "", "", "0.75", "CA", "42", "", "02", "", "",
            "BACKHAUL PICKUP ALLOWANCE"] in inv
    assert ["TDS", "217826"] in inv  # 30 x 37.20 + 243.6 x 4.49 (1093.76) - 31.50
    inv = po_segments(segments(ws, "cswg", "810"), "CS5528810", "BIG")
    assert [s for s in inv if s[0] == "SAC"] == [["SAC", "A", "C310", "", "", "4080", "", "", "", "", "", "", "02", "",
                                                  "", "BACKHAUL ALLOWANCE PER CWT"]]
    assert ["TDS", "332341"] in inv  # 1116.00 + 238.8 x 4.49 (1072.21) + 1176.00 - 40.80


def test_promotional_allowances_off_invoice_and_bill_backs_left_to_the_deal(night):
    ws, _found, _states = night
    # UNFI's natural DC: 4 % off invoice (SAC06 3, SAC07 4) of 24 x 87.00 + 40 x 23.40 = 3024.00 is 120.96; the
    # per-case scan bill back (SAC12 01) is settled apart from the invoice: on no 810
    inv = po_segments(segments(ws, "unfi", "810"), "0861122", "BIG")
    assert [s for s in inv if s[0] == "SAC"] == [["SAC", "A", "F800", "", "", "12096", "3", "4", "", "", "", "", "02",
                                                  "", "", "NEW ITEM INTRO OFF INVOICE"]]
    assert ["TDS", "290304"] in inv
    # KeHE: its flat heading allowance once (3780.00 - 48.00), its pick-up allowance per case on the line (60 x 0.40)
    inv = po_segments(segments(ws, "kehe", "810"), "K4471120", "BIG")
    assert ["SAC", "A", "F800", "", "", "4800", "", "", "", "", "", "", "02", "", "", "MCB OFF INVOICE"] in inv
    assert ["TDS", "373200"] in inv
    inv = po_segments(segments(ws, "kehe", "810"), "K4471139", "BIG")
    at = inv.index(["IT1", "1", "60", "CA", "29.4", "", "IN", "00412223", "UP", "614141605019", "VN", "NAT-605"])
    assert inv[at + 2] == ["SAC", "A", "C310", "", "", "2400", "", "", "0.4", "CA", "60", "", "02", "", "",
                           "KEHE PICK UP ALLOWANCE"] and ["TDS", "174000"] in inv


def test_pickups_are_answered_and_shipped_as_the_distributor_routed_them(night):
    """A distributor's own fleet collects at our dock (a backhaul, KeHE Pick Up): the PO says so with TD5 method H
    (and FOB*CC); the 855 quotes the routing back and the 856 names the pickup (TD504 H)."""
    ws, _found, _states = night
    for partner, po, shipment, scac in (("unfi", "4410233", "UN-SHP-02", "SVUB"), ("kehe", "K4471139", "KH-SHP-02",
                                                                                  "KEHE"),
                                        ("cswg", "CS5528810", "CS-SHP-01", "CSWG")):
        ack = po_segments(segments(ws, partner, "855"), po, "BAK")
        assert ["TD5", "O", "2", scac, "H"] in ack, partner
        asn = po_segments(segments(ws, partner, "856"), shipment, "BSN")
        assert [s for s in asn if s[0] == "TD5"] == [["TD5", "B", "2", scac, "H"]], partner
    ack = po_segments(segments(ws, "cswg", "855"), "CS5528810", "BAK")
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in ack
    assert ["FOB", "CC", "OR", "NEWARK NJ"] in po_segments(segments(ws, "cswg", "856"), "CS-SHP-01", "BSN")
    # a delivered KeHE PO keeps its carrier and motor method
    assert ["TD5", "O", "2", "ABFS", "M"] in po_segments(segments(ws, "kehe", "855"), "K4471120", "BAK")


def test_the_856_carries_pallets_lots_best_by_dates_and_case_gtins(night):
    ws, _found, _states = night
    # KeHE: S-O-T-P-I; each item its lot (REF*LT) and best-by date (DTM*036); the oat milk from two lots, two loops
    asn = po_segments(segments(ws, "kehe", "856"), "KH-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "P", "I", "T", "P", "I", "P", "I"]
    assert [(s[1:3]) for s in asn if s[0] in ("REF", "DTM") and s[1] in ("LT", "036")] == [
        ["LT", "L2611A"], ["036", "20271101"], ["LT", "L2611B"], ["036", "20270115"], ["LT", "L2611C"],
        ["036", "20270122"]]
    assert [s for s in asn if s[0] == "SN1"][1:] == [["SN1", "", "30", "CA", "", "50", "CA"],
                                                     ["SN1", "", "20", "CA", "", "50", "CA"]]
    # UNFI: the consumer UPC and the case GTIN-14 on the item, the beef's net weight, lot and use-by date
    asn = po_segments(segments(ws, "unfi", "856"), "UN-SHP-02", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [
        ["1", "UP", "614141603015", "UK", "10614141603012", "VN", "NAT-603"],
        ["2", "UK", "10614141604019", "VN", "NAT-604"]]
    beef = asn.index(["LIN", "2", "UK", "10614141604019", "VN", "NAT-604"])
    assert asn[beef + 1:beef + 6] == [["SN1", "", "12", "CA", "", "12", "CA"],
                                      ["PID", "F", "", "", "", "GRASS FED GROUND BEEF RANDOM WT"],
                                      ["MEA", "WT", "N", "243.6", "LB"], ["REF", "LT", "GB1128"],
                                      ["DTM", "036", "20261220"]]
    # C&S: pallets shipped whole (S-O-T-I), each pallet's SSCC and its weight, the pallets' gross weight on TD1
    asn = po_segments(segments(ws, "cswg", "856"), "CS-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "T", "I", "T", "I", "I"]
    assert ["TD1", "PLT94", "2", "", "", "", "G", "1712", "LB"] in asn and sum(s[0] == "MAN" for s in asn) == 2


def test_shoppers_drug_mart_invoices_in_cad_with_hst_or_gst_and_qst_per_item(night):
    ws, _found, _states = night
    # Ontario: HST 13 % on the hand cream (30 x 73.80 = 2214.00: 287.82), the almond butter zero-rated (a line TXI of
    # 0 at 0); TDS = 2256.00 + 2214.00 + 287.82; of the line's English and French descriptions (PID09 EN, FR) the
    # first as sent
    inv = po_segments(segments(ws, "shoppers", "810"), "SD7712001", "BIG")
    assert inv[1] == ["CUR", "SE", "CAD"] and ["REF", "DP", "201"] in inv
    assert [s for s in inv if s[0] == "TXI"] == [
        ["TXI", "HS", "0", "0", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "HS", "287.82", "13", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "HS", "287.82", "13", "", "", "", "", "", "123456789RT0001"]]
    assert [s for s in inv if s[0] == "PID"] == [["PID", "F", "", "", "", "ORGANIC ALMOND BUTTER 16 OZ"],
                                                 ["PID", "F", "", "", "", "UNSCENTED HAND CREAM 75 ML"]]
    assert ["TDS", "475782"] in inv
    # Quebec (Pharmaprix): GST 5 % and QST 9.975 % on 2952.00, our QST registration in TXI09
    inv = po_segments(segments(ws, "shoppers", "810"), "SD7712019", "BIG")
    assert ["N1", "ST", "CENTRE DE DISTRIBUTION PHARMAPRIX LAVAL", "UL", "0061250000229"] in inv
    assert [s for s in inv if s[0] == "TXI"][-2:] == [
        ["TXI", "GS", "147.6", "5", "", "", "", "", "", "123456789RT0001"],
        ["TXI", "SP", "294.46", "9.975", "", "", "", "", "", "1234567890TQ0001"]]
    assert ["TDS", "339406"] in inv
    # the 855 quotes its department; its 856 the Quebec DC and the French description
    assert po_segments(segments(ws, "shoppers", "855"), "SD7712019", "BAK")[1:3] == [["REF", "IA", "SD88120"],
                                                                                    ["REF", "DP", "201"]]
    asn = po_segments(segments(ws, "shoppers", "856"), "SD-SHP-02", "BSN")
    assert ["N4", "LAVAL", "QC", "H7L 4R9", "CA"] in asn
    assert ["PID", "F", "", "", "", "CRÈME POUR LES MAINS SANS PARFUM 75 ML"] in asn


def test_zulily_event_po_and_drop_ship_to_its_customer(night):
    ws, _found, _states = night
    # the event's PO to its fulfilment center, invoiced as ordered: 60 x 14.00 + 40 x 11.50, billed to Zulily
    inv = po_segments(segments(ws, "zulily", "810"), "7700112", "BIG")
    assert ["N1", "BT", "ZULILY LLC", "92", "ZUL01"] in inv and ["TDS", "130000"] in inv
    # the drop ship (BEG02 DS): shipped by UPS to the customer's home, its tracking number on the carton, the
    # customer order number (REF*CO) on the 856 and the 810
    asn = po_segments(segments(ws, "zulily", "856"), "ZU-SHP-02", "BSN")
    assert ["N1", "ST", "MARIA ALVAREZ"] in asn and ["N4", "SPRINGFIELD", "IL", "62704", "US"] in asn
    assert ["TD5", "B", "2", "UPSN", "U", "GND"] in asn and ["REF", "CO", "Z1128844701"] in asn
    pack = next(k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "P")
    assert asn[pack + 1] == ["REF", "CN", "1Z999AA10123456784"]
    inv = po_segments(segments(ws, "zulily", "810"), "7700127", "BIG")
    assert ["REF", "CO", "Z1128844701"] in inv and ["N1", "ST", "MARIA ALVAREZ"] in inv and ["TDS", "1150"] in inv
    # net 60, no discount: the ITD states the net days alone
    assert ["ITD", "01", "3", "", "", "", "", "60"] in inv


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    """Every document of the night passes the three checkers; Shoppers' bilingual descriptions (CRÈME) as our reader
    and Bots take them in UTF-8, and as X12's character sets have them (CREME, [x12] encoding "ascii") for pyx12,
    which refuses an accented AN value (AK4 code 6) as a strict translator would (rg9 alike)."""
    from parsers.x12_writer import transcode
    from tests.shipping_support import bots_check, read_back

    ws, _found, _states = night
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=9, answers=9, as_read=lambda b: transcode(b, "ascii"))
    accented = [p for p in (ws.drop_root / "shoppers" / "outbox").glob("*.x12") if not p.read_bytes().isascii()]
    assert len(accented) == 2  # the Quebec PO's 856 and 810, its French description first (855s carry none)
    for path in accented:
        read_back(path.read_bytes())
        assert bots_check(path.read_bytes(), tmp_path)[0], path.name


def _consolidated(tmp_path: Path) -> Path:
    """rg24's fixtures for C&S alone, taking S-T-O-I: its PO and a second one (CS5528827: 30 cases of the bread and
    40 of the oat milk) on the same two pallets, shipped whole, on one shipment (CS-SHP-01)."""
    import shutil

    root = tmp_path / "fixtures"
    for folder in ("partners", "reference"):
        shutil.copytree(FIXTURES / folder, root / folder)
    shutil.copy2(FIXTURES / "stock.csv", root / "stock.csv")
    profile = root / "partners" / "cswg.toml"
    profile.write_text(profile.read_text(encoding="utf-8").replace('structure = "SOTI"', 'structure = "STOI"'),
                       encoding="utf-8")
    (root / "drops" / "cswg").mkdir(parents=True)
    po = (FIXTURES / "drops" / "cswg" / "cswg-850-CS5528810.x12").read_text(encoding="ascii")
    shutil.copy2(FIXTURES / "drops" / "cswg" / "cswg-850-CS5528810.x12", root / "drops" / "cswg")
    second = [s for s in po.replace("CS5528810", "CS5528827").replace("61003", "61004").split("~\n") if s
              and not s.startswith("SAC")]
    beef = next(k for k, s in enumerate(second) if s.startswith("PO1*2*"))
    second[beef:beef + 3] = [second[beef + 2].replace("PO1*3*", "PO1*2*")]
    second = [{"CTT*3*82": "CTT*2*70", "SE*20*0001": "SE*17*0001"}.get(s, s) for s in second]
    (root / "drops" / "cswg" / "cswg-850-CS5528827.x12").write_text("~\n".join(second) + "~\n", encoding="ascii")
    rows = [r for r in (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8")
            .splitlines(keepends=True) if r.startswith(("Shipment ID", "CS-SHP-01"))]
    rows += [rows[1].replace("CS5528810", "CS5528827"),
             rows[3].replace("CS5528810,3,", "CS5528827,2,")]
    (root / "shipments").mkdir()
    (root / "shipments" / "east-shipments-20261201.csv").write_text("".join(rows), encoding="utf-8")
    return root


def test_a_pallet_of_several_pos_can_be_described_shipment_tare_order_item(maps, tmp_path):  # noqa: F811
    """A distributor's DC receiving consolidated pallets (several POs of one ship-to on one pallet, one label per
    pallet, not per order) takes the 856 as Shipment-Tare-Order-Item, the pallet's SSCC above the orders it holds
    (BSN05 0003 Shipment, Packaging, Order, Item: beside S-O-T-P-I in EDI references). Such a profile was refused at
    load (structure was SOPI, SOTPI, SOTI, SOI or SOIP), so a partner asking for it could not be set up. C&S with
    two POs on its two pallets shipped whole: one 856, each pallet once (its SSCC, the pallets' weight once on TD1),
    an order loop per PO under each; our validator, Bots and pyx12 take it."""
    import tomllib

    from schemas.profile import PartnerProfile

    data = tomllib.loads((FIXTURES / "partners" / "cswg.toml").read_text(encoding="utf-8"))
    data["fulfilment"]["asn"]["structure"] = "STOI"
    assert PartnerProfile.model_validate(data).fulfilment.asn.structure == "STOI"

    fixtures = _consolidated(tmp_path)
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES), fixtures, NIGHT,
                                      SHIP_DAY)
    assert not [f for f in found if f[1] == "error"] and {c for c, _s, _po in found} <= NIGHT_NOTED
    assert states == {("cswg", "CS5528810"): "invoiced", ("cswg", "CS5528827"): "invoiced"}
    asn = po_segments(segments(ws, "cswg", "856"), "CS-SHP-01", "BSN")
    assert asn[0][5] == "0003"
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "T", "O", "I", "O", "I", "T", "O", "I", "I", "O", "I"]
    assert [s[1] for s in asn if s[0] == "PRF"] == ["CS5528810", "CS5528827", "CS5528810", "CS5528827"]
    hl = [s for s in asn if s[0] == "HL"]
    assert all(s[2] == "1" for s in hl if s[3] == "T") and {s[2] for s in hl if s[3] == "O"} == {"2", "7"}
    assert ["TD1", "PLT94", "2", "", "", "", "G", "1712", "LB"] in asn and sum(s[0] == "MAN" for s in asn) == 2
    assert [s[2] for s in asn if s[0] == "SN1"] == ["30", "30", "12", "40", "40"]
    assert asn[[s[0] for s in asn].index("CTT")] == ["CTT", "12", "152"]
    all_sent_accepted(ws, {"cswg": {"CS5528810": 3, "CS5528827": 2}}, tmp_path, maps, shipments=1, answers=2,
                      invoices=2)
