"""Settings the docs show "as the defaults" are the defaults: docs/reconciliation.md's [finance] table (every
key of FinanceSettings, each value its default but the penalties it shows as an example) and the [rules] of
docs/onboarding.md's profile (the run-wide RuleSettings a partner without them gets)."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

from schemas.finance import FinanceSettings
from schemas.rule_settings import RuleSettings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _toml_block(text: str, starts: str) -> str:
    block = text[text.index("```toml\n" + starts) + len("```toml\n"):]
    return block[:block.index("```")]


def _same(shown, default) -> bool:
    if isinstance(default, tuple):
        default = list(default)
    if isinstance(default, Decimal):
        return Decimal(str(shown)) == default
    return shown == default


def test_the_finance_settings_shown_are_every_key_and_its_default():
    block = _toml_block((DOCS / "reconciliation.md").read_text(encoding="utf-8"), "[finance]")
    shown = tomllib.loads(block)["finance"]
    FinanceSettings.model_validate(shown)
    named = set(shown) | {line.lstrip("# ").split(" ", 1)[0] for line in block.splitlines() if line.startswith("# ")}
    assert set(FinanceSettings.model_fields) <= named, set(FinanceSettings.model_fields) - named
    default = FinanceSettings()
    wrong = {k: (v, getattr(default, k)) for k, v in shown.items()
             if k != "penalties" and not _same(v, getattr(default, k))}
    assert not wrong, wrong


def test_the_guides_rules_are_the_run_wide_defaults():
    text = (DOCS / "onboarding.md").read_text(encoding="utf-8")
    profile = _toml_block(text[text.index("<!-- file: northwind-ws/partners/northwind.toml -->"):], "# Northwind")
    rules = tomllib.loads(profile)["rules"]
    default = RuleSettings()
    compared = {k: v for k, v in rules.items() if k in RuleSettings.model_fields}
    assert len(compared) >= 10, compared
    wrong = {k: (v, getattr(default, k)) for k, v in compared.items() if not _same(v, getattr(default, k))}
    assert not wrong, wrong


def test_the_guides_x12_policies_are_the_defaults():
    """The guide's profile shows the [x12] policies a partner gets without them (what it says of each is what a
    new partner gets): other_versions, element_errors (an element error in what an order is not made of accepted
    with errors noted: rules.lenient), other_sets, duplicate_window_days, encoding."""
    from schemas.profile import X12Settings

    text = (DOCS / "onboarding.md").read_text(encoding="utf-8")
    x12 = tomllib.loads(_toml_block(text[text.index("<!-- file: northwind-ws/partners/northwind.toml -->"):],
                                    "# Northwind"))["x12"]
    policies = ("other_versions", "element_errors", "other_sets", "duplicate_window_days", "encoding")
    assert {k: x12.get(k) for k in policies} == {k: X12Settings.model_fields[k].default for k in policies}
    assert X12Settings.model_fields["element_errors"].default == "accept"


def test_the_readme_names_every_file_limit_with_its_default():
    from schemas.profile import LimitSettings

    text = " ".join((DOCS.parent / "README.md").read_text(encoding="utf-8").split())
    for name, field in LimitSettings.model_fields.items():
        assert f"`{name}` {field.default:,}" in text, name


def test_the_state_store_doc_names_its_schema_version_and_every_table(tmp_path):
    import re
    import sqlite3

    from connectors.state import SCHEMA_VERSION, StateStore

    text = (DOCS / "state-store.md").read_text(encoding="utf-8")
    section = text[text.index("## Tables"):text.index("## Writing")]
    assert section.startswith(f"## Tables (schema version {SCHEMA_VERSION})")
    StateStore(tmp_path / "s.sqlite").close()
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(re.findall(r"^\| `(\w+)` \|", section, re.MULTILINE)) == tables
