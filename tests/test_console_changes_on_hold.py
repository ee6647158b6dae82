"""An 860 refused while its order waits for a person (ACME's blanket order, BEG02 BK, held; the change BCH01 28)
waits on the hold: no 855 goes until the person decides (refused_on_hold). `status --json` lists it as
changes_on_hold; the console's order page now shows it too (it showed nothing), with what will answer it. Once the
person approves, the next run's 855 answers the change, and the order's history now says so (an event linked to
that 855: there was none, the change was only listed among the documents)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import run_stages
from tests.support_console import Client, ConsoleServer, add_users
from tests.test_change_after_shipment import NIGHT2, send_860
from tests.test_change_after_shipment_855 import answered_by_855s


def _page(ws) -> str:
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-28T09:30:00") as server:
        c = Client(server.url)
        c.sign_in("vic")
        return c.get("/order?" + urlencode({"partner": "acme", "po": "PO-1"}))[1]


def test_a_change_waiting_on_the_hold_is_shown_on_the_order_page_and_its_answer_in_the_history(tmp_path):
    from tests.test_order_types_held import _night

    ws, state = _night(tmp_path, "BEG*00*BK*PO-1**20261126")
    state.close()
    answered_by_855s(ws, "acme")
    send_860(ws, "acme", "PO-1", [["2", "QI", "30", "", "EA"]], purpose="28")
    run_stages(ws, NIGHT2)
    add_users(ws.root)
    body = _page(ws)
    assert 'id="changes-on-hold"' in body, body
    section = body.split('id="changes-on-hold"')[1].split("</table>")[0]
    assert "change-2201.x12" in section and "refused" in section and "2026-11-28T02:00:00" in section, section
    assert "the 855 of the person's decision answers" in body
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Dana", "--note", "called off",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 29, 2))
    state = StateStore(ws.state_path)
    try:
        [change] = state.pending_changes(statuses=None)
        history = state.order_history("acme", "PO-1")
        docs = {d["id"]: d["doc_key"] for d in state.documents_for_order("acme", "PO-1")}
    finally:
        state.close()
    assert change.status == "refused"
    [answered] = [h for h in history if h["event"] == "change_refused" and h["run_id"] and h["document_id"]]
    assert docs[answered["document_id"]] == f"855:{change.store_key}:{change.change_ref}", (answered, docs)
    assert "860 in change-2201.x12" in answered["note"] and "the 855 of the person's decision" in answered["note"]
    assert 'id="changes-on-hold"' not in _page(ws)
