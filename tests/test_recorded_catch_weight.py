"""An 810 another system of ours sent (`orderbridge record`) that bills a catch-weight line in pounds, as our own
810 does (IT1*1*42.35*LB*3.49*PP ... QTY*39*3*CA): the reconciliation counts its cases (the QTY 39) against the
cases shipped and values it at what it billed (42.35 LB x 3.49 = 147.80), never 42.35 units against 3 cases."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from parsers.sent_documents import read_sent_lines
from parsers.x12_reader import read_interchanges

ISA = ("ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*ACMERETAIL     *261128*1600*U*00401*000990077*0*P*>~"
       "GS*IN*ORDERBRIDGE*ACMERETAIL*20261128*1600*990077*X*004010~")


def erp_810(lines: list[str], *, po: str = "PO-1", shipment: str = "SHP-9", tds: str = "14780") -> bytes:
    """An ERP's 810 as its translator writes it: one BIG, REF SI, the IT1 loops given, TDS, CTT."""
    body = ["ST*810*0001", f"BIG*20261128*ERP-77**{po}", f"REF*SI*{shipment}", *lines, f"TDS*{tds}",
            f"CTT*{sum(s.startswith('IT1*') for s in lines)}"]
    body.append(f"SE*{len(body) + 1}*0001")
    return (ISA + "~".join(body) + "~GE*1*990077~IEA*1*000990077~").encode()


def _read(data: bytes) -> list[dict]:
    table, findings = read_sent_lines(read_interchanges(data, file="erp.x12"), partner="acme")
    assert findings == []
    return [{k: r[k] for k in ("line_id", "quantity", "unit", "unit_price", "amount")} for r in table.to_pylist()]


def test_an_it1_billed_by_weight_counts_its_qty_39_cases_and_bills_its_weight_s_value():
    rows = _read(erp_810(["IT1*1*42.35*LB*3.49*PP*VN*VP-1003", "QTY*39*3*CA", "IT1*2*12*EA*19.70*PE*VN*VP-1001"]))
    assert rows == [
        {"line_id": "1", "quantity": Decimal(3), "unit": "CA", "unit_price": Decimal("3.49"),
         "amount": Decimal("147.80")},  # 42.35 x 3.49 = 147.8015, to the cent as our 810 bills it
        {"line_id": "2", "quantity": Decimal(12), "unit": "EA", "unit_price": Decimal("19.70"), "amount": None}]


def test_an_it1_by_weight_without_a_qty_39_or_in_a_count_keeps_its_quantity_and_no_amount():
    rows = _read(erp_810(["IT1*1*42.35*LB*3.49*PP*VN*VP-1003", "QTY*01*3*CA",  # QTY 01: not the quantity shipped
                          "IT1*2*5*CA*3.49*PE", "QTY*39*5*CA",  # billed in cases: as it reads
                          "IT1*3*10*KG*8.10*PK", "QTY*39*10*KG"]))  # QTY 39 in the weight itself: no cases known
    assert [(r["quantity"], r["unit"], r["amount"]) for r in rows] == [
        (Decimal("42.35"), "LB", None), (Decimal(5), "CA", None), (Decimal(10), "KG", None)]


def test_a_qty_39_belongs_to_its_own_it1_only():
    rows = _read(erp_810(["IT1*1*12*EA*19.70*PE", "QTY*39*12*EA", "IT1*2*42.35*LB*3.49*PP"]))
    assert [(r["quantity"], r["unit"], r["amount"]) for r in rows] == [
        (Decimal(12), "EA", None), (Decimal("42.35"), "LB", None)]


def test_end_to_end_we_ship_a_catch_weight_line_and_the_erp_invoices_it_in_pounds(tmp_path):
    """acme (catch weight, invoiced per order) orders 3 CA at 3.49 per pound and 12 EA; our warehouse ships the 3
    CA weighing 42.35 LB (our 856), so we send no 810 yet (the PO is not complete); the ERP invoices the line in
    pounds and it is recorded. The reconciliation sees 3 CA invoiced of 3 shipped for 147.80: no over-billing."""
    from connectors.state import StateStore
    from engine.reconcile import reconcile
    from flows.reconcile import load_inputs, record_documents
    from schemas.finance import FinanceSettings
    from tests.test_catch_weight_billing import HEADER, _night_then_shipped, _row

    ws, outbox = _night_then_shipped(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.35", "LB"), per="order")
    assert not [p for p in outbox if p.name.split("-")[1] == "810"]  # ours waits for the whole PO
    erp = tmp_path / "erp-810.x12"
    erp.write_bytes(erp_810(["IT1*1*42.35*LB*3.49*PP*VN*VP-1003", "QTY*39*3*CA"]))
    state = StateStore(ws.state_path)
    try:
        read, added, findings = record_documents(state, erp, partner="acme", by="ERP", note="",
                                                 at=datetime(2026, 11, 28, 17))
        assert (read, added, findings) == (1, 1, [])
        inputs = load_inputs(ws, state, ws.partners())
        result = reconcile(inputs.ordered, inputs.acknowledged, inputs.shipped, inputs.invoiced,
                           _no_documents(), settings={"acme": FinanceSettings()}, as_of=datetime(2026, 12, 20, 3),
                           invoice_totals=inputs.invoice_totals, catch_weight=inputs.catch_weight)
    finally:
        state.close()
    [line] = [r for r in result.lines.to_pylist() if r["line_number"] == 1]
    assert (line["shipped_quantity"], line["invoiced_quantity"]) == (Decimal(3), Decimal(3))
    assert line["invoiced_value"] == Decimal("147.80")  # the weight's, not 3 CA x 3.49 nor 42.35 x 3.49 unrounded
    assert line["shipped_value"] == Decimal("147.8015")
    wrong = [e for e in result.exceptions.to_pylist() if e["line_number"] == 1]
    assert wrong == [], [(e["type"], e["message"]) for e in wrong]


def _no_documents():
    from tests.support_finance import document_status

    return document_status([])
