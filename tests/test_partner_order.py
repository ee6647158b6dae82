"""Nothing a night leaves depends on the order in which partners' stages finish: the demo's two nights
run with every partner's intake and delivery in reverse order (as a work pool's workers may finish
them, flows.night._per_partner with an executor that has ``intake_many``) leave the same state store
(every table, store ids and arrival numbers included), outboxes and reports as the one-process run, on
SQLite and PostgreSQL; without putting the numbers back in partner order they would not."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from connectors import state_order
from flows.night import InProcess, run_night
from tests.crash_harness import NIGHTS, drop_night, new_workspace
from tests.support_pool import differences, dump_files, dump_state


class Reversed(InProcess):
    """The per-partner stages all at once, finishing last partner first."""

    def __init__(self) -> None:
        super().__init__(delays=[])
        self.order: list[str] = []

        self.given: list[tuple[str, list[str]]] = []  # (stage, the partners it was given), per phase

    def intake_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict:
        self.order += list(reversed(partners))
        self.given.append(("intake", list(partners)))
        return {pid: self.intake(workspace, pid, now_iso, run_id) for pid in reversed(partners)}

    def deliver_many(self, workspace: str, partners: list[str], now_iso: str, run_id: str) -> dict:
        self.given.append(("deliver", list(partners)))
        return {pid: self.deliver(workspace, pid, now_iso, run_id) for pid in reversed(partners)}


def _workspace(root: Path, store: str | None) -> Path:
    ws = new_workspace(root)
    if store is not None:
        (ws / "workspace.toml").write_text(f'[state]\nurl = "{store}"\n', encoding="utf-8")
    return ws


def _nights(ws: Path, stages) -> None:
    for night, (_, clock) in enumerate(NIGHTS):
        drop_night(ws, night)
        run_night(str(ws), stages=stages, now=clock, use_gx=False)


def test_reverse_finish_order_leaves_the_one_process_state(store_target, backend, tmp_path, monkeypatch):
    target = (lambda name: None) if backend == "sqlite" else store_target
    one, rev = _workspace(tmp_path / "one", target("one")), _workspace(tmp_path / "rev", target("rev"))
    _nights(one, InProcess(delays=[]))
    stages = Reversed()
    moved: list[dict] = []
    real = state_order.put_in_partner_order
    monkeypatch.setattr(state_order, "put_in_partner_order", lambda *a: moved.append(real(*a)) or moved[-1])
    _nights(rev, stages)
    assert stages.order[:4] == ["umbrella", "initech", "globex", "acme"]
    assert sum(m.get("arrival", 0) for m in moved) > 0, moved  # the reverse order did take other numbers
    assert sum(m.get("event", 0) for m in moved) > 0, moved
    want_state, want_files = dump_state(one), dump_files(one)
    assert want_state["orders"] and any(f.startswith("drop/acme/outbox/") for f in want_files)
    problems = differences(dump_state(rev), want_state, "table") + differences(dump_files(rev), want_files, "file")
    assert not problems, "\n".join(problems)


def test_partners_with_nothing_to_do_are_not_handed_out_and_the_night_is_the_same(tmp_path):
    """An executor that runs partners elsewhere (``<stage>_many``) is given only the partners whose
    stage could do something (files in the inbox; documents pending or held): the demo's second night
    has no file for umbrella, a third night only a hidden file in acme's inbox (and umbrella's drop
    folders gone); the state, outboxes, reports and drop folders equal the one-process run's, which
    calls every partner's stages."""
    one, rev = _workspace(tmp_path / "one", None), _workspace(tmp_path / "rev", None)
    stages = Reversed()
    for ws, executor in ((one, InProcess(delays=[])), (rev, stages)):
        _nights(ws, executor)
        (ws / "drop" / "acme" / "inbox" / ".tmp-left-by-a-killed-run").write_bytes(b"x")  # anything in the inbox: work
        shutil.rmtree(ws / "drop" / "umbrella")  # its drop's folders are made again, whoever runs its stages
        run_night(str(ws), stages=executor, now="2026-11-29T02:00:00", use_gx=False)
    everyone = ["acme", "globex", "initech", "umbrella"]
    assert stages.given == [("intake", everyone), ("deliver", everyone),  # the first night: every partner
                            ("intake", ["acme", "globex", "initech"]), ("deliver", everyone),  # umbrella: no file
                            ("intake", ["acme"])], stages.given  # the third: a hidden file in acme's inbox; no delivery
    problems = differences(dump_state(rev), dump_state(one), "table") + differences(dump_files(rev), dump_files(one),
                                                                                     "file")
    assert not problems, "\n".join(problems)
    folders = [sorted(str(p.relative_to(ws)) for p in ws.glob("drop/*/*") if p.is_dir()) for ws in (one, rev)]
    assert folders[0] == folders[1] and "drop/umbrella/quarantine" in folders[1]


def test_without_partner_order_the_state_would_differ(tmp_path, monkeypatch):
    """The check above can fail: the same reverse run, numbers left as the stages took them."""
    one, rev = _workspace(tmp_path / "one", None), _workspace(tmp_path / "rev", None)
    for ws, stages in ((one, InProcess(delays=[])), (rev, Reversed())):
        drop_night(ws, 0)
        if ws is rev:
            monkeypatch.setattr(state_order, "put_in_partner_order", lambda *a: {})
        run_night(str(ws), stages=stages, now=NIGHTS[0][1], use_gx=False)
    problems = differences(dump_state(rev), dump_state(one), "table")
    assert any(p.startswith("table orders") for p in problems), problems
    assert any(p.startswith("table order_events") for p in problems), problems


@pytest.mark.parametrize("finished", [["b", "a", "c"], ["c", "b", "a"]])
def test_numbers_go_back_partner_by_partner(tmp_path, finished):
    """put_in_partner_order alone: three partners' findings numbered in finish order come back a, b, c,
    each partner's own order kept, the set of ids unchanged."""
    from connectors.state import StateStore

    state = StateStore(tmp_path / "s.sqlite")
    try:
        before = state_order.mark(state)
        for pid in finished:
            ids = state._next_ids("finding", 2)
            state._many("INSERT INTO findings (id, partner, code, severity, message) VALUES (?,?,?,?,?)",
                        [(i, pid, "X", "error", f"{pid}-{n}") for n, i in enumerate(ids)])
        moved = state_order.put_in_partner_order(state, before, ["a", "b", "c"])
        rows = state._q("SELECT id, message FROM findings ORDER BY id")
    finally:
        state.close()
    assert [m for _, m in rows] == ["a-0", "a-1", "b-0", "b-1", "c-0", "c-1"]
    assert [i for i, _ in rows] == list(range(1, 7))
    assert moved["finding"] == 6 - sum(1 for n, p in enumerate(finished) if p == "abc"[n]) * 2


def test_a_phase_started_again_keeps_the_marks_of_its_first_start(tmp_path):
    """A run killed mid-phase and resumed: the resumed phase puts in order what the killed one took."""
    from connectors.state import StateStore

    state = StateStore(tmp_path / "s.sqlite")
    try:
        first = state_order.mark(state, "r1:intake")
        taken = state._next_ids("finding", 1)  # the killed attempt: partner b took a number
        state._many("INSERT INTO findings (id, partner, code, severity, message) VALUES (?,?,?,?,?)",
                    [(taken[0], "b", "X", "error", "b-0")])
        again = state_order.mark(state, "r1:intake")  # the resumed run starts the phase again
        assert again == first and state_order.mark(state) != first
        taken = state._next_ids("finding", 1)
        state._many("INSERT INTO findings (id, partner, code, severity, message) VALUES (?,?,?,?,?)",
                    [(taken[0], "a", "X", "error", "a-0")])
        state_order.put_in_partner_order(state, again, ["a", "b"], "r1:intake")
        assert state._q("SELECT message FROM findings ORDER BY id") == [("a-0",), ("b-0",)]
        assert not state._q("SELECT key FROM meta WHERE key LIKE 'partner-order:%'")  # forgotten once used
    finally:
        state.close()


def test_arrivals_move_in_one_statement(store_target, backend):
    """Arrival numbers are no key: on PostgreSQL they are renumbered by one UPDATE of orders, not shifted
    past every number in use and back (two rewrites of every order moved: the pool night's 10,000); the
    event ids, a key, still go in two steps; either way the numbers come back partner by partner."""
    from connectors.state import StateStore

    state = StateStore(store_target())
    try:
        before = state_order.mark(state)
        for pid in ("c", "a", "b"):  # finished in this order, two orders and an event each
            arrivals, events = state._next_ids("arrival", 2), state._next_ids("event", 1)
            state._many("INSERT INTO orders (partner, po_number, state, revision, answered_revision, arrival)"
                        " VALUES (?,?,?,?,?,?)",
                        [(pid, f"{pid}{n}", "received", 1, 0, a) for n, a in enumerate(arrivals)])
            state._q("INSERT INTO order_events (seq, partner, po_number, at, clock, event, to_state, actor)"
                     " VALUES (?,?,?,?,?,?,?,?)",
                     (events[0], pid, f"{pid}0", "t", "run", "po_received", "received", "x"))
        said: list[str] = []
        real = state._q
        state._q = lambda sql, args=(): said.append(sql) or real(sql, args)  # type: ignore[method-assign]
        moved = state_order.put_in_partner_order(state, before, ["a", "b", "c"])
        del state._q
        arrivals = state._q("SELECT po_number, arrival FROM orders ORDER BY arrival")
        events = state._q("SELECT partner, seq FROM order_events ORDER BY seq")
    finally:
        state.close()
    assert [po for po, _ in arrivals] == ["a0", "a1", "b0", "b1", "c0", "c1"]
    assert [a for _, a in arrivals] == list(range(1, 7))
    assert [p for p, _ in events] == ["a", "b", "c"] and [s for _, s in events] == [1, 2, 3]
    assert moved == {"arrival": 6, "event": 3}
    if backend == "postgresql":
        assert sum("UPDATE orders" in s for s in said) == 1, said
        assert sum("UPDATE order_events" in s for s in said) == 2, said
