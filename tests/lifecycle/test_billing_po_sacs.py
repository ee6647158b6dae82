"""Billing with the PO's own off-invoice SACs (engine.invoice_po_sacs): an order that has some gets its 810 built
one by one with them; every other 810 of the run is the same text, written with its batch, as without."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from engine.invoice_po_sacs import PoSac
from engine.lifecycle import billing
from tests.lifecycle.test_billing_columns import CASES, plan_of

F800 = PoSac("1", "A", "F800", amount=Decimal("5.00"), handling="02", ordered=Decimal(12))


def _with_sacs(monkeypatch, sacs):
    real = billing.prepare_invoices
    monkeypatch.setattr(billing, "prepare_invoices", lambda *a, **k: real(*a, **k, sacs=sacs))


@pytest.mark.parametrize("case", ["per shipment, partial", "charges and allowances", "per order, shipped complete"])
def test_an_order_without_carried_sacs_gets_the_same_810_with_its_batch(monkeypatch, case):
    plain, problems, kinds = plan_of(monkeypatch, text=True, as_columns="all tables", **CASES[case])
    _with_sacs(monkeypatch, {("acme", "PO-OTHER"): (F800,)})
    other, problems_other, kinds_other = plan_of(monkeypatch, text=True, as_columns="all tables", **CASES[case])
    assert (other, problems_other, kinds_other) == (plain, problems, kinds) and set(kinds) == {"Batch810"}


def test_an_order_with_carried_sacs_gets_them_after_the_line_and_in_tds(monkeypatch):
    plain, _, _ = plan_of(monkeypatch, text=True, as_columns="all tables", **CASES["per shipment, partial"])
    _with_sacs(monkeypatch, {("acme", "PO-1"): (F800,)})
    got, problems, kinds = plan_of(monkeypatch, text=True, as_columns="all tables", **CASES["per shipment, partial"])
    assert kinds == ["Order810"] and not problems
    text, before = got.documents[0].sets[0].text, plain.documents[0].sets[0].text
    e = text[3]  # the element separator (after the tag of the first segment)
    segs = [s.strip() for s in re.split(r"[~\n]", text.replace(e, "*")) if s.strip()]
    at = next(i for i, s in enumerate(segs) if s.startswith("IT1*1*5*"))
    after = [s for s in segs[at + 1:] if s.startswith(("SAC", "IT1"))]
    assert after[:2] == ["SAC*A*F800***208*******02", after[1]] and after[1].startswith("IT1*2*")  # 5.00 x 5 / 12
    tds = [int(s.split("*")[1]) for s in segs if s.startswith("TDS")]
    old = [int(s.split("*")[1]) for s in (x.strip() for x in re.split(r"[~\n]", before.replace(e, "*")))
           if s.startswith("TDS")]
    assert tds == [old[0] - 208]
    assert got.invoices[0].total == plain.invoices[0].total - Decimal("2.08")
