"""A PER too long is accepted with errors noted (rules.lenient HARMLESS: PER02, PER04/06/08, PER09; a grocer's G6102,
G6104), because the one PER we send back, the ship-to's in the 856 (asn.ship_to_contact), is written as the 856's
version holds it (engine.asn.fitted_contact): the name cut to its element, as every name we write, and a
communication number that does not fit left out with its qualifier (a phone or an e-mail cut is a wrong one; X12
pairs PER03/PER04, so both go). It used to refuse the whole PO (997 AK5 R): the 856 echoed the PER as sent and a
value too long would have made our own 856 invalid.

The night: ShopDirect (rg70, 005010, ship_to_contact) sends a consumer drop ship whose PER has a name of 61 (N93 1/60)
and an e-mail of 257 (364 1/256). Its 997 says AK5 E with the two AK4s, the order is decided, shipped and invoiced,
and its 856 carries PER*IC*<the name cut to 60>*TE*<the phone>, passing our validator, Bots and pyx12."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from engine.asn import contact_fit, fitted_contact
from tests.retailer_support import (
    maps,  # noqa: F401 (a fixture)
    of_its_own,
    po_segments,
    segments,
    shipped_night,
)
from tests.support import GOOD_PO, REPO, x12_850
from tests.test_rg70_addresses import FIXTURES, NIGHT, SHIP_DAY, WAREHOUSES

NAME = "MARIA " + "M" * 55  # 61 characters: PER02 (93) is AN 1/60
MAIL = "MARIA.MUNOZ." + "X" * 233 + "@EXAMPLE.COM"  # 257 characters: PER04 (364) is AN 1/256 in 005010
SENT = "PER*IC*MARIA MUNOZ*TE*3145550101*EM*MARIA.MUNOZ@EXAMPLE.COM"


def test_a_contact_is_fitted_to_the_856_s_version():
    four, five = contact_fit("004010"), contact_fit("005010")
    assert (four.name, four.number, five.name, five.number) == (60, 80, 60, 256)
    as_sent = ("IC", "MARIA MUNOZ", "TE", "3145550101", "EM", "MARIA.MUNOZ@EXAMPLE.COM")
    assert fitted_contact(as_sent, four) == as_sent  # what fits goes back as sent
    mail = "M" * 100 + "@EXAMPLE.COM"  # a 005010 PO's e-mail of 112: valid there, too long for a 004010 856
    assert fitted_contact(("IC", "MARIA", "EM", mail, "TE", "3145550101"), five) == (
        "IC", "MARIA", "EM", mail, "TE", "3145550101")
    assert fitted_contact(("IC", "MARIA", "EM", mail, "TE", "3145550101"), four) == ("IC", "MARIA", "TE", "3145550101")
    assert fitted_contact(("IC", "N" * 61, "TE", "555"), four) == ("IC", "N" * 60, "TE", "555")
    assert fitted_contact(("IC", "", "EM", mail), four) == ()  # nothing left to say: no PER
    assert fitted_contact(("IC", "MARIA", "TE", "555", "", "", "", "", "R" * 21), four) == ("IC", "MARIA", "TE", "555")


def _acks(data: bytes):
    from engine.process import Known, process_file
    from schemas.profile import load_profiles

    acme = load_profiles(REPO / "partners")["acme"]
    out = process_file(data, file="f.x12", sha256="s", profile=acme, known=Known(), today=date(2026, 11, 27))
    [doc] = [d for d in out.documents if d.doc_type == "997"]
    return out, [tuple(s) for body in doc.bodies for s in body if s[0] in ("AK3", "AK4", "AK5", "AK9")]


@pytest.mark.parametrize("per", ["PER*BD*" + "N" * 61 + "*TE*5551212",  # the buyer's contact in the heading
                                 "PER*IC*JANE*EM*" + "E" * 81,  # 364 is 1/80 in 004010
                                 "PER*IC*JANE*TE*5551212*EM*JANE@EXAMPLE.COM*FX*" + "9" * 81])
def test_a_long_contact_is_accepted_with_errors_noted(per):
    out, notes = _acks(x12_850([*GOOD_PO[:2], per, *GOOD_PO[2:]]))
    assert notes[-2:] == [("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    assert out.orders["po_number"].to_pylist() == ["PO-1"]
    [noted] = [f for f in out.findings if f.code == "ELEMENT_TOO_LONG_ACCEPTED"]
    assert noted.location.segment_id == "PER" and "a contact's" in noted.message
    assert "left out with its qualifier" in noted.message


def test_a_contact_s_code_still_refuses():
    _out, notes = _acks(x12_850([*GOOD_PO[:2], "PER*ICX*JANE*TE*5551212", *GOOD_PO[2:]]))
    assert ("AK5", "R", "5") in notes


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lenientper")
    fixtures = tmp / "rg70"
    shutil.copytree(FIXTURES, fixtures)
    po = fixtures / "drops" / "shopdirect" / "SD850_20261124.x12"
    text = po.read_text(encoding="utf-8")
    assert text.count(SENT) == 1
    po.write_text(text.replace(SENT, f"PER*IC*{NAME}*TE*3145550101*EM*{MAIL}"), encoding="utf-8")
    ws = of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES)
    yield shipped_night(ws, fixtures, NIGHT, SHIP_DAY, messages=True)
    shutil.rmtree(tmp, ignore_errors=True)


def test_the_997_accepts_the_po_with_its_contact_noted(night):
    ws, found, states = night
    acks = [tuple(s) for s in segments(ws, "shopdirect", "997")]
    first = acks[acks.index(("AK2", "850", "70021")):acks.index(("AK2", "850", "70022"))]
    assert [s for s in first if s[0] in ("AK3", "AK4", "AK5")] == [
        ("AK3", "PER", "13", "", "8"), ("AK4", "2", "93", "5", NAME), ("AK4", "6", "364", "5", MAIL[:99]),
        ("AK5", "E", "5")]  # (AK404, the copy of the bad data, holds 99)
    assert states[("shopdirect", "SD7000201")] == "invoiced"
    assert sorted((c, s) for c, s, po, _m in found if po == "SD7000201") == [
        ("ASN_LATE", "warning"), ("ELEMENT_TOO_LONG_ACCEPTED", "warning"), ("ELEMENT_TOO_LONG_ACCEPTED", "warning")]


def test_the_856_carries_the_contact_as_its_version_holds_it(night, tmp_path, maps):  # noqa: F811
    from parsers.x12_writer import transcode
    from rules.outbound import validate_outbound
    from tests.shipping_support import bots_check, read_back
    from tests.test_mark_for import accepted

    ws, _found, _states = night
    asn = po_segments(segments(ws, "shopdirect", "856"), "SD-SHP-01", "BSN")
    at = asn.index(["N4", "APO", "AE", "09126-0210", "USA"])
    assert asn[at + 1] == ["PER", "IC", NAME[:60], "TE", "3145550101"]  # the name cut, the e-mail left out
    paths = sorted((ws.drop_root / "shopdirect" / "outbox").glob("*-856-*.x12"))
    assert paths
    for path in paths:  # our validator, Bots' grammar, our reader and pyx12 take every 856
        data = path.read_bytes()
        assert [f for f in validate_outbound(data) if f.severity == "error"] == [], path.name
        ok, errors = bots_check(data, tmp_path)
        assert ok, (path.name, errors)
        read_back(data)
        accepted(transcode(data, "ascii"), tmp_path, maps)  # pyx12 as an ASCII partner gets it (the name's "Ñ")
