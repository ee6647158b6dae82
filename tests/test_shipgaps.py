"""Gaps in shipment confirmations the rg82 sweep noticed and left (tests/fixtures/rg82/ for the buyers, sites and
850s; tests/fixtures/shipgaps/ for the exports changed here):

1. a ship time on the warehouse's clock (its profile's IANA time_zone) went out as DTM*011 with no DTM04, the zone a
   retailer needs to hold the ASN window against; a partner's guide asking for ES/ED ... or UT could not be met; an
   offset 623 has no code for was dropped (the time read as the warehouse's clock's);
2. a 945 naming its bill of lading only as N9*MB (master bill of lading) carried none to the 856;
3. a package's cell listing several tracking numbers kept the first on its pack loop (the rest written nowhere);
4. a daily export repeating yesterday's shipment of a partner recorded per PO (an 856 per PO) or of a multi-stop
   load (recorded per stop) was held as SHIPMENT_ID_DUPLICATE and the file quarantined, every day;
5. a kit ordered and confirmed by its components was held (no kit table): reference kits.csv makes it the kit.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from engine.lifecycle.shipping import clock_zoned, time_code_offset
from schemas.time_codes import local_offset, written_time, zone_code
from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import FIXTURES as RG82
from tests.test_rg82_wms_confirmations import night_of

HERE = Path(__file__).parent / "fixtures" / "shipgaps"


def _night(tmp_path: Path, warehouse: str, *, export: str = "", swaps=(), partner_swaps=(), reference=()):
    """rg82's night of ``warehouse``'s confirmation alone: its file replaced by tests/fixtures/shipgaps/``export``
    (when given), each (old, new) of ``swaps`` made in it and of ``partner_swaps`` ((partner, old, new)) in a
    partner's profile; the ``reference`` files of tests/fixtures/shipgaps/ added to its reference data."""
    copy = tmp_path / "rg82"
    shutil.copytree(RG82, copy)
    for name in reference:
        shutil.copy2(HERE / name, copy / "reference" / name)
    [path] = (copy / "shipments" / warehouse).iterdir()
    if export:
        path.write_bytes((HERE / export).read_bytes())
    text = path.read_text(encoding="utf-8")
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    for partner, old, new in partner_swaps:
        profile = copy / "partners" / f"{partner}.toml"
        text = profile.read_text(encoding="utf-8")
        assert old in text, old
        profile.write_text(text.replace(old, new, 1), encoding="utf-8")
    return night_of(copy, tmp_path / "ws", (warehouse,))


def _recorded(ws, warehouse: str):
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return {r.shipment_id: r for r in state.shipments() if r.warehouse == warehouse}
    finally:
        state.close()


# 1. the warehouse's clock, its zone's code, the partner's style

@pytest.mark.parametrize(("zone", "day", "code"), [
    ("America/Chicago", date(2026, 12, 4), "CT"), ("America/Chicago", date(2026, 7, 1), "CT"),
    ("America/Los_Angeles", date(2026, 12, 4), "PT"), ("America/New_York", date(2026, 12, 4), "ET"),
    ("America/Indiana/Indianapolis", date(2026, 12, 4), "ET"),
    ("America/Phoenix", date(2026, 7, 1), "MS"),  # Arizona keeps no daylight time: MT would say MDT in July
    ("Pacific/Honolulu", date(2026, 7, 1), "HS"), ("UTC", date(2026, 7, 1), "UT"),
    ("Europe/Berlin", date(2026, 12, 4), "01"), ("Europe/Berlin", date(2026, 7, 1), "02"),
    ("America/Sao_Paulo", date(2026, 12, 4), "22"), ("Asia/Kolkata", date(2026, 12, 4), "27"),
    ("Asia/Kathmandu", date(2026, 12, 4), ""),  # +05:45: no 623 code
])
def test_a_warehouse_clock_s_zone_is_its_623_code_on_the_day(zone, day, code):
    assert zone_code(zone, day, time(13, 50)) == code
    if code:  # the code names the very offset the clock keeps then: the ASN window reads the same instant
        assert time_code_offset(code, day, time(13, 50)) == local_offset(zone, day, time(13, 50))


@pytest.mark.parametrize(("given", "style", "written"), [
    ("CT", "zone", (date(2026, 12, 4), time(13, 50), "CT")),
    ("CT", "standard_daylight", (date(2026, 12, 4), time(13, 50), "CS")),
    ("ET", "utc", (date(2026, 12, 4), time(18, 50), "UT")),
    ("PT", "utc", (date(2026, 12, 5), time(0, 50), "UT")),  # 16:50 PST: past midnight in UTC, the date with it
    ("ES", "standard_daylight", (date(2026, 12, 4), time(13, 50), "ES")),
    ("13", "utc", (date(2026, 12, 5), time(1, 50), "UT")),
    ("LT", "utc", (date(2026, 12, 4), time(13, 50), "LT")),  # whose local time is not said: nothing to convert by
    ("", "utc", (date(2026, 12, 4), time(13, 50), "")),
])
def test_dtm04_is_written_in_the_style_the_partner_s_guide_asks(given, style, written):
    at = time(16, 50) if given == "PT" else time(13, 50)
    assert written_time(date(2026, 12, 4), at, given, style) == written


def test_a_ship_time_without_a_zone_or_in_local_time_takes_the_warehouse_s_clock_s_code():
    lines = pa.table({"ship_date": pa.array([date(2026, 12, 4), date(2026, 7, 1), date(2026, 12, 4),
                                             date(2026, 12, 4)], pa.date32()),
                      "ship_time": pa.array([time(13, 50), time(13, 50), None, time(9, 0)], pa.time32("s")),
                      "ship_time_zone": pa.array([None, "LT", None, "UT"], pa.string())})
    assert clock_zoned(lines, "America/Phoenix")["ship_time_zone"].to_pylist() == ["MS", "MS", None, "UT"]
    assert clock_zoned(lines, "") is lines


def test_the_warehouse_clock_s_time_goes_with_its_zone_and_the_asn_window_reads_that_instant(tmp_path):
    """ShipStation's Reno clock (time_zone America/Los_Angeles): 11:41 goes out as DTM*011*20261204*1141*PT (it went
    without DTM04); the record departs 14:41 on our New York clock."""
    ws, found, _states, _results = _night(tmp_path, "shipstation")
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["DTM", "011", "20261204", "1141", "PT"] in asn
    assert _recorded(ws, "shipstation")["100482236"].departed_at == "2026-12-04T14:41:26"
    assert "SHIPMENT_TIME_ZONE_UNRESOLVED" not in {f[0] for f in found}


@pytest.mark.parametrize(("style", "dtm"), [("standard_daylight", ["DTM", "011", "20261204", "1141", "PS"]),
                                            ("utc", ["DTM", "011", "20261204", "1941", "UT"])])
def test_a_partner_asking_standard_times_or_utc_gets_its_dtm04_so(tmp_path, style, dtm):
    ws, _found, _states, _results = _night(tmp_path, "shipstation", partner_swaps=[
        ("dicks", "[fulfilment.asn]\n", f'[fulfilment.asn]\ntime_code = "{style}"\n')])
    assert dtm in po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert _recorded(ws, "shipstation")["100482236"].departed_at == "2026-12-04T14:41:26"  # the same instant


def test_an_offset_with_no_623_code_is_converted_to_utc_not_dropped(tmp_path):
    """01:41 at -09:30 (the Marquesas' offset: no 623 code) is 11:11 UTC: DTM*011*20261204*1111*UT, departing 06:11 in
    New York. It used to be read as 01:41 on the Reno clock (the offset dropped), three hours from the truth."""
    ws, found, _states, _results = _night(tmp_path, "shipstation", export="ShipStation_offset_without_code.csv")
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["DTM", "011", "20261204", "1111", "UT"] in asn
    assert _recorded(ws, "shipstation")["100482236"].departed_at == "2026-12-04T06:11:26"
    assert "SHIPMENT_TIME_ZONE_UNRESOLVED" not in {f[0] for f in found}


# 2. a 945's master bill of lading

def test_a_945_naming_its_bill_of_lading_only_as_n9_mb_carries_it_as_the_856_s_ref_bm(tmp_path):
    ws, _found, _states, results = _night(tmp_path, "korber", swaps=[("N9*BM*SAIA7001", "N9*MB*SAIA7001")])
    asn = po_segments(segments(ws, "academy", "856"), "KRB-7001", "BSN")
    assert ["REF", "BM", "SAIA7001"] in asn
    assert _recorded(ws, "korber")["KRB-7001"].bill_of_lading == "SAIA7001"
    assert (results["korber"].shipments, results["korber"].held) == (2, 0)


def test_a_945_naming_both_keeps_its_bm_as_the_bill_of_lading(tmp_path):
    ws, _found, _states, _results = _night(tmp_path, "korber", swaps=[
        ("N9*BM*SAIA7001~", "N9*MB*MASTER7000~\nN9*BM*SAIA7001~"), ("SE*27*0001~", "SE*28*0001~")])
    asn = po_segments(segments(ws, "academy", "856"), "KRB-7001", "BSN")
    assert ["REF", "BM", "SAIA7001"] in asn and "MASTER7000" not in str(asn)


# 3. several tracking numbers in one package's cell

def test_a_package_s_several_tracking_numbers_are_each_a_ref_cn_in_its_pack_loop(tmp_path):
    """Dick's takes each package's tracking number in its pack loop (package_tracking). ShipStation's package cell
    lists two labels; the carton kept the first, the second was written nowhere (the S level lists the first only, by
    design). Now the pack loop has a REF*CN each."""
    ws, found, _states, _results = _night(tmp_path, "shipstation", export="ShipStation_two_labels_one_package.csv")
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert [s[2] for s in asn if s[:2] == ["REF", "CN"]] == ["1Z82RG820300000020", "1Z82RG820300000020",
                                                             "1Z82RG820300000039"]
    pack = asn[[s[:4] for s in asn].index(["HL", "3", "2", "P"]):]
    assert pack[1:3] == [["REF", "CN", "1Z82RG820300000020"], ["REF", "CN", "1Z82RG820300000039"]]
    assert not [f for f in found if f[1] == "error"]


def test_a_partner_taking_the_tracking_number_in_man_is_told_the_numbers_its_856_cannot_carry(tmp_path):
    """A partner whose guide puts a carton's tracking number in its MAN (MAN04 CP, MAN05): a carton has one MAN (our
    856's self-check: one label a carton), so the second number cannot go. The 856 goes with the first, and a warning
    names the one not sent (it used to go unseen)."""
    ws, found, _states, results = _night(tmp_path, "shipstation", export="ShipStation_two_labels_one_package.csv",
                                         partner_swaps=[("dicks", "package_tracking = true\n",
                                                         'package_tracking = true\npackage_tracking_in = "man"\n')])
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    [man] = [s for s in asn if s[0] == "MAN"]
    assert man[3:] == ["", "CP", "1Z82RG820300000020"] and "1Z82RG820300000039" not in str(asn)
    assert [f for f in found if f[0] == "SHIPMENT_TRACKING_NOT_SENT"] == [
        ("SHIPMENT_TRACKING_NOT_SENT", "warning", "dicks", "DK8200101", "Carton 100482236 of shipment 100482236 "
         "has 2 tracking numbers; dicks's 856 carries a carton's in its one MAN (MAN04/05): 1Z82RG820300000020 is "
         "sent, 1Z82RG820300000039 not. Tell the buyer if it needs them.")]
    assert (results["shipstation"].shipments, results["shipstation"].held) == (1, 0)


def test_a_partner_taking_tracking_as_ref_is_not_told_of_numbers_it_gets(tmp_path):
    _ws, found, _states, _results = _night(tmp_path, "shipstation", export="ShipStation_two_labels_one_package.csv")
    assert "SHIPMENT_TRACKING_NOT_SENT" not in {f[0] for f in found}


# 4. repeats of shipments recorded per PO or per stop

def test_an_exact_repeat_of_a_shipment_recorded_per_po_is_passed_over(tmp_path):
    """Ulta takes one 856 per PO: the warehouse's UL-SHP-01 (two POs) was recorded as two shipments. The next
    day's export repeats it (rows in another order: other bytes, the same shipment). It used to be held as
    SHIPMENT_ID_DUPLICATE and the file quarantined; now it is passed over with SHIPMENT_REPEATED, nothing sent."""
    from tests import test_asn_per_order as per_order

    ws = per_order._night(tmp_path / "ws")
    outbox = ws.drop_root / "ulta" / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    result, codes, found = _resent(ws, per_order, lambda rows: rows[::-1], per_order.SHIP_DAY + timedelta(days=1))
    assert (result.processed, result.quarantined, result.shipments, result.held, result.errors) == (1, 0, 0, 0, 0)
    assert codes == Counter({"SHIPMENT_REPEATED": 1}), found
    assert found[0].startswith(f"Shipment UL-SHP-01 repeats the one recorded (as {per_order.ASN_A}, "
                               f"{per_order.ASN_B}) on 2026-11-27")
    assert sorted(p.name for p in outbox.iterdir()) == before


def test_a_differing_repeat_of_a_shipment_recorded_per_po_is_still_held(tmp_path):
    from tests import test_asn_per_order as per_order

    ws = per_order._night(tmp_path / "ws")
    result, codes, _found = _resent(ws, per_order, lambda rows: rows[1:], per_order.SHIP_DAY + timedelta(days=1))
    assert codes["SHIPMENT_ID_DUPLICATE"] >= 1 and "SHIPMENT_REPEATED" not in codes
    assert (result.shipments, result.held) == (0, 1)


def test_an_exact_repeat_of_a_multi_stop_load_recorded_per_stop_is_passed_over(tmp_path):
    from tests import test_multi_stop_loads as stops

    ws = stops._night(tmp_path / "ws", stops.PER_SHIPMENT)
    outbox = ws.drop_root / "ulta" / "outbox"
    before = sorted(p.name for p in outbox.iterdir())
    result, codes, found = _resent(ws, stops, lambda rows: rows[::-1], stops.SHIP_DAY + timedelta(days=1))
    assert (result.processed, result.quarantined, result.shipments, result.held, result.errors) == (1, 0, 0, 0, 0)
    assert codes == Counter({"SHIPMENT_REPEATED": 1}), found
    assert f"(as {stops.STOP_1}, {stops.STOP_2})" in found[0]
    assert sorted(p.name for p in outbox.iterdir()) == before


def _resent(ws, module, rows_of, at: datetime):
    """The module's confirmation again, its data rows ``rows_of``(rows), shipped at ``at``: (the warehouse's result,
    the codes of that run's findings, their messages)."""
    from connectors.state import StateStore
    from tests.support import deliver_all, ship_stages

    source = next((module.FIXTURES / "shipments").iterdir()).read_text(encoding="utf-8")
    header, *rows = source.splitlines(keepends=True)
    rows = [r if r.endswith("\n") else r + "\n" for r in rows if r.startswith("UL-SHP-01,")]  # Ulta's load
    module._confirm(ws, header + "".join(rows_of(rows)), name="east-shipments-next-day.csv")
    [result] = [r for r in ship_stages(ws, at, run_id="next-day")[:-1] if r.warehouse == "east"]
    deliver_all(ws, at)
    state = StateStore(ws.state_path)
    try:
        mine = [f for f in state.findings() if f["run_id"] == "next-day"]
    finally:
        state.close()
    return result, Counter(f["code"] for f in mine), [f["message"] for f in mine]


# 5. kits confirmed by their components

def _kit_rows(lids: int) -> tuple[str, str]:
    """NetSuite's fulfillment of the cookware set (RG82-10: a pot and two lids a kit, tests/fixtures/shipgaps/kits.csv)
    as its member items: 5 pots and ``lids`` lids."""
    row = "48211,IF-00482,12/4/2026,Sales Order #SO-77120,KO8200301,RG82-10,5,Each,FedEx Home Delivery," \
          '"794661201123, 794661201134",38.6\n'
    return row, row.replace("RG82-10,5,", "RG82-10-POT,5,") + row.replace("RG82-10,5,", f"RG82-10-LID,{lids},")


def test_a_kit_confirmed_by_its_components_ships_the_ordered_kit_line(tmp_path):
    """5 cookware sets confirmed as 5 pots and 10 lids: the 856 and 810 ship PO line 2, RG82-10, 5 EA, as ordered. It
    used to be held (SHIPMENT_SKU_UNKNOWN + SHIPMENT_LINE_UNKNOWN), nothing sent."""
    ws, found, states, results = _night(tmp_path, "netsuite", swaps=[_kit_rows(10)], reference=["kits.csv"])
    assert (results["netsuite"].shipments, results["netsuite"].held) == (1, 0)
    assert not [f for f in found if f[1] == "error"]
    asn = po_segments(segments(ws, "kohls", "856"), "IF-00482", "BSN")
    assert [s for s in asn if s[0] == "SN1"] == [["SN1", "", "10", "EA", "", "10", "EA"],
                                                 ["SN1", "", "5", "EA", "", "5", "EA"]]
    assert "RG82-10-POT" not in str(asn) and "RG82-10-LID" not in str(asn)
    inv = po_segments(segments(ws, "kohls", "810"), "KO8200301", "BIG")
    assert ["IT1", "2", "5", "EA", "80", "", "UP", "614141820108", "VN", "RG82-10"] in inv
    assert states[("kohls", "KO8200301")] == "invoiced"


def test_a_partial_kit_holds_its_shipment_saying_what_each_component_shipped(tmp_path):
    ws, found, states, results = _night(tmp_path, "netsuite", swaps=[_kit_rows(7)], reference=["kits.csv"])
    assert [(f[0], f[1], f[4]) for f in found] == [
        ("SHIPMENT_KIT_INCOMPLETE", "error", "Shipment IF-00482 ships the components of kit RG82-10 (PO "
         "KO8200301) that make no whole number of kits: 5 of RG82-10-POT (a kit takes 1), 7 of RG82-10-LID (a kit "
         "takes 2).")]
    assert (results["netsuite"].shipments, results["netsuite"].held) == (0, 1)
    assert states[("kohls", "KO8200301")] == "acknowledged"
