"""The invoice_lines rows the state store writes for an 810 built with its batch (its lines as the batch's
columns, schemas.shipment_records.BatchLines) against those of the same 810 built alone. Beside
tests/lifecycle/test_billing_columns.py, whose plans it reuses: tests/lifecycle stays free of the state store
(tests/test_lifecycle_table.py)."""

from __future__ import annotations

import pytest

from tests.lifecycle.test_billing_columns import CASES, decimal_text, plan_of


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_lines_of_a_batch_are_stored_as_the_810_built_alone_stores_its_own(monkeypatch, case):
    """The invoice_lines rows of an 810 written with its batch (its lines as the batch's columns: BatchLines) are
    the rows its lines give one by one (decimals as stored texts), and the rows of the 810 built as segments."""
    from connectors.state import _dtexts, _invoice_line_columns
    from schemas.shipment_records import BatchLines

    def rows(plan):
        return list(zip(*_invoice_line_columns(plan.invoices, _dtexts()), strict=True))

    batched, _, kinds = plan_of(monkeypatch, text=True, as_columns="tables", **CASES[case])
    alone, _, _ = plan_of(monkeypatch, text=False, as_columns="tables", **CASES[case])
    oracle = [(v.invoice_number, ln.line_number, ln.line_id, decimal_text(ln.quantity), ln.unit,
               decimal_text(ln.unit_price), decimal_text(ln.amount), decimal_text(ln.net_weight),
               ln.net_weight_unit or None) for v in batched.invoices for ln in v.lines]
    assert rows(batched) == oracle == rows(alone)
    assert (sum(isinstance(v.lines, BatchLines) for v in batched.invoices) == kinds.count("Batch810")
            and not any(isinstance(v.lines, BatchLines) for v in alone.invoices))
