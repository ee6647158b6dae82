"""Memo (consignment) orders: a partner's [fulfilment.invoice] memo_order_types names the PO types (BEG02, code list
92: CN "Consigned Order") it ships on memo. Signet sends them (tests/fixtures/rg19): the goods go on memo and Signet
pays for a piece when it sells it (its sales report or replenishment order bills it), so an 810 for the shipment is
wrong. Such an order's 856 goes, no 810; it ends shipped_on_memo, not waiting for an invoice; the reconciliation does
not call it shipped-not-invoiced (LINE_MATCH billing "memo"); status, the console, the run summary and the finance
report say why no 810 went. The option's default (none) leaves every other partner as it was: every shipped order
invoiced per its policy."""

from __future__ import annotations

import json
import shutil
import tomllib
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pyarrow as pa
import pytest
from pydantic import ValidationError

from schemas.lifecycle import EventKind, OrderRecord, OrderState, memo_words
from schemas.profile import PartnerProfile
from tests.retailer_support import of_its_own, po_segments, segments, shipped_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg19"
NIGHT = datetime(2026, 11, 25, 2)
SHIP_DAY = datetime(2026, 12, 1, 15)
MEMO, STOCK = ("signet", "88004417"), ("signet", "88004425")  # BEG02 CN, BEG02 SA
AT, RUN = "2026-12-01T15:00:00", "r1"


def _signet(**invoice) -> PartnerProfile:
    data = tomllib.loads((FIXTURES / "partners" / "signet.toml").read_text(encoding="utf-8"))
    data["fulfilment"]["invoice"].update(invoice)
    return PartnerProfile.model_validate(data)


# --- the profile option ---------------------------------------------------------------------------------------
def test_no_partner_ships_on_memo_unless_its_profile_says_so():
    """The default names no type: every demo partner, and every sweep partner but those whose guides say so,
    invoices what ships (Signet's memo jewellery; NC ABC's bailment orders, rg72; Mayo's consigned implants, rg73)."""
    memo = {"signet": ("CN",), "ncabc": ("CN",), "mayo": ("CN",)}
    paths = [*sorted((REPO / "partners").glob("*.toml")),
             *sorted((REPO / "tests" / "fixtures").glob("*/partners/*.toml"))]
    for path in paths:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        kinds = PartnerProfile.model_validate(data).fulfilment.invoice.memo_order_types
        assert kinds == memo.get(path.stem, ()), path


@pytest.mark.parametrize("bad", [["cn"], ["C"], ["CNX"], ["C-"], [""], ["CN", "CN"]])
def test_a_memo_order_type_that_is_no_beg02_code_is_refused_when_the_profile_loads(bad):
    with pytest.raises(ValidationError) as raised:
        _signet(memo_order_types=bad)
    assert "memo_order_types" in str(raised.value)
    assert _signet(memo_order_types=["CN", "BL"]).fulfilment.invoice.memo_order_types == ("CN", "BL")


# --- the planners ---------------------------------------------------------------------------------------------
def _record(po: str, state: OrderState, kind: str) -> OrderRecord:
    return OrderRecord("signet", po, state, order_type=kind)


def test_a_memo_order_shipped_in_full_moves_to_shipped_on_memo_and_no_other_does():
    from engine.lifecycle import billing
    from engine.lifecycle.shipping import on_memo

    profile = _signet()
    records = [_record("M-1", OrderState.SHIPPED, "CN"), _record("S-1", OrderState.SHIPPED, "SA"),
               _record("M-2", OrderState.PARTIALLY_SHIPPED, "CN"), _record("M-3", OrderState.INVOICED, "CN"),
               _record("OLD", OrderState.SHIPPED, "")]  # stored before ORDER_TYPES: invoiced as before
    plan = billing.plan_memo(records, {"signet": profile}, at=AT, run_id=RUN)
    [moved] = plan.transitions
    assert (moved.record.po_number, moved.record.state, moved.events[0].event) == (
        "M-1", OrderState.ON_MEMO, EventKind.ON_MEMO)
    assert moved.events[0].note == memo_words("CN") and "no 810 by agreement" in moved.events[0].note
    assert billing.plan_memo(records, {"signet": _signet(memo_order_types=[])}, at=AT, run_id=RUN).transitions == ()
    # a shipment is billed "memo" only when every order on it ships on memo
    assert on_memo([records[0], records[2]], profile) and not on_memo([records[0], records[1]], profile)
    assert not on_memo([records[0]], _signet(memo_order_types=[])) and not on_memo([], profile)


# --- the reconciliation ---------------------------------------------------------------------------------------
def test_a_memo_orders_lines_are_never_shipped_not_invoiced_nor_under_billed():
    from engine.reconcile import reconcile
    from schemas.finance import FinanceSettings
    from tests.support_finance import AS_OF, Book, document_status

    book = (Book().order("M-1", 1, 10, "2.50").ack("M-1", 1, "IA", 10, "2.50", promised=date(2026, 12, 1))
            .ship("M-1", 1, 10, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0))
            .order("M-2", 1, 10, "2.50").ack("M-2", 1, "IA", 10, "2.50", promised=date(2026, 12, 1))
            .ship("M-2", 1, 10, shipment="S-2", shipped_at=datetime(2026, 12, 1, 15, 0))
            .invoice("M-2", 1, 4, "2.50", number="INV-1", invoice_date=date(2026, 12, 2), shipment="S-2")
            .order("M-3", 1, 10, "2.50").ack("M-3", 1, "IA", 10, "2.50", promised=date(2026, 12, 1))
            .ship("M-3", 1, 10, shipment="S-3", shipped_at=datetime(2026, 12, 1, 15, 0))
            .invoice("M-3", 1, 12, "2.50", number="INV-2", invoice_date=date(2026, 12, 2), shipment="S-3"))
    t = book.tables()

    def run(memo):
        return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                         settings={"acme": FinanceSettings()}, as_of=AS_OF, memo=memo)

    plain = run(None)
    assert sorted(zip(plain.exceptions["type"].to_pylist(), plain.exceptions["po_number"].to_pylist(),
                      strict=True)) == [("INVOICE_QUANTITY_MISMATCH", "M-2"), ("INVOICE_QUANTITY_MISMATCH", "M-3"),
                                        ("SHIPPED_NOT_INVOICED", "M-1")]
    assert plain.lines["billing"].to_pylist() == [None] * 3
    memo = pa.table({"partner": ["acme"] * 3, "po_number": ["M-1", "M-2", "M-3"]})
    result = run(memo)
    # billed by no 810 by agreement: neither shipped-not-invoiced nor under-billed; billed more than shipped still is
    assert [(x["type"], x["po_number"]) for x in result.exceptions.to_pylist()] == [
        ("INVOICE_QUANTITY_MISMATCH", "M-3")]
    assert "over-billed" in result.exceptions["message"][0].as_py()
    assert result.lines["billing"].to_pylist() == ["memo"] * 3
    assert run(pa.concat_tables([memo, memo])).lines["billing"].to_pylist() == ["memo"] * 3  # named twice


def test_the_finance_report_and_the_run_summary_say_what_shipped_on_memo():
    from engine.finance_report import build_finance_report, render_html
    from engine.reconcile import reconcile
    from engine.run_summary import render_summary_html, summarise, totals
    from schemas.finance import FinanceSettings
    from tests.support_finance import AS_OF, Book, document_status

    book = (Book().order("M-1", 1, 10, "2.50").ack("M-1", 1, "IA", 10, "2.50", promised=date(2026, 12, 1))
            .ship("M-1", 1, 10, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0)))
    t = book.tables()
    memo = pa.table({"partner": ["acme"], "po_number": ["M-1"]})
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings={"acme": FinanceSettings()}, as_of=AS_OF, memo=memo)
    report = build_finance_report(result.lines, result.exceptions, as_of=AS_OF)
    assert report.memo.to_pylist() == [{"partner": "acme", "currency": "USD", "orders": 1, "lines": 1,
                                        "shipped_value": Decimal("25.0000")}]
    assert 'id="memo"' in render_html(report) and "not billed by agreement" in render_html(report)
    plain = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                      settings={"acme": FinanceSettings()}, as_of=AS_OF)
    assert 'id="memo"' not in render_html(build_finance_report(plain.lines, plain.exceptions, as_of=AS_OF))

    events = pa.table({"partner": ["signet", "signet", "acme"], "po_number": ["88004417", "88004417", "A-1"],
                       "event": ["shipped_in_full", "on_memo", "invoiced_in_full"]})
    findings = pa.table({"partner": pa.array([], pa.string()), "code": pa.array([], pa.string()),
                         "severity": pa.array([], pa.string()), "decided_by": pa.array([], pa.string())})
    rows = summarise(["signet", "acme"], files=[], documents=[], events=events, findings=findings)
    assert [r.get("on_memo") for r in rows] == [None, 1]  # acme: no key (its summary as before)
    page = render_summary_html({"run": {"run_id": "day1", "clock": AT}, "partners": rows, "totals": totals(rows)})
    assert 'id="on-memo"' in page and "signet 1 order(s)" in page
    none = summarise(["acme"], files=[], documents=[], events=events.slice(2), findings=findings)
    assert 'id="on-memo"' not in render_summary_html({"run": {"run_id": "d", "clock": AT}, "partners": none,
                                                      "totals": totals(none)})


# --- Signet's night: the 856 goes, no 810, the order ends shipped on memo ---------------------------------------------
@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("memo") / "ws"
    return shipped_night(of_its_own(FIXTURES, root), FIXTURES, NIGHT, SHIP_DAY)


def test_the_memo_shipment_is_recorded_unbilled_and_its_story_says_why(night, capsys):
    from connectors.state import StateStore
    from flows.status_view import run_status

    ws, _found, states = night
    assert (states[MEMO], states[STOCK]) == ("shipped_on_memo", "invoiced")
    store = StateStore(ws.state_url)
    try:
        assert store.order(*MEMO).order_type == "CN" and store.order(*STOCK).order_type == "SA"
        assert {s.shipment_id: s.billing for s in store.shipments_for_order("signet", "88004417")} == {
            "SJ-SHP-01": "memo"}
        assert {s.shipment_id: s.billing for s in store.shipments_for_order("signet", "88004425")} == {
            "SJ-SHP-02": "invoiced"}
        events = [(h["event"], h["to_state"], h["note"]) for h in store.order_history(*MEMO)]
        assert events[-2][:2] == ("shipped_in_full", "shipped")
        assert events[-1] == ("on_memo", "shipped_on_memo", memo_words("CN"))
        assert store.invoices_for_order(*MEMO) == [] and len(store.invoices_for_order(*STOCK)) == 1
    finally:
        store.close()
    assert run_status("88004417", "signet", True, ws.root) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["order"]["order_type"] == "CN" and doc["order"]["no_invoice"] == memo_words("CN")
    assert doc["invoices"] == [] and [d["type"] for d in doc["documents"]].count("856") == 1
    assert run_status("88004425", "signet", True, ws.root) == 0
    assert json.loads(capsys.readouterr().out)["order"]["no_invoice"] == ""
    assert run_status("88004417", "signet", False, ws.root) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "signet / 88004417: shipped_on_memo" in said and "no 810 by agreement" in said


def test_the_console_order_page_says_why_no_invoice_went(night):
    from tests.support_console import Client, ConsoleServer, add_users

    ws = night[0]
    add_users(ws.root)
    with ConsoleServer(ws.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, body = c.get("/order?" + urlencode({"partner": "signet", "po": "88004417"}))
        assert status == 200 and 'id="order-state">shipped_on_memo' in body
        assert 'id="order-type">CN' in body and 'id="no-invoice">shipped on memo (BEG02 CN' in body
        status, body = c.get("/order?" + urlencode({"partner": "signet", "po": "88004425"}))
        assert status == 200 and 'id="no-invoice"' not in body


def test_the_reconciliation_does_not_call_the_memo_order_shipped_not_invoiced(night):
    from connectors.state import StateStore
    from engine.reconcile import reconcile
    from flows.reconcile import load_inputs, reconcile_run, settings_of
    from schemas.profile import load_profiles
    from schemas.reconciliation import DOCUMENT_STATUS

    ws = night[0]
    later = SHIP_DAY + timedelta(days=10)  # well past the invoice grace
    profiles = load_profiles(ws.root / "partners")
    store = StateStore(ws.state_url)
    try:
        inputs = load_inputs(ws, store, profiles)
        assert inputs.memo.to_pylist() == [{"partner": "signet", "po_number": "88004417"}]
        # what it said without the memo orders: the memo order's rings shipped and nothing invoiced
        told = reconcile(inputs.ordered, inputs.acknowledged, inputs.shipped, inputs.invoiced,
                         DOCUMENT_STATUS.empty_table(), settings=settings_of(profiles), as_of=later)
        assert ("SHIPPED_NOT_INVOICED", "88004417") in zip(told.exceptions["type"].to_pylist(),
                                                           told.exceptions["po_number"].to_pylist(), strict=True)
        reconcile_run(ws, profiles, store, now=later, run_id="finance")
        found = [x["type"] for x in store.exceptions_of_order(*MEMO)]
        assert "SHIPPED_NOT_INVOICED" not in found and "INVOICE_QUANTITY_MISMATCH" not in found
    finally:
        store.close()


def test_a_shipment_carrying_a_memo_and_a_stock_order_bills_the_stock_order_alone(tmp_path):
    """One shipment of Signet's, its memo order's rings and its stock order's (a carton each): one 856 for both, one
    810 (the stock order's), the shipment billed once that 810 is; the memo order ends shipped on memo."""
    fixtures = tmp_path / "rg19"
    shutil.copytree(FIXTURES, fixtures)
    path = fixtures / "shipments" / "east-shipments-20261201.csv"
    text = path.read_text(encoding="utf-8").replace("SJ-SHP-02,2026-12-01,14:05,FDEG,PRI,612999000501202",
                                                    "SJ-SHP-01,2026-12-01,14:00,FDEG,PRI,612999000501101")
    path.write_text(text, encoding="utf-8")
    ws, found, states = shipped_night(of_its_own(fixtures, tmp_path / "ws"), fixtures, NIGHT, SHIP_DAY)
    assert not [f for f in found if f[1] == "error"]
    assert (states[MEMO], states[STOCK]) == ("shipped_on_memo", "invoiced")
    asn = po_segments(segments(ws, "signet", "856"), "SJ-SHP-01", "BSN")
    assert [s[1] for s in asn if s[0] == "PRF"] == ["88004417", "88004425"]
    invoices = segments(ws, "signet", "810")
    assert [s[4] for s in invoices if s[0] == "BIG"] == ["88004425"]
    assert ["REF", "SI", "SJ-SHP-01"] in po_segments(invoices, "88004425", "BIG")
    from connectors.state import StateStore

    store = StateStore(ws.state_url)
    try:
        assert [(s.shipment_id, s.billing) for s in store.shipments_for_order(*MEMO)] == [("SJ-SHP-01", "invoiced")]
    finally:
        store.close()


def test_a_confirmation_naming_no_release_goes_to_the_release_still_open_not_the_one_shipped_on_memo():
    """A memo release shipped in full ships nothing more: a confirmation naming the PO alone is the other release's
    (it was two open releases, the confirmation held SHIPMENT_RELEASE_AMBIGUOUS)."""
    from engine.lifecycle.releases import SHIPPED, Held, named_key
    from schemas.order_keys import release_key

    held = Held.of([OrderRecord("signet", release_key("P", "1"), OrderState.ON_MEMO, order_type="CN"),
                    OrderRecord("signet", release_key("P", "2"), OrderState.ACKNOWLEDGED, order_type="CN")], {})
    assert named_key("P", "", held, ended=SHIPPED) == (release_key("P", "2"), "")
