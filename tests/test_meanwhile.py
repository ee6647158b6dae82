"""flows.meanwhile: a piece of a stage's work (intake's Parquet tables) run in a thread beside the rest (the state
store's statements), waited for, its error raised as if it had run first; and intake's outcome the same when the
tables cannot be written: nothing of the file committed."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from flows.meanwhile import meanwhile


def test_the_work_runs_while_the_body_does_and_is_waited_for():
    started, done = threading.Event(), []

    def work() -> None:
        started.set()
        done.append("work")

    with meanwhile(work):
        assert started.wait(10)  # would never come if the work ran after the body
        done.append("body")
    assert sorted(done) == ["body", "work"]


def test_the_work_s_error_is_raised_after_the_body_with_the_body_s_chained():
    def work() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        with meanwhile(work):
            pass
    with pytest.raises(OSError, match="disk full") as caught:
        with meanwhile(work):
            raise ValueError("the store refused")
    assert isinstance(caught.value.__context__, ValueError)


def test_no_work_is_the_body_alone():
    with meanwhile(None):
        ran = True
    assert ran


def test_a_file_whose_tables_cannot_be_written_commits_nothing(tmp_path, monkeypatch):
    """Intake writes a file's Parquet tables while its plan is applied: when they fail, the transaction is undone
    (no order, no file row) and the file stays in the inbox for the next run, as when they were written first;
    the next run takes it in."""
    from connectors.local import LocalDrop
    from connectors.order_store import OrderStore
    from connectors.state import StateStore
    from flows import steps
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    profile = ws.partners()["acme"]
    inbox = ws.drop_root / "acme" / "inbox"
    names = sorted(p.name for p in inbox.iterdir())
    real = OrderStore.save

    def failing(self, *a, **kw):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OrderStore, "save", failing)
    now = datetime(2026, 11, 27, 2)
    state = StateStore(ws.state_url)
    with pytest.raises(OSError, match="No space left"):
        steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "acme"), now=now, run_id="r1")
    assert state.orders() == [] and state.files() == []
    assert sorted(p.name for p in inbox.iterdir()) == names
    monkeypatch.setattr(OrderStore, "save", real)
    steps.intake_partner(ws, profile, state, LocalDrop(ws.drop_root / "acme"), now=now, run_id="r2")
    assert state.orders() and state.files()
    state.close()
