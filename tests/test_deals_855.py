"""The 855 states the allowances a deal agreed with the customer pre-approved ([acks.po_ack] allowances =
"agreed"; "none" by default: most 855 guides use no SAC, Sally Beauty's and iTradeNetwork's among them). X12's 855
has a SAC loop in its heading (position 120: after CSH, before ITD) and in its PO1 loop (after REF and PER, before
the ACK loop) in every version 003040-005010; the SAC is the PO's as sent, SAC13 the deal's number (the PO's REF*PD
when it named the deal there). On the rg91 Grainger night (tests/test_agreed_promotions.py) and on the builders,
the 855 checked by our reader and outbound check, pyx12 with our maps and Bots (004010, 005010)."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pytest

from engine.po_ack import SAC_LIST, ack_sac, build_855, delimiter_use, element_values, render_855s
from parsers.x12_writer import render_segments
from rules.business.allowance_discounts import agreed_allowances
from schemas.fulfilment import PoAckSettings
from schemas.x12 import Delimiters
from tests.retailer_support import po_segments, segments
from tests.shipping_support import PROFILES, bots_check, pyx12_map_folders, wrap_for
from tests.test_855_guide import LINES, ORDER, TODAY, read_back
from tests.test_agreed_promotions import SPRING, TOTAL, TWELVE, TWELVE_DEAL, _night, _said

ON = ("ship_date = true\n", 'ship_date = true\nallowances = "agreed"\n')
# line 3 (24 EA of RG91-05 at 3.125: 75.00) 20 % off by deal SAFE26 (agreed to 25 % on that item)
LINE_SAC = ("PID*F****SAFETY GLASSES CLEAR ANTI-FOG~", "PID*F****SAFETY GLASSES CLEAR ANTI-FOG~\n"
            "SAC*A*C310****1*20*****02*SAFE26**SAFETY WEEK~")
SAFE = "grainger,SAFE26,C310,RG91-05,25,,2026-11-01,2026-11-30,Safety week\n"


def _grainger(tmp_path, deals, swaps, on=True):
    from tests import test_agreed_promotions as promos

    if not on:
        return _night(tmp_path, deals, swaps)
    # the same night with the profile asking for the agreed allowances on the 855
    original = promos.variant_night

    def with_profile(*args, **kwargs):
        return original(*args, **kwargs, profile_swaps=[ON])
    promos.variant_night = with_profile
    try:
        return _night(tmp_path, deals, swaps)
    finally:
        promos.variant_night = original


def _855(ws):
    return po_segments(segments(ws, "grainger", "855"), "GR9100202", "BAK")


def test_the_agreed_heading_allowance_is_on_the_855_with_its_deal(tmp_path):
    """12 % (SAC13 SPRING26) agreed up to 15 %: the 855's heading SAC loop carries it as the PO sent it, after REF
    IA and before DTM 068; the lines carry none (the PO's 2 % it replaced is gone)."""
    ws, found, states = _grainger(tmp_path, SPRING, [TWELVE_DEAL, TOTAL])
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert _said(found, "ALLOWANCE_DEAL_AGREED")
    ack = _855(ws)
    assert [s[0] for s in ack[:4]] == ["BAK", "REF", "SAC", "DTM"], ack
    assert ack[2] == ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02", "SPRING26"]
    assert [s[0] for s in ack].count("SAC") == 1


def test_off_by_default_the_855_is_as_before(tmp_path):
    """The same night without the setting: no SAC on the 855 (the deal still pre-approves the allowance)."""
    ws, found, states = _grainger(tmp_path, SPRING, [TWELVE_DEAL, TOTAL], on=False)
    assert states == {("grainger", "GR9100202"): "invoiced"}
    assert _said(found, "ALLOWANCE_DEAL_AGREED")
    assert "SAC" not in [s[0] for s in _855(ws)]


def test_a_deal_named_by_the_po_s_ref_pd_is_stated_in_sac13(tmp_path):
    """The SAC sends no SAC13; the PO's REF*PD SPRING26 names the deal: the 855's SAC13 says SPRING26."""
    ref = ("REF*IA*GR77120~", "REF*IA*GR77120~\nREF*PD*SPRING26~")
    ws, _found, states = _grainger(tmp_path, SPRING, [TWELVE, TOTAL, ref])
    assert states == {("grainger", "GR9100202"): "invoiced"}
    sac = [s for s in _855(ws) if s[0] == "SAC"]
    assert sac == [["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02", "SPRING26"]]


def test_an_allowance_no_deal_agreed_is_not_stated(tmp_path):
    """The PO's own 2 % (within Grainger's 5 %: no approval needed, no deal) is not an agreed deal: not echoed;
    the line's 20 % agreed by SAFE26 is, in line 3's PO1 loop before its ACK, its SAC15 as sent."""
    ws, found, states = _grainger(tmp_path, SAFE, [LINE_SAC])
    assert states == {("grainger", "GR9100202"): "invoiced"}, found
    assert not _said(found, "DISCOUNT_OVER_THRESHOLD")
    ack = _855(ws)
    assert "SAC" not in [s[0] for s in ack[:ack.index(next(s for s in ack if s[0] == "PO1"))]]
    third = ack[[i for i, s in enumerate(ack) if s[0] == "PO1"][2]:]
    assert [s[0] for s in third[:3]] == ["PO1", "SAC", "ACK"]
    assert third[1] == ["SAC", "A", "C310", "", "", "", "1", "20", "", "", "", "", "02", "SAFE26", "", "SAFETY WEEK"]
    assert [s[0] for s in ack].count("SAC") == 1


def test_an_allowance_no_deal_agrees_is_held_and_no_855_states_it(tmp_path):
    """No deal on file: the 12 % is held (DISCOUNT_OVER_THRESHOLD); no 855 is sent that night."""
    ws, found, states = _grainger(tmp_path, None, [TWELVE_DEAL, TOTAL])
    assert states == {("grainger", "GR9100202"): "held"}
    assert _said(found, "DISCOUNT_OVER_THRESHOLD")
    assert not [s for s in segments(ws, "grainger", "855") if s[0] == "BAK"]


# --- the builders ---------------------------------------------------------------------------------------------------

SENT = {"kind": "A", "code": "C310", "agency": None, "agency_code": None, "amount": None, "basis": "1",
        "percent": Decimal("12"), "rate": None, "unit": None, "quantity": None, "handling": "02", "reference": None,
        "description": None, "line_number": None, "line_id": None, "segment_position": 5}
AGREED = PoAckSettings(allowances="agreed")


def test_ack_sac_writes_the_sac_as_sent_with_the_deal():
    """SAC05 N2, SAC06/07 (a percent without SAC06: 1), SAC08 with SAC09/10 only both, SAC03/04 only both, SAC12,
    SAC13 the deal, SAC15 as sent; trailing empties dropped."""
    assert ack_sac(SENT, "D1") == ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02", "D1"]
    rate = {**SENT, "percent": None, "basis": None, "rate": Decimal("0.5"), "unit": "EA", "quantity": Decimal(24),
            "amount": Decimal("12"), "agency": "VI", "agency_code": "PROMO7", "description": "SAFETY WEEK"}
    assert ack_sac(rate, "D2") == ["SAC", "A", "C310", "VI", "PROMO7", "1200", "", "", "0.5", "EA", "24", "", "02",
                                   "D2", "", "SAFETY WEEK"]
    assert ack_sac(SENT, "D" * 31) == ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02"]  # not cut
    half = {**SENT, "percent": Decimal("12"), "basis": None, "unit": "EA", "agency": "VI"}
    assert ack_sac(half, "D3") == ["SAC", "A", "C310", "", "", "", "1", "12", "", "", "", "", "02", "D3"]


def _rows(line_sacs):
    """test_855_guide's two lines (ORDER_LINES) with ``line_sacs`` as their SAC_LIST (None: without the column)."""
    from schemas.orders import ORDER_LINES

    base = {"partner": "acme", "order_ref": "1-1-1", "po_number": "PO-1", "source_file": "f", "isa13": "1",
            "gs06": "1", "st02": "1"}
    table = pa.Table.from_pylist([{**base, **ln} for ln in LINES], schema=ORDER_LINES)
    if line_sacs is None:
        return table
    return table.append_column(SAC_LIST, pa.array(line_sacs, pa.list_(pa.list_(pa.string()))))


def _statuses(rows):
    from engine.po_ack import _ack_columns

    return pa.Table.from_pylist([{"parts": [{"status": "IA", "quantity": q, "date": None}], "ack_quantity": q,
                                  "ack_price": None} for q in rows["quantity"].to_pylist()], schema=_ack_columns())


def _acks(rows):
    from engine.po_ack import LineAck

    return [LineAck("IA", q) for q in rows["quantity"].to_pylist()]


HEAD = {**ORDER, "agreed_sacs": [ack_sac(SENT, "D1")]}
LINE = [[], [ack_sac({**SENT, "line_number": 2, "description": "LINE TWO"}, "D2")]]


def test_the_segments_and_the_columns_write_the_same_855():
    """build_855 (segments) and render_855s (columns) agree; the SAC count is in the segment count; the setting off,
    the SACs given are not written."""
    rows = _rows(LINE)
    segs = build_855(HEAD, rows.to_pylist(), _acks(rows), today=TODAY, settings=AGREED)
    assert [s[0] for s in segs] == ["BAK", "SAC", "PO1", "ACK", "PO1", "SAC", "ACK", "CTT"]
    d = Delimiters()
    statuses = _statuses(rows)
    text, count, _kind = render_855s([HEAD], rows, statuses, [(0, rows.num_rows)], today=TODAY, d=d,
                                     settings=AGREED)[0]
    assert text == render_segments(segs, d)
    assert count == len(segs)
    plain = build_855(HEAD, rows.to_pylist(), _acks(rows), today=TODAY, settings=PoAckSettings())
    assert "SAC" not in [s[0] for s in plain]


def test_a_delimiter_in_a_sac_value_is_seen():
    """A SAC15 (or SAC13) holding '*' moves the 855 to other delimiters (delimiter_use sees it)."""
    rows = _rows([[], [ack_sac({**SENT, "line_number": 2, "description": "2*FOR*1"}, "D2")]])
    statuses = _statuses(rows)
    values = element_values(rows, statuses, [(0, rows.num_rows)])
    assert "*" in delimiter_use([ORDER], rows, statuses, [(0, rows.num_rows)], "*|", values=values,
                                settings=AGREED)[0]
    plain = _rows(None)
    assert delimiter_use([ORDER], plain, _statuses(plain), [(0, 2)], "*|", settings=AGREED)[0] == set()
    assert "*" in delimiter_use([{**ORDER, "agreed_sacs": [ack_sac(SENT, "D*1")]}], plain, _statuses(plain),
                                [(0, 2)], "*|", settings=AGREED)[0]


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_reader_our_outbound_check_pyx12_and_bots_accept_the_sacs(partner, tmp_path, tmp_path_factory):
    from tests.test_pyx12_outbound import pyx12_accepts

    rows = _rows(LINE)
    rate = {**SENT, "percent": None, "basis": None, "rate": Decimal("0.5"), "unit": "EA", "quantity": Decimal(24),
            "amount": Decimal("12"), "agency": "VI", "agency_code": "PROMO7", "description": "SAFETY WEEK"}
    head = {**ORDER, "agreed_sacs": [ack_sac(SENT, "D1"), ack_sac(rate, "D9")]}
    segs = build_855(head, rows.to_pylist(), _acks(rows), today=TODAY, settings=AGREED)
    content = wrap_for(PROFILES[partner], "PR", "855", [segs])
    result = read_back(content)
    assert [ts.set_id for _i, _g, ts in result.transaction_sets()] == ["855"]
    assert [r[0] for r in result.segments.elements.to_pylist()].count("SAC") == 3
    ok, ack = pyx12_accepts(content.decode(), pyx12_map_folders(tmp_path_factory))
    assert ok, ack
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors


def test_agreed_allowances_names_each_agreed_sac_once():
    """A heading SAC judged on each line is one agreed allowance; a line SAC not agreed is not among them."""
    from datetime import date

    from schemas.reference import DEALS
    from schemas.rule_settings import RuleSettings
    from tests.test_agreed_promotions import DEAL
    from tests.test_rg91b import LINES as RG_LINES
    from tests.test_rg91b import _sacs

    lines = RG_LINES.append_column("sku", pa.array(["SKU-A", "SKU-B", "SKU-A"])).append_column(
        "line_id", pa.array(["1", "2", "1"]))
    deals = pa.Table.from_pylist([DEAL | {"percent": Decimal(15)}], schema=DEALS)
    sacs = _sacs({"percent": Decimal(10), "reference": "D1"},
                 {"line_number": None, "line_id": "2", "percent": Decimal(50), "reference": "D2"})
    got = agreed_allowances(lines, sacs, RuleSettings().for_partner, deals, [date(2026, 12, 2)] * 3)
    assert [(a.deal, a.sac["percent"], a.sac["line_id"]) for v in got.values() for a in v] == \
        [("D1", Decimal(10), None)]
