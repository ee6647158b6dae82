"""Dates and times in inbound orders as buyers really send them, and what we promise from them: four buyers of
seasonal hardware (snow shovels, ice melt, heat cable, patio heaters) in the shapes of their public 850 guides (facts
carried over, the files written here): tests/fixtures/rg87/ holds each one's profile, reference rows, stock, 850s, a
860 and the east DC's confirmation (the rg2 DC). Lowe's (004010: DTM 010 requested ship, DTM 001 cancel after across
the year end, DTM 002 with its time and time zone, DTM03/DTM04 1700 ES); True Value's member stores (inbound 004010
envelopes, outbound 003040 as its guides are: BAK04, ACK05, BSN03 and BIG dates YYMMDD; its cancel date in the
YYMMDD-with-century form DTM*001*270108***20); Wayfair (005010 drop ship: its requested ship window as one DTM, DTM05
RD8 ``20261221-20261230``, its delivery date in DTM06, D8); The Home Depot (a ship window, DTM 037 / 038, and a
delivery window, DTM 064 / 063). One night takes them all: inspect, the 997s and 855s, then the 856s and 810s,
checked by our validator, Bots and pyx12; each answer's dates are asserted to be the buyer's.

Variants: Wayfair's range shipped after its end (SHIPPED_OUTSIDE_WINDOW: the range's end used to be dropped, see
test_a_requested_ship_range_s_end_is_the_window_s_end), its 860 moving the range, a PO1 loop's own range; a cancel
date already past when we read the order (held, said, the PO accepted by its 997, no 855); a ship date before the
order date, a ship-not-before after the requested ship date, an inverted delivery window (held, each said); the
century True Value's DTM05 states (19: 1927, a cancel date long past); a window crossing the year end and one
ending on a leap day (2028-02-29), shipped inside and outside; 20270229, no date at all (an element error); a
business-day transit time ([fulfilment.asn] transit_business_days). CSV feeds: 01/02/2027 read by the layout's
form alone, a day impossible in it a finding; a run-together layout's date short of a digit (2027105 in %Y%m%d)
refused."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

from tests.retailer_support import (
    all_sent_accepted,
    findings_and_states,
    inspected,
    inspected_clean,
    maps,  # noqa: F401 (a fixture)
    night_all_invoiced,
    of_its_own,
    po_segments,
    recounted,
    segments,
    shipped_night,
    variant_night,
)
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg87"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 12, 8, 2)  # a Tuesday
SHIP_DAY = datetime(2026, 12, 29, 6, 45)  # the DC's confirmation: every shipment left 2026-12-29 06:30

POS = {"lowes": {"LW8700101": 2}, "truevalue": {"TV8700201": 2}, "wayfair": {"WF8700301": 1},
       "homedepot": {"HD8700401": 2}}


def _variant(partner, po, tmp_path, swaps=(), *, night=NIGHT, ship_day=SHIP_DAY, **kw):
    return variant_night(FIXTURES, partner, po, tmp_path, [(a.encode(), b.encode()) for a, b in swaps],
                         warehouses=WAREHOUSES, night=night, ship_day=ship_day, **kw)


def _held_for(found, states, key, code):
    """The messages of ``code`` findings (an order held for a person: none of it allocated, acknowledged or shipped;
    its shipment confirmed all the same is refused, SHIPMENT_OVER_RESERVED)."""
    assert states == {key: "held"}
    return [f[3] for f in found if f[0] == code]


@pytest.mark.parametrize("path", sorted((FIXTURES / "drops").rglob("*.x12")), ids=lambda p: p.name)
def test_inspect_reads_every_po_without_a_finding(path):
    inspected_clean(path, set(), POS)


def test_each_buyer_s_dates_are_read_as_sent():
    """The order's dates of each 850 as inspect prints them: Lowe's window across the year end (its DTM 002's time
    and zone leave its date alone), True Value's YYMMDD dates (DTM05 20: its century), Wayfair's RD8 range as its
    requested ship date and its window, The Home Depot's two windows."""
    def dates_of(name):
        [order] = inspected(next((FIXTURES / "drops").rglob(name)))["orders"]
        keys = ("po_date", "requested_ship_date", "requested_delivery_date", "ship_not_before", "ship_no_later",
                "cancel_after", "do_not_deliver_before", "do_not_deliver_after")
        return {k: order[k] for k in keys if order[k]}

    assert dates_of("LOWES850_LW8700101.x12") == {
        "po_date": "2026-12-07", "requested_ship_date": "2026-12-28", "requested_delivery_date": "2027-01-06",
        "cancel_after": "2027-01-04"}
    assert dates_of("TV850_TV8700201.x12") == {
        "po_date": "2026-12-07", "requested_ship_date": "2026-12-21", "cancel_after": "2027-01-08"}
    assert dates_of("WF850_WF8700301.x12") == {
        "po_date": "2026-12-07", "requested_ship_date": "2026-12-21", "requested_delivery_date": "2027-01-05",
        "ship_not_before": "2026-12-21", "ship_no_later": "2026-12-30"}
    assert dates_of("HD850_HD8700401.x12") == {
        "po_date": "2026-12-07", "ship_not_before": "2026-12-24", "ship_no_later": "2026-12-31",
        "do_not_deliver_before": "2027-01-02", "do_not_deliver_after": "2027-01-08"}


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("rg87") / "ws"
    return shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT, SHIP_DAY)


def test_every_po_is_accepted_acknowledged_as_ordered_and_invoiced(night):
    # nothing to say: every shipment left inside its buyer's window, before its cancel date
    night_all_invoiced(night, POS, set())


def test_every_sent_document_is_accepted_by_our_reader_bots_and_pyx12(night, tmp_path, maps):  # noqa: F811
    all_sent_accepted(night[0], POS, tmp_path, maps, shipments=4, answers=4)


def test_each_855_promises_the_day_the_buyer_asked_for(night):
    """ACK05 068 / DTM 068 (current schedule ship) is the buyer's: Lowe's requested ship date, True Value's (YYMMDD
    in its 003040 855), Wayfair's range's first day, The Home Depot's window's opening (it sends no 010). BAK04
    echoes each PO date as sent, BAK09 the night's."""
    ws = night[0]
    for partner, po, bak, ship in (("lowes", "LW8700101", ["20261207", "20261208"], "20261228"),
                                   ("truevalue", "TV8700201", ["261207", "261208"], "261221"),
                                   ("wayfair", "WF8700301", ["20261207", "20261208"], "20261221"),
                                   ("homedepot", "HD8700401", ["20261207", "20261208"], "20261224")):
        doc = po_segments(segments(ws, partner, "855"), po, "BAK")
        assert [doc[0][4], doc[0][9]] == bak, partner
        assert [s for s in doc if s[0] == "DTM"] == [["DTM", "068", ship]], partner
        assert {tuple(s[4:6]) for s in doc if s[0] == "ACK"} == {("068", ship)}, partner


def test_each_856_and_810_dates_the_day_the_goods_left(night):
    """The 856's DTM 011 and the 810's BIG01 and DTM 011 are the DC's ship date (2026-12-29, 06:30 on its clock),
    BIG03 the PO date as sent; True Value's in 003040's YYMMDD."""
    ws = night[0]
    for partner, po, shipment, day, po_day in (("lowes", "LW8700101", "LW-SHP-01", "20261229", "20261207"),
                                               ("truevalue", "TV8700201", "TV-SHP-01", "261229", "261207"),
                                               ("wayfair", "WF8700301", "WF-SHP-01", "20261229", "20261207"),
                                               ("homedepot", "HD8700401", "HD-SHP-01", "20261229", "20261207")):
        asn = po_segments(segments(ws, partner, "856"), shipment, "BSN")
        assert [s for s in asn if s[0] == "DTM"] == [["DTM", "011", day, "0630"]], partner
        inv = po_segments(segments(ws, partner, "810"), po, "BIG")
        assert [inv[0][1], inv[0][3]] == [day, po_day] and ["DTM", "011", day] in inv, partner
    assert [s[12] for s in segments(ws, "truevalue", "856") if s[0] == "ISA"] == ["00304"]


WF_SHIPPED = ("2026-12-29", "2026-12-31")


def test_a_requested_ship_range_s_end_is_the_window_s_end(tmp_path):
    """Wayfair sends its requested ship window as one DTM: ``DTM*010****RD8*20261221-20261230`` (DTM05 RD8, a range
    CCYYMMDD-CCYYMMDD). Its first day was read (the 855 promised it) and its last dropped: the patio heaters left
    2026-12-31, a day after the window, and nothing was said until the chargeback. Now a requested ship range is
    the window (parsers.x12_dates.dtm_window: its days as DTM 037 / 038 where none is sent): SHIPPED_OUTSIDE_WINDOW,
    the 856 sent all the same (the goods left)."""
    ws, found, states = _variant("wayfair", "WF8700301", tmp_path, shipped_swaps=[WF_SHIPPED])
    assert states == {("wayfair", "WF8700301"): "invoiced"}
    [told] = [f for f in found if f[0] == "SHIPPED_OUTSIDE_WINDOW"]
    assert told[1] == "warning" and "left 2026-12-31" in told[3] and "2026-12-30" in told[3]
    assert ["DTM", "011", "20261231", "0630"] in segments(ws, "wayfair", "856")


def test_a_shipment_on_the_range_s_last_day_is_inside_it(tmp_path):
    ws, found, states = _variant("wayfair", "WF8700301", tmp_path, shipped_swaps=[("2026-12-29", "2026-12-30")],
                                 ship_day=datetime(2026, 12, 30, 6, 45))
    assert states == {("wayfair", "WF8700301"): "invoiced"} and not found


def test_a_range_with_a_038_of_its_own_keeps_the_038():
    """A 038 sent beside the range is the window's end (the buyer's own word for it); the range opens it."""
    path = FIXTURES / "drops" / "wayfair" / "WF850_WF8700301.x12"
    data = path.read_bytes().replace(b"DTM*002****D8", b"DTM*038*20261227~\nDTM*002****D8")
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    parsed = read_interchanges(recounted(data))
    orders, _ = read_orders(parsed, list(parsed.transaction_sets()), partner="wayfair")
    assert orders.select(["requested_ship_date", "ship_not_before", "ship_no_later"]).to_pylist() == [
        {"requested_ship_date": date(2026, 12, 21), "ship_not_before": date(2026, 12, 21),
         "ship_no_later": date(2026, 12, 27)}]


def test_a_po1_loop_s_own_requested_ship_range_is_the_line_s_window():
    """A line's own DTM*010 RD8 (its PO1 loop's) is that line's window, as the heading's is the order's; the other
    line keeps the heading's."""
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges

    path = FIXTURES / "drops" / "homedepot" / "HD850_HD8700401.x12"
    data = path.read_bytes().replace(b"PO1*2*60*EA*9.25**VN*RG87-02~",
                                     b"PO1*2*60*EA*9.25**VN*RG87-02~\nDTM*010****RD8*20261226-20261229~")
    parsed = read_interchanges(recounted(data))
    orders, lines = read_orders(parsed, list(parsed.transaction_sets()), partner="homedepot")
    assert lines.select(["line_number", "requested_ship_date", "ship_not_before", "ship_no_later"]).to_pylist() == [
        {"line_number": 1, "requested_ship_date": None, "ship_not_before": None, "ship_no_later": None},
        {"line_number": 2, "requested_ship_date": date(2026, 12, 26), "ship_not_before": date(2026, 12, 26),
         "ship_no_later": date(2026, 12, 29)}]
    assert orders.select(["ship_not_before", "ship_no_later"]).to_pylist() == [
        {"ship_not_before": date(2026, 12, 24), "ship_no_later": date(2026, 12, 31)}]



def test_a_line_s_own_range_dates_its_ack_and_holds_its_shipment(tmp_path):
    """The ice melt's own range 2026-12-26 - 2026-12-28 inside the order's window: its ACK promises the 26th, the heat
    cable's the window's opening (the 24th), and a shipment of both on the 29th is told late for the ice melt's line."""
    ws, found, _states = _variant("homedepot", "HD8700401", tmp_path, [(
        "PO1*2*60*EA*9.25**VN*RG87-02~", "PO1*2*60*EA*9.25**VN*RG87-02~\nDTM*010****RD8*20261226-20261228~")])
    assert [s for s in segments(ws, "homedepot", "855") if s[0] == "ACK"] == [
        ["ACK", "IA", "10", "CA", "068", "20261224"], ["ACK", "IA", "60", "EA", "068", "20261226"]]
    [late] = [f[3] for f in found if f[0] == "SHIPPED_OUTSIDE_WINDOW"]
    assert "left 2026-12-29, after its DTM 010 (requested ship range end, line 2) 2026-12-28" in late

def _changed_night(tmp_path, shipped: str):
    from tests.support import deliver_all, run_stages, ship_stages

    ws = of_its_own(FIXTURES, tmp_path / "ws", {"wayfair": ["WF850_WF8700301.x12"]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    change = FIXTURES / "changes" / "WF860_WF8700301.x12"
    shutil.copy2(change, ws.drop_root / "wayfair" / "inbox" / change.name)
    run_stages(ws, datetime(2026, 12, 9, 2))
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    rows = (FIXTURES / "shipments" / "east-shipments-20261201.csv").read_text(encoding="utf-8").splitlines(True)
    (inbox / "east-shipments.csv").write_text("".join(r.replace("2026-12-29", shipped) for r in rows
                                                      if r.startswith("Shipment") or ",WF8700301," in r),
                                              encoding="utf-8")
    day = datetime.fromisoformat(shipped).replace(hour=6, minute=45)
    ship_stages(ws, day, run_id="day1")
    deliver_all(ws, day)
    return ws, *findings_and_states(ws)


def test_an_860_moving_the_requested_ship_range_moves_the_window_and_the_promise(tmp_path):
    """Wayfair's 860 (BCH 04) moves its range to 2026-12-28 - 2027-01-05, across the year end: the revised 855 (its
    change_ack "855") promises the new first day, and a shipment 2027-01-04 is inside the moved window."""
    ws, found, states = _changed_night(tmp_path, "2027-01-04")
    assert states == {("wayfair", "WF8700301"): "invoiced"}
    [moved] = [m for c, m in found if c == "CHANGE_HEADER_APPLIED"]
    assert "DTM 010 2026-12-21 -> 2026-12-28" in moved and "DTM 010 range end 2026-12-30 -> 2027-01-05" in moved
    assert not [c for c, _m in found if c == "SHIPPED_OUTSIDE_WINDOW"]
    assert [s[1] for s in segments(ws, "wayfair", "997") if s[0] == "AK5"] == ["A", "A"]
    answers = segments(ws, "wayfair", "855")
    revised = answers[next(k for k, s in enumerate(answers) if s[:2] == ["BAK", "05"]):]
    assert ["DTM", "068", "20261228"] in revised and ["ACK", "IA", "6", "EA", "068", "20261228"] in revised
    assert ["BIG", "20270104", "INV0000001", "20261207", "WF8700301", "", "", "DI"] in segments(ws, "wayfair", "810")


def test_a_shipment_after_the_moved_range_is_outside_it(tmp_path):
    _ws, found, states = _changed_night(tmp_path, "2027-01-06")
    assert states == {("wayfair", "WF8700301"): "invoiced"}
    [told] = [m for c, m in found if c == "SHIPPED_OUTSIDE_WINDOW"]
    assert "left 2027-01-06" in told and "2027-01-05" in told


def test_a_cancel_date_already_past_when_read_holds_the_order_and_says_so(tmp_path):
    """Lowe's PO reaches us on 2026-12-08 with DTM 001 2026-12-05: the PO is accepted by its 997 (it is valid), held
    for a person with the date and today named (ask for an 860 or reject); no 855 promises a ship date."""
    ws, found, states = _variant("lowes", "LW8700101", tmp_path, [("DTM*001*20270104", "DTM*001*20261205")])
    [told] = _held_for(found, states, ("lowes", "LW8700101"), "CANCEL_DATE_PASSED")
    assert "DTM 001 (cancel after) 20261205 is before today 20261208" in told
    assert [s[1] for s in segments(ws, "lowes", "997") if s[0] == "AK5"] == ["A"]
    assert not list((ws.drop_root / "lowes" / "outbox").glob("lowes-855-*"))


@pytest.mark.parametrize("swap, code, told", [
    (("DTM*010*20261228", "DTM*010*20261201"), "SHIP_WINDOW_INCONSISTENT",
     "DTM 010 (requested ship) 20261201 is before the PO date 20261207."),
    (("DTM*002*20270106", "DTM*002*20261220"), "SHIP_WINDOW_INCONSISTENT",
     "DTM 010 (requested ship) 20261228 is after DTM 002 (delivery requested) 20261220."),
], ids=["ship-before-the-po-date", "delivery-before-the-ship-date"])
def test_lowes_dates_that_contradict_each_other_hold_the_order_naming_both(swap, code, told, tmp_path):
    ws, found, states = _variant("lowes", "LW8700101", tmp_path, [swap])
    assert told in _held_for(found, states, ("lowes", "LW8700101"), code)
    assert [s[1] for s in segments(ws, "lowes", "997") if s[0] == "AK5"] == ["A"]


@pytest.mark.parametrize("swap, told", [
    (("DTM*037*20261224~", "DTM*010*20261222~\nDTM*037*20261224~"),
     "DTM 037 (ship not before) 20261224 is after DTM 010 (requested ship) 20261222."),
    (("DTM*038*20261231", "DTM*038*20261220"),
     "DTM 037 (ship not before) 20261224 is after DTM 038 (ship no later) 20261220."),
    (("DTM*063*20270108", "DTM*063*20261230"),
     "DTM 064 (do not deliver before) 20270102 is after DTM 063 (do not deliver after) 20261230."),
], ids=["010-before-037", "038-before-037", "063-before-064"])
def test_home_depot_windows_that_cannot_be_met_hold_the_order_naming_both(swap, told, tmp_path):
    _ws, found, states = _variant("homedepot", "HD8700401", tmp_path, [swap])
    assert told in _held_for(found, states, ("homedepot", "HD8700401"), "SHIP_WINDOW_INCONSISTENT")


def test_a_century_the_buyer_states_is_taken_as_stated(tmp_path):
    """True Value's DTM05 is the century of its YYMMDD DTM02 (003040's layout): 19 with 270108 is 1927-01-08, a
    cancel date long past: held and said in CCYYMMDD, never read as 2027."""
    ws, found, states = _variant("truevalue", "TV8700201", tmp_path, [("DTM*001*270108***20", "DTM*001*270108***19")])
    [told] = _held_for(found, states, ("truevalue", "TV8700201"), "CANCEL_DATE_PASSED")
    assert "DTM 001 (cancel after) 19270108 is before today 20261208" in told
    assert not list((ws.drop_root / "truevalue" / "outbox").glob("truevalue-855-*"))


def test_a_window_across_the_year_end_ships_inside_it(tmp_path):
    """The Home Depot's window 2026-12-28 - 2027-01-04: the 855 promises its opening, a shipment 2027-01-02 is inside
    it (no finding), dated 20270102 on the 856 and 810."""
    ws, found, states = _variant(
        "homedepot", "HD8700401", tmp_path, [("DTM*037*20261224", "DTM*037*20261228"),
                                             ("DTM*038*20261231", "DTM*038*20270104")],
        shipped_swaps=[("2026-12-29", "2027-01-02")], ship_day=datetime(2027, 1, 2, 6, 45))
    assert states == {("homedepot", "HD8700401"): "invoiced"} and not found
    assert ["ACK", "IA", "10", "CA", "068", "20261228"] in segments(ws, "homedepot", "855")
    assert ["DTM", "011", "20270102", "0630"] in segments(ws, "homedepot", "856")
    assert ["DTM", "011", "20270102"] in segments(ws, "homedepot", "810")



@pytest.mark.parametrize("partner, po, shipped, told", [
    ("homedepot", "HD8700401", "2026-12-22", "left 2026-12-22, before its DTM 037 (ship not before) 2026-12-24"),
    ("lowes", "LW8700101", "2027-01-05", "left 2027-01-05, after its DTM 001 (cancel after) 2027-01-04"),
], ids=["before-the-window-opens", "after-the-cancel-date"])
def test_a_shipment_outside_the_buyer_s_dates_is_sent_and_told(partner, po, shipped, told, tmp_path):
    """The goods left: the 856 and 810 go (dated the day they left), a person is told of the chargeback to expect."""
    ws, found, states = _variant(partner, po, tmp_path, shipped_swaps=[("2026-12-29", shipped)],
                                 ship_day=datetime.fromisoformat(shipped).replace(hour=6, minute=45))
    assert states == {(partner, po): "invoiced"}
    assert [(f[0], f[1]) for f in found] == [("SHIPPED_OUTSIDE_WINDOW", "warning")] and told in found[0][3]
    assert ["DTM", "011", shipped.replace("-", ""), "0630"] in segments(ws, partner, "856")


def test_a_po_with_no_ship_date_is_promised_the_night_it_came(tmp_path):
    """Lowe's PO without its DTMs: the 855 promises the night's date (the earliest we ship), BAK04 its BEG05."""
    ws, found, states = _variant("lowes", "LW8700101", tmp_path, [
        ("DTM*010*20261228~\n", ""), ("DTM*001*20270104~\n", ""), ("DTM*002*20270106*1700*ES~\n", "")])
    assert states == {("lowes", "LW8700101"): "invoiced"} and not found
    ack = po_segments(segments(ws, "lowes", "855"), "LW8700101", "BAK")
    assert ack[0][4] == "20261207" and [s for s in ack if s[0] in ("DTM", "ACK")] == [
        ["DTM", "068", "20261208"], ["ACK", "IA", "4", "CA", "068", "20261208"],
        ["ACK", "IA", "40", "EA", "068", "20261208"]]

LEAP = [("BEG*00*SA*HD8700401**20261207", "BEG*00*SA*HD8700401**20280222"), ("DTM*037*20261224", "DTM*037*20280225"),
        ("DTM*038*20261231", "DTM*038*20280229"), ("DTM*064*20270102", "DTM*064*20280302"),
        ("DTM*063*20270108", "DTM*063*20280308")]


@pytest.mark.parametrize("shipped, outside", [("2028-02-29", False), ("2028-03-01", True)],
                         ids=["on-the-leap-day", "the-day-after"])
def test_a_window_ending_on_a_leap_day(shipped, outside, tmp_path):
    """A window closing 2028-02-29: a shipment that day is inside it, one on 2028-03-01 outside (one day late, not
    two: the leap day is a day)."""
    ws, found, states = _variant("homedepot", "HD8700401", tmp_path, LEAP, night=datetime(2028, 2, 23, 2),
                                 shipped_swaps=[("2026-12-29", shipped)],
                                 ship_day=datetime.fromisoformat(shipped).replace(hour=6, minute=45))
    assert states == {("homedepot", "HD8700401"): "invoiced"}
    assert ["ACK", "IA", "10", "CA", "068", "20280225"] in segments(ws, "homedepot", "855")
    late = [m for c, _s, m in [(f[0], f[1], f[3]) for f in found] if c == "SHIPPED_OUTSIDE_WINDOW"]
    assert bool(late) == outside
    if outside:
        assert "left 2028-03-01, after its DTM 038 (ship no later) 2028-02-29" in late[0]


def test_a_day_the_calendar_does_not_have_is_no_date(tmp_path):
    """DTM*038*20270229 (2027 is no leap year): an element error (AK4 code 8, invalid date), never 2027-03-01."""
    path = FIXTURES / "drops" / "homedepot" / "HD850_HD8700401.x12"
    copy = tmp_path / path.name
    copy.write_bytes(recounted(path.read_bytes().replace(b"DTM*038*20261231", b"DTM*038*20270229")))
    import json

    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["inspect", "--json", str(copy)])
    seen = json.loads(result.output)
    assert [(f["code"], f["severity"]) for f in seen["findings"]] == [("ELEMENT_INVALID_DATE", "error")]
    [order] = seen["orders"]
    assert order["ship_no_later"] is None and order["ship_not_before"] == "2026-12-24"


# a ship window 2027-01-04 - 2027-01-08 and a delivery window 2027-01-06 - Monday 2027-01-11
CALENDAR = [("DTM*037*20261224", "DTM*037*20270104"), ("DTM*038*20261231", "DTM*038*20270108"),
            ("DTM*064*20270102", "DTM*064*20270106"), ("DTM*063*20270108", "DTM*063*20270111")]
BUSINESS_DAYS = [("[fulfilment.asn]\n", '[fulfilment.asn]\nestimated_delivery = true\ntransit_days = 2\n'
                                        'transit_business_days = true\n')]


def test_a_business_day_transit_moves_the_last_ship_day_and_the_estimated_delivery_past_the_weekend(tmp_path):
    """The Home Depot's DTM 063 (do not deliver after) Monday 2027-01-11 and two business days in transit: the last
    ship day is Thursday 2027-01-07 (by calendar days, Saturday the 9th). A shipment leaving Friday the 8th
    arrives Tuesday the 12th, a day late (SHIPPED_OUTSIDE_WINDOW), and its 856's DTM 017 says Tuesday, not
    Sunday the 10th."""
    ws, found, states = _variant(
        "homedepot", "HD8700401", tmp_path, CALENDAR, shipped_swaps=[("2026-12-29", "2027-01-08")],
        ship_day=datetime(2027, 1, 8, 6, 45), profile_swaps=BUSINESS_DAYS)
    assert states == {("homedepot", "HD8700401"): "invoiced"}
    [late] = [f[3] for f in found if f[0] == "SHIPPED_OUTSIDE_WINDOW"]
    assert "2027-01-07" in late
    assert ["DTM", "017", "20270112"] in segments(ws, "homedepot", "856")


def _csv_orders(rows: str, fmt: str):
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    text = "PO Number,PO Date,SKU,Quantity,Ship Date,Cancel\r\n" + rows
    return read_csv_orders(text.encode(), CsvOrderMapping(date_format=fmt, requested_ship_date="Ship Date",
                                                          cancel_after="Cancel"), partner="p", file="f.csv")


def test_a_csv_date_in_a_run_together_layout_short_of_a_digit_is_refused_not_guessed():
    """A buyer's feed whose layout writes dates as %Y%m%d (a WMS or ERP export: 20270105): "2027105" is 2027-1-05 or
    2027-10-5. strptime took one digit for the month's or the day's zero and read it 2027-10-05, a ship date nine
    months out, promised without a word. Now a date in a format whose fields run together counts only as written
    in it (parsers.csv_common._parsed, as X12's CCYYMMDD is read): CSV_DATE_INVALID names the cell, the PO left out;
    the whole dates of the same layout read as ever."""
    got = _csv_orders("P1,20261207,VP-1,2,2027105,20270120\r\nP2,20261207,VP-1,2,20270105,20270120\r\n", "%Y%m%d")
    [bad] = [f for f in got.findings if f.code == "CSV_DATE_INVALID"]
    assert "'2027105'" in bad.message and "'%Y%m%d'" in bad.message
    assert got.orders.select(["po_number", "requested_ship_date", "cancel_after"]).to_pylist() == [
        {"po_number": "P2", "requested_ship_date": date(2027, 1, 5), "cancel_after": date(2027, 1, 20)}]


@pytest.mark.parametrize("fmt, ship, cancel", [
    ("%d/%m/%Y", date(2027, 2, 1), date(2027, 2, 28)),  # a Canadian or UK buyer's day first
    ("%m/%d/%Y", date(2027, 1, 2), None),  # a US buyer's month first: 28/02/2027 has no month 28
], ids=["day-first", "month-first"])
def test_01_02_2027_is_the_date_the_layout_says_and_a_day_impossible_in_it_is_a_finding(fmt, ship, cancel):
    """The same cells read by the layout's form alone: 01/02/2027 is 1 February day first, 2 January month first;
    28/02/2027 cannot be month first (CSV_DATE_INVALID, with the hint that it reads day first), never swapped."""
    got = _csv_orders("P1,01/02/2027,VP-1,2,01/02/2027,28/02/2027\r\n", fmt)
    if cancel is None:
        [bad] = [f for f in got.findings if f.code == "CSV_DATE_INVALID"]
        assert "'28/02/2027'" in bad.message and "%d/%m/%Y" in bad.message
        assert got.orders.num_rows == 0
        return
    assert got.findings == []
    assert got.orders.select(["po_date", "requested_ship_date", "cancel_after"]).to_pylist() == [
        {"po_date": ship, "requested_ship_date": ship, "cancel_after": cancel}]
