"""A PO that asks no ship date (no DTM 010) and gives a delivery window (DTM 064 do not deliver before, 063 do not
deliver after): its 855's ACK 068 (current schedule ship) used to be the run's day, whatever the window, so the
goods were promised to leave three weeks before the dock would take them. With the partner's transit time known
(`[fulfilment.asn] transit_days`) the order ships the window's opening less the days in transit
(engine.answer.first_ship_day): arriving when the window opens, never later than DTM 063 allows. Without one, the
run's day stays (the earliest we ship, never later than the window allows: the opening day itself would already be
late for a one-day window). A requested ship date (DTM 010) is the buyer's own schedule and stays as it was."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from connectors.state import StateStore
from engine.answer import first_ship_day
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)
WINDOW = ["DTM*064*20261221", "DTM*063*20261223"]
LINES = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "CTT*2*22"]  # the demo's items


def _acme_855(tmp_path, dates: list[str], transit: int | None, lines: list[str] = LINES) -> list[tuple]:
    """ACME's PO-1 (GOOD_PO's heading with ``dates`` in place of its DTM 010, two demo items), its profile's
    transit_days ``transit``: the ACKs of its 855 (status, quantity, ACK04, ACK05)."""
    ws = make_workspace(tmp_path / "ws", partners=())
    if transit is not None:
        toml = ws.root / "partners" / "acme.toml"
        text = toml.read_text()
        assert "[fulfilment.asn]\n" in text
        toml.write_text(text.replace("[fulfilment.asn]\n", f"[fulfilment.asn]\ntransit_days = {transit}\n", 1))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    body = [GOOD_PO[0], GOOD_PO[1], *dates, *GOOD_PO[3:6], *lines]
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        assert state.order("acme", "PO-1").state == "acknowledged"
    finally:
        state.close()
    [(_bak01, _bak02, acks)] = docs(ws, "855")["PO-1"]
    return acks


def _dates(acks) -> set:
    return {a[-1] for a in acks}


@pytest.mark.parametrize("transit, day", [(3, "20261218"), (0, "20261221"), (None, "20261127")])
def test_a_delivery_window_without_a_ship_date_ships_its_opening_less_the_days_in_transit(tmp_path, transit, day):
    acks = _acme_855(tmp_path, WINDOW, transit)
    assert _dates(acks) == {day}, acks


def test_a_requested_ship_date_stays_the_buyer_s_schedule(tmp_path):
    acks = _acme_855(tmp_path, ["DTM*010*20261210", *WINDOW], 3)
    assert _dates(acks) == {"20261210"}, acks


def test_first_ship_day():
    opens, before = date(2026, 12, 14), date(2026, 12, 21)
    assert first_ship_day(None, None, before, 3) == date(2026, 12, 18)
    assert first_ship_day(None, None, before, None) is None  # no transit time: the window dates no ship day
    assert first_ship_day(None, date(2026, 12, 19), before, 3) == date(2026, 12, 19)  # never before 037
    assert first_ship_day(None, opens, before, 3) == date(2026, 12, 18)
    assert first_ship_day(date(2026, 12, 10), None, before, 3) == date(2026, 12, 10)  # DTM 010: as asked
    assert first_ship_day(None, opens, None, 3) == opens
    assert first_ship_day(None, None, None, 3) is None
    asked = date(2026, 12, 22)  # DTM 002 delivery requested, no ship date: as the window's opening, in it
    assert first_ship_day(None, None, None, 3, asked) == date(2026, 12, 19)
    assert first_ship_day(None, None, None, None, asked) is None  # no transit time: the date dates no ship day
    assert first_ship_day(None, None, before, 3, asked) == date(2026, 12, 19)  # the date asked, in the window
    assert first_ship_day(None, None, before, 3, date(2026, 12, 1)) == date(2026, 12, 18)  # never before it opens
    assert first_ship_day(date(2026, 12, 10), None, None, 3, asked) == date(2026, 12, 10)  # DTM 010: as asked
    assert first_ship_day(None, date(2026, 12, 20), None, 3, asked) == date(2026, 12, 20)  # never before 037


def test_a_line_s_own_delivery_window_dates_its_ship_day_as_the_order_s_does(tmp_path):
    """Line 2 of a PO without a ship date or window of its own sends its own DTM 064 (do not deliver before) in its
    PO1 loop: with a transit time of 3 days it ships its window's opening less 3 (12-23 - 3 = 12-20), line 1 (none)
    the run's day; and a line whose own ship window (DTM 037) opens before its order's delivery window less the
    transit ships no earlier than the order's day (12-18), as the order does."""
    lines = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "DTM*064*20261223", "CTT*2*22"]
    acks = _acme_855(tmp_path / "own", [], 3, lines)
    assert [a[-1] for a in acks] == ["20261127", "20261220"], acks
    lines = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "DTM*037*20261210", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "CTT*2*22"]
    acks = _acme_855(tmp_path / "opens", WINDOW, 3, lines)
    assert [a[-1] for a in acks] == ["20261218", "20261218"], acks


@pytest.mark.parametrize("transit, day", [(2, "20261216"), (None, "20261127")])
def test_a_requested_delivery_date_ships_that_day_less_the_days_in_transit(tmp_path, transit, day):
    """A PO asking no ship date but a delivery date (DTM 002: 1-800-Flowers's and perishables buyers' shape) used to
    be promised for the run's day whatever its partner's transit time: flowers asked for 12-18 were to leave 11-27.
    With a transit time of 2 days they ship 12-16; without one, the run's day stays (as for a window)."""
    acks = _acme_855(tmp_path, ["DTM*002*20261218"], transit)
    assert _dates(acks) == {day}, acks


def test_a_line_s_own_delivery_date_dates_its_ship_day(tmp_path):
    """Line 2 asks its own delivery date (DTM 002 in its PO1 loop): 12-23 less 3 days in transit, 12-20; line 1
    takes its order's (12-18 less 3: 12-15); a line's date before its order's window opens arrives when it opens."""
    lines = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "DTM*002*20261223", "CTT*2*22"]
    acks = _acme_855(tmp_path / "own", ["DTM*002*20261218"], 3, lines)
    assert [a[-1] for a in acks] == ["20261215", "20261220"], acks
    lines = ["PO1*1*10*EA*4.56*PE*VN*VP-1011", "PO1*2*12*EA*5.81*PE*VN*VP-1012", "DTM*002*20261201", "CTT*2*22"]
    acks = _acme_855(tmp_path / "early", WINDOW, 3, lines)
    assert [a[-1] for a in acks] == ["20261218", "20261218"], acks
