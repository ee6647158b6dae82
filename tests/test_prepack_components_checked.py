"""A prepack's components (its PO1 loop's SLN03 I sublines) as an 856 listing them reads them: one that cannot be
read (no SLN04 quantity per pack, or no product id) made the pack ship as the pack alone without a word; now a
warning at its SLN says so (PREPACK_COMPONENT_UNREADABLE). Components in eaches that do not add up to the PO4's
inner pack (PO414), nor to its outer pack (PO401 x PO414), are a warning too (PREPACK_QUANTITY_MISMATCH), never a
rejection. Both concern only a partner whose 856 lists the components ([fulfilment.asn] prepacks = "components")."""

from __future__ import annotations

from datetime import date

from engine.process import Known, process_file
from parsers.x12_reader import read_interchanges
from rules.structure import check_structure
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, x12_850

HEAD = GOOD_PO[:6]
INNER_12 = "PO4*1" + "*" * 13 + "12"  # PO401 1, PO414 12 eaches per inner pack
TWO_OF_6 = "PO4*2" + "*" * 13 + "6"  # 2 inner packs of 6: a pack of 12 (the outer) or of 6 (the inner)
SIZES = ["SLN*1**I*6*EA*2.50***UP*073000040483", "SLN*2**I*6*EA*2.50***UP*073000040484"]


def found(*line: str, components: bool = True) -> list:
    """check_structure's findings of a PO of one prepack line with ``line``'s segments after its PO1, for a
    partner whose 856 lists prepacks by their components (``components``) or not."""
    result = read_interchanges(x12_850([*HEAD, "PO1*1*2*AS*30*PE*UP*073000040482", *line, "CTT*1*2"]))
    return check_structure(result, list(result.transaction_sets()), components=components)


def test_a_component_without_a_quantity_or_an_id_is_a_warning_at_its_sln():
    found_all = found(INNER_12, SIZES[0], "SLN*2**I**EA*2.50***UP*073000040484", "SLN*3**I*X*EA", "SLN*4**I*6*EA")
    [f] = [g for g in found_all if g.code != "ELEMENT_INVALID_CHARACTER"]  # (SLN04 X: the element check's own)
    assert (f.code, f.severity, f.location.segment_id, f.location.element, f.location.value,
            f.location.segment_position) == ("PREPACK_COMPONENT_UNREADABLE", "warning", "SLN", "SLN04", None, 11)
    assert ("line 1 subline 2: no quantity per pack (SLN04); line 1 subline 3: no quantity per pack (SLN04 'X') and "
            "no product id (SLN09/SLN10 ...); line 1 subline 4: no product id") in f.message
    assert "lists that pack alone" in f.message


def test_components_are_held_to_the_po4_inner_pack_where_both_are_sent():
    assert found(INNER_12, *SIZES) == [] and found(TWO_OF_6, *SIZES) == [] and found(TWO_OF_6, SIZES[0]) == []
    assert found("PO4*12", *SIZES) == [] and found(*SIZES) == []  # no PO414: nothing to hold them to
    [f] = found(INNER_12, SIZES[0], "SLN*2**I*4*EA****UP*073000040484")
    assert (f.code, f.severity, f.location.segment_id, f.location.element, f.location.value,
            f.location.segment_position) == ("PREPACK_QUANTITY_MISMATCH", "warning", "PO4", "PO414", "12", 9)
    assert "line 1: components 10 EA, PO414 12" in f.message
    [f] = found("PO4*2" + "*" * 13 + "5", *SIZES)
    assert "line 1: components 12 EA, PO414 5 (PO401 2 of them: 10)" in f.message
    # components in another unit than eaches are not added up
    assert found(INNER_12, "SLN*1**I*1*DZ****UP*073000040483") == []


def test_the_warnings_concern_a_partner_whose_856_lists_components_only_and_the_po_is_taken():
    assert found(INNER_12, "SLN*2**I*4*EA", components=False) == []
    acme = load_profiles(REPO / "partners")["acme"]
    listing = acme.model_copy(update={"fulfilment": acme.fulfilment.model_copy(update={
        "asn": acme.fulfilment.asn.model_copy(update={"prepacks": "components"})})})
    data = x12_850([*HEAD, "PO1*1*2*AS*30*PE*UP*073000040482", INNER_12, SIZES[0], "SLN*2**I*4*EA",
                    "PO1*2*1*AS*30*PE*UP*073000040490", INNER_12, SIZES[0], "SLN*2**I*4*EA****UP*073000040484",
                    "CTT*2*3"])
    for profile, codes in ((listing, ["PREPACK_COMPONENT_UNREADABLE", "PREPACK_QUANTITY_MISMATCH"]), (acme, [])):
        out = process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 27))
        assert sorted(f.code for f in out.findings) == codes
        assert out.error_count == 0 and out.lines.num_rows == 2 and out.disposition == "processed"
