"""Footwear and farm & ranch retailers, as their guides and programmes describe them: tests/fixtures/rg25/ holds each
one's profile, reference rows, stock, 850s written in its shapes and the east DC's confirmation of what shipped.
Foot Locker (shoes ordered in pairs, PR, by size and width: PO1 UP with the style VN, the NRF size SZ and colour CL,
PID 75/91 the colour and size; REF DP and IA); Famous Footwear / Caleres (pre-distributed orders to its DC, each line
split over stores by SDQ in pairs, a kids' size-run prepack, AS with PO4 and SLN sizes; REF DP and its promotion
PD); Zappos (a stock PO to its fulfillment center with a ship window, DTM 037/038, and a consumer drop ship, BEG02
DS, REF CO, TD512 2D, in one interchange; parcels tracked per package); Rural King (ISA qualifier 12, feed and
bedding by the 50 lb bag with PO4 weight and volume, T-posts by the bundle, a TD1 in the heading, spring dating
invoiced on the PO's ITD, pallets shipped whole: S-O-T-I); Atwoods (005010, barbed wire by the roll, fly spray by the
case with TD4 HM on its line, standard carton pack S-O-I-P); Blain's Farm & Fleet (REF ZZ note, an off-invoice
allowance SAC12 02 carried on the 810, ITD 2/10 net 30). One night takes them all: inspect, the 997s and 855s, then
the 856s and 810s. A line refused for want of stock names its units in the item's own unit: a line of 12 pairs of
shoes was said to want "12 eaches"."""

from __future__ import annotations

import shutil
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

FIXTURES = REPO / "tests" / "fixtures" / "rg25"
NIGHT = datetime(2026, 12, 2, 2)
SHIP_DAY = datetime(2026, 12, 8, 15)

POS = {"footlocker": {"4400117745": 3}, "famous": {"7710045": 3}, "zappos": {"ZP5500812": 2, "ZP5500913": 1},
       "ruralking": {"RK26120177": 3}, "atwoods": {"AT881204": 3}, "blains": {"0045521": 3}}
# inspect knows no profile: Famous's SDQs (its profile is store level) and Blain's allowance (its 810 carries it);
# (Atwoods' hazardous-material marking on the aerosol's line, TD4 with TD404, is kept and written on its 856)
NOTED = {"SDQ_NOT_APPLIED", "SAC_NOT_APPLIED", "NOTES_NOT_KEPT"}
# Rural King's spring dating differs from the agreed net 30 (its 810 states the PO's, [fulfilment.invoice] terms =
# "po"); the confirmations arrive hours after the trucks left
NIGHT_NOTED = {"SAC_NOT_APPLIED", "NOTES_NOT_KEPT", "TERMS_MISMATCH", "ASN_LATE"}


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_footwear_and_farm_po_without_an_error(path):
    inspected_clean(path, NOTED, POS)


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg25") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_shipped_and_invoiced(night):
    night_all_invoiced(night, POS, NIGHT_NOTED)
    ws = night[0]
    # Rural King's ISA qualifier 12 (a telephone number) answered to it as sent; Atwoods' 005010 group in 005010
    assert segments(ws, "ruralking", "997")[0][7:9] == ["12", "2172583200     "]
    acks = segments(ws, "atwoods", "997")
    assert acks[0][11:13] == ["^", "00501"] and ["AK1", "PO", "4418", "005010"] in acks


def test_footwear_sizes_widths_and_colours_travel_with_each_pair(night):
    """A shoe is ordered by its UPC with the style (VN), the NRF size (SZ: 105 is 10.5) and colour (CL): each
    document names the pair by all of them, in pairs (PR), as the PO did."""
    ws, _found, _states = night
    ack = po_segments(segments(ws, "footlocker", "855"), "4400117745", "BAK")
    assert ack[1:3] == [["REF", "IA", "FLV20417"], ["REF", "DP", "12"]]
    assert [s for s in ack if s[0] == "PO1"][1] == ["PO1", "2", "24", "PR", "42.5", "", "UP", "614142100025", "VN",
                                                   "FW-RUN-BLK", "SZ", "105", "CL", "BLK"]
    assert [s[1:4] for s in ack if s[0] == "ACK"] == [["IA", "24", "PR"], ["IA", "24", "PR"], ["IA", "12", "PR"]]
    asn = po_segments(segments(ws, "footlocker", "856"), "FL-SHP-01", "BSN")
    assert ["LIN", "3", "UP", "614142100032", "VN", "FW-RUN-BLK", "SZ", "110", "CL", "BLK"] in asn
    # the line's description is its PID 08, not the colour (75) or the size (91) that follow it; each goes back as
    # sent (PID02 with it) where the description is written (it used to be PID*F****MENS ROAD RUNNER alone)
    assert {s[5] for s in asn if s[0] == "PID" and s[2] == "08"} == {"MENS ROAD RUNNER", "MENS ROAD RUNNER WIDE"}
    at = asn.index(["LIN", "3", "UP", "614142100032", "VN", "FW-RUN-BLK", "SZ", "110", "CL", "BLK"])
    loop = asn[at:next((k for k in range(at + 1, len(asn)) if asn[k][0] in ("HL", "CTT")), len(asn))]
    assert [s for s in loop if s[0] == "PID"] == [["PID", "F", "08", "", "", "MENS ROAD RUNNER WIDE"],
                                                   ["PID", "F", "75", "", "", "BLACK"],
                                                   ["PID", "F", "91", "", "", "11 2E"]]
    inv = po_segments(segments(ws, "footlocker", "810"), "4400117745", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "24", "PR", "42.5"], ["2", "24", "PR", "42.5"],
                                                      ["3", "12", "PR", "44"]]
    assert ["TDS", "256800"] in inv  # 48 x 42.50 + 12 x 44.00


def test_famous_store_distribution_and_size_run_prepack(night):
    """Famous's DC order splits each line over stores (SDQ in pairs, and in prepacks): its 856 has an order loop per
    store (N1 BY) holding that store's cartons, each item at the store's quantity; the size run's SLN sizes go under
    the prepack; its promotion (REF PD) is quoted back on every document."""
    ws, _found, _states = night
    asn = po_segments(segments(ws, "famous", "856"), "FF-SHP-01", "BSN")
    assert [s for s in asn if s[:2] == ["N1", "BY"]] == [["N1", "BY", "", "92", "0101"], ["N1", "BY", "", "92", "0102"]]
    assert [s[2:6] for s in asn if s[0] == "SN1"] == [["6", "PR", "", "6"], ["8", "PR", "", "8"], ["2", "AS", "", "2"],
                                                      ["6", "PR", "", "6"], ["4", "PR", "", "4"], ["2", "AS", "", "2"]]
    assert [s[1:] for s in asn if s[0] == "SLN"][:4] == [
        ["3-1", "", "I", "1", "PR", "", "", "", "UP", "614142100117", "SZ", "110"],
        ["3-2", "", "I", "2", "PR", "", "", "", "UP", "614142100124", "SZ", "120"],
        ["3-3", "", "I", "2", "PR", "", "", "", "UP", "614142100131", "SZ", "130"],
        ["3-4", "", "I", "1", "PR", "", "", "", "UP", "614142100148", "SZ", "010"]]
    assert asn.count(["REF", "PD", "SPRING27"]) == 2
    ack = po_segments(segments(ws, "famous", "855"), "7710045", "BAK")
    assert ack[1:4] == [["REF", "IA", "FFV5520"], ["REF", "DP", "230"], ["REF", "PD", "SPRING27"]]
    inv = po_segments(segments(ws, "famous", "810"), "7710045", "BIG")
    assert ["REF", "PD", "SPRING27"] in inv and ["TDS", "138000"] in inv  # 24 x 38.00 + 4 x 117.00


def test_zappos_fulfillment_center_po_and_consumer_drop_ship(night):
    ws, _found, _states = night
    # its 850s, each segment ended by a line feed (ISA106), read as any; the FC's PO is acknowledged for the start
    # of its ship window (DTM 037) in the heading only: Zappos' 855 guide acknowledges the start ship date at the
    # header level, not on the item level ([acks.po_ack] line_dates = false); every ACK used to carry 068 and the
    # date too (ACK04/ACK05)
    ack = po_segments(segments(ws, "zappos", "855"), "ZP5500812", "BAK")
    assert ack[1:3] == [["REF", "IA", "ZPV7710"], ["DTM", "068", "20261205"]]
    assert [s for s in ack if s[0] == "ACK"] == [["ACK", "IA", "6", "PR"], ["ACK", "IA", "6", "PR"]]
    # other partners' 855s keep the date on each line (line_dates defaults to true)
    ack = po_segments(segments(ws, "footlocker", "855"), "4400117745", "BAK")
    assert [s for s in ack if s[0] == "ACK"][0] == ["ACK", "IA", "24", "PR", "068", "20261208"]
    # the drop ship: the customer's order number quoted back, the consumer's address, its 2nd-day service level
    ack = po_segments(segments(ws, "zappos", "855"), "ZP5500913", "BAK")
    assert ["REF", "CO", "114-7781203-5521"] in ack and ["ACK", "IA", "1", "PR"] in ack
    asn = po_segments(segments(ws, "zappos", "856"), "ZP-SHP-02", "BSN")
    assert ["TD5", "B", "2", "UPSN", "U", "", "", "", "", "", "", "", "2D"] in asn
    assert ["N1", "ST", "TAYLOR BROOKS"] in asn and ["N4", "BOZEMAN", "MT", "59715", "US"] in asn
    assert ["REF", "CO", "114-7781203-5521"] in asn
    # Zappos' 856 by small parcel: the lead tracking number in the shipment's REF, each parcel's own in its MAN05
    # (MAN04 CP: [fulfilment.asn] package_tracking_in = "man"); it used to be a REF*CN before each carton's MAN
    fc = po_segments(segments(ws, "zappos", "856"), "ZP-SHP-01", "BSN")
    assert [s for s in fc if s[:2] == ["REF", "CN"]] == [["REF", "CN", "1Z4R81F20300112233"]]
    assert [s for s in fc if s[0] == "MAN"] == [
        ["MAN", "GM", "00006141410000000104", "", "CP", "1Z4R81F20300112233"],
        ["MAN", "GM", "00006141410000000111", "", "CP", "1Z4R81F20300112242"]]
    inv = po_segments(segments(ws, "zappos", "810"), "ZP5500913", "BIG")
    assert ["REF", "CO", "114-7781203-5521"] in inv and ["TDS", "3950"] in inv


def test_farm_and_ranch_bags_bundles_rolls_pallets_and_dating(night):
    ws, _found, _states = night
    # Rural King: pallets shipped whole (S-O-T-I), seven pallets and their weight in TD1; bags and bundles as ordered
    asn = po_segments(segments(ws, "ruralking", "856"), "RK-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O"] + ["T", "I"] * 7
    assert ["TD1", "PLT94", "7", "", "", "", "G", "14838", "LB"] in asn
    assert [s[2:6] for s in asn if s[0] == "SN1"][-2:] == [["60", "BG", "", "120"], ["40", "BD", "", "40"]]
    # its spring dating invoiced on the PO's own ITD (net 90 from the PO, not our net 30)
    inv = po_segments(segments(ws, "ruralking", "810"), "RK26120177", "BIG")
    assert ["ITD", "05", "3", "", "", "", "", "90", "", "", "", "", "NET 90 SPRING DATING"] in inv
    assert ["TDS", "326800"] in inv  # 160 x 11.25 + 120 x 5.90 + 40 x 19.00
    # Atwoods: standard carton pack (S-O-I-P), each item over its cartons; the aerosol line (TD4 HM) taken as sent
    asn = po_segments(segments(ws, "atwoods", "856"), "AT-SHP-01", "BSN")
    assert [s[3] for s in asn if s[0] == "HL"] == ["S", "O", "I", "P", "P", "P", "P", "I", "P", "P", "I", "P", "P",
                                                   "P", "P"]
    inv = po_segments(segments(ws, "atwoods", "810"), "AT881204", "BIG")
    assert [s[1:5] for s in inv if s[0] == "IT1"] == [["1", "20", "RL", "71.5"], ["2", "200", "EA", "3.9"],
                                                      ["3", "4", "CA", "76.8"]]
    # Blain's: its off-invoice allowance (SAC12 02) on the 810, the total net of it; its agreed 2/10 net 30
    inv = po_segments(segments(ws, "blains", "810"), "0045521", "BIG")
    assert ["SAC", "A", "C310", "", "", "1080", "", "", "", "", "", "", "02", "", "", "VOLUME ALLOWANCE"] in inv
    assert ["TDS", "192920"] in inv and ["ITD", "08", "3", "2", "", "10", "", "30"] in inv


def test_every_855_856_and_810_we_sent_passes_our_validator_bots_and_pyx12(night, maps, tmp_path):  # noqa: F811
    ws, _found, _states = night
    # one 856 and one 810 per shipment (Zappos' two POs shipped apart), one 855 per PO
    all_sent_accepted(ws, POS, tmp_path, maps, shipments=7, answers=7)


def test_a_line_short_of_stock_is_told_in_the_items_own_unit_and_zappos_takes_no_backorder(tmp_path):
    """Shoes are stocked and ordered in pairs (items.csv unit PR): a line short of stock was said to want "6 eaches"
    with "2 in stock", which ops reads as 3 pairs wanted, 1 pair in stock. Its refusal now counts in the item's unit
    (6 PR wanted); an item in eaches is still counted in "eaches". Zappos' 855 takes no backorder (its guide: the
    unavailable item is cancelled, ACK01, BAK02 AC, and the buyer asked for a new PO): its profile's [allocation]
    backorder = "reject" answers IR what Foot Locker's default backorders (IB) from the receipt coming."""
    from datetime import date

    import pyarrow as pa

    from connectors.snapshots import write_receipts
    from connectors.state import StateStore
    from schemas.inventory import EXPECTED_RECEIPTS
    from tests.support import run_stages

    fixtures = tmp_path / "fx"
    shutil.copytree(FIXTURES, fixtures)
    stock = fixtures / "stock.csv"
    stock.write_text(stock.read_text().replace("FW-1003,300", "FW-1003,2").replace("FR-3002,3000", "FR-3002,20"))
    ws = of_its_own(fixtures, tmp_path / "ws", {"footlocker": ["footlocker-850-4400117745.x12"],
                                                 "zappos": ["zappos-850-20261201.x12"],
                                                 "atwoods": ["atwoods-850-AT881204.x12"]})
    coming = [{"warehouse": "EAST", "sku": "FW-1003", "quantity": 100, "eta": date(2026, 12, 10)}]
    write_receipts(ws.inventory_dir / "receipts.parquet", pa.Table.from_pylist(coming, schema=EXPECTED_RECEIPTS))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        told = {f["po_number"]: f["message"] for f in state.findings() if f["code"] == "STOCK_SHORT_REJECTED"}
    finally:
        state.close()
    assert told["ZP5500812"].startswith(
        "Line 2 (SKU FW-1003): 6 PR wanted, 2 in stock for the run (2 of it placed on other lines of the run first), "
        "100 coming on receipts; 6 rejected (855 IR): the partner takes no backorder")
    assert told["AT881204"].startswith("Line 2 (SKU FR-3002): 200 eaches wanted, 20 in stock for the run, ")
    ack = po_segments(segments(ws, "zappos", "855"), "ZP5500812", "BAK")
    assert ack[0][2] == "AC" and [s for s in ack if s[0] == "ACK"] == [["ACK", "IA", "6", "PR"],
                                                                      ["ACK", "IR", "6", "PR"]]
    # Foot Locker's line of the same shoe (served first: its tier, then its ship date) takes the 2 pairs and waits
    # for the receipt for the rest: backordered, not refused
    ack = po_segments(segments(ws, "footlocker", "855"), "4400117745", "BAK")
    assert [s[:3] for s in ack if s[0] == "ACK"][2:] == [["ACK", "BP", "2"], ["ACK", "IB", "10"]]
    assert "4400117745" not in told


def test_a_hazardous_material_line_is_taken_and_its_marking_written_on_its_856(night):
    """Atwoods' aerosol line carries its hazardous-material class in TD4 (HM, DOT class 2.1) and a description: the
    order is taken as any (the 855 acknowledges the line as ordered, night test above). The marking used to be told
    to ops as a note of its line (NOTES_NOT_KEPT: no document of ours carried it); now its order line keeps it and
    the 856 writes it back as sent in the aerosol's item loop (standard carton pack: the I loop above its cartons,
    005010), and in no other; inspect has nothing left to tell."""
    from tests.retailer_support import inspected

    seen = inspected(FIXTURES / "drops" / "atwoods" / "atwoods-850-AT881204.x12", {"NOTES_NOT_KEPT"})
    assert seen["findings"] == []
    ws, _found, _states = night
    asn = po_segments(segments(ws, "atwoods", "856"), "AT-SHP-01", "BSN")
    items = [k for k, s in enumerate(asn) if s[0] == "HL" and s[3] == "I"]
    aerosol = next(k for k in items if asn[k + 1][:2] == ["LIN", "3"])
    loop = asn[aerosol:next(k for k in range(aerosol + 1, len(asn)) if asn[k][0] == "HL")]
    assert [s for s in loop if s[0] == "TD4"] == [["TD4", "HM", "D", "2.1", "AEROSOL LIMITED QUANTITY"]]
    assert [s for s in asn if s[0] == "TD4"] == [["TD4", "HM", "D", "2.1", "AEROSOL LIMITED QUANTITY"]]


def test_an_855_without_line_dates_is_built_alike_for_a_held_or_revised_answer():
    """line_dates = false holds for every 855 (a run's, rendered over columns, and one built as segments: an 855
    no delimiter set fits, a revised 855 answering a change): a backorder's part keeps its status and quantity, the
    date goes in the heading's DTM 068 only. A profile naming something else than true or false is refused."""
    import tomllib
    from datetime import date
    from decimal import Decimal

    from pydantic import ValidationError

    from engine.po_ack import AckPart, LineAck, build_855
    from schemas.fulfilment import PoAckSettings
    from schemas.profile import PartnerProfile

    order = {"po_number": "ZP5500812", "po_date": date(2026, 12, 1), "ship_date": date(2026, 12, 5)}
    lines = [{"line_number": 1, "quantity": Decimal(6), "unit": "PR", "unit_price": Decimal("43"),
              "product_ids": [{"qualifier": "UP", "id": "614142100025"}]}]
    acks = [LineAck("IA", parts=(AckPart("IA", Decimal(4), date(2026, 12, 5)),
                                 AckPart("IB", Decimal(2), date(2026, 12, 20))))]
    plain = build_855(order, lines, acks, today=date(2026, 12, 2), settings=PoAckSettings(ship_date=True))
    assert [s for s in plain if s[0] == "ACK"] == [["ACK", "IA", "4", "PR", "068", "20261205"],
                                                  ["ACK", "IB", "2", "PR", "068", "20261220"]]
    heading_only = build_855(order, lines, acks, today=date(2026, 12, 2),
                             settings=PoAckSettings(ship_date=True, line_dates=False))
    assert ["DTM", "068", "20261205"] in heading_only
    assert [s for s in heading_only if s[0] == "ACK"] == [["ACK", "IA", "4", "PR"], ["ACK", "IB", "2", "PR"]]
    data = tomllib.loads((FIXTURES / "partners" / "zappos.toml").read_text(encoding="utf-8"))
    assert PartnerProfile.model_validate(data).acks.po_ack.line_dates is False
    data["acks"]["po_ack"]["line_dates"] = "header"
    with pytest.raises(ValidationError):
        PartnerProfile.model_validate(data)


def _zappos_after_a_change(tmp_path, body: str) -> tuple[list[str], dict]:
    """Zappos' stock PO taken and answered one night, an 860 of ``body`` (its segments after ST) the next: the names
    of its outbox's 855s and the second night's 855 segments by PO."""
    from tests.support import run_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"zappos": ["zappos-850-20261201.x12"]})
    run_stages(ws, NIGHT)
    segs = ["ST*860*0001", *body.split("\n")]
    segs.append(f"SE*{len(segs) + 1}*0001")
    doc = ["ISA*00*          *00*          *ZZ*ZAPPOSKY       *ZZ*ORDERBRIDGE    *261203*0300*U*00401*000003310*0*P*>",
           "GS*PC*ZAPPOSKY*ORDERBRIDGE*20261203*0300*3310*X*004010", *segs, "GE*1*3310", "IEA*1*000003310"]
    (ws.drop_root / "zappos" / "inbox" / "zappos-860-ZP5500812.x12").write_text("\n".join(doc) + "\n")
    run_stages(ws, datetime(2026, 12, 3, 2))
    outbox = ws.drop_root / "zappos" / "outbox"
    names = sorted(p.name for p in outbox.glob("zappos-855-*"))
    assert ["AK5", "A"] in segments(ws, "zappos", "997")  # the 860 accepted
    return names, segments(ws, "zappos", "855")


def test_zappos_860_taken_as_asked_gets_no_855_and_one_we_change_does(tmp_path):
    """Zappos' 855 guide: no 855 is expected in answer to its 860 once the PO was acknowledged, unless the vendor
    changes something. Its profile (change_ack = "855", change_answer = "on_change") answers a change it takes as
    asked with nothing but the 997: a moved ship window used to be answered by a revised 855 (BAK01 05) restating
    the order; a raised line we cannot fill is still answered (BAK02 AC, the units refused IR)."""
    names, _acks = _zappos_after_a_change(
        tmp_path / "window", "BCH*04*SA*ZP5500812***20261201****20261203\nDTM*037*20261210\nDTM*038*20261218\nCTT*0")
    assert len(names) == 2  # the first night's two 855s (the stock PO, the drop ship) and none since
    names, acks = _zappos_after_a_change(
        tmp_path / "cut", "BCH*04*SA*ZP5500812***20261201****20261203\nPOC*1*DI*6*2*PR*43**UP*614142100025\nCTT*1*4")
    assert len(names) == 2
    names, acks = _zappos_after_a_change(
        tmp_path / "raise",
        "BCH*04*SA*ZP5500812***20261201****20261203\nPOC*2*QI*600*594*PR*44.5**UP*614142100032\nCTT*1*600")
    assert len(names) == 3
    revised = [s for s in acks if s[0] == "BAK"][-1]
    assert revised[1:4] == ["05", "AC", "ZP5500812"]
    at = acks.index(revised)
    assert [s for s in acks[at:] if s[0] == "ACK"] == [["ACK", "IA", "6", "PR"], ["ACK", "IQ", "300", "PR"],
                                                       ["ACK", "IR", "300", "PR"]]


def test_change_answer_on_change_is_for_a_partner_answered_by_revised_855s():
    import tomllib

    from pydantic import ValidationError

    from schemas.profile import PartnerProfile

    data = tomllib.loads((FIXTURES / "partners" / "zappos.toml").read_text(encoding="utf-8"))
    assert PartnerProfile.model_validate(data).change_answer == "on_change"
    for field, value in (("change_ack", "865"), ("change_answer", "never")):
        broken = {**data, field: value}
        with pytest.raises(ValidationError):
            PartnerProfile.model_validate(broken)


def test_package_tracking_in_man_needs_package_tracking():
    import tomllib

    from pydantic import ValidationError

    from schemas.profile import PartnerProfile

    data = tomllib.loads((FIXTURES / "partners" / "zappos.toml").read_text(encoding="utf-8"))
    assert PartnerProfile.model_validate(data).fulfilment.asn.package_tracking_in == "man"
    for changed in ({"package_tracking": False}, {"package_tracking_in": "lin"}):
        broken = {**data, "fulfilment": {**data["fulfilment"], "asn": {**data["fulfilment"]["asn"], **changed}}}
        with pytest.raises(ValidationError):
            PartnerProfile.model_validate(broken)
