"""The order lifecycle: one typed, pure state machine. Every change to an order is planned here and
applied by the state store (connectors.state.StateStore.apply) in one transaction; flows only load,
call these planners and apply what they return.

Public API (stable; later workstreams add planners in the same shape):

  table       TRANSITIONS, next_state(state, event), move(record, event, ...), moves(record, steps, ...),
              create(record, ...),
              TransitionRefused; state groups TO_DECIDE, AWAITING_PERSON, OPEN, ENDED, SHIPPING, SHIPPABLE,
              BILLABLE, TO_CLOSE, TO_MEMO, ON_MEMO, OWING; PERSON_EVENTS
  intake      plan_intake(outcome, partner=, live=, lines=, at=, run_id=) -> Plan
              plan_file_findings(findings, partner=, consequence=) -> Plan
  decide      apply_pending_changes(...) -> Revisions   (860s first; new revisions to re-decide)
              replay(...)                                (changes applied earlier, still to answer)
              plan_decisions(...) -> Plan               (855/865 built from the final decision)
              decision_findings(...), in_answer_order(plan, change_ids) -> Plan (answer_ranks(change_ids, awaited):
              the change ids it ranks by, less those answer_awaiting's 855s carry); said_once(plan, said) (a ruled
              finding of an order decided again recorded once: judged_before(records) names the orders to look up)
  shipped_answers settle_shipped_changes(plan, revisions, backordered, fresh, ...) -> Plan (the answers to 860s
              after shipment, once the run's backorder step ran: refused raises, dated 865s, revised 855s, each in
              place of the one planned), take_backorders, without_documents(plan, doc_keys)
  people      plan_person_decision(record, verdict, by=, note=, at=) -> Plan (verdict: VERDICT_APPROVED |
              VERDICT_REJECTED); plan_person_decisions(picks, records, verdict, ...) -> [PersonOutcome] (several
              orders at once, each its plan or why refused: PersonPick names one and the revision listed);
              person_decisions(records)
              plan_recheck(records, decisions, at=, by=) -> Plan
  select      to_decide, held, current_tables, selected_rows, table_keys, change_table_keys, base_table_keys,
              arrivals, changed_lines, reserved_after, stored_line_keys
  doc_order   in_lifecycle_order(plan, unanswered, change_keys) (an order's first answer before the answers to its
              changes, once batched: what the store numbers), unanswered(records),
              change_answer_keys(change_ids, awaited)
  batches     batch_documents(plan, profiles, buyers) (855/865/856/810 interchanges per the profile's delivery.batch,
              each to its order's buyer: the GS02 it came from)
  common      isolated(record, build, ...) (per-order fault isolation), planned_document, check_plan
  restore     plan_restored(records, lines, evidence, at=, run_id=) -> Plan (a rebuilt store: what the
              outbox's 855/865s say about the orders replayed from the archive); Evidence, SentAnswer
  shipping    (module) line_state_table, recorded_table, prepare_shipments -> ShipmentBatch (serials needed),
              plan_shipments(batch, serials=...) -> Plan (856s, shipment records, orders shipped)
  ship_checks (module) ship_to_mismatches, ship_tos_mixed, order_addresses, buyers_mixed, ship_complete_findings
              (the shipment checks against the orders that shipping runs)
  stops       (module) row_places, number_stops, boxes_mixed, stop_id, stop_prefix, load_of (a multi-stop load:
              one shipment per ship-to, that shipping splits a load into)
  ship_reservations (module) final_reservations, units_shipped, consumed (what shipping consumes of reservations)
  billing     (module) invoices_due, prepare_invoices, plan_invoices(prepared, numbers=...) -> Plan (810s),
              plan_close (invoiced orders whose 810s are delivered), plan_memo (memo orders shipped in full:
              shipped_on_memo, no 810)
  on_880      (module) unstated (an 880 due's lines its G17 cannot state: a partial dozen shipped), held_finding
              (INVOICE_HELD_NOT_ON_880, said once); billing holds such an 880 and bills it with the shipment that
              completes the dozen
  balance     (module) plan_balance_cancelled (a no-back-order PO, CSH01 N / SP, shipped short: its balance cancelled
              once the run's confirmations are in, reservations released; also one shipped short past its cancel
              date, late_backorder "reject"), balance_due, past_due; plan_balances (the run's one call: selects
              the orders past their last date and returns one plan of both), dates_wanted, balance_terms
  backorders  (module) waiting, backorder_input, plan_backorders (backordered units placed in a later run),
              receipt_promises (the receipt units open backorders hold); lines_as_planned(lines, plan)

Records, events and the Plan itself are defined in schemas.lifecycle; docs/lifecycle.md has the
transition table (checked against TRANSITIONS by a test).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

from engine.decide import ACCEPTED, PENDING, REJECTED
from engine.lifecycle.backorders import lines_as_planned
from engine.lifecycle.batches import addressed_documents, asked_buyers, asked_pos, batch_documents
from engine.lifecycle.changes import (
    UNANSWERED_CHANGES,
    AppliedChange,
    ChangeAnswer,
    Revisions,
    answer_awaiting,
    answer_keys,
    answer_ranks,
    apply_pending_changes,
    blanket_moves,
    change_sets,
    changed_after_shipment_now,
    date_shipped_answers,
    fingerprints,
    follow_up_keys,
    refuse_unplaced_raises,
    repeat_keys,
    replay,
    restate_shipped_answers,
    sent_as,
    sequence_history,
)
from engine.lifecycle.common import check_plan, contain, isolated, planned_document
from engine.lifecycle.decisions import decision_findings, final_change_result, plan_decisions
from engine.lifecycle.doc_order import change_answer_keys, in_lifecycle_order, unanswered
from engine.lifecycle.intake import continued_rows, intake_consequence, plan_continued_changes, plan_intake
from engine.lifecycle.people import (
    RECHECK_CLEARED,
    RECHECK_HELD,
    RECHECK_SKIPPED,
    VERDICT_APPROVED,
    VERDICT_REJECTED,
    PersonOutcome,
    PersonPick,
    after_decision,
    batch_answer,
    not_rechecked,
    person_decisions,
    plan_person_decision,
    plan_person_decisions,
    plan_recheck,
    recheck_outcome,
    resumes,
    to_recheck,
)
from engine.lifecycle.restore import Evidence, LineStock, SentAnswer, plan_restored
from engine.lifecycle.select import (
    added_lines_only,
    arrivals,
    base_table_keys,
    change_table_keys,
    changed_lines,
    current_tables,
    held,
    reserved_after,
    selected_rows,
    stored_line_keys,
    table_keys,
    to_decide,
)
from engine.lifecycle.shipped_answers import settle_shipped_changes, take_backorders, without_documents
from engine.lifecycle.table import (
    AWAITING_PERSON,
    BILLABLE,
    ENDED,
    ON_MEMO,
    OPEN,
    OWING,
    PERSON_EVENTS,
    SHIPPABLE,
    SHIPPING,
    TO_CLOSE,
    TO_DECIDE,
    TO_MEMO,
    TRANSITIONS,
    TransitionRefused,
    create,
    move,
    next_state,
)
from schemas.findings import Finding
from schemas.lifecycle import (
    RULED_STAGES,
    WAITING_ON_HOLD,
    FindingRecord,
    OrderRecord,
    OrderState,
    Plan,
    PlannedDocument,
)


def plan_file_findings(findings: list[Finding], *, partner: str, consequence: str, stage: str = "intake") -> Plan:
    """Findings about a whole file that reached no order (e.g. FILE_DUPLICATE, FILE_NAME_REFUSED)."""
    return Plan(findings=tuple(FindingRecord(f, partner, "", consequence, stage) for f in findings))


def judged_before(records: Mapping[tuple[str, str], OrderRecord]) -> set[tuple[str, str]]:
    """The orders of ``records`` the rules may have judged before (all but a new 850 waiting for its first decision:
    received, revision 1, no codes, hold or person's decision, never answered): those whose ruled findings the store
    may hold already (StateStore.said_findings, for said_once)."""
    return {k for k, r in records.items() if not (r.state == OrderState.RECEIVED and r.revision == 1 and not r.codes
                                                  and not r.hold_codes and r.person is None
                                                  and not r.answered_revision)}


def said_once(plan: Plan, said: Collection[tuple]) -> Plan:
    """``plan`` without the findings of RULED_STAGES (the rules' judgement of an order, made again each time it is
    decided: after an 860, a person's approval, a recheck) that say what a finding recorded before said (``said``:
    finding_said of the orders' stored findings) or what an earlier finding of the plan says: a warning about the
    same thing (TERMS_MISMATCH on the 850's ITD) is recorded, and reported, once, not again at every decision of the
    order. A finding with news (another message or place, a new revision's line, an error's new consequence) is
    recorded as ever; so is every finding of another stage or of no order."""
    if not plan.findings:
        return plan
    seen, kept = set(said), []
    for fr in plan.findings:
        if fr.stage in RULED_STAGES and fr.po_number:
            key = fr.said
            if key in seen:
                continue
            seen.add(key)
        kept.append(fr)
    return plan if len(kept) == len(plan.findings) else replace(plan, findings=tuple(kept))


def in_answer_order(plan: Plan, change_ids: dict[str, int]) -> Plan:
    """The plan with its documents in the order they are numbered: the answers to 860s (865s, and the revised
    855s answering a change after shipment, keyed by the change: engine.lifecycle.changes.revised_855) by the
    860's arrival, then the rest (855s) in decision order. Control numbers follow this order, so it is part of
    the output."""
    def answers(doc: PlannedDocument) -> bool:
        return doc.doc_type == "865" or (doc.doc_type == "855" and doc.sets[0].doc_key in change_ids)

    ranked = sorted(enumerate(plan.documents), key=lambda p: (
        0 if answers(p[1]) else 1, change_ids.get(p[1].sets[0].doc_key, 0) if answers(p[1]) else p[0]))
    return replace(plan, documents=tuple(d for _, d in ranked))


def planned_outcomes(plan: Plan) -> dict[tuple[str, str], str]:
    """Each order the plan moves -> how it leaves it, in engine.decide's words: "held", "rejected" (answered RD,
    e.g. every line refused by allocation although the rules accepted it) or "accepted" (its last move: the
    per-order transitions are written before the columnar ones, Plan.decided)."""
    states = {t.record.key: str.__str__(t.record.state) for t in plan.transitions}
    for decided in plan.decided:
        t = decided.orders
        states.update(zip(zip(t["partner"].to_pylist(), t["po_number"].to_pylist(), strict=True),
                          t["state"].to_pylist(), strict=True))
    return {k: PENDING if s == OrderState.HELD else REJECTED if s == OrderState.REJECTED else ACCEPTED
            for k, s in states.items()}


__all__ = [
    "AWAITING_PERSON", "AppliedChange", "BILLABLE", "ENDED", "Evidence", "LineStock", "OPEN", "OWING",
    "PERSON_EVENTS", "Plan",
    "PersonOutcome", "PersonPick", "plan_person_decisions",
    "RECHECK_CLEARED", "RECHECK_HELD", "RECHECK_SKIPPED", "recheck_outcome", "resumes", "not_rechecked", "to_recheck",
    "after_decision",
    "batch_answer",
    "Revisions",
    "SHIPPABLE", "SHIPPING", "SentAnswer", "TO_CLOSE", "TO_MEMO", "ON_MEMO", "TO_DECIDE", "TRANSITIONS",
    "TransitionRefused",
    "UNANSWERED_CHANGES", "WAITING_ON_HOLD", "VERDICT_APPROVED", "VERDICT_REJECTED", "added_lines_only",
    "apply_pending_changes",
    "changed_after_shipment_now", "refuse_unplaced_raises", "date_shipped_answers",
    "restate_shipped_answers", "settle_shipped_changes", "take_backorders", "without_documents",
    "answer_awaiting", "answer_ranks", "arrivals", "blanket_moves", "fingerprints",
    "repeat_keys", "sequence_history", "change_sets", "sent_as", "ChangeAnswer", "answer_keys", "follow_up_keys",
    "addressed_documents", "asked_buyers", "asked_pos",
    "base_table_keys", "batch_documents", "change_answer_keys", "change_table_keys", "changed_lines", "check_plan",
    "contain", "create", "current_tables", "decision_findings", "final_change_result", "held",
    "in_answer_order", "in_lifecycle_order", "intake_consequence", "isolated", "judged_before", "lines_as_planned",
    "move", "next_state",
    "person_decisions", "plan_decisions", "plan_file_findings", "plan_intake", "plan_person_decision",
    "continued_rows", "plan_continued_changes",
    "plan_recheck", "plan_restored", "planned_document", "planned_outcomes", "replay", "reserved_after", "said_once",
    "selected_rows", "stored_line_keys", "table_keys",
    "to_decide", "unanswered",
]
