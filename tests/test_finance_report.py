"""The finance report (engine.finance_report) on the small fixed workspace: values and variances per
partner and period, exceptions by partner and type, ageing, changes since the previous run, CSV that a
spreadsheet opens safely and HTML that escapes what partners sent and fetches nothing."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from engine.exception_states import act, apply_changes
from engine.finance_report import build_finance_report, render_html, to_csv, write_csv
from engine.reconcile import reconcile
from tests.support_finance import AS_OF, SMALL_SETTINGS, small_book, small_document_status


def reconciled(book=None):
    b = book or small_book()
    t = b.tables()
    return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], small_document_status(b),
                     settings=SMALL_SETTINGS, as_of=AS_OF)


@pytest.fixture(scope="module")
def report():
    r = reconciled()
    ex = r.exceptions
    over = ex.filter(pc.equal(ex["type"], "OVER_SHIPMENT"))["exception_id"][0].as_py()
    now = apply_changes(ex, [act(over, "open", "resolve", by="dana", note="credit note CN-12 <sent>",
                                 at=datetime(2026, 12, 10, 8))])
    # the previous run: the 810 was not overdue yet, the price mismatch was smaller, and one exception since cleared
    prev = ex.filter(pc.not_equal(ex["type"], "DOCUMENT_UNACKNOWLEDGED"))
    amounts = [Decimal(2) if k == "INVOICE_PRICE_MISMATCH" else a
               for k, a in zip(prev["type"].to_pylist(), prev["amount_at_risk"].to_pylist(), strict=True)]
    prev = prev.set_column(prev.schema.get_field_index("amount_at_risk"), prev.schema.field("amount_at_risk"),
                           pa.array(amounts, prev.schema.field("amount_at_risk").type))
    gone = prev.slice(0, 1).set_column(0, prev.schema.field("exception_id"), pa.array(["EX-gone"]))
    previous = pa.concat_tables([prev, gone])
    return build_finance_report(r.lines, now, r.evidence, previous=previous, as_of=AS_OF)


def test_value_per_partner_and_period_with_variances(report):
    rows = [(r["partner"], r["period"], r["orders"], r["lines"], r["ordered_value"], r["acknowledged_value"],
             r["shipped_value"], r["invoiced_value"], r["acknowledged_variance"], r["shipped_variance"],
             r["invoiced_variance"]) for r in report.values.to_pylist()]
    D = Decimal  # noqa: N806
    assert rows == [
        # A1 25 + 40, A2 30; A2 invoiced at 5.50 x 6 = 33
        ("acme", "2026-11", 2, 3, D(95), D(95), D(95), D(98), D(0), D(0), D(3)),
        # A3: 10 x 3 ordered and acknowledged (BP 6 + IB 4), 6 shipped and invoiced; line 2 cancelled
        ("acme", "2026-12", 1, 2, D(30), D(30), D(18), D(18), D(0), D(-12), D(0)),
        # G1: 20 ordered, 25 shipped and invoiced at 1
        ("globex", "2026-11", 1, 1, D(20), D(20), D(25), D(25), D(0), D(5), D(0)),
        ("globex", "2026-12", 1, 1, D(100), D(100), D(0), D(0), D(0), D(-100), D(0)),
    ]


def test_a_line_acknowledged_then_cancelled_counts_nothing_acknowledged():
    """An 860 deleting a line we had acknowledged (answered by a revised 855 that no longer lists it) or a
    cancelled order: the line is worth 0 ordered and 0 acknowledged, so the variances are only what is
    owed. Before, its first 855 still counted as acknowledged: the demo's Initech read 157.62 CAD
    acknowledged beyond what was ordered and 83.28 shipped short of it, neither explained by anything."""
    from datetime import date

    book = small_book()
    gone = dict(po_date=date(2026, 11, 5), requested=date(2026, 11, 28), received_at=datetime(2026, 11, 5, 8))
    book.order("A9", 1, 10, 4, cancelled_at=datetime(2026, 11, 7), **gone).order("A9", 2, 5, 2, **gone)
    book.ack("A9", 1, "IA", 10, 4, promised=date(2026, 11, 28), sent_at=datetime(2026, 11, 6, 2))
    book.ack("A9", 2, "IA", 5, 2, promised=date(2026, 11, 28), sent_at=datetime(2026, 11, 6, 2))
    r = reconciled(book)
    line = {(x["po_number"], x["line_number"]): x for x in r.lines.to_pylist()}
    assert line[("A9", 1)]["acknowledged_quantity"] == Decimal(10)  # what the 855 said is kept
    assert line[("A9", 1)]["ordered_value"] == 0 and line[("A9", 1)]["acknowledged_value"] == 0
    assert line[("A9", 2)]["acknowledged_value"] == Decimal(10)
    values = build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF).values
    nov = next(v for v in values.to_pylist() if v["partner"] == "acme" and v["period"] == "2026-11")
    assert (nov["ordered_value"], nov["acknowledged_value"], nov["acknowledged_variance"]) == \
        (Decimal(105), Decimal(105), Decimal(0))  # A1 65 + A2 30 + A9 line 2 10


def test_exceptions_by_partner_and_type(report):
    assert [(r["partner"], r["type"], r["exceptions"], r["amount_at_risk"], r["open"], r["resolved"],
             r["unresolved_amount"], r["oldest_age_days"]) for r in report.summary.to_pylist()] == [
        ("acme", "DOCUMENT_REJECTED", 1, Decimal(30), 1, 0, Decimal(30), 13),
        ("acme", "INVOICE_PRICE_MISMATCH", 1, Decimal(3), 1, 0, Decimal(3), 13),
        ("globex", "DOCUMENT_UNACKNOWLEDGED", 1, Decimal(25), 1, 0, Decimal(25), 9),
        ("globex", "OVER_SHIPMENT", 1, Decimal(5), 0, 1, Decimal(0), 11),
    ]


def test_ageing_counts_unresolved_exceptions(report):
    assert [(r["partner"], r["bucket"], r["exceptions"], r["amount_at_risk"]) for r in report.ageing.to_pylist()] == [
        ("acme", "8-30 days", 2, Decimal(33)), ("globex", "8-30 days", 1, Decimal(25))]


def test_what_changed_since_the_previous_run(report):
    assert [(r["change"], r["partner"], r["type"], r["amount_before"], r["amount_after"], r["state_after"])
            for r in report.changes.to_pylist()] == [
        ("amount changed", "acme", "INVOICE_PRICE_MISMATCH", Decimal(2), Decimal(3), "open"),
        ("cleared", "acme", "INVOICE_PRICE_MISMATCH", Decimal(2), None, None),
        ("new", "globex", "DOCUMENT_UNACKNOWLEDGED", None, Decimal(25), "open"),
        ("state changed", "globex", "OVER_SHIPMENT", Decimal(5), Decimal(5), "resolved"),
    ]
    assert report.changes.to_pylist()[1]["exception_id"] == "EX-gone"


def test_csv_is_safe_in_a_spreadsheet():
    book = small_book()
    for row in book.rows["ordered"] + book.rows["acknowledged"] + book.rows["shipped"] + book.rows["invoiced"]:
        if row["po_number"] == "A2":
            row["po_number"] = "=HYPERLINK(\"http://x\")"
    r = reconciled(book)
    data = to_csv(build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF).exceptions)
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert text.splitlines()[0].startswith("exception_id,type,partner,po_number")


def test_html_page_is_self_contained_and_escaped(report):
    page = render_html(report, generated_at="2026-12-10 06:00")
    assert "<script" not in page and "src=" not in page and "http://" not in page and "https://" not in page
    assert "credit note CN-12 &lt;sent&gt;" in page
    for text in ("Value per partner and period", "Exceptions by partner and type", "Ageing of unresolved exceptions",
                 "What changed since the previous run", "Partner acme", "Partner globex",
                 "Invoice price differs from the acknowledged price: 1, 3.00 at risk", "TD503 (data element 387)",
                 "856-acme-S-A2.x12"):
        assert text in page, text
    assert 'id="card-unresolved"><b>58.00 USD</b>' in page  # 30 + 3 + 25 open; the resolved 5 not counted


def test_html_lists_at_most_max_rows_per_group():
    r = reconciled()
    page = render_html(build_finance_report(r.lines, r.exceptions, r.evidence, as_of=AS_OF), max_rows=0)
    assert page.count("more in exceptions.csv") == 4


def test_html_lists_at_most_max_changes_and_counts_them_all(report):
    n = report.changes.num_rows
    assert n >= 3
    whole = render_html(report)
    assert "more changes in changes.csv" not in whole
    page = render_html(report, max_changes=2)
    assert f"{n - 2:,} more changes in changes.csv (the first 2 are listed)" in page
    assert page.count('<tr') < whole.count('<tr')
    listed = report.changes.slice(0, 2)["exception_id"].to_pylist()
    left_out = report.changes.slice(2)["exception_id"].to_pylist()
    changes_part = page.split('id="changes"')[1].split("</table>")[0]
    assert all(i in changes_part for i in listed) and not any(i in changes_part for i in left_out)
    new = report.changes.filter(pc.equal(report.changes["change"], "new")).num_rows
    assert f'id="card-new"><b>{new}</b>' in page  # the cards count every change, listed or not


def test_csv_written_in_large_batches_is_byte_for_byte_the_default_batches(tmp_path):
    import io

    import pyarrow.csv as pacsv

    from engine.finance_report import CSV_BATCH_ROWS

    n = CSV_BATCH_ROWS * 2 + 7  # batches that end mid-table
    text = ["plain", 'a "quote"', "a, comma", "two\nlines", None, "=1+1", "é ü"]
    t = pa.table({"text": [text[i % len(text)] for i in range(n)], "number": [i if i % 5 else None for i in range(n)],
                  "amount": pa.array([Decimal(i) / 100 for i in range(n)], pa.decimal128(18, 4)),
                  "day": pa.array([datetime(2026, 1, 1 + i % 28).date() for i in range(n)], pa.date32()),
                  "at": pa.array([datetime(2026, 1, 1, i % 24) for i in range(n)], pa.timestamp("ms"))})
    out = io.BytesIO()
    out.write(b"\xef\xbb\xbf")
    neutral = pc.if_else(pc.equal(t["text"], "=1+1"), "'=1+1", t["text"])
    pacsv.write_csv(t.set_column(0, "text", neutral), out, pacsv.WriteOptions(eol="\r\n", quoting_header="none"))
    assert to_csv(t) == out.getvalue()
    with (tmp_path / "t.csv").open("wb") as sink:  # encoded into a file as it goes: the same bytes
        write_csv(t, sink)
    assert (tmp_path / "t.csv").read_bytes() == out.getvalue()
