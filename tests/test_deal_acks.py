"""Every acknowledgment that answers an order states the agreed allowances its first 855 states ([acks.po_ack]
allowances = "agreed"; session 64's tests/test_deals_855.py): the revised 855 answering an 860 before shipment (the
rules decide the order again: the deals matched again), and after shipment (engine.lifecycle.changes.revised_855:
the rules do not decide it again; the SACs the order's last 855 stated, engine.po_ack.stated_sacs, are stated again;
they used to be left out, the revised 855 saying no allowance was agreed any more). ACME (004010, answered by
revised 855s) orders 2 CA of SKU-1003 at 470.40 with a 12 % heading allowance (SAC13 FALL26, agreed to 12 %), and a
line allowance of 3 % of the same deal; each 855 is checked by our outbound validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.retailer_support import maps, po_segments, segments  # noqa: F401 - maps: a fixture
from tests.support import deliver_all, run_stages, ship_stages, shipping_workspace, x12_850
from tests.test_change_after_shipment_855 import answered_by_855s
from tests.test_change_units_860 import NIGHT1
from tests.test_promotions_860 import DEALS, HEAD, LINE, REST, TWELVE, _changed, _state

FALL = "acme,FALL26,C310,,12,,2026-11-01,2026-12-31,Fall promotion\n"
HEADING = f"{TWELVE}*FALL26"  # SAC*A*C310****1*12*****02*FALL26
LINE_SAC = "SAC*A*C310****1*3*****02*FALL26"
RAISE = "POC*1*QI*3*1*CA*470.40*PE*UP*614141100248"  # line 1 raised to 3 CA
SAC_HEADING = ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02", "FALL26"]
SAC_LINE = ["SAC", "A", "C310", "", "", "", "1", "3", "", "", "", "", "02", "FALL26"]
ON = '\n[acks.po_ack]\nallowances = "agreed"\n'


def _ordered(tmp_path, *, heading=(HEADING,), line=(LINE, LINE_SAC), profile=ON, deals=FALL):
    """ACME's PO-1 decided on night 1 (its profile's text with ``profile`` added)."""
    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + deals, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(toml.read_text() + profile)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, *heading, *REST, *line, "CTT*1"]))
    run_stages(ws, NIGHT1)
    return ws


def _shipped(ws, qty="2"):
    """The east DC ships ``qty`` CA of PO-1's line 1 on day 1; its 856 and 810 delivered."""
    day = datetime(2026, 11, 27, 15)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "east-shipments-20261127.csv").write_text(
        "Shipment ID,Ship Date,Ship Time,Carrier,Service Level,Tracking Number,BOL,PO Number,PO Line,SKU,Quantity,"
        "Unit,Carton ID,Carton Weight,Weight Unit,Pallet ID\n"
        f"SHP-9001,2026-11-27,14:50,UPSN,G2,1Z999AA10123459001,BOL-9001,PO-1,1,SKU-1003,{qty},CA,C-9001,9,LB,\n")
    ship_stages(ws, day, run_id="day1")
    deliver_all(ws, day)


def _acks(ws) -> list[list[list[str]]]:
    """Each 855 set for PO-1 in ACME's outbox (BAK to CTT), in the order sent."""
    segs = segments(ws, "acme", "855")
    out, at = [], 0
    while any(s[0] == "BAK" for s in segs[at:]):
        one = po_segments(segs[at:], "PO-1", "BAK")
        out.append(one)
        at = segs.index(one[-1], at) + 1
    return out


def _sacs(ack):
    """The SACs of one 855: its heading's (before the first PO1) and each line's (PO101 -> its SACs)."""
    heading, lines, line = [], {}, None
    for s in ack:
        if s[0] == "PO1":
            line = s[1]
            lines[line] = []
        elif s[0] == "SAC":
            (heading if line is None else lines[line]).append(s)
    return heading, lines


def _checked(ws, tmp_path, maps):  # noqa: F811 - the fixture
    """Every 855 file in ACME's outbox passes our outbound validator, Bots and pyx12 (004010)."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    paths = sorted((ws.drop_root / "acme" / "outbox").glob("acme-855-*.x12"))
    assert paths
    for path in paths:
        content = path.read_bytes()
        assert [f for f in validate_outbound(content) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(content, tmp_path)
        assert ok, errors
        ok, ack = pyx12_accepts(content.decode(), maps)
        assert ok, ack[:800]


def test_a_revised_855_before_shipment_states_the_agreed_allowances_again(tmp_path, maps):  # noqa: F811
    """The 860 raises line 1 before anything shipped: the rules decide the order again (the deals matched again) and
    the revised 855 (BAK01 05) states the heading 12 % and the line's 3 %, each with FALL26, as the first did."""
    ws = _ordered(tmp_path)
    _changed(ws, [RAISE])
    assert _state(ws)[0] == "acknowledged"
    first, revised = _acks(ws)
    assert (first[0][1], revised[0][1]) == ("00", "05")
    assert _sacs(first) == _sacs(revised) == ([SAC_HEADING], {"1": [SAC_LINE]})
    assert [s for s in revised if s[0] == "PO1"][0][2] == "3"
    _checked(ws, tmp_path, maps)


def test_a_revised_855_after_shipment_states_what_the_first_855_stated(tmp_path, maps):  # noqa: F811
    """PO-1 shipped (2 CA) and invoiced; ACME's 860 raises line 1 to 3: the revised 855 answering it after shipment
    (not decided again by the rules) states the heading 12 % and the line's 3 % with FALL26, as the first 855 did,
    the heading SAC loop before the PO1, the line's before its ACK; valid to our validator, Bots and pyx12. It used to
    state no SAC at all (an allowance agreed, then said of no more)."""
    ws = _ordered(tmp_path)
    answered_by_855s(ws, "acme")
    _shipped(ws)
    assert _state(ws)[0] == "invoiced"
    _changed(ws, [RAISE])
    first, revised = _acks(ws)
    assert (first[0][1], revised[0][1]) == ("00", "05")
    assert _sacs(first) == _sacs(revised) == ([SAC_HEADING], {"1": [SAC_LINE]})
    assert [s[0] for s in revised[:2]] == ["BAK", "SAC"]
    line = revised[[s[0] for s in revised].index("PO1"):]
    assert [s[0] for s in line[:3]] == ["PO1", "SAC", "ACK"], line
    assert line[0][2] == "3", line
    _checked(ws, tmp_path, maps)


@pytest.mark.parametrize("profile", ["", '\n[acks.po_ack]\nallowances = "none"\n'], ids=["default", "none"])
def test_without_the_setting_no_revised_855_states_an_allowance(tmp_path, profile):
    """The same night and change after shipment, the profile not asking: no 855 states a SAC (the deals still
    pre-approve the allowances)."""
    ws = _ordered(tmp_path, profile=profile)
    answered_by_855s(ws, "acme")
    _shipped(ws)
    _changed(ws, [RAISE])
    acks = _acks(ws)
    assert [a[0][1] for a in acks] == ["00", "05"]
    assert not [s for a in acks for s in a if s[0] == "SAC"]


def test_a_heading_allowance_stated_alone_is_stated_again_after_shipment(tmp_path):
    """The heading 12 % alone (no line SAC): the revised 855 after shipment states it, its line none."""
    ws = _ordered(tmp_path, line=(LINE,))
    answered_by_855s(ws, "acme")
    _shipped(ws)
    _changed(ws, [RAISE])
    first, revised = _acks(ws)
    assert _sacs(first) == _sacs(revised) == ([SAC_HEADING], {"1": []})


def test_stated_sacs_reads_the_po_s_set_of_a_document_of_many():
    """engine.po_ack.stated_sacs: of an interchange of two 855s, the set whose BAK03 is the PO: its heading SACs and
    its lines' by PO101; a PO not in it: None."""
    from engine.po_ack import stated_sacs
    from tests.shipping_support import PROFILES, wrap_for

    one = [["BAK", "00", "AD", "PO-1", "20261126"], SAC_HEADING, ["PO1", "1", "2", "CA", "470.4"], ["ACK", "IA", "2"],
           ["CTT", "1"]]
    two = [["BAK", "00", "AD", "PO-2", "20261126"], ["PO1", "7", "1", "EA", "1"], SAC_LINE, ["ACK", "IA", "1"],
           ["CTT", "1"]]
    content = wrap_for(PROFILES["acme"], "PR", "855", [one, two])
    first = stated_sacs(content, "PO-1")
    assert (first.heading, first.of_line("1")) == ((SAC_HEADING,), [])
    second = stated_sacs(content, "PO-2")
    assert (second.heading, second.of_line("7")) == ((), [SAC_LINE])
    assert stated_sacs(content, "PO-3") is None


# --- the 870 order status report ------------------------------------------------------------------------------------

def _by_870(text: str) -> str:
    """ACME's profile answering its POs by 870s (Lands' End's way) and asking for the agreed allowances."""
    return text.replace('"855", "865", ', '"870", "865", ').replace('change_ack = "855"', 'change_ack = "865"') + ON


def test_the_870_states_a_line_s_agreed_allowance_in_its_item_status_loop(tmp_path, maps):  # noqa: F811
    """A partner answered by 870s: the line's 3 % (FALL26) is in line 1's ISR loop (PO1 loop > ISR > SAC, the 870's
    only SAC); the heading 12 % has no place in the 870 (no heading SAC) and is not stated. Valid to our validator,
    Bots and pyx12."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    ws = shipping_workspace(tmp_path / "ws", partners=())
    (ws.reference_dir / "deals.csv").write_text(DEALS + FALL, encoding="utf-8")
    toml = ws.root / "partners" / "acme.toml"
    toml.write_text(_by_870(toml.read_text()))
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "po.x12").write_bytes(x12_850([*HEAD, HEADING, *REST, LINE, LINE_SAC, "CTT*1"]))
    run_stages(ws, NIGHT1)
    assert _state(ws)[0] == "acknowledged"
    assert not segments(ws, "acme", "855")
    body = [s for s in segments(ws, "acme", "870") if s[0] not in ("ISA", "GS", "GE", "IEA")]
    assert [s[0] for s in body] == ["ST", "BSR", "HL", "PRF", "HL", "PO1", "ISR", "SAC", "CTT", "SE"], body
    assert body[7] == SAC_LINE
    [path] = (ws.drop_root / "acme" / "outbox").glob("acme-870-*.x12")
    content = path.read_bytes()
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack[:800]


def test_build_870_puts_a_line_s_sacs_in_its_first_item_status_loop():
    """A line of two ISRs (BP, BO): its SACs after the first; a line without SAC_LIST writes none."""
    from datetime import date
    from decimal import Decimal

    from engine.order_status import build_870
    from engine.po_ack import SAC_LIST, AckPart, LineAck

    line = {"line_number": 1, "line_id": "1", "quantity": Decimal(10), "unit": "EA", "unit_price": Decimal(2),
            "price_basis": "", "product_ids": [], SAC_LIST: [SAC_LINE]}
    ack = LineAck("BP", Decimal(10), parts=(AckPart("BP", Decimal(6), date(2026, 12, 1)),
                                            AckPart("IB", Decimal(4), date(2026, 12, 20))))
    body = build_870({"po_number": "P", "po_date": None}, [line, {**line, SAC_LIST: None}], [ack, ack],
                     today=date(2026, 11, 27))
    assert [s[0] for s in body] == ["BSR", "HL", "PRF", "HL", "PO1", "ISR", "SAC", "ISR", "HL", "PO1", "ISR", "ISR",
                                    "CTT"]
