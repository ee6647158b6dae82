"""The DTM qualifiers of requested dates sent as ranges and how a ship window's sides are named (stdlib only:
`orderbridge status` reads them without pyarrow; schemas.orders re-exports them)."""

from __future__ import annotations

from collections.abc import Mapping

# DTM01 of a requested date sent as a range (DTM05 RD8 ...: parsers.x12_dates.dtm_window) -> the ORDERS and
# ORDER_LINES column keeping its last day (its first is the date's own column, DATES / LINE_DTM_DATES)
RANGE_ENDS = {"010": "requested_ship_end", "002": "requested_delivery_end"}
# the name of a ship window side that came from a DTM 010 range rather than a DTM 037 / 038 (window_named)
SHIP_RANGE_SIDES = {"ship_not_before": ("010", "requested ship range start"),
                    "ship_no_later": ("010", "requested ship range end")}


def window_named(column: str, qualifier: str, name: str, row: Mapping) -> tuple[str, str]:
    """(DTM01, what it is) a finding or status names a date of ``row`` (an ORDERS or ORDER_LINES row, or one as a
    change leaves it) by: ``qualifier`` / ``name`` (038 "ship no later"), except a ship window side that came from a
    requested ship date sent as a range (``DTM*010****RD8*a-b``, no 037 / 038: parsers.orders_850), named as the DTM
    010 range the buyer sent (SHIP_RANGE_SIDES), never a 037 / 038 it did not send. The window's end came from the
    range when it is the range's end (requested_ship_end), its opening when the range is kept and it is the range's
    first day (requested_ship_date). (A buyer sending both the range and a 037 / 038 of the same days is named by its
    range: the same days, a DTM it sent.)"""
    end = row.get(RANGE_ENDS["010"])
    if column not in SHIP_RANGE_SIDES or end is None or row.get(column) is None:
        return qualifier, name
    ranged = row[column] == (end if column == "ship_no_later" else row.get("requested_ship_date"))
    return SHIP_RANGE_SIDES[column] if ranged else (qualifier, name)
