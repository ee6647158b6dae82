"""A BCH01 07 (duplicate) or 06 (confirmation) 860 is recognised as a repeat of a change applied before by what
it asks (engine.changes.change_fingerprint). A POC loop's own dates (DTM 010 ship requested, 001 cancel after,
063 / 064 do not deliver after / before) are applied to the line: a 07 or 06 that resends the change with one
line's date corrected is a new change, applied and answered. It used to be read as the same change (the
fingerprint left the line dates out): CHANGE_REPEAT, nothing sent, the corrected date silently dropped. An
identical resend is still a repeat: nothing changed, nothing sent."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from connectors.order_store import OrderStore
from connectors.state import StateStore
from tests.support import run_stages
from tests.test_change_orders import docs
from tests.test_change_units_860 import _answered_by_865s, _changed, _findings, _ordered, x12_860

NIGHT3 = datetime(2026, 11, 29, 2)
PO1 = ["PO1*1*2*CA*470.40*PE*UP*614141100248", "PO1*2*24*EA*39.20*PE*UP*614141100248"]


def _line_dates(ws, column: str) -> dict[int, date | None]:
    state = StateStore(ws.state_path)
    try:
        record = state.order("acme", "PO-1")
    finally:
        state.close()
    _orders, lines = OrderStore(ws.orders_dir).load("acme", record.lines_key)
    return dict(zip(lines["line_number"].to_pylist(), lines[column].to_pylist(), strict=True))


def _resent(ws, purpose: str, pocs: list[str]):
    """The change again in a later file (its own envelope), with BCH01 ``purpose``, run the next night."""
    body = [f"BCH*{purpose}*SA*PO-1***20261127", *pocs, f"CTT*{sum(s.startswith('POC') for s in pocs)}"]
    (ws.drop_root / "acme" / "inbox" / "again.x12").write_bytes(x12_860(body, control=2901))
    return run_stages(ws, NIGHT3)


def _acks(ws) -> list[list[list[str]]]:
    return [acks for _p, _bca, acks in docs(ws, "865").get("PO-1", [])]


@pytest.mark.parametrize("purpose", ["07", "06"])
def test_a_repeat_that_moves_a_line_s_ship_date_is_applied(tmp_path, purpose):
    """PO-1 line 1's ship date moved to 12-18 by an 860 (865 ACK 068 12-18); a 07/06 of it a night later says
    12-22 under the same POC: the line now ships 12-22, and a second 865 says so."""
    ws = _ordered(tmp_path, PO1)
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*CT**2*CA", "DTM*010*20261218"])
    assert _line_dates(ws, "requested_ship_date") == {1: date(2026, 12, 18), 2: None}
    _resent(ws, purpose, ["POC*1*CT**2*CA", "DTM*010*20261222"])
    assert _line_dates(ws, "requested_ship_date") == {1: date(2026, 12, 22), 2: None}
    first, second = _acks(ws)
    assert [a[3:5] for a in first] == [["068", "20261218"]] and [a[3:5] for a in second] == [["068", "20261222"]]
    assert _findings(ws).count("CHANGE_REPEAT") == 1  # applied as a change, the warning says so


@pytest.mark.parametrize(("dtm", "column"), [("001", "cancel_after"), ("063", "do_not_deliver_after")])
def test_a_repeat_that_moves_a_line_s_last_date_is_applied(tmp_path, dtm, column):
    """A corrected cancel-after (or do-not-deliver-after) date for line 2, resent as a 07: the line keeps the new
    date (its backorder is held against it), and the change is answered."""
    ws = _ordered(tmp_path, PO1)
    _answered_by_865s(ws)
    _changed(ws, ["POC*2*CT**24*EA", f"DTM*{dtm}*20261220"])
    assert _line_dates(ws, column) == {1: None, 2: date(2026, 12, 20)}
    _resent(ws, "07", ["POC*2*CT**24*EA", f"DTM*{dtm}*20261224"])
    assert _line_dates(ws, column) == {1: None, 2: date(2026, 12, 24)}
    assert len(_acks(ws)) == 2


@pytest.mark.parametrize("pocs", [["POC*1*CT**2*CA", "DTM*010*20261218"],
                                  ["POC*2*CT**24*EA", "DTM*001*20261220"]])
def test_an_identical_repeat_is_still_one(tmp_path, pocs):
    """The same change resent word for word as a 07: nothing changed, nothing sent, CHANGE_REPEAT names it."""
    ws = _ordered(tmp_path, PO1)
    _answered_by_865s(ws)
    _changed(ws, pocs)
    state = StateStore(ws.state_path)
    try:
        lines, revision = state.order_lines("acme", "PO-1"), state.order("acme", "PO-1").revision
    finally:
        state.close()
    _resent(ws, "07", pocs)
    state = StateStore(ws.state_path)
    try:
        assert state.order_lines("acme", "PO-1") == lines and state.order("acme", "PO-1").revision == revision
        (repeat,) = [f for f in state.findings(partner="acme", po_number="PO-1") if f["code"] == "CHANGE_REPEAT"]
    finally:
        state.close()
    assert "change.x12" in repeat["message"] and "nothing changed, nothing sent" in repeat["message"]
    assert len(_acks(ws)) == 1


def test_the_fingerprint_sees_every_line_date_and_the_store_split():
    from engine.changes import change_fingerprint
    from tests.changes.builders import read_change

    base = ["POC*1*CT**2*CA"]
    prints = {change_fingerprint(*read_change(base + extra, purpose="07")) for extra in (
        [], ["DTM*010*20261218"], ["DTM*010*20261222"], ["DTM*001*20261220"], ["DTM*063*20261220"],
        ["DTM*064*20261220"], ["SDQ*CA*92*0001*1*0002*1"], ["SDQ*CA*92*0001*2"])}
    assert len(prints) == 8
    same = change_fingerprint(*read_change(base + ["DTM*010*20261218"], purpose="04"))
    assert same == change_fingerprint(*read_change(base + ["DTM*010*20261218"], purpose="07"))
