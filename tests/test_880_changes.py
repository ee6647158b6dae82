"""An 860 that would leave a line of a partner billed by the 880 as one its 880 cannot state (24 EA at 54.73 per dozen
changed to 7 EA: 0.58333 DZ, 4.560833... per EA) is checked as intake checks the 850 (rules.business.money.not_on_880,
PRICE_BASIS_NOT_ON_880), at the change's own location: the POC's POC03 (POC06 for a price alone) in the 860's file.
The POC is rejected (865 ACK IR) and the line stays as it was, which the 880 bills. It used to be applied: before
shipment the decide stage then held the order with the finding at the 850's PO102 (a file and a quantity the 850
never had); after shipment nothing looked, and the 880 of the rest was refused at billing."""

from __future__ import annotations

from datetime import datetime

from tests.support import run_night
from tests.test_880_partial_dozen_billing import _grocer, _look, _ship
from tests.test_change_units_860 import x12_860

CODE = "PRICE_BASIS_NOT_ON_880"


def _change(ws, poc: str, night: datetime) -> None:
    (ws.drop_root / "acme" / "inbox" / "chg.x12").write_bytes(x12_860(["BCH*04*SA*PO-1***20261126", poc, "CTT*1"]))
    run_night(ws, night)


def _865(ws) -> list[list[str]]:
    for p in sorted((ws.drop_root / "acme" / "outbox").iterdir()):
        text = p.read_bytes().decode()
        if "ST*865*" in text:
            return [s.strip().split("*") for s in text.split("~") if s.strip()[:3] in ("BCA", "POC", "ACK")]
    return []


def test_a_change_to_a_quantity_the_880_cannot_state_is_rejected_at_its_poc(tmp_path):
    ws = _grocer(tmp_path)
    _change(ws, "POC*1*QD*7*24*EA*54.73*PD*VN*VP-1011", datetime(2026, 11, 28, 2))
    found, told = _look(ws)
    [f] = [f for f in found if f["code"] == CODE]
    assert (f["file"], f["segment_id"], f["element"], f["value"], f["line_number"]) == (
        "chg.x12", "POC", "POC03", "7", 1), f
    assert "7 EA" in f["message"] and "DZ" in f["message"] and "stays 24 EA at 54.73 PD" in f["message"], f["message"]
    assert told["order"]["state"] == "acknowledged" and [ln["ordered"] for ln in told["lines"]] == ["24"]
    assert [s[:2] for s in _865(ws) if s[0] in ("BCA", "ACK")] == [["BCA", "00"], ["ACK", "IR"]]


def test_a_change_the_880_states_is_applied(tmp_path):
    ws = _grocer(tmp_path)
    _change(ws, "POC*1*QI*36*24*EA*54.73*PD*VN*VP-1011", datetime(2026, 11, 28, 2))  # 3 DZ
    found, told = _look(ws)
    assert CODE not in [f["code"] for f in found]
    assert told["order"]["state"] == "acknowledged" and [ln["ordered"] for ln in told["lines"]] == ["36"]


def test_a_price_change_the_880_cannot_state_is_rejected_at_poc06(tmp_path):
    """7 EA at 54.72 per dozen is 4.56 per EA (the 880 states it per each); 54.73 per dozen is not, nor 7 EA dozens."""
    ws = _grocer(tmp_path, "PO1*1*7*EA*54.72*PD*VN*VP-1011")
    _change(ws, "POC*1*PC*7*7*EA*54.73*PD*VN*VP-1011", datetime(2026, 11, 28, 2))
    found, _told = _look(ws)
    [f] = [f for f in found if f["code"] == CODE]
    assert (f["file"], f["segment_id"], f["element"], f["value"]) == ("chg.x12", "POC", "POC06", "54.73"), f


def test_a_change_after_shipment_to_a_quantity_the_880_cannot_state_is_rejected(tmp_path):
    """12 of the 24 EA shipped and billed (1 DZ); an 860 cutting the line to 19 EA (the 7 left no whole dozen, nor
    19) is rejected at its POC03: the order is not decided again once it shipped, so nothing else would look."""
    ws = _grocer(tmp_path)
    _ship(ws, "SHP-1", "12", 27)
    run_night(ws, datetime(2026, 11, 28, 2))
    _change(ws, "POC*1*QD*19*12*EA*54.73*PD*VN*VP-1011", datetime(2026, 11, 29, 2))
    found, told = _look(ws)
    [f] = [f for f in found if f["code"] == CODE]
    assert (f["file"], f["segment_id"], f["element"], f["value"]) == ("chg.x12", "POC", "POC03", "19"), f
    assert [ln["ordered"] for ln in told["lines"]] == ["24"]
