"""The worker's side of the pool (flows.pool.partner_flow, called as a plain function: no server) and
the parent's reading of outcomes: a partner's stage runs under its lease and leaves the same dict the
in-process stage returns for the parent; a partner another worker holds is skipped with who holds it,
and that is the stage's failure; a flow run that left no outcome is reported with its state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from flows import night
from flows.pool import outcome_path, partner_flow
from flows.pool_stages import PoolStages
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support import from_template, write_settled
from tests.test_lease_store import _hold


def _workspace(tmp_path):
    ws = new_workspace(tmp_path / "ws")
    drop_night(ws, 0)
    return ws


def test_a_partner_stage_on_a_worker_leaves_the_in_process_outcome_for_the_parent(tmp_path):
    ws, twin = _workspace(tmp_path), new_workspace(tmp_path / "twin")
    drop_night(twin, 0)
    clock = NIGHTS[0][1]
    out = partner_flow.fn("intake", str(ws), "acme", clock, "r1")
    assert out["failure"] == "" and out["value"]["orders"] > 0
    assert out["value"] == json.loads(json.dumps(night.intake_stage(str(twin), "acme", clock, "r1")))
    written = outcome_path(str(ws), "r1", "intake", "acme")
    assert json.loads(written.read_text()) == out
    read = PoolStages._outcome("intake", str(ws), "r1", "acme", SimpleNamespace(name="Completed", message=""))
    assert (read.value, read.failure) == (out["value"], "")
    assert not written.exists() and not written.parent.exists()  # read once, then gone


def test_a_flow_run_taking_several_partners_leaves_each_its_in_process_outcome(tmp_path):
    """A pool running fewer flow runs at once than a phase has partners gets that many runs, each
    taking partners in turn, each partner under its own lease with its own outcome."""
    stages = PoolStages("p")
    stages._slots = 2
    assert stages.groups(["a", "b", "c", "d", "e"]) == [["a", "c", "e"], ["b", "d"]]
    assert stages.groups(["a"]) == [["a"]]
    stages._slots = None
    assert stages.groups(["a", "b"]) == [["a"], ["b"]]
    ws, twin = _workspace(tmp_path), new_workspace(tmp_path / "twin")
    drop_night(twin, 0)
    clock = NIGHTS[0][1]
    out = partner_flow.fn("intake", str(ws), "acme", clock, "r1", more=["globex"])
    for pid in ("acme", "globex"):
        want = json.loads(json.dumps(night.intake_stage(str(twin), pid, clock, "r1")))
        assert out[pid] == {"value": want, "failure": ""}
        read = PoolStages._outcome("intake", str(ws), "r1", pid, SimpleNamespace(name="Completed", message=""))
        assert (read.value, read.failure) == (want, "")


def test_a_partner_held_by_another_worker_is_skipped_and_reported(tmp_path):
    ws = _workspace(tmp_path)
    from flows.workspace import open_workspace

    holder = _hold(ws, "partner:globex", open_workspace(ws).state_url)
    try:
        with pytest.raises(RuntimeError, match="skipped: partner globex is held by"):
            partner_flow.fn("intake", str(ws), "globex", NIGHTS[0][1], "r1")
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(30)
    read = PoolStages._outcome("intake", str(ws), "r1", "globex", SimpleNamespace(name="Failed", message="x"))
    assert read.value is None and read.failure.startswith("skipped: partner globex is held by `orderbridge intake`")
    assert f"process {holder.pid}" in read.failure
    assert list((ws / "drop" / "globex" / "inbox").iterdir()), "the held partner's inbox was read"


def test_a_flow_run_without_an_outcome_is_reported_with_its_state(tmp_path):
    read = PoolStages._outcome("deliver", str(tmp_path), "r1", "acme",
                               SimpleNamespace(name="Crashed", message="the worker's process exited with code -9"))
    assert read.value is None
    assert read.failure == "flow run deliver-acme Crashed: the worker's process exited with code -9"



def test_the_pool_comes_from_the_option_or_workspace_toml_and_needs_a_server(tmp_path):
    """`orderbridge run` takes [prefect] pool from workspace.toml; a pool without PREFECT_API_URL (the
    temporary server no worker can reach) is refused before anything is done."""
    import os
    import subprocess

    from flows.exit_status import ExitStatus
    from flows.workspace import open_workspace
    from tests.support import REPO

    ws = _workspace(tmp_path)
    assert open_workspace(ws).prefect_pool == ""
    (ws / "workspace.toml").write_text('[prefect]\npool = "night-shift"\n', encoding="utf-8")
    assert open_workspace(ws).prefect_pool == "night-shift"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PYTHONPATH": str(REPO)}
    res = subprocess.run([sys.executable, "-c", "from flows.cli import main; main()", "run", "-w", str(ws), "--now",
                          NIGHTS[0][1]], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == ExitStatus.USAGE, res.stdout + res.stderr
    assert "--pool night-shift needs a Prefect server" in " ".join(res.stderr.split())
    assert list((ws / "drop" / "acme" / "inbox").iterdir()) and not list(ws.glob("reports/*/summary.json"))


def test_runs_no_worker_starts_are_cancelled_and_say_why(monkeypatch):
    """No worker on the pool: once nothing has moved for the pick-up timeout, the phase's flow runs are
    cancelled with a message naming the pool and the command that starts a worker."""
    import uuid

    import prefect.client.orchestration as orchestration
    from prefect.states import Scheduled

    run = uuid.uuid4()
    cancelled = {}

    class Client:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read_flow_runs(self, **kw):
            return [SimpleNamespace(id=run, state=Scheduled())]

        def set_flow_run_state(self, flow_run_id, state, force=False):
            cancelled[flow_run_id] = state

    monkeypatch.setattr(orchestration, "get_client", lambda **kw: Client())
    stages = PoolStages("night-shift", poll=0.01, pickup_timeout=0.05)
    states = stages._wait({"acme": run})
    assert states["acme"].is_cancelled() and cancelled[run] is states["acme"]
    read = PoolStages._outcome("intake", "/nonexistent", "r1", "acme", states["acme"])
    assert read.failure.startswith("flow run intake-acme Cancelled: no worker of work pool 'night-shift' started it")
    assert "orderbridge worker --pool night-shift" in read.failure


def _decided(tmp_path):
    """A workspace after night 1's intake and decide for every partner: documents pending delivery (run once
    per test session and copied: tests.support.from_template)."""
    from flows.workspace import open_workspace

    def build(root: Path) -> None:
        ws = new_workspace(root)
        drop_night(ws, 0)
        for partner in open_workspace(ws).partners():
            night.intake_stage(str(ws), partner, NIGHTS[0][1], "r1")
        night.decide_stage(str(ws), NIGHTS[0][1], "r1", False)

    from_template("pool-stages-decided", tmp_path / "ws", build)
    return tmp_path / "ws", NIGHTS[0][1]


def _pending(ws, partner: str) -> list[str]:
    from connectors.state import StateStore
    from flows.workspace import open_workspace

    state = StateStore(open_workspace(ws).state_url)
    try:
        return [f.file_name for chunk in state.pending_files(partner) for f in chunk]
    finally:
        state.close()


def _renewals_noted(monkeypatch, into: list[str] | None = None, *, as_text: str | None = None) -> list[str]:
    """Every lease renewal noted in ``into`` (a new list by default), as its lease's name or as ``as_text``."""
    from connectors import lease

    into = [] if into is None else into
    renew = lease.Lease.renew

    def noted(self, *args, **kwargs):
        into.append(as_text or self.name)
        return renew(self, *args, **kwargs)

    monkeypatch.setattr(lease.Lease, "renew", noted)
    return into


def test_delivery_renews_the_partner_lease_before_each_chunk_and_stops_where_it_was_lost(tmp_path, monkeypatch):
    """Worker A delivers acme two files at a time; after its first chunk another worker takes the lease
    over (A was paused past its expiry): A's next renewal fails, so it writes nothing more (LeaseLost),
    the first chunk stays delivered, the rest stays pending for the new holder, whose row A leaves alone."""
    import sqlite3

    from flows import documents, partner_stage
    from flows.workspace import open_workspace
    from schemas.errors import LeaseLost

    ws, clock = _decided(tmp_path)
    pending = _pending(ws, "acme")
    assert len(pending) >= 3, pending
    monkeypatch.setattr(documents, "DELIVERY_CHUNK", 2)
    store = open_workspace(ws).state_url.removeprefix("sqlite:///")
    delivered = documents._delivered
    chunks: list[int] = []

    def then_taken_over(state, ids, *rest):  # rest: sync, now and the folders written (transport's type folders)
        delivered(state, ids, *rest)
        chunks.append(len(ids))
        with sqlite3.connect(store) as db:  # worker B's takeover, as connectors.lease writes it
            db.execute("UPDATE leases SET holder_id='worker-b', note='worker B', expires_at='2999-01-01T00:00:00+00:00'"
                       " WHERE name='partner:acme'")

    monkeypatch.setattr(documents, "_delivered", then_taken_over)
    with pytest.raises(LeaseLost, match="lost the lease of partner acme"):
        partner_stage.run_partner("deliver", str(ws), "acme", clock, "r1")
    assert chunks == [2]
    outbox = sorted(p.name for p in (ws / "drop" / "acme" / "outbox").iterdir())
    assert outbox == sorted(pending[:2])
    assert _pending(ws, "acme") == pending[2:]
    with sqlite3.connect(store) as db:
        row = db.execute("SELECT holder_id, released FROM leases WHERE name='partner:acme'").fetchone()
    assert row == ("worker-b", 0)


def test_delivery_keeping_its_lease_writes_every_chunk(tmp_path, monkeypatch):
    """The same delivery with nobody taking over: every chunk written, the lease renewed before each."""
    from flows import documents, partner_stage

    ws, clock = _decided(tmp_path)
    pending = _pending(ws, "acme")
    monkeypatch.setattr(documents, "DELIVERY_CHUNK", 2)
    renewals = _renewals_noted(monkeypatch)
    out = partner_stage.run_partner("deliver", str(ws), "acme", clock, "r1")
    assert out.value == len(pending) and _pending(ws, "acme") == []
    assert sorted(p.name for p in (ws / "drop" / "acme" / "outbox").iterdir()) == sorted(pending)
    assert renewals.count("partner:acme") >= -(-len(pending) // 2) + 1  # each chunk, then the stage's end


def test_intake_renews_the_partner_lease_before_each_file_and_stops_where_it_was_lost(tmp_path, monkeypatch):
    """Worker A takes acme's inbox in a file at a time; once its first file is committed another worker
    takes the lease over (A was paused past its expiry): A's renewal before the next file fails, so it
    takes nothing more in (LeaseLost). The first file stays taken in (stored, moved out of the inbox),
    the others stay in the inbox, unrecorded, for the new holder, whose row A leaves alone."""
    import sqlite3

    from flows import intake, partner_stage
    from flows.workspace import open_workspace
    from schemas.errors import LeaseLost

    ws = _workspace(tmp_path)
    clock = NIGHTS[0][1]
    inbox = ws / "drop" / "acme" / "inbox"
    before = sorted(p.name for p in inbox.iterdir())
    assert len(before) >= 2, before
    store = open_workspace(ws).state_url.removeprefix("sqlite:///")
    plan_and_store = intake._plan_and_store
    stored: list[str] = []

    def then_taken_over(*args, **kwargs):
        out = plan_and_store(*args, **kwargs)
        stored.append(kwargs["name"])
        with sqlite3.connect(store) as db:  # worker B's takeover, as connectors.lease writes it
            db.execute("UPDATE leases SET holder_id='worker-b', note='worker B', expires_at='2999-01-01T00:00:00+00:00'"
                       " WHERE name='partner:acme'")
        return out

    monkeypatch.setattr(intake, "_plan_and_store", then_taken_over)
    with pytest.raises(LeaseLost, match="lost the lease of partner acme"):
        partner_stage.run_partner("intake", str(ws), "acme", clock, "r1")
    assert len(stored) == 1 and stored[0] in before
    assert sorted(p.name for p in inbox.iterdir()) == sorted(set(before) - set(stored))
    with sqlite3.connect(store) as db:
        files = [r[0] for r in db.execute("SELECT name FROM files WHERE partner='acme'")]
        row = db.execute("SELECT holder_id, released FROM leases WHERE name='partner:acme'").fetchone()
    assert files == stored
    assert row == ("worker-b", 0)


def test_intake_keeping_its_lease_takes_every_file_in(tmp_path, monkeypatch):
    """The same intake with nobody taking over: every file taken in, the lease renewed before each."""
    from flows import partner_stage

    ws = _workspace(tmp_path)
    inbox = ws / "drop" / "acme" / "inbox"
    n_files = len(list(inbox.iterdir()))
    renewals = _renewals_noted(monkeypatch)
    out = partner_stage.run_partner("intake", str(ws), "acme", NIGHTS[0][1], "r1")
    assert out.ran and out.value["files"] == n_files and list(inbox.iterdir()) == []
    assert renewals.count("partner:acme") >= n_files + 1  # each file, then the stage's end


def test_intake_of_a_file_read_in_pieces_renews_the_lease_before_storing_each_piece(tmp_path, monkeypatch):
    """A file too large to hold is stored a piece at a time: the lease is renewed before each piece is
    stored, so a worker that lost it mid-file stops there (the next holder takes the file up after the
    pieces committed)."""
    from flows import intake, partner_stage

    monkeypatch.setattr(intake, "STREAM_BYTES", 0)  # every file read in pieces of one interchange
    monkeypatch.setattr(intake, "PIECE_BYTES", 1)
    ws = _workspace(tmp_path)
    inbox = ws / "drop" / "acme" / "inbox"
    both = inbox / "acme-po-01.x12"  # two interchanges in one file: two pieces
    write_settled(both, both.read_bytes() + (inbox / "acme-po-02.x12").read_bytes())
    (inbox / "acme-po-02.x12").unlink()
    n_files = len(list(inbox.iterdir()))
    events: list[str] = []
    plan_and_store = intake._plan_and_store
    _renewals_noted(monkeypatch, events, as_text="renew")

    def stored(*args, **kwargs):
        events.append("store")
        return plan_and_store(*args, **kwargs)

    monkeypatch.setattr(intake, "_plan_and_store", stored)
    out = partner_stage.run_partner("intake", str(ws), "acme", NIGHTS[0][1], "r1")
    assert out.ran and out.value["files"] == n_files
    assert events.count("store") > n_files  # some file came in several pieces
    assert all(events[i - 1] == "renew" for i, e in enumerate(events) if e == "store")  # each right after a renewal


def test_a_workers_flow_run_imports_only_what_its_stage_needs():
    """Each import is part of every flow run's start on a worker: the entrypoint (flows.pool) and an
    intake or a delivery do not import the parent's Prefect tasks, the decide, shipping or finance stages
    (pandas, the rules, GX)."""
    probe = ("import sys, flows.pool, flows.intake, flows.documents; "
             "print(' '.join(sorted(m for m in ('pandas', 'great_expectations', 'flows.nightly', 'flows.pool_stages', "
             "'flows.decide', 'flows.shipments', 'flows.reconcile', 'flows.reports', 'engine.finance_report') "
             "if m in sys.modules)))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=str(Path(__file__).resolve().parent.parent))
    assert done.stdout.strip() == ""
    # and the lazy names of flows.steps still resolve to the stages themselves
    from flows import decide, reconcile, steps

    assert steps.decide_run is decide.decide_run and steps.reconcile_run is reconcile.reconcile_run
    with pytest.raises(AttributeError):
        steps.no_such_stage  # noqa: B018


def _wait_for(path, seconds: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never came"
        time.sleep(0.02)


def test_an_intake_run_waits_to_deliver_what_the_parent_says_then_delivers_as_in_process(tmp_path):
    """One process start per night: the intake run (then="deliver") leaves its intake outcome, waits
    while the night holds the workspace, delivers the partners the parent names (go_path), and leaves
    their outcomes: the values of the in-process stages."""
    import threading

    from connectors import lease
    from flows.pool import go_path, write_json

    ws, twin = _workspace(tmp_path), new_workspace(tmp_path / "twin")
    drop_night(twin, 0)
    clock = NIGHTS[0][1]
    want_in = json.loads(json.dumps(night.intake_stage(str(twin), "acme", clock, "r1")))
    want_out = night.deliver_stage(str(twin), "acme", clock, "r1")
    assert want_out > 0  # the 997s intake made
    with lease.acquire(ws, "run", run_id="r1") as held:
        got = {}
        run = threading.Thread(target=lambda: got.update(partner_flow.fn(
            "intake", str(ws), "acme", clock, "r1", more=["globex"], then="deliver",
            night_holder=held.holder.holder_id)))
        run.start()
        _wait_for(outcome_path(str(ws), "r1", "intake", "globex"))
        assert run.is_alive() and not outcome_path(str(ws), "r1", "deliver", "acme").exists()  # waiting
        read = PoolStages._outcome("intake", str(ws), "r1", "acme", SimpleNamespace(name="Running", message=""))
        assert (read.value, read.failure) == (want_in, "")
        write_json(go_path(str(ws), "r1", "acme"), {"deliver": ["acme"]})  # globex: nothing to deliver
        run.join(60)
    assert not run.is_alive()
    assert got["deliver"] == {"acme": {"value": want_out, "failure": ""}}
    assert not outcome_path(str(ws), "r1", "deliver", "globex").exists()
    assert not go_path(str(ws), "r1", "acme").exists()  # read once
    read = PoolStages._outcome("deliver", str(ws), "r1", "acme", SimpleNamespace(name="Completed", message=""))
    assert (read.value, read.failure) == (want_out, "")
    def sent(root):
        return {p.name: p.read_bytes() for p in (root / "drop" / "acme" / "outbox").iterdir()}

    assert len(sent(ws)) == want_out and sent(ws) == sent(twin)


def test_a_waiting_intake_run_ends_without_delivering_once_its_night_no_longer_holds_the_workspace(
        tmp_path, monkeypatch):
    """A parent that is gone (its lease released, expired or taken over) never keeps a run waiting: the
    run ends, delivers nothing, and the next night delivers what is pending."""
    import threading

    from connectors import lease
    from flows import pool

    monkeypatch.setattr(pool, "LEASE_LOOK", 0.05)
    ws = _workspace(tmp_path)
    clock = NIGHTS[0][1]
    held = lease.acquire(ws, "run", run_id="r1")
    got = {}
    run = threading.Thread(target=lambda: got.update(partner_flow.fn(
        "intake", str(ws), "acme", clock, "r1", then="deliver", night_holder=held.holder.holder_id)))
    run.start()
    _wait_for(outcome_path(str(ws), "r1", "intake", "acme"))
    assert run.is_alive()
    held.release()
    run.join(30)
    assert not run.is_alive() and got["deliver"] == {}
    assert not outcome_path(str(ws), "r1", "deliver", "acme").exists()
    assert not list((ws / "drop" / "acme" / "outbox").glob("*"))  # nothing delivered
    # another night's holder: the run does not wait for it either
    other = lease.acquire(ws, "run", run_id="r2")
    try:
        out = partner_flow.fn("deliver", str(ws), "acme", clock, "r2")
        assert out["value"] > 0  # what the first night left pending
        assert pool.wait_for_go(str(ws), "r1", "acme", held.holder.holder_id) == []
    finally:
        other.release()


def _fake_client(monkeypatch, states_of):
    """Prefect's client as _wait uses it: each look gives each run the state ``states_of(run, look)``."""
    from prefect.client import orchestration

    looks = {"n": 0}

    class Client:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read_flow_runs(self, flow_run_filter=None, **kw):
            looks["n"] += 1
            return [SimpleNamespace(id=run, state=states_of(run, looks["n"])) for run in flow_run_filter.id.any_]

    monkeypatch.setattr(orchestration, "get_client", lambda **kw: Client())


def test_a_run_waiting_to_deliver_is_let_go_when_another_of_its_phase_cannot_start(monkeypatch):
    """A waiting intake run keeps its slot: when another run of the phase stays Scheduled (the pool's or a
    worker's limit), the waiting ones are let go at once instead of holding the slot the other needs."""
    import uuid

    from prefect.states import Completed, Running, Scheduled

    acme, globex = uuid.uuid4(), uuid.uuid4()
    let_go: list[str] = []

    def states_of(run, look):
        if run == acme:
            return Running()
        return Scheduled() if not let_go else Completed()  # it starts once acme's slot is free

    _fake_client(monkeypatch, states_of)
    states = PoolStages("p", poll=0.001)._wait({"acme": acme, "globex": globex}, done=lambda head: head == "acme",
                                               release=let_go.extend)
    assert let_go == ["acme"] and states["acme"].is_running() and states["globex"].is_completed()


def test_runs_that_all_started_keep_waiting_to_deliver(monkeypatch):
    import uuid

    from prefect.states import Running

    runs = {"acme": uuid.uuid4(), "globex": uuid.uuid4()}
    let_go: list[str] = []
    _fake_client(monkeypatch, lambda run, look: Running())
    states = PoolStages("p", poll=0.001)._wait(runs, done=lambda head: True, release=let_go.extend)
    assert let_go == [] and all(s.is_running() for s in states.values())


def test_the_first_phase_of_a_night_already_knows_the_pools_limit(tmp_path, monkeypatch):
    """The pool's concurrency limit is read (with the deployment) before the partners are grouped: a pool
    of 2 slots gets 2 flow runs for 4 partners from the night's first phase on, never 4 runs of which two
    wait for slots the others hold."""
    import uuid

    import prefect.deployments
    from prefect.states import Completed

    from flows import pool_stages

    started = []
    monkeypatch.setattr(pool_stages, "deploy", lambda pool, limit=None: ("orderbridge-partner/partner-stage", 2))
    monkeypatch.setattr(prefect.deployments, "run_deployment", lambda name, parameters, **kw: (
        started.append([parameters["partner_id"], *parameters["more"]]) or SimpleNamespace(id=uuid.uuid4())))
    stages = PoolStages("p")
    monkeypatch.setattr(stages, "_wait", lambda runs, **kw: {head: Completed() for head in runs})
    stages._fan_out("intake", str(tmp_path), ["a", "b", "c", "d"], NIGHTS[0][1], "r1")
    assert started == [["a", "c"], ["b", "d"]]


def test_the_parent_imports_the_run_wide_stages_while_the_first_flow_runs_start(tmp_path, monkeypatch):
    """``meanwhile`` (flows.nightly: the run-wide stages' imports, flows.warm.import_run_wide) runs once,
    after the night's first flow runs are created and before their outcomes are waited for; a phase
    that starts no flow run does not call it."""
    import uuid

    import prefect.deployments
    from prefect.states import Completed

    from flows import pool_stages

    events = []
    monkeypatch.setattr(pool_stages, "deploy", lambda pool, limit=None: ("orderbridge-partner/partner-stage", None))
    monkeypatch.setattr(prefect.deployments, "run_deployment", lambda name, parameters, **kw: (
        events.append(("run", parameters["partner_id"])) or SimpleNamespace(id=uuid.uuid4())))
    stages = PoolStages("p", meanwhile=lambda: events.append(("meanwhile",)))

    def wait(runs, **kw):
        events.append(("wait",))
        return {head: Completed() for head in runs}

    monkeypatch.setattr(stages, "_wait", wait)
    stages._fan_out("intake", str(tmp_path), [], NIGHTS[0][1], "r1")
    assert events == []
    stages._fan_out("intake", str(tmp_path), ["a", "b"], NIGHTS[0][1], "r1")
    assert events == [("run", "a"), ("run", "b"), ("meanwhile",), ("wait",)]
    stages._fan_out("deliver", str(tmp_path), ["a"], NIGHTS[0][1], "r1")
    assert events[4:] == [("run", "a"), ("wait",)]  # once a night


def test_import_run_wide_imports_the_run_wide_stages_and_gx_only_when_asked():
    probe = ("import sys; from flows import warm; warm.import_run_wide({}); "
             "print(' '.join(m for m in ('flows.decide', 'flows.shipments', 'flows.reconcile', 'flows.reports', "
             "'great_expectations') if m in sys.modules))")
    root = str(Path(__file__).resolve().parent.parent)
    with_gx = subprocess.run([sys.executable, "-c", probe.format(True)], capture_output=True, text=True, check=True,
                             cwd=root)
    assert with_gx.stdout.split() == ["flows.decide", "flows.shipments", "flows.reconcile", "flows.reports",
                                      "great_expectations"]
    without = subprocess.run([sys.executable, "-c", probe.format(False)], capture_output=True, text=True, check=True,
                             cwd=root)
    assert without.stdout.split() == ["flows.decide", "flows.shipments", "flows.reconcile", "flows.reports"]


def test_a_flow_runs_stages_run_with_the_heap_frozen_and_its_exit_skips_the_heap(tmp_path, monkeypatch):
    """A flow run's process (Prefect's engine and its imports) collects, after each stage, what the stages
    made, not the whole heap (flows.memory.survivors_frozen, as a night does), and its exit's collections
    skip the heap (frozen_at_exit)."""
    import gc

    from flows import memory, pool

    seen = []
    monkeypatch.setattr(memory, "_frozen_at_exit", False)
    monkeypatch.setattr(memory.atexit, "register", lambda fn: seen.append(("at exit", fn)))
    monkeypatch.setattr(pool, "_stage_outcomes", lambda stage, *a: (
        seen.append((stage, gc.get_freeze_count() > 0, memory._freezing)) or {"acme": {"value": 1, "failure": ""}}))
    gc.unfreeze()
    assert partner_flow.fn("intake", str(tmp_path), "acme", NIGHTS[0][1], "r1") == {"value": 1, "failure": ""}
    assert seen == [("at exit", gc.freeze), ("intake", True, True)]
    assert not memory._freezing and gc.get_freeze_count() == 0  # let go when the run's stages are done


def test_the_partner_deployment_starts_the_engine_itself_with_the_workers_python(monkeypatch):
    """Each flow run costs one Prefect start, not two: the deployment gives Prefect's process worker a
    command (flows.pool.ENGINE_COMMAND: flows.fork_client, which has the worker's fork server fork the
    engine, or execs `python -m prefect.engine` itself) instead of its workspace supervisor, which imports
    Prefect and then execs the engine, which imports it again. That "python" is the worker's own
    interpreter: worker_env puts its folder first on PATH, once."""
    import asyncio
    import os
    import shutil
    import uuid

    from prefect.client.schemas.objects import FlowRun
    from prefect.workers.process import ProcessJobConfiguration, ProcessWorker

    from flows import pool

    deployed = {}

    class Remote:
        def deploy(self, **kw):
            deployed.update(kw)

    monkeypatch.setattr(pool, "ensure_pool", lambda name, limit=None: 2)
    monkeypatch.setattr(pool.partner_flow, "from_source", lambda source, entrypoint: Remote())
    assert pool.deploy("edi-pool") == ("orderbridge-partner/partner-stage", 2)
    assert deployed["work_pool_name"] == "edi-pool" and deployed["job_variables"] == {"command": pool.ENGINE_COMMAND}

    # what the process worker makes of it: the command as given, marked as configured (no supervisor)
    config = asyncio.run(ProcessJobConfiguration.from_template_and_values(
        ProcessWorker.get_default_base_job_template(), deployed["job_variables"]))
    config.prepare_for_flow_run(FlowRun(id=uuid.uuid4(), flow_id=uuid.uuid4(), name="intake-acme"))
    assert config._command_configured and config.command == "python -m flows.fork_client"

    env = pool.worker_env({"PATH": "/usr/bin:/bin"})
    assert env["PATH"] == os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    assert pool.worker_env(env)["PATH"] == env["PATH"]
    assert os.path.samefile(shutil.which("python", path=env["PATH"]), sys.executable)
