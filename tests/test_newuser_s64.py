"""Session 64's features tried as a new user reads the help: what the docs say a person types is in the help of
the command it is typed to (docs/lifecycle.md: `--release blanket` names the blanket held beside its releases)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from flows.cli import app


@pytest.mark.parametrize("command", [["status"], ["approve"], ["reject"], ["recheck"]])
def test_release_help_says_blanket_names_the_blanket(command):
    out = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    said = " ".join(out.output.split())
    assert out.exit_code == 0 and "--release" in said, out.output
    assert "'blanket'" in said.split("--release", 1)[1].split(" --", 1)[0], out.output


HEADER = "partner,deal,allowance_code,sku,percent,rate,valid_from,valid_to,description\n"


@pytest.mark.parametrize(("row", "says"), [
    # a finance person writes a percent as they read it, a date as their spreadsheet shows it
    ("acme,SPRING26,C310,,15%,,2026-03-01,2026-05-31,Spring",
     "column 'percent': '15%' is not a number: write it with a dot for decimals (12.5), without a %, currency sign "
     "or thousands separator"),
    ("acme,SPRING26,C310,,15.123456,,2026-03-01,2026-05-31,Spring",
     "column 'percent': '15.123456' is not a number this column takes (more than 4 decimal places): write it"),
    ("acme,SPRING26,C310,,15,,03/01/2026,2026-05-31,Spring",
     "column 'valid_from': '03/01/2026' is not a date: write it YYYY-MM-DD (2026-03-01)"),
])
def test_a_deals_row_a_person_mistyped_is_refused_saying_how_to_write_it(tmp_path, row, says):
    """deals.csv (docs/onboarding.md, "Promotions agreed") read by `partner check` and the night: a cell that is no
    number or no date names its line and how to write it, not the pyarrow type ("decimal128(9, 4)") and Python's
    exception class."""
    from connectors.reference import load_reference
    from schemas.errors import ConfigError
    from tests.support import make_workspace

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    (ws.reference_dir / "deals.csv").write_text(HEADER + row + "\n")
    with pytest.raises(ConfigError) as info:
        load_reference(ws.reference_dir)
    said = str(info.value)
    assert says in said and "line=2" in said, said
    assert "decimal128" not in said and "date32" not in said and "<class" not in said, said


def test_bench_partners_help_says_what_it_measures_and_what_partners_takes():
    """docs/design-many-partners.md gives `bench/bench_partners.py [--partners 50 200 400] ...`: its --help said
    "N partner" (the docstring's first line, cut mid-sentence) and nothing of --partners."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, str(root / "bench" / "bench_partners.py"), "--help"], capture_output=True,
                         text=True, check=True, env={"COLUMNS": "200"}).stdout
    said = " ".join(out.split())
    assert "(t_largest - t_smallest) / (N_largest - N_smallest), in ms" in said, said
    assert "--partners N [N ...] the nights' sizes in partners" in said, said


def test_a_dated_change_with_a_misspelled_key_is_refused_in_our_words(tmp_path):
    """docs/onboarding.md's `[[changes]]` example with a key mistyped: the refusal names the change, its date and the
    key, without pydantic's "the profile: Value error, " before it."""
    from pathlib import Path

    from schemas.errors import ConfigError
    from schemas.profile import load_profile, profile_problem

    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "acme.toml"
    path.write_text((root / "partners" / "acme.toml").read_text() + '\n[[changes]]\neffective = 2027-01-15\n'
                    'note = "their letter"\n[changes.x12]\ntheirid = "NORTHWIND2"\n')
    with pytest.raises(ConfigError) as exc:
        load_profile(path)
    said = profile_problem(exc.value)
    assert said.startswith("changes[0] (effective 2027-01-15) leaves the profile invalid: x12.theirid"), said
    assert "Value error" not in said and "the profile:" not in said, said


def test_a_dated_change_with_a_date_as_people_write_it_says_how_toml_writes_it(tmp_path):
    """`effective = "15/01/2027"` (the partner's letter's date as written): the refusal names the field, what was
    given and how to write it."""
    from pathlib import Path

    from schemas.errors import ConfigError
    from schemas.profile import load_profile, profile_problem

    root = Path(__file__).resolve().parents[1]
    path = tmp_path / "acme.toml"
    path.write_text((root / "partners" / "acme.toml").read_text() + '\n[[changes]]\neffective = "15/01/2027"\n'
                    '[changes.x12]\nversion = "005010"\n')
    with pytest.raises(ConfigError) as exc:
        load_profile(path)
    said = profile_problem(exc.value)
    assert "changes.0.effective: " in said and "(given '15/01/2027')" in said, said
    assert "(given '15/01/2027'); a date is written YYYY-MM-DD, as 2027-01-15" in said, said
