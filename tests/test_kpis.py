"""The dashboard's KPIs (engine.kpis) against values computed by hand on the small fixed workspace of
tests/support_finance.small_book(); the arithmetic is in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.kpis import ANY_RULE, SLAS, STAGES, compute_kpis, with_exceptions
from engine.reconcile import reconcile
from tests.support_finance import AS_OF, SMALL_SETTINGS, small_book, small_document_status


@pytest.fixture(scope="module")
def kpis():
    b = small_book()
    t, docs = b.tables(), small_document_status(b)
    r = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, settings=SMALL_SETTINGS,
                  as_of=AS_OF)
    return compute_kpis(r.lines, t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, t["findings"],
                        r.exceptions, settings=SMALL_SETTINGS, as_of=AS_OF)


def by(table, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in table.to_pylist()}


def test_volume_per_partner_and_po_month(kpis):
    # acme: A1 (2 lines) + A2 (1) placed in November, A3 (2 lines, one cancelled) in December
    assert [(r["partner"], r["period"], r["orders"], r["lines"]) for r in kpis.volume.to_pylist()] == [
        ("acme", "2026-11", 2, 3), ("acme", "2026-12", 1, 2), ("globex", "2026-11", 1, 1), ("globex", "2026-12", 1, 1)]


def test_fill_rate(kpis):
    f = by(kpis.fill, "partner")
    # acme due lines: A1/1 10 of 10, A1/2 4 of 4, A2/1 6 of 6, A3/1 6 of 10 (A3/2 cancelled, not due)
    assert (f["acme"]["lines_due"], f["acme"]["lines_filled"]) == (4, 3)
    assert f["acme"]["line_fill_rate"] == pytest.approx(3 / 4)
    assert (f["acme"]["units_due"], f["acme"]["units_filled"]) == (30, 26)  # 10+4+6+10, 10+4+6+6
    assert f["acme"]["unit_fill_rate"] == pytest.approx(26 / 30)
    # globex: G1 25 shipped of 20 counts 20 of 20; G2 is due 12-12, after the run date
    assert (f["globex"]["lines_due"], f["globex"]["lines_filled"], f["globex"]["unit_fill_rate"]) == (1, 1, 1.0)


def test_perfect_order_rate(kpis):
    p = by(kpis.perfect, "partner")
    # acme: A1 perfect; A2 shipped 11-26 for 11-25 and has exceptions; A3 short
    assert (p["acme"]["orders_due"], p["acme"]["perfect_orders"]) == (3, 1)
    assert p["acme"]["perfect_order_rate"] == pytest.approx(1 / 3)
    # globex: G1 over-shipped (an exception)
    assert (p["globex"]["orders_due"], p["globex"]["perfect_orders"], p["globex"]["perfect_order_rate"]) == (1, 0, 0.0)


def test_cycle_times(kpis):
    c = by(kpis.cycle, "partner", "stage")
    # received -> first 855: A1 09:00 -> 02:00 next day 17 h, A2 51 h, A3 12 h
    assert (c["acme", STAGES[0]]["median_hours"], c["acme", STAGES[0]]["mean_hours"]) == (17.0, pytest.approx(26.67))
    # first 855 -> first departure: A1 11-03 02:00 -> 11-19 14:00 396 h, A2 334 h, A3 61 h
    assert (c["acme", STAGES[1]]["median_hours"], c["acme", STAGES[1]]["mean_hours"]) == (334.0, pytest.approx(263.67))
    # departure -> first 810 sent: 12 h, 16 h, 17 h
    assert (c["acme", STAGES[2]]["median_hours"], c["acme", STAGES[2]]["mean_hours"]) == (16.0, 15.0)
    # globex: G1 16 h and G2 16 h to the 855; G1 319 h to ship, 17 h to invoice; G2 not shipped
    assert [(c["globex", s]["orders"], c["globex", s]["median_hours"]) for s in STAGES] == [(2, 16.0), (1, 319.0),
                                                                                            (1, 17.0)]


def test_validation_error_rate_by_partner_and_rule(kpis):
    e = by(kpis.errors, "partner", "code")
    # acme received A1, A2, A3; ITEM_UNKNOWN twice on A3 (one order), SHIP_TO_UNKNOWN on A2, one file-level
    # X12_NOT_EDI; the PRICE_OUT_OF_TOLERANCE warning does not count
    assert (e["acme", "ITEM_UNKNOWN"]["findings"], e["acme", "ITEM_UNKNOWN"]["orders_affected"]) == (2, 1)
    assert e["acme", "ITEM_UNKNOWN"]["rate"] == pytest.approx(1 / 3)
    assert e["acme", "SHIP_TO_UNKNOWN"]["rate"] == pytest.approx(1 / 3)
    assert (e["acme", "X12_NOT_EDI"]["orders_affected"], e["acme", "X12_NOT_EDI"]["file_findings"]) == (0, 1)
    assert e["acme", ANY_RULE]["rate"] == pytest.approx(2 / 3) and ("acme", "PRICE_OUT_OF_TOLERANCE") not in e
    assert e["globex", "ITEM_UNKNOWN"]["rate"] == pytest.approx(1 / 2)


def test_sla_compliance(kpis):
    s = {k: (v["met"], v["measured"]) for k, v in by(kpis.sla, "partner", "sla").items()}
    # our 997: A1 11 h, A2 27 h (late), A3 2 h; G1 none (late), G2 1 h
    assert s["acme", SLAS[0]] == (2, 3) and s["globex", SLAS[0]] == (1, 2)
    # our first 855 within 48 h: A2 took 51 h
    assert s["acme", SLAS[1]] == (2, 3) and s["globex", SLAS[1]] == (2, 2)
    # ASN: S-A1 before its delivery, S-A2 3 h after it, S-A3 (no delivery time) 1 h after departure; S-G1 before
    assert s["acme", SLAS[2]] == (2, 3) and s["globex", SLAS[2]] == (1, 1)
    # partners' 997s: acme answered 3 of 4 in time (INV-A1 after 32 h); globex never answered INV-G1
    assert s["acme", SLAS[3]] == (3, 4) and s["globex", SLAS[3]] == (0, 1)
    assert by(kpis.sla, "partner", "sla")["acme", SLAS[3]]["rate"] == pytest.approx(0.75)


def test_chargeback_risk_from_the_profiles_penalties(kpis):
    c = {k: (v["incidents"], v["amount"]) for k, v in by(kpis.chargebacks, "partner", "incident").items()}
    # acme: 1 late 997 x 50, 1 late 855 x 100, 1 late ASN x 250, 1 rejected 856 x 150, 1 price mismatch x 75
    assert c["acme", "late_997"] == (1, Decimal(50)) and c["acme", "late_855"] == (1, Decimal(100))
    assert c["acme", "late_asn"] == (1, Decimal(250)) and c["acme", "rejected_asn"] == (1, Decimal(150))
    assert c["acme", "invoice_price_mismatch"] == (1, Decimal(75)) and c["acme", "over_shipment"] == (0, Decimal(0))
    assert sum(v[1] for k, v in c.items() if k[0] == "acme") == Decimal(625)
    # globex: 1 missing 997 x 40, 1 over-shipment x 200; late_855 has no penalty configured
    assert sum(v[1] for k, v in c.items() if k[0] == "globex") == Decimal(240)


def test_kpis_for_other_exceptions_are_those_computed_afresh():
    b = small_book()
    t, docs = b.tables(), small_document_status(b)
    r = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, settings=SMALL_SETTINGS,
                  as_of=AS_OF)

    def fresh(exceptions):
        return compute_kpis(r.lines, t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs,
                            t["findings"], exceptions, settings=SMALL_SETTINGS, as_of=AS_OF)

    assert r.exceptions.num_rows
    for first, other in ((r.exceptions, r.exceptions.slice(0, 1)), (r.exceptions.slice(0, 0), r.exceptions)):
        got = with_exceptions(fresh(first), r.lines, docs, other, settings=SMALL_SETTINGS)
        want = fresh(other)
        assert got.currency == want.currency and got.as_of == want.as_of
        assert {k: v.to_pylist() for k, v in got.tables().items()} == {k: v.to_pylist() for k, v in
                                                                      want.tables().items()}
    # the exceptions matter here (perfect orders, chargeback risk): the check above compares what differs
    some, none = fresh(r.exceptions), fresh(r.exceptions.slice(0, 0))
    assert some.perfect.to_pylist() != none.perfect.to_pylist()
    assert some.chargebacks.to_pylist() != none.chargebacks.to_pylist()


def test_a_csv_order_is_owed_no_997():
    """A CSV order (its lineage's ISA13 reads "CSV": parsers.csv_orders) came in no X12 group, so no 997 can
    answer it: "997 within window" does not measure it, and it is no late_997 incident. The demo's Umbrella
    read 997 within window 0 of 1 and a late 997 for the order its CSV acknowledgment answered."""
    from datetime import date, datetime

    b = small_book()
    b.order("C1", 1, 4, 5, partner="globex", po_date=date(2026, 11, 20), received_at=datetime(2026, 11, 20, 2))
    b.rows["ordered"][-1].update(isa13="CSV", gs06="1", st02="0002", file="orders.csv")
    t, docs = b.tables(), small_document_status(b)
    r = reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, settings=SMALL_SETTINGS,
                  as_of=AS_OF)
    k = compute_kpis(r.lines, t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], docs, t["findings"],
                     r.exceptions, settings=SMALL_SETTINGS, as_of=AS_OF)
    s = {key: (v["met"], v["measured"]) for key, v in by(k.sla, "partner", "sla").items()}
    assert s["globex", SLAS[0]] == (1, 2)  # G1 (none, late) and G2 as before; C1 not measured
    assert by(k.chargebacks, "partner", "incident")["globex", "late_997"]["incidents"] == 1
