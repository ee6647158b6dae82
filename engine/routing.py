"""The carriers a PO routed its goods by (its TD5s naming a carrier by SCAC: TD502 2, TD503; the heading's and its
PO1 loops' own) against the carrier each shipment of it left with: a retailer's routing guide names the carrier
(Havertys' freight carrier, Kroger's backhaul, an import PO's ocean line) and charges back a shipment tendered to
another one. The 856 still goes (the goods left); ops learn to expect the chargeback.

Pure: tables in, finding records out (engine.lifecycle.shipping's plan_shipments adds them to its plan).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from schemas.findings import finding
from schemas.grouping import encode, first_rows
from schemas.lifecycle import FindingRecord
from schemas.orders import ELEMENTS_SEP, ITDS_SEP

# TD502 (element 66, identification code qualifier) of a carrier named by its Standard Carrier Alpha Code
SCAC_QUALIFIER = "2"


def routed_carriers(td5_sent: str | None, td5_more_sent: str | None) -> tuple[str, ...]:
    """The SCACs (TD503 where TD502 is 2) of a PO's TD5s as stored (ORDERS td5_sent, the heading's first, and
    td5_more_sent, the others, the PO1 loops' own included), in the order sent, each once; () for a PO that names
    none."""
    out: list[str] = []
    for td5 in (td5_sent, *((td5_more_sent or "").split(ITDS_SEP) if td5_more_sent else ())):
        elements = (td5 or "").split(ELEMENTS_SEP)  # TD501 at 0
        if len(elements) > 2 and elements[1] == SCAC_QUALIFIER and elements[2].strip():
            scac = elements[2].strip().upper()
            if scac not in out:
                out.append(scac)
    return tuple(out)


def carrier_findings(shipped: pa.Table, orders: pa.Table, *, stage: str = "shipments") -> tuple[FindingRecord, ...]:
    """CARRIER_NOT_ROUTED (warning) once per shipment and PO of ``shipped`` (the confirmation rows of the shipments
    sent: shipment_id, partner, po_number, carrier_scac) whose carrier is none of the SCACs its order's TD5s named
    (``orders``: canonical ORDERS with td5_sent and td5_more_sent): a line's own TD5 counts for the whole PO (a
    drop ship's gift line by FedEx beside its UPS heading: either carrier is as routed), so a line shipped by the
    carrier another line was routed by is not told apart. A PO routed by no SCAC (no TD5, a TD5 of routing text
    alone: "SEE ROUTING GUIDE"), or a shipment confirmed without a carrier, says nothing."""
    if shipped.num_rows == 0 or "td5_sent" not in orders.column_names:
        return ()
    more = "td5_more_sent" in orders.column_names
    routed: dict[tuple[str, str], tuple[str, ...]] = {}
    for r in orders.select(["partner", "po_number", "td5_sent", *(["td5_more_sent"] if more else [])]).to_pylist():
        carriers = routed_carriers(r["td5_sent"], r.get("td5_more_sent"))
        if carriers:
            routed[(r["partner"], r["po_number"])] = carriers
    if not routed:
        return ()
    # each shipment and PO once, its first row's carrier, in the order of their first rows (a night's 100,000
    # shipped lines are 5,000 of them: no Python object per line)
    code, _ = encode(shipped["shipment_id"], shipped["partner"], shipped["po_number"])
    heads = shipped.select(["shipment_id", "partner", "po_number", "carrier_scac"]).take(
        pa.array(np.sort(first_rows(code))))
    out = []
    for r in heads.to_pylist():
        sid, partner, po = r["shipment_id"], r["partner"], r["po_number"]
        scac = (r["carrier_scac"] or "").strip().upper()
        carriers = routed.get((partner, po))
        if not carriers or not scac or scac in carriers:
            continue
        message = (f"Shipment {sid} for PO {po} left with carrier {scac}; the PO routed it by "
                   f"{' or '.join(carriers)} (TD5): the 856 is sent (the goods left); expect a chargeback under "
                   "the partner's routing guide.")
        f = finding("CARRIER_NOT_ROUTED", message, value=scac)
        out.append(FindingRecord(f, partner, po, "856 sent: chargeback risk", stage))
    return tuple(out)
