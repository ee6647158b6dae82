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
from tests.test_acks_and_outputs import PROFILES, render, segments
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


# --- versions we hold no dictionary for --------------------------------------------------------

PO_003040 = ["BEG*00*SA*PO-3040**261127", "DTM*002*261210", "N1*ST*Acme Store 2*92*0002",
             "PO1*1*4*EA*19.70**UP*614141100101", "CTT*1*4"]
# 007030: a name longer than 004010's N102 (AN 1/60) and a segment neither 004010 nor 005010 has in an 850
PO_007030 = ["BEG*00*SA*PO-7030**20261127", "DTM*002*20261210", "N1*ST*" + "Receiving dock " * 6 + "*92*0002",
             "QQQ*NEW*SEGMENT", "PO1*1*3*EA*19.70**UP*614141100101"]


def test_an_003040_or_007030_po_is_accepted_and_read_by_default():
    for body, version, isa12, gs04 in ((PO_003040, "003040", "00304", "261127"),
                                       (PO_007030, "007030", "00703", "20261127")):
        out = run(interchange(body, version=version, gs04=gs04, isa12=isa12))
        assert out.error_count == 0 and out.orders.num_rows == 1, [f.code for f in out.findings]
        segs = segments(render(out)["997"])
        assert ["AK5", "A"] in segs and ["AK9", "A", "1", "1", "1"] in segs


def test_what_every_version_requires_is_still_required_in_other_versions():
    body = ["BEG*00*SA***20261127", "DTM*002*20261210", "CTT*1"]  # no PO number, no PO1 line
    out = run(interchange(body, version="007030", isa12="00703"))
    got = {(f.code, f.location.element or f.location.segment_id) for f in out.findings if f.severity == "error"}
    assert got == {("ELEMENT_MANDATORY_MISSING", "BEG03"), ("SEGMENT_MANDATORY_MISSING", "PO1")}
    assert out.orders.num_rows == 0
    segs = segments(render(out)["997"])
    assert ["AK5", "R", "5"] in segs


def test_the_reject_setting_still_rejects_other_versions():
    profile = PROFILES["acme"].model_copy(update={"x12": PROFILES["acme"].x12.model_copy(
        update={"other_versions": "reject"})})
    out = run(interchange(PO_007030, version="007030", isa12="00703"), profile=profile)
    assert {f.code for f in out.findings if f.severity == "error"} == {"GS_VERSION_UNSUPPORTED"}


def test_a_945_in_another_version_is_read():
    from flows.shipments import read_confirmations
    from schemas.warehouses import load_warehouses
    from tests.support import REPO

    north = load_warehouses(REPO / "warehouses")["north"]
    data = (REPO / "sample_files" / "shipments" / "3pl-945.x12").read_bytes()
    same = read_confirmations(data, north, file="in.945", sha256="x")
    other = read_confirmations(data.replace(b"*U*00401*", b"*^*00403*").replace(b"*X*004010~", b"*X*004030~"),
                               north, file="in.945", sha256="x")
    assert other.findings == same.findings == () and other.lines.num_rows == same.lines.num_rows == 3


# --- an ISA not written fixed-width ----------------------------------------------------------------

def test_an_unpadded_isa13_is_read_as_its_number_with_a_warning():
    body = ["BEG*00*SA*PO-1**20261126", "PO1*1*12*EA*2.50**UP*614141100101"]
    data = interchange(body).replace(b"*000000001*0*P*", b"*1*1*P*").replace(b"IEA*1*000000001", b"IEA*1*1")
    out = run(data)
    assert [(f.code, f.severity) for f in out.findings] == [("ISA_NOT_FIXED_WIDTH", "warning")]
    assert out.orders.num_rows == 1
    assert segments(render(out)["TA1"])[1][1:5] == ["000000001", "261127", "1200", "A"]
    for isa13 in (b"*1X*", b"*1234567890*", b"**"):
        bad = interchange(body).replace(b"*000000001*0*P*", isa13 + b"0*P*")
        assert "ISA_CONTROL_NUMBER_INVALID" in {f.code for f in run(bad).findings}


# --- codes: complete lists, and codes later versions added ---------------------------------------

def test_a_partners_004010_997_with_later_or_security_codes_is_processed():
    from engine.process import Known, process_file
    from tests.support import TODAY
    from tests.test_partner_acks import interchange as fa_interchange

    for body in (["AK1*PR*17", "AK2*855*0001", "AK3*PO1*5**8", "AK4*2>1*330*12*X", "AK5*R*5", "AK9*R*1*1*0"],
                 ["AK1*PR*17", "AK9*R*1*1*0*19"]):  # AK403 12 (from 005050); AK905 19, a 004010 security code
        out = process_file(fa_interchange([body]), file="ack.x12", sha256="s", profile=PROFILES["acme"],
                           known=Known(), today=TODAY)
        assert (out.findings, out.disposition) == ([], "processed")
    bad = ["AK1*PR*17", "AK2*855*0001", "AK3*PO1*5**8", "AK4*2>1*330*99*X", "AK5*R*5", "AK9*R*1*1*0"]
    out = process_file(fa_interchange([bad]), file="ack.x12", sha256="s", profile=PROFILES["acme"], known=Known(),
                       today=TODAY)
    assert [f.code for f in out.findings] == ["ELEMENT_INVALID_CODE"]  # no version defines AK403 99


def test_a_purpose_code_of_005010_is_no_syntax_error_in_004010():
    # BEG01 57 (Initial) is a 353 code from 005010 on: the 997 accepts the set; the business rules decide
    body = ["BEG*57*SA*PO-1**20261126", "PO1*1*12*EA*2.50**UP*614141100101"]
    assert structure(interchange(body)) == []
    assert structure(interchange(["BEG*Q9*SA*PO-1**20261126", "PO1*1*12*EA*2.50"])) == [
        ("ELEMENT_INVALID_CODE", "BEG", "BEG01")]


# --- parties: N1*ST sent with the lines ------------------------------------------------------------

def _night(tmp_path, body: list[str]):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    inbox = ws.drop_root / "acme" / "inbox"
    for p in inbox.iterdir():
        p.unlink()
    (inbox / "po.x12").write_bytes(interchange(body))
    _results, night = run_stages(ws, datetime(2026, 11, 27, 2, 0))
    return ws, {f.code for f in night.findings}


def test_a_ship_to_sent_in_the_po1_loops_is_the_orders_ship_to(tmp_path):
    body = ["BEG*00*SA*PO-S**20261126", "CUR*BY*USD", "DTM*002*20261215",
            "PO1*1*12*EA*19.70**UK*00614141100101", "N1*ST*Acme Store 2*92*0002", "N3*2500 Oak Ave",
            "N4*Columbus*OH*43215*US", "PO1*2*6*EA*19.70**UK*00614141100101", "N1*ST*Acme Store 2*92*0002", "CTT*2"]
    ws, codes = _night(tmp_path, body)
    assert "SHIP_TO_UNKNOWN" not in codes, codes
    [doc] = (ws.drop_root / "acme" / "outbox").glob("*855*")
    assert "BAK*00*AD*PO-S" in doc.read_text()
    result = read_interchanges(interchange(body))
    orders, _lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    assert orders.select(["ship_to_id", "ship_to_city"]).to_pylist() == [{"ship_to_id": "0002",
                                                                          "ship_to_city": "Columbus"}]


def test_lines_shipping_to_several_places_still_wait_for_a_person(tmp_path):
    body = ["BEG*00*SA*PO-M**20261126", "CUR*BY*USD", "DTM*002*20261215",
            "PO1*1*12*EA*19.70**UK*00614141100101", "N1*ST*Acme Store 2*92*0002",
            "PO1*2*6*EA*19.70**UK*00614141100101", "N1*ST*Acme Store 1*92*0001", "CTT*2"]
    _ws, codes = _night(tmp_path, body)
    assert "SHIP_TO_UNKNOWN" in codes
