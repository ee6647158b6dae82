"""`orderbridge record` of an 856 another system of ours sent again (another file and envelope, the same BSN02 and
lines) says the copy was taken as a resend: one document, counted once, timed by its first sending (opsgroup,
session 64: the reconciliation took it so, and record said nothing). A different 856 (another BSN02, or the same
BSN02 with other lines: a corrected one) is said as before, and recording the same file again says nothing new."""

from __future__ import annotations

from datetime import datetime

from typer.testing import CliRunner

from flows.cli import app
from tests.support_finance_flow import _asn, _ours, small_workspace

S1 = [("ACME-1000", "1", 10), ("ACME-1000", "2", 24), ("ACME-1000", "3", 5)]


def record(root, path):
    return CliRunner().invoke(app, ["record", str(path), "--partner", "acme", "--by", "Kim", "-w", str(root)])


def test_record_says_an_856_sent_again_was_taken_as_a_resend(tmp_path):
    root = small_workspace(tmp_path / "ws").root  # S-1 recorded from s1.x12 (ISA13 700001)
    again = _ours("acme", "s1-again.x12", tmp_path, "SH", "856", _asn("S-1", datetime(2026, 12, 8, 9), S1),
                  isa13=700009, when=datetime(2026, 12, 14, 11))
    res = record(root, again)
    assert res.exit_code == 0, res.output
    said = " ".join(res.stdout.split())
    assert "3 line(s) of 810s and 856s recorded for acme" in said
    assert ("856 S-1 (ISA13 000700009, GS06 700009) is the same ship notice, the same lines, as recorded from s1.x12: "
            "taken as a resend, one document counted once") in said, said
    # the same file again: nothing recorded, and still one resend said
    twice = " ".join(record(root, again).stdout.split())
    assert "(3 recorded before)" in twice and "taken as a resend" in twice
    # a copy sent before both, recorded last: it is the first sending (left out, its time kept), said alike
    early = _ours("acme", "s1-early.x12", tmp_path, "SH", "856", _asn("S-1", datetime(2026, 12, 8, 9), S1),
                  isa13=700005, when=datetime(2026, 12, 8, 9, 5))
    said = " ".join(record(root, early).stdout.split())
    assert "856 S-1 (ISA13 000700005, GS06 700005) is the same ship notice, the same lines, as recorded from " \
           "s1-again.x12, s1.x12: taken as a resend" in said, said
    # a corrected S-1 (other lines) and another shipment: no resend
    corrected = _ours("acme", "s1-corrected.x12", tmp_path, "SH", "856", _asn(
        "S-1", datetime(2026, 12, 8, 9), [("ACME-1000", "1", 9), *S1[1:]]), isa13=700010, when=datetime(2026, 12, 15))
    other = _ours("acme", "s2.x12", tmp_path, "SH", "856", _asn("S-2", datetime(2026, 12, 9, 9), S1[:1]),
                  isa13=700011, when=datetime(2026, 12, 15))
    for path in (corrected, other):
        res = record(root, path)
        assert res.exit_code in (0, 1), res.output
        assert "line(s) of 810s and 856s recorded" in res.stdout and "taken as a resend" not in res.stdout
