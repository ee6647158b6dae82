"""Releases against one PO number as orders of their own (schemas.order_keys): which order key each
850, 860 and shipment line of a partner means, from the PO number (BEG03, BCH03, a confirmation's PO)
and the release number (BEG04, BCH04, a confirmation's release) it gives.

Pure: the orders held under each PO number (their keys, release numbers, states, and which hold nothing a
DC could ship) in; keys and findings out. The flows look the held orders up and rewrite the tables'
``po_number`` with the keys before planning, so everything after (lifecycle, stored tables, documents)
sees one order per release.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

import pyarrow as pa

from schemas.findings import Finding, finding
from schemas.lifecycle import OrderRecord, OrderState
from schemas.order_keys import (
    REF,
    SEP,
    blanket_key,
    can_key,
    is_blanket_key,
    is_release_key,
    ref_key,
    ref_tag,
    release_key,
    x12_po,
)
from schemas.orders import BLANKET_TYPES, ORDER_REFS

ENDED = frozenset({OrderState.REJECTED, OrderState.CANCELLED, OrderState.CLOSED})  # nothing more comes to these
SHIPPED = ENDED | {OrderState.SHIPPED, OrderState.INVOICED, OrderState.ON_MEMO}  # nothing more ships for these
UNKNOWN = None  # the release of a held order whose stored 850 could not be read
RELEASE = "RL"  # BEG02 Release or Delivery Order: a blanket's call-off (engine.lifecycle.intake.RELEASE)
CANCEL = "01"  # BEG01 cancellation
# an order in these states and never answered (OrderRecord.answered_revision 0) with nothing reserved holds no unit a
# DC could ship (a blanket held for a person, an order waiting for the rules or a person): no release a shipment
# naming none could mean (Held.idle)
UNANSWERED = frozenset({OrderState.RECEIVED, OrderState.CHANGED, OrderState.HELD, OrderState.APPROVED,
                        OrderState.REJECTED_BY_PERSON})


@dataclass(slots=True)
class Held:
    """The orders of one partner held under each PO number: key -> (release number, state). ``ref``: the
    ORDERS column of the heading reference that tells the partner's orders under one PO number apart
    ([x12] order_key_ref, schemas.order_keys.ref_key), "" for none; such an order's "release" is the
    reference's ref_tag. ``idle``: the keys of the orders that hold no unit a DC could ship (never answered,
    nothing reserved: UNANSWERED), which a shipment naming no release cannot mean (named_key's ``shipment``)."""

    by_po: dict[str, dict[str, tuple[str | None, OrderState | None]]] = field(default_factory=dict)
    ref: str = ""
    idle: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, records: Iterable[OrderRecord], releases: Mapping[str, str | None], *, ref: str = "",
           reserved: Collection[str] = ()) -> Held:
        """``records``: the partner's orders under the PO numbers in question (keys that are PO numbers,
        release keys and ref keys); ``releases``: the release number (BEG04, "" for none) of those keyed by
        their PO number, read from their stored 850 (a release or ref key names its own); ``reserved``: the
        keys of those never answered that hold reservations (else they are idle)."""
        held = cls(ref=ref)
        for r in records:
            release = "" if is_blanket_key(r.po_number) else r.po_number.partition(SEP)[2] \
                if is_release_key(r.po_number) else releases.get(r.po_number, UNKNOWN)
            held.by_po.setdefault(x12_po(r.po_number), {})[r.po_number] = (release, r.state)
            if is_idle(r) and r.po_number not in reserved:
                held.idle.add(r.po_number)
        return held

    def add(self, key: str, release: str) -> None:
        self.by_po.setdefault(x12_po(key), {})[key] = (release, None)

    def keys(self, po: str) -> dict[str, tuple[str | None, OrderState | None]]:
        return self.by_po.get(po, {})


def is_idle(record: OrderRecord) -> bool:
    """Whether an order holds no unit a DC could ship, by its record: never answered and waiting for the rules or a
    person (a blanket held for a person). An answered order a change put back on hold may have shipped; so may one
    holding reservations, which the caller asks the store for (Held.of's ``reserved``)."""
    return record.answered_revision == 0 and record.state in UNANSWERED


def order_key(po: str, release: str, held: Held, *, blanket: bool = False, calls_off: bool = False) -> str:
    """The key of an 850 for PO ``po`` release ``release`` (BEG04, "" for none): the order of that PO
    and release when one is held (a resend, a replacement, a cancellation); else the PO number when
    nothing is held under it, or the release is empty (as before releases); else a new release key.
    A held order whose release could not be read counts as the same release (a duplicate, as before).
    ``release`` a reference's ref_tag (Held.ref): the order held with it, else always a new ref key.
    ``blanket``: the 850 is a blanket (BEG02 BK, BE, KB, LB) naming no release: the blanket held apart from its
    releases when there is one (blanket_key), else a new blanket key when a release (its BEG04 read) holds the PO
    number (a release sent before its blanket: the blanket is not its copy or change), else as any 850.
    ``calls_off``: the 850 is a release (BEG02 RL) naming no release: the blanket held apart from its releases when
    there is one, as the PO number names the blanket when the blanket holds it (the release calls the blanket off:
    engine.lifecycle.intake.calls_off_blanket), not the release that came first holding the PO number."""
    keys = held.keys(po)
    if calls_off and not release:
        kept = next((key for key in keys if is_blanket_key(key)), None)
        if kept is not None:
            return kept
    if blanket and not release and keys:
        kept = next((key for key in keys if is_blanket_key(key)), None)
        if kept is not None:
            return kept
        their = keys.get(po, (None, None))[0]
        if their and not their.startswith(REF) and SEP not in po:
            return blanket_key(po)
    if release.startswith(REF):
        same = [key for key, (their, _state) in keys.items() if their == release]
        return same[0] if same else ref_key(po, release[1:]) if can_key(po, release) else po
    if not release or not keys:
        return po
    for key, (their, _state) in keys.items():
        if their == release:
            return key
    if keys.get(po, ("", None))[0] is UNKNOWN:
        return po
    return release_key(po, release) if can_key(po, release) else po


def key_orders(orders: pa.Table, held: Held) -> list[str]:
    """``order_key`` of each 850 row (po_number, release_number; a partner's Held.ref: that reference when
    the row gives it), in file order: a release met earlier in the same file is held by then."""
    out = []
    refs = orders[held.ref].to_pylist() if held.ref else [None] * orders.num_rows
    types = orders["order_type"].to_pylist() if "order_type" in orders.column_names else [None] * orders.num_rows
    purposes = orders["purpose"].to_pylist() if "purpose" in orders.column_names else [None] * orders.num_rows
    for po, release, ref, kind, purpose in zip(orders["po_number"].to_pylist(), orders["release_number"].to_pylist(),
                                               refs, types, purposes, strict=True):
        release = ref_tag((ref or "").strip()) or (release or "").strip()
        kind = (kind or "").strip()
        # a release naming none calls the blanket off; a cancellation naming none (BEG01 01) is not read as the
        # blanket's: it means the order holding the PO number, as before (never a blanket cancelled by a guess)
        key = order_key(po, release, held, blanket=kind in BLANKET_TYPES,
                        calls_off=kind == RELEASE and (purpose or "").strip() != CANCEL)
        if key not in held.keys(po):
            held.add(key, release)
        out.append(key)
    return out


def named_key(po: str, release: str, held: Held, *, ended: frozenset = ENDED,
              shipment: bool = False) -> tuple[str | None, str]:
    """The order a reference to PO ``po`` (and release ``release`` when it gives one) names: (key, "")
    or (None, why) when several releases could be meant. With a release: that release's order; one
    held order whose release is empty or unknown (an order taken before releases were told apart)
    when it is the only one. Without: the only order of the PO, else the only one still open.
    ``shipment``: a confirmation's line, which cannot mean an order holding no unit to ship (Held.idle: a
    blanket held for a person while its release ships) unless every order of the PO is such."""
    keys = held.keys(po)
    if shipment and not release and len(keys) > 1:
        keys = {k: v for k, v in keys.items() if k not in held.idle} or keys
    if len(keys) <= 1:
        if not keys or not release:
            return (next(iter(keys), po), "")
        [(key, (their, _s))] = keys.items()
        return (key, "") if their in (release, "", UNKNOWN) else (release_key(po, release) if can_key(
            po, release) else po, "")
    if release:
        for key, (their, _s) in keys.items():
            if their == release:
                return key, ""
        return (release_key(po, release) if can_key(po, release) else po), ""
    open_keys = [k for k, (_r, state) in keys.items() if state not in ended]
    if len(open_keys) == 1:
        return open_keys[0], ""
    meant = open_keys or list(keys)  # none open: every release could be meant
    told = [r for r in (keys[k][0] for k in meant) if r is not UNKNOWN]
    if any(r.startswith(REF) for r in told):  # orders told apart by a reference (Held.ref)
        names = ", ".join(sorted(r[1:] if r.startswith(REF) else r or "(none)" for r in told))
        return None, (f"PO {po} has {len(meant)} orders{' open' if open_keys else ''} ({names}) and this names "
                      "none (no order reference): which one is meant cannot be told")
    names = ", ".join(sorted(r or "(none)" for r in told))
    return None, (f"PO {po} has {len(meant)} releases{' open' if open_keys else ''} ({names}) and this names "
                  "none (no release number): which one is meant cannot be told")


def key_changes(headers: pa.Table, held: Held, *, file: str = "") -> tuple[list[str | None], list[Finding]]:
    """The key each 860 (po_number = BCH03, release_number = BCH04; for a partner whose orders are told
    apart by a reference, Held.ref, that heading REF when it sends it) names; None, with a
    CHANGE_RELEASE_AMBIGUOUS finding, for one naming no release of a PO with several open. An 860 of a blanket
    (BCH02 BK, BE, KB, LB) naming no release names the blanket 850 when there is one (held apart from a release
    sent before it, blanket_key, or under the PO number with no release): the blanket, not one of its releases."""
    keys, found = [], []
    qualifier = {c: q for q, c in ORDER_REFS.items()}.get(held.ref) if held.ref else None
    rows = headers.select(["po_number", "release_number", "isa13", "gs06", "st02", "st_file_segment",
                           *(c for c in ("order_type",) if c in headers.column_names),
                           *(("refs_sent",) if qualifier else ())]).to_pylist()
    for h in rows:
        release = (h["release_number"] or "").strip()
        blanket = _blanket_held(h["po_number"], held) if not release and \
            (h.get("order_type") or "").strip() in BLANKET_TYPES else None
        if blanket is not None:
            keys.append(blanket)  # a change of the blanket (BCH02 BK ...), not of one of its releases
            continue
        if qualifier:
            release = ref_tag(next((r["id"].strip() for r in h["refs_sent"] or () if r["qualifier"] == qualifier),
                                   "")) or release
        key, why = named_key(h["po_number"], release, held)
        keys.append(key)
        if key is None:
            found.append(finding("CHANGE_RELEASE_AMBIGUOUS", f"{why}; the 860 is not applied.", seg="BCH",
                                 element="BCH04", value=h["po_number"], file=file, isa13=h["isa13"] or "",
                                 gs06=h["gs06"] or "", st02=h["st02"] or "",
                                 file_segment=(h["st_file_segment"] or 0) + 1))
    return keys, found


def _blanket_held(po: str, held: Held) -> str | None:
    """The key of PO ``po``'s blanket: the one held apart from its releases (blanket_key), else the order held
    under the PO number with no release; None for neither."""
    keys = held.keys(po)
    kept = next((key for key in keys if is_blanket_key(key)), None)
    return kept if kept is not None else po if keys.get(po, (None, None))[0] == "" else None


def rekeyed(table: pa.Table, by_ref: str, keys: Mapping[str, str | None]) -> pa.Table:
    """``table`` with each row's po_number set to the key of its ``by_ref`` (order_ref or change_ref);
    rows whose key is None dropped; the table itself when nothing changes."""
    if not table.num_rows or not keys:
        return table
    refs, pos = table[by_ref].to_pylist(), table["po_number"].to_pylist()
    new = [keys.get(ref, po) for ref, po in zip(refs, pos, strict=True)]
    if new == pos:
        return table
    at = table.schema.get_field_index("po_number")
    out = table.set_column(at, table.schema.field(at), pa.array([k or "" for k in new], pa.string()))
    keep = [k is not None for k in new]
    return out if all(keep) else out.filter(pa.array(keep))


def names_a_release(orders: pa.Table, ref: str = "") -> bool:
    """Whether any of a file's 850s (canonical ORDERS) gives a release (BEG04) or, for a partner whose orders are
    told apart by a reference, that reference (``ref``: its ORDERS column, "" for none): only then may keying
    its orders need the orders held."""
    import pyarrow.compute as pc

    return bool(orders.num_rows) and any(
        pc.any(pc.not_equal(pc.utf8_trim_whitespace(pc.fill_null(orders[c], "")), "")).as_py()
        for c in ("release_number", *((ref,) if ref else ())))


def has_blankets(orders: pa.Table) -> bool:
    """Whether any of a file's 850s (canonical ORDERS) is a blanket (BEG02 BK, BE, KB, LB): its PO number may be
    held by a release sent before it (order_key's ``blanket``)."""
    import pyarrow.compute as pc

    return bool(orders.num_rows) and "order_type" in orders.column_names and bool(pc.any(pc.fill_null(pc.is_in(
        pc.utf8_trim_whitespace(orders["order_type"]), value_set=pa.array(sorted(BLANKET_TYPES))), False)).as_py())


def has_unnumbered_releases(orders: pa.Table) -> bool:
    """Whether any of a file's 850s (canonical ORDERS) is a release (BEG02 RL) naming no release (BEG04): it calls
    off a blanket held apart from the release holding its PO number, when there is one (order_key's ``calls_off``)."""
    import pyarrow.compute as pc

    if not orders.num_rows or "order_type" not in orders.column_names:
        return False
    unnumbered = pc.and_(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(orders["order_type"]), RELEASE), False),
                         pc.equal(pc.utf8_trim_whitespace(pc.fill_null(orders["release_number"], "")), ""))
    return bool(pc.any(unnumbered).as_py())


def key_outcome(outcome, held: Held) -> tuple[object, list[Finding]]:
    """The file's outcome (engine.process.Outcome) with its 850s' and 860s' po_number set to the order
    keys they mean (releases told apart), and the 860s naming no release of a PO with several open left
    out with a finding. The outcome itself when every key is the PO number."""
    orders, headers = outcome.orders, outcome.change_headers
    order_keys = dict(zip(orders["order_ref"].to_pylist(), key_orders(orders, held), strict=True)) \
        if orders.num_rows else {}
    change_keys, found = key_changes(headers, held, file=outcome.file) if headers.num_rows else ([], [])
    change_keys = dict(zip(headers["change_ref"].to_pylist(), change_keys, strict=True)) if change_keys else {}
    order_keys = {ref: k for ref, k in order_keys.items() if is_release_key(k)}
    change_keys = {ref: k for ref, k in change_keys.items() if k is None or is_release_key(k)}
    if not order_keys and not change_keys:
        return outcome, found
    return replace(outcome, orders=rekeyed(orders, "order_ref", order_keys),
                   lines=rekeyed(outcome.lines, "order_ref", order_keys),
                   sacs=rekeyed(outcome.sacs, "order_ref", order_keys),
                   change_headers=rekeyed(headers, "change_ref", change_keys),
                   changes=rekeyed(outcome.changes, "change_ref", change_keys)), found


def key_shipment_lines(lines: pa.Table, held: Mapping[str, Held]) -> tuple[pa.Table, list[tuple[int, Finding]]]:
    """Confirmation lines (schemas.shipments.SHIPMENT_LINES) with po_number set to the order key each
    names (its release_number when the feed gives one: for a partner whose orders are told apart by a
    reference, Held.ref, that reference's value, read from the line's column of that name when it has one, a 945's
    N9*CO customer_order; else the only release still to ship), by the
    partner's ``held`` orders (a PO held by several partners is left to the checks, SHIPMENT_PO_AMBIGUOUS);
    and (row index, SHIPMENT_RELEASE_AMBIGUOUS) for the lines that name no release of a PO with several
    open. The lines themselves when every key is the PO number."""
    if not lines.num_rows:
        return lines, []
    cols = {c: lines[c].to_pylist() for c in ("partner", "po_number", "release_number", "row_number",
                                               "source_file", "isa13", "gs06", "st02", "file_segment")}
    # the reference a line names in a column of its own (a 945's N9*CO: customer_order), for the partners whose
    # orders that reference tells apart; else the release column says it (a CSV's Release column)
    named = {ref: lines[ref].to_pylist() for ref in {h.ref for h in held.values()} if ref in lines.column_names}
    keys, found, memo, owners = list(cols["po_number"]), [], {}, {}
    for i, (partner, po, release) in enumerate(zip(cols["partner"], cols["po_number"], cols["release_number"],
                                                    strict=True)):
        if po is None:
            continue
        whose = owners.get((partner, po))
        if whose is None:
            whose = owners[(partner, po)] = [p for p, h in held.items() if h.keys(po) and (not partner or p == partner)]
        ref = held[whose[0]].ref if len(whose) == 1 else ""
        ask = (partner or "", po, ((named[ref][i] if ref in named else None) or release or "").strip())
        if ask not in memo:
            memo[ask] = named_key(po, ref_tag(ask[2]) if ref else ask[2], held[whose[0]],
                                  ended=SHIPPED, shipment=True) if len(whose) == 1 else (po, "")
        key, why = memo[ask]
        if key is None:
            csv = cols["row_number"][i] is not None
            found.append((i, finding(
                "SHIPMENT_RELEASE_AMBIGUOUS", f"{why}; the shipment is held.", element="release_number" if csv
                else "N902", value=po, file=cols["source_file"][i] or "", isa13="" if csv else cols["isa13"][i] or "",
                gs06="" if csv else cols["gs06"][i] or "", st02="" if csv else cols["st02"][i] or "",
                row=cols["row_number"][i], column="release_number" if csv else "",
                file_segment=None if csv else cols["file_segment"][i])))
        else:
            keys[i] = key
    if keys == cols["po_number"]:
        return lines, found
    at = lines.schema.get_field_index("po_number")
    return lines.set_column(at, lines.schema.field(at), pa.array(keys, pa.string())), found


def unpadded_po_lines(lines: pa.Table, live: Iterable[str], padded: Iterable[OrderRecord]) -> pa.Table:
    """Confirmation lines (schemas.shipments.SHIPMENT_LINES) whose po_number names no order (``live``: the PO
    numbers of the orders held under the feed's numbers) and is a number without leading zeros read as the one
    order's of ``padded`` (orders whose PO number is that number with leading zeros: Topco's 00000nnnnnnn000) of the
    line's partner when the feed names one: a spreadsheet or a WMS keeping the PO number as a number drops its zeros
    (1761234000 for 000001761234000), as it does a line number's. Two such orders (0123 and 00123, or two partners'
    for a feed naming none) leave the line as it was (SHIPMENT_PO_UNKNOWN). The lines themselves when none is
    read so."""
    held = set(live)
    by_digits: dict[str, list[OrderRecord]] = {}
    for r in padded:
        if r.po_number.isdigit() and r.po_number.startswith("0"):
            by_digits.setdefault(r.po_number.lstrip("0"), []).append(r)
    if not lines.num_rows or not by_digits:
        return lines
    pos, partners = lines["po_number"].to_pylist(), lines["partner"].to_pylist()
    out, changed = list(pos), False
    for i, (po, partner) in enumerate(zip(pos, partners, strict=True)):
        if not po or po in held or not po.isdigit() or po.startswith("0"):
            continue
        found = {r.po_number for r in by_digits.get(po, ()) if partner is None or r.partner == partner}
        if len(found) == 1:
            out[i], changed = next(iter(found)), True
    if not changed:
        return lines
    at = lines.schema.get_field_index("po_number")
    return lines.set_column(at, lines.schema.field(at), pa.array(out, lines.schema.field(at).type))
