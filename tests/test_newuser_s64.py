"""Session 64's features tried as a new user reads the help: what the docs say a person types is in the help of
the command it is typed to (docs/lifecycle.md: `--release blanket` names the blanket held beside its releases)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli import app


@pytest.mark.parametrize("command", [["status"], ["approve"], ["reject"], ["recheck"]])
def test_release_help_says_blanket_names_the_blanket(command):
    out = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    said = " ".join(out.output.split())
    assert out.exit_code == 0 and "--release" in said, out.output
    assert "'blanket'" in said.split("--release", 1)[1].split(" --", 1)[0], out.output
