"""flows.memory: Arrow's buffers from the system allocator in every orderbridge process (and the
processes it starts), and each stage's freed memory handed back when it ends, also when it fails."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from flows import memory
from tests.support import REPO


def _pool_in_child(env: dict[str, str]) -> str:
    code = ("from flows.memory import use_system_allocator; import pyarrow as pa; use_system_allocator(); "
            "import os; print(pa.default_memory_pool().backend_name, os.environ['ARROW_DEFAULT_MEMORY_POOL'])")
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_orderbridge_processes_use_the_system_allocator_unless_told_otherwise():
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    assert _pool_in_child(env) == "system system"  # pyarrow imported first: the pool is set directly too
    assert _pool_in_child({**env, "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}).split()[1] == "jemalloc"


def test_a_stage_gives_memory_back_when_it_ends_and_when_it_fails(monkeypatch):
    given: list[str] = []
    monkeypatch.setattr(memory, "give_back", lambda: given.append("back"))

    @memory.gives_back
    def stage(fail: bool) -> str:
        given.append("stage")
        if fail:
            raise RuntimeError("boom")
        return "done"

    assert stage(False) == "done" and given == ["stage", "back"]
    with pytest.raises(RuntimeError):
        stage(True)
    assert given == ["stage", "back", "stage", "back"]


def test_give_back_runs_here():
    memory.give_back()  # a collection, Arrow's release_unused and glibc's malloc_trim: none may raise
    assert memory._malloc_trim() is not None or not sys.platform.startswith("linux")


def test_freed_memory_is_released_without_a_collection(monkeypatch):
    collected: list[int] = []
    monkeypatch.setattr(memory.gc, "collect", lambda *a: collected.append(1) or 0)
    memory.release_freed()  # Arrow's release_unused and glibc's malloc_trim: none may raise
    assert collected == []


def test_the_reconciliation_releases_its_reads_transient_memory_before_the_match(tmp_path, monkeypatch):
    """The night's documents read (our 855s' and 810s' segments split: ~100 MB at 200,000 lines) are
    freed by the time load_inputs returns; that heap is handed back before the match builds its arrays
    on top of it (the 200,000-line night's peak: 776-790 MB in the reconciliation, ~700 with it)."""
    from datetime import datetime

    from connectors.state import StateStore
    from flows import reconcile as flow
    from tests.support import make_workspace, run_stages

    now = datetime(2026, 11, 27, 2)
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, now)
    steps: list[str] = []
    load, match = flow.load_inputs, flow.reconcile
    monkeypatch.setattr(flow, "load_inputs", lambda *a, **k: steps.append("read") or load(*a, **k))
    monkeypatch.setattr(flow, "release_freed", lambda: steps.append("released"))
    monkeypatch.setattr(flow, "reconcile", lambda *a, **k: steps.append("match") or match(*a, **k))
    state = StateStore(ws.state_url)
    try:
        flow.reconcile_run(ws, ws.partners(), state, now=now, run_id="n1")
    finally:
        state.close()
    assert steps[:3] == ["read", "released", "match"]


def test_a_reconciliation_lets_its_own_tables_go_before_the_cumulative_report(tmp_path, monkeypatch):
    """A run days late finds an exception per line not shipped (120,000 at 200,000 lines): the match's
    exceptions are let go once booked, the booked ones and the evidence once the run's report is written,
    the store's page cache (what the save wrote) and the freed heap handed back, all before the cumulative
    report reads every exception again from the store (the stage's peak: 970 -> ~780 MB at 200,000 lines)."""
    import weakref
    from datetime import datetime, timedelta

    from connectors.state import StateStore
    from engine import exception_states
    from flows import reconcile as flow
    from tests.support import make_workspace, run_stages

    now = datetime(2026, 11, 27, 2)
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_stages(ws, now)
    held: dict[str, weakref.ref] = {}
    steps: list[str] = []
    match, book, cumulative = flow.reconcile, exception_states.book, flow.write_cumulative

    def matched(*a, **k):
        result = match(*a, **k)
        held.update(found=weakref.ref(result.exceptions), evidence=weakref.ref(result.evidence))
        return result

    def booked(*a, **k):
        exceptions, changes = book(*a, **k)
        held["booked"] = weakref.ref(exceptions)
        return exceptions, changes

    def last(*a, **k):
        steps.append("cumulative")
        assert held and all(ref() is None for ref in held.values()), {k: ref() is None for k, ref in held.items()}
        return cumulative(*a, **k)

    monkeypatch.setattr(flow, "reconcile", matched)
    monkeypatch.setattr(exception_states, "book", booked)
    monkeypatch.setattr(flow, "write_cumulative", last)
    monkeypatch.setattr(flow, "release_freed", lambda: steps.append("released"))
    state = StateStore(ws.state_url)
    monkeypatch.setattr(state, "shed_cache", lambda: steps.append("shed"))
    try:
        result = flow.reconcile_run(ws, ws.partners(), state, now=now + timedelta(days=20), run_id="late")
    finally:
        state.close()
    assert result.summary["exceptions"] > 0  # (the lines not shipped are late)
    assert steps == ["released", "released", "shed", "released", "cumulative"]


def test_every_stage_of_the_night_gives_back():
    from flows import night

    for name in ("intake_stage", "decide_stage", "deliver_stage", "ship_stage", "invoice_stage", "reconcile_stage"):
        assert getattr(night, name).__wrapped__.__name__ == name


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_what_is_made_between_two_stages_of_a_night_is_frozen_when_asked_and_only_then():
    """freeze_alive (the modules a pool night imports while its workers start, flows.warm): inside a
    night the objects alive now join the frozen heap at once (without a collection); outside one
    nothing is frozen."""
    import gc

    assert gc.get_freeze_count() == 0
    memory.freeze_alive()
    assert gc.get_freeze_count() == 0
    with memory.survivors_frozen():
        at_start = gc.get_freeze_count()
        made = [_Cycle() for _ in range(1000)]
        memory.freeze_alive()
        assert gc.get_freeze_count() >= at_start + len(made)
    assert gc.get_freeze_count() == 0


def test_a_night_keeps_what_survived_its_stages_out_of_the_collector_until_it_ends():
    """Inside survivors_frozen, give_back still collects what the stage dropped, then freezes what is
    left (the next collections do not walk it again); a stage that unfreezes everything is
    frozen again by its give_back; at the block's end nothing stays frozen, and cyclic garbage among
    what was frozen is collected as usual."""
    import gc
    import weakref

    assert gc.get_freeze_count() == 0
    memory.give_back()
    assert gc.get_freeze_count() == 0  # outside a night: a plain collection
    with memory.survivors_frozen():
        assert gc.get_freeze_count() > 0  # the heap at the night's start
        kept = _Cycle()
        memory.give_back()
        dropped = _Cycle()
        gone = weakref.ref(dropped)
        del dropped
        memory.give_back()
        assert gone() is None  # what a stage made and dropped is still collected
        survivor = weakref.ref(kept)
        del kept
        memory.give_back()
        assert survivor() is not None  # frozen: cyclic garbage among the survivors waits for the night's end
        with memory.survivors_frozen():
            pass
        assert gc.get_freeze_count() > 0  # an inner block leaves the night's freeze alone
        gc.unfreeze()  # a stage that unfreezes everything at its end
        memory.give_back()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert survivor() is None


def test_a_night_runs_every_stage_with_the_older_heap_frozen_and_leaves_nothing_frozen(tmp_path):
    import gc
    from datetime import datetime

    from flows.night import InProcess, run_night
    from tests.support import make_workspace

    seen: list[tuple[str, int]] = []

    class Spy(InProcess):
        def _call(self, body, *args):
            seen.append((body.__name__, gc.get_freeze_count()))
            return super()._call(body, *args)

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_night(str(ws.root), stages=Spy(), now=datetime(2026, 11, 27, 2).isoformat(), use_gx=False)
    assert {name for name, _ in seen} == {"intake_stage", "decide_stage", "invoice_stage", "deliver_stage",
                                          "reconcile_stage"}  # no warehouse: no ship stage
    assert all(frozen > 0 for _, frozen in seen), seen  # also those after decide
    assert gc.get_freeze_count() == 0


def test_a_night_does_not_hold_the_decide_stages_decisions_through_its_later_stages(tmp_path):
    """Once the decide stage's orders are counted, the night keeps only its stock table (the reports'
    availability.parquet): its decisions, orders and allocation table (~55 MB at 200,000 lines) are
    freed before shipping, invoicing, delivery and the reconciliation run."""
    import weakref
    from datetime import datetime

    from flows.night import InProcess, run_night
    from tests.support import make_workspace

    decided: list[weakref.ref] = []
    alive: dict[str, bool] = {}

    class Spy(InProcess):
        def _call(self, body, *args):
            if decided:
                alive[body.__name__] = decided[0]() is not None
            outcome = super()._call(body, *args)
            if body.__name__ == "decide_stage":
                decided.append(weakref.ref(outcome.value))
            return outcome

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    run_night(str(ws.root), stages=Spy(), now=datetime(2026, 11, 27, 2).isoformat(), use_gx=False)
    assert decided and alive == {"invoice_stage": False, "deliver_stage": False, "reconcile_stage": False}
    assert (ws.reports_dir / "20261127T020000" / "availability.parquet").is_file()  # its stock table still written


def test_the_heap_is_frozen_after_every_exit_handler_of_a_process():
    """frozen_at_exit: the interpreter's final collections skip the heap, once every exit handler
    registered before it has run (registered once, however often asked)."""
    code = ("import atexit, gc\n"
            "atexit.register(lambda: print('at the end', gc.get_freeze_count() > 0, flush=True))\n"
            "from flows.memory import frozen_at_exit\n"
            "frozen_at_exit(); frozen_at_exit()\n"
            "atexit.register(lambda: print('before', gc.get_freeze_count(), flush=True))\n"
            "print('handlers', atexit._ncallbacks())\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["handlers 3", "before 0", "at the end True"], out


def test_orderbridge_run_asks_for_the_heap_frozen_at_exit(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import make_workspace

    asked: list[bool] = []
    monkeypatch.setattr(memory, "frozen_at_exit", lambda: asked.append(True))
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect",
                                   "--no-gx"])
    assert res.exit_code in (0, 1), res.output
    assert asked == [True]
