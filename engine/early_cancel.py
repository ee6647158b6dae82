"""An 850 for a PO its buyer cancelled (860 BCH01 01, or 17: cancelled to be reissued) before the 850 arrived.

A change naming a PO we hold no order of waits for its 850 the partner's early_change_days (CHANGE_AWAITING_ORDER:
an 850 coming meanwhile is cancelled by it the night it comes, as a change read before its 850) and is then refused
(CHANGE_ORDER_UNKNOWN, 865 RJ). An 850 arriving after that used to be taken as any other: 855 AD, stock reserved,
shipped and invoiced, a PO the buyer had cancelled (rg99). It is held for a person now (PO_CANCELLED_BEFORE_RECEIVED,
an error that holds the order): the buyer may have cancelled it for good (a person rejects it: 855 RD) or resent it
meaning it (a person approves it once the buyer confirms). Pure: the refused changes and their stored headers are
passed in (flows.decide reads them).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pyarrow as pa

from engine.changes import CANCEL_PURPOSES
from schemas.findings import Finding, finding_at_row
from schemas.lifecycle import EventKind, OrderRecord, StoredChange

CODE = "PO_CANCELLED_BEFORE_RECEIVED"
# the order events cancels_before reads (StateStore.events_at): an 850's arrival, and the answers that settle a PO
ARRIVED = EventKind.PO_RECEIVED.value
ANSWERED = frozenset(e.value for e in (EventKind.ACKNOWLEDGED, EventKind.REJECTED, EventKind.APPROVED_BY_PERSON,
                                       EventKind.REJECTED_BY_PERSON))
TOLD = frozenset({ARRIVED, *ANSWERED})


Kin = Mapping[str, Collection[str]]  # partner -> the other partners of its [continues] chain (one company)


def kin_of(continues: Mapping[str, str]) -> dict[str, frozenset[str]]:
    """Each partner of ``continues`` (profile id -> the partner its [continues] names: B carries on A's orders) ->
    the other partners of its chain, whichever way and however long (A <- B <- C: each the two others): one company
    under several profiles, whose 860 may come under one and its 850 under another."""
    groups: dict[str, set[str]] = {}
    for b, a in continues.items():
        merged = groups.get(a, {a}) | groups.get(b, {b})
        for p in merged:
            groups[p] = merged
    return {p: frozenset(g - {p}) for p, g in groups.items()}


def _same(partner: str, other: str, kin: Kin | None) -> bool:
    """``other`` is ``partner`` or one of its chain (``kin``)."""
    return other == partner or other in (kin or {}).get(partner, ())


Continues = Mapping[str, tuple[str, str]]  # partner B -> (the partner A its [continues] names, its effective day ISO)


def _carried_from(partner: str, other: str, continues: Continues | None) -> str | None:
    """The day (ISO) from which ``other``'s files count as ``partner``'s: ``other`` carries on ``partner``'s orders
    ([continues], however long the chain: C <- B <- A), from its own [continues] effective day on; None when
    ``other`` is no continuer of ``partner`` (``partner`` itself, the one it carries on, or outside the chain)."""
    seen, at = {other}, other
    while continues and at in continues:
        at = continues[at][0]
        if at == partner:
            return continues[other][1]
        if at in seen:
            return None
        seen.add(at)
    return None


def cancels_before(records: Sequence[OrderRecord], refused: Sequence[StoredChange], kin: Kin | None = None, *,
                   continues: Continues | None = None,
                   history: Mapping[tuple[str, str], Sequence[tuple[str, str]]] | None = None
                   ) -> list[StoredChange]:
    """The changes of ``refused`` (pending changes refused) that may have cancelled one of ``records`` (orders to
    decide) before its 850 came: of its PO and its partner, or a partner of its [continues] chain (``kin``: kin_of;
    a cancel refused as B's, the 850 then coming to A), received before the order, the order never answered yet
    (an order answered before the change came, then reissued, is another story). ``continues`` (B -> (A, effective
    day)): a cancel under B, which carries on A's orders, counts for A's 850 only when it came from that day on
    (before it B was not yet A's company in our books: it used to count whatever the day). ``history``: (partner,
    PO) -> (event, at) of that PO's order events that tell (StateStore.events_at: its 850s' arrivals and answers): a
    cancel holds the order only when it came before any 850 of the PO under the order's partner or its chain, and
    nothing answered that PO since it came. A cancel after an 850 of the PO (one rejected or cancelled, the cancel
    refused for that, the buyer then sending a new 850 under the same number) was about that one; one a person or the
    rules answered since (the 850 that followed held for it, then rejected or approved) was dealt with: neither holds
    a new 850 under the number (they used to, "cancelled before this 850 arrived"). Their headers say whether they
    cancel (cancelled_before)."""
    first: dict[str, list[tuple[str, str]]] = {}
    for r in records:
        if not r.answered_revision and r.received_at:
            first.setdefault(r.po_number, []).append((r.partner, r.received_at))

    def dealt_with(c: StoredChange, partner: str) -> bool:
        for p in (partner, *(kin or {}).get(partner, ())):
            for event, at in (history or {}).get((p, c.po_number), ()):
                if (event == ARRIVED and at <= c.received_at) or (event in ANSWERED and at >= c.received_at):
                    return True
        return False

    def in_effect(c: StoredChange, partner: str) -> bool:
        day = _carried_from(partner, c.partner, continues)
        return day is None or c.received_at[:10] >= day

    return [c for c in refused if c.received_at and any(
        _same(partner, c.partner, kin) and c.received_at < at and in_effect(c, partner)
        and not dealt_with(c, partner) for partner, at in first.get(c.po_number, ()))]


def cancelled_before(orders: pa.Table, changes: Sequence[StoredChange],
                     headers: Mapping[tuple[str, str, str], Mapping], kin: Kin | None = None) -> list[Finding]:
    """A PO_CANCELLED_BEFORE_RECEIVED per order of ``orders`` (the run's orders to decide, their current tables) that
    one of ``changes`` (cancels_before's) cancelled: its stored 860 header (``headers``: (partner, store key, change
    ref) -> the CHANGE_HEADERS row) says BCH01 01 or 17. At the order's BEG03, naming the 860 (its day, control
    number, file) and what a person does. Those an order's partner names twice (two cancels) are named together. A
    cancel that came under another partner of the order's [continues] chain (``kin``) matches too, named as its."""
    by_po: dict[str, list[tuple[StoredChange, Mapping]]] = {}
    for c in changes:
        header = headers.get((c.partner, c.store_key, c.change_ref))
        if header is not None and header.get("purpose") in CANCEL_PURPOSES:
            by_po.setdefault(c.po_number, []).append((c, header))
    if not by_po:
        return []
    out = []
    for row in orders.to_pylist():
        cancels = [(c, h) for c, h in by_po.get(row["po_number"], ()) if _same(row["partner"], c.partner, kin)]
        if not cancels:
            continue
        said = "; ".join(_said(c, h) + (f" (as partner {c.partner}'s, the same company: [continues])"
                                        if c.partner != row["partner"] else "") for c, h in cancels)
        reissue = any(h.get("purpose") == "17" for _, h in cancels)
        out.append(finding_at_row(
            CODE, f"The buyer cancelled PO {row['po_number']} before this 850 arrived ({said}): the 860 waited for "
            "the 850 and was refused as naming a PO we never received (CHANGE_ORDER_UNKNOWN, 865 RJ). The order is "
            "held rather than filled: "
            + ("the cancel said the PO is to be reissued (BCH01 17), so this 850 may be the reissue. " if reissue
               else "")
            + "ask the buyer; reject it (orderbridge reject: 855 RD) if it stays cancelled, approve it (orderbridge "
            "approve) if the buyer confirms it wants the goods.", row, seg="BEG", element="BEG03",
            value=row["po_number"]))
    return out


def _said(c: StoredChange, header: Mapping) -> str:
    """'860 control number 79421 (BCH01 01) dated 2026-11-24, received 2026-11-25 in mclane-a.x12': its date the
    buyer's (BCH11, else BCH06), its control number the ST02 of its change ref (ISA13-GS06-ST02)."""
    st02 = (c.change_ref or "").rsplit("-", 1)[-1]
    sent = header.get("set_id") or "860"
    dated = header.get("change_date")
    return (f"{sent} control number {st02} (BCH01 {header.get('purpose')})"
            + (f" dated {dated.isoformat()}" if dated else "")
            + f", received {(c.received_at or '')[:10]} in {c.source_file}")
