"""A 3PL's shipment confirmations pulled from its SFTP server (a warehouse profile's ``[drop] kind =
"sftp"``), through the real shipments run (flows.night.run_shipments, in process) against a private
OpenSSH server: taken once and moved on the server, a local copy kept; a server that is down fails that
warehouse only, with a clear message and exit status 3, and the next run takes the file; an inbox we
may not change (``leave_in_inbox``) has each confirmation taken once; a file still being written, or a
confirmation the 3PL sends again under another name, is never taken twice."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime

import pytest

from connectors.state import StateStore
from connectors.testing_sshd import LocalSshd
from flows import night
from flows import shipments as shipping
from flows.exit_status import ExitStatus, for_run
from tests.sftp.conftest import Partner, need_root
from tests.support import REPO

pytestmark = pytest.mark.integration

NIGHT1, DAY1, DAY1_LATER = datetime(2026, 11, 27, 2), datetime(2026, 11, 27, 14, 30), datetime(2026, 11, 27, 16)
NORTH_945 = REPO / "sample_files" / "warehouse-drops" / "north" / "north-945-20261127.x12"
EAST_CSV = REPO / "sample_files" / "warehouse-drops" / "east" / "east-shipments-20261127.csv"


def _sftp_table(server: LocalSshd, **extra: object) -> str:
    s = server.settings(**extra)
    values = {k: v for k, v in s.model_dump().items() if v is not None and k in {
        "host", "port", "user", "key_file", "known_hosts", "remote_inbox", "remote_outbox", "remote_processed",
        "leave_in_inbox", "settle_seconds", "timeout_seconds", "min_age_seconds", "keepalive_seconds"}}
    if "remote_processed" in extra and extra["remote_processed"] is None:
        values.pop("remote_processed", None)

    def toml(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        return repr(v) if isinstance(v, (int, float)) else f'"{v}"'

    return '[drop]\nkind = "sftp"\n\n[drop.sftp]\n' + "".join(f"{k} = {toml(v)}\n" for k, v in values.items())


@pytest.fixture
def night1(tmp_path_factory):
    """Night 1 of the demo, a copy for each test: orders answered, nothing shipped yet (shipping_workspace then
    run_stages(NIGHT1), built once per session: tests.support.demo_night_with_warehouses)."""
    from flows.workspace import open_workspace
    from tests.support import demo_night_with_warehouses

    assert NIGHT1 == datetime(2026, 11, 27, 2)  # the night demo_night_with_warehouses runs
    return open_workspace(demo_night_with_warehouses(tmp_path_factory.mktemp("wh") / "ws"))


def _north_on_sftp(ws, server: LocalSshd, **extra: object) -> None:
    path = ws.root / "warehouses" / "north.toml"
    text = path.read_text()
    assert '[drop]\nkind = "local"\n' in text
    path.write_text(text.replace('[drop]\nkind = "local"\n', _sftp_table(server, **extra)))


def _no_997(ws) -> None:
    """north's profile with send_997 = false: a 3PL whose server refuses every rename and removal takes no file we
    write (flows.shipments answers a 945 with a 997 in the warehouse's outbox unless its profile says not to)."""
    path = ws.root / "warehouses" / "north.toml"
    text = path.read_text()
    assert 'format = "945"\n' in text
    path.write_text(text.replace('format = "945"\n', 'format = "945"\nsend_997 = false\n', 1))


def _east_drops_its_csv(ws) -> None:
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / EAST_CSV.name).write_bytes(EAST_CSV.read_bytes())


def _shipments(ws, now: datetime) -> dict:
    return night.run_shipments(str(ws.root), stages=night.InProcess(delays=[]), now=now.isoformat())


def _by_warehouse(summary: dict) -> dict[str, dict]:
    return {w["warehouse"]: w for w in summary["warehouses"]}


def _files(ws) -> list[tuple]:
    db = sqlite3.connect(ws.state_path)
    try:
        return sorted(db.execute("SELECT partner, name, status, disposed_at IS NOT NULL FROM files "
                                 "WHERE partner LIKE 'warehouse:%'").fetchall())
    finally:
        db.close()


def _findings(ws, code: str) -> list[tuple]:
    db = sqlite3.connect(ws.state_path)
    try:
        return db.execute("SELECT file, stage FROM findings WHERE code = ? ORDER BY id", (code,)).fetchall()
    finally:
        db.close()


def _856s(ws, partner: str) -> int:
    state = StateStore(ws.state_path)
    try:
        return sum(1 for d in state.documents(partner) if d.doc_type == "856")
    finally:
        state.close()


def test_a_3pl_945_on_its_sftp_server_is_taken_once_moved_and_its_856_built(night1, server, partner):
    ws = night1
    _north_on_sftp(ws, server)
    partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
    _east_drops_its_csv(ws)
    summary = _shipments(ws, DAY1)
    north, east = _by_warehouse(summary)["north"], _by_warehouse(summary)["east"]
    assert (north["failure"], north["files"], north["processed"], north["shipments"], north["late"]) == ("", 1, 1, 1, 1)
    assert (east["files"], east["shipments"]) == (1, 3)
    assert partner.names("inbox") == [] and partner.names("processed") == [NORTH_945.name]
    assert (ws.warehouse_drop_root / "north" / "processed" / NORTH_945.name).read_bytes() == NORTH_945.read_bytes()
    assert [p.name.endswith(NORTH_945.name) for p in (ws.warehouse_drop_root / "north" / "archive").iterdir()] == [True]
    assert _856s(ws, "globex") == 1
    # the 3PL sends the same 945 again under another name (its resend after a timeout): nothing twice
    partner.put("inbox", "north-945-20261127-resend.x12", NORTH_945.read_bytes())
    again = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (again["files"], again["duplicates"], again["shipments"], again["failure"]) == (1, 1, 0, "")
    assert _findings(ws, "FILE_DUPLICATE") == [("north-945-20261127-resend.x12", "shipments")]
    assert _856s(ws, "globex") == 1
    assert partner.names("inbox") == []
    assert _files(ws) == [("warehouse:east", EAST_CSV.name, "quarantined", 1),
                          ("warehouse:north", NORTH_945.name, "processed", 1)]


def test_a_3pl_945_on_its_sftp_server_is_answered_by_a_997_in_its_remote_outbox_once(night1, server, partner):
    """The 997 answering the 945's group goes to the 3PL's server (its remote_outbox), as a partner's documents go;
    the 945 sent again under another name is a duplicate, answered by nothing more."""
    ws = night1
    _north_on_sftp(ws, server)
    partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
    north = _by_warehouse(_shipments(ws, DAY1))["north"]
    assert (north["failure"], north["shipments"], north["acknowledgments"]) == ("", 1, 1)
    assert partner.names("outbox") == ["north-997-000000001.x12"]
    ack = partner.get("outbox", "north-997-000000001.x12").decode()
    assert "AK1*SW*452~" in ack and "AK9*A*1*1*1~" in ack
    assert list((ws.warehouse_drop_root / "north").glob("outbox/*")) == []  # not written locally
    partner.put("inbox", "north-945-20261127-resend.x12", NORTH_945.read_bytes())
    again = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (again["duplicates"], again["acknowledgments"], again["failure"]) == (1, 0, "")
    assert partner.names("outbox") == ["north-997-000000001.x12"]


def test_a_3pl_server_that_is_down_fails_that_warehouse_only_and_the_next_run_takes_its_file(night1, server, partner):
    ws = night1
    _north_on_sftp(ws, server)
    partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
    _east_drops_its_csv(ws)
    server.kill()
    summary = _shipments(ws, DAY1)
    north, east = _by_warehouse(summary)["north"], _by_warehouse(summary)["east"]
    assert north["failure"].startswith("shipments: ConnectorUnavailable: SFTP server refused the connection")
    assert "127.0.0.1" in north["failure"] and north["files"] == 0
    assert (east["failure"], east["files"], east["shipments"]) == ("", 1, 3)  # the other warehouse went on
    assert summary["invoicing"]["invoices"] >= 1  # and so did the invoicing of what east shipped
    assert for_run(summary) == ExitStatus.INCOMPLETE
    html = (ws.reports_dir / summary["run_id"] / "summary.html").read_text()
    assert "Warehouse north failed: shipments: ConnectorUnavailable: SFTP server refused the connection" in html
    server.restart()
    later = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (later["failure"], later["files"], later["shipments"]) == ("", 1, 1)
    assert partner.names("processed") == [NORTH_945.name]
    assert _856s(ws, "globex") == 1


def test_a_read_only_3pl_inbox_with_leave_in_inbox_takes_each_confirmation_once(night1):
    need_root()
    with LocalSshd(sftp_flags="-P remove,rename,posix-rename") as server:
        partner = Partner(server)
        ws = night1
        _north_on_sftp(ws, server, leave_in_inbox=True)
        _no_997(ws)  # a server where we may change nothing takes no 997 from us either
        partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
        first = _by_warehouse(_shipments(ws, DAY1))["north"]
        _east_drops_its_csv(ws)  # work for a run (the 945 taken alone is none: tests below)
        again = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (first["failure"], first["files"], first["shipments"]) == ("", 1, 1)
    assert (again["failure"], again["files"], again["duplicates"]) == ("", 0, 0)
    assert (again["errors"], again["warnings"]) == (0, 0)
    assert _findings(ws, "FILE_DUPLICATE") == []
    assert _files(ws) == [("warehouse:east", EAST_CSV.name, "quarantined", 1),
                          ("warehouse:north", NORTH_945.name, "processed", 1)]
    assert _856s(ws, "globex") == 1


def test_a_read_only_3pl_inbox_records_no_run_for_a_945_taken_before_but_takes_one_changed_under_its_name(night1):
    """With ``leave_in_inbox`` the 945 taken stays on the server until the 3PL removes it: the shipments
    deployment's next intervals find nothing waiting (no run recorded, the file passed over by its
    hash), and the 945 the 3PL rewrites under the same name (same size, another ISA13) is taken."""
    need_root()
    with LocalSshd(sftp_flags="-P remove,rename,posix-rename") as server:
        partner = Partner(server)
        ws = night1
        _north_on_sftp(ws, server, leave_in_inbox=True)
        _no_997(ws)  # a server where we may change nothing takes no 997 from us either
        partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())
        first = _by_warehouse(_shipments(ws, DAY1))["north"]
        waiting = _waiting(ws)
        idle = _shipments(ws, datetime(2026, 11, 27, 15, 30))  # GLOBEX-2001 billed once complete: not yet
        changed = NORTH_945.read_bytes().replace(b"*000000452*", b"*000000453*")
        assert len(changed) == NORTH_945.stat().st_size and changed != NORTH_945.read_bytes()
        partner.put("inbox", NORTH_945.name, changed)
        waiting_changed = _waiting(ws)
        again = _shipments(ws, DAY1_LATER)
    assert (first["failure"], first["files"], first["shipments"]) == ("", 1, 1)
    assert (waiting, waiting_changed) == ([], ["north"])  # the shipments deployment's check: no run for it
    assert idle == {"run_id": "", "started": "2026-11-27T15:30:00", "skipped": "no confirmation or invoice waiting"}
    north = _by_warehouse(again)["north"]
    assert (north["failure"], north["files"]) == ("", 1)
    assert [(p, n) for p, n, *_ in _files(ws)] == [("warehouse:north", NORTH_945.name)] * 2
    assert _findings(ws, "FILE_DUPLICATE") == []


def _waiting(ws) -> list[str]:
    """The warehouses whose inbox the shipments deployment finds waiting (flows.shipments.work_waiting)."""
    state = StateStore(ws.state_path)
    try:
        return shipping.confirmations_waiting(ws, state, open_drop=lambda w: night.open_warehouse_drop(str(ws.root), w))
    finally:
        state.close()


def test_a_3pl_945_still_being_written_is_left_for_a_later_run(night1, server, partner):
    ws = night1
    _north_on_sftp(ws, server, min_age_seconds=30)
    data = NORTH_945.read_bytes()
    half = partner.put("inbox", NORTH_945.name, data[: len(data) // 2])  # the 3PL's upload has stalled
    assert _shipments(ws, DAY1)["skipped"] == "no confirmation or invoice waiting"  # listed: not ready yet
    assert partner.names("inbox") == [NORTH_945.name] and _files(ws) == []
    _east_drops_its_csv(ws)  # a run for another warehouse lists it too, and leaves it
    north = _by_warehouse(_shipments(ws, DAY1))["north"]
    assert (north["failure"], north["files"], north["errors"]) == ("", 0, 0)
    assert partner.names("inbox") == [NORTH_945.name] and [f[0] for f in _files(ws)] == ["warehouse:east"]
    with open(half, "ab") as fh:  # the upload ends; a minute later the file is old enough
        fh.write(data[len(data) // 2:])
    old = time.time() - 60
    os.utime(half, (old, old))
    later = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (later["failure"], later["files"], later["shipments"], later["errors"]) == ("", 1, 1, 0)
    assert partner.names("processed") == [NORTH_945.name]


def test_a_run_killed_after_recording_a_3pl_945_only_finishes_its_move_on_the_server(night1, server, partner,
                                                                                      monkeypatch):
    from flows import shipments

    ws = night1
    _north_on_sftp(ws, server)
    partner.put("inbox", NORTH_945.name, NORTH_945.read_bytes())

    def killed(*args, **kwargs):
        raise SystemError("the process died after the commit, before moving the file")

    with monkeypatch.context() as patched:
        patched.setattr(shipments, "_dispose", killed)
        first = _by_warehouse(_shipments(ws, DAY1))["north"]
    assert "died after the commit" in first["failure"]
    assert partner.names("inbox") == [NORTH_945.name]
    assert _files(ws) == [("warehouse:north", NORTH_945.name, "processed", 0)]  # recorded, its move owed
    again = _by_warehouse(_shipments(ws, DAY1_LATER))["north"]
    assert (again["failure"], again["processed"], again["shipments"], again["duplicates"]) == ("", 1, 0, 0)
    assert partner.names("inbox") == [] and partner.names("processed") == [NORTH_945.name]
    assert _files(ws) == [("warehouse:north", NORTH_945.name, "processed", 1)]
    assert _856s(ws, "globex") == 1 and _findings(ws, "FILE_DUPLICATE") == []


def test_a_3pl_945_in_error_is_quarantined_here_and_an_older_copy_of_its_name_is_kept(night1, server, partner):
    ws = night1
    _north_on_sftp(ws, server)
    foreign = NORTH_945.read_bytes().replace(b"*ZZ*NORTH3PL       *", b"*ZZ*SOMEONEELSE    *", 1)
    partner.put("inbox", NORTH_945.name, foreign)  # another 3PL's 945 in north's drop
    quarantine = ws.warehouse_drop_root / "north" / "quarantine"
    quarantine.mkdir(parents=True, exist_ok=True)
    (quarantine / NORTH_945.name).write_bytes(b"an older file of that name")
    north = _by_warehouse(_shipments(ws, DAY1))["north"]
    assert (north["failure"], north["files"], north["quarantined"], north["shipments"]) == ("", 1, 1, 0)
    assert partner.names("inbox") == [] and partner.names("processed") == [NORTH_945.name]
    kept = sorted(p.name for p in quarantine.iterdir())
    assert len(kept) == 2 and (quarantine / NORTH_945.name).read_bytes() == b"an older file of that name"
    assert [(quarantine / k).read_bytes() for k in kept if k != NORTH_945.name] == [foreign]
    assert _findings(ws, "SHIPMENT_945_SENDER_UNKNOWN") == [(NORTH_945.name, "shipments")]
