"""A 997 planned with the partner's envelope comes rendered (engine.lifecycle.common.planned_document):
the store writes the same bytes as from its segments, holds the same documents, and a 997 no
delimiter set fits keeps its segments (held as before)."""

from __future__ import annotations

from datetime import datetime

import pytest

from engine.acks import build_997
from engine.envelope import envelope_for
from engine.lifecycle.common import planned_document
from engine.process import OutDoc
from flows.documents import holder, renderer
from schemas.findings import finding
from schemas.profile import load_profiles
from schemas.x12 import Group, TransactionSet
from tests.support import REPO

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 27, 2)


def _997(values: list[str], bad: str = "") -> OutDoc:
    sets, row = [], 2
    for st02 in values:
        sets.append(TransactionSet("850", st02, row, row + 4, has_trailer=True))
        row += 5
    g = Group(["PO", "SENDER", "RECEIVER", "20261127", "0200", "17", "X", "004010"], start=1, end=row,
              transactions=sets)
    findings = [finding("ELEMENT_TOO_LONG", "x", seg="PO1", element="PO102", value=bad,
                        file_segment=sets[1].start + 3)] if bad else []
    return OutDoc("997", "997:sha:000000001:17:1", functional_id="FA", bodies=(tuple(build_997(g, findings)),))


def _profile(fallbacks: bool):
    p = PROFILES["acme"]
    return p if fallbacks else p.model_copy(update={"x12": p.x12.model_copy(update={"fallback_delimiters": ()})})


@pytest.mark.parametrize("st02,bad,held_without_fallbacks", [
    ("0002", "", False), ("0002", "TOO-LONG-1", False), ("0002", "A*B>C~D", False), ("0002", "plain 12", False),
    ("A*B>", "", True), ("0~02", "TOO-LONG-1", True)])  # an ST02 echoed in AK202 may hold a delimiter
@pytest.mark.parametrize("fallbacks", [True, False])
def test_a_rendered_997_gives_the_bytes_and_holds_of_its_segments(st02, bad, held_without_fallbacks, fallbacks):
    profile = _profile(fallbacks)
    profiles = {"acme": profile}
    out = _997(["0001", st02, "0003"], bad)
    by_segments = planned_document(out, partner="acme", source_sha256="sha")
    rendered = planned_document(out, partner="acme", source_sha256="sha", envelope=envelope_for(profile))
    assert by_segments.delimiters is None and by_segments.sets[0].body
    hold = holder(profiles, stage="intake")
    held = hold(by_segments)
    assert (held is not None) == (held_without_fallbacks and not fallbacks)
    assert (hold(rendered) is None) == (held is None)
    if held is None:  # rendered: the same document, written from its text
        assert rendered.delimiters is not None and rendered.sets[0].body == () and rendered.sets[0].text
        assert rendered.sets[0].segments == len(out.bodies[0])
        render = renderer(profiles, NOW)
        assert render(rendered, 7, 8, [1]) == render(by_segments, 7, 8, [1])
    else:  # no set fits: kept as segments, held the same way
        assert rendered == by_segments
        assert hold(rendered).finding.message == held.finding.message
    assert [(s.doc_key, s.answers_isa13, s.answers_gs06, s.source_sha256) for s in rendered.sets] == \
        [(s.doc_key, s.answers_isa13, s.answers_gs06, s.source_sha256) for s in by_segments.sets]


def test_only_997s_come_rendered():
    out = OutDoc("TA1", "TA1:sha:000000001:0", ta1=("TA1", "000000001", "261127", "0200", "A", "000"))
    assert planned_document(out, partner="acme", envelope=envelope_for(PROFILES["acme"])) == \
        planned_document(out, partner="acme")
