"""Apparel and footwear specialty chains, as their public EDI material describes them: tests/fixtures/rg43/ holds
each one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what shipped
(the rg2 DC). DSW Designer Shoe Warehouse (004010 DC order: CUR, REF DP, PER BD, FOB CC, CSH N, net 60, DTM 037
start ship and 001 cancel if not shipped, TD5 by SCAC, its DC N1*ST 92 and N1*BY; PO1 in pairs, PR, by UP/VN with
the buyer's colour and size BO/IZ, CTP RES, PID F 08 and the carton pack PO4); Shoe Carnival (from its UCC
communications id, ISA qualifier 08; REF DP, FOB PP, net 30, its ship range DTM 037/038, its Evansville DC; each
line spread over twelve stores by SDQ, the first line's twelve stores in two SDQ segments; its 856 an order loop per
store, N1*BY 92); Shoe Sensation (005010 from an SPS-written guide: REF DP and IA, PER BD, DTM 002, TD5, its DC with
N3/N4; a women's size-run prepack in assortments, PO103 AS, with PO4 and its sizes as SLN I sublines, IZ, beside a
line in pairs); Gordmans (Stage Stores' SRI buying office, VICS 004010: 2 % 30 net 60 as ITD 08, a DTM 037/038
window, an N9*L1 MSG saying the order holds pre-packs, a pre-pack by its pack UPC in packs, PO103 PK, with its
breakdown as SLN I sublines by UP, BO and IZ, the pack UPC on the 856 and 810, and a bulk line with BO/IZ);
Charming Shoppes / Lane Bryant (its CSI spec, 004030VICS: REF DP and IA, FOB CC, 8 % 10 EOM net 30 as ITD01 02,
DTM 037/038/001, its DC with N3/N4 and N1*BY; PO1 by UP/VN/BO/IZ with PID F 73/74 colour and size, CTP RES).
(Gap, American Eagle, Carter's, The Children's Place, Express, Abercrombie, Lululemon, Gabe's and Dunham's publish no
850 guide the search corpora hold; the five above do.) One night takes them all: inspect, the 997s and 855s, then
the 856s and 810s, checked by our validator, Bots and pyx12. Variants probed and answered as the guides describe
(no defect): Shoe Carnival's SDQ without its qualifier (SDQ02 empty), Charming's EOM terms dated (ITD04/ITD06) or
10 days after EOM (ITD01 12: told), BEG02 NE/RE/KN, price bases PO105 TE/NT/WH/PE/CT/UM/QT, PKG and TD4, PO3 and
TC2 in a PO1 loop, N9/MTX notes in 005010 and 004030, a ship window as DTM05/06 D8 or RD8, a store-level 005010
prepack split over stores, an 860 cutting a pair line. Three defects fixed: a store split in pairs (SDQ*PR) of a line
ordered in cases (its 856 store loops, its store check); an 860's pre-pack breakdown (SLN I in a POC loop: a changed
pack's, a restated pack's, an added pack line's), which was ignored; an 850 cancelling (BEG01 01) a PO we never
received, which was taken as a new order and shipped."""

from __future__ import annotations

import re
import shutil
from datetime import datetime
from decimal import Decimal

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

FIXTURES = REPO / "tests" / "fixtures" / "rg43"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)

POS = {"dsw": {"D4471208": 2}, "shoecarnival": {"SC2611240": 2}, "shoesensation": {"SS0882041": 2},
       "gordmans": {"G5512034": 2}, "charming": {"LB7720114": 2}}
# inspect knows no profile: Gordmans's note that the order holds pre-packs, Shoe Carnival's stores
NOTED = {"NOTES_NOT_KEPT", "SDQ_NOT_APPLIED"}
NIGHT_NOTED = {"NOTES_NOT_KEPT", "ASN_LATE"}  # the note is on no document of ours; confirmations after the trucks left
STORES = [f"0{n}" for n in range(101, 113)]


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.*")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg43") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY,
                         messages=True)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    ws, found, states = night
    night_all_invoiced((ws, [f[:3] for f in found], states), POS, NIGHT_NOTED)


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    # Charming Shoppes' 004030VICS groups, read by Bots as 004030
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=5, answers=5,
                      as_read=lambda b: b.replace(b"*X*004030VICS~", b"*X*004030~"))


def test_each_buyer_answered_in_its_own_shapes(night):
    ws, _found, _states = night
    # Shoe Carnival's UCC communications id (ISA qualifier 08) answered as sent; an order loop per store, its twelve
    # stores of two SDQ segments each with its own pairs, the second line's two stores with theirs
    assert segments(ws, "shoecarnival", "997")[0][7:9] == ["08", "6112340000     "]
    asn = po_segments(segments(ws, "shoecarnival", "856"), "SC-SHP-01", "BSN")
    assert [s[4] for s in asn if s[:2] == ["N1", "BY"]] == STORES
    ordered = [s[1:] for s in asn if s[0] == "SN1"]
    assert ordered.count(["", "2", "PR", "", "2", "PR"]) == 12 and ordered.count(["", "6", "PR", "", "6", "PR"]) == 2
    inv = po_segments(segments(ws, "shoecarnival", "810"), "SC2611240", "BIG")
    assert ["TDS", "116400"] in inv and ["ITD", "01", "3", "", "", "", "", "30"] in inv  # 24 x 28 + 12 x 41
    # DSW's pairs with its colour and size (BO/IZ) echoed; its start-ship day the date the 855 promises
    ack = po_segments(segments(ws, "dsw", "855"), "D4471208", "BAK")
    assert ["DTM", "068", "20261130"] in ack
    assert [s[1:] for s in ack if s[0] == "PO1"][0] == ["1", "24", "PR", "32.5", "", "UP", "614143100017", "VN",
                                                       "RG43-01", "BO", "BLACK", "IZ", "085M"]
    inv = po_segments(segments(ws, "dsw", "810"), "D4471208", "BIG")
    assert ["CUR", "SE", "USD"] in inv and ["TDS", "164400"] in inv  # 24 x 32.50 + 36 x 24
    # Shoe Sensation's size run: the assortments as ordered, each pack's pairs by size under it (005010)
    asn = po_segments(segments(ws, "shoesensation", "856"), "SS-SHP-01", "BSN")
    assert [s[1:6] for s in asn if s[0] == "SLN"] == [["1-1", "", "I", "1", "PR"], ["1-2", "", "I", "2", "PR"],
                                                      ["1-3", "", "I", "4", "PR"], ["1-4", "", "I", "3", "PR"],
                                                      ["1-5", "", "I", "2", "PR"]]
    assert ["SN1", "", "10", "AS", "", "10", "AS"] in asn
    inv = po_segments(segments(ws, "shoesensation", "810"), "SS0882041", "BIG")
    assert ["TDS", "193200"] in inv  # 10 x 150 + 24 x 18
    # Gordmans: the pack UPC on the 856 and the 810 (its guide asks both), the breakdown under the pack, its terms
    asn = po_segments(segments(ws, "gordmans", "856"), "GM-SHP-01", "BSN")
    assert ["LIN", "1", "UP", "614143100123", "VN", "RG43-11PP"] in asn and ["SN1", "", "6", "PK", "", "6", "PK"] in asn
    assert [s[4] for s in asn if s[0] == "SLN"] == ["2", "4", "4", "2"]
    inv = po_segments(segments(ws, "gordmans", "810"), "G5512034", "BIG")
    assert [s[1:8] for s in inv if s[0] == "IT1"][0] == ["1", "6", "PK", "60", "", "UP", "614143100123"]
    assert ["ITD", "08", "3", "2", "", "30", "", "60"] in inv and ["TDS", "81600"] in inv
    # Charming Shoppes: 004030VICS groups, its EOM terms (ITD01 02) as agreed, its DC's address
    assert segments(ws, "charming", "810")[1][8] == "004030VICS"
    inv = po_segments(segments(ws, "charming", "810"), "LB7720114", "BIG")
    assert ["ITD", "02", "3", "8", "", "10", "", "30"] in inv and ["TDS", "102000"] in inv


def _variant(partner: str, swaps: tuple[tuple[bytes, bytes], ...], tmp_path,
             shipped: tuple[tuple[str, str], ...] = ()):
    """The night of ``partner``'s PO alone, its bytes swapped (SE01 counted again), with its rows of the shipments
    file (each of ``shipped`` swapped): (ws, findings with messages, states)."""
    fixtures = tmp_path / "rg43"
    shutil.copytree(FIXTURES, fixtures)
    po = next((fixtures / "drops" / partner).iterdir())
    data = po.read_bytes()
    for old, new in swaps:
        assert old in data, old
        data = data.replace(old, new)
    count = data.count(b"~", data.index(b"ST*850"), data.index(b"\nSE*")) + 1
    po.write_bytes(re.sub(rb"SE\*\d+\*", b"SE*%d*" % count, data))
    path = fixtures / "shipments" / "east-shipments-20261201.csv"
    text = path.read_text(encoding="utf-8")
    for old, new in shipped:
        assert old in text, old
        text = text.replace(old, new)
    ours = next(iter(POS[partner]))
    path.write_text("".join(r for r in text.splitlines(keepends=True)
                            if r.startswith("Shipment ID") or f",{ours}," in r), encoding="utf-8")
    return shipped_night(of_its_own(fixtures, tmp_path / "ws", {partner: [po.name]}, warehouses=WAREHOUSES),
                         fixtures, NIGHT, SHIP_DAY, messages=True)


# Shoe Carnival's hiking boot ordered in cases of six pairs, its two stores' quantities in pairs (SDQ01 PR)
IN_CASES = ((b"PO1*2*12*PR*41", b"PO1*2*2*CA*246"), (b"CTT*2*36", b"CTT*2*26"),
            (b"WOMENS HIKING BOOT~", b"WOMENS HIKING BOOT~\nPO4*6*1*PR~"))


def test_a_store_split_in_pairs_of_a_line_in_cases_is_shipped_per_store_in_cases(tmp_path, maps):  # noqa: F811
    """SDQ01 need not be the line's unit: Shoe Carnival's PO1*2*2*CA of boots in cases of six pairs with
    SDQ*PR*92*0101*6*0112*6, each store six pairs, one case. The 856's store loops said each store ordered the whole
    line (SN105 2 CA), the store quantity being read only in the line's unit or in eaches (EA): a pair of shoes,
    the item's own selling unit, counts its each too. Now each store's order loop says 1 CA."""
    ws, found, states = _variant("shoecarnival", IN_CASES, tmp_path, (
        ("RG43-04,6,PR,SC-C101", "RG43-04,1,CA,SC-C101"), ("RG43-04,6,PR,SC-C112", "RG43-04,1,CA,SC-C112")))
    assert states == {("shoecarnival", "SC2611240"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    asn = po_segments(segments(ws, "shoecarnival", "856"), "SC-SHP-01", "BSN")
    boots = [asn[k + 1][1:] for k, s in enumerate(asn) if s[:2] == ["LIN", "2"]]
    assert boots == [["", "1", "CA", "", "1", "CA"], ["", "1", "CA", "", "1", "CA"]]
    all_sent_accepted(ws, ["shoecarnival"], tmp_path, maps, shipments=1, answers=1)


def test_a_store_given_more_cases_than_its_pairs_is_held(tmp_path):
    """The same line's whole two cases marked for store 0101, whose SDQ asks six pairs (one case), store 0112 none:
    SHIPMENT_STORE_OVER was compared only for an SDQ in the line's unit, so the shipment went out and the 856 sent
    store 0101 twelve pairs it never ordered (a misrouted case, a chargeback). Now the SDQ's pairs are counted in
    the line's cases (through eaches: ShipmentUnits) and the shipment is held, the message naming both units."""
    ws, found, states = _variant("shoecarnival", IN_CASES, tmp_path, (
        ("RG43-04,6,PR,SC-C101", "RG43-04,2,CA,SC-C101"),
        ("SC-SHP-01,2026-12-01,06:30,UPGF,,,BOL-SC,SC2611240,2,RG43-04,6,PR,SC-C112,6,LB,,0112\n", "")))
    over = [f[3] for f in found if f[0] == "SHIPMENT_STORE_OVER"]
    assert over == ["Store 0101 gets 2 CA of PO SC2611240 line 2 in this confirmation; its SDQ quantity is 1 "
                    "(6 PR)."]
    assert states == {("shoecarnival", "SC2611240"): "acknowledged"}
    assert not list((ws.drop_root / "shoecarnival" / "outbox").glob("*-856-*"))


def test_an_sdq_in_a_unit_not_known_in_the_lines_is_still_not_compared():
    """rules.shipments._sdq_in_line_unit: as sent in the line's unit; eaches of a line in cases counted in cases; a
    unit the item master does not count (pairs of an item it does not list) left uncompared, as before."""
    from rules.shipment_units import ShipmentUnits
    from rules.shipments import _sdq_in_line_unit
    from schemas.reference import ITEMS
    from schemas.rule_settings import RuleSettings

    items = ITEMS.empty_table()
    units = ShipmentUnits(items, None, RuleSettings())
    assert _sdq_in_line_unit(None, "PR", "CA", "X", 6, units) is None
    assert _sdq_in_line_unit(Decimal(6), "CA", "CA", "X", 6, units) == 6
    assert _sdq_in_line_unit(Decimal(6), "PR", "CA", "X", 6, units) is None  # PR unknown
    assert _sdq_in_line_unit(Decimal(12), "EA", "CA", "X", 6, units) == 2


def _changed_night(tmp_path, change: bytes, more: str = ""):
    """Gordmans's 850 taken on the first night, ``change`` (an 860) on the second, the DC's confirmation of four
    packs shipped after (and the rows ``more``): (ws, findings with messages, states)."""
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"gordmans": ["gordmans-850-G5512034.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    (ws.drop_root / "gordmans" / "inbox" / "gordmans-860-G5512034.x12").write_bytes(change)
    run_stages(ws, datetime(2026, 11, 27, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shipped = (FIXTURES / "changes" / "east-shipments-20261201.csv").read_text(encoding="utf-8")
    if b"*QD*4*6*" not in change:  # the packs left as ordered
        shipped = shipped.replace("RG43-11PP,4,PK", "RG43-11PP,6,PK")
    (inbox / "east-shipments-20261201.csv").write_text(shipped + more, encoding="utf-8")
    ship_stages(ws, SHIP_DAY, run_id="day1")
    deliver_all(ws, SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["severity"], f["po_number"], f["message"]) for f in state.findings()]
        states = {o.key: o.state.value for o in state.orders()}
    finally:
        state.close()
    return ws, found, states


CHANGE = (FIXTURES / "changes" / "gordmans-860-G5512034.x12").read_bytes()
NEW_CONTENTS = [["1-1", "", "I", "1", "EA"], ["1-2", "", "I", "5", "EA"], ["1-3", "", "I", "4", "EA"],
                ["1-4", "", "I", "2", "EA"]]


def test_an_860_that_cuts_packs_and_gives_their_new_breakdown_ships_the_new_contents(tmp_path, maps):  # noqa: F811
    """Gordmans's buying office sends a pre-pack's breakdown in SLN I sublines, and an 860 can change it (VICS 860:
    the POC loop's SLN, as the 850's PO1 loop's): POC*1*QD*4*6*PK cuts the packs from six to four, its SLNs make each
    pack S 1, M 5, L 4, XL 2 (was 2/4/4/2). The 860's SLNs were not read: the cut was applied, but the 856 listed
    every pack with the 850's sizes, an ASN the buyer's receiving would not match. Now the POC loop's components
    replace the line's: the 856 lists the new contents under the four packs, the 810 bills the four."""
    ws, found, states = _changed_night(tmp_path, CHANGE)
    assert states == {("gordmans", "G5512034"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    asn = po_segments(segments(ws, "gordmans", "856"), "GM-SHP-01", "BSN")
    assert ["SN1", "", "4", "PK", "", "4", "PK"] in asn
    assert [s[1:6] for s in asn if s[0] == "SLN"] == NEW_CONTENTS
    inv = po_segments(segments(ws, "gordmans", "810"), "G5512034", "BIG")
    assert [s[1:4] for s in inv if s[0] == "IT1"] == [["1", "4", "PK"], ["2", "48", "EA"]] and ["TDS", "69600"] in inv
    all_sent_accepted(ws, ["gordmans"], tmp_path, maps, shipments=1, answers=1)


def test_an_860_restating_a_pack_with_new_contents_alone_keeps_them(tmp_path):
    """The same breakdown restated with the packs' quantity unchanged (POC*1*RZ*6, replace all values): nothing to
    decide again, and the new contents used to be dropped (the line's quantity, price and product unchanged: no
    change seen). Now they are kept as a store split moved alone is, and the 856 lists them."""
    change = CHANGE.replace(b"POC*1*QD*4*6*PK", b"POC*1*RZ*6**PK").replace(b"CTT*1*4", b"CTT*1*6")
    ws, found, states = _changed_night(tmp_path, change)
    assert states == {("gordmans", "G5512034"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    asn = po_segments(segments(ws, "gordmans", "856"), "GM-SHP-01", "BSN")
    assert ["SN1", "", "6", "PK", "", "6", "PK"] in asn
    assert [s[1:6] for s in asn if s[0] == "SLN"] == NEW_CONTENTS
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        notes = [e["note"] for e in state.order_history("gordmans", "G5512034") if e["event"] == "change_answered"]
    finally:
        state.close()
    assert notes == ["pack contents changed by 860 in gordmans-860-G5512034.x12: line 1 SLN pack contents "
                     "1-1 1 EA, 1-2 5 EA, 1-3 4 EA, 1-4 2 EA"]


def test_the_860_reader_keeps_a_poc_loops_prepack_components():
    from parsers.orders_860 import read_changes
    from parsers.x12_reader import read_interchanges

    result = read_interchanges(CHANGE, file="gordmans-860-G5512034.x12")
    changes = read_changes(result, list(result.transaction_sets()), partner="gordmans")[1]
    (components,) = changes["prepack_components"].to_pylist()
    assert [(c["subline"], c["quantity"], c["unit"], c["product_ids"][0]["id"]) for c in components] == [
        ("1-1", 1, "EA", "614143100130"), ("1-2", 5, "EA", "614143100147"), ("1-3", 4, "EA", "614143100154"),
        ("1-4", 2, "EA", "614143100161")]


def test_an_860_adding_a_pack_line_keeps_its_breakdown(tmp_path):
    """An added line (POC*3*AI) of two more packs of another breakdown (three of each size): the new line's 856 item
    lists its own sublines (it used to list the pack alone: the POC loop's SLNs were not read)."""
    change = CHANGE.replace(b"POC*1*QD*4*6*PK", b"POC*3*AI*2**PK").replace(b"SLN*1-", b"SLN*3-").replace(
        b"I*1*EA", b"I*3*EA").replace(b"I*5*EA", b"I*3*EA").replace(b"I*4*EA", b"I*3*EA").replace(
        b"I*2*EA", b"I*3*EA").replace(b"CTT*1*4", b"CTT*1*2")
    ws, found, states = _changed_night(tmp_path, change, "GM-SHP-01,2026-12-01,06:30,RDWY,,,BOL-GM,G5512034,3,"
                                                         "RG43-11PP,2,PK,GM-C3,10,LB,GM-P1,\n")
    assert states == {("gordmans", "G5512034"): "invoiced"}
    assert {f[0] for f in found} <= NIGHT_NOTED
    asn = po_segments(segments(ws, "gordmans", "856"), "GM-SHP-01", "BSN")
    assert [s[1:6] for s in asn if s[0] == "SLN"][4:] == [[f"3-{k}", "", "I", "3", "EA"] for k in range(1, 5)]


def test_a_cancellation_of_a_po_we_never_received_is_not_taken_as_an_order(tmp_path):
    """An 850 with BEG01 01 (cancellation) for a PO we hold no order of (its original never reached us: DSW cancels
    D4471208 on the night it is the first we hear of it). It was taken as a new order, allocated, acknowledged
    (855 AD), shipped and invoiced: the goods the buyer had just cancelled. Now nothing is created: its 997
    accepts the set, no 855 is sent, and an error names the PO for ops (the confirmation naming it is then a PO we
    do not hold, SHIPMENT_PO_UNKNOWN)."""
    ws, found, states = _variant("dsw", ((b"BEG*00*SA", b"BEG*01*SA"),), tmp_path)
    assert states == {}
    assert [f[:3] for f in found if f[0] != "SHIPMENT_PO_UNKNOWN"] == [("CHANGE_ORDER_UNKNOWN", "error", "D4471208")]
    assert "cancels the order (BEG01 01), but we hold no order of that number" in found[0][3]
    acks = segments(ws, "dsw", "997")
    assert [s[1] for s in acks if s[0] == "AK5"] == ["A"]
    assert [p.name.split("-")[1] for p in (ws.drop_root / "dsw" / "outbox").glob("*.x12")] == ["997"]


def test_an_order_and_its_cancellation_in_one_file_is_cancelled(tmp_path):
    """The original (BEG01 00) and its cancellation (BEG01 01) in one interchange: the second cancels the order the
    first created, as before (the file's POs are no longer all new, so each is planned in turn)."""
    from connectors.state import StateStore
    from tests.support import run_stages

    data = (FIXTURES / "drops" / "dsw" / "dsw-850-D4471208.x12").read_bytes()
    head, rest = data.split(b"ST*850*0001~", 1)
    body, tail = rest.split(b"GE*1*", 1)
    second = re.sub(rb"SE\*(\d+)\*0001", rb"SE*\1*0002", b"ST*850*0002~" + body.replace(b"BEG*00*SA", b"BEG*01*SA"))
    both = head + b"ST*850*0001~" + body + second + b"GE*2*" + tail
    ws = of_its_own(FIXTURES, tmp_path / "ws", {}, warehouses=WAREHOUSES)
    (ws.drop_root / "dsw" / "inbox" / "dsw-850-D4471208.x12").write_bytes(both)
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        states = {o.key: o.state.value for o in state.orders()}
        codes = {f["code"] for f in state.findings()}
    finally:
        state.close()
    assert states == {("dsw", "D4471208"): "cancelled"} and "CHANGE_ORDER_UNKNOWN" not in codes
