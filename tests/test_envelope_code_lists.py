"""ISA01/ISA03/ISA05/ISA07/ISA15 accept their standard code lists (I01, I03, I05, I14), per
interchange control version; a code outside the list is still refused with its TA1 note code."""

from __future__ import annotations

from datetime import date

import pytest

from engine.acks import interchange_rejected, ta1_segment
from parsers.x12_reader import read_interchanges
from rules.envelope import check_envelopes
from schemas.interchange_codes import isa_codes


def isa(*, auth="00", sec="00", sender_q="ZZ", receiver_q="ZZ", version="00401", usage="P") -> bytes:
    """A one-PO interchange whose ISA carries the given qualifiers (fixed width kept)."""
    gs_version = "005010" if version == "00501" else "004010"
    rep = "^" if version >= "00402" else "U"
    text = (f"ISA*{auth}*{'AUTH' if auth != '00' else '':<10}*{sec}*{'SECRET' if sec != '00' else '':<10}*"
            f"{sender_q}*{'SENDER':<15}*{receiver_q}*{'RECEIVER':<15}*261127*1200*{rep}*{version}*000000001*0*"
            f"{usage}*>~GS*PO*SENDER*RECEIVER*20261127*1200*1*X*{gs_version}~ST*850*0001~"
            "BEG*00*SA*PO-1**20261126~PO1*1*1*EA*1*PE*VN*X~CTT*1~SE*5*0001~GE*1*1~IEA*1*000000001~")
    return text.encode()


def codes(data: bytes) -> set[str]:
    result = read_interchanges(data)
    return {f.code for f in result.findings + check_envelopes(result)}


@pytest.mark.parametrize("auth", ["00", "01", "02", "03", "04", "05", "06"])
@pytest.mark.parametrize("version", ["00401", "00501"])
def test_every_authorization_qualifier_is_accepted(auth, version):
    assert "ISA_AUTH_QUALIFIER_INVALID" not in codes(isa(auth=auth, version=version))


def test_an_interchange_with_isa01_01_is_answered_ta1_accepted():
    result = read_interchanges(isa(auth="01"))
    findings = result.findings + check_envelopes(result)
    [ic] = result.interchanges
    assert not interchange_rejected(ic, findings)
    assert ta1_segment(ic, findings, today=date(2026, 11, 27))[4:] == ["A", "000"]


@pytest.mark.parametrize("sec", ["00", "01"])
def test_security_qualifiers(sec):
    assert "ISA_SECURITY_QUALIFIER_INVALID" not in codes(isa(sec=sec))


@pytest.mark.parametrize("qualifier", ["01", "02", "08", "09", "10", "12", "14", "16", "20", "21", "26", "30", "31",
                                       "32", "34", "NR", "SN", "ZZ"])
@pytest.mark.parametrize("version", ["00401", "00501"])
def test_interchange_id_qualifiers_of_both_versions(qualifier, version):
    found = codes(isa(sender_q=qualifier, receiver_q=qualifier, version=version))
    assert not found & {"ISA_SENDER_QUALIFIER_INVALID", "ISA_RECEIVER_QUALIFIER_INVALID"}


@pytest.mark.parametrize("qualifier", ["07", "35", "36", "37", "38", "AM", "SA"])
def test_qualifiers_added_in_00501(qualifier):
    assert "ISA_SENDER_QUALIFIER_INVALID" not in codes(isa(sender_q=qualifier, version="00501"))


def test_version_difference_is_kept():
    assert "AM" in isa_codes("ISA05", "00501") and "AM" not in isa_codes("ISA05", "00401")
    assert "38" in isa_codes("ISA07", "00501") and "38" not in isa_codes("ISA07", "00401")
    # a control version without its own list: every code some version defines
    assert isa_codes("ISA05", "00403") >= isa_codes("ISA05", "00401") | isa_codes("ISA05", "00501")


def test_information_usage_indicator_is_valid():
    assert "ISA_USAGE_INVALID" not in codes(isa(usage="I"))


@pytest.mark.parametrize("field, kwargs, code, note", [
    ("ISA01", {"auth": "07"}, "ISA_AUTH_QUALIFIER_INVALID", "010"),
    ("ISA03", {"sec": "02"}, "ISA_SECURITY_QUALIFIER_INVALID", "012"),
    ("ISA05", {"sender_q": "XX"}, "ISA_SENDER_QUALIFIER_INVALID", "005"),
    ("ISA07", {"receiver_q": "AM", "version": "00401"}, "ISA_RECEIVER_QUALIFIER_INVALID", "007"),
    ("ISA15", {"usage": "X"}, "ISA_USAGE_INVALID", "020"),
])
def test_codes_outside_the_lists_are_still_refused(field, kwargs, code, note):
    result = read_interchanges(isa(**kwargs))
    findings = result.findings + check_envelopes(result)
    assert code in {f.code for f in findings}
    [ic] = result.interchanges
    assert ta1_segment(ic, findings, today=date(2026, 11, 27))[4:] == ["R", note]
