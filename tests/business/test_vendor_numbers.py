"""REF*IA against the vendor numbers a partner may name us by (rules.business.vendor_number): the numbers our
documents write back (flows.decide adds them) and the ones its `[rules] vendor_numbers` lists (a grocer's per-DC
numbers) raise nothing; any other is VENDOR_NUMBER_MISMATCH, a warning."""

from __future__ import annotations

import pyarrow as pa

from rules.business.vendor_number import check_vendor_number
from schemas.profile import RuleProfile
from schemas.rule_settings import RuleSettings


def _orders(*sent: str | None) -> pa.Table:
    n = len(sent)
    return pa.table({"partner": ["ingles"] * n, "po_number": [f"PO{i}" for i in range(n)],
                     "vendor_number_sent": list(sent), "source_file": ["f.x12"] * n, "isa13": ["1"] * n,
                     "gs06": ["1"] * n, "st02": ["0001"] * n})


def _settings(listed: tuple[str, ...]) -> RuleSettings:
    """As flows.decide.rule_settings makes them: the profile's written-back number first, then its listed ones."""
    rules = RuleProfile(vendor_numbers=listed).overrides()
    numbers = tuple(dict.fromkeys(("IN44120", *(rules.vendor_numbers or ()))))
    return RuleSettings(partners={"ingles": rules.model_copy(update={"vendor_numbers": numbers})})


def test_a_number_the_profile_lists_is_no_mismatch_and_any_other_is():
    found = check_vendor_number(_orders("IN44120", "IN55107", "IN99999", None), _settings(("IN55107",)))
    assert [(f.code, f.severity, f.location.value) for f in found] == [("VENDOR_NUMBER_MISMATCH", "warning", "IN99999")]
    found = check_vendor_number(_orders("IN55107"), _settings(()))
    assert [f.location.value for f in found] == ["IN55107"]
