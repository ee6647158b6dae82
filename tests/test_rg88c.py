"""What the rg88b round (820 remittances, 812 adjustments, kept sets handed off) left open:

- The console's order page shows the partner's 820s and 812s paying or adjusting the order's invoices, as
  `orderbridge status` names them.
- SET_RECEIVED_NOT_PROCESSED names the file its set is handed off as (the name another set had first: its own).
- `orderbridge state backup` keeps the remittances (state/remittance/, files only, no store table) and
  `state restore` puts them back: a lost disk restored from a backup still reconciles and shows what paid.
- The per-invoice remittance table (REMITTANCE_MATCH, data/remittances) says the currency of each invoice's amounts:
  the 820's CUR02, else our 810's (the order's, else the partner's finance currency), else the partner's.
"""

from __future__ import annotations

import html
import re

from tests.support_console import Client, ConsoleServer
from tests.test_rg88b_remittance import DROPS, PAID_DAY, D, paid  # noqa: F401 - paid: rg88b's night, 820, 812


def test_the_consoles_order_page_shows_the_820_and_812_that_paid_and_adjusted_its_invoice(paid):  # noqa: F811
    ws, invoice = paid
    with ConsoleServer(ws.root) as s:  # no users: anyone on this machine reads every order
        status, body = Client(s.url).get(f"/order?partner=hca&po={invoice.po_number}")
    assert status == 200
    table = re.search(r'<table id="remittances">.*?</table>', body, re.S)
    assert table, "the order page has no remittances table"
    rows = [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr class=\"remittance-[^\"]+\">(.*?)</tr>", table.group(0), re.S)]
    total = D(invoice.total)
    assert [r[:7] for r in rows] == [
        ["820", invoice.invoice_number, f"IV {invoice.invoice_number}", f"{total - 10:.2f}", "-10.00", "01",
         "2026-12-05"],
        ["812", invoice.invoice_number, "IV DM-8801", "", "-25.00", "04", "2026-12-05"]]
    assert rows[0][7].startswith("820 trace HCA-PAID-1 paid") and rows[1][7].startswith("812 debit DM-8801 of 25.00")
    assert rows[0][8] == rows[1][8] == "HCA_820_812_PAID.x12"


def test_a_kept_sets_finding_names_its_hand_off_file():
    """The engine names handoff/<partner>/<partner>_<set>_<ISA06>_<ISA13>_<GS06>_<ST02>.x12; `inspect` (no partner:
    nothing handed off) says only the archived file, as before."""
    from parsers.other_sets import received_not_processed
    from parsers.x12_reader import read_interchanges
    from tests.test_rg88_other_sets import _processed

    data = (DROPS / "walmart" / "WM_820_0088101.x12").read_bytes()
    out = _processed("walmart", "WM_820_0088101.x12")
    [f] = out.findings
    assert f.message.endswith(
        "the set is in the archived file WM_820_0088101.x12 (GS RA 88101, ST02 0001) and handed off alone as "
        "handoff/walmart/walmart_820_925485US00_000088101_88101_0001.x12, for ops, finance or the ERP to act on.")
    assert [name for name, _data in out.handoff] == ["walmart_820_925485US00_000088101_88101_0001.x12"]
    result = read_interchanges(data)
    [alone] = received_not_processed(result, list(result.transaction_sets()), "WM_820_0088101.x12")
    assert alone.message.endswith("(GS RA 88101, ST02 0001) for ops, finance or the ERP to act on.")


def test_every_kept_sets_stored_finding_names_a_hand_off_file_there_and_a_reused_numbers_set_its_own(
        paid):  # noqa: F811
    """After rg88b's nights each SET_RECEIVED_NOT_PROCESSED names a file under handoff/ holding its set; Walmart then
    sends another 820 under its first 820's numbers (000088101, 88101, 0001) days later, after the ISA13 window its
    profile gives here (a translator restarting its numbers: ISA_REUSED, taken): handed off under its own name (the
    set's sha256 prefix added), and its finding names that one, not the first 820's."""
    import re as _re

    from connectors.local import LocalDrop
    from connectors.state import StateStore
    from flows import steps
    from parsers.x12_reader import read_interchanges

    ws, _invoice = paid
    first = ws.root / "handoff" / "walmart" / "walmart_820_925485US00_000088101_88101_0001.x12"
    before = first.read_bytes()
    text = (DROPS / "walmart" / "WM_820_0088101.x12").read_text(encoding="utf-8").replace("0088101000123",
                                                                                         "0088101000999")
    (ws.drop_root / "walmart" / "inbox" / "WM_820_REUSED.x12").write_text(text, encoding="utf-8")
    state = StateStore(ws.state_path)
    try:
        walmart = ws.partners()["walmart"]  # its numbers its own for a day (received again after: ISA_REUSED)
        walmart = walmart.model_copy(update={"x12": walmart.x12.model_copy(update={"duplicate_window_days": 1})})
        steps.intake_partner(ws, walmart, state, LocalDrop(ws.drop_root / "walmart"), now=PAID_DAY, run_id="reused")
        found = [(f["file"] if "file" in f else None, f["message"]) for f in state.findings()
                 if f["code"] == "SET_RECEIVED_NOT_PROCESSED"]
    finally:
        state.close()
    assert len(found) == 15  # rg88's 12, HCA's paying 820 and 812, Walmart's 820 under reused numbers
    named = []
    for _file, message in found:
        m = _re.search(r" and handed off alone as (handoff/[^ ]+\.x12), for ops", message)
        assert m, message
        named.append(m.group(1))
        kept = read_interchanges((ws.root / m.group(1)).read_bytes())
        [(_ic, _g, ts)] = kept.transaction_sets()
        assert message.startswith(f"{ts.set_id} ")
    [reused] = [n for (_f, m), n in zip(found, named, strict=True) if "0088101000999" in m]
    assert reused.startswith("handoff/walmart/walmart_820_925485US00_000088101_88101_0001_") and reused != (
        "handoff/walmart/walmart_820_925485US00_000088101_88101_0001.x12")
    assert b"0088101000999" in (ws.root / reused).read_bytes() and first.read_bytes() == before
    assert len(set(named)) == len(named)


def test_a_backup_keeps_the_remittances_and_a_restore_puts_them_back(paid, tmp_path, capsys):  # noqa: F811
    """The store and its order tables were backed up, the remittances under state/remittance/ were not: a workspace
    restored after losing its disk reconciled as if no partner had ever paid, and `status` named no 820."""
    import json
    import shutil

    from typer.testing import CliRunner

    from flows.cli import app
    from flows.status_view import run_status

    ws, invoice = paid
    kept = ws.root / "state" / "remittance"
    before = {p.relative_to(kept): p.read_bytes() for p in sorted(kept.rglob("*")) if p.is_file()}
    assert {p.parts[0] for p in before} == {"hca", "walmart"} and any(p.suffix == ".json" for p in before)
    backup = tmp_path / "b.tar"
    res = CliRunner().invoke(app, ["state", "backup", "-w", str(ws.root), "--to", str(backup)])
    assert res.exit_code == 0, res.output
    shutil.rmtree(kept)  # the disk lost, the store with it
    for p in (ws.root / "state").glob("orderbridge.sqlite*"):
        p.unlink()
    res = CliRunner().invoke(app, ["state", "restore", str(backup), "-w", str(ws.root)])
    assert res.exit_code == 0, res.output
    assert {p.relative_to(kept): p.read_bytes() for p in sorted(kept.rglob("*")) if p.is_file()} == before
    capsys.readouterr()
    assert run_status(invoice.po_number, "hca", True, ws.root) == 0
    assert [r["reference"] for r in json.loads(capsys.readouterr().out)["remittances"]] == [
        invoice.invoice_number, "DM-8801"]


def test_each_invoices_remittance_row_says_its_currency():
    """HCA's 820 says CUR*PR*USD; Walmart's none: its invoice takes our 810's currency (CAD here), a document it names
    that we never invoiced the partner's agreed currency ([finance] currency, CAD), and a partner of whose currency
    nothing is known none."""
    import pyarrow as pa

    from engine.remittance import match_remittance, remittance_section
    from tests.test_rg88b_remittance import _invoices, _read, _rows

    remittance = pa.concat_tables([_read(DROPS / "hca" / "HCA_850_820_812_864.x12", "hca"),
                                   _read(DROPS / "walmart" / "WM_820_0088101.x12", "walmart")])
    ours = _invoices(("hca", "HCA7200111", "INV-70011", "5320"), ("walmart", "4500881010", "INV-80101", "11000"))
    ours = ours.set_column(ours.schema.get_field_index("currency"), "currency", pa.array(["USD", "CAD"]))
    m = match_remittance(ours, remittance, currencies={"hca": "EUR", "walmart": "CAD"})
    assert _rows(m, "partner", "invoice_number", "status", "currency") == [
        ("hca", "INV-70011", "short_paid", "USD"),  # the 820's CUR02 (the partner's own EUR not taken)
        ("hca", "INV-70012", "not_invoiced", "USD"),  # the 812 says no currency: the 820 naming it does
        ("walmart", "CM-80020", "adjusted", "CAD"),  # never invoiced by us, no CUR: the partner's agreed currency
        ("walmart", "INV-80101", "over_paid", "CAD"),  # ours: our 810's
        ("walmart", "INV-80102", "not_invoiced", "CAD")]
    assert _rows(match_remittance(ours.slice(0, 0), remittance.filter(pa.compute.equal(remittance["partner"],
                                                                                       "walmart"))),
                 "invoice_number", "currency") == [("CM-80020", None), ("INV-80101", None), ("INV-80102", None)]
    _key, _title, body = remittance_section(m)
    assert "<th>Currency</th>" in body and "1,000.00" in body
