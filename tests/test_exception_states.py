"""A reconciliation exception's state moves only by the legal actions of a named person with a note,
and is carried from run to run (engine.exception_states)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.exception_states import TRANSITIONS, act, apply_changes, carry_states, changes_table
from engine.reconcile import reconcile
from schemas.errors import ActionRefused
from schemas.finance import FinanceSettings
from schemas.reconciliation import STATES
from tests.support_finance import AS_OF, Book, document_status

AT = datetime(2026, 12, 10, 9, 30, 12, 500)


def exceptions(price="2.50", as_of=AS_OF):
    book = (Book().order("PO-1", 1, 10, price).ship("PO-1", 1, 10, shipment="S-1", shipped_at=datetime(2026, 12, 1))
            .order("PO-2", 1, 5, 4).invoice("PO-2", 1, 5, 4, number="INV-2", invoice_date=date(2026, 12, 5)))
    t = book.tables()
    return reconcile(t["ordered"], t["acknowledged"], t["shipped"], t["invoiced"], document_status([]),
                     settings={"acme": FinanceSettings()}, as_of=as_of).exceptions


@pytest.mark.parametrize("state,action,to", sorted((s, a, t) for (s, a), t in TRANSITIONS.items()))
def test_legal_moves(state, action, to):
    change = act("EX-1", state, action, by=" ana ", note=" credit note CN-7 sent ", at=AT)
    assert (change.from_state, change.to_state, change.by, change.note, change.at) == \
        (state, to, "ana", "credit note CN-7 sent", datetime(2026, 12, 10, 9, 30, 12))


@pytest.mark.parametrize("state,action", [(s, a) for s in STATES for a in ("explain", "resolve", "reopen")
                                          if (s, a) not in TRANSITIONS])
def test_illegal_moves_are_refused(state, action):
    with pytest.raises(ActionRefused, match=f"cannot {action}"):
        act("EX-1", state, action, by="ana", note="n", at=AT)


@pytest.mark.parametrize("kwargs", [{"by": "", "note": "n"}, {"by": "ana", "note": "  "}])
def test_who_and_why_are_required(kwargs):
    with pytest.raises(ActionRefused):
        act("EX-1", "open", "resolve", at=AT, **kwargs)
    with pytest.raises(ActionRefused):
        act("EX-1", "open", "delete", by="ana", note="n", at=AT)


def test_changes_apply_in_order_and_a_stale_change_is_refused():
    table = exceptions()
    ex_id = table["exception_id"][0].as_py()
    explain = act(ex_id, "open", "explain", by="ana", note="partner pays on receipt", at=AT)
    resolve = act(ex_id, "explained", "resolve", by="bo", note="810 sent", at=datetime(2026, 12, 11))
    after = apply_changes(table, [explain, resolve])
    row = after.to_pylist()[0]
    assert (row["state"], row["state_by"], row["state_note"], row["state_at"]) == \
        ("resolved", "bo", "810 sent", datetime(2026, 12, 11))
    assert after.to_pylist()[1]["state"] == "open" and after.schema.equals(table.schema)
    with pytest.raises(ActionRefused, match="moved on"):
        apply_changes(after, [explain])
    with pytest.raises(ActionRefused, match="no such exception"):
        apply_changes(table, [act("EX-none", "open", "resolve", by="a", note="n", at=AT)])
    assert changes_table([explain, resolve]).num_rows == 2


def test_states_carry_over_and_reopen_when_the_facts_change():
    first = exceptions()
    sni, ins = first["exception_id"].to_pylist()  # PO-1 shipped not invoiced, PO-2 invoiced not shipped
    first = apply_changes(first, [act(sni, "open", "explain", by="ana", note="billed by hand", at=AT),
                                  act(ins, "open", "resolve", by="bo", note="credit note", at=AT)])
    # the next run finds both again; PO-1's price went up, so its amount at risk changed
    again, changes = carry_states(exceptions(price="3", as_of=datetime(2026, 12, 11, 6)), first,
                                  at=datetime(2026, 12, 11, 6))
    rows = {r["exception_id"]: r for r in again.to_pylist()}
    assert rows[sni]["state"] == "open" and "changed from 25.0000 to 30.0000" in rows[sni]["state_note"]
    assert rows[ins]["state"] == "open" and rows[ins]["state_note"] == "found again after it was resolved"
    assert [(c.exception_id, c.from_state, c.to_state, c.by) for c in changes] == [
        (sni, "explained", "open", "orderbridge"), (ins, "resolved", "open", "orderbridge")]
    # an explanation that still fits is kept as it was
    kept, reopened = carry_states(exceptions(as_of=datetime(2026, 12, 11, 6)), first, at=datetime(2026, 12, 11, 6))
    assert [c.exception_id for c in reopened] == [ins] and kept.to_pylist()[0]["state"] == "explained"
    assert kept.to_pylist()[0]["state_note"] == "billed by hand"
