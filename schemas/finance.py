"""A partner's finance settings (pydantic, frozen, extra=forbid): reconciliation tolerances, the
acknowledgment and ship-notice windows the SLAs are measured against, and the chargeback penalty per
incident. Definitions only; engine.reconcile and engine.dashboard take them as an argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.errors import ConfigError
from schemas.money_text import DEFAULT_CURRENCY

# Incidents a retailer charges back for, each priced per occurrence in FinanceSettings.penalties.
Incident = Literal[
    "late_997",  # our 997 for their PO later than ack_997_hours after it arrived (or never sent)
    "late_855",  # our first 855 later than ack_855_hours after the PO arrived (or never sent)
    "late_asn",  # our 856 sent after the goods arrived (or after asn_window_minutes past departure)
    "rejected_asn",  # the partner's 997/999 rejected our 856
    "rejected_invoice",  # the partner's 997/999 rejected our 810
    "invoice_price_mismatch",  # an INVOICE_PRICE_MISMATCH exception
    "over_shipment",  # an OVER_SHIPMENT exception
]
INCIDENTS: tuple[str, ...] = Incident.__args__  # type: ignore[attr-defined]


class FinanceSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # A quantity difference is tolerated when |difference| <= max(quantity_tolerance_units,
    # quantity_tolerance_percent / 100 * the reference quantity); prices likewise against the agreed price.
    quantity_tolerance_units: Decimal = Field(default=Decimal("0"), ge=0)
    quantity_tolerance_percent: Decimal = Field(default=Decimal("0"), ge=0)
    price_tolerance_amount: Decimal = Field(default=Decimal("0"), ge=0)
    price_tolerance_percent: Decimal = Field(default=Decimal("0"), ge=0)
    ack_997_hours: int = Field(default=24, ge=0)  # a 997 is due this long after the document it answers
    # False: the partner sends no 997s for what we send (set so for a partner whose profile accepts no 997,
    # e.g. a CSV order partner receiving our X12 856s and 810s): its documents are never overdue
    expects_997: bool = True
    # the acknowledgment the partner sends for our documents: "997", "999" (a 005010 translator's implementation
    # acknowledgment), or "824" (its application answers alone). Named when none came (DOCUMENT_UNACKNOWLEDGED: "no
    # 999 for our 856 ..."); ack_997_hours is its window whatever its kind
    answers_with: Literal["997", "999", "824"] = "997"
    ack_855_hours: int = Field(default=48, ge=0)  # our 855 is due this long after the PO arrived
    # False: the partner takes no 855 (or CSV acknowledgment: a programme answered by 856s and 810s alone, as
    # AutoZone's VDP or Costco's; set so for a profile receiving neither): its orders are agreed as ordered (the
    # values' acknowledged column is the order's), and no 855 is due
    expects_855: bool = True
    asn_window_minutes: int = Field(default=1440, ge=0)  # our 856 is due this long after departure when
    # the partner gave no delivery time (with one, it is due before the goods arrive). A partner profile's
    # finance_settings (what reconciliation reads) take its [fulfilment.asn] window_minutes, ASN_LATE's (default 30):
    # this key, the older one, is read only when that is not set (schemas.profile.PartnerProfile._one_asn_window)
    invoice_grace_days: int = Field(default=2, ge=0)  # a shipment is "not invoiced" only this long after it left
    currency: str = Field(default=DEFAULT_CURRENCY, min_length=3, max_length=3)  # the currency the amounts are in
    penalties: dict[Incident, Decimal] = Field(default_factory=dict)  # chargeback per incident; none = 0

    def penalty(self, incident: str) -> Decimal:
        return self.penalties.get(incident, Decimal("0"))  # type: ignore[call-overload]


def settings_for(settings: Mapping[str, FinanceSettings], partners: Iterable[str]) -> dict[str, FinanceSettings]:
    """Each partner's settings; a partner without settings is a configuration error, never a default."""
    wanted = sorted(set(partners))
    missing = [p for p in wanted if p not in settings]
    if missing:
        raise ConfigError("no finance settings for partners", partners=missing)
    return {p: settings[p] for p in wanted}
