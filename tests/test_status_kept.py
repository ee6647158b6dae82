"""`orderbridge status PO` (text and --json) and the console's order page show what the store and the stored
850 keep of an order beyond its lines' quantities: a store-level order's SDQ quantities per store and the store
each shipped carton was marked for; a catch-weight line's price basis, its net weight shipped and what its 810
billed by it (why 3 cases are invoiced 147.80); the PO's CSH (ship complete, no back order, the amount not to
exceed) with the one day a ship-complete order is promised for; and its ITD terms, once for the order. What the
stored 850 keeps is read with --asked (the stored tables: pyarrow), the rest in every status."""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.support import make_workspace, run_stages, x12_850
from tests.test_sales_requirements import NIGHT, amazon_po


def status(ws, po: str, *more: str) -> dict:
    res = CliRunner().invoke(app, ["status", po, "--partner", "acme", "--json", *more, "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def status_text(ws, po: str, *more: str) -> str:
    """What `status PO` prints, on a terminal wide enough that no table folds a cell."""
    from rich.console import Console

    from flows.status_view import run_status

    out = Console(file=io.StringIO(), width=400, markup=False, emoji=False, highlight=False)
    assert run_status(po, "acme", False, ws.root, out=out, dates="--asked" in more) == 0
    return out.file.getvalue()


def page(ws, po: str) -> str:
    """The console's order page of ``po`` as a signed-in user gets it (rendered by the app's own templates)."""
    from connectors.state import StateStore
    from console import reading
    from console.app import Console

    c = Console(ws.root)
    store = StateStore(ws.state_url)
    try:
        record = store.order("acme", po)
        doc = reading.order_page(store, record, c.ws)
        return c.templates.get_template("order.html").render(
            doc=doc, o=record, can_decide=False, credit=None, value=None, session=None, request=None,
            workspace=ws.root.name)
    finally:
        store.close()


@pytest.fixture(scope="module")
def store_level(tmp_path_factory):
    """acme store-level, ACME-1001's lines 4 and 5 split over stores 0101 and 0102 (SDQ), shipped a carton per
    store (the warehouse's CSV names 0101 as 101)."""
    from tests.support import ship_stages
    from tests.test_sdq_store_level import CARTONS, store_level_workspace

    ws = store_level_workspace(tmp_path_factory.mktemp("stores"), CARTONS)
    ship_stages(ws, datetime(2026, 11, 27, 14, 30), run_id="day1")
    return ws


def test_a_store_level_order_shows_each_line_s_store_quantities_and_each_carton_s_store(store_level):
    doc = status(store_level, "ACME-1001", "--asked")
    by_line = {ln["line_number"]: ln["store_quantities"] for ln in doc["lines"]}
    assert by_line[4] == [{"store": "0101", "quantity": "4", "unit": "EA", "id_qualifier": "92"},
                          {"store": "0102", "quantity": "6", "unit": "EA", "id_qualifier": "92"}]
    assert [q["quantity"] for q in by_line[5]] == ["24", "24"] and by_line[1] == []
    [shipment] = doc["shipments"]
    marks = {(ln["line_number"], ln["carton"]): ln["mark_for_store"] for ln in shipment["lines"]}
    assert set(marks.values()) == {"0101", "0102"} and marks[(4, "C-1002")] == "0102"
    # the marks are the store's own record: shown without --asked too (no stored table read)
    plain = status(store_level, "ACME-1001")
    assert plain["shipments"][0]["lines"] == shipment["lines"] and plain["lines"][0]["store_quantities"] is None
    text = status_text(store_level, "ACME-1001", "--asked")
    assert "line 4 by store (SDQ): store 0101 4 EA; store 0102 6 EA" in text
    assert "for store" in text and "0102" in text
    html = page(store_level, "ACME-1001")
    assert "by store (SDQ): store 0101 4 EA; store 0102 6 EA" in html
    assert "<td>0102</td></tr>" in html


@pytest.fixture(scope="module")
def weighed(tmp_path_factory):
    from tests.test_catch_weight_billing import HEADER, _night_then_shipped, _row

    ws, _ = _night_then_shipped(tmp_path_factory.mktemp("weighed"), HEADER + _row("1", "SKU-1003", "3", "CA", "42.35",
                                                                                  "LB") + _row("2", "SKU-1001", "12",
                                                                                               "EA"))
    return ws


def test_a_catch_weight_line_shows_its_price_basis_its_net_weight_and_what_the_810_billed(weighed):
    doc = status(weighed, "PO-1", "--asked")
    line = {ln["line_number"]: ln for ln in doc["lines"]}
    assert (line[1]["price_basis"], line[1]["price_per"]) == ("PP", "LB")
    assert (line[2]["price_basis"], line[2]["price_per"]) == ("PE", "")
    [shipment] = doc["shipments"]
    assert [(ln["line_number"], ln["net_weight"], ln["net_weight_unit"]) for ln in shipment["lines"]] == [
        (1, "42.35", "LB"), (2, None, "")]
    [invoice] = doc["invoices"]
    billed = {ln["line_number"]: ln for ln in invoice["lines"]}
    assert (billed[1]["quantity"], billed[1]["net_weight"], billed[1]["net_weight_unit"]) == ("3", "42.35", "LB")
    assert float(billed[1]["amount"]) == 147.80
    assert billed[2]["net_weight"] is None  # 12 EA billed as 12 EA
    text = status_text(weighed, "PO-1", "--asked")
    assert "3.49 per LB (PP)" in text
    assert "invoice INV0000001 line 1: 3 CA billed by net weight 42.35 LB x 3.49 = 147.80" in text
    assert "42.35 LB" in text.split("cartons and lines")[1]
    # what the 810 billed is read from the store: status without --asked says it too
    assert "billed by net weight 42.35 LB x 3.49 = 147.80" in status_text(weighed, "PO-1")
    html = page(weighed, "PO-1")
    assert "3.49 per LB (PP)" in html and "42.35 LB" in html
    assert "billed by net weight 42.35 LB &times; 3.49 = 147.8" in html


def test_a_catch_weight_line_weighed_in_kilograms_shows_the_pounds_the_810_billed(tmp_path):
    """The warehouse weighed 19.2 KG; the 810 billed 42.3288 LB at 3.49 per pound: status shows the shipment's
    19.2 KG and the invoice line's 42.3288 LB (what was billed), not nothing."""
    from tests.test_catch_weight_billing import HEADER, _night_then_shipped, _row

    ws, _ = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "19.2", "KG")
                                + _row("2", "SKU-1001", "12", "EA"))
    doc = status(ws, "PO-1")
    [shipment] = doc["shipments"]
    assert [(ln["net_weight"], ln["net_weight_unit"]) for ln in shipment["lines"]] == [("19.2", "KG"), (None, "")]
    [invoice] = doc["invoices"]
    billed = {ln["line_number"]: ln for ln in invoice["lines"]}
    assert (billed[1]["net_weight"], billed[1]["net_weight_unit"], billed[1]["amount"]) == ("42.3288", "LB", "147.73")
    assert "billed by net weight 42.3288 LB x 3.49 = 147.73" in status_text(ws, "PO-1")
    from connectors.state import StateStore
    from flows.status import _billed_weights

    state = StateStore(ws.state_path)  # billing recorded the weight and the unit it billed by: status reads them
    try:
        rows = [tuple(r) for r in state._q("SELECT line_number, unit, net_weight, net_weight_unit FROM invoice_lines"
                                           " ORDER BY line_number")]
        [record] = state.invoices_for_order("acme", "PO-1")
    finally:
        state.close()
    assert rows == [(1, "CA", "42.3288", "LB"), (2, "EA", None, None)]
    # read as recorded, not worked out again from the shipments (none given here: nothing to work it out from)
    assert _billed_weights(record, []) == {1: (Decimal("42.3288"), "LB")}


@pytest.fixture(scope="module")
def ship_complete(tmp_path_factory):
    """Amazon-style PO: CSH**0*900000 (do not exceed 9000.00, CSH02 0) then CSH*SC (ship complete), and ITD
    terms with every element the store keeps."""
    ws = make_workspace(tmp_path_factory.mktemp("sc") / "ws", partners=())
    body = amazon_po("CSH**0*900000")
    body.insert(body.index("CSH**0*900000") + 1, "CSH*SC")
    body.insert(body.index("CSH*SC") + 1, "ITD*05*3*2*20261210*10*20261226*30*****2% 10 NET 30*10")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850(body))
    run_stages(ws, NIGHT)
    return ws


def test_a_ship_complete_order_shows_its_csh_in_words_its_limit_and_its_one_day(ship_complete):
    doc = status(ship_complete, "2K7BXMPZ", "--asked")
    o = doc["order"]
    assert o["sales_requirement"] == {"code": "SC", "text": "ship complete"}
    assert o["do_not_exceed"] == {"amount": "9000", "action": "0"}
    assert o["ship_complete_date"] == "2026-12-15"
    text = status_text(ship_complete, "2K7BXMPZ", "--asked")
    assert "CSH01 SC: ship complete, promised for 2026-12-15" in text
    assert "do not exceed (CSH03) 9,000.00" in text and "action (CSH02) 0" in text  # (one money format: words68)
    assert "value acknowledged 4,646.40 USD)" in text  # an order naming no currency: its partner's [finance] one
    html = page(ship_complete, "2K7BXMPZ")
    assert "SC: ship complete, promised for 2026-12-15" in html and 'id="do-not-exceed">9000' in html
    # not read without --asked: null, not a guess
    plain = status(ship_complete, "2K7BXMPZ")["order"]
    assert (plain["sales_requirement"], plain["do_not_exceed"], plain["terms"]) == (None, None, None)


def test_the_po_s_terms_show_once_at_the_order_level(ship_complete):
    doc = status(ship_complete, "2K7BXMPZ", "--asked")
    assert doc["order"]["terms"] == {
        "terms_type": "05", "terms_basis_date": "3", "terms_discount_percent": "2",
        "terms_discount_due_date": "2026-12-10", "terms_discount_days": 10, "terms_net_due_date": "2026-12-26",
        "terms_net_days": 30, "terms_description": "2% 10 NET 30", "terms_day_of_month": 10}
    text = status_text(ship_complete, "2K7BXMPZ", "--asked")
    assert text.count("terms (ITD): ") == 1
    assert ("terms (ITD): type 05; basis date 3; discount % 2; discount due 2026-12-10; discount days 10; "
            "net due 2026-12-26; net days 30; description 2% 10 NET 30; day of month 10") in text
    html = page(ship_complete, "2K7BXMPZ")
    assert html.count('id="terms"') == 1 and "discount due date 2026-12-10" in html and "day of month 10" in html


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo's two nights (stages without Prefect): globex-change-01.x12 changes GLOBEX-2000 on the second."""
    import shutil

    from tests.support import REPO

    ws = make_workspace(tmp_path_factory.mktemp("demo") / "ws")
    run_stages(ws, datetime(2026, 11, 27, 2))
    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    run_stages(ws, datetime(2026, 11, 28, 2))
    return ws


def test_what_an_860_changed_shows_old_and_new_with_its_file(demo):
    """The demo's globex-change-01.x12 on GLOBEX-2000 (POC DI line 1, QD line 2 48 -> 24, PC line 4 38.02 ->
    38.00, AI line 5): the history said "changed by 860 ... lines [1, 2, 4, 5]"; --asked says what changed."""
    res = CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "--asked",
                                   "-w", str(demo.root)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(c["file"], c["revision"], c["line_number"], c["what"], c["from"], c["to"]) for c in doc["changes"]] == [
        ("globex-change-01.x12", 2, 1, "deleted", "12 EA", ""),
        ("globex-change-01.x12", 2, 2, "quantity", "48 EA", "24 EA"),
        ("globex-change-01.x12", 2, 4, "price", "38.02", "38"),
        ("globex-change-01.x12", 2, 5, "added", "", "24 EA")]
    from rich.console import Console

    from flows.status_view import print_story

    out = Console(file=io.StringIO(), width=400, markup=False, emoji=False, highlight=False)
    print_story(doc, "GLOBEX-2000", out=out)
    text = out.file.getvalue()
    assert "changed by 860s" in text
    assert "│ globex-change-01.x12 │ 2        │ 2    │ quantity │ 48 EA  │ 24 EA  │" in text
    # the console's order page shows them as a section of their own
    from connectors.state import StateStore
    from console import reading

    store = StateStore(demo.state_url)
    try:
        page = reading.order_page(store, store.order("globex", "GLOBEX-2000"), demo)
    finally:
        store.close()
    assert page["more"]["changes"] == doc["changes"]
    assert CliRunner().invoke(app, ["status", "GLOBEX-2000", "--partner", "globex", "--json", "-w",
                                    str(demo.root)]).stdout.count('"changes": null') == 1
