"""A CSV order partner (the demo's Umbrella) is answered by a CSV acknowledgment, not an 855: the
reconciliation reads that file back in the partner's layout as it reads an 855's ACKs (status, quantity,
price and promised date per line), so its orders are acknowledged, and "855 within window" measures it.
Before, its lines had no acknowledgment: the finance values read 0.00 acknowledged against 1,156.80
shipped, and a night later the dashboard a late 855 and a late_855 chargeback incident."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq

from connectors.state import StateStore
from engine import finance_inputs
from flows.reconcile import load_inputs, reconcile_run
from schemas.fulfilment import CsvAckSettings
from tests.support import REPO, make_workspace, run_stages

NIGHT1, NIGHT2, NIGHT6 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2), datetime(2026, 12, 2, 2)


def workspace(root):
    ws = make_workspace(root, partners=("umbrella",))
    shutil.copytree(REPO / "warehouses", ws.root / "warehouses")
    return ws


def acknowledged(ws) -> list[tuple]:
    state = StateStore(ws.state_path)
    try:
        t = load_inputs(ws, state, ws.partners()).acknowledged
    finally:
        state.close()
    return [(r["po_number"], r["line_number"], r["doc_type"], r["ack_code"], r["quantity"], r["unit_price"],
             r["promised_date"], r["file"]) for r in t.to_pylist()]


ACK_FILE = "umbrella-csv-ack-000000001.csv"
ACKED = [("UMB-6001", 1, "CSV", "IA", Decimal(20), Decimal("26.25"), date(2026, 12, 4), ACK_FILE),
         ("UMB-6001", 2, "CSV", "IB", Decimal(10), Decimal("32.34"), date(2026, 12, 15), ACK_FILE),
         ("UMB-6001", 3, "CSV", "IA", Decimal(12), Decimal("25.70"), date(2026, 12, 4), ACK_FILE)]


def test_a_csv_acknowledgment_is_the_orders_acknowledgment_and_its_855_deadline_is_measured(tmp_path):
    ws = workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    assert acknowledged(ws) == ACKED  # decimal commas and dd.mm.yyyy dates read in Umbrella's layout
    state = StateStore(ws.state_path)
    try:
        reconcile_run(ws, ws.partners(), state, now=NIGHT6, run_id="r6")
    finally:
        state.close()
    data = ws.reports_dir / "r6" / "finance" / "data"
    (values,) = pq.read_table(data / "values.parquet").filter(
        pa.compute.equal(pq.read_table(data / "values.parquet")["partner"], "umbrella")).to_pylist()
    assert (values["ordered_value"], values["acknowledged_value"]) == (Decimal("1156.80"), Decimal("1156.80"))
    sla = {r["sla"]: (r["met"], r["measured"]) for r in pq.read_table(data / "kpi_sla.parquet").to_pylist()
           if r["partner"] == "umbrella"}
    assert sla["855 within window"] == (1, 1)  # sent the night the order came: met, not a late 855
    risk = {r["incident"]: r["incidents"] for r in pq.read_table(data / "kpi_chargeback_risk.parquet").to_pylist()
            if r["partner"] == "umbrella"}
    assert risk["late_855"] == 0


def test_a_refusal_of_a_resent_po_is_no_acknowledgment_of_the_order_we_hold(tmp_path):
    """Intake answers the rows of a CSV file it did not take with IR rows in the same CSV layout; a PO sent again
    with a bad row is left out and its order stands as acknowledged before: the refusal acknowledges nothing."""
    ws = workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    (ws.drop_root / "umbrella" / "inbox" / "again.csv").write_bytes(
        "PO Number;PO Date;Line;Quantity;Unit;Unit Price;SKU;Ship Date;Ship To\r\n"
        "UMB-6001;26.11.2026;1;zwanzig;EA;26,25;VP-1010;04.12.2026;UMB-9\r\n".encode("utf-8-sig"))
    run_stages(ws, NIGHT2)
    refusal = ws.drop_root / "umbrella" / "outbox" / "umbrella-csv-ack-000000002.csv"
    assert ";IR;" in refusal.read_bytes().decode("utf-8-sig")  # the refusal went out, naming UMB-6001's line 1
    assert acknowledged(ws) == ACKED


def test_csv_acknowledgment_rows_are_read_as_an_855s_acks():
    """Read in the layout's own header texts, decimal separator and date format: a BP row is its accepted
    quantity (IA) and its backordered balance (IB), a refusal counts nothing, a layout naming lines by number
    alone finds them by number, and a row without price takes the line's."""
    from engine.csv_ack import read_csv_ack  # (new with the reading: the flow tests above fail without it alone)

    layout = CsvAckSettings(delimiter=";", decimal_separator=",", date_format="%d.%m.%Y",
                            columns=("po_number", "line_number", "status", "quantity_ordered", "quantity_accepted",
                                     "quantity_backordered", "unit_price", "promised_date"),
                            headers={"po_number": "Bestellung", "line_number": "Pos", "unit_price": "Preis"})
    content = ("\ufeffBestellung;Pos;status;quantity_ordered;quantity_accepted;quantity_backordered;Preis;"
               "promised_date\r\n"
               "P-1;1;BP;10;6;4;2,5;09.12.2026\r\n"
               "P-1;2;IR;5;0;0;;\r\n"
               "P-1;3;IA;7;7;0;;01.12.2026\r\n").encode("utf-8")
    assert [r["line_number"] for r in read_csv_ack(content, layout)] == ["1", "2", "3"]
    lines = pa.table({"partner": ["p"] * 3, "po_number": ["P-1"] * 3, "line_number": pa.array([1, 2, 3], pa.int32()),
                      "line_id": ["A", "B", "C"], "sku": ["S"] * 3, "state": ["allocated"] * 3,
                      "ordered": ["10", "5", "7"], "unit": ["EA"] * 3, "unit_price": ["2.5", "3", "4.25"],
                      "ack_price": ["2.5", "3", "4.25"], "revision": pa.array([0] * 3, pa.int32())})
    docs = pa.table({"partner": ["p"], "document_id": pa.array([7], pa.int64()), "doc_type": ["CSV"],
                     "isa13": [""], "file": ["p-csv-ack-000000001.csv"],
                     "sent_at": pa.array([datetime(2026, 11, 27, 2)], pa.timestamp("s")), "content": [content]})
    t = finance_inputs.csv_acknowledged(docs, lines, {"p": layout})
    assert [(r["line_number"], r["ack_code"], r["quantity"], r["unit_price"], r["promised_date"])
            for r in t.to_pylist()] == [
        (1, "IA", Decimal(6), Decimal("2.5"), date(2026, 12, 9)),
        (1, "IB", Decimal(4), Decimal("2.5"), date(2026, 12, 9)),
        (2, "IR", Decimal(5), Decimal(3), None), (3, "IA", Decimal(7), Decimal("4.25"), date(2026, 12, 1))]
    assert finance_inputs.csv_acknowledged(docs, lines, {}).num_rows == 0  # a partner answered otherwise


def test_a_csv_acknowledgments_promised_dates_are_the_promises_kept_or_missed(tmp_path):
    """Nothing shipped by 6 December: lines 1 and 3, acknowledged for 4 December, are late; line 2, backordered
    and promised for 15 December in the CSV acknowledgment, is not. Before, a CSV order had no acknowledgment,
    so no line was promised at all: the 833.40 not shipped by its promise raised no exception. The evidence
    names the CSV acknowledgment by its file (it has no ISA13; it read "ISA13 None GS06 None ST02 None")."""
    ws = workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    state = StateStore(ws.state_path)
    try:
        result = reconcile_run(ws, ws.partners(), state, now=datetime(2026, 12, 6, 2), run_id="r")
    finally:
        state.close()
    data = ws.reports_dir / "r" / "finance" / "data"
    late = [(r["line_number"], r["amount_at_risk"]) for r in pq.read_table(data / "exceptions.parquet").to_pylist()
            if r["partner"] == "umbrella" and r["type"] == "NOT_SHIPPED_BY_PROMISED_DATE"]
    assert sorted(late) == [(1, Decimal("525.00")), (3, Decimal("308.40"))]
    page = (ws.reports_dir / "r" / "finance" / "finance-report.html").read_text()
    assert f"acknowledged CSV UMB-6001 qty 20 @ 26.25 IA <small>({ACK_FILE})</small>" in page
    assert "ISA13 None" not in page and result.reports


def test_each_csv_acknowledgment_is_read_once_in_the_layout_it_was_written_in(tmp_path):
    """Its rows are kept (state/derived/, as the 855s' ACKs are): a night reads only the new ones, and a layout
    changed since (the partner now wants ISO dates) does not misread the files sent before it."""
    ws = workspace(tmp_path / "ws")
    run_stages(ws, NIGHT1)
    assert acknowledged(ws) == ACKED
    assert list((ws.state_path.parent / "derived").glob("csv-answers-v*/*.csv_answers.arrow"))
    profile = ws.partners_dir / "umbrella.toml"
    text = profile.read_text()
    assert text.count('date_format = "%d.%m.%Y"') == 2  # the orders' and the acknowledgment's
    profile.write_text(text[::-1].replace('date_format = "%d.%m.%Y"'[::-1], 'date_format = "%Y-%m-%d"'[::-1], 1)[::-1])
    assert ws.partners()["umbrella"].fulfilment.csv_ack.date_format == "%Y-%m-%d"
    assert acknowledged(ws) == ACKED  # 04.12.2026 as written, not unreadable in the new layout
