"""engine.routing: the carriers a PO routed its goods by (its TD5s' SCACs) against the carrier each of its
shipments left with; one warning per shipment and PO, by its first confirmation row's carrier, in the order the
shipments' rows came. Likewise the service level a PO routed the carrier at (TD512) against a slower one the
shipment left at (SERVICE_NOT_ROUTED)."""

from __future__ import annotations

import pyarrow as pa

from engine.routing import carrier_findings, routed_carriers, routed_levels, service_findings
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


def test_the_levels_a_po_routed_a_carrier_at_are_its_td512s_of_that_carrier_or_none():
    heading = td5("O", "2", "UPSN", "A", "NEXT DAY AIR", "", "", "", "", "", "", "nd")
    more = ITDS_SEP.join([td5("O", "2", "FDEG", "U", "", "", "", "", "", "", "", "CG"),
                          td5("O", "", "", "", "UPS 2ND DAY", "", "", "", "", "", "", "SE"),
                          td5("O", "2", "UPSN", "A", "", "", "", "", "", "", "", "ND")])
    assert routed_levels(heading, more, "UPSN") == ("ND", "SE")  # FedEx's CG is FedEx's; a TD5 of no carrier counts
    assert routed_levels(heading, more, "FDEG") == ("CG", "SE")
    assert routed_levels(td5("O", "2", "UPSN", "A"), None, "UPSN") == () and routed_levels(None, None, "") == ()


def _service_orders():
    return pa.table({
        "partner": ["mwi"] * 5, "po_number": ["PO-ND", "PO-SE", "PO-NONE", "PO-SD", "PO-FDX"],
        "td5_sent": [td5("O", "2", "UPSN", "A", "NEXT DAY AIR", "", "", "", "", "", "", "ND"),
                     td5("O", "2", "UPSN", "U", "", "", "", "", "", "", "", "SE"),
                     td5("O", "2", "UPSN", "U", "UPS"),
                     td5("O", "2", "UPSN", "U", "", "", "", "", "", "", "", "SD"),  # Saturday: no speed we know
                     td5("O", "2", "FDEG", "U", "", "", "", "", "", "", "", "ND")],
        "td5_more_sent": [None, ITDS_SEP.join([td5("O", "2", "UPSN", "U", "", "", "", "", "", "", "", "CG")]),
                          None, None, None]})


def _shipped(rows):
    return pa.table({"shipment_id": [r[0] for r in rows], "partner": ["mwi"] * len(rows),
                     "po_number": [r[1] for r in rows], "carrier_scac": [r[2] for r in rows],
                     "service_level": [r[3] for r in rows]})


def test_a_shipment_slower_than_the_service_its_po_routed_is_warned_once_per_shipment_and_po():
    shipped = _shipped([("S1", "PO-ND", "UPSN", "gnd"), ("S1", "PO-ND", "UPSN", "ND"),  # the first row counts
                        ("S2", "PO-ND", "upsn", "2DA"), ("S3", "PO-ND", "UPSN", "3D"),
                        ("S4", "PO-ND", "", "GROUND")])  # no carrier confirmed: the PO's UPSN TD5 is no level of it
    found = service_findings(shipped, _service_orders())
    assert [(f.po_number, f.finding.location.value) for f in found] == [("PO-ND", "gnd"), ("PO-ND", "2DA"),
                                                                         ("PO-ND", "3D")]
    assert all(f.finding.code == "SERVICE_NOT_ROUTED" and f.finding.severity == "warning" for f in found)
    assert all(f.consequence == "856 sent: chargeback risk" for f in found)
    assert found[0].finding.message.startswith(
        "Shipment S1 for PO PO-ND left with carrier UPSN at service gnd, Ground (CG); the PO's TD5 routed it at Next "
        "Day Air (ND), a faster service: the 856 is sent")
    assert "at service Three Day Service (3D);" in found[2].finding.message  # a code as given
    assert service_findings(shipped.slice(0, 0), _service_orders()) == ()


def test_as_fast_or_faster_unknown_or_unrouted_services_say_nothing():
    """Never stricter than the standard: a service as fast as routed (NDA, PRIORITY OVERNIGHT: ON, PA for ND) or
    faster (SA, ND for SE), a name or code whose speed we do not know (BLUE LABEL, SD Saturday, ZZ), a PO naming no
    level, or routed at one we do not know, and a shipment by a carrier the PO did not route (CARRIER_NOT_ROUTED's)
    say nothing; a PO routed at two levels of the carrier (SE, and CG in a further TD5) is judged by the slower."""
    shipped = _shipped([("S1", "PO-ND", "UPSN", "NDA"), ("S2", "PO-ND", "UPSN", "priority overnight"),
                        ("S3", "PO-ND", "UPSN", "PA"), ("S4", "PO-ND", "UPSN", "SA"), ("S5", "PO-SE", "UPSN", "ND"),
                        ("S6", "PO-ND", "UPSN", "BLUE LABEL"), ("S7", "PO-ND", "UPSN", "SD"),
                        ("S8", "PO-ND", "UPSN", "ZZ"), ("S9", "PO-ND", "UPSN", None),
                        ("S10", "PO-NONE", "UPSN", "GND"), ("S11", "PO-SD", "UPSN", "GND"),
                        ("S12", "PO-ND", "FDEG", "GND"), ("S13", "PO-SE", "UPSN", "GND"),
                        ("S14", "PO-FDX", "UPSN", "GND"), ("S15", "PO-OTHER", "UPSN", "GND")])
    assert service_findings(shipped, _service_orders()) == ()


def test_a_warehouse_names_its_own_services():
    """A warehouse profile's service_levels: its own names for its services, before our list (a name of ours it
    spells otherwise, or one we do not list)."""
    shipped = _shipped([("S1", "PO-ND", "UPSN", "Blue Label"), ("S2", "PO-ND", "UPSN", "brown")])
    assert service_findings(shipped, _service_orders()) == ()
    found = service_findings(shipped, _service_orders(), {"BROWN": "CG", "blue label": "SE"})
    assert [(f.finding.location.value, "Second Day (SE)" in f.finding.message) for f in found] == [
        ("Blue Label", True), ("brown", False)]


def test_a_warehouse_profile_s_service_names_are_codes_of_two_characters():
    import pytest
    from pydantic import ValidationError

    from schemas.warehouses import WarehouseProfile

    base = {"id": "east", "name": "East", "stock_warehouse": "EAST", "ship_from": {"name": "East"}}
    assert WarehouseProfile.model_validate(base).service_levels == {}
    assert WarehouseProfile.model_validate({**base, "service_levels": {"BROWN": "CG"}}).service_levels == {
        "BROWN": "CG"}
    with pytest.raises(ValidationError):
        WarehouseProfile.model_validate({**base, "service_levels": {"BROWN": "ground"}})
