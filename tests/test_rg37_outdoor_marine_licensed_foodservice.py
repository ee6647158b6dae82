"""Outdoor, marine, licensed sports and foodservice buyers, as their public EDI material describes them:
tests/fixtures/rg37/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's
confirmation of what shipped (the rg2 DC). Sportsman's Warehouse (005010 from a phone-number id, qualifier 12; CUR,
PER BD, FOB CC, ITD 14 alone: terms previously agreed, the ones on file; DTM 010 / 001, TD5 routing text only, an
N9/MTX note, N1 BT and ST; lines by UPC, our item and its own IN; one line in cases with PO4 pack; a second set with
FOB03 text, TD5 by carrier and lines numbered 001, 002); West Marine (004010VICS DC orders with the stores' quantities
in SDQ, warned: one line ships whole to the DC; the retail price in CTP RS RES; 1 % 20 net 60; a store's own PO to
its address); Fanatics (005010 from its DUNS, its fulfilment centre by GLN, N1*ST*UL; a ship window; PO1
price basis PE, UPC, our style VA and its SKU SK; PO4 case pack; TD5 routing with TD504 ZZ); Edward Don (a foodservice
drop ship, BEG02 DS, to a restaurant named by address only, no N104, an N2 attention line; REF CO; lines in cases, CS,
and dozens, DZ, by Don's item BP and ours VP; 2 % 10 net 30); AT&T as its supplier 850 is described (004010, BEG02
NE with its contract in BEG06, REF Q1 / VR, PER BD by e-mail; no heading ship-to: each PO1 loop names its site, N1
ST with N3/N4, QTY, PER DC and DTM 002; PO3; lines by AT&T's part BP, which its 855 and 856 must return). One night
takes them all: inspect, the 997s and 855s, then the 856s and 810s, checked by our validator, Bots and pyx12."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg37"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"swi": {"4410027": 2, "4410031": 2}, "westmarine": {"77015520": 2, "77015533": 1},
       "fanatics": {"FN2600884": 2, "FN2600891": 2},
       "edwarddon": {"DN5518830": 2, "DN5518847": 1}, "att": {"4600123456": 2}}
# Sportsman's N9/MTX note; West Marine's store quantities (one line ships whole to the DC); AT&T's delivery date
# given in each line's own N1 loop (a destination's date: named for a person, not kept)
NOTED = {"NOTES_NOT_KEPT", "SDQ_NOT_APPLIED", "LINE_DATES_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # the confirmations arrive hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg37") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    """West Marine's groups are labelled 004010VICS (its profile's gs_version): Bots has no grammar of that name, so
    they are read as 004010, the sets being 004010's (as tests/test_rg16 does)."""
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=9, answers=9,
                      as_read=lambda b: b.replace(b"*X*004010VICS~", b"*X*004010~"))


def test_each_buyer_answered_to_its_own_envelope_and_version(night):
    ws, _found, _states = night
    # Sportsman's phone-number id (12) and Fanatics' DUNS (01) answered as sent, in 005010 (AK103, ISA11 ^)
    swi = segments(ws, "swi", "997")
    assert swi[0][7:9] == ["12", "8015661111     "] and swi[0][11:13] == ["^", "00501"]
    assert ["AK1", "PO", "4110027", "005010"] in swi
    assert segments(ws, "fanatics", "997")[0][7:9] == ["01", "081466849      "]
    # West Marine's VICS label on every group we send it
    for kind in ("997", "855", "856", "810"):
        assert {s[8] for s in segments(ws, "westmarine", kind) if s[0] == "GS"} == {"004010VICS"}


def test_ids_units_and_parties_as_ordered(night):
    ws, _found, _states = night
    # Sportsman's UPC, our item and its own item number echoed; its case line in cases; the DC and the bill-to
    inv = po_segments(segments(ws, "swi", "810"), "4410027", "BIG")
    assert [s[1:] for s in inv if s[0] == "IT1"] == [
        ["1", "36", "EA", "24.5", "", "UP", "614141504015", "VN", "ODR-401", "IN", "1180442"],
        ["2", "6", "CA", "90", "", "UP", "614141504022", "VN", "ODR-402", "IN", "1180459"]]
    assert ["N1", "BT", "SPORTSMANS WAREHOUSE INC", "92", "0001"] in inv and ["TDS", "142200"] in inv
    # Fanatics' six id pairs of an apparel line kept whole on the 855, 856 and 810, price basis PE too
    pairs = ["UP", "614141504060", "VA", "ODR-406", "BO", "NAVY", "IZ", "OSFA", "SK", "10442880", "PI", "FAN-CAP-77"]
    assert ["PO1", "1", "24", "EA", "18", "PE", *pairs] in po_segments(segments(ws, "fanatics", "855"), "FN2600891",
                                                                        "BAK")
    assert ["LIN", "1", *pairs] in segments(ws, "fanatics", "856")
    assert ["IT1", "1", "24", "EA", "18", "PE", *pairs] in po_segments(segments(ws, "fanatics", "810"), "FN2600891",
                                                                       "BIG")
    # Fanatics' fulfilment centre by GLN (UL) on the 856
    assert ["N1", "ST", "FANATICS FULFILLMENT JACKSONVILLE", "UL", "0860001234567"] in segments(ws, "fanatics", "856")
    # Edward Don's restaurant, named by address only, with its attention line, on the 856 and 810; the end
    # customer's order (REF CO) and the terms of the PO (2 % 10 net 30); cases and dozens as ordered
    inv = po_segments(segments(ws, "edwarddon", "810"), "DN5518830", "BIG")
    at = inv.index(["N1", "ST", "LUIGIS TRATTORIA"])
    assert inv[at + 1: at + 4] == [["N2", "ATTN KITCHEN MANAGER"], ["N3", "118 MAIN ST"],
                                   ["N4", "NAPERVILLE", "IL", "60540", "US"]]
    assert ["REF", "CO", "C-4471902"] in inv and ["ITD", "01", "3", "2", "", "10", "", "30"] in inv
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "4", "CS"], ["2", "3", "DZ"]] and ["TDS", "32040"] in inv
    asn = po_segments(segments(ws, "edwarddon", "856"), "DN-SHP-02", "BSN")
    assert ["N1", "ST", "HARBOR GRILL", "92", "R-0088142"] in asn and ["REF", "CO", "C-4471955"] in asn
    # West Marine's lines ship whole to its DC (the stores' SDQ split warned), billed on its 1 % 20 net 60
    inv = po_segments(segments(ws, "westmarine", "810"), "77015520", "BIG")
    assert [s[1:3] for s in inv if s[0] == "IT1"] == [["1", "24"], ["2", "48"]]
    assert ["ITD", "01", "3", "1", "", "20", "", "60"] in inv
    # a store's own PO (N1 ST by its number, not on our file, with its address) shipped and billed to the store
    for doc, key, head in (("856", "WM-SHP-02", "BSN"), ("810", "77015533", "BIG")):
        sent = po_segments(segments(ws, "westmarine", doc), key, head)
        at = sent.index(["N1", "ST", "WEST MARINE #0147", "92", "0147"])
        assert sent[at + 1: at + 3] == [["N3", "2450 SHORELINE HWY"], ["N4", "SAUSALITO", "CA", "94965", "US"]]
    # Sportsman's second set numbers its lines 001, 002 (PO101): returned as sent on the 855, 856 and 810
    assert [s[1] for s in po_segments(segments(ws, "swi", "855"), "4410031", "BAK") if s[0] == "PO1"] == ["001", "002"]
    assert [s[1] for s in po_segments(segments(ws, "swi", "856"), "SW-SHP-02", "BSN") if s[0] == "LIN"] == [
        "001", "002"]
    assert [s[1] for s in po_segments(segments(ws, "swi", "810"), "4410031", "BIG") if s[0] == "IT1"] == ["001", "002"]


def test_a_contract_number_sent_in_beg06_is_carried_back_as_ref_ct(night):
    """AT&T's PO names its contract in BEG06 (X12's Contract Number, element 367), not in a REF*CT; its profile asks
    for REF*CT on the 856 and 810. The 856 and 810 used to go without it (the contract was read from REF*CT only)."""
    ws, _found, _states = night
    assert ["REF", "CT", "MSA-20240877"] in po_segments(segments(ws, "att", "856"), "AT-SHP-01", "BSN")
    assert ["REF", "CT", "MSA-20240877"] in po_segments(segments(ws, "att", "810"), "4600123456", "BIG")
    # the site its lines name (no heading N1*ST) is the order's ship-to; its part numbers and line numbers return
    asn = po_segments(segments(ws, "att", "856"), "AT-SHP-01", "BSN")
    assert ["N1", "ST", "ATT CENTRAL OFFICE DALLAS", "92", "TXDLS01"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "BP", "ATT-22019", "VP", "ODR-409"],
                                                    ["2", "BP", "ATT-30551", "VP", "ODR-410"]]
    ack = po_segments(segments(ws, "att", "855"), "4600123456", "BAK")
    assert [s[1:3] + s[6:8] for s in ack if s[0] == "PO1"] == [["1", "10", "BP", "ATT-22019"],
                                                               ["2", "40", "BP", "ATT-30551"]]


def test_beg06_is_the_contract_when_no_ref_ct_names_one():
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    path = FIXTURES / "drops" / "att" / "att-850-4600123456.x12"
    data = path.read_bytes()
    for sent, contract in ((data, "MSA-20240877"),
                           (data.replace(b"REF*ZZ*FIRM~", b"REF*CT*MSA-2025-REF~REF*ZZ*FIRM~").replace(
                               b"SE*28*", b"SE*29*"), "MSA-2025-REF"),  # a REF*CT wins
                           (data.replace(b"*20261124*MSA-20240877~", b"*20261124~"), None)):
        result = read_interchanges(sent, file=path.name)
        assert not [f for f in result.findings if f.severity == "error"]
        orders = read_orders(result, list(result.transaction_sets()), partner="att")[0].to_pylist()
        assert [o["contract_number"] for o in orders] == [contract]


def test_an_each_line_whose_po4_names_another_case_than_ours_is_flagged(tmp_path):
    """Fanatics' guide: the PO4 case pack must be the physical pack. 18 EA of a cap we pack by 6 with PO4*12 is taken
    as ordered and shipped in our cases, with PO4_PACK_DIFFERS (a warning) naming both packs; the line is not held."""
    import shutil

    fixtures = tmp_path / "rg37"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "fanatics" / "fanatics-850-FN2600891.x12"
    po.write_bytes(po.read_bytes().replace(b"PO1*1*24*EA*18*PE", b"PO1*1*18*EA*18*PE").replace(b"PO4*6~", b"PO4*12~")
                   .replace(b"CTT*2*60", b"CTT*2*54"))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").replace("FN2600891,1,ODR-406,24,EA", "FN2600891,1,ODR-406,18,EA")
    shipped.write_text("".join(r for r in rows.splitlines(keepends=True) if r.startswith(("Shipment ID", "FN-SHP-02"))),
                       encoding="utf-8")
    ws, found, _states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"fanatics": [po.name]},
                                                  warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY)
    assert not [f for f in found if f[1] == "error"]
    assert [c for c, _s, po in found if po == "FN2600891" and c != "ASN_LATE"] == ["PO4_PACK_DIFFERS"]


def test_a_po_naming_another_vendor_id_number_of_ours_in_ref_vr_is_flagged(tmp_path):
    """AT&T names its supplier by REF*VR (vendor id number), not REF*IA, as Costco, CVS and Winn-Dixie do: a PO under
    another of our numbers (ATT55512) than the ATT90311 our 855, 856 and 810 write back used to go unflagged (only a
    REF*IA was compared); the sweep's night, REF*VR ATT90311, raises nothing."""
    import shutil

    fixtures = tmp_path / "rg37"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "att" / "att-850-4600123456.x12"
    po.write_bytes(po.read_bytes().replace(b"REF*VR*ATT90311~", b"REF*VR*ATT55512~"))
    shipped = fixtures / "shipments" / "east-shipments-20261201.csv"
    rows = shipped.read_text(encoding="utf-8").splitlines(keepends=True)
    shipped.write_text("".join(r for r in rows if r.startswith(("Shipment ID", "AT-SHP-01"))), encoding="utf-8")
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws", {"att": [po.name]},
                                                 warehouses=WAREHOUSES), fixtures, NIGHT, SHIP_DAY, messages=True)
    assert states == {("att", "4600123456"): "invoiced"}  # answered and shipped as ordered
    mismatch = [f for f in found if f[0] == "VENDOR_NUMBER_MISMATCH"]
    assert [f[1:3] for f in mismatch] == [("warning", "4600123456")] and "REF*VR ATT55512" in mismatch[0][3]
    assert ["REF", "IA", "ATT90311"] in po_segments(segments(ws, "att", "810"), "4600123456", "BIG")
