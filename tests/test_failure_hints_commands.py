"""The failures report's "How to fix" (engine.report_failures.HINTS) tells ops what to do with commands that
exist: an order held until reference data is fixed (a price, a ship-to, a case pack) is released by
`orderbridge recheck`. The hints said "then reprocess", which no command does and docs/error-codes.md
does not say (it says recheck)."""

from __future__ import annotations

import re

import typer

from engine.report_failures import HINTS
from flows.cli import app


def test_every_command_a_hint_names_exists():
    commands = set(typer.main.get_command(app).commands)
    named = {(code, m) for code, hint in HINTS.items() for m in re.findall(r"orderbridge ([a-z][a-z-]*)", hint)}
    assert named and not {(code, m) for code, m in named if m not in commands}
    assert not [code for code, hint in HINTS.items() if re.search(r"\breprocess", hint)]


def test_an_order_held_for_reference_data_is_rechecked_once_fixed():
    for code in ("PRICE_NOT_ON_FILE", "SHIP_TO_UNKNOWN", "ADDRESS_INCOMPLETE", "CASE_PACK_MISMATCH"):
        assert "`orderbridge recheck`" in HINTS[code], code


def test_a_serial_shipped_before_names_the_command_that_releases_a_returned_unit():
    """A unit back on a return is held SHIPMENT_SERIAL_SHIPPED_BEFORE until ops mark it returned: the failures report
    says how (before, it only repeated the code's text)."""
    assert "`orderbridge serial-return SERIAL --sku SKU" in HINTS["SHIPMENT_SERIAL_SHIPPED_BEFORE"]
