"""The nightly job's stages as plain functions (no prefect here, so they test fast):

  intake_partner   per partner: archive, parse, check syntax, answer 997/TA1, store canonical orders
  decide_run       once per run: 860s, business rules (GX once), decisions, approvals, backorders,
                   allocation, 855/865s (or CSV acknowledgments)
  ship_warehouse   per warehouse: shipment confirmations checked, SSCCs numbered, 856s, orders shipped
  invoice_run      once: invoiced orders closed, the 810s due
  deliver_partner  per partner: write pending documents to the outbox
  reconcile_run    once per run: partners' 997s matched, the four-way match, exceptions, finance report
  write_reports    the run summary, the ops failure report (HTML + CSV), allocation tables

Each stage is a few calls into connectors/, rules/ and engine/; what happens to an order is planned
by engine.lifecycle and applied by the state store, documents numbered and stored in the same
transaction.

The stages live in flows.intake, flows.decide, flows.shipments, flows.documents and flows.reports; this module
gathers them under one name for the Prefect flow, the CLI and the tests.
"""

from flows.decide import Inventory, RunDecision, decide_run, load_inventory, rule_settings
from flows.documents import deliver_partner, renderer
from flows.intake import PartnerResult, intake_partner, known_state, local_drops
from flows.reconcile import FinanceResult, reconcile_run
from flows.reports import findings_csv, merge_decisions, run_id_for, write_reports
from flows.shipments import InvoiceResult, WarehouseResult, invoice_run, ship_warehouse

__all__ = ["FinanceResult", "Inventory", "InvoiceResult", "PartnerResult", "RunDecision", "WarehouseResult",
           "decide_run", "deliver_partner", "findings_csv", "intake_partner", "invoice_run", "known_state",
           "load_inventory", "local_drops", "merge_decisions", "reconcile_run", "renderer", "rule_settings",
           "run_id_for", "ship_warehouse", "write_reports"]
