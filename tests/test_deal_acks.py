"""Every acknowledgment that answers an order states the agreed allowances its first 855 states ([acks.po_ack]
allowances = "agreed"; session 64's tests/test_deals_855.py): the revised 855 answering an 860 before shipment (the
rules decide the order again: the deals matched again), and after shipment (engine.lifecycle.changes.revised_855:
the rules do not decide it again; the SACs the order's last 855 stated, engine.po_ack.stated_sacs, are stated again;
they used to be left out, the revised 855 saying no allowance was agreed any more). ACME (004010, answered by
revised 855s) orders 2 CA of SKU-1003 at 470.40 with a 12 % heading allowance (SAC13 FALL26, agreed to 12 %), and a
line allowance of 3 % of the same deal; each 855 is checked by our outbound validator, Bots and pyx12."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

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


def _checked(ws, tmp_path, maps, doc: str = "855"):  # noqa: F811 - the fixture
    """Every ``doc`` (855, 865) file in ACME's outbox passes our outbound validator, Bots and pyx12 (004010)."""
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check
    from tests.test_pyx12_outbound import pyx12_accepts

    paths = sorted((ws.drop_root / "acme" / "outbox").glob(f"acme-{doc}-*.x12"))
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


# --- a CSV partner's acknowledgment ---------------------------------------------------------------------------------

CSV_HEAD = ("PO Number;PO Date;Line;Quantity;Unit;Unit Price;UPC;SKU;Buyer Item;Description;Currency;Ship Date;Ship To;"
            "Ship To Name;Address;City;State;Postal Code;Country;Deal\n")
_TO = "USD;04.12.2026;UMB-9;Umbrella Store 9;1 Main St;Palo Alto;CA;94301;US"
CSV_ORDER = (f"UMB-7001;26.11.2026;1;20;EA;26,25;;VP-1010;;Sticky notes yellow;{_TO};\n"
             f"UMB-7001;26.11.2026;2;10;EA;32,34;;VP-1005;;Gel pen red;{_TO};\n"
             f"UMB-7001;26.11.2026;;1;EA;-50,00;;PROMO;;Fall promotion;{_TO};FALL26\n")
UMB_FALL = "umbrella,FALL26,C310,,10,,2026-11-01,2026-12-31,Fall promotion\n"
ACK_COLUMNS = '["po_number", "line_id", "status", "quantity_accepted", "unit_price", "allowances"]'


def _csv_night(tmp_path, deals: str | None = UMB_FALL, columns: str = ACK_COLUMNS) -> tuple:
    """Umbrella (CSV orders, answered by CSV acknowledgments) orders UMB-7001 with a 50.00 promotion row naming
    deal FALL26 (its layout: allowance_items PROMO, allowance_deal "Deal"): 5.9 % of the PO, beyond Umbrella's 5 %
    approval threshold. The night's acknowledgment rows and the order's state."""
    import csv
    import io

    ws = shipping_workspace(tmp_path / "ws", partners=())
    if deals is not None:
        (ws.reference_dir / "deals.csv").write_text(DEALS + deals, encoding="utf-8")
    toml = ws.root / "partners" / "umbrella.toml"
    text = toml.read_text().replace(
        "[fulfilment.csv_orders]\n",
        '[fulfilment.csv_orders]\nallowance_items = [["PROMO", "A:C310"]]\nallowance_deal = "Deal"\n')
    toml.write_text(text.replace("[fulfilment.csv_ack]\n", f"[fulfilment.csv_ack]\ncolumns = {columns}\n"))
    inbox = ws.drop_root / "umbrella" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "umbrella-orders-20261126.csv").write_text(CSV_HEAD + CSV_ORDER, encoding="utf-8")
    run_stages(ws, NIGHT1)
    from connectors.state import StateStore

    state = StateStore(ws.state_path)
    try:
        order = state.order("umbrella", "UMB-7001")
        found = [(f["code"], f["message"]) for f in state.findings(partner="umbrella", po_number="UMB-7001")]
    finally:
        state.close()
    rows = []
    for path in sorted((ws.drop_root / "umbrella" / "outbox").glob("*.csv")):
        rows += list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig")), delimiter=";"))
    return order.state.value if order else None, found, rows



def test_a_csv_acknowledgment_states_the_agreed_allowance_on_each_line(tmp_path):
    """The promotion row's deal FALL26 is on file (up to 10 %): the order is answered, not held; the acknowledgment's
    allowances column (the layout asks for it) states the PO's allowance and its deal on each line, in the layout's
    decimals, as an 855 states it in a SAC."""
    state, found, rows = _csv_night(tmp_path)
    assert state == "acknowledged", found
    assert [c for c, _m in found] == ["ALLOWANCE_DEAL_AGREED"] * 2
    assert rows[0] == ["po_number", "line_id", "status", "quantity_accepted", "unit_price", "allowances"]
    assert [(r[1], r[5]) for r in rows[1:]] == [("1", "C310 50,00 off the PO, deal FALL26"),
                                               ("2", "C310 50,00 off the PO, deal FALL26")]


def test_an_allowance_no_deal_agrees_is_held_and_stated_in_no_row(tmp_path):
    """No deal on file: the 5.9 % waits for a person (DISCOUNT_OVER_THRESHOLD); the night's held rows state no
    allowance."""
    state, found, rows = _csv_night(tmp_path, deals=None)
    assert state == "held"
    assert "DISCOUNT_OVER_THRESHOLD" in [c for c, _m in found]
    assert [(r[2], r[5]) for r in rows[1:]] == [("IH", ""), ("IH", "")]


def test_allowance_words_names_the_po_s_and_the_line_s_own():
    """A heading SAC is on every line; a line's own on its line (by line number, or PO101 for an 860's); an amount
    in the layout's decimals, a percent, a rate per its unit."""
    from decimal import Decimal

    from engine.csv_ack import allowance_words
    from rules.business.allowance_discounts import AgreedAllowance
    from schemas.fulfilment import CsvAckSettings

    base = {"code": "C310", "agency_code": None, "amount": None, "percent": None, "rate": None, "unit": None,
            "line_number": None, "line_id": None}
    agreed = [AgreedAllowance({**base, "percent": Decimal("12")}, "D1"),
              AgreedAllowance({**base, "line_number": 2, "amount": Decimal("7.5")}, "D2"),
              AgreedAllowance({**base, "line_id": "3", "rate": Decimal("0.25"), "unit": "EA"}, "D3")]
    comma = CsvAckSettings(decimal_separator=",")
    assert allowance_words(agreed, 1, "1", comma) == "C310 12% off the PO, deal D1"
    assert allowance_words(agreed, 2, "2", comma) == "C310 12% off the PO, deal D1; C310 7,50 off the line, deal D2"
    assert allowance_words(agreed, 9, "3", CsvAckSettings()) == \
        "C310 12% off the PO, deal D1; C310 0.25 per EA off the line, deal D3"
    assert allowance_words((), 1, "1", comma) == ""


def test_a_csv_order_s_allowance_row_names_its_deal():
    """The layout's allowance_deal column is the allowance row's SAC13 (ORDER_SACS reference)."""
    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping

    data = (b"PO Number,Line,Quantity,Unit Price,SKU,Promo Code\nU-1,1,20,26.25,VP-1010,\n"
            b"U-1,,1,-50.00,PROMO,FALL26\n")
    got = read_csv_orders(data, CsvOrderMapping(allowance_items=(("PROMO", "A:C310"),), allowance_deal="Promo Code"),
                          partner="p", file="f.csv")
    assert got.findings == []
    assert [(r["code"], r["amount"], r["reference"]) for r in got.sacs.to_pylist()] == [
        ("C310", Decimal("50.0000"), "FALL26")]
