"""Controlled substances: a line of a Schedule I or II item (items.csv dea_schedule CI, CII, CIIN) may be filled only
against the buyer's DEA order form, a Form 222 or its CSOS electronic order (21 CFR 1305.03). A PO that names none
(under a REF qualifier of the partner's RuleSettings.dea_order_form_refs, in its heading or the line's own PO1 loop)
has each such line refused (DEA_ORDER_FORM_MISSING: 855 IR by default, schemas.outcomes); its other lines go ahead.
Schedules III to V need no order form and raise nothing, nor does an item without a schedule."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _LINE_LOCATION, _PerPartner, _rows, business_finding
from schemas.findings import Finding
from schemas.reference import ORDER_FORM_SCHEDULES, ReferenceData
from schemas.rule_settings import RuleSettings


def check_order_forms(orders: pa.Table, lines: pa.Table, ref: ReferenceData, settings: RuleSettings
                      ) -> list[Finding]:
    """DEA_ORDER_FORM_MISSING on each line (``lines`` resolved: its ``sku``) of an item of ORDER_FORM_SCHEDULES whose
    PO names no DEA order form: no REF (heading ORDERS.refs_sent, or the line's own line_refs) with a non-blank
    REF02 under one of its partner's dea_order_form_refs (none configured: every such line is held)."""
    if not lines.num_rows or "sku" not in lines.column_names or "dea_schedule" not in ref.items.column_names:
        return []
    scheduled = {r["sku"]: r["dea_schedule"] for r in ref.items.select(["sku", "dea_schedule"]).to_pylist()
                 if r["dea_schedule"] in ORDER_FORM_SCHEDULES}
    if not scheduled:
        return []
    hit = pc.is_in(lines["sku"], value_set=pa.array(sorted(scheduled), pa.string()))
    if not pc.any(pc.fill_null(hit, False)).as_py():
        return []
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o.get("refs_sent") or []
             for o in _rows(orders, [*keys, "refs_sent"])}
    by_partner = _PerPartner(settings)
    out: list[Finding] = []
    for line in _rows(lines, [*keys, *_LINE_LOCATION, "partner", "po_number", "line_id", "sku", "line_refs"], hit):
        qualifiers = set(by_partner[line["partner"]].dea_order_form_refs)
        refs = [*heads.get((line["source_file"], line["order_ref"]), []), *(line.get("line_refs") or [])]
        if any(r["qualifier"] in qualifiers and (r["id"] or "").strip() for r in refs):
            continue
        named = " or ".join(f"REF*{q}" for q in sorted(qualifiers)) or "none is configured for this partner"
        out.append(business_finding(
            "DEA_ORDER_FORM_MISSING",
            f"Line {line['line_id'] or line['line_number']} orders {line['sku']}, a Schedule "
            f"{scheduled[line['sku']].removeprefix('C')} controlled substance, and PO {line['po_number']} names no "
            f"DEA order form (Form 222 or CSOS order number; the partner's reference: {named}): it may not be "
            "filled without one (21 CFR 1305).", line, seg="PO1", element="PO101",
            value=line["line_id"]))
    return out
