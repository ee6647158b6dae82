"""The carriers a PO routed its goods by (its TD5s naming a carrier by SCAC: TD502 2, TD503; the heading's and its
PO1 loops' own) against the carrier each shipment of it left with: a retailer's routing guide names the carrier
(Havertys' freight carrier, Kroger's backhaul, an import PO's ocean line) and charges back a shipment tendered to
another one. The 856 still goes (the goods left); ops learn to expect the chargeback. Likewise the service level a
PO routed its goods at (TD512: ND next day air) against the one the routed carrier took them at (the warehouse's
GND: ground, slower), and the ship-from a PO
routed it to (its heading N1*SF: a drop-ship programme's choice among the vendor's locations) against the warehouse
that shipped it.

Pure: tables in, finding records out (engine.lifecycle.shipping's plan_shipments adds them to its plan).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.findings import finding
from schemas.grouping import encode, first_rows
from schemas.lifecycle import FindingRecord
from schemas.orders import ELEMENTS_SEP, ITDS_SEP, SHIP_FROM_COLUMNS
from schemas.service_levels import service_code, service_label, service_speeds
from schemas.warehouses import WarehouseProfile

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


def routed_levels(td5_sent: str | None, td5_more_sent: str | None, carrier_scac: str) -> tuple[str, ...]:
    """The service levels (TD512, X12 element 284) of a PO's TD5s as stored (routed_carriers) that name
    ``carrier_scac`` (TD503) or no carrier (Logicbroker's ``TD5*****UPS GROUND*******CG``), each once, in the
    order sent; those of a TD5 naming another carrier are that carrier's (CARRIER_NOT_ROUTED tells the carrier)."""
    out: list[str] = []
    for td5 in (td5_sent, *((td5_more_sent or "").split(ITDS_SEP) if td5_more_sent else ())):
        e = (td5 or "").split(ELEMENTS_SEP)  # TD501 at 0, TD512 at 11
        if len(e) > 11 and e[2].strip().upper() in ("", carrier_scac) and (level := e[11].strip().upper()):
            if level not in out:
                out.append(level)
    return tuple(out)


def service_findings(shipped: pa.Table, orders: pa.Table, names: Mapping[str, str] | None = None, *,
                     stage: str = "shipments") -> tuple[FindingRecord, ...]:
    """SERVICE_NOT_ROUTED (warning) once per shipment and PO of ``shipped`` (confirmation rows: shipment_id,
    partner, po_number, carrier_scac, service_level) that left at a service slower than every service level its
    order's TD5s routed that carrier at (routed_levels: next day air, ND, shipped ground, GND: CG), by the
    shipment's first row. The confirmation's service is a code of X12 element 284 or a name the warehouse's
    ``names`` (its profile's service_levels) or our list gives a code (schemas.service_levels.service_code); the
    speeds compared are those the codes' names state (service_speeds). A PO naming no service level, a service
    not known (an unknown name, Saturday, Express Service) or routed at a level not known, or one as fast or
    faster than routed, says nothing; nor a shipment by another carrier than its PO's TD5s name
    (CARRIER_NOT_ROUTED). The 856 goes, as for a carrier."""
    if shipped.num_rows == 0 or "td5_sent" not in orders.column_names or "service_level" not in shipped.column_names:
        return ()
    more = "td5_more_sent" in orders.column_names
    some = pc.or_(pc.is_valid(orders["td5_sent"]), pc.is_valid(orders["td5_more_sent"])) if more else \
        pc.is_valid(orders["td5_sent"])
    sent = {(r["partner"], r["po_number"]): (r["td5_sent"], r.get("td5_more_sent")) for r in orders.filter(
        some).select(["partner", "po_number", "td5_sent", *(["td5_more_sent"] if more else [])]).to_pylist()}
    if not sent:
        return ()
    speeds = service_speeds()
    code, _ = encode(shipped["shipment_id"], shipped["partner"], shipped["po_number"])
    heads = shipped.select(["shipment_id", "partner", "po_number", "carrier_scac", "service_level"]).take(
        pa.array(np.sort(first_rows(code))))
    out = []
    for r in heads.to_pylist():
        sid, partner, po = r["shipment_id"], r["partner"], r["po_number"]
        said = (r["service_level"] or "").strip()
        level = service_code(said, names)
        if level not in speeds or (partner, po) not in sent:
            continue
        scac = (r["carrier_scac"] or "").strip().upper()
        td5_sent, td5_more = sent[(partner, po)]
        carriers = routed_carriers(td5_sent, td5_more)
        if scac and carriers and scac not in carriers:
            continue  # another carrier than routed: CARRIER_NOT_ROUTED says so
        routed = routed_levels(td5_sent, td5_more, scac)
        if not routed or any(lv not in speeds for lv in routed) or speeds[level] <= max(speeds[lv] for lv in routed):
            continue  # (a level routed whose speed no name states, Saturday, SD, beside ND: not judged)
        went = service_label(level) if said.upper() == level else f"{said}, {service_label(level)}"
        by = f" with carrier {scac}" if scac else ""
        message = (f"Shipment {sid} for PO {po} left{by} at service {went}; the PO's TD5 routed it at "
                   f"{' or '.join(service_label(lv) for lv in routed)}, a faster service: the 856 is sent "
                   "(the goods left) with the service they went by; expect a chargeback under the partner's "
                   "routing guide, and a later delivery than the buyer was promised.")
        out.append(FindingRecord(finding("SERVICE_NOT_ROUTED", message, value=said), partner, po,
                                 "856 sent: chargeback risk", stage))
    return tuple(out)


# N103 of an N1*SF naming its location by a number the buyer assigned (our warehouses' numbers at a drop-ship
# programme: the partner's [fulfilment] ship_from_ids)
ASSIGNED_BY_BUYER = "92"


def routed_warehouse(qualifier: str | None, number: str | None, name: str | None,
                     warehouses: Mapping[str, WarehouseProfile], assigned: Mapping[str, str]) -> str | None:
    """The id of our warehouse an 850's N1*SF names (N103 ``qualifier``, N104 ``number``, N102 ``name``): a number
    the buyer assigned (92) by the partner's map of them (``assigned``: FulfilmentSettings.ship_from_ids), else by
    its name; any other (a GLN under UL, a DUNS under 1, a DUNS+4 under 9) as the [ship_from] id of a warehouse
    profile; an N1*SF without N104 by the name of a warehouse or its ship-from. None: none of ours."""
    number = (number or "").strip()
    if number:
        if (qualifier or "").strip() != ASSIGNED_BY_BUYER:
            return next((wid for wid, w in warehouses.items() if w.ship_from.id.strip() == number), None)
        if number in assigned:
            return assigned[number]
    said = " ".join((name or "").split()).casefold()
    return next((wid for wid, w in warehouses.items() if said and said in (
        " ".join(w.name.split()).casefold(), " ".join(w.ship_from.name.split()).casefold())), None)


def ship_from_findings(shipped: pa.Table, orders: pa.Table, warehouse: WarehouseProfile,
                       warehouses: Mapping[str, WarehouseProfile], assigned: Mapping[str, Mapping[str, str]], *,
                       stage: str = "shipments") -> tuple[FindingRecord, ...]:
    """SHIP_FROM_NOT_ROUTED (warning) once per shipment and PO of ``shipped`` (confirmation rows: shipment_id,
    partner, po_number) from ``warehouse`` whose order (``orders``: canonical ORDERS with ship_from_name,
    ship_from_id_qualifier, ship_from_id) names in its N1*SF a ship-from other than that warehouse: another of
    ``warehouses`` (every warehouse profile, by id), or a location none of them is (``assigned``: each partner's
    ship_from_ids, for an N1*SF 92). A PO without an N1*SF, or naming the warehouse that shipped it, says nothing;
    nor one naming a 92 number of a partner with no ship_from_ids, whose name is none of our warehouses' (the
    buyer's own code for the location: nothing to judge it by).
    The 856 names the warehouse the goods left from, as always."""
    names = SHIP_FROM_COLUMNS
    if shipped.num_rows == 0 or not set(names) <= set(orders.column_names):
        return ()
    some = pc.or_(pc.is_valid(orders["ship_from_id"]), pc.is_valid(orders["ship_from_name"]))
    asked = {(r["partner"], r["po_number"]): r for r in orders.filter(some).select(
        ["partner", "po_number", *names]).to_pylist()}
    if not asked:
        return ()
    known = {warehouse.id: warehouse, **warehouses}
    code, _ = encode(shipped["shipment_id"], shipped["partner"], shipped["po_number"])
    heads = shipped.select(["shipment_id", "partner", "po_number"]).take(pa.array(np.sort(first_rows(code))))
    out = []
    for r in heads.to_pylist():
        sid, partner, po = r["shipment_id"], r["partner"], r["po_number"]
        sf = asked.get((partner, po))
        if sf is None:
            continue
        qualifier, number = (sf["ship_from_id_qualifier"] or "").strip(), (sf["ship_from_id"] or "").strip()
        mapped = assigned.get(partner, {})
        routed = routed_warehouse(qualifier, number, sf["ship_from_name"], known, mapped)
        if routed == warehouse.id or (routed is None and number and qualifier == ASSIGNED_BY_BUYER and not mapped):
            continue  # (a number the buyer assigned, of a partner whose numbers we were never given: not judged;
            # Wayfair's and Amazon's drop-ship 850s name the vendor's location so, their own codes)
        name = (sf["ship_from_name"] or "").strip()
        ident = f"{qualifier} {number}".strip() if number else ""
        said = f"{name} ({ident})" if name and ident else name or ident
        ours = warehouse.ship_from
        here = f"{ours.id_qualifier} {ours.id}".strip() if ours.id else ""
        left = f"from warehouse {warehouse.id} ({ours.name}{', ' + here if here else ''})"
        if routed is not None:
            there = (f"our warehouse {routed}" if routed not in known else
                     f"our warehouse {routed} ({known[routed].ship_from.name})")
            why = (f"the PO routed it to ship from {said} (N1*SF), {there}: the 856 names the warehouse the goods "
                   f"left from; the buyer's drop-ship programme expected {routed} (its freight and delivery promise): "
                   f"check with the partner, and have the orders it routes to {routed} shipped from there.")
        else:
            why = (f"the PO routed it to ship from {said} (N1*SF), which is none of our warehouses (no warehouse "
                   "profile's [ship_from] id or name, nor the partner's [fulfilment] ship_from_ids for a 92 id): the "
                   "856 names the warehouse the goods left from; check with the partner which location it routes "
                   "to, and map its number to ours (ship_from_ids) if it is one.")
        message = f"Shipment {sid} for PO {po} left {left}; {why}"
        out.append(FindingRecord(finding("SHIP_FROM_NOT_ROUTED", message, value=number or said), partner, po,
                                 "856 sent: ship-from not as routed", stage))
    return tuple(out)


def routed_stock(lines: pa.Table, orders: pa.Table, warehouses: Mapping[str, WarehouseProfile],
                 assigned: Mapping[str, Mapping[str, str]]) -> pa.Array:
    """For each row of ``lines`` (partner, po_number: the allocation's input), the stock warehouse code
    (WarehouseProfile.stock_warehouse, as in the inventory snapshot) of the warehouse its order's N1*SF routes it
    to (``orders``: canonical ORDERS with ship_from_name, ship_from_id_qualifier, ship_from_id; routed_warehouse,
    ``assigned``: each partner's ship_from_ids); null where the order names none, or none of ``warehouses``. The
    allocation tries that warehouse first (engine.allocate: its ship_from column), so a drop-ship programme's
    choice among our locations is where the order's stock is reserved, and ships from."""
    names = SHIP_FROM_COLUMNS
    none = pa.nulls(lines.num_rows, pa.string())
    if not lines.num_rows or not warehouses or not set(names) <= set(orders.column_names):
        return none
    some = pc.or_(pc.is_valid(orders["ship_from_id"]), pc.is_valid(orders["ship_from_name"]))
    routed: dict[str, str] = {}
    for r in orders.filter(some).select(["partner", "po_number", *names]).to_pylist():  # the few that name one
        wid = routed_warehouse(r["ship_from_id_qualifier"], r["ship_from_id"], r["ship_from_name"], warehouses,
                               assigned.get(r["partner"], {}))
        key = f"{r['partner']}|{r['po_number']}"
        if wid in warehouses:
            routed[key] = warehouses[wid].stock_warehouse
        else:
            routed.pop(key, None)  # the order's last row counts
    if not routed:
        return none
    keys = pc.binary_join_element_wise(lines["partner"].cast(pa.string()), lines["po_number"].cast(pa.string()), "|")
    at = pc.index_in(keys, value_set=pa.array(list(routed), pa.string()))
    return pc.take(pa.array(list(routed.values()), pa.string()), at)
