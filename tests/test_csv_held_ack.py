"""A CSV partner's order held for a person is told held in the night's CSV acknowledgment (engine.csv_ack.
build_csv_held: status IH, "On hold", nothing accepted, "held for review"), its final rows following once a person
decides (tests/test_csv_findings_run.py runs it end to end). What reads our acknowledgments back takes such a row
for what it is: the state rebuild does not take it for the order's answer (the order stays to decide), and the
finance report's 855 within window measures the answer, not the hold notice."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

import pyarrow as pa

from engine.csv_ack import build_csv_ack, build_csv_held
from engine.po_ack import LineAck
from schemas.fulfilment import CsvAckSettings

ORDER = {"po_number": "O-3", "po_date": None}
LINES = [{"line_number": 1, "line_id": "1", "quantity": Decimal(5), "unit": "EA", "unit_price": Decimal("26.25"),
          "vendor_part": "VP-1010"},
         {"line_number": 2, "line_id": "2", "quantity": Decimal(5), "unit": "EA", "unit_price": Decimal("32.34"),
          "vendor_part": "VP-1005"}]


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_held_order_s_lines_are_told_on_hold_with_nothing_accepted():
    rows = _rows(build_csv_held([(ORDER, LINES)], CsvAckSettings()))
    assert [(r["po_number"], r["line_id"], r["status"], r["status_text"], r["quantity_ordered"],
             r["quantity_accepted"], r["quantity_backordered"], r["unit_price"], r["promised_date"], r["reason"])
            for r in rows] == [("O-3", "1", "IH", "On hold", "5", "0", "0", "26.25", "", "held for review"),
                               ("O-3", "2", "IH", "On hold", "5", "0", "0", "32.34", "", "held for review")]
    assert {r["reason_text"] for r in rows} == {"received, held for review by our staff: the final answer follows"}


def test_the_state_rebuild_takes_a_hold_notice_for_no_answer():
    from flows.rebuild import _csv_answers
    from schemas.profile import load_profiles
    from tests.support import REPO

    umbrella = load_profiles(REPO / "partners")["umbrella"]
    layout = umbrella.fulfilment.csv_ack or CsvAckSettings()
    assert _csv_answers("held.csv", build_csv_held([(ORDER, LINES)], layout), umbrella) == []
    final = build_csv_ack([(ORDER, LINES, [LineAck("IA"), LineAck("IA")])], layout)
    [(po, answer)] = _csv_answers("final.csv", final, umbrella)
    assert po == "O-3" and answer.doc_type == "CSV"


def test_the_855_window_is_measured_by_the_answer_not_the_hold_notice():
    from engine.kpis import _orders
    from schemas.reconciliation import ACKNOWLEDGED, INVOICED, ORDERED, SHIPPED

    def at(hour: int) -> datetime:
        return datetime(2026, 11, 27, hour)

    ordered = pa.Table.from_pylist([{"partner": "umbrella", "po_number": "O-3", "line_number": 1,
                                     "received_at": at(1), "isa13": "CSV"}], schema=ORDERED)
    base = {"partner": "umbrella", "po_number": "O-3", "line_number": 1, "doc_type": "CSV", "unit": "EA"}
    acknowledged = pa.Table.from_pylist([{**base, "ack_code": "IH", "sent_at": at(2)},
                                         {**base, "ack_code": "IA", "sent_at": at(20)}], schema=ACKNOWLEDGED)
    orders = _orders(ordered, acknowledged, SHIPPED.empty_table(), INVOICED.empty_table())
    assert orders["acked_at"].to_pylist() == [at(20)]
