"""Home and furniture retail and toys / party retail, as their guides and programmes describe them: tests/fixtures/rg18/
holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what
shipped. Williams-Sonoma (005010, repetition ^, one heading REF*IA, CSH, the ship window DTM 037/038 only in the PO1
loops where its guide requires a DTM, MEA, PO4 with a gross weight, TC2; a Pottery Barn DC's table); RH (LTL furniture:
FOB CC at origin, DTM 010 and 001, TD5 naming the LTL carrier, PO4 with the unit's weight); Beyond (Overstock / Bed Bath
& Beyond drop ship: BEG02 DS, REF*CO, N9/MSG packing-slip text, the consumer's address, a parcel per tracking number);
At Home (DUNS ids, a DC and a store order of one buy with a window and a cancel date, N1*BT); Toys"R"Us Canada (an
import-style buy in CAD: FOB at origin with Incoterms FOB at the port, ocean TD5, N1*CS the consolidator, a Canadian
ship-to); Party City (a Halloween buy with a line's off-invoice promotional allowance). One night takes them all:
inspect, the 997s and 855s, then the 856s and 810s. The sectionals and the table ship in several boxes each, but this
confirmation lists only each unit's first box (as an export without the Box Number / Box Count columns does); the
same night with every box confirmed ("box 2 of 3", each its own carton on the 856) is tests/test_856_multi_box.py."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    inspected,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg18"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 4, 15)
WSI = FIXTURES / "drops" / "wsi" / "wsi-850-7731002841.x12"

POS = {"wsi": {"7731002841": 2, "7731002855": 1}, "rh": {"RH4471930": 2},
       "beyond": {"OS55021877": 1, "OS55021893": 1}, "athome": {"AH30091127": 2, "AH30091135": 1},
       "trucanada": {"TRC2611402": 2}, "partycity": {"PC8840317": 2}}
# Beyond's packing-slip N9/MSG: no document of ours carries it; Party City's line allowance: on our 810s, said so
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = NOTED | {"ASN_LATE"}  # the confirmations arrive hours after the trucks left


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_home_furniture_and_toy_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg18") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws = night[0]
    # Williams-Sonoma's 005010 group is answered in 005010, with its repetition separator
    acks = segments(ws, "wsi", "997")
    assert acks[0][11:13] == ["^", "00501"] and ["AK1", "PO", "510331", "005010"] in acks


def test_a_ship_window_stated_on_every_line_is_the_orders():
    """Williams-Sonoma's 5010 850 has no heading DTM: its guide requires a DTM in each PO1 loop, where the ship window
    (037/038) goes. A line keeps none of the two of its own, so the window was dropped (LINE_DATES_NOT_APPLIED): no
    window held against the ship date, and the 855 promised shipping days before the window opened (DTM*068 the day of
    the night). The same window on every line is now the order's; lines stating different ones keep each its own
    (ORDER_LINES ship_not_before / ship_no_later) and are not named (they used to be, and their windows dropped)."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    def orders(data: bytes) -> list[tuple]:
        result = read_interchanges(data, file=WSI.name)
        table = read_orders(result, list(result.transaction_sets()), partner="wsi")[0]
        return list(zip(*(table[c].to_pylist() for c in ("po_number", "ship_not_before", "ship_no_later")),
                        strict=True))

    data = WSI.read_bytes()
    assert orders(data) == [("7731002841", date(2026, 12, 1), date(2026, 12, 12)),
                            ("7731002855", date(2026, 12, 4), date(2026, 12, 18))]
    assert not [f for f in inspected(WSI)["findings"] if f["code"] == "LINE_DATES_NOT_APPLIED"]
    # line 2 of the first PO ships no later than the 19th: no common 038 (037 still is); each line keeps its 038
    other = data.replace(b"DTM*038*20261212~\nCTT", b"DTM*038*20261219~\nCTT")
    assert other != data
    assert orders(other)[0] == ("7731002841", date(2026, 12, 1), None)
    result = read_interchanges(other, file=WSI.name)
    lines = read_orders(result, list(result.transaction_sets()), partner="wsi")[1]
    first = [(r["line_number"], r["ship_not_before"], r["ship_no_later"]) for r in lines.to_pylist()
             if r["po_number"] == "7731002841"]
    assert first[:2] == [(1, date(2026, 12, 1), date(2026, 12, 12)), (2, date(2026, 12, 1), date(2026, 12, 19))]
    assert not [f for f in inspected_bytes(other) if f["code"] == "LINE_DATES_NOT_APPLIED"]
    # a heading DTM 038 is the order's, whatever its lines say
    heading = data.replace(b"TD5*O*2*FDEG*M~", b"TD5*O*2*FDEG*M~\nDTM*038*20261210~")
    assert orders(heading)[0] == ("7731002841", date(2026, 12, 1), date(2026, 12, 10))


def inspected_bytes(data: bytes) -> list[dict]:
    """The findings `orderbridge inspect` prints for an 850 given as bytes."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / WSI.name
        path.write_bytes(data)
        return inspected(path)["findings"]


def test_williams_sonoma_855_promises_its_window_and_856_has_its_required_dates(night):
    ws, _found, _states = night
    ack = po_segments(segments(ws, "wsi", "855"), "7731002841", "BAK")
    assert ack[1:3] == [["REF", "IA", "WS40912"], ["DTM", "068", "20261201"]]  # the window opens on the 1st
    assert [s[1:6] for s in ack if s[0] == "ACK"] == [["IA", "6", "EA", "068", "20261201"],
                                                      ["IA", "48", "EA", "068", "20261201"]]
    table = po_segments(segments(ws, "wsi", "855"), "7731002855", "BAK")
    assert ["DTM", "068", "20261204"] in table
    asn = po_segments(segments(ws, "wsi", "856"), "WS-SHP-01", "BSN")
    # its 856 guide: TD1, TD5, REF, DTM 011 shipped and DTM 017 estimated delivery at the shipment level
    assert asn[2][:3] == ["TD1", "CTN25", "3"] and ["REF", "BM", "BOL-WS-2841"] in asn
    assert ["DTM", "011", "20261204", "0910"] in asn and ["DTM", "017", "20261207"] in asn
    assert ["REF", "IA", "WS40912"] in asn
    inv = po_segments(segments(ws, "wsi", "810"), "7731002841", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "6", "EA", "64.5"], ["2", "48", "EA", "9.25"]]
    assert ["TDS", "83100"] in inv and ["REF", "IA", "WS40912"] in inv


def test_furniture_ltl_and_drop_ship_documents(night):
    ws, _found, _states = night
    # RH: acknowledged for its requested ship date, the department and vendor number on each document
    ack = po_segments(segments(ws, "rh", "855"), "RH4471930", "BAK")
    assert ack[1:3] == [["REF", "IA", "RHV0871"], ["REF", "DP", "210"]]
    assert [s[1:6] for s in ack if s[0] == "ACK"] == [["IA", "2", "EA", "068", "20261207"],
                                                      ["IA", "4", "EA", "068", "20261207"]]
    asn = po_segments(segments(ws, "rh", "856"), "RH-SHP-01", "BSN")
    assert ["TD1", "CTN25", "3", "", "", "", "G", "390", "LB"] in asn and ["TD5", "B", "2", "RDWY", "M"] in asn
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "1", "EA", "", "2", "EA"]] * 2 + [
        ["SN1", "", "4", "EA", "", "4", "EA"]]
    inv = po_segments(segments(ws, "rh", "810"), "RH4471930", "BIG")
    assert ["TDS", "327200"] in inv and ["REF", "DP", "210"] in inv  # 2 x 1260.00 + 4 x 188.00
    # Beyond: the consumer's order number back on the 855, 856 and 810; each parcel its tracking number
    by = po_segments(segments(ws, "beyond", "856"), "BY-SHP-02", "BSN")
    cartons = [k for k, s in enumerate(by) if s[0] == "HL" and s[3] == "P"]
    assert [by[k + 1] for k in cartons] == [["REF", "CN", "1Z9B7Y410300000044"], ["REF", "CN", "1Z9B7Y410300000055"]]
    assert ["N1", "ST", "MARCUS OYELARAN"] in by and ["N3", "77 HARBOR VIEW DR", "APT 5C"] in by
    assert ["REF", "CO", "118845017"] in by
    inv = po_segments(segments(ws, "beyond", "810"), "OS55021877", "BIG")
    assert ["REF", "CO", "118844902"] in inv and ["TDS", "139900"] in inv


def test_seasonal_toy_and_party_orders(night):
    ws, _found, _states = night
    # Toys"R"Us Canada: acknowledged for the day its window opens, invoiced in Canadian dollars to its Concord DC
    ack = po_segments(segments(ws, "trucanada", "855"), "TRC2611402", "BAK")
    assert [s[1:6] for s in ack if s[0] == "ACK"] == [["IA", "72", "EA", "068", "20261128"],
                                                      ["IA", "24", "EA", "068", "20261128"]]
    inv = po_segments(segments(ws, "trucanada", "810"), "TRC2611402", "BIG")
    assert ["CUR", "SE", "CAD"] in inv and ["N4", "CONCORD", "ON", "L4K 4M5", "CA"] in inv
    assert ["TDS", "209880"] in inv  # 72 x 8.75 + 24 x 61.20
    # Party City: the line's promotional allowance off the invoice, after its IT1, taken from the total
    pc = po_segments(segments(ws, "partycity", "810"), "PC8840317", "BIG")
    at = pc.index(["IT1", "2", "60", "EA", "9.6", "", "UP", "614141300105", "IN", "492755", "VN", "TY-2004"])
    assert pc[at + 1][:6] == ["SAC", "A", "F800", "", "", "2880"] and pc[at + 1][12] == "02"
    assert ["TDS", "106320"] in pc  # 240 x 2.15 + 60 x 9.60 - 28.80
    # At Home: its store order goes to the store, each document with the department
    store = po_segments(segments(ws, "athome", "856"), "AH-SHP-02", "BSN")
    assert ["N1", "ST", "AT HOME STORE 187", "92", "0187"] in store and ["REF", "DP", "44"] in store
    dc = po_segments(segments(ws, "athome", "810"), "AH30091127", "BIG")
    assert ["ITD", "08", "3", "2", "", "30", "", "60"] in dc and ["TDS", "121440"] in dc


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=9, answers=9)  # one 856 and 810 per PO
