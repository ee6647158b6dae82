"""Fixtures for the SFTP integration tests: one private OpenSSH server for the session.

The server is started and stopped by PID (connectors.testing_sshd); each test gets empty
inbox/outbox/processed folders and a running server, even if an earlier test killed it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.testing_sshd import FOLDERS, LocalSshd
from schemas.profile import SftpSettings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # paramiko's readv prefetch thread reports a dropped socket (server killed on purpose) on its
    # own thread, sometimes after the test that killed the server has ended; the read itself
    # raises in the caller's thread, which is what the tests check.
    here = f"{Path(__file__).parent}{os.sep}"  # a string prefix: Path.parents compared the whole suite's items slowly
    quiet = pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(quiet)


def need_root() -> None:
    """Skip the test when a private sshd cannot be run here (it needs root)."""
    if os.geteuid() != 0:
        pytest.skip("the SFTP integration tests need root to run a private sshd")


@pytest.fixture(scope="session")
def sshd() -> Iterator[LocalSshd]:
    need_root()
    server = LocalSshd()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server(sshd: LocalSshd) -> LocalSshd:
    """The session server, running, with empty folders owned by the sftp user."""
    if not sshd.running:
        sshd.restart()
    for entry in sshd.chroot.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    for name in FOLDERS:
        path = sshd.folder(name)
        path.mkdir(mode=0o755)
        os.chown(path, sshd.uid, sshd.gid)
    return sshd


@pytest.fixture
def settings(server: LocalSshd) -> SftpSettings:
    return server.settings()


class Partner:
    """The trading partner's side of the drop: acts directly on the server's files (as root)."""

    def __init__(self, server: LocalSshd) -> None:
        self.server = server

    def path(self, folder: str, name: str | bytes) -> bytes:
        return os.path.join(os.fsencode(self.server.folder(folder)), os.fsencode(name))

    def put(
        self, folder: str, name: str | bytes, data: bytes, *, owner: str = "sftp", mode: int = 0o644
    ) -> bytes:
        path = self.path(folder, name)
        with open(path, "wb") as fh:
            fh.write(data)
        if owner == "sftp":
            os.chown(path, self.server.uid, self.server.gid)
        os.chmod(path, mode)
        return path

    def get(self, folder: str, name: str | bytes) -> bytes:
        with open(self.path(folder, name), "rb") as fh:
            return fh.read()

    def names(self, folder: str) -> list[str]:
        return sorted(os.listdir(self.server.folder(folder)))


@pytest.fixture
def partner(server: LocalSshd) -> Partner:
    return Partner(server)
