"""Per-partner budgets (issue 10, item 4; `[limits]` in the profile, engine.budgets): a file too large is
never read (archived and quarantined with a finding), a file with too many sets is not checked set by
set, and the findings kept per set and per file are capped with a count of the rest. Never a crash."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from connectors.local import LocalDrop
from connectors.state import StateStore
from engine.process import Known, process_file
from flows import steps
from parsers.x12_reader import read_interchanges
from schemas.profile import LimitSettings, PartnerProfile, load_profiles
from tests.support import GOOD_PO, REPO, x12_850

ACME = load_profiles(REPO / "partners")["acme"]
NOW = datetime(2026, 11, 27, 2, 0)


def limited(**limits) -> PartnerProfile:
    return ACME.model_copy(update={"limits": LimitSettings(**limits)})


def _run(data: bytes, profile: PartnerProfile):
    return process_file(data, file="f.x12", sha256="s", profile=profile, known=Known(), today=date(2026, 11, 27))


def _bad_lines(n: int) -> list[str]:
    """An 850 whose every PO1 has a non-numeric quantity: one element error per line."""
    return ["BEG*00*SA*PO-1**20261126"] + [f"PO1*{i}*X*EA*2.50*PE*VN*SKU-1" for i in range(1, n + 1)] + [f"CTT*{n}"]


def test_the_defaults_are_in_every_profile():
    assert ACME.limits == LimitSettings() and LimitSettings().max_file_bytes == 50_000_000


def test_findings_per_set_are_capped_and_the_rest_counted():
    data = x12_850(_bad_lines(60))
    assert Counter(f.code for f in _run(data, ACME).findings) == {"ELEMENT_INVALID_CHARACTER": 60}
    out = _run(data, limited(max_findings_per_set=10))
    codes = Counter(f.code for f in out.findings)
    assert codes == {"ELEMENT_INVALID_CHARACTER": 10, "FINDINGS_CAPPED": 1}
    [capped] = [f for f in out.findings if f.code == "FINDINGS_CAPPED"]
    assert capped.severity == "warning" and capped.location.st02 == "0001"
    assert "50 more finding(s) in this transaction set ST02 0001" in capped.message
    assert "ELEMENT_INVALID_CHARACTER x50" in capped.message
    # the set is still rejected, its 997 lists only what was kept
    [ack] = [d for d in out.documents if d.doc_type == "997"]
    segments = [s[0] for s in ack.bodies[0]]
    assert segments.count("AK4") == 10 and any(s[0] == "AK5" and s[1] == "R" for s in ack.bodies[0])
    assert out.orders.num_rows == 0 and out.disposition == "quarantine"


def test_the_first_error_of_every_set_is_kept_whatever_the_cap():
    sets = x12_850(_bad_lines(5))
    out = _run(sets, limited(max_findings_per_set=1, max_findings_per_file=1))
    assert [f.code for f in out.findings if f.severity == "error"] == ["ELEMENT_INVALID_CHARACTER"]
    assert out.disposition == "quarantine" and out.orders.num_rows == 0


def test_the_error_that_rejects_an_interchange_is_kept_whatever_the_cap():
    """An interchange whose first error a TA1 tolerates (IEA02 differs from ISA13) and whose group a 997
    cannot name (GS06 not a number: ISA_CONTENT_INVALID, TA1 024) is rejected whatever the cap: with a
    cap of 1 the first error alone was kept, the interchange looked accepted, and building the 997 for
    the unnameable group raised (found by test_fuzz_intake)."""
    data = x12_850(GOOD_PO, gs06="1X", iea02="000000009")
    whole = _run(data, ACME)
    codes = [f.code for f in whole.findings]
    assert codes.index("IEA_CONTROL_MISMATCH") < codes.index("ISA_CONTENT_INVALID")
    for cap in (1, 2):
        out = _run(data, limited(max_findings_per_set=cap, max_findings_per_file=cap))
        assert {"IEA_CONTROL_MISMATCH", "ISA_CONTENT_INVALID"} <= {f.code for f in out.findings}
        assert out.disposition == whole.disposition == "quarantine"
        assert [d.doc_type for d in out.documents] == [d.doc_type for d in whole.documents] == ["TA1"]
        assert out.documents[0].ta1 == whole.documents[0].ta1 and whole.documents[0].ta1[-2] == "R"


def test_a_group_without_gs06_is_rejected_with_its_interchange_whatever_the_cap():
    """A group whose GS06 is empty has its findings under its interchange (no GS06 to name): with a cap
    of 1 its first error (GS_ELEMENT_MISSING, a group's) is kept and so is the interchange's own error
    (ISA_CONTENT_INVALID: no 997 can name the group), so the interchange is rejected as without a cap."""
    data = x12_850(GOOD_PO, gs06="", ge02="")
    whole = _run(data, ACME)
    out = _run(data, limited(max_findings_per_set=1, max_findings_per_file=1))
    assert [f.code for f in whole.findings][0] == "GS_ELEMENT_MISSING"
    assert {"GS_ELEMENT_MISSING", "ISA_CONTENT_INVALID"} <= {f.code for f in out.findings}
    assert out.disposition == whole.disposition == "quarantine"
    assert [d.doc_type for d in out.documents] == [d.doc_type for d in whole.documents] == ["TA1"]


def test_two_sets_sharing_an_st02_are_each_decided_whatever_the_cap():
    """Two sets with the same ST02 share a place in the budget; each keeps its own first error, so the
    first one (bad quantities) is rejected with a cap of 1 as without, not only the duplicate."""
    good = "".join(s + "~\n" for s in GOOD_PO)
    text = ("ISA*00*          *00*          *ZZ*ACMERETAIL     *ZZ*ORDERBRIDGE    *261127*1200*U*00401*"
            "000000001*0*P*>~\nGS*PO*ACMERETAIL*ORDERBRIDGE*20261127*1200*1*X*004010~\n"
            f"ST*850*0001~\n{good}SE*{len(GOOD_PO) + 2}*0001~\n"
            "ST*850*0002~\nBEG*00*SA*PO-3**20261126~\nPO1*1*X*EA*2.50*PE*VN*SKU-1~\n"
            "PO1*2*Y*EA*2.50*PE*VN*SKU-1~\nCTT*2~\nSE*6*0002~\n"
            "ST*850*0002~\nBEG*00*SA*PO-2**20261126~\nPO1*1*X*EA*2.50*PE*VN*SKU-1~\nCTT*1~\nSE*5*0002~\n"
            "GE*3*1~\nIEA*1*000000001~\n").encode()
    whole = _run(text, ACME)
    assert whole.orders["po_number"].to_pylist() == ["PO-1"]
    assert [f.code for f in whole.findings][0] == "ST_CONTROL_NUMBER_DUPLICATE"  # about the third set
    out = _run(text, limited(max_findings_per_set=1, max_findings_per_file=1))
    assert out.orders["po_number"].to_pylist() == ["PO-1"] and out.disposition == whole.disposition


def test_findings_per_file_are_capped():
    # five interchanges, each its own group (GS06 k)
    many = b"".join(x12_850(_bad_lines(20), isa13=k, st02="0001", gs06=str(k)) for k in range(1, 6))
    out = _run(many, limited(max_findings_per_set=50, max_findings_per_file=30))
    errors = [f for f in out.findings if f.code == "ELEMENT_INVALID_CHARACTER"]
    assert len(errors) == 30 + 3  # 30, then the first error of each of the 3 sets the cap reached
    capped = [f for f in out.findings if f.code == "FINDINGS_CAPPED"]
    assert sum(int(f.location.value) for f in capped) == 100 - 33


def test_a_file_with_too_many_sets_is_not_checked_set_by_set():
    body = "".join(f"ST*850*{k:04d}~BEG*00*SA*PO-{k}**20261126~PO1*1*1*EA*1*PE*VN*SKU-1~CTT*1~SE*5*{k:04d}~"
                   for k in range(2, 9))
    data = x12_850(GOOD_PO).replace(b"ST*850*0001~", body.encode() + b"ST*850*0001~", 1).replace(b"GE*1*", b"GE*8*")
    assert sum(len(g.transactions) for ic in read_interchanges(data).interchanges for g in ic.groups) == 8
    out = _run(data, limited(max_sets_per_file=5))
    assert [f.code for f in out.findings] == ["FILE_TOO_MANY_SETS"]
    assert "8 transaction sets" in out.findings[0].message
    assert out.disposition == "quarantine" and not out.documents and out.orders.num_rows == 0
    assert _run(data, limited(max_sets_per_file=8)).orders.num_rows == 8


def test_a_file_over_the_size_limit_is_never_read(tmp_path, monkeypatch):
    from flows.workspace import open_workspace

    ws = open_workspace(tmp_path / "ws")
    (ws.root / "partners").mkdir()
    text = (REPO / "partners" / "acme.toml").read_text() + "\n[limits]\nmax_file_bytes = 1000\n"
    (ws.root / "partners" / "acme.toml").write_text(text)
    inbox = ws.drop_root / "acme" / "inbox"
    inbox.mkdir(parents=True)
    big = inbox / "huge.x12"
    with open(big, "wb") as fh:  # 60 MB of nothing, sparse: cheap to make, never to be read
        fh.truncate(60_000_000)
    (inbox / "small.x12").write_bytes(x12_850(GOOD_PO))
    real = LocalDrop.read

    def read(self, folder, name, **kw):
        assert name != "huge.x12", "the file over the limit was read into memory"
        return real(self, folder, name, **kw)

    monkeypatch.setattr(LocalDrop, "read", read)
    state = StateStore(ws.state_path)
    res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW,
                               run_id="r")
    assert (ws.drop_root / "acme" / "quarantine" / "huge.x12").stat().st_size == 60_000_000
    assert [p.name for p in (ws.drop_root / "acme" / "archive").iterdir() if "huge" in p.name]
    [f] = [f for f in state.findings() if f["code"] == "FILE_TOO_LARGE"]
    assert f["file"] == "huge.x12" and "60,000,000 bytes" in f["message"] and "1,000" in f["message"]
    [rec] = [r for r in state.files("acme") if r["name"] == "huge.x12"]
    assert rec["status"] == "quarantined"
    assert res.quarantined == 1 and res.processed == 1 and res.errors >= 1
    assert not [d for d in state.documents("acme") if d.doc_type == "TA1"]  # nothing answered for it
    # the same bytes again: a duplicate, still never read
    with open(inbox / "huge-again.x12", "wb") as fh:
        fh.truncate(60_000_000)
    res = steps.intake_partner(ws, ws.partners()["acme"], state, LocalDrop(ws.drop_root / "acme"), now=NOW,
                               run_id="r2")
    assert res.duplicates == 1 and not list(inbox.iterdir())
    state.close()


def test_process_file_refuses_an_oversized_file_without_parsing(monkeypatch):
    import engine.process as process

    data = x12_850(GOOD_PO)
    calls = []
    monkeypatch.setattr(process, "read_interchanges", lambda d, **k: calls.append(len(d)) or
                        read_interchanges(d, **k))
    out = _run(data, limited(max_file_bytes=len(data) - 1))
    assert [f.code for f in out.findings] == ["FILE_TOO_LARGE"] and calls == [0]
    assert out.disposition == "quarantine" and not out.documents


@pytest.mark.parametrize("field", ["max_file_bytes", "max_sets_per_file", "max_findings_per_set",
                                   "max_findings_per_file"])
def test_limits_must_be_positive(field):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        LimitSettings(**{field: 0})


def test_limits_are_read_from_the_profile(tmp_path):
    folder = tmp_path / "partners"
    folder.mkdir()
    text = (REPO / "partners" / "acme.toml").read_text() + "\n[limits]\nmax_findings_per_set = 7\n"
    (folder / "acme.toml").write_text(text)
    assert load_profiles(Path(folder))["acme"].limits.max_findings_per_set == 7


def test_csv_findings_are_capped_per_po_and_per_file_and_every_po_left_out_keeps_its_reason():
    from engine.process import process_csv_file

    umbrella = load_profiles(REPO / "partners")["umbrella"]
    rows = ["PO Number;PO Date;Quantity;SKU"]
    rows += [f"U-1;27.11.2026;x{i};VP-1001" for i in range(30)]  # 30 bad quantities in one PO
    rows += [f"U-{k};31.11.2026;1;VP-1001" for k in range(2, 42)]  # 40 POs, each with one bad date
    rows += ["U-99;27.11.2026;1;VP-1001", "U-99;28.11.2026;2;VP-1002"]  # a PO that stands, with a warning
    rows += [";27.11.2026;1;VP-1001"] * 5  # rows without a PO: the file's own
    data = "\n".join(rows).encode()
    whole = process_csv_file(data, file="u.csv", sha256="s", profile=umbrella)
    assert Counter(f.code for f in whole.findings) == {"CSV_NUMBER_INVALID": 30, "CSV_DATE_INVALID": 40,
                                                       "CSV_VALUE_MISSING": 5, "CSV_ORDER_INCONSISTENT": 1}
    out = process_csv_file(data, file="u.csv", sha256="s",
                           profile=umbrella.model_copy(update={"limits": LimitSettings(max_findings_per_set=3,
                                                                                        max_findings_per_file=20)}))
    codes = Counter(f.code for f in out.findings)
    # PO U-1: 3 of its 30; then 17 more to the file's 20, the first error of every other PO beyond them
    assert codes["CSV_NUMBER_INVALID"] == 3 and codes["CSV_DATE_INVALID"] == 40
    left_out = {f"U-{k}" for k in range(1, 42)}
    rows_with_reason = {f.location.row for f in out.findings if f.severity == "error"}
    assert {rows[r - 1].split(";")[0] for r in rows_with_reason if rows[r - 1].split(";")[0]} == left_out
    capped = {f.message.split(" were not kept")[0]: f for f in out.findings if f.code == "FINDINGS_CAPPED"}
    assert capped["27 more finding(s) in this PO U-1"].location.value == "27"
    assert "CSV_NUMBER_INVALID x27" in capped["27 more finding(s) in this PO U-1"].message
    # the file's 5 rows without a PO: the first kept (the file's first error), the rest beyond the file's cap
    assert codes["CSV_VALUE_MISSING"] == 1 and "4 more finding(s) in this file" in capped
    assert "1 more finding(s) in this PO U-99" in capped  # its warning was beyond the file's cap
    assert out.orders["po_number"].to_pylist() == whole.orders["po_number"].to_pylist() == ["U-99"]
    assert out.disposition == whole.disposition == "quarantine"
    # a file of very many bad POs: first errors kept for max_sets_per_file POs (U-1 to U-10); beyond them
    # a PO's findings count as the file's (3 more kept, by max_findings_per_set), the rest counted
    few = process_csv_file(data, file="u.csv", sha256="s", profile=umbrella.model_copy(update={"limits": LimitSettings(
        max_findings_per_set=3, max_findings_per_file=20, max_sets_per_file=10)}))
    assert Counter(f.code for f in few.findings if f.severity == "error") == {"CSV_NUMBER_INVALID": 3,
                                                                              "CSV_DATE_INVALID": 9 + 3}
    capped = {f.message.split(" were not kept")[0]: f for f in few.findings if f.code == "FINDINGS_CAPPED"}
    assert "CSV_DATE_INVALID x28, CSV_VALUE_MISSING x5" in capped["33 more finding(s) in this file"].message
    assert few.orders["po_number"].to_pylist() == ["U-99"] and few.disposition == "quarantine"
