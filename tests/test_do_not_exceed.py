"""An 850's heading CSH03, "the maximum monetary amount value which the order must not exceed" (N2:
implied two decimals), with CSH02 the action the buyer asks for when it would (element 564 through X12
3070, 306 after: 0 "Cancel Balance of Order/Item that Exceeds Value", 1 "Cancel Entire Order/Item").
An order worth more is held for a person (ORDER_AMOUNT_EXCEEDED: the amount, the order's value and the
excess): no 855 promises more than the buyer allowed. It used to be answered in full without a word."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.reference import load_reference
from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.business import check_do_not_exceed, run_business_rules
from rules.suite import run_suite
from schemas.outcomes import HOLD_ORDER, outcome_for
from schemas.rule_settings import RuleSettings
from tests.support import REPO, make_workspace, run_stages, x12_850
from tests.test_sales_requirements import NIGHT, _orders, amazon_po

# amazon_po is worth 96 x 39.20 + 20 x 32.34 + 12 x 19.70 = 4646.40


@pytest.mark.parametrize(("csh", "action", "amount"), [
    ("CSH*BK*0*400000", "0", Decimal("4000.00")),  # N2: implied cents
    ("CSH*SC*1*000000000464640", "1", Decimal("4646.40")),  # leading zeros count towards N2 1/15
    ("CSH**0*4000.5", "0", Decimal("4000.5")),  # a translator writing the point: read as written
    ("CSH*Y", None, None),
    (None, None, None),
])
def test_csh02_and_csh03_are_read_with_the_order(csh, action, amount):
    orders = _orders(amazon_po(csh))
    assert orders["do_not_exceed_action"].to_pylist() == [action]
    assert orders["do_not_exceed_amount"].to_pylist() == [amount]


def _night(tmp_path, csh="", body=None):
    """One night of acme's amazon_po(csh) (or ``body``): its 855s, ORDER_AMOUNT_EXCEEDED findings and state."""
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(body if body is not None else amazon_po(csh)))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        found = [f for f in state.findings(partner="acme") if f["code"] == "ORDER_AMOUNT_EXCEEDED"]
        order = state.order("acme", "2K7BXMPZ")
    finally:
        state.close()
    return sorted(ws.drop_root.glob("acme/outbox/*-855-*.x12")), found, order.state.value


def test_an_order_worth_more_than_its_csh03_is_held_with_the_amount_the_value_and_the_excess(tmp_path):
    acks, found, state = _night(tmp_path, "CSH*BK*0*400000")
    assert acks == [] and state == "held"  # no 855 for more than the buyer allowed
    assert [(f["severity"], f["segment_id"], f["element"]) for f in found] == [("error", "CSH", "CSH03")]
    message = found[0]["message"]
    assert "worth 4646.4, over the amount it must not exceed (CSH03) 4000 by 646.4" in message
    assert "CSH02 0 asks to cancel the balance that exceeds it" in message
    assert outcome_for("ORDER_AMOUNT_EXCEEDED") == HOLD_ORDER


@pytest.mark.parametrize("csh", ["CSH*BK*1*464640", "CSH*BK*0*0", None])
def test_an_order_within_its_csh03_or_without_one_is_answered(tmp_path, csh):
    """On the amount itself: within. A CSH03 of zero limits nothing (no PO could meet it)."""
    acks, found, state = _night(tmp_path, csh)
    assert len(acks) == 1 and found == [] and state != "held"


def test_a_cancellation_and_a_table_stored_before_the_columns_are_not_checked():
    ref = load_reference(REPO / "sample_files" / "reference")
    parsed = read_interchanges(x12_850(amazon_po("CSH*BK*0*100")))
    orders, lines = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    settings = RuleSettings()
    assert [f.code for f in check_do_not_exceed(orders, lines, ref, settings)] == ["ORDER_AMOUNT_EXCEEDED"]
    cancel = orders.set_column(orders.schema.get_field_index("purpose"), "purpose", pa.array(["01"]))
    assert check_do_not_exceed(cancel, lines, ref, settings) == []
    old = orders.drop_columns(["do_not_exceed_action", "do_not_exceed_amount"])
    assert check_do_not_exceed(old, lines, ref, settings) == []
    # both paths of the business rules emit it, whatever rule suites the partner selected
    assert "ORDER_AMOUNT_EXCEEDED" in {f.code for f in run_business_rules(orders, lines, ref, settings,
                                                                          today=date(2026, 11, 27))}
    only_items = run_suite(orders, lines, ref, settings, today=date(2026, 11, 27), use_gx=False,
                           suites={"acme": ("items",)})
    assert "ORDER_AMOUNT_EXCEEDED" in {f.code for f in only_items.findings}


def test_orders_stored_before_the_columns_read_them_as_null(tmp_path):
    import pyarrow.parquet as pq

    from connectors.order_store import OrderStore
    from schemas.orders import ADDED_LATER, ORDERS

    parsed = read_interchanges(x12_850(amazon_po("CSH*BK*0*400000")))
    orders, lines = read_orders(parsed, list(parsed.transaction_sets()), partner="acme")
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["do_not_exceed_action", "do_not_exceed_amount"]), path)
    assert {"do_not_exceed_action", "do_not_exceed_amount"} <= ADDED_LATER
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["do_not_exceed_amount"].null_count == loaded.num_rows
    assert check_do_not_exceed(loaded, lines, load_reference(REPO / "sample_files" / "reference"),
                               RuleSettings()) == []


def test_an_order_our_answer_would_take_over_its_csh03_is_held_too(tmp_path):
    """Within its CSH03 as sent, over it as answered: line 3 asks 10 of SKU-1002, sold in cases of 6; acme's
    case_pack_policy round_up answers 12 (CASE_PACK_ROUNDED). Sent 96 x 39.20 + 20 x 32.34 + 10 x 9.39 =
    4503.90; answered with 12: 4522.68. CSH03 4510.00 (as sent within, as answered over): held."""
    body = [s.replace("PO1*3*12*EA*19.70*NT*VN*VP-1001", "PO1*3*10*EA*9.39*NT*VN*VP-1002") for s in
            amazon_po("CSH*BK*0*451000")]
    sent, found, held = _night(tmp_path, body=body)
    assert sent == [] and held == "held"
    assert len(found) == 1
    assert "would be answered worth 4522.68" in found[0]["message"] and "by 12.68" in found[0]["message"]


def test_several_csh_segments_are_read_together(tmp_path):
    """CSH repeats in the heading (max use 5 in 004010): a translator writes the back-order rule in one and
    the do-not-exceed amount in another. CSH01 is the first non-empty one, CSH02/CSH03 the first pair; only
    the first CSH was read, so the limit after CSH*N went unseen and the order was answered in full."""
    body = amazon_po("CSH*N")
    body.insert(body.index("CSH*N") + 1, "CSH**0*400000")
    orders = _orders(body)
    assert orders["sales_requirement"].to_pylist() == ["N"]
    assert (orders["do_not_exceed_action"].to_pylist(), orders["do_not_exceed_amount"].to_pylist()) == (
        ["0"], [Decimal("4000.00")])
    sent, found, held = _night(tmp_path, body=body)
    assert sent == [] and held == "held"
    assert [(f["segment_id"], f["element"]) for f in found] == [("CSH", "CSH03")]
    # the amount first, the rule after it: CSH01 is the second CSH's
    swapped = amazon_po("CSH**1*400000")
    swapped.insert(swapped.index("CSH**1*400000") + 1, "CSH*SC")
    orders = _orders(swapped)
    assert (orders["sales_requirement"].to_pylist(), orders["do_not_exceed_action"].to_pylist()) == (["SC"], ["1"])
