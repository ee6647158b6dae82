"""What the shipgaps2 round left of shipment confirmations into 856s and 810s (ship3): a carrier cell "UPS" (a
carrier's name of a SCAC's shape, not UPS's SCAC UPSN) sent as TD503; kit components confirmed in a unit other than
the each (a case of lids) counted as eaches; Java's Date.toString time shape and zone abbreviations not ending in T
(MSK, WIB) left unread."""

from __future__ import annotations

import pytest

from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import variant

# 1. Carrier names vs SCACs

@pytest.mark.parametrize("carrier,service,scac", [
    ("UPS", None, "UPSN"), ("ups", "", "UPSN"), ("UPS", "UPS® Ground", "UPSN"), ("UPS", "UPS SurePost", "UPSS"),
    ("UPSN", "UPS SurePost", "UPSN"), ("UPSS", None, "UPSS"), ("USPS", None, "USPS"), ("FDEG", None, "FDEG"),
    ("ODFL", None, "ODFL"), ("FedEx", None, "FEDEX")])
def test_a_carrier_cell_naming_a_carrier_of_a_scac_s_shape_is_its_scac(carrier, service, scac):
    """"UPS" has a SCAC's shape (2-4 letters) but is UPS's name: its SCAC is UPSN (routing guides charge back TD503
    "UPS"). It used to stay "UPS". A service we list still says which of UPS's SCACs (SurePost UPSS); a cell that is
    a SCAC (UPSN, ODFL) stays itself whatever the service; a bare "FedEx" (Ground or Express?) stays as written."""
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping().scac_of(carrier, service) == scac


def test_the_profile_s_carriers_still_come_first():
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping(carriers={"UPS": "UPSS"}).scac_of("UPS", None) == "UPSS"


def test_shipstation_s_carrier_ups_is_sent_as_upsn_without_the_profile_mapping_it(tmp_path):
    """ShipStation's Carrier "UPS" (service "UPS® Ground") with a warehouse profile that maps FedEx and USPS but not
    UPS: the 856 used to say TD5*B*2*UPS (no SCAC; Dick's routed UPSN, warned CARRIER_NOT_ROUTED). Now UPSN, U."""
    ws, found, _states, _results = variant(tmp_path, "shipstation",
                                           profile_swaps=[('"UPS" = "UPSN", ', "")])
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert ["TD5", "B", "2", "UPSN", "U", "UPS(R) Ground"] in asn
    assert not {f[0] for f in found} & {"SHIPMENT_SCAC_INVALID", "CARRIER_NOT_ROUTED"}
