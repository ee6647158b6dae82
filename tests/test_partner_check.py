"""`orderbridge partner check ID -w WS` reports each missing or wrong piece of a partner's setup on its
own line (exit 1), and a ready partner as ready (exit 0). A workspace without its own profiles,
reference data or inventory is an error naming what is missing: never a silent fall back to the
repository's demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.workspace import Workspace
from schemas.errors import ConfigError
from tests.test_onboarding_guide import GUIDE, steps

runner = CliRunner()


@pytest.fixture
def ready(tmp_path) -> Path:
    """The guide's workspace, every file written and the inventory loaded."""
    for kind, path, content in steps(GUIDE.read_text(encoding="utf-8")):
        if kind == "file" and not path.endswith(".x12"):
            target = tmp_path / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
    ws = tmp_path / "northwind-ws"
    res = runner.invoke(app, ["inventory", "load", str(ws / "stock.csv"), "--receipts", str(ws / "receipts.csv"),
                              "-w", str(ws)])
    assert res.exit_code == 0, res.stdout
    return ws


def check(ws: Path, partner: str = "northwind"):
    res = runner.invoke(app, ["partner", "check", partner, "-w", str(ws)])
    lines = [line for line in res.stdout.splitlines() if line.startswith("missing: ")]
    return res.exit_code, lines


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_ready_partner(ready):
    assert check(ready) == (0, [])


def test_no_profile(ready):
    (ready / "partners" / "northwind.toml").unlink()
    code, lines = check(ready)
    assert code == 1 and lines == [f"missing: {ready / 'partners' / 'northwind.toml'}: no profile for partner "
                                    "northwind"]


def test_a_profile_that_does_not_load(ready):
    edit(ready / "partners" / "northwind.toml", 'usage = "T"', 'usage = "X"')
    code, lines = check(ready)
    assert code == 1 and len(lines) == 1 and "invalid partner profile" in lines[0]


@pytest.mark.parametrize("old, new, expected", [
    ('their_qualifier = "ZZ"', 'their_qualifier = "QQ"', "x12.their_qualifier 'QQ' is not an interchange id"),
    ('our_qualifier = "ZZ"', 'our_qualifier = "Z1"', "x12.our_qualifier 'Z1' is not an interchange id"),
    ('their_id = "NORTHWIND"', 'their_id = "NORTH*WIND"', "x12.their_id 'NORTH*WIND' contains a delimiter"),
    ('their_gs_id = "NORTHWIND"', 'their_gs_id = " NORTHWIND"', "their_gs_id"),  # the profile refuses it
    ('receives = ["997", "TA1", "855", "865"]', 'receives = ["997", "TA1", "865"]', "profile receives no 855"),
    ('accepts = ["850", "860", "997", "824", "864"]', 'accepts = ["860", "997", "824", "864"]',
     "profile accepts no 850"),
])
def test_profile_values_the_envelope_rules_would_refuse(ready, old, new, expected):
    edit(ready / "partners" / "northwind.toml", old, new)
    code, lines = check(ready)
    assert code == 1 and len(lines) == 1 and expected in lines[0], lines


@pytest.mark.parametrize("name", ["items.csv", "partner_items.csv", "prices.csv", "customers.csv", "ship_tos.csv"])
def test_each_missing_reference_file(ready, name):
    (ready / "reference" / name).unlink()
    code, lines = check(ready)
    assert code == 1 and lines == [f"missing: {ready / 'reference' / name}: reference file missing"]


def test_each_missing_reference_row(ready):
    ref = ready / "reference"
    edit(ref / "customers.csv", "northwind,100000.00", "someone,100000.00")
    edit(ref / "ship_tos.csv", "northwind,NW-DC1", "someone,NW-DC1")
    edit(ref / "prices.csv", "northwind,", "someone,")
    code, lines = check(ready)
    assert code == 1 and len(lines) == 3, lines
    assert "customers.csv: no row for partner northwind" in lines[0]
    assert "ship_tos.csv: no ship-to location for partner northwind" in lines[1]
    assert "prices.csv: no price for partner northwind" in lines[2]


def test_prices_in_another_currency(ready):
    edit(ready / "reference" / "customers.csv", ",USD,01,", ",CAD,01,")
    code, lines = check(ready)
    assert code == 1 and lines == ["missing: prices.csv: no price for partner northwind in its currency CAD "
                                   "(customers.csv): every line would be rejected PRICE_NOT_ON_FILE"]


def test_a_further_currency_with_no_price_in_it(ready):
    """customer_currencies.csv agrees CAD too: with no CAD price, a PO in CAD could price nothing; with one, ready."""
    (ready / "reference" / "customer_currencies.csv").write_text("partner,currency,credit_limit,open_ar\n"
                                                                  "northwind,CAD,5000.00,0.00\n", encoding="utf-8")
    code, lines = check(ready)
    assert code == 1 and lines == ["missing: prices.csv: no price for partner northwind in CAD "
                                   "(customer_currencies.csv): every line of a PO in CAD would be rejected "
                                   "PRICE_NOT_ON_FILE"]
    prices = ready / "reference" / "prices.csv"
    first = prices.read_text(encoding="utf-8").splitlines()[1]
    prices.write_text(prices.read_text(encoding="utf-8") + first.replace(",USD,", ",CAD,") + "\n", encoding="utf-8")
    assert check(ready) == (0, [])


def test_broken_reference_data_is_one_line(ready):
    edit(ready / "reference" / "partner_items.csv", "SKU-2002", "SKU-9999")
    code, lines = check(ready)
    assert code == 1 and len(lines) == 1 and "SKU-9999" in lines[0] and "not in items.csv" in lines[0]


def test_a_reference_file_saved_by_excel_in_windows_1252_names_its_line_and_what_to_save_it_as(ready):
    """ship_tos.csv edited in Excel, a name with an accent, saved as "CSV (Comma delimited)": "reference file is not
    UTF-8 (byte=684, ...)" stopped every night with a byte offset to count to."""
    path = ready / "reference" / "ship_tos.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    path.write_bytes("".join(lines[:2]).encode() + "Montr\u00e9al,".encode("cp1252") + "".join(lines[2:]).encode())
    code, said = check(ready)
    assert code == 1 and len(said) == 1 and "save it as \"CSV UTF-8\"" in said[0] and "line=3" in said[0], said


def test_missing_inventory(ready):
    for f in (ready / "inventory").rglob("*.parquet"):
        f.unlink()
    code, lines = check(ready)
    assert code == 1 and len(lines) == 2
    assert "no inventory snapshot" in lines[0] and "receipts.parquet: expected receipts missing" in lines[1]


def test_the_workspace_knows_every_reference_file_a_run_needs():
    from flows.workspace import REFERENCE_FILES
    from schemas.reference import OPTIONAL_FILES, SCHEMAS

    assert set(REFERENCE_FILES) == {f"{key}.csv" for key in SCHEMAS if key not in OPTIONAL_FILES}


def test_a_workspace_without_its_own_data_is_an_error_not_the_demo_data(tmp_path):
    ws = Workspace(tmp_path)
    assert ws.reference_dir == tmp_path / "reference" and ws.inventory_dir == tmp_path / "inventory"
    with pytest.raises(ConfigError, match="no partner profiles"):
        ws.partners()
    with pytest.raises(ConfigError, match="not ready to run") as exc:
        ws.require_ready()
    assert "reference/items.csv" in str(exc.value) and "inventory" in str(exc.value)
    res = runner.invoke(app, ["run", "-w", str(tmp_path)])
    assert res.exit_code == 2 and "not ready to run" in res.output, res.output
    assert "missing:" in res.output and "reference/items.csv" in res.output


def test_only_the_demo_builds_from_sample_files(tmp_path, monkeypatch):
    """The demo workspace holds its own copies of the sample reference data and inventory."""
    import flows.cli as cli

    ran = []
    monkeypatch.setattr(cli, "_run", lambda workspace, now: ran.append(workspace) or {"run_id": "n1", "partners": []})
    monkeypatch.setattr(cli, "_ship", lambda workspace, now: {"run_id": "", "skipped": "not in this test"})
    res = runner.invoke(app, ["demo", "--workdir", str(tmp_path / "demo"), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 0, res.stdout
    demo = Workspace(tmp_path / "demo")
    assert demo.missing() == [] and (demo.reference_dir / "items.csv").is_file() and ran


CSV_PROFILE = '''id = "northwind"
name = "Northwind Traders"
receives = ["csv_ack"]
accepts = ["csv"]

[fulfilment.csv_orders]
delimiter = ";"
'''


@pytest.mark.parametrize("x12", [False, True])
def test_a_csv_order_partner_is_ready_without_850s_or_855s(ready, x12):
    """A partner sending CSV orders (accepts "csv") answered with CSV acknowledgments needs no 850 or 855;
    without X12 at all it needs no [x12] table. Before: 'accepts no 850' and 'receives no 855' for every
    CSV partner (the demo's umbrella too), and a traceback for one without [x12]."""
    profile = ready / "partners" / "northwind.toml"
    x12_table = profile.read_text(encoding="utf-8").split("[x12]", 1)[1].split("[x12.delimiters]", 1)[0]
    profile.write_text(CSV_PROFILE + ("\n[x12]" + x12_table if x12 else ""), encoding="utf-8")
    assert check(ready) == (0, [])
    edit(profile, 'receives = ["csv_ack"]', 'receives = ["csv_ack", "856"]')  # refused by the profile itself
    code, lines = check(ready)
    assert code == 1 and len(lines) == 1 and "sscc" in lines[0]


def test_a_csv_layout_s_default_ship_to_must_be_one_of_the_partner_s_locations(ready):
    """default_ship_to names a ship_tos.csv location of the partner, or every order going there is held."""
    profile = ready / "partners" / "northwind.toml"
    profile.write_text(CSV_PROFILE + 'default_ship_to = "NW-DC1"\n', encoding="utf-8")
    assert check(ready) == (0, [])
    edit(profile, 'default_ship_to = "NW-DC1"', 'default_ship_to = "NW-DC9"')
    code, lines = check(ready)
    assert code == 1 and len(lines) == 1 and "default_ship_to 'NW-DC9'" in lines[0], lines


def test_a_drop_ship_partner_taking_ship_tos_as_sent_is_ready_without_ship_to_rows(tmp_path):
    """Wayfair (tests/fixtures/rg1) sends a consumer's whole address on every PO and no location id; its profile
    says `[rules] ship_tos = "as_sent"`, and the reference data has no ship_tos.csv row for it: ready (it used to
    be "not ready", exit 1, for want of ship_tos.csv rows it never needs). Its profile accepts 860s answered by
    the default 865, which it does not receive: a warning, not a missing piece. Home Depot answers its 860s
    with a revised 855 (change_ack = "855"): no warning."""
    from tests.test_retailer_homedepot_wayfair import _workspace

    ws = _workspace(tmp_path / "ws")
    res = runner.invoke(app, ["partner", "check", "wayfair", "-w", str(ws.root)], terminal_width=400)
    assert res.exit_code == 0, res.stdout
    assert "partner wayfair: ready" in res.stdout and "missing: " not in res.stdout
    [warning] = [line for line in res.stdout.splitlines() if line.startswith("warning: ")]
    assert "accepts 860 change orders answered by an 865" in warning and "does not receive 865s" in warning
    res = runner.invoke(app, ["partner", "check", "homedepot", "-w", str(ws.root)], terminal_width=400)
    assert res.exit_code == 0 and "warning: " not in res.stdout, res.stdout
    # a partner whose POs name locations still needs them: the same profile saying "on_file"
    edit(ws.root / "partners" / "wayfair.toml", 'ship_tos = "as_sent"', 'ship_tos = "on_file"')
    code, lines = check(ws.root, "wayfair")
    assert code == 1 and [line for line in lines if "ship_tos.csv: no ship-to location" in line]


def test_a_partner_answered_by_855_or_receiving_865_gets_no_change_warning(ready):
    """The guide's partner accepts 860s, is answered by 865 (change_ack) and receives them: ready, no warning;
    receiving none, a warning (its changes would be answered by nothing); change_ack = "855" then, no warning, nor
    receiving 865s again."""
    profile = ready / "partners" / "northwind.toml"
    for change, warned in ((None, False), (('"TA1", "855", "865"]', '"TA1", "855"]'), True),
                           (('change_ack = "865"', 'change_ack = "855"'), False),
                           (('"TA1", "855"]', '"TA1", "855", "865"]'), False)):
        if change:
            edit(profile, *change)
        res = runner.invoke(app, ["partner", "check", "northwind", "-w", str(ready)], terminal_width=400)
        assert res.exit_code == 0 and "partner northwind: ready" in res.stdout, res.stdout
        assert ("warning: profile accepts 860 change orders" in res.stdout) is warned, (change, res.stdout)
