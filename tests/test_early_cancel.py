"""A PO the buyer cancelled (860 BCH01 01) before its 850 arrived (rg99, "an early cancellation is lost").

McLane's cancelling 860 of MC7900501 (the rg79 change with BCH*01 and no POC) comes on 11-25, before the 850.
It waits for its 850 the partner's early_change_days (CHANGE_AWAITING_ORDER) and is refused on 11-27 as a change of
a PO we never received (CHANGE_ORDER_UNKNOWN, 865 RJ). The 850 comes late, on 11-28: it used to be taken (855 AD,
stock reserved, shipped and invoiced) though the buyer had cancelled it. It is held for a person now
(PO_CANCELLED_BEFORE_RECEIVED), the finding naming the 860 and its day; a person rejects it (855 RD) or, the buyer
confirming it still wants the goods, approves it. An 850 coming while the cancel still waits (11-26) is cancelled by
it the night it comes, as a change read before its 850 is applied: nothing reserved, nothing to ship."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import findings_and_states, of_its_own, segments
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg79"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
PO = "MC7900501"
CODE = "PO_CANCELLED_BEFORE_RECEIVED"


def _night(day: int) -> datetime:
    return datetime(2026, 11, day, 2)


def _cancel_860() -> str:
    """The rg79 McLane 860 made a cancel: BCH01 01, its POC and CTT taken out (SE 3)."""
    text = (FIXTURES / "drops" / "mclane" / "mclane-a-860-MC7900501.x12").read_text(encoding="utf-8")
    segs = [s for s in text.replace("\r", "").replace("\n", "").split("~") if s]
    segs = [s.replace("BCH*04*", "BCH*01*", 1).replace("SE*5*", "SE*3*", 1) for s in segs
            if not s.startswith(("POC*", "CTT*"))]
    assert any(s.startswith("BCH*01*SA*MC7900501") for s in segs) and "SE*3*79421" in segs
    return "~\n".join(segs) + "~\n"


def _workspace(tmp_path):
    ws = of_its_own(FIXTURES, tmp_path / "ws", drops={}, warehouses=WAREHOUSES)
    (ws.drop_root / "mclane" / "inbox" / "mclane-a-860-MC7900501.x12").write_text(_cancel_860(), encoding="utf-8")
    return ws


def _drop_850(ws) -> None:
    src = FIXTURES / "drops" / "mclane" / "mclane-b-850-MC7900501.x12"
    (ws.drop_root / "mclane" / "inbox" / src.name).write_bytes(src.read_bytes())


def _baks(ws) -> list[list[str]]:
    return [s for s in segments(ws, "mclane", "855") if s[0] == "BAK" and s[3] == PO]


def _order(ws):
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        return state.order("mclane", PO), state.order_reservations("mclane", PO)
    finally:
        state.close()


def _person(ws, verdict: str, *extra: str) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, [verdict, PO, "--partner", "mclane", "--by", "Pat Orders", *extra,
                                      "-w", str(ws.root)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def late_850(tmp_path):
    """The cancel taken 11-25, waited 11-26, refused 11-27; the 850 taken 11-28."""
    ws = _workspace(tmp_path)
    for day in (25, 26, 27):
        run_stages(ws, _night(day))
    found, _ = findings_and_states(ws, lambda f: (f["code"], f["po_number"], f["message"]))
    assert ("CHANGE_ORDER_UNKNOWN", PO) in {(c, p) for c, p, _m in found}  # refused on 11-27, as before
    _drop_850(ws)
    run_stages(ws, _night(28))
    return ws


def test_an_850_the_buyer_cancelled_before_it_came_is_held_for_a_person_not_filled(late_850):
    ws = late_850
    order, reservations = _order(ws)
    assert order.state.value == "held", order.state
    assert order.hold_codes == (CODE,)
    assert reservations == []  # nothing reserved for it
    assert not [b for b in _baks(ws) if b[1] == "00"]  # no 855 accepting it
    found, _ = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"], f["message"]))
    [(sev, msg)] = [(s, m) for c, s, p, m in found if c == CODE and p == PO]
    assert sev == "error"
    # the buyer's cancel named: its day, its control number (ST02) and file, and what a person does
    assert "dated 2026-11-24, received 2026-11-25" in msg and "control number 79421" in msg, msg
    assert "mclane-a-860-MC7900501.x12" in msg, msg
    assert "BCH01 01" in msg and "reject" in msg and "approve" in msg, msg


def test_a_person_rejects_it_and_the_buyer_is_answered_855_rd(late_850):
    ws = late_850
    _person(ws, "reject", "--reason", "the buyer cancelled it by 860 on 11-25")
    run_stages(ws, _night(29))
    order, _ = _order(ws)
    assert order.state.value == "rejected"
    assert [b[1:3] for b in _baks(ws)] == [["00", "RD"]], _baks(ws)


def test_a_person_approves_it_when_the_buyer_confirms_and_it_is_acknowledged(late_850):
    ws = late_850
    _person(ws, "approve")
    run_stages(ws, _night(29))
    order, _ = _order(ws)
    assert order.state.value not in ("held", "rejected", "cancelled"), order.state
    assert [b[1:3] for b in _baks(ws)][-1] in (["00", "AD"], ["00", "AC"]), _baks(ws)


def test_a_recheck_leaves_it_to_the_person(late_850):
    """No rule decides whether the buyer still wants it: a recheck (the rules pass) would clear it and the next night
    fill it; it is skipped, saying why, and stays held."""
    from typer.testing import CliRunner

    from flows.cli import app

    ws = late_850
    result = CliRunner().invoke(app, ["recheck", PO, "--partner", "mclane", "--by", "Pat Orders", "-w", str(ws.root)])
    assert result.exit_code == 3, result.output
    assert "skipped" in result.output and "cancelled the PO by an 860" in " ".join(result.output.split())
    run_stages(ws, _night(29))
    order, reservations = _order(ws)
    assert order.state.value == "held" and order.hold_codes == (CODE,) and reservations == []
    assert not _baks(ws)


def test_an_850_coming_while_its_cancel_waits_is_cancelled_by_it(tmp_path):
    ws = _workspace(tmp_path)
    run_stages(ws, _night(25))
    _drop_850(ws)
    run_stages(ws, _night(26))
    order, _ = _order(ws)
    assert order.state.value == "cancelled", order.state
    found, _ = findings_and_states(ws, lambda f: (f["code"], f["po_number"]))
    assert (CODE, PO) not in found and ("CHANGE_ORDER_UNKNOWN", PO) not in found
    assert not _baks(ws), _baks(ws)  # never acknowledged: its cancel answered by the 865 alone (AK)
    assert [s[1:4] for s in segments(ws, "mclane", "865") if s[0] == "BCA"] == [["00", "AK", PO]]


def test_an_850_after_a_refused_change_that_was_no_cancel_is_taken_as_before(tmp_path):
    """A refused 860 that changed a quantity (BCH01 04) says nothing of whether the buyer still wants the PO."""
    ws = of_its_own(FIXTURES, tmp_path / "ws", drops={"mclane": ["mclane-a-860-MC7900501.x12"]},
                    warehouses=WAREHOUSES)
    for day in (25, 26, 27):
        run_stages(ws, _night(day))
    _drop_850(ws)
    run_stages(ws, _night(28))
    order, _ = _order(ws)
    assert order.state.value != "held" and CODE not in order.hold_codes


def _records_and_changes(order_at: str, cancel_at: str, *, answered: int = 0):
    from schemas.lifecycle import OrderRecord, OrderState, StoredChange

    record = OrderRecord("mclane", PO, OrderState.RECEIVED, answered_revision=answered, received_at=order_at)
    change = StoredChange(7, "mclane", PO, "000007942-7942-79421", "sha", "mclane-a.x12", cancel_at, "refused")
    return [record], [change]


def _orders():
    import pyarrow as pa

    return pa.table({"partner": ["mclane"], "po_number": [PO], "source_file": ["mclane-b.x12"], "isa13": ["1"],
                     "gs06": ["1"], "st02": ["0001"], "segment_position": [3], "file_segment": [4]})


@pytest.mark.parametrize("purpose,held", [("01", True), ("17", True), ("04", False), ("05", False)])
def test_only_a_cancel_refused_before_the_order_came_holds_it(purpose, held):
    from datetime import date

    from engine.early_cancel import cancelled_before, cancels_before

    records, refused = _records_and_changes("2026-11-28T02:00:00", "2026-11-25T02:00:00")
    changes = cancels_before(records, refused)
    assert changes == refused
    header = {"purpose": purpose, "change_date": date(2026, 11, 24), "set_id": "860"}
    found = cancelled_before(_orders(), changes, {("mclane", "sha", "000007942-7942-79421"): header})
    assert [f.code for f in found] == ([CODE] if held else [])
    if held:
        [f] = found
        assert (f.location.segment_id, f.location.element, f.location.value) == ("BEG", "BEG03", PO)
        assert "control number 79421 (BCH01 " + purpose + ") dated 2026-11-24, received 2026-11-25" in f.message
        assert ("may be the reissue" in f.message) == (purpose == "17")


def test_a_cancel_after_the_order_or_an_order_answered_before_holds_nothing():
    from engine.early_cancel import cancels_before

    assert cancels_before(*_records_and_changes("2026-11-25T02:00:00", "2026-11-28T02:00:00")) == []
    assert cancels_before(*_records_and_changes("2026-11-28T02:00:00", "2026-11-25T02:00:00", answered=1)) == []
