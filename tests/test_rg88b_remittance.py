"""What partners' 820 remittances and 812 adjustments say reaches finance, ops and the ERP (tests/fixtures/rg88, rg88's
night: HCA's 850 with its 820, 812 and 864 in one interchange; Walmart's 820, 852/846/816 and 754/830/862/180/869/204).

- Each 820 RMR (invoice number, paid, invoice amount, discount, ADX adjustments and reason codes) with its BPR total,
  method and date and TRN trace, and each 812 (debit or credit, amount, invoice, PO, CDD reasons), read into the
  REMITTANCE table, kept at intake, joined to our 810s by invoice number: per invoice paid / short-paid (the
  difference, the reasons) / over-paid / not paid / paid but never invoiced by us / adjusted, counted in the KPIs.
- Each set we keep without processing written alone in its envelope under handoff/<partner>/, named by partner, set,
  sender and control numbers, once.
- `orderbridge status` of a PO, or of one of our invoice numbers, names the 820s and 812s paying or adjusting it.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.remittance import match_remittance, remittance_kpis
from flows import handoff
from parsers.other_sets import as_received, handoff_name
from parsers.remittance import read_remittance
from parsers.x12_reader import read_interchanges
from schemas.reconciliation import INVOICE_MATCH
from schemas.remittance import REMITTANCE
from tests.retailer_support import of_its_own, shipped_night
from tests.support import REPO

FIXTURES = REPO / "tests" / "fixtures" / "rg88"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
DROPS = FIXTURES / "drops"
NIGHT = datetime(2026, 11, 30, 23, 30)
SHIP_DAY = datetime(2026, 12, 1, 15)
PAID_DAY = datetime(2026, 12, 5, 23, 30)
HCA_ISA = ("ISA*00*          *00*          *01*078722541      *ZZ*ORDERBRIDGE    *261205*2305*^*00501*000088901*0*P*>~"
           "\n")


def _read(path, partner: str = "p"):
    result = read_interchanges(path.read_bytes())
    return read_remittance(result, list(result.transaction_sets()), partner=partner, file=path.name, sha256="s",
                           received_at=NIGHT)


def _rows(t: pa.Table, *columns: str) -> list[tuple]:
    return [tuple(r[c] for c in columns) for r in t.to_pylist()]


D = Decimal


# --- reading ---------------------------------------------------------------------------------------------------
def test_an_820s_rmrs_and_an_812_are_read_with_their_payment_trace_and_reasons():
    t = _read(DROPS / "hca" / "HCA_850_820_812_864.x12", "hca")
    assert t.schema == REMITTANCE
    assert _rows(t, "set_id", "reference_qualifier", "invoice_number", "reference", "po_number", "paid",
                 "invoice_amount", "discount", "adjustment", "reasons") == [
        ("820", "IV", "INV-70011", "INV-70011", "HCA7200111", D("5241.5"), D("5320"), D("78.5"), None, None),
        ("820", "IV", "INV-70012", "INV-70012", "HCA7200112", D("2600"), D("2600"), None, None, None),
        ("812", "IV", "INV-70012", "DM-4471", "HCA7200112", None, None, None, D("-46.2"), "04")]
    assert _rows(t, "payment_total", "payment_method", "payment_date", "trace", "currency", "isa13", "gs06", "st02",
                 "segment_position") == [
        (D("7841.5"), "ACH", datetime(2026, 12, 1).date(), "HCA2026120100457", "USD", "000088001", "88002", "880001",
         10),
        (D("7841.5"), "ACH", datetime(2026, 12, 1).date(), "HCA2026120100457", "USD", "000088001", "88002", "880001",
         13),
        (D("46.2"), "debit", datetime(2026, 11, 30).date(), "DM-4471", None, "000088001", "88003", "880002", 2)]


def test_an_820_naming_a_credit_memo_keeps_its_qualifier_and_no_invoice_number():
    t = _read(DROPS / "walmart" / "WM_820_0088101.x12")
    assert _rows(t, "reference_qualifier", "invoice_number", "reference", "po_number", "paid", "discount") == [
        ("IV", "INV-80101", "INV-80101", "4500881010", D("12000"), None),
        ("IV", "INV-80102", "INV-80102", "4500881011", D("6400"), D("100")),
        ("CM", None, "CM-80020", None, D("-166.6"), None)]


def test_adx_adjustments_in_an_rmr_loop_are_summed_with_their_reason_codes_and_bad_amounts_are_null():
    text = (HCA_ISA + "GS*RA*HCASUPPLY*ORDERBRIDGE*20261205*2305*1*X*005010~\nST*820*0001~\n"
            "BPR*C*1,000*C*CHK************20261205~\nTRN*1*CHK-1~\nENT*1~\n"
            "RMR*IV*A-1**90*100~\nADX*-4*01~\nADX*-6*CS~\nRMR*IV*A-2**.5~\nADX*-1*01~\nENT*2~\nADX*-3*ZZ~\n"
            "SE*12*0001~\nGE*1*1~\nIEA*1*000088901~\n")
    result = read_interchanges(text.encode())
    t = read_remittance(result, list(result.transaction_sets()), partner="p", file="f")
    assert _rows(t, "invoice_number", "paid", "invoice_amount", "adjustment", "reasons", "payment_total",
                 "payment_method") == [
        ("A-1", D("90"), D("100"), D("-10"), "01 CS", None, "CHK"),  # BPR02 "1,000" is no type-R amount
        ("A-2", D("0.5"), None, D("-1"), "01", None, "CHK")]  # the ENT-level ADX is no RMR's


# --- matching ---------------------------------------------------------------------------------------------------
def _invoices(*rows) -> pa.Table:
    return pa.Table.from_pylist([dict(partner=p, po_number=po, invoice_number=n, invoice_lines=1,
                                      lines_value=D(total), invoiced_total=D(total), sent_at=datetime(2026, 11, 28),
                                      file="f", isa13="1", gs06="1", st02=str(i))
                                 for i, (p, po, n, total) in enumerate(rows)], schema=INVOICE_MATCH)


def test_each_invoice_is_paid_short_paid_over_paid_not_paid_or_never_ours():
    remittance = pa.concat_tables([_read(DROPS / "hca" / "HCA_850_820_812_864.x12", "hca"),
                                   _read(DROPS / "walmart" / "WM_820_0088101.x12", "walmart")])
    ours = _invoices(("hca", "HCA7200111", "INV-70011", "5320"), ("hca", "HCA7200112", "INV-70012", "2600"),
                     ("hca", "HCA7200113", "INV-70013", "100"), ("walmart", "4500881010", "INV-80101", "11000"),
                     ("acme", "A-1", "INV-1", "10"))  # acme sends no 820: nothing known of its payments
    m = match_remittance(ours, pa.concat_tables([remittance, remittance]))  # a file kept twice counts once
    assert _rows(m, "partner", "invoice_number", "status", "invoiced_total", "paid", "difference", "reasons") == [
        ("hca", "INV-70011", "short_paid", D("5320"), D("5241.5"), D("78.5"), None),
        # paid in full by the 820, then debited 46.20 by the 812 (its CDD reason 04)
        ("hca", "INV-70012", "short_paid", D("2600"), D("2600"), D("46.2"), "04"),
        ("hca", "INV-70013", "not_paid", D("100"), None, None, None),
        ("walmart", "CM-80020", "adjusted", None, D("-166.6"), None, None),
        ("walmart", "INV-80101", "over_paid", D("11000"), D("12000"), D("-1000"), None),
        ("walmart", "INV-80102", "not_invoiced", None, D("6400"), None, None)]
    [short] = [r for r in m.to_pylist() if r["invoice_number"] == "INV-70012"]
    assert short["remittances"] == (
        "820 trace HCA2026120100457 paid 2600.00 of 2600.00 on 2026-12-01 (ISA13 000088001 GS06 88002 ST02 880001, "
        "file HCA_850_820_812_864.x12); 812 debit DM-4471 46.20 on 2026-11-30 (ISA13 000088001 GS06 88003 ST02 "
        "880002, file HCA_850_820_812_864.x12)")
    assert _rows(remittance_kpis(m), "partner", "status", "invoices", "difference") == [
        ("hca", "short_paid", 2, D("124.7")), ("hca", "not_paid", 1, None), ("walmart", "over_paid", 1, D("-1000")),
        ("walmart", "not_invoiced", 1, None), ("walmart", "adjusted", 1, None)]


def test_the_match_is_columnar_at_volume():
    """20,000 RMRs in one 820 read and matched, half of them against our 810s, without Python per segment (the
    columnar path: its CPU is printed by bench/bench_remittance.py, `make bench`; a test asserts no timing)."""
    from bench.bench_remittance import one_820, our_invoices

    n = 20_000
    result = read_interchanges(one_820(n))
    t = read_remittance(result, list(result.transaction_sets()), partner="p", file="f")
    m = match_remittance(our_invoices(n), t)
    assert t.num_rows == n and m.num_rows == n
    assert m["status"].value_counts().to_pylist() == [{"values": "short_paid", "counts": n // 2},
                                                      {"values": "not_invoiced", "counts": n // 2}]


# --- hand-off ---------------------------------------------------------------------------------------------------
def test_a_kept_set_is_handed_off_alone_in_its_own_envelope_under_a_findable_name():
    path = DROPS / "walmart" / "WM_852_846_816_0088102.x12"
    result = read_interchanges(path.read_bytes())
    ic, g, ts = next(iter(result.transaction_sets()))
    name = handoff_name("walmart", ic, g, ts)
    assert name == "walmart_852_925485US00_000088102_88102_0001.x12"
    data = as_received(result, ic, g, ts)
    again = read_interchanges(data)
    assert again.findings == [] and [(x[2].set_id, x[2].control_number) for x in again.transaction_sets()] == [
        ("852", "0001")]
    assert again.segments.rows(0, 1) == result.segments.rows(ic.start, ic.start) + result.segments.rows(g.start,
                                                                                                          g.start)
    body = again.segments.rows(2, len(again.segments) - 3)
    assert body == result.segments.rows(ts.start, ts.end)
    assert data.decode().splitlines()[-2:] == ["GE*1*88102~", "IEA*1*000088102~"]


def test_handing_off_again_writes_nothing_and_another_set_under_the_same_numbers_gets_its_own_name(tmp_path):
    first = handoff.hand_off(tmp_path, "p", [("p_820_S_1_1_1.x12", b"one")])
    assert [p.name for p in first] == ["p_820_S_1_1_1.x12"]
    assert handoff.hand_off(tmp_path, "p", [("p_820_S_1_1_1.x12", b"one")]) == []
    other = handoff.hand_off(tmp_path, "p", [("p_820_S_1_1_1.x12", b"two")])
    assert [p.name for p in other] == ["p_820_S_1_1_1_3fc4ccfe7458.x12"]
    assert handoff.hand_off(tmp_path, "p", [("p_820_S_1_1_1.x12", b"two")]) == []
    assert sorted(p.name for p in (tmp_path / "handoff" / "p").iterdir()) == [
        "p_820_S_1_1_1.x12", "p_820_S_1_1_1_3fc4ccfe7458.x12"]


# --- the nights -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paid(tmp_path_factory):
    """rg88's night (HCA's PO taken, shipped and invoiced), then HCA's 820 paying our invoice short with an ADX reason
    and naming one we never sent, and its 812 debiting it; taken in and reconciled on PAID_DAY."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from flows.reconcile import reconcile_run

    root = tmp_path_factory.mktemp("rg88b") / "ws"
    ws, _found, _states = shipped_night(of_its_own(FIXTURES, root, warehouses=WAREHOUSES), FIXTURES, NIGHT,
                                        SHIP_DAY)
    state = StateStore(ws.state_path)
    try:
        [invoice] = state.invoices("hca")
        total = D(invoice.total)
        text = (HCA_ISA + "GS*RA*HCASUPPLY*ORDERBRIDGE*20261205*2305*88901*X*005010~\nST*820*0001~\n"
                f"BPR*C*{total - 10 + 500}*C*ACH*CCP*01*064000017*DA*1002003004*1078722541**01*021000021*DA*"
                "9988776655*20261205~\nTRN*1*HCA-PAID-1*1078722541~\nENT*1~\n"
                f"RMR*IV*{invoice.invoice_number}**{total - 10}*{total}~\nREF*PO*{invoice.po_number}~\nADX*-10*01~\n"
                "RMR*IV*INV-NOT-OURS**500*500~\nSE*9*0001~\nGE*1*88901~\n"
                "GS*CD*HCASUPPLY*ORDERBRIDGE*20261205*2305*88902*X*005010~\nST*812*0002~\n"
                f"BCD*20261205*DM-8801*04*2500*D*{invoice.invoice_date:%Y%m%d}*{invoice.invoice_number}***"
                f"{invoice.po_number}~\nN1*BY*HCA HEALTHCARE*UL*0614141000012~\n"
                "N1*SE*ORDERBRIDGE MEDICAL*92*HCA40077~\nCDD*04*SH*D*25~\nSE*6*0002~\nGE*1*88902~\nIEA*2*000088901~\n")
        inbox = ws.drop_root / "hca" / "inbox"
        (inbox / "HCA_820_812_PAID.x12").write_text(text, encoding="utf-8")
        profiles = ws.partners()
        steps.intake_partner(ws, profiles["hca"], state, LocalDrop(ws.drop_root / "hca"), now=PAID_DAY,
                             run_id="paid")
        reconcile_run(ws, profiles, state, now=PAID_DAY, run_id="paid")
    finally:
        state.close()
    return ws, invoice


def test_our_invoice_short_paid_and_debited_and_one_never_ours_reach_the_reconciliation(paid):
    ws, invoice = paid
    total = D(invoice.total)
    data = ws.reports_dir / "paid" / "finance" / "data"
    m = pq.read_table(data / "remittances.parquet")
    hca = [r for r in m.to_pylist() if r["partner"] == "hca"]
    assert [(r["invoice_number"], r["status"], r["invoiced_total"], r["paid"], r["difference"], r["adjustment"],
             r["reasons"]) for r in hca] == [
        # rg88's 820 and 812 name invoices of HCA's we never sent
        ("INV-70011", "not_invoiced", None, D("5241.5"), None, None, None),
        ("INV-70012", "not_invoiced", None, D("2600"), None, D("-46.2"), "04"),
        ("INV-NOT-OURS", "not_invoiced", None, D("500"), None, None, None),
        # ours: paid 10 short (ADX 01), then debited 25 (CDD 04): 35 still owed
        (invoice.invoice_number, "short_paid", total, total - 10, D("35"), D("-35"), "01 04")]
    assert hca[-1]["po_number"] == invoice.po_number
    assert "820 trace HCA-PAID-1 paid" in hca[-1]["remittances"] and "812 debit DM-8801 25.00" in hca[-1]["remittances"]
    kpis = pq.read_table(data / "kpi_remittance.parquet").to_pylist()
    assert [(k["partner"], k["status"], k["invoices"]) for k in kpis if k["partner"] == "hca"] == [
        ("hca", "short_paid", 1), ("hca", "not_invoiced", 3)]
    report = (ws.reports_dir / "paid" / "finance" / "finance-report.html").read_text(encoding="utf-8")
    assert "Remittances: what partners paid and adjusted (820, 812)" in report and invoice.invoice_number in report
    dashboard = (ws.reports_dir / "finance" / "dashboard.html").read_text(encoding="utf-8")
    assert 'id="remittance"' in dashboard and "short paid" in dashboard


def test_a_report_since_a_day_shows_what_paid_the_invoices_of_its_pos(paid, tmp_path):
    """`orderbridge report --since DATE`: the remittances naming its POs' invoices; what names no invoice of them (an
    earlier PO's, one never ours) is the cumulative report's."""
    from connectors.state import StateStore
    from flows.reconcile import write_cumulative

    ws, invoice = paid
    state = StateStore(ws.state_path)
    try:
        write_cumulative(ws, state, ws.partners(), as_of=PAID_DAY, since=date(2026, 11, 1), folder=tmp_path / "since")
        write_cumulative(ws, state, ws.partners(), as_of=PAID_DAY, since=date(2026, 12, 31),
                         folder=tmp_path / "later")
    finally:
        state.close()
    m = pq.read_table(tmp_path / "since" / "data" / "remittances.parquet").to_pylist()
    assert [(r["partner"], r["invoice_number"], r["status"]) for r in m] == [
        ("hca", invoice.invoice_number, "short_paid")]
    assert not (tmp_path / "later" / "data" / "remittances.parquet").exists()


def test_each_kept_set_is_handed_off_once_for_ops_and_the_erp(paid):
    ws, _invoice = paid
    names = sorted(p.name for p in (ws.root / "handoff").rglob("*.x12"))
    assert names == [
        "hca_812_078722541_000088001_88003_880002.x12", "hca_812_078722541_000088901_88902_0002.x12",
        "hca_820_078722541_000088001_88002_880001.x12", "hca_820_078722541_000088901_88901_0001.x12",
        "walmart_180_925485US00_000088105_88108_0001.x12", "walmart_204_925485US00_000088105_88110_0001.x12",
        "walmart_754_925485US00_000088105_88105_0001.x12", "walmart_816_925485US00_000088102_88104_0001.x12",
        "walmart_820_925485US00_000088101_88101_0001.x12", "walmart_830_925485US00_000088105_88106_0001.x12",
        "walmart_846_925485US00_000088102_88103_0001.x12", "walmart_852_925485US00_000088102_88102_0001.x12",
        "walmart_862_925485US00_000088105_88107_0001.x12", "walmart_869_925485US00_000088105_88109_0001.x12"]
    for p in (ws.root / "handoff").rglob("*.x12"):
        again = read_interchanges(p.read_bytes())
        assert again.findings == [] and len(list(again.transaction_sets())) == 1, p.name


class _Killed(BaseException):
    """The run stopped where a power cut could stop it (flows.faults: no handler catches it)."""


def test_a_run_stopped_after_handing_off_then_run_again_writes_nothing_twice(paid, monkeypatch):
    """Walmart's next 820 stops its run after the file is checked and its sets handed off, before its intake commits
    (flows.faults "after-parse"); the rerun takes the file again and processes it: its hand-off file and its kept
    remittance rows are the first attempt's, not written again."""
    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import faults, steps

    ws, _invoice = paid
    text = (DROPS / "walmart" / "WM_820_0088101.x12").read_text(encoding="utf-8").replace("000088101", "000088111")
    (ws.drop_root / "walmart" / "inbox" / "WM_820_0088111.x12").write_text(text, encoding="utf-8")
    reached = faults.reached

    def stop(point: str) -> None:
        if point == "after-parse":
            raise _Killed(point)
        reached(point)

    monkeypatch.setattr(faults, "reached", stop)
    state = StateStore(ws.state_path)
    try:
        with pytest.raises(_Killed):
            steps.intake_partner(ws, ws.partners()["walmart"], state, LocalDrop(ws.drop_root / "walmart"),
                                 now=PAID_DAY, run_id="stopped")
    finally:
        state.close()
    monkeypatch.setattr(faults, "reached", reached)
    handed = ws.root / "handoff" / "walmart" / "walmart_820_925485US00_000088111_88101_0001.x12"
    kept = sorted((ws.root / "state" / "remittance" / "walmart").iterdir())
    first = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in [handed, *kept]}
    state = StateStore(ws.state_path)
    try:
        steps.intake_partner(ws, ws.partners()["walmart"], state, LocalDrop(ws.drop_root / "walmart"),
                             now=PAID_DAY, run_id="rerun")
        taken = [f["status"] for f in state.files() if f["name"] == "WM_820_0088111.x12"]
    finally:
        state.close()
    assert taken == ["processed"]
    assert sorted((ws.root / "handoff" / "walmart").glob("walmart_820_*")) == sorted(
        [handed, handed.with_name("walmart_820_925485US00_000088101_88101_0001.x12")])
    assert handed.stat().st_mtime_ns == first[handed][0]
    assert sorted((ws.root / "state" / "remittance" / "walmart").iterdir()) == kept
    for p in kept:  # the rerun writes the same rows under the same names (the reconciliation reads each once)
        assert p.read_bytes() == first[p][1]


def test_status_of_the_po_or_of_our_invoice_names_the_820_and_812_that_paid_and_adjusted_it(paid, capsys):
    from flows.status_view import run_status

    ws, invoice = paid
    assert run_status(invoice.po_number, "hca", True, ws.root) == 0
    by_po = json.loads(capsys.readouterr().out)
    assert [(r["set_id"], r["reference"], r["trace"]) for r in by_po["remittances"]] == [
        ("820", invoice.invoice_number, "HCA-PAID-1"), ("812", "DM-8801", "DM-8801")]
    assert by_po["remittances"][0]["said"].startswith(
        f"820 trace HCA-PAID-1 paid {D(invoice.total) - 10:,.2f} of {D(invoice.total):,.2f} for IV "
        f"{invoice.invoice_number}, adjusted -10.00 (reasons 01) on 2026-12-05 (ISA13 000088901 GS06 88901 ST02 0001")
    assert by_po["remittances"][1]["said"].startswith(
        f"812 debit DM-8801 of 25.00 against invoice {invoice.invoice_number} (reasons 04) on 2026-12-05")
    assert run_status(invoice.invoice_number, None, True, ws.root) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["remittances"] == by_po["remittances"]
    assert run_status(invoice.invoice_number, None, False, ws.root) == 0
    shown = capsys.readouterr().out
    assert "remittances (820) and adjustments (812)" in shown and "HCA-PAID-1" in shown
