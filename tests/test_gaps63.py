"""Gaps left by session 62 (dates4, resend2):

1. A ship window's opening that came from a DTM 010 range is named as that range even where the requested ship date
   no longer is the range's first day (schemas.ship_windows.RANGE_START, range_start): a POC or an 860 heading moving
   the DTM 010 to a single day with no window of its own, and an 850 whose heading sends its own single DTM 010 beside
   the range every PO1 loop sends. It used to be named DTM 037, a date the buyer did not send.
2. "The ship window ... is longer than N days" names the window's dates as sent (DTM 037 / 038, or the DTM 010 range).
"""

from __future__ import annotations

from datetime import date, datetime

import pyarrow as pa

from engine.changes import apply_changes, heading_changes
from engine.deadlines import ship_date_findings
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from schemas.ship_windows import RANGE_START, window_named
from tests.changes.builders import read_change
from tests.support import GOOD_PO, x12_850

D = date
LINE_1 = "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1"
LINE_2 = "PO1*2*6*EA*10*PE*VN*SKU-2"
RANGE = "DTM*010****RD8*20261221-20261224"


def _with(po: list[str], swaps: dict[str, str]) -> list[str]:
    for old, new in swaps.items():
        assert old in po, old
        po = [new if s == old else s for s in po]
    return [s for seg in po for s in seg.split("~") if s]


def _read(po: list[str], lines: bool = True):
    result = read_interchanges(x12_850(po), file="acme-po.x12")
    sets = [s for s in result.transaction_sets() if s[2].set_id == "850"]
    return read_orders(result, sets, partner="acme", source_sha256="po-sha", lines=lines)


def _shipped(day: date, line: int | None = 1) -> pa.Table:
    cols = {"shipment_id": ["S1"], "partner": ["acme"], "po_number": ["PO-1"], "ship_date": [day]}
    return pa.table({**cols, "line_number": [line]} if line is not None else cols)


def _early(orders: pa.Table, lines: pa.Table | None = None) -> str:
    [f] = ship_date_findings(_shipped(D(2026, 12, 20), None if lines is None else 1), orders, lines)
    return f.finding.message


# 1. ----------------------------------------------------------------------------------------------------------------
def test_a_poc_moving_a_line_s_range_to_a_single_day_leaves_its_opening_named_as_the_range():
    orders, lines = _read(_with(GOOD_PO, {LINE_1: f"{LINE_1}~{RANGE}"}))
    order = orders.to_pylist()[0]
    header, changes = read_change(["POC*1*CT*12*12*EA", "DTM*010*20261222"])
    result = apply_changes(order, lines, header, changes, shipped=False)
    one = result.new_lines.to_pylist()[0]
    assert (one["requested_ship_date"], one["ship_not_before"], one["ship_no_later"], one["requested_ship_end"],
            one[RANGE_START]) == (D(2026, 12, 22), D(2026, 12, 21), D(2026, 12, 24), D(2026, 12, 24),
                                  D(2026, 12, 21))
    said = _early(orders, result.new_lines)
    assert "before its DTM 010 (requested ship range start, line 1) 2026-12-21" in said and "037" not in said, said
    # a later range ends it (its first day is the DTM 010 sent), as does a single day with a window of its own
    for pocs, start in ((["POC*1*CT*12*12*EA", "DTM*010****RD8*20261228-20261231"], D(2026, 12, 28)),
                        (["POC*1*CT*12*12*EA", "DTM*010*20261228", "DTM*037*20261227", "DTM*038*20261230"], None)):
        header, changes = read_change(pocs)
        moved = apply_changes(order, result.new_lines, header, changes, shipped=False).new_lines.to_pylist()[0]
        assert moved[RANGE_START] is None
        assert window_named("ship_not_before", "037", "ship not before", moved)[0] == ("010" if start else "037")


def test_an_860_heading_moving_the_order_s_range_to_a_single_day_leaves_its_opening_named_as_the_range():
    orders, _lines = _read(_with(GOOD_PO, {"DTM*010*20261210": RANGE}))
    order = orders.to_pylist()[0]
    changed = heading_changes(order, {"requested_ship_date": D(2026, 12, 22)})
    assert changed == {"requested_ship_date": D(2026, 12, 22), RANGE_START: D(2026, 12, 21)}
    now = {**order, **changed}
    said = _early(pa.Table.from_pylist([now]))
    assert "before its DTM 010 (requested ship range start) 2026-12-21" in said and "037" not in said, said
    # what status shows names it so too
    from flows.status_view import ORDER_DATES, _named

    assert ("ship_not_before", "010", "requested ship range start") in _named(ORDER_DATES, now)
    # the range sent again: its first day is the DTM 010's, the start no longer kept apart
    again = heading_changes(now, {"requested_ship_date": D(2026, 12, 21), "ship_not_before": D(2026, 12, 21),
                                  "ship_no_later": D(2026, 12, 24), "requested_ship_end": D(2026, 12, 24)})
    assert again[RANGE_START] is None


def test_a_heading_s_own_single_day_beside_the_lines_range_leaves_the_opening_named_as_the_range():
    po = _with(GOOD_PO, {LINE_1: f"{LINE_1}~{RANGE}", LINE_2: f"{LINE_2}~{RANGE}"})
    orders, _lines = _read(po)
    order = orders.to_pylist()[0]
    assert (order["requested_ship_date"], order["ship_not_before"], order["ship_no_later"],
            order["requested_ship_end"], order[RANGE_START]) == (
        D(2026, 12, 10), D(2026, 12, 21), D(2026, 12, 24), D(2026, 12, 24), D(2026, 12, 21))
    assert _read(po, lines=False)[0].to_pylist()[0] == order  # inspect reads the same
    said = _early(orders)
    assert "before its DTM 010 (requested ship range start) 2026-12-21" in said and "037" not in said, said
    from rules.business import check_dates
    from schemas.rule_settings import RuleSettings

    found = [f.message for f in check_dates(orders, today=D(2026, 11, 27), settings=RuleSettings())
             if f.code == "SHIP_WINDOW_INCONSISTENT"]
    assert found == ["DTM 010 (requested ship range start) 20261221 is after DTM 010 (requested ship) 20261210."], \
        found
    # the lines' range with no heading DTM 010 begins on the order's requested ship date: nothing kept apart
    orders, _lines = _read([s for s in po if s != "DTM*010*20261210"])
    assert orders.to_pylist()[0][RANGE_START] is None


# 2. ----------------------------------------------------------------------------------------------------------------
def _too_long(po: list[str], lines: bool = False) -> list[str]:
    from rules.business import check_dates, check_line_windows
    from schemas.rule_settings import RuleSettings

    orders, order_lines = _read(po)
    settings = RuleSettings(ship_window_max_days=10)
    found = check_line_windows(orders, order_lines, today=D(2026, 11, 27), settings=settings) if lines else \
        check_dates(orders, today=D(2026, 11, 27), settings=settings)
    return [f.message for f in found if "longer than" in f.message]


def test_a_window_too_long_is_named_by_the_dates_sent():
    assert _too_long(_with(GOOD_PO, {"DTM*010*20261210": "DTM*010****RD8*20261210-20270110"})) == [
        "The ship window DTM 010 (requested ship range start) 20261210 .. DTM 010 (requested ship range end) "
        "20270110 is longer than 10 days."]
    assert _too_long(_with(GOOD_PO, {"DTM*010*20261210": "DTM*037*20261201~DTM*038*20270110"})) == [
        "The ship window DTM 037 (ship not before) 20261201 .. DTM 038 (ship no later) 20270110 is longer than 10 "
        "days."]
    assert _too_long(_with(GOOD_PO, {LINE_1: f"{LINE_1}~DTM*010****RD8*20261212-20270110"}), lines=True) == [
        "Line 1: its ship window, its DTM 010 (requested ship range start) 20261212 .. its DTM 010 (requested ship "
        "range end) 20270110, is longer than 10 days."]


# 3. ----------------------------------------------------------------------------------------------------------------
def test_a_renumbered_resend_is_one_envelope_everywhere_and_status_shows_both_sendings(tmp_path):
    """INV0000002 (ISA13 8, GS06 7, ST02 0007) sent again under new numbers, and ACME's 997 accepting the resend: the
    set's verdict row (sent_sets_of) and our invoiced lines (fulfilment_lines) carry the same envelope, its numbers,
    file and time, the resend's (docs/state-store.md, resends); the lines used to keep the first sending's file and
    time beside the resend's numbers. `status` shows the partner's answer to the resend with the first sending and
    the resend both (it looked the verdict up under the first sending's numbers, and showed none)."""
    import json

    from connectors.state import StateStore
    from tests.test_resend import ACME_810, cli, outbox, resend, shipping_demo
    from tests.test_resend2 import ACME_RESENT, _997, _night

    ws = shipping_demo(tmp_path / "ws")["ws"]
    (outbox(ws) / ACME_810).unlink()
    done = resend(ws, "--isa", "8", "--new-control-numbers", "--now", "2026-11-29T09:00:00")
    assert done.exit_code == 0, done.output
    _997(ws, "12", "A", "acme-997-accepts-resend.x12", 8101)
    _night(ws, datetime(2026, 11, 30, 2), "n4")
    state = StateStore(ws.state_path)
    try:
        [sent] = [r for r in state.sent_sets_of(["810"], "acme").to_pylist() if r["st02"] == "0007"]
        billed = {(r["isa13"], r["gs06"], r["file"], r["sent_at"])
                  for r in state.fulfilment_lines().to_pylist() if r["document_ref"] == "INV0000002"}
    finally:
        state.close()
    assert (sent["isa13"], sent["gs06"], sent["file"]) == ("000000013", "12", ACME_RESENT), sent
    assert billed == {(sent["isa13"], sent["gs06"], sent["file"], sent["sent_at"])}, (billed, sent)
    shown = cli(ws, "status", "ACME-1001", "--partner", "acme", "--json")
    assert shown.exit_code == 0, shown.output
    [ack] = [a for a in json.loads(shown.output)["partner_acks"] if (a["type"], a["st02"]) == ("810", "0007")]
    assert (ack["isa13"], ack["gs06"], ack["file"], ack["status"]) == ("000000013", "12", ACME_RESENT, "accepted")
    assert (ack["first_sent"]["isa13"], ack["first_sent"]["gs06"], ack["first_sent"]["file"]) == (
        "000000008", "7", ACME_810), ack
    text = " ".join(cli(ws, "status", "ACME-1001", "--partner", "acme").output.split())
    assert f"first sent as {ACME_810} (ISA13 000000008 GS06 7" in text, text
