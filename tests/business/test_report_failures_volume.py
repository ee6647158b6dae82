"""The failures page beyond a few thousand rows: it lists `limit` rows (shared among partners), counts
everything, summarises the rest per file and code and links the full CSV/Parquet; the CSV holds
every row. Columnar all the way (a synthetic table of findings, no state store)."""

from __future__ import annotations

import csv
import io
import re

import pyarrow as pa

from engine.report_failures import failure_table, failures_csv, render_failures_html
from schemas.reports import FINDING_ROWS


def findings(n_big: int, n_small: int) -> pa.Table:
    rows = []
    for i in range(n_big + n_small):
        big = i < n_big
        rows.append({"id": i + 1, "run_id": "r", "stage": "decide", "partner": "bigco" if big else "smallco",
                     "po_number": f"PO-{i // 20}", "code": "ITEM_UNKNOWN" if i % 3 else "PRICE_MISSING",
                     "severity": "error" if i % 3 else "warning", "message": f"finding {i}",
                     "file": f"f{i % 7}.x12" if big else "s.x12", "isa13": "000000001", "gs06": "1",
                     "st02": f"{i // 20:04d}", "segment_id": "PO1", "segment_position": 5 + i % 20,
                     "file_segment": None, "element": "PO107", "value": f"V{i}", "line_number": 1 + i % 20,
                     "loop_id": "", "consequence": f"line {1 + i % 20}: IR" if i % 3 else "none (warning)"})
    return pa.Table.from_pylist(rows, schema=FINDING_ROWS)


def test_the_page_summarises_beyond_the_limit_and_links_every_row():
    rows = failure_table(findings(6_000, 40))
    html = render_failures_html(rows, title="t", limit=500, downloads=(("failures.csv", "CSV"),
                                                                         ("failures.parquet", "Parquet")))
    listed = len(re.findall(r"<tr><td>\d+</td><td>PO1@", html))
    assert listed == 500  # every one of smallco's 40, the rest for bigco
    small = html[html.index('id="partner-smallco"'):html.index('id="codes"')]
    assert len(re.findall(r"<tr><td>\d+</td><td>PO1@", small)) == 40 and "not listed one by one" not in small
    big = html[html.index('id="partner-bigco"'):html.index('id="partner-smallco"')]
    assert "5,540 more finding(s) not listed one by one" in big
    # the rest is counted per file (7 files), and the counts at the top are complete
    assert all(f'<td>f{k}.x12</td>' in big for k in range(7))
    assert "<b>6,040</b> finding(s): <b>4,026</b> open error(s), <b>2,014</b> warning(s)" in html
    assert '<a href="failures.csv">CSV</a>' in html and '<a href="failures.parquet">Parquet</a>' in html
    assert len(html) < 1_500_000  # a page a browser opens, not hundreds of MB
    data = list(csv.DictReader(io.StringIO(failures_csv(rows).decode("utf-8-sig"))))
    assert len(data) == 6_040 and {r["partner"] for r in data} == {"bigco", "smallco"}


def test_small_reports_list_every_row():
    rows = failure_table(findings(30, 5))
    html = render_failures_html(rows, title="t")
    assert len(re.findall(r"<tr><td>\d+</td><td>PO1@", html)) == 35 and "not listed" not in html


def test_rows_are_sorted_partner_file_order_line_with_set_level_first():
    table = findings(0, 3).to_pylist()
    table[2]["line_number"], table[2]["segment_position"], table[2]["segment_id"] = None, None, "BEG"
    for r in table:
        r["po_number"], r["st02"] = "PO-0", "0000"
    rows = failure_table(pa.Table.from_pylist(table, schema=FINDING_ROWS)).to_pylist()
    assert [r["line_number"] for r in rows] == [None, 1, 2] and rows[0]["segment"] == "BEG"
