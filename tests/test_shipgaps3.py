"""What the shipgaps2/ship3/finance2 rounds left of shipment confirmations into 856s and 810s (shipgaps3): carrier
names beyond UPS's (LTL carriers by name; a bare "DHL" of a SCAC's shape sent as TD503 "DHL"); kit components not in
items.csv confirmed by the case; German Java dates and zone names ship3 did not read; the reconciliation naming a
held shipment on every line of its PO."""

from __future__ import annotations

import pytest

from tests.retailer_support import po_segments, segments
from tests.test_rg82_wms_confirmations import variant

# 1. Carrier names beyond UPS

SHIPSTATION_HEAD = "Shipment #,Order #,Ship Date,Carrier,Service,Tracking #,Item SKU,Item Qty\n"


@pytest.mark.parametrize("carrier,service,scac", [
    ("Estes", None, "EXLA"), ("Estes Express Lines", "", "EXLA"), ("ESTES EXPRESS", "LTL Standard", "EXLA"),
    ("Old Dominion", None, "ODFL"), ("Old Dominion Freight Line", None, "ODFL"), ("XPO", None, "CNWY"),
    ("XPO Logistics", "LTL", "CNWY"), ("XPO LTL", None, "CNWY"), ("FedEx Freight Priority", None, "FXFE"),
    ("FedEx", "FedEx Freight Priority", "FXFE"), ("FedEx Ground", None, "FDEG"), ("FedEx Home Delivery", None, "FDEG"),
    ("USPS Priority Mail", None, "USPS"), ("CNWY", None, "CNWY"), ("EXLA", None, "EXLA")])
def test_an_ltl_carrier_s_name_is_its_registered_scac(carrier, service, scac):
    """Estes Express Lines EXLA, Old Dominion Freight Line ODFL, XPO's LTL CNWY (Con-way's code, kept by XPO),
    FedEx Freight Priority FXFE: by name, as ShipStation, ShipBob and NetSuite export them. "XPO" has a SCAC's shape
    and used to go out as TD503 "XPO"; "Estes" was TD503 "ESTES" (warned SHIPMENT_SCAC_INVALID)."""
    from schemas.fulfilment import ShipmentCsvMapping

    assert ShipmentCsvMapping().scac_of(carrier, service) == scac


@pytest.mark.parametrize("carrier,service", [("DHL", None), ("dhl", ""), ("DHL", "Priority"), ("FedEx", None),
                                             ("FEDEX", "Standard")])
def test_a_carrier_name_of_several_scacs_is_refused_naming_the_choices(carrier, service):
    from schemas.fulfilment import ShipmentCsvMapping

    choices = ShipmentCsvMapping().carrier_choices(carrier, service)
    assert ("DHL Express" in choices and "DHL eCommerce" in choices) if carrier.upper() == "DHL" else (
        "FDEG" in choices and "FDEN" in choices and "FXFE" in choices)


@pytest.mark.parametrize("carrier,service,carriers,scac", [
    ("DHL", None, {"DHL": "DHLC"}, "DHLC"), ("DHL", "DHL Express Worldwide", {"DHL Express Worldwide": "DHLC"}, "DHLC"),
    ("FedEx", "FedEx Ground", {}, "FDEG"), ("FedEx", None, {"fedex": "FDEG"}, "FDEG")])
def test_the_profile_s_mapping_or_a_listed_service_settles_a_name_of_several_scacs(carrier, service, carriers, scac):
    from schemas.fulfilment import ShipmentCsvMapping

    mapping = ShipmentCsvMapping(carriers=carriers)
    assert (mapping.carrier_choices(carrier, service), mapping.scac_of(carrier, service)) == ("", scac)


def _read(body: str, **layout):
    from parsers.shipments_csv import read_shipment_csv
    from schemas.fulfilment import ShipmentCsvMapping

    mapping = ShipmentCsvMapping(shipment_id="Shipment #", po_number="Order #", ship_date="Ship Date",
                                 carrier_scac="Carrier", service_level="Service", tracking_number="Tracking #",
                                 sku="Item SKU", quantity="Item Qty", date_format="%m/%d/%Y", **layout)
    return read_shipment_csv((SHIPSTATION_HEAD + body).encode(), mapping, file="ss.csv")


def test_a_bare_dhl_is_no_scac_and_is_told_once_per_file():
    """"DHL" has a SCAC's shape: it used to go out as TD503 "DHL" without a word (DHL Express? eCommerce? Supply
    Chain?). Now no SCAC, a warning at the first row naming the choices and the profile's [csv] carriers."""
    table, found = _read("S1,PO1,12/4/2026,DHL,,T1,SKU-1,1\nS1,PO1,12/4/2026,DHL,,T1,SKU-2,1\n"
                         "S2,PO2,12/4/2026,dhl,,T2,SKU-1,1\nS3,PO3,12/4/2026,ODFL,,T3,SKU-1,1\n")
    assert table["carrier_scac"].to_pylist() == [None, None, None, "ODFL"]
    assert [(f.code, f.severity) for f in found] == [("SHIPMENT_CARRIER_AMBIGUOUS", "warning")]
    assert "Row 2" in found[0].message and "DHL eCommerce" in found[0].message and "[csv]" in found[0].message


def test_a_file_of_carrier_names_of_a_scac_s_shape_is_read_without_a_profile_mapping():
    """A file whose carrier cells all have a SCAC's shape ("UPS", "XPO") and a layout naming no carriers was taken
    as SCACs whole (the fast path ship3's UPSN did not reach): TD503 "UPS", "XPO"."""
    table, found = _read("S1,PO1,12/4/2026,UPS,,T1,SKU-1,1\nS2,PO2,12/4/2026,XPO,,T2,SKU-1,1\n"
                         "S3,PO3,12/4/2026,SAIA,,T3,SKU-1,1\n")
    assert (table["carrier_scac"].to_pylist(), found) == (["UPSN", "CNWY", "SAIA"], [])


def test_shipstation_s_dhl_goes_without_a_guessed_scac_and_ops_is_told(tmp_path):
    """ShipStation's Carrier "DHL" with no service: the 856 goes (the goods left), its TD5 without TD503 "DHL"; the
    night tells which carriers DHL may be and where to say it."""
    ws, found, states, _results = variant(tmp_path, "shipstation", [(",UPS,UPS® Ground,", ",DHL,,")])
    told = [f for f in found if f[0] == "SHIPMENT_CARRIER_AMBIGUOUS"]
    assert len(told) == 1 and told[0][1] == "warning" and "DHL Express" in told[0][4]
    asn = po_segments(segments(ws, "dicks", "856"), "100482236", "BSN")
    assert not [s for s in asn if s[0] == "TD5" and "DHL" in s[1:4]]
    assert states[("dicks", "DK8200101")] == "invoiced"
