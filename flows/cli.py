"""`orderbridge` command line (typer + rich). Every workspace command takes --workspace/-w DIR;
every option has its help; `--version`. A run prints a progress line per stage and partner
(flows.progress), terminal or not. Exit status: flows.exit_status (one meaning per number, README).

Heavy imports (prefect, great_expectations) happen inside the commands that need them, so
`inspect` and `ack` start fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import typer
import typer.core
from rich.table import Table

from flows.exit_status import ExitStatus
from flows.memory import use_system_allocator
from flows.terminal import TABLE_WIDTH, shown, styled
from flows.terminal import console as _console
from schemas.order_keys import shown as order_shown

# The words a person new to OrderBridge types for a command it names otherwise: an unknown command among them is
# answered with the command to use (click's "Did you mean 'state'?" for `trace` led nowhere).
_OTHER_WORDS = {
    **dict.fromkeys(("trace", "track", "show", "find", "lookup", "order", "where", "story", "history"),
                    "an order's story (its lines, documents, decisions, history) is `orderbridge status PO`; "
                    "`orderbridge orders` lists orders"),
    **dict.fromkeys(("held", "hold", "holds", "pending", "approval"),
                    "the orders waiting for a person are `orderbridge approvals`"),
    **dict.fromkeys(("failures", "errors", "problems", "findings"),
                    "a run's failures report is reports/<run>/failures.html (`orderbridge report` writes it again "
                    "and says where); the reconciliation's are `orderbridge exceptions`"),
    **dict.fromkeys(("check", "onboard"), "a partner's set-up is checked by `orderbridge partner check ID`"),
    **dict.fromkeys(("rebuild", "backup", "restore"),
                    "the state store's are `orderbridge state backup|restore|rebuild`"),
    **dict.fromkeys(("load", "stock"), "stock is loaded by `orderbridge inventory load FILE`"),
    **dict.fromkeys(("users", "user"), "console users are `orderbridge console-user add|list|remove`"),
}


class _Commands(typer.core.TyperGroup):
    """The command group: an unknown command that is a word of _OTHER_WORDS names the command to use."""

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except Exception as e:  # typer's own click's UsageError ("No such command ..."): said again with the hint
            hint = _OTHER_WORDS.get(args[0].strip().lower()) if args else None
            if hint and isinstance(getattr(e, "message", None), str):
                e.message = f"No such command {args[0]!r}: {hint}."
            raise


# Plain click help (rich_markup_mode=None): typer's rich help shows every flag as "--fresh <bool>".
app = typer.Typer(cls=_Commands, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="OrderBridge: batch EDI order-to-cash. Exit status: 0 done, 1 done and some input had "
                       "error findings, 2 usage error, 3 not done (a stage failed; some orders of an approve or "
                       "reject of several skipped), 4 the workspace cannot be used, 5 another OrderBridge process "
                       "holds the workspace; see the README.")
# Nothing printed is ever read as markup: partner values (PO numbers, names, file names) go through
# `shown`, and styles are given with style= or `styled`, never inside the text.
console = _console(min_width=TABLE_WIDTH)  # run tables have many columns; never squeezed into 80 characters
err = _console(stderr=True)

WORKSPACE = typer.Option(Path("."), "--workspace", "-w", help="Workspace folder (default: the current folder).")
REPO = Path(__file__).resolve().parent.parent
DEMO_CLOCK = "2026-11-27T02:00:00"  # the demo data is dated; its run uses this clock unless --now is given
ISO = "YYYY-MM-DDTHH:MM:SS"
NOW_HELP = ("The run's clock, an ISO date-time such as 2026-11-27T02:00:00 (default: now). Every time in the "
            "documents comes from it: the same inputs and clock give byte-identical output.")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("orderbridge")
        except PackageNotFoundError:  # running from a source tree that was not installed
            number = "(not installed)"
        typer.echo(f"orderbridge {number}")
        raise typer.Exit(ExitStatus.OK)


@app.callback()
def _main(show_version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                            help="Print the version and exit.")) -> None:
    """OrderBridge: batch EDI order-to-cash (X12 850/860 in; 997, TA1, 855, 865 out)."""
    use_system_allocator()




def _prefect_env(ws: Path | None = None) -> None:
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")


def partner_id(value: str | None) -> str | None:
    """A --partner as a person types it ('ACME', 'Acme '): partner ids are lower case (schemas.profile)."""
    return value.strip().lower() if value else value


def _now(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).replace(microsecond=0).isoformat()
    except ValueError:
        err.print(f"--now must be an ISO date-time, e.g. 2026-11-27T02:00:00 (got {shown(repr(value))})",
                  style="red")
        raise typer.Exit(ExitStatus.USAGE) from None


def _summary_table(summary: dict) -> None:
    from engine.run_summary import COLUMNS, LEGEND, cell, partly_taken_line

    t = Table(title=f"Run {shown(summary['run_id'])}", show_lines=False)
    t.add_column("partner", justify="left", no_wrap=True)
    for _, short, _, _ in COLUMNS:
        t.add_column(short, justify="right", no_wrap=True, min_width=len(short))  # headers whole
    rows = summary["partners"]
    quiet = [p for p in rows if _quiet(p)] if len(rows) > TABLE_PARTNERS else []
    for p in rows:
        if not quiet or not _quiet(p):
            t.add_row(shown(p["partner"]), *(str(cell(p, key)) for key, *_ in COLUMNS))
    if quiet:  # hundreds of partners: the rows to look at, the others summed in one
        t.add_row(f"{len(quiet):,} others", *(f"{sum(cell(p, key) for p in quiet):,}" for key, *_ in COLUMNS),
                  style="dim")
    console.print(t, width=max(console.width, 140), crop=False)  # every column, even on a narrow terminal
    if quiet:
        console.print(f"  {len(quiet):,} of {len(rows):,} partners had nothing held, rejected, quarantined, failed "
                      "or found: summed in the last row (each on its own: summary_html, Per partner)")
    for line in LEGEND:
        console.print(f"  {line}")
    for p in rows:  # a quarantined file that brought good POs all the same: counted quar, its POs taken
        if said := partly_taken_line(p):
            console.print(f"  {shown(said)}", style="yellow")
    _shipping_lines(summary)
    if summary.get("failure"):
        console.print(f"run stage failed: {shown(summary['failure'])}", style="red")
    for p in summary["partners"]:
        if p["failure"]:  # and what of it waits: kept under its numbers, sent by the next run (nothing twice)
            waiting = (f"; {p['pending']:,} document(s) of this run kept, not sent yet: the next run sends them"
                       if p.get("pending") else "")
            console.print(f"{shown(p['partner'])} failed: {shown(p['failure'])}{waiting}", style="red")
    _problem_lines(summary)
    for name, path in summary.get("reports", {}).items():
        console.print(f"  {shown(name)}: {shown(path)}")


PROBLEMS_SHOWN = 5  # the run's biggest problems named under its table (all of them: failures.html)
# a run of more partners than this shows in its table those with something to look at (_quiet), the others summed;
# and names the biggest problems of at most this many partners (bench/bench_partners.py: hundreds of partners)
TABLE_PARTNERS = 30


def _quiet(p: dict) -> bool:
    """A partner row with nothing for a person: not failed, nothing quarantined, held or rejected, no finding."""
    return not (p.get("failure") or p.get("quarantined") or p.get("held") or p.get("rejected") or p.get("errors")
                or p.get("warnings"))


def _problem_lines(summary: dict, limit: int = PROBLEMS_SHOWN) -> None:
    """The run's biggest problems (engine.report_failures.problem_groups: per partner, file and code; the most
    open errors, then findings, first): each partner's biggest, then the next ones up to ``limit`` lines, each
    with its count and first example, read from the failures report's Parquet the run wrote: what 30,000
    findings are about, said in a few lines. Nothing when the run kept no such file."""
    path = Path(str(summary.get("reports", {}).get("failures_parquet", "")))
    if not path.is_absolute() or not path.is_file():
        return
    import pyarrow.parquet as pq

    from engine.report_failures import example, of_which, problem_groups, settled

    rows = pq.read_table(path)
    groups = problem_groups(rows)
    if not groups:
        return
    # a problem a person has settled (every finding on a held order since approved or rejected) comes last: a night
    # after approvals listed them as its biggest problems under "0 open errors"
    by_size = sorted(groups, key=lambda g: (settled(g), -g["open"], -g["findings"], g["row"]))
    each = list({g["partner"]: g for g in reversed(by_size)}.values())  # every partner's biggest: who to call
    callers = len(each)
    if callers > TABLE_PARTNERS:  # hundreds of partners: the biggest problems of the partners with the most
        each = sorted(each, key=lambda g: (-g["open"], -g["findings"], g["row"]))[:TABLE_PARTNERS]
    each.sort(key=lambda g: g["row"])
    more = [g for g in by_size if g not in each][:max(limit - len(each), 0)]
    done = sum(1 for g in groups if settled(g))
    console.print(f"  problems to act on: {len(groups):,} (a code in a file"
                  + (f"; {done:,} of them decided by people, approved or rejected: nothing left to do" if done else "")
                  + "); each partner's biggest, then the "
                  "next biggest (every one with what to do: failures_html, Problems to act on)"
                  + (f"; the {len(each):,} of {callers:,} partners with the biggest:" if callers > len(each) else ":"))
    for g in each + more:
        first = rows.slice(g["row"], 1).to_pylist()[0]
        decided = f" ({of_which(g)})" if g["decided"] else ""
        console.print(f"    {shown(g['partner'])} {shown(g['file'] or '(no file)')}: {shown(g['code'])} "
                      f"{g['findings']:,} finding(s) in {g['orders']:,} order(s){decided}, "
                      f"first {shown(example(first))}")


def _shipping_lines(summary: dict) -> None:
    """One line per warehouse (confirmations read, shipments recorded, held, late 856s) and one for billing."""
    own_findings = summary.get("warehouse_findings") or {}
    for w in summary.get("warehouses", []):
        own = own_findings.get(w["warehouse"]) or {}
        if not (w["files"] or w["failure"] or own):
            continue
        mine = (f" ({own.get('errors', 0)} error(s), {own.get('warnings', 0)} warning(s) about no partner's order: "
                f"\"warehouse {shown(w['warehouse'])}\" in the failures report)") if own else ""
        console.print(styled(f"  warehouse {shown(w['warehouse'])}: {w['files']} confirmation file(s) "
                             f"({w['quarantined']} quarantined, {w['duplicates']} duplicate(s)), {w['shipments']} "
                             f"shipment(s) recorded with their 856, {w['held']} held, {w['late']} 856 late, "
                             f"{_acks_sent(w)}{w['errors']} error(s){mine}",
                             (f" failed: {w['failure']}" if w["failure"] else "", "red")))
    billing = summary.get("invoicing") or {}
    if billing.get("invoices") or billing.get("closed") or billing.get("errors") or billing.get("on_memo") or \
            billing.get("held"):
        memo = (f"{billing['on_memo']} order(s) shipped on memo (no 810 by agreement: [fulfilment.invoice] "
                "memo_order_types), ") if billing.get("on_memo") else ""
        held = (f"{billing['held']} 880(s) held for a partial dozen (INVOICE_HELD_NOT_ON_880: `status PO`, "
                "invoices held), ") if billing.get("held") else ""
        console.print(f"  invoicing: {billing['invoices']} invoice(s) (810), {billing['closed']} order(s) closed, "
                      f"{memo}{held}{billing['errors']} error(s)")


@contextmanager
def _holding(workspace: Path, command: str, wait: float = 0.0):
    """The workspace lease for ``command`` (connectors.lease), or exit 5 (ExitStatus.BUSY) with who holds it."""
    from connectors import lease
    from schemas.errors import StateError, WorkspaceBusy

    try:
        held = lease.acquire(workspace.resolve(), command, wait=wait)
    except StateError as exc:  # the lease file cannot be written: a read-only or full workspace
        err.print(f"the workspace cannot be used: {shown(exc)}. Nothing was done.", style="red")
        raise typer.Exit(ExitStatus.WORKSPACE_UNUSABLE) from None
    except WorkspaceBusy as exc:
        err.print(shown(exc.message), style="red")
        err.print("Nothing was done. Try again when it has finished, or pass --wait SECONDS to wait for it.")
        raise typer.Exit(ExitStatus.BUSY) from None
    if held.took_over is not None:  # its process is gone, or its lease expired: said, never silent
        err.print(shown(held.takeover_message()), style="yellow")
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
        raise typer.Exit(ExitStatus.WORKSPACE_UNUSABLE) from None


def _temporary_server(command: str, meanwhile) -> bool:
    """Start the temporary Prefect API server (flows.prefect_api), True when it answers. False when it did
    not start in time (a busy batch server; PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS): the caller
    then runs the same stages in this process, as --no-prefect does (same stages, same retries, the same
    documents), so the night's orders are still answered; the run only lacks its Prefect record. Said on
    the standard error; a server given by PREFECT_API_URL is not started here and never falls back."""
    from flows import progress
    from flows.prefect_api import ServerNotStarted, start_api_server

    try:
        start_api_server(meanwhile=meanwhile)
    except ServerNotStarted as exc:
        message = (f"{exc}: running the stages in this process instead (as --no-prefect: same stages, retries "
                   "and documents; no Prefect record of this run). Set PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_"
                   "SECONDS to wait longer, or PREFECT_API_URL to use a lasting server.")
        progress.report(command, message)
        err.print(f"warning: {message}", style="yellow")
        return False
    return True


def _run(workspace: Path, now: str | None, *, wait: float = 0.0, prefect: bool = True, use_gx: bool = True,
         pool: str = "", pool_limit: int | None = None) -> dict:
    """The night under the workspace lease (exit 5 if another process holds it), after the state
    checks (exit 4: missing/empty store in a workspace with history, or one that cannot be used)."""
    from flows import gx_child, progress
    from flows.memory import frozen_at_exit

    frozen_at_exit()  # registered before Prefect's and the server's exit handlers: runs after them
    with _holding(workspace, "run", wait):
        _require_state(workspace)
        _check_state(workspace)
        progress.to_stderr()
        if use_gx:  # GX imported and validating in a process of its own, ended after decide (flows.gx_child)
            gx_child.start()
        try:
            summary = _night(workspace, now, prefect=prefect, use_gx=use_gx, pool=pool, pool_limit=pool_limit)
        finally:
            gx_child.finish()
    _summary_table(summary)
    return summary


def _night(workspace: Path, now: str | None, *, prefect: bool, use_gx: bool, pool: str,
           pool_limit: int | None) -> dict:
    """_run's night, in the way asked: on a work pool, under the temporary Prefect server, or in this process."""
    from flows import progress

    if pool:
        _prefect_env()
        if not os.environ.get("PREFECT_API_URL"):
            err.print(f"--pool {shown(pool)} needs a Prefect server that the workers reach too: set "
                      "PREFECT_API_URL (docs/scaling.md)", style="red")
            raise typer.Exit(ExitStatus.USAGE)
        from flows.nightly import nightly

        summary = nightly(workspace=str(workspace.resolve()), now=now, use_gx=use_gx, pool=pool,
                          pool_limit=pool_limit)
    elif prefect:
        _prefect_env()
        from flows import warm
        from flows.prefect_api import flow_runs_settings

        progress.report("run", "starting the temporary Prefect API server (15-25 s the first time)")
        with console.status("Starting the temporary Prefect API server..."):
            # ours dies with this process, even after a SIGKILL (Prefect's would not); Prefect (and GX and
            # pandas, when GX has no process of its own: flows.gx_child) is imported while it starts
            started = _temporary_server("run", warm.import_for_night)
        if started:
            from flows.nightly import nightly

            with flow_runs_settings():  # no heartbeats for a server that ends with this process; progress lines
                summary = nightly(workspace=str(workspace.resolve()), now=now, use_gx=use_gx)
        else:
            from flows.night import InProcess, run_night

            summary = run_night(str(workspace.resolve()), stages=InProcess(), now=now, use_gx=use_gx)
    else:
        from flows.night import InProcess, run_night

        summary = run_night(str(workspace.resolve()), stages=InProcess(), now=now, use_gx=use_gx)
    return summary


def _demo_workspace(workspace: Path, workdir: Path | None) -> Path:
    return workdir if workdir is not None else workspace


@app.command()
def demo(workspace: Path = typer.Option(Path("demo-workspace"), "--workspace", "-w",
                                        help="Where to build the demo workspace."),
         workdir: Path = typer.Option(None, "--workdir", hidden=True, help="Old name of --workspace."),
         fresh: bool = typer.Option(False, "--fresh", help="Delete the workspace first (else the demo's files "
                                    "are dropped again: nothing is sent twice)."),
         now: str = typer.Option(DEMO_CLOCK, "--now", metavar=ISO, help="Night 1's clock, ISO date-time; night 2 "
                                 "runs a day later. The demo's sample orders are dated for the default."),
         sftp: bool = typer.Option(False, "--sftp", help="Serve ACME's drop from a private OpenSSH server "
                                   "on 127.0.0.1 (needs root; installs openssh-server if missing).")) -> None:
    """Build a demo workspace from sample_files/ and run two nights of the flow on it."""
    from flows.progress import plural

    workdir = _demo_workspace(workspace, workdir)
    now = _now(now)
    if fresh and workdir.exists():
        shutil.rmtree(workdir)
    (workdir / "partners").mkdir(parents=True, exist_ok=True)
    for profile in sorted((REPO / "partners").glob("*.toml")):
        shutil.copy2(profile, workdir / "partners" / profile.name)
    (workdir / "warehouses").mkdir(parents=True, exist_ok=True)
    for profile in sorted((REPO / "warehouses").glob("*.toml")):
        shutil.copy2(profile, workdir / "warehouses" / profile.name)
    # the demo, and only the demo, runs on the repository's sample reference data and stock
    for folder in ("reference", "inventory"):
        shutil.copytree(REPO / "sample_files" / folder, workdir / folder, dirs_exist_ok=True)
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
    summaries = []
    try:
        console.print(styled(("Night 1", "bold"), ": purchase orders"))
        summaries.append(_run(workdir, now))
        _print_sent(workdir, summaries[-1], sftp_partner="acme" if server else "")
        _drop_confirmations(workdir, "warehouse-drops")
        console.print(styled(("Day 1", "bold"), ": the warehouses confirm shipments (the shipments flow: 856s, "
                             "then 810s)"))
        shipped = _ship(workdir, (datetime.fromisoformat(now) + timedelta(hours=12, minutes=30)).isoformat())
        if not shipped.get("skipped"):
            summaries.append(shipped)
            _print_sent(workdir, shipped, sftp_partner="acme" if server else "")
        _drop_confirmations(workdir, "warehouse-drops-day2")  # shipped overnight; the nightly run picks them up
        night2 = REPO / "sample_files" / "inventory-day2"  # a receipt arrived; day 1's shipments left the stock
        shutil.copytree(night2 / "snapshots", workdir / "inventory" / "snapshots", dirs_exist_ok=True)
        shutil.copy2(night2 / "receipts.parquet", workdir / "inventory" / "receipts.parquet")
        day2 = REPO / "sample_files" / "drops-day2"
        for folder in sorted(day2.iterdir()) if day2.is_dir() else []:
            target = workdir / "drop" / folder.name / "inbox"
            if server and folder.name == "acme":
                target = server.folder("inbox")
            for f in sorted(folder.iterdir()):
                shutil.copy2(f, target / f.name)
        _record_hand_fed(workdir, now)
        console.print(styled(("Night 2", "bold"), ": 860 change orders against night 1's orders, partners' 997s "
                             "for night 1's documents; a backorder allocated and shipped; invoiced orders closed"))
        summaries.append(_run(workdir, (datetime.fromisoformat(now) + timedelta(days=1)).isoformat()))
        _print_sent(workdir, summaries[-1], sftp_partner="acme" if server else "")
        if server:
            (workdir / "sftp-outbox").mkdir(exist_ok=True)
            for p in sorted(server.folder("outbox").iterdir()):
                shutil.copy2(p, workdir / "sftp-outbox" / p.name)
    finally:
        if server:
            server.stop()
            # the demo's server and its keys are gone: ACME goes back to its local drop, so the
            # commands below work on this workspace
            shutil.copy2(REPO / "partners" / "acme.toml", workdir / "partners" / "acme.toml")
            profile = shown(workdir / "partners" / "acme.toml")
            console.print(f"The demo's SFTP server is stopped; ACME's profile ({profile}) is back to its local "
                          "drop (a copy of what it sent over SFTP is in sftp-outbox/).")
    _demo_hints(workdir, datetime.fromisoformat(now) + timedelta(days=2))
    failed = [s for s in summaries if s.get("failure") or any(p["failure"] for p in s["partners"])
              or any(w["failure"] for w in s.get("warehouses", []))]
    if failed:
        console.print(f"{plural(len(failed), 'night')} did not complete: see the summaries above", style="red")
    raise typer.Exit(ExitStatus.INCOMPLETE if failed else ExitStatus.OK)


def _print_sent(workdir: Path, summary: dict, *, sftp_partner: str = "", limit: int = 40) -> None:
    """The documents this run sent (not the whole outbox), where the partner finds them."""
    from connectors.state import StateStore
    from flows.reports import run_scope
    from flows.workspace import Workspace

    ws = Workspace(workdir.resolve())
    store = StateStore(ws.state_url)
    try:
        sent = [d for d in store.documents_of_runs(run_scope(store, summary["run_id"])) if d["status"] == "delivered"]
    finally:
        store.close()
    console.print(f"  this night sent {len(sent)} document(s):")
    profiles = ws.runnable_partners() if sent else {}  # each one's [delivery] folders
    for d in sent[:limit]:
        console.print(f"    {shown(_sent_where(ws, d, sftp_partner, profiles))}")
    if len(sent) > limit:
        console.print(f"    ... and {len(sent) - limit} more (reports/{shown(summary['run_id'])}/summary.html)")


def _acks_sent(w: dict) -> str:
    """ "N 997/TA1 sent, " for a warehouse whose 945s the run answered (flows.shipments: its outbox), else ""."""
    n = w.get("acknowledgments") or 0
    return f"{n} 997/TA1 sent, " if n else ""


def _sent_where(ws, doc: dict, sftp_partner: str, profiles: dict | None = None) -> str:
    """Where a sent document is found, relative to the workspace: a partner's drop outbox, or a warehouse's
    (its 997s and TA1s answering a 3PL's 945s: party "warehouse:<id>", in warehouse-drop/<id>/outbox, or
    its SFTP server's outbox), or the SFTP partner's outbox."""
    from schemas.parties import WAREHOUSE_PARTY

    party, name = doc["partner"], doc["file_name"]
    if party.startswith(WAREHOUSE_PARTY):
        wid = party[len(WAREHOUSE_PARTY):]
        try:
            warehouse = ws.warehouses().get(wid)
        except Exception:  # noqa: BLE001 - a profile that no longer loads: where a local drop keeps it
            warehouse = None
        if warehouse is not None and warehouse.drop.kind != "local":
            return f"over SFTP: warehouse {wid} outbox/{name}"
        return str((ws.warehouse_drop_root / wid / "outbox" / name).relative_to(ws.root))
    from flows.documents import outbox_folder

    profile = (profiles or {}).get(party)
    folder = outbox_folder(profile.delivery if profile is not None else None, doc["doc_type"])  # its [delivery] folder
    if party == sftp_partner:  # an absolute folder on the server ("outbox//in/856") as its path
        return f"over SFTP: {party} {'/' + folder.split('//', 1)[1] if '//' in folder else folder}/{name}"
    return str(Path("drop") / party / folder / name)


def command_name() -> str:
    """How a person calls orderbridge from here: its name when it is on PATH, else the entry point
    beside this Python (e.g. .venv/bin/orderbridge), else `python -m flows.cli`."""
    import shlex

    script = Path(sys.executable).parent / "orderbridge"
    found = shutil.which("orderbridge")
    if found and (not script.exists() or Path(found).resolve() == script.resolve()):
        return "orderbridge"
    if script.exists():
        try:
            return str(script.absolute().relative_to(Path.cwd()))
        except ValueError:
            return shlex.quote(str(script))
    return f"{shlex.quote(sys.executable)} -m flows.cli"


def _demo_hints(workdir: Path, next_night: datetime) -> None:
    """What to try next, with the real command and orders this workspace really holds."""
    import shlex

    from connectors.state import StateStore
    from engine import lifecycle
    from flows.workspace import Workspace

    cmd, ws = command_name(), shlex.quote(str(workdir))
    store = StateStore(Workspace(workdir.resolve()).state_url)
    try:
        held = store.orders(states=lifecycle.AWAITING_PERSON)
        changed = [o for o in store.orders() if o.change_file] or store.orders()
        runs = [r["run_id"] for r in store.runs() if r["kind"] == "nightly"]
        shipped = store.orders(states=lifecycle.SHIPPING)
    finally:
        store.close()
    lines = []
    if cmd != "orderbridge":
        lines.append(f"(orderbridge is {cmd} here; or run `source {Path(cmd).parent / 'activate'}` once and type "
                     "`orderbridge`)" if cmd.endswith("/orderbridge") else f"(orderbridge is `{cmd}` here)")
    lines.append(f"{cmd} approvals -w {ws}      # orders held for a person, with the reasons")
    if held:
        o = held[0]
        lines.append(f"{cmd} approve {_named(o)} --partner {shlex.quote(o.partner)} --by \"Your "
                     f"Name\" --note \"why\" -w {ws}")
    if len(held) > 1:
        o = held[1]
        lines.append(f"{cmd} reject {_named(o)} --partner {shlex.quote(o.partner)} --by \"Your "
                     f"Name\" --reason \"why\" -w {ws}")
    lines.append(f"{cmd} run -w {ws} --now {next_night.isoformat()}      # the next night answers them")
    if changed:
        o = changed[0]
        lines.append(f"{cmd} status {_named(o)} --partner {shlex.quote(o.partner)} -w {ws}      "
                     "# one order's whole story")
    if shipped:
        o = shipped[0]
        lines.append(f"{cmd} status {_named(o)} --partner {shlex.quote(o.partner)} -w {ws}      "
                     "# one shipped (and invoiced): shipments, cartons, SSCCs, invoices")
    if runs:
        lines.append(f"{cmd} report -w {ws}      # write the last run's reports again: "
                     f"{shlex.quote(str(workdir / 'reports' / runs[-1] / 'summary.html'))}")
    console.print()
    console.print(styled(("Next", "bold"), ", try:"))
    for line in lines:
        console.print("  " + shown(line), soft_wrap=True)


def _record_hand_fed(workdir: Path, now: str) -> None:
    """Between the nights: the 810s and 856s other systems of ours sent (sample_files/recorded/, see
    scripts/make_recorded_documents.py) recorded as `orderbridge record` would, for the reconciliation."""
    from connectors.state import StateStore
    from flows.reconcile import record_documents
    from flows.workspace import Workspace

    folder = REPO / "sample_files" / "recorded"
    store = StateStore(Workspace(workdir.resolve()).state_url)
    try:
        for path in sorted(folder.glob("*/*.x12")):
            read, _, _ = record_documents(store, path, partner=path.parent.name, by="demo",
                                          note="sent by another system of ours (hand-fed)",
                                          at=datetime.fromisoformat(now) + timedelta(hours=12))
            console.print(shown(f"  recorded {path.parent.name}/{path.name}: {read} line(s) our ERP or WMS sent"))
    finally:
        store.close()


def _drop_confirmations(workdir: Path, folder: str) -> None:
    """The demo's shipment confirmations (sample_files/<folder>/<warehouse>/) into the warehouses' inboxes."""
    source = REPO / "sample_files" / folder
    for wh in sorted(source.iterdir()) if source.is_dir() else []:
        inbox = workdir / "warehouse-drop" / wh.name / "inbox"
        inbox.mkdir(parents=True, exist_ok=True)
        for f in sorted(wh.iterdir()):
            shutil.copy2(f, inbox / f.name)


def _start_demo_sftp(workdir: Path):
    """A private sshd for the demo; ACME's profile in the demo workspace points at it."""
    from connectors.testing_sshd import LocalSshd, ensure_openssh_installed

    ensure_openssh_installed()
    server = LocalSshd()
    settings = server.start()
    text = (REPO / "partners" / "acme.toml").read_text()
    start = text.index("[drop]")  # only the [drop] table changes: rules, allocation ... stay ACME's
    after = re.search(r"^\[(?!drop[.\]])", text[start + 1:], re.M)
    end = start + 1 + after.start() if after else len(text)
    drop = ("[drop]\nkind = \"sftp\"\n\n[drop.sftp]\n" + "".join(
        f"{k} = {json.dumps(v)}\n" for k, v in settings.model_dump().items()
        if v is not None and k not in ("temp_suffixes",)) + "\n")
    (workdir / "partners" / "acme.toml").write_text(text[:start] + drop + text[end:])
    return server


WAIT = typer.Option(0.0, "--wait", help="Wait up to SECONDS for another OrderBridge process to release the "
                    "workspace (default: exit 5 at once).", metavar="SECONDS")
RELEASE = typer.Option(None, "--release", help="The release (850 BEG04; 'blanket' names the blanket held beside "
                       "its releases), or the reference ([x12] order_key_ref: REF*CO C778120045), when the PO number "
                       "is several orders.")


def _ready_or_exit(workspace: Path) -> None:
    """Exit 2, saying what is missing, when the workspace lacks profiles, reference data or inventory; exit 4 when no
    partner profile loads (README, Exit status). A profile that does not load among others that do is said here
    (on the standard error) and is that partner's failure in the run: the others run (flows.night)."""
    from flows.workspace import Workspace

    missing = Workspace(workspace.resolve()).missing()
    if missing:
        err.print(f"workspace {shown(workspace)} is not ready to run (see docs/onboarding.md):", style="red")
        for line in missing:
            err.print(f"  missing: {shown(line)}")
        raise typer.Exit(ExitStatus.USAGE)
    from schemas.errors import ConfigError

    try:  # before the flow starts: no profile that loads stops the night, said once, with no traceback
        _profiles, broken = Workspace(workspace.resolve()).partners_apart()
    except ConfigError as exc:
        err.print(f"ConfigError: {shown(exc)}", style="red")
        err.print("Nothing was done: fix the profiles and run again (`orderbridge partner check ID` says what else "
                  "each lacks)")
        raise typer.Exit(ExitStatus.WORKSPACE_UNUSABLE) from None
    for pid, b in sorted(broken.items()):  # the others run; this partner is the run's failure (exit 3)
        err.print(f"partner {shown(pid)} is left out of this run: {shown(b.failure)}", style="yellow")


@app.command()
def run(workspace: Path = WORKSPACE, now: str = typer.Option(None, "--now", metavar=ISO, help=NOW_HELP),
        wait: float = WAIT,
        no_prefect: bool = typer.Option(False, "--no-prefect", help="Run the stages in this process without "
                                        "Prefect (same stages, same retries; no Prefect API or UI) instead of as "
                                        "Prefect tasks."),
        no_gx: bool = typer.Option(False, "--no-gx", help="Check order lines with the same rules as plain functions "
                                   "instead of Great Expectations (no GX results in the report)."),
        pool: str = typer.Option(None, "--pool", metavar="NAME", help="Run each partner's intake and delivery as "
                                 "flow runs on this Prefect work pool's workers (`orderbridge worker`); needs "
                                 "PREFECT_API_URL. Default: workspace.toml's [prefect] pool, else none."),
        pool_limit: int = typer.Option(None, "--pool-limit", min=1, metavar="N", help="With --pool: at most N "
                                       "partner flow runs at once across the pool's workers (the work pool's "
                                       "concurrency limit).")) -> None:
    """Run the nightly flow once on a workspace: intake, decide, ship (the warehouses' confirmations -> 856s),
    invoice (the 810s due), deliver, reconcile, reports. Exit status
    0: no error finding; 1: some input had error findings (see the failures report); 3: a stage failed;
    4: the workspace cannot be used (its state store is missing while it has history, among others);
    5: another OrderBridge process holds the workspace (--wait SECONDS waits for it)."""
    from flows.exit_status import for_run

    if not workspace.is_dir():
        err.print(f"workspace {shown(workspace)} does not exist", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    _ready_or_exit(workspace)
    if pool is None and not no_prefect:
        from flows.workspace import Workspace

        pool = Workspace(workspace.resolve()).prefect_pool
    if pool and no_prefect:
        err.print("--pool and --no-prefect exclude each other", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    summary = _run(workspace, _now(now), wait=wait, prefect=not no_prefect, use_gx=not no_gx, pool=pool or "",
                   pool_limit=pool_limit)
    raise typer.Exit(for_run(summary))


@app.command()
def worker(pool: str = typer.Option(..., "--pool", metavar="NAME", help="The work pool to take partner stages "
                                    "from (the one `orderbridge run --pool` names)."),
           limit: int = typer.Option(None, "--limit", min=1, metavar="N", help="At most N flow runs at once on "
                                     "this worker (each is a process)."),
           name: str = typer.Option(None, "--name", help="The worker's name in Prefect (default: Prefect's)."),
           no_fork_server: bool = typer.Option(False, "--no-fork-server", help="Each flow run starts Python "
                                               "afresh, without the worker's fork server (a process that imported "
                                               "Prefect's engine and the partner stages once and forks each flow "
                                               "run: ~1.3 s CPU less a run; docs/scaling.md).")) -> None:
    """Start a Prefect worker on this machine for the work pool (`prefect worker start --type process`):
    it runs partners' intake and delivery for `orderbridge run --pool NAME`. Needs PREFECT_API_URL (the
    server), this checkout at the same path as the deployment's, the workspace at the same path (shared
    storage) and its state store on PostgreSQL when workers are on several machines (docs/scaling.md).
    Stops on Ctrl-C / SIGTERM."""
    if not os.environ.get("PREFECT_API_URL"):
        err.print("orderbridge worker needs the Prefect server's address: set PREFECT_API_URL (docs/scaling.md)",
                  style="red")
        raise typer.Exit(ExitStatus.USAGE)
    from flows.fork_client import SERVER_ENV
    from flows.pool import ensure_pool, worker_command, worker_env

    os.environ.pop(SERVER_ENV, None)  # a server is this worker's own, or none
    os.environ.update(worker_env())
    if not no_fork_server:  # before the API is asked anything: no thread runs yet, and the fork sees this env
        from flows import fork_server as server

        os.environ[SERVER_ENV] = server.start()
    ensure_pool(pool)
    cmd = worker_command(pool, limit=limit, name=name)
    os.execve(cmd[0], cmd, worker_env())


def _partner_profiles(workspace: Path, partner: str) -> dict:
    """The workspace's profiles that load, for a command about ``partner`` (inspect, ack): another partner's
    profile that does not load is not this one's problem; ``partner``'s own raises its ConfigError (exit 4)."""
    from datetime import date

    from schemas.profile import load_profiles_apart

    profiles, broken = load_profiles_apart(workspace.resolve() / "partners")
    if partner in broken:
        raise broken[partner]
    return {pid: p.on(date.today()) for pid, p in profiles.items()}  # as in effect today ([[changes]])


def _check_state(workspace: Path) -> None:
    """Before a run (and before Prefect starts): the state store opens, reads back whole and takes a
    write transaction; else one clear message and exit status 4, nothing done, nothing retried."""
    from connectors.state import StateStore
    from flows.workspace import Workspace
    from schemas.errors import StateError

    try:
        store = StateStore(Workspace(workspace.resolve()).state_url)
        try:
            store.check()
        finally:
            store.close()
    except StateError as exc:
        err.print(f"the workspace cannot be used: {shown(exc)}. Nothing was done.", style="red")
        raise typer.Exit(ExitStatus.WORKSPACE_UNUSABLE) from None


@app.command()
def serve(workspace: Path = WORKSPACE,
          cron: str = typer.Option("0 2 * * *", "--cron", help="When to run: a cron expression (minute hour "
                                   "day-of-month month day-of-week); the default is 02:00 every day."),
          timezone: str = typer.Option("UTC", "--timezone", help="Time zone of the cron expression (an IANA "
                                       "name such as Europe/Berlin)."),
          shipments_every: int = typer.Option(5, "--shipments-every", min=1,
                                              help="Minutes between runs of the shipments deployment "
                                                   "(shipment confirmations -> 856s -> 810s).")) -> None:
    """Serve the nightly deployment on its cron schedule and the shipments deployment every few minutes
    (and when `orderbridge dropped` reports a confirmation); needs a Prefect server: PREFECT_API_URL."""
    _prefect_env()
    from prefect import serve as prefect_serve

    from flows.nightly import deployment, shipments_deployment
    from flows.workspace import Workspace
    from schemas.errors import ConfigError

    ws = Workspace(workspace.resolve())
    try:  # each run says what is missing, and which profile does not load
        profiles = ws.partners_apart()[0]
    except ConfigError:
        profiles = {}
    windows = [p.fulfilment.asn.window_minutes for p in profiles.values() if "856" in p.receives]
    if windows and shipments_every >= min(windows):
        err.print(f"--shipments-every {shipments_every} is not shorter than the tightest ASN window "
                  f"({min(windows)} minutes): 856s may be late", style="yellow")
    prefect_serve(deployment(str(workspace.resolve()), cron, timezone, pool=ws.prefect_pool),
                  shipments_deployment(str(workspace.resolve()), shipments_every))


def _ship(workspace: Path, now: str | None, *, wait: float = 0.0) -> dict:
    """The shipments flow under the workspace lease (exit 5 if another process holds it), after the
    state checks (exit 4)."""
    with _holding(workspace, "shipments", wait):
        _require_state(workspace)
        _check_state(workspace)
        _prefect_env()
        from flows import warm
        from flows.prefect_api import flow_runs_settings

        with console.status("Starting the temporary Prefect API server..."):
            # ours dies with this process, even after a SIGKILL (Prefect's would not); Prefect is imported
            # while it starts
            started = _temporary_server("shipments", warm.import_flows)
        if started:
            from flows.nightly import shipments

            with console.status("Running the shipments flow (Prefect)..."), flow_runs_settings():
                summary = shipments(workspace=str(workspace.resolve()), now=now)
        else:
            from flows.night import InProcess, run_shipments

            with console.status("Running the shipments in this process..."):
                summary = run_shipments(str(workspace.resolve()), stages=InProcess(), now=now)
    if summary.get("skipped"):
        console.print(f"Shipments: nothing to do ({summary['skipped']}).")
    else:
        _summary_table(summary)
    return summary


@app.command()
def ship(workspace: Path = WORKSPACE, now: str = typer.Option(None, "--now", metavar=ISO, help=NOW_HELP),
         wait: float = WAIT) -> None:
    """Run the shipments flow once: every warehouse's shipment confirmations -> 856s, then the 810s due,
    delivered at once (what the shipments deployment does every few minutes). Exit status 5 when another
    OrderBridge process holds the workspace (--wait SECONDS waits for it)."""
    from flows.exit_status import for_run

    if not workspace.is_dir():
        err.print(f"workspace {shown(workspace)} does not exist", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    summary = _ship(workspace, _now(now), wait=wait)
    raise typer.Exit(for_run(summary))


@app.command()
def dropped(warehouse: str = typer.Argument(..., help="The warehouse whose drop received a confirmation."),
            workspace: Path = WORKSPACE) -> None:
    """Report that a shipment confirmation was dropped: the served shipments deployment runs at once
    (a Prefect event; for drop hooks such as an SFTP server's upload script). Needs PREFECT_API_URL."""
    from flows.workspace import Workspace

    if warehouse not in Workspace(workspace.resolve()).warehouses():
        err.print(f"unknown warehouse {shown(repr(warehouse))}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    if not os.environ.get("PREFECT_API_URL"):  # an event to no server is heard by no deployment: never "reported"
        err.print("orderbridge dropped needs the Prefect server that serves the shipments deployment: set "
                  "PREFECT_API_URL (docs/scaling.md); or run the shipments now: orderbridge ship -w "
                  f"{shown(workspace)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    _prefect_env()
    from prefect.events import emit_event

    from flows.nightly import DROPPED_EVENT

    emit_event(event=DROPPED_EVENT, resource={"prefect.resource.id": f"orderbridge.warehouse.{warehouse}"})
    console.print(f"reported: a confirmation in {shown(warehouse)}'s drop")


@app.command()
def report(run_id: str = typer.Option(None, "--run", help="The run's id (a folder name under reports/; "
                                      "default: the latest nightly run)."),
           sections: list[str] = typer.Option(None, "--section", help="Only this section (repeatable): run "
                                              "(summary, failures report, data files), finance (the cumulative "
                                              "finance report and KPI dashboard). Default: every section."),
           since: str = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="finance: only POs dated (else "
                                     "received) on or after this date; changes since the last reconciliation "
                                     "before it (written to reports/finance-since-DATE/)."),
           now: str = typer.Option(None, "--now", metavar=ISO, help="finance: match the lines as of this run "
                                   "clock (default: the last reconciliation's)."),
           workspace: Path = WORKSPACE) -> None:
    """Write reports again from the state store: a run's summary and failures report as the run wrote
    them (after a crash, the rerun's report covers the crashed run's work too), and the cumulative
    finance report and dashboard (every exception with its state as people left it, each run's totals)."""
    from flows.reports import SECTIONS, latest_run
    from flows.workspace import Workspace

    unknown = sorted(set(sections or []) - set(SECTIONS))
    if unknown:
        err.print(f"unknown section(s) {shown(', '.join(unknown))}; known: {', '.join(SECTIONS)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    try:
        day = date.fromisoformat(since) if since else None
        clock = datetime.fromisoformat(now).replace(microsecond=0) if now else None
    except ValueError:
        err.print("--since is a date (YYYY-MM-DD) and --now an ISO date-time", style="red")
        raise typer.Exit(ExitStatus.USAGE) from None
    if not sections and (day or clock):
        sections = ["finance"]
    store = _state(workspace)
    try:
        known = [r["run_id"] for r in store.runs()]
        chosen = run_id or latest_run(store)
        wanted = sections or list(SECTIONS)
        if (chosen is None or chosen not in known) and (run_id or (sections and "run" in sections)):
            err.print(f"no run {shown(chosen or '')} in {shown(workspace)}"
                      + (f"; the latest are {shown(', '.join(known[-5:]))}" if known else ""), style="red")
            raise typer.Exit(ExitStatus.USAGE)
        if chosen is None or chosen not in known:
            wanted = [w for w in wanted if w != "run"]  # no nightly run yet: the finance section alone
        ws = Workspace(workspace.resolve())
        for name in wanted:
            written = SECTIONS[name](ws, store, chosen, since=day, now=clock)
            title = written.get("title") or f" reports of run {chosen}:"
            console.print(styled((name, "bold"), shown(title)))
            for key, path in written.get("reports", {}).items():
                console.print(f"  {shown(key)}: {shown(path)}")
    finally:
        store.close()


def _state(workspace: Path):
    from connectors.state import StateStore
    from flows.workspace import Workspace

    ws = Workspace(workspace.resolve())
    if not ws.state_on_postgres and not ws.state_path.is_file():
        from flows.recovery import no_store

        said, status = no_store(ws, shown(workspace))
        err.print(said, style="red")
        raise typer.Exit(status)
    return StateStore(ws.state_url)


def _named(order) -> str:
    """An order as the command line names it: its PO number, and --release for a later release."""
    import shlex

    from schemas.order_keys import is_release_key, key_ref, key_release, x12_po

    named = shlex.quote(x12_po(order.po_number))
    told = key_ref(order.po_number) or key_release(order.po_number)  # an order told apart by a reference: its value
    return f"{named} --release {shlex.quote(told)}" if is_release_key(order.po_number) else named


def _order_or_exit(store, po: str, partner: str | None, release: str | None = None, workspace: Path | None = None):
    """The one order `PO [--partner P] [--release N]` names (a PO held as several releases, 850 BEG04,
    needs --release)."""
    from flows.status_view import matching_orders
    from flows.workspace import Workspace

    matches, releases, why = matching_orders(Workspace((workspace or Path(".")).resolve()), store, po, partner,
                                             release)
    if why:
        err.print(why, style="red")
        raise typer.Exit(ExitStatus.USAGE)
    if len(matches) > 1:
        from flows.status_view import is_blanket
        from schemas.order_keys import key_ref

        names = ", ".join(key_ref(o.po_number) or ("blanket" if is_blanket(o) else r or "(none)")
                          for o, r in ((o, releases.get(o.po_number)) for o in matches) if r is not None)
        kind = "is {} orders told apart by a reference" if any(key_ref(o.po_number) for o in matches) else \
            "is held as {} releases"
        err.print(f"PO {shown(po)} {kind.format(len(matches))} ({shown(names)}): use --release", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    return matches[0]


def _order_names(ws, store, records) -> dict:
    """Each order's name as people read it, by key (flows.releases.order_names: the first release of a PO held as
    several named by its release, a blanket kept apart as "PO blanket")."""
    from connectors.order_store import OrderStore
    from flows.releases import order_names

    return order_names(store, OrderStore(ws.orders_dir), records)


def _wall_clock() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


@app.command()
def approvals(workspace: Path = WORKSPACE) -> None:
    """List orders held for a person (approve, reject or recheck them), with the reasons, then the codes they are
    held for and how many (what `approve --all-held --held-for CODE` chooses by)."""
    from collections import Counter

    from engine import lifecycle
    from flows.workspace import Workspace

    store = _state(workspace)
    held = store.orders(states=lifecycle.AWAITING_PERSON)
    names = _order_names(Workspace(workspace.resolve()), store, held)
    t = Table(title=f"{len(held)} order(s) waiting for approval")
    for c in ("partner", "PO", "file", "held since", "reasons"):
        t.add_column(c, overflow="fold")
    waiting: dict = {}  # 860s (876s) whose answer waits for the decision (the 855 of the decision answers them)
    waits = store.pending_changes(statuses=lifecycle.WAITING_ON_HOLD, keys=[o.key for o in held]) if held else []
    sets = _change_sets(workspace, waits) if waits else {}
    for c in waits:
        waiting.setdefault((c.partner, c.po_number), []).append(
            f"{lifecycle.sent_as(c, sets)} in {c.source_file} waits on this decision")
    for o in held:
        t.add_row(shown(o.partner), shown(names[o.key]), shown(o.source_file), shown(o.updated_at),
                  "\n".join(shown(r) for r in (*o.hold_reasons, *waiting.get(o.key, ()))))
    console.print(t)
    codes = Counter(c for o in held for c in o.hold_codes)
    if codes:  # what `approve --all-held --held-for CODE` chooses by
        console.print("held for: " + ", ".join(f"{shown(c)} ({n})" for c, n in sorted(codes.items())))


def _change_sets(workspace: Path, changes) -> dict:
    """The set each of ``changes`` came as where it is no 860 (flows.status_view.change_sets)."""
    from flows.status_view import change_sets
    from flows.workspace import Workspace

    return change_sets(Workspace(workspace.resolve()), changes)


def _decide(workspace: Path, po: str, partner: str, by: str, verdict: str, note: str, wait: float,
            release: str | None = None) -> None:
    from engine import lifecycle

    with _holding(workspace, "approve" if verdict == lifecycle.VERDICT_APPROVED else "reject", wait):
        _record_decision(workspace, po, partner, by, verdict, note, release)


def _record_decision(workspace: Path, po: str, partner: str, by: str, verdict: str, note: str,
                     release: str | None = None) -> None:
    from engine import lifecycle

    store = _state(workspace)
    order = _order_or_exit(store, po, partner, release, workspace)
    from flows.approving import follows_decision
    from flows.workspace import Workspace

    follows = follows_decision(store, order, verdict, Workspace(workspace.resolve()))
    try:
        plan = lifecycle.plan_person_decision(order, verdict, by=by, note=note, at=_wall_clock(),
                                              lines=store.order_lines(*order.key),
                                              reservations=store.reservations_for([order.key]).get(order.key, ()))
    except lifecycle.TransitionRefused:
        err.print(f"{shown(partner)}/{shown(po)} is {shown(order.state.value)}: only an order waiting for a person "
                  "can be approved or rejected", style="red")
        raise typer.Exit(ExitStatus.USAGE) from None
    store.apply(plan)
    waits = store.pending_changes(statuses=lifecycle.WAITING_ON_HOLD, keys=[order.key])
    if waits:  # named by the set they came as: 860s, or a grocer's 876s
        named = _change_sets(workspace, waits)
        sets = "/".join(sorted({lifecycle.sent_as(c, named) for c in waits}))
    also = f" and answers the {len(waits)} {sets}(s) that waited on it" if waits else ""
    console.print(f"{shown(partner)}/{shown(po)}: {shown(verdict)} by {shown(by)}; {follows}{also}.")


ALL_HELD = typer.Option(False, "--all-held", help="Every order waiting for a person that --partner, --held-for, "
                        "--since and --until name (each checked alone), instead of PO numbers.")
_HELD_FOR = ("With --all-held: only orders held for this finding code (CREDIT_LIMIT_EXCEEDED, PRICE_NOT_ON_FILE...: "
             "`orderbridge approvals` ends with the codes held for).")
HELD_FOR = typer.Option("", "--held-for", metavar="CODE", help=_HELD_FOR)  # reject, recheck: every order it names
APPROVE_HELD_FOR = typer.Option("", "--held-for", metavar="CODE", help=_HELD_FOR + " An order held for other codes as "
                                "well is skipped, naming them (exit 3): approve it by its PO number once they are "
                                "checked.")
SINCE = typer.Option("", "--since", metavar="YYYY-MM-DD", help="With --all-held: only orders whose PO date is on or "
                     "after this day.")
UNTIL = typer.Option("", "--until", metavar="YYYY-MM-DD", help="With --all-held: only orders whose PO date is on or "
                     "before this day.")
DRY_RUN = typer.Option(False, "--dry-run", help="List what would be recorded and what would be skipped, and why; "
                       "record nothing.")
BATCH_EXIT = ("Exit status 0: every order named was recorded (or, --dry-run, would be; or --all-held found none); "
              "3: some were skipped, each named with why, the others recorded; 2: used wrongly, nothing done (a PO "
              "without --partner, PO numbers with --all-held, a filter without it, a date that is none; one PO named "
              "alone that is not waiting for a person; a --held-for CODE that is no finding code); 5: another "
              "OrderBridge process holds the workspace.")


def _decide_cli(workspace: Path, pos: list[str] | None, partner: str | None, by: str, verdict: str, note: str,
                wait: float, release: str | None, all_held: bool, held_for: str, since: str, until: str,
                dry_run: bool) -> None:
    """`approve`/`reject`: one PO as before (its messages, exit 2 when it is not held), or a batch."""
    from engine import lifecycle

    pos = list(pos or ())
    if len(pos) == 1 and not (all_held or held_for or since or until or dry_run):
        if partner is None:
            err.print("--partner is needed with a PO number (PO numbers are per partner)", style="red")
            raise typer.Exit(ExitStatus.USAGE)
        _decide(workspace, pos[0], partner, by, verdict, note, wait, release)
        return
    problem = _batch_problem(pos, partner, release, all_held, held_for, since, until)
    if problem:
        err.print(problem, style="red")
        raise typer.Exit(ExitStatus.USAGE)
    # as the store keeps PO dates (2026-11-27), which it compares them with as text: "20261127" and "2026-W48-5"
    # (ISO's other forms, which the check above takes) chose the wrong orders (none since, every one until)
    since, until = (date.fromisoformat(v).isoformat() if v else "" for v in (since, until))
    if dry_run:
        done, named = _decide_batch(workspace, pos, partner, release, by, verdict, note, all_held, held_for, since,
                                    until, dry_run=True)
    else:
        with _holding(workspace, "approve" if verdict == lifecycle.VERDICT_APPROVED else "reject", wait):  # the batch
            done, named = _decide_batch(workspace, pos, partner, release, by, verdict, note, all_held, held_for,
                                        since, until, dry_run=False)
    _say_batch(done, named, verdict, by, dry_run)
    raise typer.Exit(ExitStatus.INCOMPLETE if any(d.skipped for d in done) else ExitStatus.OK)


def _batch_problem(pos: list[str], partner: str | None, release: str | None, all_held: bool, held_for: str,
                   since: str, until: str) -> str:
    """Why a batch is used wrongly (nothing done), or ""."""
    from datetime import date

    if pos and all_held:
        return "name PO numbers or --all-held, not both"
    if not pos and not all_held:
        return "name the PO number(s), or --all-held (with --partner, --held-for, --since, --until to narrow it)"
    if pos and (held_for or since or until):
        return "--held-for, --since and --until choose orders for --all-held: with PO numbers, leave them out"
    if pos and partner is None:
        return "--partner is needed with PO numbers (PO numbers are per partner)"
    if release is not None and len(pos) != 1:
        return "--release names a release of one PO: give it with one PO number"
    for name, value in (("--since", since), ("--until", until)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                return f"{name} must be a date like 2026-11-27, not {shown(value)!r}"
    return ""


def _decide_batch(workspace: Path, pos: list[str], partner: str | None, release: str | None, by: str, verdict: str,
                  note: str, all_held: bool, held_for: str, since: str, until: str, *, dry_run: bool):
    """(each order's outcome, how the orders were chosen): the orders the PO numbers or the search name, each
    decided alone (flows.approving)."""
    from engine import lifecycle
    from flows.approving import decide_picked
    from flows.workspace import Workspace

    store = _state(workspace)
    picks, unmatched, named = _picked(workspace, store, pos, partner, release, all_held, held_for, since, until)
    also = _also_held_for(store, picks, held_for) if all_held and verdict == lifecycle.VERDICT_APPROVED else {}
    try:
        done = decide_picked(store, [p for p in picks if (p.partner, p.po_number) not in also], verdict, by=by,
                             note=note, at=_wall_clock(), dry_run=dry_run, ws=Workspace(workspace.resolve()))
    except ValueError as exc:
        err.print(f"{shown(exc)}: nothing was recorded", style="red")
        raise typer.Exit(ExitStatus.USAGE) from None
    return _in_named_order(done, unmatched, all_held) + list(also.values()), named


def _also_held_for(store, picks: list, held_for: str) -> dict:
    """approve --all-held --held-for CODE: the picked orders held for other codes as well (a credit hold lifted
    does not approve an order also held for its discount, unseen) -> Decided skipped, naming those codes and the way
    to approve it once they are checked (by its PO number). Nothing without --held-for."""
    from flows.approving import Decided

    code = held_for.strip().upper()
    if not code:
        return {}
    out = {}
    for p in picks:
        record = store.order(p.partner, p.po_number)
        others = sorted({c for c in (record.hold_codes if record else ()) if c.upper() != code})
        if others:
            out[(p.partner, p.po_number)] = Decided(
                p.partner, p.po_number, skipped=f"also held for {', '.join(others)}: approve it by its PO number once"
                " that is checked", reasons=tuple(record.hold_codes), revision=p.revision)
    return out


def _picked(workspace: Path, store, pos: list[str], partner: str | None, release: str | None, all_held: bool,
            held_for: str, since: str, until: str):
    """The orders a batch names (approve, reject, recheck): (their picks, each PO number named that names no one
    order -> Decided skipped with why (None: it is picked), how they were chosen). --all-held: the held orders the
    search names (flows.approving.held_matching; a --held-for CODE none is held for said, exit 2 when no code)."""
    from engine import lifecycle
    from flows.approving import Decided, held_matching
    from flows.status_view import matching_orders
    from flows.workspace import Workspace

    ws = Workspace(workspace.resolve())
    if partner is not None and partner not in ws.partners() and not store.search_orders(partner=partner, limit=1):
        err.print(f"no partner {shown(partner)}: no profile and no order of it", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    picks, unmatched = [], {}
    if all_held:
        listed = held_matching(store, partner=partner or "", hold_code=held_for.strip(), since=since, until=until)
        if held_for.strip() and not listed:  # a code mistyped, or one no order waits for: say which are
            _held_for_none(store, held_for.strip(), partner)
        picks = [lifecycle.PersonPick(o.partner, o.po_number, o.revision) for o in listed]
        named = (f"{len(listed)} order(s) waiting for a person" + (f" of {shown(partner)}" if partner else "")
                 + (f" held for {shown(held_for)}" if held_for else "")
                 + (f", PO dated {shown(since or '...')} to {shown(until or '...')}" if since or until else ""))
    else:
        for po in dict.fromkeys(pos):  # a PO named twice: once
            matches, _, why = matching_orders(ws, store, po, partner, release)
            if why or not matches:
                unmatched[po] = Decided(partner or "", po, skipped=why or "no such order")
            elif len(matches) > 1:  # a PO held as several releases (or told apart by a reference)
                unmatched[po] = Decided(partner or "", po, skipped=f"is {len(matches)} orders (releases, or told apart "
                                        "by a reference): name it alone with --release")
            elif all(p.po_number != matches[0].po_number for p in picks):  # 'acme-1010' and 'ACME-1010': once
                picks.append(lifecycle.PersonPick(matches[0].partner, matches[0].po_number))
                unmatched[po] = None  # its place in the list: decided below
        named = f"{len(dict.fromkeys(pos))} PO number(s) named"
    return picks, unmatched, named


def _in_named_order(done: list, unmatched: dict, all_held: bool) -> list:
    """The picked orders' outcomes (in the order picked) with the PO numbers that named none, in the order named."""
    decided = iter(done)
    return [d if d is not None else next(decided) for d in unmatched.values()] if not all_held else done


def _held_for_none(store, code: str, partner: str | None) -> None:
    """--held-for CODE matched no order: a code that is no finding code (and no order's) is used wrongly, exit 2;
    either way the codes the orders waiting are held for are named, what --held-for takes."""
    from collections import Counter

    from engine import lifecycle
    from schemas.codes import CATALOGUE

    held = [o for o in store.orders(states=lifecycle.AWAITING_PERSON) if not partner or o.partner == partner]
    codes = Counter(c for o in held for c in o.hold_codes)
    waiting = ("the orders waiting" + (f" of {shown(partner)}" if partner else "") + " are held for: "
               + ", ".join(f"{shown(c)} ({n})" for c, n in sorted(codes.items()))) if codes else \
        "no order" + (f" of {shown(partner)}" if partner else "") + " is waiting for a person"
    if code.upper() not in CATALOGUE and code.upper() not in {c.upper() for c in codes}:
        err.print(f"--held-for {shown(code)}: no finding code is called that (docs/error-codes.md); {waiting}",
                  style="red")
        raise typer.Exit(ExitStatus.USAGE)
    err.print(f"no order waiting for a person is held for {shown(code)}; {waiting}", style="yellow")


def _say_batch(done, named: str, verdict: str, by: str, dry_run: bool) -> None:
    """A row per order (recorded, skipped and why), then the counts."""
    from engine import lifecycle
    from flows.approving import after_batch

    would = ("would approve" if verdict == lifecycle.VERDICT_APPROVED else "would reject") if dry_run else verdict
    t = Table(title=f"{named}: " + (f"{verdict} by {shown(by)}" if not dry_run else "dry run, nothing recorded"))
    for c in ("partner", "PO", "outcome", "held for / why skipped"):
        t.add_column(c, overflow="fold")
    for d in done:
        if d.skipped:
            t.add_row(shown(d.partner), shown(order_shown(d.po_number)), "skipped", shown(d.skipped))
        else:
            also = ([f"and answers {d.waited} that waited on it"] if d.waiting else []) + (
                ["stands and ships as answered (no new 855)"] if d.resumed and not dry_run else
                ["would stand and ship as answered (no new 855)"] if d.resumed else []) + (
                [d.answered_865 if not dry_run else f"if recorded, {d.answered_865}"] if d.answered_865 else [])
            t.add_row(shown(d.partner), shown(order_shown(d.po_number)), would,
                      "\n".join(shown(r) for r in (*d.reasons, *also)))
    console.print(t)
    decided = sum(not d.skipped for d in done)
    skipped = [d for d in done if d.skipped]
    if dry_run:  # and what the partners would be sent, each as its profile receives it (flows.approving)
        sent = after_batch(done, verdict).removeprefix("; ")
        then = f" Recorded, {sent.replace('the next run sends', 'the next run would send', 1)}." if sent else ""
        console.print(f"{decided} order(s) would be {verdict}, {len(skipped)} would be skipped; nothing was "
                      f"recorded.{then}")
    else:
        sent = after_batch(done, verdict)
        console.print(f"{decided} order(s) {verdict} by {shown(by)}, {len(skipped)} skipped{sent}.")
    for d in skipped:
        err.print(f"skipped {shown(d.partner)}/{shown(order_shown(d.po_number))}: {shown(d.skipped)}",
                  style="yellow")


@app.command(epilog=BATCH_EXIT)
def approve(pos: list[str] = typer.Argument(None, metavar="PO...", help="PO number(s) of the partner: one, or "
                                            "several approved together (each checked alone)."),
            partner: str = typer.Option(None, "--partner", help="The partner whose PO it is (needed with PO "
                                        "numbers; with --all-held, only its orders).", callback=partner_id),
            by: str = typer.Option(..., "--by", help="Who approves."),
            note: str = typer.Option("", "--note", help="Why (kept in the order's history; one note for a batch)."),
            all_held: bool = ALL_HELD, held_for: str = APPROVE_HELD_FOR, since: str = SINCE, until: str = UNTIL,
            dry_run: bool = DRY_RUN, release: str = RELEASE, workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Approve held orders: one PO, several, or every held order a search names (--all-held); the next run
    acknowledges each as its partner receives it (an 855, an 870, a CSV acknowledgment). Under one workspace
    lease; an order changed or no longer held is skipped and named, the others are recorded."""
    from engine import lifecycle

    _decide_cli(workspace, pos, partner, by, lifecycle.VERDICT_APPROVED, note, wait, release, all_held, held_for,
                since, until, dry_run)


@app.command(epilog=BATCH_EXIT)
def reject(pos: list[str] = typer.Argument(None, metavar="PO...", help="PO number(s) of the partner: one, or "
                                           "several rejected together (each checked alone)."),
           partner: str = typer.Option(None, "--partner", help="The partner whose PO it is (needed with PO "
                                       "numbers; with --all-held, only its orders).", callback=partner_id),
           by: str = typer.Option(..., "--by", help="Who rejects."),
           reason: str = typer.Option(..., "--reason", help="Why (kept in the order's history; one reason for a "
                                      "batch; needed)."),
           all_held: bool = ALL_HELD, held_for: str = HELD_FOR, since: str = SINCE, until: str = UNTIL,
           dry_run: bool = DRY_RUN, release: str = RELEASE, workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Reject held orders: one PO, several, or every held order a search names (--all-held); the next run answers
    each as its partner receives it (an 855 RD, an 870 canceling each line, a CSV acknowledgment rejecting each
    line). Under one workspace lease; an order changed or no longer held is skipped and named, the
    others are recorded."""
    from engine import lifecycle

    _decide_cli(workspace, pos, partner, by, lifecycle.VERDICT_REJECTED, reason, wait, release, all_held, held_for,
                since, until, dry_run)


RECHECK_EXIT = ("Exit status 0: every order named was rechecked (or, --dry-run, would be; or none was waiting; one PO "
                "named alone that is not held: nothing rechecked); 3: some were skipped, each named with why (no such "
                "order, not waiting for a person, a release held since the buyer cancelled its blanket: approve or "
                "reject it, its partner's profile does not load), the others rechecked; 2: used "
                "wrongly, nothing done (several PO numbers without --partner, PO numbers with --all-held or a filter, "
                "a date that is none, a --held-for CODE that is no finding code; one PO named alone that is no order); "
                "5: another OrderBridge process holds the workspace.")


@app.command(epilog=RECHECK_EXIT)
def recheck(pos: list[str] = typer.Argument(None, metavar="PO...", help="PO number(s) to recheck: one, or several "
                                            "of the partner (each checked alone); none: every held order (as "
                                            "--all-held)."),
            partner: str = typer.Option(None, "--partner", help="Only this partner's orders (needed with several PO "
                                        "numbers).", callback=partner_id),
            by: str = typer.Option("ops", "--by", help="Who rechecks (kept in the history)."),
            now: str = typer.Option(None, "--now", metavar=ISO,
                                    help="The rules' date as an ISO date-time (default: now)."),
            all_held: bool = ALL_HELD, held_for: str = HELD_FOR, since: str = SINCE, until: str = UNTIL,
            dry_run: bool = typer.Option(False, "--dry-run", help="Run the rules and list which orders would stay "
                                         "held (and for what) and which would be cleared, and what would be skipped "
                                         "and why; record nothing."),
            release: str = RELEASE, workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Re-run the rules for held orders against the current reference data (after deals.csv, items.csv, prices or a
    credit limit were fixed): every held order, one PO, several, or those a search names (--all-held --held-for
    CODE ...); an order no longer held is answered by the next run. Under one workspace lease."""
    pos = list(pos or ())
    if len(pos) == 1 and not (all_held or held_for or since or until or dry_run):
        _recheck_one(workspace, pos[0], partner, by, now, release, wait)
        return
    problem = _batch_problem(pos, partner, release, all_held or not pos, held_for, since, until)
    if problem:
        err.print(problem, style="red")
        raise typer.Exit(ExitStatus.USAGE)
    since, until = (date.fromisoformat(v).isoformat() if v else "" for v in (since, until))  # as approve's
    if dry_run:
        done, named = _recheck_batch(workspace, pos, partner, release, by, now, held_for, since, until, dry_run=True)
    else:
        with _holding(workspace, "recheck", wait):
            done, named = _recheck_batch(workspace, pos, partner, release, by, now, held_for, since, until,
                                         dry_run=False)
    _say_rechecked(done, named, by, dry_run)
    raise typer.Exit(ExitStatus.INCOMPLETE if any(d.skipped for d in done) else ExitStatus.OK)


def _recheck_one(workspace: Path, po: str, partner: str | None, by: str, now: str | None, release: str | None,
                 wait: float) -> None:
    """`recheck PO` as it always was: the order named (no --partner needed when one partner has it; exit 2 when
    none), rechecked if it is held; a release held since the buyer cancelled its blanket is skipped, saying why
    (exit 3)."""
    from engine import lifecycle
    from flows.recheck import recheck_held
    from flows.workspace import Workspace

    with _holding(workspace, "recheck", wait):
        store = _state(workspace)
        order = _order_or_exit(store, po, partner, release, workspace)
        po = order.po_number  # a release: its order key
        why = lifecycle.not_rechecked(order)  # held since the buyer cancelled its blanket: a person's call
        if why:
            name = _order_names(Workspace(workspace.resolve()), store, [order])[order.key]
            console.print(f"{shown(order.partner)} / {shown(name)}: skipped: {why}")
            raise typer.Exit(ExitStatus.INCOMPLETE)
        rules_day = datetime.fromisoformat(_now(now)) if now else None
        done = recheck_held(Workspace(workspace.resolve()), store, po=po, partner=partner, by=by,
                            at=datetime.fromisoformat(_wall_clock()), today=rules_day)
        names = _order_names(Workspace(workspace.resolve()), store, [r.after for r in done])
    t = Table(title=f"{len(done)} held order(s) rechecked")
    for c in ("partner", "PO", "now", "reasons"):
        t.add_column(c, overflow="fold")
    for r in done:
        t.add_row(shown(r.after.partner), shown(names[r.after.key]), shown(r.after.state.value),
                  "\n".join(shown(x) for x in r.after.hold_reasons) or "cleared: the next run answers it")
    console.print(t)


def _recheck_batch(workspace: Path, pos: list[str], partner: str | None, release: str | None, by: str,
                   now: str | None, held_for: str, since: str, until: str, *, dry_run: bool):
    """(each picked order's outcome, how they were chosen): the orders the PO numbers or the search name (as
    approve/reject choose them: _picked), rechecked together (flows.recheck); one not held is skipped with why."""
    from engine import lifecycle
    from flows.recheck import recheck_held
    from flows.workspace import Workspace

    store = _state(workspace)
    all_held = not pos
    picks, unmatched, named = _picked(workspace, store, pos, partner, release, all_held, held_for, since, until)
    rules_day = datetime.fromisoformat(_now(now)) if now else None
    ws = Workspace(workspace.resolve())
    keys = {(p.partner, p.po_number) for p in picks}
    done = {r.after.key: r for r in recheck_held(ws, store, keys=keys, by=by, at=datetime.fromisoformat(
        _wall_clock()), today=rules_day, dry_run=dry_run)} if keys else {}
    outcomes = []
    for p in picks:
        key = (p.partner, p.po_number)
        outcome, why = lifecycle.recheck_outcome(store.order(*key) if key not in done else done[key].before,
                                                 done[key].after if key in done else None)
        outcomes.append(Rechecking(*key, outcome, why, done[key].after.hold_reasons if key in done else ()))
    unmatched = {po: d and Rechecking(d.partner, d.po_number, lifecycle.RECHECK_SKIPPED, d.skipped)
                 for po, d in unmatched.items()}
    return _in_named_order(outcomes, unmatched, all_held), named


@dataclass(frozen=True, slots=True)
class Rechecking:
    """One order a recheck named: still held (and for what), cleared, or skipped (``skipped``: why)."""

    partner: str
    po_number: str
    outcome: str
    skipped: str = ""
    reasons: tuple[str, ...] = ()


def _say_rechecked(done: list, named: str, by: str, dry_run: bool) -> None:
    """A row per order (still held and for what, cleared, skipped and why), then the counts."""
    from engine import lifecycle

    would = {lifecycle.RECHECK_HELD: "would stay held", lifecycle.RECHECK_CLEARED: "would be cleared"} if dry_run \
        else {}
    t = Table(title=f"{named}: " + (f"rechecked by {shown(by)}" if not dry_run else "dry run, nothing recorded"))
    for c in ("partner", "PO", "outcome", "held for / why skipped"):
        t.add_column(c, overflow="fold")
    for d in done:
        # each reason shown alone, a line each (shown() of the joined text printed its line breaks as "\n")
        said = shown(d.skipped) if d.skipped else ("the next run answers it" if d.outcome == lifecycle.RECHECK_CLEARED
                                                   else "\n".join(shown(r) for r in d.reasons))
        t.add_row(shown(d.partner), shown(order_shown(d.po_number)), would.get(d.outcome, d.outcome), said)
    console.print(t)
    held = sum(d.outcome == lifecycle.RECHECK_HELD for d in done)
    cleared = sum(d.outcome == lifecycle.RECHECK_CLEARED for d in done)
    skipped = [d for d in done if d.skipped]
    if dry_run:
        console.print(f"{held} order(s) would stay held, {cleared} would be cleared, {len(skipped)} would be "
                      "skipped; nothing was recorded.")
    else:
        console.print(f"{held} order(s) still held, {cleared} cleared by {shown(by)}"
                      + ("; the next run answers them" if cleared else "") + f", {len(skipped)} skipped.")
    for d in skipped:
        err.print(f"skipped {shown(d.partner)}/{shown(order_shown(d.po_number))}: {shown(d.skipped)}",
                  style="yellow")


@app.command("release-held")
def release_held_command(partner: str = typer.Argument(None, help="The partner whose held documents to release.",
                                                       callback=partner_id),
                         warehouse: str = typer.Option(None, "--warehouse", help="Instead: the warehouse whose held "
                                                       "997s/TA1s (answering its 945s) to release."),
                         by: str = typer.Option(..., "--by", help="Who releases (kept with the finding)."),
                         note: str = typer.Option("", "--note", help="Why (kept with the finding)."),
                         workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Release the partner's documents held for a control character in a value (OUTBOUND_CONTROL_CHARACTER): each
    run of them is written as one blank; the next run sends them. --warehouse W: a 3PL's 997s and TA1s held so."""
    if bool(partner) == bool(warehouse):
        err.print("Name the partner (PARTNER) or the warehouse (--warehouse W) whose held documents to release, one "
                  "of them.", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    if warehouse:
        from flows.shipments import release_warehouse_held
        from flows.workspace import Workspace

        ws = Workspace(workspace.resolve())
        known = ws.warehouses()
        if warehouse not in known:
            err.print(f"No profile for warehouse {shown(warehouse)} (warehouses/{shown(warehouse)}.toml).", style="red")
            raise typer.Exit(ExitStatus.USAGE)

        def release(store):
            return release_warehouse_held(ws, known[warehouse], store, now=datetime.fromisoformat(_wall_clock()),
                                          by=by, note=note)
    else:
        from flows.documents import release_blanked

        profiles = _partner_profiles(workspace, partner)
        if partner not in profiles:
            err.print(f"No profile for partner {shown(partner)} (partners/{shown(partner)}.toml).", style="red")
            raise typer.Exit(ExitStatus.USAGE)

        def release(store):
            return release_blanked(store, profiles[partner], now=datetime.fromisoformat(_wall_clock()), by=by,
                                   note=note)
    with _holding(workspace, "release-held", wait):
        store = _state(workspace)
        try:
            done = release(store)
        finally:
            store.close()
    t = Table(title=f"{len(done)} held document(s) released with a blank for each control character")
    for c in ("document", "PO", "values as held"):
        t.add_column(c, overflow="fold")
    for doc, said in done:
        t.add_row(shown(doc.doc_type), shown(", ".join(dict.fromkeys(s.po_number for s in doc.sets if s.po_number))),
                  "\n".join(shown(x) for x in said))
    console.print(t)


@app.command("serial-return")
def serial_return(serial: str = typer.Argument(..., help="The unit's serial number, as shipped."),
                  sku: str = typer.Option(..., "--sku", help="The item (a serial is unique per item)."),
                  by: str = typer.Option(..., "--by", help="Who marks it returned."),
                  reason: str = typer.Option(..., "--reason", help="Why (e.g. the RMA number; kept for audit)."),
                  workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Mark a shipped serial returned (a unit that came back on a return): the next confirmation carrying it
    ships instead of being held SHIPMENT_SERIAL_SHIPPED_BEFORE. The shipment it went on, who, when and why are
    kept (status still lists it under that shipment)."""
    with _holding(workspace, "serial-return", wait):
        store = _state(workspace)
        at = _wall_clock()
        was = store.return_serial(serial, sku, by=by, reason=reason, at=at)
        history = store.returned_serials(serial, sku)
    if was is None:
        before = f" (returned already: {len(history)} time(s), last by {shown(history[-1][5])} at " \
                 f"{shown(history[-1][4])})" if history else ""
        err.print(f"no recorded shipment carries serial {shown(serial)} of {shown(sku)}{before}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    warehouse, shipment_id, partner, po_number, line_id = was
    console.print(f"serial {shown(serial)} of {shown(sku)} returned by {shown(by)} at {shown(at)}: it had shipped on "
                  f"{shown(shipment_id)} ({shown(warehouse)}) for {shown(partner)}/{shown(order_shown(po_number))} "
                  f"line {shown(line_id or '-')}. The next confirmation carrying it ships; a shipment held for it "
                  "ships when the warehouse sends its confirmation again.")


@app.command()
def retake(file: str = typer.Argument(..., help="The file's name as received (as the failures report and `status` "
                                      "name it), or its sha256 (or its first 8+ hex digits)."),
           partner: str = typer.Option(None, "--partner", help="The partner whose order file it is.",
                                       callback=partner_id),
           warehouse: str = typer.Option(None, "--warehouse", help="The warehouse whose confirmation it is."),
           by: str = typer.Option(..., "--by", help="Who asks (kept in the file's history)."),
           note: str = typer.Option(..., "--note", help="Why: what was fixed (kept in the file's history)."),
           workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Take a file's content again: one whose take answered, sent and changed nothing (quarantined before any
    997/TA1 for an unknown sender or a wrong profile, over a limit raised since; a confirmation held with nothing
    shipped from it). The next run takes its kept copy (or a byte-identical resend, whichever comes first); the
    file's history keeps both takes and who asked. A file whose take sent or changed anything is refused (exit 2),
    naming what: nothing is answered or sent twice."""
    from flows import retake as taking_again
    from flows.workspace import Workspace

    with _holding(workspace, "retake", wait):
        store = _state(workspace)
        try:
            marked = taking_again.mark(Workspace(workspace.resolve()), store, file, partner=partner,
                                       warehouse=warehouse, by=by, note=note, at=_wall_clock())
        except taking_again.Refused as exc:
            err.print(shown(exc.message), style="red")
            err.print("Nothing was done.")
            raise typer.Exit(ExitStatus.USAGE) from None
        finally:
            store.close()
    t = marked.earlier
    console.print(f"{shown(partner or 'warehouse ' + warehouse)}/{shown(t['name'])} (sha256 {shown(t['sha256'])}): "
                  f"{shown(marked.stage)} takes it again from its kept copy archive/{shown(marked.kept)} (or a "
                  f"byte-identical resend, whichever comes first). Its take {t['take']} (run {shown(t['run_id'])}, "
                  f"received {shown(t['received_at'])}) left it {shown(t['status'])} with {t['error_count'] or 0} "
                  f"error finding(s) and sent nothing. Asked by {shown(t['asked_by'])} at {shown(t['asked_at'])}: "
                  f"{shown(t['note'])}.")


@app.command()
def resend(partner: str = typer.Option(..., "--partner", help="The partner who says the document never arrived.",
                                       callback=partner_id),
           isa: str = typer.Option(None, "--isa", help="The document's ISA13 (as `status` lists it)."),
           document: str = typer.Option(None, "--document", help="TYPE:NUMBER: an 810's invoice number (810:INV1), "
                                        "an 856's shipment id (856:SH1), or any type's ISA13 (855:42)."),
           po: str = typer.Option(None, "--po", help="The PO whose document it is (with --type)."),
           doc_type: str = typer.Option(None, "--type", help="With --po: 855, 865, 856, 810, 997, or "
                                         "CSV (or csv_ack) for a CSV acknowledgment."),
           file: str = typer.Option(None, "--file", help="The file name it was sent under."),
           by: str = typer.Option(..., "--by", help="Who asks (kept with the resend)."),
           note: str = typer.Option(..., "--note", help="Why: who at the partner said what (kept with the resend)."),
           new_numbers: bool = typer.Option(False, "--new-control-numbers", help="Re-envelope the same transaction "
                                            "sets under a new ISA13 and GS06 from the partner's counters (never "
                                            "reused), in a new file name. Use it when the partner's translator "
                                            "drops an ISA13 it has seen as a duplicate (most do, once the first "
                                            "copy reached it); leave it off when the file never reached them "
                                            "(a lost upload, a VAN that never passed it on): the kept copy goes byte "
                                            "for byte, under its own name and numbers."),
           dry_run: bool = typer.Option(False, "--dry-run", help="Print what would go; record and write nothing."),
           now: str = typer.Option(None, "--now", metavar=ISO, help="The resend's clock, an ISO date-time (default: "
                                   "now): a --new-control-numbers copy's new ISA09/ISA10 and GS04/GS05 and its "
                                   "delivery time come from it (the sets' own dates stay as sent), so the same "
                                   "document, numbers and clock give the same bytes."),
           workspace: Path = WORKSPACE, wait: float = WAIT) -> None:
    """Send a document again when a partner says it never arrived: an 855/865/856/810/997/TA1 or a CSV
    acknowledgment we delivered, put in the partner's outbox (local or SFTP) as the night writes one. By default
    the kept copy byte for byte; --new-control-numbers: the same sets under a new ISA13/GS06. Recorded (who, when,
    why, the file and its numbers: `status` of each PO it covers lists it); a crash before the write is finished
    by the next run, never twice. Refused (exit 2, nothing done): a document never sent, one the partner rejected
    (send a corrected one), a partner whose delivery is not configured."""
    from flows import resend as again
    from flows.night import open_delivery_drop
    from flows.workspace import Workspace
    from schemas.errors import OrderBridgeError

    clock = _now(now) or ""  # a wrong --now: refused before anything is held
    with _holding(workspace, "resend", wait):
        store = _state(workspace)
        try:
            row, chosen = again.resend(Workspace(workspace.resolve()), store,
                                       lambda profile: open_delivery_drop(str(workspace.resolve()), profile),
                                       partner, by=by, note=note, at=_wall_clock(), renumber=new_numbers,
                                       dry_run=dry_run,
                                       isa13=isa or "", document=document or "", po=po or "",
                                       doc_type=doc_type or "", file_name=file or "", clock=clock)
        except again.Refused as exc:
            err.print(shown(exc.message), style="red")
            err.print("Nothing was done.")
            raise typer.Exit(ExitStatus.USAGE) from None
        except OrderBridgeError as exc:  # the drop cannot be reached or written: a recorded resend waits
            err.print(f"the resend was not written: {shown(exc)}. A resend recorded before the failure is written by "
                      "the next run's delivery, or by this command again, under the same numbers.", style="red")
            raise typer.Exit(ExitStatus.INCOMPLETE) from None
        finally:
            store.close()
    d = chosen.document
    sets = f"ST02 {', '.join(d['st02s'])}" if d["st02s"] else "no control numbers (CSV)"
    was = (f"{d['doc_type']} {d['file_name']} (ISA13 {d['isa13'] or '-'} GS06 {d['gs06'] or '-'} {sets}; "
           f"PO {', '.join(d['po_numbers']) or '-'}; delivered {d['delivered_at']})")
    if dry_run:
        how = ("re-enveloped under the next ISA13 and GS06 of the partner's counters, in a new file name"
               if new_numbers else f"byte for byte as {chosen.folder}/{chosen.file_name} ({len(chosen.content)} bytes)")
        pending = f"; a resend of it recorded {row['asked_at']} is not written yet" if row else ""
        console.print(shown(f"Would send {was} again to {partner}, {how}{pending}. Nothing was done (--dry-run)."))
        return
    how = "new control numbers" if row["renumbered"] else "byte for byte"
    console.print(shown(f"Sent {was} again to {partner} as {row['folder']}/{row['file_name']} (ISA13 {row['isa13']}"
                        f" GS06 {row['gs06'] or '-'}, {how})"
                        f"; asked by {row['asked_by']} at {row['asked_at']}: {row['note']}."))
    if row.get("in_outbox"):
        console.print(shown(f"{row['file_name']} was still in the partner's outbox with the same bytes: the partner "
                            "has not taken it yet (nothing written over it). Ask them to poll their outbox."))


@app.command("resends")
def resends_command(partner: str = typer.Option(None, "--partner", help="Only this partner's.", callback=partner_id),
                    as_json: bool = typer.Option(False, "--json", help="One JSON array (the resends table's rows)."),
                    workspace: Path = WORKSPACE) -> None:
    """The resend log: every document sent again (`orderbridge resend`), who asked, when and why, what went."""
    store = _state(workspace)
    try:
        rows = store.resends(partner)
        pos = {r["id"]: ", ".join(d["po_numbers"]) for r in rows
               for d in store.document_heads(r["partner"], ids=[r["document_id"]])}
    finally:
        store.close()
    if as_json:
        sys.stdout.write(json.dumps([{**r, "po_numbers": pos.get(r["id"], "")} for r in rows], indent=2,
                                    ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(rows)} document(s) sent again (asked at: wall clock)")
    for c in ("partner", "type", "PO", "file", "ISA13", "GS06", "how", "status", "asked by", "asked at", "why"):
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*(shown(v) for v in (r["partner"], r["doc_type"], pos.get(r["id"], ""), r["file_name"], r["isa13"],
                                       r["gs06"] or "", "new numbers" if r["renumbered"] else "byte for byte",
                                       r["status"], r["asked_by"], r["asked_at"], r["note"])))
    console.print(t)


@app.command()
def status(po: str = typer.Argument(..., help="PO number (or our invoice number, a shipment id, bill of lading, "
                                    "tracking number, carton SSCC or label, an item as the PO sent it)"),
           partner: str = typer.Option(None, "--partner", help="The partner, when several sent this PO number.",
                                       callback=partner_id),
           as_json: bool = typer.Option(False, "--json", help="One JSON object (stable keys, see README)."),
           release: str = typer.Option(None, "--release", help="One release (850 BEG04; 'blanket' the blanket "
                                       "held beside its releases), or one order told apart by a reference ([x12] "
                                       "order_key_ref: its REF value), of a PO number that is several orders "
                                       "(without it: every one)."),
           dates: bool = typer.Option(False, "--dates", "--asked", help="Also what the PO asked as kept: its DTM "
                                      "dates, terms (ITD), CSH (ship complete, no back order, do-not-exceed), each "
                                      "line's price basis, SDQ store quantities, own ship-to and own REFs (read "
                                      "from the stored 850 tables: slower, loads pyarrow)."),
           workspace: Path = WORKSPACE) -> None:
    """One order's story: state, every line (deleted and cancelled too), every document sent, people's
    decisions, and the history in order with each time's clock."""
    from flows.status_view import run_status

    code = run_status(po, partner, as_json, workspace, out=console, errout=err, release=release, dates=dates)
    if code:
        raise typer.Exit(code)


@app.command()
def orders(store: str = typer.Option(None, "--store", help="Only the orders shipped or going to this store or DC: "
                                     "the ship-to's N104, a shipped carton's mark-for store, or a store the PO's "
                                     "SDQ breaks a line out to ('0102', 'store 102'; leading zeros and case "
                                     "ignored)."),
           short: bool = typer.Option(False, "--short", help="Only the orders a line of which shipped less than "
                                      "ordered (or had its balance cancelled after a short shipment)."),
           partner: str = typer.Option(None, "--partner", help="Only this partner's.", callback=partner_id),
           state: str = typer.Option(None, "--state", help="Only orders in this state (e.g. shipped)."),
           limit: int = typer.Option(50, "--limit", min=1, help="At most this many, newest received first."),
           as_json: bool = typer.Option(False, "--json", help="One JSON object: {\"orders\": [...], \"more\": "
                                        "bool}; each order's po_number (BEG03), release (what --release names it "
                                        "by: its BEG04, \"blanket\", or \"\" when the PO number alone does) and "
                                        "order (as people read it)."),
           workspace: Path = WORKSPACE) -> None:
    """List orders, newest received first: a store's, those shipped short (what the console's orders page lists;
    `status PO` tells one order's story)."""
    from flows.order_lookup import sdq_orders, store_id
    from flows.workspace import Workspace
    from schemas.lifecycle import STATE_NAMES

    if state and state not in STATE_NAMES:
        err.print(f"unknown state {shown(state)}: one of {', '.join(STATE_NAMES)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    ws = Workspace(workspace.resolve())
    st = _state(workspace)
    try:
        rows = st.search_orders(partner=partner or "", states=[state] if state else (), limit=limit + 1,
                                ship_to=store_id(store or ""), shipped_short=short,
                                store_orders=sdq_orders(ws, st, store, partner or "") if store else ())
        names = _order_names(ws, st, rows[:limit])
        if as_json:
            from connectors.order_store import OrderStore
            from flows.releases import order_releases

            releases = order_releases(st, OrderStore(ws.orders_dir), rows[:limit])
    finally:
        st.close()
    more, rows = len(rows) > limit, rows[:limit]
    if as_json:
        from schemas.order_keys import x12_po

        # the PO number (BEG03) and the release that tells it apart (`status PO --release R`), and the order as people
        # read it: never the store's key (it used to be, a release's with its separator character)
        typer.echo(json.dumps({"orders": [{"partner": o.partner, "po_number": x12_po(o.po_number),
                                           "release": releases[o.key], "order": names[o.key],
                                           "state": o.state.value,
                                           "po_date": str(o.po_date or ""), "ship_to_id": o.ship_to_id,
                                           "received_at": o.received_at} for o in rows], "more": more}, indent=2))
        return
    if not rows:
        console.print("no orders match")
        return
    t = Table("partner", "PO", "state", "PO date", "ship-to", "received")
    for o in rows:
        t.add_row(shown(o.partner), shown(names[o.key]), o.state.value, str(o.po_date or ""),
                  shown(o.ship_to_id), shown(o.received_at or ""))
    console.print(t)
    if more:
        console.print(f"  (the newest {limit}; --limit to see more)")


@contextmanager
def _refused():
    """A StateError refusing what was asked (nothing done): its message and exit status 2 (USAGE)."""
    from schemas.errors import StateError

    try:
        yield
    except StateError as exc:
        err.print(shown(exc.message), style="red")
        err.print("Nothing was done.")
        raise typer.Exit(ExitStatus.USAGE) from None


state_app = typer.Typer(no_args_is_help=True, help="The workspace's state store: backup, restore, rebuild.")
app.add_typer(state_app, name="state")


def _show_rebuilt(done, what: str) -> None:
    console.print(f"{what}: {done.documents} sent document(s) recorded from the outboxes, {done.files} archived "
                  f"file(s) replayed, {done.orders} order(s), {done.answered} answered as the outbox says, "
                  f"{done.reservations} reservation(s) restored"
                  + (f", {done.shipments} shipment(s) and {done.invoices} invoice(s) made again from the warehouses' "
                     "confirmations and the outboxes' 856s and 810s" if done.shipments or done.invoices else "")
                  + (f", {done.recorded} line(s) of 856s and 810s recorded for the reconciliation." if done.recorded
                     else "."))
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
        raise typer.Exit(ExitStatus.USAGE)
    ws = Workspace(workspace.resolve())
    with _holding(workspace, "state restore", wait):
        with _refused():
            restore(ws, backup_file, replace=replace_store)
        at = datetime.now().replace(microsecond=0)
        state = StateStore(ws.state_url)
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


partner_app = typer.Typer(no_args_is_help=True, help="Partner onboarding: is a partner ready to trade?")
app.add_typer(partner_app, name="partner")


def _intake_place(ws, profile) -> str:
    """Where a partner's files are read from, for `partner check`: its local drop's inbox (saying when the folder is
    not there yet) or its SFTP server's inbox folder."""
    if profile.drop.kind == "sftp" and profile.drop.sftp is not None:
        s = profile.drop.sftp
        return f"files are read from sftp:{s.host}:{s.remote_inbox} (as {s.user})"
    inbox = ws.drop_root / profile.id / "inbox"
    where = inbox.relative_to(ws.root) if inbox.is_relative_to(ws.root) else inbox
    return (f"files are read from {where}/" + ("" if inbox.is_dir() else " (not there yet: the first run makes it, "
                                                "or make it and put the partner's first files in it)")
            + ("; a VAN mailbox's download goes in mailbox/inbox/ (docs/onboarding.md)" if profile.x12 else ""))


@partner_app.command("check")
def partner_check(partner_id: str = typer.Argument(..., help="The partner's id (partners/<id>.toml)."),
                  workspace: Path = WORKSPACE,
                  on: str = typer.Option(None, "--on", metavar="YYYY-MM-DD", help="The day whose profile is "
                                         "checked, for a profile with dated [[changes]] (default: today); every "
                                         "change is checked either way.")) -> None:
    """Check a partner's profile and the reference data and inventory its orders need; one line per
    missing or wrong piece, exit 1 when something is missing (docs/onboarding.md). Its "intake:" line says where
    the partner's files are read from (its drop's inbox, or its SFTP server's); its "delivery:" lines say
    where each document it receives goes and under what name (an example, the same every time), and how it is
    uploaded ([delivery])."""
    from connectors.reference import load_reference
    from flows.workspace import REFERENCE_FILES, Workspace
    from rules.partner_check import (
        check_profile,
        check_reference,
        continues_lines,
        profile_delivery,
        profile_warnings,
    )
    from rules.reference_rows import case_items_said
    from schemas.errors import ConfigError
    from schemas.profile import load_profile, load_profiles_apart, profile_problem

    ws = Workspace(workspace.resolve())
    problems: list[str] = []
    path = ws.partners_dir / f"{partner_id}.toml"
    profile = None
    if not path.is_file():
        problems.append(f"{path}: no profile for partner {partner_id}")
    else:
        try:
            profile = load_profile(path)
        except ConfigError as exc:  # on one line: each field refused and the value given, or the TOML line
            problems.append(f"{path}: {exc.message.split(':', 1)[0]}: {profile_problem(exc)} (a run leaves "
                            f"{partner_id} out until it loads: its files wait in its drop)")
    if profile is not None and profile.id != partner_id:
        problems.append(f"{path}: the profile's id is {profile.id!r}; the file name must be <id>.toml")
        profile = None
    warnings: list[str] = []
    day = _day_option(on)
    if profile is not None and profile.changes:  # each dated change, and the profile in effect on the day checked
        profile, said = _dated_profile(profile, day)
        for line in said:
            console.print(shown(line), soft_wrap=True)
    if profile is not None:
        problems += check_profile(profile)
        warnings = profile_warnings(profile)
        for effective, version in profile.versions():  # the problems only another day's profile has, with its day
            if version.effective != profile.effective:
                problems += [f"from {effective.isoformat()}: {p}" for p in check_profile(version)
                             if p not in problems]
    if profile is not None and ws.partners_dir.is_dir():  # one company under two profiles ([continues])
        others, broken = load_profiles_apart(ws.partners_dir)
        said, notes = continues_lines(partner_id, others, broken, day)
        problems += said
        for line in notes:
            console.print(f"continues: {shown(line)}", soft_wrap=True)
    for line in warnings:
        console.print(f"warning: {shown(line)}", soft_wrap=True)
    if profile is not None:  # where its files are read from: a new partner's files go there
        console.print(f"intake: {shown(_intake_place(ws, profile))}", soft_wrap=True)
    if profile is not None:  # where each document it receives goes, named as its [delivery] says, and how
        for line in profile_delivery(profile):
            console.print(f"delivery: {shown(line)}", soft_wrap=True)
    missing = [m for m in ws.missing() if not m.startswith(str(ws.partners_dir))]
    problems += missing
    if profile is not None and not any(str(ws.reference_dir / f) in " ".join(missing) for f in REFERENCE_FILES):
        try:
            ref = load_reference(ws.reference_dir)
            problems += check_reference(profile, ref)
        except ConfigError as exc:
            problems.append(f"reference data: {exc}")
        else:
            for f in case_items_said(ref.case_items):  # rows that load and are decided as they say: told, not missing
                console.print(f"warning: {shown(f.message)} ({f.code})", soft_wrap=True)
    if problems:
        for line in problems:
            console.print(f"missing: {shown(line)}", soft_wrap=True)
        console.print(f"partner {shown(partner_id)}: {len(problems)} thing(s) to fix before the first run")
        raise typer.Exit(ExitStatus.INPUT_ERRORS)
    console.print(f"partner {shown(partner_id)}: ready (profile, reference data and inventory in {shown(ws.root)})")


def _day_option(on: str | None):
    """--on's day (today when not given); exit 2 naming it when it is no date."""
    from datetime import date

    try:
        return date.fromisoformat(on) if on else date.today()
    except ValueError:
        console.print(f"--on {shown(on)}: not a date (YYYY-MM-DD)")
        raise typer.Exit(2) from None


def _dated_profile(profile, day) -> tuple:
    """The profile in effect on ``day`` and the lines that say so: one per dated change (its day, how far off,
    the keys it writes, its note), then which is in effect."""
    from datetime import date

    from flows.progress import plural

    lines = []
    for change in profile.changes:
        days = (change.effective - day).days
        when = (("today" if day == date.today() else "the day checked") if days == 0  # --on another day: not today
                else f"in {plural(days, 'day')}" if days > 0 else f"{plural(-days, 'day')} ago")
        lines.append(f"change: effective {change.effective.isoformat()} ({when}): {', '.join(change.keys())}"
                     + (f" ({change.note})" if change.note else ""))
    dated = profile.on(day)
    lines.append(f"in effect on {day.isoformat()}: " + (f"the change effective {dated.effective.isoformat()}"
                                                         if dated.effective else "the profile as written"))
    x = dated.x12
    if x is not None and (x.previous_ids or x.former_ids):  # every earlier switch's ids are still theirs
        lines.append("earlier ids still theirs: " + ", ".join(
            [f"{q}/{i} (997 echoed)" for q, i in x.previous_ids] + [f"{q}/{i} (answered at the ids in effect)"
                                                                    for q, i in x.former_ids]))
    if x is not None and dated.coming():
        lines.append("files from a coming change's ids before its date: " + (
            "taken" if x.early_ids == "take" else "held until its night") + f' ([x12] early_ids = "{x.early_ids}")')
    return dated, lines


inventory_app = typer.Typer(no_args_is_help=True, help="Inventory: load stock and expected receipts.")
app.add_typer(inventory_app, name="inventory")


@inventory_app.command("load")
def inventory_load(stock: Path = typer.Argument(..., help="CSV: as_of,warehouse,sku,on_hand[,reserved] (or a "
                                                "system's export, its columns named with --column; or a 3PL's "
                                                "X12 846 inventory advice)."),
                   receipts: Path = typer.Option(None, "--receipts",
                                                 help="CSV: warehouse,sku,quantity,eta[,po_number] (default: none "
                                                      "expected)."),
                   column: list[str] = typer.Option([], "--column", help="FIELD=COLUMN: read the stock export's "
                                                    "COLUMN as FIELD (as_of, warehouse, sku, on_hand, reserved, "
                                                    "available, lot, expires, unit); its other columns are not "
                                                    "read."),
                   receipt_column: list[str] = typer.Option([], "--receipt-column", help="FIELD=COLUMN for the "
                                                            "receipts (warehouse, sku, quantity, eta, po_number, "
                                                            "unit)."),
                   as_of: str = typer.Option(None, "--as-of", help="The day the stock was counted (YYYY-MM-DD), "
                                             "for an export with no as_of column."),
                   warehouse: str = typer.Option(None, "--warehouse", help="The warehouse of an export with no "
                                                 "warehouse column (one DC's own export)."),
                   location: list[str] = typer.Option([], "--location", help="NAME=WAREHOUSE: the export's name of "
                                                      "one of our warehouses (a location, a fulfillment center)."),
                   new_warehouse: list[str] = typer.Option([], "--new-warehouse", help="CODE: a warehouse the "
                                                           "inventory loaded before does not hold nor a warehouse "
                                                           "profile ships from, loaded as a warehouse of its own "
                                                           "(such a code is otherwise refused: the same DC named "
                                                           "otherwise would be counted twice)."),
                   date_format: str = typer.Option(None, "--date-format",
                                                   help="How the exports write dates (strptime; ISO is read too; "
                                                        "default %Y-%m-%d)."),
                   encoding: str = typer.Option(None, "--encoding", help="The exports' encoding when not UTF-8 or "
                                                "UTF-16 (e.g. cp1252)."),
                   decimal_comma: bool = typer.Option(False, "--decimal-comma",
                                                      help="The exports write numbers 1.200,00 (a comma before "
                                                           "decimals)."),
                   decimal_point: bool = typer.Option(False, "--decimal-point",
                                                      help="The exports write numbers 1,200.00 (the default; over a "
                                                           "layout's decimal_comma)."),
                   empty_is_zero: bool = typer.Option(False, "--empty-is-zero",
                                                      help="An empty quantity cell is 0 (NetSuite, QuickBooks print "
                                                           "a zero so); named on the load."),
                   empty_refused: bool = typer.Option(False, "--empty-refused",
                                                      help="An empty quantity cell is refused at its line (the "
                                                           "default; over a layout's empty_is_zero)."),
                   receipt_date_format: str = typer.Option(None, "--receipt-date-format",
                                                           help="The receipts' date format when not the stock's."),
                   receipt_encoding: str = typer.Option(None, "--receipt-encoding",
                                                        help="The receipts' encoding when not the stock's."),
                   receipt_decimal_comma: bool = typer.Option(False, "--receipt-decimal-comma",
                                                              help="The receipts write 1.200,00 (the stock may "
                                                                   "not)."),
                   receipt_decimal_point: bool = typer.Option(False, "--receipt-decimal-point",
                                                              help="The receipts write 1,200.00 (the stock may "
                                                                   "not)."),
                   receipts_replace: str = typer.Option(None, "--receipts-replace",
                                                        help="warehouses: the receipts replace those loaded before "
                                                             "of the warehouses they name, the others' kept (the "
                                                             "default); all: every receipt loaded before (an ERP's "
                                                             "every open purchase order)."),
                   layout: str = typer.Option(None, "--layout", help="NAME: the stored layout "
                                              "inventory/layouts/NAME.toml (columns, locations, date format, decimal "
                                              "mark, encoding, empty cells; of the stock and of the receipts); the "
                                              "options given here override it."),
                   workspace: Path = WORKSPACE) -> None:
    """Load a stock snapshot (one as_of partition per date in the file; a warehouse's rows replace its rows of that
    day, other warehouses' are kept) and the expected receipts into the workspace's inventory/ (Parquet), checked
    like reference data: a bad row stops the load naming its line and column. A SKU's rows in one warehouse (lots,
    bins) are summed; lots expired before the day are left out; rows in cases are counted in eaches (items.csv,
    item_units.csv). A stored layout (--layout) holds the options of an export loaded every night; receipts due
    before the stock's day are warned. A warehouse code the inventory loaded before does not hold and no
    warehouse profile ships from is refused, when there are such codes (--location maps it, --new-warehouse loads
    it)."""
    from flows.inventory_load import export_layouts, load_exports
    from flows.workspace import Workspace
    from schemas.errors import ConfigError

    ws = Workspace(workspace.resolve())
    for path in [stock, *([receipts] if receipts else [])]:
        if not path.is_file():
            err.print(f"no such file: {shown(path)}", style="red")
            raise typer.Exit(ExitStatus.USAGE)
    try:
        columns = _field_pairs(column, "--column", "FIELD=COLUMN (e.g. on_hand=Quantity On Hand)")
        receipt_columns = _field_pairs(receipt_column, "--receipt-column", "FIELD=COLUMN (e.g. eta=Due Date)")
        locations = _field_pairs(location, "--location", "NAME=WAREHOUSE (e.g. East Coast DC=EAST)") or {}
        day = date.fromisoformat(as_of) if as_of else None
        decimal_comma, empty_is_zero, receipt_decimal_comma = (
            _either(yes, no, f"--{word} and --{other}") for yes, no, word, other in (
                (decimal_comma, decimal_point, "decimal-comma", "decimal-point"),
                (empty_is_zero, empty_refused, "empty-is-zero", "empty-refused"),
                (receipt_decimal_comma, receipt_decimal_point, "receipt-decimal-comma", "receipt-decimal-point")))
        for code in (encoding, receipt_encoding):
            if code:
                import codecs

                codecs.lookup(code)
        if receipts_replace not in (None, "warehouses", "all"):
            raise ValueError(f"--receipts-replace {receipts_replace!r}: warehouses or all")
    except (ValueError, LookupError) as exc:
        err.print(f"{shown(exc)}", style="red")
        raise typer.Exit(ExitStatus.USAGE) from None
    shared = {"warehouse": warehouse, "date_format": date_format, "encoding": encoding,
              "decimal_comma": decimal_comma, "empty_is_zero": empty_is_zero}
    try:  # the layout is our configuration, not the partner's data: a command to fix (README, Exit status)
        stock_layout, receipt_layout = export_layouts(
            ws, layout, shared=shared, stock={"columns": columns, "as_of": day}, locations=locations,
            receipts={"columns": receipt_columns, "date_format": receipt_date_format, "encoding": receipt_encoding,
                      "decimal_comma": receipt_decimal_comma, "replace": receipts_replace})
    except ConfigError as exc:
        err.print(f"layout refused, nothing loaded: {shown(exc)}", style="red", soft_wrap=True)
        raise typer.Exit(ExitStatus.USAGE) from None
    try:
        said = load_exports(ws, stock, receipts, stock_layout, receipt_layout,
                            new_warehouses=[w.strip() for w in new_warehouse])
    except ConfigError as exc:  # a bad row or column of the export: the input to fix, not the workspace
        err.print(f"refused, nothing loaded: {shown(exc)}", style="red", soft_wrap=True)
        raise typer.Exit(ExitStatus.INPUT_ERRORS) from None
    for line in said.lines:
        console.print(shown(line), soft_wrap=True)
    for line in said.warnings:
        console.print(f"warning: {shown(line)}", soft_wrap=True)


def _either(yes: bool, no: bool, both: str) -> bool | None:
    """A setting two flags say (True, False), or None when neither is given (a stored layout's then)."""
    if yes and no:
        raise ValueError(f"{both}: give one of them")
    return True if yes else False if no else None


def _field_pairs(given: list[str], option: str, example: str) -> dict[str, str] | None:
    """A=B options as {A: B}; None when none is given."""
    out = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{option} {item!r}: write {example}")
        out[key.strip()] = value.strip()
    return out or None


def _inspect(path: Path, partner: str | None, workspace: Path):
    from flows.inspect_view import read_checked

    data = path.read_bytes()
    if partner:  # the whole per-file pipeline (and its imports: pandas, the rules) only when asked
        from engine.process import Known, process_file

        profiles = _partner_profiles(workspace, partner)
        if partner not in profiles:
            err.print(f"unknown partner {shown(repr(partner))}", style="red")
            raise typer.Exit(ExitStatus.USAGE)
        profile = profiles[partner]
        if profile.is_csv_file(path.name):  # a CSV order file, read as the night reads it (its rows, not X12)
            from engine.process import process_csv_file

            out = process_csv_file(data, file=path.name, sha256=hashlib.sha256(data).hexdigest(), profile=profile)
            return None, out.findings, out.orders, None
        from connectors.reference import agreed_currency

        out = process_file(data, file=path.name, sha256=hashlib.sha256(data).hexdigest(),
                           profile=profile, known=Known(), today=date.today(),
                           agreed_currency=agreed_currency(workspace.resolve() / "reference", partner))
        return out.parse, out.findings, out.orders, out.change_headers
    return read_checked(data, path.name)


@app.command()
def inspect(file: Path = typer.Argument(..., help="An X12 file (a CSV order file with --partner of a partner "
                                        "sending CSV: read by its layout)."),
            as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
            partner: str = typer.Option(None, "--partner", help=(
                "Also apply this partner's intake checks (its profile's ids, version, guide, limits; a CSV file read "
                "by its layout). The business rules (items, prices, stock) run at a night's decide."),
                                        callback=partner_id),
            workspace: Path = WORKSPACE) -> None:
    """Parse and validate a file: envelopes, findings, orders."""
    if not file.is_file():
        err.print(f"no such file: {shown(file)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    result, findings, orders, changes = _inspect(file, partner, workspace)
    from flows.inspect_view import document, write_json

    doc = document(file, result, findings, orders, changes)
    from schemas.codes_finance import PARTNER_VERDICTS

    # the file's errors: a partner's rejection of a document of ours it tells is an error for ops, not the file's
    errors = sum(1 for f in findings if f.severity == "error" and f.code not in PARTNER_VERDICTS)
    if as_json:
        write_json(doc)
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
            read_as = "read as BCH01" if c.get("set_id") == "876" else "BCH01"  # an 876's G92, as the 860 it says
            console.print(shown(f"{c.get('set_id') or '860'} for PO {c['po_number']} ({read_as} {c['purpose']}): "
                                f"{c['line_count']} change line(s)"))
    raise typer.Exit(ExitStatus.INPUT_ERRORS if errors else ExitStatus.OK)


@app.command()
def ack(file: Path = typer.Argument(..., help="An X12 file."),
        partner: str = typer.Option(None, "--partner", help="Use this partner's profile for the envelope.",
                                    callback=partner_id),
        workspace: Path = WORKSPACE) -> None:
    """Print the 997/TA1 the engine would send for FILE (preview: control numbers start at 1)."""
    if not file.is_file():
        err.print(f"no such file: {shown(file)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    from engine.envelope import Envelope, addressed, envelope_for, wrap, wrap_ta1
    from engine.process import Known, process_file
    from schemas.profile import PartnerProfile

    data = file.read_bytes()
    if partner:
        profiles = _partner_profiles(workspace, partner)
        if partner not in profiles:
            err.print(f"unknown partner {shown(repr(partner))}", style="red")
            raise typer.Exit(ExitStatus.USAGE)
        profile = profiles[partner]
    else:
        from parsers.x12_reader import read_interchanges

        parsed = read_interchanges(data)
        if not parsed.interchanges or parsed.interchanges[0].rejected:
            err.print("no readable ISA: nothing to acknowledge (use --partner to answer with a TA1)", style="red")
            raise typer.Exit(ExitStatus.INPUT_ERRORS)
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
            sys.stdout.write(wrap_ta1(addressed(env, doc.to), list(doc.ta1), isa13=n, now=now).decode())
        else:
            sys.stdout.write(wrap(addressed(env, doc.to), "FA", "997", [list(b) for b in doc.bodies], isa13=n, gs06=n,
                                  st02s=[1], now=now).decode())
    if n == 0:
        err.print("nothing to acknowledge (no readable functional group and no TA1 due)")
    raise typer.Exit(ExitStatus.INPUT_ERRORS if out.error_count else ExitStatus.OK)


def _preview_parties(ic, g) -> dict:
    """The preview's envelope parties, from the file's ISA/GS where the profile model accepts them
    (our envelopes only carry valid values), else ZZ / UNKNOWN."""
    from schemas.profile import X12Settings

    def pick(field: str, value: str, default: str) -> str:
        pattern = X12Settings.model_fields[field].metadata[0].pattern
        return value if re.match(pattern, value) else default

    def qualifier(value: str) -> str:  # an ISA05/ISA07 code of the control version the preview writes
        from schemas.interchange_codes import isa_codes

        return value if value in isa_codes("ISA05", "00501" if g and g.version.startswith("005") else "00401") \
            else "ZZ"

    sender = pick("their_id", ic.sender[:15], "UNKNOWN")
    receiver = pick("our_id", ic.receiver[:15], "UNKNOWN")
    return {"their_qualifier": qualifier(ic.sender_qualifier), "their_id": sender,
            "our_qualifier": qualifier(ic.receiver_qualifier), "our_id": receiver,
            # a GS02/GS03 over 15 characters is no id (GS_APPLICATION_ID_INVALID), not one to cut to 15
            "their_gs_id": pick("their_gs_id", g.sender if g else "", pick("their_gs_id", sender, "UNKNOWN")),
            "our_gs_id": pick("our_gs_id", g.receiver if g else "", pick("our_gs_id", receiver, "UNKNOWN"))}


def _preview_delimiters(d) -> dict:
    """The file's own delimiters for a preview answer (falls back to the defaults if they clash)."""
    from schemas.profile import DelimiterSettings

    candidate = {"element": d.element, "component": d.component, "repetition": d.repetition or "",
                 "segment": d.segment, "suffix": "\n" if d.segment not in "\r\n" else ""}
    try:
        return DelimiterSettings.model_validate(candidate).model_dump()
    except ValueError:
        return DelimiterSettings().model_dump()


# --- the console ------------------------------------------------------------------------------------
@app.command("console")
def console_command(workspace: Path = WORKSPACE,
                    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (another address "
                                             "than this machine's needs console users, see console-user)."),
                    port: int = typer.Option(8765, "--port", help="Port to listen on.")) -> None:
    """Serve the ops and sales console (orders, approvals, runs) over this workspace's state store."""
    from console.server import refusal
    from console.server import serve as serve_console

    if not workspace.is_dir():
        err.print(f"workspace {shown(workspace)} does not exist", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    why = refusal(workspace.resolve(), host)
    if why:
        err.print(f"{shown(why)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    console.print(f"OrderBridge console for {shown(workspace.resolve())} on http://{shown(host)}:{port}/"
                  " (Ctrl-C stops)")
    serve_console(workspace.resolve(), host, port)


users_app = typer.Typer(help="Console users: names, roles (viewer, approver, admin) and hashed passwords.",
                        no_args_is_help=True)
app.add_typer(users_app, name="console-user")


def _password_from_prompt() -> str:
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            err.print("the two passwords differ", style="red")
            raise typer.Exit(ExitStatus.USAGE)
        return first
    return sys.stdin.readline().rstrip("\r\n")


@users_app.command("add")
def console_user_add(name: str = typer.Argument(..., help="User name (letters, digits, . _ @ -)."),
                     role: str = typer.Option("viewer", "--role", help="viewer, approver or admin."),
                     no_password: bool = typer.Option(False, "--no-password", help="Sign-in through the reverse "
                                                      "proxy only (console.toml [auth] mode = \"proxy\")."),
                     workspace: Path = WORKSPACE) -> None:
    """Add a console user (or change one); the password is read from a prompt, or from stdin's first line."""
    from console.auth import add_user
    from schemas.errors import ConfigError

    password = None if no_password else _password_from_prompt()
    try:
        user = add_user(workspace.resolve(), name, role, password)
    except ConfigError as exc:
        err.print(f"{shown(exc)}", style="red")
        raise typer.Exit(ExitStatus.USAGE) from None
    saved = workspace / "console" / "users.json"
    console.print(f"console user {shown(user.name)} ({user.role}) saved in {shown(saved)}")


@users_app.command("list")
def console_user_list(workspace: Path = WORKSPACE) -> None:
    """List console users and their roles."""
    from console.auth import load_users

    for u in load_users(workspace.resolve()).values():
        console.print(f"{shown(u.name)}\t{u.role}\t{'password' if u.password else 'proxy only'}")


@users_app.command("remove")
def console_user_remove(name: str = typer.Argument(..., help="The user's name (console-user list shows them)."),
                        workspace: Path = WORKSPACE) -> None:
    """Remove a console user (signed-in sessions end at their next request)."""
    from console.auth import remove_user

    if not remove_user(workspace.resolve(), name):
        err.print(f"no console user {shown(name)}", style="red")
        raise typer.Exit(ExitStatus.USAGE)
    console.print(f"console user {shown(name)} removed")


from flows import cli_finance  # noqa: E402,F401 - registers exceptions, exception and record on app


def main() -> None:
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback for a user
        from schemas.errors import ConfigError, StateError, StorageError, WorkspaceBusy

        err.print(f"{type(exc).__name__}: {shown(exc)}", style="red")
        raise SystemExit(ExitStatus.BUSY if isinstance(exc, WorkspaceBusy) else
                         ExitStatus.WORKSPACE_UNUSABLE if isinstance(exc, (StateError, StorageError, ConfigError))
                         else ExitStatus.INCOMPLETE) from None


if __name__ == "__main__":
    main()
