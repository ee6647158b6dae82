"""SAC allowances and charges on an 850 (a defective-goods allowance of 0.5 %, a promotional allowance,
a handling charge: retailers send them on every PO) are not applied to our prices, 855s or 810s: said
once per order (SAC_NOT_APPLIED, a warning, never in the 997) with what each one asks, instead of being
dropped without a word; the order is taken as sent."""

from __future__ import annotations

from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import render, run, segments

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]


def checked(body: list[str]):
    result = read_interchanges(x12_850(body))
    return check_structure(result, list(result.transaction_sets()))


def test_allowances_and_charges_are_named_once_per_order():
    body = (HEAD[:2] + ["SAC*A*C000***112500*6*.5*****02", "SAC*C*D500***895"] + HEAD[2:] + LINES[:2]
            + ["SAC*A*C310****3*2.5"] + LINES[2:] + ["CTT*2*18"])
    [f] = checked(body)
    assert (f.code, f.severity, f.location.segment_id, f.location.element, f.location.value) == (
        "SAC_NOT_APPLIED", "warning", "SAC", "SAC02", "C000")
    assert f.location.segment_position == 4  # the first SAC
    assert "allowance C000 1125.00, 0.5 % of basis 6, handling 02 off invoice;" in f.message
    assert "charge D500 8.95" in f.message
    assert "allowance C310 2.5 % of basis 3 (line 1)" in f.message and "810" in f.message  # SAC06 3: its basis


def test_a_sac_saying_no_allowance_or_charge_is_not_reported():
    assert checked(HEAD[:2] + ["SAC*N*C000"] + HEAD[2:] + LINES + ["CTT*2*18"]) == []
    assert checked(GOOD_PO) == []


def test_the_order_is_taken_as_sent():
    out = run(x12_850(HEAD[:2] + ["SAC*A*C000***112500"] + HEAD[2:] + LINES + ["CTT*2*18"]))
    assert [f.code for f in out.findings] == ["SAC_NOT_APPLIED"]
    assert out.error_count == 0 and out.orders.num_rows == 1
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and not [s for s in segs if s[0] in ("AK3", "AK4")]


def test_a_po_with_many_allowances_names_ten_and_counts_the_rest():
    many = [f"SAC*A*C{n:03d}***100" for n in range(25)]
    [f] = checked(HEAD[:2] + many + HEAD[2:] + LINES + ["CTT*2*18"])
    assert "allowance C009 1.00; and 15 more." in f.message and "C010" not in f.message
