"""Answers to a partner reached only through the VAN ([delivery] via = "mailbox"), against the real OpenSSH server
playing the VAN: the partner's 997/855 are put in the VAN's outbound folder (workspace.toml's [mailbox.sftp]
remote_outbox), each written whole under a hidden name, recorded, then renamed; a partner switched from its own drop
keeps its control numbers and what was pending goes once; a night killed between the put and the record, or between
the record and the rename, sends nothing twice and loses nothing; a connection lost part-way is retried the next
night. And a file put by hand in an SFTP partner's local inbox is read only once it has settled."""

from __future__ import annotations

import pytest

from connectors.state import StateStore
from flows import documents, faults
from schemas.errors import TerminalError
from tests.sftp.test_sftp_mailbox import _workspace as _van_workspace
from tests.test_mailbox_routing import DROPS, _night

pytestmark = pytest.mark.integration

PO1, PO2 = (DROPS / "acme" / n for n in ("acme-po-01.x12", "acme-po-02.x12"))


def _po3() -> bytes:
    """acme's first interchange sent again as a new one: ISA13/GS06 1003, its POs ACME-1020 and ACME-1021."""
    data = PO1.read_bytes().replace(b"000001001", b"000001003").replace(b"*1001*X*", b"*1003*X*")
    data = data.replace(b"GE*2*1001~", b"GE*2*1003~")
    return data.replace(b"*ACME-1000*", b"*ACME-1020*").replace(b"*ACME-1001*", b"*ACME-1021*")


def _via_mailbox(ws) -> None:
    path = ws.root / "partners" / "acme.toml"
    path.write_text(path.read_text() + '\n[delivery]\nvia = "mailbox"\n')
    assert ws.partners()["acme"].delivery.via == "mailbox"


def _docs(ws, status: str | None = None, staged: int = 0) -> list[tuple[str, str, str]]:
    """(file name, ISA13, status) of acme's documents, in the order they were made; ``staged``: how many are
    recorded as put and not yet marked (none once a night ends well)."""
    state = StateStore(ws.state_url)
    try:
        rows = state._q("SELECT file_name, isa13, status FROM documents WHERE partner='acme' ORDER BY id")
        staged_rows = state._q("SELECT key FROM meta WHERE key LIKE 'mailbox-put:%'")
    finally:
        state.close()
    assert len(staged_rows) == staged, staged_rows
    return [tuple(r) for r in rows if status is None or r[2] == status]


def _failed(night: dict, why: str) -> bool:
    """Whether acme's stage failed in ``night`` saying ``why``."""
    return why in night["failure"] or any(p["partner"] == "acme" and why in str(p["failure"])
                                          for p in night["partners"])


def _isa13(data: bytes) -> str:
    text = data.decode("latin-1")
    return text[4:106].split(text[3])[12]


class Van:
    """The VAN's side of its outbound folder: what it has taken so far (its poller takes every visible file)."""

    def __init__(self, partner):
        self.partner = partner
        self.taken: dict[str, bytes] = {}

    def poll(self) -> list[str]:
        names = [n for n in self.partner.names("outbox") if not n.startswith(".")]
        for n in names:
            assert n not in self.taken, f"{n} sent twice"
            self.taken[n] = self.partner.get("outbox", n)
            (self.partner.server.folder("outbox") / n).unlink()
        return names


def _drop_file(ws, path) -> None:
    from tests.support import write_settled

    (ws.drop_root / "acme" / "inbox").mkdir(parents=True, exist_ok=True)
    write_settled(ws.drop_root / "acme" / "inbox" / path.name, path.read_bytes())


def test_a_partner_switched_to_the_van_keeps_its_numbers_and_its_pending_answers_go_once(
        tmp_path, server, partner, monkeypatch):
    ws = _van_workspace(tmp_path / "ws", server.settings())
    _drop_file(ws, PO1)

    # night 1: acme on its own (local) drop: its 997 and 855 in drop/acme/outbox/
    first = _night(ws, "2026-11-27T02:00:00")
    assert not first["failure"], first["failure"]
    before = _docs(ws)
    assert before and {s for _n, _i, s in before} == {"delivered"}
    own = sorted(p.name for p in (ws.drop_root / "acme" / "outbox").iterdir())
    assert own == sorted(n for n, _i, _s in before)

    # night 2: another 850; its answers are made but not delivered (acme's drop is gone: the delivery fails)
    _drop_file(ws, PO2)

    real = documents.deliver_pending

    def gone(party, *args, **kwargs):
        if party == "acme":
            raise TerminalError("acme's drop is gone")
        return real(party, *args, **kwargs)

    monkeypatch.setattr(documents, "deliver_pending", gone)
    second = _night(ws, "2026-11-28T02:00:00")
    assert "acme's drop is gone" in str(second)
    monkeypatch.undo()
    pending = _docs(ws, "pending")
    assert pending

    # acme moves to the VAN: its answers go through the VAN mailbox from now on
    _via_mailbox(ws)
    van = Van(partner)
    # night 3: its third 850 comes through the VAN mailbox (pulled from the VAN's server, split to drop/acme/inbox/)
    partner.put("inbox", "van-20261129.edi", _po3())
    third = _night(ws, "2026-11-29T02:00:00")
    assert not third["failure"], third["failure"]
    assert not [n for n in partner.names("outbox") if n.startswith(".")]  # no temporary left
    sent = van.poll()
    now = _docs(ws)
    assert {s for _n, _i, s in now} == {"delivered"}
    new = [d for d in now if d not in before]
    # every document not delivered before, and only those, is in the VAN's folder, under its own name and number
    assert sorted(sent) == sorted(n for n, _i, _s in new)
    assert sorted(sent) == sorted({n for n, _i, _s in pending} | {n for n, _i, _s in new})
    assert {_isa13(van.taken[n]) for n, _i, _s in new} == {i for _n, i, _s in new}
    # one ISA13 sequence across the switch: the numbers go on from acme's own drop's
    numbers = [int(i) for _n, i, _s in now if i]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert max(int(_isa13((ws.drop_root / "acme" / "outbox" / n).read_bytes())) for n in own) < min(
        int(_isa13(van.taken[n])) for n in sent)
    assert sorted(p.name for p in (ws.drop_root / "acme" / "outbox").iterdir()) == own  # nothing more there
    # the 850 that came through the VAN is answered through it: a 997 answering its interchange and an 855
    acks = [van.taken[n] for n in sent if n.startswith("acme-997-")]
    assert any(b"AK1*PO*1003" in a for a in acks)
    assert sorted(b"ACME-1020" in van.taken[n] for n in sent if n.startswith("acme-855-")) == [False, True]
    # what was pending at the switch (night 2's 997 answering interchange 1002) went through the VAN too
    assert any(b"AK1*PO*1002" in van.taken[n] for n, _i, _s in pending)
    state = StateStore(ws.state_url)
    try:
        assert [f["status"] for f in state.files("acme") if f["name"].startswith("van-20261129.edi")] == ["processed"]
    finally:
        state.close()

    # night 4: nothing new: nothing sent again
    fourth = _night(ws, "2026-11-30T02:00:00")
    assert not fourth["failure"], fourth["failure"]
    assert van.poll() == []


@pytest.mark.parametrize("point", ["after-mailbox-stage", "after-outbox-write"])
def test_a_night_killed_between_the_put_and_the_record_sends_each_answer_once(
        tmp_path, server, partner, monkeypatch, point):
    """Killed at the second file: after its record and before its rename ("after-mailbox-stage"), or after its
    rename and before it is marked delivered ("after-outbox-write", the VAN taking it meanwhile). The rerun sends
    every answer exactly once: the one renamed is only marked, the one recorded is renamed, the rest are put."""
    ws = _van_workspace(tmp_path / "ws", server.settings())
    _via_mailbox(ws)
    _drop_file(ws, PO1)
    _drop_file(ws, PO2)
    van = Van(partner)
    real = faults.reached
    seen = []

    def dies(at: str) -> None:
        real(at)
        if at == point:
            seen.append(at)
            if len(seen) == 2:
                raise SystemExit(f"killed at {at}")

    monkeypatch.setattr(faults, "reached", dies)
    with pytest.raises(SystemExit):
        _night(ws, "2026-11-27T02:00:00")
    monkeypatch.setattr(faults, "reached", real)
    hidden = [n for n in partner.names("outbox") if n.startswith(".")]
    assert len(hidden) == (1 if point == "after-mailbox-stage" else 0), hidden
    first = van.poll()  # the VAN takes what is in place while we are down
    assert len(first) == (1 if point == "after-mailbox-stage" else 2)
    state = StateStore(ws.state_url)
    try:
        assert len(state._q("SELECT key FROM meta WHERE key LIKE 'mailbox-put:%'")) == 1  # the one between
    finally:
        state.close()

    rerun = _night(ws, "2026-11-27T02:00:00")
    assert not rerun["failure"], rerun["failure"]
    van.poll()  # (asserts nothing is taken twice)
    docs = _docs(ws)
    assert docs and {s for _n, _i, s in docs} == {"delivered"}
    assert sorted(van.taken) == sorted(n for n, _i, _s in docs)
    assert all(_isa13(van.taken[n]) == i for n, i, _s in docs)
    assert not partner.names("outbox")


def test_a_connection_lost_at_a_rename_leaves_the_rest_for_the_next_night_and_sends_none_twice(
        tmp_path, server, partner, monkeypatch):
    from connectors.sftp import SftpDrop

    ws = _van_workspace(tmp_path / "ws", server.settings())
    _via_mailbox(ws)
    _drop_file(ws, PO1)
    van = Van(partner)
    real = SftpDrop._rename
    calls = []

    def lost(self, src, dst, **kw):
        if not dst.rpartition("/")[2].startswith("."):  # a document's rename into place (not an upload's own)
            calls.append(dst)
            if len(calls) == 2:
                server.kill()  # the VAN's server goes away at the second document's rename, after its record
        return real(self, src, dst, **kw)

    monkeypatch.setattr(SftpDrop, "_rename", lost)
    night = _night(ws, "2026-11-27T02:00:00")
    monkeypatch.setattr(SftpDrop, "_rename", real)
    assert _failed(night, "SFTP connection lost")
    server.restart()
    assert len(van.poll()) == 1
    assert len([n for n in partner.names("outbox") if n.startswith(".tmp-")]) == 1  # recorded, not renamed
    assert _docs(ws, "pending", staged=1)
    again = _night(ws, "2026-11-28T02:00:00")
    assert not again["failure"], again["failure"]
    van.poll()
    docs = _docs(ws)
    assert {s for _n, _i, s in docs} == {"delivered"} and sorted(van.taken) == sorted(n for n, _i, _s in docs)


def test_another_partner_s_file_of_the_same_name_is_never_written_over(tmp_path, server, partner):
    ws = _van_workspace(tmp_path / "ws", server.settings())
    _via_mailbox(ws)
    _drop_file(ws, PO1)
    night = _night(ws, "2026-11-27T02:00:00")
    assert not night["failure"], night["failure"]
    name = sorted(partner.names("outbox"))[0]
    data = partner.get("outbox", name)
    for n in partner.names("outbox"):
        (server.folder("outbox") / n).unlink()
    # the store forgets it sent the first (a restored store) and another file holds that name
    state = StateStore(ws.state_url)
    try:
        state._q("UPDATE documents SET status='pending', delivered_at=NULL WHERE file_name=?", (name,))
    finally:
        state.close()
    partner.put("outbox", name, b"someone else's file")
    again = _night(ws, "2026-11-28T02:00:00")
    assert _failed(again, "VAN mailbox's outbound folder with other content")
    assert partner.get("outbox", name) == b"someone else's file"
    state = StateStore(ws.state_url)
    try:
        codes = [f["code"] for f in state.findings(partner="acme")]
    finally:
        state.close()
    assert "OUTBOX_FILE_CONFLICT" in codes
    # the VAN clears its folder: the same bytes in place (a store that lost the record) are only marked
    partner.put("outbox", name, data)
    third = _night(ws, "2026-11-29T02:00:00")
    assert not third["failure"], third["failure"]
    assert partner.get("outbox", name) == data
    assert [s for n, _i, s in _docs(ws) if n == name] == ["delivered"]


def test_a_file_still_growing_in_an_sftp_partner_s_local_inbox_waits_for_the_next_night(
        tmp_path, server, partner, monkeypatch):
    """A file put by hand in drop/acme/inbox/ beside acme's SFTP drop (a slow copy, not an mv) is listed by acme's
    [drop.local] ready rule, as a local partner's inbox is: still growing across settle_seconds, it is left; the next
    night, whole, it is taken once and answered on acme's server."""
    from flows import intake
    from tests.sftp.test_sftp_mailbox_partner import _workspace as _sftp_partner_workspace

    ws = _sftp_partner_workspace(tmp_path / "ws", server)
    (ws.root / "mailbox" / "inbox" / "van-20261127.edi").unlink()  # (only the hand-placed file here)
    data = PO1.read_bytes()
    half = ws.drop_root / "acme" / "inbox" / "by-hand.x12"
    half.parent.mkdir(parents=True, exist_ok=True)
    half.write_bytes(data[: len(data) // 2])  # being copied now: its mtime is the clock's
    real = intake.local_drops
    waits = []

    def growing(w):
        make = real(w)

        def drop(profile):
            d = make(profile)

            def sleep(seconds):  # the copy goes on while the ready rule waits
                waits.append(seconds)
                with half.open("ab") as fh:
                    fh.write(data[len(data) // 2:])

            d._sleep = sleep
            return d

        return drop

    monkeypatch.setattr(intake, "local_drops", growing)
    first = _night(ws, "2026-11-27T02:00:00")
    assert not first["failure"], first["failure"]
    assert waits == [2.0]  # the profile's [drop.local] settle_seconds (the default)
    state = StateStore(ws.state_url)
    try:
        assert state.files("acme") == []
    finally:
        state.close()
    assert half.read_bytes() == data  # left where it was, whole now
    assert [n for n in partner.names("outbox") if n.startswith("acme-997-")] == []
    monkeypatch.setattr(intake, "local_drops", real)

    second = _night(ws, "2026-11-28T02:00:00")
    assert not second["failure"], second["failure"]
    state = StateStore(ws.state_url)
    try:
        assert [(f["name"], f["status"]) for f in state.files("acme")] == [("by-hand.x12", "processed")]
        assert not {"FILE_DUPLICATE", "ISA_DUPLICATE"} & {f["code"] for f in state.findings(partner="acme")}
    finally:
        state.close()
    assert len([n for n in partner.names("outbox") if n.startswith("acme-997-")]) == 1
