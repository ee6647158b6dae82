"""A compressed file on a partner's SFTP drop (`.gz`, `.zip`): archived as received, quarantined with an
X12_NOT_EDI finding naming its kind, never unpacked and never lost."""

from __future__ import annotations

import gzip

import pytest

from connectors.sftp import SftpDrop
from connectors.state import StateStore
from flows import intake as intake_flow
from tests.support import make_workspace
from tests.test_intake_streaming import NOW, _interchanges

pytestmark = pytest.mark.integration


def test_a_gzip_drop_is_archived_and_quarantined_with_a_clear_finding(tmp_path, settings, partner):
    data = gzip.compress(_interchanges(2))
    partner.put("inbox", "pos.x12.gz", data)
    ws = make_workspace(tmp_path, partners=())
    state = StateStore(ws.state_url)
    try:
        with SftpDrop(settings) as drop:
            res = intake_flow.intake_partner(ws, ws.partners()["acme"], state, drop, now=NOW, run_id="r1")
    finally:
        state.close()
    assert (res.files, res.processed, res.quarantined, res.orders) == (1, 0, 1, 0)
    assert [(f["code"], f["location"]["value"]) for f in res.findings] == [("X12_NOT_EDI", "gzip")]
    assert (ws.drop_root / "acme" / "quarantine" / "pos.x12.gz").read_bytes() == data
    [archived] = (ws.drop_root / "acme" / "archive").iterdir()
    assert archived.read_bytes() == data
    assert partner.names("inbox") == [] and partner.get("processed", "pos.x12.gz") == data
