"""The console over HTTP (a real server on 127.0.0.1): sign-in, roles, CSRF on every form, decisions
recorded under the signed-in user, searches, order pages that show what `status` shows, runs with
their reports, escaping of what partners sent, proxy sign-in, and the refusal to listen beyond this
machine without users. The same pages in headless Chromium: tests/test_console_in_browser.py."""

from __future__ import annotations

import html
import json
import os
import re
import stat
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from console import auth
from console.server import refusal
from console.session import Session, sign, unsign
from flows.cli import app
from tests.support import REPO, make_workspace
from tests.support_console import PASSWORDS, Client, ConsoleServer, add_users, night

pytestmark = pytest.mark.integration
NIGHT1 = datetime(2026, 11, 27, 2)
HOSTILE_PO = "<script>x</script>"
HOSTILE_FILE = "<img src=x onerror=alert(1)>.x12"


def hostile_850() -> bytes:
    """An ACME interchange whose PO number, ship-to name, PO101 and description carry markup (its
    ISA16 is ^, so '>' is only data)."""
    segments = ["GS*PO*ACMERETAIL*ORDERBRIDGE*20261126*0200*9901*X*004010", "ST*850*0001",
                f"BEG*00*SA*{HOSTILE_PO}**20261126", "CUR*BY*USD", "DTM*010*20261210",
                "N1*ST*<script>alert(1)</script>*92*DC01", "PO1*<i>1</i>*10*EA*19.70*PE*UP*614141100101",
                "PID*F****<b>paper</b>", "CTT*1*10", "SE*9*0001", "GE*1*9901", "IEA*1*000009901"]
    isa = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261126*0200*U*00401*000009901*0*P*^")
    return "".join(s + "~\n" for s in [isa, *segments]).encode()


def demo_workspace(root):
    ws = make_workspace(root)
    (ws.drop_root / "acme" / "inbox" / HOSTILE_FILE).write_bytes(hostile_850())
    night(ws, NIGHT1)
    return ws


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    ws = demo_workspace(tmp_path_factory.mktemp("console") / "ws")
    add_users(ws.root)
    return ws


@pytest.fixture(scope="module")
def server(ws):
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T09:30:00") as s:
        yield s


def order_state(ws, partner, po):
    store = StateStore(ws.state_path)
    try:
        return store.order(partner, po)
    finally:
        store.close()


def held(ws) -> list[str]:
    store = StateStore(ws.state_path)
    try:
        return [o.po_number for o in store.orders(states=["held"])]
    finally:
        store.close()


def form_of(body: str, po: str) -> dict:
    """The decide form's hidden fields for ``po`` on a page."""
    for form in re.findall(r'<form class="decide".*?</form>', body, flags=re.S):
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
        if fields.get("po") == po:
            return fields
    raise AssertionError(f"no decide form for {po}")


def test_pages_need_a_signed_in_user_and_the_right_password(server):
    c = Client(server.url)
    status, body = c.get("/approvals")
    assert status == 200 and 'id="sign-in"' in body  # redirected to the sign-in form
    status, body = c.post("/login", {"csrf": c.csrf(), "name": "dana", "password": "wrong-password"})
    assert status == 401 and "Unknown user or wrong password" in body
    status, body = c.post("/login", {"csrf": c.csrf(), "name": "nobody", "password": "dana-approves"})
    assert status == 401
    status, body = c.sign_in("dana")
    assert status == 200 and "dana (approver)" in body and 'id="results"' in body


def test_signing_in_returns_to_the_page_asked_for_with_its_query(server):
    """A link to an order (or a search) opened before signing in lands on that order after it: the sign-in
    kept the path alone, so the order page came up as 'No order  for partner .' and a search as all orders."""
    c = Client(server.url)
    asked = "/order?" + urlencode({"partner": "globex", "po": "GLOBEX-2000"})
    status, body = c.get(asked)
    assert status == 200 and 'id="sign-in"' in body
    back = html.unescape(re.search(r'name="next" value="([^"]*)"', body).group(1))
    assert back == asked
    status, body = c.post("/login", {"csrf": re.search(r'name="csrf" value="([^"]+)"', body).group(1),
                                     "name": "vic", "password": PASSWORDS["vic"], "next": back})
    assert status == 200 and 'id="order-title"' in body and "globex / GLOBEX-2000" in body
    status, body = Client(server.url).get("/orders?" + urlencode({"po": "ACME-10", "partner": "acme"}))
    assert html.unescape(re.search(r'name="next" value="([^"]*)"', body).group(1)) == "/orders?po=ACME-10&partner=acme"


def test_a_form_without_its_csrf_token_is_refused(server, ws):
    c = Client(server.url)
    status, body = c.post("/login", {"name": "dana", "password": "dana-approves"})
    assert status == 403 and "Form refused" in body
    c.sign_in("dana")
    fields = form_of(c.get("/approvals")[1], "ACME-1011")
    without = {k: v for k, v in fields.items() if k != "csrf"} | {"verdict": "approve", "note": "x"}
    assert c.post("/decide", without)[0] == 403
    assert c.post("/decide", without | {"csrf": "forged" + fields["csrf"][6:]})[0] == 403
    other = Client(server.url)  # another session's token is not this session's
    other.sign_in("dana")
    assert c.post("/decide", without | {"csrf": other.csrf("/orders")})[0] == 403
    assert order_state(ws, "acme", "ACME-1011").state == "held"


def test_a_viewer_sees_no_decision_forms_and_cannot_decide(server, ws):
    c = Client(server.url)
    c.sign_in("vic")
    status, body = c.get("/approvals")
    assert status == 200 and "ACME-1011" in body and '<form class="decide"' not in body
    assert "approving needs the approver role" in body
    record = order_state(ws, "acme", "ACME-1011")
    status, body = c.post("/decide", {"csrf": c.csrf("/orders"), "partner": "acme", "po": "ACME-1011",
                                      "revision": str(record.revision), "verdict": "approve", "note": "me too"})
    assert status == 403 and "vic is a viewer; this needs the approver role" in body
    assert order_state(ws, "acme", "ACME-1011").state == "held"


def test_a_decision_is_recorded_under_the_signed_in_user(server, ws):
    c = Client(server.url)
    c.sign_in("dana")
    body = c.get("/approvals")[1]
    fields = form_of(body, "GLOBEX-2010")
    status, body = c.post("/decide", fields | {"verdict": "reject"})
    assert status == 400 and "A rejection needs a note" in body
    status, body = c.post("/decide", fields | {"verdict": "reject", "note": "over credit", "by": "mallory"})
    assert status == 200 and ("globex/GLOBEX-2010 rejected by dana; the next run sends an 855 RD refusing the order "
                                 "(BAK02 RD, each line ACK IR).") in body
    record = order_state(ws, "globex", "GLOBEX-2010")
    assert (record.state, record.person.by, record.person.reason, record.person.at) == \
        ("rejected_by_person", "dana", "over credit", "2026-11-27T09:30:00")
    status, body = c.post("/decide", fields | {"verdict": "approve", "note": "again"})  # no longer held
    assert status == 409 and "nothing was recorded" in body
    page = c.get("/order?" + urlencode({"partner": "globex", "po": "GLOBEX-2010"}))[1]
    assert "rejected_by_person" in page and "wall" in page and "dana" in page and "mallory" not in page


def test_a_decision_while_a_run_holds_the_workspace_is_refused_and_recorded_after(tmp_path):
    """The console takes the workspace lease as `orderbridge approve` does: while another process (a
    run) holds it, nothing is recorded and the page says who holds it; once released, it is recorded."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    night(ws, NIGHT1)
    add_users(ws.root)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom connectors import lease\n"
                               "held = lease.acquire(sys.argv[1], 'run', note='run 20261128T020000')\n"
                               "print('held', flush=True)\ntime.sleep(600)\n", str(ws.root)],
                              cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    with ConsoleServer(ws.root, wall_clock=lambda: "2026-11-27T09:30:00") as s:
        c = Client(s.url)
        try:
            assert holder.stdout.readline().strip() == "held"
            c.sign_in("dana")
            fields = form_of(c.get("/approvals")[1], "ACME-1011")
            status, body = c.post("/decide", fields | {"verdict": "approve", "note": "promo"})
            assert status == 409 and "Nothing recorded" in body
            assert "another OrderBridge process holds this workspace" in body and "run 20261128T020000" in body
            assert order_state(ws, "acme", "ACME-1011").state == "held"
        finally:
            holder.kill()
            holder.wait(timeout=30)
        status, body = c.post("/decide", fields | {"verdict": "approve", "note": "promo"})
        assert status == 200 and "acme/ACME-1011 approved by dana" in body
    assert order_state(ws, "acme", "ACME-1011").state == "approved"


def test_approvals_show_reasons_value_and_credit_exposure(server):
    c = Client(server.url)
    c.sign_in("ada")
    body = c.get("/approvals")[1]
    rows = dict(re.findall(r'<tr class="held-order" data-po="([^"]+)">(.*?)</tr>', body, flags=re.S))
    cells = {po: dict(re.findall(r'<td class="num (\w+)">(.*?)</td>', row, flags=re.S)) for po, row in rows.items()}
    # ACME-1011: 2000 x 34.50 as ordered; acme's exposure = open AR 12500 (customers.csv) + its answered
    # orders 1160.60 + 485.10 + 197.00 (the store) = 14342.70; with this order 83342.70 > limit 50000
    assert "69,000.00 USD" in cells["ACME-1011"]["value"]
    assert cells["ACME-1011"]["exposure"].startswith("14,342.70<br>")
    exposure = cells["ACME-1011"]["exposure"]
    assert "with this order 83,342.70" in exposure and "over the limit" in exposure
    assert cells["ACME-1011"]["limit"] == "50,000.00 USD"
    assert "480.00 USD" in cells["ACME-1010"]["value"] and "over the limit" not in cells["ACME-1010"]["exposure"]
    assert "would bring the exposure to" in rows["ACME-1011"]  # the reason the rules held it
    # INITECH-3001 is in USD while initech's credit is in CAD: shown apart, never summed
    assert "order in USD, credit in CAD: not added" in cells["INITECH-3001"]["exposure"]
    assert "below our price" in rows["ACME-1010"]


def test_an_order_in_a_further_currency_is_shown_against_that_currencys_limit(server, ws):
    """customer_currencies.csv agrees USD with initech (home CAD) with its own limit and open AR: the credit rule
    counts INITECH-3001 (USD) against them, and so does the approvals page (it used to show the CAD limit and "not
    added"). Removing the row shows the order apart again (the page sums again when the file changes)."""
    import os

    path = ws.reference_dir / "customer_currencies.csv"
    c = Client(server.url)
    c.sign_in("ada")

    def cells() -> dict[str, str]:
        body = c.get("/approvals")[1]
        [row] = re.findall(r'<tr class="held-order" data-po="INITECH-3001">(.*?)</tr>', body, flags=re.S)
        return dict(re.findall(r'<td class="num (\w+)">(.*?)</td>', row, flags=re.S))

    try:
        path.write_text("partner,currency,credit_limit,open_ar\ninitech,USD,1000.00,990.00\n")
        got = cells()
        value = Decimal(re.match(r"([\d.]+) USD", got["value"]).group(1))
        assert value > 10, got  # the order's value (56.34), so that it takes the USD exposure past 1000.00
        assert got["limit"] == "1,000.00 USD"
        assert got["exposure"].startswith("990.00<br>"), got  # initech has no other open order in USD
        assert f"with this order {Decimal('990.00') + value:,.2f}" in got["exposure"]
        assert "over the limit" in got["exposure"] and "not added" not in got["exposure"]
        order_page = c.get("/order?" + urlencode({"partner": "initech", "po": "INITECH-3001"}))[1]
        assert "Credit exposure 990.00 USD of the limit 1,000.00" in order_page
        path.unlink()
        os.utime(ws.reference_dir / "customers.csv")  # mtime resolution aside: the file's stamp changes anyway
        got = cells()
        assert "order in USD, credit in CAD: not added" in got["exposure"] and got["limit"] == "20,000.00 CAD"
    finally:
        path.unlink(missing_ok=True)


def test_search_by_po_partner_status_date_and_item(server):
    c = Client(server.url)
    c.sign_in("vic")

    def found(**query) -> list[str]:
        status, body = c.get("/orders?" + urlencode(query))
        assert status == 200
        return re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body)

    assert found(po="ACME-1010") == ["ACME-1010"]
    assert set(found(po="ACME-10")) >= {"ACME-1000", "ACME-1001", "ACME-1010"}
    assert all(p.startswith("ACME-10") for p in found(po="ACME-10"))
    assert found(partner="globex") and all(p.startswith("GLOBEX") for p in found(partner="globex"))
    held_now = found(state="held")
    assert "ACME-1010" in held_now and "GLOBEX-2000" not in held_now
    assert "GLOBEX-2000" in found(sku="SKU-1001") and found(sku="NO-SUCH-SKU") == []
    assert found(since="2099-01-01") == [] and "ACME-1000" in found(since="2026-11-01", until="2026-11-30")
    status, body = c.get("/orders?since=yesterday")
    assert status == 200 and "since must be a date" in body


def test_a_po_typed_in_lower_case_finds_the_orders_sent_in_capitals(server):
    """Sales type 'acme-10'; partners send 'ACME-1010' (kept as sent). The search found nothing and said
    "No order matches." while the orders were there; now, when the PO as typed matches nothing, its capitals
    are searched and the page says so. A PO number that matches as typed is searched as typed only."""
    c = Client(server.url)
    c.sign_in("vic")
    status, body = c.get("/orders?" + urlencode({"po": "acme-10"}))
    found = re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body)
    assert status == 200 and "ACME-1010" in found and all(p.startswith("ACME-10") for p in found)
    assert 'id="capitals"' in body and "acme-10" in body and 'value="ACME-10"' in body
    status, body = c.get("/orders?" + urlencode({"po": "ACME-10"}))
    assert 'id="capitals"' not in body
    status, body = c.get("/orders?" + urlencode({"po": "nothing-like-it"}))
    assert "No order matches." in body and 'id="capitals"' not in body


def test_a_partner_typed_in_capitals_finds_its_orders(server):
    """Sales type the customer as they write it ('ACME', 'Globex'); partner ids are lower case: "No order
    matches." while its orders were there."""
    c = Client(server.url)
    c.sign_in("vic")
    def found(partner: str) -> list[str]:
        status, body = c.get("/orders?" + urlencode({"partner": partner}))
        assert status == 200
        return re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body)

    assert "ACME-1010" in found("acme") and not any(p.startswith("GLOBEX") for p in found("acme"))
    assert found("ACME") == found("Acme ") == found("acme")


def test_an_item_typed_in_lower_case_finds_the_orders_of_our_item(server):
    """Sales type 'sku-1001'; our items are 'SKU-1001': "No order matches." Now, as for a PO number, the capitals
    are searched when the item as typed matches nothing, and the page says so."""
    c = Client(server.url)
    c.sign_in("vic")
    status, body = c.get("/orders?" + urlencode({"sku": "sku-1001"}))
    found = re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body)
    assert status == 200 and "GLOBEX-2000" in found and 'id="sku-capitals"' in body and 'id="capitals"' not in body
    status, body = c.get("/orders?" + urlencode({"sku": "SKU-1001"}))
    assert re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body) == found and 'id="sku-capitals"' not in body


def test_an_order_page_shows_what_status_shows(server, ws):
    c = Client(server.url)
    c.sign_in("vic")
    body = c.get("/order?" + urlencode({"partner": "globex", "po": "GLOBEX-2000"}))[1]
    doc = json.loads(CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "-w",
                                              str(ws.root)]).stdout)
    for d in doc["documents"]:
        assert d["file_name"] in body and f"<td>{d['isa13']}</td>" in body
    assert len(re.findall(r"<tr>\s*<td class=\"num\">\d+</td><td>", body.split('id="lines"')[1].split("</table>")[0])) \
        == len(doc["lines"])
    for h in doc["history"]:
        assert f'<td class="num">{h["seq"]}</td>' in body
    assert "run clock" in body and doc["order"]["state"] in body


def test_what_partners_sent_is_shown_as_text(server):
    c = Client(server.url)
    c.sign_in("vic")
    for path in ("/orders?" + urlencode({"po": HOSTILE_PO}), "/orders",
                 "/order?" + urlencode({"partner": "acme", "po": HOSTILE_PO}), "/runs"):
        status, body = c.get(path)
        assert status == 200, path
        assert "<script>" not in body and "<img" not in body and "<i>1</i>" not in body, path
    order = c.get("/order?" + urlencode({"partner": "acme", "po": HOSTILE_PO}))[1]
    assert "&lt;script&gt;x&lt;/script&gt;" in order
    assert "&lt;img src=x onerror=alert(1)&gt;.x12" in order


def test_runs_newest_first_with_their_reports_and_file_journeys(server, ws):
    c = Client(server.url)
    c.sign_in("vic")
    body = c.get("/runs")[1]
    run_id = re.search(r'<a href="/runs/([^"]+)">', body).group(1)
    assert run_id == "20261127T020000"
    assert f'/runs/{run_id}/reports/failures.html' in body and "allocation (Parquet)" in body
    status, report = c.get(f"/runs/{run_id}/reports/failures.html")
    assert status == 200 and "ACME-1001" in report
    for bad in ("..%2F..%2Fstate%2Forderbridge.sqlite", "..", "nothing.html"):
        assert c.get(f"/runs/{run_id}/reports/{bad}")[0] == 404
        assert c.get(f"/runs/{run_id}/tables/{bad}")[0] == 404
    assert f'/runs/{run_id}/tables/allocation.parquet' in body  # tables open as pages, the file downloads
    status, table = c.get(f"/runs/{run_id}/tables/allocation.parquet")
    import pyarrow.parquet as pq

    allocation = pq.read_table(ws.reports_dir / run_id / "allocation.parquet")
    assert status == 200 and f"{min(500, allocation.num_rows)} of {allocation.num_rows} row(s) shown" in table
    assert all(f"<th>{name}</th>" in table for name in allocation.schema.names)
    assert c.get(f"/runs/{run_id}/tables/failures.html")[0] == 404  # a page, not a table
    run_page = c.get(f"/runs/{run_id}")[1]
    files = re.findall(r'<a href="(/file\?[^"]+)">([^<]+)</a>', run_page)
    assert {"acme-po-01.x12", "globex-po-01.x12", "acme-po-broken.x12"} <= {n for _, n in files}
    link = dict((n, h) for h, n in files)["acme-po-01.x12"].replace("&amp;", "&")
    journey = c.get(link)[1]
    assert "ACME-1000" in journey and "acme-997-" in journey and "processed" in journey
    broken = c.get(dict((n, h) for h, n in files)["acme-po-broken.x12"].replace("&amp;", "&"))[1]
    assert "quarantined" in broken or "error" in broken


def test_every_response_carries_a_strict_policy(server):
    import urllib.request

    with urllib.request.urlopen(server.url + "/login", timeout=30) as r:  # noqa: S310 - loopback
        assert "script-src" not in r.headers["Content-Security-Policy"]
        assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert r.headers["X-Frame-Options"] == "DENY"
        cookie = r.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_tampered_or_foreign_session_is_no_session(tmp_path, ws):
    key = auth.secret(ws.root)
    good = sign(Session("token", "dana", 1000.0), key)
    assert unsign(good, key, now=1001.0, max_age=60) == Session("token", "dana", 1000.0)
    assert unsign(good, key, now=2000.0, max_age=60) is None  # expired
    assert unsign(good, b"x" * 32, now=1001.0, max_age=60) is None  # another workspace's secret
    body, mac = good.split(".")
    forged = sign(Session("token", "ada", 1000.0), key).split(".")[0] + "." + mac
    assert unsign(forged, key, now=1001.0, max_age=60) is None


def test_passwords_are_hashed_and_files_private(tmp_path):
    result = CliRunner().invoke(app, ["console-user", "add", "sam", "--role", "approver", "-w", str(tmp_path)],
                                input="a long secret\n")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "console" / "users.json").read_text()
    assert "a long secret" not in text and '"role": "approver"' in text
    [user] = auth.load_users(tmp_path).values()
    assert user.password.startswith("scrypt$") and auth.verify_password("a long secret", user.password)
    assert not auth.verify_password("a long secreT", user.password)
    assert auth.hash_password("a long secret") != user.password  # salted
    auth.secret(tmp_path)
    for name in ("users.json", "secret"):
        assert stat.S_IMODE(os.stat(tmp_path / "console" / name).st_mode) == 0o600
    bad = CliRunner().invoke(app, ["console-user", "add", "eve", "--role", "boss", "-w", str(tmp_path)], input="x" * 9)
    assert bad.exit_code == 2 and "unknown role" in bad.output
    short = CliRunner().invoke(app, ["console-user", "add", "eve", "-w", str(tmp_path)], input="short\n")
    assert short.exit_code == 2 and "at least 8" in short.output


def test_listening_beyond_this_machine_needs_users(tmp_path):
    (tmp_path / "state").mkdir()
    assert refusal(tmp_path, "127.0.0.1") == "" and refusal(tmp_path, "::1") == ""
    assert "no console users are configured" in refusal(tmp_path, "0.0.0.0")
    result = CliRunner().invoke(app, ["console", "-w", str(tmp_path), "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "refusing to listen on 0.0.0.0" in result.output
    auth.add_user(tmp_path, "ops", "viewer", "long enough")
    assert refusal(tmp_path, "0.0.0.0") == ""


def test_without_users_the_local_console_is_read_only(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    night(ws, NIGHT1)
    with ConsoleServer(ws.root) as s:
        c = Client(s.url)
        status, body = c.get("/approvals")
        assert status == 200 and "read-only" in body and "ACME-1010" in body and '<form class="decide"' not in body
        token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login")[1] or "")
        assert token is None  # no sign-in form: nobody can sign in
    store = StateStore(ws.state_path)
    assert store.order("acme", "ACME-1010").state == "held"
    store.close()


def test_a_reverse_proxy_names_the_user_when_the_workspace_says_so(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    night(ws, NIGHT1)
    auth.add_user(ws.root, "pat", "approver", None)
    (ws.root / "console" / "console.toml").write_text('[auth]\nmode = "proxy"\nheader = "X-Remote-User"\n')
    with ConsoleServer(ws.root) as s:
        c = Client(s.url)
        status, body = c.get("/approvals", headers={"X-Remote-User": "pat"})
        assert status == 200 and "pat (approver)" in body and '<form class="decide"' in body
        assert c.get("/approvals", headers={"X-Remote-User": "stranger"})[0] == 401
        assert c.get("/approvals")[0] == 401
        fields = form_of(body, "ACME-1010")
        status, body = c.post("/decide", fields | {"verdict": "approve", "note": "ok"},
                              headers={"X-Remote-User": "pat"})
        assert status == 200 and "approved by pat" in body
    (ws.root / "console" / "console.toml").write_text('[auth]\nmode = "proxy"\ntrusted_proxies = ["10.0.0.0/8"]\n')
    with ConsoleServer(ws.root) as s:  # a header from an address that is not the proxy is ignored
        assert Client(s.url).get("/orders", headers={"X-Forwarded-User": "pat"})[0] == 401


def test_the_console_never_imports_prefect():
    code = ("import sys, console.app, console.server; "
            "print(sorted(m for m in ('prefect', 'great_expectations') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_unknown_order_or_run_is_a_404(server):
    c = Client(server.url)
    c.sign_in("vic")
    assert c.get("/order?" + urlencode({"partner": "acme", "po": "NOPE"}))[0] == 404
    assert c.get("/runs/" + quote("no-such-run"))[0] == 404
    assert c.get("/file?partner=acme&sha256=00")[0] == 404


def test_status_reads_the_store_without_loading_the_heavy_packages(ws):
    """`orderbridge status PO` answers in well under a second at volume partly because it loads no
    dataframe, validation or orchestration package (bench/bench_console.py times it)."""
    code = ("import sys\nfrom flows.cli import app\ntry:\n    app()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('prefect', 'great_expectations', 'pandas', 'pyarrow') if m in sys.modules),"
            " file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, "status", "ACME-1000", "--partner", "acme", "-w",
                          str(ws.root)], cwd=REPO, capture_output=True, text=True, check=True)
    assert "ACME-1000" in out.stdout and "documents sent" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"


def test_later_parts_of_the_story_show_without_a_console_change(server, monkeypatch):
    """When status's story grows (partner 997s on each document, shipments and invoices), the order page
    shows the new columns and sections as they come."""
    from console import reading

    plain = reading.story

    def grown(store, order):
        doc = plain(store, order)
        for d in doc["documents"]:
            d["partner_ack"] = "accepted <AK5*A>"
        doc["shipments"] = [{"shipment": "SH-1", "sscc": "000123", "shipped_at": "2026-11-29"}]
        return doc

    monkeypatch.setattr(reading, "story", grown)
    c = Client(server.url)
    c.sign_in("vic")
    body = c.get("/order?" + urlencode({"partner": "globex", "po": "GLOBEX-2000"}))[1]
    assert "<th>partner ack</th>" in body and "accepted &lt;AK5*A&gt;" in body
    assert "<h2>Shipments</h2>" in body and "<td>SH-1</td>" in body and "<td>000123</td>" in body


def test_runs_link_the_reconciliations_finance_report_and_dashboard(server, ws):
    """A run's finance report and KPI dashboard (reports/<run>/finance/), its data tables, and the
    cumulative ones (reports/finance/) open from the runs pages; nothing else under reports/ does."""
    c = Client(server.url)
    c.sign_in("vic")
    body = c.get("/runs")[1]
    run_id = re.search(r'<a href="/runs/([^"]+)">', body).group(1)
    assert f"/runs/{run_id}/reports/finance/finance-report.html" in body
    assert f"/runs/{run_id}/reports/finance/dashboard.html" in body
    assert "/finance/finance-report.html" in body and "cumulative KPI dashboard" in body
    assert "finance data:" not in body  # the runs list links the pages; a run's page lists its data too
    status, report = c.get(f"/runs/{run_id}/reports/finance/finance-report.html")
    assert status == 200 and "<html" in report.lower() and "exception" in report.lower()
    status, dashboard = c.get(f"/runs/{run_id}/reports/finance/dashboard.html")
    assert status == 200 and "<svg" in dashboard
    run_page = c.get(f"/runs/{run_id}")[1]
    assert f"/runs/{run_id}/tables/finance/data/exceptions.csv" in run_page
    status, table = c.get(f"/runs/{run_id}/tables/finance/data/exceptions.csv")
    assert status == 200 and "row(s) shown" in table
    status, cumulative = c.get("/finance/dashboard.html")
    assert status == 200 and "<svg" in cumulative
    for bad in ("../state/orderbridge.sqlite", "finance/../../state/orderbridge.sqlite", "finance/nothing.html",
                "finance/data/../../summary.json"):
        assert c.get(f"/runs/{run_id}/reports/{bad}")[0] == 404, bad
        assert c.get(f"/finance/{bad}")[0] == 404, bad


def test_an_item_as_the_customer_quotes_it_finds_the_orders_whose_po_sent_it(server, ws):
    """Sales are quoted the buyer's own item number (BP/IN) or the UPC/GTIN the PO sent, not our SKU: "No order
    matches." The store's lines keep only our SKU; the stored order-line tables keep what each PO sent, and
    their index (connectors.item_index, under state/derived/) finds the orders, and the page says so."""
    c = Client(server.url)
    c.sign_in("vic")
    for typed, po in (("GX770033", "GLOBEX-2000"), ("gx770033", "GLOBEX-2000"), ("VP-1003", "ACME-1000"),
                      ("00614141100101", "ACME-1000"), ("614141100101", "ACME-1000")):
        status, body = c.get("/orders?" + urlencode({"sku": typed}))
        found = re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body)
        assert status == 200 and po in found and 'id="by-item"' in body, (typed, found)
    status, body = c.get("/orders?" + urlencode({"sku": "GX770033", "partner": "acme"}))
    assert re.findall(r'<a class="po" href="[^"]+">([^<]+)</a>', body) == [] and 'id="by-item"' not in body
    status, body = c.get("/orders?" + urlencode({"sku": "SKU-1001"}))  # our SKU: as before, no notice
    assert "GLOBEX-2000" in body and 'id="by-item"' not in body
    assert (ws.root / "state" / "derived" / "item-ids-v1.arrow").is_file()
