"""A 945 from a 3PL shipping drop ships names the consumer's order in N9*CO (the customer order number the PO's
REF*CO carried). For a partner whose orders under one master PO number are told apart by that reference ([x12]
order_key_ref = "CO": Cabela's nightly drop-ship sets, tests/test_ref_keyed_orders.py) it is what says which
consumer's order shipped. The 945 reader used to pass N9*CO over (only a CSV's Release column could name the
order): with two consumers' orders open under the PO, the 3PL's shipment was held (SHIPMENT_RELEASE_AMBIGUOUS), and
with one open it was taken as that one's whatever the 945 said. It is kept (SHIPMENT_LINES.customer_order), keys
the shipment to that consumer's order, and the 856 and 810 echo its REF*CO; a partner not keyed so ships as before
(the 945's CO is no release of its PO)."""

from __future__ import annotations

from datetime import datetime

from connectors.state import StateStore
from parsers.warehouse_945 import read_945
from parsers.x12_reader import read_interchanges
from tests.support import run_stages
from tests.test_ref_keyed_orders import C1, C2, PO, _consumer, _interchange, _sets, _workspace
from tests.test_release_orders import _drop, _findings

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def _945(co: str, qty: int, sid: str = "SHP-DS-1", control: int = 461) -> bytes:
    segs = [f"W06*N*DO-1*20261127*{sid}**{PO}", "N1*SF*North 3PL Columbus*UL*0614141000203", "N9*BM*BOL-DS-1",
            *([f"N9*CO*{co}"] if co else []), "G62*11*20261127*8*1210", "W27*U*UPSN*GROUND", "LX*1",
            "MAN*GM*00007339400000050025", f"W12*CC*{qty}*{qty}**EA*614141100101", "N9*LI*1", f"W03*{qty}*4*LB"]
    body = "".join(s + "~\n" for s in ["ST*945*0001", *segs, f"SE*{len(segs) + 2}*0001"])
    return (f"ISA*00*          *00*          *ZZ*NORTH3PL       *ZZ*ORDERBRIDGE    *261127*1500*U*00401*{control:09d}"
            f"*0*P*>~\nGS*SW*NORTH3PL*ORDERBRIDGE*20261127*1500*{control}*X*004010~\n" + body
            + f"GE*1*{control}~\nIEA*1*{control:09d}~\n").encode()


def test_the_945_reader_keeps_the_customer_order():
    result = read_interchanges(_945("C778120051", 4))
    lines, found = read_945(result, list(result.transaction_sets()))
    assert lines["customer_order"].to_pylist() == ["C778120051"]
    assert lines["release_number"].to_pylist() == [None]  # no release of the PO
    assert not [f for f in found if f.severity == "error"]


def _shipped(tmp_path, co: str, *, keyed: bool = True, qty: int = 4):
    ws = _workspace(tmp_path / "ws", keyed=keyed)
    (ws.root / "warehouses" / "east.toml").rename(ws.root / "warehouses" / "east.off")  # the 3PL ships them
    acme = ws.partners_dir / "acme.toml"
    acme.write_text(acme.read_text().replace('preferred_warehouse = "EAST"', 'preferred_warehouse = "WEST"'))
    _drop(ws, "acme-ds.x12", _interchange(7001, [_consumer("0001", "C778120045", "DALE HOLLOWAY", 2),
                                                 _consumer("0002", "C778120051", "ANN MARSH", 4)]))
    run_stages(ws, NIGHT1)
    inbox = ws.warehouse_drop_root / "north" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "north-945-ds.x12").write_bytes(_945(co, qty))
    run_stages(ws, NIGHT2)
    return ws


def test_a_945_naming_the_consumers_order_ships_that_order(tmp_path):
    ws = _shipped(tmp_path, "C778120051")
    assert not _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS")
    state = StateStore(ws.state_path)
    try:
        assert {(s.shipment_id, ln.po_number) for s in state.shipments() for ln in s.lines} == {("SHP-DS-1", C2)}
        assert [ln.shipped for ln in state.order_lines("acme", C1)] == [0]
    finally:
        state.close()
    [asn] = _sets(ws, "856")
    assert ["REF", "CO", "C778120051"] in asn and next(s for s in asn if s[0] == "PRF")[1] == PO
    [inv] = _sets(ws, "810")
    assert ["REF", "CO", "C778120051"] in inv and [s[2] for s in inv if s[0] == "IT1"] == ["4"]


def test_a_945_naming_no_customer_order_of_a_po_with_two_open_is_held_as_before(tmp_path):
    ws = _shipped(tmp_path, "")
    [amb] = _findings(ws, "SHIPMENT_RELEASE_AMBIGUOUS")
    assert "2 orders open (C778120045, C778120051)" in amb["message"]


def test_a_partner_not_keyed_by_the_customer_order_ships_its_po_as_before(tmp_path):
    """Without order_key_ref the second set is a duplicate (tests/test_ref_keyed_orders.py): one order, MDS-1,
    the first consumer's. The 945's CO is no release of it: the shipment is MDS-1's, its 856 echoing the PO's
    REF*CO."""
    ws = _shipped(tmp_path, "C778120045", keyed=False, qty=2)
    state = StateStore(ws.state_path)
    try:
        assert not [f["code"] for f in state.findings() if f["stage"] == "shipments" and f["severity"] == "error"]
        assert {(s.shipment_id, ln.po_number) for s in state.shipments() for ln in s.lines} == {("SHP-DS-1", PO)}
    finally:
        state.close()
    [asn] = _sets(ws, "856")
    assert ["REF", "CO", "C778120045"] in asn
