"""A PO1 loop's own CUR (position 020) in a PO that sends no heading CUR is compared with the currency agreed with the
partner (customers.csv: the order is in it): a line stating that currency (HD Supply's line `CUR*BY*USD`, agreed USD)
says nothing more and is not quoted in NOTES_NOT_KEPT; one in another (`CUR*BY*CAD`) still is, with its line (the
line is billed in the order's currency). It used to be quoted either way: the set checks did not know the agreed
currency (intake now gives it them: connectors.reference.agreed_currency, rules.structure.check_structure)."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from tests.retailer_support import findings_and_states, inspected, of_its_own, recounted
from tests.support import REPO, run_stages

FIXTURES = REPO / "tests" / "fixtures" / "rg77"
WAREHOUSES = REPO / "tests" / "fixtures" / "rg2" / "warehouses"
NIGHT = datetime(2026, 11, 25, 2)
PO = "HDS_850_HD77003301.x12"
LINE3 = b"PO1*3*10*EA*14.75**IN*HD-512877*VN*RG77-11~"


def _with_line_currency(folder, currency: str):
    po = folder / "drops" / "hdsupply" / PO
    data = po.read_bytes()
    assert data.count(LINE3) == 1 and b"\nCUR*" not in data and not data.startswith(b"CUR*")
    po.write_bytes(recounted(data.replace(LINE3, LINE3 + b"\nCUR*BY*" + currency.encode() + b"~")))
    return po


@pytest.mark.parametrize("currency, told", [("USD", False), ("usd", False), ("CAD", True)],
                         ids=["the-agreed-currency", "the-agreed-currency-lower-case", "another-currency"])
def test_a_line_s_own_currency_is_told_only_when_it_is_not_the_agreed_one(currency, told, tmp_path):
    copy = tmp_path / "rg77"
    shutil.copytree(FIXTURES, copy)
    po = _with_line_currency(copy, currency)
    ws = of_its_own(copy, tmp_path / "ws", {"hdsupply": [po.name]}, warehouses=WAREHOUSES)
    run_stages(ws, NIGHT)
    found, _states = findings_and_states(ws)
    notes = " ".join(message for code, message in found if code == "NOTES_NOT_KEPT")
    assert (f"(line 3) 'CUR BY {currency}'" in notes) is told, notes


def test_inspect_with_the_partner_compares_with_its_agreed_currency(tmp_path):
    """`orderbridge inspect --partner` reads the workspace's customers.csv as intake does; without a partner (no
    agreement known) the line's CUR is told, as before."""
    from typer.testing import CliRunner

    from flows.cli import app

    copy = tmp_path / "rg77"
    shutil.copytree(FIXTURES, copy)
    po = _with_line_currency(copy, "USD")
    ws = of_its_own(copy, tmp_path / "ws", {"hdsupply": []}, warehouses=WAREHOUSES)
    result = CliRunner().invoke(app, ["inspect", "--json", "--partner", "hdsupply", "--workspace", str(ws.root),
                                      str(po)])
    assert result.exit_code == 0, result.output
    assert "CUR BY USD" not in result.output
    assert "(line 3) 'CUR BY USD'" in " ".join(f["message"] for f in inspected(po)["findings"])
