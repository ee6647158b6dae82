"""Issue 8's named defects, held in the data: element lists the standard defines in full, and the
005010 tables that differ from 004010 (X12 traits, not files)."""

from __future__ import annotations

import pytest

from schemas.x12dict import UNBOUNDED, dictionary

FULL_ELEMENT_COUNTS = {"FOB": 9, "PO4": 18, "CTT": 7, "REF": 4, "N9": 7, "TD5": 15, "PID": 9, "CUR": 21,
                       "SDQ": 23, "PO1": 25, "SAC": 16, "ITD": 15, "DTM": 6, "PER": 9, "N1": 6, "BEG": 12}


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize(("seg", "count"), sorted(FULL_ELEMENT_COUNTS.items()))
def test_segment_has_every_standard_element(version, seg, count):
    assert len(dictionary(version).segment(seg).elements) == count


def test_msg_has_three_elements_and_n4_seven_in_005010():
    assert len(dictionary("004010").segment("MSG").elements) == 3
    assert len(dictionary("004010").segment("N4").elements) == 6
    n4 = dictionary("005010").segment("N4")
    assert len(n4.elements) == 7 and n4.elements[6].ref == "1715"
    assert [n.text for n in n4.notes] == ["E0207", "C0605", "C0704"]


def test_syntax_notes_in_x12_notation():
    d = dictionary("004010")
    assert [n.text for n in d.segment("FOB").notes] == ["C0302", "C0405", "C0706", "C0809"]
    assert [n.text for n in d.segment("N1").notes] == ["R0203", "P0304"]
    assert [n.text for n in d.segment("REF").notes] == ["R0203"]
    assert [n.text for n in d.segment("DTM").notes] == ["R020305", "C0403", "P0506"]
    assert d.segment("PO1").notes[0].text == "C0302" and d.segment("PO1").notes[-1].text == "P2425"
    assert [n.text for n in d.composites["C040"].notes] == ["P0304", "P0506"]


def _loop(entries, loop_id):
    for e in entries:
        if e[0] == "LOOP" and e[1] == loop_id:
            return e
    return None


def _ids(body):
    return [e[1] if e[0] == "LOOP" else e[0] for e in body]


def test_005010_850_heading_has_ldt_loop_and_n9_loop_with_mtx_pwk_efi():
    heading = dictionary("005010").set_table("850").entries
    ldt = _loop(heading, "LDT")
    assert ldt is not None and ldt[3] == UNBOUNDED and _ids(ldt[4]) == ["LDT", "QTY", "MTX", "REF"]
    assert _ids(_loop(heading, "N9")[4]) == ["N9", "DTM", "MTX", "PWK", "EFI"]
    assert "IN2" in _ids(_loop(heading, "N1")[4])
    # 004010 has a plain LDT segment in the heading, MSG in the N9 loop and no IN2
    h4 = dictionary("004010").set_table("850").entries
    assert _loop(h4, "LDT") is None and ("LDT", "O", 12) in h4
    assert _ids(_loop(h4, "N9")[4]) == ["N9", "DTM", "MSG"]
    assert "IN2" not in _ids(_loop(h4, "N1")[4])


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_860_lines_are_optional_and_850_lines_mandatory(version):
    d = dictionary(version)
    assert _loop(d.set_table("850").entries, "PO1")[2:4] == ("M", 100000)
    assert _loop(d.set_table("860").entries, "POC")[2:4] == ("O", UNBOUNDED)
    assert d.set_table("850").functional_id == "PO" and d.set_table("860").functional_id == "PC"


def test_complete_code_lists_only_for_their_version():
    d4, d5 = dictionary("004010"), dictionary("005010")
    assert d4.codes("715") == frozenset("AEMPRWX")
    assert d4.codes("717") == frozenset("AEMRWX")
    assert d4.codes("723") == frozenset(str(i) for i in range(1, 11))
    assert d4.codes("720") == frozenset(str(i) for i in range(1, 9))
    # 004010's 716 holds the security codes 10-26 too (stedi.com/edi/x12-004010/element/716); the list
    # stopped at 6 and refused a 004010 997 whose AK905 was one of them
    assert d4.codes("716") == frozenset(str(i) for i in (*range(1, 7), *range(10, 27)))
    # no complete list held: any value of the right length is valid (a partial list would be stricter)
    assert d4.codes("355") is None and d4.codes("128") is None
    # 005010 added codes to these lists; we hold no complete 005010 list, so none applies
    assert all(d5.codes(ref) is None for ref in ("715", "716", "717", "718", "720", "723"))


def test_856_hl_tree_carries_every_standard_segment_in_both_versions():
    for version in ("004010", "005010"):
        table = dictionary(version).set_table("856")
        assert table.functional_id == "SH"
        hl = _loop(table.entries, "HL")
        assert hl[2:4] == ("M", 200000)
        ids = _ids(hl[4])
        # TSD, PAL and the LH1/CLD/N1/SAC/LM/V1 loops are part of the standard HL loop
        for seg in ("LIN", "SN1", "SLN", "PRF", "PO4", "PID", "TD1", "TD5", "TSD", "REF", "MAN", "DTM", "PAL",
                    "SDQ", "ETD", "GF", "YNQ", "LH1", "CLD", "N1", "SAC", "LM", "V1"):
            assert seg in ids, (version, seg)
        assert ids.index("TSD") == ids.index("TD4") + 1 and ids.index("PAL") == ids.index("FOB") + 1
    # 005010 wraps TD3 in a loop with AT9; 004010 has a plain TD3
    hl4 = _ids(_loop(dictionary("004010").set_table("856").entries, "HL")[4])
    hl5 = _loop(dictionary("005010").set_table("856").entries, "HL")[4]
    assert "TD3" in hl4 and "AT9" not in hl4
    assert _ids(_loop(hl5, "TD3")[4]) == ["TD3", "AT9"]


def test_856_segments_have_their_standard_elements():
    d4, d5 = dictionary("004010"), dictionary("005010")
    assert [u.ref for u in d4.segment("TSD").elements] == ["350", "219"]
    assert len(d4.segment("LH1").elements) == 11 and d4.segment("LH1").elements[2].element.max == 6
    assert len(d4.segment("PAL").elements) == 16 and len(d5.segment("PAL").elements) == 17
    assert d4.segment("PAL").elements[15].ref == "810"  # PAL16 inner pack, as PO414
    assert len(d4.segment("LH2").elements) == 11 and len(d5.segment("LH2").elements) == 13
    assert len(d4.segment("LFH").elements) == 7 and d5.segment("LFH").elements[7].ref == "373"
    assert d4.segment("V1").elements[3].element.max == 10  # V104 flight/voyage number 2/10


def test_945_tables_in_both_versions():
    for version in ("004010", "005010"):
        table = dictionary(version).set_table("945")
        assert table.functional_id == "SW"
        heading = table.entries
        assert heading[:2] == (("ST", "M", 1), ("W06", "M", 1))
        assert _loop(heading, "N1")[2:4] == ("M", 10)
        lx = _loop(heading, "LX")
        w12 = _loop(lx[4], "W12")
        assert w12 is not None and w12[4][0] == ("W12", "O", 1)
        ls = _loop(w12[4], "LS")
        assert _ids(ls[4]) == ["LS", "LX", "LE"]  # LS/LE wrap the inner LX loop
        assert ("W03", "O", 1) in heading and heading[-1] == ("SE", "M", 1)
    h4, h5 = dictionary("004010").set_table("945").entries, dictionary("005010").set_table("945").entries
    assert "TD1" not in _ids(h4) and ("TD1", "O", 5) in h5
    w12_4 = _loop(_loop(h4, "LX")[4], "W12")[4]
    w12_5 = _loop(_loop(h5, "LX")[4], "W12")[4]
    assert ("N1", "O", 5) in w12_4 and _ids(_loop(w12_5, "N1")[4]) == ["N1", "N2", "N3", "N4", "PER"]


def test_945_segments_have_their_standard_elements():
    d = dictionary("004010")
    w06 = d.segment("W06")
    assert len(w06.elements) == 12 and [n.text for n in w06.notes] == ["P0708"]
    assert len(d.segment("W12").elements) == 22 and d.segment("W12").elements[2].ref == "382"
    assert len(d.segment("W27").elements) == 10 and d.segment("W27").elements[0].ref == "91"
    assert dictionary("005010").segment("W27").elements[6].element.max == 15  # W2707 equipment number
    assert [u.ref for u in d.segment("W03").elements][:3] == ["382", "81", "355"]


def test_479_is_held_complete_for_004010_only():
    d4, d5 = dictionary("004010"), dictionary("005010")
    codes = d4.codes("479")
    assert len(codes) == 234
    # every set we read or write is in it, with its own functional identifier
    assert {"PO", "PC", "PR", "CA", "SH", "IN", "SW", "OW", "FA"} <= codes
    for set_id in ("850", "860", "856", "945", "997"):
        assert d4.set_table(set_id).functional_id in codes
    assert "TB" not in codes  # added after 004010
    assert d5.codes("479") is None  # 005010 added codes; no complete 005010 list is held


def test_355_known_units_are_not_a_code_list():
    from importlib import resources
    text = (resources.files("schemas.x12dict") / "data" / "codes" / "355-known.txt").read_text(encoding="utf-8")
    known = {line.split()[0] for line in text.splitlines() if line.strip() and not line.startswith("#")}
    assert {"EA", "CA", "CS", "PK", "BX", "DZ", "PR", "PL", "LB", "01", "ZZ"} <= known
    assert all(len(code) == 2 for code in known)
    # not complete, so never used to reject a unit
    assert dictionary("004010").codes("355") is None and dictionary("005010").codes("355") is None
