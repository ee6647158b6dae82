"""The nightly flow under Prefect (ephemeral API, no server), its deployment, and the CLI."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from flows.cli import app
from tests.support import REPO, SAMPLES, seed_demo_data


def test_demo_runs_the_prefect_flow_and_second_run_is_quiet(tmp_path):
    work = tmp_path / "demo"
    res = CliRunner().invoke(app, ["demo", "--workspace", str(work), "--now", "2026-11-27T02:00:00"])
    assert res.exit_code == 0, res.output
    assert "intake acme: 3 files (2 processed, 1 quarantined" in res.stderr and "deliver globex:" in res.stderr
    for page in work.rglob("*.html"):  # every page the real command wrote reads offline
        assert not re.search(r"https?://", page.read_text(encoding="utf-8")), page
    sent = sorted(p.name for p in work.glob("drop/*/outbox/*.x12"))
    # night 1: 7 855s, 7 997s, 3 TA1s; night 2: a revised 855 (ACME), 3 865s, 3 997s, 1 TA1
    assert len([n for n in sent if "-855-" in n]) == 8 and len([n for n in sent if "-997-" in n]) == 10
    assert len([n for n in sent if "-TA1-" in n]) == 4 and len([n for n in sent if "-865-" in n]) == 3
    # day 1's shipments flow and night 2: 856s (4 + 2) and 810s (3 + 2: GLOBEX-2001 shipped one carton of
    # two, and Globex is billed per order once complete); the CSV partner's acknowledgment
    assert len([n for n in sent if "-856-" in n]) == 6 and len([n for n in sent if "-810-" in n]) == 5
    assert [p.name for p in work.glob("drop/*/outbox/*.csv")] == ["umbrella-csv-ack-000000001.csv"]
    night1 = sorted(work.glob("reports/*/summary.json"))[0]
    summary = json.loads(night1.read_text())
    assert {p["partner"] for p in summary["partners"]} == {"acme", "globex", "initech", "umbrella"}
    assert sum(p["quarantined"] for p in summary["partners"]) == 3
    assert sum(p["held"] for p in summary["partners"]) == 5 and sum(p["rejected"] for p in summary["partners"]) == 1
    reports = summary["reports"]  # file names in the run's folder; GX's results as data (no CDN Data Docs)
    assert {"failures_html", "failures_csv", "failures_parquet", "summary_html", "allocation",
            "validation"} <= reports.keys()
    html = (night1.parent / reports["failures_html"]).read_text(encoding="utf-8")
    assert "CREDIT_LIMIT_EXCEEDED" in html and "ACME-1001" in html and "PO107" in html
    # a second run over the same drop (demo re-drops the same files) creates nothing new
    res = CliRunner().invoke(app, ["demo", "--workdir", str(work), "--now", "2026-11-28T02:00:00"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in work.glob("drop/*/outbox/*.x12")) == sent
    from connectors.state import StateStore

    recorded = StateStore(work / "state" / "orderbridge.sqlite").runs()
    assert [(r["run_id"], r["kind"]) for r in recorded] == [
        ("20261127T020000", "nightly"), ("20261127T143000", "shipments"), ("20261128T020000", "nightly"),
        ("20261128T020000-2", "nightly"), ("20261128T143000", "shipments"), ("20261129T020000", "nightly")]
    assert {r["status"] for r in recorded} == {"finished"}  # written at start, then closed
    shipped = json.loads((work / "reports" / "20261127T143000" / "summary.json").read_text())
    assert [(w["warehouse"], w["shipments"], w["held"], w["late"]) for w in shipped["warehouses"]] == [
        ("east", 3, 1, 0), ("north", 1, 0, 1)]
    assert shipped["invoicing"]["invoices"] == 3
    assert recorded[0]["clock"] == "2026-11-27T02:00:00" and recorded[0]["finished_at"]
    summaries = sorted(work.glob("reports/*/summary.json"))
    second = json.loads(summaries[-1].read_text())
    assert sum(sum(p["documents"].values()) for p in second["partners"]) == 0
    assert sum(p["duplicates"] for p in second["partners"]) == 5  # night 2's three 860s and two 997s, again
    assert second["finance"]["exceptions"] >= 10 and second["reports"]["finance_report"]  # the reconciliation ran


def test_the_shipments_deployment_runs_every_few_minutes_and_when_a_confirmation_is_dropped():
    from flows.nightly import DROPPED_EVENT, shipments_deployment

    dep = shipments_deployment("/tmp/ws", 3)
    assert dep.name == "shipments" and dep.parameters == {"workspace": "/tmp/ws"}
    assert dep.schedules[0].schedule.interval.total_seconds() == 180
    (trigger,) = dep.triggers
    assert trigger.expect == {DROPPED_EVENT} and trigger.parameters == {"workspace": "/tmp/ws"}
    assert dep.concurrency_limit == 1


def test_the_shipments_flow_skips_when_nothing_waits(tmp_path):
    from flows.nightly import shipments

    work = tmp_path / "ws"
    work.mkdir()
    seed_demo_data(work)  # profiles, reference data and stock; no confirmation, no order
    summary = shipments.fn(workspace=str(work), now="2026-11-27T14:30:00")  # the flow's body, without Prefect
    assert summary["skipped"] == "no confirmation or invoice waiting" and summary["run_id"] == ""
    assert list((work / "reports").iterdir()) == []  # no run recorded, no report


def test_deployment_has_the_nightly_cron():
    from flows.nightly import deployment

    dep = deployment("/tmp/ws", "0 2 * * *", "Europe/Berlin")
    assert dep.name == "nightly"
    assert dep.parameters == {"workspace": "/tmp/ws"}
    cron = dep.schedules[0].schedule
    assert cron.cron == "0 2 * * *" and cron.timezone == "Europe/Berlin"


def test_the_nightly_deployment_takes_the_workspace_pool():
    """workspace.toml's [prefect] pool reaches the scheduled night too (`orderbridge serve`), not only
    `orderbridge run`: each partner's intake and delivery then run on that pool's workers."""
    from flows.nightly import deployment

    dep = deployment("/tmp/ws", "0 2 * * *", "UTC", pool="edi-pool")
    assert dep.parameters == {"workspace": "/tmp/ws", "pool": "edi-pool"}


def test_cli_usage_errors_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["inspect", str(tmp_path / "missing.x12")]).exit_code == 2
    assert runner.invoke(app, ["run", "--workspace", str(tmp_path / "nope")]).exit_code == 2
    assert runner.invoke(app, ["inspect"]).exit_code == 2


def test_cli_ack_prints_the_997(tmp_path):
    res = CliRunner().invoke(app, ["ack", str(SAMPLES / "acme" / "acme-po-broken.x12"), "--partner", "acme",
                                   "--workspace", str(REPO)])
    assert res.exit_code == 1
    assert "AK5*R*4*5~" in res.stdout and "AK9*R*1*1*0~" in res.stdout


def test_cli_inspect_reports_orders():
    res = CliRunner().invoke(app, ["inspect", str(SAMPLES / "globex" / "globex-po-01.x12"), "--json"])
    assert res.exit_code == 0
    doc = json.loads(res.stdout)
    assert doc["interchanges"][0]["groups"][0]["version"] == "005010"
    assert [(o["po_number"], o["line_count"]) for o in doc["orders"]] == [("GLOBEX-2000", 4), ("GLOBEX-2001", 1)]
    assert doc["orders"][0]["ship_to_id"] == "0614141000029"


def test_cli_inspect_and_ack_read_860s():
    path = REPO / "sample_files" / "drops-day2" / "globex" / "globex-change-01.x12"
    res = CliRunner().invoke(app, ["inspect", str(path), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [(c["po_number"], c["purpose"], c["line_count"]) for c in doc["changes"]] == [
        ("GLOBEX-2000", "04", 4), ("GLOBEX-2999", "04", 1)]
    res = CliRunner().invoke(app, ["ack", str(path)])
    assert res.exit_code == 0 and "AK9|A|2|2|2~" in res.stdout
