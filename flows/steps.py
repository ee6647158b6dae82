"""The nightly job's stages as plain functions (no prefect here, so they test fast):

  intake_partner   per partner: archive, parse, check syntax, answer 997/TA1, store canonical orders
  decide_run       once per run: business rules (GX once), decisions, approvals, allocation, 855s
  deliver_partner  per partner: write pending documents to the outbox
  write_reports    the run summary, the ops failure report (HTML + CSV), allocation tables

Each stage is a few calls into connectors/, rules/ and engine/; numbering and storing documents,
and the order-state changes that go with them, happen in one state-store transaction.

The stages live in flows.intake, flows.decide, flows.documents and flows.reports; this module
gathers them under one name for the Prefect flow, the CLI and the tests.
"""

from flows.decide import Inventory, RunDecision, apply_pending_changes, decide_run, load_inventory, rule_settings
from flows.documents import deliver_partner, issue_documents
from flows.intake import PartnerResult, intake_partner, known_state, local_drops
from flows.reports import findings_csv, merge_decisions, run_id_for, write_reports

__all__ = ["Inventory", "PartnerResult", "RunDecision", "apply_pending_changes", "decide_run", "deliver_partner",
           "findings_csv", "intake_partner", "issue_documents", "known_state", "load_inventory", "local_drops",
           "merge_decisions", "rule_settings", "run_id_for", "write_reports"]
