"""dupstate: state the store kept as words, made data.

1. A FILE_DUPLICATE's resend left in a local inbox that refused its move, then moved once permitted: flows.taking
   restated the finding's consequence ("nothing sent again" -> "...; left in the inbox: its move was refused
   (permission denied)" -> "...; moved out of the inbox once permitted") and found a resend whose move was owed by
   matching those words. The move is now a column (findings.file_move, schema version WORDS_AS_DATA), the consequence
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
    from connectors.state_migrations import FINDING_SACS, LATEST, WORDS_AS_DATA

    target = store_target()
    store = StateStore(target)
    rows = [(1, "r1", "intake", "acme", "FILE_DUPLICATE", "b-po-again.x12", "nothing sent again" + LEFT_WORDS),
            (2, "r1", "shipments", "warehouse:east", "FILE_DUPLICATE", "east-b.csv",
             "nothing recorded or sent again" + MOVED_WORDS),
            (3, "r1", "intake", "acme", "FILE_DUPLICATE", "c-po.x12", "nothing sent again"),
            (4, "r1", "intake", "acme", "FILE_NAME_REFUSED", "d po.x12", "file left in the inbox" + LEFT_WORDS)]
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[WORDS_AS_DATA]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO findings (id, run_id, stage, partner, code, severity, message, file, consequence)"
                    " VALUES (?, ?, ?, ?, ?, 'warning', 'm', ?, ?)", rows)
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(FINDING_SACS),))
    store.close()
    store = StateStore(target)
    try:
        assert store.schema_version == LATEST == WORDS_AS_DATA + 1 == FINDING_SACS + 2
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


# --- 2. a line's marks: typed columns, not REJECTED_FRACTION:, PRICED_PER:, UNIT_EACHES: among its codes -------------
def test_a_store_before_file_moves_gets_each_line_s_marks_as_columns_once(store_target):
    """A version FINDING_SACS store's lines (SQLite and PostgreSQL) with the three marks among their codes, beside
    finding codes: 1.344 TM answered 1 TM and 0.344 refused (REJECTED_FRACTION:0.344), wire kept per thousand feet
    (PRICED_PER:1000), a CA of 12 priced per each (UNIT_EACHES:12), a line with none. The migration moves each to
    its column and leaves the codes without it; read back, the line rejects 0.344 exactly (the blanket draws 1 TM,
    as from the mark), the wire is valued per foot, billing reads the wire's priced_per and the case's eaches and
    states no PE on our price per case; a line without marks keeps its codes and the defaults."""
    from decimal import Decimal

    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import FINDING_SACS
    from engine.blankets import acknowledged
    from engine.lifecycle.billing import billed_lines
    from schemas.units import PRICED_PER, REJECTED_FRACTION, UNIT_EACHES, rejected_exactly, stated_basis

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[FINDING_SACS + 1]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, unit, unit_price,"
                    " ack_price, allocated, backordered, rejected, codes, revision)"
                    " VALUES ('lumber84', 'P1', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, 1)",
                    [(1, "allocated", "1.344", "TM", "900", None, 1, 0,
                      f"CASE_PACK_ROUNDED,{REJECTED_FRACTION}0.344"),
                     (2, "rejected", "2.5", "TM", "900", None, 0, 2, f"{REJECTED_FRACTION}0.5"),
                     (3, "allocated", "2500", "FT", "287.45", None, 2500, 0, f"{PRICED_PER}1000"),
                     (4, "allocated", "2", "CA", "39.2", "470.4", 2, 0,
                      f"PRICE_OUT_OF_TOLERANCE,{UNIT_EACHES}12"),
                     (5, "allocated", "3", "TM", "900", None, 3, 0, "CASE_PACK_ROUNDED")])
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(FINDING_SACS),))
    store.close()
    store = StateStore(target)
    key = ("lumber84", "P1")
    try:
        assert [tuple(r) for r in store._q("SELECT line_number, codes, rejected_fraction, priced_per, unit_eaches"
                                           " FROM order_lines ORDER BY line_number")] == [
            (1, "CASE_PACK_ROUNDED", "0.344", None, None), (2, "", "0.5", None, None), (3, "", None, "1000", None),
            (4, "PRICE_OUT_OF_TOLERANCE", None, None, 12), (5, "CASE_PACK_ROUNDED", None, None, None)]
        lines = store.lines_for([key])[key]
        assert [(ln.codes, ln.rejected_fraction, rejected_exactly(ln.rejected, ln.rejected_fraction), ln.priced_per,
                 ln.unit_eaches) for ln in lines] == [
            (("CASE_PACK_ROUNDED",), Decimal("0.344"), Decimal("0.344"), 1, 0),
            ((), Decimal("0.5"), Decimal("2.5"), 1, 0), ((), 0, 0, 1000, 0),
            (("PRICE_OUT_OF_TOLERANCE",), 0, 0, 1, 12), (("CASE_PACK_ROUNDED",), 0, 0, 1, 0)]
        drawn = acknowledged({key: lines})[key]
        assert (drawn[1], drawn[2], drawn[5]) == ((Decimal(1), "TM"), (Decimal(0), "TM"), (Decimal(3), "TM"))
        assert lines[2].promised * lines[2].unit_price / lines[2].priced_per == Decimal("718.625")
        table = store.line_table_for([key])
        assert table["rejected_fraction"].to_pylist() == ["0.344", "0.5", None, None, None]
        assert (table["priced_per"].to_pylist(), table["unit_eaches"].to_pylist()) == (
            [None, None, "1000", None, None], [None, None, None, 12, None])
        billed = billed_lines(store.billing_lines([key]))[key]
        assert [(b.priced_per, b.unit_eaches) for b in billed] == [(1, 0), (1, 0), (1000, 0), (1, 12), (1, 0)]
        assert stated_basis("PE", billed[3].codes, True, billed[3].unit_eaches) == ""
    finally:
        store.close()


def test_a_store_before_the_columns_gets_a_measure_s_backordered_over_mark_as_its_column_once(store_target):
    """dupmerge: catchweight's BACKORDERED_OVER mark (12.5 LB of almonds, 10 placed: 2.5 backordered, stored as the 3
    covering it and "BACKORDERED_OVER:0.5" among its codes) moves to order_lines.backordered_over by the same step,
    its codes left without it; the line's promise reads 12.5 and its backorder 2.5 from the column, billing's lines
    too; a mark beside REJECTED_FRACTION moves with it; a line without one keeps the default; opening again changes
    nothing."""
    from decimal import Decimal

    from connectors.state import COLUMNS_ADDED_IN, StateStore
    from connectors.state_migrations import FINDING_SACS
    from engine.lifecycle.billing import billed_lines
    from schemas.units import BACKORDERED_OVER, REJECTED_FRACTION, backordered_exactly, rejected_exactly

    target = store_target()
    store = StateStore(target)
    with store.transaction():
        for table, column, _ in COLUMNS_ADDED_IN[FINDING_SACS + 1]:
            store._q(f"ALTER TABLE {table} DROP COLUMN {column}")
        store._many("INSERT INTO order_lines (partner, po_number, line_number, state, ordered, unit, unit_price,"
                    " allocated, backordered, rejected, codes, revision)"
                    " VALUES ('sprouts', 'P9', ?, ?, ?, 'LB', '6.4', ?, ?, ?, ?, 1)",
                    [(1, "backordered", "12.5", 10, 3, 0, f"STOCK_SHORT,{BACKORDERED_OVER}0.5"),
                     (2, "backordered", "8.25", 4, 3, 1, f"{REJECTED_FRACTION}0.5,{BACKORDERED_OVER}0.25"),
                     (3, "backordered", "13", 10, 3, 0, "STOCK_SHORT")])
        store._q("UPDATE meta SET value=? WHERE key='schema_version'", (str(FINDING_SACS),))
    store.close()
    key = ("sprouts", "P9")
    for _ in range(2):  # (the second opening: already moved, nothing to do)
        store = StateStore(target)
        try:
            assert [tuple(r) for r in store._q("SELECT line_number, codes, rejected_fraction, backordered_over"
                                               " FROM order_lines ORDER BY line_number")] == [
                (1, "STOCK_SHORT", None, "0.5"), (2, "", "0.5", "0.25"), (3, "STOCK_SHORT", None, None)]
            one, two, three = store.lines_for([key])[key]
            assert (one.backordered_over, backordered_exactly(one.backordered, one.backordered_over),
                    one.promised_exact) == (Decimal("0.5"), Decimal("2.5"), Decimal("12.5"))
            # 8.25 ordered: 4 placed, 2.75 backordered (3 and 0.25), 1.5 rejected (1 and 0.5): 6.75 promised
            assert (backordered_exactly(two.backordered, two.backordered_over), rejected_exactly(
                two.rejected, two.rejected_fraction), two.promised_exact) == (Decimal("2.75"), Decimal("1.5"),
                                                                                Decimal("6.75"))
            assert (three.backordered_over, three.promised_exact) == (0, 13)
            assert store.line_table_for([key])["backordered_over"].to_pylist() == ["0.5", "0.25", None]
            billed = billed_lines(store.billing_lines([key]))[key]
            assert [b.promised_exact for b in billed] == [Decimal("12.5"), Decimal("6.75"), 13]
        finally:
            store.close()
