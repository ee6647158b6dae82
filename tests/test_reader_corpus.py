"""Every corpus file is read without an exception; malformed ones are pinned to their findings;
well-formed ones round-trip (parse, render, parse: the same segments)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app
from parsers.x12_reader import read_interchanges
from parsers.x12_writer import render_parsed
from rules.envelope import check_envelopes
from tests.support import CORPUS, corpus_dir, corpus_files, corpus_ids

FILES = corpus_files()
IDS = corpus_ids()

# File -> finding codes it must produce (reader + envelope rules), from MANIFEST.tsv's notes.
PINNED = {
    "envelope/ediengine__NonEdi.edi": {"X12_NOT_EDI"},
    "envelope/gozer__x12.wrong.ISA.txt": {"X12_NOT_EDI"},
    "envelope/gozer__x12.no.line.break.no.delim.txt": {"ISA_TERMINATOR_INVALID"},
    "envelope/gt-logistics__inconsistent-element-separator-isa-heading.edi": {"ISA_ELEMENT_SEPARATOR_INVALID"},
    "envelope/gt-logistics__no-iea-trailer.edi": {"IEA_MISSING", "ISA_VERSION_INVALID"},
    "envelope/gt-logistics__no-se-trailer.edi": {"SE_MISSING"},
    "envelope/gt-logistics__trimmed-isa-heading.edi": {"IEA_MISSING", "ISA_NOT_FIXED_WIDTH"},
    "850/edi.net__x12.850.edi": {"IEA_CONTROL_MISMATCH"},
    "850/edi.net__x12.850.issue135.edi": {"X12_TRAILING_COMPONENT_SEPARATOR", "ST_CONTROL_NUMBER_DUPLICATE"},
    "850/oopfactory__Example4_Adobe_ShrinkWrapped.txt": {"X12_TERMINATOR_IS_SPACE", "ISA_NOT_FIXED_WIDTH"},
    "850/stupidedi__003010-PO850-fail-1.edi": {"SE_COUNT_MISMATCH", "GS_VERSION_UNSUPPORTED"},
    "850/stupidedi__004010-PO850-pass-1.edi": {"ISA_NOT_FIXED_WIDTH"},
    "860/oopfactory__Example1.txt": {"SE_COUNT_MISMATCH", "ISA_NOT_FIXED_WIDTH"},
    "940/ediengine__940_Failed_SE01.edi": {"SE_COUNT_MISMATCH"},
    "940/oopfactory__simplot.txt": {"GE_CONTROL_MISMATCH", "IEA_CONTROL_MISMATCH"},
    "945/oopfactory__inter-americanproducts.txt": {"GE_CONTROL_MISMATCH"},
    "997/staedi__invalid997_min.edi": {"GE_CONTROL_MISMATCH"},
    "820/oopfactory__Example3_HomeDepot.txt": {"GE_CONTROL_MISMATCH", "GS_CONTROL_NUMBER_INVALID"},
    "810/oopfactory__Example5_Walmart.txt": {"ISA_VERSION_INVALID"},
    "852/oopfactory__hdexchange.txt": {"IEA_CONTROL_MISMATCH"},
    "810/edi.net__x12.810a.edi": {"ISA_NOT_FIXED_WIDTH"},
}

# What the tree must look like for a few files: (interchanges, groups, sets).
SHAPES = {
    "997/staedi__simple997-multiple-interchanges.edi": (3, 3, 3),
    "940/ediengine__AckTest.edi": (1, 2, 3),
    "852/x12-parser-java__example852nonasciisegsep.txt": (1, 1, 2),
    "856/oopfactory__Example3.txt": (1, 1, 1),
    "850/edi.net__x12.850.issue135.edi": (1, 1, 2),
    "hipaa-exotic/x12-parser-java__example835nonasciielemsep.txt": (1, 1, 1),
}


def _codes(path):
    result = read_interchanges(path.read_bytes(), file=path.name)
    return result, {f.code for f in result.findings + check_envelopes(result)}


def test_corpus_present():
    corpus_dir()
    assert len(FILES) >= 50


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_corpus_file_is_read(path):
    result, codes = _codes(path)
    rel = str(path.relative_to(CORPUS / "x12"))
    if rel in PINNED:
        assert PINNED[rel] <= codes, f"{rel}: expected {PINNED[rel]}, got {codes}"
    if rel in SHAPES:
        ics = result.interchanges
        shape = (len(ics), sum(len(i.groups) for i in ics), sum(1 for _ in result.transaction_sets()))
        assert shape == SHAPES[rel]
    for f in result.findings:
        assert f.location.file == path.name


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_inspect_json_never_tracebacks(path):
    res = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert res.exit_code in (0, 1), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    doc = json.loads(res.stdout)
    assert {"interchanges", "findings", "orders"} <= doc.keys()
    assert res.exit_code == (1 if any(f["severity"] == "error" for f in doc["findings"]) else 0)
    for ic in doc["interchanges"]:
        for g in ic["groups"]:
            for ts in g["transactions"]:
                assert {"set_id", "control_number", "segment_count"} <= ts.keys()


def _well_formed():
    out = []
    for p in FILES:
        result = read_interchanges(p.read_bytes())
        if result.interchanges and not any(ic.rejected for ic in result.interchanges) and len(
                {(ic.delimiters.element, ic.delimiters.segment) for ic in result.interchanges}) == 1 \
                and not any(f.code.startswith("X12_") for f in result.findings):
            out.append(p)
    return out


WELL_FORMED = _well_formed()


@pytest.mark.parametrize("path", WELL_FORMED, ids=[str(p.relative_to(CORPUS / "x12")) for p in WELL_FORMED])
def test_round_trip(path):
    original = read_interchanges(path.read_bytes())
    rendered = render_parsed(original)
    again = read_interchanges(rendered)
    assert again.segments.elements.to_pylist() == original.segments.elements.to_pylist()
    assert [f.code for f in again.findings] == [f.code for f in original.findings]


def test_round_trip_covers_most_of_the_corpus():
    corpus_dir()
    assert len(WELL_FORMED) >= 40
