"""What the other-sets and remittance rounds (rg88, rg88b, rg88c) left, closed in order (rg88d):

1. A kept 820 or 812 is judged by X12 syntax for its 997: by the set tables and segments our dictionary holds for them
   (schemas/x12dict/data/sets/820-*.txt, 812-*.txt; BPR, TRN, RMR, ADX, BCD), AK3/AK4 and AK5 R or E as for the sets
   we process; a segment the dictionary does not define is not judged (nothing stricter than the standard), a set
   without a table (an 852) on its envelope alone. The remittance reader takes no malformed RMR as a payment.
"""

from __future__ import annotations

from decimal import Decimal as D

from parsers.remittance import read_remittance, read_remittance_checked
from parsers.x12_reader import read_interchanges
from tests.support import rebuilt_store
from tests.test_rg88_other_sets import _acks, _kept, _processed, _profile
from tests.test_rg88b_remittance import paid  # noqa: F401 (a fixture: rg88b's night of a paid invoice)

WM_ISA = ("ISA*00*          *00*          *08*925485US00     *ZZ*ORDERBRIDGE    *261130*2305*U*00401*000088301*0*P*>~\n"
          "GS*RA*925485US00*ORDERBRIDGE*20261130*2305*88301*X*004010~\n")
WM_END = "GE*1*88301~\nIEA*1*000088301~\n"
BPR = "BPR*C*18233.4*C*ACH*CCP*01*101000019*DA*0000000001*1925485005**01*021000021*DA*5566778899*20261202~\n"


def _820(*body: str, version: str = "004010") -> bytes:
    segs = ["ST*820*0001~\n", *body]
    text = WM_ISA.replace("*X*004010~", f"*X*{version}~") + "".join(segs) + f"SE*{len(segs) + 1}*0001~\n" + WM_END
    return text.encode()


def _walmart(data: bytes):
    return _processed("walmart", "WM_820_RG88D.x12", data=data)


def _ak(out) -> list[list[str]]:
    [[*body]] = _acks(out)
    return body[1:]


GOOD = [BPR, "TRN*1*0088301000123*1925485005~\n", "N1*PR*WAL-MART STORES, INC.~\n", "ENT*1~\n",
        "RMR*IV*INV-80101**12000*12000~\n", "REF*PO*4500881010~\n"]


def test_a_well_formed_820_is_still_accepted_and_read():
    out = _walmart(_820(*GOOD))
    assert _ak(out) == [["AK2", "820", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert out.remittance["paid"].to_pylist() == [D("12000")]


def test_an_rmr_whose_amount_is_no_number_is_refused_by_the_997_and_not_taken_as_a_payment():
    out = _walmart(_820(*GOOD[:4], "RMR*IV*INV-80101**12O00*12000~\n", "REF*PO*4500881010~\n"))
    # RMR is the set's 6th segment (ST 1); RMR04 is element 782, AK403 6: invalid character
    assert _ak(out) == [["AK2", "820", "0001"], ["AK3", "RMR", "6", "", "8"], ["AK4", "4", "782", "6", "12O00"],
                        ["AK5", "R", "5"], ["AK9", "R", "1", "1", "0"]]
    assert out.remittance.num_rows == 0 and not out.handoff and _kept(out) == []


def test_a_segment_with_more_elements_than_the_standard_gives_it_is_refused():
    out = _walmart(_820(GOOD[0], "TRN*1*0088301000123*1925485005*X*TOO-MANY~\n", *GOOD[2:]))
    assert _ak(out) == [["AK2", "820", "0001"], ["AK3", "TRN", "3", "", "8"], ["AK4", "5", "", "3", "TOO-MANY"],
                        ["AK5", "R", "5"], ["AK9", "R", "1", "1", "0"]]
    assert out.remittance.num_rows == 0


def test_an_820_without_its_mandatory_bpr_is_refused():
    out = _walmart(_820(*GOOD[1:]))
    assert _ak(out) == [["AK2", "820", "0001"], ["AK3", "BPR", "2", "", "3"], ["AK5", "R", "5"],
                        ["AK9", "R", "1", "1", "0"]]
    assert out.remittance.num_rows == 0


def test_an_812_without_its_mandatory_n1_loop_is_refused_and_its_n2_amount_is_read_as_n2():
    head = WM_ISA.replace("GS*RA*", "GS*CD*")
    bcd = "BCD*20261130*DM-4471*04*4620*D*20261030*INV-70012***HCA7200112~\n"
    n1 = "N1*BY*WAL-MART STORES, INC.~\n"
    ok = _processed("walmart", "x.x12", data=(head + "ST*812*0001~\n" + bcd + n1 + "SE*4*0001~\n" + WM_END).encode())
    assert _ak(ok) == [["AK2", "812", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]
    assert ok.remittance["adjustment"].to_pylist() == [D("-46.20")]  # BCD04 is N2: 4620 is 46.20
    no_n1 = _processed("walmart", "x.x12", data=(head + "ST*812*0001~\n" + bcd + "SE*3*0001~\n" + WM_END).encode())
    assert _ak(no_n1) == [["AK2", "812", "0001"], ["AK3", "N1", "3", "", "3"], ["AK5", "R", "5"],
                          ["AK9", "R", "1", "1", "0"]]
    stated = _processed("walmart", "x.x12", data=(head + "ST*812*0001~\n" + bcd.replace("*4620*", "*46.2*") + n1
                                                    + "SE*4*0001~\n" + WM_END).encode())
    # a point written in an N2: noted (AK4 6, AK5 E), read as the number it states
    assert _ak(stated) == [["AK2", "812", "0001"], ["AK3", "BCD", "2", "", "8"], ["AK4", "4", "610", "6", "46.2"],
                           ["AK5", "E", "5"], ["AK9", "E", "1", "1", "1"]]
    assert stated.remittance["adjustment"].to_pylist() == [D("-46.2")]


def test_a_segment_the_standard_has_but_our_dictionary_does_not_define_is_not_judged():
    """RDM (the 820's N1 loop) is a segment of the standard's 820 we hold no definition of: its elements are not
    judged (nothing stricter than the standard), and it is in its place."""
    out = _walmart(_820(*GOOD[:3], "RDM*A*ANYTHING*AT*ALL*12345678901234567890~\n", *GOOD[3:]))
    assert _ak(out) == [["AK2", "820", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]


def test_a_kept_set_we_hold_no_table_for_is_judged_on_its_envelope_alone():
    head = WM_ISA.replace("GS*RA*", "GS*PD*")
    data = (head + "ST*852*0001~\nXQ*H*20261123*20261129~\nZZZ*WHATEVER*A*B~\nLIN**UP*0614141000012~\n"
            "ZA*QA*120*EA~\nSE*6*0001~\n" + WM_END).encode()
    out = _processed("walmart", "x.x12", data=data)
    assert _ak(out) == [["AK2", "852", "0001"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]]


def test_the_reader_takes_no_malformed_rmr_of_a_set_the_997_did_not_judge_as_a_payment():
    """An 820 of a version we hold no dictionary for (003050) whose sets the 997 does not judge (the profile's
    other_versions "envelope_only"): its RMR whose RMR04 is no number, or whose ADX01 is none, is left out with a
    finding naming it. With other_versions "common" (the default) the 997 judges the elements' types in every release
    (s69 qtycheck): the set is refused with AK4 6 at RMR04 and ADX01, as in 004010, and nothing of it is read."""
    data = _820(*GOOD[:5], "RMR*IV*INV-80102**1,000*1000~\n", "RMR*IV*INV-80103**500*600~\n", "ADX*-1O0*01~\n",
                version="003050")
    result = read_interchanges(data, file="f.x12")
    sets = list(result.transaction_sets())
    table, findings = read_remittance_checked(result, sets, partner="walmart", file="f.x12")
    assert table["reference"].to_pylist() == ["INV-80101"]
    assert [(f.code, f.severity, f.location.segment_id, f.location.element, f.location.value,
             f.location.segment_position) for f in findings] == [
        ("REMITTANCE_NOT_READ", "warning", "RMR", "RMR04", "1,000", 7),
        ("REMITTANCE_NOT_READ", "warning", "RMR", "ADX01", "-1O0", 8)]
    assert findings[0].message.startswith("820 RMR (IV INV-80102): RMR04 '1,000' is no number")
    assert read_remittance(result, sets, partner="walmart", file="f.x12").equals(table)
    walmart = _profile("walmart")
    envelope_only = walmart.model_copy(
        update={"x12": walmart.x12.model_copy(update={"other_versions": "envelope_only"})})
    out = _processed("walmart", "x.x12", data=data, profile=envelope_only)
    assert [f.code for f in out.findings if f.code == "REMITTANCE_NOT_READ"] == ["REMITTANCE_NOT_READ"] * 2
    assert out.remittance["reference"].to_pylist() == ["INV-80101"]
    judged = _processed("walmart", "x.x12", data=data, profile=walmart)
    assert [(f.code, f.location.element) for f in judged.findings] == [
        ("ELEMENT_INVALID_CHARACTER", "RMR04"), ("ELEMENT_INVALID_CHARACTER", "ADX01")]
    [ack] = _acks(judged)
    assert [s[:4:3] for s in ack if s[0] == "AK4"] == [["AK4", "6"], ["AK4", "6"]] and ["AK5", "R", "5"] in ack
    assert judged.remittance.num_rows == 0


# --- 2. the remittance KPIs per partner and currency ------------------------------------------------------------
def test_the_remittance_kpis_never_add_one_currency_to_another():
    """Walmart pays one invoice of ours in USD (its 820's CUR02) and one in CAD (our 810's currency, no CUR): the KPI
    rows, the report's and the dashboard's tables, are per partner, currency and status, never 12000 USD + 5000 CAD."""
    import pyarrow as pa

    from engine.remittance import match_remittance, remittance_kpis, remittance_section
    from tests.test_rg88b_remittance import _invoices, _rows

    usd = _walmart(_820(*GOOD[:2], "CUR*PR*USD~\n", *GOOD[2:]))
    cad = _walmart(_820(*GOOD[:4], "RMR*IV*INV-80102**4900*5000~\n", "REF*PO*4500881011~\n").replace(
        b"000088301", b"000088302"))
    remittance = pa.concat_tables([usd.remittance, cad.remittance])
    ours = _invoices(("walmart", "4500881010", "INV-80101", "12500"), ("walmart", "4500881011", "INV-80102", "5000"))
    ours = ours.set_column(ours.schema.get_field_index("currency"), "currency", pa.array(["USD", "CAD"]))
    k = remittance_kpis(match_remittance(ours, remittance))
    assert _rows(k, "partner", "currency", "status", "invoices", "invoiced_total", "paid", "difference") == [
        ("walmart", "CAD", "short_paid", 1, D("5000"), D("4900"), D("100")),
        ("walmart", "USD", "short_paid", 1, D("12500"), D("12000"), D("500"))]
    _key, _title, body = remittance_section(match_remittance(ours, remittance))
    assert "<th>Partner</th><th>Currency</th><th>Status</th>" in body


def test_a_nights_kpi_remittance_and_dashboard_say_the_currency(paid):  # noqa: F811
    """rg88b's night (HCA's 820 says CUR*PR*USD): data/kpi_remittance has the currency column, the dashboard's
    "Invoices paid" table a Currency column."""
    import pyarrow.parquet as pq

    ws, _invoice = paid
    kpis = pq.read_table(ws.reports_dir / "paid" / "finance" / "data" / "kpi_remittance.parquet").to_pylist()
    assert [(k["partner"], k["currency"], k["status"]) for k in kpis if k["partner"] == "hca"] == [
        ("hca", "USD", "short_paid"), ("hca", "USD", "not_invoiced")]
    dashboard = (ws.reports_dir / "finance" / "dashboard.html").read_text(encoding="utf-8")
    section = dashboard[dashboard.index('id="remittance"'):]
    assert "<th>Partner</th><th>Currency</th><th>Status</th>" in section


# --- 3. `state rebuild` reads the remittances again ----------------------------------------------------------------
def test_a_rebuild_reads_the_remittances_again_from_the_archive(paid, tmp_path, capsys):  # noqa: F811
    """The disk lost with the store and state/remittance/, no backup: `orderbridge state rebuild` replays the archived
    820s and 812s and keeps their rows again (the same rows, received at the run's clock as intake kept them), says
    so, and hands nothing off again; `status` names the 820 and 812 again."""
    import json
    import shutil

    import pyarrow.parquet as pq

    from flows.status_view import run_status

    ws, invoice = paid
    root = tmp_path / "ws"
    shutil.copytree(ws.root, root)
    kept = root / "state" / "remittance"
    before = {p.relative_to(kept): p for p in sorted(kept.rglob("*")) if p.is_file()}
    handed = {p: p.stat().st_mtime_ns for p in sorted((root / "handoff").rglob("*")) if p.is_file()}
    assert {p.parts[0] for p in before} == {"hca", "walmart"}
    rows = {k: pq.read_table(v).to_pylist() for k, v in before.items() if v.suffix == ".parquet"}
    json_before = {k: v.read_bytes() for k, v in before.items() if v.suffix == ".json"}
    shutil.rmtree(kept)
    assert "the 820 remittances and 812 adjustments of 3 archived file(s) are read again into state/remittance/" \
        in rebuilt_store(root)
    after = {p.relative_to(kept): p for p in sorted(kept.rglob("*")) if p.is_file()}
    assert sorted(after) == sorted(before)
    # the same rows; received at the clock the rebuild finds for the file's run (docs/state-store.md: the run's
    # summary.json, else midnight of its archive day; these nights' intakes ran without a run report)
    again = {k: pq.read_table(v).to_pylist() for k, v in after.items() if v.suffix == ".parquet"}
    assert {k: [{**r, "received_at": None} for r in v] for k, v in again.items()} == {
        k: [{**r, "received_at": None} for r in v] for k, v in rows.items()}
    assert all(b["received_at"] == a["received_at"].replace(hour=0, minute=0)
               for k in rows for a, b in zip(rows[k], again[k], strict=True))
    assert {k: [{**r, "received_at": None} for r in json.loads(v.read_bytes())] for k, v in after.items()
            if v.suffix == ".json"} == {k: [{**r, "received_at": None} for r in json.loads(v)]
                                        for k, v in json_before.items()}
    assert {p: p.stat().st_mtime_ns for p in sorted((root / "handoff").rglob("*")) if p.is_file()} == handed
    capsys.readouterr()
    assert run_status(invoice.po_number, "hca", True, root) == 0
    assert [r["reference"] for r in json.loads(capsys.readouterr().out)["remittances"]] == [
        invoice.invoice_number, "DM-8801"]


# --- 4. the hand-off folder's name defined once --------------------------------------------------------------------
def test_the_hand_off_folders_name_is_defined_once_in_schemas_and_status_loads_no_pyarrow_for_it():
    """flows.handoff writes the folder the engine's findings name (parsers.other_sets): both read
    schemas.handoff.HANDOFF_FOLDER, and no module under flows/, parsers/ or engine/ spells the name again (two copies
    drift: the findings would name a folder nothing writes). flows.handoff (status) still loads no pyarrow for it."""
    import ast
    import subprocess
    import sys

    from schemas.handoff import HANDOFF_FOLDER
    from tests.support import REPO

    assert HANDOFF_FOLDER == "handoff"
    spelled = []
    for folder in ("flows", "parsers", "engine", "connectors", "rules", "console"):
        for path in sorted((REPO / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and \
                        node.value.value == "handoff":
                    spelled.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert spelled == []
    import flows.handoff
    import parsers.other_sets

    assert flows.handoff.handoff_dir(REPO).name == HANDOFF_FOLDER
    assert parsers.other_sets.HANDOFF_FOLDER is HANDOFF_FOLDER
    loaded = subprocess.run([sys.executable, "-c", "import sys, flows.handoff; print('pyarrow' in sys.modules)"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "False"


# --- 5. the 864 messages written as the other kept files are ---------------------------------------------------
def _events(monkeypatch) -> list[str]:
    import os

    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda *a, **k: (events.append("rename"), real_replace(*a, **k))[1])
    return events


def test_a_runs_864_messages_are_fsynced_before_their_rename(tmp_path, monkeypatch):
    """flows.text_messages.keep wrote its Parquet by a rename of an unsynced file: a crash after the rename could
    leave an empty or partial messages file the run's reports then read (the hand-off and remittance files are
    fsynced first, as the outbox's). Now each is written by connectors.durable, fsync before the rename; nothing left
    under a temporary name."""
    import pyarrow.parquet as pq

    from flows import text_messages
    from tests.test_text_messages import FIXTURE, _acme, _process

    messages = _process(FIXTURE.read_bytes(), _acme()).text_messages
    assert messages.num_rows
    events = _events(monkeypatch)
    text_messages.keep(tmp_path, messages)
    assert events == ["fsync", "rename"]
    [path] = [p.name for p in tmp_path.iterdir()]
    assert pq.read_table(tmp_path / path).num_rows == messages.num_rows


def test_a_kept_files_remittance_parquet_and_json_are_each_fsynced_before_their_rename(tmp_path, monkeypatch):
    """flows.handoff.keep_remittance fsynced the JSON but renamed the Parquet unsynced; both now go through
    connectors.durable, as the hand-off files do."""
    from flows import handoff

    out = _walmart(_820(*GOOD))
    events = _events(monkeypatch)
    handoff.keep_remittance(tmp_path, "walmart", "ab" * 32, out.remittance)
    assert events == ["fsync", "rename", "fsync", "rename"]
    assert sorted(p.suffix for p in (tmp_path / "state" / "remittance" / "walmart").iterdir()) == [".json",
                                                                                                  ".parquet"]
