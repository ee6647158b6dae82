"""PO105 (element 639) can say PO104 is not a price per PO103 unit: per hundred (HP), per thousand (TP),
per dozen (PD), their catalog/quoted/contract/wholesale twins, or per pound of a line ordered in eaches.
Our prices, order values and invoices are per unit, so such a line was compared, totalled and would be
invoiced 12 to 100,000 times off (held with a false PRICE_OUT_OF_TOLERANCE and CREDIT_LIMIT_EXCEEDED,
and approved, invoiced at 100 times). Now the order waits for a person with PRICE_BASIS_UNSUPPORTED
saying why, and no misleading price finding; per-unit bases (PE, catalog, contract ...) are unchanged."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pytest

from connectors.state import StateStore
from rules.business.money import _price_basis_findings, _price_not_per_unit
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)


def _night(tmp_path, lines):
    ws = make_workspace(tmp_path / "ws", partners=())
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + lines))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    return ws, state.order("acme", "PO-1"), [f["code"] for f in state.findings(po_number="PO-1", partner="acme")]


@pytest.mark.parametrize("line", [
    "PO1*1*1000*EA*456*HP*VN*VP-1011",      # 4.56 per EA, sent per hundred
    "PO1*1*1000*EA*4560*TP*VN*VP-1011",     # per thousand
    "PO1*1*1200*EA*54.72*PD*VN*VP-1011",    # per dozen
    "PO1*1*1000*EA*456*QH*VN*VP-1011",      # a quoted price per hundred
    "PO1*1*10*EA*4.56*PP*VN*VP-1011",       # per pound, the line in eaches
])
def test_a_price_not_per_unit_holds_the_order_saying_why(tmp_path, line):
    ws, order, codes = _night(tmp_path, [line, "CTT*1"])
    assert order.state == "held"
    assert "PRICE_BASIS_UNSUPPORTED" in order.hold_codes and codes.count("PRICE_BASIS_UNSUPPORTED") == 1
    assert not {"PRICE_OUT_OF_TOLERANCE", "DISCOUNT_OVER_THRESHOLD"} & set(codes), codes
    assert "PO-1" not in docs(ws, "855")


@pytest.mark.parametrize("basis", ["PE", "CT", "CA", "QE", "WE", "NT", ""])
def test_a_price_per_unit_is_answered_as_before(tmp_path, basis):
    ws, order, codes = _night(tmp_path, [f"PO1*1*10*EA*4.56*{basis}*VN*VP-1011", "CTT*1"])
    assert order.state == "acknowledged", order.hold_codes
    assert "PRICE_BASIS_UNSUPPORTED" not in codes
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert bak02 == "AD" and [a[0] for a in acks] == ["IA"]


def test_a_price_per_pound_of_a_line_in_pounds_is_per_unit():
    lines = pa.table({"price_basis": ["PP", "PP", "HP", None, "PE"], "unit": ["LB", "EA", "LB", "EA", None]})
    assert _price_not_per_unit(lines).tolist() == [False, True, True, False, False]


def test_the_finding_names_the_price_per_unit():
    lines = pa.table({"source_file": ["f"], "isa13": ["1"], "gs06": ["1"], "st02": ["0001"],
                      "segment_position": [5], "file_segment": [7], "line_number": [1], "partner": ["acme"],
                      "unit": ["EA"], "unit_price": pa.array([Decimal("456.0000")], pa.decimal128(18, 4)),
                      "price_basis": ["HP"]})
    [f] = _price_basis_findings(lines, _price_not_per_unit(lines))
    assert f.code == "PRICE_BASIS_UNSUPPORTED" and "100 EA" in f.message and "4.56 per EA" in f.message
    assert "100 times too high" in f.message
