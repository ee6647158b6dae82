"""What the change4/finance3/rg84 rounds left (860 changes, prices, item ids). Built on tests/test_change_units_860's
ACME PO-1 (SKU-1003, a case of 12 eaches at 39.20 an each) and tests/test_change4's RZ of another item."""

from __future__ import annotations

from decimal import Decimal

from tests.test_change4 import _line, _text
from tests.test_change_units_860 import _answered_by_865s, _changed, _findings, _ordered
from tests.test_finance3 import partial  # noqa: F401 (a fixture: rg86's week, line 3 shipping 4 of 6 while held)
from tests.test_rg86_finance_nights import week  # noqa: F401 (a fixture: Ace's week)

UPC = "614141100248"  # SKU-1003: a case of 12, 39.20 an each on ACME's price list
UPC_1004 = "614141100316"  # SKU-1004: a case of 24, 4.72 an each on ACME's price list


# 1. an RZ (RE, RM) that changes both item and unit: the new item's pack ------------------------------------------

def test_an_rz_to_another_item_in_cases_priced_per_each_counts_the_new_item_s_case(tmp_path):
    """``POC*1*RZ*2**CA***UP*<SKU-1004>`` with ``CTP**UCP*4.72*1*EA`` on a line of 24 EA of SKU-1003: 4.72 per each
    of SKU-1004 is 113.28 per CA, its case holding 24. It was restated through SKU-1003's case of 12 (56.64 per CA,
    the line held for a 50% discount the buyer never asked for)."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA*39.20**UP*{UPC}"])
    _answered_by_865s(ws)
    _changed(ws, [f"POC*1*RZ*2**CA***UP*{UPC_1004}", "CTP**UCP*4.72*1*EA"])
    codes = _findings(ws)
    assert not {"DISCOUNT_OVER_THRESHOLD", "PRICE_OUT_OF_TOLERANCE"} & set(codes), codes
    assert _line(ws) == (Decimal(2), "CA", Decimal("113.28"))
    assert "ACK*IR" not in _text(ws, "865")


def test_a_replacement_item_ordered_in_cases_counts_the_new_item_s_case(tmp_path):
    """``POC*1*RE*2**CA*113.28**UP*<SKU-1004>`` on a line of 24 EA of SKU-1003: 2 cases of SKU-1004 are 48 eaches
    at 4.72, in the line's unit (RE keeps it, POC03 and POC06 converted). They were counted as SKU-1003's cases of
    12: 24 EA at 9.44."""
    ws = _ordered(tmp_path, [f"PO1*1*24*EA*39.20**UP*{UPC}"])
    _answered_by_865s(ws)
    _changed(ws, [f"POC*1*RE*2**CA*113.28**UP*{UPC_1004}"])
    assert _line(ws) == (Decimal(48), "EA", Decimal("4.72")), _findings(ws)
    assert "DISCOUNT_OVER_THRESHOLD" not in _findings(ws)


# 2. a re-priced line shipped in part while held: the 865 dates the rest ------------------------------------------

def test_the_865_dates_the_rest_of_a_repriced_line_shipped_in_part_while_held(partial, week):  # noqa: F811
    """Ace's line 3, re-priced to 18 by the 860, shipped 4 of 6 while its order was held (its requested 12-01 past):
    on approval the 865 answers ``ACK*IP*6*EA*068*20261205``, the day the other 2 ship, as the 855's ACK would
    (``DR ... 068 20261205``). It carried no date for them (finance3's note). A line shipped in full has nothing
    left to date: ``ACK*IP*6*EA`` as before."""
    from tests.test_finance3 import _865_acks

    assert _865_acks(partial[0])["3"] == ["IP", "6", "EA", "068", "20261205"]
    assert _865_acks(week[0])["3"] == ["IP", "6", "EA"]
    assert _865_acks(partial[0])["2"] == ["IQ", "9", "EA"]  # line 2, cut to what shipped: nothing left to date


# 3. a held CTP05-priced line restated by recheck once its unit is countable ---------------------------------------

def test_a_held_line_priced_per_a_unit_we_now_count_is_restated_by_recheck(tmp_path):
    """``PO1*1*24*EA`` priced by ``CTP**UCP*470.40*1*BX`` waits (PRICE_BASIS_UNSUPPORTED: no count of a BX of
    SKU-1003). A person adds ``SKU-1003,BX,12`` to item_units.csv and runs ``orderbridge recheck``: the line is
    priced 39.20 per EA, as intake would have restated it, the order cleared, and the next night's 855 states
    ``PO1*1*24*EA*39.2**``. Recheck ran the rules on the price per BX as if it were per EA: still held, saying it
    could not be restated, with no reason."""
    from connectors.state import StateStore
    from flows.recheck import recheck_held
    from tests.support import run_stages
    from tests.test_change_units_860 import NIGHT2

    ws = _ordered(tmp_path, [f"PO1*1*24*EA***UP*{UPC}", "CTP**UCP*470.40*1*BX"])
    assert "PRICE_BASIS_UNSUPPORTED" in _findings(ws)
    (ws.reference_dir / "item_units.csv").write_text("sku,unit,eaches\nSKU-1003,BX,12\n", encoding="utf-8")
    state = StateStore(ws.state_path)
    try:
        (done,) = recheck_held(ws, state, po="PO-1", partner="acme", by="dana", at=NIGHT2.replace(hour=1))
    finally:
        state.close()
    assert done.after.state != done.before.state, (done.before.state, done.after.state)
    run_stages(ws, NIGHT2)
    assert "PO1*1*24*EA*39.2**" in _text(ws, "855"), _text(ws, "855")
    assert _line(ws) == (Decimal(24), "EA", Decimal("39.2"))


# 4. a GS1 number with blanks or hyphens anywhere: its digits, the check digit deciding -----------------------------

def test_a_gs1_number_with_separators_anywhere_names_our_item_when_its_check_digit_is_right():
    """A UPC, EAN or GTIN-14 sent with blanks or hyphens at any place (a buyer's item file's 614141-840014, a GTIN-14
    as 0 0 041200 000209, 6141 4184 0014): its digits, when their check digit is right, are the number: our item.
    Only GS1's printed groups (1-5-5-1 ...) were read; the others were GTIN_CHECK_DIGIT_INVALID and ITEM_UNKNOWN. A
    wrong check digit, a length no GS1 number has, or other characters still name none."""
    from tests.test_rg84_item_identifiers import ITEMS_HEAD, _resolved

    items = (ITEMS_HEAD + "G,00614141840014,614141840014,G,granola,EA,1,1,active\n"
             "A,00041200000209,041200000209,A,gum,EA,1,1,active\nB,04006381333931,,B,pen,EA,1,1,active\n")
    assert _resolved([("EA", [("UP", "614141-840014")]), ("EA", [("UP", "6141 4184 0014")]),
                      ("EA", [("UK", "0 0 041200 000209")]), ("EA", [("EN", "40-0638-1333-931")]),
                      ("EA", [("UP", "0-41200-00020-9")]),
                      ("EA", [("UP", "614141-840015")]), ("EA", [("UP", "61414-18400")]),
                      ("EA", [("UP", "614141_840014")])], items) == ["G", "G", "A", "B", "A", None, None, None]


def test_a_separated_gs1_number_is_refused_only_for_its_check_digit_naming_it_as_sent():
    """GTIN_CHECK_DIGIT_INVALID: not for a number whose digits, separators left out, are a valid GS1 number; for one
    whose check digit is wrong, the message names the value as sent and its digits."""
    import pyarrow as pa

    from rules.business.items import check_gtin_check_digits
    from schemas.orders import ORDER_LINES
    from schemas.reference import ITEMS
    from tests.business.tables import line

    sent = ["614141-840014", "6141 4184 0014", "614141-840015", "0 0 041200 000209"]
    lines = pa.Table.from_pylist([line(line_number=k, line_id=str(k), upc=value, product_ids=[
        {"qualifier": "UP", "id": value}]) for k, value in enumerate(sent, 1)], schema=ORDER_LINES)
    found = check_gtin_check_digits(lines, pa.Table.from_pylist([], schema=ITEMS))
    assert [(f.code, f.location.line_number, f.location.value) for f in found] == [
        ("GTIN_CHECK_DIGIT_INVALID", 3, "614141-840015")]
    assert "'614141-840015'" in found[0].message and "614141840015" in found[0].message, found[0].message


# 5. the CSV acknowledgment says what was placed of the rest in words -----------------------------------------------

def test_the_csv_reason_says_what_was_placed_of_the_rest_in_words():
    """engine.csv_ack.reason_text of a line that shipped 4 while held: "rest: accepted in full from stock", as every
    other code is said. It showed "rest: filled", the bare code."""
    from engine.csv_ack import reason_text

    assert reason_text("4 shipped while held; rest: filled; DTM 010 (requested ship) 20261201 is before today "
                       "20261205.") == ("4 shipped while held; rest: accepted in full from stock; DTM 010 (requested "
                                        "ship) 20261201 is before today 20261205.")
    assert reason_text("rest: filled") == reason_text("filled").join(("rest: ", ""))
    assert reason_text("rest: partial") == "rest: " + reason_text("partial")
    assert reason_text("rest: not a code") == "rest: not a code"
