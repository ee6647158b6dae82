"""Delivering to a partner's SFTP outbox when the connection drops mid-delivery: the partner, who takes
files out of its outbox as they arrive, receives every document exactly once after the retry."""

from __future__ import annotations

import os

import pytest

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from flows import documents
from flows import intake as intake_flow
from schemas.errors import TransientError
from tests.support import make_workspace
from tests.test_intake_streaming import NOW, _interchanges

pytestmark = pytest.mark.integration


class KillAtFile:
    """progress callback: the server dies as the ``n``-th distinct file is being uploaded."""

    def __init__(self, server, n: int) -> None:
        self.server, self.n, self.names = server, n, []

    def __call__(self, name: str, done: int) -> None:
        if name not in self.names:
            self.names.append(name)
            if len(self.names) == self.n:
                self.server.kill()


def test_a_delivery_cut_mid_chunk_never_sends_a_file_twice(tmp_path, server, partner, settings):
    partner.put("inbox", "pos.x12", _interchanges(3))
    ws = make_workspace(tmp_path, partners=())
    profile = ws.partners()["acme"]
    state = StateStore(ws.state_url)
    try:
        with SftpDrop(settings) as drop:
            intake_flow.intake_partner(ws, profile, state, drop, now=NOW, run_id="r1")
        pending = [d.file_name for chunk in state.pending_files("acme", chunk=100) for d in chunk]
        assert len(pending) >= 3, pending
        killer = KillAtFile(server, 2)
        with pytest.raises(TransientError):
            documents.deliver_partner(profile, state, SftpDrop(settings, progress=killer), now=NOW, run_id="r2")
        received = {n: partner.get("outbox", n) for n in partner.names("outbox") if not n.startswith(".")}
        for name in received:  # the partner takes what has arrived
            os.unlink(partner.path("outbox", name))
        server.restart()
        with SftpDrop(settings) as drop:
            documents.deliver_partner(profile, state, drop, now=NOW, run_id="r3")
        again = [n for n in partner.names("outbox") if not n.startswith(".")]
        assert received and not set(received) & set(again)  # nothing sent twice
        assert sorted([*received, *again]) == sorted(pending)  # nothing lost
        assert [d for chunk in state.pending_files("acme", chunk=100) for d in chunk] == []
    finally:
        state.close()
