"""One partner's broken drop does not stop the others; only transient errors are retried."""

from __future__ import annotations

import shutil

from prefect.states import Completed, Failed

from flows.nightly import _retry_transient, nightly
from schemas.errors import ConnectorUnavailable, SecurityError
from tests.support import SAMPLES, seed_demo_data


def test_retry_only_transient_errors():
    assert _retry_transient(None, None, Failed(data=ConnectorUnavailable("reset"))) is True
    assert _retry_transient(None, None, Failed(data=SecurityError("host key changed"))) is False
    assert _retry_transient(None, None, Failed(data=ValueError("bug"))) is False
    assert _retry_transient(None, None, Completed(data=1)) is False


def test_failing_partner_does_not_stop_the_others(tmp_path):
    ws = tmp_path / "ws"
    seed_demo_data(ws)
    # globex's SFTP server presents a host key we do not know: a terminal error, not retried
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    key = tmp_path / "id"
    key.write_text("not a key")
    text = (ws / "partners" / "globex.toml").read_text().split("[drop]")[0]
    text += (f'[drop]\nkind = "sftp"\n\n[drop.sftp]\nhost = "127.0.0.1"\nport = 1\nuser = "x"\n'
             f'key_file = "{key}"\nknown_hosts = "{known_hosts}"\ntimeout_seconds = 2.0\n')
    (ws / "partners" / "globex.toml").write_text(text)
    for pid in ("acme", "initech"):
        inbox = ws / "drop" / pid / "inbox"
        inbox.mkdir(parents=True)
        for f in (SAMPLES / pid).iterdir():
            shutil.copy2(f, inbox)
    summary = nightly(workspace=str(ws), now="2026-11-27T02:00:00")
    by = {p["partner"]: p for p in summary["partners"]}
    assert by["globex"]["failure"]
    assert not by["acme"]["failure"] and by["acme"]["documents"]["855"] == 2
    assert not by["initech"]["failure"] and by["initech"]["documents"]["855"] == 2
