"""`orderbridge demo --sftp`: ACME's drop is a real OpenSSH server on loopback."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from flows.cli import app

pytestmark = pytest.mark.integration


@pytest.mark.skipif(os.geteuid() != 0, reason="starting a private sshd needs root")
def test_demo_over_sftp(tmp_path):
    work = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "--sftp", "--workdir", str(work), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 0, res.output
    summary = json.loads(sorted(work.glob("reports/*/summary.json"))[0].read_text())
    acme = next(p for p in summary["partners"] if p["partner"] == "acme")
    assert (acme["files"], acme["processed"], acme["quarantined"], acme["failure"]) == (3, 2, 1, "")
    assert acme["delivered"] == sum(acme["documents"].values()) == 6
    sent = sorted(p.name for p in (work / "sftp-outbox").iterdir())
    # + day 1's shipments flow: an 856 and an 810 (delivered over SFTP too); + night 2: 997, revised 855, 856, 810
    assert len(sent) == 12 and not any(n.startswith(".") for n in sent)
    assert sorted(n.split("-")[1] for n in sent).count("856") == 2
    # the input files are archived locally and kept in processed/ or quarantine/
    assert len(list((work / "drop" / "acme" / "archive").iterdir())) == 5  # night 2: the 860 and ACME's 997
    assert [p.name for p in (work / "drop" / "acme" / "quarantine").iterdir()] == ["acme-po-broken.x12"]
    # the demo's server and keys are gone: ACME is back on its local drop, so the hint's commands work
    assert "[drop.sftp]" not in (work / "partners" / "acme.toml").read_text()
    assert "back to its local drop" in res.output and "known_hosts" not in res.output
