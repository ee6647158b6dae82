"""810 invoice: a typed Invoice (schemas.invoices) -> the transaction set body, checked by itself;
and the invoices a shipment (or a completely shipped order) gives, by the partner's policy.

Pure: quantities shipped and already invoiced come in from the caller (the state store in phase 2),
so the builder can refuse to invoice more than shipped or the same units twice (DocumentError).
Rounding, stated once: each line's extension is quantity x unit price rounded half up to cents;
a percentage charge or allowance is the merchandise total (the sum of those extensions) x percent
/ 100 rounded half up to cents; a flat charge is rounded half up to cents. Which of the profile's
charges an 810 carries (invoice_charges): a percentage on every 810, of its own lines; a flat amount
per order on the PO's first 810 only; a flat amount per shipment once per shipment the 810 bills (a
shipment of several POs: once across their 810s, on the first PO's or split by units; a multi-stop load's stops:
once, on its first stop's 810). TDS01 = extensions +
charges - allowances, exactly, in N2 (implied two decimals). Segments: BIG, CUR, REF (SI, BM as
InvoiceSettings.shipment_refs lists them; IA; DP, PD, MR
as the PO sent them: InvoiceSettings.order_refs),
N1 RE/BT/ST (N3/N4), N1 Z7/BY (the PO's mark-for, as it named it; InvoiceSettings.mark_for), N1 SF (us:
InvoiceSettings.ship_from), ITD,
DTM 011, FOB (the PO's, as sent: InvoiceSettings.fob), IT1 (+PID, + the line's own REFs as the PO sent them:
InvoiceSettings.line_refs), TDS, SAC, ISS, CTT (CTT01 = number of IT1).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from engine.asn import (
    line_price_segments,
    line_ref_segments,
    mark_for_of,
    mark_for_segment,
    party_segments,
    ref_segments,
    row_prices,
    row_refs,
    sent_pid_segments,
)
from engine.invoice_po_sacs import PoSac, carried, line_money, money  # money: the one rounding rule of our invoices
from engine.invoice_taxes import taxed
from parsers.x12_writer import NAME_MAX, ROUTING_MAX, Segment, x12_decimal, x12_implied, x12_text
from schemas.errors import DocumentError
from schemas.fulfilment import Charge, InvoiceSettings, InvoiceTax, RemitTo
from schemas.invoices import Invoice, InvoiceLine, Terms, same_kind_terms_types
from schemas.order_keys import x12_po
from schemas.orders import ELEMENTS_SEP, ITDS_SEP, order_ref_elements
from schemas.shipments import Party, ProductId, Shipment, with_name2
from schemas.units import basis_sent

# the ORDER_LINES columns of a line's PO4 as sent (PO401, PO402, PO403, PO414): po4_segment ([fulfilment.invoice]
# item_po4)
PO4_SENT = ("po4_pack", "po4_size", "po4_size_unit", "po4_inner_pack")


def po4_segment(pack: int | None, size: Decimal | None, size_unit: str | None, inner: int | None) -> list[str] | None:
    """The PO4 of a line's pack as its PO stated it (PO401 the pack, PO402/PO403 the size in its unit, PO414 the
    inner pack), None when it stated none."""
    if pack is None and inner is None and size is None:
        return None
    seg = ["PO4", "" if pack is None else str(pack)]
    if size is not None and size_unit:  # PO402 and PO403 together (C0203)
        seg += [x12_decimal(size), size_unit]
    if inner is not None:
        seg += [""] * (14 - len(seg)) + [str(inner)]  # PO414
    return seg


def extension(line: InvoiceLine) -> Decimal:
    return line_money(line.quantity, line.unit_price, line.unit, line.price_basis)


@dataclass(frozen=True, slots=True)
class Totals:
    merchandise: Decimal  # sum of line extensions
    charges: tuple[tuple[Charge, Decimal], ...]  # each SAC with its amount in cents (positive)
    total: Decimal  # TDS01


def totals(invoice: Invoice) -> Totals:
    merchandise = sum((extension(line) for line in invoice.lines), Decimal(0))
    charges = tuple((c, money(c.amount) if c.amount is not None else money(merchandise * c.percent / 100))
                    for c in invoice.charges)
    net = sum((a if c.kind == "C" else -a for c, a in charges), Decimal(0))
    return Totals(merchandise, charges, merchandise + net)


Split = tuple[tuple[int, tuple[Decimal, ...]], ...]  # per shipment billed: (this PO's index, units of each PO)
# a Split's entry for a shipment whose flat charges per shipment another 810 bills: a later stop of a multi-stop
# load (engine.lifecycle.stops.later_stops), whose load's charge goes on its first stop's 810 (shipment_share: none)
NO_SHARE: tuple[int, tuple[Decimal, ...]] = (-1, ())


def fob01(order: Mapping) -> str:
    """The FOB01 (shipment method of payment) of a PO's heading FOB as sent (its canonical ORDERS row's
    fob_sent), "" when it sent none."""
    return str(order.get("fob_sent") or "").split(ELEMENTS_SEP)[0]


def fob_charges(charges: Sequence[Charge], fob: str) -> tuple[Charge, ...]:
    """Of ``charges``, those a PO of FOB01 ``fob`` bears: a charge limited to some FOB01s (Charge.fob) only
    when ``fob`` is one of them."""
    return tuple(c for c in charges if not c.fob or fob in c.fob)


def invoice_charges(settings: InvoiceSettings, *, billed_before: bool, shipments: int,
                    split: Split | None = None, fob: str = "") -> tuple[Charge, ...]:
    """The SAC charges and allowances of one 810 of a PO (of ``settings.charges``, in their order), by each
    one's scope (Charge.per, else the partner's policy InvoiceSettings.per): a percentage always (of this
    810's own lines); a flat amount per order only on the PO's first 810 (``billed_before``: an earlier 810
    billed units of the PO - a second per-order 810 for units that shipped later, a later shipment's 810 -
    carries it no more); a flat amount per shipment times ``shipments``, the shipments this 810 bills for
    the first time (1 for a per-shipment 810), none when 0. ``split`` (when given, instead of ``shipments``):
    per shipment billed, this PO's place among the POs that share its charge and their units on it: the
    shipment's charge is billed once across their 810s (shipment_share, InvoiceSettings.shipment_charges),
    none when this 810's share is nothing. A charge limited to POs of some FOB01s (Charge.fob) only when the
    PO's ``fob`` (its heading FOB01 as sent, "" for none) is one of them."""
    out: list[Charge] = []
    for c in fob_charges(settings.charges, fob):
        if c.amount is None:
            out.append(c)
            continue
        if (c.per or settings.charge_scope) == "order":
            if not billed_before:
                out.append(c)
        elif split is not None:
            amount = sum((shipment_share(c.amount, i, units, settings.shipment_charges) for i, units in split),
                         Decimal(0))
            if amount == c.amount:
                out.append(c)
            elif amount > 0:
                out.append(c.model_copy(update={"amount": amount}))
        elif shipments == 1:
            out.append(c)
        elif shipments > 1:
            out.append(c.model_copy(update={"amount": c.amount * shipments}))
    return tuple(out)


def shipment_share(amount: Decimal, index: int, units: Sequence[Decimal], how: str) -> Decimal:
    """The part of a flat charge per shipment that the 810 of the PO at ``index`` of the POs sharing it
    (``units``: each one's units on the shipment) carries: "first" the whole on the first PO's; "units" a
    share in proportion to its units, in cents, the cents left by rounding down going to the largest
    remainders (the first PO on a tie), so the shares add up to ``money(amount)`` exactly. One PO: the whole
    amount as it is (unrounded, as ever). NO_SHARE (a later stop of a load): nothing."""
    if len(units) <= 1:
        return amount if index == 0 else Decimal(0)
    total = sum(units, Decimal(0))
    if how == "first" or total <= 0:
        return amount if index == 0 else Decimal(0)
    cents = int(money(amount).scaleb(2))
    exact = [cents * u / total for u in units]
    floors = [int(e) for e in exact]  # positive: int() rounds down
    left = cents - sum(floors)
    by_rest = sorted(range(len(units)), key=lambda k: (-(exact[k] - floors[k]), k))
    return Decimal(floors[index] + (1 if index in by_rest[:left] else 0)).scaleb(-2)


def build_810(invoice: Invoice, settings: InvoiceSettings, *, shipped: Mapping[str, Decimal],
              already_invoiced: Mapping[str, Decimal] | None = None) -> list[Segment]:
    """Body (BIG..CTT) of the 810. ``shipped`` maps each line id to the units this invoice may bill
    (the shipment's, for per-shipment invoicing; the order's, for per-order), ``already_invoiced``
    to the units of that scope already on earlier invoices. Raises DocumentError when a line would
    bill more than shipped, a line repeats, a quantity or price is not positive, or the result fails
    its self-check (TDS, CTT)."""
    already_invoiced = already_invoiced or {}
    _refuse_overbilling(invoice.invoice_number, [(ln.line_id, ln.quantity, ln.unit_price) for ln in invoice.lines],
                        shipped, already_invoiced)
    lines = invoice.lines
    pairs = []
    for line in lines:
        flat: list[str] = []
        for pid in line.product_ids[:10]:
            if pid.id:
                flat += [pid.qualifier, pid.id]
        pairs.append(flat)
    return body_810(invoice, settings, [ln.line_id for ln in lines], [ln.quantity for ln in lines],
                    [ln.unit for ln in lines], [ln.unit_price for ln in lines], [ln.price_basis for ln in lines],
                    pairs, [ln.description for ln in lines], refs=[ln.refs for ln in lines],
                    line_prices=[ln.prices for ln in lines]).body


@dataclass(frozen=True, slots=True)
class Body810:
    """An 810 body as built (lists of text values) with the sums it states."""

    body: list[list[str]]
    extensions: list[Decimal]  # per line: quantity x unit price, half up to cents
    merchandise: Decimal
    total: Decimal  # TDS01
    tax: Decimal = Decimal(0)  # the summary TXIs' amounts (in TDS01; engine.invoice_taxes)


def body_810(head: Invoice, settings: InvoiceSettings, line_ids: Sequence[str], quantities: Sequence[Decimal],
             units: Sequence[str], prices: Sequence[Decimal], bases: Sequence[str], pairs: Sequence[Sequence[str]],
             descriptions: Sequence[str], counts: Sequence[tuple[Decimal, str] | None] | None = None, *,
             po_sacs: Sequence[PoSac] = (), before: Mapping[str, Decimal] | None = None,
             first: bool = True, taxes: Sequence[InvoiceTax] = (), classes: Sequence[str] = (),
             refs: Sequence[Sequence[tuple[str, str]]] = (),
             line_prices: Sequence[Sequence[Sequence[str]]] = (), exempt: Sequence[str] = (),
             pids: Sequence[Sequence[tuple[str, str, str]]] = (), expiries: Sequence[str] = (),
             packs: Sequence[list[str] | None] = ()) -> Body810:
    """The 810 body of ``head`` (an Invoice whose ``lines`` are not read) and its lines given as
    columns (``pairs``: each line's IT106.. qualifier/id values), checked by check_810; one builder for
    build_810 and for billing's invoices (which never make an InvoiceLine per line). ``counts``: per line,
    None or the units shipped of a line billed by weight (a catch-weight line: IT102 its net weight, IT103 LB,
    IT104 the price per pound), written after its IT1 as QTY*39 (shipped quantity) and counted by the ISS.
    ``po_sacs``: the PO's own SACs the 810 carries (engine.invoice_po_sacs: ``before`` line id -> its units on
    earlier 810s, ``first`` the PO's first 810), after their IT1 and in the summary, in TDS01. ``taxes``: the
    profile's taxes this 810 carries (engine.invoice_taxes.taxes_for): TXI after each IT1 (before its PID) and/or
    after TDS, in TDS01 (engine.invoice_taxes: amounts and rounding); ``classes``: per line its item's tax class
    (items.csv tax_class: a tax whose ``exempt`` lists it does not tax the line), () none; ``exempt``: per line the
    taxes (TXI01 codes, a space between; TX all) its PO1 loop exempts it from (ORDER_LINES tax_exempt_sent), () none.
    ``refs``: per line the
    PO line's own references (REF01, REF02 as sent): those of ``settings.line_refs``' qualifiers each a REF after its
    PID (position 120, before the SAC loop); () none. ``line_prices``: per line the PO line's own CTPs (CTP01..CTP05
    as sent): those whose CTP02 ``settings.ctp`` lists each a CTP after its TXI, before its PID (position 050); ()
    none. ``expiries``: per line CCYYMMDD of the expiration date the PO line stated (ORDER_LINES expiry_sent: a
    DTM*036 after its REFs, [fulfilment.invoice] line_expiry), "" none; () none. ``pids``: per line the PO line's own
    PIDs as sent ((PID02, PID05, PID09) each: ORDER_LINES pids_sent), written
    each as sent where the line's description is; () or an empty one: PID*F****description. ``packs``: per line the
    PO4 of the pack its PO line stated (po4_segment; [fulfilment.invoice] item_po4), after its PID, before its REFs
    (position 100), None for none; () none."""
    exts = [line_money(q, p, u, b) for q, p, u, b in zip(quantities, prices, units, bases, strict=True)]
    merchandise = sum(exts, Decimal(0))
    charges, total = charged(head, merchandise)
    po = carried(po_sacs, line_ids, quantities, exts, before or {}, first=first, units=units,
                 shipped=counts or ()) if po_sacs else None
    if po is not None:
        total += po.net
    tax = None
    if taxes:
        ours = [(c.kind, a) for c, a in charges]
        tax = taxed(taxes, settings, exts, charges=sum((a for k, a in ours if k == "C"), Decimal(0)) + (
            po.charges if po else 0), allowances=sum((a for k, a in ours if k != "C"), Decimal(0)) + (
            po.allowances if po else 0), line_sacs=po.line_nets if po else None, classes=classes, exempt=exempt)
    if tax is not None:
        total += tax.total
    body = head_810(head, settings, total)
    add = body.append
    for i, (line_id, q, unit, price, basis, flat, description) in enumerate(zip(
            line_ids, quantities, units, prices, bases, pairs, descriptions, strict=True)):
        add(["IT1", line_id, x12_decimal(q), unit, x12_decimal(price), basis, *flat])
        count = counts[i] if counts else None
        if count is not None:
            add(["QTY", "39", x12_decimal(count[0]), count[1]])
        if tax is not None and i in tax.lines:  # TXI (IT1 loop, after QTY, before the PID loop)
            body += tax.lines[i]
        if line_prices and settings.ctp:  # CTP (IT1 loop, after TXI, before the PID loop)
            body += line_price_segments(line_prices[i], settings.ctp)
        description = x12_text(description)
        if description and pids and pids[i]:  # the PO line's PIDs as sent (a PID02, a colour beside it): each
            body += sent_pid_segments(pids[i])
        elif description:
            add(["PID", "F", "", "", "", description])
        if packs and packs[i] is not None:  # PO4 (IT1 loop, position 100: after the PID loop, before REF)
            add(packs[i])
        if refs and settings.line_refs:
            body += line_ref_segments(refs[i], settings.line_refs)
        if expiries and expiries[i]:  # DTM (IT1 loop, position 150: after its REF, before the SAC loop)
            add(["DTM", "036", expiries[i]])
        if po is not None and i in po.lines:
            body += po.lines[i]
    counted = None
    if counts and any(c is not None for c in counts):  # the ISS counts a weighed line's units shipped, not pounds
        counted = ([u if c is None else c[1] for u, c in zip(units, counts, strict=True)],
                   [q if c is None else c[0] for q, c in zip(quantities, counts, strict=True)])
    body += tail_810(settings, total, charges, units, quantities, counted=counted,
                     sacs=po.summary if po is not None else (), txis=tax.summary if tax is not None else (),
                     carrier=head.carrier)
    check_810(body, ctt_hash=settings.ctt_hash)
    if tax is None:
        return Body810(body, exts, merchandise, total)
    return Body810(body, exts, merchandise, total, tax.total)


def charged(head: Invoice, merchandise: Decimal) -> tuple[tuple[tuple[Charge, Decimal], ...], Decimal]:
    """The invoice's SAC charges and allowances with their amounts (half up to cents) and TDS01."""
    charges = tuple((c, money(c.amount) if c.amount is not None else money(merchandise * c.percent / 100))
                    for c in head.charges)
    return charges, merchandise + sum((a if c.kind == "C" else -a for c, a in charges), Decimal(0))


def head_810(invoice: Invoice, settings: InvoiceSettings, total: Decimal | None = None) -> list[list]:
    """The 810's segments before its first IT1 (BIG .. DTM); ``total``: its TDS01, which the ITDs' amounts are
    restated for (itd_segments)."""
    body: list[list] = [["BIG", ymd(invoice.invoice_date), invoice.invoice_number,
                         ymd(invoice.po_date) if invoice.po_date else "", x12_po(invoice.po_number),
                         invoice.release_number, "", settings.transaction_type]]
    if invoice.currency:
        body.append(["CUR", "SE", invoice.currency])
    if invoice.shipment_id and "SI" in settings.shipment_refs:
        body.append(["REF", "SI", invoice.shipment_id])
    if invoice.bill_of_lading and "BM" in settings.shipment_refs:  # a REF*BM per bill of lading (an order shipped
        body += [["REF", "BM", bol] for bol in invoice.bill_of_lading.split(",") if bol]  # on two trucks: two)
    if settings.vendor_number:
        body.append(["REF", settings.vendor_number_qualifier, settings.vendor_number])
    body += ref_segments(invoice.refs, settings.order_refs, settings.order_ref_descriptions)
    body += contact_segments(settings)
    bill_to = invoice.bill_to
    if bill_to is None and settings.bill_to is not None:  # the profile's, for a PO that named none
        bill_to = _profile_party(settings.bill_to.code or "BT", settings.bill_to)
    for party in (invoice.remit_to, bill_to, invoice.ship_to if settings.ship_to else None):
        if party is not None:
            body.extend(s for s in party_segments(party)
                        if (s[0] != "N2" or party is not invoice.ship_to or settings.ship_to_n2)
                        and (s[0] not in ("N3", "N4") or party is invoice.remit_to or settings.party_addresses))
            if party is invoice.bill_to or party is invoice.ship_to:  # the PO's own: its loop's REFs asked for
                body += [["REF", q, v] for p, q, v in invoice.party_refs
                         if p == party.code and q in settings.party_refs]
    if invoice.mark_for is not None and settings.mark_for:
        body.append(mark_for_segment(invoice.mark_for))
    if (us := settings.ship_from) is not None:  # N1*SF (or its code: SU ...): us, as the partner's set-up names us
        body += party_segments(_profile_party(us.code or "SF", us))
    if invoice.terms is not None and settings.itd:
        body += itd_segments(invoice.terms, total)
    if invoice.ship_date is not None and settings.ship_date:
        body.append(["DTM", "011", ymd(invoice.ship_date)])
    if settings.fob and invoice.fob:  # FOB (150), as the PO sent it
        body.append(["FOB", *invoice.fob])
    return body


def contact_segments(settings: InvoiceSettings) -> list[list]:
    """The PER (060) of our contact the partner's 810 guide asks for, after the heading's REFs; [] when the
    profile names none."""
    if (contact := settings.contact) is None:
        return []
    return [["PER", contact.function, x12_text(contact.name, NAME_MAX), *contact.numbers()]]


@lru_cache(maxsize=4096)
def ymd(day: date) -> str:
    """A CCYYMMDD date element, each distinct date formatted once (a run's 810s share a few dates)."""
    return day.strftime("%Y%m%d")


SCAC = re.compile(r"[A-Z0-9]{2,4}")  # element 140 (Standard Carrier Alpha Code): ID 2/4
CAD_REF_MAX = 30  # CAD08 (element 127 AN 1/30 in 004010; 1/50 from 005010)


def cad_segment(carrier: str, bill_of_lading: str, method: str = "") -> list[str] | None:
    """CAD (carrier details) of a shipment: CAD01 its transport method (X12 element 91) when given (``method``: the
    856's TD504 of the shipment, engine.shipments.shipment_method; mandatory from 005010, optional in 004010, where
    it is left out as it always was: engine.lifecycle.billing), CAD04 its carrier's SCAC, or CAD05 (routing) the
    carrier as given when it is no SCAC (one of CAD04/CAD05 is required: R0504); CAD07 BM and CAD08 its bill of
    lading when it has one that fits CAD08 (an identifier is never cut). None without a carrier."""
    carrier = carrier.strip()
    if not carrier:
        return None
    cad = ["CAD", method, "", "", carrier] if SCAC.fullmatch(carrier) else ["CAD", method, "", "", "",
                                                                           x12_text(carrier, ROUTING_MAX)]
    if bill_of_lading and len(bill_of_lading) <= CAD_REF_MAX:
        cad += [""] * (7 - len(cad)) + ["BM", bill_of_lading]
    return cad


def tail_810(settings: InvoiceSettings, total: Decimal, charges: Sequence[tuple[Charge, Decimal]],
             units: Sequence[str], quantities: Sequence[Decimal],
             counted: tuple[Sequence[str], Sequence[Decimal]] | None = None,
             sacs: Sequence[list[str]] = (), txis: Sequence[list[str]] = (),
             carrier: tuple[str, ...] = ()) -> list[list]:
    """The 810's segments after its last IT1/PID (TDS, CAD, SAC, ISS, CTT) of lines billed in ``quantities`` of
    ``units`` (IT102/IT103: CTT02 hashes the quantities). ``counted``: (units, quantities) the ISS sums instead,
    when lines billed by weight count their units shipped (body_810's ``counts``). ``sacs``: more SAC segments
    after the charges' (the PO's own heading SACs: engine.invoice_po_sacs). ``txis``: the summary's TXI segments
    (after TDS, before the SAC loop: engine.invoice_taxes). ``carrier``: the shipment's (carrier, bill of lading)
    or (carrier, bill of lading, transport method) for the CAD the settings ask for (cad_segment)."""
    body: list[list] = [["TDS", x12_implied(total)], *txis]
    if settings.carrier and (cad := cad_segment(*carrier) if carrier else None):
        body.append(cad)
    for charge, amount in charges:
        sac: list[str] = ["SAC", charge.kind, charge.code, "", "", x12_implied(amount)]
        if charge.percent is not None:
            sac += ["1", x12_decimal(charge.percent)]
        if charge.description:
            sac += [""] * (15 - len(sac)) + [charge.description]
        body.append(sac)
    body += sacs
    if settings.iss:
        per_unit: dict[str, Decimal] = defaultdict(Decimal)
        for unit, q in zip(*(counted or (units, quantities)), strict=True):
            per_unit[unit] += q
        for unit, qty in per_unit.items():
            body.append(["ISS", x12_decimal(qty), unit])
    ctt: list[str] = ["CTT", str(len(quantities))]
    if settings.ctt_hash:
        ctt.append(x12_decimal(sum(quantities, Decimal(0))))
    body.append(ctt)
    return body


def _refuse_overbilling(number: str, lines: Sequence[tuple[str, Decimal, Decimal]], shipped: Mapping[str, Decimal],
                        already_invoiced: Mapping[str, Decimal]) -> None:
    """``lines``: (line id, quantity, unit price) of the invoice numbered ``number``."""
    seen: set[str] = set()
    for line_id, quantity, price in lines:
        if line_id in seen:
            raise DocumentError("a line appears twice on one invoice", invoice=number, line_id=line_id)
        seen.add(line_id)
        if quantity <= 0:
            raise DocumentError("an invoice line must bill a positive quantity", line_id=line_id)
        if price < 0:
            raise DocumentError("an invoice line has a negative price", line_id=line_id)
        may = shipped.get(line_id, Decimal(0)) - already_invoiced.get(line_id, Decimal(0))
        if quantity > may:
            raise DocumentError("would invoice more than shipped (or units already invoiced)",
                                invoice=number, line_id=line_id, quantity=str(quantity),
                                shipped=str(shipped.get(line_id, 0)),
                                already_invoiced=str(already_invoiced.get(line_id, 0)))


def itd_segment(terms: Terms) -> list[object]:
    """ITD01-ITD15 of ``terms`` (trailing empties dropped). Terms without a discount (net only: no percent, or 0 %,
    and no discount amount, as an agreement "0 % 0 days net 30" or a PO's ITD*01*3*0**0**30 states them) carry
    no discount: ITD03 (percent), ITD04 (its due date), ITD05 (its days) and ITD08 are left out, never written 0."""
    percent = terms.discount_percent if terms.discount_percent else None  # 0 %: no discount
    amount = terms.discount_amount if terms.discount_amount else None
    discounted = percent is not None or amount is not None
    seg: list[object] = ["ITD", terms.type, terms.basis_date, x12_decimal(percent),
                         ymd(terms.discount_due_date) if terms.discount_due_date and discounted else "",
                         "" if terms.discount_days is None or not discounted else str(terms.discount_days),
                         ymd(terms.net_due_date) if terms.net_due_date else "",
                         "" if terms.net_days is None else str(terms.net_days),
                         x12_implied(amount) if amount is not None else "",
                         ymd(terms.deferred_due_date) if terms.deferred_due_date else "",
                         x12_implied(terms.deferred_amount) if terms.deferred_amount is not None else "",
                         x12_decimal(terms.percent_payable), terms.description,
                         "" if terms.day_of_month is None else str(terms.day_of_month), terms.payment_method,
                         x12_decimal(terms.percent)]
    while seg and seg[-1] in ("", None):
        seg.pop()
    return seg


def itd_segments(terms: Terms, total: Decimal | None = None) -> list[list[object]]:
    """The ITDs of ``terms`` and its further ones (``more``: installments), each itd_segment; with ``total``, an
    810's TDS01, their amounts are this invoice's: a PO's ITD08 and ITD10 are amounts of the PO, and an 810 bills one
    shipment of it, or what shipped of it (echoed, two 810s of a PO in two installments each told 100 % of the PO
    due on each invoice: xitd). Restated: ITD10 with its share (ITD11) is that share of ``total``, half up to the
    cent, and when the shares of such ITDs make 100 % the last takes what the others leave (they add up to TDS01);
    ITD08 with its percent (ITD03) is that percent of ``total`` (ITD08: the total amount of terms discount). An
    amount with neither tells no part of this invoice: left out (ITD09 with it when no ITD11 nor ITD14 is left,
    L09101114; an ITD08's dates with it, itd_segment). Dates, days, percents and words as they are. Without
    ``total`` (an 855, or terms not an 810's): as they are."""
    itds = (terms, *terms.more)
    if total is None or not any(t.deferred_amount is not None or t.discount_amount is not None for t in itds):
        return [itd_segment(t) for t in itds]
    shared = [i for i, t in enumerate(itds) if t.deferred_amount is not None and t.percent_payable is not None]
    whole = bool(shared) and sum((itds[i].percent_payable for i in shared), Decimal(0)) == 100
    out, given = [], Decimal(0)
    for i, t in enumerate(itds):
        if t.deferred_amount is not None:
            if t.percent_payable is None:
                t = replace(t, deferred_amount=None, deferred_due_date=t.deferred_due_date if t.payment_method
                            else None)
            elif whole and i == shared[-1]:
                t = replace(t, deferred_amount=total - given)
            else:
                amount = money(total * t.percent_payable / 100)
                given += amount
                t = replace(t, deferred_amount=amount)
        if t.discount_amount is not None:
            t = replace(t, discount_amount=money(total * t.discount_percent / 100) if t.discount_percent else None)
        out.append(itd_segment(t))
    return out


def check_810(body: list[Segment], *, ctt_hash: bool = False) -> None:
    """Raise DocumentError unless TDS01 equals the IT1 extensions (IT102 x IT104, half up to cents; IT104 per so
    many IT103 units of an IT105 kept as sent, 287.45 TF on a line in FT: line_money)
    plus SAC charges minus SAC allowances plus the summary's taxes (TXI02 of each TXI after TDS), CTT01
    counts the IT1s and CTT02 (when sent) sums IT102; a tax on the lines (TXI in IT1 loops) is in a summary
    TXI of its code (their sum exactly when the 810 has no SAC: the SACs' tax is the summary's only).
    Reads only the segments, so it holds the builder to the document it actually wrote."""
    tds, ctt = [], []
    count, merchandise, units, net = 0, Decimal(0), Decimal(0), Decimal(0)
    line_taxes: dict[str, Decimal] = {}  # TXI01 -> its TXI02 in the IT1 loops, added up
    summary_taxes: dict[str, Decimal] = {}  # TXI01 -> its TXI02 after TDS
    sacs = 0
    for s in body:  # one pass (every 810 of a night is checked)
        tag = s[0]
        if tag == "TXI":
            taxes = summary_taxes if tds else line_taxes
            taxes[s[1]] = taxes.get(s[1], Decimal(0)) + Decimal(s[2])
        elif tag == "IT1":
            quantity = Decimal(s[2])
            merchandise += line_money(quantity, Decimal(s[4]), s[3] if len(s) > 3 else None,
                                      s[5] if len(s) > 5 else None)
            units += quantity
            count += 1
        elif tag == "SAC":
            amount = Decimal(int(s[5])) / 100
            net += amount if s[1] == "C" else -amount
            sacs += 1
        elif tag == "TDS":
            tds.append(s)
        elif tag == "CTT":
            ctt.append(s)
    problems = []
    expected = merchandise + net + sum(summary_taxes.values(), Decimal(0))  # exact: every term is in cents
    if len(tds) != 1:
        problems.append("one TDS is required")
    elif Decimal(int(tds[0][1])) / 100 != expected:
        problems.append(f"TDS01 {tds[0][1]} is not the lines plus charges less allowances plus taxes ({expected})")
    for code, amount in line_taxes.items():
        if code not in summary_taxes or (not sacs and summary_taxes[code] != amount):
            problems.append(f"the lines' TXI {code} ({amount}) is not the summary's "
                            f"({summary_taxes.get(code, 'none')})")
    if len(ctt) != 1 or str(ctt[0][1]) != str(count):
        problems.append(f"CTT01 does not count the {count} IT1 lines")
    elif ctt_hash and (len(ctt[0]) < 3 or Decimal(ctt[0][2]) != units):
        problems.append("CTT02 is not the sum of IT102")
    if problems:
        raise DocumentError("the 810 failed its self-check: " + "; ".join(problems))


# --- from a shipment (or an order) to invoices ----------------------------------------------------

def invoices_for_shipment(shipment: Shipment, orders: Mapping[str, dict], order_lines: Mapping[tuple[str, str], dict],
                          prices: Mapping[tuple[str, str], Decimal], *, numbers: Mapping[str, str],
                          invoice_date: date, settings: InvoiceSettings, terms: Terms | None = None,
                          remit_to: Party | None = None) -> list[Invoice]:
    """One Invoice per PO of ``shipment`` (per-shipment invoicing): the units shipped per line at
    the acknowledged price. ``orders``: PO -> ORDERS row; ``order_lines``: (PO, line id) ->
    ORDER_LINES row; ``prices``: (PO, line id) -> the 855's unit price; ``numbers``: PO -> invoice
    number (taken by the caller from the per-partner sequence). A line without a price is refused."""
    out = []
    for order in shipment.orders:
        qty: dict[str, Decimal] = defaultdict(Decimal)
        unit: dict[str, str] = {}
        for item in order.all_items():
            qty[item.line_id] += item.quantity
            unit.setdefault(item.line_id, item.unit)
        out.append(invoice_for_order(order.po_number, qty, unit, orders.get(order.po_number, {}), order_lines, prices,
                                     number=numbers[order.po_number], invoice_date=invoice_date, settings=settings,
                                     terms=terms, remit_to=remit_to, shipment_id=shipment.shipment_id,
                                     bill_of_lading=shipment.bill_of_lading, ship_date=shipment.ship_date,
                                     carrier=(shipment.carrier_scac, shipment.bill_of_lading)))
    return out


def _it105(row: Mapping) -> str:
    """IT105 of a canonical ORDER_LINES row: its PO105 as the buyer sent it (schemas.units.basis_sent)."""
    return basis_sent(row.get("price_basis"), row.get("weight_ordered"), row.get("weight_basis_sent"))


def invoice_for_order(po_number: str, quantities: Mapping[str, Decimal], units: Mapping[str, str], order: dict,
                      order_lines: Mapping[tuple[str, str], dict], prices: Mapping[tuple[str, str], Decimal], *,
                      number: str, invoice_date: date, settings: InvoiceSettings, terms: Terms | None = None,
                      remit_to: Party | None = None, shipment_id: str = "", bill_of_lading: str = "",
                      ship_date: date | None = None, charges: tuple[Charge, ...] | None = None,
                      carrier: tuple[str, ...] = ()) -> Invoice:
    """The Invoice of ``quantities`` (line id -> units to bill) of one PO (per-order invoicing passes
    the order's whole shipped quantities once it shipped complete)."""
    lines = []
    for line_id, q in quantities.items():
        if not q:
            continue
        price = prices.get((po_number, line_id))
        if price is None:
            raise DocumentError("no acknowledged price for an invoiced line", po=po_number, line_id=line_id)
        row = order_lines.get((po_number, line_id), {})
        ids = tuple(ProductId(p["qualifier"], p["id"]) for p in row.get("product_ids") or [] if p.get("id"))
        lines.append(InvoiceLine(line_id=line_id, quantity=q, unit=units.get(line_id) or row.get("unit") or "EA",
                                 unit_price=price, product_ids=ids, price_basis=_it105(row),
                                 description=row.get("description") or "", refs=row_refs(row),
                                 prices=row_prices(row)))
    return invoice_head(po_number, tuple(lines), order, number=number, invoice_date=invoice_date, settings=settings,
                        terms=terms, remit_to=remit_to, shipment_id=shipment_id, bill_of_lading=bill_of_lading,
                        ship_date=ship_date, charges=charges, carrier=carrier)


def invoice_head(po_number: str, lines: tuple[InvoiceLine, ...], order: Mapping[str, object], *, number: str,
                 invoice_date: date, settings: InvoiceSettings, terms: Terms | None, remit_to: Party | None,
                 shipment_id: str, bill_of_lading: str, ship_date: date | None,
                 charges: tuple[Charge, ...] | None = None, carrier: tuple[str, ...] = ()) -> Invoice:
    """The Invoice of one PO from its canonical ORDERS row (parties, dates, currency) and the profile's
    invoice settings (remit-to; charges: the profile's all (those limited to some FOBs when the PO's is one),
    unless ``charges`` says which - invoice_charges). CUR: the PO's currency, else InvoiceSettings.currency."""
    return Invoice(invoice_number=number, invoice_date=invoice_date, po_number=po_number, lines=lines,
                   po_date=order.get("po_date"), release_number=order.get("release_number") or "",
                   currency=order.get("currency") or settings.currency_code,  # the PO's CUR02, else the partner's
                   shipment_id=shipment_id, bill_of_lading=bill_of_lading,
                   remit_to=remit_to if remit_to is not None else (remit_party(settings.remit_to)
                                                                   if settings.remit_to else None),
                   bill_to=_party(order, "bill_to", "BT"), ship_to=_party(order, "ship_to", "ST"),
                   mark_for=mark_for_of(order),
                   refs=order_ref_elements(order),
                   party_refs=tuple((r["party"], r["qualifier"], r["id"]) for r in order.get("party_refs_sent") or ()
                                    if settings.party_refs),
                   terms=invoice_terms(terms, order),
                   ship_date=ship_date,
                   charges=fob_charges(settings.charges, fob01(order)) if charges is None else charges,
                   partner=order.get("partner") or "",
                   fob=tuple(str(order["fob_sent"]).split(ELEMENTS_SEP)) if order.get("fob_sent") else (),
                   carrier=carrier)


@dataclass(frozen=True, slots=True)
class Order810:
    """One PO's 810 as order_810 builds it: the invoice's head (``head.lines`` empty), its lines as
    columns and the body with its sums."""

    head: Invoice
    line_ids: list[str]
    quantities: list[Decimal]
    units: list[str]
    prices: list[Decimal]
    built: Body810


def order_810(po_number: str, quantities: Mapping[str, Decimal], units: Mapping[str, str], order: dict,
              order_lines: Mapping[str, dict], prices: Mapping[str, Decimal], *, number: str, invoice_date: date,
              settings: InvoiceSettings, terms: Terms | None = None, shipment_id: str = "", bill_of_lading: str = "",
              ship_date: date | None = None, shipped: Mapping[str, Decimal],
              already_invoiced: Mapping[str, Decimal], charges: tuple[Charge, ...] | None = None,
              weights: Mapping[str, tuple[Decimal, str]] | None = None, po_sacs: Sequence[PoSac] = (),
              first: bool = True, taxes: Sequence[InvoiceTax] = (), classes: Mapping[str, str] | None = None,
              carrier: tuple[str, ...] = ()) -> Order810:
    """build_810(invoice_for_order(...)) without an InvoiceLine per line: the same checks, refusals
    (DocumentError, in the same order) and body. ``order_lines`` and ``prices`` are keyed by line id
    (this PO's only). ``weights``: line id -> (net weight shipped, its unit) of the catch-weight lines (cases
    priced per pound): each billed by its weight at its price (IT102 the weight, IT103 LB, IT104 the price,
    QTY*39 its units shipped); the Order810's quantities and units stay the units shipped (what is counted
    against shipped and invoiced units, never pounds). ``po_sacs``, ``first``: the PO's own SACs it carries
    (body_810; their units before are ``already_invoiced``). ``taxes``: the TXIs it carries (body_810); ``classes``:
    line id -> its item's tax class (items.csv tax_class; a line not listed: none)."""
    line_ids: list[str] = []
    qs: list[Decimal] = []
    us: list[str] = []
    ps: list[Decimal] = []
    bases: list[str] = []
    pairs: list[list[str]] = []
    descriptions: list[str] = []
    refs: list[tuple[tuple[str, str], ...]] = []
    ctps: list[tuple[tuple[str, ...], ...]] = []
    exempt: list[str] = []  # per line, the taxes its PO1 loop exempts it from (ORDER_LINES tax_exempt_sent)
    pids: list[tuple[tuple[str, str, str], ...]] = []  # per line, its PO1 loop's PIDs as sent (ORDER_LINES pids_sent)
    expiries: list[str] = []  # per line, its PO1 loop's DTM 036 as CCYYMMDD ([fulfilment.invoice] line_expiry)
    packs: list[list[str] | None] = []  # per line, its PO1 loop's PO4 ([fulfilment.invoice] item_po4)
    for line_id, q in quantities.items():
        if not q:
            continue
        price = prices.get(line_id)
        if price is None:
            raise DocumentError("no acknowledged price for an invoiced line", po=po_number, line_id=line_id)
        row = order_lines.get(line_id) or {}
        flat: list[str] = []
        for pid in [p for p in row.get("product_ids") or [] if p.get("id")][:10]:
            flat += [pid["qualifier"], pid["id"]]
        line_ids.append(line_id)
        qs.append(q)
        us.append(units.get(line_id) or row.get("unit") or "EA")
        ps.append(price)
        bases.append(_it105(row))
        pairs.append(flat)
        descriptions.append(row.get("description") or "")
        refs.append(row_refs(row) if settings.line_refs else ())
        ctps.append(row_prices(row) if settings.ctp else ())
        exempt.append(row.get("tax_exempt_sent") or "")
        pids.append(tuple((p.get("characteristic") or "", p.get("description") or "", p.get("language") or "")
                          for p in row.get("pids_sent") or ()))
        expiry = row.get("expiry_sent") if settings.line_expiry else None
        expiries.append(expiry.strftime("%Y%m%d") if expiry else "")
        packs.append(po4_segment(*(row.get(c) for c in PO4_SENT)) if settings.item_po4 else None)
    head = invoice_head(po_number, (), order, number=number, invoice_date=invoice_date, settings=settings, terms=terms,
                        remit_to=None, shipment_id=shipment_id, bill_of_lading=bill_of_lading, ship_date=ship_date,
                        charges=charges, carrier=carrier)
    _refuse_overbilling(number, list(zip(line_ids, qs, ps, strict=True)), shipped, already_invoiced)
    kinds = [classes.get(line_id) or "" for line_id in line_ids] if classes and taxes else []
    if not weights:
        built = body_810(head, settings, line_ids, qs, us, ps, bases, pairs, descriptions, po_sacs=po_sacs,
                         before=already_invoiced, first=first, taxes=taxes, classes=kinds, refs=refs,
                         line_prices=ctps, exempt=exempt if any(exempt) and taxes else (),
                         pids=pids if any(pids) else (), expiries=expiries if any(expiries) else (),
                         packs=packs if any(packs) else ())
        return Order810(head, line_ids, qs, us, ps, built)
    weighed = [weights.get(line_id) for line_id in line_ids]
    for line_id, w in zip(line_ids, weighed, strict=True):
        if w is not None and w[0] <= 0:
            raise DocumentError("a catch-weight line's net weight shipped must be positive", line_id=line_id)
    built = body_810(head, settings, line_ids, [q if w is None else w[0] for q, w in zip(qs, weighed, strict=True)],
                     [u if w is None else w[1] for u, w in zip(us, weighed, strict=True)], ps, bases, pairs,
                     descriptions, counts=[None if w is None else (q, u) for q, u, w in zip(qs, us, weighed,
                                                                                           strict=True)],
                     po_sacs=po_sacs, before=already_invoiced, first=first, taxes=taxes, classes=kinds, refs=refs,
                     line_prices=ctps, exempt=exempt if any(exempt) and taxes else (), pids=pids if any(pids) else (),
                     expiries=expiries if any(expiries) else (), packs=packs if any(packs) else ())
    return Order810(head, line_ids, qs, us, ps, built)


# the ORDERS columns of the PO's own ITD (terms_from_order)
TERMS_COLUMNS = ("terms_type", "terms_basis_date", "terms_discount_percent", "terms_discount_days", "terms_net_days",
                 "terms_description", "terms_discount_percent_sent", "terms_discount_due_date", "terms_net_due_date",
                 "terms_day_of_month", "itd_sent", "itd_more_sent")


def terms_from_order(order: Mapping[str, object]) -> Terms | None:
    """ITD from the PO's own ITD (ORDERS TERMS_COLUMNS), for a customer without an agreement: ITD01, ITD02
    (3, invoice date, when the PO gave none), ITD03 with what dates it (L03040513: ITD04 the discount due
    date, ITD05 its days or ITD13 the day of the month; a percent with none of them is left out), ITD06,
    ITD07, ITD12 and ITD13 as the PO sent them; ITD03 as sent where our tables hold it rounded (1.12345:
    TERMS_PERCENT_ROUNDED); the rest of its first ITD as sent (itd_sent, _itd_rest): ITD08 the discount amount
    (with what dates it, L08040513), deferred or installment terms (ITD09 due date with ITD10 amount, ITD11 percent
    of the invoice payable or ITD14, L09101114), ITD14 and ITD15; the PO's further ITDs (itd_more_sent:
    installments) each as its own (``more``: _itd_sent); None without an ITD01."""
    kind = order.get("terms_type")
    if not kind:
        return None
    first, more = order.get("itd_sent"), order.get("itd_more_sent")
    others = more.split(ITDS_SEP) if isinstance(more, str) and more else []
    percent, days, net = (order.get(c) for c in ("terms_discount_percent", "terms_discount_days", "terms_net_days"))
    sent = order.get("terms_discount_percent_sent")
    if isinstance(percent, Decimal) and isinstance(sent, str) and sent:
        try:
            percent = Decimal(sent)
        except InvalidOperation:
            pass
    due, net_due, day = (order.get(c) for c in ("terms_discount_due_date", "terms_net_due_date", "terms_day_of_month"))
    due = due if isinstance(due, date) else None
    day = day if isinstance(day, int) else None
    days = days if isinstance(days, int) else None
    discounted = isinstance(percent, Decimal) and (days is not None or due is not None or day is not None)
    return Terms(type=str(kind), basis_date=str(order.get("terms_basis_date") or "3"),
                 discount_percent=percent if discounted else None,  # type: ignore[arg-type]
                 discount_days=days if discounted else None,
                 net_days=net if isinstance(net, int) else None, description=str(order.get("terms_description") or ""),
                 discount_due_date=due if discounted else None,
                 net_due_date=net_due if isinstance(net_due, date) else None, day_of_month=day,
                 **_itd_rest(first, dated=days is not None or due is not None or day is not None),
                 more=tuple(t for t in (_itd_sent(other) for other in others) if t is not None))


def _itd_sent(text: str) -> Terms | None:
    """A further ITD of the PO (one of itd_more_sent) as terms_from_order reads the first: ITD01 (none: None),
    ITD02 (3 when not sent), ITD03 with what dates it, each element as its type (one that is not left out)."""
    parts = text.split(ELEMENTS_SEP) + [""] * 15
    if not parts[0].strip():
        return None

    def whole(i: int) -> int | None:
        value = parts[i - 1].strip()
        return int(value) if value.isdigit() and len(value) <= 9 else None

    due, net_due = _ymd(parts[3]), _ymd(parts[5])
    days, day = whole(5), whole(13)
    dated = days is not None or due is not None or day is not None
    try:
        percent = Decimal(parts[2].strip()) if dated and parts[2].strip() else None
    except InvalidOperation:
        percent = None
    return Terms(type=parts[0].strip(), basis_date=parts[1].strip() or "3",
                 discount_percent=percent if percent is not None and percent.is_finite() else None,
                 discount_days=days if dated else None, net_days=whole(7), description=parts[11].strip(),
                 discount_due_date=due if dated else None, net_due_date=net_due, day_of_month=day,
                 **_itd_rest(text, dated=dated))


def _ymd(text: str) -> date | None:
    """A CCYYMMDD date element, None when it is none."""
    text = text.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def _itd_rest(sent: object, *, dated: bool) -> dict[str, object]:
    """Terms' ITD08-ITD11, ITD14, ITD15 from the PO's first ITD as stored whole (ORDERS itd_sent: its elements
    joined by ELEMENTS_SEP, N elements in X12's implied form): each read as its type (ITD08/ITD10 N2, ITD09 a
    CCYYMMDD date, ITD11/ITD15 R), one that is not left out; ITD08 only with what dates it (``dated``:
    L08040513), ITD09 only with ITD10, ITD11 or ITD14 (L09101114)."""
    if not isinstance(sent, str) or not sent:
        return {}
    parts = sent.split(ELEMENTS_SEP) + [""] * 15

    def number(i: int, places: int = 0) -> Decimal | None:
        text = parts[i - 1].strip()
        try:
            value = Decimal(text) if text else None
        except InvalidOperation:
            return None
        return None if value is None or not value.is_finite() else value.scaleb(-places) if "." not in text \
            else value

    out: dict[str, object] = {"deferred_amount": number(10, 2), "percent_payable": number(11),
                              "payment_method": parts[13].strip(), "percent": number(15)}
    if dated:
        out["discount_amount"] = number(8, 2)
    deferred = _ymd(parts[8])
    if deferred is not None and (out["deferred_amount"] is not None or out["percent_payable"] is not None
                                 or out["payment_method"]):
        out["deferred_due_date"] = deferred
    return out


def invoice_terms(agreed: Terms | None, order: Mapping[str, object]) -> Terms | None:
    """The 810's ITD: the terms agreed with the customer (``agreed``, terms_from_customer), else the PO's own
    (terms_from_order). An agreement names its type and days, not the date they run from (ITD02, 3 invoice date
    by default): a PO whose ITD is of the agreed type dates them as it sent (Hudson's Bay's ITD*05*15: net 60
    from receipt of goods, not billed as net 60 from the invoice date; 01 and 08 are one kind:
    schemas.invoices.BASIC_TERMS_TYPES); an agreement of no net days (03 fixed date: Murdoch's seasonal dating)
    takes the PO's net due date (ITD06) and its words (ITD12), and one of no days, date nor words (ZZ mutually
    defined: Bachman's pay-on-scan terms, ITD*ZZ*3 with ITD12 PAY ON SCAN) the PO's words, when it sent them. An
    agreement by kind alone (no percent, days, date nor words: 04 deferred or installment, a pool distributor's
    early-buy dating) meeting a PO of its kind that sends installments (ITD09 deferred due dates with their amounts
    or shares, several ITDs) takes the PO's terms whole, each installment its own ITD (terms_from_order)."""
    if agreed is None:
        return terms_from_order(order)
    same_kind = order.get("terms_type") in same_kind_terms_types(agreed.type)
    if same_kind and by_kind_alone(agreed):
        own = terms_from_order(order)
        if own is not None and (own.more or own.deferred_due_date is not None):
            # Pool Corporation's early buy: ITD*04*3*******20270410**33.33*... thrice; the agreement (04, no days)
            # said what kind of terms, each PO says when and how much: an 810 of ITD*04*3 with words alone, the
            # first installment's, tells the buyer no due date for any of them
            return replace(own, type=agreed.type)
    net_due = order.get("terms_net_due_date")
    words = str(order.get("terms_description") or "").strip()
    if same_kind and agreed.net_days is None and agreed.net_due_date is None and isinstance(net_due, date):
        # terms the agreement names by kind alone (03 fixed date, a farm store's seasonal dating): customers.csv
        # holds days, never the date, which each PO sends (ITD06): the 810 states it, and the PO's words, rather
        # than a fixed-date ITD with no date
        agreed = replace(agreed, net_due_date=net_due, description=agreed.description or words)
    elif same_kind and agreed.net_days is None and agreed.net_due_date is None and not agreed.description and words:
        # terms the agreement names by kind alone and the PO says in words (ITD*ZZ*3 ... PAY ON SCAN): an 810 of
        # ITD*ZZ*3, mutually defined terms that define nothing, is no terms a buyer pays by
        agreed = replace(agreed, description=words)
    basis = order.get("terms_basis_date")
    if basis and str(basis) != agreed.basis_date and same_kind:
        return replace(agreed, basis_date=str(basis))
    return agreed


def by_kind_alone(agreed: Terms) -> bool:
    """Terms an agreement names by kind alone: no discount, days, dates nor words (customers.csv terms_type alone)."""
    return (agreed.discount_percent is None and agreed.discount_days is None and agreed.net_days is None
            and agreed.discount_due_date is None and agreed.net_due_date is None and not agreed.description)


def terms_from_customer(customer: Mapping[str, object] | None) -> Terms | None:
    """ITD from a customers.csv row (schemas.reference.CUSTOMERS); None without an agreement."""
    if not customer or not customer.get("terms_type"):
        return None
    return Terms(type=str(customer["terms_type"]), discount_percent=customer.get("terms_discount_percent"),
                 discount_days=customer.get("terms_discount_days"), net_days=customer.get("terms_net_days"))


@lru_cache(maxsize=256)
def remit_party(remit_to: str | RemitTo) -> Party:
    """The N1 of the profile's remit-to: a name alone (N1 RE), or its RemitTo table (N101 RE or RI, N103/N104,
    N3/N4). A Party is immutable: one per setting, shared."""
    if isinstance(remit_to, str):
        return Party("RE", remit_to)
    return Party(remit_to.code, remit_to.name, remit_to.id_qualifier, remit_to.id, remit_to.address1,
                 remit_to.address2, remit_to.city, remit_to.state, remit_to.postal_code, remit_to.country)


@lru_cache(maxsize=16)
def _party_fields(prefix: str) -> tuple[str, ...]:
    """The ORDERS columns of a party (``prefix``: bill_to, ship_to), in Party's order after the name and id."""
    return tuple(f"{prefix}_{f}" for f in ("name", "id", "id_qualifier", "address1", "address2", "city", "state",
                                           "postal_code", "country"))


def _party(order: Mapping[str, object], prefix: str, code: str) -> Party | None:
    name_f, id_f, qualifier, address1, address2, city, state, postal, country = _party_fields(prefix)
    get = order.get
    name, pid = get(name_f), get(id_f)
    if not name and not pid:
        return None
    # the party's N2 as its 850 sent it (schemas.orders ship_to_name2, bill_to_name2): written as N2 after the N1, not
    # in N102 (the bill-to's used to be)
    name, name2 = with_name2(str(name or ""), get(f"{prefix}_name2"))
    return _party_of(code, name, get(qualifier) or "", str(pid or ""), get(address1) or "",
                     get(address2) or "", get(city) or "", get(state) or "", get(postal) or "", get(country) or "",
                     name2)


@lru_cache(maxsize=4096)
def _profile_party(code: str, p) -> Party:
    """A party the profile names ([fulfilment.invoice] ship_from, bill_to: schemas.fulfilment.PoAckParty) as the N1
    loop ``code`` writes it."""
    return Party(code, p.name, p.id_qualifier, p.id, p.address1, p.address2, p.city, p.state, p.postal_code,
                 p.country)


def _party_of(*values: str) -> Party:
    """A Party of these values (immutable: one per distinct party, shared by a run's invoices)."""
    return Party(*values)
