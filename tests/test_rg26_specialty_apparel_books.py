"""Specialty apparel, accessories and books, as their guides and vendor manuals describe them: tests/fixtures/rg26/
holds each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what
shipped. Bealls (VICS 004010 from a phone-number ISA id, qualifier 12; a store cross-dock PO to its Bradenton DC
marked for its stores: SDQ with 3-digit stores, two SDQ segments on one line, N1*ST with the DC's number and no name,
FOB*DF, an informational SAC*N ticketing service, ITD*05 with its description, the ticket's retail in CTP*RS*RES;
its 856 carton contents by store, each store marked for, N1*Z7, in its order loop; its 810 on the PO's terms and
FOB); Spencer Spirit Holdings (Spirit Halloween's seasonal one-time order in its thousands, hard dates DTM 037/038/001,
PO4 inner packs; Spencer Gifts' DC replenishment); Lids (headwear by UPC with the vendor style VA, Lids' style IT and
the style number ST, a DC order and a store's own order); Books-A-Million (books by ISBN-10, IB, then ISBN-13, EN,
the DC by its SAN, a line priced by its net price in CTP beside the list price and no PO104); Hot Topic (pack by
store with a size prepack, PO103 AS with SLN I components, a percentage allowance off invoice, SAC12 02); URBN / Free
People (URBN's short SKU, IN, with the vendor style, NRF colour and size, BO/IZ and PID 73/74, and the ticket's
retail). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s."""

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

FIXTURES = REPO / "tests" / "fixtures" / "rg26"
NIGHT = datetime(2026, 8, 20, 2)
SHIP_DAY = datetime(2026, 8, 25, 15)

POS = {"bealls": {"0683722": 2}, "spencers": {"SH26081901": 2, "SG77120": 1},
       "lids": {"LD4410021": 2, "LD4410039": 1}, "bam": {"BAM5561200": 2}, "hottopic": {"HT2608190": 2},
       "urbn": {"0002260819": 2}}
# Bealls' cross-dock stores (its guide's example distribution) and the first line's units for each; the second line
# has one for each
STORES = ["004", "008", "010", "011", "012", "013", "014", "015", "016", "017",
          "022", "025", "026", "029", "030", "032", "037", "038", "039", "040"]
FIRST = [1, 1, 2, 1, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 2, 2, 1, 1, 2, 2]
# without a profile inspect cannot know Bealls and Hot Topic split their lines per store, nor that Hot Topic's
# allowance is billed
NOTED = {"SDQ_NOT_APPLIED", "SAC_NOT_APPLIED"}
# Hot Topic's off-invoice allowance is billed on our 810 (SAC_NOT_APPLIED says so); the confirmations arrive hours
# after the trucks left
NIGHT_NOTED = {"SAC_NOT_APPLIED", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_specialty_and_book_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg26") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws = night[0]
    # Bealls' phone-number sender id (qualifier 12) answered to it as sent
    assert segments(ws, "bealls", "997")[0][7:9] == ["12", "9417444544     "]


def test_bealls_store_cross_dock_cartons_by_store_marked_for_each_store(night):
    """Bealls' cross-dock PO ships to its DC, N1*ST**92*050 as sent (no name), each store's carton in an order loop
    marked for the store (N1*Z7**92*store, 3-digit stores with their leading zeros), both SDQ segments of each line
    read; its 810 on the PO's own terms (ITD*05 with NET 30) and FOB as sent."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "bealls", "856"), "BE-SHP-01", "BSN")
    assert ["N1", "ST", "", "92", "050"] in asn
    # its guide's own distribution: 20 stores in two SDQ segments of ten (SDQ's most) on each line
    assert [s[4] for s in asn if s[:2] == ["N1", "Z7"]] == STORES
    assert [s[2] for s in asn if s[0] == "SN1"] == [n for q in FIRST for n in (str(q), "1")]
    assert ["CTT", "81", "47"] in asn  # 1 + 20 x (O, P, I, I) HL; 27 + 20 units
    inv = po_segments(segments(ws, "bealls", "810"), "0683722", "BIG")
    assert ["ITD", "05", "3", "", "", "", "", "30", "", "", "", "", "NET 30"] in inv
    assert ["FOB", "DF", "AC", "SEE GUIDE"] in inv
    # billed by store (one 810 per store: test_bealls_store_cross_dock_po_is_invoiced_per_store), 47 x 11.50 in all
    assert sum(int(s[1]) for s in segments(ws, "bealls", "810") if s[0] == "TDS") == 54050
    # the line without PO105 answered and billed as sent: no basis made up
    ack = po_segments(segments(ws, "bealls", "855"), "0683722", "BAK")
    assert ["PO1", "001", "27", "EA", "11.5", "", "UP", "614141700011", "VA", "POLO-NVY-M"] in ack


def test_bealls_store_cross_dock_po_is_invoiced_per_store(night):
    """Bealls' store cross-dock programme matches its EDI invoices to individual store invoices: a cross-dock PO's
    shipment is billed by store, one 810 per store it was marked for (N1*Z7**92*store), each of that store's units
    ([fulfilment.invoice] per = "store"). We used to send one 810 for the whole PO (47 units, 540.50) with no store
    on it, which Bealls cannot match to a store's receipt."""
    ws, _found, _states = night
    invoices = segments(ws, "bealls", "810")
    assert [s[4] for s in invoices if s[0] == "BIG"] == ["0683722"] * 20
    stores = [s[4] for s in invoices if s[:2] == ["N1", "Z7"]]
    totals = [s[1] for s in invoices if s[0] == "TDS"]
    assert list(zip(stores, totals, strict=True)) == [(st, str((q + 1) * 1150)) for st, q in zip(STORES, FIRST,
                                                                                                  strict=True)]


def test_spirit_seasonal_order_and_spencer_replenishment(night):
    ws, _found, _states = night
    # Spirit's one-time order: acknowledged for its ship-not-before day (DTM 037), every unit in one shipment
    ack = po_segments(segments(ws, "spencers", "855"), "SH26081901", "BAK")
    assert ack[1:4] == [["REF", "IA", "SP22018"], ["REF", "DP", "HAL"], ["DTM", "068", "20260821"]]
    asn = po_segments(segments(ws, "spencers", "856"), "SH-SHP-01", "BSN")
    assert ["CTT", "16", "1500"] in asn and ["TD1", "CTN25", "7", "", "", "", "G", "3940", "LB"] in asn
    inv = po_segments(segments(ws, "spencers", "810"), "SH26081901", "BIG")
    assert ["TDS", "3570000"] in inv  # 1200 x 14.25 + 300 x 62.00
    inv = po_segments(segments(ws, "spencers", "810"), "SG77120", "BIG")
    assert ["TDS", "112320"] in inv  # 144 x 7.80


def test_lids_styles_back_beside_the_upc(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "lids", "856"), "LD-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [
        ["1", "UP", "614141700066", "VA", "5950-NYY-718", "IT", "NYY59-718"],
        ["2", "UP", "614141700073", "VA", "SNAP-BLK", "IT", "SNPBLK-OS"]]
    store = po_segments(segments(ws, "lids", "856"), "LD-SHP-02", "BSN")
    assert ["N1", "ST", "LIDS MALL OF AMERICA", "92", "1123"] in store
    assert ["LIN", "1", "UP", "614141700066", "ST", "NYY59-718", "VA", "5950-NYY-718"] in store
    inv = po_segments(segments(ws, "lids", "810"), "LD4410039", "BIG")
    assert ["IT1", "1", "12", "EA", "19.5", "PE", "UP", "614141700066", "ST", "NYY59-718", "VA", "5950-NYY-718"] in inv


def test_books_by_isbn_and_the_net_price_in_ctp(night):
    ws, _found, _states = night
    ack = po_segments(segments(ws, "bam", "855"), "BAM5561200", "BAK")
    assert [s[1:5] for s in ack if s[0] == "PO1"] == [["1", "40", "EA", "15.12"], ["2", "60", "EA", "8.64"]]
    asn = po_segments(segments(ws, "bam", "856"), "BM-SHP-01", "BSN")
    assert ["N1", "ST", "BOOKS-A-MILLION DC FLORENCE", "15", "6012453"] in asn
    assert [s[1:] for s in asn if s[0] == "LIN"] == [["1", "EN", "9780306406157", "IB", "0306406152"],
                                                    ["2", "EN", "9781861972712", "IB", "1861972717"]]
    inv = po_segments(segments(ws, "bam", "810"), "BAM5561200", "BIG")
    assert ["TDS", "112320"] in inv  # 40 x 15.12 + 60 x 8.64


def test_hot_topic_pack_by_store_and_its_allowance_off_invoice(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "hottopic", "856"), "HT-SHP-01", "BSN")
    assert [s[4] for s in asn if s[:2] == ["N1", "BY"]] == ["0101", "0245"]
    assert [s[2:4] for s in asn if s[0] == "SN1"] == [["2", "AS"], ["12", "EA"]] * 2
    # each store's prepack with its sizes (prepacks "components"): the units of each in one pack, as the PO's SLNs
    sizes = [["SLN", f"1-{k}", "", "I", n, "EA", "", "", "", "UP", upc, "IZ", size] for k, n, upc, size in (
        (1, "1", "614141700097", "S"), (2, "2", "614141700103", "M"), (3, "2", "614141700110", "L"),
        (4, "1", "614141700127", "XL"))]
    assert [s for s in asn if s[0] == "SLN"] == sizes * 2
    inv = po_segments(segments(ws, "hottopic", "810"), "HT2608190", "BIG")
    # 4 x 36.00 + 24 x 4.25 = 246.00, less 2 % defective allowance (4.92)
    assert ["TDS", "24108"] in inv
    assert ["SAC", "A", "C310", "", "", "492", "1", "2", "", "", "", "", "02", "", "", "DEFECTIVE ALLOWANCE"] in inv


def test_urbn_short_sku_style_colour_and_size(night):
    ws, _found, _states = night
    asn = po_segments(segments(ws, "urbn", "856"), "UO-SHP-01", "BSN")
    assert [s[1:] for s in asn if s[0] == "LIN"] == [
        ["1", "IN", "7730411", "VA", "FP-DRESS-IVY", "BO", "IVORY", "IZ", "S"],
        ["2", "IN", "7730412", "VA", "FP-DRESS-IVY", "BO", "IVORY", "IZ", "M"]]
    inv = po_segments(segments(ws, "urbn", "810"), "0002260819", "BIG")
    assert ["TDS", "228000"] in inv  # 60 x 38.00


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # Bealls' shipment billed by store: 20 810s for it (one per store), one for each other shipment
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=8, answers=8, invoices=7 + 20)
