"""The standard layer accepts what X12 accepts (issue 8): real partners' 850s use whole element lists,
the 005010 table, older versions and purposes we do not act on. Each case is valid X12 described by
its traits; each was rejected (997 R) or misjudged before the validator read the dictionaries."""

from __future__ import annotations

from datetime import date

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from tests.support import ISA
from tests.test_acks_and_outputs import PROFILES, TODAY, render, segments


def interchange(body: list[str], *, version: str = "004010", gs04: str = "20261127", isa12: str = "00401",
                repetition: str = "U") -> bytes:
    """One ACME PO interchange in GS08 ``version`` around ``body`` (segments without terminators)."""
    isa = ISA.format(isa13=1, ack="0").replace("*U*00401*", f"*{repetition}*{isa12}*")
    text = (isa + f"GS*PO*ACMERETAIL*ORDERBRIDGE*{gs04}*1200*1*X*{version}~\n" + "ST*850*0001~\n"
            + "".join(s + "~\n" for s in body) + f"SE*{len(body) + 2}*0001~\nGE*1*1~\nIEA*1*000000001~\n")
    return text.encode()


def structure(data: bytes) -> list[tuple[str, str, str]]:
    result = read_interchanges(data)
    return [(f.code, f.location.segment_id, f.location.element)
            for f in check_structure(result, list(result.transaction_sets()))]


def run(data: bytes, partner: str = "acme", profile=None):
    return process_file(data, file="t.x12", sha256="sha", profile=profile or PROFILES[partner], known=Known(),
                        today=TODAY)


# Every element of these segments is used: the old tables stopped at FOB01, PO4 03, CTT02, REF03, N9 03,
# TD5 05, PID05, MSG02, CUR03 and SDQ04, and gave such POs ELEMENT_TOO_MANY and a 997 R.
FULL_004010 = [
    "BEG*00*SA*PO-1**20261126",
    "CUR*BY*USD*1.2500*SE*CAD*IMF*007*20261126*1200",
    "REF*DP*042*DEPARTMENT 42*VN>V-1",
    "FOB*PP*OR*FACTORY*01*CIF*DE*WAREHOUSE 3*01*BUYER BEARS RISK",
    "DTM*010*20261210",
    "TD5*O*2*UPSN*M*UPS GROUND*CC*ZZ*HUB1*BS*CD*3*SD*3D*ND*US",
    "N9*L1*NOTES*FREE TEXT*20261126*1200*ET*ZZ>A1",
    "MSG*HANDLE WITH CARE*LC*1",
    "N1*ST*DC 7*92*DC07",
    "N3*1 Way",
    "N4*Columbus*OH*43215*US*CY*FRANKLIN",
    "PO1*1*12*EA*2.50*PE*UP*073000040482*VN*SKU-1",
    "PID*F*08*VI*ABC123*WIDGET*TP*SRC*N*EN",
    "PO4*12*1*EA*CTN25*G*5*LB*1.2*CF*10*10*10*IN*2*TP*A1*A2*1",
    "SDQ*EA*92*S001*6*S002*6",
    "CTT*1*12*60*LB*1.2*CF*TOTALS",
]


# its MSG note is kept nowhere and its SDQ's store quantities are not applied: warnings, the findings such a PO
# gets (no syntax finding)
SDQ_NOTE = [("NOTES_NOT_KEPT", "MSG", "MSG01"), ("SDQ_NOT_APPLIED", "SDQ", "SDQ03")]


def test_a_po_using_whole_element_lists_gets_no_finding():
    assert structure(interchange(FULL_004010)) == SDQ_NOTE


def test_a_po_using_whole_element_lists_is_accepted_in_the_997():
    out = run(interchange(FULL_004010))
    assert out.error_count == 0 and out.orders.num_rows == 1
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and ["AK9", "A", "1", "1", "1"] in segs


# 005010: N4 has 7 elements; the heading has an LDT loop, MTX/PWK/EFI under N9 and IN2 under N1.
FULL_005010 = [
    "BEG*00*SA*PO-1**20261126",
    "LDT*AF*10*CD*20261130",
    "MTX*GEN*LEAD TIME AGREED BY PHONE",
    "N9*L1*NOTES",
    "MTX*GEN*DELIVER TO DOCK 4",
    "PWK*OZ*BM",
    "EFI*05",
    "N1*BY*JOHN BUYER",
    "IN2*02*JOHN",
    "N1*ST*Toronto DC*92*T1",
    "N4*Toronto**M5V 2T6*CA***ON",
    "PO1*1*12*EA*2.50*PE*UP*073000040482",
    "CTT*1*12",
]


def test_a_005010_po_is_judged_by_the_005010_table():
    # its MTX notes are kept nowhere, as FULL_004010's MSG, nor its lead time (LDT AF 10 CD, the first of them
    # told): a warning, the one finding such a PO gets (no syntax finding)
    assert structure(interchange(FULL_005010, version="005010", isa12="00501", repetition="^")) == [
        ("NOTES_NOT_KEPT", "LDT", "LDT01")]


def test_the_same_po_in_004010_breaks_the_004010_table():
    got = structure(interchange(FULL_005010, version="004010"))
    assert ("SEGMENT_NOT_IN_SET", "EFI", "") in got and ("SEGMENT_NOT_IN_SET", "IN2", "") in got
    assert ("ELEMENT_TOO_MANY", "N4", "N407") in got  # 004010 N4 has 6 elements


def test_too_many_elements_points_at_the_first_extra_element():
    body = [s if not s.startswith("N4*") else "N4*Columbus*OH*43215*US*CY*FRANKLIN*EXTRA" for s in FULL_004010]
    out = run(interchange(body))
    assert ["AK4", "7", "", "3", "EXTRA"] in segments(render(out)["997"])  # not position 1


def test_ak4_names_the_component_of_a_composite():
    body = [s if not s.startswith("PO4*") else "PO4*12*1*EACH" for s in FULL_004010]
    segs = segments(render(run(interchange(body)))["997"])
    assert ["AK3", "PO4", "15", "", "8"] in segs
    assert ["AK4", "3", "355", "5", "EACH"] in segs  # PO403 is a simple 355 in the 850
    body = [s if not s.startswith("REF*") else "REF*DP*042**VNXX>V-1" for s in FULL_004010]
    assert ["AK4", "4>1", "128", "5", "VNXX"] in segments(render(run(interchange(body)))["997"])


# --- versions we hold no dictionary for -------------------------------------------------------
OLD_PO = ["BEG*00*SA*PO-1**070102", "DTM*002*070201", "FOB*PP*OR*FACTORY*01", "PO1*1*12*EA*2.50",
          "CTT*1"]


REJECT_OTHER_VERSIONS = PROFILES["acme"].model_copy(update={"x12": PROFILES["acme"].x12.model_copy(
    update={"other_versions": "reject"})})


def test_an_003050_group_is_not_judged_by_004010_rules():
    data = interchange(OLD_PO, version="003050", gs04="070101", isa12="00305")
    assert structure(data) == []  # 6-digit dates and FOB04 are right in 003050; we hold no 003050 table
    assert run(data).error_count == 0  # by default (other_versions = "common") only what every version agrees on
    out = run(data, profile=REJECT_OTHER_VERSIONS)
    assert {f.code for f in out.findings if f.severity == "error"} == {"GS_VERSION_UNSUPPORTED"}


def test_a_six_digit_gs04_is_valid_before_004010():
    from rules.envelope import check_envelopes

    for version in ("003010", "003050"):
        codes = {f.code for f in check_envelopes(read_interchanges(interchange(OLD_PO, version=version,
                                                                                gs04="070101")))}
        assert "GS_DATE_INVALID" not in codes
    codes = {f.code for f in check_envelopes(read_interchanges(interchange(OLD_PO, gs04="070101")))}
    assert "GS_DATE_INVALID" in codes  # 004010 GS04 is CCYYMMDD


def test_the_997_for_an_unsupported_group_is_consistent():
    body = OLD_PO
    data = interchange(body, version="003050", gs04="070101").decode()
    two = data.replace("SE*7*0001~\n", "SE*7*0001~\nST*850*0002~\n" + "".join(s + "~\n" for s in body)
                       + "SE*7*0002~\n").replace("GE*1*1", "GE*2*1").encode()
    segs = segments(render(run(two, profile=REJECT_OTHER_VERSIONS))["997"])
    assert ["AK9", "R", "2", "2", "0", "2"] in segs  # rejected: version not supported (other_versions = "reject")
    ak5 = [s for s in segs if s[0] == "AK5"]
    assert ak5 and all(s[1] == "R" for s in ak5)  # no set says A inside a rejected group
    assert not [s for s in segs if s[0] in ("AK3", "AK4")]  # never judged by another version's rules


def test_envelope_only_reads_orders_of_other_versions():
    profile = PROFILES["acme"].model_copy(update={"x12": PROFILES["acme"].x12.model_copy(
        update={"other_versions": "envelope_only"})})
    out = run(interchange(OLD_PO, version="003050", gs04="070101"), profile=profile)
    assert out.error_count == 0 and out.orders.num_rows == 1
    # the versions before 004010 date in YYMMDD: read as such, not as CCYYMMDD ("070102" was 0701-??)
    order = out.orders.to_pylist()[0]
    assert (order["po_date"], order["requested_delivery_date"]) == (date(2007, 1, 2), date(2007, 2, 1))
    segs = segments(render(out)["997"])
    assert ["AK5", "A"] in segs and ["AK9", "A", "1", "1", "1"] in segs


def test_a_lading_quantity_needs_no_commodity_qualifier():
    """TD1's notes are C0102 C0304 C0607 P0708 P0910: "TD1*CTN25*5" (as real 856s and 850s send it) is
    valid; the dictionary had an extra C0203 that made TD102 require TD103."""
    body = FULL_004010[:5] + ["TD1*CTN25*5"] + FULL_004010[5:]
    assert structure(interchange(body)) == SDQ_NOTE
