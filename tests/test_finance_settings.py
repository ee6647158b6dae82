"""Partner profiles carry their finance settings ([finance]: tolerances, windows, penalties), optional
and validated like the rest of the profile."""

from __future__ import annotations

from decimal import Decimal

import pytest

from schemas.errors import ConfigError
from schemas.finance import FinanceSettings, settings_for
from schemas.profile import load_profile
from tests.support import REPO


def without_finance(text: str) -> str:
    """A profile's text without its [finance] tables (the demo profiles have them)."""
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.startswith("[finance")
        if not skipping:
            kept.append(line)
    return "".join(kept)


def test_the_demo_profiles_have_finance_tables():
    p = load_profile(REPO / "partners" / "acme.toml")
    assert p.finance != FinanceSettings() and p.finance.penalty("late_asn") == Decimal(250)


def test_profiles_without_a_finance_table_get_the_defaults(tmp_path):
    (tmp_path / "acme.toml").write_text(without_finance((REPO / "partners" / "acme.toml").read_text()))
    p = load_profile(tmp_path / "acme.toml")
    # the defaults, but for the ASN window: the partner's one ASN deadline, [fulfilment.asn] window_minutes
    assert p.finance == FinanceSettings(asn_window_minutes=p.fulfilment.asn.window_minutes)
    assert (p.finance.ack_997_hours, p.finance.ack_855_hours, p.finance.penalty("late_asn")) == (24, 48, Decimal(0))


def test_a_finance_table_is_read_and_checked(tmp_path):
    text = without_finance((REPO / "partners" / "acme.toml").read_text())
    good = text + ('\n[finance]\nquantity_tolerance_percent = "2.5"\nack_855_hours = 24\n'
                   '[finance.penalties]\nlate_asn = "250"\nrejected_invoice = 100\n')
    (tmp_path / "acme.toml").write_text(good)
    p = load_profile(tmp_path / "acme.toml")
    assert p.finance.quantity_tolerance_percent == Decimal("2.5") and p.finance.ack_855_hours == 24
    assert p.finance.penalty("late_asn") == Decimal(250) and p.finance.penalty("late_997") == Decimal(0)
    for bad in ('\n[finance.penalties]\nlate_lunch = 5\n', '\n[finance]\nack_997_hours = -1\n',
                '\n[finance]\nsurprise = 1\n'):
        (tmp_path / "acme.toml").write_text(text + bad)
        with pytest.raises(ConfigError):
            load_profile(tmp_path / "acme.toml")


def test_settings_for_refuses_a_partner_without_settings():
    assert list(settings_for({"a": FinanceSettings(), "b": FinanceSettings()}, ["b"])) == ["b"]
    with pytest.raises(ConfigError, match="no finance settings"):
        settings_for({"a": FinanceSettings()}, ["a", "z"])
