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

The stages live in flows.intake, flows.decide, flows.shipments, flows.documents, flows.reconcile and
flows.reports; this module gathers them under one name for the Prefect flow, the CLI and the tests.
Each is imported when first asked for: a process that runs one stage (a work pool's flow run taking a
partner's intake or delivery, flows.pool) does not import the others (pandas, the rules, the finance
report), which is part of every flow run's start.
"""

from __future__ import annotations

import importlib

_HOME = {
    "flows.decide": ["Inventory", "RunDecision", "decide_run", "load_inventory", "rule_settings"],
    "flows.documents": ["deliver_partner", "renderer"],
    "flows.intake": ["PartnerResult", "intake_partner", "known_state", "local_drops"],
    "flows.reconcile": ["FinanceResult", "reconcile_run"],
    "flows.reports": ["findings_csv", "merge_decisions", "run_id_for", "write_reports"],
    "flows.shipments": ["InvoiceResult", "WarehouseResult", "invoice_run", "ship_warehouse"],
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once per process
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
