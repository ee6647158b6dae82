import csv
import io
from html import escape

from engine.report_failures import HINTS, neutralise_cell, render_failure_report
from schemas.codes_business import BUSINESS_CODES
from schemas.findings import finding

from .tables import order, orders_table


def _findings():
    line = dict(
        seg="PO1",
        file="acme_850_1.x12",
        isa13="000000101",
        gs06="1",
        st02="0001",
        segment_position=12,
        file_segment=14,
        line_number=2,
    )
    return [
        finding(
            "ITEM_UNKNOWN",
            "No item matches VN <script>alert(1)</script>.",
            severity="error",
            element="PO107",
            value="<script>alert(1)</script>",
            **line,
        ),
        finding(
            "PRICE_OUT_OF_TOLERANCE",
            "PO104 differs",
            severity="warning",
            element="PO104",
            value='=HYPERLINK("http://evil")',
            **line,
        ),
        finding(
            "ORDER_DUPLICATE",
            "PO PO-1 was already received",
            element="BEG03",
            value="-1+1",
            seg="BEG",
            file="acme_850_1.x12",
            isa13="000000101",
            gs06="1",
            st02="0001",
        ),
        finding("X12_NOT_EDI", "not X12", value="@SUM(A1)", file="junk.txt"),
    ]


def test_html_groups_by_partner_file_order_and_escapes_partner_text():
    html, _ = render_failure_report(
        _findings(),
        orders_table(order()),
        file_partners={"junk.txt": "globex"},
        generated_at="2026-11-27 10:00",
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Partner acme" in html and "Partner globex" in html and "File acme_850_1.x12" in html
    assert "PO PO-1" in html and "PO1@12 PO107" in html and "ITEM_UNKNOWN" in html
    assert escape(HINTS["ITEM_UNKNOWN"]) in html
    assert html.index("Partner acme") < html.index("Partner globex")
    assert html.index("BEG03") < html.index("PO1@12 PO107")  # order-level first, then lines


def test_csv_has_the_same_rows_and_neutralises_formulas():
    _, data = render_failure_report(_findings(), orders_table(order()), file_partners={"junk.txt": "globex"})
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 4
    values = {r["code"]: r["value"] for r in rows}
    assert values["PRICE_OUT_OF_TOLERANCE"] == '\'=HYPERLINK("http://evil")'
    assert values["ORDER_DUPLICATE"] == "'-1+1" and values["X12_NOT_EDI"] == "'@SUM(A1)"
    assert values["ITEM_UNKNOWN"] == "<script>alert(1)</script>"  # plain text in a CSV is harmless
    assert rows[0]["partner"] == "acme" and rows[0]["po_number"] == "PO-1"
    assert all(r["hint"] for r in rows)


def test_neutralise_cell():
    for dangerous in ("=1+2", "+1", "-1", "@A1", "\tx", "\rx"):
        assert neutralise_cell(dangerous) == "'" + dangerous
    assert neutralise_cell("PO-1") == "PO-1" and neutralise_cell(None) == "" and neutralise_cell(3) == "3"


def test_every_business_code_has_a_hint():
    assert {c.code for c in BUSINESS_CODES} <= set(HINTS)


def test_empty_report():
    html, data = render_failure_report([])
    assert "No validation failures" in html and data.decode("utf-8-sig").startswith("partner,file")
