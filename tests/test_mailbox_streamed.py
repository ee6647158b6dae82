"""A big VAN mailbox file is split an interchange at a time (flows.mailbox._split_streamed over
parsers.x12_mailbox.stream_interchanges), never held whole: the same pieces, names, routes file, quarantine and
findings as the split of the file read whole, byte for byte, with the memory it holds bounded by the interchange
being read (tracemalloc), and a real night through it answers each partner as the whole read does."""

from __future__ import annotations

import csv
import hashlib
import random
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from connectors.state import StateStore
from flows import mailbox
from parsers.x12_mailbox import Gap, split_interchanges, stream_interchanges
from tests.test_mailbox_routing import HEADER, NAME, _mailbox_file, _night, _parts, _workspace


def _numbered(data: bytes, n: int) -> bytes:
    """``data`` (one interchange) with ISA13 and IEA02 made ``n``."""
    control = data[90:99]
    return data.replace(control, f"{n:09d}".encode())


def _padded(data: bytes, pad: int) -> bytes:
    """``data`` (one interchange) grown by about ``pad`` bytes of NTE segments before its GE (in its delimiters)."""
    sep, term = data[3:4], data[105:106]
    nl = b"\r\n" if b"\r\n" in data else (b"\n" if term != b"\n" else b"")
    line = b"NTE" + sep + b"GEN" + sep + b"X" * 60 + term + nl
    at = data.index(b"GE" + sep)
    return data[:at] + line * (pad // len(line)) + data[at:]


def _big(target: int, pad: int = 0) -> bytes:
    """A mailbox file of about ``target`` bytes: the three partners' interchanges over and over (each numbered anew,
    grown by ``pad`` bytes), a stranger's every 40th, a `$$ADD` line before every 50th, a truncated one, trailing
    text."""
    p, out, n = {k: _padded(v, pad) for k, v in _parts().items()}, [], 0
    kinds = ["acme", "globex", "initech"]
    size = 0
    while size < target:
        n += 1
        part = _numbered(p["unknown" if n % 40 == 0 else kinds[n % 3]], n)
        if n % 50 == 0:
            part = HEADER + part
        if n == 7:
            part = part[: part.index(b"GE")]  # cut short: runs to the next ISA
        out.append(part)
        size += len(part)
    return b"".join(out) + b"**END OF MAILBOX**\n"


def test_a_file_given_in_chunks_is_cut_as_the_whole_file_whatever_the_chunks():
    p = _parts()
    files = [_mailbox_file(),
             b"$$ADD ID=X BID='ISA*850 FROM SPS'\n" + p["acme"].replace(b"N1*ST*", b"N1*ST*VISA*", 1) + b" \n"
             + p["globex"],
             p["acme"][: p["acme"].index(b"\nGE*") + 1] + p["globex"] + b"trailer text\n",
             b"PO,ITEM\n1,2\n", _big(40_000)]
    rng = random.Random(67)
    for data in files:
        whole = split_interchanges(data)
        for _ in range(60):
            cuts = sorted(rng.sample(range(1, len(data)), rng.randint(0, min(40, len(data) - 1))))
            got = list(stream_interchanges(data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)))
            assert tuple(x[0] for x in got if isinstance(x, tuple)) == whole.pieces
            assert tuple(x for x in got if isinstance(x, Gap)) == whole.gaps
            assert all(b == data[x.start: x.end] for x, b in (y for y in got if isinstance(y, tuple)))


def _split(root: Path, data: bytes, stream_bytes: int, monkeypatch) -> tuple[object, int, Path]:
    """The mailbox split of ``data`` in a new workspace, files over ``stream_bytes`` streamed; the workspace, the most
    bytes the split held at once (tracemalloc) and the state store's path."""
    ws = _workspace(root, data)
    monkeypatch.setattr(mailbox, "STREAM_BYTES", stream_bytes)
    monkeypatch.setattr(mailbox, "CHUNK_BYTES", 16_384)
    state = StateStore(ws.state_url)
    try:
        tracemalloc.start()
        try:
            mailbox.split_mailbox(ws, ws.partners(), state, run_id="r1", now=datetime(2026, 11, 27, 2))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        state.close()
    return ws, peak, ws.state_path


def _outcome(ws) -> dict:
    """Every file the split left (path -> SHA-256), and its findings."""
    files = {p.relative_to(ws.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for top in ("mailbox", "drop") for p in (ws.root / top).rglob("*") if p.is_file()}
    state = StateStore(ws.state_url)
    try:
        found = [(f["partner"], f["code"], f["severity"], f["message"], f["file"], f["isa13"], f["value"])
                 for f in state.findings(run_id="r1")]
    finally:
        state.close()
    return {"files": files, "findings": found}


def test_a_big_mailbox_file_is_split_as_if_read_whole_without_holding_it(tmp_path, monkeypatch):
    data = _big(6_000_000, pad=40_000)  # ~150 interchanges of ~40 KB
    whole_ws, whole_peak, _ = _split(tmp_path / "whole", data, 10 * len(data), monkeypatch)
    streamed_ws, streamed_peak, _ = _split(tmp_path / "streamed", data, 100_000, monkeypatch)
    whole, streamed = _outcome(whole_ws), _outcome(streamed_ws)
    assert streamed == whole
    routes = f"mailbox/processed/{NAME}.routes.csv"
    assert (streamed_ws.root / routes).read_bytes() == (whole_ws.root / routes).read_bytes()
    count = len(split_interchanges(data).pieces)
    with (streamed_ws.root / routes).open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == count and sum(r["partner"] == "(unrouted)" for r in rows) >= count // 40
    assert sorted(k for k in streamed["files"] if k.startswith("drop/")) == sorted(
        r["written_to"] for r in rows if r["written_to"].startswith("drop/"))
    print(f"{len(data):,} bytes, {count} interchanges: peak held {whole_peak:,} read whole, {streamed_peak:,} streamed")
    assert {c for _, c, *_ in streamed["findings"]} == {"MAILBOX_INTERCHANGE_UNROUTED", "MAILBOX_TEXT_SKIPPED"}
    # the measure: the whole read holds the file and its text at once (~2x the file); the streamed one the 1 MiB
    # buffers of the streaming hash and copy (connectors.local), a chunk, the interchange being read and the
    # window's text: ~2 MB whatever the file's size (measured: 12.2 MB read whole, 2.1 MB streamed, a 6 MB file)
    assert whole_peak > 1.5 * len(data), (whole_peak, len(data))
    assert streamed_peak < 3_000_000 < len(data) // 2, (streamed_peak, len(data))


def test_a_night_through_the_streamed_split_answers_each_partner_as_the_whole_read_does(tmp_path, monkeypatch):
    whole = _workspace(tmp_path / "whole", _mailbox_file())
    _night(whole)
    monkeypatch.setattr(mailbox, "STREAM_BYTES", 100)
    monkeypatch.setattr(mailbox, "CHUNK_BYTES", 64)
    streamed = _workspace(tmp_path / "streamed", _mailbox_file())
    summary = _night(streamed)
    assert not summary["failure"], summary["failure"]
    routes = f"mailbox/processed/{NAME}.routes.csv"
    assert (streamed.root / routes).read_bytes() == (whole.root / routes).read_bytes()
    for pid in ("acme", "globex", "initech"):
        for folder in ("processed", "outbox"):
            names = sorted(p.name for p in (whole.drop_root / pid / folder).iterdir())
            assert names and names == sorted(p.name for p in (streamed.drop_root / pid / folder).iterdir())
        assert list((streamed.drop_root / pid / "outbox").glob(f"{pid}-855-*"))
    assert sorted(p.name for p in (streamed.root / "mailbox" / "quarantine").iterdir()) == \
        sorted(p.name for p in (whole.root / "mailbox" / "quarantine").iterdir())


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_a_streamed_split_killed_midway_is_finished_by_the_rerun_writing_nothing_twice(tmp_path, monkeypatch, cut):
    """Killed after ``cut`` pieces are placed: the rerun places the rest (the placed ones left as they are), records
    each finding once, writes the routes file and moves the mailbox file, as one uninterrupted split."""
    data = _mailbox_file()
    ref, _, _ = _split(tmp_path / "ref", data, 100, monkeypatch)
    ws = _workspace(tmp_path / "ws", data)
    real, placed = mailbox._put, []

    def dies(*args, **kwargs):
        if len(placed) == cut:
            raise SystemExit("killed mid-split")
        placed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(mailbox, "_put", dies)
    state = StateStore(ws.state_url)
    try:
        with pytest.raises(SystemExit):
            mailbox.split_mailbox(ws, ws.partners(), state, run_id="r1", now=datetime(2026, 11, 27, 2))
        assert not (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").exists()
        assert not [p for p in (ws.root / "mailbox" / "processed").iterdir() if p.name.startswith(".tmp")]
        monkeypatch.setattr(mailbox, "_put", real)
        mailbox.split_mailbox(ws, ws.partners(), state, run_id="r1", now=datetime(2026, 11, 27, 2))
    finally:
        state.close()
    assert _outcome(ws) == _outcome(ref)
