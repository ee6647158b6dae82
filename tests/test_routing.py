"""engine.routing: the carriers a PO routed its goods by (its TD5s' SCACs) against the carrier each of its
shipments left with; one warning per shipment and PO, by its first confirmation row's carrier, in the order the
shipments' rows came."""

from __future__ import annotations

import pyarrow as pa

from engine.routing import carrier_findings, routed_carriers
from schemas.orders import ELEMENTS_SEP, ITDS_SEP


def td5(*elements: str) -> str:
    return ELEMENTS_SEP.join(elements)


def test_the_carriers_a_po_routed_by_are_its_td5s_scacs_each_once():
    assert routed_carriers(td5("B", "2", "fxfe"), ITDS_SEP.join([td5("O", "2", "UPSN"), td5("B", "2", "FXFE")])) \
        == ("FXFE", "UPSN")
    assert routed_carriers(td5("", "", "", "M", "SEE ROUTING GUIDE"), None) == ()  # routing text alone: no SCAC
    assert routed_carriers(None, None) == ()


def test_a_shipment_left_with_a_carrier_the_po_did_not_name_is_warned_once_per_shipment_and_po():
    orders = pa.table({"partner": ["acme", "acme", "acme"], "po_number": ["PO-1", "PO-2", "PO-3"],
                       "td5_sent": [td5("B", "2", "FXFE"), td5("B", "2", "ODFL"), None],
                       "td5_more_sent": [ITDS_SEP.join([td5("O", "2", "UPSN")]), None, None]})
    shipped = pa.table({"shipment_id": ["S2", "S1", "S1", "S1", "S2", "S3"],
                        "partner": ["acme"] * 6,
                        "po_number": ["PO-1", "PO-1", "PO-1", "PO-2", "PO-2", "PO-3"],
                        "carrier_scac": ["odfl ", "UPSN", "ODFL", "ODFL", "RDWY", "ABFS"]})
    found = carrier_findings(shipped, orders)
    # S2/PO-1 by ODFL (routed FXFE or UPSN), S2/PO-2 by RDWY (routed ODFL), in the order of their first rows;
    # S1/PO-1's first row says UPSN (as routed), S1/PO-2 ODFL (as routed), PO-3 routed by none
    assert [(f.po_number, f.finding.location.value) for f in found] == [("PO-1", "ODFL"), ("PO-2", "RDWY")]
    assert all(f.finding.code == "CARRIER_NOT_ROUTED" and f.finding.severity == "warning" for f in found)
    message = found[0].finding.message
    assert "Shipment S2 for PO PO-1 left with carrier ODFL; the PO routed it by FXFE or UPSN" in message
    assert carrier_findings(shipped.slice(0, 0), orders) == ()
