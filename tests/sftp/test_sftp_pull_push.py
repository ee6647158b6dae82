"""Pull from and push to a real OpenSSH server: the happy paths and idempotent delivery."""

from __future__ import annotations

import os

import pytest

from connectors.base import FileDrop, FileInfo
from connectors.sftp import SftpDrop, resolve_secret
from connectors.testing_sshd import make_key
from schemas.errors import ConfigError

pytestmark = pytest.mark.integration


def test_sftp_drop_implements_the_file_drop_protocol(settings):
    drop = SftpDrop(settings)
    assert isinstance(drop, FileDrop)
    drop.close()


def test_pull_lists_reads_and_moves_to_processed(settings, partner):
    partner.put("inbox", "po-1.edi", b"ISA*00*...~")
    partner.put("inbox", "po-2.edi", b"ISA*00*second~")
    with SftpDrop(settings) as drop:
        listed = drop.list("inbox")
        assert [f.name for f in listed] == ["po-1.edi", "po-2.edi"]
        assert listed[0].size == len(b"ISA*00*...~")
        for info in listed:
            data = drop.read("inbox", info.name, expected_size=info.size)
            assert data == partner.get("inbox", info.name)
            drop.move("inbox", info.name, "processed")
        assert drop.list("inbox") == []
    assert partner.names("inbox") == []
    assert partner.names("processed") == ["po-1.edi", "po-2.edi"]


def test_pull_without_processed_folder_deletes_after_download(server, partner):
    partner.put("inbox", "po-1.edi", b"data")
    with SftpDrop(server.settings(remote_processed=None)) as drop:
        assert drop.read("inbox", "po-1.edi") == b"data"
        drop.move("inbox", "po-1.edi", "processed")
    assert partner.names("inbox") == []
    assert partner.names("processed") == []


def test_push_writes_atomically_into_outbox(settings, partner):
    payload = os.urandom(3 * 1024 * 1024 + 17)  # several chunks
    with SftpDrop(settings) as drop:
        drop.write("outbox", "855-0001.x12", payload)
        info = drop.stat("outbox", "855-0001.x12")
    assert partner.names("outbox") == ["855-0001.x12"]  # no temporary file left
    assert partner.get("outbox", "855-0001.x12") == payload
    assert isinstance(info, FileInfo) and info.size == len(payload)


def test_push_of_identical_file_is_already_delivered(settings, partner):
    with SftpDrop(settings) as drop:
        drop.write("outbox", "997-1.x12", b"ack one")
        inode = os.stat(partner.path("outbox", "997-1.x12")).st_ino
        drop.write("outbox", "997-1.x12", b"ack one")
        assert os.stat(partner.path("outbox", "997-1.x12")).st_ino == inode  # not rewritten
        drop.write("outbox", "997-1.x12", b"ack two")  # same size, other content: replaced
    assert partner.names("outbox") == ["997-1.x12"]
    assert partner.get("outbox", "997-1.x12") == b"ack two"


def test_hidden_temporary_and_non_regular_entries_are_not_listed(settings, partner, server):
    partner.put("inbox", "ready.edi", b"x")
    partner.put("inbox", ".hidden.edi", b"x")
    partner.put("inbox", "upload.edi.part", b"x")
    partner.put("inbox", "upload.edi.filepart", b"x")
    partner.put("inbox", "upload.tmp", b"x")
    os.mkdir(server.folder("inbox") / "subdir.edi")
    os.symlink("/etc/passwd", server.folder("inbox") / "link.edi")
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["ready.edi"]
        assert drop.refused_names("inbox") == []


def test_stat_and_delete(settings, partner):
    partner.put("inbox", "a.edi", b"abc")
    with SftpDrop(settings) as drop:
        assert drop.stat("inbox", "a.edi").size == 3
        assert drop.stat("inbox", "missing.edi") is None
        drop.delete("inbox", "a.edi")
        drop.delete("inbox", "a.edi")  # deleting twice is fine
    assert partner.names("inbox") == []


def test_unmapped_folder_is_a_config_error(settings):
    with SftpDrop(settings) as drop, pytest.raises(ConfigError):
        drop.list("quarantine")


def test_encrypted_key_with_passphrase_from_the_environment(server, partner, tmp_path):
    key = make_key(tmp_path / "id_enc", passphrase="pass-phrase-42")
    authorized = server.workdir / "authorized_keys"
    original = authorized.read_text()
    authorized.write_text(original + key.with_suffix(".pub").read_text())
    try:
        settings = server.settings(key_file=str(key), secret_env="OB_TEST_SFTP_SECRET")
        secret = resolve_secret(settings, {"OB_TEST_SFTP_SECRET": "pass-phrase-42"})
        partner.put("inbox", "a.edi", b"abc")
        with SftpDrop(settings, secret) as drop:
            assert drop.read("inbox", "a.edi") == b"abc"
    finally:
        authorized.write_text(original)


def test_resolve_secret_names_the_variable_never_a_value(settings):
    assert resolve_secret(settings, {}) is None  # no secret_env: key without passphrase
    named = settings.model_copy(update={"secret_env": "OB_MISSING_SECRET"})
    with pytest.raises(ConfigError) as err:
        resolve_secret(named, {"OTHER": "value-not-to-show"})
    assert "OB_MISSING_SECRET" in str(err.value)
    assert "value-not-to-show" not in str(err.value)
