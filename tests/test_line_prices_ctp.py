"""A PO line's own CTPs (pricing information) are kept and can be echoed on the 810. Retailers send their shelf price
in each PO1 loop (Big 5, and many others: CTP*RS*RES*29.99, class of trade RS resale, CTP02 RES retail or MSR
manufacturer's suggested retail), and Big 5's 5010 810 guide requires a CTP in every IT1 loop. They used to be read
and dropped (only a cost CTP pricing a line without PO104 was used), so no 810 could carry them. Now each PO1 loop's
CTPs before its N9 / N1 / SLN / SCH with a CTP02 and a CTP03 are kept on the line (ORDER_LINES line_prices, CTP01 ..
CTP05 as sent, in the order sent); a partner lists the CTP02 qualifiers its 810 echoes ([fulfilment.invoice] ctp),
each a CTP after the IT1 (after its TXI, before its PID: position 050). The default echoes none: every 810 stays as
it was."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from schemas.fulfilment import InvoiceSettings
from schemas.orders import LINES_ADDED_LATER, ORDER_LINES
from tests.support import GOOD_PO
from tests.test_line_refs import _invoice, _it1_loops, _lines, a_shipped_day, stored_without, with_line_refs
from tests.test_mark_for import maps  # noqa: F401 (a fixture: pyx12's maps)

HEAD = GOOD_PO[:6]
# line 1: the retail and suggested prices (CTP05 a composite: its first component kept); line 2: none of its own;
# line 3: a CTP without CTP03 (not kept), a retail price, then an SLN whose CTP prices that subline (not the line's)
CTP_LINES = ["PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1", "CTP*RS*RES*4.99", "CTP**MSR*5.49*1*EA>>1",
             "PID*F****WIDGET",
             "PO1*2*6*EA*10*PE*VN*SKU-2",
             "PO1*3*6*EA*10*PE*VN*SKU-2", "CTP*RS*RES", "CTP*RS*RES*19.99", "SLN*1**I*2*EA", "CTP*RS*RES*9.99",
             "CTT*3*24"]


def test_each_po1_loop_keeps_its_own_ctps_as_sent():
    orders, lines = _lines(HEAD[:1] + ["CTP*RS*RES*1.00"] + HEAD[1:] + CTP_LINES)
    assert lines.schema == ORDER_LINES
    assert lines["line_prices"].to_pylist() == [
        [{"class_of_trade": "RS", "qualifier": "RES", "price": "4.99", "quantity": None, "unit": None},
         {"class_of_trade": None, "qualifier": "MSR", "price": "5.49", "quantity": "1", "unit": "EA"}],
        None,  # none of its own: the heading's CTP is no line's
        [{"class_of_trade": "RS", "qualifier": "RES", "price": "19.99", "quantity": None, "unit": None}]]
    assert lines["unit_price"].to_pylist()[0] == 2.5  # PO104 prices the line as before: RES is not a cost CTP
    assert lines["description"].to_pylist()[0] == "WIDGET"


def test_a_po_without_ctps_reads_as_before():
    _, lines = _lines(GOOD_PO)
    assert lines["line_prices"].to_pylist() == [None, None]


def test_order_lines_stored_before_line_prices_were_kept_read_them_as_none(tmp_path):
    loaded = stored_without(tmp_path, HEAD + CTP_LINES, "line_prices")
    assert loaded.schema == ORDER_LINES and loaded["line_prices"].to_pylist() == [None, None, None]
    assert "line_prices" in LINES_ADDED_LATER


# --- the 810 ----------------------------------------------------------------------------------------------------
# ACME-1000's lines 1 and 2 (shipped on SHP-1001): retail and suggested prices; a quantity without its unit on line 2
RETAIL = {"1": "CTP*RS*RES*29.99~CTP**MSR*34.99*1*EA", "2": "CTP*RS*MSR*12.00~CTP*RS*RES*9.99*6"}


def test_the_810_echoes_the_lines_ctps_of_the_qualifiers_asked_after_the_it1_before_the_pid():
    loops = _it1_loops(_invoice(InvoiceSettings(ctp=("RES",)), RETAIL, before_pid=True))
    assert loops["1"] == [["CTP", "RS", "RES", "29.99"], ["PID", "F", "", "", "", "Copy paper A4"]]
    # CTP04 without CTP05 (X12's P0405: both or neither) is not echoed; the price is
    assert loops["2"][0] == ["CTP", "RS", "RES", "9.99"]
    assert not any(seg[0] == "CTP" for line, segs in loops.items() if line not in ("1", "2") for seg in segs)
    both = _it1_loops(_invoice(InvoiceSettings(ctp=("MSR", "RES")), RETAIL, before_pid=True))
    assert [seg for seg in both["1"] if seg[0] == "CTP"] == [["CTP", "RS", "RES", "29.99"],  # in the order sent
                                                              ["CTP", "", "MSR", "34.99", "1", "EA"]]
    assert [seg for seg in both["2"] if seg[0] == "CTP"] == [["CTP", "RS", "MSR", "12.00"],
                                                              ["CTP", "RS", "RES", "9.99"]]


def test_by_default_the_810_is_the_one_it_always_was():
    plain = _invoice(InvoiceSettings(), refs={})
    assert _invoice(InvoiceSettings(), RETAIL, before_pid=True) == plain  # kept, none asked for: the same
    assert _invoice(InvoiceSettings(ctp=("RES",)), refs={}) == plain  # asked for, none sent


@pytest.mark.parametrize("ctp", [["RE"], ["res"], ["RES", "RES"], "RES"])
def test_a_ctp_setting_that_is_not_a_list_of_price_identifiers_is_refused_at_load(ctp):
    with pytest.raises(ValidationError, match="ctp"):
        InvoiceSettings.model_validate({"ctp": ctp})


@pytest.mark.parametrize("partner", ["acme", "globex"])  # 004010 and 005010
def test_our_validator_bots_and_pyx12_take_the_810_with_ctps(partner, tmp_path, maps):  # noqa: F811
    from tests.shipping_support import PROFILES, wrap_for
    from tests.test_mark_for import accepted

    body = _invoice(InvoiceSettings(ctp=("RES", "MSR"), item_pid=True, ctt_hash=True), RETAIL, before_pid=True)
    assert sum(seg[0] == "CTP" for seg in body) == 4
    accepted(wrap_for(PROFILES[partner], "IN", "810", [body]), tmp_path, maps)


def test_a_run_echoes_a_partners_ctps_in_its_810(tmp_path, maps):  # noqa: F811
    """Through the night and the day's shipments (billing's canonical columns, the 810 built as segments for a
    partner asking for CTPs): the outbox's 810 of ACME-1001 carries them, and passes every checker."""
    from tests.retailer_support import po_segments, segments
    from tests.test_mark_for import accepted

    ws = a_shipped_day(tmp_path, with_line_refs("ACME-1001", {"4": "CTP*RS*RES*14.99",
                                                               "5": "CTP*RS*MSR*8.00~CTP*RS*RES*7.49"},
                                                 before_pid=True), "[fulfilment.invoice]", 'ctp = ["RES"]')
    invoice = po_segments(segments(ws, "acme", "810"), "ACME-1001", "BIG")
    ctps = [(invoice[k - 1][:2], seg) for k, seg in enumerate(invoice) if seg[0] == "CTP"]
    assert ctps == [(["IT1", "4"], ["CTP", "RS", "RES", "14.99"]), (["IT1", "5"], ["CTP", "RS", "RES", "7.49"])]
    for path in sorted((ws.drop_root / "acme" / "outbox").glob("acme-810-*.x12")):
        accepted(path.read_bytes(), tmp_path, maps)


def test_a_price_sent_with_an_exponent_goes_back_as_its_plain_number():
    """005010 lets an R value carry an exponent (CTP03 ``2.999E1``); 004010 does not, and an 810 may go in another
    version than the PO came in: the CTP carries the number (29.99). A price that is no number is not echoed."""
    from engine.asn import line_price_segments

    sent = [("RS", "RES", "2.999E1", "1E0", "EA"), ("RS", "RES", "NOT A PRICE", "", ""), ("", "RES", "-0.50", "", "")]
    assert line_price_segments(sent, ("RES",)) == [["CTP", "RS", "RES", "29.99", "1", "EA"],
                                                   ["CTP", "", "RES", "-0.50"]]


# --- the 860 ----------------------------------------------------------------------------------------------------
def test_a_poc_loop_s_ctps_replace_the_line_s_and_an_added_line_keeps_its_own():
    """An 860 POC loop's CTPs are read as the 850's PO1 loop's (ORDER_CHANGES line_prices) and, the change applied,
    replace the line's: a retail price moved by the buyer is the one the 810 echoes; a POC without CTP leaves the
    line's, an added line (AI) has its own; a rejected POC changes nothing."""
    from engine.changes import apply_changes
    from tests.changes.builders import read_change

    order, lines = _lines(HEAD + CTP_LINES)
    lines = lines.slice(0, 2)  # lines 1 (RES 4.99, MSR 5.49) and 2 (none)
    pocs = ["POC*1*PC*12*12*EA*2.40*PE", "CTP*RS*RES*4.49", "POC*2*QI*8*8*EA", "POC*3*AI*4*4*EA*3*PE*VN*SKU-3",
            "CTP*RS*RES*6.99*1*EA", "PID*F****NEW"]
    header, changes = read_change(pocs)
    assert changes["line_prices"].to_pylist() == [
        [{"class_of_trade": "RS", "qualifier": "RES", "price": "4.49", "quantity": None, "unit": None}], None,
        [{"class_of_trade": "RS", "qualifier": "RES", "price": "6.99", "quantity": "1", "unit": "EA"}]]
    got = apply_changes(order.to_pylist()[0], lines, header, changes, shipped=False)
    assert [r.status for r in got.line_results] == ["IP", "IQ", "IA"]
    prices = {r["line_id"]: r["line_prices"] for r in got.new_lines.to_pylist()}
    assert prices == {"1": [{"class_of_trade": "RS", "qualifier": "RES", "price": "4.49", "quantity": None,
                             "unit": None}],
                      "2": None,
                      "3": [{"class_of_trade": "RS", "qualifier": "RES", "price": "6.99", "quantity": "1",
                             "unit": "EA"}]}
    header, changes = read_change(["POC*9*PC*1*1*EA*1*PE", "CTP*RS*RES*1.00"])  # no line 9: rejected
    got = apply_changes(order.to_pylist()[0], lines, header, changes, shipped=False)
    assert [r.status for r in got.line_results] == ["IR"]
    assert got.new_lines["line_prices"].to_pylist() == lines["line_prices"].to_pylist()


def test_an_860_repeated_with_other_ctps_is_not_the_same_change():
    from engine.changes import change_fingerprint
    from tests.changes.builders import read_change

    one = read_change(["POC*1*PC*12*12*EA*2.40*PE", "CTP*RS*RES*4.49"])
    same = read_change(["POC*1*PC*12*12*EA*2.40*PE", "CTP*RS*RES*4.49"])
    other = read_change(["POC*1*PC*12*12*EA*2.40*PE", "CTP*RS*RES*4.99"])
    assert change_fingerprint(*one) == change_fingerprint(*same) != change_fingerprint(*other)
