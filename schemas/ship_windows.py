"""The DTM qualifiers of requested dates sent as ranges and how a ship window's sides are named (stdlib only:
`orderbridge status` reads them without pyarrow; schemas.orders re-exports them)."""

from __future__ import annotations

from collections.abc import Mapping

# DTM01 of a requested date sent as a range (DTM05 RD8 ...: parsers.x12_dates.dtm_window) -> the ORDERS and
# ORDER_LINES column keeping its last day (its first is the date's own column, DATES / LINE_DTM_DATES)
RANGE_ENDS = {"010": "requested_ship_end", "002": "requested_delivery_end"}
# the first day of the DTM 010 range the ship window's opening came from (ORDERS and ORDER_LINES column) where it is not
# the requested ship date (null: requested_ship_date is, as it is where the range is the DTM 010 sent, and in a row
# stored before this column): a later single DTM 010 with no window of its own moved the requested ship date and left
# the window and its range; a heading's own single DTM 010 beside the range every PO1 loop sent. The opening used to be
# named DTM 037 then, a date the buyer did not send (range_start reads it)
RANGE_START = "requested_ship_start"
# the name of a ship window side that came from a DTM 010 range rather than a DTM 037 / 038 (window_named)
SHIP_RANGE_SIDES = {"ship_not_before": ("010", "requested ship range start"),
                    "ship_no_later": ("010", "requested ship range end")}


def window_named(column: str, qualifier: str, name: str, row: Mapping) -> tuple[str, str]:
    """(DTM01, what it is) a finding or status names a date of ``row`` (an ORDERS or ORDER_LINES row, or one as a
    change leaves it) by: ``qualifier`` / ``name`` (038 "ship no later"), except a ship window side that came from a
    requested ship date sent as a range (``DTM*010****RD8*a-b``, no 037 / 038: parsers.orders_850), named as the DTM
    010 range the buyer sent (SHIP_RANGE_SIDES), never a 037 / 038 it did not send. The window's end came from the
    range when it is the range's end (requested_ship_end), its opening when the range is kept and it is the range's
    first day (range_start: the range sent, even where a later single DTM 010 moved the requested ship date). (A
    buyer sending both the range and a 037 / 038 of the same days is named by its range: the same days, a DTM it
    sent.)"""
    end = row.get(RANGE_ENDS["010"])
    if column not in SHIP_RANGE_SIDES or end is None or row.get(column) is None:
        return qualifier, name
    ranged = row[column] == (end if column == "ship_no_later" else range_start(row))
    return SHIP_RANGE_SIDES[column] if ranged else (qualifier, name)


def range_start(row: Mapping) -> object:
    """The first day of the DTM 010 range ``row``'s ship window came from (None: no range kept): its RANGE_START, or
    where that is null its requested_ship_date (the DTM 010 sent as the range)."""
    if row.get(RANGE_ENDS["010"]) is None:
        return None
    start = row.get(RANGE_START)
    return start if start is not None else row.get("requested_ship_date")


def start_kept(start: object, row: Mapping) -> object:
    """RANGE_START of ``row`` whose range begins on ``start`` (range_start): null where that is its requested ship
    date (or it keeps no range)."""
    return None if start is None or row.get(RANGE_ENDS["010"]) is None or start == row.get("requested_ship_date") \
        else start
