"""A line the partner's 880 could never bill is found when its PO comes in, not refused by billing night after
night. The 880's G17 has no basis of price: a line of eaches priced per dozen (PO1*1*7*EA*54.73*PD) is stated in
eaches at the price per each where that is exact in G1703's 9 digits, else in dozens where the quantity is a whole
number of them in G1701's (schemas.grocery_invoice.g17_statement). 7 EA at 54.73 PD is neither (4.560833... per
each; 0.58333 DZ): it was acknowledged (855 IA) and shipped, and its 880 refused (INVOICE_NOT_BUILT) every run.
Now a partner billed by the 880 ([x12] receives "880") has such a line held at intake (PRICE_BASIS_NOT_ON_880, at
the PO1's PO102, the order waiting for a person as for PRICE_BASIS_UNSUPPORTED, no 855), while a partner billed by
the 810 (IT104/IT105 as sent) and a line the 880 can state (30 EA: 2.5 DZ) are answered as before."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from connectors.state import StateStore
from schemas.grocery_invoice import g17_statement
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850
from tests.test_change_orders import docs

NIGHT = datetime(2026, 11, 27, 2)


def _night(tmp_path, line: str, *, invoice: str = "880"):
    """The demo's acme receiving ``invoice`` (its 810 swapped for the 880) with one PO of ``line``."""
    ws = make_workspace(tmp_path / "ws", partners=())
    profile = ws.partners_dir / "acme.toml"
    text = profile.read_text(encoding="utf-8")
    assert '"856", "810"]' in text
    profile.write_text(text.replace('"856", "810"]', f'"856", "{invoice}"]'), encoding="utf-8")
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + [line, "CTT*1"]))
    run_stages(ws, NIGHT)
    state = StateStore(ws.state_path)
    try:
        return ws, state.order("acme", "PO-1"), state.findings(po_number="PO-1", partner="acme")
    finally:
        state.close()


@pytest.mark.parametrize(("quantity", "unit", "price", "basis", "stated"), [
    ("30", "EA", "4.99", "PD", ("2.5", "DZ", "4.99")),  # eggs by the dozen
    ("7", "EA", "4.99", "PD", None),  # 0.41583... per EA, 0.58333... DZ
    ("24", "PC", "4.99", "PD", ("2", "DZ", "4.99")),  # PC (piece) is the each too
    ("5000", "EA", "12.37", "TP", ("5000", "EA", "0.01237")),  # exact per each
    ("7", "EA", "4.80", "PD", ("7", "EA", "0.4")),  # 4.80 per dozen is 0.40 per each: any quantity
    ("30", "CA", "4.99", "PD", None),  # a dozen cases: no unit of so many
    ("7", "EA", "4.99", "PE", ("7", "EA", "4.99")),  # per each: as it is
])
def test_what_an_880_s_g17_can_state(quantity, unit, price, basis, stated):
    assert g17_statement(quantity, unit, price, basis) == stated


def test_a_line_an_880_cannot_state_is_held_at_intake_with_its_location(tmp_path):
    line = "PO1*1*7*EA*54.73*PD*VN*VP-1011"  # 54.73 per dozen is 4.560833... per each: our 4.56, in tolerance
    ws, order, found = _night(tmp_path, line)
    codes = [f["code"] for f in found]
    assert "PRICE_BASIS_NOT_ON_880" in codes, codes
    (f,) = [f for f in found if f["code"] == "PRICE_BASIS_NOT_ON_880"]
    assert (f["severity"], f["segment_id"], f["element"], f["value"], f["line_number"]) == (
        "error", "PO1", "PO102", "7", 1), f
    assert "7 EA" in f["message"] and "DZ" in f["message"] and "880" in f["message"], f["message"]
    assert order.state == "held" and "PRICE_BASIS_NOT_ON_880" in order.hold_codes
    assert "PO-1" not in docs(ws, "855")  # no 855 until ops decide


def test_an_810_partner_and_a_line_the_880_can_state_are_answered_as_before(tmp_path):
    _ws, order, found = _night(tmp_path / "810", "PO1*1*7*EA*54.73*PD*VN*VP-1011", invoice="810")
    assert order.state == "acknowledged" and "PRICE_BASIS_NOT_ON_880" not in [f["code"] for f in found]
    ws, order, found = _night(tmp_path / "dozens", "PO1*1*30*EA*54.73*PD*VN*VP-1011")  # 2.5 DZ
    assert order.state == "acknowledged", order.hold_codes
    assert "PRICE_BASIS_NOT_ON_880" not in [f["code"] for f in found]
    [(_, bak02, acks)] = docs(ws, "855")["PO-1"]
    assert [a[0] for a in acks] == ["IA"]


def test_the_quantity_judged_is_the_one_answered_after_the_case_pack(tmp_path):
    """7 EA of pens sold in cases of 12 at 470.41 PD (39.200833... per EA): answered as 12 EA (case pack rounded,
    855 IQ), which the 880 states as 1 DZ at 470.41: nothing held."""
    ws, order, found = _night(tmp_path, "PO1*1*7*EA*470.41*PD*UP*614141100248")
    codes = [f["code"] for f in found]
    assert "PRICE_BASIS_NOT_ON_880" not in codes and "CASE_PACK_ROUNDED" in codes, codes
    assert order.state == "acknowledged", order.hold_codes
    [(_, _bak02, acks)] = docs(ws, "855")["PO-1"]
    assert [a[0] for a in acks] == ["IQ"]


def _tile_lines(quantity: str, po4_size: str | None):
    """One resolved line of tile sold by the square foot (items.csv unit SF), ordered in SF at 4.99 per dozen SF
    (PO105 PD: 0.41583... per SF, no G17 of it in any quantity), with PO4*1*<po4_size>*SF (a carton's coverage)."""
    import pyarrow as pa

    from rules.business.quantities import UnitIndex

    row = {"source_file": "po.x12", "isa13": "1", "gs06": "1", "st02": "0001", "segment_position": 7,
           "file_segment": 9, "line_number": 1, "partner": "fd", "quantity": Decimal(quantity), "unit": "SF",
           "unit_price": Decimal("4.99"), "price_basis": "PD", "sku": "FD-501", "case_pack": 1, "min_order_qty": 0,
           "drop_ship": False, "po4_pack": 1 if po4_size else None, "po4_inner_pack": None,
           "po4_size": Decimal(po4_size) if po4_size else None, "po4_size_unit": "SF" if po4_size else None}
    index = UnitIndex()
    index.own_units = {"FD-501": "SF"}
    index[("FD-501", "SF")] = 1
    return pa.Table.from_pylist([row]), index


@pytest.mark.parametrize(("policy", "judged"), [("round_up", "1116 SF"), ("reject", None)])
def test_the_quantity_judged_is_the_one_answered_after_the_po4_pack(policy, judged):
    """1090 SF of tile in cartons of 15.5 SF (PO4*1*15.5*SF) is answered in whole cartons, as the 855 answers it
    (rules.business.quantities.answered_quantity, the decision's one rule): 1116 SF rounding up (72 cartons, whole
    SF: two cartons are 31), the
    quantity PRICE_BASIS_NOT_ON_880 names; rejected under the reject policy (CASE_PACK_NOT_MULTIPLE: the line is
    refused, IR), so it holds no order for the 880. The check used to judge 1090 SF, as if the PO4 were not there:
    the 880 finding named a quantity the 855 never answered, and held the order of a line it rejects."""
    import numpy as np

    from rules.business.common import _PerPartner
    from rules.business.money import _not_on_880_findings
    from schemas.rule_settings import RuleSettings

    settings = RuleSettings(invoice_sets={"fd": "880"}, case_pack_policy=policy)
    lines, index = _tile_lines("1090", "15.5")
    found = _not_on_880_findings(lines, np.array([0]), set(), _PerPartner(settings), index)
    assert [f.message.split(" at ")[0] for f in found] == ([f"{judged} (as answered: PO102 1090 in whole packs, or "
                                                            "raised to the minimum)"] if judged else [])
    # without a PO4 the line is answered as ordered, and judged so under either policy
    lines, index = _tile_lines("1090", None)
    found = _not_on_880_findings(lines, np.array([0]), set(), _PerPartner(settings), index)
    assert [f.message.split(" at ")[0] for f in found] == ["1090 SF"]
