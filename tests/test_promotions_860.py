"""An 860 that adds, changes or takes off an off-invoice allowance (a heading SAC, or one in a POC loop) is judged on
the order's allowances as changed (flows.decide.deciding_sacs, rules.business.allowance_discounts.changed_allowances):
the customer's discount approval threshold and its agreed deals (deals.csv). It used to be judged on none at all (a
changed order's tables name no stored SAC table), so a 12 % promotion an 860 added went out on a revised 855 and the
810 with nobody approving it.

ACME (answered by revised 855s; threshold 5 %) orders 2 CA of SKU-1003 at our 470.40 per case, night 1; the 860 comes
night 2."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from rules.business.allowance_discounts import changed_allowances
from schemas.changes import CHANGE_SACS
from schemas.orders import ORDER_SACS
from tests.support import run_stages, shipping_workspace, x12_850
from tests.test_change_orders import docs
from tests.test_change_units_860 import NIGHT1, NIGHT2, x12_860

LINE = "PO1*1*2*CA*470.40*PE*UP*614141100248"
HEAD = ["BEG*00*SA*PO-1**20261126", "CUR*BY*USD"]
REST = ["DTM*010*20261210", "N1*ST*DC 7*92*DC07", "N3*1 Way", "N4*Columbus*OH*43215*US"]
TWELVE = "SAC*A*C310****1*12*****02"
DEALS = "partner,deal,allowance_code,sku,percent,rate,valid_from,valid_to,description\n"


def _ordered(tmp_path, heading_sacs=(), line=(LINE,), deals: str | None = None, change_ack: str | None = None):
    """ACME's PO-1 (``heading_sacs`` after its CUR, ``line`` its PO1 loop) decided on night 1."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    if deals is not None:
        (ws.reference_dir / "deals.csv").write_text(DEALS + deals, encoding="utf-8")
    if change_ack:
        toml = ws.root / "partners" / "acme.toml"
        toml.write_text(toml.read_text().replace('change_ack = "855"', f'change_ack = "{change_ack}"'))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, *heading_sacs, *REST, *line, "CTT*1"]))
    run_stages(ws, NIGHT1)
    return ws


def _changed(ws, body: list[str], when: datetime = NIGHT2, *, purpose: str = "04"):
    pocs = sum(s.startswith("POC") for s in body)
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_bytes(
        x12_860([f"BCH*{purpose}*SA*PO-1***20261127", *body, f"CTT*{pocs}"]))
    run_stages(ws, when)


def _state(ws) -> tuple[str, list[tuple[str, str]]]:
    state = StateStore(ws.state_path)
    try:
        found = [(f["code"], f["message"]) for f in state.findings(partner="acme", po_number="PO-1")]
        return state.order("acme", "PO-1").state.value, found
    finally:
        state.close()


def _said(found, code):
    return [m for c, m in found if c == code]


def test_an_860_adding_an_allowance_beyond_the_threshold_holds_the_order_until_a_person_approves(tmp_path):
    """The 860's heading C310 12 % off invoice: the changed order waits (no revised 855 of the 12 %), the finding
    naming the 860's SAC; approved, the next run answers the change with the revised 855."""
    ws = _ordered(tmp_path)
    assert docs(ws, "855")["PO-1"] == [("00", "AD", [["IA", "2", "CA", "068", "20261210"]])]
    _changed(ws, [TWELVE, "POC*1*QI*3*1*CA*470.40*PE*UP*614141100248"])
    state, found = _state(ws)
    assert state == "held"
    assert _said(found, "DISCOUNT_OVER_THRESHOLD") == [
        "PO104 470.40 less the allowance our 810 takes off (C310 12 % of the PO (heading, SAC12 02): 12% of the line) "
        "is 413.952, 12% below our price 470.40; more than the 5% that needs approval."]
    assert [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"] == []
    res = CliRunner().invoke(app, ["approve", "PO-1", "--partner", "acme", "--by", "Kim", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 9))
    assert [(t, [a[:3] for a in acks]) for p, t, acks in docs(ws, "855")["PO-1"] if p == "05"] == [
        ("AD", [["IA", "3", "CA"]])]


def test_an_860_adding_an_allowance_of_an_agreed_deal_is_answered(tmp_path):
    """The same 12 % sent with SAC13 FALL26, a deal agreed up to 12 % for the PO's date: the change is answered by
    the revised 855 that night; ALLOWANCE_DEAL_AGREED names the deal."""
    ws = _ordered(tmp_path, deals="acme,FALL26,C310,,12,,2026-11-01,2026-12-31,Fall promotion\n")
    _changed(ws, [f"{TWELVE}*FALL26", "POC*1*QI*3*1*CA*470.40*PE*UP*614141100248"])
    state, found = _state(ws)
    assert state == "acknowledged", found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    [agreed] = _said(found, "ALLOWANCE_DEAL_AGREED")
    assert "agreed deal FALL26: up to 12 %, 2026-11-01 to 2026-12-31" in agreed, agreed
    assert [(t, [a[:3] for a in acks]) for p, t, acks in docs(ws, "855")["PO-1"] if p == "05"] == [
        ("AD", [["IA", "3", "CA"]])]


def test_an_860_taking_off_the_allowance_a_held_order_waits_for_clears_it(tmp_path):
    """The 850's 12 % held the order night 1 (no 855); the 860's SAC*N*C310 takes it off: the order is decided
    again without it, answered (855 AD) with nobody approving."""
    ws = _ordered(tmp_path, heading_sacs=[TWELVE])
    state, found = _state(ws)
    assert (state, "PO-1" in docs(ws, "855")) == ("held", False)
    assert _said(found, "DISCOUNT_OVER_THRESHOLD")
    _changed(ws, ["SAC*N*C310", "POC*1*QI*3*1*CA*470.40*PE*UP*614141100248"])
    state, _found = _state(ws)
    assert state == "acknowledged"
    assert [(t, [a[:3] for a in acks]) for _p, t, acks in docs(ws, "855")["PO-1"]] == [("AD", [["IA", "3", "CA"]])]


def test_an_860_raising_a_line_s_allowance_is_judged_on_that_line(tmp_path):
    """The line's own C310 3 % (within 5 %) answered night 1; the 860's POC loop restates it 10 %: held, naming the
    line's SAC as the 860 sent it."""
    ws = _ordered(tmp_path, line=(LINE, "SAC*A*C310****1*3*****02"))
    assert _state(ws)[0] == "acknowledged"
    _changed(ws, ["POC*1*QI*3*1*CA*470.40*PE*UP*614141100248", "SAC*A*C310****1*10*****02"])
    state, found = _state(ws)
    assert state == "held"
    assert _said(found, "DISCOUNT_OVER_THRESHOLD") == [
        "PO104 470.40 less the allowance our 810 takes off (C310 10 % of the line (line 1, SAC12 02): 10% of the "
        "line) is 423.36, 10% below our price 470.40; more than the 5% that needs approval."]


def test_an_865_partner_s_change_held_for_its_allowance_is_answered_once_a_person_decides(tmp_path):
    """A partner answered by 865s: the change waits with the order (no 865 while held); rejected, the 865 refuses
    the change (RD)."""
    ws = _ordered(tmp_path, change_ack="865")
    _changed(ws, [TWELVE, "POC*1*QI*3*1*CA*470.40*PE*UP*614141100248"])
    assert _state(ws)[0] == "held"
    assert "PO-1" not in docs(ws, "865")
    res = CliRunner().invoke(app, ["reject", "PO-1", "--partner", "acme", "--by", "Lee", "--reason",
                                   "promotion not agreed", "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 28, 9))
    [(_purpose, kind, _acks)] = docs(ws, "865")["PO-1"]
    assert kind in ("RD", "RJ"), docs(ws, "865")


# --- the rule's own rows -------------------------------------------------------------------------------------------

def _rows(schema, *rows):
    base = {"partner": "p", "order_ref": "1-1-1", "po_number": "PO1", "line_number": None, "line_id": None,
            "kind": "A", "code": "C310", "handling": "02", "source_file": "f", "isa13": "1", "gs06": "1",
            "st02": "1", "segment_position": 5, "file_segment": 5}
    return pa.Table.from_pylist([base | r for r in rows], schema=schema)


def test_changed_allowances_replace_by_level_and_code_restate_and_delete():
    """An 860's heading C310 replaces the 850's heading C310 (not its line's); its N takes a code off; a BCH01 05
    sending heading SACs restates them all; a POC RZ restates its line's, a DI takes them off. Every row is the
    order's (partner, order_ref, PO)."""
    from decimal import Decimal

    ordered = _rows(ORDER_SACS, {"percent": Decimal(2)}, {"code": "D240", "kind": "C", "amount": Decimal(5)},
                    {"line_number": 1, "line_id": "1", "percent": Decimal(3)},
                    {"line_number": 2, "line_id": "2", "percent": Decimal(4)})

    def change(*rows, purpose="04"):
        return _rows(CHANGE_SACS, *({"purpose": purpose, "order_ref": "9-9-9"} | r for r in rows))

    def got(*changes):
        t = changed_allowances(ordered, list(changes), ("p", "1-1-1", "PO1"))
        assert set(t["order_ref"].to_pylist()) == {"1-1-1"}
        return sorted(((r["line_id"], r["kind"], r["code"], r["percent"]) for r in t.to_pylist()),
                      key=lambda r: (r[0] or "", r[1], r[2]))

    assert got(change({"percent": Decimal(12)})) == [
        (None, "A", "C310", Decimal(12)), (None, "C", "D240", None), ("1", "A", "C310", Decimal(3)),
        ("2", "A", "C310", Decimal(4))]
    assert got(change({"kind": "N"})) == [(None, "C", "D240", None), ("1", "A", "C310", Decimal(3)),
                                          ("2", "A", "C310", Decimal(4))]
    assert got(change({"code": "A260", "percent": Decimal(1)}, purpose="05")) == [
        (None, "A", "A260", Decimal(1)), ("1", "A", "C310", Decimal(3)), ("2", "A", "C310", Decimal(4))]
    assert got(change({"line_number": 1, "line_id": "1", "code": "A260", "percent": Decimal(1),
                       "change_type": "RZ"})) == [(None, "A", "C310", Decimal(2)), (None, "C", "D240", None),
                                                  ("1", "A", "A260", Decimal(1)), ("2", "A", "C310", Decimal(4))]
    assert got(change({"line_number": 1, "line_id": "2", "percent": Decimal(9), "change_type": "DI"})) == [
        (None, "A", "C310", Decimal(2)), (None, "C", "D240", None), ("1", "A", "C310", Decimal(3))]
    assert changed_allowances(ordered, [], ("p", "1-1-1", "PO1")) is ordered
