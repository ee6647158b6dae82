"""Every kind of document we build passes our own validator (rules.outbound.validate_outbound): the
856 in each packing structure and the 810, for every demo partner (004010 and 005010). The demo's
997, TA1, 855 and 865 are checked in tests/test_outputs_oracle.py."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from engine.asn import build_856
from engine.invoice import build_810
from rules.outbound import validate_outbound
from schemas.fulfilment import AsnSettings, Charge, InvoiceSettings
from tests.shipping_support import NOW, PROFILES, sample_shipment, wrap_for
from tests.test_invoice_810 import invoice, line, shipped_for


def errors(content: bytes) -> list[str]:
    return [f"{f.code} {f.location.describe()}: {f.message}" for f in validate_outbound(content)
            if f.severity == "error"]


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])
@pytest.mark.parametrize("structure,pallets", [("SOPI", False), ("SOTPI", True), ("SOI", False)])
def test_our_856s_pass_our_validator(partner, structure, pallets):
    bodies = [build_856(sample_shipment(pallets=pallets), AsnSettings(structure=structure), created=NOW),
              build_856(replace(sample_shipment(pallets=pallets), shipment_id="SHP-0002"),
                        AsnSettings(structure=structure), created=NOW)]
    assert errors(wrap_for(PROFILES[partner], "SH", "856", bodies)) == []


@pytest.mark.parametrize("partner", ["acme", "globex", "initech"])
def test_our_810s_pass_our_validator(partner):
    inv = invoice(line("1"), line("2", "4", "10"), charges=(Charge(kind="C", code="D240", amount=Decimal("15")),))
    bodies = [build_810(inv, InvoiceSettings(iss=True, ctt_hash=True, remit_to="OrderBridge"),
                        shipped=shipped_for(inv))]
    assert errors(wrap_for(PROFILES[partner], "IN", "810", bodies)) == []


def test_the_self_check_finds_a_broken_document():
    body = build_856(sample_shipment(), AsnSettings(), created=NOW)
    broken = [s if s[0] != "BSN" else s[:2] for s in body]  # BSN03/BSN04 are mandatory
    found = errors(wrap_for(PROFILES["acme"], "SH", "856", [broken]))
    assert any(e.startswith("ELEMENT_MANDATORY_MISSING") and "BSN03" in e for e in found)
