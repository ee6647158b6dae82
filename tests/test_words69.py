"""s68 words69: numbers and words people read, by their currency and unit. A CSV order feed writing its units as
words ("Each", "Case", "Dozen", "Pallet") is read through a real night as the X12 codes those words name (the same
partner's shipment file already read them so); a word no code names is refused with a message saying how the
layout's unit_names reads it."""

from __future__ import annotations

import re
import shutil
from datetime import datetime

from connectors.state import StateStore
from tests.support import REPO, make_workspace, run_night
from tests.test_finance_flow import nights  # noqa: F401 (a fixture: the demo's two nights, reconciled)

NIGHT1 = datetime(2026, 11, 27, 2)
FEED = "\r\n".join([
    "PO Number,Line,Quantity,Unit,Unit Price,Vendor Part,Ship To",
    "W-1,1,10,Each,26.25,VP-1010,UMB-9",  # row 2: an English unit word, no unit_names
    "W-3,1,2,Cases,262.50,VP-1010,UMB-9",  # row 3: a plural word: CA (the item's case of 10)
    "W-2,1,10,Inners,26.25,VP-1010,UMB-9",  # row 4: a word no X12 unit is named
]) + "\r\n"


def _night(root, *, unit_names: str = ""):
    ws = make_workspace(root, partners=("umbrella", "acme"))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    text = (REPO / "partners" / "umbrella.toml").read_text()
    start = text.index("[fulfilment.csv_orders]")
    end = text.index("[fulfilment.csv_ack]")
    layout = '[fulfilment.csv_orders]\nvendor_part = "Vendor Part"\nline_id = "Line"\n' + unit_names
    (ws.partners_dir / "umbrella.toml").write_text(text[:start] + layout + "\n" + text[end:])
    inbox = ws.drop_root / "umbrella" / "inbox"
    for f in inbox.iterdir():
        f.unlink()
    (inbox / "orders.csv").write_bytes(FEED.encode())
    run_night(ws, NIGHT1)
    state = StateStore(ws.state_path)
    try:
        return ws, [f for f in state.findings() if f["partner"] == "umbrella"]
    finally:
        state.close()


def test_an_order_feed_s_unit_words_read_as_x12_codes_and_an_unknown_one_says_unit_names(tmp_path):
    ws, found = _night(tmp_path / "ws")
    by_po = {}
    for f in found:
        by_po.setdefault(f["po_number"], []).append(f)
    assert "W-1" not in by_po and "W-3" not in by_po  # "Each", "Cases": EA, CA (were EACH, CASES: UNIT_UNKNOWN)
    (unknown,) = by_po["W-2"]
    assert (unknown["code"], unknown["row_number"], unknown["column_name"]) == ("UNIT_UNKNOWN", 4, "Unit")
    assert unknown["message"] == (
        "column 'Unit' 'INNERS' is not a unit of measure code (X12 data element 355). If it is a unit the partner "
        "uses, add it to the CSV layout's unit_names with the X12 unit code it means: "
        'unit_names = { "INNERS" = "<code>" } under [fulfilment.csv_orders].')
    # the partner's acknowledgment says what is wrong, not what to change in our settings
    acks = "".join(p.read_text(encoding="utf-8-sig") for p in (ws.drop_root / "umbrella" / "outbox").glob("*ack*.csv"))
    assert "W-2;1;IR;Rejected;10;0;0;INNERS;" in acks and "unit_names" not in acks
    assert "'INNERS' is not a unit of measure code (X12 data element 355)." in acks
    assert "W-1;1;IA;Accepted;10;10;0;EA;" in acks and "W-3;1;IA;Accepted;2;2;0;CA;" in acks


def test_the_partner_s_unit_names_read_its_own_word(tmp_path):
    _, found = _night(tmp_path / "ws", unit_names='unit_names = { Inners = "EA" }\n')
    assert [f["po_number"] for f in found if f["code"].startswith("UNIT_")] == []


def test_reconciliation_notes_say_amounts_in_their_currency_s_decimals():
    """A yen PO's exceptions: the invoice's TDS against its lines, and an 810 for goods never shipped, in whole yen
    ("TDS 45,000 is not its lines 42,240 ..."), as the finance report's amount column and `status` say yen; a dollar
    PO's the same night keeps its cents. Before: every note had 2 decimals, "42,240.00" yen."""
    from datetime import date

    from engine.reconcile import reconcile
    from tests.support_finance import AS_OF, Book, document_status
    from tests.test_reconcile import SETTINGS, invoice_totals

    b = Book()
    shipped = datetime(2026, 11, 19)
    b.order("PO-Y", 1, 128, 330, currency="JPY").ship("PO-Y", 1, 128, shipment="S-Y", shipped_at=shipped)
    b.invoice("PO-Y", 1, 128, 330, number="INV-Y", invoice_date=date(2026, 11, 21), shipment="S-Y")
    b.order("PO-N", 1, 10, 550, currency="JPY")  # invoiced, never shipped
    b.invoice("PO-N", 1, 10, 550, number="INV-N", invoice_date=date(2026, 11, 21))
    b.order("PO-D", 1, 4, "2.50").ship("PO-D", 1, 4, shipment="S-D", shipped_at=shipped)
    b.invoice("PO-D", 1, 4, "2.50", number="INV-D", invoice_date=date(2026, 11, 21), shipment="S-D")
    t = b.tables()
    totals = invoice_totals(b, [("810-acme-INV-Y", "1200", "0", "45000"), ("810-acme-INV-D", "2.00", "0", "15.00")])
    result = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                       settings=SETTINGS, as_of=AS_OF, invoice_totals=totals)
    said = {(r["type"], r["po_number"]): r["message"] for r in result.exceptions.to_pylist()}
    assert "TDS 45,000 is not its lines 42,240 + charges 1,200 - allowances 0 = 43,440 (1 line(s) of ours)" in said[
        "INVOICE_TOTAL_MISMATCH", "PO-Y"], said
    assert "TDS 15.00 is not its lines 10.00 + charges 2.00 - allowances 0.00 = 12.00" in said[
        "INVOICE_TOTAL_MISMATCH", "PO-D"], said
    assert "invoiced 10 for 5,500 and nothing shipped" in said["INVOICED_NOT_SHIPPED", "PO-N"], said


def test_the_finance_report_says_a_yen_amount_whole_and_a_dollar_amount_in_cents():
    """The finance report's summary, ageing and partner section give each amount its currency's decimals: a partner
    in yen reads "1 / 3" and "3 JPY", not "3.00" (ISO 4217: the yen has no minor unit); dollars keep their cents.
    Machine-readable columns (exceptions.csv/parquet) stay plain numbers."""
    from decimal import Decimal

    import pyarrow as pa
    import pyarrow.compute as pc

    from engine.finance_report import build_finance_report, render_html
    from tests.support_finance import AS_OF
    from tests.test_finance_report import reconciled

    r = reconciled()
    ex = r.exceptions
    moved = pc.and_(pc.equal(ex["partner"], "acme"), pc.equal(ex["type"], "INVOICE_PRICE_MISMATCH"))
    ex = ex.set_column(ex.schema.get_field_index("currency"), ex.schema.field("currency"),
                       pc.if_else(moved, pa.scalar("JPY"), ex["currency"]))
    report = build_finance_report(r.lines, ex, r.evidence, as_of=AS_OF)
    assert Decimal(3) in [s["amount_at_risk"] for s in report.summary.to_pylist() if s["currency"] == "JPY"]
    html = render_html(report)
    assert "acme (JPY)" in html and "1 / 3<" in html and "3 JPY" in html, html
    assert "3.00 JPY" not in html and "1 / 3.00" not in html
    assert "30.00 USD" in html and "1 / 30.00" in html  # dollars as before


def test_the_finance_cli_says_a_yen_amount_whole(nights):  # noqa: F811
    """`orderbridge exceptions` and `exception show` on the store of two real nights, one exception's PO in yen (as
    a partner ordering in JPY has): its amount at risk reads whole yen ("2,759 JPY"), the dollar ones keep cents.
    Before: every amount had 2 decimals ("2,758.98 JPY")."""
    import sqlite3

    from tests.test_finance_flow import cli

    db = sqlite3.connect(nights.state_path)
    try:
        ex_id, amount, was = db.execute("SELECT exception_id, amount_at_risk, currency FROM exceptions WHERE "
                                        "amount_at_risk != '0' ORDER BY exception_id LIMIT 1").fetchone()
        db.execute("UPDATE exceptions SET currency = 'JPY' WHERE exception_id = ?", (ex_id,))
        db.commit()
        from decimal import ROUND_HALF_UP, Decimal

        yen = f"{Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
        cents = f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"
        shown = cli("exception", "show", ex_id, "-w", str(nights.root))
        assert f"amount at risk {yen} JPY;" in shown and f"{cents} JPY" not in shown, shown
        listed = cli("exceptions", "-w", str(nights.root))
        assert f"{yen} JPY at risk" in " ".join(listed.split()) or f"+ {yen} JPY" in " ".join(listed.split()), listed
        assert f"{cents} JPY" not in listed and re.search(r"\d\.\d\d USD at risk", listed), listed  # dollars: cents
        assert re.search(rf"{ex_id} .*│ +{yen} │", listed), listed  # its row's amount, whole yen
    finally:
        db.execute("UPDATE exceptions SET currency = ? WHERE exception_id = ?", (was, ex_id))
        db.commit()
        db.close()
