"""A multi-stop load's stops read back from their shipment ids (engine.lifecycle.stops.stop_id writes them: the load's
id or its hashed prefix, STOP_MARK and the stop's number): which recorded shipment is a stop and which stops come
after their load's first (later_stops), so a flat charge per shipment is billed once per load, on its first stop's
810 (engine.lifecycle.billing), and the charge reconciliation counts it once (engine.charge_match). Pure, and light
(no pyarrow): ids in, ids out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

STOP_MARK = "-ST"  # between a load's id and its stop's number: S9 -> S9-ST1, S9-ST2
_NUMBER = re.compile(r"[1-9][0-9]{0,2}")


def stop_of(shipment_id: str) -> tuple[str, int] | None:
    """(its stop_prefix, its number) when ``shipment_id`` is shaped as a stop's id (stop_id: "S9-ST2" -> ("S9-ST",
    2)), else None ("S9", "S9-ST0", "S9-STORE")."""
    at = shipment_id.rfind(STOP_MARK)
    number = shipment_id[at + len(STOP_MARK):] if at > 0 else ""
    if not _NUMBER.fullmatch(number):
        return None
    return shipment_id[:at + len(STOP_MARK)], int(number)


def later_stops(records: Iterable[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """Of ``records`` ((scope, shipment id, what the stops of one load share) each), the (scope, shipment id) of each
    stop of a multi-stop load after the first one of it there: the stops of one load share their scope, their id's
    stop prefix and what the caller knows they share - billing: (warehouse, id, the confirmation's sha256: a load
    is split as one file's shipment); the reconciliation: (partner, id, the departure its 856s state: one truck) - and
    are numbered in the order of their first rows (engine.lifecycle.stops.number_stops), so the first is the lowest
    number of them. A record sharing nothing ("") is no load's."""
    loads: dict[tuple[str, str, str], list[tuple[int, str]]] = {}
    for scope, sid, shared in records:
        stop = stop_of(sid)
        if stop is not None and shared:
            loads.setdefault((scope, stop[0], shared), []).append((stop[1], sid))
    return {(scope, sid) for (scope, _prefix, _shared), stops in loads.items() for n, sid in stops
            if n > min(stops)[0]}


def earlier_stop_ids(shipment_id: str) -> list[str]:
    """The ids of the stops before ``shipment_id`` in its load (stop_of): "S9-ST3" -> ["S9-ST1", "S9-ST2"]; [] for
    a first stop or a shipment that is no stop."""
    stop = stop_of(shipment_id)
    return [f"{stop[0]}{k}" for k in range(1, stop[1])] if stop is not None else []
