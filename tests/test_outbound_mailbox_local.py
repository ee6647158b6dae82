"""[delivery] via = "mailbox" with the workspace's local VAN mailbox ([mailbox] kind = "local", the default): a
partner's answers go to mailbox/outbox/ (what the VAN's or translator's job sends), never to its own drop's outbox;
a night killed after a file's rename and before its mark, the VAN's job taking the file meanwhile, sends none twice.
(The same over the VAN's SFTP server: tests/sftp/test_sftp_outbound_mailbox.py.)"""

from __future__ import annotations

import pytest

from connectors.state import StateStore
from flows import faults
from tests.test_mailbox_routing import _night


def _workspace(root):
    from tests.support import make_workspace

    ws = make_workspace(root, partners=("acme", "globex"))
    path = ws.root / "partners" / "acme.toml"
    path.write_text(path.read_text() + '\n[delivery]\nvia = "mailbox"\n')
    return ws


def _acme_docs(ws) -> list[tuple[str, str]]:
    state = StateStore(ws.state_url)
    try:
        return [tuple(r) for r in state._q("SELECT file_name, status FROM documents WHERE partner='acme' ORDER BY id")]
    finally:
        state.close()


def test_a_partner_via_the_mailbox_is_answered_in_mailbox_outbox_and_the_others_in_their_drops(tmp_path):
    ws = _workspace(tmp_path / "ws")
    night = _night(ws)
    assert not night["failure"], night["failure"]
    docs = _acme_docs(ws)
    assert docs and {s for _n, s in docs} == {"delivered"}
    out = ws.root / "mailbox" / "outbox"
    assert sorted(p.name for p in out.iterdir()) == sorted(n for n, _s in docs)  # no temporary left
    assert not list((ws.drop_root / "acme" / "outbox").iterdir())
    assert [p.name for p in (ws.drop_root / "globex" / "outbox").iterdir()]  # globex's own drop, as before
    assert not [p for p in out.iterdir() if p.name.startswith("globex")]


def test_a_night_killed_after_a_rename_sends_nothing_twice_though_the_van_took_the_file(tmp_path, monkeypatch):
    ws = _workspace(tmp_path / "ws")
    out = ws.root / "mailbox" / "outbox"
    taken: dict[str, bytes] = {}
    real = faults.reached

    def dies(at: str) -> None:
        real(at)
        if at == "after-outbox-write" and any(out.glob("acme-*")) and len(list(out.glob("acme-*"))) == 2:
            raise SystemExit("killed after the second rename")

    monkeypatch.setattr(faults, "reached", dies)
    with pytest.raises(SystemExit):
        _night(ws)
    monkeypatch.setattr(faults, "reached", real)
    for p in out.iterdir():  # the VAN's job takes what is there
        taken[p.name] = p.read_bytes()
        p.unlink()
    assert len(taken) == 2
    rerun = _night(ws)
    assert not rerun["failure"], rerun["failure"]
    for p in out.iterdir():
        assert p.name not in taken, f"{p.name} sent twice"
        taken[p.name] = p.read_bytes()
    docs = _acme_docs(ws)
    assert {s for _n, s in docs} == {"delivered"} and sorted(taken) == sorted(n for n, _s in docs)


def test_a_resend_of_a_partner_via_the_mailbox_goes_to_the_van_s_folder(tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _workspace(tmp_path / "ws")
    assert not _night(ws)["failure"]
    out = ws.root / "mailbox" / "outbox"
    name = sorted(p.name for p in out.glob("acme-855-*"))[0]
    sent = (out / name).read_bytes()
    for p in out.iterdir():  # the VAN's job took them all
        p.unlink()
    isa13 = name.rsplit("-", 1)[1].split(".")[0]
    done = CliRunner().invoke(app, ["resend", "--partner", "acme", "--isa", isa13, "--by", "Ann", "--note",
                                    "ACME says it never arrived", "-w", str(ws.root)])
    assert done.exit_code == 0, done.output
    assert [p.name for p in out.iterdir()] == [name] and (out / name).read_bytes() == sent
    assert not list((ws.drop_root / "acme" / "outbox").iterdir())


def test_a_resend_killed_after_its_rename_is_only_marked_by_the_next_night(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    ws = _workspace(tmp_path / "ws")
    assert not _night(ws)["failure"]
    out = ws.root / "mailbox" / "outbox"
    name = sorted(p.name for p in out.glob("acme-855-*"))[0]
    for p in out.iterdir():
        p.unlink()
    real = faults.reached

    def dies(at: str) -> None:
        real(at)
        if at == "after-outbox-write":
            raise KeyboardInterrupt("killed after the resend's rename")

    monkeypatch.setattr(faults, "reached", dies)
    isa13 = name.rsplit("-", 1)[1].split(".")[0]
    done = CliRunner().invoke(app, ["resend", "--partner", "acme", "--isa", isa13, "--by", "Ann", "--note", "lost",
                                    "-w", str(ws.root)])
    assert done.exit_code == 130, (done.exit_code, done.output, done.exception)  # (the CLI's exit on an interrupt)
    monkeypatch.setattr(faults, "reached", real)
    assert [p.name for p in out.iterdir()] == [name]
    (out / name).unlink()  # the VAN's job took the resent copy
    state = StateStore(ws.state_url)
    try:
        assert len(state.resends_of("acme", pending=True)) == 1
        assert len(state._q("SELECT key FROM meta WHERE key LIKE 'mailbox-put:resend:%'")) == 1
    finally:
        state.close()
    assert not _night(ws, "2026-11-28T02:00:00")["failure"]
    assert not list(out.iterdir())  # not written again
    state = StateStore(ws.state_url)
    try:
        assert state.resends_of("acme", pending=True) == []
        assert [r[0] for r in state._q("SELECT status FROM resends WHERE partner='acme'")] == ["delivered"]
        assert state._q("SELECT key FROM meta WHERE key LIKE 'mailbox-put:%'") == []
    finally:
        state.close()


def test_via_the_mailbox_refuses_folders_and_other_uploads_and_partner_check_names_the_van_s_folder():
    import tomllib
    from pathlib import Path

    from pydantic import ValidationError

    from rules.partner_check import profile_delivery
    from schemas.profile import PartnerProfile

    raw = tomllib.loads((Path(__file__).resolve().parents[1] / "partners" / "acme.toml").read_text())
    assert PartnerProfile.model_validate(raw).delivery.via == "drop"  # the default: its own drop
    for extra in ({"folders": {"855": "acks"}}, {"upload": "direct"},
                  {"upload": "staging", "staging_folder": "stage"}):
        with pytest.raises(ValidationError, match='via = "mailbox" puts every file'):
            PartnerProfile.model_validate(raw | {"delivery": {"via": "mailbox", **extra}})
    profile = PartnerProfile.model_validate(raw | {"delivery": {"via": "mailbox",
                                                                "file_name": "ACME_{type}_{isa13:09d}.edi"}})
    lines = profile_delivery(profile)
    assert "855: mailbox:outbox/ACME_855_000000001.edi" in lines, lines
