"""What a business finding does to the 855: the default outcome per code (line ACK01 and action,
or a hold/reject of the whole order), overridable per partner by a policy dict.

Definitions and lookups only; the 855 builder (engine) applies them. Every code in
schemas.codes_business.BUSINESS_CODES has a default here (a test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Scope = Literal["line", "order"]
Action = Literal[
    "accept",
    "reject_line",
    "change_quantity",
    "change_price",
    "reschedule",
    "hold_line",
    "hold_order",
    "reject_order",
]
OrderStatus = Literal["", "pending_approval", "rejected"]


@dataclass(frozen=True, slots=True)
class Outcome:
    scope: Scope  # "line": this PO1 line only; "order": every line of the PO
    ack01: str  # 855 ACK01 for the affected line(s): IA, IR, IQ, IP, IH, DR ...
    action: Action
    order_status: OrderStatus = ""  # pending_approval: held for a person; rejected: BAK02 RD/RJ
    note: str = ""


# Named outcomes a partner policy may refer to by name.
ACCEPT = Outcome("line", "IA", "accept", note="accepted as sent; finding reported to ops")
# the line decided on the item that replaces the one ordered (rules.business.items.substitute): ACK*IS naming it;
# a change of quantity, price or date the line also gets is made and still answered IS (engine.decide)
SUBSTITUTE = Outcome("line", "IS", "accept", note="accepted with the replacement item; ACK07.. name it")
REJECT_LINE = Outcome("line", "IR", "reject_line")
CHANGE_QUANTITY = Outcome("line", "IQ", "change_quantity", note="ACK02 carries the new quantity")
CHANGE_PRICE = Outcome("line", "IP", "change_price", note="accepted at our price")
RESCHEDULE = Outcome("line", "DR", "reschedule", note="ACK04/ACK05 carry the date we can meet")
HOLD_LINE = Outcome("line", "IH", "hold_line", "pending_approval")
HOLD_ORDER = Outcome("order", "IH", "hold_order", "pending_approval")
REJECT_ORDER = Outcome("order", "IR", "reject_order", "rejected")

NAMED: dict[str, Outcome] = {
    "accept": ACCEPT,
    "reject_line": REJECT_LINE,
    "change_quantity": CHANGE_QUANTITY,
    "change_price": CHANGE_PRICE,
    "reschedule": RESCHEDULE,
    "hold_line": HOLD_LINE,
    "hold_order": HOLD_ORDER,
    "reject_order": REJECT_ORDER,
}

DEFAULT_OUTCOMES: dict[str, Outcome] = {
    "ITEM_ID_MISSING": REJECT_LINE,
    "GTIN_CHECK_DIGIT_INVALID": REJECT_LINE,
    "ITEM_UNKNOWN": REJECT_LINE,
    "ITEM_DISCONTINUED": REJECT_LINE,
    "ITEM_IDS_DISAGREE": ACCEPT,  # the line is ours by its other ids: taken, ops told of the number that is not
    # a valid GS1 number under a qualifier of another structure (an EAN-13 as UP): read as itself, ops told
    "PRODUCT_ID_QUALIFIER_MISMATCH": ACCEPT,
    "ITEM_SUBSTITUTED": SUBSTITUTE,  # only a partner whose profile accepts substitutes gets it ([rules] substitutes)
    "UNIT_UNKNOWN": REJECT_LINE,
    "UNIT_NOT_CONVERTIBLE": REJECT_LINE,
    "QTY_NOT_POSITIVE": REJECT_LINE,
    # a drop-ship order's lines raise neither (rules.business.quantities): acknowledged as the consumer ordered
    "CASE_PACK_ROUNDED": CHANGE_QUANTITY,
    "CASE_PACK_NOT_MULTIPLE": REJECT_LINE,
    # the buyer counts other eaches per case than we ship: accepted, every case would be short (or over);
    # which side is right is a person's call, never the engine's
    "CASE_PACK_MISMATCH": HOLD_LINE,
    # eaches as ordered, in cases of another count than the buyer's PO4: the quantity is right, the packing is
    # ops' call (repack, or tell the buyer): answered IA, the warning in the report
    "PO4_PACK_DIFFERS": ACCEPT,
    "PO4_SIZE_NOT_WHOLE": ACCEPT,
    # a Schedule I/II line whose PO names no DEA Form 222 / CSOS order (rules.business.controlled) may not be filled
    # (21 CFR 1305): the line is answered IR at once (never allocated or shipped) and the PO's other lines go ahead;
    # the buyer orders it again with its form. A partner whose forms come apart from the PO (a paper 222 mailed):
    # hold_line (the engine holds the whole PO for the desk, which matches the form and approves)
    "DEA_ORDER_FORM_MISSING": REJECT_LINE,
    "QUANTITY_DECIMALS_UNSUPPORTED": HOLD_LINE,  # rounded to 4 decimals it is another quantity: a person decides
    "QTY_BELOW_MINIMUM": CHANGE_QUANTITY,  # raised to the minimum; a partner may prefer reject_line
    "PRICE_MISSING": CHANGE_PRICE,
    "PRICE_NOT_ON_FILE": HOLD_LINE,
    "PRICE_BASIS_UNSUPPORTED": HOLD_ORDER,  # our prices, values and invoices are per unit: a person decides
    "PRICE_BASIS_PER_EACH": CHANGE_PRICE,  # our price per PO103 unit (= PO104 x the pack): 855 IP, 810 per unit
    # the partner's 880 could never bill the line (no basis of price in its G17): a person decides before it ships
    "PRICE_BASIS_NOT_ON_880": HOLD_ORDER,
    "CODE_CASE_CONVERTED": ACCEPT,  # the qualifier it names (bp: BP)
    "UNIT_CASE_CONVERTED": ACCEPT,  # the unit code it names (ea: EA); a partner may hold such lines
    "PRICE_BASIS_CONVERTED": ACCEPT,  # the same price, restated per unit; a partner may hold such orders
    "PRICE_DECIMALS_UNSUPPORTED": HOLD_LINE,  # rounded to 4 decimals it is another price: a person decides
    "CATCH_WEIGHT_LINE": ACCEPT,  # the partner's profile deals in catch weight: as sent; the 810 bills the weight
    "PRICE_BREAK_UNCLEAR": ACCEPT,  # the first cost CTP prices the line, as before; ops is told which
    "PRICE_MULTIPLIER_UNSUPPORTED": HOLD_LINE,  # CTP03 is not the price meant (10% off, a markup): a person decides
    "PRICE_OUT_OF_TOLERANCE": CHANGE_PRICE,  # or reject_line, per partner policy
    "DISCOUNT_OVER_THRESHOLD": HOLD_ORDER,
    # an allowance beyond the threshold pre-approved by a promotion agreed with the customer (deals.csv): told
    "ALLOWANCE_DEAL_AGREED": ACCEPT,
    "ALLOWANCE_AFTER_SHIPMENT_HELD": HOLD_ORDER,
    # an 860 adding an allowance to an order invoiced in full: no 810 left to carry it; ops are told
    "ALLOWANCE_AFTER_INVOICED": ACCEPT,
    # free goods (PO105 NC) are supplied only by agreement (a sample, a replacement, a promotion): a person
    # decides; approved, the line is answered and invoiced at 0 (or the price sent) with NC, never at ours
    "PRICE_NO_CHARGE": HOLD_ORDER,
    "CURRENCY_MISMATCH": HOLD_ORDER,
    "ORDER_REF_NOT_SENT": ACCEPT,  # answered, shipped and billed as ordered, the documents without the REF
    "VENDOR_NUMBER_MISMATCH": ACCEPT,  # answered as ordered; ops corrects the profile or tells the buyer
    "TERMS_MISMATCH": ACCEPT,  # our agreed terms apply (a profile's invoice terms = "po": the PO's); ops is told
    "TERMS_PERCENT_ROUNDED": ACCEPT,  # no price or quantity changes; the 810 echoes the PO's ITD03 as sent
    "CUSTOMER_UNKNOWN": HOLD_ORDER,
    "CREDIT_LIMIT_EXCEEDED": HOLD_ORDER,
    "ORDER_VALUE_BELOW_MINIMUM": REJECT_ORDER,
    "SHIP_TO_UNKNOWN": HOLD_ORDER,
    "ADDRESS_INCOMPLETE": HOLD_ORDER,
    "ADDRESS_IMPLAUSIBLE": HOLD_ORDER,
    # a line's own N1*ST is another party than the order's: every line ships, is answered and invoiced to the
    # order's, so its goods would go to the wrong place; a person decides (ships it by hand, or asks for one PO
    # per destination). A partner that agreed to heading-only shipping says accept
    "LINE_SHIP_TO_DIFFERS": HOLD_ORDER,
    # two heading ship-tos: shipped to the first, the other's goods would go to the wrong place unasked
    "SHIP_TO_AMBIGUOUS": HOLD_ORDER,
    "DATE_IN_PAST": RESCHEDULE,
    # the buyer's last acceptable date has gone: a person asks for a new date (860) or rejects the order
    # (reject_order per partner policy); the goods would be refused at the dock or charged back
    "CANCEL_DATE_PASSED": HOLD_ORDER,
    "SHIP_WINDOW_INCONSISTENT": HOLD_ORDER,
    # raised by allocation, after the decision: what it did (the late backorder rejected, IR; or promised
    # per the allocation policy's late_backorder) is reported, not decided from this entry; and by a
    # later run whose date is past the PO's (engine.lifecycle.backorders: the backorder cancelled or kept)
    "BACKORDER_AFTER_CANCEL": REJECT_LINE,
    # raised by allocation, after the decision, to say why it rejected what it did (engine.refusals): reported,
    # not decided from this entry (an order rejected whole by ship_complete + backorder "reject" says so)
    # the DC the order ships from has no stock loaded we may use: a person decides once it is (never IR for a file)
    "STOCK_NOT_LOADED": HOLD_ORDER,
    "STOCK_SHORT_REJECTED": REJECT_LINE,
    "ORDER_PURPOSE_UNSUPPORTED": HOLD_ORDER,  # a person decides what e.g. an information copy means
    # the PO's CSH03 caps its value: which lines to cut (CSH02 0) or whether to cancel (1) is a person's call;
    # no 855 may promise more than the buyer allowed
    "ORDER_AMOUNT_EXCEEDED": HOLD_ORDER,
    "ORDER_TEST_DATA": HOLD_ORDER,  # a test PO must not ship; a person approves it if it is real
    # a confirmation of an order placed by phone, fax or e-mail: the order may be entered already; never twice
    "ORDER_CONFIRMATION_UNKNOWN": HOLD_ORDER,
    # the buyer cancelled the PO by an 860 that came before the 850 (refused as naming a PO we never received): a
    # person asks the buyer whether the 850 is meant (engine.early_cancel); never filled on its own
    "PO_CANCELLED_BEFORE_RECEIVED": HOLD_ORDER,
    # a release drawing past its blanket's quantity, or dated after its end: the buyer may have raised or extended
    # the blanket; a person asks (engine.blankets)
    "RELEASE_PAST_BLANKET": HOLD_ORDER,
    "RELEASE_AFTER_BLANKET_END": HOLD_ORDER,
    "RELEASE_BLANKET_CANCELLED": HOLD_ORDER,  # a blanket the buyer cancelled is over too; reissued? a person asks
    # a blanket cancelled while releases answered before stand (each its own order and 855): the cancellation goes
    # through; ops are told which releases could still ship (engine.blankets)
    "BLANKET_CANCELLED_RELEASES_OPEN": ACCEPT,
    # ... and a release answered, nothing of it shipped: held for a person, never shipped against a cancelled
    # agreement unasked (approved: it ships as answered; rejected: 855 RD)
    "RELEASE_HELD_BLANKET_CANCELLED": HOLD_ORDER,
    # a release line whose unit no pack converts into its blanket line's, or of an item the blanket does not list:
    # what it draws is not known, or it is no call-off at all; a person asks
    "RELEASE_UNIT_UNCONVERTED": HOLD_ORDER,
    # a release of a blanket line agreed by value (no quantity): no limit we keep checks it; a person does
    "RELEASE_BLANKET_BY_VALUE": HOLD_ORDER,
    "RELEASE_ITEM_NOT_ON_BLANKET": HOLD_ORDER,
    # a release of a blanket we never received (sent on paper, by contract) or hold nothing of: decided as an order of
    # its own, ops told which blanket it names; a partner whose releases always follow an EDI blanket: hold_order
    "RELEASE_BLANKET_UNKNOWN": ACCEPT,
    # ... but a release an 860 moved off a blanket we hold to a number we hold no blanket of: the buyer means a
    # blanket we never received (or the number is wrong); what it calls off is checked against nothing: a person asks
    "RELEASE_MOVED_BLANKET_UNKNOWN": HOLD_ORDER,
    # ... or a release part of which shipped moved to a blanket its balance overdraws: held after shipment, nothing
    # more billed until a person decides (engine.lifecycle.moved_hold)
    "RELEASE_BALANCE_PAST_BLANKET": HOLD_ORDER,
    "ORDER_TYPE_UNSUPPORTED": HOLD_ORDER,  # a blanket order's releases, or nothing, are what ships
    # Only emitted when BEG01 is not a cancel/replace/confirmation (the rule checks that).
    "ORDER_DUPLICATE": REJECT_ORDER,
}

# Precedence when several findings hit one line: the strongest wins.
_RANK = {
    "accept": 0,
    "reschedule": 1,
    "change_price": 2,
    "change_quantity": 3,
    "hold_line": 4,
    "reject_line": 5,
    "hold_order": 6,
    "reject_order": 7,
}

Policy = Mapping[str, "Outcome | str"]


def outcome_for(code: str, policy: Policy | None = None) -> Outcome:
    """The outcome for ``code``: the partner policy's entry (an Outcome or a name in NAMED) if any,
    else the default. Raises KeyError for a code with neither (a programming error)."""
    if policy and code in policy:
        chosen = policy[code]
        if isinstance(chosen, Outcome):
            return chosen
        if chosen not in NAMED:
            raise ValueError(f"unknown outcome name {chosen!r} for {code}; choose from {sorted(NAMED)}")
        return NAMED[chosen]
    return DEFAULT_OUTCOMES[code]


def strongest(outcomes: list[Outcome]) -> Outcome:
    """The outcome that wins when several apply to the same line (ACCEPT when none)."""
    return max(outcomes, key=lambda o: _RANK[o.action], default=ACCEPT)


def holding_codes(order_level: Sequence[tuple[Outcome, str]],
                  per_line: Mapping[int, Sequence[tuple[Outcome, str]]]) -> tuple[str, ...]:
    """The codes of the findings that hold an order, of its findings' (outcome, code) pairs (``order_level``: those
    naming no line; ``per_line``: by the line they name): an order-scope hold anywhere, or a line-scope hold
    (hold_line) on a line whose strongest line outcome holds it (one rejecting or changing the line outranks it: the
    line is answered, not held). What the order is held for (engine.decide's held_for; the store's hold_codes of
    orders held before it was kept, connectors.state_migrations)."""
    codes = {c for o, c in (*order_level, *(x for fs in per_line.values() for x in fs))
             if o.scope == "order" and o.order_status == "pending_approval"}
    shared = [(o, c) for o, c in order_level if o.scope == "line"]
    lines = [*([(o, c) for o, c in fs if o.scope == "line"] + shared for fs in per_line.values()), shared]
    for pairs in lines:
        if strongest([o for o, _ in pairs]).order_status == "pending_approval":
            codes |= {c for o, c in pairs if o.order_status == "pending_approval"}
    return tuple(sorted(codes))
