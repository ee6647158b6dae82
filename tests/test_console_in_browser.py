"""The console in headless Chromium (Debian's chromium + chromedriver, offline): sign in, search a
demo PO, open its page, approve a held order, and see the next run send its 855; a viewer cannot
approve; a form without its CSRF token is refused; a partner's <script> in a PO number stays text; the boxes of the
approvals page (select all, untick one, approve the ticked ones with one note) post with the page's bulk form.
Screenshots of the orders page, an order page and the approvals queue go to test-artifacts/."""

from __future__ import annotations

import time
from datetime import datetime
from urllib.parse import urlencode

import pytest

from connectors.state import StateStore
from tests.support_browser import Browser, artifact
from tests.support_console import PASSWORDS, ConsoleServer, add_users, night
from tests.test_console import HOSTILE_PO, demo_workspace

pytestmark = pytest.mark.integration
NIGHT2 = datetime(2026, 11, 28, 2)
FACTS = """return {text: document.body.innerText, title: document.title,
  scripts: document.querySelectorAll('script').length,
  resources: performance.getEntriesByType('resource').map(e => e.name)};"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = demo_workspace(tmp_path_factory.mktemp("console-browser") / "ws")
    add_users(ws.root)
    return ws


@pytest.fixture(scope="module")
def server(ws):
    with ConsoleServer(ws.root) as s:
        yield s


@pytest.fixture()
def browser():
    with Browser(size=(1400, 1600)) as b:
        yield b


def sign_in(browser: Browser, server, name: str) -> None:
    browser.visit(server.url + "/orders")
    browser.type("#name", name)
    browser.type("#password", PASSWORDS[name])
    browser.click("#sign-in")
    settle(browser, "document.getElementById('signed-in')")
    assert f"{name} (" in browser.run(FACTS)["text"]


def settle(browser: Browser, script: str, timeout: float = 60) -> None:
    """Wait until ``script`` (an expression) is true in the page: a click that navigates returns before
    the next page is there on a busy machine."""
    deadline = time.monotonic() + timeout
    while not browser.run(f"return document.readyState === 'complete' && !!({script})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"the page never showed {script}")
        time.sleep(0.1)


def shot(browser: Browser, name: str) -> None:
    png = browser.screenshot(artifact(name))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_approve_a_held_order_and_the_next_run_sends_its_855(browser, server, ws):
    sign_in(browser, server, "dana")
    browser.type("#po", "ACME-1010")
    browser.click("#find")
    settle(browser, "location.search.includes('po=ACME-1010')")
    facts = browser.run(FACTS)
    assert "ACME-1010" in facts["text"] and "held" in facts["text"] and "ACME-1000" not in facts["text"]
    assert all(r.startswith(server.url + "/static/") for r in facts["resources"])  # nothing from elsewhere
    assert facts["scripts"] == 0
    # the console's own stylesheet applied (served by the app, no CDN): the Find button is the accent blue
    assert browser.run("return getComputedStyle(document.getElementById('find')).backgroundColor") == \
        "rgb(31, 95, 174)"
    browser.type("#po", "ACME-")
    browser.click("#find")
    settle(browser, "location.search === '?po=ACME-' || location.search.startsWith('?po=ACME-&')")
    shot(browser, "console-orders.png")
    browser.visit(server.url + "/orders?po=ACME-1010")
    browser.click("a.po")
    settle(browser, "location.pathname === '/order'")
    facts = browser.run(FACTS)
    assert "acme / ACME-1010" in facts["text"] and "below our price" in facts["text"]
    browser.visit(server.url + "/approvals")
    shot(browser, "console-approvals.png")
    browser.type('tr[data-po="ACME-1010"] input[name="note"]', "promo price agreed")
    browser.click('tr[data-po="ACME-1010"] button[value="approve"]')
    settle(browser, "document.getElementById('notice')")
    assert "acme/ACME-1010 approved by dana" in browser.run(FACTS)["text"]
    assert 'data-po="ACME-1010"' not in browser.dom()

    night(ws, NIGHT2)  # the next run answers the approved order
    browser.visit(server.url + "/order?" + urlencode({"partner": "acme", "po": "ACME-1010"}))
    text = browser.run(FACTS)["text"]
    rows = browser.run("return Array.from(document.querySelectorAll('#documents tr.doc-855'))"
                       ".map(r => r.innerText)")
    assert len(rows) == 1 and "acme-855-" in rows[0] and "2026-11-28T02:00:00" in rows[0]
    assert "approved_by_person" in text and "dana" in text and "promo price agreed" in text
    assert browser.run("return document.getElementById('order-state').innerText") == "acknowledged"
    shot(browser, "console-order.png")
    store = StateStore(ws.state_path)
    try:
        assert [d.doc_type for d in store.documents("acme") if "ACME-1010" in d.po_number] == ["855"]
        assert store.order("acme", "ACME-1010").person.by == "dana"
    finally:
        store.close()


def test_a_viewer_cannot_approve(browser, server, ws):
    sign_in(browser, server, "vic")
    browser.visit(server.url + "/approvals")
    assert browser.run("return document.querySelectorAll('form.decide').length") == 0
    assert "approving needs the approver role" in browser.run(FACTS)["text"]
    # a hand-made form carrying the viewer's own valid token is still refused for the role
    browser.run("""const f = document.createElement('form'); f.method = 'post'; f.action = '/decide';
      const add = (n, v) => { const i = document.createElement('input'); i.type = 'hidden'; i.name = n; i.value = v;
                              f.appendChild(i); };
      add('csrf', document.querySelector('input[name=csrf]').value); add('partner', 'acme'); add('po', 'ACME-1011');
      add('revision', '1'); add('verdict', 'approve'); add('note', 'me'); document.body.appendChild(f); f.submit();""")
    settle(browser, "document.getElementById('message')")
    assert "vic is a viewer; this needs the approver role" in browser.run(FACTS)["text"]
    assert _state(ws, "ACME-1011") == "held"


def test_a_form_without_its_csrf_token_is_refused(browser, server, ws):
    sign_in(browser, server, "ada")
    browser.visit(server.url + "/approvals")
    browser.run("document.querySelector('tr[data-po=\"ACME-1011\"] input[name=csrf]').remove()")
    browser.click('tr[data-po="ACME-1011"] button[value="approve"]')
    settle(browser, "document.getElementById('message')")
    facts = browser.run(FACTS)
    assert "Form refused" in facts["text"] and "CSRF" in facts["text"]
    assert _state(ws, "ACME-1011") == "held"


def test_a_partners_script_is_shown_as_text(browser, server):
    sign_in(browser, server, "vic")
    browser.visit(server.url + "/orders?" + urlencode({"po": HOSTILE_PO}))
    facts = browser.run(FACTS)
    assert HOSTILE_PO in facts["text"] and facts["scripts"] == 0
    browser.click("a.po")
    settle(browser, "location.pathname === '/order'")
    facts = browser.run(FACTS)
    assert f"acme / {HOSTILE_PO}" in facts["text"] and "<img src=x onerror=alert(1)>.x12" in facts["text"]
    assert facts["scripts"] == 0 and browser.run("return document.querySelectorAll('img, i, b').length") == 0


def test_select_all_untick_one_and_approve_the_ticked_orders_together(browser, server, ws):
    sign_in(browser, server, "dana")
    browser.visit(server.url + "/approvals?partner=initech")
    ticked = "return Array.from(document.querySelectorAll('input[name=pick]')).map(b => [b.form.id, b.checked])"
    assert browser.run(ticked) == [["bulk", False], ["bulk", False]]  # each box belongs to the page's bulk form
    browser.click("#select-all")
    settle(browser, "location.search.includes('all=1')")
    assert browser.run(ticked) == [["bulk", True], ["bulk", True]]
    browser.click('tr[data-po="INITECH-3001"] input[name="pick"]')  # untick one
    browser.type("#bulk input[name=note]", "address confirmed by phone")
    shot(browser, "console-approvals-bulk.png")
    browser.click("#approve-selected")
    settle(browser, "document.getElementById('message')")
    text = browser.run(FACTS)["text"]
    assert "1 order(s) approved by dana; the next run sends their 855s." in text and "initech/INITECH-3011" in text
    assert _state(ws, "INITECH-3011", "initech") == "approved" and _state(ws, "INITECH-3001", "initech") == "held"
    browser.click("#back")
    settle(browser, "location.pathname === '/approvals'")
    assert browser.run("return location.search") == "?partner=initech&page=1"
    assert "INITECH-3011" not in browser.run(FACTS)["text"]


def _state(ws, po: str, partner: str = "acme") -> str:
    store = StateStore(ws.state_path)
    try:
        return store.order(partner, po).state.value
    finally:
        store.close()
