"""A large X12 file on a partner's SFTP server (issue 14 item 4): downloaded a chunk at a time into a
spool file of the local archive (never read whole), then read a piece of whole interchanges at a time
as a local file is; the state and the local folders are those of the same file taken from a local drop.
Memory is shown by what is handed on (the size of each block written, the pieces read), never by RSS."""

from __future__ import annotations

import sqlite3

import pytest

from connectors import local as local_mod
from connectors import sftp as sftp_mod
from connectors.local import LocalDrop
from connectors.sftp import SftpDrop
from connectors.state import StateStore
from flows import intake as intake_flow
from tests.support import make_workspace
from tests.test_intake_streaming import NOW, _dump, _interchanges

pytestmark = pytest.mark.integration


@pytest.fixture
def in_pieces(monkeypatch):
    """Every X12 file read one interchange at a time, downloaded 512 bytes at a time; what each download
    writes and what the reader is handed are recorded."""
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    monkeypatch.setattr(intake_flow, "PIECE_BYTES", 1)
    monkeypatch.setattr(sftp_mod, "CHUNK", 512)
    seen = {"blocks": [], "pieces": []}
    write, process = local_mod._Hashing.write, intake_flow.process_file

    def spy_write(self, data):
        seen["blocks"].append(len(data))
        return write(self, data)

    def spy_process(data, **kw):
        seen["pieces"].append(data)
        return process(data, **kw)

    def never_whole(self, folder, name, **kw):
        raise AssertionError(f"{name} was read whole")

    monkeypatch.setattr(local_mod._Hashing, "write", spy_write)
    monkeypatch.setattr(intake_flow, "process_file", spy_process)
    monkeypatch.setattr(SftpDrop, "read", never_whole)
    return seen


def _acme(ws, drop, run_id="r1"):
    state = StateStore(ws.state_url)
    try:
        return intake_flow.intake_partner(ws, ws.partners()["acme"], state, drop, now=NOW, run_id=run_id)
    finally:
        state.close()


def _local_reference(root, name, data):
    ws = make_workspace(root, partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / name).write_bytes(data)
    return ws, _acme(ws, LocalDrop(ws.drop_root / "acme"))


def test_a_large_fetched_file_is_spooled_in_chunks_and_read_by_interchange(tmp_path, settings, partner, in_pieces):
    data = _interchanges(5, bad=3, lines=40)
    local_ws, local_res = _local_reference(tmp_path / "local", "many.x12", data)
    in_pieces["blocks"].clear()
    in_pieces["pieces"].clear()
    partner.put("inbox", "many.x12", data)
    ws = make_workspace(tmp_path / "remote", partners=())
    with SftpDrop(settings) as drop:
        res = _acme(ws, drop)
    spooled = in_pieces["blocks"][:len(data) // 512 + 1]  # the download (then the copy to quarantine/)
    assert sum(spooled) == len(data) and max(spooled) <= 512  # chunk by chunk
    assert len(in_pieces["pieces"]) == 5 and all(p.count(b"ISA*") == 1 for p in in_pieces["pieces"])
    assert res.to_dict() == local_res.to_dict()
    assert _dump(ws) == _dump(local_ws)  # state, order tables, archive, quarantine/many.x12
    assert (ws.drop_root / "acme" / "quarantine" / "many.x12").read_bytes() == data
    assert partner.names("inbox") == [] and partner.get("processed", "many.x12") == data
    assert not [p for p in (ws.drop_root / "acme").rglob(".tmp-*")]  # no spool file left


def test_a_fetched_file_whose_run_died_mid_file_is_fetched_again_and_taken_up_where_it_stopped(
        tmp_path, settings, partner, in_pieces, monkeypatch):
    data = _interchanges(6, bad=4)
    local_ws, _ = _local_reference(tmp_path / "local", "many.x12", data)
    partner.put("inbox", "many.x12", data)
    ws = make_workspace(tmp_path / "remote", partners=())
    real, done = intake_flow._plan_and_store, []

    def dies_at_the_fourth_piece(*args, **kw):
        if len(done) == 3:
            raise KeyboardInterrupt("killed")
        done.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(intake_flow, "_plan_and_store", dies_at_the_fourth_piece)
    with SftpDrop(settings) as drop, pytest.raises(KeyboardInterrupt):
        _acme(ws, drop)
    assert partner.names("inbox") == ["many.x12"]  # still on the server
    db = sqlite3.connect(ws.root / "state" / "orderbridge.sqlite")
    [(status, part)] = db.execute("SELECT status, resume_part FROM files WHERE name='many.x12'").fetchall()
    assert status == "receiving" and part > 0
    db.close()
    monkeypatch.setattr(intake_flow, "_plan_and_store", real)
    in_pieces["pieces"].clear()
    with SftpDrop(settings) as drop:
        _acme(ws, drop)
    assert len(in_pieces["pieces"]) == 3  # only the pieces not committed before
    assert _dump(ws) == _dump(local_ws)
    assert partner.names("inbox") == [] and partner.names("processed") == ["many.x12"]


def test_download_writes_the_file_chunk_by_chunk_and_checks_its_size(settings, partner, tmp_path, monkeypatch):
    from schemas.errors import TransientError

    monkeypatch.setattr(sftp_mod, "CHUNK", 1000)
    data = bytes(range(256)) * 40 + b"end"
    partner.put("inbox", "f.x12", data)
    sizes: list[int] = []

    class Sink:
        def write(self, block):
            sizes.append(len(block))
            return len(block)

    with SftpDrop(settings) as drop:
        assert drop.download("inbox", "f.x12", Sink(), expected_size=len(data)) == len(data)
        assert sizes == [1000] * 10 + [243]
        with pytest.raises(TransientError):
            drop.download("inbox", "f.x12", Sink(), expected_size=len(data) + 1)


def test_a_large_csv_order_file_on_sftp_is_spooled_and_read_in_batches(tmp_path, settings, partner, in_pieces,
                                                                        monkeypatch):
    from tests.test_csv_batches import _dump as csv_dump
    from tests.test_csv_batches import _feed

    given, real = [], intake_flow.process_csv_file
    monkeypatch.setattr(intake_flow, "process_csv_file", lambda data, **kw: given.append(data) or real(data, **kw))
    local = make_workspace(tmp_path / "local", partners=())
    (local.drop_root / "umbrella" / "inbox").mkdir(parents=True)
    (local.drop_root / "umbrella" / "inbox" / "feed.csv").write_bytes(_feed())
    ws = make_workspace(tmp_path / "remote", partners=())
    partner.put("inbox", "feed.csv", _feed())
    state = StateStore(local.state_url)
    whole = intake_flow.intake_partner(local, local.partners()["umbrella"], state,
                                       LocalDrop(local.drop_root / "umbrella"), now=NOW, run_id="r1")
    state.close()
    state = StateStore(ws.state_url)
    with SftpDrop(settings) as drop:
        got = intake_flow.intake_partner(ws, ws.partners()["umbrella"], state, drop, now=NOW, run_id="r1")
    state.close()
    assert len(given) == 2 and not any(isinstance(d, bytes) for d in given)  # chunks of the archive, twice
    assert got.to_dict() == whole.to_dict() and got.orders > 0
    assert csv_dump(ws) == csv_dump(local)
    assert partner.names("inbox") == [] and partner.get("processed", "feed.csv") == _feed()


def test_a_fetched_interchange_too_large_to_hold_is_read_in_batches_from_the_spool(tmp_path, settings, partner,
                                                                                   monkeypatch):
    from tests.test_intake_batches import MIXED

    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 10**12)
    local_ws, local_res = _local_reference(tmp_path / "local", "mixed.x12", MIXED)  # read whole
    monkeypatch.setattr(intake_flow, "STREAM_BYTES", 0)
    monkeypatch.setattr(intake_flow, "SPLIT_BYTES", 0)
    monkeypatch.setattr(intake_flow, "BATCH_SETS", 2)
    batches = []
    real = intake_flow.process_in_batches

    def spy(*args, **kw):
        for item in real(*args, **kw):
            batches.append(item[0])
            yield item

    monkeypatch.setattr(intake_flow, "process_in_batches", spy)
    monkeypatch.setattr(SftpDrop, "read", lambda self, folder, name, **kw: pytest.fail(f"{name} was read whole"))
    partner.put("inbox", "mixed.x12", MIXED)
    ws = make_workspace(tmp_path / "remote", partners=())
    with SftpDrop(settings) as drop:
        res = _acme(ws, drop)
    assert len(batches) > 5 and max(b.sets for b in batches) <= 2
    assert res.to_dict()["orders"] == local_res.to_dict()["orders"] and res.errors == local_res.errors
    assert _dump(ws) == _dump(local_ws)
    assert partner.names("inbox") == [] and partner.get("processed", "mixed.x12") == MIXED
