"""The VAN mailbox pulled from the VAN's SFTP server (workspace.toml [mailbox] kind = "sftp"), against the real
OpenSSH server: each file is kept locally (mailbox/archive/ and mailbox/inbox/, fsynced) before it leaves the
server, then split and routed as a local mailbox's; a night killed between the download and the removal, or an
inbox we may not change, never routes a file twice; a VAN naming every download alike loses none."""

from __future__ import annotations

import csv
import hashlib
from datetime import datetime

import pytest

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from flows import mailbox
from schemas.errors import ConnectorUnavailable
from tests.test_mailbox_routing import NAME, _mailbox_file, _night, _parts

pytestmark = pytest.mark.integration


def _workspace(root, settings, **extra):
    from tests.support import make_workspace

    ws = make_workspace(root, partners=())
    values = settings.model_dump(exclude_none=True) | extra
    lines = ["[mailbox]", 'kind = "sftp"', "", "[mailbox.sftp]"]
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {str(value).lower()}")
        elif isinstance(value, (int, float)):
            lines.append(f"{key} = {value}")
        elif isinstance(value, (tuple, list)):
            lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
        else:
            lines.append(f'{key} = "{value}"')
    (ws.root / "workspace.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ws


def _taken(ws) -> dict[str, list[tuple[str, str]]]:
    state = StateStore(ws.state_url)
    try:
        return {pid: [(f["name"], f["status"]) for f in state.files(pid)] for pid in ("acme", "globex", "initech")}
    finally:
        state.close()


def _codes(ws, code: str) -> list[dict]:
    state = StateStore(ws.state_url)
    try:
        return [f for f in state.findings() if f["code"] == code]
    finally:
        state.close()


def test_a_mailbox_on_the_van_s_server_is_pulled_routed_and_never_routed_twice(tmp_path, server, partner,
                                                                               monkeypatch):
    """Night 1: the server is down: the night fails saying so, nothing is lost. Night 2: the file is downloaded
    and kept locally, then the night dies before it leaves the server. Its rerun finds it kept and loses the
    connection at the removal: the night fails saying so, yet the file is split and each partner takes its
    interchange. Night 3: the file, still on the server, was taken before: only moved there, nothing routed or
    recorded again, no duplicate. Night 4: the VAN's next download under the same name is kept under a name of
    its own and routed."""
    ws = _workspace(tmp_path / "ws", server.settings())
    partner.put("inbox", NAME, _mailbox_file())

    server.kill()
    down = _night(ws)
    assert "mailbox pull: ConnectorUnavailable" in down["failure"]
    assert partner.names("inbox") == [NAME] and not list((ws.root / "mailbox" / "archive").glob("*"))
    server.restart()

    real = SftpDrop.move

    def dies(self, folder, name, to_folder, to_name=None):
        raise SystemExit("killed between the download and the removal")

    monkeypatch.setattr(SftpDrop, "move", dies)
    with pytest.raises(SystemExit):
        _night(ws, "2026-11-28T02:00:00")
    monkeypatch.setattr(SftpDrop, "move", real)
    assert partner.names("inbox") == [NAME]  # still on the server: nothing removed before it was kept
    assert (ws.root / "mailbox" / "archive" / NAME).read_bytes() == _mailbox_file()
    assert (ws.root / "mailbox" / "inbox" / NAME).read_bytes() == _mailbox_file()

    def drops(self, folder, name, to_folder, to_name=None):
        raise ConnectorUnavailable("SFTP connection lost", op="move")

    monkeypatch.setattr(SftpDrop, "move", drops)  # the rerun: the connection lost just at the removal
    rerun = _night(ws, "2026-11-28T02:00:00")
    monkeypatch.setattr(SftpDrop, "move", real)
    assert "mailbox pull: ConnectorUnavailable" in rerun["failure"]
    assert partner.names("inbox") == [NAME]  # still there: the next night removes it
    assert _taken(ws) == {"acme": [(f"{NAME}.ic1of4.000001001.x12", "processed")],
                          "globex": [(f"{NAME}.ic2of4.000002001.x12", "processed")],
                          "initech": [(f"{NAME}.ic3of4.000003001.x12", "processed")]}
    for pid in ("acme", "globex", "initech"):
        assert list((ws.drop_root / pid / "outbox").glob(f"{pid}-855-*")), pid

    after = _night(ws, "2026-11-29T02:00:00")  # the file is still on the server: taken before, only removed
    assert not after["failure"], after["failure"]
    assert partner.names("inbox") == [] and partner.names("processed") == [NAME]
    assert partner.get("processed", NAME) == _mailbox_file()
    assert sorted(p.name for p in (ws.root / "mailbox" / "archive").iterdir()) == [NAME]
    assert sorted(p.name for p in (ws.root / "mailbox" / "processed").iterdir()) == [NAME, f"{NAME}.routes.csv"]
    assert not list((ws.root / "mailbox" / "inbox").iterdir())
    assert [len(v) for v in _taken(ws).values()] == [1, 1, 1]
    assert not _codes(ws, "FILE_DUPLICATE")
    assert [f["isa13"] for f in _codes(ws, "MAILBOX_INTERCHANGE_UNROUTED")] == ["000001002"]

    # the VAN's next download, named as every one is: kept apart, nothing of the first one overwritten
    acme2 = (mailbox_sample := _parts())["unknown"].replace(b"STRANGERCO     ", b"ACMERETAIL     ", 1)
    assert acme2 != mailbox_sample["acme"]
    partner.put("inbox", NAME, acme2)
    _night(ws, "2026-11-30T02:00:00")
    archived = sorted(p.name for p in (ws.root / "mailbox" / "archive").iterdir())
    second = f"van-20261127-{hashlib.sha256(acme2).hexdigest()[:12]}.edi"
    assert archived == sorted([NAME, second])
    assert (ws.root / "mailbox" / "archive" / NAME).read_bytes() == _mailbox_file()
    assert (ws.root / "mailbox" / "archive" / second).read_bytes() == acme2
    assert (f"{second}.ic1of1.000001002.x12", "processed") in _taken(ws)["acme"]
    assert partner.names("inbox") == []


def test_an_inbox_we_may_not_change_is_pulled_once_and_its_file_passed_over_after(tmp_path, server, partner):
    """leave_in_inbox: the VAN removes what we took; until it does, each pull finds the file taken before and
    neither keeps it again nor routes it again."""
    ws = _workspace(tmp_path / "ws", server.settings(leave_in_inbox=True))
    partner.put("inbox", NAME, _mailbox_file())
    state = StateStore(ws.state_url)
    try:
        for run in ("r1", "r2"):
            with SftpDrop(ws.mailbox_drop.sftp) as remote:
                pulled = mailbox.pull_mailbox(ws, remote, state, run_id=run)
            mailbox.split_mailbox(ws, {}, state, run_id=run, now=datetime(2026, 11, 27, 2))
            assert (pulled.names, pulled.again) == (([NAME], []) if run == "r1" else ([], [NAME]))
    finally:
        state.close()
    assert partner.names("inbox") == [NAME] and partner.names("processed") == []
    assert sorted(p.name for p in (ws.root / "mailbox" / "archive").iterdir()) == [NAME]
    assert sorted(p.name for p in (ws.root / "mailbox" / "processed").iterdir()) == [NAME, f"{NAME}.routes.csv"]
    with (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == 4


def test_a_pulled_file_kept_but_not_yet_in_the_inbox_is_put_there_by_the_rerun(tmp_path, server, partner):
    """A crash after the archive copy, before the inbox one: the rerun finds the archive's copy but no inbox copy
    and no routes: it puts the file in the inbox (nothing lost) and only then removes it from the server."""
    ws = _workspace(tmp_path / "ws", server.settings())
    partner.put("inbox", NAME, _mailbox_file())
    box = mailbox._mailbox_drop(mailbox.mailbox_root(ws), ws.mailbox_drop.local)
    box.write("archive", NAME, _mailbox_file())
    state = StateStore(ws.state_url)
    try:
        with SftpDrop(ws.mailbox_drop.sftp) as remote:
            pulled = mailbox.pull_mailbox(ws, remote, state, run_id="r1")
    finally:
        state.close()
    assert pulled.names == [NAME] and pulled.again == []
    assert (ws.root / "mailbox" / "inbox" / NAME).read_bytes() == _mailbox_file()
    assert partner.names("inbox") == [] and partner.names("processed") == [NAME]


def test_a_mailbox_table_that_does_not_validate_fails_the_night_s_mailbox_naming_it(tmp_path):
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=())
    (ws.root / "workspace.toml").write_text('[mailbox]\nkind = "sftp"\n', encoding="utf-8")
    summary = _night(ws)
    assert '[mailbox] kind = "sftp" needs a [mailbox.sftp] table' in summary["failure"]


def test_a_big_mailbox_file_is_pulled_a_chunk_at_a_time_and_split_without_being_read_whole(tmp_path, server, partner,
                                                                                            monkeypatch):
    """Over STREAM_BYTES: downloaded into a spool file of mailbox/archive/ (never read whole: SftpDrop.read and
    LocalDrop.read fail here), kept in the inbox by a streaming copy, split an interchange at a time; a connection
    lost at the removal leaves it on the server, and the next pull finds it taken before (only moved)."""
    from connectors.local import LocalDrop
    from parsers.x12_mailbox import split_interchanges
    from tests.test_mailbox_streamed import _big

    data = _big(400_000, pad=20_000)
    ws = _workspace(tmp_path / "ws", server.settings())
    partner.put("inbox", NAME, data)
    monkeypatch.setattr(mailbox, "STREAM_BYTES", 100_000)
    monkeypatch.setattr(mailbox, "CHUNK_BYTES", 16_384)

    def whole(*args, **kwargs):
        raise AssertionError("a big mailbox file read whole")

    monkeypatch.setattr(SftpDrop, "read", whole)
    monkeypatch.setattr(LocalDrop, "read", whole)
    real = SftpDrop.move

    def lost(self, folder, name, to_folder, to_name=None):
        raise ConnectorUnavailable("SFTP connection lost", op="move")

    state = StateStore(ws.state_url)
    try:
        monkeypatch.setattr(SftpDrop, "move", lost)
        with SftpDrop(ws.mailbox_drop.sftp) as remote, pytest.raises(ConnectorUnavailable):
            mailbox.pull_mailbox(ws, remote, state, run_id="r1")
        monkeypatch.setattr(SftpDrop, "move", real)
        done = mailbox.split_mailbox(ws, ws.partners(), state, run_id="r1", now=datetime(2026, 11, 27, 2))
        with SftpDrop(ws.mailbox_drop.sftp) as remote:
            again = mailbox.pull_mailbox(ws, remote, state, run_id="r2")
    finally:
        state.close()
    assert (again.names, again.again) == ([], [NAME])
    assert partner.names("inbox") == [] and partner.names("processed") == [NAME]
    assert (ws.root / "mailbox" / "archive" / NAME).read_bytes() == data
    assert (ws.root / "mailbox" / "processed" / NAME).read_bytes() == data
    assert not [p for p in (ws.root / "mailbox").rglob(".tmp-*")]
    count = len(split_interchanges(data).pieces)
    assert done.files == 1 and sum(done.routed.values()) + done.unrouted == count
    with (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").open() as fh:
        assert len(list(csv.DictReader(fh))) == count
