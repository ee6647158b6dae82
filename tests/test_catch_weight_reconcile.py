"""Finance values a catch-weight line (cases priced per pound: PO1*1*3*CA*3.49*PP) by its net weight shipped,
never by its cases x its price per pound (3 CA x 3.49 = 10.47 for 42.35 LB worth 147.80): the money at risk of
the exceptions on units shipped or to ship (SHIPPED_NOT_INVOICED, OVER_SHIPMENT ...) and the 855/856 document
values. Where no net weight is known the value is said to be unknown, not cases at a pound price."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.finance_inputs import catch_weight_lines, with_weights
from engine.reconcile import reconcile
from schemas.finance import FinanceSettings
from tests.support_finance import Book, document_status

SETTINGS = {"acme": FinanceSettings()}
CATCH = pa.table({"partner": ["acme"], "po_number": ["PO-1"], "line_number": pa.array([1], pa.int64()),
                  "price_basis": ["PP"]})


def _run(book: Book, weights: list[tuple], catch: pa.Table | None = CATCH, docs: pa.Table | None = None):
    t = book.tables()
    return reconcile(t["ordered"], t["acknowledged"], with_weights(t["shipped"], weights, catch), t["invoiced"],
                     docs if docs is not None else document_status([]), settings=SETTINGS,
                     as_of=datetime(2026, 12, 10, 12, 0), catch_weight=catch)


def _only(result, kind: str) -> dict:
    rows = [r for r in result.exceptions.to_pylist() if r["type"] == kind]
    assert len(rows) == 1, result.exceptions.select(["type", "message"]).to_pylist()
    return rows[0]


def _shipped_not_invoiced() -> Book:
    return (Book().order("PO-1", 1, 3, "3.49").ack("PO-1", 1, "IA", 3, "3.49", promised=date(2026, 12, 1))
            .ship("PO-1", 1, 3, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0)))


def test_a_catch_weight_line_shipped_and_not_invoiced_is_at_risk_for_its_net_weight_s_value():
    ex = _only(_run(_shipped_not_invoiced(), [("acme", "S-1", "PO-1", 1, Decimal("42.35"), "LB")]),
               "SHIPPED_NOT_INVOICED")
    # 42.35 LB x 3.49 = 147.8015, not 3 CA x 3.49 = 10.47
    assert (ex["quantity_at_risk"], ex["amount_at_risk"]) == (Decimal(3), Decimal("147.8015"))
    assert "a catch-weight line: at 3.49 per LB on 42.35 LB" in ex["message"], ex["message"]


def test_a_catch_weight_line_without_a_net_weight_has_no_amount_and_says_why():
    ex = _only(_run(_shipped_not_invoiced(), [("acme", "S-1", "PO-1", 1, None, "LB")]), "SHIPPED_NOT_INVOICED")
    assert ex["amount_at_risk"] == 0 and ex["price_at_risk"] is None
    assert "a catch-weight line priced 3.49 per LB with no net weight shipped on file" in ex["message"]
    assert "is unknown, so no amount" in ex["message"]


def test_a_line_priced_per_each_is_valued_as_before():
    ex = _only(_run(_shipped_not_invoiced(), [], catch=None), "SHIPPED_NOT_INVOICED")
    assert ex["amount_at_risk"] == Decimal("10.47") and "at 3.49 each" in ex["message"]


@pytest.mark.parametrize(("shipped_at", "shipped", "invoiced", "weight", "kind", "at_risk", "said"), [
    # 1 case of the 4 that weighed 56.4 LB: 14.1 LB x 3.49 = 49.209
    pytest.param(datetime(2026, 12, 3, 16, 0), 4, 4, "56.4", "OVER_SHIPMENT", (Decimal(1), Decimal("49.2090")),
                 "on 14.1 LB (its share of the 56.4 LB net weight shipped in 4)", id="over-shipped"),
    # 2 cases of the 3 that weighed 42.3 LB not billed: 28.2 LB x 3.49 = 98.418
    pytest.param(datetime(2026, 12, 1, 15, 0), 3, 1, "42.3", "INVOICE_QUANTITY_MISMATCH",
                 (Decimal(2), Decimal("98.4180")), "under-billed by 2; a catch-weight line: at 3.49 per LB on 28.2 LB",
                 id="under-billed"),
])
def test_the_cases_at_risk_are_valued_at_their_share_of_the_net_weight(shipped_at, shipped, invoiced, weight, kind,
                                                                        at_risk, said):
    """3 CA ordered at 3.49 per pound, promised the day they ship; invoiced on 4 December."""
    book = (Book().order("PO-1", 1, 3, "3.49").ack("PO-1", 1, "IA", 3, "3.49", promised=shipped_at.date())
            .ship("PO-1", 1, shipped, shipment="S-1", shipped_at=shipped_at)
            .invoice("PO-1", 1, invoiced, "3.49", number="INV-1", invoice_date=date(2026, 12, 4), shipment="S-1"))
    ex = _only(_run(book, [("acme", "S-1", "PO-1", 1, Decimal(weight), "LB")]), kind)
    assert (ex["quantity_at_risk"], ex["amount_at_risk"]) == at_risk
    assert said in ex["message"], ex["message"]


def test_the_856_s_document_value_is_its_net_weight_s():
    book = _shipped_not_invoiced()
    docs = document_status([{"partner": "acme", "doc_type": "856", "functional_id": "SH", **book.doc("856-acme-S-1"),
                             "sent_at": datetime(2026, 12, 1, 16, 0), "po_number": "PO-1", "document_ref": "S-1",
                             "status": "overdue", "due_at": datetime(2026, 12, 2, 16, 0)}])
    weighed = _only(_run(book, [("acme", "S-1", "PO-1", 1, Decimal("42.35"), "LB")], docs=docs),
                    "DOCUMENT_UNACKNOWLEDGED")
    assert weighed["amount_at_risk"] == Decimal("147.8015") and weighed["message"].endswith("document value 147.80")
    unweighed = _only(_run(book, [("acme", "S-1", "PO-1", 1, None, "LB")], docs=docs), "DOCUMENT_UNACKNOWLEDGED")
    assert unweighed["amount_at_risk"] == 0
    assert unweighed["message"].endswith("document value 0.00, without 1 catch-weight line(s) priced per unit of "
                                         "weight with no net weight shipped on file (their value unknown)")


def test_the_catch_weight_lines_are_the_stored_lines_in_cases_priced_per_unit_of_weight():
    lines = pa.table({"partner": ["acme"] * 4, "po_number": ["PO-1"] * 4,
                      "line_number": pa.array([1, 2, 3, 4], pa.int32()), "unit": ["CA", "LB", "EA", "CS"],
                      "price_basis": ["PP", "PP", "PE", None]})
    assert catch_weight_lines([lines]).to_pylist() == [
        {"partner": "acme", "po_number": "PO-1", "line_number": 1, "price_basis": "PP"}]


def _reconciled(tmp_path, confirmation: str) -> list[dict]:
    """acme (catch weight) orders 3 CA of VP-1003 at 3.49 per pound and 12 EA at 19.70; the warehouse ships
    both (``confirmation``); finance reconciles weeks later through the nightly stage."""
    from connectors.state import StateStore
    from flows import steps
    from tests.test_catch_weight_billing import _night_then_shipped

    ws, _ = _night_then_shipped(tmp_path, confirmation)
    state = StateStore(ws.state_path)
    try:
        now = datetime(2026, 12, 20, 3)
        steps.reconcile_run(ws, ws.partners(), state, now=now, run_id="rc20")
        return state.stored_exceptions().to_pylist()
    finally:
        state.close()


def test_end_to_end_our_855_and_856_are_worth_the_net_weight_shipped(tmp_path):
    from tests.test_catch_weight_billing import HEADER, _row

    exceptions = _reconciled(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "42.35", "LB")
                             + _row("2", "SKU-1001", "12", "EA"))
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    # 42.35 LB x 3.49 + 12 x 19.70 (not 3 CA x 3.49 + 236.40 = 246.87), as the 810 bills
    assert values == {"855": "384.20", "856": "384.20", "810": "384.20"}, exceptions


def test_end_to_end_a_line_weighed_in_kilograms_is_worth_what_the_810_bills_in_pounds(tmp_path):
    """A metric warehouse confirms 19.2 KG for the cases priced per pound: the 810 bills 42.3288 LB (147.73), and
    finance values the 855 and 856 the same (the same conversion), never 19.2 "pounds" (67.01)."""
    from tests.test_catch_weight_billing import HEADER, _row

    exceptions = _reconciled(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA", "19.2", "KG")
                             + _row("2", "SKU-1001", "12", "EA"))
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    assert values == {"855": "384.13", "856": "384.13", "810": "384.13"}, exceptions
    kinds = {e["type"] for e in exceptions}
    assert kinds & {"INVOICE_TOTAL_MISMATCH", "INVOICE_QUANTITY_MISMATCH", "SHIPPED_NOT_INVOICED"} == set(), kinds


@pytest.mark.parametrize(("weight", "unit", "valued"), [
    ("42.35", "LB", Decimal("42.35")),
    ("19.2", "KG", Decimal("42.3288")),  # as billing converts it (schemas.units.weight_in)
    ("19.2", "LT", None),  # no weight: its value unknown, as billing refuses it
])
def test_the_net_weight_shipped_is_valued_in_the_price_s_unit(weight, unit, valued):
    book = _shipped_not_invoiced()
    shipped = with_weights(book.tables()["shipped"], [("acme", "S-1", "PO-1", 1, Decimal(weight), unit)], CATCH)
    assert shipped["net_weight"].to_pylist() == [valued]
    ex = _only(_run(book, [("acme", "S-1", "PO-1", 1, Decimal(weight), unit)]), "SHIPPED_NOT_INVOICED")
    if valued is None:
        assert ex["amount_at_risk"] == 0 and "no net weight shipped on file" in ex["message"], ex["message"]
    else:
        assert ex["amount_at_risk"] == (valued * Decimal("3.49")).quantize(Decimal("0.0001")), ex["message"]


def test_end_to_end_a_catch_weight_line_shipped_unweighed_is_unbilled_for_an_unknown_value(tmp_path):
    from tests.test_catch_weight_billing import HEADER, _row

    exceptions = _reconciled(tmp_path, HEADER + _row("1", "SKU-1003", "3", "CA") + _row("2", "SKU-1001", "12", "EA"))
    unbilled = {e["line_number"]: e for e in exceptions if e["type"] == "SHIPPED_NOT_INVOICED"}
    assert unbilled[2]["amount_at_risk"] == Decimal("236.40")
    assert unbilled[1]["amount_at_risk"] == 0 and unbilled[1]["quantity_at_risk"] == 3
    assert "a catch-weight line priced 3.49 per LB with no net weight shipped on file" in unbilled[1]["message"]
    [asn] = [e for e in exceptions if e["type"] == "DOCUMENT_UNACKNOWLEDGED" and "our 856" in e["message"]]
    assert asn["message"].endswith("document value 236.40, without 1 catch-weight line(s) priced per unit of weight "
                                   "with no net weight shipped on file (their value unknown)")


def test_a_catch_weight_line_invoiced_and_not_shipped_is_at_risk_for_what_our_810_billed():
    from engine.finance_inputs import with_amounts

    book = (Book().order("PO-1", 1, 3, "3.49").ack("PO-1", 1, "IA", 3, "3.49", promised=date(2026, 12, 20))
            .invoice("PO-1", 1, 3, "3.49", number="INV-1", invoice_date=date(2026, 12, 4)))
    t = book.tables()
    amounts = pa.table({"partner": ["acme"], "invoice_number": ["INV-1"], "line_number": pa.array([1], pa.int64()),
                        "amount": pa.array([Decimal("147.80")], pa.decimal128(18, 4))})
    result = reconcile(t["ordered"], t["acknowledged"], with_weights(t["shipped"], []),
                       with_amounts(t["invoiced"], amounts), document_status([]), settings=SETTINGS,
                       as_of=datetime(2026, 12, 10, 12, 0), catch_weight=CATCH)
    ex = _only(result, "INVOICED_NOT_SHIPPED")
    # what the 810 billed (42.35 LB x 3.49), not 3 CA x 3.49 = 10.47
    assert ex["amount_at_risk"] == Decimal("147.80") and "invoiced 3 for 147.80" in ex["message"], ex["message"]
    assert result.lines.to_pylist()[0]["invoiced_value"] == Decimal("147.80")


def test_the_line_s_shipped_value_is_its_net_weight_s():
    result = _run(_shipped_not_invoiced(), [("acme", "S-1", "PO-1", 1, Decimal("42.35"), "LB")])
    [line] = result.lines.to_pylist()
    assert line["shipped_value"] == Decimal("147.8015")  # not 3 CA x 3.49 = 10.47


def test_a_line_weighed_case_by_case_on_several_rows_of_one_shipment_is_worth_all_their_weights():
    """Meat packers weigh each case: the confirmation gives line 1 on two rows of shipment S-1 (1 CA of
    14.00 LB, 2 CA of 28.35 LB). The line shipped 42.35 LB (147.80, as the 810 bills it), not one row's
    weight on every row (2 x 28.35 = 56.70 LB)."""
    book = (Book().order("PO-1", 1, 3, "3.49").ack("PO-1", 1, "IA", 3, "3.49", promised=date(2026, 12, 1))
            .ship("PO-1", 1, 1, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0))
            .ship("PO-1", 1, 2, shipment="S-1", shipped_at=datetime(2026, 12, 1, 15, 0)))
    weights = [("acme", "S-1", "PO-1", 1, Decimal("14.00"), "LB"), ("acme", "S-1", "PO-1", 1, Decimal("28.35"), "LB")]
    assert with_weights(book.tables()["shipped"], weights)["net_weight"].to_pylist() == [
        Decimal("14.00"), Decimal("28.35")]
    result = _run(book, weights)
    ex = _only(result, "SHIPPED_NOT_INVOICED")
    assert ex["amount_at_risk"] == Decimal("147.8015"), ex["message"]  # 42.35 LB x 3.49
    assert "on 42.35 LB (its share of the 42.35 LB net weight shipped in 3)" in ex["message"], ex["message"]
    assert result.lines.to_pylist()[0]["shipped_value"] == Decimal("147.8015")


def test_end_to_end_a_line_weighed_carton_by_carton_is_worth_what_the_810_bills(tmp_path):
    from tests.test_catch_weight_billing import HEADER, _row

    first = _row("1", "SKU-1003", "2", "CA", "28.00", "LB")
    second = _row("1", "SKU-1003", "1", "CA", "14.35", "LB").replace(",C-9,", ",C-10,")  # its own carton
    exceptions = _reconciled(tmp_path, HEADER + first + second + _row("2", "SKU-1001", "12", "EA"))
    values = {e["message"].split(" ")[4]: e["message"].rsplit(" ", 1)[1] for e in exceptions
              if e["type"] == "DOCUMENT_UNACKNOWLEDGED"}
    # 42.35 LB x 3.49 + 12 x 19.70, as the 810 bills: not the second carton's 14.35 LB on both rows (336.56)
    assert values == {"855": "384.20", "856": "384.20", "810": "384.20"}, exceptions
