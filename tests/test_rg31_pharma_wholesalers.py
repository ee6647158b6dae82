"""Pharmaceutical wholesalers buying from a manufacturer, as their guides and the HDA 850/856 guidelines describe
them: tests/fixtures/rg31/ holds each one's profile, reference rows, stock, 850s written in its shapes and the east
DC's confirmation of what shipped (each line's lot and expiry). Cencora (AmerisourceBergen: 004010 with '|' between
elements, BEG02 NE and RO, the DC's ship-to by its DEA number, N1*ST*..*11, the buyer by D-U-N-S+4, NDCs as 11
digits under N4); Morris & Dickson (a GPO contract in REF*CT, each line at WAC in PO104 with the contract price in
CTP*CON beside it: the wholesaler pays WAC and charges the difference back, so the 855 and 810 keep PO104 and the
856 and 810 carry the contract number back); Smith Drug Company (the label's hyphenated NDC under ND in 5-3-2 and
under N4 in 5-4-2); Anda (Teva's distributor: a case line, PO1 CA with PO4 12, and a 10-digit NDC under N2). McKesson,
Cardinal and Owens & Minor are tests/test_health_distributors.py's. One night takes them all: inspect, the 997s and
855s, then the 856s (DSCSA transaction information: the NDC, each lot and its expiry) and 810s."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg31"
NIGHT = datetime(2026, 12, 2, 2)
SHIP_DAY = datetime(2026, 12, 3, 15)

POS = {"cencora": {"7100455812": 2, "7100455907": 1}, "morrisdickson": {"MD2612010044": 2},
       "smithdrug": {"4418820": 2}, "anda": {"G3381907": 2}}
# the confirmations arrive hours after the trucks left; Anda's case line (2 CA of 12) confirmed as 24 EA by the DC
NIGHT_NOTED = {"ASN_LATE", "SHIPMENT_UNIT_CONVERTED"}


def _items(asn: list[list[str]]) -> list[list[str]]:
    """The item loops' LIN, SN1 and expiry (DTM*036) of one 856."""
    return [s for s in asn if s[0] in ("LIN", "SN1") or s[:2] == ["DTM", "036"]]


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_wholesalers_po_without_a_finding(path):
    inspected_clean(path, set(), POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg31") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws = night[0]
    # Cencora's '|' separated interchange answered with its own separators, to its D-U-N-S (qualifier 01)
    ack = segments(ws, "cencora", "997")[0]
    assert ack[0] == "ISA" and ack[7:9] == ["01", "007914906      "]


def test_cencora_dea_ship_to_lots_and_expiries_on_the_856(night):
    """Cencora's DC named by its DEA number (N1*ST*..*11) back on the 855, 856 and 810 as sent; the rush order
    (BEG02 RO) acknowledged like the new one; each lot of a line its own item loop with its expiry (DTM*036), the
    NDC as N4 11 digits beside the lot (LIN ..*LT)."""
    ws, _found, _states = night
    dc = ["N1", "ST", "CENCORA DC COLUMBUS", "11", "RA0287134"]
    assert dc in po_segments(segments(ws, "cencora", "855"), "7100455907", "BAK")
    asn = po_segments(segments(ws, "cencora", "856"), "CN-SHP-01", "BSN")
    assert dc in asn and ["N1", "BY", "AMERISOURCEBERGEN DRUG CORP", "9", "0079149060000"] in asn
    assert _items(asn) == [
        ["LIN", "1", "N4", "00093505798", "LT", "AT6K0412"], ["SN1", "", "36", "EA", "", "48", "EA"],
        ["DTM", "036", "20281031"],
        ["LIN", "1", "N4", "00093505798", "LT", "AT6L0027"], ["SN1", "", "12", "EA", "", "48", "EA"],
        ["DTM", "036", "20290131"],
        ["LIN", "2", "N4", "68382002810", "LT", "MF26-1180"], ["SN1", "", "12", "EA", "", "12", "EA"],
        ["DTM", "036", "20280831"]]
    # the rush order's line came without a PID: its 856 names the drug by our catalog's description (DSCSA
    # transaction information: name, strength, form and count beside the NDC, lot and expiry; the profile's
    # item_pid_catalog). We used to send the NDC, lot and expiry with no product name at all
    rush = po_segments(segments(ws, "cencora", "856"), "CN-SHP-02", "BSN")
    assert _items(rush)[0] == ["LIN", "1", "N4", "00093505798", "LT", "AT6L0027"]
    assert [s for s in rush if s[0] == "PID"] == [["PID", "F", "", "", "", "Atorvastatin calcium 20mg tablets 90ct"]]
    # the PO's own PID wins where it sent one
    assert [s[5] for s in asn if s[0] == "PID"] == ["ATORVASTATIN 20MG TAB 90"] * 2 + ["METFORMIN 500MG TAB 1000"]
    inv = po_segments(segments(ws, "cencora", "810"), "7100455812", "BIG")
    assert [s[1:8] for s in inv if s[0] == "IT1"] == [["1", "48", "EA", "18.4", "", "N4", "00093505798"],
                                                     ["2", "12", "EA", "21.9", "", "N4", "68382002810"]]
    assert ["TDS", "114600"] in inv and ["ITD", "08", "3", "2", "", "30", "", "31"] in inv


def test_cencora_dc_named_by_its_id_alone_gets_its_reference_address_on_the_856_and_810(night):
    """Cencora's rush PO names the DC by its DEA number and name alone (no N3/N4). DSCSA transaction information (the
    HDA 856) and the 810 want the ship-to's address: with the profile's ship_to_address_from_reference, ship_tos.csv's
    row for that id gives the N3/N4 after the PO's own N1*ST. The new PO's own N3/N4 (upper case) go back as sent.
    We used to send the rush PO's N1 alone to both."""
    ws, _found, _states = night
    dc = ["N1", "ST", "CENCORA DC COLUMBUS", "11", "RA0287134"]
    for doc, key, head, street, city in (
            ("856", "CN-SHP-02", "BSN", "6305 La Salle Dr", "Lockbourne"),
            ("810", "7100455907", "BIG", "6305 La Salle Dr", "Lockbourne"),
            ("856", "CN-SHP-01", "BSN", "6305 LA SALLE DR", "LOCKBOURNE"),
            ("810", "7100455812", "BIG", "6305 LA SALLE DR", "LOCKBOURNE")):
        segs = po_segments(segments(ws, "cencora", doc), key, head)
        at = segs.index(dc)
        assert segs[at + 1:at + 3] == [["N3", street], ["N4", city, "OH", "43137", "US"]], (doc, key, segs[at:at + 3])


def test_a_reference_address_fills_only_a_ship_to_named_by_id_alone_of_a_partner_asking_it():
    import pyarrow as pa

    from engine.shipments import with_reference_addresses

    places = pa.table({"partner": ["acme", "acme", "other"], "location_id": ["DC12", "DC14", "DC12"],
                       "address1": ["1 Dock Rd", "2 Pier St", "9 Far Way"], "city": ["Dayton", "Akron", "Reno"],
                       "state": ["OH", "OH", "NV"], "postal_code": ["45402", "44301", "89501"],
                       "country": ["US", "US", "US"]})
    address = ("address1", "address2", "city", "state", "postal_code", "country")
    orders = pa.table({"partner": ["acme", "acme", "acme", "other"], "ship_to_id": ["DC12", "DC14", "DC99", "DC12"],
                       **{f"ship_to_{f}": pa.array([None, None, None, None], pa.string()) for f in address}})
    orders = orders.set_column(orders.schema.get_field_index("ship_to_city"), "ship_to_city",
                               pa.array([None, "Kent", None, None], pa.string()))  # DC14 sent a city: its own
    got = with_reference_addresses(orders, places, {"acme"})
    assert got["ship_to_address1"].to_pylist() == ["1 Dock Rd", None, None, None]
    assert [got[f"ship_to_{f}"][0].as_py() for f in address] == ["1 Dock Rd", None, "Dayton", "OH", "45402", "US"]
    assert got["ship_to_city"].to_pylist() == ["Dayton", "Kent", None, None]
    assert with_reference_addresses(orders, places, set()) is orders  # no partner asks: the orders as sent


def test_morris_dickson_contract_back_and_the_line_billed_at_wac(night):
    """Morris & Dickson's GPO contract (REF*CT) in the 856's order loop and the 810's heading; the line's contract
    price (CTP*CON 15.10) beside its WAC (PO104 18.40 WE) is what the chargeback settles, not what the wholesaler
    pays: the 855 and the 810 keep PO104 as sent."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "morrisdickson", "856"), "MD-SHP-01", "BSN")
    assert asn[asn.index(["PRF", "MD2612010044", "", "", "20261201"]) + 1] == ["REF", "CT", "OBS-GPO-0417"]
    ack = po_segments(segments(ws, "morrisdickson", "855"), "MD2612010044", "BAK")
    assert ["PO1", "1", "24", "EA", "18.4", "WE", "N4", "00093505798"] in ack
    inv = po_segments(segments(ws, "morrisdickson", "810"), "MD2612010044", "BIG")
    assert ["REF", "CT", "OBS-GPO-0417"] in inv
    assert [s[1:8] for s in inv if s[0] == "IT1"] == [["1", "24", "EA", "18.4", "WE", "N4", "00093505798"],
                                                     ["2", "12", "EA", "15.25", "WE", "N4", "68180051303"]]
    assert ["TDS", "62460"] in inv  # 24 x 18.40 + 12 x 15.25


def test_smith_drug_hyphenated_ndcs_found_and_echoed_as_sent(night):
    """Smith Drug's label NDCs (ND 68382-028-10, 5-3-2; N4 00093-5057-98) are the drugs the cross-reference keeps as
    11 digits: shipped from their lots and echoed as the PO sent them."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "smithdrug", "856"), "SD-SHP-01", "BSN")
    assert _items(asn) == [
        ["LIN", "1", "ND", "68382-028-10", "LT", "MF26-1180"], ["SN1", "", "6", "EA", "", "6", "EA"],
        ["DTM", "036", "20280831"],
        ["LIN", "2", "N4", "00093-5057-98", "LT", "AT6K0412"], ["SN1", "", "36", "EA", "", "36", "EA"],
        ["DTM", "036", "20281031"]]
    assert [s[5] for s in asn if s[0] == "PID"] == ["Metformin HCl 500mg tablets 1000ct",
                                                     "Atorvastatin calcium 20mg tablets 90ct"]
    assert ["TDS", "79380"] in po_segments(segments(ws, "smithdrug", "810"), "4418820", "BIG")


def test_anda_case_line_and_the_ten_digit_ndc(night):
    """Anda's case line (2 CA, PO4 12) shipped as 24 EA by the DC is answered in cases; its 10-digit NDC under N2
    (6818051303: 5-3-2) is the 11-digit 68180051303 of the cross-reference and goes back as sent."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "anda", "856"), "AN-SHP-01", "BSN")
    assert _items(asn) == [
        ["LIN", "1", "N4", "00093505798", "LT", "AT6L0027"], ["SN1", "", "2", "CA", "", "2", "CA"],
        ["DTM", "036", "20290131"],
        ["LIN", "2", "N2", "6818051303", "LT", "LS26J044"], ["SN1", "", "24", "EA", "", "24", "EA"],
        ["DTM", "036", "20280930"]]
    inv = po_segments(segments(ws, "anda", "810"), "G3381907", "BIG")
    assert ["TDS", "80760"] in inv  # 2 x 220.80 + 24 x 15.25


def test_every_sent_document_is_accepted(night, tmp_path, maps):  # noqa: F811 (maps: the fixture)
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5)


def test_a_schedule_ii_line_without_its_dea_order_form_is_held_not_acknowledged(tmp_path):
    """21 CFR 1305 lets a supplier fill a Schedule II order only against a DEA Form 222 or a CSOS electronic order
    (whose number is the year's two digits, X, six characters). Smith Drug's 850 orders oxycodone 5mg (CII, NDC
    00406-0552-01) beside metformin with no such number: the metformin line goes ahead, the oxycodone line must
    not be acknowledged as accepted nor shipped, and a finding must say why."""
    import csv
    import shutil

    from connectors.state import StateStore
    from tests.support import run_stages

    fixtures = tmp_path / "fx"
    for folder in ("partners", "reference", "warehouses", "shipments"):
        shutil.copytree(FIXTURES / folder, fixtures / folder)
    shutil.copy2(FIXTURES / "stock.csv", fixtures / "stock.csv")
    (fixtures / "drops" / "smithdrug").mkdir(parents=True)
    shutil.copy2(FIXTURES / "controlled" / "SDC850_4418911_cii.x12", fixtures / "drops" / "smithdrug")
    path = fixtures / "reference" / "items.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows = [rows[0] + ["dea_schedule"]] + [r + ["CII" if r[0] == "RX-OXY5-100" else ""] for r in rows[1:]]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    ws = of_its_own(fixtures, tmp_path / "ws")
    run_stages(ws, NIGHT)
    ack = po_segments(segments(ws, "smithdrug", "855"), "4418911", "BAK")
    assert [s[1] for s in ack if s[0] == "ACK"][1] == "IA"  # the metformin line goes ahead
    assert [s[1] for s in ack if s[0] == "ACK"][0] != "IA"
    state = StateStore(ws.state_url)
    try:
        found = state.findings(partner="smithdrug", po_number="4418911")
    finally:
        state.close()
    assert any(f["severity"] in ("error", "warning") for f in found)
