"""rules.elements checks a segment's syntax note only when it can speak: a P or E note none of whose
elements any row has, or a C or L note whose first element no row has, reports nothing, so it is
passed over (_note_may_hit); an R note always speaks. Checked against _check_note itself over every
kind and many presence patterns; the code-list value sets are built once per list."""

from __future__ import annotations

import itertools
import random

import numpy as np

from rules import elements
from schemas.x12dict.model import SyntaxNote


def test_a_note_passed_over_would_report_nothing():
    rng = random.Random(27)
    for kind, n_pos in itertools.product("PRECL", (2, 3)):
        note = SyntaxNote(kind, tuple(range(1, n_pos + 1)))
        for _ in range(200):
            rows = rng.randint(1, 5)
            present = {p: np.array([rng.random() < 0.3 for _ in range(rows)]) for p in note.positions
                       if rng.random() < 0.8}  # a position no row reaches has no mask at all
            reported: list = []
            elements._check_note(note, "XX", "", present, rows, lambda *a, out=reported: out.append(a))
            if not elements._note_may_hit(note, present):
                assert reported == [] and kind != "R"
    assert elements._note_may_hit(SyntaxNote("R", (1, 2)), {})


def test_a_code_list_is_one_value_set():
    codes = frozenset({"EA", "CS", "BX"})
    first = elements._code_array(codes)
    assert first.to_pylist() == ["BX", "CS", "EA"] and elements._code_array(codes) is first
    assert elements._code_array(frozenset({"EA"})).to_pylist() == ["EA"]
