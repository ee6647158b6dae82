"""Bad input never crashes a run: random damage to real files (bytes flipped, cut, duplicated,
delimiters swapped) goes through the whole per-file pipeline without an exception."""

from __future__ import annotations

import json
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.process import Known, process_file
from flows.cli import app
from schemas.profile import load_profiles
from tests.support import REPO, SAMPLES, corpus_files

PROFILES = load_profiles(REPO / "partners")
SOURCES = [p.read_bytes() for p in sorted(SAMPLES.rglob("*")) if p.is_file()] + \
    [p.read_bytes() for p in corpus_files()[:60]]


@st.composite
def damaged(draw):
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        kind = draw(st.sampled_from(["flip", "cut", "dup", "swap", "insert"]))
        i = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[i] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[i: i + draw(st.integers(1, 200))]
        elif kind == "dup":
            data[i:i] = data[i: i + draw(st.integers(1, 200))]
        elif kind == "swap":
            a, b = draw(st.sampled_from([(b"*", b"~"), (b"~", b"\n"), (b">", b"*"), (b"\n", b"")]))
            data = bytearray(bytes(data).replace(a, b, draw(st.integers(1, 5))))
        else:
            junk = [b"\x00", b"~~", b"ISA*", b"GS*PO*", b"ST*850*1~", b"IEA*1*1~", b"\xff\xfe"]
            data[i:i] = draw(st.sampled_from(junk))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=damaged(), partner=st.sampled_from(sorted(PROFILES)))
def test_damaged_files_never_crash_the_pipeline(data, partner):
    out = process_file(data, file="fuzz.x12", sha256="f", profile=PROFILES[partner], known=Known(),
                       today=date(2026, 11, 27))
    assert out.disposition in ("processed", "quarantine")
    if out.disposition == "processed":
        assert out.error_count == 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=damaged())
def test_inspect_never_tracebacks(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "f.x12"
    path.write_bytes(data)
    res = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert res.exit_code in (0, 1), res.output
    json.loads(res.stdout)
