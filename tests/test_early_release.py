"""An 856 in X12 003050 and an 810 in 003040 (schemas.x12dict.EARLY_RELEASES; the 855, 856 and 810 in 003060 and
003070 too), as a profile names them in [x12] gs_versions: engine.early_release rewrites the body our 004010
writers built by the two dictionaries, and engine.envelope.wrap writes its group with GS04 YYMMDD in an interchange
of the release's ISA12; rules.outbound judges it by the release's dictionary. The rg54 night
(tests/test_rg54_oem_service_parts.py) writes Navistar's."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from engine.early_release import early_body
from engine.envelope import Envelope, wrap
from rules.outbound import validate_outbound
from schemas.x12 import Delimiters
from tests.retailer_support import maps  # noqa: F401 (a fixture)

D = Delimiters("*", ">", "", "~", "\n")
NOW = datetime(2026, 11, 26, 15, 0)
ENV = Envelope("ZZ", "ORDERBRIDGE", "01", "005050136", "ORDERBRIDGE", "005050136", "004010", "P", D,
               gs_versions=(("810", "003040"), ("856", "003050")))
ASN = [["BSN", "00", "SHP-1", "20261126", "1500", "0001"], ["HL", "1", "", "S", "1"],
       ["TD5", "B", "2", "FDEN", "A"], ["DTM", "011", "20261126", "0700"],
       ["N1", "ST", "RUSH TRUCK CENTER DALLAS", "92", "05123"], ["HL", "2", "1", "O", "1"],
       ["PRF", "PO-1", "", "", "20261124"], ["HL", "3", "2", "I", "0"], ["LIN", "1", "BP", "1842513C91"],
       ["SN1", "", "1", "EA"], ["CTT", "3"]]
ACK = [["BAK", "00", "AD", "PO-1", "20261124", "", "", "", "", "20261125"], ["DTM", "068", "20261125"],
       ["PO1", "1", "1", "EA", "1234.56", "", "BP", "1842513C91"], ["ACK", "IA", "1", "EA", "068", "20261125"],
       ["CTT", "1", "1"]]
INVOICE = [["BIG", "20261126", "INV1", "20261124", "PO-1", "", "", "DI"], ["ITD", "01", "3", "", "", "", "", "60"],
           ["IT1", "1", "1", "EA", "1234.56", "", "BP", "1842513C91"], ["TDS", "123456"], ["CTT", "1"]]


def _sets(content: bytes) -> list[list[str]]:
    return [s.split("*") for s in content.decode().split("~\n") if s]


def _errors(content: bytes) -> list[tuple[str, str]]:
    return [(f.code, f.location.element) for f in validate_outbound(content) if f.severity == "error"]


def test_an_856_and_810_are_written_in_their_release_and_other_sets_as_before():
    asn = wrap(ENV, "SH", "856", [ASN], isa13=7, gs06=7, st02s=[1], now=NOW)
    isa, gs, *body = _sets(asn)
    assert (isa[11], isa[12], gs[4], gs[8]) == ("U", "00305", "261126", "003050")
    assert body[1] == ["BSN", "00", "SHP-1", "261126", "1500", "0001"]
    assert ["DTM", "011", "261126", "0700"] in body and ["PRF", "PO-1", "", "", "261124"] in body
    assert _errors(asn) == []
    invoice = wrap(ENV, "IN", "810", [INVOICE], isa13=8, gs06=8, st02s=[1], now=NOW)
    isa, gs, *body = _sets(invoice)
    assert (isa[12], gs[4], gs[8]) == ("00304", "261126", "003040")
    assert body[1][:4] == ["BIG", "261126", "INV1", "261124"]
    assert _errors(invoice) == []
    # a set the profile does not name (an 855), and a profile naming none: 004010 as ever, the isa_version kept
    ack = wrap(replace(ENV, isa_control="00400"), "PR", "855", [[["BAK", "00", "AC", "PO-1", "20261124"]]], isa13=9,
               gs06=9, st02s=[1], now=NOW)
    isa, gs, *_ = _sets(ack)
    assert (isa[12], gs[4], gs[8]) == ("00400", "20261126", "004010")
    plain = wrap(replace(ENV, gs_versions=()), "SH", "856", [ASN], isa13=7, gs06=7, st02s=[1], now=NOW)
    assert _sets(plain)[0][12] == "00401" and _sets(plain)[3] == ASN[0]
    # an 856 in 003050 under a profile whose ISA12 is another (isa_version 00400): the release's own
    assert _sets(wrap(replace(ENV, isa_control="00400"), "SH", "856", [ASN], isa13=7, gs06=7, st02s=[1],
                      now=NOW))[0][12] == "00305"


def test_elements_go_by_data_element_number_and_a_value_with_no_place_is_refused_not_dropped():
    # DTM: 004010's format qualifier and period (DTM05/06) are 003050's DTM06/07 (DTM05 its century)
    assert early_body("DTM*011*20261126*0700**D8*20261126~\n", D, "003050") == \
        "DTM*011*261126*0700***D8*20261126~\n"
    # 003040's TDS01 is the Total Invoice Amount (361) where 004010 has Amount (610): by position
    assert early_body("TDS*123456*120000~\n", D, "003040") == "TDS*123456*120000~\n"
    # an empty element 004010 added simply goes; a segment the same in both is untouched
    assert early_body("PID*F****OIL FILTER****~\nHL*1**S*1~\n", D, "003050") == "PID*F****OIL FILTER~\nHL*1**S*1~\n"
    # a value in an element 004010 added (TD513) has no place in 003050's TD5: left where it stood (dates cut
    # still), and the outbound check refuses the 856 (held, not sent without it)
    assert early_body("TD5*B*2*FDEN*A*********SD~\n", D, "003050") == "TD5*B*2*FDEN*A*********SD~\n"
    asn = wrap(ENV, "SH", "856", [[*ASN[:2], ["TD5", "B", "2", "FDEN", "A", *[""] * 8, "SD"], *ASN[3:]]], isa13=7,
               gs06=7, st02s=[1], now=NOW)
    assert ("ELEMENT_TOO_MANY", "TD513") in _errors(asn)


@pytest.mark.parametrize(("kind", "body", "swap", "found"), [
    ("810", INVOICE, ("1842513C91", "9" * 31), ("ELEMENT_TOO_LONG", "IT107")),
    ("810", INVOICE, ("123456", "12345678901"), ("ELEMENT_TOO_LONG", "TDS01")),
])
def test_a_value_the_release_cannot_hold_is_refused_by_the_outbound_check(kind, body, swap, found):
    """003040's IT1 product ids hold 30 characters (004010: 48) and its TDS01 10 digits (004010: 15): valid in a 004010
    document, refused in the release's (an identifier or amount is never cut). A name is cut to the release's element
    (test_a_name_and_a_street_are_fitted_to_the_release_s_elements; it used to be refused too)."""
    changed = [[swap[1] if v == swap[0] else v for v in seg] for seg in body]
    fid = {"856": "SH", "810": "IN"}[kind]
    assert _errors(wrap(replace(ENV, gs_versions=()), fid, kind, [changed], isa13=7, gs06=7, st02s=[1], now=NOW)) == []
    assert found in _errors(wrap(ENV, fid, kind, [changed], isa13=7, gs06=7, st02s=[1], now=NOW))


def test_an_810_in_003040_needs_its_ctt_and_its_line_quantities():
    """003040's 810 makes CTT mandatory and IT102-IT104 (quantity, unit, price) mandatory; 004010 made them optional
    (CTT) and paired (IT1)."""
    without = wrap(ENV, "IN", "810", [INVOICE[:-1]], isa13=8, gs06=8, st02s=[1], now=NOW)
    assert ("SEGMENT_MANDATORY_MISSING", "") in [(c, e or "") for c, e in _errors(without)]
    bare = wrap(ENV, "IN", "810", [[*INVOICE[:2], ["IT1", "1", "", "", "", "", "BP", "X1"], *INVOICE[3:]]], isa13=8,
                gs06=8, st02s=[1], now=NOW)
    assert ("ELEMENT_MANDATORY_MISSING", "IT102") in _errors(bare)
    assert _errors(wrap(replace(ENV, gs_versions=()), "IN", "810", [INVOICE[:-1]], isa13=8, gs06=8, st02s=[1],
                        now=NOW)) == []


@pytest.mark.parametrize(("release", "swap", "found"), [
    ("003060", ("810", "IT1", 7, "9" * 41), ("ELEMENT_TOO_LONG", "IT107")),
    ("003070", ("856", "N1", 4, "RUSH-TRUCK-DALLAS-0005123"), ("ELEMENT_TOO_LONG", "N104")),
    ("003070", ("855", "PO1", 2, "1234567890"), ("ELEMENT_TOO_LONG", "PO102")),
])
def test_a_value_003060_or_003070_cannot_hold_is_refused_by_the_outbound_check(release, swap, found):
    """003060's product ids hold 40 characters (004010: 48); 003070's names are 004010's but its
    identification code (N104) still 20 (004010: 80) and its quantity ordered 9 digits (004010: 15): valid in a
    004010 document, refused in the release's (never cut)."""
    kind, seg_id, at, value = swap
    body = [[*seg[:at], value, *seg[at + 1:]] if seg[0] == seg_id else seg
            for seg in {"856": ASN, "810": INVOICE, "855": ACK}[kind]]
    fid = {"856": "SH", "810": "IN", "855": "PR"}[kind]
    assert _errors(wrap(replace(ENV, gs_versions=()), fid, kind, [body], isa13=7, gs06=7, st02s=[1], now=NOW)) == []
    early = wrap(replace(ENV, gs_versions=((kind, release),)), fid, kind, [body], isa13=7, gs06=7, st02s=[1], now=NOW)
    assert _sets(early)[1][8] == release and found in _errors(early)


EARLY = ("003040", "003050", "003060", "003070")
LONG_NAME = "RUSH TRUCK CENTER DALLAS NORTH TEXAS REGION"  # 43: N102 is 1/60 in 004010, 1/35 in 003040-003060
LONG_STREET = "4200 IRVING BLVD INDUSTRIAL PARK BUILDING 7"  # 43: N301 is 1/55 in 004010, 1/35 in 003040-003060


@pytest.mark.parametrize(("release", "kind"), [(r, k) for r in EARLY for k in ("855", "856", "810")])
def test_a_name_and_a_street_are_fitted_to_the_release_s_elements(release, kind):
    """A party's name (N102, N201/N202, PER02: element 93) is cut to the release's length as every name we write is cut
    to 004010's, and an N3's street (166) packed into N301/N302 at a blank: the document is valid in the release and
    goes (it used to be refused by the outbound check and held, ASN_NOT_BUILT naming N102). 003070's are 004010's:
    written as they are."""
    party = [["N1", "ST", LONG_NAME, "92", "05123"], ["N2", LONG_NAME, "RECEIVING"], ["N3", LONG_STREET],
             ["N4", "DALLAS", "TX", "75247", "US"], ["PER", "IC", LONG_NAME, "TE", "2145550170"]]
    body = {"856": ASN, "810": INVOICE, "855": ACK}[kind]
    at = {"856": 4, "810": 1, "855": 2}[kind]
    body = [*body[:at], *party, *body[at + (kind == "856"):]]
    fid = {"856": "SH", "810": "IN", "855": "PR"}[kind]
    content = wrap(replace(ENV, gs_versions=((kind, release),)), fid, kind, [body], isa13=7, gs06=7, st02s=[1],
                   now=NOW)
    assert _errors(content) == []
    sets = _sets(content)
    written = [s for s in sets if s[0] in ("N1", "N2", "N3", "PER")]
    if release == "003070":
        assert written == [s for s in party if s[0] != "N4"]
        return
    name = "RUSH TRUCK CENTER DALLAS NORTH TEXA"
    assert written == [["N1", "ST", name, "92", "05123"], ["N2", name, "RECEIVING"],
                       ["N3", "4200 IRVING BLVD INDUSTRIAL PARK", "BUILDING 7"],
                       ["PER", "IC", name, "TE", "2145550170"]]


def test_a_street_that_fits_in_neither_is_cut_after_filling_both():
    from engine.early_release import street_fitted

    assert street_fitted("4200 IRVING BLVD", "SUITE 400", 35) == ("4200 IRVING BLVD", "SUITE 400")
    assert street_fitted("4200 IRVING BLVD", "BUILDING 7 SUITE 400 RECEIVING DOCK DOOR 12 REAR", 35) == (
        "4200 IRVING BLVD, BUILDING 7 SUITE", "400 RECEIVING DOCK DOOR 12 REAR")
    assert street_fitted("X" * 40, "", 35) == ("X" * 35, "X" * 5)  # no blank to cut at: at 35
    assert street_fitted("A" * 30 + " " + "B" * 50, "", 35) == ("A" * 30, "B" * 35)


@pytest.mark.parametrize(("release", "kind"), [(r, k) for r in EARLY for k in ("855", "856", "810")])
def test_each_set_in_each_early_release_passes_our_validator_bots_and_pyx12(release, kind, tmp_path, maps):  # noqa: F811
    """The 855, 856 and 810 are held in 003040-003070 (sets/SET-0030x0.txt): each written there passes our reader and
    validator (by that release's dictionary), Bots' grammar of the release and pyx12 with maps generated from that
    dictionary; the 855's dates YYMMDD (BAK04, BAK09, DTM02, ACK05), 003070's BAK04 and BAK09 its date and century
    composite. Bots' 810003070 grammar cannot be loaded (its FA1 loop names a record "fa2" its records lack): that
    810 is held by our reader, validator and pyx12, Bots shown failing on its grammar alone."""
    from tests.shipping_support import bots_check
    from tests.test_mark_for import accepted
    from tests.test_pyx12_outbound import pyx12_accepts

    env = replace(ENV, gs_versions=((kind, release),))
    body = {"855": ACK, "856": ASN, "810": INVOICE}[kind]
    content = wrap(env, {"855": "PR", "856": "SH", "810": "IN"}[kind], kind, [body], isa13=7, gs06=7, st02s=[1],
                   now=NOW)
    isa, gs, *sets = _sets(content)
    assert gs[8] == release and isa[12] == "00" + release[2:5] and gs[4] == "261126"
    if (release, kind) == ("003070", "810"):
        from tests.shipping_support import read_back

        read_back(content)
        assert _errors(content) == [] and pyx12_accepts(content.decode(), maps)[0]
        ok, errors = bots_check(content, tmp_path)
        assert not ok and 'record "fa2" is in structure but not in recorddefs' in str(errors), errors
        return
    if kind != "855":
        accepted(content, tmp_path, maps)
        return
    dated = (lambda v: f"{v}>20") if release == "003070" else (lambda v: v)
    assert sets[1] == ["BAK", "00", "AD", "PO-1", dated("261124"), "", "", "", "", dated("261125")]
    assert ["ACK", "IA", "1", "EA", "068", "261125"] in sets and ["DTM", "068", "261125"] in sets
    assert _errors(content) == []  # as tests.retailer_support.all_sent_accepted checks an 855
    ok, errors = bots_check(content, tmp_path)
    assert ok, errors
    ok, ack = pyx12_accepts(content.decode(), maps)
    assert ok, ack[:800]


def test_a_release_we_cannot_write_a_set_in_is_refused_naming_those_we_can():
    """gs_versions names an early release only for a set we write in it (schemas.x12dict.EARLY_RELEASES): the 855,
    856, 810 and 865 in 003040-003070 (with an identifier: 003060VICS), the 880 in 003040 (003040UCS). Any other pair
    is refused when the profile is read, the message naming what can be named."""
    from schemas.profile import X12Settings

    ids = dict(their_qualifier="ZZ", their_id="COASTALOUT", our_qualifier="ZZ", our_id="ORDERBRIDGE",
               their_gs_id="COASTALOUT", our_gs_id="ORDERBRIDGE")
    named = {"855": "003060VICS", "856": "003070", "865": "003060", "880": "003040UCS"}
    assert X12Settings(**ids, gs_versions=named).gs_versions == tuple(sorted(named.items()))
    for wrong in ({"856": "003030"}, {"880": "003050"}, {"870": "003070"}, {"997": "003060"}):
        with pytest.raises(ValueError, match="must start with the version") as refused:
            X12Settings(**ids, gs_versions=wrong)
        assert ("or be a release before 004010 we write that set in (the 810, 855, 856, 865 and 880 in 003040; the "
                "810, 855, 856 and 865 in 003050-003070)") in str(refused.value)
