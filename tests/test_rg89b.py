"""The rg89 sweep's notes closed (tests/test_rg89_order_types.py, tests/fixtures/rg89/): a release (BEG02 RL) is held
against its blanket (BEG02 BK): what the releases before it drew and the blanket's end (DTM 036, ORDERS expires_on,
engine.blankets); an 850 sent as a change (BEG01 04) of an order we hold and have not shipped is read as that order's
change (engine.lifecycle.intake.CHANGE), not as a copy that differs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pyarrow as pa

from schemas.orders import ORDER_LINES, ORDERS
from tests.retailer_support import findings_and_states, segments
from tests.test_rg89_order_types import FIXTURES, _second_release


def _orders(rows: list[dict]) -> pa.Table:
    base = {"source_file": "f.x12", "isa13": "1", "gs06": "1", "st02": "0001", "partner": "fa", "purpose": "00",
            "release_number": None, "po_date": date(2026, 11, 20), "expires_on": None}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=ORDERS)


def _lines(rows: list[dict]) -> pa.Table:
    base = {"source_file": "f.x12", "isa13": "1", "gs06": "1", "st02": "0001", "partner": "fa", "order_ref": "r",
            "line_number": 1, "unit": "EA", "buyer_part": "B1"}
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=ORDER_LINES)


def _with_refs(rows: list[dict]) -> list[dict]:
    return [{"order_ref": r["po_number"], **r} for r in rows]


def test_releases_draw_their_blanket_down_in_release_order():
    """Pure: the blanket holds 100 of B1; held release 1 drew 60; deciding now, release 2 asks 30 (90: within) and
    release 3 asks 20 (110: past, naming 100, 110 and what was drawn before it). Another item (B2), or the same in
    another unit, draws nothing of B1: the one is not on the blanket, the other's pack is not known here (no item
    master: tests/test_rg89c.py)."""
    from engine.blankets import release_findings

    held = _orders(_with_refs([{"po_number": "P", "order_type": "BK"},
                               {"po_number": "P\x1e1", "order_type": "RL", "release_number": "1"}]))
    held_lines = _lines([{"po_number": "P", "quantity": Decimal(100)},
                         {"po_number": "P\x1e1", "quantity": Decimal(60)}])
    now = _orders(_with_refs([{"po_number": "P\x1e3", "order_type": "RL", "release_number": "3"},
                              {"po_number": "P\x1e2", "order_type": "RL", "release_number": "2"}]))
    now_lines = _lines([{"po_number": "P\x1e2", "quantity": Decimal(30)},
                        {"po_number": "P\x1e2", "line_number": 2, "quantity": Decimal(500), "buyer_part": "B2"},
                        {"po_number": "P\x1e3", "quantity": Decimal(20)},
                        {"po_number": "P\x1e3", "line_number": 2, "quantity": Decimal(500), "unit": "CA"}])
    told = release_findings(now, now_lines, held, held_lines)
    assert [(g.code, g.location.line_number) for g in told] == [
        ("RELEASE_ITEM_NOT_ON_BLANKET", 2), ("RELEASE_PAST_BLANKET", 1), ("RELEASE_UNIT_UNCONVERTED", 2)]
    # release 2 is decided held by the run (its B2 line; tests/test_rg89d.py: what the partner's outcomes decided, not
    # what the check assumed): it draws until a person rejects it, and is named as held
    told = release_findings(now, now_lines, held, held_lines, decided={("fa", "P\x1e2"): "held"})
    assert [(g.code, g.location.line_number) for g in told] == [
        ("RELEASE_ITEM_NOT_ON_BLANKET", 2), ("RELEASE_PAST_BLANKET", 1), ("RELEASE_UNIT_UNCONVERTED", 2)]
    f = told[1]
    assert f.code == "RELEASE_PAST_BLANKET" and f.severity == "error"
    assert f.message.startswith("Release 3 of blanket PO P calls off 20 EA of B1 (line 1), with 90 EA called off by "
                                "releases 1, 2 before it (of them, release 2 held, waiting for a person, counted until "
                                "rejected): 110 EA in all, past the blanket's 100 EA.")
    # a cancelled blanket, or none held, holds nothing against a release: each is said to name a blanket we do not
    # hold (tests/test_rg89d.py), nothing more
    assert [(g.code, g.location.value) for g in release_findings(now, now_lines, held.slice(1), held_lines)] == [
        ("RELEASE_BLANKET_UNKNOWN", "P"), ("RELEASE_BLANKET_UNKNOWN", "P")]


def test_a_release_after_the_blanket_s_end_and_one_on_it():
    from engine.blankets import release_findings

    blanket = _orders(_with_refs([{"po_number": "P", "order_type": "BK", "expires_on": date(2027, 5, 31)}]))
    on, after = ({"po_number": "P\x1e1", "order_type": "RL", "release_number": "1", "po_date": day}
                 for day in (date(2027, 5, 31), date(2027, 6, 1)))
    empty = _lines([])
    assert release_findings(_orders(_with_refs([on])), empty, blanket, empty) == []
    [f] = release_findings(_orders(_with_refs([after])), empty, blanket, empty)
    assert f.code == "RELEASE_AFTER_BLANKET_END"
    assert "dated 20270601 (BEG05), after the blanket's end 20270531 (its DTM 036)" in f.message


def test_a_blanket_keeps_its_end_and_says_nothing_of_it():
    """The blanket's DTM*036 is read (expires_on) and no more named as a date we do not keep."""
    from tests.retailer_support import inspected

    seen = inspected(FIXTURES / "drops" / "fastenal" / "FAS850_FAS8900401.x12", {"NOTES_NOT_KEPT"})
    assert "HEADING_DATES_NOT_APPLIED" not in {f["code"] for f in seen["findings"]}


def test_a_release_past_its_blanket_is_held_and_named(tmp_path):
    found, states = _second_release(tmp_path, "4500", "20261126", datetime(2026, 11, 26, 2))
    assert states[("fastenal", "FAS8900401\x1e0002")] == "held"
    [told] = [m for c, m in found if c == "RELEASE_PAST_BLANKET"]
    assert told.startswith("Release 0002 of blanket PO FAS8900401 calls off 4500 EA of 11128906 (line 1), with "
                           "1000 EA called off by release 0001 before it: 5500 EA in all, past the blanket's 5000 EA.")
    assert "RELEASE_AFTER_BLANKET_END" not in {c for c, _m in found}


def test_a_release_after_its_blanket_s_end_is_held_and_named(tmp_path):
    found, states = _second_release(tmp_path, "500", "20270615", datetime(2027, 6, 16, 2), "20270625")
    assert states[("fastenal", "FAS8900401\x1e0002")] == "held"
    assert [c for c, _m in found if c.startswith("RELEASE_")] == ["RELEASE_AFTER_BLANKET_END"]


def test_a_change_sent_as_an_850_is_answered_with_its_quantities_once_approved(tmp_path):
    """The Home Depot's 850 BEG01 04 raising the screws 24 -> 48 before shipment: the order's lines are the change's,
    it waits for a person, and approved, the next run acknowledges 48 (not the old 24)."""
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.support import run_stages
    from tests.test_rg89_order_types import changed_by_850

    ws, found, states = changed_by_850(tmp_path)
    assert "ORDER_DUPLICATE" not in {c for c, _m in found}
    [told] = [m for c, m in found if c == "ORDER_PURPOSE_UNSUPPORTED"]
    assert told.startswith("BEG01 04 is a change sent as an 850: PO HD8900101 is read as the buyer now states it")
    res = CliRunner().invoke(app, ["approve", "HD8900101", "--partner", "homedepot", "--by", "Kim",
                                   "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    run_stages(ws, datetime(2026, 11, 27, 2))
    _found, states = findings_and_states(ws)
    assert states == {("homedepot", "HD8900101"): "acknowledged"}
    # the first 855 (24 screws) and the answer to the change: 48
    answers = [s[:4] for s in segments(ws, "homedepot", "855") if s[0] in ("BAK", "ACK")]
    assert answers[3:] == [["BAK", "00", "AD", "HD8900101"], ["ACK", "IA", "48", "EA"], ["ACK", "IA", "4", "CA"]], \
        answers


# --- CSV order feeds: the order's kind and purpose as their exports write them ------------------------------------

def test_a_csv_order_type_column_is_read_as_the_beg02_code_its_word_means():
    """An "Order Type" column in the words exports use (any case and spacing), or a code itself, is the order's
    BEG02; a blank cell, or no column, SA; a word we know nothing of refuses its PO at its row and column. The
    purpose likewise (BEG01; blank: 00)."""
    import pytest

    from parsers.csv_orders import read_csv_orders
    from schemas.fulfilment import CsvOrderMapping
    from tests.csv_feed_support import HEAD, MAPPING, feed

    layout = MAPPING.model_copy(update={"order_type": "Order Type", "purpose": "Purpose"})
    head = HEAD.split(";Ship To Name")[0] + ";Order Type;Purpose"
    rows = [f"P-{k};26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;{kind};{why}" for k, (kind, why) in enumerate(
        [("Blanket", ""), ("sample", "New"), ("Drop  Ship", ""), ("RUSH", "Original"), ("", ""), ("BK", "05"),
         ("Blanket Release", "Change"), ("Whatever", ""), ("Standard", "Maybe")], 1)]
    got = read_csv_orders(feed(*rows, head=head), layout, partner="umbrella", file="f.csv")
    assert got.orders.select(["po_number", "order_type", "purpose"]).to_pylist() == [
        {"po_number": f"P-{k}", "order_type": kind, "purpose": why} for k, kind, why in
        [(1, "BK", "00"), (2, "SP", "00"), (3, "DS", "00"), (4, "RO", "00"), (5, "SA", "00"), (6, "BK", "05"),
         (7, "RL", "04")]]
    assert [(f.code, f.location.row, f.location.column, f.location.value) for f in got.findings] == [
        ("CSV_VALUE_INVALID", 9, "Order Type", "Whatever"), ("CSV_VALUE_INVALID", 10, "Purpose", "Maybe")]
    assert got.rejected == ("P-8", "P-9")
    # without the columns: SA and 00, as before
    plain = read_csv_orders(feed(rows[0].rsplit(";", 2)[0], head=HEAD.split(";Ship To Name")[0]), MAPPING,
                            partner="umbrella", file="f.csv")
    assert plain.orders.select(["order_type", "purpose"]).to_pylist() == [{"order_type": "SA", "purpose": "00"}]
    # a layout's own words join the defaults; a code that is none is refused with the layout
    own = CsvOrderMapping(order_type="Kind", order_types={"Blanket PO": "BK"})
    assert ("BLANKET PO", "BK") in own.order_types and ("SAMPLE", "SP") in own.order_types
    with pytest.raises(ValueError):
        CsvOrderMapping(order_type="Kind", order_types={"Blanket PO": "blanket"})
    with pytest.raises(ValueError):
        CsvOrderMapping(purpose="Why", purposes={"New": "N"})


def test_a_csv_blanket_is_held_as_an_850_s_is(tmp_path):
    """Umbrella's feed says "Blanket" for one PO and nothing for another: the blanket waits for a person
    (ORDER_TYPE_UNSUPPORTED, as an 850 BEG02 BK would), the other is answered. It used to be read SA and shipped
    whole."""
    from tests.csv_feed_support import HEAD, feed, run_feed

    head = HEAD.split(";Ship To Name")[0] + ";Order Type"
    ws, found, _rows = run_feed(tmp_path / "ws", feed("P-1;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;Blanket",
                                                      "P-2;26.11.2026;1;20;EA;26,25;VP-1010;04.12.2026;UMB-9;",
                                                      head=head), layout='order_type = "Order Type"\n')
    assert [(code, po) for _stage, code, _row, _col, po in found if code == "ORDER_TYPE_UNSUPPORTED"] == [
        ("ORDER_TYPE_UNSUPPORTED", "P-1")]
    _found, states = findings_and_states(ws)
    assert states[("umbrella", "P-1")] == "held" and states[("umbrella", "P-2")] != "held"
