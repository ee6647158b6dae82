"""`orderbridge status` goes straight to flows.status_view (no typer); what it prints, and its exit
statuses, equal the full command line's; anything else it does not recognise goes to the full CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.entry import _status_args
from tests.support import make_workspace, run_night

NOW = "2026-11-27T02:00:00"


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    from datetime import datetime

    ws = make_workspace(tmp_path_factory.mktemp("fast") / "ws")
    run_night(ws, datetime.fromisoformat(NOW))
    return ws


def program(*args: str, entry: str = "flows.entry", columns: str | None = "200") -> subprocess.CompletedProcess:
    code = f"import sys; from {entry} import main; sys.argv = ['orderbridge', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parent.parent,
                          env={"PATH": "/usr/bin:/bin"} | ({"COLUMNS": columns} if columns else {}))


def test_the_arguments_the_fast_path_takes():
    assert _status_args(["ACME-1000", "--partner", "acme", "-w", "/x", "--json"]) == (
        "ACME-1000", "acme", True, Path("/x"))
    assert _status_args(["ACME-1000", "--workspace=/x", "--partner=acme"]) == ("ACME-1000", "acme", False, Path("/x"))
    for other in (["--help"], [], ["A", "B"], ["A", "--bogus"], ["A", "--partner"]):
        assert _status_args(other) is None, other


def test_the_fast_path_prints_what_the_full_command_line_prints(ws):
    for args in (["ACME-1000", "--partner", "acme"], ["ACME-1000", "--json"]):
        fast = program("status", *args, "-w", str(ws.root))
        full = program("status", *args, "-w", str(ws.root), entry="flows.cli")  # typer's command
        assert fast.returncode == full.returncode == 0, fast.stderr
        assert fast.stdout == full.stdout and "ACME-1000" in fast.stdout
        runner = CliRunner().invoke(app, ["status", *args, "-w", str(ws.root)])
        assert runner.exit_code == 0 and "ACME-1000" in runner.stdout



def test_piped_or_on_a_narrow_terminal_the_fast_path_prints_the_tables_the_full_command_line_prints(ws):
    """Piped into a file or `less` (no terminal: rich's 80 columns) the fast path laid the lines table out in 80
    characters ("rejec|ted", a reason two letters wide), the full command line (`status --dates`) in 120."""
    for columns in (None, "80"):
        fast = program("status", "ACME-1001", "-w", str(ws.root), columns=columns)
        full = program("status", "ACME-1001", "-w", str(ws.root), entry="flows.cli", columns=columns)
        assert fast.returncode == full.returncode == 0, fast.stderr
        assert fast.stdout == full.stdout and "│ rejected " in fast.stdout
        assert max(len(line) for line in fast.stdout.splitlines()) == 120


def test_the_fast_path_loads_no_typer(ws):
    code = ("import sys\nfrom flows.entry import main\nsys.argv = ['orderbridge', 'status', 'ACME-1000', '-w', "
            f"{str(ws.root)!r}]\ntry:\n    main()\nexcept SystemExit:\n    pass\n"
            "print('typer' in sys.modules, 'flows.cli' in sys.modules, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stderr.strip().splitlines()[-1] == "False False", out.stderr


def test_the_fast_path_exits_as_the_full_command_line_does(ws, tmp_path):
    missing = program("status", "NOPE-1", "-w", str(ws.root))
    assert missing.returncode == 2 and "no order NOPE-1" in missing.stderr
    empty = program("status", "ACME-1000", "-w", str(tmp_path))
    assert empty.returncode == 2 and "no state store" in empty.stderr
    helped = program("status", "--help")
    assert helped.returncode == 0 and "--partner" in helped.stdout  # the full CLI explains


def test_a_partner_typed_as_a_person_writes_it_is_its_id(ws, tmp_path):
    """`--partner ACME` said "no order ACME-1000 for partner ACME" (exit 2): partner ids are lower case, people
    type the customer's name as they write it. Every command's --partner takes it, the fast path's too."""
    want = program("status", "ACME-1000", "--partner", "acme", "-w", str(ws.root))
    for typed in ("ACME", "Acme "):
        for entry in ("flows.entry", "flows.cli"):
            got = program("status", "ACME-1000", "--partner", typed, "-w", str(ws.root), entry=entry)
            assert got.returncode == 0 and got.stdout == want.stdout, (typed, entry, got.stderr)
    import shutil

    shutil.copytree(ws.root, tmp_path / "ws")
    res = CliRunner().invoke(app, ["approve", "ACME-1010", "--partner", "ACME", "--by", "Dana", "-w",
                                   str(tmp_path / "ws")])
    assert res.exit_code == 0 and "acme/ACME-1010: approved by Dana" in res.output, res.output


def test_an_empty_po_number_says_one_is_needed(ws):
    """`status ''` printed "no order " and nothing after it: it now says a PO number is needed, on both paths
    and on every command that names an order."""
    for typed in ("", "  "):
        for entry in ("flows.entry", "flows.cli"):
            got = program("status", typed, "-w", str(ws.root), entry=entry)
            assert got.returncode == 2 and "no PO number given" in got.stderr, (typed, entry, got.stderr)
            assert "no order" not in got.stderr
    res = CliRunner().invoke(app, ["approve", "", "--partner", "acme", "--by", "Dana", "-w", str(ws.root)])
    assert res.exit_code == 2 and "no PO number given" in res.output, res.output


def test_status_finds_an_order_by_the_item_its_customer_quotes(ws):
    """`status GX770033` (the buyer's item number a customer quotes; the store keeps only our SKU) said "no order":
    the one order whose PO sent it is shown, with a line saying so; an item several orders name lists them. A
    decision never takes an item for a PO number."""
    want = program("status", "GLOBEX-2000", "--partner", "globex", "-w", str(ws.root))
    for entry in ("flows.entry", "flows.cli"):
        got = program("status", "GX770033", "-w", str(ws.root), entry=entry)
        assert got.returncode == 0 and got.stdout == want.stdout, (entry, got.stderr)
        assert "the one order naming item GX770033 on a line as its PO sent it is GLOBEX-2000 (globex)" in \
            " ".join(got.stderr.split())
        several = program("status", "VP-1003", "-w", str(ws.root), entry=entry)
        said = " ".join(several.stderr.split())
        assert several.returncode == 2 and "orders name item VP-1003" in said and "ACME-1000 (acme)" in said, said
    res = CliRunner().invoke(app, ["approve", "GX770033", "--partner", "globex", "--by", "Dana", "-w", str(ws.root)])
    assert res.exit_code == 2 and "no order GX770033" in res.output, res.output
