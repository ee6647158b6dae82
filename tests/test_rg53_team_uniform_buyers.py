"""Sporting goods buying groups, team dealers and uniform buyers by X12 850 (tests/fixtures/rg53/ holds each one's
profile, reference rows, stock, 850s and the east DC's confirmation of what shipped; the rg2 DC). Nation's Best
Sports, a buying group of independent sporting goods stores (004010, ISA 12: a member's booking order billed to the
group, N1 BT, for the member, N1 BY, its member number REF IT, shipped to the member's store; the group's vendor
number REF VR; booking dating, ITD with a net due date, ITD06, and a ship window, DTM 037 / 038; items by UPC with
the style, colour and size, VA CL SZ, and colour and size in words, PID 75 / 91); Sports Inc, a buying group of team
dealers (a dealer's order for a school team drop-shipped to the school, the coach as the ship-to's PER IC;
decoration told as N9 L1 and MSG, its charge as a line SAC ZZZZ with words); Cintas, uniform rental and workwear
(ISA 01 DUNS; a garment by style, colour and size per line; a bundle of 10, PK with PO4 10; dating with a due date,
a ship date DTM 010 and cancel DTM 001). One night takes them all: inspect, the 997s and 855s, then the 856s and
810s, checked by our validator, Bots and pyx12."""

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
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg53"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"nbs": {"NB5301120": 2}, "sportsinc": {"SI5302120": 2}, "cintas": {"CT5303120": 4}}
NOTED = {"NOTES_NOT_KEPT", "SAC_NOT_APPLIED"}
NIGHT_NOTED = {"ASN_LATE", "TERMS_MISMATCH", *NOTED}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg53") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=3, answers=3)


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, found, _states = night
    # Nation's Best Sports: shipped to the member's store, the member (N1 BY) and its member number (REF IT) on the
    # order loop and the invoice, the invoice billed to the group; the booking order acknowledged for the first day
    # of its ship window (DTM 037) and billed on its own dating (terms = "po": net 60, due 2027-02-01)
    ack = po_segments(segments(ws, "nbs", "855"), "NB5301120", "BAK")
    assert ["DTM", "068", "20261130"] in ack
    asn = po_segments(segments(ws, "nbs", "856"), "NB-SHP-01", "BSN")
    assert ["N1", "ST", "LIPSEYS OUTDOOR SPORTS", "92", "M0277-01"] in asn and ["REF", "IT", "M0277"] in asn
    assert ["LIN", "1", "UP", "614141553013", "VA", "GLV11", "CL", "BLK", "SZ", "11"] in asn
    inv = po_segments(segments(ws, "nbs", "810"), "NB5301120", "BIG")
    assert ["N1", "BT", "NATIONS BEST SPORTS", "92", "NBS"] in inv and ["REF", "IT", "M0277"] in inv
    assert ["N1", "BY", "LIPSEYS OUTDOOR SPORTS", "92", "M0277"] in inv
    assert [s for s in inv if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "20270201", "60"]]
    # Sports Inc: drop-shipped to the school with the coach to call (PER IC after the ship-to's N4), the dealer's
    # member number carried back; the decoration and its charges told to ops (no document of ours carries them)
    asn = po_segments(segments(ws, "sportsinc", "856"), "SI-SHP-01", "BSN")
    at = asn.index(["N1", "ST", "CENTRAL HIGH SCHOOL ATHLETICS", "92", "D1184-S07"])
    assert asn[at + 3] == ["PER", "IC", "COACH R MILLER", "TE", "4065550142"] and ["REF", "IT", "D1184"] in asn
    inv = po_segments(segments(ws, "sportsinc", "810"), "SI5302120", "BIG")
    assert ["REF", "IT", "D1184"] in inv
    [note] = [f[3] for f in found if f[0] == "NOTES_NOT_KEPT" and f[2] == "SI5302120"]
    assert "'EMBROIDER LEFT CHEST EAGLES IN GOLD'" in note
    # the decoration charges (SAC12 06, paid by the customer) billed after their lines (po_allowances 06)
    assert [s for s in inv if s[0] == "SAC"] == [
        ["SAC", "C", "ZZZZ", "", "", amount, *[""] * 6, "06", "", "", "EMBROIDERY"] for amount in ("3600", "3000")]
    assert ["TDS", "47850"] in inv  # 22 x 18.75 + 36.00 + 30.00
    # both on our 810s: nothing left to agree, no SAC_NOT_APPLIED (it was raised naming them "on our 810s")
    assert not [f for f in found if f[0] == "SAC_NOT_APPLIED"]
    # Cintas: each size its own line; the bundles of 10 shipped and billed as packs at the PO's price per pack;
    # its dated terms against the agreed net 45 told to ops (the 810 states the agreement)
    inv = po_segments(segments(ws, "cintas", "810"), "CT5303120", "BIG")
    assert ["IT1", "4", "12", "PK", "142", "", "BP", "CT-WP-NVY-3432", "CL", "NVY", "SZ", "3432"] in inv
    assert ["TDS", "304800"] in inv and [s for s in inv if s[0] == "ITD"] == [["ITD", "01", "3", "", "", "", "", "45"]]
    assert ["SN1", "", "12", "PK", "", "12", "PK"] in segments(ws, "cintas", "856")
    dated = {f[2]: f[3] for f in found if f[0] == "TERMS_MISMATCH"}
    assert set(dated) == {"NB5301120", "CT5303120"}
    assert "ITD net due date 20270108 differs from the agreed 45 days from the invoice date" in dated["CT5303120"]


def test_a_po_dating_terms_the_agreement_counts_in_days_is_told():
    """A buying group's booking order states the agreed kind and days and dates them: ITD*01*3****20270201*60, net 60
    due 2027-02-01 (Nation's Best Sports; Cintas's ITD*01*3****20270108*45). Against an agreement of net 60 from the
    invoice date nothing was told: type and days agreed, the date was never compared, and the 810 (terms "agreed")
    said net 60 from a 1 December invoice, due 30 January, before the date the buyer's PO promised. Now the date is a
    TERMS_MISMATCH; an agreement of no days (03 fixed date, Murdoch's dating: the 810 states the PO's date) and a PO
    that differs otherwise (told by that) add nothing."""
    from tests.test_terms_same_kind import told

    assert told(b"ITD*01*3****20270201*30~", discount=b",") == [("TERMS_MISMATCH", (
        'ITD net due date 20270201 differs from the agreed 30 days from the invoice date (an 810 states the agreed '
        'terms unless the profile\'s [fulfilment.invoice] terms is "po").'))]
    assert [m.split(" (")[0] for _c, m in told(b"ITD*01*3*2*20261210**20270201*30~")] == [
        "ITD discount due date 20261210 differs from the agreed 10 days from the invoice date",
        "ITD net due date 20270201 differs from the agreed 30 days from the invoice date"]
    assert told(b"ITD*01*3*****30~", discount=b",") == []
    assert told(b"ITD*05*3****20270115~", discount=b",") == [
        ("TERMS_MISMATCH", "ITD terms type 05 differs from the agreed 01.")]


SIZE_RUN = (b"PO1*1*40*EA*11.2**UP*614141553051*VA*WS-GRY*CL*GRY*SZ*M~\nPID*F*08***WORK SHIRT SHORT SLEEVE~\n"
            b"PO1*2*60*EA*11.2**UP*614141553068*VA*WS-GRY*CL*GRY*SZ*L~\nPID*F*08***WORK SHIRT SHORT SLEEVE~\n"
            b"PO1*3*20*EA*11.2**UP*614141553075*VA*WS-GRY*CL*GRY*SZ*XL~\nPID*F*08***WORK SHIRT SHORT SLEEVE~\n")
AS_A_STYLE = (b"PO1*1*120*EA*11.2**VA*WS-GRY*CL*GRY~\nPID*F*08***WORK SHIRT SHORT SLEEVE~\n"
              b"SLN*1-1**I*40*EA*11.2***UP*614141553051*SZ*M~\nSLN*1-2**I*60*EA*11.2***UP*614141553068*SZ*L~\n"
              b"SLN*1-3**I*20*EA*11.2***UP*614141553075*SZ*XL~\n")


SIZES = (("1-1", "40", "614141553051", "M"), ("1-2", "60", "614141553068", "L"), ("1-3", "20", "614141553075", "XL"))


def test_a_size_run_of_one_style_is_taken_size_by_size(tmp_path):
    """A size run ordered as one style line (PO1*1*120*EA*11.2**VA*WS-GRY*CL*GRY: no item of ours is the style) with
    each size in an SLN I subline of its own UPC and quantity (40 + 60 + 20 = PO102) used to be read as one prepack
    item: ITEM_UNKNOWN held the order and its shipment (SHIPMENT_LINE_CLOSED), though each size is one of ours. Each
    size is now a line of its own (rules.business.size_runs): allocated, acknowledged, shipped (the warehouse confirms
    the buyer's line 1 with the size it picked) and billed at the style's price, named by its SLN01 with the size's
    ids and the style's after them; the bundle line after it keeps its PO101; each stored size keeps the style's
    PO101."""
    ws, found, states = variant_night(
        FIXTURES, "cintas", "CT5303120", tmp_path, [(SIZE_RUN, AS_A_STYLE), (b"CTT*4*", b"CTT*2*")],
        warehouses=WAREHOUSES, night=NIGHT, ship_day=SHIP_DAY,
        shipped_swaps=[("CT5303120,2,", "CT5303120,1,"), ("CT5303120,3,", "CT5303120,1,")])
    assert not [f for f in found if f[1] == "error"], found
    assert {f[0] for f in found} == {"TERMS_MISMATCH", "ASN_LATE"}, found
    assert states == {("cintas", "CT5303120"): "invoiced"}
    style = ["VA", "WS-GRY", "CL", "GRY"]
    ack = po_segments(segments(ws, "cintas", "855"), "CT5303120", "BAK")
    assert [s[:4] for s in ack if s[0] in ("PO1", "ACK")] == [
        *[x for sub, qty, _upc, _size in SIZES for x in (["PO1", sub, qty, "EA"], ["ACK", "IA", qty, "EA"])],
        ["PO1", "4", "12", "PK"], ["ACK", "IA", "12", "PK"]]
    assert [s for s in ack if s[0] == "PO1"][0] == ["PO1", "1-1", "40", "EA", "11.2", "", "UP", "614141553051", "SZ",
                                                     "M", *style]
    asn = po_segments(segments(ws, "cintas", "856"), "CT-SHP-01", "BSN")
    assert [s for s in asn if s[0] in ("LIN", "SN1")] == [
        *[x for sub, qty, upc, size in SIZES for x in (["LIN", sub, "UP", upc, "SZ", size, *style],
                                                         ["SN1", "", qty, "EA", "", qty, "EA"])],
        ["LIN", "4", "BP", "CT-WP-NVY-3432", "CL", "NVY", "SZ", "3432"], ["SN1", "", "12", "PK", "", "12", "PK"]]
    inv = po_segments(segments(ws, "cintas", "810"), "CT5303120", "BIG")
    assert [s for s in inv if s[0] == "IT1"] == [
        *[["IT1", sub, qty, "EA", "11.2", "", "UP", upc, "SZ", size, *style] for sub, qty, upc, size in SIZES],
        ["IT1", "4", "12", "PK", "142", "", "BP", "CT-WP-NVY-3432", "CL", "NVY", "SZ", "3432"]]
    assert ["TDS", "304800"] in inv and ["CTT", "4"] in inv  # 120 x 11.20 + 12 x 142.00, as the PO by sizes
    import pyarrow.parquet as pq
    [stored] = (ws.orders_dir / "cintas").glob("*.lines.parquet")
    lines = pq.read_table(stored).to_pylist()
    assert [(r["line_number"], r["line_id"], r["style_line_id"], r["upc"], str(r["quantity"]), r["segment_position"])
            for r in sorted(lines, key=lambda r: r["line_number"])] == [
        (1, "1-1", "1", "614141553051", "40.0000", 10), (2, "1-2", "1", "614141553068", "60.0000", 10),
        (3, "1-3", "1", "614141553075", "20.0000", 10), (4, "4", None, None, "12.0000", 15)]  # lineage: the PO1s
