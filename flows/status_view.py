"""`orderbridge status PO`: one order's story (flows.status.story) printed as tables, or as JSON.
Imports no typer, so the command line's fast path (flows.entry) answers `status` without loading
the whole CLI; flows.cli's `status` command prints through the same functions. Reads only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from flows.exit_status import ExitStatus
from flows.terminal import TABLE_WIDTH, shown, styled
from flows.terminal import console as _console
from schemas.ack_reasons import verdict_words
from schemas.lifecycle import AWAITING_PERSON, WAITING_ON_HOLD
from schemas.money_text import money_text
from schemas.reasons_text import join_reasons
from schemas.ship_windows import RANGE_START

_CONSOLE = _console(min_width=TABLE_WIDTH)  # as flows.cli's: the same story whichever path prints it
err = _console(stderr=True)


def run_status(po: str, partner: str | None, as_json: bool, workspace: Path, *, out: Console | None = None,
               errout: Console | None = None, release: str | None = None, dates: bool = False) -> int:
    """Print the story of ``po`` (of ``partner`` when several sent that number) on ``out`` (default:
    this module's console; flows.cli passes its own); the exit status. A PO held as several releases
    (850 BEG04, schemas.order_keys) shows every release's story, or the one ``release`` names. ``dates``
    adds the PO's DTM dates, read from its stored ORDERS table (pyarrow: status alone loads no dataframe
    package, tests/test_console.py)."""
    err_ = errout or err
    from connectors.state import StateStore
    from flows import handoff
    from flows.message_reports import naming
    from flows.status import story
    from flows.workspace import Workspace

    ws = Workspace(workspace.resolve())
    if not ws.state_on_postgres and not ws.state_path.is_file():
        from flows.recovery import no_store

        said, status = no_store(ws, shown(workspace))
        err_.print(said, style="red")
        return status
    from schemas.order_keys import shown as order_shown
    from schemas.order_keys import x12_po

    store = StateStore(ws.state_url)
    try:
        found_as: list[str] = []  # how a number no order has named the one found (flows.order_lookup)
        matches, releases, why = matching_orders(ws, store, po, partner, release, by_item=True, found_as=found_as)
        if why:
            err_.print(why, style="red")
            return ExitStatus.USAGE
        # (the one release --release names of this PO is the PO itself: it used to be said to be "no PO number")
        if len(matches) == 1 and matches[0].po_number != po and order_shown(matches[0].po_number) != po \
                and not (release is not None and x12_po(matches[0].po_number) == po):
            billed = store.invoice_order(po)
            err_.print(f"{shown(po)} is our invoice (810) for PO {shown(order_shown(matches[0].po_number))} "
                       f"({shown(matches[0].partner)})" if billed is not None else
                       f"{shown(po)} is {shown(found_as[0])}: PO {shown(order_shown(matches[0].po_number))} "
                       f"({shown(matches[0].partner)})" if found_as else
                       f"{shown(po)} is no PO number: the one order naming item {shown(po)} on a line as its PO sent "
                       f"it is {shown(order_shown(matches[0].po_number))} ({shown(matches[0].partner)})",
                       style="yellow")
            po = order_shown(matches[0].po_number) if release is None else x12_po(matches[0].po_number)
        elif found_as and x12_po(matches[0].po_number) != po:  # the releases of a PO typed loosely
            err_.print(f"{shown(po)} is {shown(found_as[0])}", style="yellow")
            po = x12_po(matches[0].po_number)
        docs = []
        for o in matches:
            head = _order_dates(ws, o) if dates else None
            docs.append(story(store, o, head, _line_dates(ws, o, head) if dates else None,
                              {**asked(ws, o), "changes": changes(ws, store, o)} if dates else None))
            on_hold_sets(ws, store, docs[-1], o)
            if not docs[-1]["order"]["currency"]:  # a PO naming none (a CSV order without a Currency column)
                docs[-1]["order"]["currency"] = ws.finance_currency(o.partner)  # valued as the reconciliation does
            if (carried := ws.continued(o.partner)) is not None:  # [continues]: received from A, continued by B
                docs[-1]["order"]["continued_by"] = carried
            if is_blanket(o):  # what its releases called off of each line, and what is left
                from flows.decide import blanket_drawdown

                docs[-1]["blanket_drawdown"] = blanket_drawdown(ws, store, o)
            said = naming(ws, o.partner, o.po_number)  # the partner's 864s naming it (REF*PO)
            if said:
                docs[-1]["partner_messages"] = said
            # the partner's 820s and 812s paying or adjusting it or its invoices (flows.handoff)
            paid = handoff.paying(ws.root, o, docs[-1])
            if paid:
                docs[-1]["remittances"] = paid
            if dates:  # where each line's own N1*ST sends it (its stored table: pyarrow, as the dates)
                docs[-1]["order"]["line_ship_tos"] = line_ship_tos(ws, o)
                docs[-1]["order"]["notes"] = order_notes(ws, o)
    finally:
        store.close()
    from schemas.order_keys import is_ref_key, key_ref

    if len(docs) == 1:
        if as_json:
            sys.stdout.write(json.dumps(docs[0], indent=2, ensure_ascii=False) + "\n")
        else:
            print_story(docs[0], po if release is None else order_shown(matches[0].po_number)
                        if is_ref_key(matches[0].po_number) else f"{po} blanket" if is_blanket(matches[0])
                        and (releases.get(matches[0].po_number) or "") != release else f"{po} release {release}",
                        out=out)
        return ExitStatus.OK
    named = [(o.po_number, releases.get(o.po_number), doc) for o, doc in zip(matches, docs, strict=True)]
    by_ref = any(is_ref_key(k) for k, _r, _d in named)  # orders told apart by a reference ([x12] order_key_ref)
    blankets = {o.po_number for o in matches if is_blanket(o)}  # the blanket of the PO's releases (no BEG04)
    if as_json:
        sys.stdout.write(json.dumps({"partner": matches[0].partner, "po_number": po, "releases": [
            {"release_number": r, **({"order_reference": key_ref(k)} if is_ref_key(k) else {}),
             **({"blanket": True} if k in blankets else {}), **doc}
            for k, r, doc in named]}, indent=2, ensure_ascii=False) + "\n")
    else:
        told = ", ".join((key_ref(k) if is_ref_key(k) else r) or "(none)" for k, r, _d in named if k not in blankets)
        others = len(docs) - len(blankets)
        (out or _CONSOLE).print(shown(f"PO {po} is {len(docs)} orders told apart by a reference ({told}), each below; "
                                      "one alone: --release REFERENCE" if by_ref else
                                      f"PO {po} is a blanket and {others} release{'s' if others != 1 else ''} (850 "
                                      f"BEG04: {told}), each below; one alone: --release NUMBER (the blanket: "
                                      f"--release {BLANKET_NAMED})" if blankets else
                                      f"PO {po} is {len(docs)} releases (850 BEG04: {told}), each below; one alone: "
                                      f"--release NUMBER"))
        for k, r, doc in named:
            print_story(doc, order_shown(k) if is_ref_key(k) else f"{po} blanket" if k in blankets else
                        f"{po} release {r if r else '(none)'}" if r is not None else po, out=out)
    return ExitStatus.OK


def print_drawdown(rows: list[dict], *, out: Console) -> None:
    """The blanket's lines with what its releases called off of each and what is left (engine.blankets.drawdown)."""
    t = Table(title="the blanket: called off by its releases")
    for c in ("line", "item", "holds", "unit", "called off", "left", "by release"):
        t.add_column(c, overflow="fold")
    for r in rows:
        by = "; ".join(f"{x['release']}: {x['quantity']}" for x in r["releases"])
        if r.get("unconverted"):
            by += ("; " if by else "") + f"not counted (unit no pack converts): {', '.join(r['unconverted'])}"
        t.add_row(shown(str(r["line_number"])), shown(r["item"]), shown(r["holds"]), shown(r["unit"]),
                  shown(r["called_off"]), shown(r["left"]), shown(by))
    out.print(t)


BLANKET_NAMED = "blanket"  # --release blanket: the blanket of a PO held with its releases (it sent no BEG04)


def is_blanket(record) -> bool:
    """Whether an order is the blanket of its PO's releases: kept apart from a release holding the PO number
    (schemas.order_keys.blanket_key), or a blanket order type (BEG02 BK, BE, KB, LB) holding the PO number."""
    from schemas.order_keys import BLANKET_TYPES, is_blanket_key, is_release_key

    key = record.po_number
    return is_blanket_key(key) or (not is_release_key(key) and record.order_type in BLANKET_TYPES)


def matching_orders(ws, store, po: str, partner: str | None, release: str | None = None, *, by_item: bool = False,
                    found_as: list[str] | None = None) -> tuple[list, dict[str, str | None], str]:
    """The orders `PO [--partner P] [--release N]` names: (records, their release numbers when asked or
    several, "") or ([], {}, why not) when none or several partners' (schemas.order_keys: a PO held as
    several releases gives every release, or the one ``release`` names). A number no order has that is one of
    our invoices' (BIG02) names the order it billed. ``by_item``: a PO number that
    no order has may be an item as the customer quotes it (orders_naming): the one order naming it is
    the match; several are named in the reason. With ``by_item`` too, before the items: the PO number typed loosely
    ("PO# 4500-012345", "acme1001": flows.order_lookup.loose) and what our documents call it (a shipment id, bill of
    lading, tracking number, SSCC or carton label, an invoice number without its prefix or zeros); how the one found
    was named is appended to ``found_as``."""
    from schemas.order_keys import key_ref, x12_po

    if not po.strip():
        return [], {}, "no PO number given: name the order by the PO number its partner sent (e.g. ACME-1000)"
    matches = [*store.find_orders(po, partner), *(r for r in store.release_orders(partner)
                                                  if x12_po(r.po_number) == po)]
    if not matches and partner and (carried := ws.continuations().get(partner)):  # a PO of the partner it carries
        matches = [*store.find_orders(po, carried[0]), *(r for r in store.release_orders(carried[0])  # on: that one's
                                                         if x12_po(r.po_number) == po)]
    if not matches and release is None:  # an invoice number of ours: the order it billed
        billed = store.invoice_order(po)
        if billed is not None and partner in (None, billed[0]):
            matches = store.find_orders(billed[1], billed[0])
    if not matches and by_item and not _like(store, po, partner):  # PO numbers beginning with it are named as
        # before (refused with them); with --release, only a PO number typed loosely names the release's PO
        named, how = quoted_orders(ws, store, po, partner or "", documents=release is None)
        if len({(o.partner, x12_po(o.po_number)) for o in named}) == 1:  # one order, or the releases of one PO
            if found_as is not None:
                found_as.append(how)
            matches = named
        elif named:
            listed = ", ".join(f"{shown(x12_po(o.po_number))} ({shown(o.partner)})" for o in named[:LIKE_SHOWN])
            return [], {}, (f"no order {shown(po)}; it names {len(named)} orders ({shown(how)}): {listed}"
                            f"{', ...' if len(named) > LIKE_SHOWN else ''} (status PO --partner P)")
    if not matches and by_item and release is None:
        from flows.order_lookup import item

        named = orders_naming(ws, store, item(po), partner or "")  # "UPC 0614...": the item without its label
        if len({o.key for o in named}) == 1:
            return named, {}, ""
        if named:
            listed = ", ".join(f"{shown(x12_po(o.po_number))} ({shown(o.partner)})" for o in named[:LIKE_SHOWN])
            return [], {}, (f"no order {shown(po)}; {len(named)} orders name item {shown(po)} on a line as their PO "
                            f"sent it: {listed}{', ...' if len(named) > LIKE_SHOWN else ''} (status PO --partner P)")
    if not matches:
        return [], {}, f"no order {shown(po)}" + (f" for partner {shown(partner)}" if partner else "") + \
            _awaiting(ws, store, po, partner) + _refused(ws, store, po, partner) + _like(store, po, partner)
    if len({o.partner for o in matches}) > 1:
        senders = list(dict.fromkeys(o.partner for o in matches))  # hundreds of partners may share "1001": ten named
        whose = ", ".join(senders[:LIKE_SHOWN]) + (f", ... ({len(senders):,} partners)" if len(senders) > LIKE_SHOWN
                                                   else "")
        return [], {}, f"{shown(po)} exists for several partners ({shown(whose)}): use --partner"
    releases = _releases(ws, matches) if len(matches) > 1 or release is not None else {}
    if release is not None:
        named = [o for o in matches if (key_ref(o.po_number) or releases.get(o.po_number)) == release]
        if not named and release.strip().lower() == BLANKET_NAMED:  # no release is so numbered: the blanket
            named = [o for o in matches if is_blanket(o)]
        matches = named
        if not matches:
            return [], {}, f"no release {shown(release)} of PO {shown(po)}"
    return matches, releases, ""


LIKE_SHOWN = 10  # at most this many PO numbers named when none is the one asked for


def quoted_orders(ws, store, text: str, partner: str = "", *, documents: bool = True) -> tuple[list, str]:
    """The orders ``text`` names when no PO number is it as typed (flows.order_lookup): the PO numbers equal to it
    loosely (without blanks, hyphens, slashes, dots, leading zeros, a "PO#" before it; any case; every release of
    a PO held as several), else (with ``documents``) the orders our invoice, shipment (id, bill of lading, tracking
    number) or carton (SSCC, label) so numbered carries; of ``partner`` when given, newest received first; and how
    they were named ("" when none)."""
    from flows.order_lookup import loose, quoted
    from schemas.order_keys import x12_po

    key = loose(text)
    if key:
        rows = store.search_orders(po_loose=key, partner=partner, limit=LIKE_SHOWN + 1)
        pos = {x12_po(o.po_number) for o in rows}
        if rows:
            return rows, f"PO number {pos.pop()}" if len(pos) == 1 else "PO numbers like it"
    if not documents:
        return [], ""
    named = [(p, po, how) for p, po, how in quoted(ws, store, text) if not partner or p == partner]
    records = store.orders_for([(p, po) for p, po, _ in named])
    found = [records[(p, po)] for p, po, _ in named if (p, po) in records]
    return found, (named[0][2] if found else "")


def orders_naming(ws, store, item: str, partner: str = "") -> list:
    """The orders a line of which named ``item`` as the PO sent it (the buyer's item number BP/IN/PI/CB, a UPC or
    GTIN, a vendor part: what the customer quotes; the store's lines keep only our SKU), of ``partner`` when
    given, newest received first: read from the stored order-line tables through their index
    (connectors.item_index, kept under state/derived/), every release of a PO held as several. Only an
    order's current revision counts (its record's ``lines_key``): a line an 860 deleted names it no more."""
    from connectors.item_index import ItemIndex
    from flows.order_lookup import current_orders

    index = ItemIndex(ws.orders_dir, ws.orders_dir.parent / "derived")
    return current_orders(store, index.tables_naming(item, partner), partner)


def _awaiting(ws, store, po: str, partner: str | None) -> str:
    """'; its 860 (file, received ...) waits for its 850 ...' for the changes of PO ``po`` kept pending while we hold
    no order of it (a partner's early_change_days: engine.lifecycle.changes, CHANGE_AWAITING_ORDER), so ops asked
    about such a PO see the change is kept, not lost ("its 876 ... waits for its 875" for a grocer's); '' when none
    waits."""
    from engine.lifecycle import sent_as
    from schemas.order_keys import x12_po

    waiting = [c for c in store.pending_changes() if x12_po(c.po_number) == po and (partner is None or
                                                                                    c.partner == partner)]
    if not waiting:
        return ""
    sets = change_sets(ws, waiting)
    sent = {c: sent_as(c, sets) for c in waiting}
    said = "; ".join(f"{shown(c.partner)}'s {sent[c]} in {shown(c.source_file)}, received {shown(c.received_at[:10])}"
                     for c in waiting)
    change = "/".join(sorted(set(sent.values())))
    order = "/".join(sorted({"875" if s == "876" else "850" for s in sent.values()}))
    return (f"; its {change} waits for its {order} ({said}): applied the night the {order} comes, refused (865, "
            "CHANGE_ORDER_UNKNOWN) once the partner's early_change_days have passed without it")


def _refused(ws, store, po: str, partner: str | None) -> str:
    """'; globex's 860 in F (received DAY) was refused: ...' for the changes of PO ``po`` refused while we hold no
    order of it (CHANGE_ORDER_UNKNOWN: the demo's GLOBEX-2999, "a PO we never had (865 RD)" in the README), so ops
    asked about such a PO see what became of the change; '' when none was."""
    from engine.lifecycle import sent_as
    from schemas.order_keys import x12_po

    refused = [c for c in store.pending_changes(("refused",)) if x12_po(c.po_number) == po and (
        partner is None or c.partner == partner)]
    if not refused:
        return ""
    sets = change_sets(ws, refused)
    said = "; ".join(f"{shown(c.partner)}'s {sent_as(c, sets)} in {shown(c.source_file)}, received "
                     f"{shown(c.received_at[:10])}" for c in refused)
    return (f"; a change of it was refused, as no order of it was ever received ({said}): CHANGE_ORDER_UNKNOWN, "
            "answered as a refusal (865 RD); the failures report of its night has it")


def _like(store, po: str, partner: str | None) -> str:
    """'; PO numbers like it: ...' naming the orders whose PO number begins with ``po`` as typed or in
    capitals (partners' PO numbers are kept as sent; people type 'acme-1001' or a PO's beginning); ''
    when there are none."""
    from schemas.order_keys import x12_po

    found: dict[tuple[str, str], None] = {}
    for typed in dict.fromkeys((po, po.upper()) if po else ()):
        for o in store.search_orders(po=typed, partner=partner or "", limit=LIKE_SHOWN + 1):
            found.setdefault((x12_po(o.po_number), o.partner), None)
    if not found:
        return ""
    named = sorted(found)
    more = ", ..." if len(named) > LIKE_SHOWN else ""
    return "; PO numbers like it: " + ", ".join(f"{shown(p)} ({shown(who)})" for p, who in named[:LIKE_SHOWN]) + more


# The PO's DTM dates status shows (ORDERS column, DTM01 qualifier, what it means)
# (a requested ship or delivery date sent as a range keeps its last day: requested_ship_end, requested_delivery_end;
# a ship window side that came from a DTM 010 range is named as that range, never a 037 / 038 not sent: _named)
ORDER_DATES = (("requested_ship_date", "010", "requested ship"),
               ("requested_ship_end", "010", "requested ship range end"),
               ("ship_not_before", "037", "ship not before"),
               ("ship_no_later", "038", "ship no later"), ("cancel_after", "001", "cancel after"),
               ("requested_delivery_date", "002", "delivery requested"),
               ("requested_delivery_end", "002", "delivery requested range end"),
               ("do_not_deliver_before", "064", "do not deliver before"),
               ("do_not_deliver_after", "063", "do not deliver after"))


def _named(names: tuple, row: dict) -> list[tuple[str, str, str]]:
    """``names`` (ORDER_DATES or LINE_DATE_NAMES) as ``row``'s dates are named: a ship window side that came from a
    DTM 010 range (schemas.ship_windows.window_named) as that range, its end said once."""
    from schemas.ship_windows import window_named

    out = []
    for c, q, text in names:
        sent, what = window_named(c, q, text, row)
        if c == "requested_ship_end" and window_named("ship_no_later", "038", "", row)[0] != "038":
            continue  # the window's end says it
        out.append((c, sent, what))
    return out


def _order_dates(ws, record) -> dict:
    """The dates ``record``'s PO named (column -> date or None), from its stored ORDERS table; {} when
    it cannot be read (a table stored before a column existed reads it as null)."""
    from connectors.order_store import OrderStore, order_row
    from schemas.errors import StateError

    if not record.lines_key:
        return {}
    names = ["po_number", "order_ref", *(c for c, _q, _t in ORDER_DATES), RANGE_START]
    try:
        t = OrderStore(ws.orders_dir).load_orders(record.partner, record.lines_key, names)
    except StateError:
        return {}
    row = order_row(t, record.po_number, record.order_ref)
    return _with_start({c: row[c] for c, _q, _t in ORDER_DATES}, row) if row is not None else {}


def _with_start(dates: dict, row: dict) -> dict:
    """``dates`` with the first day of the DTM 010 range its window came from (schemas.ship_windows.RANGE_START) where
    ``row`` keeps a range (not shown: it names the window's opening, _named)."""
    if dates.get("requested_ship_end") is not None and row.get(RANGE_START) is not None:
        return {**dates, RANGE_START: row[RANGE_START]}
    return dates


# A line's own dates status shows where they differ from its order's (schemas.orders.LINE_DTM_DATES: ORDER_LINES
# column, DTM01 qualifier, what it means; an 850's PO1-loop DTM, an 860's POC-loop DTM): its requested ship date
# (DTM 010, or 118 read as one; the day its stock is promised and its ACK 068 says), requested delivery date (002)
# its own ship window (037 / 038) and its own cancel / do-not-deliver dates. The ship and delivery dates used to be
# left out: a line an 860 moved to ship later showed only the order's date; a line's window was kept nowhere
LINE_DATE_NAMES = (("requested_ship_date", "010", "requested ship"),
                   ("requested_ship_end", "010", "requested ship range end"),
                   ("requested_delivery_date", "002", "delivery requested"),
                   ("requested_delivery_end", "002", "delivery requested range end"),
                   ("ship_not_before", "037", "ship not before"), ("ship_no_later", "038", "ship no later"),
                   ("cancel_after", "001", "cancel after"), ("do_not_deliver_before", "064", "do not deliver before"),
                   ("do_not_deliver_after", "063", "do not deliver after"))


def _line_dates(ws, record, head: dict | None) -> list[dict]:
    """The lines of ``record``'s current revision whose own dates differ from the order's (``head``,
    _order_dates'), from its stored ORDER_LINES table: each as line_number, line_id and those of its
    LINE_DATE_NAMES columns it carries other than the order's (ISO dates), in line order; [] when none or
    unreadable (a table stored before the columns existed reads them as null)."""
    from connectors.order_store import OrderStore
    from schemas.errors import StateError

    if not record.lines_key:
        return []
    names = [c for c, _q, _t in LINE_DATE_NAMES]
    try:
        _o, t = OrderStore(ws.orders_dir).load_columns(record.partner, record.lines_key, ["order_ref"],
                                                        ["po_number", "order_ref", "line_number", "line_id", *names,
                                                         RANGE_START])
    except StateError:
        return []
    rows = _record_lines(t, record)
    head = head or {}
    out = {}
    for r in rows:  # a line stored twice: its last row
        own = {c: r[c].isoformat() for c in names if r[c] is not None and r[c] != head.get(c)}
        if own:
            out[r["line_number"]] = {"line_number": r["line_number"], "line_id": r["line_id"],
                                     **_with_start(own, {RANGE_START: r[RANGE_START] and r[RANGE_START].isoformat()})}
        else:
            out.pop(r["line_number"], None)
    return [out[n] for n in sorted(out)]


def order_notes(ws, record) -> list[str]:
    """The MSG texts of ``record``'s PO's heading N9 loops (ORDERS notes), from its stored table, one per MSG; []
    when none or unreadable (a table stored before the column existed reads it as null)."""
    from connectors.order_store import OrderStore, order_row
    from schemas.errors import StateError
    from schemas.orders import NOTES_SEP

    if not record.lines_key:
        return []
    try:
        t = OrderStore(ws.orders_dir).load_orders(record.partner, record.lines_key, ["po_number", "order_ref", "notes"])
    except StateError:
        return []
    row = order_row(t, record.po_number, record.order_ref)
    return row["notes"].split(NOTES_SEP) if row is not None and row["notes"] else []


def line_ship_tos(ws, record) -> list[dict]:
    """The lines of ``record``'s current revision naming a ship-to of their own (a PO1 loop's N1*ST: ORDER_LINES
    ship_to_*), from its stored table: line_number, line_id, ship_to (N102 N103 N104, then its N3/N4), in line
    order; [] when none or unreadable (a table stored before the columns existed reads them as null)."""
    from connectors.order_store import OrderStore
    from schemas.errors import StateError
    from schemas.orders import LINE_SHIP_TO, LINE_SHIP_TO_ADDRESS

    if not record.lines_key:
        return []
    names = [f"ship_to_{f}" for f in (*LINE_SHIP_TO, *LINE_SHIP_TO_ADDRESS)]  # its name and id, then its address
    try:
        _o, t = OrderStore(ws.orders_dir).load_columns(record.partner, record.lines_key, ["order_ref"],
                                                        ["po_number", "order_ref", "line_number", "line_id", *names])
    except StateError:
        return []
    out = {r["line_number"]: {"line_number": r["line_number"], "line_id": r["line_id"],
                              "ship_to": " ".join(r[c] for c in names if r[c])}
           for r in _record_lines(t, record) if r["ship_to_name"] or r["ship_to_id"]}
    return [out[n] for n in sorted(out)]


def _record_lines(t, record) -> list[dict]:
    """The rows of a stored ORDER_LINES table ``t`` (po_number and order_ref among its columns) that are
    ``record``'s: its PO's rows of its order_ref, else those of the last interchange holding the PO, as
    _order_dates (order_row) takes the last row of a PO."""
    rows = [r for r in t.to_pylist() if r["po_number"] == record.po_number]
    refs = {r["order_ref"] for r in rows}
    if record.order_ref in refs:
        return [r for r in rows if r["order_ref"] == record.order_ref]
    if len(refs) > 1:
        return [r for r in rows if r["order_ref"] == rows[-1]["order_ref"]]
    return rows


# The PO's ITD terms as kept (ORDERS column, ITD element, what it is), shown once for the order
TERMS = (("terms_type", "ITD01", "type"), ("terms_basis_date", "ITD02", "basis date"),
         ("terms_discount_percent", "ITD03", "discount %"), ("terms_discount_due_date", "ITD04", "discount due"),
         ("terms_discount_days", "ITD05", "discount days"), ("terms_net_due_date", "ITD06", "net due"),
         ("terms_net_days", "ITD07", "net days"), ("terms_description", "ITD12", "description"),
         ("terms_day_of_month", "ITD13", "day of month"))


def asked(ws, record) -> dict:
    """What ``record``'s PO asked, as its stored tables keep it (pyarrow: only when asked, as the dates):
    ``terms`` (ITD column -> value, the ones sent; {} none), ``sales_requirement`` (CSH01 as sent, "" none),
    ``do_not_exceed`` ({"amount", "action"}: CSH03 and CSH02; None none), and ``lines``: line id (PO101, else
    the line number as text) -> {"price_basis": PO105, "store_quantities": [{"store", "quantity", "unit",
    "id_qualifier"}, ...] (its SDQ pairs), "dates": {LINE_DATE_NAMES column: ISO date} (the line's own dates
    set, as the current revision keeps them), "refs": [{"qualifier", "id"}, ...] (its PO1 loop's REF01 and
    REF02 as sent, in that order: a drop-ship hub's REF*CO, the consumer's order number)}. {} when the tables
    cannot be read."""
    from connectors.order_store import OrderStore, order_row
    from schemas.errors import StateError

    if not record.lines_key:
        return {}
    heads = ["po_number", "order_ref", *(c for c, _e, _t in TERMS), "sales_requirement", "do_not_exceed_action",
             "do_not_exceed_amount"]
    try:
        o, t = OrderStore(ws.orders_dir).load_columns(record.partner, record.lines_key, heads, [
            "po_number", "order_ref", "line_number", "line_id", "price_basis", "store_quantities", "line_refs",
            *(c for c, _q, _t in LINE_DATE_NAMES)])
    except StateError:
        return {}
    row = order_row(o, record.po_number, record.order_ref) or {}
    rows = _record_lines(t, record)
    amount = row.get("do_not_exceed_amount")
    return {
        "terms": {c: _plain_value(row[c]) for c, _e, _t in TERMS if row.get(c) not in (None, "")},
        "sales_requirement": row.get("sales_requirement") or "",
        "do_not_exceed": ({"amount": _plain_value(amount), "action": row.get("do_not_exceed_action") or ""}
                          if amount is not None else None),
        "lines": {(r["line_id"] or str(r["line_number"])): {
            "price_basis": r["price_basis"] or "",
            "store_quantities": [{"store": q["store"], "quantity": _plain_value(q["quantity"]), "unit": q["unit"] or "",
                                  "id_qualifier": q["id_qualifier"] or ""} for q in r["store_quantities"] or ()],
            "dates": {c: r[c].isoformat() for c, _q, _t in LINE_DATE_NAMES if r[c] is not None},
            "refs": [{"qualifier": x["qualifier"] or "", "id": x["id"] or ""} for x in r["line_refs"] or ()]}
            for r in rows},
    }


# what `status --asked` compares of a line before and after an 860 (ORDER_LINES column, what it is)
CHANGED_LINE = (("quantity", "quantity"), ("unit", "unit"), ("unit_price", "price"), ("price_basis", "price basis"),
                *((c, f"DTM {q} ({text})") for c, q, text in LINE_DATE_NAMES))


def change_sets(ws, changes) -> dict[tuple[str, str, str], str]:
    """(partner, store key, change ref) -> the set each of ``changes`` came as where it is not an 860 ("876" for a
    grocer's), from the change tables stored at intake (engine.lifecycle.change_sets); a table that cannot be read
    names none (its change is said as an 860, as before the 876 was read)."""
    from engine.lifecycle import change_sets as sets_of

    return sets_of(_change_tables(ws, changes))


def _change_tables(ws, changes) -> dict:
    """The change tables stored at intake for ``changes``; one that cannot be read is left out."""
    from connectors.order_store import OrderStore
    from engine.lifecycle import change_table_keys
    from schemas.errors import StateError

    orders, tables = OrderStore(ws.orders_dir), {}
    for partner, key in change_table_keys(changes):
        try:
            tables[(partner, key)] = orders.load_changes(partner, key)
        except StateError:
            continue
    return tables


def no_answer_asked(ws, changes) -> set[tuple[str, str, str]]:
    """(partner, store key, change ref) of ``changes`` whose buyer asked for no answer (BCH01 49): no 865 answers
    them (engine.lifecycle.changes.no_answer_asked)."""
    from engine.lifecycle.changes import no_answer_asked as asked

    return asked(_change_tables(ws, changes))


def on_hold_sets(ws, store, doc: dict, record) -> None:
    """Each of the story's ``changes_on_hold`` rows given ``set``: the set its change came as ("860", "876")."""
    if not doc.get("changes_on_hold"):
        return
    from engine.lifecycle import sent_as

    held = store.pending_changes(statuses=WAITING_ON_HOLD, keys=[record.key])
    sets = change_sets(ws, held)
    by_ref = {(c.source_file, c.change_ref): sent_as(c, sets) for c in held}
    for row in doc["changes_on_hold"]:
        row["set"] = by_ref.get((row["file"], row["change_ref"]), "860")


def changes(ws, store, record) -> list[dict]:
    """What each 860 applied to ``record`` changed, old -> new, from the order's stored tables before it (the
    change's base) and after it: one row per change (file: the 860's file, set: "860", or "876" for a grocer's
    change (change_sets), revision: the order's revision it
    made, line_number / line_id: the line, or null for the heading, what, from, to: as text, "" none), the
    860s in the order they were applied, the heading's DTM dates then each line in line order. An added line
    is "added" (from "", to its quantity and unit), a deleted one "deleted". [] when none or unreadable."""
    from connectors.order_store import OrderStore, order_row
    from engine.lifecycle import sent_as
    from schemas.errors import StateError

    out: list[dict] = []
    orders = OrderStore(ws.orders_dir)
    heads = ["po_number", "order_ref", *(c for c, _q, _t in ORDER_DATES), RANGE_START]
    cols = ["po_number", "line_number", "line_id", *(c for c, _t in CHANGED_LINE)]
    applied = [ch for ch in store.pending_changes(statuses=None, keys=[record.key]) if ch.base_key]  # with a base
    sets = change_sets(ws, applied) if applied else {}
    for ch in applied:
        try:
            o_old, t_old = orders.load_columns(record.partner, ch.base_key, heads, cols)
            o_new, t_new = orders.load_columns(record.partner, f"{ch.store_key}-{ch.change_ref}", heads, cols)
        except StateError:
            continue
        at = {"file": ch.source_file, "set": sent_as(ch, sets), "revision": ch.revision}
        h_old = order_row(o_old, record.po_number, None) or {}
        h_new = order_row(o_new, record.po_number, None) or {}
        for c, q, text in _named(ORDER_DATES, h_new):
            if h_old.get(c) != h_new.get(c):
                out.append({**at, "line_number": None, "line_id": None, "what": f"DTM {q} ({text})",
                            "from": _text(h_old.get(c)), "to": _text(h_new.get(c))})
        old = {r["line_number"]: r for r in t_old.to_pylist() if r["po_number"] == record.po_number}
        new = {r["line_number"]: r for r in t_new.to_pylist() if r["po_number"] == record.po_number}
        for n in sorted(old.keys() | new.keys()):
            a, b = old.get(n), new.get(n)
            line = {**at, "line_number": n, "line_id": (b or a)["line_id"] or ""}
            if a is None or b is None:
                r = b or a
                out.append({**line, "what": "added" if a is None else "deleted",
                            "from": "" if a is None else f"{_text(r['quantity'])} {r['unit'] or ''}".strip(),
                            "to": "" if b is None else f"{_text(r['quantity'])} {r['unit'] or ''}".strip()})
                continue
            out += [{**line, "what": text, "from": _text(a[c]) + _unit_of(c, a), "to": _text(b[c]) + _unit_of(c, b)}
                    for c, text in CHANGED_LINE if a[c] != b[c]]
    return out


def _unit_of(column: str, row: dict) -> str:
    """" EA" after a quantity (its row's unit), "" after anything else."""
    return f" {row['unit']}" if column == "quantity" and row["unit"] else ""


def _text(v) -> str:
    return "" if v is None else str(_plain_value(v))


def _plain_value(v):
    """A stored value as JSON text: dates ISO, decimals exact."""
    from datetime import date
    from decimal import Decimal

    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")  # as the 850 wrote it: 38.02, not the stored 38.0200
    return v


def _releases(ws, records) -> dict[str, str | None]:
    """Order key -> its release number (850 BEG04, "" for none; None when its stored 850 is unreadable)."""
    from connectors.order_store import OrderStore
    from flows.releases import stored_releases
    from schemas.order_keys import is_release_key, key_release

    stored = stored_releases(OrderStore(ws.orders_dir), [r for r in records if not is_release_key(r.po_number)])
    return {r.po_number: key_release(r.po_number) if is_release_key(r.po_number) else stored.get(r.po_number)
            for r in records}


def print_story(doc: dict, po: str, *, out: Console | None = None) -> None:
    """The story as the terminal shows it: the order, its lines, documents, shipments and invoices,
    the partner's verdicts, exceptions, people's decisions and the history."""
    console = out or _CONSOLE
    o = doc["order"]
    answered = f", answered with {o['answered_with']} {o['ack_type']}" if o["answered_with"] else ""
    value = f"{money_text(o['value'], o['currency'])} {o['currency'] or ''}".rstrip()
    console.print(styled((f"{o['partner']} / {po}", "bold"), f": {o['state']} (revision {o['revision']}{answered}; "
                         f"value acknowledged {value})"))
    # a CSV order has no envelope: its lineage is its PO's first row (parsers.csv_orders: isa13 "CSV", st02 the row)
    where = (f" (a CSV order, first at row {int(o['st02'])})" if o["isa13"] == "CSV" and str(o["st02"] or "").isdigit()
             else f", ISA13 {o['isa13']} GS06 {o['gs06']} ST02 {o['st02']}")
    console.print(shown(f"  from {o['source_file']}{where}; received {o['received_at']} (run clock)"))
    if o.get("continued_by"):  # one company under two profiles ([continues])
        console.print(shown(f"  {o['continued_by']['said']}"))
    if o.get("rejected_for"):  # an 855 RD: a person's rejection, or every line refused (no stock, the rules)
        console.print(shown(f"  855 RD: {o['rejected_for']}"))
    if o.get("bill_only"):  # a bill-only order: billed from the PO, nothing reserved nor shipped (no 856)
        console.print(shown(f"  {o['bill_only']}"))
    if o.get("no_invoice"):  # a memo order: why no 810 went (and none will for its shipments)
        console.print(shown(f"  {o['no_invoice']}"))
    named = [f"{text} {o['dates'][c]} (DTM {q})" for c, q, text in _named(ORDER_DATES, o.get("dates") or {})
             if o.get("dates", {}).get(c)]
    if named:
        console.print("  dates: " + "; ".join(named))
    for ln in o.get("line_dates") or ():  # a line's own dates, where they differ from the order's
        own = [f"{text} {ln[c]} (DTM {q})" for c, q, text in _named(LINE_DATE_NAMES, ln) if ln.get(c)]
        console.print(shown(f"  line {ln['line_id'] or ln['line_number']}'s own dates: ") + "; ".join(own))
    if o.get("notes"):  # what the buyer wrote for people (the heading's N9/MSG)
        console.print(shown("  notes (MSG): " + " / ".join(o["notes"])))
    for ln in o.get("line_ship_tos") or ():  # a line's own N1*ST (LINE_SHIP_TO_DIFFERS when not the order's)
        console.print(shown(f"  line {ln['line_id'] or ln['line_number']} ships to its own N1*ST: {ln['ship_to']}"))
    for text in _asked_text(o):
        console.print(shown(text))
    if doc.get("rebuilt"):  # an order a state rebuild took in again undecided, or held again from a run report
        console.print(shown(f"  {doc['rebuilt']}"), style="yellow")
    if o["hold_reasons"]:  # kept once a person or a recheck released it: then said as past
        held = "held for" if o["state"] in AWAITING_PERSON else "was held for"
        console.print(f"  {held}: " + shown(join_reasons(o["hold_reasons"])))
    for c in doc.get("changes_on_hold") or ():  # an 860 (876) whose answer waits for the person's decision
        console.print(shown(f"  {c.get('set') or '860'} in {c['file']} ({c['received_at']}, {c['outcome']}) waits on "
                            "the hold: no 855 "
                            "yet; the 855 of the person's decision (the next run after they approve or reject) "
                            "answers it"))
    if doc.get("blanket_drawdown"):
        print_drawdown(doc["blanket_drawdown"], out=console)
    t = Table(title="lines")
    shipping = bool(doc["shipments"] or doc["invoices"])  # shipped / invoiced columns once anything shipped
    dated = any(ln.get("dates") for ln in doc["lines"])  # a line's own DTM dates (--dates), once one has any
    for c in ("line", "PO101", "state", "ACK", "ordered", "unit", "price", "allocated", "backordered", "rejected",
              *(("shipped", "invoiced") if shipping else ()), *(("own dates",) if dated else ()), "promised", "from",
              "reason"):
        t.add_column(c, overflow="fold")
    for ln in doc["lines"]:
        price = ln["ack_price"] or ln["unit_price"]
        if price and ln.get("price_basis") and ln["price_basis"] != "PE":  # the price's basis (PO105): per LB ...
            price = f"{price} per {ln['price_per']} ({ln['price_basis']})" if ln.get("price_per") else \
                f"{price} (PO105 {ln['price_basis']})"
        t.add_row(*(shown(v if v is not None else "") for v in (
            ln["line_number"], ln["line_id"], ln["state"], ln["ack"], ln["ordered"], ln["unit"], price,
            ln["allocated"], ln["backordered"], ln["rejected"], *((ln["shipped"], ln["invoiced"]) if shipping else ()),
            *((_own_dates(ln.get("dates") or {}),) if dated else ()), ln["promised_date"], ln["warehouses"],
            substitution_reason(ln))))
    console.print(t)
    if doc.get("changes"):
        sent = " and ".join(f"{x}s" for x in sorted({x.get("set") or "860" for x in doc["changes"]}))
        g = Table(title=f"changed by {sent} (old -> new, from the stored order before and after each)")
        for col in ("change file" if " and " in sent else f"{sent[:-1]} file", "revision", "line", "what", "from",
                    "to"):
            g.add_column(col, overflow="fold")
        for x in doc["changes"]:
            g.add_row(*(shown(v) for v in (x["file"], x["revision"], x["line_id"] or x["line_number"] or "(heading)",
                                           x["what"], x["from"] or "(none)", x["to"] or "(none)")))
        console.print(g)
    for ln in doc["lines"]:  # a store-level line: each store's quantity (its SDQ pairs)
        if ln.get("store_quantities"):
            console.print(shown(f"  line {ln['line_id'] or ln['line_number']} by store (SDQ): " + "; ".join(
                f"store {q['store']} {q['quantity']} {q['unit'] or ln['unit']}".strip()
                for q in ln["store_quantities"])))
        if ln.get("refs"):  # its PO1 loop's own REFs (a drop-ship hub's REF*CO: the consumer's order number)
            console.print(shown(f"  line {ln['line_id'] or ln['line_number']} refs: " + "; ".join(
                f"REF*{x['qualifier']} {x['id']}" for x in ln["refs"])))
    d = Table(title="documents sent (times: run clock; a held document waits, unnumbered)")
    for c in ("type", "ISA13", "GS06", "ST02", "file", "status", "created", "delivered"):
        d.add_column(c, overflow="fold")
    for x in doc["documents"]:
        d.add_row(*(shown(v) for v in (x["type"], x["isa13"], x["gs06"], x["st02"], x["file_name"], x["status"],
                                       x["created_at"] or "", x["delivered_at"] or "not yet")))
    console.print(d)
    for r in doc.get("resends") or ():  # a document sent again as ops asked (`orderbridge resend`)
        console.print(shown(f"the {r['type']} (document {r['document_id']}) was sent again as {r['file_name']} "
                            f"(ISA13 {r['isa13'] or '-'} GS06 {r['gs06'] or '-'}, "
                            f"{'new control numbers' if r['new_control_numbers'] else 'byte for byte'}; "
                            f"{r['status']} {r['delivered_at'] or ''}): asked by {r['asked_by']} at {r['asked_at']} "
                            f"(wall clock): {r['note']}"))
    for t in doc.get("file_takes") or ():  # its file taken again as ops asked (`orderbridge retake`)
        console.print(shown(f"its {t['of']}'s file {t['file']} was taken again: take {t['take']} (run {t['run_id']}, "
                            f"received {t['received_at']}) left it {t['status']} with {t['error_count']} error "
                            f"finding(s); asked by {t['asked_by']} at {t['asked_at']} (wall clock): {t['note']}"))
    print_recorded(doc, out=console)
    print_shipping(doc, out=console)
    if doc.get("partner_acks"):
        a = Table(title="the partner's 997/999 for our documents (as of the last reconciliation, run clock)")
        for c in ("type", "ISA13", "ST02", "verdict", "answered", "due", "reasons"):
            a.add_column(c, overflow="fold")
        for v in doc["partner_acks"]:
            a.add_row(*(shown(y) for y in (v["type"], v["isa13"], v["st02"], verdict_words(v["status"], v["ack_type"]),
                                           v.get("answered") or v["acked_at"] or "", v["due_at"] or "", v["reasons"])))
        console.print(a)
        for v in doc["partner_acks"]:  # an answer to a renumbered resend: the resend and the first sending both
            if first := v.get("first_sent"):
                console.print(shown(f"  the {v['type']} ISA13 {v['isa13']} GS06 {v['gs06']} answered is the resend "
                                    f"{v['file']} (sent {v['sent_at'] or '-'}); first sent as {first['file']} "
                                    f"(ISA13 {first['isa13']} GS06 {first['gs06']}, delivered "
                                    f"{first['delivered_at'] or '-'})"))
    if doc.get("partner_messages"):
        m = Table(title="the partner's text messages naming this PO (864; the run's failures page has them all)")
        for c in ("date", "subject", "message", "text", "file"):
            m.add_column(c, overflow="fold")
        for v in doc["partner_messages"]:
            m.add_row(*(shown(y) for y in (v["dated"] or "", v["subject"] or "", v["message"], " / ".join(v["lines"]),
                                           v["file"] or "")))
        console.print(m)
    if doc.get("remittances"):
        m = Table(title="the partner's remittances (820) and adjustments (812) naming this PO or its invoices")
        for c in ("set", "invoice", "what", "file"):
            m.add_column(c, overflow="fold")
        for v in doc["remittances"]:
            m.add_row(*(shown(y) for y in (v["set_id"], v.get("invoice_number") or v.get("reference") or "",
                                           v["said"], v.get("source_file") or "")))
        console.print(m)
    if doc.get("exceptions"):
        f = Table(title="reconciliation exceptions (`orderbridge exception show ID` for the evidence)")
        for c in ("id", "type", "line", "amount", "age", "state", "what"):
            f.add_column(c, overflow="fold")
        for x in doc["exceptions"]:
            f.add_row(*(shown(v) for v in (x["exception_id"], x["type"], x["line_number"] or "",
                                           money_text(x["amount_at_risk"], x["currency"]),
                                           x["age_days"], x["state"] if x["found"] else f"{x['state']} (cleared)",
                                           x["message"])))
        console.print(f)
    if doc.get("findings"):
        w = Table(title="findings about this order (errors and warnings, in the order they were found)")
        for c in ("code", "severity", "stage", "where", "consequence", "what"):
            w.add_column(c, overflow="fold")
        for x in doc["findings"]:
            where = " ".join(v for v in (x["segment_id"], x["element"]) if v)
            w.add_row(*(shown(v) for v in (x["code"], x["severity"], x["stage"], where, x["consequence"],
                                           x["message"])))
        console.print(w)
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


def _own_dates(dates: dict) -> str:
    """A line's own dates for the lines table: "ship 2026-12-18 (010); cancel after 2026-12-20 (001)"."""
    return "; ".join(f"{text} {dates[c]} ({q})" for c, q, text in _named(LINE_DATE_NAMES, dates) if dates.get(c))


def _asked_text(o: dict) -> list[str]:
    """The order's terms, CSH and ship-complete day as lines of text (none when not read)."""
    out = []
    if o.get("terms"):
        t = o["terms"]
        out.append("  terms (ITD): " + "; ".join(f"{text} {t[c]}" for c, _e, text in TERMS if c in t))
    if o.get("sales_requirement"):
        r = o["sales_requirement"]
        out.append(f"  CSH01 {r['code']}" + (f": {r['text']}" if r["text"] else "")
                   + (f", promised for {o['ship_complete_date']}" if o.get("ship_complete_date") else ""))
    if o.get("do_not_exceed"):
        x = o["do_not_exceed"]
        out.append(f"  do not exceed (CSH03) {money_text(x['amount'], o['currency'])} {o['currency']}".rstrip()
                   + (f", action (CSH02) {x['action']}" if x["action"] else ""))
    return out


def _departed(sh: dict) -> str:
    """" (departed <our time>)" when the departure in our clock's time is not the ship time as the
    warehouse wrote it (a 945 time in another zone, converted); "" otherwise."""
    departed, written = sh.get("departed_at") or "", f"{sh['ship_date']}T{sh['ship_time']}"
    return f" (departed {departed} our time)" if sh["ship_time"] and departed and not departed.startswith(written) \
        else ""


def print_recorded(doc: dict, *, out: Console | None = None) -> None:
    """status: the 810s and 856s another system of ours sent for the order (`orderbridge record`), which the
    reconciliation counts beside ours: what each is, who recorded it, when and from which file."""
    if not doc.get("recorded"):
        return
    console = out or _CONSOLE
    console.print(styled(("documents recorded as sent by another system of ours", "bold"),
                         " (`orderbridge record`; sent: as recorded, recorded: wall clock)"))
    for x in doc["recorded"]:
        of = f" (shipment {x['shipment_id']})" if x["type"] == "810" and x["shipment_id"] else ""
        lines = f"{x['lines']} line{'s' if x['lines'] != 1 else ''}, {x['quantity']} units"
        note = f": {x['note']}" if x["note"] else ""
        console.print(shown(f"  {x['type']} {x['document_ref']}{of} of {x['doc_date'] or '(no date)'}: {lines}; "
                            f"sent {x['sent_at'] or '(time unknown)'}, ISA13 {x['isa13']} GS06 {x['gs06']} ST02 "
                            f"{x['st02']}, file {x['file']}; recorded {x['recorded_at']} by {x['recorded_by']}{note}"))


SERIALS_SHOWN = 5  # a line's serials status prints (a pallet of notebooks ships hundreds; --json has every one)


def print_shipping(doc: dict, *, out: Console | None = None) -> None:
    """status: the order's shipments (carrier, tracking, the 856, cartons and SSCCs) and invoices (the 810s, or the
    880s of a grocer invoiced by the 880)."""
    console = out or _CONSOLE
    for sh in doc["shipments"]:
        asn = sh["asn"]
        sent = (f"856 ISA13 {asn['isa13']} ST02 {asn['st02']} {asn['file_name']}, built {sh['asn_at']}"
                if asn else "no 856 (the partner receives none)")
        console.print(styled((f"shipment {sh['shipment_id']}", "bold"),
                             f" from {sh['warehouse']}: shipped {sh['ship_date']} {sh['ship_time']}"
                             + _departed(sh) + f", carrier "
                             f"{sh['carrier'] or '-'} {sh['service_level']}, tracking {sh['tracking_number'] or '-'}, "
                             f"BOL {sh['bill_of_lading'] or '-'}; {sent}",
                             (f" (late: due {sh['asn_due_at']})" if sh["asn_late"] and sh.get("asn_due_at") else
                              " (late)" if sh["asn_late"] else "", "red")))
        for a in sh.get("warehouse_acks") or ():  # our answers to its 945 file, where a partner's 997 shows
            console.print(f"  {a['type']} to {shown(sh['warehouse'])} ISA13 {a['isa13']} answering ISA13 "
                          f"{a['answers_isa13']}{' GS06 ' + a['answers_gs06'] if a['answers_gs06'] else ''}: "
                          f"{shown(a['file_name'])}, {a['status']}"
                          + (f" {a['delivered_at']}" if a["delivered_at"] else ""))
        c = Table(title=f"shipment {shown(sh['shipment_id'])}: cartons and lines")
        stores = any(ln.get("mark_for_store") for ln in sh["lines"])
        weighed = any(ln.get("net_weight") for ln in sh["lines"])
        for col in ("carton / pallet", "SSCC-18", "on pallet", "weight", "line", "PO101", "SKU", "quantity",
                    *(("net weight",) if weighed else ()), *(("for store",) if stores else ())):
            c.add_column(col, overflow="fold")

        def extra(ln, weighed=weighed, stores=stores) -> tuple:  # a line's net weight, the store it was marked for
            return (*((f"{ln['net_weight']} {ln['net_weight_unit']}".strip() if ln and ln.get("net_weight") else "",)
                      if weighed else ()), *((shown(ln.get("mark_for_store") or "") if ln else "",) if stores else ()))
        by_carton: dict[str, list] = {}
        for ln in sh["lines"]:
            by_carton.setdefault(ln["carton"], []).append(ln)
        for ct in sh["cartons"]:
            if ct["level"] == "pallet":
                c.add_row(f"pallet {shown(ct['label'])}", shown(ct["sscc"]), "", "", "", "", "", "", *extra(None))
                continue
            for i, ln in enumerate(by_carton.pop(ct["label"], []) or [None]):
                c.add_row(shown(ct["label"]) if i == 0 else "", shown(ct["sscc"]) if i == 0 else "",
                          shown(ct["pallet"]),
                          f"{ct['weight'] or ''} {ct['weight_unit']}".strip() if i == 0 else "",
                          str(ln["line_number"]) if ln else "", shown(ln["line_id"]) if ln else "",
                          shown(ln["sku"]) if ln else "", shown(f"{ln['quantity']} {ln['unit']}") if ln else "",
                          *extra(ln))
        for label, lines in by_carton.items():  # loose items, or cartons the 856 does not list
            for ln in lines:
                c.add_row(shown(label) or "(loose)", "", shown(ln["pallet"]), "", str(ln["line_number"]),
                          shown(ln["line_id"]), shown(ln["sku"]), shown(f"{ln['quantity']} {ln['unit']}"), *extra(ln))
        console.print(c)
        if sh.get("lots"):
            lots = Table(title=f"shipment {shown(sh['shipment_id'])}: lots shipped (the 856's)")
            for col in ("carton / pallet SSCC", "PO101", "lot", "expires", "quantity"):
                lots.add_column(col, overflow="fold")
            for lot in sh["lots"]:
                lots.add_row(shown(", ".join(lot["cartons"])), shown(lot["line_id"]), shown(lot["lot"]),
                             lot["expiration_date"] or "-", shown(f"{lot['quantity']} {lot['unit']}".strip()))
            console.print(lots)
        for ln in sh.get("serials") or ():  # each line's serial numbers shipped: the count and the first few
            few = ", ".join(ln["serials"][:SERIALS_SHOWN]) + (f" ... and {ln['count'] - SERIALS_SHOWN} more (--json "
                                                                "lists them)" if ln["count"] > SERIALS_SHOWN else "")
            console.print(shown(f"  line {ln['line_id']} ({ln['sku']}): {ln['count']} serial number(s) shipped: {few}"))
            if ln.get("returned"):  # units ops marked returned since (`orderbridge serial-return`): who, when, why
                console.print(shown("    returned since: " + "; ".join(
                    f"{r['serial']} by {r['returned_by']} at {r['returned_at']} ({r['reason']})"
                    for r in ln["returned"])))
    if doc["invoices"]:
        kinds = sorted({(inv["document"] or {}).get("type") or "810" for inv in doc["invoices"]})
        v = Table(title=f"invoices ({', '.join(kinds)})")  # the 810, or a grocer's 880
        for col in ("invoice", "date", "shipment", "lines", "merchandise", "charges", "total", "ISA13", "file",
                    "delivered"):
            v.add_column(col, overflow="fold")
        for inv in doc["invoices"]:
            d = inv["document"] or {}
            store = f" store {inv['store'] or '(none)'}" if inv.get("store") is not None else ""  # billed per store
            v.add_row(shown(inv["invoice_number"]), inv["invoice_date"],
                      shown((inv["shipment_id"] or "(order)") + store),
                      str(len(inv["lines"])), money_text(inv["merchandise"], inv["currency"]),
                      money_text(inv["charges"], inv["currency"]),
                      f"{money_text(inv['total'], inv['currency'])} {inv['currency']}"
                      + (f" (tax {money_text(inv['tax'], inv['currency'])})" if inv.get("tax") else ""),
                      d.get("isa13", ""), shown(d.get("file_name", "")), d.get("delivered_at") or "not yet")
        console.print(v)
        for inv in doc["invoices"]:  # a line billed by weight: why its amount is not its cases times the price
            for ln in inv["lines"]:
                if ln.get("net_weight"):
                    console.print(shown(f"  invoice {inv['invoice_number']} line {ln['line_id'] or ln['line_number']}: "
                                        f"{ln['quantity']} {ln['unit']} billed by net weight {ln['net_weight']} "
                                        f"{ln['net_weight_unit']} x {ln['unit_price']} = "
                                        f"{money_text(ln['amount'], inv['currency'])}"))
    if doc.get("invoices_held"):  # an 880 billing holds (INVOICE_HELD_NOT_ON_880): no number, said once
        held = Table(title="invoices held (not sent; billed once what holds them is settled)")
        for col in ("invoice", "shipment", "line", "since run", "why"):
            held.add_column(col, overflow="fold")
        for x in doc["invoices_held"]:
            held.add_row(shown(x["doc_key"]), shown(f"{x['shipment_id']} ({x['warehouse']})" if x["shipment_id"]
                                                    else "(several)"), str(x["line_number"] or ""),
                         shown(x["since_run"]), shown(x["why"]))
        console.print(held)


def substitution_reason(ln: dict) -> str:
    """A line's reason, led by the part ordered and the part shipped in its place (a substitute: "ordered
    SKU-1008, substituted by SKU-1001")."""
    if not ln.get("substituted_from"):
        return ln["reason"] or ""
    return "; ".join(t for t in (f"ordered {ln['substituted_from']}, substituted by {ln['sku']}", ln["reason"]) if t)
