"""Partners' servers that lack or refuse what the happy path uses, played by the real OpenSSH server
with internal-sftp's ``-P`` (requests it refuses) and ``-R`` (read-only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.sftp import SftpDrop
from connectors.testing_sshd import LocalSshd
from schemas.errors import SecurityError, TerminalError, TransientError
from tests.sftp.conftest import Partner, need_root

pytestmark = pytest.mark.integration


@pytest.fixture
def restricted(request) -> Iterator[tuple[LocalSshd, Partner]]:
    need_root()
    with LocalSshd(sftp_flags=request.param) as server:
        yield server, Partner(server)


@pytest.mark.parametrize("restricted", ["-P posix-rename"], indirect=True)
def test_a_server_without_posix_rename_still_gets_files_moved_and_delivered_whole(restricted):
    server, partner = restricted
    partner.put("inbox", "po-1.edi", b"ISA*first~")
    partner.put("processed", "po-1.edi", b"ISA*yesterday~")  # a resend of a name taken before
    partner.put("outbox", "855-1.x12", b"older 855")
    with SftpDrop(server.settings()) as drop:
        drop.move("inbox", "po-1.edi", "processed")
        drop.write("outbox", "997-1.x12", b"ack")
        drop.write("outbox", "855-1.x12", b"newer 855")
        drop.write("outbox", "855-1.x12", b"newer 855")  # a retry: already delivered
    assert partner.names("inbox") == []
    assert partner.get("processed", "po-1.edi") == b"ISA*first~"
    assert partner.names("outbox") == ["855-1.x12", "997-1.x12"]  # no temporary file left
    assert partner.get("outbox", "855-1.x12") == b"newer 855"
    with SftpDrop(server.settings()) as drop, pytest.raises(TerminalError, match="not found"):
        drop.move("inbox", "po-1.edi", "processed")  # gone: the file of that name in processed/ stays
    assert partner.get("processed", "po-1.edi") == b"ISA*first~"


@pytest.mark.parametrize("restricted", ["-P rename,posix-rename"], indirect=True)
def test_a_server_refusing_rename_is_a_clear_error_and_leaves_no_temporary_upload(restricted):
    server, partner = restricted
    partner.put("inbox", "po-1.edi", b"ISA*first~")
    with SftpDrop(server.settings()) as drop:
        with pytest.raises(SecurityError, match="refuses to rename") as err:
            drop.write("outbox", "997-1.x12", b"ack")
        assert err.value.context["folder"] == "outbox"
        with pytest.raises(SecurityError, match="refuses to rename"):
            drop.move("inbox", "po-1.edi", "processed")
    assert partner.names("outbox") == []  # neither the file nor its temporary name
    assert partner.names("inbox") == ["po-1.edi"] and partner.names("processed") == []


@pytest.mark.parametrize("restricted", ["-P write"], indirect=True)
def test_a_refused_write_mid_upload_leaves_no_partial_file(restricted):
    server, partner = restricted  # the server creates the file, then refuses its bytes (as a full quota does)
    with SftpDrop(server.settings()) as drop, pytest.raises(TransientError, match="upload short"):
        drop.write("outbox", "855-1.x12", b"x" * 100_000)  # pipelined writes: refused silently, size checked
    assert partner.names("outbox") == []
