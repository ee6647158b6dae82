"""What the console's pages read, built from the state store and the workspace's files: an order's
story (flows.status, the same one `orderbridge status` prints) with its findings, the approvals queue
with each customer's credit exposure, runs with their reports, a file's journey. Reads only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from connectors.state import StateStore
from engine import lifecycle
from flows.message_reports import of_run, subject_of
from flows.status import story
from schemas.errors import OrderBridgeError
from schemas.lifecycle import OrderRecord, OrderState

PAGE = 50
REPORT_NAMES = {  # files a run's report folder may hold, in the order the runs page lists them
    "summary.html": "summary", "summary.md": "summary", "summary.json": "summary (JSON)",
    "failures.html": "failures report", "failures.csv": "failures (CSV)", "failures.parquet": "failures (Parquet)",
    "allocation.parquet": "allocation (Parquet)",
    "availability.parquet": "availability (Parquet)", "finance-report.html": "finance report",
    "finance.csv": "finance (CSV)", "finance.parquet": "finance (Parquet)", "dashboard.html": "dashboard",
    "messages.json": "messages from partners (JSON)"}
SERVED = {".html": "text/html; charset=utf-8", ".md": "text/plain; charset=utf-8",
          ".json": "application/json", ".csv": "text/csv; charset=utf-8",
          ".parquet": "application/vnd.apache.parquet"}
STATES = tuple(s.value for s in OrderState)
DEAD_LINES = ("deleted", "cancelled")


@dataclass(frozen=True, slots=True)
class Search:
    """The orders page's filters, checked (``problem`` says what was wrong with them)."""

    po: str = ""
    partner: str = ""
    state: str = ""
    since: str = ""
    until: str = ""
    sku: str = ""
    page: int = 1
    problem: str = ""
    part: bool = False  # po is a part of the PO number, anywhere in it, any case (in_part)
    store: str = ""  # the store or DC shipped to: the ship-to's N104, a shipped line's mark-for store
    short: bool = False  # only orders shipped short (a line shipped less than ordered)
    loose: bool = False  # po compared loosely: without blanks, hyphens, slashes, dots, leading zeros (in_loose)

    @classmethod
    def parse(cls, args: dict[str, str]) -> Search:
        clean = {k: (args.get(k) or "").strip()[:100] for k in ("po", "partner", "state", "since", "until", "sku",
                                                                 "store")}
        clean["short"] = (args.get("short") or "") not in ("", "0")
        from flows.order_lookup import item

        clean["sku"] = item(clean["sku"])  # "UPC 012345678905", "item# 123-456": the item, not the word before it
        clean["partner"] = clean["partner"].lower()  # a partner's id is lower case (schemas.profile); typed 'ACME'
        problems = []
        for k in ("since", "until"):
            if clean[k]:
                try:
                    clean[k] = date.fromisoformat(clean[k]).isoformat()
                except ValueError:
                    problems.append(f"{k} must be a date like 2026-11-27")
                    clean[k] = ""
        if clean["state"] and clean["state"] not in STATES:
            problems.append(f"unknown status {clean['state']!r}")
            clean["state"] = ""
        try:
            page = max(1, min(int(args.get("page") or 1), 100_000))
        except ValueError:
            page = 1
        return cls(**clean, page=page, problem="; ".join(problems))

    def run(self, store: StateStore, ws=None) -> tuple[list[OrderRecord], bool]:
        """A page of the orders matching the search, and whether another page follows. With the workspace ``ws``,
        a store's orders include those whose PO's SDQ names it (flows.order_lookup.sdq_orders: before anything
        ships to it)."""
        from flows.order_lookup import loose, sdq_orders, store_id

        typed = self.part or self.loose
        rows = store.search_orders(po="" if typed else self.po, po_part=self.po if self.part else "",
                                   po_loose=loose(self.po) if self.loose else "",
                                   partner=self.partner, states=[self.state] if self.state else (),
                                   since=self.since, until=self.until, sku=self.sku, limit=PAGE + 1,
                                   offset=(self.page - 1) * PAGE, ship_to=store_id(self.store),
                                   shipped_short=self.short, store_orders=sdq_orders(ws, store, self.store,
                                                                                     self.partner)
                                   if ws is not None and self.store else ())
        return rows[:PAGE], len(rows) > PAGE

    def in_loose(self) -> Search | None:
        """The same search with its PO number compared loosely (flows.order_lookup.loose: "PO# 4500-012345" or
        "004500012345" for 0004500012345, "acme 1001" for ACME-1001). Tried when it as typed and in capitals find
        nothing, before a part of it."""
        from flows.order_lookup import loose

        return replace(self, loose=True) if self.po and not (self.loose or self.part) and loose(self.po) else None

    def quoted(self, ws, store: StateStore) -> tuple[list[OrderRecord], bool, str]:
        """The orders our documents name by the PO box's text (an invoice, a shipment id, its bill of lading or
        tracking number, a carton's SSCC or label: flows.order_lookup.quoted), the other filters applied; and
        what named them. Tried when no PO number is it, as typed, in capitals or loosely."""
        from flows.order_lookup import quoted

        if not self.po:
            return [], False, ""
        named = [(p, po, how) for p, po, how in quoted(ws, store, self.po) if not self.partner or p == self.partner]
        records = store.orders_for([(p, po) for p, po, _ in named])
        rows = self.kept(store, [records[(p, po)] for p, po, _ in named if (p, po) in records], ws)
        start = (self.page - 1) * PAGE
        return rows[start:start + PAGE], len(rows) > start + PAGE, named[0][2] if rows else ""

    def kept(self, store: StateStore, records: list[OrderRecord], ws=None) -> list[OrderRecord]:
        """``records`` this search's status, PO dates, item (our SKU), store and shipped-short filters keep (what
        run() asks the store for, applied to orders found another way; with the workspace ``ws``, a store's orders
        include those whose PO's SDQ names it)."""
        from flows.order_lookup import sdq_orders, store_id

        rows = [o for o in records if (not self.state or o.state.value == self.state)
                and (not self.since or str(o.po_date or "") >= self.since)
                and (not self.until or str(o.po_date or "\uffff") <= self.until)]
        lines = store.lines_for([o.key for o in rows]) if rows and (self.short or self.sku) else {}
        if self.sku:
            rows = [o for o in rows if any(ln.sku == self.sku for ln in lines.get(o.key, ()))]
        if self.short:
            rows = [o for o in rows if any(_short(ln) for ln in lines.get(o.key, ()))]
        if self.store:
            wanted = store_id(self.store)
            marked = {(p, po) for p, po, _l, mark, *_ in store.shipped_to_stores([o.key for o in rows])
                      if (mark or "").lstrip("0").upper() == wanted}
            marked |= set(sdq_orders(ws, store, self.store, self.partner)) if ws is not None and rows else set()
            rows = [o for o in rows if o.ship_to_id.lstrip("0").upper() == wanted or o.key in marked]
        return rows

    def by_item(self, ws, store: StateStore) -> tuple[list[OrderRecord], bool]:
        """The orders a line of which named the item as the PO sent it (the buyer's item number, a UPC or GTIN:
        what the customer quotes; flows.status_view.orders_naming), the other filters as run() applies them.
        Tried when no line has the item as our SKU."""
        from flows.status_view import orders_naming

        if not self.sku:
            return [], False
        rows = replace(self, sku="").kept(store, [o for o in orders_naming(ws, store, self.sku, self.partner)
                                                   if self.names(o.po_number)], ws)  # dates: ISO text as compared
        start = (self.page - 1) * PAGE
        return rows[start:start + PAGE], len(rows) > start + PAGE

    def names(self, po_number: str) -> bool:
        """Whether the search's PO number (its beginning; with ``part``: a part, any case) names ``po_number``."""
        if not self.po:
            return True
        return self.po.upper() in po_number.upper() if self.part else po_number.startswith(self.po)

    def in_capitals(self) -> Search | None:
        """The same search with its PO number and item in capitals, when they have lower-case letters: people
        type 'acme-1001' and 'sku-1001', partners send 'ACME-1001' (kept as sent) and our items are 'SKU-1001'.
        Tried when the search as typed finds nothing."""
        capitals = replace(self, po=self.po.upper(), sku=self.sku.upper())
        return capitals if capitals != self else None

    def in_part(self) -> Search | None:
        """The same search with its PO number as a part of the PO number anywhere in it, in any case: people type
        '1011' for ACME-1011, or a PO sent with lower-case letters in capitals. Tried when neither the beginning as
        typed nor in capitals finds anything."""
        return replace(self, part=True) if self.po and not self.part else None

    def query(self, **change) -> dict[str, str]:
        values = {k: getattr(self, k) for k in ("po", "partner", "state", "since", "until", "sku", "store")} | change
        values["short"] = "1" if self.short else ""
        return {k: str(v) for k, v in values.items() if v not in ("", None)}


def _short(ln) -> bool:
    """A line shipped short: it shipped some but less than ordered, or its balance was cancelled after a short
    shipment (its balance_cancelled); as StateStore.search_orders(shipped_short=True) asks."""
    if ln.state.value in DEAD_LINES:
        return False
    shipped, ordered = ln.shipped or 0, ln.ordered or 0
    return (0 < shipped < ordered) or bool(ln.balance_cancelled)


SECTIONED = {"shipments": {"shipment_id", "warehouse", "asn", "cartons", "lines"},
             "invoices": {"invoice_number", "document", "lines", "total"}}  # key -> what its section reads


def order_page(store: StateStore, order: OrderRecord, ws=None) -> dict:
    """The order's story (the keys of `status --json`, the findings recorded for it among them); with the
    workspace ``ws``, what its PO asked as its stored tables keep it too (`status --asked`: terms, CSH, each
    line's price basis and store quantities)."""
    doc = story(store, order)
    if ws is not None:
        from flows.status import with_asked
        from flows.status_view import asked, changes, on_hold_sets

        with_asked(doc, {**asked(ws, order), "changes": changes(ws, store, order)})
        on_hold_sets(ws, store, doc, order)  # the set each change waiting on the hold came as: 860 or 876
        if not doc["order"]["currency"]:  # a PO naming none: its partner's [finance] currency, as `status` says it
            doc["order"]["currency"] = ws.finance_currency(order.partner)
        from flows.handoff import paying

        doc["remittances"] = paying(ws.root, order, doc)  # as `orderbridge status` names them
        if (carried := ws.continued(order.partner)) is not None:  # received from A, continued by B ([continues])
            doc["order"]["continued_by"] = carried
    shown = {"document_id", "type", "isa13", "gs06", "st02", "file_name", "status", "created_at", "delivered_at",
             "clock", "run_id", "doc_key"}
    doc["document_extras"] = list(dict.fromkeys(k for d in doc["documents"] for k in d if k not in shown))
    # shipments and invoices as status's story gives them have their own sections (SSCCs, the 856/810)
    doc["sectioned"] = [k for k, needed in SECTIONED.items() if doc.get(k) and all(needed <= x.keys() for x in doc[k])]
    known = {"order", "person", "lines", "documents", "decisions", "history", "reservations", "findings",
             "document_extras", "sectioned", "recorded", "changes_on_hold", "remittances",  # these: own sections
             *doc["sectioned"]}
    doc["more"] = {k: v for k, v in doc.items() if k not in known and isinstance(v, list) and v
                   and all(isinstance(x, dict) for x in v)}  # later sections (shipments, invoices, ...)
    return doc


SHIP_TO = ("name", "id_qualifier", "id", "address1", "address2", "city", "state", "postal_code", "country")


def ship_to(ws, order: OrderRecord) -> dict[str, str]:
    """The order's ship-to (N1*ST with its N3/N4) as its stored ORDERS row keeps it (``ship_to_*``: the whole party,
    an 860's replacement included), the fields sent; {} when none was sent or the tables cannot be read."""
    from connectors.order_store import OrderStore, order_row

    if ws is None or not order.lines_key:
        return {}
    try:
        orders = OrderStore(ws.orders_dir).load_orders(order.partner, order.lines_key,
                                                       ["po_number", "order_ref", *(f"ship_to_{f}" for f in SHIP_TO)])
    except OrderBridgeError:
        return {}
    row = order_row(orders, order.po_number, order.order_ref) or {}
    return {f: row[f"ship_to_{f}"] for f in SHIP_TO if row.get(f"ship_to_{f}")}


def ordered_values(store: StateStore, records: list[OrderRecord]) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """What each order is worth as ordered (PO102 x PO104 over its live lines) and how many of its
    lines carry no price: the store keeps an order's value only once it is answered (the value
    acknowledged), and an order waiting for a person has not been answered yet."""
    out = {}
    lines = store.lines_for([r.key for r in records])
    for r in records:
        total, unpriced = Decimal(0), 0
        for ln in lines.get(r.key, ()):
            if ln.state.value in DEAD_LINES:
                continue
            price = ln.unit_price if ln.unit_price is not None else ln.ack_price
            if price is None or ln.ordered is None:
                unpriced += 1
            else:
                total += ln.ordered * price
        out[r.key] = (r.value if r.answered_revision and r.value else total, unpriced)
    return out


# --- credit ------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Credit:
    partner: str
    limit: Decimal | None  # None: no customer record
    open_ar: Decimal
    open_orders: Decimal  # answered, not yet invoiced
    currency: str = ""
    problem: str = ""
    # the further currencies agreed with the customer (customer_currencies.csv): each its own limit, open AR and
    # open orders, never summed with another currency's
    further: tuple[Credit, ...] = ()

    @property
    def exposure(self) -> Decimal:
        return self.open_ar + self.open_orders

    def with_order(self, value: Decimal) -> Decimal:
        return self.exposure + value

    def over(self, value: Decimal) -> bool:
        return self.limit is not None and self.with_order(value) > self.limit

    def counts(self, currency: str) -> bool:
        """Whether an order in ``currency`` adds to this exposure (no exchange rates are kept: an order
        in another currency than the customer's is shown apart, never summed)."""
        return not currency or not self.currency or currency == self.currency

    def in_currency(self, currency: str) -> Credit:
        """The credit an order in ``currency`` counts against: the further currency's agreed for it (its own
        limit, as the credit rule counts it), else this one (which shows an order in a currency not agreed apart)."""
        if self.counts(currency):
            return self
        return next((c for c in self.further if c.currency == currency), self)


def credit_by_partner(store: StateStore, reference_dir: Path | None) -> dict[str, Credit]:
    """Each customer's exposure the way the credit rule counts it: open AR (customers.csv) plus the
    value of its open orders (answered, not yet invoiced), in its own currency; and per further currency agreed
    (customer_currencies.csv), that currency's open AR and open orders against its own limit (``Credit.further``)."""
    by_currency = store.order_values(lifecycle.OPEN, by_currency=True)
    customers, problem = _customers(reference_dir)
    further = _further_currencies(reference_dir, customers)
    open_orders: dict[tuple[str, str], Decimal] = {}
    for (partner, currency), value in by_currency.items():  # each in its own currency (an order without one:
        c = customers.get(partner)  # the customer's home currency's)
        key = (partner, currency or (c["currency"] if c else ""))
        open_orders[key] = open_orders.get(key, Decimal(0)) + value
    out = {}
    for partner in sorted({p for p, _ in open_orders} | set(customers)):
        c = customers.get(partner)
        home = c["currency"] if c else ""
        if c is None:  # no record: every open order counted, as before, whatever its currency
            value = sum((v for (p, _), v in open_orders.items() if p == partner), Decimal(0))
        else:
            value = open_orders.get((partner, home), Decimal(0))
        others = tuple(Credit(partner, r["credit_limit"], r["open_ar"], open_orders.get((partner, cur), Decimal(0)),
                              cur) for cur, r in sorted(further.get(partner, {}).items()))
        out[partner] = Credit(partner, c["credit_limit"] if c else None, c["open_ar"] if c else Decimal(0), value,
                              home, "" if c else problem or "no customer record in customers.csv", others)
    return out


def _customers(reference_dir: Path | None) -> tuple[dict[str, dict], str]:
    from connectors.reference import read_reference_csv
    from schemas.reference import SCHEMAS

    if reference_dir is None:
        return {}, "no reference data in this workspace"
    path = reference_dir / "customers.csv"
    try:
        table = read_reference_csv(path.read_bytes(), name=str(path), schema=SCHEMAS["customers"])
    except (OSError, OrderBridgeError) as exc:
        return {}, f"customers.csv unreadable: {exc}"
    return {r["partner"]: r for r in table.to_pylist()}, ""


def _further_currencies(reference_dir: Path | None, customers: dict[str, dict]) -> dict[str, dict[str, dict]]:
    """customer_currencies.csv (optional) as partner -> currency -> row, for customers of customers.csv only and
    currencies beyond their own (the credit rule's reading, rules.business.money); {} when absent or unreadable
    (the run's reference check reports an unreadable file)."""
    from connectors.reference import read_reference_csv
    from schemas.reference import SCHEMAS

    path = reference_dir / "customer_currencies.csv" if reference_dir else None
    if path is None or not path.is_file():
        return {}
    try:
        table = read_reference_csv(path.read_bytes(), name=str(path), schema=SCHEMAS["customer_currencies"])
    except (OSError, OrderBridgeError):
        return {}
    out: dict[str, dict[str, dict]] = {}
    for r in table.to_pylist():
        c = customers.get(r["partner"])
        if c is not None and r["currency"] != c["currency"]:
            out.setdefault(r["partner"], {})[r["currency"]] = r
    return out


# --- runs --------------------------------------------------------------------------------------------
def runs_newest_first(store: StateStore, reports_dir: Path) -> list[dict]:
    out = []
    for r in reversed(store.runs()):
        out.append(r | {"reports": reports_of(reports_dir, r["run_id"], data=False), "totals": _totals(r["summary"])})
    return out


FINANCE_FOLDER = "finance"  # flows.reconcile writes a run's finance report there; reports/finance/ is cumulative
FINANCE_NAMES = {"finance-report.html": "finance report", "dashboard.html": "KPI dashboard"}


def reports_of(reports_dir: Path, run_id: str, *, data: bool = True) -> list[tuple[str, str]]:
    """(file name, label) of the reports kept for ``run_id``: known ones first, then any other file,
    then the reconciliation's finance report and dashboard (``finance/...``) and, with ``data``, its
    data files (``finance/data/...``, CSV and Parquet)."""
    folder = reports_dir / run_id
    if not _safe_name(run_id) or not folder.is_dir():
        return []
    present = _served(folder)
    known = [(n, label) for n, label in REPORT_NAMES.items() if n in present]
    return (known + [(n, n) for n in sorted(present - set(REPORT_NAMES))]
            + finance_reports_of(folder / FINANCE_FOLDER, prefix=f"{FINANCE_FOLDER}/", data=data))


def messages_of(reports_dir: Path, run_id: str) -> list[dict]:
    """The partners' 864 text messages the run kept (flows.message_reports), for its page."""
    if not _safe_name(run_id):
        return []
    return [{**m, "subject": subject_of(m), "lines": m.get("lines") or [], "po_numbers": m.get("po_numbers") or []}
            for m in of_run(reports_dir / run_id)]


def finance_reports_of(folder: Path, *, prefix: str = "", data: bool = True) -> list[tuple[str, str]]:
    """(name under ``folder``'s parent as linked, label) of a finance folder's pages and data files."""
    if not folder.is_dir():
        return []
    present = _served(folder)
    out = [(prefix + n, label) for n, label in FINANCE_NAMES.items() if n in present]
    if data and (folder / "data").is_dir():
        out += [(f"{prefix}data/{n}", f"finance data: {n}") for n in sorted(_served(folder / "data"))]
    return out


def _served(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file() and p.suffix in SERVED and _safe_name(p.name)}


def report_file(reports_dir: Path, run_id: str, name: str) -> Path | None:
    """The report file, only if it is one reports_of() lists (no other path can be asked for)."""
    if name not in {n for n, _ in reports_of(reports_dir, run_id)}:
        return None
    return reports_dir / run_id / name


def cumulative_finance_file(reports_dir: Path, name: str) -> Path | None:
    """A file of the cumulative finance report (reports/finance/), only one finance_reports_of lists."""
    if name not in {n for n, _ in finance_reports_of(reports_dir / FINANCE_FOLDER)}:
        return None
    return reports_dir / FINANCE_FOLDER / name


def preview(path: Path, limit: int = 500) -> tuple[list[str], list[list], int]:
    """The first ``limit`` rows of a Parquet or CSV report as (columns, rows, total rows), for reading
    in the browser (the file itself stays the download)."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        f = pq.ParquetFile(path)
        table = next(f.iter_batches(batch_size=limit), None)
        total = f.metadata.num_rows
    else:
        import pyarrow.csv as pcsv

        full = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(strings_can_be_null=False))
        table, total = full.slice(0, limit), full.num_rows
    if table is None:
        return [], [], 0
    columns = table.schema.names
    return columns, [list(r.values()) for r in table.to_pylist()], total


def _safe_name(name: str) -> bool:
    return bool(name) and name not in (".", "..") and "/" not in name and "\\" not in name and "\0" not in name


def _totals(summary: dict) -> dict:
    keys = ("files", "processed", "quarantined", "orders", "accepted", "held", "rejected", "errors", "delivered")
    partners = summary.get("partners") or []
    return {k: sum(int(p.get(k) or 0) for p in partners) for k in keys} | {"failure": summary.get("failure", "")}


def money(value, currency: str | None = None) -> str:
    """An exact amount with at least its currency's decimals (schemas.money_text, as `status` prints it: 12 USD ->
    12.00, 4.5750 -> 4.575, 42240.00 JPY -> 42240, 12.5 KWD -> 12.500); two without a currency."""
    from schemas.money_text import money_text

    return money_text(value, currency)


def pretty_json(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


# --- a run's findings as the failures report groups them ------------------------------------------------
def run_problems(store: StateStore, run_id: str, *, limit: int = 300) -> tuple[list[dict], dict[tuple, int]]:
    """The run's "Problems to act on" as failures.html has them (engine.report_failures.problem_groups: one per
    partner, file and code, counted, with the first example), at most ``limit``; and (partner, file) -> how many
    groups of alike findings (alike_groups) the file's page lists."""
    from engine.report_failures import alike_groups, example, failure_table, of_which, problem_groups
    from engine.run_summary import VERDICT_EVENTS, people_verdicts
    from flows.reports import run_scope

    # the findings of held orders a person decided before the run answered them are no open errors, as the failures
    # report counts them (flows.reports.write_run_reports: the verdicts the run's scope answered)
    scope = run_scope(store, run_id)
    rows = failure_table(store.findings_table(scope),
                         decided=people_verdicts(store.events_of_runs(scope, set(VERDICT_EVENTS))))
    groups = problem_groups(rows)
    first = rows.take([g["row"] for g in groups[:limit]]).to_pylist() if groups else []
    problems = [{**g, "example": example(r), "message": r["message"], "consequence": r["consequence"] or "reported",
                 "of_which": of_which(g)}
                for g, r in zip(groups[:limit], first, strict=True)]
    alike: dict[tuple, int] = {}
    for g in alike_groups(rows):
        key = (g["first"]["partner"], g["first"]["file"])
        alike[key] = alike.get(key, 0) + 1
    return problems, alike


def alike_findings(findings: list[dict]) -> list[dict]:
    """A file's stored findings (StateStore.findings' dicts) grouped as the failures report's partner sections group
    them (engine.report_failures.alike_groups: the same code, item or price, place and outcome), in the report's
    order: each group's ``first`` (the example: its where, value, message), ``lines`` and every one of its ``pos``."""
    import pyarrow as pa

    from engine.report_failures import alike_groups, failure_table
    from schemas.reports import FINDING_ROWS

    if not findings:
        return []
    table = pa.Table.from_pylist([{k: x.get(k) for k in FINDING_ROWS.names} for x in findings], schema=FINDING_ROWS)
    return alike_groups(failure_table(table))


def order_names(store: StateStore, ws, records) -> dict[tuple[str, str], str]:
    """Each order's name as people read it, by key (flows.releases.order_names: the first release of a PO held as
    several named "PO release N", a blanket kept apart "PO blanket"); {} without a store."""
    from connectors.order_store import OrderStore
    from flows.releases import order_names as named

    return named(store, OrderStore(ws.orders_dir), records) if store is not None else {}


def is_blanket(record: OrderRecord) -> bool:
    """Whether the order is the blanket of its PO's releases (flows.status_view.is_blanket)."""
    from flows.status_view import is_blanket as blanket

    return blanket(record)


def blanket_drawdown(ws, store: StateStore, record: OrderRecord) -> list[dict]:
    """What the blanket's releases called off of each of its lines, and what is left (flows.decide.blanket_drawdown:
    the packages decide loads are loaded only for a blanket's page)."""
    from flows.decide import blanket_drawdown as drawn

    return drawn(ws, store, record)
