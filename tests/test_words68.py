"""What ops and finance read, said right (session 68): a bulk decision across partners says per partner what the next
run sends (an 855 RD to an X12 partner, a CSV acknowledgment to one that orders by CSV), money in one format (the
currency's decimals and thousands separators, schemas.money_text) in the credit exposure and the other notes naming
money, and a held order restored without its hold finding says how many days it has waited."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.state import StateStore
from engine import lifecycle
from flows.cli import app
from parsers.x12_reader import read_interchanges
from tests.support import from_template, make_workspace, run_stages, said

pytestmark = pytest.mark.integration
NIGHT1, NIGHT2 = datetime(2026, 11, 27, 2), datetime(2026, 11, 28, 2)


def _credit_hold(folder: Path) -> None:
    """ACME (answered by 855s) and Umbrella (CSV orders, answered by CSV acknowledgments) both over their credit
    limits: night 1 holds every order of both for CREDIT_LIMIT_EXCEEDED."""
    ws = make_workspace(folder, partners=("acme", "umbrella"))
    customers = ws.root / "reference" / "customers.csv"
    customers.write_text(customers.read_text().replace("acme,50000.00", "acme,100.00")
                         .replace("umbrella,30000.00", "umbrella,1.00"))
    run_stages(ws, NIGHT1)


@pytest.fixture()
def held(tmp_path):
    from flows.workspace import Workspace

    from_template("words68-credit-hold", tmp_path / "ws", _credit_hold)
    return Workspace((tmp_path / "ws").resolve())


def cli(ws, *args):
    return CliRunner().invoke(app, [*args, "-w", str(ws.root)])


def test_a_bulk_rejection_across_partners_says_per_partner_what_the_next_run_sends_and_it_sends_that(held):
    store = StateStore(held.state_path)
    waiting = [o for o in store.orders(states=lifecycle.AWAITING_PERSON) if "CREDIT_LIMIT_EXCEEDED" in o.hold_codes]
    per = {p: sorted(o.po_number for o in waiting if o.partner == p) for p in ("acme", "umbrella")}
    assert per["acme"] and per["umbrella"], per
    dry = said(cli(held, "reject", "--all-held", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Dana", "--reason",
                   "credit line closed", "--dry-run"))
    assert ("nothing was recorded. Recorded, the next run would send 855s RD refusing the orders (BAK02 RD, each "
            f"line ACK IR) for acme ({len(per['acme'])}), CSV acknowledgments (each line rejected) for umbrella "
            f"({len(per['umbrella'])}).") in dry, dry
    res = cli(held, "reject", "--all-held", "--held-for", "CREDIT_LIMIT_EXCEEDED", "--by", "Dana", "--reason",
              "credit line closed")
    text = said(res)
    assert ("the next run sends 855s RD refusing the orders (BAK02 RD, each line ACK IR) for "
            f"acme ({len(per['acme'])}), CSV acknowledgments (each line rejected) for umbrella "
            f"({len(per['umbrella'])}).") in text, text
    assert "855s (RD)" not in text and "their 855s" not in text

    run_stages(held, NIGHT2)
    bak = {}
    for path in sorted(held.drop_root.glob("acme/outbox/*855*.x12")):
        for row in read_interchanges(path.read_bytes()).segments.elements.to_pylist():
            if row[0] == "BAK":
                bak[row[3]] = row[2]
    assert {po: bak.get(po) for po in per["acme"]} == {po: "RD" for po in per["acme"]}
    acks = "\n".join(p.read_text(encoding="utf-8-sig") for p in held.drop_root.glob("umbrella/outbox/*.csv"))
    assert all(po in acks for po in per["umbrella"]), acks
    assert not list(held.drop_root.glob("umbrella/outbox/*855*"))


def test_a_bulk_approval_of_partners_answered_alike_still_says_their_855s():
    from flows.approving import Decided, after_batch

    x12 = ("997", "855", "856", "810")
    done = [Decided("acme", "A-1", receives=x12), Decided("globex", "G-1", receives=x12)]
    assert after_batch(done, "approved") == "; the next run sends their 855s"
    assert after_batch(done, "rejected") == ("; the next run sends their 855s RD refusing the orders (BAK02 RD, each "
                                             "line ACK IR)")
    mixed = [*done, Decided("umbrella", "U-1", receives=("csv_ack", "856")), Decided("acme", "A-2", receives=x12),
             Decided("hooli", "H-1", receives=("856",))]
    assert after_batch(mixed, "approved") == ("; the next run sends 855s for acme (2) and globex (1), no answer (the "
                                              "partner's profile receives none for orders) for hooli (1), CSV "
                                              "acknowledgments for umbrella (1)")


def test_an_interchange_held_before_a_store_restore_says_how_many_days_it_has_waited(tmp_path):
    """The store restored from a backup taken before the night that held initech's interchange: its
    MAILBOX_INTERCHANGE_HELD is gone. The next night dates it by its held copy (it used to say only "has waited since
    an earlier run"), the one after by the first night that said it still held, at least that long."""
    import os
    import sqlite3

    from tests.test_mailbox_held_and_counts import HELD, _failures
    from tests.test_mailbox_routing import _mailbox_file, _night, _workspace

    ws = _workspace(tmp_path / "ws", _mailbox_file())
    profile = ws.partners_dir / "initech.toml"
    profile.write_text("bogus_key = 1\n" + profile.read_text())
    _night(ws)  # 2026-11-27: held
    copy = ws.root / "mailbox" / "quarantine" / "held" / HELD
    assert copy.is_file()
    with sqlite3.connect(ws.state_path) as db:  # what a backup taken before that night holds of it: nothing
        assert db.execute("DELETE FROM findings WHERE code='MAILBOX_INTERCHANGE_HELD'").rowcount == 1
        db.execute("DELETE FROM runs WHERE clock LIKE '2026-11-27%'")
    night27 = datetime(2026, 11, 27, 2).timestamp()
    os.utime(copy, (night27, night27))  # written by that night, as its clock says

    def still(summary) -> str:
        (row,) = [r for r in _failures(summary) if r["code"] == "MAILBOX_INTERCHANGE_STILL_HELD"]
        return row["message"]

    said = still(_night(ws, "2026-11-28T02:00:00"))
    assert ("in mailbox/quarantine/held/ has waited 1 day (its held copy dates from 2026-11-27; the run that held it "
            "is not on record), unanswered") in said, said
    later = datetime(2026, 12, 5, 9).timestamp()
    os.utime(copy, (later, later))  # copied since (a date after the night's clock): the copy no longer dates it
    said = still(_night(ws, "2026-11-30T02:00:00"))
    assert ("has waited at least 2 days (said still held first by the run of 2026-11-28; the run that held it is not "
            "on record)") in said, said
    assert "since an earlier run" not in said


def test_status_of_a_csv_order_names_its_row_not_an_envelope_it_never_had(held):
    """`status` of Umbrella's CSV order said "from umbrella-orders-20261126.csv, ISA13 CSV GS06 1 ST02 0002", an
    envelope no CSV file has (the lineage parsers.csv_orders stores); it names the PO's first row. An X12 order still
    names its envelope."""
    csv_order = said(cli(held, "status", "UMB-6001", "--partner", "umbrella"))
    assert "from umbrella-orders-20261126.csv (a CSV order, first at row 2); received 2026-11-27T02:00:00" in csv_order
    assert "ISA13 CSV" not in csv_order
    x12 = said(cli(held, "status", "ACME-1011", "--partner", "acme"))
    assert "from acme-po-02.x12, ISA13 000001002 GS06 1002 ST02 0002; received" in x12, x12
    assert ("held for: PO ACME-1011 (69,000.00) would bring the exposure to 81,500.00, over the credit limit 100.00."
            ) in x12, x12


def test_the_night_s_warehouse_line_says_its_856_of_one_shipment_and_their_856_of_several():
    """The progress line read "1 shipment recorded with their 856" (the demo's north warehouse, day 1)."""
    from flows import night

    row = {"warehouse": "north", "files": 1, "failure": "", "quarantined": 0, "duplicates": 0, "shipments": 1,
           "held": 0, "late": 1, "errors": 0}
    assert night._ship_line(row) == ("1 confirmation file (0 quarantined, 0 duplicates), 1 shipment recorded with its "
                                     "856, 0 held, 1 856 late, 0 errors")
    assert "3 shipments recorded with their 856, " in night._ship_line({**row, "shipments": 3})
