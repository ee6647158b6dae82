"""What a new ops user met in a first week on a fresh clone (session 69, newuser4), each fixed with its test:
a partner set up by the onboarding guide's "partner without EDI" paragraph, a night through the command line
(`orderbridge run --no-prefect`, as the README runs it), the words the commands print."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from connectors.state import StateStore
from flows.cli import app
from tests.support import make_workspace

CSV_ONLY = """# a shop without EDI: CSV orders in, a CSV acknowledgment back; no [x12] table
# (docs/onboarding.md, "A partner without EDI": "no [x12] table needed unless it receives 856s or 810s")
id = "umbrella"
name = "Umbrella Stores"
receives = ["csv_ack"]
accepts = ["csv"]

[fulfilment.csv_orders]
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = "%d.%m.%Y"
"""


def _csv_only_workspace(root: Path):
    ws = make_workspace(root, partners=("acme", "umbrella"))
    (ws.partners_dir / "umbrella.toml").write_text(CSV_ONLY)
    return ws


def test_a_csv_partner_without_an_x12_table_is_taken_answered_and_stops_no_one(tmp_path):
    """A CSV-only partner's profile without [x12] loads and `partner check` calls it ready, but the night's
    intake of its file failed ("'NoneType' object has no attribute 'order_key_column'") and decide failed for
    every partner ("... no attribute 'usage'"): ACME's orders were taken and never answered."""
    ws = _csv_only_workspace(tmp_path / "ws")
    check = CliRunner().invoke(app, ["partner", "check", "umbrella", "-w", str(ws.root)])
    assert check.exit_code == 0 and "partner umbrella: ready" in check.stdout, check.stdout
    res = CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect",
                                   "--no-gx"])
    assert "FAILED" not in res.stdout and "AttributeError" not in res.stdout, res.stdout
    assert res.exit_code in (0, 1), res.stdout
    state = StateStore(ws.state_path)
    try:
        order = state.order("umbrella", "UMB-6001")
        assert (order.state.value, order.answered_with) == ("acknowledged", "CSV")
        assert [d["doc_type"] for d in state.documents_for_order("umbrella", "UMB-6001")] == ["CSV"]
        assert state.order("acme", "ACME-1001").answered_with == "855"  # the X12 partner beside it answered
    finally:
        state.close()
    (ack,) = (ws.drop_root / "umbrella" / "outbox").glob("*.csv")
    assert ack.read_bytes().decode("utf-8-sig").splitlines()[1].startswith("UMB-6001,1,IA,Accepted,20,20,0,EA,")


def test_resend_takes_a_csv_acknowledgment_by_the_name_its_profile_gives_it(tmp_path):
    """`resend --po PO --type csv_ack` (the name `receives` and `partner check` give the document) said "partner
    umbrella has no document the csv_ack of PO UMB-6001 that we made": only `--type CSV` found it."""
    ws = _csv_only_workspace(tmp_path / "ws")
    CliRunner().invoke(app, ["run", "-w", str(ws.root), "--now", "2026-11-27T02:00:00", "--no-prefect", "--no-gx"])
    args = ["resend", "--partner", "umbrella", "--po", "UMB-6001", "--by", "Ann", "--note", "never came",
            "--dry-run", "-w", str(ws.root)]
    for typed in ("csv_ack", "CSV", "csv", "csv-ack"):
        res = CliRunner().invoke(app, [*args, "--type", typed])
        assert res.exit_code == 0 and "Would send CSV umbrella-csv-ack-000000001.csv" in res.stdout, (typed, res.output)
    res = CliRunner().invoke(app, [*args, "--type", "855"])
    assert res.exit_code == 2
    assert "partner umbrella has no 855 of PO UMB-6001 that we made: nothing to send again" in res.output, res.output
