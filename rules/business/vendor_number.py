"""The vendor number a PO names us by (REF*IA, else REF*VR: Costco, CVS, Winn-Dixie, AT&T name their supplier that
way; else its N1*VN or N1*SU loop's N104 assigned by the buyer, N103 92: VWR) against the ones the partner's profile
writes back: a buyer that numbers its vendors per DC or division (grocers do) may send a PO under another of our
numbers than the profile's vendor_number, which every 855, 856 and 810 would carry instead of the PO's own,
unmatched at the buyer."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import _ORDER_LOCATION, _PerPartner, _rows, business_finding
from schemas.findings import Finding
from schemas.rule_settings import RuleSettings


def check_vendor_number(orders: pa.Table, settings: RuleSettings) -> list[Finding]:
    """VENDOR_NUMBER_MISMATCH (a warning) for each order whose REF*IA, or for an order without one its first REF*VR
    (vendor id number, ORDERS refs_sent), or without either its N1*VN / N1*SU N104 of N103 92 (vendor_party_sent),
    is none of the vendor numbers the partner's profile writes back as REF*IA
    (settings.vendor_numbers; none set: nothing compared, the PO's own echoed)."""
    if "vendor_number_sent" not in orders.column_names:
        return []
    by_partner = _PerPartner(settings)
    ours = {p: by_partner[p].vendor_numbers for p in orders["partner"].unique().to_pylist() if p is not None}
    if not any(ours.values()):
        return []
    sent = pc.not_equal(pc.fill_null(orders["vendor_number_sent"], ""), "")
    refs = "refs_sent" in orders.column_names  # a table stored before it was kept reads none
    if refs:
        sent = pc.or_(sent, pc.fill_null(pc.greater(pc.list_value_length(orders["refs_sent"]), 0), False))
    party = "vendor_party_sent" in orders.column_names
    if party:
        sent = pc.or_(sent, pc.is_valid(orders["vendor_party_sent"]))
    out: list[Finding] = []
    cols = [*_ORDER_LOCATION, "partner", "po_number", "vendor_number_sent", *(["refs_sent"] if refs else []),
            *(["vendor_party_sent"] if party else [])]
    for order in _rows(orders, cols, sent):
        numbers = ours.get(order["partner"]) or ()
        qualifier, number = "IA", order["vendor_number_sent"]
        if not number:  # no REF*IA: the PO's first REF*VR names us, if it sent one
            qualifier, number = "VR", next((r["id"] for r in order.get("refs_sent") or () if r["qualifier"] == "VR"),
                                           None)
        said, seg, element = f"REF*{qualifier} {number}", "REF", "REF02"
        if not number and order.get("vendor_party_sent"):  # nor a REF*VR: its N1*VN / N1*SU loop (N103 92)
            who, number = order["vendor_party_sent"].split(" ", 1)
            said, seg, element = f"N1*{who} 92 {number}", "N1", "N104"
        if numbers and number and number not in numbers:
            out.append(business_finding(
                "VENDOR_NUMBER_MISMATCH",
                f"{said} names us by another vendor number than the "
                f"{', '.join(numbers)} our 855, 856 and 810 carry for this partner.", order, seg=seg,
                element=element, value=number, line=False))
    return out
