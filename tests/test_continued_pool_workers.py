"""One company under two profiles on a real work pool (tests/test_pool_night.py's set-up: a Prefect server on
PostgreSQL, a process work pool, two `orderbridge worker` processes, both state stores on PostgreSQL): Meijer's A
(`meijer`) and B (`meijer2`, [continues] A from 2026-11-26) send for the same POs on the switch night (A's 850 of
MJ9000102 with B's 860 changing it; A's and B's 860s both changing MJ9000101, tests/test_continued_pool.py).
`orderbridge run --pool` leaves the state store, outboxes and reports `orderbridge run --no-prefect` leaves on a
copy: A and B went through one flow run, A first. Every process started here is stopped by its PID."""

from __future__ import annotations

import subprocess

import pytest

from flows.prefect_api import stop_group
from tests.support_pool import differences, dump_files, dump_state
from tests.test_continued_pool import _drop_switch_night
from tests.test_continued_profile import BEFORE, SWITCH, _workspace
from tests.test_pool_night import CLI, POOL, _api, _finish, prefect_on_postgres  # noqa: F401 (its fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _on_postgres(root, url):
    ws = _workspace(root)
    (ws.root / "workspace.toml").write_text(f'[state]\nurl = "{url}"\n', encoding="utf-8")
    return ws


def _cli_night(ws, clock, env, *extra):
    return [*CLI, "run", "-w", str(ws.root), "--now", clock.isoformat(), "--no-gx", *extra]


def test_two_workers_order_the_two_profiles_as_the_one_process_night(prefect_on_postgres, pg_server,  # noqa: F811
                                                                      tmp_path):
    url, env, _server = prefect_on_postgres
    one = _on_postgres(tmp_path / "one", pg_server.fresh_url())
    pooled = _on_postgres(tmp_path / "pooled", pg_server.fresh_url())
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [subprocess.Popen([*CLI, "worker", "--pool", POOL, "--limit", "2", "--name", f"worker-{i + 1}"],
                                cwd=tmp_path, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                start_new_session=True) for i, log in enumerate(logs)]
    said = ""
    try:
        for clock in (BEFORE, SWITCH):
            if clock == SWITCH:
                _drop_switch_night(one)
                _drop_switch_night(pooled)
            alone = _finish(subprocess.Popen(_cli_night(one, clock, env, "--no-prefect"), cwd=str(tmp_path), env=env,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            shared = _finish(subprocess.Popen(_cli_night(pooled, clock, env, "--pool", POOL, "--pool-limit", "4"),
                                              cwd=str(tmp_path), env=env, stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True))
            assert alone.returncode in (0, 1), alone.stdout + alone.stderr
            assert shared.returncode == alone.returncode, shared.stdout + shared.stderr
            assert "on work pool 'orderbridge-test'" in shared.stderr, shared.stderr
            said += shared.stderr
    finally:
        for w in workers:
            stop_group(w)
    assert "one after the other, as one carries on the other's orders ([continues]): meijer then meijer2" in said, said
    runs = [r["name"] for r in _api(url, "/flow_runs/filter", {"limit": 200})]
    assert "intake+deliver-meijer+meijer2" in runs, runs  # the switch night: one flow run, A then B
    want_state, want_files = dump_state(one.root), dump_files(one.root)
    assert any(f.startswith("drop/meijer2/outbox/") for f in want_files)
    problems = differences(dump_state(pooled.root), want_state, "table") + differences(
        dump_files(pooled.root), want_files, "file")
    assert not problems, "\n".join(problems)
