"""860s after shipment for a partner answered by revised 855s that receives no 865 (change_ack = "855"): each
change is answered by a revised 855 (BAK01 05) of the order's lines as the change (and the run's backorder
allocation) left them, under its own doc key, numbered with the change answers. They used to get no answer at
all (an 865 only for a partner that receives one). The demo's night 1 and day 1 (tests.test_change_after_shipment)
with the partner's profile made one answered by 855s alone."""

from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.state import StateStore
from tests import test_change_after_shipment as base
from tests.support import run_stages
from tests.test_change_after_shipment import (
    NIGHT2,
    NIGHT3,
    _initech_3000_shipped,
    codes,
    lines,
    no_stock_on_night2,
    outbox,
    send_860,
)

shipped_base, ws = base.shipped_base, base.ws  # the night 1 and day 1 workspace, copied per test


def answered_by_855s(ws, partner: str) -> None:
    """The partner's profile without 865 in receives and with change_ack = "855"."""
    toml = ws.root / "partners" / f"{partner}.toml"
    text = toml.read_text().replace('"865", ', "", 1)
    if "change_ack" not in text:
        text = text.replace("receives = [", 'change_ack = "855"\nreceives = [', 1)
    toml.write_text(text)


def revised(ws, partner: str, po: str) -> list[list]:
    """The one revised 855 (BAK01 05) for ``po`` in the partner's outbox."""
    found = [doc for doc in outbox(ws, partner, "855") if any(r[0] == "BAK" and r[1] == "05" and r[3] == po
                                                              for r in doc)]
    assert len(found) == 1, found
    return found[0]


def acks(doc: list[list]) -> dict[str, list[tuple]]:
    """Per PO101, its PO102 and its ACKs (ACK01, ACK02, ACK05)."""
    out, line = {}, None
    for r in doc:
        if r[0] == "PO1":
            line = r[1]
            out[line] = [r[2]]
        elif r[0] == "ACK":
            out[line].append((r[1], r[2], r[5] if len(r) > 5 else None))
    return out


def test_a_raise_placed_after_shipment_is_answered_by_a_revised_855(ws):
    """ACME raises line 6 (5 shipped and invoiced) to 8; the 3 new units are reserved the same night. The revised
    855 states line 6 at 8, accepted, to ship (ACK 068 the order's ship day), the other lines as they stand; the order's
    history names it, and the change is answered."""
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "ACME-1001", [["6", "QI", "8", "", "EA"]])
    run_stages(ws, NIGHT2)
    assert outbox(ws, "acme", "865") == []
    doc = revised(ws, "acme", "ACME-1001")
    bak = next(r for r in doc if r[0] == "BAK")
    said = acks(doc)
    assert said["6"] == ["8", ("IA", "8", "20261210")], said
    state = StateStore(ws.state_path)
    try:
        six = lines(state, "acme", "ACME-1001")[6]
        history = state.order_history("acme", "ACME-1001")
    finally:
        state.close()
    assert (six.allocated, six.backordered, six.shipped) == (8, 0, Decimal(5))
    change = next(h for h in history if h["event"] == "change_reopened")
    assert change["document_id"] and f"855 {bak[2]}" in change["note"], change


def test_raised_units_refused_after_the_backorder_step_are_ir_in_the_revised_855(ws):
    """INITECH-3000 shipped and invoiced in full (6 + 24); INITECH (no backorder) raises line 2 to 30 the night the
    snapshot shows no SKU-1009 left: the 6 raised units are refused after the backorder step ran, and the revised
    855 says so (line 2: 24 accepted and shipped, 6 IR), not the 6 waiting."""
    answered_by_855s(ws, "initech")
    _initech_3000_shipped(ws, "1,2")
    no_stock_on_night2(ws, "SKU-1009")
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "30", "", "EA"]])
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_RAISE_NOT_BACKORDERED" in codes(run)
    assert outbox(ws, "initech", "865") == []
    said = acks(revised(ws, "initech", "INITECH-3000"))
    assert said["2"] == ["30", ("IA", "24", None), ("IR", "6", None)], said


def test_a_change_to_a_closed_order_refused_is_answered_by_a_revised_855(ws):
    """INITECH-3010 shipped, invoiced and closed: an 860 adding a line and raising line 4 is refused whole; the
    revised 855 restates the order as it stands (line 4 at the 24 shipped, accepted; no line 5)."""
    run_stages(ws, NIGHT2)
    answered_by_855s(ws, "initech")
    send_860(ws, "initech", "INITECH-3010", [["5", "AI", "6", "", "EA", "3.47", "PE", "VN", "SKU-1003"],
                                             ["4", "QI", "30", "", "EA"]])
    _results, run = run_stages(ws, NIGHT3)
    assert "CHANGE_AFTER_SHIPMENT" in codes(run)
    assert outbox(ws, "initech", "865") == []
    said = acks(revised(ws, "initech", "INITECH-3010"))
    assert "5" not in said and said["4"] == ["24", ("IA", "24", None)], said
    state = StateStore(ws.state_path)
    try:
        last = state.order_history("initech", "INITECH-3010")[-1]
    finally:
        state.close()
    assert last["event"] == "change_refused" and last["document_id"], last


def test_a_cancel_date_moved_after_a_partial_shipment_is_answered_by_a_revised_855(ws):
    """ACME-1001 shipped in part: an 860 without POC lines extends its cancel date. The date is taken, the lines
    as they are; the revised 855 restates them (line 4: 10 asked, 12 acknowledged (case pack), 10 shipped and 2 to
    ship on the order's ship day: IQ 12 dated)."""
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "ACME-1001", [], heading=(["DTM", "001", "20261230"],))
    run_stages(ws, NIGHT2)
    assert outbox(ws, "acme", "865") == []
    said = acks(revised(ws, "acme", "ACME-1001"))
    assert said["4"] == ["10", ("IQ", "12", "20261210")], said


def test_a_line_left_backordered_after_shipment_is_dated_in_the_revised_855(ws):
    """GLOBEX-2000 line 4 shipped 24 of 36 and waits for 12 (no SKU-1003 left on night 2); a decrease to 30 leaves 6
    backordered on the line's promise: the revised 855 states the 24 shipped (no date: they left) and the 6 IB
    dated as the 865 dates them (tests/test_change_860_shapes.py: 2026-12-10)."""
    from tests.test_change_860_shapes import _globex_2000_line_4_shipped

    _globex_2000_line_4_shipped(ws)
    answered_by_855s(ws, "globex")
    send_860(ws, "globex", "GLOBEX-2000", [["4", "QD", "30", "", "EA"]])
    run_stages(ws, NIGHT2)
    assert outbox(ws, "globex", "865") == []
    said = acks(revised(ws, "globex", "GLOBEX-2000"))
    assert said["4"] == ["30", ("BP", "24", None), ("IB", "6", "20261210")], said


@pytest.mark.parametrize("purpose, pocs", [("01", []), ("04", [["1", "DI"]])])
def test_a_cancellation_of_a_partly_shipped_order_is_answered_by_a_revised_855(ws, purpose, pocs):
    """BCH01 01 (no POC lines) or a DI of GLOBEX-2001's line after 24 of 48 shipped: the 24 unshipped are
    cancelled, the 24 shipped stay; the revised 855 (AD: the order as the buyer has it now) states the line at
    the 24 shipped, accepted, no date (nothing left to ship)."""
    answered_by_855s(ws, "globex")
    send_860(ws, "globex", "GLOBEX-2001", pocs, purpose=purpose)
    _results, run = run_stages(ws, NIGHT2)
    assert "CHANGE_BELOW_SHIPPED" in codes(run)
    assert outbox(ws, "globex", "865") == []
    doc = revised(ws, "globex", "GLOBEX-2001")
    assert next(r for r in doc if r[0] == "BAK")[2] == "AD"
    assert acks(doc) == {"1": ["24", ("IA", "24", None)]}


@pytest.mark.slow
@pytest.mark.parametrize("point", ["after-numbering", "mid-outbox-write@1"])
def test_a_kill_while_a_revised_855_answers_a_change_then_a_rerun_equals_an_uninterrupted_night(
        shipped_base, tmp_path, point):
    """`orderbridge run` killed (SIGKILL) once the revised 855 answering ACME's raise after shipment is numbered,
    or while the outbox is written, then run again: the outbox, the state store and the night's report are those
    of the night run without a kill (tests/crash_harness.py), the revised 855 sent once under its number."""
    killed_then_rerun(shipped_base, tmp_path, point, "acme", "ACME-1001", [["6", "QI", "8", "", "EA"]])


def killed_then_rerun(shipped_base, tmp_path, point: str, partner: str, po: str, pocs: list[list[str]],
                      purpose: str = "04") -> None:
    """The 860 (``pocs``, ``purpose``) for ``po`` of ``partner`` made answered by 855s, run once clean and once
    killed at ``point`` then run again: the two equal (tests/crash_harness.py), the revised 855 sent once."""
    import shutil
    import signal

    from flows.workspace import open_workspace
    from tests.crash_harness import differences, orderbridge, snapshot

    def prepared(name: str):
        root = tmp_path / name
        shutil.copytree(shipped_base, root, symlinks=True)
        ws = open_workspace(root)
        answered_by_855s(ws, partner)
        send_860(ws, partner, po, pocs, purpose=purpose)
        return root

    clean = prepared("clean")
    assert orderbridge(clean, 1).returncode in (0, 1)
    killed = prepared("killed")
    assert orderbridge(killed, 1, env={"ORDERBRIDGE_KILL_AT": point}).returncode == -signal.SIGKILL
    assert orderbridge(killed, 1).returncode in (0, 1)
    assert differences(snapshot(killed, 1), snapshot(clean, 1)) == []
    revised(open_workspace(killed), partner, po)


def test_a_line_first_answered_dr_is_restated_dr(ws):
    """GLOBEX-2001 line 1 was answered DR (date rescheduled: 48 for 2026-11-27), 24 of it shipped on day 1; an 860
    that moves only the cancel date is answered by a revised 855 that restates line 1 with the status it has, DR
    for its 48, dated as restated. It used to come out IA: the buyer read the rescheduled line as accepted as
    sent."""
    answered_by_855s(ws, "globex")
    send_860(ws, "globex", "GLOBEX-2001", [], heading=(["DTM", "001", "20261230"],))
    run_stages(ws, NIGHT2)
    said = acks(revised(ws, "globex", "GLOBEX-2001"))
    assert said["1"] == ["48", ("DR", "48", "20261128")], said  # (the order's ship day, as IA was dated)


def test_each_revised_855_of_a_night_states_its_change_s_lines_as_the_backorder_step_left_them(ws):
    """INITECH-3000 shipped and invoiced in full (6 + 24); two 860s the night the snapshot shows no SKU-1009 left: the
    first raises line 2 to 30 (its 6 new units refused after the backorder step: INITECH takes no backorder), the
    second raises line 1 to 8. Each revised 855 states line 2 as the night leaves it (24 accepted and shipped, 6 IR);
    the first states line 1 as its change left it (the 6 shipped), the second at 8. Only the last 855 used to be built
    again after the backorder step: the first said line 2's 6 raised units were accepted, to ship."""
    answered_by_855s(ws, "initech")
    _initech_3000_shipped(ws, "1,2")
    no_stock_on_night2(ws, "SKU-1009")
    send_860(ws, "initech", "INITECH-3000", [["2", "QI", "30", "", "EA"]])
    send_860(ws, "initech", "INITECH-3000", [["1", "QI", "8", "", "EA"]], isa13=2202)
    run_stages(ws, NIGHT2)
    found = [acks(doc) for doc in outbox(ws, "initech", "855")
             if any(r[0] == "BAK" and r[1] == "05" and r[3] == "INITECH-3000" for r in doc)]
    assert len(found) == 2, found
    first, second = found
    assert first["2"] == second["2"] == ["30", ("IA", "24", None), ("IR", "6", None)], found
    assert first["1"][0] == "6" and second["1"][0] == "8", found
