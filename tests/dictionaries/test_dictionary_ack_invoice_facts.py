"""The sets OrderBridge writes as acknowledgments and invoices (855, 865, 810), held to the X12 standard
in both versions: table shapes, the 005010 changes of their segments, corrected syntax notes, and the
complete 353 code list (X12 traits checked against public references, not against files)."""

from __future__ import annotations

import pytest

from schemas.x12dict import UNBOUNDED, dictionary


def _loop(entries, loop_id):
    for e in entries:
        if e[0] == "LOOP" and e[1] == loop_id:
            return e
    return None


def _ids(body):
    return [e[1] if e[0] == "LOOP" else e[0] for e in body]


@pytest.mark.parametrize("version", ["004010", "005010"])
@pytest.mark.parametrize(("set_id", "gs01", "begin"), [("855", "PR", "BAK"), ("865", "CA", "BCA"),
                                                       ("810", "IN", "BIG")])
def test_sets_we_write_have_their_functional_id_and_beginning_segment(version, set_id, gs01, begin):
    table = dictionary(version).set_table(set_id)
    assert table.functional_id == gs01
    assert table.entries[1] == (begin, "M", 1)


@pytest.mark.parametrize("version", ["004010", "005010"])
def test_855_lines_are_optional_and_each_carries_up_to_104_ack_loops(version):
    po1 = _loop(dictionary(version).set_table("855").entries, "PO1")
    assert po1[2:4] == ("O", 100000)
    ack = _loop(po1[4], "ACK")
    assert ack[2:4] == ("O", 104) and _ids(ack[4]) == ["ACK", "DTM"]


def test_005010_855_uses_mtx_pwk_efi_where_004010_has_msg():
    h4 = dictionary("004010").set_table("855").entries
    h5 = dictionary("005010").set_table("855").entries
    assert _ids(_loop(h4, "N9")[4]) == ["N9", "DTM", "MSG"]
    assert _ids(_loop(h5, "N9")[4]) == ["N9", "DTM", "MTX", "PWK", "EFI"]
    assert "IN2" in _ids(_loop(h5, "N1")[4]) and "IN2" not in _ids(_loop(h4, "N1")[4])


def test_005010_865_heading_has_ldt_and_lm_loops():
    h4 = dictionary("004010").set_table("865").entries
    h5 = dictionary("005010").set_table("865").entries
    assert ("LDT", "O", 12) in h4 and _loop(h4, "LDT") is None
    ldt = _loop(h5, "LDT")
    assert ldt[3] == UNBOUNDED and _ids(ldt[4]) == ["LDT", "QTY", "MTX"]
    assert _ids(_loop(h5, "LM")[4]) == ["LM", "LQ"] and _loop(h4, "LM") is None
    for entries in (h4, h5):  # change lines end with the pricing-data loop
        assert _ids(_loop(entries, "POC")[4])[-1] == "PD"


def test_810_summary_total_is_mandatory_and_005010_nests_txi_under_sac():
    for version in ("004010", "005010"):
        entries = dictionary(version).set_table("810").entries
        assert ("TDS", "M", 1) in entries and _loop(entries, "IT1")[2:4] == ("O", 200000)
    sac4 = _loop(dictionary("004010").set_table("810").entries, "SAC")
    sac5 = _loop(dictionary("005010").set_table("810").entries, "SAC")
    assert _ids(sac4[4]) == ["SAC", "TXI"] and sac4[3] == 25
    assert _ids(sac5[4]) == ["SAC", "DTM", "TXI"] and sac5[3] == UNBOUNDED
    assert _ids(_loop(sac5[4], "TXI")[4]) == ["TXI", "DTM"]


def test_big_gains_hierarchical_structure_code_in_005010():
    assert len(dictionary("004010").segment("BIG").elements) == 10
    big5 = dictionary("005010").segment("BIG")
    assert len(big5.elements) == 11 and big5.elements[10].ref == "1005" and big5.elements[10].req == "O"


def test_cad_notes_and_005010_mandatory_transport_method():
    cad4, cad5 = dictionary("004010").segment("CAD"), dictionary("005010").segment("CAD")
    for cad in (cad4, cad5):
        # CAD07 alone may be sent with CAD08 (C0708), not only as a pair: P0708 would reject valid CADs
        assert [n.text for n in cad.notes] == ["R0504", "C0708"]
        assert cad.elements[6].req == "O" and cad.elements[7].req == "X"
    assert cad4.elements[0].req == "O" and cad5.elements[0].req == "M"


def test_iss_needs_one_of_units_weight_or_volume_and_third_party_pallets_are_optional():
    iss = dictionary("004010").segment("ISS")
    assert [n.text for n in iss.notes] == ["R010305", "P0102", "P0304", "P0506"]
    assert [u.req for u in iss.elements[6:]] == ["O", "O"]


def test_005010_dmg_repeats_its_race_composite():
    dmg4, dmg5 = dictionary("004010").segment("DMG"), dictionary("005010").segment("DMG")
    assert len(dmg4.elements) == 9 and not dmg4.elements[4].is_composite
    assert len(dmg5.elements) == 11
    race = dmg5.elements[4]
    assert race.is_composite and race.ref == "C056" and race.repeat == 10
    assert [n.text for n in dmg5.notes] == ["P0102", "P1011", "C1105"]


def test_invoice_transport_segments_use_their_standard_elements():
    d = dictionary("004010")
    v1 = d.segment("V1")
    assert [u.ref for u in v1.elements] == ["597", "182", "26", "55", "140", "249", "854", "897", "91"]
    assert (v1.elements[3].element.type, v1.elements[3].element.max) == ("AN", 10)  # Flight/Voyage Number
    assert (v1.elements[5].element.type, v1.elements[5].element.max) == ("ID", 1)  # Vessel Requirement Code
    assert [n.text for n in v1.notes] == ["R0102", "C0801"]
    assert [n.text for n in d.segment("YNQ").notes] == ["E010910", "P0304", "C0908"]
    assert [n.text for n in d.segment("R4").notes] == ["P0203"]
    assert d.elements["119"].max == 6  # L711 Rate Basis Number


def test_353_code_list_is_complete_per_version():
    c4, c5 = dictionary("004010").codes("353"), dictionary("005010").codes("353")
    assert len(c4) == 65 and len(c5) == 66 and c5 - c4 == {"57"}
    assert {"00", "01", "04", "05", "06", "07", "5C", "77", "CN", "ZZ"} <= c4
    assert "09" not in c4 and "23" not in c5  # never assigned
