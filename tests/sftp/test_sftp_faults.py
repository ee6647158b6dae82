"""Network faults are transient; after the server returns, a retry moves each file exactly once."""

from __future__ import annotations

import hashlib
import os
import socket

import pytest

from connectors.sftp import SftpDrop
from connectors.testing_sshd import free_port
from schemas.errors import ConnectorUnavailable, TransientError, is_transient

pytestmark = pytest.mark.integration

BIG = 4 * 1024 * 1024 + 123  # several read/write chunks


class KillAfterFirstChunk:
    """progress callback: the server dies once the first chunk has moved."""

    def __init__(self, server):
        self.server = server
        self.fired = False

    def __call__(self, name: str, done: int) -> None:
        if not self.fired:
            self.fired = True
            self.server.kill()


def test_closed_port_is_transient(server):
    with pytest.raises(ConnectorUnavailable) as err:
        SftpDrop(server.settings(port=free_port())).list("inbox")
    assert is_transient(err.value)
    assert err.value.context["host"] == "127.0.0.1"


def test_server_without_banner_times_out_as_transient(server):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(ConnectorUnavailable):
            SftpDrop(server.settings(port=port, timeout_seconds=0.5)).list("inbox")


def test_server_killed_mid_download_then_retry_gets_file_once(server, partner):
    payload = os.urandom(BIG)
    partner.put("inbox", "big.edi", payload)
    killer = KillAfterFirstChunk(server)
    drop = SftpDrop(server.settings(), progress=killer)
    try:
        [info] = drop.list("inbox")
        with pytest.raises(TransientError):
            drop.read("inbox", info.name, expected_size=info.size)
        assert killer.fired
        assert partner.get("inbox", "big.edi") == payload  # nothing lost on the server

        server.restart()
        # the same drop reconnects; the retry sees the file once and gets all of it
        listed = drop.list("inbox")
        assert [f.name for f in listed] == ["big.edi"]
        data = drop.read("inbox", "big.edi", expected_size=listed[0].size)
        assert hashlib.sha256(data).digest() == hashlib.sha256(payload).digest()
        drop.move("inbox", "big.edi", "processed")
        assert drop.list("inbox") == []
    finally:
        drop.close()
    assert partner.names("processed") == ["big.edi"]
    assert partner.get("processed", "big.edi") == payload


def test_server_killed_mid_upload_then_retry_leaves_one_complete_file(server, partner):
    payload = os.urandom(BIG)
    killer = KillAfterFirstChunk(server)
    drop = SftpDrop(server.settings(), progress=killer)
    try:
        with pytest.raises(TransientError):
            drop.write("outbox", "856-0001.x12", payload)
        assert killer.fired
        assert "856-0001.x12" not in partner.names("outbox")  # never a partial file under the real name

        server.restart()
        drop.write("outbox", "856-0001.x12", payload)
        drop.write("outbox", "856-0001.x12", payload)  # a second retry: already delivered
    finally:
        drop.close()
    assert partner.names("outbox") == ["856-0001.x12"]
    assert partner.get("outbox", "856-0001.x12") == payload


def test_operations_after_server_death_are_transient(server, partner):
    partner.put("inbox", "a.edi", b"abc")
    drop = SftpDrop(server.settings())
    try:
        assert [f.name for f in drop.list("inbox")] == ["a.edi"]
        server.kill()
        for call in (lambda: drop.list("inbox"), lambda: drop.stat("inbox", "a.edi")):
            with pytest.raises(ConnectorUnavailable):
                call()
        server.restart()
        assert drop.read("inbox", "a.edi") == b"abc"
    finally:
        drop.close()
