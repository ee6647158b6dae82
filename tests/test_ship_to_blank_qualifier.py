"""SHIPMENT_SHIP_TO_MISMATCH's words for a location id without a qualifier (engine.lifecycle.ship_checks
ship_to_mismatches): a place whose N103 is blank (None or "") while its N104 is set, on the confirmation and the
order alike, is compared by its id and named "location id 047", not "None 047"; under a qualifier, "92 047" as
before."""

from __future__ import annotations

import pyarrow as pa

from engine.lifecycle.ship_checks import ship_to_mismatches


def _orders(qualifier: str | None) -> pa.Table:
    return pa.table({"partner": ["acme"], "po_number": ["PO-7"], "ship_to_id_qualifier": [qualifier],
                     "ship_to_id": ["15522"], "ship_to_postal_code": [None], "ship_to_name": ["SMITH ACE"]},
                    schema=pa.schema([(c, pa.string()) for c in ("partner", "po_number", "ship_to_id_qualifier",
                                                                  "ship_to_id", "ship_to_postal_code",
                                                                  "ship_to_name")]))


def _confirmed(qualifier: str | None) -> pa.Table:
    row = {"shipment_id": "SHP-7", "partner": "acme", "po_number": "PO-7", "line_id": "1",
           "ship_to_id_qualifier": qualifier, "ship_to_id": "047", "ship_to_postal_code": None,
           "source_file": "945.x12", "isa13": "1", "gs06": "1", "st02": "0001"}
    return pa.Table.from_pylist([row], schema=pa.schema([(c, pa.string()) for c in row]))


def test_a_location_id_without_a_qualifier_is_named_as_a_location_id():
    for blank in (None, "", " "):
        [(_i, wrong)] = ship_to_mismatches(_confirmed(blank), _orders(blank))
        assert (wrong.code, wrong.location.element, wrong.location.value) == ("SHIPMENT_SHIP_TO_MISMATCH", "N104",
                                                                              "047")
        assert "went to location id 047 (N1 ST); order PO-7 ships to location id 15522 (SMITH ACE)" in wrong.message
        assert "None" not in wrong.message


def test_a_location_id_under_its_qualifier_is_named_by_both():
    [(_i, wrong)] = ship_to_mismatches(_confirmed("92"), _orders("92"))
    assert "went to 92 047 (N1 ST); order PO-7 ships to 92 15522 (SMITH ACE)" in wrong.message
