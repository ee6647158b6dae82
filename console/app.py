"""The console's web application (Starlette, Jinja2 templates with autoescape, no JavaScript): orders
search and order pages, the approvals queue, runs with their reports and files' journeys, sign-in.
Approving or rejecting goes through engine.lifecycle.plan_person_decision and StateStore.apply,
exactly as `orderbridge approve` does, recorded under the signed-in user, under the workspace lease
(connectors.lease) as the command takes it: refused while a run or another person's command holds
it. The orders ticked on the approvals page are decided together as `orderbridge approve PO...` does
(flows.approving: each checked against the revision the page showed, each applied alone, one lease).
Never imports prefect.
"""

from __future__ import annotations

import json
import time
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from connectors import lease
from connectors.state import HELD as DOCUMENT_HELD
from connectors.state import StateConflict, StateStore
from console import auth, reading
from console.session import Session, csrf_ok, sign, unsign
from engine import lifecycle
from engine.run_summary import file_status_text
from schemas.errors import WorkspaceBusy
from schemas.order_keys import shown as order_shown
from schemas.parties import WAREHOUSE_PARTY

HERE = Path(__file__).resolve().parent
MAX_FORM = 64 * 1024
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none';"
            " frame-ancestors 'none'")
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox; frame-ancestors 'none'"
VERDICTS = {"approve": lifecycle.VERDICT_APPROVED, "reject": lifecycle.VERDICT_REJECTED}


class Console:
    """One workspace's console: settings, users, secret and a read connection to its state store."""

    def __init__(self, workspace: Path, *, wall_clock=None) -> None:
        from flows.workspace import Workspace

        self.ws = Workspace(Path(workspace).resolve())
        self.settings = auth.load_settings(self.ws.root)
        self.key = auth.secret(self.ws.root)
        self._users: tuple[float, dict[str, auth.User]] = (-1.0, {})
        self._store: StateStore | None = None
        self._credit: tuple[tuple, dict] = ((), {})
        self.wall_clock = wall_clock or (lambda: datetime.now().replace(microsecond=0).isoformat())
        self.cookie = "ob_console"
        self.templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                                     autoescape=select_autoescape(("html",), default=True), trim_blocks=True,
                                     lstrip_blocks=True)
        self.templates.filters["qs"] = lambda d: urlencode(d)
        self.templates.filters["money"] = reading.money
        self.templates.filters["po"] = order_shown  # a later release as "PO release N" (schemas.order_keys)

    # --- users and sessions ---------------------------------------------------------------------------
    def users(self) -> dict[str, auth.User]:
        """The users file, read again when it changes (a removed user is out at once)."""
        path = auth.users_path(self.ws.root)
        stamp = path.stat().st_mtime_ns if path.is_file() else -1.0
        if stamp != self._users[0]:
            self._users = (stamp, auth.load_users(self.ws.root))
        return self._users[1]

    def read_only(self) -> bool:
        """No users configured (only possible on a loopback address): everyone views, no one decides."""
        return self.settings.auth.mode == "password" and not self.users()

    def session(self, request: Request) -> Session | None:
        raw = request.cookies.get(self.cookie)
        max_age = self.settings.auth.session_hours * 3600
        return unsign(raw, self.key, now=time.time(), max_age=max_age) if raw else None

    def user(self, request: Request, session: Session | None) -> auth.User | None:
        users = self.users()
        if self.settings.auth.mode == "proxy":
            client = request.client.host if request.client else ""
            name = request.headers.get(self.settings.auth.header, "") if self.settings.auth.trusts(client) else ""
            return users.get(name.strip()) if name else None
        if session and session.user:
            return users.get(session.user)
        if self.read_only():
            return auth.User("(nobody signed in)", "viewer")
        return None

    # --- the store ------------------------------------------------------------------------------------
    def store(self) -> StateStore | None:
        if self._store is None and (self.ws.state_on_postgres or self.ws.state_path.is_file()):
            self._store = StateStore(self.ws.state_url)
        return self._store

    def credit(self, store: StateStore) -> dict[str, reading.Credit]:
        """Each customer's credit exposure, summed again only when an order, customers.csv or
        customer_currencies.csv changed
        (summing every open order's value takes about a second at 100,000 orders)."""
        folder = _reference_dir(self)
        paths = [folder / n for n in ("customers.csv", "customer_currencies.csv")] if folder else []
        stamp = (store.last_event(), *(p.stat().st_mtime_ns if p.is_file() else 0 for p in paths))
        if stamp != self._credit[0]:
            self._credit = (stamp, reading.credit_by_partner(store, folder))
        return self._credit[1]

    def partners(self) -> list[tuple[str, str]]:
        """Each partner of the workspace's profiles as (id, name), by id (a profile that does not load: its file's
        name, no name): the partner filters' suggestions (a datalist), so that among hundreds of partners a person
        finds the id by typing part of it or of the name."""
        from schemas.profile import load_profiles_apart

        loaded, broken = load_profiles_apart(self.ws.partners_dir)
        return sorted([*((pid, p.name) for pid, p in loaded.items()), *((pid, "") for pid in broken)])

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    # --- rendering ------------------------------------------------------------------------------------
    def page(self, request: Request, template: str, *, status: int = 200, session: Session | None = None,
             **context) -> HTMLResponse:
        session = session or self.session(request) or Session.fresh(now=time.time())
        user = self.user(request, session)
        body = self.templates.get_template(template).render(
            user=user, csrf=session.csrf, read_only=self.read_only(), proxy=self.settings.auth.mode == "proxy",
            workspace=self.ws.root.name, **context)
        response = HTMLResponse(body, status_code=status)
        self.remember(response, session)
        return response

    def remember(self, response: Response, session: Session) -> None:
        response.set_cookie(self.cookie, sign(session, self.key), httponly=True, samesite="strict",
                            max_age=int(self.settings.auth.session_hours * 3600), path="/")


async def _form(request: Request) -> dict[str, str] | None:
    """An application/x-www-form-urlencoded body (our forms' only kind), or None when it is not one; a field
    given several times (ticked boxes): its first value here, every one in _form_lists."""
    fields = await _form_lists(request)
    return {k: v[0] for k, v in fields.items()} if fields is not None else None


async def _form_lists(request: Request) -> dict[str, list[str]] | None:
    """The form's fields, each with every value given (in order)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return None
    body = await request.body()
    if len(body) > MAX_FORM:
        return None
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        return None


def _picks(values: list[str]) -> list[lifecycle.PersonPick] | None:
    """The ticked orders of the approvals page (each box's value: [partner, PO number, revision shown] in JSON), or
    None when one is not such a value (a forged form)."""
    picks = []
    for value in values:
        try:
            partner, po, revision = json.loads(value)
        except (ValueError, TypeError):
            return None
        if not (isinstance(partner, str) and isinstance(po, str) and type(revision) is int):
            return None
        picks.append(lifecycle.PersonPick(partner, po, revision))
    return picks


def create_app(workspace: Path, *, wall_clock=None) -> Starlette:
    """The console's ASGI application for ``workspace`` (``wall_clock``: the time of people's actions)."""
    c = Console(workspace, wall_clock=wall_clock)

    def guarded(request: Request, role: str = "viewer"):
        """(session, user) or a response: the sign-in page, or 403 when the role is too low."""
        session = c.session(request)
        if c.read_only() and not auth.is_loopback(urlsplit("//" + request.headers.get("host", "")).hostname or ""):
            # no users: anyone on this machine reads every order. A request naming another host is a page of another
            # site that had its name resolve to this machine (DNS rebinding) to read them: refused.
            return c.page(request, "message.html", status=421, title="Not this address",
                          message="No console users are configured, so this console answers only to this machine's"
                                  " own names (localhost, 127.0.0.1, [::1]).")
        user = c.user(request, session)
        if user is None:
            if c.settings.auth.mode == "proxy":
                return c.page(request, "message.html", status=401, title="Not signed in",
                              message="The reverse proxy did not name a user this console knows.")
            asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")  # an order's link too
            return RedirectResponse("/login?" + urlencode({"next": asked}), status_code=303)
        if not user.can(role):
            return c.page(request, "message.html", status=403, title="Not allowed",
                          message=f"{user.name} is a {user.role}; this needs the {role} role.")
        return session, user

    async def checked_form(request: Request, role: str):
        """The POSTed form after the CSRF check and the role check; else the refusal."""
        form = await _form(request)
        session = c.session(request)
        if form is None or not csrf_ok(session, form.get("csrf", "")):
            return c.page(request, "message.html", status=403, title="Form refused",
                          message="This form has no valid CSRF token (open the page again and resubmit).")
        got = guarded(request, role)
        if not isinstance(got, tuple):
            return got
        return form, got[0], got[1]

    def home(request: Request) -> Response:
        return RedirectResponse("/orders", status_code=303)

    def login_page(request: Request) -> Response:
        if c.settings.auth.mode == "proxy" or c.read_only():
            return RedirectResponse("/orders", status_code=303)
        return c.page(request, "login.html", next=_next(request.query_params.get("next")), error="")

    async def login(request: Request) -> Response:
        form = await _form(request)
        session = c.session(request)
        if form is None or not csrf_ok(session, form.get("csrf", "")):
            return c.page(request, "message.html", status=403, title="Form refused",
                          message="This form has no valid CSRF token (open the page again and resubmit).")
        user = c.users().get(form.get("name", ""))
        if user is None or not user.password or not auth.verify_password(form.get("password", ""), user.password):
            return c.page(request, "login.html", status=401, next=_next(form.get("next")),
                          error="Unknown user or wrong password.")
        response = RedirectResponse(_next(form.get("next")), status_code=303)
        c.remember(response, Session.fresh(user.name, now=time.time()))  # a new token at sign-in
        return response

    async def logout(request: Request) -> Response:
        got = await checked_form(request, "viewer")
        if not isinstance(got, tuple):
            return got
        response = RedirectResponse("/login", status_code=303)
        c.remember(response, Session.fresh(now=time.time()))
        return response

    def orders(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        search = reading.Search.parse(dict(request.query_params))
        store = c.store()
        rows, more = search.run(store, c.ws) if store else ([], False)
        typed = None  # the search as typed, when its capitals are what is shown
        if store and not rows and (capitals := search.in_capitals()) is not None:
            found = capitals.run(store, c.ws)
            if found[0]:  # nothing as typed, but in capitals: shown, and the page says so
                typed, search, (rows, more) = search, capitals, found
        if store and not rows and (loose := search.in_loose()) is not None:
            found = loose.run(store, c.ws)  # typed loosely: "PO# 4500-012345", "004500012345", "acme 1001"
            if found[0]:
                typed, search, (rows, more) = None, loose, found
        quoted = ""  # what named the orders when the PO box held one of our documents' numbers (flows.order_lookup)
        if store and not rows and search.po:
            rows, more, quoted = search.quoted(c.ws, store)
        if store and not rows and (part := search.in_part()) is not None:
            found = part.run(store, c.ws)  # nor in capitals: the PO numbers holding it anywhere, in any case
            if found[0]:
                search, (rows, more) = part, found
        by_item = False  # no line has the item as our SKU: the orders whose PO sent it (the buyer's, a UPC)
        if store and not rows and search.sku:
            rows, more = search.by_item(c.ws, store)
            by_item = bool(rows)
        return c.page(request, "orders.html", session=got[0], search=search, rows=rows, more=more,
                      names=reading.order_names(store, c.ws, rows),
                      currencies={p: c.ws.finance_currency(p) for p in {o.partner for o in rows if not o.currency}},
                      states=reading.STATES, no_store=store is None, typed=typed if not by_item else None,
                      by_item=by_item, quoted=quoted, partners=c.partners())

    def order(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        store = c.store()
        partner, po = request.query_params.get("partner", ""), request.query_params.get("po", "")
        record = store.order(partner, po) if store else None
        if record is None:
            return c.page(request, "message.html", status=404, session=got[0], title="No such order",
                          message=f"No order {po} for partner {partner}.")
        credit, value = None, None
        if record.state in lifecycle.AWAITING_PERSON:
            credit = c.credit(store).get(record.partner)
            credit = credit.in_currency(record.currency) if credit else None
            value = reading.ordered_values(store, [record])[record.key]
        doc = reading.order_page(store, record, c.ws)
        if reading.is_blanket(record):  # what its releases called off of each line, and what is left
            doc["blanket_drawdown"] = reading.blanket_drawdown(c.ws, store, record)
        return c.page(request, "order.html", session=got[0], o=record, doc=doc, credit=credit, value=value,
                      name=reading.order_names(store, c.ws, [record])[record.key],
                      can_decide=record.state in lifecycle.AWAITING_PERSON, ship_to=reading.ship_to(c.ws, record),
                      held_documents=sum(x["status"] == DOCUMENT_HELD for x in doc["documents"]))

    def approvals(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        store = c.store()
        search = reading.Search.parse(dict(request.query_params))  # its partner, PO dates and page; reason: below
        reason = (request.query_params.get("reason") or "").strip()[:100]
        rows = store.search_orders(states=lifecycle.AWAITING_PERSON, partner=search.partner, hold_code=reason,
                                   since=search.since, until=search.until, limit=reading.PAGE + 1,
                                   offset=(search.page - 1) * reading.PAGE) if store else []
        credit = c.credit(store) if store else {}
        more, rows = len(rows) > reading.PAGE, rows[:reading.PAGE]  # one more asked for: whether a next page follows
        filters = {k: v for k, v in {"partner": search.partner, "reason": reason, "since": search.since,
                                     "until": search.until}.items() if v}
        return c.page(request, "approvals.html", session=got[0], rows=rows,
                      names=reading.order_names(store, c.ws, rows),
                      values=reading.ordered_values(store, rows) if store else {},
                      more=more, page=search.page, credit=credit, filters=filters, problem=search.problem,
                      reasons=store.hold_codes(lifecycle.AWAITING_PERSON) if store else [],
                      notice=request.query_params.get("done", ""), ticked=request.query_params.get("all") == "1",
                      here_url="/approvals?" + urlencode(dict(filters, page=search.page)), partners=c.partners())

    async def decide(request: Request) -> Response:
        got = await checked_form(request, "approver")
        if not isinstance(got, tuple):
            return got
        form, session, user = got
        store = c.store()
        verdict = VERDICTS.get(form.get("verdict", ""))
        note = form.get("note", "").strip()[:500]
        record = store.order(form.get("partner", ""), form.get("po", "")) if store else None
        status, problem = 200, ""
        if verdict is None:
            status, problem = 400, "Choose approve or reject."
        elif record is None:
            status, problem = 404, "No such order."
        elif record.state not in lifecycle.AWAITING_PERSON or str(record.revision) != form.get("revision"):
            status, problem = 409, (f"{record.partner}/{record.po_number} is {record.state.value} (revision"
                                    f" {record.revision}) now: it changed since the page was shown; nothing was"
                                    " recorded.")
        elif verdict == lifecycle.VERDICT_REJECTED and not note:
            status, problem = 400, "A rejection needs a note saying why."
        if problem:
            return c.page(request, "message.html", status=status, session=session, title="Nothing recorded",
                          message=problem)
        try:
            with lease.acquire(c.ws.root, "approve" if verdict == lifecycle.VERDICT_APPROVED else "reject",
                               note=f"console, {user.name}"):
                from flows.approving import follows_decision

                follows = follows_decision(store, record, verdict, c.ws)  # (an 865 answering its 860s: said so)
                plan = lifecycle.plan_person_decision(record, verdict, by=user.name, note=note, at=c.wall_clock(),
                                                      lines=store.order_lines(*record.key),
                                                      reservations=store.reservations_for([record.key]).get(
                                                          record.key, ()))
                store.apply(plan)
        except WorkspaceBusy as exc:
            return c.page(request, "message.html", status=409, session=session, title="Nothing recorded",
                          message=f"{exc.message}. Nothing was recorded; try again when it has finished.")
        except (lifecycle.TransitionRefused, StateConflict) as exc:
            return c.page(request, "message.html", status=409, session=session, title="Nothing recorded",
                          message=f"Another run or person changed this order first: {exc}")
        done = f"{record.partner}/{record.po_number} {verdict} by {user.name}; {follows}."
        return RedirectResponse("/approvals?" + urlencode({"done": done}), status_code=303)

    async def decide_selected(request: Request) -> Response:
        """The orders ticked on the approvals page approved or rejected together with one note, as `orderbridge
        approve PO...` does (flows.approving): under one workspace lease, each checked against the revision the
        page showed and applied alone; a changed one is skipped and named, the others are recorded."""
        from flows.approving import after_batch, decide_picked

        got = await checked_form(request, "approver")
        if not isinstance(got, tuple):
            return got
        form, session, user = got
        store = c.store()
        verdict = VERDICTS.get(form.get("verdict", ""))
        note = form.get("note", "").strip()[:500]
        picks = _picks((await _form_lists(request) or {}).get("pick", []))
        back = _next(form.get("back")) if (form.get("back") or "").startswith("/approvals") else "/approvals"
        problem, status = "", 400
        if verdict is None:
            problem = "Choose approve or reject."
        elif picks is None:
            problem = "The form named an order the approvals page did not show; nothing was recorded."
        elif not picks:
            problem = "Tick the orders to decide first (or 'select all' for the page shown); nothing was recorded."
        elif verdict == lifecycle.VERDICT_REJECTED and not note:
            problem = "A rejection needs a note saying why; nothing was recorded."
        elif store is None:
            problem, status = "This workspace has no state store yet; nothing was recorded.", 404
        if problem:
            return c.page(request, "message.html", status=status, session=session, title="Nothing recorded",
                          message=problem, back=back)
        try:
            with lease.acquire(c.ws.root, "approve" if verdict == lifecycle.VERDICT_APPROVED else "reject",
                               note=f"console, {user.name}"):
                done = decide_picked(store, picks, verdict, by=user.name, note=note, at=c.wall_clock(), ws=c.ws)
        except WorkspaceBusy as exc:
            return c.page(request, "message.html", status=409, session=session, title="Nothing recorded",
                          message=f"{exc.message}. Nothing was recorded; try again when it has finished.", back=back)
        recorded = [d for d in done if not d.skipped]
        skipped = [d for d in done if d.skipped]
        summary = (f"{len(recorded)} order(s) {verdict} by {user.name}"
                   + after_batch(done, verdict)
                   + (f"; {len(skipped)} skipped, nothing recorded for them" if skipped else "") + ".")
        return c.page(request, "decided.html", status=200 if recorded else 409, session=session, summary=summary,
                      recorded=recorded, skipped=skipped, verdict=verdict, back=back)

    async def release_held(request: Request) -> Response:
        """`orderbridge release-held PARTNER --by NAME` from the order page: every document of the partner held for
        a control character released with a blank for each run of them (flows.documents.release_blanked), under
        the workspace lease as the command takes it, recorded under the signed-in user."""
        from flows.documents import release_blanked

        got = await checked_form(request, "approver")
        if not isinstance(got, tuple):
            return got
        form, session, user = got
        store, partner, note = c.store(), form.get("partner", ""), form.get("note", "").strip()[:500]
        profile = c.ws.partners().get(partner)
        if profile is None or store is None:
            return c.page(request, "message.html", status=404, session=session, title="Nothing released",
                          message=f"No partner {partner}.")
        try:
            with lease.acquire(c.ws.root, "release-held", note=f"console, {user.name}"):
                done = release_blanked(store, profile, now=datetime.fromisoformat(c.wall_clock()), by=user.name,
                                       note=note)
        except WorkspaceBusy as exc:
            return c.page(request, "message.html", status=409, session=session, title="Nothing released",
                          message=f"{exc.message}. Nothing was released; try again when it has finished.")
        return c.page(request, "message.html", session=session, title="Held documents released",
                      message=f"{len(done)} held document(s) of {partner} released by {user.name} with a blank for "
                              "each run of control characters; the next run sends them.", back=_next(form.get("next")))

    def runs(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        store = c.store()
        rows = reading.runs_newest_first(store, c.ws.reports_dir) if store else []
        cumulative = reading.finance_reports_of(c.ws.reports_dir / reading.FINANCE_FOLDER, data=False)
        return c.page(request, "runs.html", session=got[0], rows=rows, cumulative=cumulative)

    def run(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        store = c.store()
        run_id = request.path_params["run_id"]
        record = store.run(run_id) if store else None
        if record is None:
            return c.page(request, "message.html", status=404, session=got[0], title="No such run",
                          message=f"No run {run_id}.")
        counts = store.finding_counts_of_run(run_id)  # every stage's, as the failures report lists them
        problems, alike = reading.run_problems(store, run_id)  # grouped as failures.html groups them
        files = [{**f, "errors": counts.get((f["partner"], f["name"]), {}).get("error", 0),
                  "warnings": counts.get((f["partner"], f["name"]), {}).get("warning", 0),
                  "alike": alike.get((f["partner"], f["name"]), 0), "status_text": file_status_text(f)}
                 for f in store.files_of_run(run_id)]
        shas = {(f["partner"], f["name"]): f["sha256"] for f in files}
        return c.page(request, "run.html", session=got[0], r=record, files=files, problems=problems, shas=shas,
                      reports=reading.reports_of(c.ws.reports_dir, run_id),
                      messages=reading.messages_of(c.ws.reports_dir, run_id),
                      summary=reading.pretty_json(record["summary"]))

    def served(request: Request, session, path, missing: str) -> Response:
        """A report file (a path reading allowed, else 404 with ``missing``) under the reports' own CSP."""
        if path is None:
            return c.page(request, "message.html", status=404, session=session, title="No such report",
                          message=missing)
        response = FileResponse(path, media_type=reading.SERVED[path.suffix])
        response.headers["Content-Security-Policy"] = REPORT_CSP
        return response

    def report(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        path = reading.report_file(c.ws.reports_dir, request.path_params["run_id"], request.path_params["name"])
        return served(request, got[0], path, "This run kept no report by that name.")

    def finance(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        path = reading.cumulative_finance_file(c.ws.reports_dir, request.path_params["name"])
        return served(request, got[0], path,
                      "The cumulative finance report has no file by that name (no reconciliation yet?).")

    def view(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        run_id, name = request.path_params["run_id"], request.path_params["name"]
        path = reading.report_file(c.ws.reports_dir, run_id, name)
        if path is None or path.suffix not in (".parquet", ".csv"):
            return c.page(request, "message.html", status=404, session=got[0], title="No such table",
                          message="This run kept no table by that name.")
        columns, rows, total = reading.preview(path)
        return c.page(request, "table.html", session=got[0], run_id=run_id, name=name, columns=columns, rows=rows,
                      total=total)

    def file(request: Request) -> Response:
        got = guarded(request)
        if not isinstance(got, tuple):
            return got
        store = c.store()
        partner, sha = request.query_params.get("partner", ""), request.query_params.get("sha256", "")
        record = store.file(partner, sha) if store else None
        if record is None:
            return c.page(request, "message.html", status=404, session=got[0], title="No such file",
                          message="No input file with that partner and SHA-256.")
        # a warehouse's confirmation: its findings whoever owns them (the PO's partner, or the warehouse)
        whose = None if partner.startswith(WAREHOUSE_PARTY) else partner
        takes = store.file_takes(partner, sha)  # earlier takes ops asked to take again (`orderbridge retake`)
        names = {record["name"], *(t["name"] for t in takes)}
        findings = [x for run_id in dict.fromkeys([*(t["run_id"] for t in takes), record["run_id"]])
                    for x in store.findings(run_id=run_id, partner=whose)
                    if x["file"] in names and (whose or x["stage"] == "shipments")]
        # each take's findings counted from every stage (decide's business findings too), as the run page counts
        # the file: the files table's error_count is intake's alone (what made it processed or quarantined)
        counted: dict[str, dict[str, int]] = {}
        for x in findings:
            severity = counted.setdefault(x["run_id"] or "", {"error": 0, "warning": 0})
            severity[x["severity"]] = severity.get(x["severity"], 0) + 1
        # alike findings (1,000 POs of one unknown item) one row each, every PO a link: as failures.html lists them
        record = {**record, "status_text": file_status_text(record)}  # "partly taken (quarantined copy kept)"
        return c.page(request, "file.html", session=got[0], f=record, j=store.journey(partner, sha), takes=takes,
                      findings=findings, groups=reading.alike_findings(findings), counted=counted)

    def css(request: Request) -> Response:
        return FileResponse(HERE / "static" / "console.css", media_type="text/css")

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
        c.close()

    app = Starlette(routes=[
        Route("/", home), Route("/login", login_page), Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]), Route("/orders", orders), Route("/order", order),
        Route("/approvals", approvals), Route("/decide", decide, methods=["POST"]),
        Route("/decide-selected", decide_selected, methods=["POST"]),
        Route("/release-held", release_held, methods=["POST"]), Route("/runs", runs),
        Route("/runs/{run_id}", run), Route("/runs/{run_id}/reports/{name:path}", report),
        Route("/runs/{run_id}/tables/{name:path}", view), Route("/finance/{name:path}", finance), Route("/file", file),
        Route("/static/console.css", css)], middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)

    app.state.console = c
    return app


class SecurityHeaders:
    """Every response: a strict Content-Security-Policy (no script; reports get their own), no sniffing,
    no framing, no referrer, no caching (pages show live order states)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", PAGE_CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _next(value: str | None) -> str:
    """Where to go after signing in: a path of this console only (never another site)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/orders"
    return value


def _reference_dir(c: Console) -> Path | None:
    try:
        return c.ws.reference_dir
    except Exception:  # noqa: BLE001 - a workspace without reference data: credit is shown as unknown
        return None

