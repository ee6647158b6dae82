"""The night's order lines read once for the reconciliation and the run's report (connectors.finance_store:
finance_lines(keep=True), hand_on_lines, handed_lines): the report's lines equal to what lines_of_runs reads
from the store (rows, columns, types, order), for one run or several; handed on only while nothing wrote the
store since the read (another connection's commit, this one's write to order_lines), used once, and never on
PostgreSQL or when the caller did not ask (the store is read as before)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime

import pyarrow.parquet as pq
import pytest

from connectors.state import StateStore
from engine import finance_inputs
from flows import reconcile
from flows.reports import write_reports
from flows.workspace import open_workspace
from tests.support import shipping_demo
from tests.test_run_report_reads import _store

NIGHT2 = datetime(2026, 11, 28, 2)


def test_the_handed_lines_are_those_lines_of_runs_reads_for_one_run_or_several(store_target):
    store = _store(store_target())
    try:
        for scope in (["r1"], ["r1", "r2"], ["r2", "nothing"], ["nothing"]):
            plain = store.finance_lines(finance_inputs.LINE_COLUMNS)
            kept = store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
            assert kept.equals(plain) and kept.schema == plain.schema  # the reconciliation's table unchanged
            on = store.hand_on_lines(scope[0])
            handed = store.handed_lines(scope[0], scope)
            if store.dialect.name != "sqlite":  # PostgreSQL: nothing kept, the report reads the store
                assert not on and handed is None
                continue
            assert on
            wanted = store.lines_of_runs(scope)
            assert handed.schema == wanted.schema and handed.equals(wanted), scope
            assert store.handed_lines(scope[0], scope) is None  # once
    finally:
        store.close()


def test_a_store_without_lines_hands_on_an_empty_table_of_the_reports_columns(tmp_path):
    store = StateStore(str(tmp_path / "empty.sqlite"))
    try:
        assert not store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True).num_rows
        assert store.hand_on_lines("r1")
        handed, wanted = store.handed_lines("r1", ["r1"]), store.lines_of_runs(["r1"])
        assert handed.schema == wanted.schema and handed.equals(wanted) and not handed.num_rows
    finally:
        store.close()


def test_nothing_is_handed_on_unless_asked_or_for_another_run(tmp_path):
    store = _store(str(tmp_path / "s.sqlite"))
    try:
        store.finance_lines(finance_inputs.LINE_COLUMNS)  # not kept
        assert not store.hand_on_lines("r1") and store.handed_lines("r1", ["r1"]) is None
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
        assert store.hand_on_lines("r1")
        assert store.handed_lines("r2", ["r2"]) is None  # another run's report: read from the store
        assert store.handed_lines("r1", ["r1"]) is None  # (and what was handed on let go)
    finally:
        store.close()


def test_lines_written_after_the_read_are_not_handed_on(tmp_path):
    path = tmp_path / "s.sqlite"
    store = _store(str(path))
    try:
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("UPDATE order_lines SET state='shipped' WHERE po_number='PO-a' AND line_number=2")
        other.close()
        assert not store.hand_on_lines("r1") and store.handed_lines("r1", ["r1"]) is None
        assert "shipped" in store.lines_of_runs(["r1"])["state"].to_pylist()
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
        with store.transaction():  # this connection's own write to the lines
            store._q("UPDATE order_lines SET state='invoiced' WHERE po_number='PO-a' AND line_number=2")
        assert not store.hand_on_lines("r1") and store.handed_lines("r1", ["r1"]) is None
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
        with store.transaction():  # a write to another table of this connection: the lines are still current
            store._q("UPDATE runs SET status='x' WHERE run_id='none'")
        assert store.hand_on_lines("r1")
        assert store.handed_lines("r1", ["r1"]).equals(store.lines_of_runs(["r1"]))
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's night 1, day 1's shipments and night 2 (855s, 856s and 810s delivered)."""
    return shipping_demo(tmp_path_factory.mktemp("hand-on") / "ws")["ws"].root


def _night_reports(demo, tmp_path, name: str, hand_on: bool) -> tuple[dict, StateStore]:
    shutil.copytree(demo, tmp_path / name)
    ws = open_workspace(tmp_path / name)
    state = StateStore(ws.state_url)
    run_id = state._q("SELECT run_id FROM order_lines GROUP BY run_id ORDER BY count(*) DESC, run_id")[0][0]
    reconcile.reconcile_run(ws, ws.partners(), state, now=NIGHT2, run_id=run_id, hand_on=hand_on)
    state.close()
    state = StateStore(ws.state_url)
    return write_reports(ws, run_id, state=state, partners=sorted(ws.partners()), handed_lines=hand_on), state


def test_the_night_report_writes_the_same_allocation_from_the_handed_lines(demo, tmp_path, monkeypatch):
    read, plain_state = _night_reports(demo, tmp_path, "read", hand_on=False)
    plain_state.close()
    calls = []
    monkeypatch.setattr(StateStore, "lines_of_runs", lambda self, ids: calls.append(ids))  # not read again
    handed, state = _night_reports(demo, tmp_path, "handed", hand_on=True)
    state.close()
    assert not calls
    assert read["reports"].keys() == handed["reports"].keys()
    for name in ("allocation", "reservations", "summary"):
        if name not in read["reports"]:  # (no line of the run reserved: its units shipped)
            continue
        with open(read["reports"][name], "rb") as a, open(handed["reports"][name], "rb") as b:
            assert a.read() == b.read(), name
    assert pq.read_table(handed["reports"]["allocation"]).num_rows


def test_a_report_not_asking_for_the_handed_lines_reads_the_store(tmp_path):
    """`orderbridge report` (or a night resumed in the same process after one that stopped between its
    reconciliation and its report): lines handed on are not taken, and the next night's reconciliation
    lets them go before it reads."""
    path = tmp_path / "s.sqlite"
    store = _store(str(path))
    try:
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)
        assert store.hand_on_lines("r1")
        other = sqlite3.connect(path, isolation_level=None)  # written after (the lease let go, a person's approval)
        other.execute("UPDATE order_lines SET state='rejected' WHERE po_number='PO-a' AND line_number=2")
        other.close()
        calls = []
        real = StateStore.lines_of_runs

        def spy(self, ids):
            calls.append(ids)
            return real(self, ids)

        from unittest import mock

        with mock.patch.object(StateStore, "lines_of_runs", spy):
            from flows.reports import write_run_reports
            ws = _bare_workspace(tmp_path, path)
            written = write_run_reports(ws, store, "r1", partners=[])
        assert calls == [["r1"]]
        assert "rejected" in pq.read_table(written.path("allocation"))["state"].to_pylist()
        store.finance_lines(finance_inputs.LINE_COLUMNS, keep=True)  # the next night's read: nothing left handed on
        store._kept_lines = None
        assert store.handed_lines("r1", ["r1"]) is None
    finally:
        store.close()


def _bare_workspace(tmp_path, state_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.toml").write_text(f'[state]\nurl = "{state_path}"\n')
    return open_workspace(tmp_path / "ws")
