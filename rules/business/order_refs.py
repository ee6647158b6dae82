"""The heading references a partner's profile requires its 855, 856 or 810 to carry back (each document's
required_order_refs, of its order_refs) against those the PO sent: a PO without one is still answered, shipped and
billed (a reference is never made up), and ops is told when it comes in, before the documents go without it."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _ORDER_LOCATION, _PerPartner, _rows, business_finding
from schemas.findings import Finding
from schemas.orders import ORDER_REFS, order_ref_elements
from schemas.rule_settings import RuleSettings


def check_required_refs(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """ORDER_REF_NOT_SENT (a warning) for each order that sends no heading REF (REF02 or REF03) of a qualifier its
    partner's documents require (settings.required_order_refs: qualifier -> the documents, "855", "856", "810"),
    one per order naming each such qualifier and the documents that will go without it. Partners requiring none:
    nothing read."""
    if not orders.num_rows:
        return []
    by_partner = _PerPartner(settings)
    required = {p: by_partner[p].required_order_refs for p in orders["partner"].unique().to_pylist() if p is not None}
    required = {p: wanted for p, wanted in required.items() if wanted}
    if not required:
        return []
    mask = pc.is_in(orders["partner"], value_set=pa.array(sorted(required), pa.string()))
    cols = [*_ORDER_LOCATION, "partner", "po_number", *ORDER_REFS.values(), "refs_sent", "ref_descriptions"]
    out: list[Finding] = []
    for order in _rows(orders, cols, mask):
        sent = {elements[0] for elements in order_ref_elements(order)}
        missing = [f"REF*{q} (its {' and '.join(documents)})" for q, documents in required[order["partner"]].items()
                   if q not in sent]
        if missing:
            out.append(business_finding(
                "ORDER_REF_NOT_SENT",
                f"The PO sends no {' nor '.join(missing)}, which this partner's profile requires them to carry back "
                "(required_order_refs): they are sent without it. Ask the buyer for it, or take it out of "
                "required_order_refs if the partner's guide does not require it.",
                order, seg="BEG", element="BEG03", value=order["po_number"], line=False))
    return out
