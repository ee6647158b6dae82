"""Valid X12 that real translators send and that we used to refuse: R values with an exponent or with
leading zeros, an ST02 with punctuation, empty elements after a segment's last defined one, and groups
in X12 versions we hold no dictionary for (003040, 007030 ...). Each PO here is valid X12 described by
its traits; each was refused (997 R, 855 RD/IR or no order) before this file's fixes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pyarrow as pa

from parsers.orders_850 import _decimal, read_orders
from parsers.x12_reader import read_interchanges
from tests.support import make_workspace, run_stages
from tests.test_acks_and_outputs import render, segments
from tests.test_x12_standard_layer import interchange, run, structure


def _lines(data: bytes) -> list[dict]:
    result = read_interchanges(data)
    _orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    return lines.select(["quantity", "unit_price"]).to_pylist()


# --- R values (X12.6: a minus sign, a decimal point, and from 005010 an exponent) -------------------

def test_r_values_with_an_exponent_or_leading_zeros_are_read_as_their_number():
    body = ["BEG*00*SA*PO-1**20261126", "PO1*1*1.5E1*EA*1.97E1**UP*614141100101",
            "PO1*2*000000000000002*EA*0019.70**UP*614141100101",  # R 1/15: 15 digits, leading zeros
            "PO1*3*25E-1*EA*.5**UP*614141100101", "CTT*3"]
    data = interchange(body, version="005010", isa12="00501", repetition="^")
    assert structure(data) == []
    assert _lines(data) == [{"quantity": Decimal("15"), "unit_price": Decimal("19.7")},
                            {"quantity": Decimal("2"), "unit_price": Decimal("19.7")},
                            {"quantity": Decimal("2.5"), "unit_price": Decimal("0.5")}]


def test_numbers_beyond_what_we_hold_stay_unread_and_never_crash():
    # PO104 is R 1/17: "99999999999999.999" is held; with two more decimals it rounds past decimal128(18, 4)
    # (it used to raise ArrowInvalid), and 1E999 or 15 significant digits are no price we can hold
    got = _decimal(pa.array(["99999999999999.999", "99999999999999.99999", "1E999", "123456789012345", "abc",
                             "1.2.3", "-00012", None]))
    assert got.to_pylist() == [Decimal("99999999999999.999"), None, None, None, None, None, Decimal("-12"), None]


def test_a_005010_po_with_exponents_is_acknowledged_as_sent(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    body = ["BEG*00*SA*PO-E**20261126", "CUR*BY*USD", "DTM*002*20261215", "N1*ST*Acme Store 2*92*0002",
            "PO1*1*1.2E1*EA*1.97E1**UK*00614141100101", "CTT*1"]
    (inbox / "po.x12").write_bytes(interchange(body, version="005010UCS", isa12="00501", repetition="^"))
    _results, night = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    codes = {f.code for f in night.findings}
    assert not codes & {"QTY_NOT_POSITIVE", "PRICE_MISSING"}, codes
    [doc] = (ws.drop_root / "acme" / "outbox").glob("*855*")
    text = doc.read_text()
    assert "BAK*00*AD*PO-E" in text and "ACK*IA*12*EA" in text


# --- ST02 is AN 4/9 ----------------------------------------------------------------------------

def test_an_st02_with_punctuation_is_a_control_number():
    data = interchange(["BEG*00*SA*PO-1**20261126", "PO1*1*12*EA*2.50**UP*614141100101"]).replace(
        b"*0001~", b"*A-01~")
    out = run(data)
    assert out.error_count == 0 and out.orders.num_rows == 1
    segs = segments(render(out)["997"])
    assert ["AK2", "850", "A-01"] in segs and ["AK5", "A"] in segs


def test_an_st02_too_short_or_with_a_control_character_is_still_refused():
    for st02 in (b"A-1", b"A\x01B2"):
        data = interchange(["BEG*00*SA*PO-1**20261126", "PO1*1*12*EA*2.50"]).replace(b"*0001~", b"*" + st02 + b"~")
        assert "ST_CONTROL_NUMBER_INVALID" in {f.code for f in run(data).findings}


# --- empty elements after the last defined one (trailing separators) ----------------------------

def test_empty_trailing_elements_and_components_are_not_elements():
    body = ["BEG*00*SA*PO-1**20261126*****", "REF*DP*042*DEPT*VN>V-1>>>>>>",  # BEG: 12 elements, C040: 6
            "DTM*002*20261210*235959****",  # DTM has 6 elements
            "PO1*1*12*EA*2.50**UP*614141100101**", "CTT*1*12*****************"]
    assert structure(interchange(body)) == []
    assert run(interchange(body)).error_count == 0


def test_a_value_after_the_last_defined_element_is_still_too_many():
    got = structure(interchange(["BEG*00*SA*PO-1**20261126", "REF*DP*042*DEPT*VN>V-1>>>>>X",
                                 "DTM*002*20261210*****X", "PO1*1*12*EA*2.50"]))
    assert ("ELEMENT_TOO_MANY", "DTM", "DTM07") in got
    assert ("ELEMENT_TOO_MANY_COMPONENTS", "REF", "REF04") in got

