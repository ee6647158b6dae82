"""`orderbridge` commands for finance: `exceptions` (the list), `exception show|explain|resolve|reopen`
(one exception, a person's action with who and why, kept in its history), and `record` (810s and 856s another
system of ours sent a partner, kept so the reconciliation sees them). Registered on flows.cli's app; reads and
writes only through the state store, decides nothing (engine.exception_states.act does).
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import typer
from rich.table import Table

from flows.cli import ISO, WORKSPACE, _state, _wall_clock, app, console, err, partner_id
from flows.progress import plural
from flows.terminal import shown, styled
from schemas.money_text import amount_text

exception_app = typer.Typer(no_args_is_help=True, help="One reconciliation exception: show it, or explain, "
                            "resolve or reopen it (who and why are kept in its history).")
app.add_typer(exception_app, name="exception")

STATES = ("open", "explained", "resolved")


def _amount(value, currency: str | None) -> str:
    """An amount as finance reads it: its currency's decimals (a yen amount whole), thousands separated."""
    return amount_text(value, currency)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


STATE = typer.Option(None, "--state", help="Only exceptions in this state (open, explained, resolved; repeatable).")
PARTNER = typer.Option(None, "--partner", help="Only this partner's exceptions (its id, any case).",
                       callback=partner_id)
KIND = typer.Option(None, "--type", help="Only this type (e.g. SHIPPED_NOT_INVOICED, any case).")
PO = typer.Option(None, "--po", help="Only exceptions about this PO number (any case).")
ALL = typer.Option(False, "--all", help="Also exceptions the last reconciliation no longer found (cleared: "
                   "resolved by orderbridge).")
LIST_JSON = typer.Option(False, "--json", help="One JSON array (the EXCEPTIONS columns).")
SHOW_JSON = typer.Option(False, "--json", help="One JSON object: the exception, its evidence, its history.")
BY = typer.Option(..., "--by", help="Who acts (kept in the exception's history).")
NOTE = typer.Option(..., "--note", help="Why (kept in the exception's history).")
ID = typer.Argument(..., help="The exception's id (EX-..., or its unique beginning).")
SINCE = typer.Option(None, "--since", help="Only POs dated (else received) on or after this date (YYYY-MM-DD); "
                     "changes since the last reconciliation before it.")
AS_OF = typer.Option(None, "--now", metavar=ISO, help="Match the lines as of this run clock (default: the last "
                     "reconciliation's).")


@app.command()
def exceptions(state: list[str] = STATE, partner: str = PARTNER, kind: str = KIND, po: str = PO,
               everything: bool = ALL, as_json: bool = LIST_JSON, workspace: Path = WORKSPACE) -> None:
    """List the reconciliation's exceptions: what is wrong, the money at risk, its age and state. By
    default those the last reconciliation found."""
    from schemas.reconciliation import EXCEPTION_TYPES

    bad = sorted(set(state or []) - set(STATES))
    if bad:
        err.print(f"unknown state(s) {shown(', '.join(bad))}; states are {', '.join(STATES)}", style="red")
        raise typer.Exit(2)
    if kind is not None:  # a type misspelt or in lower case listed nothing, as if there were none
        kind = kind.strip().upper()
        if kind not in EXCEPTION_TYPES:
            err.print(f"unknown type {shown(kind)}; types are {', '.join(EXCEPTION_TYPES)}", style="red")
            raise typer.Exit(2)
    store = _state(workspace)
    try:
        # a partner id (lower case: partner_id) and a PO number as a person types them: `ACME`, `acme-1000`
        table = store.stored_exceptions(active=None if everything else True, states=state or None,
                                        partner=partner)
    finally:
        store.close()
    rows = [r for r in table.to_pylist()
            if (kind is None or r["type"] == kind) and (po is None or r["po_number"].casefold() == po.casefold())]
    if as_json:
        sys.stdout.write(json.dumps([{k: _plain(v) for k, v in r.items()} for r in rows], indent=2,
                                    ensure_ascii=False) + "\n")
        return
    unresolved: dict[str, Decimal] = {}
    for r in rows:
        if r["state"] != "resolved":
            unresolved[r["currency"] or ""] = unresolved.get(r["currency"] or "", Decimal(0)) + r["amount_at_risk"]
    at_risk = " + ".join(f"{_amount(v, c)} {c}".strip() for c, v in sorted(unresolved.items())) or "0.00"
    wide = console.width >= 170  # room for what is wrong and the note; else `exception show` has them
    t = Table(title=f"{len(rows)} exception(s); {at_risk} at risk unresolved (amounts in the PO's currency; age "
              "in days as of the last reconciliation)")
    columns = ("id", "partner", "PO", "line", "type", "amount", "age", "state",
               *(("by / note", "what") if wide else ()))
    for c in columns:
        t.add_column(c, overflow="fold", no_wrap=c not in ("by / note", "what"),
                     justify="right" if c in ("line", "amount", "age") else "left")
    for r in rows:
        state_text = r["state"] if r["active"] else f"{r['state']}*"
        amount = _amount(r["amount_at_risk"], r["currency"]) + (f" {r['currency']}" if wide and r["currency"] else "")
        cells = [r["exception_id"], r["partner"], r["po_number"], "" if r["line_number"] is None else r["line_number"],
                 r["type"], amount, r["age_days"], state_text]
        if wide:
            cells += [f"{r['state_by']}: {r['state_note']}" if r["state_by"] else "", r["message"]]
        t.add_row(*(shown(v) for v in cells))
    console.print(t)
    if any(not r["active"] for r in rows):
        console.print("  * cleared: the last reconciliation no longer found it")
    if rows:
        console.print(styled("Change one: ", ("orderbridge exception explain|resolve|reopen ID --by NAME --note TEXT "
                                              f"-w {workspace}", "bold"), "; ",
                             (f"orderbridge exception show ID -w {workspace}", "bold"),
                             " shows its evidence and history."))


def _one(store, exception_id: str) -> dict:
    """The stored exception with this id (or an unambiguous beginning of it), else exit status 2."""
    table = store.stored_exceptions()
    ids = table["exception_id"].to_pylist()
    wanted = exception_id.strip()
    hits = [i for i in ids if i == wanted] or [i for i in ids if i.upper().startswith(wanted.upper())]
    if len(hits) != 1:
        what = "no exception" if not hits else f"{len(hits)} exceptions start with"
        err.print(f"{what} {shown(exception_id)}; `orderbridge exceptions` lists them", style="red")
        raise typer.Exit(2)
    return next(r for r in table.to_pylist() if r["exception_id"] == hits[0])


@exception_app.command("show")
def show(exception_id: str = ID, as_json: bool = SHOW_JSON, workspace: Path = WORKSPACE) -> None:
    """One exception: what is wrong and the money at risk, the documents behind it, its history."""
    store = _state(workspace)
    try:
        r = _one(store, exception_id)
        evidence = store.exception_evidence([r["exception_id"]]).to_pylist()
        history = store.exception_history(r["exception_id"])
    finally:
        store.close()
    if as_json:
        doc = {"exception": {k: _plain(v) for k, v in r.items()},
               "evidence": [{k: _plain(v) for k, v in e.items()} for e in evidence], "history": history}
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return
    line = f" line {r['line_number']}" if r["line_number"] is not None else ""
    console.print(styled((r["exception_id"], "bold"), f": {r['type']} - {r['partner']} / {r['po_number']}{line}"))
    console.print(shown(f"  {r['message']}"))
    at_risk = _amount(r["amount_at_risk"], r["currency"])
    console.print(shown(f"  amount at risk {at_risk} {r['currency'] or ''}; since {r['since']} "
                        f"({plural(r['age_days'], 'day')}); state {r['state']}"
                        + ("" if r["active"] else f", cleared {r['cleared_at']:%Y-%m-%d %H:%M}")
                        + (f" by {r['state_by']}: {r['state_note']}" if r["state_by"] else "")))
    e = Table(title="evidence (times: run clock)")
    for c in ("role", "document", "reference", "ISA13", "GS06", "ST02", "file", "at", "code", "qty", "price"):
        e.add_column(c, overflow="fold")
    for x in evidence:
        e.add_row(*(shown("" if v is None else _plain(v)) for v in (
            x["role"], x["doc_type"], x["document_ref"], x["isa13"], x["gs06"], x["st02"], x["file"], x["at"],
            x["code"], x["quantity"], x["unit_price"])))
    console.print(e)
    h = Table(title="history (people: wall clock; orderbridge: run clock)")
    for c in ("#", "at", "clock", "action", "state", "by", "note"):
        h.add_column(c, overflow="fold")
    for x in history:
        moved = f"{x['from_state'] or '-'} -> {x['to_state']}"
        h.add_row(*(shown(v) for v in (x["seq"], x["at"], x["clock"], x["action"], moved, x["actor"], x["note"] or "")))
    console.print(h)


def _act(action: str, exception_id: str, by: str, note: str, workspace: Path) -> None:
    from engine.exception_states import act
    from schemas.errors import ActionRefused

    store = _state(workspace)
    try:
        r = _one(store, exception_id)
        try:
            change = act(r["exception_id"], r["state"], action, by=by, note=note,
                         at=datetime.fromisoformat(_wall_clock()))
        except ActionRefused as exc:
            err.print(f"{shown(r['exception_id'])}: {shown(exc.message)}"
                      + (f" (it is {shown(r['state'])}; allowed: {shown(', '.join(exc.context['allowed']))})"
                         if exc.context.get("allowed") else ""), style="red")
            raise typer.Exit(2) from None
        store.change_exception(change)
    finally:
        store.close()
    console.print(shown(f"{change.exception_id}: {change.from_state} -> {change.to_state} by {change.by} "
                        f"({change.note})"))




@exception_app.command("explain")
def explain(exception_id: str = ID, by: str = BY, note: str = NOTE, workspace: Path = WORKSPACE) -> None:
    """A known, accepted difference: the note says why. It stays explained while its amount stays the same."""
    _act("explain", exception_id, by, note, workspace)


@exception_app.command("resolve")
def resolve(exception_id: str = ID, by: str = BY, note: str = NOTE, workspace: Path = WORKSPACE) -> None:
    """Fixed (e.g. a credit note sent, the 810 sent again). Reopened by the next run if still found."""
    _act("resolve", exception_id, by, note, workspace)


@exception_app.command("reopen")
def reopen(exception_id: str = ID, by: str = BY, note: str = NOTE, workspace: Path = WORKSPACE) -> None:
    """Back to open (an explanation or a resolution that did not hold)."""
    _act("reopen", exception_id, by, note, workspace)


RECORD_PARTNER = typer.Option(..., "--partner", help="The partner the documents were sent to.", callback=partner_id)
RECORD_BY = typer.Option(..., "--by", help="Who records them (kept with every line).")
RECORD_NOTE = typer.Option("", "--note", help="Why, or where they come from (e.g. 'ERP manual invoices').")
RECORD_AT = typer.Option(None, "--at", help="When they were sent (ISO; default: each group's GS04/GS05).")
FILE = typer.Argument(..., help="An X12 file holding 810s and/or 856s we sent.")


@app.command()
def record(file: Path = FILE, partner: str = RECORD_PARTNER, by: str = RECORD_BY, note: str = RECORD_NOTE,
           at: str = RECORD_AT, workspace: Path = WORKSPACE) -> None:
    """Record 810 invoices and 856 ship notices that another system of ours (an ERP, a warehouse) sent
    a partner, so the next reconciliation sees them beside OrderBridge's own. Nothing is sent."""
    from flows.reconcile import record_documents, recorded_resent
    from flows.workspace import Workspace

    if not file.is_file():
        err.print(f"no such file: {shown(file)}", style="red")
        raise typer.Exit(2)
    if partner not in Workspace(workspace.resolve()).partners():
        err.print(f"unknown partner {shown(repr(partner))}", style="red")
        raise typer.Exit(2)
    try:
        sent_at = datetime.fromisoformat(at).replace(microsecond=0) if at else None
    except ValueError:
        err.print("--at is an ISO date-time, e.g. 2026-11-28T09:30:00", style="red")
        raise typer.Exit(2) from None
    store = _state(workspace)
    try:
        read, added, findings = record_documents(store, file, partner=partner, by=by, note=note,
                                                 at=datetime.fromisoformat(_wall_clock()), sent_at=sent_at)
        resent = recorded_resent(store, file, partner=partner) if read else []
    finally:
        store.close()
    if read:
        console.print(shown(f"{file.name}: {added} line(s) of 810s and 856s recorded for {partner} "
                            f"({read - added} recorded before); the next reconciliation sees them."))
        for ref, isa13, gs06, others in resent:  # the same 856 (BSN02, lines) recorded from another file or envelope
            console.print(shown(f"  856 {ref} (ISA13 {isa13}, GS06 {gs06}) is the same ship notice, the same lines, "
                                f"as recorded from {', '.join(others)}: taken as a resend, one document counted once "
                                "(its latest copy's numbers), timed by its first sending"))
    else:  # an empty file, a PDF, an 850 given by mistake: it said "0 line(s) ... recorded" and exit 0
        # (this else was the for loop's, after the resends were added: every recorded file said nothing was recorded)
        console.print(shown(f"{file.name}: no line of an 810 or 856 read: nothing recorded for {partner}."),
                      style="red")
    for f in findings:
        console.print(shown(f"  {f.severity} {f.code}: {f.message}"), style="red" if f.severity == "error" else None)
    errors = any(f.severity == "error" for f in findings)
    raise typer.Exit(1 if errors else 0 if read else 2)
