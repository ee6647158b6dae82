"""860 changes in the units real buyers send: a POC05 that is the line's own case in another code (CS for a
line ordered in CA, or the reverse: X12 code list 355 CS is "cassette", which many buyers use for a case),
and a line added by the 860 in a pack unit only its PO4 counts (a CT carton with PO4*12, as the 850 sends it).

ACME (the demo's partner answered by revised 855s) orders SKU-1003 (UPC 614141100248, a case of 12 eaches)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from connectors.state import StateStore
from tests.support import GOOD_PO, run_stages, shipping_workspace, x12_850
from tests.test_change_orders import docs

NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def x12_860(body: list[str], *, control: int = 2101) -> bytes:
    """An ACME 860 (004010, "*" and "~" with a line feed) around ``body`` (BCH .. CTT)."""
    segs = ["ST*860*0001", *body, f"SE*{len(body) + 2}*0001"]
    text = (f"ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*2300*U*00401*{control:09d}"
            f"*0*P*>~\nGS*PC*ACMERETAIL*ORDERBRIDGE*20261127*2300*{control}*X*004010~\n"
            + "".join(s + "~\n" for s in segs) + f"GE*1*{control}~\nIEA*1*{control:09d}~\n")
    return text.encode()


def _ordered(tmp_path, po1: list[str]):
    """The 850 of ``po1``'s night: once per session and ``po1``, copied (tests.support.from_template)."""
    from flows.workspace import open_workspace
    from tests.support import from_template

    def build(folder) -> None:
        ws = shipping_workspace(folder, partners=())
        inbox = ws.drop_root / "acme" / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "po.x12").write_bytes(x12_850(GOOD_PO[:6] + po1 + [f"CTT*{sum(s.startswith('PO1') for s in po1)}"]))
        run_stages(ws, NIGHT1)

    from_template("change-units-860-" + "-".join(po1).replace("*", "+"), tmp_path / "ws", build)
    return open_workspace(tmp_path / "ws")


def _changed(ws, pocs: list[str]):
    body = ["BCH*04*SA*PO-1***20261127", *pocs, f"CTT*{sum(s.startswith('POC') for s in pocs)}"]
    (ws.drop_root / "acme" / "inbox" / "change.x12").write_bytes(x12_860(body))
    return run_stages(ws, NIGHT2)


def _findings(ws) -> list[str]:
    state = StateStore(ws.state_path)
    try:
        return [f["code"] for f in state.findings(partner="acme", po_number="PO-1")]
    finally:
        state.close()


def _reserved(ws) -> int:
    state = StateStore(ws.state_path)
    try:
        return sum(r.quantity for r in state.reservations_for([("acme", "PO-1")]).get(("acme", "PO-1"), ()))
    finally:
        state.close()


@pytest.mark.parametrize(("ordered", "changed"), [("CA", "CS"), ("CS", "CA")])
def test_a_poc_in_the_lines_case_under_its_other_code_is_applied(tmp_path, ordered, changed):
    ws = _ordered(tmp_path, [f"PO1*1*2*{ordered}*470.40*PE*UP*614141100248"])
    assert docs(ws, "855")["PO-1"] == [("00", "AD", [["IA", "2", ordered, "068", "20261210"]])]
    _changed(ws, [f"POC*1*QI*3*1*{changed}*470.40*PE*UP*614141100248"])  # one case more, in the other code
    revised = [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"]
    assert [(t, [a[:3] for a in acks]) for _p, t, acks in revised] == [("AD", [["IA", "3", ordered]])]
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    assert _reserved(ws) == 36  # 3 cases of 12
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        assert (line.unit, line.ordered) == (ordered, 3)  # the order keeps the buyer's unit
    finally:
        state.close()


def test_another_unit_than_the_lines_case_is_still_refused(tmp_path):
    """Eaches that are no whole number of the line's cases (30 EA: 2.5 cases of 12) are not applied (36 EA, 3
    cases, are: test_a_poc_in_eaches_for_a_line_in_cases_is_applied_in_cases)."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, ["POC*1*QI*30*6*EA*39.20*PE*UP*614141100248"])  # eaches: not a whole number of the line's cases
    assert "CHANGE_UNIT_MISMATCH" in _findings(ws)
    # the buyer is told: an 865 (ACME receives them) refuses the POC, though ACME's changes are answered by 855s
    # (a revised 855 would restate the order as it stands); it used to get no answer at all
    assert docs(ws, "865")["PO-1"] == [("00", "RD", [["IR", "2", "CA"]])]
    assert [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"] == []
    assert _reserved(ws) == 24
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        assert (line.unit, line.ordered) == ("CA", 2)
    finally:
        state.close()


@pytest.mark.parametrize("po4", ["PO4*12", "PO4*2*6*EA"])
def test_a_line_added_in_a_pack_unit_its_po4_counts_is_converted_as_the_850s(tmp_path, po4):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    # a second item line added in cartons (SKU-1003 again, our case of 12 eaches), its pack in the POC loop's PO4
    _changed(ws, ["POC*2*AI*3**CT*470.40*PE*UP*614141100248", po4])
    revised = [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"]
    # placed and backordered in cartons as stock allows (the demo has 48 of SKU-1003 at EAST): never refused
    assert [[a[:3] for a in acks] for _p, _t, acks in revised] == [[["IA", "2", "CA"], ["BP", "2", "CT"],
                                                                     ["IB", "1", "CT"]]]
    assert "UNIT_NOT_CONVERTIBLE" not in _findings(ws)
    assert _reserved(ws) == 24 + 24  # 2 cartons of 12 eaches placed


def test_a_line_added_in_a_carton_without_po4_is_still_not_convertible(tmp_path):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, ["POC*2*AI*3**CT*470.40*PE*UP*614141100248"])
    assert "UNIT_NOT_CONVERTIBLE" in _findings(ws)
    assert _reserved(ws) == 24


def test_a_dates_only_change_for_a_partner_answered_by_855s_is_answered(tmp_path):
    """ACME answers 860s with revised 855s, but an 855 carries no cancel-after date: a change of that date alone
    (the order not decided again) is answered by an 865 echoing it, as a cancellation is. It used to be
    applied and answered with nothing."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, ["DTM*001*20261220"])
    (ack,) = [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))]
    assert "BCA*00*AK*PO-1" in ack and "DTM*001*20261220" in ack
    assert [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"] == []  # not decided again: no revised 855


def test_the_case_units_alike_come_from_the_item_master():
    """same_case_units: CA and CS of an item in cases of 12 are one case; an item_units row saying CS holds 1
    each (a seller of real cassettes) parts them; an item of one each has no case; no item master, no unit."""
    import pyarrow as pa

    from engine.lifecycle.changes import same_case_units
    from rules.shipment_units import ShipmentUnits
    from schemas.lifecycle import LineRecord, LineState
    from schemas.rule_settings import RuleSettings

    items = pa.table({"sku": ["SKU-1003", "SKU-1001"], "unit": ["EA", "EA"], "case_pack": [12, 1]})
    lines = [LineRecord("acme", "PO-1", 1, LineState.ALLOCATED, sku="SKU-1003", unit="CA"),
             LineRecord("acme", "PO-1", 2, LineState.ALLOCATED, sku="SKU-1001", unit="CS"),
             LineRecord("acme", "PO-1", 3, LineState.ALLOCATED, sku="SKU-1003", unit="EA")]
    plain = ShipmentUnits(items, None, RuleSettings())
    assert same_case_units(lines, plain) == {1: frozenset({"CA", "CS"})}
    cassettes = ShipmentUnits(items, pa.table({"sku": ["SKU-1003"], "unit": ["CS"], "eaches": [1]}), RuleSettings())
    assert same_case_units(lines, cassettes) == {}
    assert same_case_units(lines, None) == {}


def _answered_by_865s(ws) -> None:
    """ACME as a partner that answers its 860s with 865s (the profile's default): its change_ack line dropped."""
    profile = ws.root / "partners" / "acme.toml"
    text = profile.read_text()
    assert 'change_ack = "855"' in text
    profile.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("change_ack")) + "\n")


def _line(ws) -> tuple[str, int]:
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
        return line.unit, line.ordered
    finally:
        state.close()


@pytest.mark.parametrize(("poc", "cases"), [
    ("POC*1*QI*36*12*EA*39.20*PE*UP*614141100248", 3),  # a retailer's translator: every quantity in eaches
    ("POC*1*QD*12**EA", 1),
])
def test_a_poc_in_eaches_for_a_line_in_cases_is_applied_in_cases(tmp_path, poc, cases):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, [poc])
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    revised = [d for d in docs(ws, "855")["PO-1"] if d[0] == "05"]
    assert [[a[:3] for a in acks] for _p, _t, acks in revised] == [[["IA", str(cases), "CA"]]]
    assert _line(ws) == ("CA", cases)  # the order keeps the unit it was ordered in
    assert _reserved(ws) == 12 * cases


def test_a_poc_in_eaches_is_answered_in_eaches_by_the_865(tmp_path):
    """The 865 echoes the POC as sent and acknowledges it in the buyer's unit (ACK02/ACK03 as POC03/POC05 count),
    as an 855 answers a PO1 in its PO103; the order line is 3 cases."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*QI*36**EA*39.20*PE*UP*614141100248"])
    (ack,) = [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))]
    assert "POC*1*QI*36**EA*39.2*PE*UP*614141100248" in ack.replace("39.20", "39.2")
    assert docs(ws, "865")["PO-1"] == [("00", "AD", [["IQ", "36", "EA"]])]
    assert _line(ws) == ("CA", 3)
    assert _reserved(ws) == 36


def test_a_poc_in_cases_for_a_line_in_eaches_is_applied_in_eaches(tmp_path):
    ws = _ordered(tmp_path, ["PO1*1*24*EA*39.20*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*QI*3**CA*470.40*PE*UP*614141100248"])
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    assert _line(ws) == ("EA", 36)
    assert _reserved(ws) == 36
    (_purpose, _type, acks), = docs(ws, "865")["PO-1"]
    assert [a[:3] for a in acks] == [["IQ", "3", "CA"]]


@pytest.mark.parametrize("pocs", [
    ["POC*1*QI*4**CT", "PO4*12"],  # cartons its own PO4 counts as our case of 12: 48 eaches, 4 CA
    ["POC*1*QI*48**EA"],
])
def test_a_poc_converted_through_a_po4_is_applied(tmp_path, pocs):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _changed(ws, pocs)
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    assert _line(ws) == ("CA", 4)


def test_a_poc_in_eaches_for_a_line_in_po4_cartons_is_applied_in_cartons(tmp_path):
    """The line's own PO4 (cartons of 12, our case) converts the POC's eaches as intake converted the PO1."""
    ws = _ordered(tmp_path, ["PO1*1*2*CT*470.40*PE*UP*614141100248", "PO4*12"])
    _changed(ws, ["POC*1*QI*36**EA"])
    assert "CHANGE_UNIT_MISMATCH" not in _findings(ws)
    assert _line(ws) == ("CT", 3)
    assert _reserved(ws) == 36


def test_a_poc_in_eaches_that_is_no_whole_case_is_refused_saying_why(tmp_path):
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*QI*100**EA"])
    state = StateStore(ws.state_path)
    try:
        (found,) = [f for f in state.findings(partner="acme", po_number="PO-1") if f["code"] == "CHANGE_UNIT_MISMATCH"]
    finally:
        state.close()
    assert "100 EA is 8.33 CA of 12" in found["message"]
    assert docs(ws, "865")["PO-1"] == [("00", "RD", [["IR", "2", "CA"]])]
    assert _line(ws) == ("CA", 2)
    assert _reserved(ws) == 24


def test_a_change_that_leaves_its_line_backordered_is_answered_with_its_promised_day(tmp_path):
    """The 855 dates each part of a line (BP on the ship date, IB on the day its backorder is promised: ACK04 068,
    ACK05); the 865 answering a raise that is partly backordered carries, in its one ACK, the day the whole line
    is to ship, the later of them (it carried no date). The demo has 48 of SKU-1003 at EAST: 6 cases are 4
    placed and 2 backordered."""
    ws = _ordered(tmp_path, ["PO1*1*2*CA*470.40*PE*UP*614141100248"])
    _answered_by_865s(ws)
    _changed(ws, ["POC*1*QI*6**CA*470.40*PE*UP*614141100248"])
    (ack,) = [p.read_text() for p in sorted((ws.drop_root / "acme" / "outbox").glob("*-865-*.x12"))]
    (_p, _t, acks), = docs(ws, "865")["PO-1"]
    state = StateStore(ws.state_path)
    try:
        (line,) = state.order_lines("acme", "PO-1")
    finally:
        state.close()
    assert (line.allocated, line.backordered) == (4, 2) and line.promised_date is not None, line
    whole = max(date(2026, 12, 10), line.promised_date)  # GOOD_PO's DTM*010 ship date; the backorder's day
    assert acks == [["IQ", "6", "CA", "068", whole.strftime("%Y%m%d")]], ack
