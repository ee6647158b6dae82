"""wordsdata3: the last states an order line kept as marks among its codes, and old held orders' hold codes.

1. A line's balance cancelled after shipment, its backorder expired past the order's last date and its promise before
   an 860 cut it below what shipped were "BALANCE_CANCELLED:3", "EXPIRED:12" and "CUT_FROM:48" among its codes, which
   readers parsed back (the balance's and expiry's recounts, the ship stage's bound, a held shipment's words, the
   store search's and the console's shipped-short filters). They are order_lines columns now (balance_cancelled,
   expired, cut_from: schema version LINE_MARKS); a store of the version before gets them from the marks once.
2. An order held before session 64 stored every code its findings had as its hold codes (or none), so
   `approve --all-held --held-for CASE_PACK_ROUNDED` picked an order held for its credit. The same step derives
   them from the findings recorded as holding it, as the decide stage now does.
The nights that write the columns: tests/test_no_backorder_balance.py, tests/test_rg56_paper_packaging_jansan.py,
tests/test_confirmed_after_unshipped_cancel.py, tests/test_cancel_date_moves.py, tests/test_change_after_shipment.py.
"""

from __future__ import annotations

from decimal import Decimal

MARKED = [  # line number, state, ordered, shipped, codes as stored before LINE_MARKS
    (1, "shipped", "10", "7", "CASE_PACK_ROUNDED,BALANCE_CANCELLED:3"),
    (2, "rejected", "36", "0", "EXPIRED:12,BALANCE_CANCELLED:24"),
    (3, "shipped", "48", "40", "CHANGE_BELOW_SHIPPED,CUT_FROM:48"),
    (4, "rejected", "1.344", "0", "EXPIRED:1.344"),
    (5, "allocated", "5", "0", "CUT_FROM:x,BALANCE_CANCELLED:0"),  # no number, none cancelled: dropped
    (6, "allocated", "5", "0", "ITEM_SUBSTITUTED"),
]


def _at(store, version: int) -> None:
    """``store`` as a store of ``version`` (before LINE_MARKS): the columns LINE_MARKS added dropped."""
    from connectors.state import COLUMNS_ADDED_IN
    from connectors.state_migrations import LINE_MARKS

    for table, column, _ in COLUMNS_ADDED_IN[LINE_MARKS]:
        store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
    store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(version),))


def test_a_store_before_line_marks_gets_each_line_s_marks_as_its_columns_once(store_target):
    """A version WORDS_AS_DATA store (SQLite and PostgreSQL) whose lines carry the three marks beside finding codes.
    The migration moves each to its column and leaves the codes without it; every reader reads the column: the
    balance's and the expiry's recounts, the ship stage's LINE_STATE bound, a held shipment's words (still naming the
    units as the marks did), the store search's shipped-short filter and the console's; opening again changes
    nothing."""
    from connectors.state import StateStore
    from connectors.state_migrations import LATEST, LINE_MARKS, WORDS_AS_DATA
    from console.reading import _short
    from engine.lifecycle import shipping
    from engine.lifecycle.balance import cancelled_units
    from engine.lifecycle.changes import expired_units
    from engine.lifecycle.ship_checks import cancelled_lines
    from schemas.lifecycle import RESERVATION_ROWS

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        _at(store, WORDS_AS_DATA)
        for po in ("P1", "P2"):
            store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, received_at) VALUES"
                     " ('globex', ?, 'shipped', 1, 1, '2026-12-01')", (po,))
        store._many("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, unit, shipped,"
                    " allocated, backordered, rejected, codes, revision, reason) VALUES ('globex', 'P1', ?, ?, ?,"
                    " 'EA', ?, 0, 0, 0, ?, 1, 'cut by 860 in c.x12')", MARKED)
        store._q("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, unit, shipped, codes,"
                 " revision) VALUES ('globex', 'P2', 1, 'allocated', '5', 'EA', '0', 'ITEM_SUBSTITUTED', 1)")
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST and LINE_MARKS == WORDS_AS_DATA + 1
        stored = [tuple(r) for r in store._q("SELECT line_number, codes, balance_cancelled, expired, cut_from FROM"
                                             " order_lines WHERE po_number = 'P1' ORDER BY line_number")]
        assert stored == [(1, "CASE_PACK_ROUNDED", "3", None, None), (2, "", "24", "12", None),
                          (3, "CHANGE_BELOW_SHIPPED", None, None, 48), (4, "", None, "1.344", None),
                          (5, "", None, None, None), (6, "ITEM_SUBSTITUTED", None, None, None)]
        lines = {ln.line_number: ln for ln in store.lines_for([("globex", "P1")])[("globex", "P1")]}
        assert [(cancelled_units(lines[n]), expired_units(lines[n]), lines[n].cut_from) for n in sorted(lines)] == [
            (3, 0, None), (24, 12, None), (0, 0, 48), (0, Decimal("1.344"), None), (0, 0, None), (0, 0, None)]
        table = store.line_table_for([("globex", "P1")])
        assert table["balance_cancelled"].to_pylist() == ["3", "24", None, None, None, None]
        state = shipping.line_state_table(table, RESERVATION_ROWS.empty_table())
        assert state["cut_from"].to_pylist()[2] == Decimal(48)  # the cut line's bound, as its mark gave it
        told = cancelled_lines(table)
        assert told[("globex", "P1", 2)] == ("12 backordered past the order's last date (EXPIRED:12), 24 unshipped as"
                                             " its balance (BALANCE_CANCELLED:24)")
        assert set(told) == {("globex", "P1", n) for n in (1, 2, 4)}
        # shipped short: P1 (line 1 shipped 7 of 10, line 2's balance cancelled), not P2
        assert [o.po_number for o in store.search_orders(shipped_short=True)] == ["P1"]
        assert _short(lines[2]) and not _short(lines[6])
    finally:
        store.close()
    store = StateStore(target)  # opened again: nothing moves twice
    try:
        assert [tuple(r) for r in store._q("SELECT line_number, codes, balance_cancelled, expired, cut_from FROM"
                                           " order_lines WHERE po_number = 'P1' ORDER BY line_number")] == stored
    finally:
        store.close()


HELD = [  # PO, state, hold codes as stored, findings (stage, code, line number, consequence)
    ("H-CREDIT", "held", "CASE_PACK_ROUNDED,CREDIT_LIMIT_EXCEEDED",  # before session 64: every code
     [("decide", "CREDIT_LIMIT_EXCEEDED", None, "held"), ("decide", "CASE_PACK_ROUNDED", 1, "held")]),
    ("H-EMPTY", "held", "",  # none stored: every finding that held it is weighed
     [("intake", "ISA_REUSED", None, "nothing"), ("decide", "PRICE_NOT_ON_FILE", 1, "held"),
      ("decide", "CASE_PACK_ROUNDED", 2, "held")]),
    ("H-OWN", "held", "CASE_PACK_ROUNDED,ACME_OWN_HOLD",  # a partner's own code: its policy's, kept
     [("decide", "ACME_OWN_HOLD", None, "held"), ("decide", "CASE_PACK_ROUNDED", 1, "held")]),
    ("H-RECHECKED", "held", "CASE_PACK_ROUNDED,SHIP_TO_UNKNOWN",  # rechecked: its codes are the recheck's
     [("decide", "CREDIT_LIMIT_EXCEEDED", None, "held"), ("recheck", "SHIP_TO_UNKNOWN", None, "held"),
      ("recheck", "CASE_PACK_ROUNDED", 1, "held")]),
    ("H-SAID-BEFORE", "held", "CREDIT_LIMIT_EXCEEDED", []),  # its findings not kept: left as it is
    ("H-REFUSED", "held", "ITEM_UNKNOWN,PRICE_NOT_ON_FILE,SHIP_TO_UNKNOWN",  # a line refused is answered, not held
     [("decide", "ITEM_UNKNOWN", 1, "held"), ("decide", "PRICE_NOT_ON_FILE", 1, "held"),
      ("decide", "SHIP_TO_UNKNOWN", None, "held")]),
    ("ANSWERED", "acknowledged", "CASE_PACK_ROUNDED,CREDIT_LIMIT_EXCEEDED",  # not held: not touched
     [("decide", "CREDIT_LIMIT_EXCEEDED", None, "held"), ("decide", "CASE_PACK_ROUNDED", 1, "held")]),
]


def test_orders_held_before_get_the_hold_codes_of_what_held_them(store_target):
    """A version WORDS_AS_DATA store (SQLite and PostgreSQL) with orders held before session 64: their hold codes
    become the codes of the findings recorded as holding them whose outcome holds an order (engine.decide's
    held_for), so the approvals' reasons and `--held-for` find them by what held them without a recheck."""
    from connectors.state import StateStore
    from connectors.state_migrations import WORDS_AS_DATA
    from engine import lifecycle
    from schemas.lifecycle import HELD_FOR_A_PERSON

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        _at(store, WORDS_AS_DATA)
        fid = 0
        for po, state, codes, findings in HELD:
            store._q("INSERT INTO orders (partner, po_number, state, revision, answered_revision, received_at,"
                     " hold_codes, codes) VALUES ('acme', ?, ?, 1, 0, '2026-11-27', ?, ?)", (po, state, codes, codes))
            for stage, code, line, said in findings:
                fid += 1
                store._q("INSERT INTO findings (id, run_id, stage, partner, po_number, code, severity, message,"
                         " line_number, consequence) VALUES (?, 'r1', ?, 'acme', ?, ?, 'error', 'm', ?, ?)",
                         (fid, stage, po, code, line, HELD_FOR_A_PERSON if said == "held" else said))
    store.close()
    store = StateStore(target)
    try:
        held = {po: codes for po, codes in store._q("SELECT po_number, hold_codes FROM orders")}
        assert held == {"H-CREDIT": "CREDIT_LIMIT_EXCEEDED", "H-EMPTY": "PRICE_NOT_ON_FILE",
                        "H-OWN": "ACME_OWN_HOLD", "H-RECHECKED": "SHIP_TO_UNKNOWN",
                        "H-SAID-BEFORE": "CREDIT_LIMIT_EXCEEDED", "H-REFUSED": "SHIP_TO_UNKNOWN",
                        "ANSWERED": "CASE_PACK_ROUNDED,CREDIT_LIMIT_EXCEEDED"}
        reasons = store.hold_codes(lifecycle.AWAITING_PERSON)  # the console's reason filter offers these
        assert reasons == ["ACME_OWN_HOLD", "CREDIT_LIMIT_EXCEEDED", "PRICE_NOT_ON_FILE", "SHIP_TO_UNKNOWN"]
        assert store.search_orders(states=lifecycle.AWAITING_PERSON, hold_code="CASE_PACK_ROUNDED") == []
        assert [o.po_number for o in store.search_orders(states=lifecycle.AWAITING_PERSON,
                                                         hold_code="CREDIT_LIMIT_EXCEEDED")] \
            == ["H-CREDIT", "H-SAID-BEFORE"]
    finally:
        store.close()


def test_an_order_held_before_is_approved_in_bulk_by_what_held_it_without_a_recheck(tmp_path):
    """The held-for night (ACME on a credit hold: HF-PACK's line rounded up to its case pack, HF-PLAIN plain), its
    store put back as a store of the version before held them: HF-PACK's hold codes every code it had (CASE_PACK_ROUNDED
    beside CREDIT_LIMIT_EXCEEDED), HF-PLAIN's none. Once migrated, `approve --all-held --held-for CASE_PACK_ROUNDED`
    picks neither (it used to pick HF-PACK, held for its credit), `--held-for CREDIT_LIMIT_EXCEEDED` picks both,
    and `approvals` says they are held for the credit limit alone."""
    from connectors.state import StateStore
    from connectors.state_migrations import LATEST, WORDS_AS_DATA
    from flows.workspace import Workspace
    from tests.support import from_template
    from tests.test_held_for import _build, cli

    from_template("held-for-night1", tmp_path / "ws", _build)
    ws = Workspace((tmp_path / "ws").resolve())
    store = StateStore(ws.state_path)
    try:
        pack = store.order("acme", "HF-PACK")
        assert pack.hold_codes == ("CREDIT_LIMIT_EXCEEDED",) and "CASE_PACK_ROUNDED" in pack.codes
        with store.transaction():
            _at(store, WORDS_AS_DATA)
            store._q("UPDATE orders SET hold_codes=? WHERE partner='acme' AND po_number='HF-PACK'",
                     (",".join(pack.codes),))
            store._q("UPDATE orders SET hold_codes='' WHERE partner='acme' AND po_number='HF-PLAIN'")
    finally:
        store.close()
    store = StateStore(ws.state_path)
    try:
        assert store.schema_version == LATEST
        assert store.order("acme", "HF-PACK").hold_codes == ("CREDIT_LIMIT_EXCEEDED",)
        assert store.order("acme", "HF-PLAIN").hold_codes == ("CREDIT_LIMIT_EXCEEDED",)
    finally:
        store.close()
    picked = cli(ws, "approve", "--all-held", "--held-for", "CASE_PACK_ROUNDED", "--by", "Dana", "--note", "x",
                 "--dry-run")
    assert picked.exit_code == 0, picked.output
    assert "HF-PACK" not in picked.output and "HF-PLAIN" not in picked.output
    credit = cli(ws, "approve", "--all-held", "--partner", "acme", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by",
                 "Dana", "--note", "credit raised", "--dry-run")
    assert credit.exit_code in (0, 3), credit.output
    assert "HF-PACK" in credit.stdout and "HF-PLAIN" in credit.stdout
    listed = cli(ws, "approvals")
    assert listed.exit_code == 0, listed.output
    held_for = listed.output[listed.output.index("held for:"):]
    assert "CREDIT_LIMIT_EXCEEDED (" in held_for and "CASE_PACK_ROUNDED" not in held_for


def test_a_file_read_part_way_keeps_its_resume_point_in_columns_not_its_status(store_target):
    """A version WORDS_AS_DATA store (SQLite and PostgreSQL) with files flows.intake left part-way: its status said
    where to go on ("receiving:OFFSET:SEGMENTS:PART:ERRORS", and ":BATCHES" for an interchange read in batches).
    The migration moves the numbers to the file's columns (file_record's resume, connectors.state.FileResume) and its
    status to "receiving"; a file taken whole, and words that are no such numbers, are left alone. Intake's own
    crash-and-resume across the migration: tests/test_intake_streaming.py."""
    from connectors.state import FileResume, StateStore
    from connectors.state_migrations import WORDS_AS_DATA

    target = store_target()
    store = StateStore(target)
    files = [("a" * 64, "big.x12", "receiving:1048576:5120:2:1"), ("b" * 64, "huge.x12", "receiving:0:12:4:0:3"),
             ("c" * 64, "done.x12", "processed"), ("d" * 64, "odd.x12", "receiving:x")]
    with store.transaction():
        _at(store, WORDS_AS_DATA)
        store._many("INSERT INTO files (partner, sha256, name, size, received_at, status, error_count) VALUES"
                    " ('acme', ?, ?, 9, '2026-11-27', ?, 0)", files)
    store.close()
    store = StateStore(target)
    try:
        got = {sha[0]: store.file_record("acme", sha) for sha, _n, _s in files}
        assert {k: (r["status"], r["error_count"], r["resume"]) for k, r in got.items()} == {
            "a": ("receiving", 1, FileResume(1048576, 5120, 2, 0)), "b": ("receiving", 0, FileResume(0, 12, 4, 3)),
            "c": ("processed", 0, None), "d": ("receiving:x", 0, None)}
        store.record_file("acme", "a" * 64, "big.x12", 9, "2026-11-28", "processed", error_count=1)  # its last piece
        assert store.file_record("acme", "a" * 64)["resume"] is None
    finally:
        store.close()
