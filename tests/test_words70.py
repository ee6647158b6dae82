"""What people read, left by newuser4 (session 69) and earlier, each with its test: hold reasons joined cleanly,
the help of `run` and `ship`, prices and values with their currency, files partly taken."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import urlencode

from typer.testing import CliRunner

from flows.cli import app
from schemas.reasons_text import join_reasons
from tests.support import make_workspace

NOW = "2026-11-27T02:00:00"


def _night(ws) -> str:
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", NOW, "--no-prefect", "--no-gx"],
                             terminal_width=200)
    assert res.exit_code in (0, 1), res.output
    return res.stdout


def _status(ws, po: str) -> str:
    res = CliRunner().invoke(app, ["status", po, "-w", str(ws.root)], terminal_width=400)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_join_reasons_drops_a_sentences_full_stop_before_the_next_only():
    assert join_reasons(["No item matches VN X (acme's cross-reference).", "PO104 20.00 is low."]) == \
        "No item matches VN X (acme's cross-reference); PO104 20.00 is low."
    assert join_reasons(["a.", "a.", "", None, "b..."]) == "a; b..."
    assert join_reasons([]) == "" and join_reasons(["one."]) == "one."


def test_a_held_orders_reasons_read_without_a_full_stop_before_the_semicolon(tmp_path):
    """ACME-1010 held for its discount and an unknown item: status's "held for" and the history's "held:" note read
    "needs approval.; No item matches" (each finding's sentence then "; ")."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    f = ws.drop_root / "acme" / "inbox" / "acme-po-02.x12"
    text = f.read_text()
    was = "PID*F****Markers at a deep discount~\nCTT*1*24~\nSE*10*0001"
    assert was in text
    f.write_text(text.replace(was, "PID*F****Markers at a deep discount~\nPO1*2*1*EA*5.00*PE*VN*VP-9999~\n"
                                   "CTT*2*25~\nSE*11*0001"))
    _night(ws)
    said = " ".join(_status(ws, "ACME-1010").split())
    both = ("PO104 20.00 is 22.18% below our price 25.70; more than the 5% that needs approval; "
            "No item matches VN VP-9999")
    assert f"held for: {both}" in said, said
    assert ".;" not in said, said
    res = CliRunner().invoke(app, ["status", "ACME-1010", "--json", "-w", str(ws.root)])
    (note,) = [h["note"] for h in json.loads(res.stdout)["history"] if h["event"] == "held"]
    assert note.startswith(f"held: {both} (our vendor part numbers, acme's cross-reference).") and ".;" not in note


def test_run_help_names_the_ship_and_invoice_stages_and_every_now_shows_its_format():
    """`run --help` listed "intake, decide, deliver, reconcile, reports" (the night also ships and invoices), and
    `ship --now` showed "<str>" where `run` shows YYYY-MM-DDTHH:MM:SS."""
    said = " ".join(CliRunner().invoke(app, ["run", "--help"], terminal_width=200).stdout.split())
    assert "intake, decide, ship (the warehouses' confirmations -> 856s), invoice (the 810s due), deliver, " \
           "reconcile, reports" in said, said
    for command in (["ship"], ["run"], ["reconcile"]):
        res = CliRunner().invoke(app, [*command, "--help"], terminal_width=200)
        if "--now" in res.stdout:
            assert "--now YYYY-MM-DDTHH:MM:SS" in " ".join(res.stdout.split()), (command, res.stdout)
    assert "--now YYYY-MM-DDTHH:MM:SS" in " ".join(
        CliRunner().invoke(app, ["ship", "--help"], terminal_width=200).stdout.split())


def test_a_price_people_read_in_the_reconciliation_carries_its_currencys_decimals_and_keeps_finer_ones():
    """engine.columnar.price_text said 25.7 (and the reconciliation "at 25.7 each"); price_money_text says a price
    as schemas.money_text does a single one: 25.70, 2,450 yen, 1,234.568 dinars, 0.00418 exactly."""
    import numpy as np
    import pyarrow as pa

    from engine.columnar import price_money_text
    from schemas.money_text import money_text

    six = np.array([25_700_000, 4_180, 2_450_000_000, 1_234_567_800_000, -5_000_000, 0, 4_575_000, 12_345_678])
    currency = pa.array(["USD", "USD", "JPY", "KWD", None, "JPY", "EUR", "BHD"])
    said = price_money_text(six, currency).to_pylist()
    assert said == ["25.70", "0.00418", "2,450", "1,234,567.800", "-5.00", "0", "4.575", "12.345678"]
    from decimal import Decimal
    assert said == [money_text(Decimal(int(v)).scaleb(-6).normalize(), c)
                    for v, c in zip(six.tolist(), currency.to_pylist(), strict=True)]
    assert price_money_text(six[:1]).to_pylist() == ["25.70"]


def test_a_csv_order_without_a_currency_column_is_valued_in_its_partners_finance_currency(tmp_path):
    """Umbrella's CSV without its Currency column: `status` said "value acknowledged 1,156.80" with no currency
    (and --json's currency null) while the reconciliation values its lines in the partner's [finance] currency."""
    ws = make_workspace(tmp_path / "ws", partners=("umbrella",))
    (orders,) = (ws.drop_root / "umbrella" / "inbox").glob("*.csv")
    rows = list(csv.reader(io.StringIO(orders.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][10] == "Currency"
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(r[:10] + r[11:] for r in rows)
    orders.write_text(out.getvalue(), encoding="utf-8")
    profile = ws.partners_dir / "umbrella.toml"
    assert "[finance]" not in profile.read_text() and ws.finance_currency("umbrella") == "USD"  # the default
    profile.write_text(profile.read_text() + '\n[finance]\ncurrency = "EUR"\n')
    assert ws.finance_currency("umbrella") == "EUR" and ws.finance_currency("nobody") == "USD"
    _night(ws)
    said = _status(ws, "UMB-6001")
    assert "value acknowledged 1,156.80 EUR)" in said.splitlines()[0], said
    res = CliRunner().invoke(app, ["status", "UMB-6001", "--json", "-w", str(ws.root)])
    assert json.loads(res.stdout)["order"]["currency"] == "EUR"
    from tests.support_console import Client, ConsoleServer, add_users

    add_users(ws.root)
    with ConsoleServer(ws.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, page = c.get("/order?" + urlencode({"partner": "umbrella", "po": "UMB-6001"}))
        assert status == 200 and re.search(r"Value acknowledged</dt><dd>1,156.80 EUR", page), page
        status, page = c.get("/orders?" + urlencode({"partner": "umbrella"}))
        assert status == 200 and "1,156.80 EUR" in page, page


def test_the_allocated_note_counts_in_the_lines_own_units_with_the_eaches_beside(tmp_path):
    """ACME-1000's line 2 ordered as 4 PK of 6: the history said "39 units allocated" (eaches) beside a lines table
    adding up to 19 (10 EA + 4 PK + 5 EA); now "19 (39 each)". An order all in eaches reads as before."""
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    (ws.root / "reference" / "item_units.csv").write_text("sku,unit,eaches\nSKU-1003,PK,6\n")
    f = ws.drop_root / "acme" / "inbox" / "acme-po-01.x12"
    text = f.read_text()
    assert "PO1*2*24*EA*39.20*PE*VN*VP-1003" in text and text.count("CTT*3*39") == 1
    f.write_text(text.replace("PO1*2*24*EA*39.20*PE*VN*VP-1003", "PO1*2*4*PK*39.20*PE*VN*VP-1003")
                 .replace("CTT*3*39", "CTT*3*19"))
    _night(ws)

    def story(po):
        return json.loads(CliRunner().invoke(app, ["status", po, "--json", "-w", str(ws.root)]).stdout)

    doc = story("ACME-1000")
    assert [(ln["ordered"], ln["unit"], ln["allocated"]) for ln in doc["lines"]] == [
        ("10", "EA", 10), ("4", "PK", 4), ("5", "EA", 5)]
    assert [h["note"] for h in doc["history"] if h["event"] == "allocated"] == [
        "19 (39 each) units allocated, 0 backordered, 0 not placeable on 3 line(s)"]
    assert [h["note"] for h in story("ACME-1001")["history"] if h["event"] == "allocated"] == [
        "71 units allocated, 0 backordered, 0 not placeable on 4 line(s)"]


def test_a_quarantined_file_whose_good_po_was_taken_is_said_partly_taken(tmp_path):
    """acme-po-02 with ACME-1011's BEG cut out: the file is quarantined (an intake error in it, as documented) while
    ACME-1010 beside it is taken and answered; the run table said only "quar 1, ok 0", the console's run and file
    pages "quarantined". Now each says it was partly taken, its quarantined copy kept."""
    from engine.run_summary import PARTLY_TAKEN
    from tests.support_console import Client, ConsoleServer, add_users

    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    for name in ("acme-po-01.x12", "acme-po-broken.x12"):
        (ws.drop_root / "acme" / "inbox" / name).unlink()
    f = ws.drop_root / "acme" / "inbox" / "acme-po-02.x12"
    text = f.read_text()
    assert text.count("BEG*00*SA*ACME-1011**20261126~") == 1
    f.write_text(text.replace("BEG*00*SA*ACME-1011**20261126~", ""))
    said = " ".join(_night(ws).split())
    assert f"acme: 1 of its 1 quarantined file(s) {PARTLY_TAKEN}: the POs without an error in them were taken" in said
    assert (ws.drop_root / "acme" / "quarantine" / "acme-po-02.x12").exists()
    assert _status(ws, "ACME-1010").startswith("acme / ACME-1010: held")
    (row,) = [r for r in json.loads(next((ws.root / "reports").glob("*/summary.json")).read_text())["partners"]
              if r["partner"] == "acme"]
    assert (row["quarantined"], row["processed"], row["partly_taken"]) == (1, 0, 1)
    page = html.unescape(next((ws.root / "reports").glob("*/summary.html")).read_text())
    assert f'<p class="partly-taken">acme: 1 of its 1 quarantined file(s) {PARTLY_TAKEN}' in page
    add_users(ws.root)
    with ConsoleServer(ws.root) as server:
        c = Client(server.url)
        c.sign_in("vic")
        status, page = c.get("/runs/20261127T020000")
        assert status == 200 and PARTLY_TAKEN in html.unescape(page), page
        sha = re.search(r"sha256=([0-9a-f]{64})", page).group(1)
        status, page = c.get("/file?" + urlencode({"partner": "acme", "sha256": sha}))
        assert status == 200 and f'<span class="state">{PARTLY_TAKEN}</span>' in html.unescape(page), page


def test_a_wholly_quarantined_file_still_reads_quarantined(tmp_path):
    ws = make_workspace(tmp_path / "ws", partners=("acme",))
    said = " ".join(_night(ws).split())
    assert "partly taken" not in said  # acme-po-broken.x12 brought no order
