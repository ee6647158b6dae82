"""A VAN mailbox interchange of a partner whose own drop is an SFTP server (a company moving from its SFTP to a VAN),
against the real OpenSSH server: the split hands it to the local drop/<id>/inbox/ beside that drop (never to the
partner's server), the partner's intake takes it with what still comes on its server, and it is answered with the
partner's own 997 and 855, delivered to its server's outbox. A server that is down does not keep the hand-off from
being taken and answered; nothing is taken twice."""

from __future__ import annotations

import pytest

from connectors.state import StateStore
from tests.sftp.test_sftp_warehouse_drops import _sftp_table
from tests.test_mailbox_routing import DROPS, NAME, _mailbox_file, _night, _parts

pytestmark = pytest.mark.integration

PIECE = f"{NAME}.ic1of4.000001001.x12"  # acme's 850 (PO 4500012345, ISA13 000001001) in the mailbox file
OWN = "acme-po-02.x12"  # acme's other 850 (ISA13 000001002), still put on its own server during the move


def _workspace(root, server):
    from tests.support import make_workspace, write_settled

    ws = make_workspace(root, partners=())
    path = ws.root / "partners" / "acme.toml"
    text = path.read_text()
    start = text.index("[drop]\n")
    end = text.index("\n[", start + 1) + 1
    path.write_text(text[:start] + _sftp_table(server) + "\n" + text[end:])
    assert ws.partners()["acme"].drop.kind == "sftp"
    (ws.root / "mailbox" / "inbox").mkdir(parents=True)
    write_settled(ws.root / "mailbox" / "inbox" / NAME, _mailbox_file())
    return ws


def _files(ws, pid: str) -> list[tuple[str, str]]:
    state = StateStore(ws.state_url)
    try:
        return sorted((f["name"], f["status"]) for f in state.files(pid))
    finally:
        state.close()


def _codes(ws) -> list[str]:
    state = StateStore(ws.state_url)
    try:
        return sorted(f["code"] for f in state.findings(partner="acme"))
    finally:
        state.close()


def _isa(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    return text[4:105].split(text[3])


def test_an_interchange_for_a_partner_on_sftp_goes_to_the_inbox_beside_its_drop_and_is_answered_once(
        tmp_path, server, partner):
    ws = _workspace(tmp_path / "ws", server)
    own = (DROPS / "acme" / OWN).read_bytes()
    partner.put("inbox", OWN, own)

    # night 1: acme's server is down. The mailbox hands acme's interchange to drop/acme/inbox/ (nothing is put on
    # its server) and acme's intake takes it before it asks the server: recorded and answered (its 997 and 855
    # wait for delivery); the intake, then the delivery, fail saying the server is down; the server's file waits
    server.kill()
    first = _night(ws, "2026-11-27T02:00:00")
    assert "acme" in first["failure"] or any(p["partner"] == "acme" and p["failure"] for p in first["partners"])
    assert _files(ws, "acme") == [(PIECE, "processed")]
    assert (ws.drop_root / "acme" / "processed" / PIECE).read_bytes() == _parts()["acme"]
    assert not list((ws.drop_root / "acme" / "inbox").iterdir())
    with (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").open() as fh:
        rows = fh.read()
    assert f"acme,drop/acme/inbox/{PIECE}" in rows
    assert "MAILBOX_INTERCHANGE_UNROUTED" not in _codes(ws)
    server.restart()
    assert partner.names("inbox") == [OWN] and partner.names("outbox") == []

    # night 2: the server is back: its own file is taken, and every answer of both nights is delivered to its
    # server's outbox, to acme's ids; the hand-off (already processed) is not taken again
    second = _night(ws, "2026-11-28T02:00:00")
    assert not second["failure"], second["failure"]
    assert _files(ws, "acme") == [(OWN, "processed"), (PIECE, "processed")]
    assert partner.names("inbox") == [] and partner.names("processed") == [OWN]
    sent = partner.names("outbox")
    acks = [n for n in sent if n.startswith("acme-997-")]
    pos = [n for n in sent if n.startswith("acme-855-")]
    assert len(acks) == 2 and len(pos) == 2, sent
    answered = {_isa(partner.get("outbox", n))[7].strip() for n in acks + pos}  # ISA08: to whom
    assert answered == {"ACMERETAIL"}
    received = b"".join(partner.get("outbox", n) for n in acks)
    assert b"AK1*PO*" in received
    assert not {"FILE_DUPLICATE", "ISA_DUPLICATE", "MAILBOX_INTERCHANGE_UNROUTED"} & set(_codes(ws))

    # night 3: nothing new anywhere: nothing taken, nothing sent again
    third = _night(ws, "2026-11-29T02:00:00")
    assert not third["failure"], third["failure"]
    assert _files(ws, "acme") == [(OWN, "processed"), (PIECE, "processed")]
    assert partner.names("outbox") == sent


def test_a_night_killed_before_the_hand_off_is_moved_answers_it_once(tmp_path, server, partner, monkeypatch):
    """Killed after acme's intake committed the handed-off interchange (its 997 and 855 on record), before it left
    the local inbox: the rerun only moves it (recorded, not taken again: no duplicate, one 997, an 855 per PO), and the
    split does not hand it over again."""
    from flows import intake

    ws = _workspace(tmp_path / "ws", server)
    real = intake._dispose

    def dies(drop, local, name, data, disposition):
        if name == PIECE:
            raise SystemExit("killed before the move")
        return real(drop, local, name, data, disposition)

    monkeypatch.setattr(intake, "_dispose", dies)
    with pytest.raises(SystemExit):
        _night(ws, "2026-11-27T02:00:00")
    monkeypatch.setattr(intake, "_dispose", real)
    assert [p.name for p in (ws.drop_root / "acme" / "inbox").iterdir()] == [PIECE]
    rerun = _night(ws, "2026-11-27T02:00:00")
    assert not rerun["failure"], rerun["failure"]
    assert _files(ws, "acme") == [(PIECE, "processed")]
    assert not list((ws.drop_root / "acme" / "inbox").iterdir())
    assert [p.name for p in (ws.drop_root / "acme" / "processed").iterdir()] == [PIECE]
    sent = partner.names("outbox")
    assert len([n for n in sent if n.startswith("acme-997-")]) == 1, sent
    assert len([n for n in sent if n.startswith("acme-855-")]) == 2, sent  # one per PO of its interchange
    assert not {"FILE_DUPLICATE", "ISA_DUPLICATE"} & set(_codes(ws))
    with (ws.root / "mailbox" / "processed" / f"{NAME}.routes.csv").open() as fh:
        assert fh.read().count(f"drop/acme/inbox/{PIECE}") == 1
