"""`status --dates` shows a line's own requested ship date (ORDER_LINES requested_ship_date: an 850 PO1 loop's DTM
010, or 118 read as one; an 860 POC loop's DTM 010) and requested delivery date (DTM 002) where they differ from
the order's, beside its own cancel / do-not-deliver dates, in text and JSON; and the 860 history (`changes`)
names a line ship date an 860 moved. Both used to be left out: a line the buyer moved to ship later showed only
the order's date, while its 855 / 865 said the line's own."""

from __future__ import annotations

import io
import json

from rich.console import Console
from typer.testing import CliRunner

from flows.cli import app
from flows.status_view import print_story
from tests.support import make_workspace, run_stages
from tests.test_change_units_860 import _answered_by_865s, _changed, _ordered
from tests.test_line_ship_window import line_dates
from tests.test_po_deadlines import NIGHT

PO1 = ["PO1*1*2*CA*470.40*PE*UP*614141100248", "PO1*2*24*EA*39.20*PE*UP*614141100248"]


def _status(ws, po: str, *extra: str) -> tuple[dict, str]:
    runner = CliRunner()
    args = ["status", po, "--partner", "acme", "-w", str(ws.root), "--dates", *extra]
    doc = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    return doc, runner.invoke(app, args, terminal_width=200).output


def test_status_shows_a_line_s_own_ship_and_delivery_dates_from_its_850(tmp_path):
    """ACME-1001 (heading DTM 010 2026-12-10): line 4 asks to ship 2026-12-17 (its PO1 loop's DTM 010) and be
    delivered 2026-12-21 (DTM 002), line 5 restates the order's ship date (not repeated)."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    po = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = line_dates(po.read_text(), "ACME-1001", "4", "DTM*010*20261217~DTM*002*20261221~")
    po.write_text(line_dates(text, "ACME-1001", "5", "DTM*010*20261210~"))
    run_stages(ws, NIGHT)
    doc, shown = _status(ws, "ACME-1001")
    assert doc["order"]["dates"]["requested_ship_date"] == "2026-12-10"
    assert doc["order"]["line_dates"] == [{"line_number": 4, "line_id": "4", "requested_ship_date": "2026-12-17",
                                           "requested_delivery_date": "2026-12-21"}]
    assert "line 4's own dates: requested ship 2026-12-17 (DTM 010); delivery requested 2026-12-21 (DTM 002)" in shown
    assert "line 5's own" not in shown
    own = {ln["line_number"]: ln["dates"] for ln in doc["lines"]}  # each line's own dates as set, in the lines
    assert own[4] == {"requested_ship_date": "2026-12-17", "requested_delivery_date": "2026-12-21"}
    assert own[5] == {"requested_ship_date": "2026-12-10"} and own[1] == {}
    table = io.StringIO()  # the lines table's column (printed wide: the CLI's console folds a long cell)
    print_story(doc, "ACME-1001", out=Console(file=table, width=400))
    row4 = next(r for r in table.getvalue().splitlines() if r.startswith("│ 4 "))
    assert "requested ship 2026-12-17 (010); delivery requested 2026-12-21 (002)" in row4
    assert "own dates" in table.getvalue()
    plain = json.loads(CliRunner().invoke(app, ["status", "ACME-1001", "--partner", "acme", "-w", str(ws.root),
                                                "--json"]).stdout)
    assert {ln["dates"] for ln in plain["lines"]} == {None}  # not read without --dates


def test_status_shows_a_line_ship_date_an_860_moved(tmp_path):
    """PO-1 (ship date 2026-12-10): an 860 POC*1*CT with DTM 010 2026-12-18 under it moves line 1. status shows the
    line's new date, and the 860 history names the move."""
    ws = _ordered(tmp_path, PO1)
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*CT**2*CA", "DTM*010*20261218"])
    doc, shown = _status(ws, "PO-1")
    assert doc["order"]["line_dates"] == [{"line_number": 1, "line_id": "1", "requested_ship_date": "2026-12-18"}]
    assert "line 1's own dates: requested ship 2026-12-18 (DTM 010)" in shown
    assert [(ln["line_number"], ln["dates"]) for ln in doc["lines"]] == [
        (1, {"requested_ship_date": "2026-12-18"}), (2, {})]
    moved = [(x["line_number"], x["what"], x["from"], x["to"]) for x in doc["changes"]]
    assert moved == [(1, "DTM 010 (requested ship)", "", "2026-12-18")]
