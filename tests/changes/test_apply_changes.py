"""engine.changes.apply_changes: each POC change type against the live ACME PO-1 (line 1 = 12 EA @ 2.50,
line 2 = 6 EA @ 10), whole-PO cancel, and the refusals (unknown order/line, existing line, shipped)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest

from engine.changes import ChangeResult, apply_changes
from schemas.orders import ORDER_LINES

from .builders import live_order, read_change


def _apply(pocs: list[str], *, purpose: str = "04", shipped: bool = False) -> ChangeResult:
    order, lines = live_order()
    header, changes = read_change(pocs, purpose=purpose)
    return apply_changes(order, lines, header, changes, shipped=shipped)


def _lines(result: ChangeResult) -> dict[int, tuple]:
    return {
        r["line_number"]: (r["line_id"], r["quantity"], r["unit_price"]) for r in result.new_lines.to_pylist()
    }


def _released(result: ChangeResult) -> dict[int, Decimal]:
    return {r["line_number"]: r["quantity"] for r in result.released.to_pylist()}


def _statuses(result: ChangeResult) -> list[str]:
    return [r.status for r in result.line_results]


def test_add_line_takes_the_next_number_and_860_lineage() -> None:
    result = _apply(["POC*3*AI*5**EA*4.25*PE*VN*SKU-9", "PID*F****NEW WIDGET"])
    assert _lines(result)[3] == ("3", Decimal(5), Decimal("4.25"))
    added = result.new_lines.to_pylist()[2]
    assert (added["vendor_part"], added["description"], added["order_ref"]) == (
        "SKU-9",
        "NEW WIDGET",
        "000000001-1-0001",
    )
    assert (added["source_file"], added["source_sha256"], added["isa13"], added["segment_position"]) == (
        "acme-chg.x12",
        "chg-sha",
        "000000002",
        3,
    )
    assert result.new_lines.schema == ORDER_LINES
    assert (_statuses(result), result.changed_line_numbers, _released(result)) == (["IA"], {3}, {})


def test_delete_line_releases_its_quantity() -> None:
    result = _apply(["POC*2*DI"])
    assert sorted(_lines(result)) == [1]
    assert (_statuses(result), _released(result), result.deleted_line_numbers) == (
        ["ID"],
        {2: Decimal(6)},
        {2},
    )
    assert result.line_results[0].quantity == 0


def test_quantity_increase_sets_the_new_total() -> None:
    result = _apply(["POC*1*QI*20**EA"])
    assert _lines(result)[1] == ("1", Decimal(20), Decimal("2.5"))
    assert (_statuses(result), result.changed_line_numbers, _released(result)) == (["IQ"], {1}, {})
    assert result.line_results[0].quantity == 20


def test_quantity_decrease_releases_the_difference() -> None:
    result = _apply(["POC*1*QD*8**EA"])
    assert _lines(result)[1][1] == 8
    assert (_statuses(result), _released(result)) == (["IQ"], {1: Decimal(4)})


def test_decrease_to_zero_deletes_the_line() -> None:
    result = _apply(["POC*2*QD*0**EA"])
    assert (sorted(_lines(result)), _statuses(result), _released(result)) == ([1], ["ID"], {2: Decimal(6)})


def test_price_change_sets_the_price_only() -> None:
    result = _apply(["POC*2*PC****9.75*PE"])
    assert _lines(result)[2] == ("2", Decimal(6), Decimal("9.75"))
    assert (_statuses(result), result.changed_line_numbers) == (["IP"], {2})


def test_a_replacing_860_restates_lines_with_rz_and_drops_the_rest() -> None:
    """BCH01 05: the 860 replaces the PO, its RZ lines are the whole order."""
    result = _apply(["POC*1*RZ*10**EA*2.40*PE*UP*073000040482*VN*SKU-1", "POC*7*RZ*3**EA*1*PE*VN*SKU-7"],
                    purpose="05")
    assert _lines(result) == {1: ("1", Decimal(10), Decimal("2.4")), 3: ("7", Decimal(3), Decimal(1))}
    assert _released(result) == {1: Decimal(2), 2: Decimal(6)}
    assert (_statuses(result), result.changed_line_numbers, result.deleted_line_numbers) == (
        ["IC", "IA", "ID"],  # line 2, not restated, answered deleted (it used to have no answer line)
        {1, 3},
        {2},
    )
    assert [f.code for f in result.findings] == ["CHANGE_REPLACE_DROPPED_LINES"]
    dropped = result.line_results[-1]
    assert (dropped.line_number, dropped.quantity, dropped.change["change_type"], dropped.change["line_id"]) == (
        2, Decimal(0), "DI", "2")


def test_a_replace_in_any_poc02_codes_cancels_what_it_leaves_out_and_one_without_lines_keeps_them() -> None:
    """BCH01 05 ("Replace": the PO replaced with the 860's line items) restating line 1 with NC and no RZ: line 2,
    not named, is cancelled (its 6 units released, answered ID). It used to be kept: only an RZ line dropped the
    rest. A 05 without any POC restates its heading alone: both lines stand."""
    result = _apply(["POC*1*NC*12**EA*2.50*PE*UP*073000040482*VN*SKU-1"], purpose="05")
    assert sorted(_lines(result)) == [1] and result.deleted_line_numbers == {2}
    assert _released(result) == {2: Decimal(6)} and _statuses(result) == ["IA", "ID"]
    assert [f.code for f in result.findings] == ["CHANGE_REPLACE_DROPPED_LINES"]
    result = _apply([], purpose="05")
    assert sorted(_lines(result)) == [1, 2] and result.deleted_line_numbers == set() and result.findings == []


def test_rz_in_a_change_restates_its_line_and_keeps_the_others() -> None:
    """BCH01 04 with POC02 RZ (replace all values) for line 1: that line's values are replaced (code list 670
    names the change to the line item); line 2, not named, stays as ordered (it used to be dropped, its units
    released, with only a warning: a translator restating one line lost the rest of the order)."""
    result = _apply(["POC*1*RZ*10**EA*2.40*PE*UP*073000040482*VN*SKU-1", "POC*7*RZ*3**EA*1*PE*VN*SKU-7"])
    assert _lines(result) == {1: ("1", Decimal(10), Decimal("2.4")), 2: ("2", Decimal(6), Decimal(10)),
                              3: ("7", Decimal(3), Decimal(1))}
    assert (_statuses(result), result.changed_line_numbers, result.deleted_line_numbers) == (
        ["IC", "IA"], {1, 3}, set())
    assert _released(result) == {1: Decimal(2)} and result.findings == []


def test_cancel_whole_po_releases_everything() -> None:
    result = _apply(["POC*1*DI", "POC*2*DI"], purpose="01")
    assert result.cancelled and result.new_lines.num_rows == 0
    assert _released(result) == {1: Decimal(12), 2: Decimal(6)}
    assert (_statuses(result), result.deleted_line_numbers, result.findings) == (["ID", "ID"], {1, 2}, [])


def test_unknown_line_is_rejected_and_the_rest_applies() -> None:
    result = _apply(["POC*9*QI*20**EA", "POC*2*QI*7**EA"])
    assert _statuses(result) == ["IR", "IQ"]
    assert [
        (f.code, f.location.element, f.location.value, f.location.segment_position) for f in result.findings
    ] == [("CHANGE_LINE_UNKNOWN", "POC01", "9", 3)]
    assert _lines(result)[2][1] == 7 and result.line_results[0].code == "CHANGE_LINE_UNKNOWN"


def test_leading_zeros_still_match_the_line() -> None:
    assert _statuses(_apply(["POC*002*DI"])) == ["ID"]


def test_adding_an_existing_line_is_rejected() -> None:
    result = _apply(["POC*1*AI*5**EA*2*PE*VN*SKU-1"])
    assert (_statuses(result), [f.code for f in result.findings]) == (["IR"], ["CHANGE_LINE_EXISTS"])
    assert _lines(result) == {1: ("1", Decimal(12), Decimal("2.5")), 2: ("2", Decimal(6), Decimal(10))}
    assert result.changed_line_numbers == frozenset()


def test_change_after_shipment_edits_nothing() -> None:
    order, lines = live_order()
    header, changes = read_change(["POC*1*QD*1**EA", "POC*2*DI"])
    result = apply_changes(order, lines, header, changes, shipped=True)
    assert result.new_lines.equals(lines) and result.rejected and not result.cancelled
    assert _statuses(result) == ["IR", "IR"] and result.released.num_rows == 0
    assert [(f.code, f.severity, f.location.segment_id) for f in result.findings] == [
        ("CHANGE_AFTER_SHIPMENT", "error", "BCH")
    ]


def test_cancel_after_shipment_is_refused_too() -> None:
    result = _apply([], purpose="01", shipped=True)
    assert not result.cancelled and result.rejected and result.new_lines.num_rows == 2


def test_unknown_order_rejects_every_poc() -> None:
    _order, lines = live_order()
    header, changes = read_change(["POC*1*DI"])
    result = apply_changes(None, lines.slice(0, 0), header, changes, shipped=False)
    assert (_statuses(result), [f.code for f in result.findings]) == (["IR"], ["CHANGE_ORDER_UNKNOWN"])


def test_another_pos_order_is_a_caller_error() -> None:
    order, lines = live_order()
    header, changes = read_change(["POC*1*DI"])
    with pytest.raises(ValueError):
        apply_changes({**order, "po_number": "PO-2"}, lines, header, changes, shipped=False)


@pytest.mark.parametrize(
    "poc, code",
    [
        ("POC*1*QI*10**EA", "CHANGE_QUANTITY_INVALID"),  # an increase that is not above 12
        ("POC*1*QD*15**EA", "CHANGE_QUANTITY_INVALID"),  # a decrease that is not below 12
        ("POC*1*QI***EA", "CHANGE_QUANTITY_INVALID"),
        ("POC*1*QI*-3**EA", "CHANGE_QUANTITY_INVALID"),
        ("POC*1*QI*24**CA", "CHANGE_UNIT_MISMATCH"),
        ("POC*1*QI*2**CA", "CHANGE_UNIT_MISMATCH"),  # 2 cases of 12 raise 12 eaches: the unit is the problem
        ("POC*1*QD*24**DZ", "CHANGE_UNIT_MISMATCH"),  # 24 dozen: not compared with 12 eaches either
        ("POC*1*PC", "CHANGE_PRICE_INVALID"),
        ("POC*1*TI*12**EA", "CHANGE_TYPE_UNSUPPORTED"),  # transfer item: not applied
        ("POC*1*RQ***EA", "CHANGE_QUANTITY_INVALID"),  # reschedule/quantity change without its quantity
        ("POC*1*PR", "CHANGE_PRICE_INVALID"),  # price/reschedule change without its price
        ("POC*5*AI*0**EA", "CHANGE_QUANTITY_INVALID"),
    ],
)
def test_invalid_pocs_are_rejected_without_edit(poc: str, code: str) -> None:
    result = _apply([poc])
    assert (_statuses(result), [f.code for f in result.findings]) == (["IR"], [code])
    assert result.changed_line_numbers == frozenset() and result.released.num_rows == 0
    assert result.new_lines.num_rows == 2


def test_unsupported_purpose_is_refused() -> None:
    result = _apply(["POC*1*QI*20**EA"], purpose="11")  # 11 response: not a change to act on
    assert result.rejected and [f.code for f in result.findings] == ["CHANGE_PURPOSE_UNSUPPORTED"]
    assert _lines(result)[1][1] == 12


def test_line_numbers_are_never_reused_and_pocs_add_up() -> None:
    result = _apply(["POC*2*DI", "POC*5*AI*4**EA*1*PE*VN*SKU-5", "POC*1*QD*10**EA", "POC*1*QD*9**EA"])
    assert sorted(_lines(result)) == [1, 3]
    assert _released(result) == {1: Decimal(3), 2: Decimal(6)}
    assert _statuses(result) == ["ID", "IA", "IQ", "IQ"]


def _warnings(result: ChangeResult) -> list[tuple[str, str, str | None, int | None]]:
    return [(f.code, f.severity, f.location.value, f.location.line_number) for f in result.findings]


# (DTM 017, estimated delivery: a date a line does not keep; its requested ship and delivery dates, DTM 010 and
# 002, are kept and decide it again: tests/test_change_line_ship_date.py, tests/test_rg71_electronic_components.py)
@pytest.mark.parametrize("poc", ["POC*1*CT*12**EA", "POC*1*RS", "POC*1*RB*12**EA*2.50*PE"])
def test_a_change_of_dates_is_acknowledged_and_changes_no_quantity_or_price(poc: str) -> None:
    result = _apply([poc, "DTM*017*20261220"])
    assert _lines(result) == {1: ("1", Decimal(12), Decimal("2.5")), 2: ("2", Decimal(6), Decimal(10))}
    assert (_statuses(result), result.changed_line_numbers, _released(result)) == (["IA"], frozenset(), {})
    assert (result.line_results[0].quantity, result.line_results[0].unit) == (Decimal(12), "EA")
    ct = poc.split("*")[2]
    assert _warnings(result) == [("CHANGE_DATES_NOT_STORED", "warning", ct, 1)]
    assert "not recorded" in result.findings[0].message and "POC03" not in result.findings[0].message


def test_a_change_of_dates_does_not_take_its_poc03_as_a_new_quantity() -> None:
    result = _apply(["POC*1*CT*20**EA", "DTM*017*20261220"])  # was read as a quantity change to 20
    assert _lines(result)[1][1] == 12 and _statuses(result) == ["IA"] and result.changed_line_numbers == frozenset()
    assert "POC03 20 is not the line's 12" in result.findings[0].message


def test_reschedule_quantity_change_sets_the_quantity_and_warns_about_the_date() -> None:
    result = _apply(["POC*1*RQ*8**EA", "SCH*8*EA***002*20261220"])
    assert (_lines(result)[1][1], _statuses(result), _released(result)) == (8, ["IQ"], {1: Decimal(4)})
    assert _warnings(result) == [("CHANGE_DATES_NOT_STORED", "warning", "RQ", 1)]


def test_reschedule_to_zero_is_a_deletion_without_a_date_warning() -> None:
    result = _apply(["POC*2*RQ*0**EA"])
    assert (sorted(_lines(result)), _statuses(result), result.findings) == ([1], ["ID"], [])


def test_price_reschedule_sets_the_price_and_multiple_sets_both() -> None:
    result = _apply(["POC*2*PR****9.75*PE", "POC*1*MU*10**EA*2.40*PE"])
    assert _lines(result) == {1: ("1", Decimal(10), Decimal("2.4")), 2: ("2", Decimal(6), Decimal("9.75"))}
    assert _statuses(result) == ["IP", "IC"]
    assert [w[:3] for w in _warnings(result)] == [("CHANGE_DATES_NOT_STORED", "warning", "PR"),
                                                   ("CHANGE_DATES_NOT_STORED", "warning", "MU")]


def test_quantity_change_sets_the_new_total_either_way() -> None:
    result = _apply(["POC*1*QC*20**EA", "POC*2*QC*2**EA"])
    assert (_lines(result)[1][1], _lines(result)[2][1], _statuses(result)) == (20, 2, ["IQ", "IQ"])
    assert _released(result) == {2: Decimal(4)} and result.findings == []


def test_an_original_change_request_is_applied_like_a_change() -> None:
    """BCH01 00 with POC lines, as Walmart.com sends its line cancellations (BCH*00*DS, POC*0001*DI)."""
    result = _apply(["POC*0002*DI******PL*2"], purpose="00")
    assert (sorted(_lines(result)), _statuses(result), result.findings) == ([1], ["ID"], [])
    assert not result.rejected and _released(result) == {2: Decimal(6)}


def test_a_poc_without_poc01_finds_its_line_by_product() -> None:
    """Grocers send PO1s without PO101, so their POCs have no POC01: the one line with one of the POC's
    product ids is the line; none or several is CHANGE_LINE_UNKNOWN; an AI without POC01 still adds."""
    result = _apply(["POC**QD*8**EA***VN*SKU-1", "POC**DI******VN*SKU-2", "POC**DI******VN*SKU-9"])
    assert _statuses(result) == ["IQ", "ID", "IR"]
    assert _lines(result) == {1: ("1", Decimal(8), Decimal("2.5"))}
    assert [(f.code, f.location.element) for f in result.findings] == [("CHANGE_LINE_UNKNOWN", "POC01")]
    assert "no one line carries its product ids" in result.findings[0].message
    added = _apply(["POC**AI*5**EA*1*PE*VN*SKU-1"])
    assert _statuses(added) == ["IA"] and sorted(_lines(added)) == [1, 2, 3]


def test_a_line_sent_without_po101_is_known_by_its_line_number() -> None:
    """Our 855 and 856 call a line without PO101 by its line number: an 860 may too."""
    order, lines = live_order()
    rows = lines.to_pylist()
    for r in rows:
        r["line_id"] = None
    header, changes = read_change(["POC*2*QD*4**EA", "POC*02*PC****9*PE", "POC*3*DI"])
    result = apply_changes(order, pa.Table.from_pylist(rows, schema=lines.schema), header, changes, shipped=False)
    assert _statuses(result) == ["IQ", "IP", "IR"]
    assert {r["line_number"]: (r["quantity"], r["unit_price"]) for r in result.new_lines.to_pylist()}[2] == (
        Decimal(4), Decimal(9))


def test_a_heading_change_sets_the_order_columns_it_changes() -> None:
    from engine.changes import heading_changes

    order, _lines_table = live_order()
    header = {"requested_ship_date": order["requested_ship_date"], "ship_to_id": order["ship_to_id"],
              "ship_to_id_qualifier": order["ship_to_id_qualifier"]}
    assert heading_changes(order, header) == {}  # the same date and the same id restated: no change
    from datetime import date
    header.update(requested_delivery_date=date(2027, 1, 5), ship_to_id="0999", ship_to_name="NEW DC")
    got = heading_changes(order, header)
    assert got["requested_delivery_date"] == date(2027, 1, 5) and (got["ship_to_id"], got["ship_to_name"]) == (
        "0999", "NEW DC")
    assert got["ship_to_address1"] is None  # the whole party is replaced: no old street under a new id


def test_a_change_without_pocs_on_a_rejected_order_is_answered_rj() -> None:
    from engine.lifecycle.decisions import final_change_result
    from engine.po_change_ack import change_ack_type

    header, changes = read_change([])
    order, lines = live_order()
    result = apply_changes(order, lines, header, changes, shipped=False)
    assert change_ack_type(final_change_result(result, [], order_rejected=False)) == "AK"
    assert change_ack_type(final_change_result(result, [], order_rejected=True)) == "RJ"


@pytest.mark.parametrize("purpose", ["06", "07"])
def test_a_confirmation_or_duplicate_is_applied_as_a_change_with_a_warning(purpose: str) -> None:
    result = _apply(["POC*1*QI*20**EA"], purpose=purpose)  # the caller found no earlier 860 like it
    assert not result.rejected and _lines(result)[1][1] == 20 and _statuses(result) == ["IQ"]
    assert [(f.code, f.severity) for f in result.findings] == [("CHANGE_REPEAT", "warning")]


def test_a_fingerprint_ignores_bch01_and_sees_the_pocs() -> None:
    from engine.changes import change_fingerprint

    h04, c04 = read_change(["POC*1*QI*20**EA"], purpose="04")
    h07, c07 = read_change(["POC*1*QI*20**EA"], purpose="07")
    other, c_other = read_change(["POC*1*QI*21**EA"], purpose="07")
    assert change_fingerprint(h04, c04) == change_fingerprint(h07, c07) != change_fingerprint(other, c_other)


def _after_shipment(pocs: list[str], *, purpose: str = "04", complete: bool = False) -> ChangeResult:
    """Line 1 (12 ordered) shipped 5, invoiced 5; line 2 (6) shipped nothing."""
    from engine.changes import LineProgress, Progress

    order, lines = live_order()
    header, changes = read_change(pocs, purpose=purpose)
    progress = Progress({1: LineProgress(Decimal(5), Decimal(5), Decimal(12)), 2: LineProgress(Decimal(0), Decimal(0),
                                                                                             Decimal(6))},
                        complete=complete, state="invoiced" if complete else "partially_shipped")
    return apply_changes(order, lines, header, changes, shipped=True, progress=progress)


def test_after_shipment_a_decrease_below_shipped_keeps_the_shipped_units() -> None:
    result = _after_shipment(["POC*1*QD*2**EA", "POC*2*DI"])
    assert [(r.status, r.quantity) for r in result.line_results] == [("IQ", Decimal(5)), ("ID", Decimal(0))]
    assert _lines(result)[1][1] == Decimal(5) and 2 not in _lines(result)
    assert result.settled_line_numbers == {1} and [f.code for f in result.findings] == ["CHANGE_BELOW_SHIPPED"]
    assert not result.rejected


def test_after_shipment_a_price_on_an_invoiced_line_is_refused_and_an_added_line_added() -> None:
    """An order still open after a shipment takes new lines (retailers add items to open POs; the rules
    decide them: engine.lifecycle.decisions); a price on an invoiced line is still refused."""
    result = _after_shipment(["POC*1*PC***EA*3*PE", "POC*2*PC***EA*11*PE", "POC*9*AI*5**EA*2*PE*VN*SKU-9"])
    assert _statuses(result) == ["IR", "IP", "IA"]
    assert [f.code for f in result.findings] == ["CHANGE_PRICE_INVOICED"]
    assert _lines(result)[1][2] == Decimal("2.5") and _lines(result)[2][2] == Decimal(11)
    assert _lines(result)[3][1] == Decimal(5) and 3 in result.changed_line_numbers


@pytest.mark.parametrize("poc", ["POC*1*PQ*8**EA*3*PE", "POC*1*RZ*8**EA*3*PE*UP*073000040482*VN*SKU-1"])
def test_after_shipment_a_quantity_and_price_on_an_invoiced_line_applies_the_quantity_and_keeps_the_price(
        poc: str) -> None:
    """A PQ or RZ that changes both quantity and price of a line with invoiced units: the quantity is applied,
    the invoiced price kept; answered IC ("accepted - changes made") with ACK02 the new quantity and a
    CHANGE_PRICE_INVOICED finding that names the refused price (it used to refuse the POC whole, IR)."""
    result = _after_shipment([poc])
    assert [(r.status, r.quantity, r.code) for r in result.line_results] == [
        ("IC", Decimal(8), "CHANGE_PRICE_INVOICED")]
    assert _lines(result)[1][1] == Decimal(8) and _lines(result)[1][2] == Decimal("2.5")
    assert 1 in result.changed_line_numbers and not result.rejected
    (f,) = result.findings
    assert f.code == "CHANGE_PRICE_INVOICED" and "POC06 3" in f.message and "quantity" in f.message
    from engine.po_change_ack import build_865, change_ack_type

    assert change_ack_type(result) == "AC"
    body = build_865({"po_number": "PO-1"}, result, today=date(2026, 11, 28))
    assert ["ACK", "IC", "8", "EA"] in [list(seg) for seg in body]


def test_after_shipment_a_price_alone_or_a_restated_quantity_on_an_invoiced_line_is_still_refused() -> None:
    result = _after_shipment(["POC*1*PQ*12**EA*3*PE"])  # 12 is what the line asks already: nothing to apply
    assert _statuses(result) == ["IR"] and [f.code for f in result.findings] == ["CHANGE_PRICE_INVOICED"]
    assert _lines(result)[1][1] == Decimal(12) and _lines(result)[1][2] == Decimal("2.5")


def test_after_shipment_a_line_added_to_a_complete_order_is_refused() -> None:
    result = _after_shipment(["POC*9*AI*5**EA*2*PE*VN*SKU-9"], complete=True)
    assert _statuses(result) == ["IR"] and [f.code for f in result.findings] == ["CHANGE_AFTER_SHIPMENT"]
    assert 3 not in _lines(result)


def test_after_shipment_a_cancel_keeps_the_lines_that_shipped() -> None:
    result = _after_shipment([], purpose="01")
    assert not result.cancelled and result.partial and set(_lines(result)) == {1}
    assert [(r.line_id, r.status, r.quantity) for r in result.line_results] == [
        ("1", "IQ", Decimal(5)), ("2", "ID", Decimal(0))]
    from engine.po_change_ack import change_ack_type
    assert change_ack_type(result) == "AC"


def test_after_shipment_a_complete_order_is_not_raised() -> None:
    result = _after_shipment(["POC*1*QI*20**EA"], complete=True)
    assert _statuses(result) == ["IR"] and [f.code for f in result.findings] == ["CHANGE_AFTER_SHIPMENT"]


def _packs(result: ChangeResult) -> dict[int, tuple]:
    return {r["line_number"]: (r["po4_pack"], r["po4_inner_pack"], r["po4_size"], r["po4_size_unit"])
            for r in result.new_lines.to_pylist()}


def test_a_poc_s_po4_is_its_line_s_new_pack_before_the_line_shipped() -> None:
    """A POC loop's PO4 on a line of an order that has not shipped becomes the line's pack, whole (as an added
    line's): the line is changed (decided again) and answered as any applied change. A PO4 restating the line's
    changes nothing. It used to be dropped: the line kept the 850's pack (none here) and was not decided again."""
    result = _apply(["POC*1*CA*12**EA", "PO4*2*6*EA", "POC*2*CA*6**EA"])
    assert _packs(result) == {1: (2, None, Decimal(6), "EA"), 2: (None, None, None, None)}
    assert (_statuses(result), result.changed_line_numbers, result.findings) == (["IA", "IA"], {1}, [])
    order, _lines_before = live_order()
    header, changes = read_change(["POC*1*CA*12**EA", "PO4*2*6*EA"])
    again = apply_changes(order, result.new_lines, header, changes, shipped=False)  # the same pack restated
    assert _packs(again)[1] == (2, None, Decimal(6), "EA") and again.changed_line_numbers == set()


def test_the_po4_of_a_poc_in_another_unit_counts_that_unit_and_is_not_the_line_s_pack() -> None:
    """POC05 in cartons with PO4*12 for a line in eaches: the PO4 says what a carton holds (it converts POC03,
    _converted); the line keeps its own pack."""
    order, lines = live_order()

    def eaches(line_number, unit, row):
        return {"EA": 1, "CT": row.get("po4_pack")}.get(unit)

    header, changes = read_change(["POC*1*QI*2**CT", "PO4*12"])
    result = apply_changes(order, lines, header, changes, shipped=False, unit_eaches=eaches)
    assert _statuses(result) == ["IQ"] and _lines(result)[1][1] == Decimal(24)
    assert _packs(result)[1] == (None, None, None, None)


def test_after_shipment_a_poc_s_po4_is_not_applied_to_a_line_that_shipped_and_is_named() -> None:
    """Line 1 shipped 5 of its 12: its new pack is not applied (what shipped went in the old one), a warning names
    old and new, the POC's quantity part is answered as ever. Line 2 shipped none of its units: it takes its
    new pack."""
    result = _after_shipment(["POC*1*CA*12**EA", "PO4*12", "POC*2*CA*6**EA", "PO4*3"])
    assert _statuses(result) == ["IA", "IA"] and not result.rejected
    assert _packs(result) == {1: (None, None, None, None), 2: (3, None, None, None)}
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.location.line_number, finding.location.segment_id,
            finding.location.element) == ("CHANGE_PACK_NOT_APPLIED", "warning", 1, "PO4", "PO401")
    assert ("POC02 CA packs line 1 of PO PO-1 as PO4 12 (it was no PO4), but 5 EA of it shipped already "
            "(partially_shipped): the new pack was not applied") in finding.message


def test_a_poc05_the_item_master_counts_as_the_lines_case_is_its_unit() -> None:
    order, lines = live_order()
    lines = lines.set_column(lines.schema.get_field_index("unit"), "unit",
                             pa.array(["CA", "EA"], pa.string()))  # line 1 in cases
    header, changes = read_change(["POC*1*QI*13**CS", "POC*2*QI*7**CS"])
    result = apply_changes(order, lines, header, changes, shipped=False,
                           same_case={1: frozenset({"CA", "CS"})})  # CS and CA both our case of line 1's item
    assert _statuses(result) == ["IQ", "IR"]  # line 2 is in eaches: CS is no unit of it
    assert [f.code for f in result.findings] == ["CHANGE_UNIT_MISMATCH"]
    (line1,) = [r for r in result.new_lines.to_pylist() if r["line_number"] == 1]
    assert (line1["quantity"], line1["unit"]) == (Decimal(13), "CA")  # the line keeps the buyer's own unit
    without = apply_changes(order, lines, header, changes, shipped=False)  # no item master: not known alike
    assert _statuses(without) == ["IR", "IR"]


def test_a_poc05_in_another_unit_is_converted_to_the_lines_when_whole() -> None:
    """unit_eaches (engine.lifecycle.changes.unit_eaches): eaches in one unit of a line's item. Line 1 in cases of
    12: 36 EA are 3 CA, applied in cases and acknowledged in eaches; 30 EA (2.5 CA) are refused saying why; line 2
    in eaches: 2 CA are 24 EA. A QD in eaches is compared with the line's quantity in its own unit."""
    order, lines = live_order()  # line 1: 12 CA, line 2: 6 EA
    lines = lines.set_column(lines.schema.get_field_index("unit"), "unit", pa.array(["CA", "EA"], pa.string()))

    def eaches(line_number, unit, row):
        return {"EA": 1, "CA": 12}.get(unit)

    header, changes = read_change(["POC*1*QD*36**EA", "POC*2*QI*2**CA"])
    result = apply_changes(order, lines, header, changes, shipped=False, unit_eaches=eaches)
    assert _statuses(result) == ["IQ", "IQ"] and result.findings == []
    new = {r["line_number"]: (r["quantity"], r["unit"]) for r in result.new_lines.to_pylist()}
    assert new == {1: (Decimal(3), "CA"), 2: (Decimal(24), "EA")}
    assert [r.acknowledged() for r in result.line_results] == [(Decimal(36), "EA"), (Decimal(2), "CA")]
    header, changes = read_change(["POC*1*QD*30**EA"])
    refused = apply_changes(order, lines, header, changes, shipped=False, unit_eaches=eaches)
    assert _statuses(refused) == ["IR"]
    (finding,) = refused.findings
    assert finding.code == "CHANGE_UNIT_MISMATCH"
    assert "30 EA is 2.5 CA of 12, not a whole number of CA" in finding.message
    current = lines.to_pylist()[0]["quantity"]
    header, changes = read_change([f"POC*1*QD*{int(current) * 12}**EA"])  # the line's own quantity: no decrease
    same = apply_changes(order, lines, header, changes, shipped=False, unit_eaches=eaches)
    assert [f.code for f in same.findings] == ["CHANGE_QUANTITY_INVALID"]


@pytest.mark.parametrize(
    "poc, statuses, codes",
    [
        ("POC*1*CA**6*EA", ["IR"], ["CHANGE_QUANTITY_INVALID"]),  # POC04 alone, not line 1's open 12
        ("POC*1*QD**6*EA", ["IR"], ["CHANGE_QUANTITY_INVALID"]),
        ("POC*1*PQ**6*EA*3.00*PE", ["IR"], ["CHANGE_QUANTITY_INVALID"]),  # all or nothing: the price too
        ("POC*1*CA**12*EA", ["IA"], []),  # the open balance: stated, nothing asked
        ("POC*1*PQ**12*EA*3.00*PE", ["IP"], []),
        ("POC*1*QD*6*12*EA", ["IQ"], []),  # POC03 sent: POC04 beside it is the balance before the change
        ("POC*1*PC**6*EA*3.00*PE", ["IP"], []),  # a price change: POC04 (units in transit, say) asks nothing
        ("POC*1*CT**6*EA", ["IA"], ["CHANGE_DATES_NOT_STORED"]),
    ],
)
def test_a_poc04_without_poc03_is_applied_only_as_the_open_balance(poc: str, statuses: list, codes: list) -> None:
    result = _apply([poc])
    assert (_statuses(result), [f.code for f in result.findings]) == (statuses, codes)
    if statuses == ["IR"]:
        assert result.findings[0].location.element == "POC04" and _lines(result)[1][1:] == (Decimal(12), Decimal("2.5"))


# --- the rest of code list 670 (004010 and 005010): what maps onto a change we apply, and a clear refusal -------

@pytest.mark.parametrize("ct", ["RE", "RM"])
def test_a_replacement_item_replaces_the_lines_item_and_applies_what_it_sends(ct: str) -> None:
    """RE (replacement item) and RM (replacement item with modifications) name the item that replaces the
    line's in POC08..: the line restated with it (as RZ restates a product), decided again (IC); RM's new
    quantity applied, the price kept where none is sent."""
    result = _apply([f"POC*1*{ct}*{'12' if ct == 'RE' else '10'}**EA**PE*UP*073000040499*VN*SKU-1R",
                     "PID*F****REPLACEMENT WIDGET"])
    line = next(r for r in result.new_lines.to_pylist() if r["line_number"] == 1)
    assert (line["upc"], line["vendor_part"], line["description"]) == ("073000040499", "SKU-1R",
                                                                        "REPLACEMENT WIDGET")
    assert (line["quantity"], line["unit_price"]) == ((Decimal(12) if ct == "RE" else Decimal(10)), Decimal("2.5"))
    assert (_statuses(result), result.changed_line_numbers, [f.code for f in result.findings]) == (["IC"], {1}, [])


def test_a_replacement_naming_no_item_is_refused_and_the_line_kept() -> None:
    result = _apply(["POC*1*RE*12**EA"])
    assert (_statuses(result), [f.code for f in result.findings]) == (["IR"], ["CHANGE_PRODUCT_MISSING"])
    assert result.changed_line_numbers == frozenset() and _lines(result)[1] == ("1", Decimal(12), Decimal("2.5"))


def test_cf_on_a_line_cancels_that_line_as_di_does() -> None:
    result = _apply(["POC*2*CF"])
    assert sorted(_lines(result)) == [1]
    assert (_statuses(result), _released(result), result.deleted_line_numbers) == (["ID"], {2: Decimal(6)}, {2})


def test_cg_leaves_the_line_as_it_is() -> None:
    result = _apply(["POC*1*CG*12**EA", "SAC*C*D240***1500"])
    assert (_statuses(result), result.changed_line_numbers, [f.code for f in result.findings]) == (["IA"], set(), [])
    assert _lines(result)[1] == ("1", Decimal(12), Decimal("2.5"))


@pytest.mark.parametrize(("ct", "why"), [
    ("CB", "payment terms"), ("CC", "payment terms"), ("RA", "routing (TD5)"), ("TI", "transfer item"),
    ("RC", "a response to a change"), ("OC", "announcement"), ("OA", "announcement"), ("CH", "announcement"),
    ("CI", "announcement"), ("ZZ", "no code of X12's list 670")])
def test_the_codes_we_do_not_apply_are_refused_saying_what_they_ask(ct: str, why: str) -> None:
    result = _apply([f"POC*1*{ct}*12**EA"])
    assert (_statuses(result), [f.code for f in result.findings]) == (["IR"], ["CHANGE_TYPE_UNSUPPORTED"])
    assert why in result.findings[0].message and "the line stays as it was" in result.findings[0].message
    assert result.changed_line_numbers == frozenset() and result.new_lines.num_rows == 2


def test_every_code_of_list_670_is_either_applied_or_refused_with_its_reason() -> None:
    from schemas.changes import REFUSED_TYPES, SUPPORTED_TYPES

    x12_004010 = {"AI", "CA", "CB", "CC", "CE", "CF", "CG", "CH", "CI", "CT", "DI", "MU", "NC", "OA", "OC", "PC",
                  "PQ", "PR", "QD", "QI", "RA", "RB", "RC", "RE", "RM", "RQ", "RS", "RZ", "TI"}
    assert x12_004010 <= SUPPORTED_TYPES | set(REFUSED_TYPES) and not SUPPORTED_TYPES & set(REFUSED_TYPES)


def test_a_cg_loops_sacs_are_read_as_the_orders_total_level_ones():
    """POC02 CG (changes to total level allowance/charges): the SACs in its loop change the order's total, so they
    are read as the heading's (line null), and with_changes replaces the PO's heading SAC of that code with them;
    a CE loop's stay its line's."""
    from engine.finance_inputs import with_changes
    from parsers.orders_860 import read_changes_with_sacs
    from parsers.x12_reader import read_interchanges
    from tests.test_change_units_860 import x12_860

    body = ["BCH*04*SA*PO-1***20261127", "POC*1*CG*12**EA", "SAC*C*D240***1500", "POC*2*CE*6**EA",
            "SAC*A*C310***200", "CTT*2"]
    result = read_interchanges(x12_860(body))
    _headers, _changes, sacs = read_changes_with_sacs(result, list(result.transaction_sets()), partner="acme",
                                                      source_sha256="chg")
    assert [(r["line_number"], r["line_id"], r["code"], r["change_type"]) for r in sacs.to_pylist()] == [
        (None, None, "D240", None), (2, "2", "C310", "CE")]
    base = sacs.drop_columns(["purpose", "change_type"])
    po = pa.Table.from_pylist([{**base.to_pylist()[0], "amount": Decimal(10)}], schema=base.schema)  # the PO's
    changed = sacs.append_column("seq", pa.array([0] * sacs.num_rows, pa.int64()))
    after = with_changes(po, changed.select([*po.column_names, "seq", "purpose", "change_type"]))
    assert sorted((r["line_id"], r["code"], r["amount"]) for r in after.to_pylist() if r["line_id"] is None) == [
        (None, "D240", Decimal("15.00"))]
