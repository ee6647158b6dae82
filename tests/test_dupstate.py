"""dupstate: state the store kept as words, made data.

1. A FILE_DUPLICATE's resend left in a local inbox that refused its move, then moved once permitted: flows.taking
   restated the finding's consequence ("nothing sent again" -> "...; left in the inbox: its move was refused
   (permission denied)" -> "...; moved out of the inbox once permitted") and found a resend whose move was owed by
   matching those words. The move is now a column (findings.file_move, schema version FILE_MOVES), the consequence
   stays as recorded and its readers render it from the column; a store of the version before gets the column from
   the words once, by the migration (tests/test_rg93b.py and tests/test_w3c.py run the nights themselves).
"""

from __future__ import annotations

from connectors.base import FileDrop
from flows.taking import Mover
from schemas.findings import MOVE_MADE, MOVE_REFUSED, MOVE_SAID, consequence_said

LEFT_WORDS = "; left in the inbox: its move was refused (permission denied)"
MOVED_WORDS = "; moved out of the inbox once permitted"


def test_a_consequence_is_rendered_from_its_file_move_in_the_words_it_was_restated_with():
    """The words readers show are the ones the store used to hold: a report, the console and status read the same."""
    assert MOVE_SAID == {MOVE_REFUSED: LEFT_WORDS, MOVE_MADE: MOVED_WORDS}
    assert consequence_said("nothing sent again", None) == "nothing sent again"
    assert consequence_said(None, None) is None
    assert consequence_said("nothing sent again", MOVE_REFUSED) == "nothing sent again" + LEFT_WORDS
    assert consequence_said("nothing recorded or sent again", MOVE_MADE) == "nothing recorded or sent again" \
        + MOVED_WORDS


def _finding_rows(store) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in store._q("SELECT id, consequence, file_move FROM findings ORDER BY id")}


def test_a_store_before_file_moves_gets_each_duplicate_s_move_from_its_words_once(store_target):
    """A version FINDING_SACS store (SQLite and PostgreSQL) holding FILE_DUPLICATEs restated as before: a partner's
    left in the inbox, a warehouse's moved since, one never restated, and another code whose consequence happens to
    end in the same words (not a duplicate: untouched). The migration fills file_move from the words and gives each
    consequence back as it was recorded; the readers show what they showed before; the resend left waiting is still
    owed its move (flows.taking.Mover asks the column), the one moved is not; opening again changes nothing."""
    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import FILE_MOVES, FINDING_SACS, LATEST

    target = store_target()
    store = StateStore(target)
    rows = [(1, "r1", "intake", "acme", "FILE_DUPLICATE", "b-po-again.x12", "nothing sent again" + LEFT_WORDS),
            (2, "r1", "shipments", "warehouse:east", "FILE_DUPLICATE", "east-b.csv",
             "nothing recorded or sent again" + MOVED_WORDS),
            (3, "r1", "intake", "acme", "FILE_DUPLICATE", "c-po.x12", "nothing sent again"),
            (4, "r1", "intake", "acme", "FILE_NAME_REFUSED", "d po.x12", "file left in the inbox" + LEFT_WORDS)]
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[FILE_MOVES]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO findings (id, run_id, stage, partner, code, severity, message, file, consequence)"
                    " VALUES (?, ?, ?, ?, ?, 'warning', 'm', ?, ?)", rows)
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(FINDING_SACS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == FILE_MOVES == FINDING_SACS + 1
        assert _finding_rows(store) == {1: ("nothing sent again", MOVE_REFUSED),
                                        2: ("nothing recorded or sent again", MOVE_MADE),
                                        3: ("nothing sent again", None),
                                        4: ("file left in the inbox" + LEFT_WORDS, None)}
        shown = [r[-1] for r in rows]
        assert [f["consequence"] for f in store.findings()] == shown
        assert store.findings_table(["r1"])["consequence"].to_pylist() == shown
        assert [f["file_move"] for f in store.findings()] == [MOVE_REFUSED, MOVE_MADE, None, None]
        # what flows.taking asks of a resend seen again: its move owed (left waiting) or not (moved, never refused)
        inbox = object.__new__(FileDrop)
        mover = Mover(inbox)  # the drop is the mover's local one: a refused move is owed
        recorded = {"name": "a-po.x12", "disposed_at": "2026-11-27T02:00:00"}
        assert mover.owed(inbox, store, "acme", "intake", "b-po-again.x12", recorded)
        assert not mover.owed(inbox, store, "warehouse:east", "shipments", "east-b.csv", recorded)
        assert not mover.owed(inbox, store, "acme", "intake", "c-po.x12", recorded)
    finally:
        store.close()
    store = StateStore(target)
    try:
        assert _finding_rows(store)[1] == ("nothing sent again", MOVE_REFUSED)  # read once, not again
    finally:
        store.close()


def test_a_duplicate_s_move_is_marked_refused_by_its_run_then_made_never_by_its_words(store_target):
    """mark_file_move: the refusal marks only the finding the run recorded (an earlier run's duplicate of the same
    name, moved already, keeps its own), then the move made marks only the one refused; the consequence is never
    rewritten."""
    from connectors.state import StateStore

    store = StateStore(store_target())
    try:
        with store.transaction():
            store._many("INSERT INTO findings (id, run_id, stage, partner, code, severity, message, file, consequence)"
                        " VALUES (?, ?, 'intake', 'acme', 'FILE_DUPLICATE', 'warning', 'm', 'b.x12', ?)",
                        [(1, "r1", "nothing sent again"), (2, "r2", "nothing sent again")])
            store._q("UPDATE findings SET file_move=? WHERE id=1", (MOVE_MADE,))
        store.mark_file_move("acme", "intake", "FILE_DUPLICATE", "b.x12", MOVE_REFUSED, was=None, run_id="r2")
        assert _finding_rows(store) == {1: ("nothing sent again", MOVE_MADE), 2: ("nothing sent again", MOVE_REFUSED)}
        assert store.file_finding_recorded("acme", "intake", "FILE_DUPLICATE", "b.x12", file_move=MOVE_REFUSED)
        store.mark_file_move("acme", "intake", "FILE_DUPLICATE", "b.x12", MOVE_MADE, was=MOVE_REFUSED)
        assert _finding_rows(store) == {1: ("nothing sent again", MOVE_MADE), 2: ("nothing sent again", MOVE_MADE)}
        assert not store.file_finding_recorded("acme", "intake", "FILE_DUPLICATE", "b.x12", file_move=MOVE_REFUSED)
        assert [f["consequence"] for f in store.findings()] == ["nothing sent again" + MOVED_WORDS] * 2
    finally:
        store.close()


# --- 2. a line's rejected fraction: a column, not a REJECTED_FRACTION: mark among its codes ---------------------------
def test_a_store_before_file_moves_gets_each_line_s_rejected_fraction_from_its_mark_once(store_target):
    """A version FINDING_SACS store's lines (SQLite and PostgreSQL): 1.344 TM answered 1 TM and 0.344 refused kept
    the 0.344 as a mark among its codes, beside a finding code. The migration moves it to the line's
    rejected_fraction and leaves its codes without it; the line read back rejects 0.344 exactly and the blanket
    draws 1 TM, as it did from the mark; a line without a mark keeps its codes and no fraction."""
    from decimal import Decimal

    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import FINDING_SACS
    from engine.blankets import acknowledged
    from schemas.units import REJECTED_FRACTION, rejected_exactly

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[FINDING_SACS + 1]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, unit, allocated,"
                    " backordered, rejected, codes, revision) VALUES ('lumber84', 'P1', ?, ?, ?, 'TM', ?, 0, ?, ?, 1)",
                    [(1, "allocated", "1.344", 1, 0, f"CASE_PACK_ROUNDED,{REJECTED_FRACTION}0.344"),
                     (2, "rejected", "2.5", 0, 2, f"{REJECTED_FRACTION}0.5"),
                     (3, "allocated", "3", 3, 0, "CASE_PACK_ROUNDED")])
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(FINDING_SACS),))
    store.close()
    store = StateStore(target)
    try:
        assert [tuple(r) for r in store._q("SELECT line_number, codes, rejected_fraction FROM order_lines"
                                           " ORDER BY line_number")] == [
            (1, "CASE_PACK_ROUNDED", "0.344"), (2, "", "0.5"), (3, "CASE_PACK_ROUNDED", None)]
        lines = store.lines_for([("lumber84", "P1")])[("lumber84", "P1")]
        assert [(ln.codes, ln.rejected_fraction, rejected_exactly(ln.rejected, ln.rejected_fraction))
                for ln in lines] == [(("CASE_PACK_ROUNDED",), Decimal("0.344"), Decimal("0.344")),
                                     ((), Decimal("0.5"), Decimal("2.5")), (("CASE_PACK_ROUNDED",), 0, 0)]
        assert acknowledged({("lumber84", "P1"): lines})[("lumber84", "P1")] == {
            1: (Decimal(1), "TM"), 2: (Decimal(0), "TM"), 3: (Decimal(3), "TM")}
        table = store.line_table_for([("lumber84", "P1")])
        assert table["rejected_fraction"].to_pylist() == ["0.344", "0.5", None]
    finally:
        store.close()
