"""rg91c: the SACs a SAC_NOT_APPLIED finding names are carried as data (schemas.findings.Detail.sacs, the findings
table's sacs column, schema version FINDING_SACS), so finance reads them without reading the finding's words; the
findings recorded before are given theirs once, by the migration step, from their words."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa

from engine.finance_inputs import po_charges
from schemas.findings import SacNamed, detail_values, sacs_of
from tests.support import GOOD_PO, x12_850
from tests.test_acks_and_outputs import run

HEAD, LINES = GOOD_PO[:6], GOOD_PO[6:9]


def _finding(sacs: list[str]):
    out = run(x12_850(HEAD[:2] + sacs + HEAD[2:] + LINES + ["CTT*2*18"]))
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    return f


def test_a_sac_finding_carries_its_sacs_as_data_and_finance_reads_them_not_its_words():
    """Code, agency code (one with only SAC03/SAC04), amount, percent, basis, handling, description and line are
    the finding's detail; po_charges reads them from the stored column, whatever the words say."""
    f = _finding(["SAC*A**VI*PROMO7*200*******02", "SAC*A*C310****6*2*****01***TRADE DEAL"])
    assert f.detail.sacs == (
        SacNamed(kind="A", code=None, agency_code="VI:PROMO7", amount="2.00", handling="02",
                 words="allowance (no code) agency VI:PROMO7, 2.00, handling 02 off invoice"),
        SacNamed(kind="A", code="C310", basis="6", percent="2", handling="01", description="TRADE DEAL",
                 words='allowance C310 2 % of basis 6, handling 01 bill back, "TRADE DEAL"'))
    stored = detail_values(f.detail)[3]
    assert sacs_of(stored) == (f.detail.sacs, 0)
    # the words are not read: a message of other words gives the same rows
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": ["words for people"],
                                "file": ["t"], "our_810s": [None], "sacs": [stored]}))
    assert [(r["code"], r["agency_code"], r["amount"], r["percent"], r["basis"], r["handling"], r["description"])
            for r in read.to_pylist()] == [(None, "VI:PROMO7", Decimal("2.00"), None, None, "02", None),
                                           ("C310", None, None, Decimal("2"), "6", "01", "TRADE DEAL")]


def test_a_line_sac_and_more_than_ten_are_data():
    sacs = [f"SAC*A*C{i:03d}***{100 + i}*******01" for i in range(12)]  # bill back: not on our 810s
    out = run(x12_850(HEAD[:2] + sacs[:11] + HEAD[2:] + LINES[:1] + sacs[11:] + LINES[1:] + ["CTT*2*18"]))
    [f] = [f for f in out.findings if f.code == "SAC_NOT_APPLIED"]
    assert len(f.detail.sacs) == 10 and f.detail.sacs_more == 2
    read = po_charges(pa.table({"partner": ["acme"], "po_number": ["PO-1"], "message": [""], "file": ["t"],
                                "our_810s": [None], "sacs": [detail_values(f.detail)[3]]}))
    assert read.num_rows == 10 and set(read["more"].to_pylist()) == {2}


def test_a_store_before_finding_sacs_gets_them_from_the_words_once(store_target):
    """A version LOOKUP_INDEXES store's SAC_NOT_APPLIED findings (words, and our_810s where kept) migrate: the
    column filled from the words, so finance reads the column only; other findings untouched."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import FINDING_SACS, LATEST, LOOKUP_INDEXES

    old = ("The PO asks for allowances or charges we apply to no price or 855; each says whether our 810s carry it: "
           "allowance (no code) agency VI:PROMO7, 2.00, handling 02 off invoice, on our 810s; allowance C310 2 %, "
           "not on our 810s (line 1). Agree the others with the partner.")
    target = store_target()
    store = StateStore(target)
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[FINDING_SACS]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO findings (id, partner, po_number, code, severity, message, our_810s)"
                    " VALUES (?, 'acme', ?, ?, 'warning', ?, ?)",
                    [(1, "PO-1", "SAC_NOT_APPLIED", old, "on our 810s; not on our 810s"),
                     (2, "PO-2", "SAC_NOT_APPLIED", old, None),
                     (3, "PO-3", "PO_LINE_PRICE", old, None)])
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(LOOKUP_INDEXES),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == FINDING_SACS + 8 == LOOKUP_INDEXES + 9
        rows = dict(store._q("SELECT id, sacs FROM findings ORDER BY id"))
        assert rows[3] is None and rows[1] == rows[2]
        sacs, more = sacs_of(rows[1])
        assert more == 0 and [(s.code, s.agency_code, s.amount, s.percent, s.line_id, s.words) for s in sacs] == [
            (None, "VI:PROMO7", "2.00", None, None,
             "allowance (no code) agency VI:PROMO7, 2.00, handling 02 off invoice"),
            ("C310", None, None, "2", "1", "allowance C310 2 % (line 1)")]
        read = po_charges(store.allowance_findings())
        assert [(r["po_number"], r["agency_code"]) for r in read.to_pylist()] == [
            ("PO-1", "VI:PROMO7"), ("PO-1", None), ("PO-2", "VI:PROMO7"), ("PO-2", None)]
    finally:
        store.close()


# --- item 2: BACKORDER_AFTER_CANCEL's passed dates as data (engine.lifecycle.backorders.Passed) ----------------------

def _past(dates: dict, *, transit=None, today=None):
    from datetime import date

    from engine.lifecycle import backorders
    from schemas.lifecycle import LineRecord, LineState, OrderRecord, OrderState

    record = OrderRecord("acme", "P1", OrderState.ACKNOWLEDGED, source_file="po.x12", isa13="1", gs06="1", st02="1")
    line = LineRecord("acme", "P1", 1, LineState.BACKORDERED, sku="S", unit="EA", backordered=5)
    got = backorders.past_lines([record], {record.key: dates}, {}, {record.key: [line]},
                                today=today or date(2026, 12, 6), transit=transit)
    return record, line, backorders.joined(got[record.key].values())


def test_a_063_with_transit_time_gives_the_finding_its_date_and_qualifier_not_a_word():
    """Before, the value was the last word of the dates named: "2026-12-05)" for a 063 named with its last ship day,
    and no qualifier. Now the 063 the PO stated and its DTM01, whether the backorder is cancelled or promised."""
    from datetime import date

    from engine.lifecycle import backorders

    record, line, passed = _past({"do_not_deliver_after": date(2026, 12, 8), "cancel_after": None},
                                 transit={"acme": 3})
    assert passed.named.endswith("(the last ship day 2026-12-05)") and passed.dates == (("063", date(2026, 12, 8)),)
    plan = backorders.plan_expired([record], lines={record.key: (line,)}, passed={record.key: passed},
                                   today=date(2026, 12, 6), at="2026-12-06T02:00:00", run_id="r")
    [f] = [x.finding for x in plan.findings]
    assert (f.code, f.location.value, f.detail.qualifier) == ("BACKORDER_AFTER_CANCEL", "20261208", "063")
    assert passed.named in f.message
    [warned] = backorders._late_warning(record, (line,), passed)
    assert (warned.finding.location.value, warned.finding.detail.qualifier) == ("20261208", "063")


def test_a_001_and_a_063_on_one_day_are_both_its_qualifier_and_the_later_date_its_value():
    from datetime import date

    _r, _l, same = _past({"cancel_after": date(2026, 12, 4), "do_not_deliver_after": date(2026, 12, 4)})
    assert (same.value, same.qualifier) == (date(2026, 12, 4), "001 063")
    _r, _l, apart = _past({"cancel_after": date(2026, 12, 3), "do_not_deliver_after": date(2026, 12, 4)})
    assert (apart.value, apart.qualifier) == (date(2026, 12, 4), "063")
    assert apart.named == "DTM 001 (cancel after) 2026-12-03 and DTM 063 (do not deliver after) 2026-12-04"


def test_a_balance_cancelled_past_its_date_is_told_with_its_date_and_qualifier():
    """engine.lifecycle.balance's warning (a short shipment's balance cancelled past a 063 with transit time)."""
    from datetime import date

    from engine.lifecycle import backorders
    from engine.lifecycle.balance import plan_balance_cancelled
    from tests.test_balance_past_cancel import AT, KEY, RUN, _line, _order, _reserved

    passed = backorders.Passed("DTM 063 (do not deliver after) 2026-12-08 less 3 days in transit (the last ship day "
                               "2026-12-05)", (("063", date(2026, 12, 8)),))
    plan = plan_balance_cancelled({KEY: _order()}, lines={KEY: (_line(1, 10, 10), _line(2, 4, 2))},
                                  reservations={KEY: (_reserved(2, 2),)}, shipped_from={KEY: {"EAST"}},
                                  requirements={KEY: None}, at=AT, run_id=RUN, past={KEY: (passed, {1, 2})})
    [f] = [x.finding for x in plan.findings]
    assert (f.code, f.location.value, f.detail.qualifier) == ("BACKORDER_AFTER_CANCEL", "20261208", "063")


def test_a_csv_order_s_late_backorder_names_the_column_of_its_qualifier():
    """engine.csv_findings reads the finding's qualifier, never its words (a finding without one names no column)."""
    from engine.csv_findings import _DATES, _field
    from schemas.findings import Detail, finding

    f = finding("BACKORDER_AFTER_CANCEL", "The order's DTM 063 (do not deliver after) 2026-12-08 passed", seg="DTM",
                element="DTM02", value="20261208", detail=Detail(qualifier="001 063"))
    assert _field(f, ()) == _DATES["063"]
    assert _field(finding("BACKORDER_AFTER_CANCEL", f.message, seg="DTM", element="DTM02", value="20261208"),
                  ()) == ""
