"""Business-rule settings (pydantic, frozen, extra=forbid): tolerances and policies the rules take
as an explicit argument, with optional per-partner overrides.

Definitions only; rules.business reads them, nothing here reads the environment or files.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.orders import Transit
from schemas.units import EACH_UNITS

CasePackPolicy = Literal["round_up", "round_down", "reject"]
# What a PO line naming an item items.csv supersedes (replaced_by) gets: "reject" (855 IR, ITEM_DISCONTINUED naming
# the replacement) or "accept" (the replacement is decided, allocated, shipped and invoiced in its place: 855 IS)
SubstitutePolicy = Literal["reject", "accept"]
# What else marks a partner's order as a drop ship (rules.business.purpose.drop_ship_orders): "every_order" (a
# partner, a drop-ship platform, that sends nothing but consumer orders), "customer_order" (the heading names the
# end customer's own order number, REF*CO), "ship_to_without_id" (N1*ST names a person's address, no N104 location)
DropShipMark = Literal["every_order", "customer_order", "ship_to_without_id"]
# The invoice a partner receives (its profile's receives: PartnerProfile.invoice_set): the 810, or a grocer's 880
InvoiceSet = Literal["810", "880"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PartnerRuleOverrides(_Model):
    """Per-partner values; a field left as None keeps the run-wide setting."""

    price_tolerance_percent: Decimal | None = Field(default=None, ge=0)
    case_pack_policy: CasePackPolicy | None = None
    min_order_value: Decimal | None = Field(default=None, ge=0)
    ship_window_max_days: int | None = Field(default=None, ge=0)
    domestic_country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    country_required: bool | None = None
    # the countries this partner's orders may ship to (replaces the run-wide list: a U.S. partner's own stores
    # in Britain, a Canadian partner's in Mexico); its domestic country is always served
    ship_to_countries: tuple[str, ...] | None = None
    held_order_types: tuple[str, ...] | None = None
    usage: Literal["P", "T"] | None = None
    catch_weight: bool | None = None
    substitutes: SubstitutePolicy | None = None
    store_level: bool | None = None  # the profile's fulfilment.asn.store_level (flows.decide.rule_settings)
    transit_days: int | None = Field(default=None, ge=0)  # the profile's fulfilment.asn.transit_days (likewise)
    transit_business_days: bool | None = None  # its fulfilment.asn.transit_business_days (likewise)
    transit_holidays: tuple[date, ...] | None = None  # its fulfilment.asn.transit_holidays (likewise)
    # the profile accepts LINE_SHIP_TO_DIFFERS: heading-only shipping (flows.decide.rule_settings, likewise)
    heading_only_shipping: bool | None = None
    # the profile accepts ORDER_CONFIRMATION_UNKNOWN: its 06s are its orders (flows.decide.rule_settings, likewise)
    confirmations_are_orders: bool | None = None
    drop_ship_order_types: tuple[str, ...] | None = None
    no_charge_order_types: tuple[str, ...] | None = None
    blankets_outside_edi: bool | None = None
    drop_ship_marks: tuple[DropShipMark, ...] | None = None
    drop_ship_as_ordered: bool | None = None
    dea_order_form_refs: tuple[str, ...] | None = None
    # other vendor numbers the partner may name us by in REF*IA (a grocer's per-DC numbers); flows.decide adds the
    # ones the profile's documents write back (PartnerProfile.vendor_numbers)
    vendor_numbers: tuple[str, ...] | None = None
    # the profile's documents' required_order_refs (flows.decide.rule_settings): REF01 -> the documents requiring it
    required_order_refs: dict[str, tuple[str, ...]] | None = None


class RuleSettings(_Model):
    price_tolerance_percent: Decimal = Field(default=Decimal("1.0"), ge=0)  # |PO104 - list| / list
    case_pack_policy: CasePackPolicy = "round_up"
    min_order_value: Decimal = Field(default=Decimal("0"), ge=0)  # per PO, in the order currency
    # PO103 units we understand; CA/CS convert through the item's case pack, EA is the base unit, and so are UN
    # (code list 355 "Unit": one of the item as it is sold, as industrial and automotive partners order) and PC
    # (355 "Piece": one of the item, as home and farm retailers order: PO1*1*96*PC).
    each_units: tuple[str, ...] = EACH_UNITS
    case_units: tuple[str, ...] = ("CA", "CS")
    # BEG01 purposes that may repeat a PO number: 01 cancel, 05 replace, 06 confirmation, 18 reissue.
    duplicate_exempt_purposes: tuple[str, ...] = ("01", "05", "06", "18")
    # BEG01 purposes we act on: 00 original, 01 cancel, 05 replace, 06 confirmation, 07 duplicate, 18
    # reissue (as 05). Any other valid purpose (e.g. 22 information copy) holds the order
    # (ORDER_PURPOSE_UNSUPPORTED).
    acted_purposes: tuple[str, ...] = ("00", "01", "05", "06", "07", "18")
    # BEG02 order types (code list 92) that ask for no delivery as they stand, so the order waits for a person
    # (ORDER_TYPE_UNSUPPORTED) instead of being allocated and shipped whole: BE/BK blanket orders and KB/LB
    # blanket agreements (their quantities are called off by releases), IN an information copy, SO an order
    # already shipped, BD/BQ a bid or a quote. A cancellation (BEG01 01) of one is acted on.
    held_order_types: tuple[str, ...] = ("BE", "BK", "KB", "LB", "IN", "SO", "BD", "BQ")
    # The partner's ISA15 (its profile's x12.usage): an order in test data (ISA15 T) while we trade in
    # production waits for a person (ORDER_TEST_DATA): a retailer's test PO must not ship.
    usage: Literal["P", "T"] = "P"
    # BEG01 purposes that do not add to credit exposure (cancel).
    credit_exempt_purposes: tuple[str, ...] = ("01",)
    ship_window_max_days: int = Field(default=365, ge=0)  # 037..038 longer than this is implausible
    ship_to_countries: tuple[str, ...] = ("US", "CA")
    # Ship-to addresses: a partner may leave out N404, which then means its domestic country (ISO 3166
    # alpha-2), unless its profile requires the country.
    domestic_country: str = Field(default="US", pattern=r"^[A-Z]{2}$")
    country_required: bool = False
    # The partner deals in catch weight: a line in cases (or eaches) priced per pound, kilogram ... (PO105 PP,
    # PK ...) is taken as sent (CATCH_WEIGHT_LINE) and billed by the net weight shipped, instead of waiting
    # for a person (PRICE_BASIS_UNSUPPORTED).
    catch_weight: bool = False
    # The partner takes substitutes (wholesale grocery, automotive, industrial and foodservice buyers do): a line
    # naming a discontinued item that items.csv supersedes (replaced_by, followed to the end of its chain) by an
    # active item is decided on that item (ITEM_SUBSTITUTED, 855 ACK*IS naming the new part); "reject": the line is
    # rejected (ITEM_DISCONTINUED names the replacement for ops to offer). A loop of replacements, or a chain ending
    # at an item that is not active, is rejected either way.
    substitutes: SubstitutePolicy = "reject"
    # The partner sends pre-distributed ("store-ready", pick and pack) orders (its profile's
    # fulfilment.asn.store_level): a line it splits over stores by SDQ is the sum of the stores' quantities,
    # each shipped to its store as ordered, so neither case-pack rounding nor a minimum changes it (units
    # added to the line would belong to no store: acknowledged, never shipped to one, the order never complete).
    store_level: bool = False
    # Days the goods travel to the partner (its profile's [fulfilment.asn] transit_days): a DTM 063 (do not deliver
    # after) less them is the last day we can ship (schemas.orders.last_ship_day); None: not known (the 063 itself)
    transit_days: int | None = Field(default=None, ge=0)
    # transit_days counted as business days (its profile's [fulfilment.asn] transit_business_days), skipping
    # Saturdays, Sundays and transit_holidays (schemas.orders.Transit)
    transit_business_days: bool = False
    transit_holidays: tuple[date, ...] = ()
    # The partner agreed to heading-only shipping (its profile's [rules.outcomes] accepts LINE_SHIP_TO_DIFFERS): every
    # line goes to the order's ship-to, so a line's own N1*ST is not checked as a place (rules.business.places
    # check_line_places)
    heading_only_shipping: bool = False
    # The partner's confirmations (BEG01 06) of orders we never received as 850s are its orders (its profile's
    # [rules.outcomes] accepts ORDER_CONFIRMATION_UNKNOWN: a VMI buyer echoing our proposal as a 06), not confirmations
    # of orders placed by phone that someone may have entered by hand (rules.business.purpose check_confirmation)
    confirmations_are_orders: bool = False
    # Drop-ship (consumer-direct) orders: the goods go straight to the buyer's customer, who ordered what the
    # line says. Such an order is one whose BEG02 is in drop_ship_order_types (code list 92: DS "Dropship"), or
    # that carries one of the partner's drop_ship_marks. Its lines are acknowledged as ordered
    # (drop_ship_as_ordered): no case-pack rounding, no raise to the item's minimum (5 units shipped to a
    # consumer who bought 1); a wholesale order of the same partner is rounded and raised as before. A fraction
    # of a unit is still no quantity we can ship. drop_ship_as_ordered = false: wholesale rules for every order.
    drop_ship_order_types: tuple[str, ...] = ("DS",)
    # BEG02 order types (code list 92) whose lines at PO104 0 the buyer's guide prices at no charge: SP, a sample
    # order. Such a line is a no-charge line (PRICE_NO_CHARGE, as PO105 NC says it: free goods a person agrees to),
    # not a discount of 100 % (DISCOUNT_OVER_THRESHOLD); a priced line of the order is checked as any.
    no_charge_order_types: tuple[str, ...] = ("SP",)
    # The partner agrees its blanket orders outside EDI (a contract, a paper PO) and sends only their releases (BEG02
    # RL) as 850s: a release naming a blanket we do not hold is ordinary, nothing is said of it. Otherwise such a
    # release is named (RELEASE_BLANKET_UNKNOWN, engine.blankets): a blanket 850 missed, or a BEG03 mistyped
    blankets_outside_edi: bool = False
    drop_ship_marks: tuple[DropShipMark, ...] = ()
    drop_ship_as_ordered: bool = True
    # The REF01 qualifiers under which the partner's 850 names its DEA order form (the Form 222's number or the CSOS
    # electronic order's), in the heading or the line's own PO1 loop: a line of a Schedule I or II item (items.csv
    # dea_schedule) of a PO naming none is not filled (DEA_ORDER_FORM_MISSING; 21 CFR 1305). Empty (no qualifier
    # known for the partner): no PO names one, every such line is refused (or held, as the partner's outcome says)
    dea_order_form_refs: tuple[str, ...] = ()
    # The vendor numbers the partner's profile writes back as REF*IA on its 855, 856 and 810 (their
    # vendor_number): a PO naming us by another (REF*IA) raises VENDOR_NUMBER_MISMATCH. None: nothing compared.
    vendor_numbers: tuple[str, ...] = ()
    # The heading references the partner's documents must carry back (each one's required_order_refs: REF01 -> the
    # documents, "855", "856", "810", that require it): a PO sending none of one raises ORDER_REF_NOT_SENT (a
    # warning; the PO is answered, shipped and billed, its documents without the REF). Empty: nothing required.
    required_order_refs: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # The invoice the partner receives (its profile's receives: "810", "880"; None: none, or not known): a grocer
    # billed by the 880, whose G17 has no basis of price, cannot be invoiced a line of eaches priced per dozen that
    # is neither exact per each nor a whole number of dozens (7 EA at 4.99 PD): such a line is held when it comes in
    # (PRICE_BASIS_NOT_ON_880), not refused by billing every night.
    invoice_set: InvoiceSet | None = None
    # The SAC12 handlings of a PO's allowances our 810s take off (the profile's fulfilment.invoice.po_allowances,
    # flows.decide.rule_settings; by default 02 off invoice) and the SAC02 codes of the profile's own allowances (its
    # [[fulfilment.invoice.charges]] of kind A: the PO's SAC of that code is never carried). An allowance carried is a
    # discount we give: rules.business.allowance_discounts judges it by the customer's approval threshold.
    off_invoice_handlings: tuple[str, ...] = ("02",)
    own_allowance_codes: tuple[str, ...] = ()
    # partner -> the invoice its profile receives (PartnerProfile.invoice_set, flows.decide): for_partner's
    # invoice_set. Not a [rules] override of the profile: its receives says it.
    invoice_sets: dict[str, InvoiceSet] = Field(default_factory=dict)
    # partner -> its profile's fulfilment.invoice.po_allowances, and the SAC02 codes of its own allowances
    # (flows.decide.rule_settings): for_partner's off_invoice_handlings and own_allowance_codes. Not [rules] overrides
    # of the profile: its [fulfilment.invoice] says them.
    po_allowances: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    own_allowances: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    partners: dict[str, PartnerRuleOverrides] = Field(default_factory=dict)

    @property
    def transit(self) -> Transit | None:
        """The partner's time in transit (schemas.orders.Transit); None: not known."""
        if self.transit_days is None:
            return None
        return Transit(self.transit_days, self.transit_business_days, frozenset(self.transit_holidays))

    def for_partner(self, partner: str) -> RuleSettings:
        """These settings with the partner's overrides applied (and no nested overrides)."""
        override = self.partners.get(partner)
        values = self.model_dump(exclude={"partners", "po_allowances", "own_allowances"})
        if override is not None:
            values.update(override.model_dump(exclude_none=True))
        values["invoice_set"] = self.invoice_sets.get(partner, values["invoice_set"])
        values["off_invoice_handlings"] = self.po_allowances.get(partner, values["off_invoice_handlings"])
        values["own_allowance_codes"] = self.own_allowances.get(partner, values["own_allowance_codes"])
        return RuleSettings.model_validate(values)
