"""What the finance2 round left (tests/test_finance2.py, tests/test_rg86_finance_nights.py): the partner's 997 for an
810 another system of ours sent through EDI (`orderbridge record`) is matched to it, no recorded document without an
answer being called unacknowledged; a changed line shipped in part while its order was held, once approved."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from decimal import Decimal

import pyarrow as pa

from schemas.finance import FinanceSettings
from schemas.functional_acks import SENT_SETS
from tests.test_rg86_finance_nights import ACE, _reconciled, _week, week  # noqa: F401 (week: a fixture)

D = Decimal


def _recorded(ws, tmp_path, *, number: str = "INV0000001C", control: int = 900001) -> None:
    """Accounts receivable records the corrected 810 for ACE-SHP-1 that the ERP sent Ace (ISA13/GS06 ``control``)."""
    from connectors.state import StateStore
    from engine.envelope import envelope_for, wrap
    from flows.reconcile import record_documents

    body = [["BIG", "20261205", number, "20261130", "ACE8600101", "", "", "DI"], ["REF", "SI", "ACE-SHP-1"],
            ["REF", "IA", "ACE86V"], ["IT1", "1", "24", "EA", "5", "", "IN", "2086101", "VN", "RG86-01"],
            ["IT1", "2", "6", "EA", "10", "", "IN", "2086102", "VN", "RG86-02"], ["TDS", "18000"], ["CTT", "2"]]
    path = tmp_path / f"corrected-810-{control}.x12"
    path.write_bytes(wrap(envelope_for(ws.partners()["acehw"]), "IN", "810", [body], isa13=control, gs06=control,
                          st02s=[1], now=datetime(2026, 12, 5, 9)))
    state = StateStore(ws.state_path)
    try:
        assert record_documents(state, path, partner="acehw", by="ar.clerk", note="corrected, sent again",
                                at=datetime(2026, 12, 5, 9))[:2] == (2, 2)
    finally:
        state.close()


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


_ = (ACE, D, _week)
