"""`orderbridge` command line (typer + rich). Every workspace command takes --workspace DIR.

Heavy imports (prefect, great_expectations) happen inside the commands that need them, so
`inspect` and `ack` start fast. Exit codes: 0 no error finding, 1 error findings (or a partner or
stage failed), 2 usage errors, 3 an unexpected internal error, 4 the workspace cannot be used (state
store read-only, on a full disk, damaged, or missing/empty while the workspace has history; a drop
folder that cannot be written): nothing was done, 5 another OrderBridge process holds the workspace
(a run, a person's approve/reject/recheck; `--wait SECONDS` waits for it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import typer
from rich.table import Table

from flows.terminal import console as _console
from flows.terminal import shown, styled

app = typer.Typer(add_completion=False, no_args_is_help=True, help="OrderBridge: batch EDI order-to-cash.")
# Nothing printed is ever read as markup: partner values (PO numbers, names, file names) go through
# `shown`, and styles are given with style= or `styled`, never inside the text.
console = _console()
if console.width < 120:  # run tables have many columns; never squeeze them into 80 characters
    console.width = 120
err = _console(stderr=True)

WORKSPACE = typer.Option(Path("."), "--workspace", "-w", help="Workspace folder (default: current folder).")
REPO = Path(__file__).resolve().parent.parent
DEMO_CLOCK = "2026-11-27T02:00:00"  # the demo data is dated; its run uses this clock unless --now is given


def _prefect_env(ws: Path | None = None) -> None:
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


def _now(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(microsecond=0).isoformat()
    except ValueError:
        err.print(f"--now must be an ISO date-time, e.g. 2026-11-27T02:00:00 (got {shown(repr(value))})",
                  style="red")
        raise typer.Exit(2) from None


def _summary_table(summary: dict) -> None:
    t = Table(title=f"Run {shown(summary['run_id'])}", show_lines=False)
    for col in ("partner", "files", "ok", "quar", "dup", "POs", "acc", "held", "rej", "997", "TA1", "855", "865",
                "sent", "err"):
        t.add_column(col, justify="left" if col == "partner" else "right", no_wrap=True)
    for p in summary["partners"]:
        docs = p["documents"]
        t.add_row(shown(p["partner"]), str(p["files"]), str(p["processed"]), str(p["quarantined"]),
                  str(p["duplicates"]),
                  str(p["orders"]), str(p["accepted"]), str(p["held"]), str(p["rejected"]), str(docs.get("997", 0)),
                  str(docs.get("TA1", 0)), str(docs.get("855", 0)), str(docs.get("865", 0)), str(p["delivered"]),
                  str(p["errors"]))
    console.print(t)
    if summary.get("failure"):
        console.print(f"run stage failed: {shown(summary['failure'])}", style="red")
    for p in summary["partners"]:
        if p["failure"]:
            console.print(f"{shown(p['partner'])} failed: {shown(p['failure'])}", style="red")
    for name, path in summary.get("reports", {}).items():
        console.print(f"  {shown(name)}: {shown(path)}")


EXIT_UNUSABLE = 4  # the state store is missing or empty in a workspace with history (and REL's causes)
EXIT_BUSY = 5  # another process holds the workspace lease


@contextmanager
def _holding(workspace: Path, command: str, wait: float = 0.0):
    """The workspace lease for ``command`` (connectors.lease), or exit 5 with who holds it."""
    from connectors import lease
    from schemas.errors import StateError, WorkspaceBusy

    try:
        held = lease.acquire(workspace.resolve(), command, wait=wait)
    except StateError as exc:  # the lease file cannot be written: a read-only or full workspace
        err.print(f"the workspace cannot be used: {shown(exc)}. Nothing was done.", style="red")
        raise typer.Exit(EXIT_UNUSABLE) from None
    except WorkspaceBusy as exc:
        err.print(shown(exc.message), style="red")
        err.print("Nothing was done. Try again when it has finished, or pass --wait SECONDS to wait for it.")
        raise typer.Exit(EXIT_BUSY) from None
    if held.took_over is not None:
        err.print(f"took over the workspace from a process that is gone: {shown(held.took_over.describe())}",
                  style="yellow")
    try:
        yield held
    finally:
        held.release()


def _require_state(workspace: Path) -> None:
    from flows.recovery import require_state
    from flows.workspace import Workspace
    from schemas.errors import StateMissing

    try:
        require_state(Workspace(workspace.resolve()))
    except StateMissing as exc:
        err.print(shown(exc.message), style="red")
        err.print("Nothing was done.")
        raise typer.Exit(EXIT_UNUSABLE) from None


def _run(workspace: Path, now: str | None, *, wait: float = 0.0, prefect: bool = True, use_gx: bool = True) -> dict:
    """The night under the workspace lease (exit 5 if another process holds it), after the state
    checks (exit 4: missing/empty store in a workspace with history, or one that cannot be used)."""
    with _holding(workspace, "run", wait):
        _require_state(workspace)
        _check_state(workspace)
        if prefect:
            _prefect_env()
            from flows.prefect_api import start_api_server

            with console.status("Starting the temporary Prefect API server..."):
                start_api_server()  # ours dies with this process, even after a SIGKILL (Prefect's would not)
            from flows.nightly import nightly

            with console.status("Running the nightly flow (Prefect)..."):
                summary = nightly(workspace=str(workspace.resolve()), now=now, use_gx=use_gx)
        else:
            from flows.night import InProcess, run_night

            with console.status("Running the nightly stages in this process..."):
                summary = run_night(str(workspace.resolve()), stages=InProcess(), now=now, use_gx=use_gx)
    _summary_table(summary)
    return summary


@app.command()
def demo(workdir: Path = typer.Option(Path("demo-workspace"), "--workdir", help="Where to build the demo."),
         fresh: bool = typer.Option(False, "--fresh", help="Delete the workdir first."),
         now: str = typer.Option(DEMO_CLOCK, "--now", help="Clock for the run (ISO)."),
         sftp: bool = typer.Option(False, "--sftp", help="Serve ACME's drop from a private OpenSSH server "
                                   "on 127.0.0.1 (needs root; installs openssh-server if missing).")) -> None:
    """Build a demo workspace from sample_files/ and run the nightly flow on it."""
    now = _now(now)
    if fresh and workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "partners").mkdir(parents=True, exist_ok=True)
    for profile in sorted((REPO / "partners").glob("*.toml")):
        shutil.copy2(profile, workdir / "partners" / profile.name)
    server = None
    count = 0
    for folder in sorted((REPO / "sample_files" / "drops").iterdir()):
        inbox = workdir / "drop" / folder.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        if sftp and folder.name == "acme":
            server = _start_demo_sftp(workdir)
            inbox = server.folder("inbox")
        for f in sorted(folder.iterdir()):
            shutil.copy2(f, inbox / f.name)
            count += 1
    console.print(f"Demo workspace {shown(workdir.resolve())}: {count} files dropped for "
                  f"{len(list((REPO / 'partners').glob('*.toml')))} partners"
                  + (f"; ACME's drop is sftp://127.0.0.1:{server.port}" if server else "."))
    try:
        console.print(styled(("Night 1", "bold"), ": purchase orders"))
        summary = _run(workdir, now)
        failed = [p for p in summary["partners"] if p["failure"]] + ([summary] if summary.get("failure") else [])
        day2 = REPO / "sample_files" / "drops-day2"
        for folder in sorted(day2.iterdir()) if day2.is_dir() else []:
            target = workdir / "drop" / folder.name / "inbox"
            if server and folder.name == "acme":
                target = server.folder("inbox")
            for f in sorted(folder.iterdir()):
                shutil.copy2(f, target / f.name)
        console.print(styled(("Night 2", "bold"), ": 860 change orders against night 1's orders"))
        second = _run(workdir, (datetime.fromisoformat(now) + timedelta(days=1)).isoformat())
        failed += [p for p in second["partners"] if p["failure"]] + ([second] if second.get("failure") else [])
        for p in sorted((workdir / "drop").glob("*/outbox/*.x12")):
            console.print(f"  sent: {shown(p.relative_to(workdir))}")
        if server:
            for p in sorted(server.folder("outbox").iterdir()):
                console.print(f"  sent over SFTP: acme outbox/{shown(p.name)}")
            (workdir / "sftp-outbox").mkdir(exist_ok=True)
            for p in sorted(server.folder("outbox").iterdir()):
                shutil.copy2(p, workdir / "sftp-outbox" / p.name)
    finally:
        if server:
            server.stop()
    console.print()
    console.print(styled("Next: ", (f"orderbridge approvals -w {workdir}", "bold"), " (held orders), then approve "
                         "or reject them and ", (f"orderbridge run -w {workdir} --now 2026-11-29T02:00:00", "bold"),
                         "; ", (f"orderbridge status GLOBEX-2000 -w {workdir}", "bold"),
                         " shows one order line by line."))
    raise typer.Exit(1 if failed else 0)


def _start_demo_sftp(workdir: Path):
    """A private sshd for the demo; ACME's profile in the demo workspace points at it."""
    from connectors.testing_sshd import LocalSshd, ensure_openssh_installed

    ensure_openssh_installed()
    server = LocalSshd()
    settings = server.start()
    text = (REPO / "partners" / "acme.toml").read_text().split("[drop]")[0]
    text += ("[drop]\nkind = \"sftp\"\n\n[drop.sftp]\n" + "".join(
        f"{k} = {json.dumps(v)}\n" for k, v in settings.model_dump().items()
        if v is not None and k not in ("temp_suffixes",)))
    (workdir / "partners" / "acme.toml").write_text(text)
    return server


WAIT = typer.Option(0.0, "--wait", help="Wait up to SECONDS for another OrderBridge process to release the "
                    "workspace (default: exit 5 at once).", metavar="SECONDS")


@app.command()
def run(workspace: Path = WORKSPACE, now: str = typer.Option(None, "--now", help="Clock for the run (ISO)."),
        wait: float = WAIT,
        prefect: bool = typer.Option(True, "--prefect/--no-prefect", help="Run the stages as Prefect tasks "
                                     "(default), or in this process without Prefect (same stages, same retries; "
                                     "no Prefect API or UI)."),
        gx: bool = typer.Option(True, "--gx/--no-gx", help="Validate with Great Expectations (and write its Data "
                                "Docs), or with the same rules as plain functions.")) -> None:
    """Run the nightly flow once on a workspace."""
    if not workspace.is_dir():
        err.print(f"workspace {shown(workspace)} does not exist", style="red")
        raise typer.Exit(2)
    summary = _run(workspace, _now(now), wait=wait, prefect=prefect, use_gx=gx)
    raise typer.Exit(1 if summary.get("failure") or any(p["failure"] for p in summary["partners"]) else 0)


def _check_state(workspace: Path) -> None:
    """Before a run (and before Prefect starts): the state store opens, reads back whole and takes a
    write transaction; else one clear message and exit status 4, nothing done, nothing retried."""
    from connectors.state import StateStore
    from flows.workspace import Workspace
    from schemas.errors import StateError

    try:
        store = StateStore(Workspace(workspace.resolve()).state_path)
        try:
            store.check()
        finally:
            store.close()
    except StateError as exc:
        err.print(f"the workspace cannot be used: {shown(exc)}. Nothing was done.", style="red")
        raise typer.Exit(EXIT_UNUSABLE) from None


@app.command()
def serve(workspace: Path = WORKSPACE, cron: str = typer.Option("0 2 * * *", "--cron"),
          timezone: str = typer.Option("UTC", "--timezone")) -> None:
    """Serve the nightly deployment on its cron schedule (needs a Prefect server: PREFECT_API_URL)."""
    _prefect_env()
    from prefect import serve as prefect_serve

    from flows.nightly import deployment

    prefect_serve(deployment(str(workspace.resolve()), cron, timezone))


def _state(workspace: Path):
    from connectors.state import StateStore
    from flows.workspace import Workspace

    ws = Workspace(workspace.resolve())
    if not ws.state_path.is_file():
        err.print(f"no state store in {shown(workspace)} (run the flow first)", style="red")
        raise typer.Exit(2)
    return StateStore(ws.state_path)


def _order_or_exit(store, po: str, partner: str | None):
    matches = store.find_orders(po, partner)
    if not matches:
        err.print(f"no order {shown(po)}" + (f" for partner {shown(partner)}" if partner else ""), style="red")
        raise typer.Exit(2)
    if len(matches) > 1:
        err.print(f"{shown(po)} exists for several partners ({shown(', '.join(o.partner for o in matches))}): "
                  "use --partner", style="red")
        raise typer.Exit(2)
    return matches[0]


def _wall_clock() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


@app.command()
def approvals(workspace: Path = WORKSPACE) -> None:
    """List orders held for a person (approve, reject or recheck them), with the reasons."""
    from engine import lifecycle

    store = _state(workspace)
    held = store.orders(states=lifecycle.AWAITING_PERSON)
    t = Table(title=f"{len(held)} order(s) waiting for approval")
    for c in ("partner", "PO", "file", "held since", "reasons"):
        t.add_column(c, overflow="fold")
    for o in held:
        t.add_row(shown(o.partner), shown(o.po_number), shown(o.source_file), shown(o.updated_at),
                  "\n".join(shown(r) for r in o.hold_reasons))
    console.print(t)


def _decide(workspace: Path, po: str, partner: str, by: str, verdict: str, note: str, wait: float) -> None:
    from engine import lifecycle

    with _holding(workspace, "approve" if verdict == lifecycle.VERDICT_APPROVED else "reject", wait):
        _record_decision(workspace, po, partner, by, verdict, note)


def _record_decision(workspace: Path, po: str, partner: str, by: str, verdict: str, note: str) -> None:
    from engine import lifecycle

    store = _state(workspace)
    order = _order_or_exit(store, po, partner)
    try:
        plan = lifecycle.plan_person_decision(order, verdict, by=by, note=note, at=_wall_clock())
    except lifecycle.TransitionRefused:
        err.print(f"{shown(partner)}/{shown(po)} is {shown(order.state.value)}: only an order waiting for a person "
                  "can be approved or rejected", style="red")
        raise typer.Exit(2) from None
    store.apply(plan)
    console.print(f"{shown(partner)}/{shown(po)}: {shown(verdict)} by {shown(by)}; the next run sends the 855.")


@app.command()
def approve(po: str = typer.Argument(..., help="PO number"),
            partner: str = typer.Option(..., "--partner", help="The partner whose PO it is."),
            by: str = typer.Option(..., "--by", help="Who approves."),
            note: str = typer.Option("", "--note", help="Why (kept in the order's history)."),
            workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Approve a held order; the next run acknowledges it (855)."""
    from engine import lifecycle

    _decide(workspace, po, partner, by, lifecycle.VERDICT_APPROVED, note, wait)


@app.command()
def reject(po: str = typer.Argument(..., help="PO number"),
           partner: str = typer.Option(..., "--partner", help="The partner whose PO it is."),
           by: str = typer.Option(..., "--by", help="Who rejects."),
           reason: str = typer.Option(..., "--reason", help="Why (kept in the order's history)."),
           workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Reject a held order; the next run answers it with an 855 RD."""
    from engine import lifecycle

    _decide(workspace, po, partner, by, lifecycle.VERDICT_REJECTED, reason, wait)


@app.command()
def recheck(po: str = typer.Argument(None, help="PO number (default: every held order)"),
            partner: str = typer.Option(None, "--partner", help="Only this partner's orders."),
            by: str = typer.Option("ops", "--by", help="Who rechecks (kept in the history)."),
            now: str = typer.Option(None, "--now", help="The rules' date as ISO date-time (default: now)."),
            workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Re-run the rules for held orders against the current reference data; an order no longer held
    is answered by the next run."""
    from flows.recheck import recheck_held
    from flows.workspace import Workspace

    with _holding(workspace, "recheck", wait):
        store = _state(workspace)
        if po is not None:
            _order_or_exit(store, po, partner)
        rules_day = datetime.fromisoformat(_now(now)) if now else None
        done = recheck_held(Workspace(workspace.resolve()), store, po=po, partner=partner, by=by,
                            at=datetime.fromisoformat(_wall_clock()), today=rules_day)
    t = Table(title=f"{len(done)} held order(s) rechecked")
    for c in ("partner", "PO", "now", "reasons"):
        t.add_column(c, overflow="fold")
    for r in done:
        t.add_row(shown(r.after.partner), shown(r.after.po_number), shown(r.after.state.value),
                  "\n".join(shown(x) for x in r.after.hold_reasons) or "cleared: the next run answers it")
    console.print(t)


@app.command()
def status(po: str = typer.Argument(..., help="PO number"),
           partner: str = typer.Option(None, "--partner", help="The partner, when several sent this PO number."),
           as_json: bool = typer.Option(False, "--json", help="One JSON object (stable keys, see README)."),
           workspace: Path = WORKSPACE) -> None:
    """One order's story: state, every line (deleted and cancelled too), every document sent, people's
    decisions, and the history in order with each time's clock."""
    from flows.status import story

    store = _state(workspace)
    order = _order_or_exit(store, po, partner)
    doc = story(store, order)
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    o = doc["order"]
    answered = f", answered with {o['answered_with']} {o['ack_type']}" if o["answered_with"] else ""
    console.print(styled((f"{o['partner']} / {po}", "bold"), f": {o['state']} (revision {o['revision']}{answered}; "
                         f"value {o['value']} {o['currency']})"))
    console.print(shown(f"  from {o['source_file']}, ISA13 {o['isa13']} GS06 {o['gs06']} ST02 {o['st02']}; "
                        f"received {o['received_at']} (run clock)"))
    if o["hold_reasons"]:
        console.print("  held for: " + "; ".join(shown(r) for r in o["hold_reasons"]))
    t = Table(title="lines")
    for c in ("line", "PO101", "state", "ACK", "ordered", "unit", "price", "allocated", "backordered", "rejected",
              "promised", "from", "reason"):
        t.add_column(c, overflow="fold")
    for ln in doc["lines"]:
        price = ln["ack_price"] or ln["unit_price"]
        t.add_row(*(shown(v if v is not None else "") for v in (
            ln["line_number"], ln["line_id"], ln["state"], ln["ack"], ln["ordered"], ln["unit"], price,
            ln["allocated"], ln["backordered"], ln["rejected"], ln["promised_date"], ln["warehouses"], ln["reason"])))
    console.print(t)
    d = Table(title="documents sent (times: run clock; a held document waits, unnumbered)")
    for c in ("type", "ISA13", "GS06", "ST02", "file", "status", "created", "delivered"):
        d.add_column(c, overflow="fold")
    for x in doc["documents"]:
        d.add_row(*(shown(v) for v in (x["type"], x["isa13"], x["gs06"], x["st02"], x["file_name"], x["status"],
                                       x["created_at"] or "", x["delivered_at"] or "not yet")))
    console.print(d)
    if doc["decisions"]:
        p = Table(title="decisions by people (times: wall clock)")
        for c in ("at", "event", "by", "note"):
            p.add_column(c, overflow="fold")
        for x in doc["decisions"]:
            p.add_row(*(shown(v) for v in (x["at"], x["event"], x["by"], x["note"])))
        console.print(p)
    h = Table(title="history (in the order it happened)")
    for c in ("#", "at", "clock", "event", "state", "by", "note", "document"):
        h.add_column(c, overflow="fold")
    for e in doc["history"]:
        sent = f"{e['document']['type']} ISA13 {e['document']['isa13']}" if e["document"] else ""
        moved = f"{e['from_state'] or '-'} -> {e['to_state']}" if e["from_state"] != e["to_state"] else e["to_state"]
        h.add_row(*(shown(v) for v in (e["seq"], e["at"], e["clock"], e["event"], moved, e["actor"], e["note"], sent)))
    console.print(h)


@contextmanager
def _refused():
    """A StateError refusing what was asked (nothing done): its message and exit status 2."""
    from schemas.errors import StateError

    try:
        yield
    except StateError as exc:
        err.print(shown(exc.message), style="red")
        err.print("Nothing was done.")
        raise typer.Exit(2) from None


state_app = typer.Typer(no_args_is_help=True, help="The workspace's state store: backup, restore, rebuild.")
app.add_typer(state_app, name="state")


def _show_rebuilt(done, what: str) -> None:
    console.print(f"{what}: {done.documents} sent document(s) recorded from the outboxes, {done.files} archived "
                  f"file(s) replayed, {done.orders} order(s), {done.answered} answered as the outbox says, "
                  f"{done.reservations} reservation(s) restored.")
    for name, n in sorted(done.numbers.items()):
        console.print(f"  {shown(name)}: last number {n}; the next one sent is {n + 1}")
    for note in done.notes:
        console.print(f"  note: {shown(note)}", style="yellow")


@state_app.command("backup")
def state_backup(workspace: Path = WORKSPACE,
                 to: Path = typer.Option(None, "--to", help="The backup file (default: "
                                         "<workspace>/backups/state-<time>.tar).")) -> None:
    """A consistent copy of the state store (SQLite's online backup: a run may go on) and the order
    tables, in one tar file. Run it after every nightly run, and keep copies off this machine."""
    from flows.recovery import backup
    from flows.workspace import Workspace

    target = backup(Workspace(workspace.resolve()), to)
    console.print(f"state store backed up to {shown(target)}")


@state_app.command("restore")
def state_restore(backup_file: Path = typer.Argument(..., help="A backup made by `orderbridge state backup`."),
                  workspace: Path = WORKSPACE, wait: float = WAIT,
                  replace_store: bool = typer.Option(False, "--replace", help="Replace a store that holds history "
                                                     "(it is kept beside as .replaced-<time>).")) -> None:
    """Put a backup in place, then bring it up to date with the workspace's files (documents sent,
    files received and control numbers used since the backup), so no number is used twice."""
    from connectors.state import StateStore
    from flows.rebuild import catch_up
    from flows.recovery import restore
    from flows.workspace import Workspace

    if not backup_file.is_file():
        err.print(f"no such backup: {shown(backup_file)}", style="red")
        raise typer.Exit(2)
    ws = Workspace(workspace.resolve())
    with _holding(workspace, "state restore", wait):
        with _refused():
            restore(ws, backup_file, replace=replace_store)
        at = datetime.now().replace(microsecond=0)
        state = StateStore(ws.state_path)
        try:
            run_id = f"restore-{at:%Y%m%dT%H%M%S}"
            state.start_run(run_id, at.isoformat(), kind="restore", clock=at.isoformat())
            done = catch_up(ws, state, at=at, run_id=run_id)
            state.finish_run(run_id, at.isoformat(), {"backup": str(backup_file), "documents": done.documents,
                                                      "files": done.files, "numbers": done.numbers})
        finally:
            state.close()
    _show_rebuilt(done, f"restored {shown(backup_file)} and caught up")


@state_app.command("rebuild")
def state_rebuild(workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Rebuild a missing or empty state store from the workspace's files: the outboxes (documents sent,
    control numbers: none is used again), the archive (files, interchanges, orders, 860s) and the
    answers sent (order states, reservations). docs/state-store.md, Recovery, says what is lost."""
    from flows.rebuild import rebuild
    from flows.workspace import Workspace

    with _holding(workspace, "state rebuild", wait), _refused():
        done = rebuild(Workspace(workspace.resolve()))
    _show_rebuilt(done, "state store rebuilt")


def _jsonable(v):
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v


def _inspect(path: Path, partner: str | None, workspace: Path):
    from engine.process import Known, process_file
    from parsers.orders_850 import read_orders
    from parsers.x12_reader import read_interchanges
    from rules.envelope import check_envelopes
    from rules.structure import check_structure

    data = path.read_bytes()
    if partner:
        from flows.workspace import Workspace

        profiles = Workspace(workspace.resolve()).partners()
        if partner not in profiles:
            err.print(f"unknown partner {shown(repr(partner))}", style="red")
            raise typer.Exit(2)
        out = process_file(data, file=path.name, sha256=hashlib.sha256(data).hexdigest(),
                           profile=profiles[partner], known=Known(), today=date.today())
        return out.parse, out.findings, out.orders, out.change_headers
    from parsers.orders_860 import read_changes

    result = read_interchanges(data, file=path.name)
    findings = list(result.findings) + check_envelopes(result)
    sets = [(ic, g, ts) for ic, g, ts in result.transaction_sets() if ts.set_id == "850"]
    change_sets = [(ic, g, ts) for ic, g, ts in result.transaction_sets() if ts.set_id == "860"]
    findings += check_structure(result, list(result.transaction_sets()))
    orders, _ = read_orders(result, sets, partner=partner or "")
    changes, _ = read_changes(result, change_sets, partner=partner or "")
    return result, findings, orders, changes


@app.command()
def inspect(file: Path = typer.Argument(..., help="An X12 file."),
            as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
            partner: str = typer.Option(None, "--partner", help="Also apply this partner's checks."),
            workspace: Path = WORKSPACE) -> None:
    """Parse and validate a file: envelopes, findings, orders."""
    if not file.is_file():
        err.print(f"no such file: {shown(file)}", style="red")
        raise typer.Exit(2)
    result, findings, orders, changes = _inspect(file, partner, workspace)
    doc = {
        "file": str(file),
        "interchanges": [{
            "sender": ic.sender, "sender_qualifier": ic.sender_qualifier, "receiver": ic.receiver,
            "receiver_qualifier": ic.receiver_qualifier, "control_number": ic.control_number,
            "version": ic.version, "usage": ic.usage,
            "delimiters": {"element": ic.delimiters.element, "component": ic.delimiters.component,
                           "repetition": ic.delimiters.repetition, "segment": ic.delimiters.segment},
            "readable": not ic.rejected,
            "groups": [{"functional_id": g.functional_id, "control_number": g.control_number, "version": g.version,
                        "sender": g.sender, "receiver": g.receiver,
                        "transactions": [{"set_id": ts.set_id, "control_number": ts.control_number,
                                          "segment_count": ts.segment_count} for ts in g.transactions]}
                       for g in ic.groups]} for ic in result.interchanges],
        "findings": [f.to_dict() for f in findings],
        "orders": [{k: _jsonable(v) for k, v in row.items()} for row in orders.to_pylist()],
        "changes": [{k: _jsonable(v) for k, v in row.items()} for row in changes.to_pylist()],
    }
    errors = sum(1 for f in findings if f.severity == "error")
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    else:
        for ic in doc["interchanges"]:
            console.print(shown(f"ISA {ic['control_number']} {ic['sender']} -> {ic['receiver']} ({ic['version']})"))
            for g in ic["groups"]:
                console.print(shown(f"  GS {g['functional_id']} {g['control_number']} {g['version']}: "
                                    f"{len(g['transactions'])} set(s)"))
        t = Table(title=f"{len(findings)} finding(s), {errors} error(s)")
        for c in ("severity", "code", "where", "message"):
            t.add_column(c)
        for f in findings:
            from schemas.findings import Location

            loc = Location(**{k: v for k, v in f.to_dict()["location"].items() if k != "file"})
            t.add_row(f.severity, f.code, shown(loc.describe()), shown(f.message))
        console.print(t)
        for o in doc["orders"]:
            console.print(shown(f"PO {o['po_number']}: {o['line_count']} line(s), dated {o['po_date']}"))
        for c in doc["changes"]:
            console.print(shown(f"860 for PO {c['po_number']} (BCH01 {c['purpose']}): {c['line_count']} change "
                                f"line(s)"))
    raise typer.Exit(1 if errors else 0)


@app.command()
def ack(file: Path = typer.Argument(..., help="An X12 file."),
        partner: str = typer.Option(None, "--partner", help="Use this partner's profile for the envelope."),
        workspace: Path = WORKSPACE) -> None:
    """Print the 997/TA1 the engine would send for FILE (preview: control numbers start at 1)."""
    if not file.is_file():
        err.print(f"no such file: {shown(file)}", style="red")
        raise typer.Exit(2)
    from engine.envelope import Envelope, envelope_for, wrap, wrap_ta1
    from engine.process import Known, process_file
    from schemas.profile import PartnerProfile

    data = file.read_bytes()
    if partner:
        from flows.workspace import Workspace

        profiles = Workspace(workspace.resolve()).partners()
        if partner not in profiles:
            err.print(f"unknown partner {shown(repr(partner))}", style="red")
            raise typer.Exit(2)
        profile = profiles[partner]
    else:
        from parsers.x12_reader import read_interchanges

        parsed = read_interchanges(data)
        if not parsed.interchanges or parsed.interchanges[0].rejected:
            err.print("no readable ISA: nothing to acknowledge (use --partner to answer with a TA1)", style="red")
            raise typer.Exit(1)
        ic = parsed.interchanges[0]
        g = ic.groups[0] if ic.groups else None
        profile = PartnerProfile.model_validate({
            "id": "preview", "name": "preview", "accepts": ["850", "860", "997"],
            "acks": {"ta1": "requested"},
            "x12": {**_preview_parties(ic, g),
                    "version": "005010" if g and g.version.startswith("005") else "004010",
                    "usage": ic.usage if ic.usage in ("P", "T") else "P",
                    "delimiters": _preview_delimiters(ic.delimiters)}})
    out = process_file(data, file=file.name, sha256=hashlib.sha256(data).hexdigest(), profile=profile,
                       known=Known(), today=date.today())
    env: Envelope = envelope_for(profile)
    now = datetime.now().replace(second=0, microsecond=0)
    n = 0
    for doc in out.documents:
        if doc.doc_type not in ("997", "TA1"):
            continue
        n += 1
        if doc.doc_type == "TA1":
            sys.stdout.write(wrap_ta1(env, list(doc.ta1), isa13=n, now=now).decode())
        else:
            sys.stdout.write(wrap(env, "FA", "997", [list(b) for b in doc.bodies], isa13=n, gs06=n,
                                  st02s=[1], now=now).decode())
    if n == 0:
        err.print("nothing to acknowledge (no readable functional group and no TA1 due)")
    raise typer.Exit(1 if out.error_count else 0)


def _preview_parties(ic, g) -> dict:
    """The preview's envelope parties, from the file's ISA/GS where the profile model accepts them
    (our envelopes only carry valid values), else ZZ / UNKNOWN."""
    from schemas.profile import X12Settings

    def pick(field: str, value: str, default: str) -> str:
        pattern = X12Settings.model_fields[field].metadata[0].pattern
        return value if re.match(pattern, value) else default

    sender = pick("their_id", ic.sender[:15], "UNKNOWN")
    receiver = pick("our_id", ic.receiver[:15], "UNKNOWN")
    return {"their_qualifier": pick("their_qualifier", ic.sender_qualifier, "ZZ"), "their_id": sender,
            "our_qualifier": pick("our_qualifier", ic.receiver_qualifier, "ZZ"), "our_id": receiver,
            "their_gs_id": pick("their_gs_id", (g.sender if g else "")[:15], pick("their_gs_id", sender, "UNKNOWN")),
            "our_gs_id": pick("our_gs_id", (g.receiver if g else "")[:15], pick("our_gs_id", receiver, "UNKNOWN"))}


def _preview_delimiters(d) -> dict:
    """The file's own delimiters for a preview answer (falls back to the defaults if they clash)."""
    from schemas.profile import DelimiterSettings

    candidate = {"element": d.element, "component": d.component, "repetition": d.repetition or "",
                 "segment": d.segment, "suffix": "\n" if d.segment not in "\r\n" else ""}
    try:
        return DelimiterSettings.model_validate(candidate).model_dump()
    except ValueError:
        return DelimiterSettings().model_dump()


def main() -> None:
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback for a user
        from schemas.errors import OrderBridgeError, StateError, StorageError, WorkspaceBusy

        err.print(f"{type(exc).__name__}: {shown(exc)}", style="red")
        raise SystemExit(EXIT_BUSY if isinstance(exc, WorkspaceBusy) else
                         EXIT_UNUSABLE if isinstance(exc, (StateError, StorageError)) else
                         1 if isinstance(exc, OrderBridgeError) else 3) from None


if __name__ == "__main__":
    main()
