"""Only settled files with safe names are offered; hostile names are reported, never used."""

from __future__ import annotations

import os

import pytest

from connectors.sftp import CHUNK, SftpDrop
from schemas.errors import ConfigError, TransientError

pytestmark = pytest.mark.integration

HOSTILE = [
    b"...",
    b"..evil.edi",
    b"back\\slash.edi",
    b"bell\x07.edi",
    b"new\nline.edi",
    b"\x1b[31mred.edi",
    b"caf\xe9-latin1.edi",  # not UTF-8: paramiko's listdir would fail the whole folder
    b"\xff\xfe",
]


def test_growing_file_is_not_listed_until_stable(server, partner):
    partner.put("inbox", "stable.edi", b"done")
    partner.put("inbox", "growing.edi", b"ISA*first part")
    naps = []

    def partner_still_writing(seconds: float) -> None:
        naps.append(seconds)
        with open(partner.path("inbox", "growing.edi"), "ab") as fh:
            fh.write(b"*more~")

    settings = server.settings(settle_seconds=0.05)
    with SftpDrop(settings, sleep=partner_still_writing) as drop:
        assert [f.name for f in drop.list("inbox")] == ["stable.edi"]
    assert naps == [0.05]

    with SftpDrop(settings, sleep=lambda s: None) as drop:
        listed = {f.name: f.size for f in drop.list("inbox")}
        assert listed == {"stable.edi": 4, "growing.edi": len(b"ISA*first part*more~")}


def test_file_changed_since_listing_is_transient(settings, partner):
    partner.put("inbox", "a.edi", b"short")
    with SftpDrop(settings) as drop:
        [info] = drop.list("inbox")
        partner.put("inbox", "a.edi", b"longer now")
        with pytest.raises(TransientError, match="changed"):
            drop.read("inbox", "a.edi", expected_size=info.size)
        assert drop.read("inbox", "a.edi") == b"longer now"


def test_hostile_names_are_refused_and_listing_still_works(settings, partner):
    partner.put("inbox", "good.edi", b"ok")
    for raw in HOSTILE:
        partner.put("inbox", raw, b"evil")
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["good.edi"]
        refused = drop.refused_names("inbox")
        assert len(refused) == len(HOSTILE)
        assert all(r.isprintable() for r in refused)
        assert repr("back\\slash.edi") in refused
        assert repr(b"caf\xe9-latin1.edi".decode("utf-8", "surrogateescape")) in refused
        for name in ["../etc/passwd", "/etc/passwd", "..", "a/b", "bell\x07.edi", "back\\slash.edi"]:
            with pytest.raises(ConfigError):
                drop.read("inbox", name)
            with pytest.raises(ConfigError):
                drop.write("outbox", name, b"x")
        assert drop.read("inbox", "good.edi") == b"ok"
    # nothing was touched on the server
    assert len(partner.names("inbox")) == len(HOSTILE) + 1
    assert partner.names("outbox") == []


def test_many_files_list_in_name_order(settings, partner):
    names = [f"po-{i:04d}.edi" for i in range(250)]  # several READDIR batches
    for n in reversed(names):
        partner.put("inbox", n, n.encode())
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == names
    assert os.path.exists(partner.path("inbox", names[0]))


@pytest.mark.parametrize("change", ["grow", "shrink"])
def test_file_changing_during_download_is_transient(server, partner, change):
    partner.put("inbox", "big.edi", b"x" * (2 * CHUNK + 5))
    path = partner.path("inbox", "big.edi")

    def partner_rewrites(name: str, done: int) -> None:
        if change == "grow":
            with open(path, "ab") as fh:
                fh.write(b"more")
        else:
            os.truncate(path, 10)

    with SftpDrop(server.settings(), progress=partner_rewrites) as drop:
        with pytest.raises(TransientError):
            drop.read("inbox", "big.edi")


def test_refused_reports_hostile_names_and_special_files_never_folders(settings, partner):
    partner.put("inbox", "good.edi", b"ok")
    partner.put("inbox", b"new\nline.edi", b"evil")
    os.symlink("/etc/passwd", partner.path("inbox", "link.edi"))
    os.mkfifo(partner.path("inbox", "pipe.edi"))
    os.mkdir(partner.path("inbox", "sub"))
    with SftpDrop(settings, sleep=lambda s: None) as drop:
        refused = {(r.name, r.code) for r in drop.refused("inbox")}
        assert refused == {(repr("new\nline.edi"), "FILE_NAME_REFUSED"), (repr("link.edi"), "FILE_TYPE_REFUSED"),
                           (repr("pipe.edi"), "FILE_TYPE_REFUSED")}
        assert [f.name for f in drop.list("inbox")] == ["good.edi"]


def test_lock_files_tilde_names_and_files_guarded_by_a_lock_are_never_listed(settings, partner):
    partner.put("inbox", "po-1.edi", b"ISA*half")  # the partner holds po-1.edi.lock while uploading
    partner.put("inbox", "po-1.edi.lock", b"")
    partner.put("inbox", "po-3.x12", b"ISA*half")
    partner.put("inbox", "po-3.LCK", b"")
    partner.put("inbox", "~po-2.edi", b"ISA*half")  # an upload tool's temporary name
    partner.put("inbox", "ready.edi", b"ISA*whole~")
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["ready.edi"]
        assert drop.refused("inbox") == []
    os.unlink(partner.path("inbox", "po-1.edi.lock"))  # upload done
    with SftpDrop(settings) as drop:
        assert [f.name for f in drop.list("inbox")] == ["po-1.edi", "ready.edi"]


def test_a_listed_file_removed_before_it_is_read_is_transient_and_the_next_listing_goes_on(settings, partner):
    partner.put("inbox", "po-1.edi", b"ISA*one~")
    partner.put("inbox", "po-2.edi", b"ISA*two~")
    with SftpDrop(settings) as drop:
        first, second = drop.list("inbox")
        os.unlink(partner.path("inbox", "po-1.edi"))  # the partner's clean-up, between list and read
        with pytest.raises(TransientError, match="vanished"):
            drop.read("inbox", first.name, expected_size=first.size)
        assert drop.read("inbox", second.name, expected_size=second.size) == b"ISA*two~"  # same connection
        assert [f.name for f in drop.list("inbox")] == ["po-2.edi"]


def test_a_server_listing_names_without_attributes_still_has_its_files_taken(settings, partner, server, monkeypatch):
    import paramiko

    partner.put("inbox", "po-1.edi", b"ISA*one~")
    os.mkdir(server.folder("inbox") / "sub.edi")
    os.symlink("/etc/passwd", server.folder("inbox") / "link.edi")
    real = SftpDrop._read_dir

    def names_only(self, folder):  # the server's READDIR answer carries no attributes
        return [(raw, paramiko.SFTPAttributes()) for raw, _attr in real(self, folder)]

    monkeypatch.setattr(SftpDrop, "_read_dir", names_only)
    with SftpDrop(settings) as drop:
        [info] = drop.list("inbox")
        assert (info.name, info.size) == ("po-1.edi", 8)
        assert drop.read("inbox", info.name, expected_size=info.size) == b"ISA*one~"
        assert [r.code for r in drop.refused("inbox")] == ["FILE_TYPE_REFUSED"]  # the symlink, not the folder
