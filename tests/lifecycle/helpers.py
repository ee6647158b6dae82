"""Records and files for the pure lifecycle tests (no state store: records are built by hand)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from engine.process import Known, process_file
from schemas.lifecycle import BLANKET_REF_FIELDS, ORDER_PARTY_FIELDS, LineRecord, LineState, OrderRecord, OrderState
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, TODAY, x12_850

AT, RUN = "2026-11-27T02:00:00", "r1"


def acme():
    return load_profiles(REPO / "partners")["acme"]


def outcome_of(*bodies: list[str], isa13: int = 1, twice: bool = False):
    """engine.process's Outcome for an ACME file with one 850 per body (or one interchange twice)."""
    # each interchange its own ISA13 and GS06 (the same GS06 in each would do too: unique per interchange)
    data = b"".join(x12_850(b, isa13=isa13 + i, gs06=str(isa13 + i)) for i, b in enumerate(bodies))
    if twice:
        data = data + data
    return process_file(data, file="acme.x12", sha256=hashlib.sha256(data).hexdigest(), profile=acme(),
                        known=Known(), today=TODAY)


def po(purpose: str = "00", number: str = "PO-1") -> list[str]:
    return [GOOD_PO[0].replace("BEG*00*SA*PO-1", f"BEG*{purpose}*SA*{number}"), *GOOD_PO[1:]]


def record(state: OrderState = OrderState.ACKNOWLEDGED, **fields) -> OrderRecord:
    base = OrderRecord("acme", "PO-1", state, revision=1, answered_revision=1 if state == OrderState.ACKNOWLEDGED
                       else 0, order_ref="000000001-1-0001", lines_key="old", source_file="old.x12", arrival=3)
    return replace(base, **fields)


def lines(state: LineState = LineState.ALLOCATED) -> tuple[LineRecord, ...]:
    return (LineRecord("acme", "PO-1", 1, state, line_id="1", ack="IA", allocated=12),
            LineRecord("acme", "PO-1", 2, state, line_id="2", ack="IA", allocated=6))


def transitions(plan) -> list:
    """A plan's order transitions with its columnar new orders (Plan.received_orders, written first) as
    the table.create transitions they stand for: a test reads either form the same way."""
    from engine.lifecycle.table import create

    fields = ("order_ref", "lines_key", "source_file", "source_sha256", "isa13", "gs06", "st02", "purpose",
              "x12_version", "po_date", "currency", "line_count", "received_at", "gs02", "gs03", "order_type", "isa05",
              "isa06", "isa07", "isa08", *ORDER_PARTY_FIELDS, *BLANKET_REF_FIELDS)
    created = [create(OrderRecord(r["partner"], r["po_number"], OrderState.RECEIVED, **{f: r[f] for f in fields}),
                      at=r["updated_at"], run_id=r["run_id"], note=r["note"])
               for table in plan.received_orders for r in table.to_pylist()]
    return created + list(plan.transitions)
