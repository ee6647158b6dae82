"""A POC loop's own DTM 010 (the line's new requested ship date: `POC*1*CT` then `DTM*010*20261218`, or beside
a QD) is kept as the line's (ORDER_LINES requested_ship_date) and applied as a heading DTM 010 is to the order: the line
is decided again and its ACK 068 (the 855's, and the 865's answering the change) says the day it now ships. It
used to be acknowledged with the order's day (the 865 IA without a date, a revised 855 with the old 068) and a
CHANGE_DATES_NOT_STORED / CHANGE_LINE_DATES_NOT_APPLIED warning for a person to pass it on
(docs/lifecycle.md "What an 860 asks, line by line")."""

from __future__ import annotations

from datetime import date

import pytest

from tests import test_change_after_shipment as after
from tests.test_change_orders import docs
from tests.test_change_repeat_dates import _line_dates
from tests.test_change_units_860 import _answered_by_865s, _changed, _findings, _ordered

shipped_base = after.shipped_base  # night 1 and day 1's shipments (the module's fixture, made once)
PO1 = ["PO1*1*2*CA*470.40*PE*UP*614141100248", "PO1*2*24*EA*39.20*PE*UP*614141100248"]


def _stored_ship_dates(ws) -> dict[int, date | None]:
    return _line_dates(ws, "requested_ship_date")


@pytest.mark.parametrize("pocs", [["POC*1*CT**2*CA", "DTM*010*20261218"],
                                  ["POC*1*QD*1**CA", "DTM*010*20261218"]])
def test_a_line_ship_date_under_a_poc_is_kept_and_echoed_in_the_865(tmp_path, pocs):
    """ACME's PO-1 (ship date 12-10), answered by 865s: the POC for line 1 moves its ship date to 12-18. The 865
    says the line ships 12-18 (ACK04 068, ACK05), line 2 is not in the change; the line keeps its date."""
    ws = _ordered(tmp_path, PO1)
    _answered_by_865s(ws)
    _changed(ws, pocs)
    (_p, _bca, acks), = docs(ws, "865")["PO-1"]
    quantity = "2" if pocs[0].startswith("POC*1*CT") else "1"
    assert [a[:5] for a in acks] == [["IA" if quantity == "2" else "IQ", quantity, "CA", "068", "20261218"]], acks
    assert "CHANGE_DATES_NOT_STORED" not in _findings(ws)
    assert "CHANGE_LINE_DATES_NOT_APPLIED" not in _findings(ws)
    assert _stored_ship_dates(ws) == {1: date(2026, 12, 18), 2: None}


def test_a_revised_855_says_the_line_ships_on_its_own_new_date(tmp_path):
    """ACME answered by revised 855s: line 1's ACK 068 says 12-18, line 2 keeps the order's 12-10."""
    ws = _ordered(tmp_path, PO1)
    _changed(ws, ["POC*1*CT**2*CA", "DTM*010*20261218"])
    first, revised = docs(ws, "855")["PO-1"]
    assert [a[3:5] for a in first[2]] == [["068", "20261210"], ["068", "20261210"]]
    assert revised[0] == "05" and [a[3:5] for a in revised[2]] == [["068", "20261218"], ["068", "20261210"]], revised


def test_a_line_ship_date_for_an_order_that_shipped_is_left_to_a_person(shipped_base, tmp_path):
    """GLOBEX-2001 (48 ordered, 24 shipped) is not decided again after shipment: a CT moving line 1's ship date is
    acknowledged as the line stands (865 IA, no date) and a CHANGE_DATES_NOT_STORED warning says the date was not
    applied, for a person to pass on (as a heading's new ship date after shipment is, CHANGE_HEADER_NOT_APPLIED)."""
    import shutil

    from bench.synth_850 import change_order, interchange
    from flows.workspace import open_workspace
    from tests.test_change_after_shipment import NIGHT1, NIGHT2, PROFILES, answer, run_stages

    shutil.copytree(shipped_base, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    x = PROFILES["globex"].x12
    body = change_order("GLOBEX-2001", [["1", "CT", "48", "", "EA"]], po_date=NIGHT1.date())
    body.insert(2, ["DTM", "010", "20261218"])
    (ws.drop_root / "globex" / "inbox" / "change.x12").write_bytes(interchange(
        sender=(x.their_qualifier, x.their_id), receiver=(x.our_qualifier, x.our_id),
        gs_ids=(x.their_gs_id, x.our_gs_id), version=x.version, d=x.delimiters.to_delimiters(), when=NIGHT2.date(),
        isa13=2301, set_id="860", functional_id="PC", bodies=[body]))
    _results, run = run_stages(ws, NIGHT2)
    assert answer(ws, "globex") == ("AD", [("1", "CT", "IA", "48")])
    (found,) = [f for f in run.findings if f.code == "CHANGE_DATES_NOT_STORED"]
    assert "2026-12-18 (DTM 010)" in found.message and "has shipped" in found.message, found.message


def test_a_replace_all_dates_poc_keeps_the_ship_date_and_names_a_date_it_does_not_keep(tmp_path):
    """RB (replace all dates) with the line's DTM 010, DTM 002 and DTM 017: the ship date is kept (revised 855, ACK
    068 12-15 for line 1: the buyer's ship date, not the delivery date less a transit), so is the requested delivery
    date (ORDER_LINES requested_delivery_date); the estimated delivery date, which a line does not keep, is named by
    CHANGE_LINE_DATES_NOT_APPLIED for a person to pass on. All used to be left to a person
    (CHANGE_DATES_NOT_STORED), the 865 IA undated; the delivery date was named until rg71 (an electronics buyer's
    reschedule by DTM 002 alone: tests/test_rg71_electronic_components.py)."""
    ws = _ordered(tmp_path, PO1)
    _changed(ws, ["POC*1*RB", "DTM*010*20261215", "DTM*002*20261218", "DTM*017*20261219"])
    _first, revised = docs(ws, "855")["PO-1"]
    assert revised[0] == "05" and [a[3:5] for a in revised[2]] == [["068", "20261215"], ["068", "20261210"]], revised
    assert "CHANGE_LINE_DATES_NOT_APPLIED" in _findings(ws) and "CHANGE_DATES_NOT_STORED" not in _findings(ws)
    assert _line_dates(ws, "requested_delivery_date") == {1: date(2026, 12, 18), 2: None}
