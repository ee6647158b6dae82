"""Host keys are pinned, credentials are checked, permissions are terminal; secrets never leak."""

from __future__ import annotations

import logging
import os

import pytest

from connectors.sftp import SftpDrop
from connectors.testing_sshd import make_key
from schemas.errors import SecurityError, TerminalError

pytestmark = pytest.mark.integration


def test_changed_host_key_is_refused(server, tmp_path):
    other = make_key(tmp_path / "other_host_key")
    kind, blob = other.with_suffix(".pub").read_text().split()[:2]
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} {kind} {blob}\n")
    with pytest.raises(SecurityError, match="does not match") as err:
        SftpDrop(server.settings(known_hosts=str(known))).list("inbox")
    assert not err.value.transient
    assert err.value.context["port"] == server.port


@pytest.mark.parametrize("content", ["", "[127.0.0.1]:1 {pub}\n", "127.0.0.1 {pub}\n"])
def test_unknown_host_is_refused(server, tmp_path, content):
    pub = " ".join(server.host_key.with_suffix(".pub").read_text().split()[:2])
    known = tmp_path / "known_hosts"
    known.write_text(content.format(pub=pub))  # empty, or pinned for another port only
    with pytest.raises(SecurityError, match="unknown"):
        SftpDrop(server.settings(known_hosts=str(known))).list("inbox")


def test_system_and_user_known_hosts_are_ignored(server, tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "known_hosts").write_text(server.known_hosts.read_text())
    monkeypatch.setenv("HOME", str(home))
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(SecurityError, match="unknown"):
        SftpDrop(server.settings(known_hosts=str(empty))).list("inbox")


def test_wrong_user_key_is_refused(server, tmp_path):
    stranger = make_key(tmp_path / "id_stranger")
    with pytest.raises(SecurityError, match="authentication failed"):
        SftpDrop(server.settings(key_file=str(stranger))).list("inbox")


def test_secret_never_appears_in_errors_or_logs(server, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Hunter2-do-not-print"
    with pytest.raises(SecurityError) as err:  # server takes keys only: password is refused
        SftpDrop(server.settings(key_file=None), secret).list("inbox")
    enc = make_key(tmp_path / "id_enc", passphrase="right-passphrase")
    with pytest.raises(SecurityError) as err2:
        SftpDrop(server.settings(key_file=str(enc)), secret).list("inbox")
    for e in (err.value, err2.value):
        assert secret not in str(e) and secret not in repr(e.context)
    assert secret not in caplog.text
    assert secret not in repr(SftpDrop(server.settings(key_file=None), secret))


def test_unreadable_file_is_terminal_and_stays(settings, partner):
    partner.put("inbox", "locked.edi", b"secret order", owner="root", mode=0o600)
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["locked.edi"]
        with pytest.raises(SecurityError, match="permission denied") as err:
            drop.read("inbox", "locked.edi")
        assert not err.value.transient and err.value.context["name"] == "locked.edi"
        # the same connection still works after a terminal error
        assert [f.name for f in drop.list("inbox")] == ["locked.edi"]
    assert partner.get("inbox", "locked.edi") == b"secret order"


def test_unreadable_folder_is_terminal(server, partner):
    locked = server.folder("locked")
    locked.mkdir(mode=0o700)
    partner.put("locked", "a.edi", b"x", owner="root")
    with SftpDrop(server.settings(remote_inbox="/locked")) as drop:
        with pytest.raises(SecurityError, match="permission denied"):
            drop.list("inbox")
        with pytest.raises(SecurityError, match="permission denied"):
            drop.refused_names("inbox")
    assert partner.names("locked") == ["a.edi"]


def test_unwritable_outbox_is_terminal_and_leaves_nothing(server, partner):
    os.chown(server.folder("outbox"), 0, 0)
    with SftpDrop(server.settings()) as drop:
        with pytest.raises(TerminalError, match="permission denied"):
            drop.write("outbox", "855.x12", b"data")
    assert partner.names("outbox") == []
