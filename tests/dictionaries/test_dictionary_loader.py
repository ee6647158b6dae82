"""The X12 dictionaries load, are internally consistent and differ by version where the standard does."""

from __future__ import annotations

import pytest

from schemas.x12dict import SUPPORTED_VERSIONS, UNBOUNDED, base_version, dictionary

SETS = {
    "004010": ("850", "860", "997", "855", "865", "810", "856", "945"),
    "005010": ("850", "860", "997", "999", "855", "865", "810", "856", "945"),
}


def _walk(entries, path=()):
    for e in entries:
        if e[0] == "LOOP":
            yield "LOOP", e, path
            yield from _walk(e[4], path + (e[1],))
        else:
            yield "SEG", e, path


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_dictionary_is_cached_and_immutable(version):
    d = dictionary(version)
    assert d is dictionary(version)
    assert d.version == version
    with pytest.raises(TypeError):
        d.segments["XXX"] = None  # type: ignore[index]


def test_versions_and_base_version():
    assert SUPPORTED_VERSIONS == ("004010", "005010")
    assert base_version("004010VICS") == "004010"
    assert base_version("005010X230") == "005010"
    assert base_version("3050") == "003050"
    assert base_version("00401") == "004010"
    assert dictionary("003050") is None
    assert dictionary("006020") is None
    assert dictionary("004010VICS") is dictionary("004010")


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_every_reference_resolves(version):
    d = dictionary(version)
    for seg in d.segments.values():
        assert [u.position for u in seg.elements] == list(range(1, len(seg.elements) + 1))
        for use in seg.elements:
            assert use.req in ("M", "O", "X"), (seg.id, use.position)
            if use.is_composite:
                assert use.composite is d.composites[use.ref]
            else:
                assert use.element is d.elements[use.ref]
                assert use.element.min <= use.element.max
        for note in seg.notes:
            assert note.kind in "PRECL" and len(note.positions) >= 2
            assert all(1 <= p <= len(seg.elements) for p in note.positions), (seg.id, note.text)
    for comp in d.composites.values():
        for note in comp.notes:
            assert all(1 <= p <= len(comp.components) for p in note.positions), (comp.ref, note.text)
    for el in d.elements.values():
        assert el.type in {"AN", "ID", "R", "DT", "TM", "B"} | {f"N{i}" for i in range(10)}, el.ref


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_set_tables_are_well_formed(version):
    d = dictionary(version)
    for set_id in SETS[version]:
        table = d.set_table(set_id)
        assert table is not None and table.set_id == set_id and table.version == version
        assert table.entries[0] == ("ST", "M", 1) and table.entries[-1] == ("SE", "M", 1)
        for kind, e, path in _walk(table.entries):
            if kind == "LOOP":
                _, loop_id, req, repeat, body = e
                assert req in ("M", "O") and repeat >= 1
                assert body and body[0][0] == loop_id, (set_id, path, loop_id)  # trigger first
                assert body[0][2] == 1, (set_id, path, loop_id)  # a trigger occurs once per iteration
            else:
                seg, req, max_use = e
                assert seg in d.segments, (set_id, path, seg)
                assert req in ("M", "O") and (max_use >= 1 or max_use == UNBOUNDED)


def test_versions_differ_where_the_standard_differs():
    d4, d5 = dictionary("004010"), dictionary("005010")
    assert len(d4.segment("N4").elements) == 6 and len(d5.segment("N4").elements) == 7
    assert d4.segment("REF").elements[1].element.max == 30
    assert d5.segment("REF").elements[1].element.max == 50
    assert len(d4.segment("ST").elements) == 2 and len(d5.segment("ST").elements) == 3
    assert d4.segment("ISA").elements[10].ref == "I10" and d5.segment("ISA").elements[10].ref == "I65"
    assert len(d4.segment("AK4").elements[0].composite.components) == 2
    assert len(d5.segment("AK4").elements[0].composite.components) == 3
    assert "MSG" in _segment_ids(d4.set_table("850")) and "MSG" not in _segment_ids(d5.set_table("850"))


def _segment_ids(table):
    return {e[0] for kind, e, _ in _walk(table.entries) if kind == "SEG"}
