"""What the finance2 round left (tests/test_finance2.py, tests/test_rg86_finance_nights.py): the partner's 997 for an
810 another system of ours sent through EDI (`orderbridge record`) is matched to it, no recorded document without an
answer being called unacknowledged; a changed line shipped in part while its order was held, once approved."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from schemas.finance import FinanceSettings
from schemas.functional_acks import SENT_SETS
from tests.test_rg86_finance_nights import ACE, _reconciled, _week, record_corrected_810, week  # noqa: F401 (week: a fixture)

D = Decimal


def _recorded(ws, tmp_path, *, number: str = "INV0000001C", control: int = 900001) -> None:
    """Accounts receivable records the corrected 810 for ACE-SHP-1 that the ERP sent Ace (ISA13/GS06 ``control``)."""
    assert record_corrected_810(ws, tmp_path, number=number, control=control)[:2] == (2, 2)


def _ace_997(ws, gs06: int, ak5: str, *, name: str = "ACE997_20261206.x12") -> None:
    errors = "AK3*IT1*4**8~AK4*4**7*ZZ~" if ak5 == "R" else ""
    accepted = 1 if ak5 == "A" else 0
    (ws.drop_root / "acehw" / "inbox" / name).write_text(
        "ISA*00*          *00*          *01*006928311      *ZZ*ORDERBRIDGE    *261206*1000*U*00401*000086061*0*P*>~"
        f"GS*FA*ACEHW*ORDERBRIDGE*20261206*1000*86061*X*004010~ST*997*0001~AK1*IN*{gs06}~AK2*810*0001~{errors}"
        f"AK5*{ak5}~AK9*{ak5}*1*1*{accepted}~SE*{6 + errors.count('~')}*0001~GE*1*86061~IEA*1*000086061~")


def test_a_997_rejecting_a_recorded_810_is_told_at_intake_and_booked(week, tmp_path):  # noqa: F811
    """Ace's 997 rejects the corrected 810 the ERP sent (recorded): intake tells FA_DOCUMENT_REJECTED naming it and
    the reconciliation books DOCUMENT_REJECTED for INV0000001C beside the first one's. The 997 used to be
    FA_UNMATCHED ("names nothing we sent") and the rejection of the corrected 810 went unseen."""
    from connectors.state import StateStore
    from flows.workspace import open_workspace
    from tests.support import run_stages

    shutil.copytree(week[0].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    _recorded(ws, tmp_path)
    _ace_997(ws, 900001, "R")
    run_stages(ws, datetime(2026, 12, 6, 2))
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(partner="acehw") if f["file"] == "ACE997_20261206.x12"]
    finally:
        state.close()
    assert [f["code"] for f in found] == ["FA_DOCUMENT_REJECTED"], found
    assert "810 INV0000001C for PO ACE8600101" in found[0]["message"], found[0]["message"]
    r7 = _reconciled(ws, datetime(2026, 12, 6, 3), "r7")
    assert sorted(e["document_ref"] for e in r7["exceptions"] if e["type"] == "DOCUMENT_REJECTED") == [
        "INV0000001", "INV0000001C"]


def test_a_recorded_810_no_997_answers_is_never_called_unacknowledged(week, tmp_path):  # noqa: F811
    """A recorded 810 whose partner never answers (another system's arrangement, not ours to know) is not listed
    among our documents' verdicts: no DOCUMENT_UNACKNOWLEDGED, however late, and the documents counted stay ours."""
    import pyarrow.parquet as pq

    from flows.workspace import open_workspace

    shutil.copytree(week[0].root, tmp_path / "ws")
    ws = open_workspace(tmp_path / "ws")
    before = _reconciled(ws, datetime(2026, 12, 20, 3), "r6")
    _recorded(ws, tmp_path)
    after = _reconciled(ws, datetime(2026, 12, 20, 4), "r7")
    assert [e for e in after["exceptions"] if e["type"] == "DOCUMENT_UNACKNOWLEDGED"] == [
        e for e in before["exceptions"] if e["type"] == "DOCUMENT_UNACKNOWLEDGED"]
    docs = [pq.read_table(ws.reports_dir / r / "finance" / "data" / "document_status.parquet")
            for r in ("r6", "r7")]
    assert docs[0].num_rows == docs[1].num_rows
    assert "INV0000001C" not in docs[1]["document_ref"].to_pylist()


def _sets(rows: list[tuple]) -> pa.Table:
    return pa.Table.from_pylist([dict(zip(("partner", "doc_type", "functional_id", "isa13", "gs06", "st02", "file",
                                           "document_ref"), r, strict=True)) | {"sent_at": datetime(2026, 12, 5, 9),
                                                                                "po_number": "PO1"} for r in rows],
                                schema=SENT_SETS)


def test_only_the_recorded_sets_an_answer_names_are_matched():
    """engine.partner_acks.answered_recorded: of the recorded sets, those a 997 answers (its group, GS06 by value)
    or a TA1 names (ISA13) are kept, not one that is the same set as one of ours (a file of ours recorded as well),
    not one nothing answers; match_acks then decides them like ours."""
    from engine.partner_acks import answered_recorded, match_acks
    from tests.test_partner_acks import interchange, read

    ours = _sets([("acme", "810", "IN", "000000005", "5", "0001", "ours.x12", "INV5")])
    recorded = _sets([("acme", "810", "IN", "000000077", "000000077", "0001", "erp-77.x12", "INV77"),
                      ("acme", "810", "IN", "000000078", "78", "0001", "erp-78.x12", "INV78"),
                      ("acme", "810", "IN", "000000005", "5", "0001", "ours-again.x12", "INV5"),
                      ("acme", "856", "SH", "000000079", "79", "0001", "erp-79.x12", "SHP79")])
    acks, _ = read(interchange([["AK1*IN*77", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"],
                                ["AK1*IN*5", "AK2*810*0001", "AK5*A", "AK9*A*1*1*1"]]))
    kept = answered_recorded(recorded, ours, acks)
    assert kept["file"].to_pylist() == ["erp-77.x12"]
    status, findings = match_acks(pa.concat_tables([ours, kept]), acks, settings={"acme": FinanceSettings()},
                                  as_of=datetime(2026, 12, 6))
    assert [(r["document_ref"], r["status"]) for r in status.to_pylist()] == [("INV5", "accepted"),
                                                                             ("INV77", "accepted")]
    assert not findings
    assert answered_recorded(recorded, ours, acks.slice(0, 0)).num_rows == 0


def _json(ws, *args) -> list | dict:
    from typer.testing import CliRunner

    from flows.cli import app

    shown = CliRunner().invoke(app, [*args, "--json", "-w", str(ws.root)])
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.output)


@pytest.fixture(scope="module")
def partial(tmp_path_factory):
    """The week, but the DC ships 4 of line 3's 6 on day 3 while the order is held (rg86's partial case)."""
    from tests.test_rg86_finance_nights import FIXTURES

    root = tmp_path_factory.mktemp("partial")
    copy = root / "fixtures"
    shutil.copytree(FIXTURES, copy)
    day3 = copy / "shipments" / "east-shipments-20261203.csv"
    day3.write_text(day3.read_text().replace("ACE8600101,3,RG86-03,6,EA", "ACE8600101,3,RG86-03,4,EA"))
    return _week(root / "ws", copy)


def _lines(ws) -> dict[int, dict]:
    return {ln["line_number"]: ln for ln in _json(ws, "status", "ACE8600101", "--partner", "acehw")["lines"]}


def _865_acks(ws) -> dict[str, list[str]]:
    """Line 3's and line 2's ACK in the 865 that answered the 860 on approval (POC01 -> ACK)."""
    from tests.retailer_support import segments

    out, poc = {}, None
    for seg in segments(ws, "acehw", "865"):
        if seg[0] == "POC":
            poc = seg[1]
        elif seg[0] == "ACK" and poc:
            out[poc] = seg[1:]
    return out


def test_a_line_shipped_in_part_while_held_says_what_happened_to_each_part(partial):
    """Line 3 shipped 4 of 6 while its order was held; on approval the other 2 were allocated: its reason says so,
    "4 shipped while held; rest: filled; ...". It read "filled; shipped; ...", as if the whole line were filled from
    stock and also shipped."""
    ws, _nights = partial
    assert _lines(ws)[3]["reason"] == (
        "4 shipped while held; rest: filled; DTM 010 (requested ship) 20261201 is before today 20261205.")


def test_a_line_shipped_in_full_while_held_says_how_many(week):  # noqa: F811
    """Line 3 shipped all 6 while held: "6 shipped while held; ..." (it read "shipped; ...")."""
    ws, _nights = week
    assert _lines(ws)[3]["reason"] == (
        "6 shipped while held; DTM 010 (requested ship) 20261201 is before today 20261205.")


def test_the_865_answers_a_repriced_line_ip_however_much_of_it_shipped_while_held(partial, week):  # noqa: F811
    """The decision: a line an 860 re-priced that shipped (in part or whole) while its order was held is answered
    IP at the new price, the change asked being the price; its requested date past is no reschedule of the change
    (DR answers an accepted POC whose line the rules rescheduled, engine.lifecycle.decisions.final_change_result).
    The 865 and the stored ACK say the same in both cases. Shipped in part, the 865's ACK also carries the day the
    other 2 ship (068 20261205): change5 added it, as the 855 dates them (this test pinned the ACK without it)."""
    for ws, _nights, dated in ((*partial, ["068", "20261205"]), (*week, [])):
        assert _865_acks(ws)["3"] == ["IP", "6", "EA", *dated]
        assert (_lines(ws)[3]["ack"], _lines(ws)[3]["unit_price"]) == ("IP", "18")


def test_a_changed_line_the_865_answers_stores_its_ack(partial, week):  # noqa: F811
    """Line 2, cut from 12 to 9 by the 860 (its units shipped before it), is answered IQ 9 by the 865 on approval:
    `orderbridge status` shows IQ, what the 865 said. It showed the stored IA (the first 855's)."""
    for ws, _nights in (partial, week):
        assert _865_acks(ws)["2"] == ["IQ", "9", "EA"]
        assert _lines(ws)[2]["ack"] == "IQ"


def _stored_ack(ws) -> str:
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        return line.ack
    finally:
        state.close()


def test_a_changed_line_not_shipped_stores_the_865s_ack(tmp_path):
    """PO-1 line 1, 12 EA acknowledged IA 12; the 860 raises it by 12 (POC QI) and the 865 answers IQ 24: the line
    stores IQ, what the 865 said (its row took the decision's IA, the whole line allocated)."""
    from tests.test_change_orders import docs
    from tests.test_change_units_860 import _answered_by_865s, _changed, _ordered

    ws = _ordered(tmp_path, ["PO1*1*12*EA*39.20*PE*UP*614141100248"])
    _answered_by_865s(ws)
    assert _stored_ack(ws) == "IA"
    _changed(ws, ["POC*1*QI*24*12*EA"])
    (_p, _bca, acks), = docs(ws, "865")["PO-1"]
    assert [a[:3] for a in acks] == [["IQ", "24", "EA"]]
    assert _stored_ack(ws) == "IQ"


def test_a_line_the_865_accepts_as_asked_keeps_what_its_decision_says(tmp_path):
    """ACME's PO-1 line 1, 10 EA rounded to the case's 12 (IQ 12): an NC is answered IA 12 by the 865, and the line
    keeps IQ, which says our quantity is not the buyer's (a later 855 restates it so)."""
    from tests.test_change_orders import docs
    from tests.test_change_units_860 import _answered_by_865s, _changed, _ordered

    ws = _ordered(tmp_path, ["PO1*1*10*EA*39.20*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*NC***EA"])
    (_p, _bca, acks), = docs(ws, "865")["PO-1"]
    assert [a[:3] for a in acks] == [["IA", "12", "EA"]]
    assert _stored_ack(ws) == "IQ"


_ = (ACE, D)
