"""An 855 never goes out with a PO number BAK03 cannot hold (engine.ack_head_fit.head_unfit). BAK03 (data
element 324) holds 22 characters in 004010 and 005010; ACME's profile says 004010 and its translator sends one PO in
an 004030 group, whose lengths we do not check (x12.other_versions "common"), with a BEG03 of 29 characters. Its 855
used to carry BAK03 of 29 - an 855 the partner's translator refuses (AK4 code 5), the order unacknowledged. No 855
is sent for it: an ACK_NOT_SENT error says the PO cannot be acknowledged by 855 and why; the order is decided and
allocated as any, and the file's other POs are answered as before. (A CSV PO number too long for an 855 partner's
BAK03 is refused at intake: CSV_ID_TOO_LONG, tests/test_csv_ids_too_long.py.)"""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import po_segments, segments
from tests.support import REPO

NIGHT = datetime(2026, 11, 27, 2)
LONG = "ACME-100000000000000000000000"  # 29 characters


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from connectors.state import StateStore
    from tests.support import deliver_all, run_stages, shipping_workspace

    ws = shipping_workspace(tmp_path_factory.mktemp("bak03") / "ws")
    inbox = ws.drop_root / "acme" / "inbox"
    for path in inbox.iterdir():
        path.unlink()
    text = (REPO / "sample_files" / "drops" / "acme" / "acme-po-01.x12").read_text()
    assert "BEG*00*SA*ACME-1000**" in text and "*X*004010~" in text
    (inbox / "acme-long.x12").write_text(text.replace("BEG*00*SA*ACME-1000**", f"BEG*00*SA*{LONG}**")
                                         .replace("*X*004010~", "*X*004030~"))
    run_stages(ws, NIGHT)
    deliver_all(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings() if f["partner"] == "acme"]
        status = {po: (state.order("acme", po), state.order_history("acme", po)) for po in (LONG, "ACME-1001")}
    finally:
        state.close()
    shutil.rmtree(ws.root / "reports", ignore_errors=True)
    return ws, found, status


def test_no_855_carries_a_po_number_bak03_cannot_hold(night):
    from rules.outbound import validate_outbound

    ws = night[0]
    answers = segments(ws, "acme", "855")
    assert [s[3] for s in answers if s[0] == "BAK"] == ["ACME-1001"]
    assert po_segments(answers, "ACME-1001", "BAK")  # the file's other PO is answered as before
    files = sorted((ws.drop_root / "acme" / "outbox").glob("acme-855-*.x12"))
    assert files
    for path in files:
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name


def test_the_po_that_cannot_be_acknowledged_by_855_is_an_error_saying_why(night):
    _ws, found, _status = night
    [f] = [f for f in found if f["code"] == "ACK_NOT_SENT"]
    assert (f["severity"], f["po_number"], f["consequence"], f["segment_id"], f["element"]) == (
        "error", LONG, "no 855 sent", "BAK", "BAK03")
    assert "cannot be acknowledged by 855" in f["message"] and "29 characters" in f["message"]
    assert "BAK03 holds 22 in 004010" in f["message"]
    assert f["file"] == "acme-long.x12" and f["st02"] == "0001"  # the PO's own file and set
    assert any(g["code"] == "VALUE_TOO_LONG_TO_ECHO" and g["po_number"] == LONG for g in found)  # told at intake


def test_the_order_is_decided_and_its_story_says_no_855_was_sent(night):
    _ws, _found, status = night
    order, history = status[LONG]
    assert order is not None and str(order.state) == "acknowledged" and order.answered_with == ""
    notes = [e["note"] for e in history]
    assert any(n.startswith("no 855 sent: its PO number") for n in notes), notes
    assert status["ACME-1001"][0].answered_with == "855"
