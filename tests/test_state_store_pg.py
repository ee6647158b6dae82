"""The state store on PostgreSQL beside SQLite (issue 14, item 1): control numbers and document ids never
used twice by writers in several processes at once (both back ends); psycopg's errors translated at the
edge (a refused connection is transient, a refused login, a missing database, a collation that does not
compare bytes are terminal); how a workspace chooses PostgreSQL (workspace.toml or ORDERBRIDGE_STATE_URL,
never a password in a file); and the demo's first night through the flow writes the same outbox bytes
and the same state on PostgreSQL as on SQLite."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import SQLITE, StateStore
from flows.cli import app
from flows.workspace import Workspace
from schemas.errors import ConfigError, StateError, TransientError
from tests.support import REPO, make_workspace

WORKER = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from connectors.state import StateStore
    from schemas.lifecycle import Plan, PlannedDocument, PlannedSet

    target, me, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    def render(doc, isa13, gs06, st02s):
        return f"{doc.partner}-{isa13:09d}.x12", f"{isa13}/{gs06}/{st02s}".encode()
    store = StateStore(target)
    while not go.exists():
        time.sleep(0.01)
    taken = []
    for k in range(25):
        partner = ("acme", "globex")[k % 2]
        for kind, n in (("ISA", 1), ("GS", 2), ("ST", 3)):
            taken += [[partner, kind, x] for x in store.take_numbers(partner, kind, n)]
        doc = PlannedDocument(partner, "855", "PR", (PlannedSet(f"855:{me}:{k}", (("BAK", "00"),), f"PO-{me}-{k}"),
                                                       PlannedSet(f"855:{me}:{k}b", (("BAK", "00"),), f"PO-{me}-{k}")))
        store.apply(Plan(documents=(doc,)), render=render, at="2026-11-27T02:00:00", run_id=me)
    store.close()
    print(json.dumps(taken))
""")


def test_writers_in_several_processes_never_share_a_number(store_target, tmp_path):
    """Four processes take ISA/GS/ST numbers of two partners and store numbered documents at once: every
    number is used once, with no gap, and every document has its own ISA13 and id."""
    target = store_target()
    StateStore(target).close()  # created once, before the race
    go = tmp_path / "go"
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, target, f"w{i}", str(go)], cwd=REPO,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(4)]
    go.touch()
    taken = []
    for w in workers:
        out, errors = w.communicate(timeout=240)
        assert w.returncode == 0, errors
        taken += [tuple(t) for t in json.loads(out)]
    store = StateStore(target)
    docs = store.documents()
    assert len(docs) == 4 * 25
    for partner in ("acme", "globex"):
        mine = [d for d in docs if d.partner == partner]
        isa = [int(d.isa13) for d in mine] + [n for p, k, n in taken if (p, k) == (partner, "ISA")]
        gs = [int(d.gs06) for d in mine] + [n for p, k, n in taken if (p, k) == (partner, "GS")]
        st = [int(x) for d in mine for x in d.st02.split(",")] + [n for p, k, n in taken if (p, k) == (partner, "ST")]
        for kind, used in (("ISA", isa), ("GS", gs), ("ST", st)):
            assert [n for n, c in Counter(used).items() if c > 1] == [], (partner, kind)
            assert sorted(used) == list(range(1, store.last_number(partner, kind) + 1)), (partner, kind)
    assert len({d.id for d in docs}) == len(docs) and len({d.file_name for d in docs}) == len(docs)


def test_sql_placeholders_and_percent_signs_are_translated_once(store_target):
    """`?` is the store's only placeholder; a literal % (LIKE) reaches PostgreSQL intact."""
    store = StateStore(store_target())
    store.record_file("acme", "sha-1", "50%-off.x12", 10, "2026-11-27T02:00:00", "processed")
    assert store._q("SELECT name FROM files WHERE name LIKE '50%' AND partner=?", ("acme",)) == [("50%-off.x12",)]
    assert SQLITE.sql("a=? AND b LIKE '5%'") == "a=? AND b LIKE '5%'"


# --- PostgreSQL's errors at the edge ---------------------------------------------------------------
def test_a_refused_connection_is_transient(pg_server):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransientError, match="connection to the state store's database failed") as info:
        StateStore(f"postgresql://orderbridge@127.0.0.1:{port}/orderbridge?connect_timeout=3")
    assert info.value.transient


def test_a_refused_login_is_terminal_and_never_shows_the_password(pg_server):
    url = f"postgresql://orderbridge:wrong-secret@127.0.0.1:{pg_server.port}/orderbridge"
    with pytest.raises(StateError, match="refused the login") as info:
        StateStore(url)
    assert not info.value.transient and "wrong-secret" not in str(info.value)


def test_a_missing_database_is_terminal(pg_server):
    with pytest.raises(StateError, match="database does not exist") as info:
        StateStore(pg_server.url("no_such_database"))
    assert not info.value.transient


def test_a_database_that_does_not_compare_bytes_is_refused(pg_server):
    """SQLite orders text byte by byte; a database with a language collation would order POs, files and
    documents differently: refused, with the way to create it."""
    import psycopg

    try:  # ICU's English collation (PostgreSQL 15 with ICU: Debian's build); else the system's en_US
        pg_server.admin("CREATE DATABASE ob_en TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu"
                        " ICU_LOCALE 'en-US' LOCALE 'C'", database="postgres")
    except psycopg.Error:
        try:
            pg_server.admin("CREATE DATABASE ob_en TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'en_US.UTF-8'"
                            " LC_CTYPE 'en_US.UTF-8'", database="postgres")
        except psycopg.Error:
            pytest.skip("neither ICU nor an en_US.UTF-8 locale here to build a non-C database with")
    with pytest.raises(StateError, match="byte by byte") as info:
        StateStore(pg_server.url("ob_en"))
    assert not info.value.transient


def test_a_writer_that_waits_too_long_for_the_store_is_transient(pg_server, monkeypatch):
    """A second writer waits for the first (as on SQLite, BEGIN IMMEDIATE); past the lock timeout it
    gets a transient error (retried), and nothing of it was written."""
    import connectors.state_pg as state_pg

    url = pg_server.fresh_url()
    first = StateStore(url)
    monkeypatch.setattr(state_pg, "LOCK_TIMEOUT_MS", 300)
    second = StateStore(url)
    with first.transaction():
        first.take_numbers("acme", "ISA", 1)
        with pytest.raises(TransientError, match="locked by another process"):
            second.take_numbers("acme", "ISA", 1)
    assert second.take_numbers("acme", "ISA", 1) == [2]  # the connection is usable again


# --- how a workspace chooses ---------------------------------------------------------------------
def test_a_workspace_is_on_sqlite_unless_it_names_a_postgresql_url(tmp_path, monkeypatch):
    monkeypatch.delenv("ORDERBRIDGE_STATE_URL", raising=False)
    ws = Workspace(tmp_path)
    assert ws.state_url == str(tmp_path / "state" / "orderbridge.sqlite") and not ws.state_on_postgres
    (tmp_path / "workspace.toml").write_text('[state]\nurl = "postgresql://ob@db.example:5432/orderbridge"\n')
    assert ws.state_url == "postgresql://ob@db.example:5432/orderbridge" and ws.state_on_postgres
    monkeypatch.setenv("ORDERBRIDGE_STATE_URL", "postgresql://worker@db2.example/ob")
    assert ws.state_url == "postgresql://worker@db2.example/ob"  # the environment wins (a worker's setting)
    monkeypatch.delenv("ORDERBRIDGE_STATE_URL")
    (tmp_path / "workspace.toml").write_text('[state]\nurl = "postgresql://ob:hunter2@db.example/orderbridge"\n')
    with pytest.raises(ConfigError, match="carries a password.*PGPASSWORD or ~/.pgpass"):
        _ = ws.state_url
    (tmp_path / "workspace.toml").write_text('[state]\nurl = "mysql://ob@db.example/orderbridge"\n')
    with pytest.raises(ConfigError, match="must be a postgresql:// URL"):
        _ = ws.state_url


def _state_of(url: str) -> dict:
    store = StateStore(url)
    try:
        return {
            "numbers": store.numbers_used(),
            "orders": [(o.partner, o.po_number, o.state, o.revision, o.ack_type, o.value, o.hold_codes)
                       for o in store.orders()],
            "lines": {k: [(ln.line_number, ln.state, ln.ack, ln.allocated, ln.backordered) for ln in v]
                      for k, v in store.lines_for([(o.partner, o.po_number) for o in store.orders()]).items()},
            "reservations": store.reservations(),
            "documents": [(d.partner, d.doc_type, d.file_name, d.isa13, d.st02, d.status, d.content)
                          for d in store.documents()],
            "findings": sorted((f["partner"] or "", f["code"], f["po_number"] or "", f["file"] or "")
                               for f in store.findings()),
            "history": [(h["event"], h["to_state"]) for o in store.orders()
                        for h in store.order_history(o.partner, o.po_number)],
            "exceptions": sorted((e["exception_id"], e["type"], e["state"], e["amount_at_risk"])
                                 for e in store.stored_exceptions().to_pylist()),
            "verdicts": store.document_status(),
            "runs": [(r["kind"], r["status"], r["clock"]) for r in store.runs()],
        }
    finally:
        store.close()


@pytest.mark.integration
def test_the_first_demo_night_on_postgresql_equals_the_one_on_sqlite(tmp_path, pg_server):
    """`orderbridge run` (the Prefect flow) on two copies of the demo workspace, one on SQLite and one
    whose workspace.toml names a PostgreSQL store: the same outbox bytes and the same state."""
    lite, pg = make_workspace(tmp_path / "lite"), make_workspace(tmp_path / "pg")
    url = pg_server.fresh_url()
    (pg.root / "workspace.toml").write_text(f'[state]\nurl = "{url}"\n')
    outputs = {}
    for ws in (lite, pg):
        res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00"])
        assert res.exit_code in (0, 1), res.output  # 1: the demo's input has error findings
        outputs[ws.root.name] = res.output[-3000:]  # what each run said, should their outboxes differ
    assert not (pg.root / "state" / "orderbridge.sqlite").exists()  # the PostgreSQL workspace kept no SQLite store

    def outbox(ws) -> dict[Path, bytes]:
        return {p.relative_to(ws.drop_root): p.read_bytes() for p in sorted(ws.drop_root.glob("*/outbox/*"))}

    assert outbox(lite) and outbox(pg) == outbox(lite), outputs
    a, b = _state_of(lite.state_url), _state_of(url)
    assert a["documents"] and a["orders"] and a["findings"]
    for key in a:
        assert b[key] == a[key], key


def test_every_store_of_a_workspace_is_opened_where_the_workspace_says():
    """A StateStore opened on ws.state_path would put a PostgreSQL workspace's state in a SQLite file:
    product code opens it on ws.state_url (the choice), never on the file path."""
    import re

    offenders = [f"{p.relative_to(REPO)}:{n}" for folder in ("flows", "console", "connectors", "engine", "scripts")
                 for p in sorted((REPO / folder).rglob("*.py"))
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if re.search(r"StateStore\([^)]*state_path", line)]
    assert offenders == []
