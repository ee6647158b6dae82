"""What the decide stage needs of the line rows intake stores for new orders (state received, the 850's
lines as received): nothing for the orders it answers (it reads their lines from the order store's
Parquet tables and rewrites their rows whole, connectors.state StateStore._write_lines), and they are
the rows a held order keeps (decide writes no line rows for an order it holds). Pinned because the
night writes those 200,000 rows twice (intake, then decide's DELETE + INSERT): a change that stops
intake writing them must still give a held order its rows, and every reader between the two stages
(see the note in _write_lines) must get them some other way."""

from __future__ import annotations

from datetime import datetime

from connectors.local import LocalDrop
from connectors.reference import load_reference
from connectors.state import LINE_COLUMNS, StateStore
from tests.support import make_workspace

NIGHT = datetime(2026, 11, 27, 2)
PARTNERS = ("acme", "globex", "initech", "umbrella")
LINES = (f"SELECT {', '.join('l.' + c for c in LINE_COLUMNS)} FROM order_lines l JOIN orders o ON"
         " o.partner = l.partner AND o.po_number = l.po_number WHERE o.state {} ? ORDER BY l.partner, l.po_number,"
         " l.line_number")


def _night(root, *, drop_received_lines: bool) -> dict:
    """Intake and decide of the demo drops (one run); with ``drop_received_lines``, the line rows of
    every order still received are deleted between the two stages. The stored rows after each stage."""
    from flows import steps

    ws = make_workspace(root, PARTNERS)
    state = StateStore(ws.state_url)
    profiles = ws.partners()
    for pid in sorted(profiles):
        steps.intake_partner(ws, profiles[pid], state, LocalDrop(ws.drop_root / pid), now=NIGHT, run_id="n1")
    received = state._q(LINES.format("="), ("received",))
    if drop_received_lines:
        with state.transaction():
            state._q("DELETE FROM order_lines WHERE (partner, po_number) IN"
                     " (SELECT partner, po_number FROM orders WHERE state = 'received')")
    steps.decide_run(ws, profiles, state, load_reference(ws.reference_dir), steps.load_inventory(ws, NIGHT.date()),
                     now=NIGHT, run_id="n1", use_gx=False)
    out = {"received": received, "answered": state._q(LINES.format("<>"), ("held",)),
           "held": state._q(LINES.format("="), ("held",)),
           "orders": state._q("SELECT * FROM orders ORDER BY partner, po_number"),
           "events": state._q("SELECT * FROM order_events ORDER BY seq"),
           "reservations": state._q("SELECT * FROM reservations ORDER BY partner, po_number, line_number, warehouse"),
           "documents": state._q("SELECT partner, file_name, content FROM documents ORDER BY id")}
    state.close()
    return out


def test_decide_writes_the_lines_it_answers_without_reading_the_received_rows_and_a_held_order_keeps_them(tmp_path):
    stored = _night(tmp_path / "stored", drop_received_lines=False)
    dropped = _night(tmp_path / "dropped", drop_received_lines=True)
    assert stored["received"] and stored["received"] == dropped["received"]
    held = {(r[0], r[1]) for r in stored["held"]}
    assert held and stored["answered"]  # both kinds of order in the night
    # the orders decide answered: the same rows, orders, events, reservations and documents either way
    for part in ("answered", "orders", "events", "reservations", "documents"):
        assert dropped[part] == stored[part], part
    # every answered line was rewritten by decide: each is stored, none as intake stored it
    received = [r for r in stored["received"] if (r[0], r[1]) not in held]
    assert {r[:3] for r in received} <= {r[:3] for r in stored["answered"]}
    assert not set(received) & set(stored["answered"])
    # a held order's lines are intake's rows, untouched by decide: without them it has none
    assert stored["held"] == [r for r in stored["received"] if (r[0], r[1]) in held]
    assert dropped["held"] == []
