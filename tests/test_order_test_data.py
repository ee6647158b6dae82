"""An 850 in test data (ISA15 T) from a partner we trade with in production. Retailers send test POs over
the production connection (Lowe's EDI coordinator sends one "to verify you can translate all of the
segments and elements", and asks for a 997 back): the 997 answers it, but the order is held for a person
(ORDER_TEST_DATA: no 855, nothing allocated or shipped). It used to be acknowledged IA in a production
interchange, allocated and shipped, with only the interchange warning ISA_USAGE_MISMATCH. A partner still
in testing (profile usage T) gets its test orders processed as before."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.business import check_test_data
from schemas.rule_settings import RuleSettings
from tests.support import GOOD_PO, make_workspace, run_stages, x12_850

NIGHT = datetime(2026, 11, 27, 2)
# a PO of the demo's items and ship-to, as Lowe's-style stock POs carry them
PO = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD", "REF*DP*042", "PER*BD*JANE BUYER*TE*3365551234",
      "DTM*010*20261208", "N9*L1*TEST ORDER", "MSG*PLEASE TRANSLATE AND RETURN A 997",
      "N1*ST*ACME STORE 1*92*0001", "N3*100 Main St", "N4*Springfield*IL*62701*US",
      "PO1*001*12*EA*19.70*PE*VN*VP-1001*UP*614141100101", "PID*F****COPY PAPER A4 80G",
      "PO1*002*24*EA*4.72*PE*VN*VP-1004", "CTT*2*36"]


def po_in_test_data(body=PO) -> bytes:
    return x12_850(body).replace(b"*0*P*>~", b"*0*T*>~", 1)


def _orders(data: bytes):
    parsed = read_interchanges(data)
    return read_orders(parsed, list(parsed.transaction_sets()), partner="acme")[0]


def test_the_order_keeps_its_interchange_usage():
    assert _orders(po_in_test_data())["interchange_usage"].to_pylist() == ["T"]
    assert _orders(x12_850(GOOD_PO))["interchange_usage"].to_pylist() == ["P"]


def test_only_test_data_to_a_production_partner_is_held():
    settings = RuleSettings(partners={"acme": {"usage": "P"}})
    assert [f.code for f in check_test_data(_orders(po_in_test_data()), settings)] == ["ORDER_TEST_DATA"]
    assert check_test_data(_orders(x12_850(GOOD_PO)), settings) == []
    assert check_test_data(_orders(po_in_test_data()), RuleSettings(partners={"acme": {"usage": "T"}})) == []


def _night(tmp_path, usage="P"):
    ws = make_workspace(tmp_path / "ws", partners=())
    if usage != "P":
        path = ws.root / "partners" / "acme.toml"
        path.write_text(path.read_text().replace('usage = "P"', f'usage = "{usage}"'))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "po.x12").write_bytes(po_in_test_data())
    run_stages(ws, NIGHT)
    return ws, StateStore(ws.state_path)


def test_a_test_po_to_a_production_partner_is_answered_997_and_held(tmp_path):
    ws, state = _night(tmp_path)
    [ack] = sorted(ws.drop_root.glob("acme/outbox/*-997-*.x12"))
    assert b"AK5*A~" in ack.read_bytes()
    assert not list(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
    order = state.order("acme", "PO-1")
    assert order.state == "held" and order.hold_codes == ("ORDER_TEST_DATA",)
    assert not [r for r in state.reservations() if r["quantity"]]


def test_test_data_is_no_hold_for_a_partner_in_testing(tmp_path):
    ws, state = _night(tmp_path, usage="T")
    assert state.order("acme", "PO-1").state == "acknowledged"
    assert list(ws.drop_root.glob("acme/outbox/*-855-*.x12"))
