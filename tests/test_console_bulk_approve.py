"""The console's approvals page deciding several held orders at once (a real server on 127.0.0.1, as
tests/test_console.py): a box per held order carrying the revision shown, 'select all' ticking the filtered page,
approve or reject the ticked ones with one note under the CSRF token and the approver role; an order changed since
the page was shown is skipped and named, the others recorded under the signed-in user; the next run sends each
approved order's 855 once. In headless Chromium: tests/test_console_in_browser.py."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from datetime import datetime

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from parsers.x12_reader import read_interchanges
from tests.support import REPO, make_workspace
from tests.support_console import Client, ConsoleServer, add_users, night
from tests.test_change_after_shipment import send_860

pytestmark = pytest.mark.integration
NIGHT1, NIGHT2, NIGHT3, NIGHT4 = (datetime(2026, 11, d, 2) for d in (27, 28, 29, 30))
CLOCK = "2026-11-27T09:30:00"


@pytest.fixture()
def ws(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    night(ws, NIGHT1)  # held: ACME-1010, ACME-1011, GLOBEX-2010, INITECH-3001, INITECH-3011
    add_users(ws.root)
    return ws


@pytest.fixture()
def server(ws):
    with ConsoleServer(ws.root, wall_clock=lambda: CLOCK) as s:
        yield s


def boxes(body: str) -> dict[str, tuple[str, bool]]:
    """The approvals page's boxes: PO number -> (the box's value, ticked)."""
    out = {}
    for tag in re.findall(r'<input type="checkbox"[^>]*name="pick"[^>]*>', body):
        value = html.unescape(re.search(r"value='([^']*)'", tag).group(1))
        out[json.loads(value)[1]] = (value, " checked" in tag)
    return out


def bulk_form(body: str) -> dict:
    form = re.search(r'<form class="decide bulk".*?</form>', body, flags=re.S).group(0)
    return {k: html.unescape(v) for k, v in re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form)}


def decide(c: Client, body: str, pos: list[str], verdict: str, note: str) -> tuple[int, str]:
    picked = boxes(body)
    return c.post("/decide-selected", [*bulk_form(body).items(), ("verdict", verdict), ("note", note),
                                       *(("pick", picked[po][0]) for po in pos)])


def order(ws, partner: str, po: str):
    store = StateStore(ws.state_path)
    try:
        return store.order(partner, po), store.order_history(partner, po)
    finally:
        store.close()


def sent_855(ws) -> dict[str, int]:
    seen: dict[str, int] = {}
    for path in ws.drop_root.glob("*/outbox/*-855-*.x12"):
        for row in read_interchanges(path.read_bytes()).segments.elements.to_pylist():
            if row[0] == "BAK":
                seen[row[3]] = seen.get(row[3], 0) + 1
    return seen


def test_a_box_per_held_order_and_select_all_ticks_the_filtered_page(server, ws):
    c = Client(server.url)
    c.sign_in("dana")
    body = c.get("/approvals")[1]
    shown = boxes(body)
    assert set(shown) == {"ACME-1010", "ACME-1011", "GLOBEX-2010", "INITECH-3001", "INITECH-3011"}
    assert not any(ticked for _, ticked in shown.values())
    assert json.loads(shown["ACME-1011"][0]) == ["acme", "ACME-1011", 1]  # the revision shown goes with it
    assert 'id="select-all" href="/approvals?page=1&amp;all=1"' in body and bulk_form(body)["csrf"]
    body = c.get("/approvals?partner=initech&all=1")[1]
    assert {po: t for po, (_, t) in boxes(body).items()} == {"INITECH-3001": True, "INITECH-3011": True}
    assert bulk_form(body)["back"] == "/approvals?partner=initech&page=1"  # the result page leads back to it
    assert 'id="select-none"' in body
    # the single order's form is still there beside each box
    assert body.count('<form class="decide" method="post" action="/decide">') == 2
    viewer = Client(server.url)
    viewer.sign_in("vic")
    body = viewer.get("/approvals")[1]
    assert boxes(body) == {} and '<form class="decide bulk"' not in body and "select-all" not in body


def test_approve_selected_records_each_skips_the_changed_and_the_next_run_sends_each_855_once(server, ws):
    """The page is shown; then Lee approves ACME-1011 at the command line, and a night applies the buyer's 860 to
    ACME-1010 (its revision 2, held again); the four ticked orders are approved: the two unchanged are recorded,
    the two changed ones named skipped with why."""
    c = Client(server.url)
    c.sign_in("dana")
    page = c.get("/approvals?all=1")[1]
    lee = CliRunner().invoke(app, ["approve", "ACME-1011", "--partner", "acme", "--by", "Lee", "--note", "mine",
                                   "-w", str(ws.root)])
    assert lee.exit_code == 0, lee.output
    send_860(ws, "acme", "ACME-1010", [["1", "QI", "30", "", "EA"]])
    night(ws, NIGHT2)
    changed, _ = order(ws, "acme", "ACME-1010")
    assert (changed.state.value, changed.revision) == ("held", 2)
    before = sent_855(ws)
    assert "ACME-1011" in before and "ACME-1010" not in before  # Lee's approval answered by that night
    status, body = decide(c, page, ["ACME-1010", "ACME-1011", "GLOBEX-2010", "INITECH-3011"], "approve",
                          "prices checked with the buyer")
    assert status == 200, body
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    assert "2 order(s) approved by dana; the next run sends their 855s; 2 skipped, nothing recorded for them." in text
    assert re.search(r"acme/ACME-1011 : is \w+ now \(revision 1\): only an order waiting for a person", text), text
    assert "acme/ACME-1010 : changed since it was listed (revision 1, now 2): look at it again" in text
    recorded = re.search(r'<ul id="recorded">.*?</ul>', body, flags=re.S).group(0)
    assert re.findall(r'data-po="([^"]+)"', recorded) == ["GLOBEX-2010", "INITECH-3011"]
    assert 'href="/approvals?page=1"' in body  # back to the page decided from
    for partner, po in (("globex", "GLOBEX-2010"), ("initech", "INITECH-3011")):
        record, history = order(ws, partner, po)
        assert (record.state.value, record.person.by, record.person.reason, record.person.at) == \
            ("approved", "dana", "prices checked with the buyer", CLOCK)
        assert (history[-1]["event"], history[-1]["actor"], history[-1]["clock"]) == ("approved_by_person", "dana",
                                                                                      "wall")
    assert order(ws, "acme", "ACME-1011")[0].person.by == "Lee"
    assert order(ws, "acme", "ACME-1010")[0].state.value == "held"  # the person sees its new revision first
    # a second submit of the same page records nothing again
    status, body = decide(c, page, ["GLOBEX-2010"], "approve", "again")
    assert status == 409 and "0 order(s) approved by dana; 1 skipped" in body
    assert [e["event"] for e in order(ws, "globex", "GLOBEX-2010")[1]].count("approved_by_person") == 1

    night(ws, NIGHT3)
    sent = sent_855(ws)
    assert sent.get("GLOBEX-2010") == 1 and sent.get("INITECH-3011") == 1 and sent.get("ACME-1011") == 1
    assert "ACME-1010" not in sent
    night(ws, NIGHT4)
    assert sent_855(ws) == sent  # not sent again


def test_reject_selected_needs_a_note_the_token_the_role_and_orders_the_page_showed(server, ws):
    c = Client(server.url)
    c.sign_in("dana")
    page = c.get("/approvals?partner=initech&all=1")[1]
    pos = ["INITECH-3001", "INITECH-3011"]
    status, body = decide(c, page, pos, "reject", "  ")
    assert status == 400 and "A rejection needs a note" in body
    form = [*bulk_form(page).items(), ("verdict", "reject"), ("note", "wrong currency")]
    assert c.post("/decide-selected", [(k, v) for k, v in form if k != "csrf"])[0] == 403
    status, body = c.post("/decide-selected", [*form, ("pick", '"INITECH-3001"')])
    assert status == 400 and "did not show" in body
    status, body = c.post("/decide-selected", form)
    assert status == 400 and "Tick the orders" in body
    viewer = Client(server.url)
    viewer.sign_in("vic")
    status, body = viewer.post("/decide-selected", [("csrf", viewer.csrf("/orders")), *form[1:],
                                                    ("pick", boxes(page)["INITECH-3001"][0])])
    assert status == 403 and "vic is a viewer; this needs the approver role" in body
    assert {order(ws, "initech", po)[0].state.value for po in pos} == {"held"}

    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom connectors import lease\n"
                               "held = lease.acquire(sys.argv[1], 'run', note='run 20261128T020000')\n"
                               "print('held', flush=True)\ntime.sleep(600)\n", str(ws.root)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert holder.stdout.readline().strip() == "held"
        status, body = decide(c, page, pos, "reject", "wrong currency")
        assert status == 409 and "run 20261128T020000" in body and "Nothing was recorded" in body
        assert {order(ws, "initech", po)[0].state.value for po in pos} == {"held"}
    finally:
        holder.kill()
        holder.wait(timeout=30)

    status, body = decide(c, page, pos, "reject", "wrong currency")
    assert status == 200 and ("2 order(s) rejected by dana; the next run sends their 855s RD refusing the orders "
                              "(BAK02 RD, each line ACK IR).") in body
    for po in pos:
        record, history = order(ws, "initech", po)
        assert (record.state.value, record.person.by, record.person.reason) == ("rejected_by_person", "dana",
                                                                                "wrong currency")
    night(ws, NIGHT2)
    assert {po: n for po, n in sent_855(ws).items() if po in pos} == {po: 1 for po in pos}
