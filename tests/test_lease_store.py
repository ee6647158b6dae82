"""Leases in the state store (issue 14, item 3): a row per lease (`workspace`, `partner:<id>`) in the
`leases` table, on SQLite and PostgreSQL; taken over only when it expired (and says so) or when its
holder on this machine is gone; a holder that lost its lease fails loudly at its next renewal; two
workers given the same partner: one works, the other skips it with a clear message, and nothing is
sent twice; the 7 -> 8 migration."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors import lease
from connectors.state import StateStore
from connectors.state_migrations import LATEST, LEASES, RECOVERY, RETUNED_INDEXES, TA1_ACKS
from schemas.errors import LeaseLost, WorkspaceBusy
from tests.crash_harness import NIGHTS, drop_night, new_workspace, orderbridge
from tests.support import REPO

ENV = {**os.environ, "PYTHONPATH": str(REPO)}

HOLD = """
import sys
from connectors import lease
from schemas.errors import LeaseLost
ws, name, state, ttl = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
held = lease.acquire(ws, "intake", name=name, state=state, ttl=ttl, note="worker A")
print("held", flush=True)
sys.stdin.readline()
try:
    held.renew()
    print("renewed", flush=True)
except LeaseLost as exc:
    print("lost:", exc, flush=True)
    sys.exit(3)
"""


def _hold(ws: Path, name: str, state: str, ttl: float = 600.0) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(ws), name, state, str(ttl)], cwd=REPO, env=ENV,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


def test_a_lease_is_a_row_taken_renewed_and_released(store_target, tmp_path):
    target = store_target()
    with lease.acquire(tmp_path, "intake", name="partner:acme", state=target, ttl=3600, run_id="r1") as held:
        row = lease.read_holder(tmp_path, "partner:acme", state=target)
        assert (row.name, row.pid, row.command, row.run_id, row.released) == ("partner:acme", os.getpid(), "intake",
                                                                             "r1", False)
        assert row.expires() > datetime.now(UTC) + timedelta(minutes=59)
        assert lease.acquire(tmp_path, "intake", name="partner:acme", state=target) is held  # re-entrant
        held.release()  # the inner one: still held
        held.renew(note="file 2")
        again = lease.read_holder(tmp_path, "partner:acme", state=target)
        assert again.note == "file 2" and again.expires_at >= row.expires_at and not again.released
        assert lease.read_holder(tmp_path, "partner:globex", state=target) is None  # another partner: free
    assert lease.read_holder(tmp_path, "partner:acme", state=target).released
    store = StateStore(target)
    try:
        assert [r["name"] for r in store.leases()] == ["partner:acme"]
    finally:
        store.close()
    with lease.acquire(tmp_path, "deliver", name="partner:acme", state=target) as next_one:
        assert next_one.took_over is None  # released properly: nothing taken over


def test_a_live_holder_in_another_process_refuses_the_lease_with_who_and_until_when(store_target, tmp_path):
    target = store_target()
    proc = _hold(tmp_path, "partner:acme", target)
    try:
        with pytest.raises(WorkspaceBusy) as busy:
            lease.acquire(tmp_path, "intake", name="partner:acme", state=target, wait=0.3)
        assert "another OrderBridge process holds partner acme" in str(busy.value)
        assert busy.value.record.pid == proc.pid and "(worker A)" in str(busy.value)
        with lease.acquire(tmp_path, "intake", name="partner:globex", state=target):  # other partners are free
            pass
    finally:
        proc.kill()
        proc.wait()
    with lease.acquire(tmp_path, "intake", name="partner:acme", state=target) as held:  # its process is gone
        assert held.took_over.pid == proc.pid and held.took_over_because == "gone"
        assert held.takeover_message().startswith("took over the lease of partner acme from a process that is gone")


def test_an_expired_lease_is_taken_over_and_its_holder_fails_loudly_at_its_next_renewal(store_target, tmp_path):
    """Worker A is paused (SIGSTOP: alive, not renewing) past its 1-second lease: B takes it over and
    says so; A, resumed, finds it lost and stops (LeaseLost), without touching B's row."""
    target = store_target()
    proc = _hold(tmp_path, "partner:acme", target, ttl=1.0)
    try:
        proc.send_signal(signal.SIGSTOP)
        first = lease.read_holder(tmp_path, "partner:acme", state=target)
        with lease.acquire(tmp_path, "intake", name="partner:acme", state=target, wait=60) as held:
            assert held.took_over.holder_id == first.holder_id and held.took_over_because == "expired"
            assert datetime.now(UTC) > held.took_over.expires()
            message = held.takeover_message()
            assert message.startswith("took over the lease of partner acme from `orderbridge intake` (worker A), "
                                      f"process {proc.pid}") and f"it expired at {held.took_over.expires_at}" in message
            proc.send_signal(signal.SIGCONT)
            out, err = proc.communicate("go\n", timeout=120)
            assert proc.returncode == 3, out + err
            assert "lost: this process lost the lease of partner acme" in out and f"process {os.getpid()}" in out
            mine = lease.read_holder(tmp_path, "partner:acme", state=target)
            assert mine.holder_id == held.holder.holder_id and not mine.released  # A left B's row alone
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
        proc.wait()


def test_a_renewal_after_another_holder_took_over_raises_lease_lost(store_target, tmp_path):
    target = store_target()
    held = lease.acquire(tmp_path, "deliver", name="partner:acme", state=target)
    store = StateStore(target)
    try:
        mine = store.lease("partner:acme")
        other = {**mine, "holder_id": "other", "host": "host-b", "pid": 4242}
        assert store.claim_lease(other, replacing=mine)  # what a takeover from host-b writes
        assert not store.claim_lease({**mine, "holder_id": "third"}, replacing=mine)  # the swap happens once
    finally:
        store.close()
    with pytest.raises(LeaseLost, match=r"lost the lease of partner acme: `orderbridge deliver`, process 4242 on "
                                        r"host-b, .*holds it now; it must stop"):
        held.renew()
    with pytest.raises(LeaseLost):  # and again: a lost lease stays lost
        held.renew()
    held.release()  # releases nothing of the other holder's
    assert lease.read_holder(tmp_path, "partner:acme", state=target).holder_id == "other"
    assert not lease.read_holder(tmp_path, "partner:acme", state=target).released


def test_a_live_workspace_row_of_another_machine_refuses_the_workspace(store_target, tmp_path):
    """The store row is the truth: the local flock is free, but a live holder on another machine
    (the store is shared) holds the workspace until its lease expires."""
    target = store_target()
    now = datetime.now(UTC)
    row = lease.Holder("remote", "run", 4242, "another-host", now.isoformat(), now.isoformat(),
                       (now + timedelta(minutes=10)).isoformat(timespec="microseconds"), note="run 1").row()
    store = StateStore(target)
    try:
        assert store.claim_lease(row, replacing=None)
    finally:
        store.close()
    with pytest.raises(WorkspaceBusy, match="another OrderBridge process holds this workspace: `orderbridge run` "
                                            r"\(run 1\), process 4242 on another-host"):
        lease.acquire(tmp_path, "run", state=target)
    store = StateStore(target)
    try:
        expired = {**row, "expires_at": (now - timedelta(seconds=1)).isoformat(timespec="microseconds")}
        assert store.claim_lease(expired, replacing=row)
    finally:
        store.close()
    with lease.acquire(tmp_path, "run", state=target) as held:
        assert held.took_over.host == "another-host" and held.took_over_because == "expired"
        assert "expired at" in held.takeover_message()


def test_a_version_7_store_gets_the_leases_table(store_target, tmp_path):
    # after TA1_ACKS: STORE_MARKS, NET_WEIGHTS, RECORDED_AMOUNTS, BILLED_WEIGHTS, BUYER_GS_IDS, SERIALS, SUBSTITUTES,
    # RETURNED_SERIALS, OUR_GS_IDS, RETAKES, ORDER_TYPES, SHIPMENT_METHODS, WRITE_VERSIONS, ISA_IDS, ORDER_PARTIES,
    # ACK_TIMED_BY, RESENDS, FINDING_DETAIL, RESEND_LOOKUPS, HELD_LINES, LOOKUP_INDEXES
    assert LATEST == TA1_ACKS + 30 == RETUNED_INDEXES + 31 == LEASES + 32 == RECOVERY + 33
    target = store_target()
    store = StateStore(target)
    store.start_run("r1", "2026-11-27T02:00:01", clock="2026-11-27T02:00:00")
    with store.transaction():  # what a version 7 store looks like
        store._q("DROP TABLE leases")
        store._q("UPDATE meta SET value='7' WHERE key='schema_version'")
    store.close()
    assert lease.read_holder(tmp_path, "partner:acme", state=target) is None  # read without migrating
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST and "leases" in store._table_names() and store.leases() == []
        assert [r["run_id"] for r in store.runs()] == ["r1"]  # nothing else changes
    finally:
        store.close()
    with lease.acquire(tmp_path, "intake", name="partner:acme", state=target):
        assert lease.read_holder(tmp_path, "partner:acme", state=target).pid == os.getpid()


# --- two workers given the same partner -------------------------------------------------------------------
WORKER = """
import json, sys
from connectors import lease
from flows import partner_stage
ws, stage, partner, now, run_id, mode = sys.argv[1:7]
if mode == "hold":  # worker A: takes the partner's lease, says so, and works when told to
    held = lease.acquire(ws, stage, name=lease.partner_lease(partner), run_id=run_id, note=f"run {run_id}")
    print("held", flush=True)
    sys.stdin.readline()
out = partner_stage.run_partner(stage, ws, partner, now, run_id)
if mode == "hold":
    held.release()
print(json.dumps(out.to_dict(), default=str), flush=True)
"""


def _worker(ws: Path, stage: str, mode: str, run_id: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(ws), stage, "acme", NIGHTS[0][1], run_id, mode],
                            cwd=REPO, env=ENV, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _result(proc: subprocess.Popen, stdin: str = "") -> tuple[dict, str]:
    out, err = proc.communicate(stdin, timeout=300)
    assert proc.returncode == 0, out + err
    return json.loads(out.strip().splitlines()[-1]), " ".join(err.split())


def _workspace(tmp_path: Path, backend: str, request) -> tuple[Path, str]:
    ws = new_workspace(tmp_path / "ws", shipping=False)
    if backend == "postgresql":
        url = request.getfixturevalue("pg_server").fresh_url()
        (ws / "workspace.toml").write_text(f'[state]\nurl = "{url}"\n')
        return ws, url
    return ws, str(ws / "state" / "orderbridge.sqlite")


def _two_workers(ws: Path, stage: str, run_id: str) -> tuple[dict, str, dict, dict]:
    """A holds acme's lease; B, given acme too, skips it; then A works; then B again (lease free)."""
    a = _worker(ws, stage, "hold", run_id)
    assert a.stdout.readline().strip() == "held", a.stderr.read()
    try:
        skipped, said = _result(_worker(ws, stage, "run", run_id))
    finally:
        done, _ = _result(a, "go\n")
    after, _ = _result(_worker(ws, stage, "run", run_id))
    return skipped, said, done, after


def _skip_is_clear(skipped: dict, said: str, stage: str, holder_pid: int | None = None) -> None:
    assert skipped["value"] is None and skipped["holder"]["name"] == "partner:acme"
    text = skipped["skipped"]
    assert text.startswith(f"skipped: partner acme is held by `orderbridge {stage}` (run ")
    assert f"until {skipped['holder']['expires_at']}" in text
    assert f"{stage} acme: {text}" in said  # the progress line


@pytest.mark.slow
def test_two_workers_delivering_the_same_partner_send_each_document_once(tmp_path, backend, request):
    ws, target = _workspace(tmp_path, backend, request)
    drop_night(ws, 0)
    killed = orderbridge(ws, 0, env={"ORDERBRIDGE_KILL_AT": "after-numbering"})  # documents numbered, not sent
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr
    store = StateStore(target)
    try:
        pending = {d.file_name: d.content for d in store.pending_documents("acme")}
        run_id = store.runs()[-1]["run_id"]
    finally:
        store.close()
    assert pending and not list((ws / "drop" / "acme" / "outbox").glob("*"))

    skipped, said, done, after = _two_workers(ws, "deliver", run_id)
    _skip_is_clear(skipped, said, "deliver")
    assert done["skipped"] == "" and done["value"] == len(pending)  # A sent them all
    assert after["skipped"] == "" and after["value"] == 0  # nothing left: B, later, sends nothing again
    outbox = {p.name: p.read_bytes() for p in (ws / "drop" / "acme" / "outbox").iterdir()}
    assert outbox == pending  # each document once, as numbered; no half-written or second copy
    store = StateStore(target)
    try:
        docs = store.documents()
        acme = [d for d in docs if d.partner == "acme"]
        assert sorted(d.file_name for d in acme) == sorted(pending) and all(d.status == "delivered" for d in acme)
        assert len({(d.partner, d.isa13) for d in docs}) == len(docs)  # no number twice
        assert [r["released"] for r in store.leases() if r["name"] == "partner:acme"] == [True]
    finally:
        store.close()


@pytest.mark.slow
def test_two_workers_taking_in_the_same_partner_read_each_file_once(tmp_path, backend, request):
    ws, target = _workspace(tmp_path, backend, request)
    drop_night(ws, 0)
    inbox = ws / "drop" / "acme" / "inbox"
    waiting = sorted(p.name for p in inbox.iterdir())
    assert waiting
    store = StateStore(target)
    try:
        store.start_run("r1", "2026-11-27T02:00:01", clock=NIGHTS[0][1])
    finally:
        store.close()

    a = _worker(ws, "intake", "hold", "r1")
    assert a.stdout.readline().strip() == "held", a.stderr.read()
    try:
        skipped, said = _result(_worker(ws, "intake", "run", "r1"))
        assert sorted(p.name for p in inbox.iterdir()) == waiting  # B read nothing
    finally:
        done, _ = _result(a, "go\n")
    _skip_is_clear(skipped, said, "intake")
    assert done["skipped"] == "" and done["value"]["files"] == len(waiting)
    after, _ = _result(_worker(ws, "intake", "run", "r1"))
    assert after["skipped"] == "" and after["value"]["files"] == 0
    store = StateStore(target)
    try:
        files = store.files("acme")
        assert len(files) == len(waiting) and len({f["sha256"] for f in files}) == len(waiting)
    finally:
        store.close()


def test_two_threads_of_one_worker_given_the_same_partner_do_not_share_its_lease(tmp_path):
    """Re-entrancy is per thread for a partner's lease (per process for the workspace's): a worker
    running tasks in threads skips a partner that its other thread holds."""
    import threading

    target = str(tmp_path / "s.sqlite")
    held = lease.acquire(tmp_path, "intake", name="partner:acme", state=target)
    got: list = []

    def other() -> None:
        try:
            got.append(lease.acquire(tmp_path, "intake", name="partner:acme", state=target))
        except WorkspaceBusy as exc:
            got.append(exc)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    try:
        assert isinstance(got[0], WorkspaceBusy) and got[0].record.holder_id == held.holder.holder_id
        with lease.acquire(tmp_path, "run") as workspace:  # the workspace lease: shared within the process
            seen: list = []
            t = threading.Thread(target=lambda: seen.append(lease.acquire(tmp_path, "run")))
            t.start()
            t.join()
            assert seen == [workspace]
            seen[0].release()
    finally:
        held.release()


@pytest.mark.slow
def test_the_command_line_obeys_the_store_row_and_says_when_it_took_an_expired_lease_over(tmp_path):
    """`orderbridge approve` on a workspace whose store row names a live holder on another machine
    (this machine's flock is free): exit 5 with that holder; once the row expired, the command takes
    the lease over and says so."""
    from tests.crash_harness import CLI

    ws = new_workspace(tmp_path / "ws", shipping=False)
    target = str(ws / "state" / "orderbridge.sqlite")
    now = datetime.now(UTC)
    row = lease.Holder("remote", "run", 4242, "another-host", now.isoformat(), now.isoformat(),
                       (now + timedelta(minutes=10)).isoformat(timespec="microseconds"), note="run 7").row()
    store = StateStore(target)
    try:
        assert store.claim_lease(row, replacing=None)
    finally:
        store.close()
    approve = [*CLI, "approve", "ACME-1001", "--partner", "acme", "--by", "Dana", "-w", str(ws)]
    busy = subprocess.run(approve, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    said = " ".join(busy.stderr.split())
    assert busy.returncode == 5, busy.stdout + busy.stderr
    assert "another OrderBridge process holds this workspace: `orderbridge run` (run 7), process 4242 on " \
           "another-host" in said and "--wait" in said
    store = StateStore(target)
    try:
        expired_at = (now - timedelta(seconds=1)).isoformat(timespec="microseconds")
        assert store.claim_lease({**row, "expires_at": expired_at}, replacing=row)
    finally:
        store.close()
    taken = subprocess.run(approve, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)
    said = " ".join(taken.stderr.split())
    assert taken.returncode != 5, taken.stdout + taken.stderr
    assert "took over the lease of this workspace from `orderbridge run` (run 7), process 4242 on another-host" \
           in said and f"it expired at {expired_at}" in said
    assert lease.read_holder(ws).command == "approve" and lease.read_holder(ws).released


def _count_opens(monkeypatch) -> list[str]:
    """Each StateStore opened from now on (its target), counted."""
    opened: list[str] = []
    init = StateStore.__init__

    def counting(self, path, *args, **kwargs):
        opened.append(str(path))
        init(self, path, *args, **kwargs)

    monkeypatch.setattr(StateStore, "__init__", counting)
    return opened


def test_a_lease_on_postgresql_keeps_one_store_connection_for_all_its_renewals(pg_server, tmp_path, monkeypatch):
    """A connect is a backend start (and, off this machine, round trips): a lease renewed from the holder's
    thread and its heartbeat's opens its store once (acquire's connection, kept), and closes it at release."""
    import threading

    target = pg_server.fresh_url()
    opened = _count_opens(monkeypatch)
    held = lease.acquire(tmp_path, "intake", name="partner:acme", state=target, ttl=3600)
    for i in range(10):
        renew = threading.Thread(target=held.renew) if i % 2 else None  # as the heartbeat does
        if renew:
            renew.start()
            renew.join()
        else:
            held.renew(note=f"file {i}")
    assert len(opened) == 1  # the acquire's, kept (before: one more for each renewal)
    row = lease.read_holder(tmp_path, "partner:acme", state=target)
    assert (row.expires_at, row.note, row.released) == (held.holder.expires_at, "file 8", False)
    kept = held._store
    held.release()
    assert len(opened) == 2  # and read_holder's: nothing opened to release
    assert held._store is None and kept._db._conn.closed
    assert lease.read_holder(tmp_path, "partner:acme", state=target).released


def test_a_dropped_lease_connection_is_opened_again_and_the_renewal_still_lands(pg_server, tmp_path, monkeypatch):
    target = pg_server.fresh_url()
    opened = _count_opens(monkeypatch)
    with lease.acquire(tmp_path, "intake", name="partner:acme", state=target, ttl=3600) as held:
        pg_server.admin(f"SELECT pg_terminate_backend({held._store._db._conn.info.backend_pid})")
        before = held.holder.expires_at
        held.renew(note="after the cut")  # no error: the dropped connection is replaced at once
        row = lease.read_holder(tmp_path, "partner:acme", state=target)
        assert (row.note, row.expires_at > before, row.released) == ("after the cut", True, False)
        held.renew()
        assert len(opened) == 3  # acquire's, the one replacing it, read_holder's
    assert lease.read_holder(tmp_path, "partner:acme", state=target).released


def test_a_lease_on_a_postgresql_store_still_fails_loudly_once_taken_over(pg_server, tmp_path):
    target = pg_server.fresh_url()
    held = lease.acquire(tmp_path, "intake", name="partner:acme", state=target, ttl=3600)
    held.renew()
    store = StateStore(target)
    try:
        row = store.lease("partner:acme")
        assert store.claim_lease({**row, "holder_id": "other", "pid": 1, "host": "elsewhere"}, replacing=row)
    finally:
        store.close()
    with pytest.raises(LeaseLost, match="holds it now"):
        held.renew()
    assert held._store is None  # let go with the lease
    held.release()
    assert lease.read_holder(tmp_path, "partner:acme", state=target).holder_id == "other"


def test_a_sqlite_workspace_lease_renews_into_the_store_file_that_replaced_its_own(tmp_path):
    """A SQLite store is opened for each renewal: restore and rebuild put a new file in the store's place
    under a held workspace lease, and the renewal lands in that one."""
    from connectors.state_files import lease_row

    path = tmp_path / "orderbridge.sqlite"
    StateStore(path).close()
    with lease.acquire(tmp_path, "state restore", state=str(path), ttl=3600) as held:
        held.renew()
        for suffix in ("", "-wal", "-shm"):
            old = path.with_name(path.name + suffix)
            if old.exists():
                old.rename(old.with_name(old.name + ".replaced"))
        StateStore(path).close()  # the new store: no lease row
        assert lease_row(str(path), lease.WORKSPACE) is None
        held.renew(note="restored")
        assert lease.read_holder(tmp_path, state=str(path)).note == "restored"
    assert lease.read_holder(tmp_path, state=str(path)).released


def test_a_holder_looked_at_again_and_again_on_postgresql_opens_the_store_once(pg_server, tmp_path, monkeypatch):
    """A flow run waiting for its night's word looks at the workspace lease every few seconds
    (flows.pool.wait_for_go): HolderReader keeps one connection for the looks (before: a connect, a
    backend start, per look), sees every change as read_holder does, opens a new one when its own was
    dropped, and closes it at the end."""
    target = pg_server.fresh_url()
    opened = _count_opens(monkeypatch)
    holders = lease.HolderReader(tmp_path, "partner:acme", state=target)
    try:
        assert holders.read() is None and len(opened) == 1
        held = lease.acquire(tmp_path, "intake", name="partner:acme", state=target, ttl=3600)
        looks = [holders.read() for _ in range(10)]
        assert all(h is not None and h.holder_id == held.holder.holder_id and not h.released for h in looks)
        assert len(opened) == 2  # the reader's first and the lease's own: no more for the ten looks
        pg_server.admin(f"SELECT pg_terminate_backend({holders._store._db._conn.info.backend_pid})")
        held.release()
        assert holders.read().released  # the dropped connection replaced at once, the look still answered
        assert len(opened) == 3
        assert holders.read() == lease.read_holder(tmp_path, "partner:acme", state=target)
        kept = holders._store
    finally:
        holders.close()
    assert holders._store is None and kept._db._conn.closed


def test_a_flow_run_waiting_for_its_go_opens_the_store_once(pg_server, tmp_path, monkeypatch):
    """flows.pool.wait_for_go on a PostgreSQL workspace: many looks at the night's lease, one connection."""
    import threading
    import time

    from flows import pool

    monkeypatch.setattr(pool, "LEASE_LOOK", 0.02)
    monkeypatch.setattr(pool, "GO_POLL", 0.01)
    (tmp_path / "workspace.toml").write_text(f'[state]\nurl = "{pg_server.fresh_url()}"\n', encoding="utf-8")
    held = lease.acquire(tmp_path, "run", run_id="r1")
    try:
        opened = _count_opens(monkeypatch)
        looks: list[int] = []
        read = StateStore.lease
        monkeypatch.setattr(StateStore, "lease", lambda self, name: looks.append(1) or read(self, name))
        got: list = []
        waiting = threading.Thread(target=lambda: got.append(pool.wait_for_go(str(tmp_path), "r1", "acme",
                                                                              held.holder.holder_id)))
        waiting.start()
        deadline = time.monotonic() + 30
        while len(looks) < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        pool.write_json(pool.go_path(str(tmp_path), "r1", "acme"), {"deliver": ["acme"]})
        waiting.join(30)
    finally:
        held.release()
    assert got == [["acme"]] and len(looks) >= 10
    assert len(opened) == 1, opened  # before: one per look
