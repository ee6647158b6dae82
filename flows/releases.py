"""Releases told apart (schemas.order_keys, engine.lifecycle.releases): the held orders under some PO
numbers looked up for the stages that meet a PO number with or without its release (intake's 850s and
860s, shipment confirmations, status). Wiring only: the store and the stored 850s read, the keys decided
by engine.lifecycle.releases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import pyarrow.compute as pc

from connectors.order_store import OrderStore, order_row, per_stored_table
from connectors.state import StateStore
from engine.lifecycle.releases import (
    Held,
    has_blankets,
    has_unnumbered_releases,
    is_idle,
    key_outcome,
    key_shipment_lines,
    names_a_release,
    unpadded_po_lines,
)
from schemas.findings import Finding
from schemas.lifecycle import OrderRecord
from schemas.order_keys import (
    blanket_key,
    is_blanket_key,
    is_ref_key,
    is_release_key,
    key_ref,
    key_release,
    shown,
    x12_po,
)
from schemas.orders import BLANKET_TYPES


def held_orders(state: StateStore, store: OrderStore, partner: str, pos: Iterable[str], *,
                releases_needed: bool = True, ref: str = "") -> Held:
    """The partner's orders under these PO numbers (keyed by the PO number and as later releases), with
    the release numbers of those keyed by the PO number read from their stored 850 (an order taken
    before releases were told apart is found so) when ``releases_needed``."""
    pos = set(pos)
    plain = list(state.orders_for({(partner, po) for po in pos}).values())
    later = [r for r in state.release_orders(partner) if x12_po(r.po_number) in pos]
    return Held.of([*plain, *later], stored_releases(store, plain) if releases_needed else {}, ref=ref)


def _sharing(state: StateStore, store: OrderStore, records: list[OrderRecord]) -> dict[tuple[str, str], str]:
    """The orders of ``records`` keyed by their PO number alone while the PO holds others (later releases, a blanket
    kept apart) -> "blanket" (BEG02 BK, BE, KB, LB) or the release their stored 850's BEG04 names (none: left out).
    The store's releases are looked up once; only the orders keyed so have their stored 850 read."""
    plain = [r for r in records if not is_release_key(r.po_number)]
    if not plain:
        return {}
    shared = {(r.partner, x12_po(r.po_number)) for r in state.release_orders()}
    plain = [r for r in plain if (r.partner, r.po_number) in shared]
    out = {r.key: "blanket" for r in plain if r.order_type in BLANKET_TYPES}
    for partner in sorted({r.partner for r in plain}):  # (stored_releases answers by PO number: one partner's)
        mine = [r for r in plain if r.partner == partner and r.order_type not in BLANKET_TYPES]
        releases = stored_releases(store, mine)
        out.update({r.key: releases[r.po_number] for r in mine if releases.get(r.po_number)})
    return out


def order_names(state: StateStore, store: OrderStore, records: Iterable[OrderRecord]) -> dict[tuple[str, str], str]:
    """How people read each order of ``records`` (by its key): schemas.order_keys.shown, except an order keyed by its
    PO number alone while the PO holds others, which the bare PO number would not tell apart from them: "PO release
    N" for the first release (its stored 850's BEG04), "PO blanket" for a blanket holding the PO number (_sharing)."""
    records = list(records)
    sharing = _sharing(state, store, records)
    return {r.key: (shown(blanket_key(r.po_number)) if sharing.get(r.key) == "blanket"
                    else f"{r.po_number} release {sharing[r.key]}" if r.key in sharing else shown(r.po_number))
            for r in records}


def order_releases(state: StateStore, store: OrderStore, records: Iterable[OrderRecord]
                   ) -> dict[tuple[str, str], str]:
    """What `--release` names each order of ``records`` by among its PO's orders (by its key): a release's BEG04,
    "blanket" for a blanket (kept apart, or holding the PO number beside releases), a reference's value for an order
    told apart by one ([x12] order_key_ref); "" when its PO number alone names it (the only order of its PO). For
    tools (`orders --json`), which the store's key (with its separator) does not serve."""
    records = list(records)
    sharing = _sharing(state, store, records)

    def release(r: OrderRecord) -> str:
        key = r.po_number
        if is_blanket_key(key):
            return "blanket"
        if is_ref_key(key):
            return key_ref(key)
        if is_release_key(key):
            return key_release(key)
        return sharing.get(r.key, "")
    return {r.key: release(r) for r in records}


def stored_releases(store: OrderStore, records: Iterable[OrderRecord]) -> dict[str, str | None]:
    """PO -> its 850's BEG04 ("" for none) of orders keyed by their PO number, from their current stored
    table; an order whose table cannot be read is left out (its release unknown)."""
    out: dict[str, str | None] = {}
    columns = ["order_ref", "po_number", "release_number"]
    for r, t in per_stored_table(records, lambda partner, key: store.load_orders(partner, key, columns)):
        if t is None:
            continue
        row = order_row(t, r.po_number, r.order_ref)
        if row is not None:
            out[r.po_number] = (row["release_number"] or "").strip()
    return out


def key_releases(state: StateStore, store: OrderStore, partner: str, outcome, *, ref: str = ""
                 ) -> tuple[object, list[Finding]]:
    """The outcome of one of ``partner``'s files with its 850s and 860s keyed to the orders they mean
    (engine.lifecycle.releases.key_outcome; ``ref``: the ORDERS column of the partner's order_key_ref, "" for
    none). Nothing is looked up for a file whose 850s give no release (nor that reference) and are no blanket,
    and whose 860s name no PO held as several releases: then the outcome itself. (A blanket naming no release is
    looked up: a release sent before it may hold its PO number, and it is keyed apart, not taken as its copy. So is a
    release naming no release under a PO whose blanket is held apart: it calls the blanket off.)"""
    orders, headers = outcome.orders, outcome.change_headers
    with_release = names_a_release(orders, ref) or has_blankets(orders)
    if not with_release and not headers.num_rows and not has_unnumbered_releases(orders):
        return outcome, []
    pos = set(orders["po_number"].to_pylist()) | set(headers["po_number"].to_pylist())
    if not with_release and not any(x12_po(r.po_number) in pos for r in state.release_orders(partner)):
        return outcome, []
    return key_outcome(outcome, held_orders(state, store, partner, pos, ref=ref))


def key_confirmations(state: StateStore, store: OrderStore, read, refs: Mapping[str, str] | None = None, *,
                      orders_with_po: Callable[[set[str]], list[OrderRecord]] | None = None):
    """A confirmation file as read (engine.lifecycle.shipping.Confirmations) with each line's po_number the
    order key it names (engine.lifecycle.releases.key_shipment_lines), and a line naming no release of a
    PO with several open given its finding and its shipment held. Nothing is looked up for a file naming
    no release and no PO held as several releases: then ``read`` itself. ``orders_with_po``: the store's
    orders_with_po, or the caller's memo of it (flows.shipments reads a file's orders once, not per step)."""
    orders_with_po = orders_with_po or state.orders_with_po
    read = unpadded_confirmations(state, read, orders_with_po=orders_with_po)
    lines = read.lines
    if not lines.num_rows:
        return read
    pos = {po for po in lines["po_number"].to_pylist() if po}
    later = [r for r in state.release_orders() if x12_po(r.po_number) in pos]
    if not later and not pc.any(pc.is_valid(lines["release_number"])).as_py():
        return read
    records = [*orders_with_po(pos), *later]
    by_partner: dict[str, list[OrderRecord]] = {}
    for r in records:
        by_partner.setdefault(r.partner, []).append(r)
    # the orders never answered: a blanket held for a person holds no unit to ship, unless it holds reservations
    unanswered = [(r.partner, r.po_number) for r in records if is_idle(r)]
    reserved = set(state.reservations_for(unanswered)) if unanswered else set()
    held = {p: Held.of(rs, stored_releases(store, [r for r in rs if r.po_number in pos]), ref=(refs or {}).get(p, ""),
                       reserved={po for partner, po in reserved if partner == p})
            for p, rs in by_partner.items()}
    keyed, found = key_shipment_lines(lines, held)
    if not found and keyed is lines:
        return read
    sids = lines["shipment_id"].to_pylist()
    unread = {**read.unread, **{f.location.row: sids[i] for i, f in found if f.location.row is not None}}
    return replace(read, lines=keyed, findings=(*read.findings, *(f for _i, f in found)), unread=unread)


def unpadded_confirmations(state: StateStore, read, *,
                           orders_with_po: Callable[[set[str]], list[OrderRecord]] | None = None):
    """A confirmation file as read with each line naming a PO number no order has, without the leading zeros of
    one order's (1761234000 for Topco's 000001761234000: a spreadsheet or WMS keeping it as a number), naming that
    order (engine.lifecycle.releases.unpadded_po_lines); ``read`` itself when every PO number is an order's or none
    is a plain number."""
    lines = read.lines
    if not lines.num_rows:
        return read
    pos = {po for po in lines["po_number"].to_pylist() if po}
    live = {r.po_number for r in (orders_with_po or state.orders_with_po)(pos)}
    bare = {po for po in pos - live if po.isdigit() and not po.startswith("0")}
    if not bare:
        return read
    keyed = unpadded_po_lines(lines, live, state.orders_with_unpadded_po(bare))
    return read if keyed is lines else replace(read, lines=keyed)


def releases_by_ref(state: StateStore, store: OrderStore, under: list) -> list:
    """The releases calling off a blanket among ``under`` (order records held under the PO numbers looked up) by
    their contract or agreement (REF*CT, REF*AH; their own BEG03 another number: engine.blankets.naming_by_ref) that
    may draw, by key. Found by the numbers the store keeps of each order's 850 (StateStore.releases_naming: an
    indexed read, store version BLANKET_REFS); only a release whose numbers the store does not know (stored before)
    is read with its current ORDERS rows. Nothing is read when ``under`` holds no blanket."""
    from engine import lifecycle
    from engine.blankets import DRAWING_STATES, RELEASE, held_blankets, naming_by_ref

    blankets = held_blankets(under)
    if not blankets:
        return []
    known = {r.key for r in under}
    numbers: dict[str, set[str]] = {}
    for partner, po in blankets:
        numbers.setdefault(partner, set()).add(po)
    named, unknown = state.releases_naming(numbers, DRAWING_STATES, kind=RELEASE)
    # one whose own BEG03 is a blanket's is that blanket's, found under its PO number (engine.blankets.called_off)
    found = [r for r in named if r.key not in known and (r.partner, x12_po(r.po_number)) not in blankets]
    unknown = [r for r in unknown if r.key not in known]
    if unknown:
        tables = {k: store.load(*k) for k in lifecycle.table_keys(unknown)}
        orders, _lines = lifecycle.current_tables(unknown, tables)
        found += naming_by_ref(unknown, orders, blankets)
    return sorted(found, key=lambda r: r.key)


def blankets_cancelled(state: StateStore, store: OrderStore, plan, rows: Mapping[str, Mapping], *, at: str,
                       run_id: str, seg: str = "BEG", element: str = "BEG01"):
    """For each blanket ``plan`` (intake's Plan, or the 860s' applied at decide) cancels (850 BEG01 01, 860 BCH01 01)
    while releases of it may still ship, a Plan: each release acknowledged and not shipped held for a person
    (engine.blankets.hold_released: RELEASE_HELD_BLANKET_CANCELLED, at the cancellation, the release's transition),
    each release partly shipped with its balance cancelled (engine.lifecycle.balance.cancel_released_balance: its
    lines, reservations and transition), and BLANKET_CANCELLED_RELEASES_OPEN (engine.blankets.cancelled_with_releases)
    naming every open release and its state, at the cancellation (``rows``: the cancelling 850's order row or 860's
    header by order key; ``seg`` and ``element``: BEG/BEG01 or BCH/BCH01). A release ``plan`` itself moves (cancelled
    in the same file) is left to it.
    Nothing is looked up unless the plan cancels a blanket."""
    from engine.blankets import (
        CANCEL,
        cancelled_by,
        cancelled_with_releases,
        hold_released,
        open_releases,
        shipped_in_part,
        unshipped_answered,
    )
    from engine.lifecycle.balance import cancel_released_balance
    from schemas.lifecycle import FindingRecord, Plan

    cancelled = cancelled_by(plan)
    if not cancelled:
        return Plan()
    moving = {t.record.key for t in plan.transitions}
    stage = "intake" if seg == "BEG" else "decide"
    transitions, out, balances = [], [], Plan()
    for blanket in cancelled:
        po = x12_po(blanket.po_number)
        under = [*state.orders_for({(blanket.partner, po)}).values(),
                 *(r for r in state.release_orders(blanket.partner) if x12_po(r.po_number) == po)]
        by_ref = releases_by_ref(state, store, [*under, blanket])  # (naming it by REF*CT / REF*AH)
        releases = [r for r in open_releases(blanket, under, by_ref=by_ref) if r.key not in moving]
        if not releases:
            continue
        names = order_names(state, store, releases)
        row = rows.get(blanket.po_number, {"po_number": blanket.po_number})
        for t, f in hold_released(blanket, unshipped_answered(releases), names, row, at=at, run_id=run_id, seg=seg,
                                  element=element, value=CANCEL):
            transitions.append(t)
            out.append(FindingRecord(f, t.record.partner, t.record.po_number, "order held for a person", stage))
        held = {t.record.key for t in transitions}
        # a release part of which shipped: what left stands, its balance is cancelled (its stock released)
        part = shipped_in_part(releases)
        if part:
            keys = [r.key for r in part]
            lines, reserved = state.lines_for(keys), state.reservations_for(keys)
            for r in part:
                balances += cancel_released_balance(r, lines.get(r.key, ()), reserved.get(r.key, ()),
                                                    blanket=f"blanket PO {po} ({element} {CANCEL})", at=at,
                                                    run_id=run_id)
        f = cancelled_with_releases(blanket, releases, names, row, seg=seg, element=element, value=CANCEL,
                                    held=held, closed={r.key for r in part})
        out.append(FindingRecord(f, blanket.partner, blanket.po_number, "none (warning): the cancellation stands",
                                 stage))
    return Plan(transitions=tuple(transitions), findings=tuple(out)) + balances


def cancelling_rows(orders) -> dict[str, dict]:
    """The cancelling 850s' order rows (BEG01 01) of an outcome's ORDERS table, by order key. Only the rows whose
    purpose holds "01" are made Python rows (every row of a 500-PO file's ~90 columns was: 7 ms a file, 0.14 s of a
    10,000-PO intake's CPU; s69); the test on them is the same."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if "purpose" not in orders.column_names:
        return {}
    purpose = orders["purpose"]
    if pa.types.is_string(purpose.type) or pa.types.is_large_string(purpose.type):
        orders = orders.filter(pc.match_substring(purpose, "01"))  # (null: dropped, as "".strip() is not "01")
    return {r["po_number"]: r for r in orders.to_pylist() if (r.get("purpose") or "").strip() == "01"}


def fill_blanket_refs(state: StateStore, store: OrderStore) -> tuple[int, int]:
    """The contract and agreement (REF*CT, REF*AH) of each order the store does not know them of (null: stored before
    store version BLANKET_REFS), read from its current stored ORDERS row ("" for none) and kept with the order
    (StateStore.fill_blanket_refs), once, while the store is marked for it (BLANKET_REFS_READ's step): a release
    taken before is then found by the index (releases_naming) as a new one is, its stored table no longer read by
    each lookup. Each stored table is read once (its four columns), however many orders it holds; an order whose
    table cannot be read, or holds no row of it, stays null (read when wanted, as before). (orders given them,
    orders left unknown); (0, 0) when the store is not marked."""
    if not state.blanket_refs_unread():
        return 0, 0
    unknown = [_Unknown(*row) for row in state.refs_unknown()]
    columns = ["order_ref", "po_number", "contract_number", "agreement_number"]
    numbers, rows_of = [], {}
    for r, t in per_stored_table(unknown, lambda partner, key: store.load_orders(partner, key, columns)):
        if t is None:
            continue
        rows = rows_of.get((r.partner, r.lines_key))
        if rows is None:  # (po_number, order_ref) and po_number -> the first row of each, as current_tables reads
            rows = rows_of[(r.partner, r.lines_key)] = {}
            for row in t.to_pylist():
                rows.setdefault((row["po_number"], row["order_ref"]), row)
                rows.setdefault((row["po_number"], None), row)
        row = rows.get((r.po_number, r.order_ref)) or rows.get((r.po_number, None))
        if row is not None:
            numbers.append((r.partner, r.po_number, (row["contract_number"] or "").strip(),
                            (row["agreement_number"] or "").strip()))
    state.fill_blanket_refs(numbers)
    return len(numbers), len(unknown) - len(numbers)


@dataclass(frozen=True, slots=True)
class _Unknown:
    """An order whose contract and agreement the store does not know (StateStore.refs_unknown)."""

    partner: str
    po_number: str
    order_ref: str | None
    lines_key: str
