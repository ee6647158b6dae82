"""An 860 with BCH01 18 (code list 353 "Reissue": the set sent again, or in place of one withdrawn)
carries the changes meant: applied as 04 and 05 are, each POC all-or-nothing, and sending it again
changes nothing more (an increase to the total it already has is refused, an existing line is not
added twice). BCH01 17 ("Cancel, to be Reissued": the purchase order the 860 names is cancelled, a
reissue to follow) cancels the order as 01 does: every line gone, everything released, none kept
reserved for an order the buyer withdrew (it used to be refused whole, 865 RD, the stock held)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.changes import apply_changes
from tests.changes.builders import live_order, read_change

POCS = ["POC*1*QI*20**EA", "POC*2*PC*6**EA*9.5*PE", "POC*3*AI*4**EA*1*PE*VN*SKU-3"]


def _apply(order, lines, purpose: str):
    header, changes = read_change(POCS, purpose=purpose)
    return apply_changes(order, lines, header, changes, shipped=False)


def _state(result):
    return sorted((r["line_id"], r["quantity"], r["unit_price"]) for r in result.new_lines.to_pylist())


@pytest.mark.parametrize("purpose", ["18"])
def test_a_reissued_change_is_applied_as_a_replace_is(purpose):
    order, lines = live_order()
    got, replace = _apply(order, lines, purpose), _apply(order, lines, "05")
    assert not got.rejected and got.findings == []
    assert _state(got) == _state(replace) == [("1", Decimal(20), Decimal("2.5")), ("2", Decimal(6), Decimal("9.5")),
                                              ("3", Decimal(4), Decimal(1))]
    assert [r.status for r in got.line_results] == [r.status for r in replace.line_results]
    again = _apply(order, got.new_lines, purpose)  # the reissue sent twice
    assert _state(again) == _state(got) and again.released.num_rows == 0
    assert again.line_results[2].code == "CHANGE_LINE_EXISTS"


@pytest.mark.parametrize("pocs", [[], ["POC*1*DI", "POC*2*DI"]])
def test_a_cancel_to_be_reissued_cancels_the_order_as_01_does(pocs):
    order, lines = live_order()
    got, cancel = (apply_changes(order, lines, *read_change(pocs, purpose=p), shipped=False) for p in ("17", "01"))
    assert got.cancelled and not got.rejected and got.findings == []
    assert got.new_lines.num_rows == 0 and got.deleted_line_numbers == cancel.deleted_line_numbers == {1, 2}
    assert got.released.to_pylist() == cancel.released.to_pylist() and got.released.num_rows == 2
    assert [r.status for r in got.line_results] == [r.status for r in cancel.line_results]


def test_a_cancel_to_be_reissued_after_shipment_is_refused_as_01_is():
    order, lines = live_order()
    got = apply_changes(order, lines, *read_change([], purpose="17"), shipped=True)
    assert got.rejected and not got.cancelled and [f.code for f in got.findings] == ["CHANGE_AFTER_SHIPMENT"]
