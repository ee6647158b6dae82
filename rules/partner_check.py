"""Is a partner ready to trade? Its profile against what the envelope rules accept, and the reference
data its orders need (customer, ship-tos, prices, items and cross-references). Pure: a profile and
reference tables in, one line per missing or wrong piece out (empty = ready). The CLI
(`orderbridge partner check`) adds what only the workspace knows (files, inventory).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from schemas.interchange_codes import isa_codes
from schemas.profile import DeliverySettings, PartnerProfile
from schemas.reference import ReferenceData
from schemas.transport import DOC_KEYS, EXAMPLE_GS06, EXAMPLE_NUMBER, EXAMPLE_PO, EXAMPLE_RUN, example_name, upload_said

CONTROL_VERSION = {"004010": "00401", "005010": "00501"}  # GS08 version -> ISA12 control version


def check_profile(profile: PartnerProfile) -> list[str]:
    """What the envelope rules would refuse in the interchanges this profile describes and writes, and a
    profile that takes no orders (neither 850s nor CSV orders) or answers none (neither 855s nor CSV acks)."""
    out: list[str] = []
    if not {"850", "875", "csv"} & set(profile.accepts):
        out.append("profile accepts no 850: its purchase orders would be refused (accepts = [\"850\", ...])")
    if "875" in profile.accepts and "876" not in profile.accepts:  # a grocer that orders by the 875 changes by the 876
        out.append("profile accepts the 875 but not the 876: the grocer's purchase order changes would not be applied "
                   "(accepts = [\"875\", \"876\", ...])")
    if not _acknowledged(profile) and not _shipped_notice(profile):  # no 855, nor an 856 or 810 answering its orders
        out.append("profile receives no 855: its orders would never be acknowledged (receives = [..., \"855\"])")
    x = profile.x12
    if x is None:  # a partner of CSV orders and CSV acknowledgments only: no interchange to check
        return out
    control = CONTROL_VERSION.get(x.version, "")
    for name, value, element in (("their_qualifier", x.their_qualifier, "ISA05"),
                                 ("our_qualifier", x.our_qualifier, "ISA07"),
                                 *((f"their_ids {q}:{i}", q, "ISA05") for q, i in x.their_ids),
                                 *((f"our_ids {q}:{i}", q, "ISA07") for q, i in x.our_ids),
                                 *((f"former_ids {q}:{i}", q, "ISA05") for q, i in x.former_ids)):
        allowed = isa_codes(element, control)
        if value not in allowed:
            out.append(f"profile x12.{name} {value!r} is not an interchange id qualifier ({element}, control version "
                       f"{control}): use one of {', '.join(sorted(allowed))}")
    # an id the partner moved from is answered at no more: one it still sends from (their_id, their_ids, their_gs_id,
    # their_gs_ids) cannot be both
    current = {(x.their_qualifier, x.their_id), *x.their_ids}
    out += [f"profile x12.former_ids {q}:{i} is also an id they send from now (their_qualifier/their_id or "
            f"their_ids): answers to it would go to their_qualifier/their_id"
            for q, i in x.former_ids if (q, i) in current]
    out += [f"profile x12.former_gs_ids {g} is also their_gs_id or in their_gs_ids: answers to it would go to "
            f"their_gs_id" for g in x.former_gs_ids if g in {x.their_gs_id, *x.their_gs_ids}]
    d = x.delimiters
    used = {d.element, d.component, d.segment, *([d.repetition] if d.repetition else [])}
    for name, value, most in (("their_id", x.their_id, 15), ("our_id", x.our_id, 15),
                              ("their_gs_id", x.their_gs_id, 15), ("our_gs_id", x.our_gs_id, 15),
                              *((f"their_ids {q}:{i}", i, 15) for q, i in x.their_ids),
                              *((f"our_ids {q}:{i}", i, 15) for q, i in x.our_ids)):
        if value != value.strip() or not value.strip():
            out.append(f"profile x12.{name} {value!r} has leading or trailing blanks")
        if len(value) > most:
            out.append(f"profile x12.{name} {value!r} is longer than {most} characters")
        clash = sorted(c for c in used if c in value)
        if clash:
            out.append(f"profile x12.{name} {value!r} contains a delimiter ({' '.join(clash)}); the partner's "
                       "files could not carry it")
    return out


def _acknowledged(profile: PartnerProfile) -> bool:
    """The partner's orders are acknowledged: it receives 855s (or CSV acknowledgments)."""
    return "855" in profile.receives or "csv_ack" in profile.receives


def _shipped_notice(profile: PartnerProfile) -> bool:
    """The partner's orders are answered by what ships: it receives 856s or 810s."""
    return "856" in profile.receives or profile.invoiced


def profile_warnings(profile: PartnerProfile) -> list[str]:
    """What the profile allows but is likely a mistake, one line each (the partner is still ready): no 855 for a
    partner answered by its 856s and 810s (right where its programme takes none: AutoZone's VDP); 860 change
    orders answered by 865s (change_ack = "865") for a partner that receives no 865, so they would be applied
    and answered by nothing (Kroger lists no 865: its profile needs change_ack = "855")."""
    out: list[str] = []
    if not _acknowledged(profile) and _shipped_notice(profile):
        out.append("profile receives no 855: its orders are answered by their 856s and 810s only, as a partner whose "
                   "programme takes no 855 asks (AutoZone's VDP, Menards, Orgill, True Value); add \"855\" to "
                   "receives if its guide lists one")
    if "860" in profile.accepts and profile.change_ack == "865" and "865" not in profile.receives:
        out.append("profile accepts 860 change orders answered by an 865 (change_ack = \"865\", the default) but "
                   "does not receive 865s: its changes would be applied and answered by nothing; add \"865\" to "
                   "receives, or set change_ack = \"855\" (a revised 855), or take \"860\" out of accepts")
    return out


def _rows_for(table: pa.Table, partner: str) -> pa.Table:
    return table.filter(pc.equal(table.column("partner"), partner))


def check_reference(profile: PartnerProfile, ref: ReferenceData) -> list[str]:
    """What the partner's orders need from the reference data and do not find, one line each."""
    pid = profile.id
    out: list[str] = []
    customers = _rows_for(ref.customers, pid)
    currency = None
    if customers.num_rows == 0:
        out.append(f"customers.csv: no row for partner {pid} (credit_limit, open_ar, currency, terms): every "
                   "order would be held CUSTOMER_UNKNOWN")
    else:
        currency = customers.column("currency")[0].as_py()
    ship_tos = _rows_for(ref.ship_tos, pid)
    if ship_tos.num_rows == 0 and profile.rules.ship_tos != "as_sent":  # as sent: each PO's address, no location
        out.append(f"ship_tos.csv: no ship-to location for partner {pid} (location_id = the N104 it sends): "
                   "orders naming a location would be held SHIP_TO_UNKNOWN")
    layout = profile.fulfilment.csv_orders
    if layout is not None and layout.default_ship_to and ship_tos.num_rows and \
            layout.default_ship_to not in ship_tos.column("location_id").to_pylist():
        out.append(f"ship_tos.csv: the CSV layout's default_ship_to {layout.default_ship_to!r} is no location of "
                   f"partner {pid}: orders naming no ship-to would be held SHIP_TO_UNKNOWN")
    default = profile.rules.default_ship_to
    if default and default not in ship_tos.column("location_id").to_pylist():
        out.append(f"ship_tos.csv: the profile's [rules] default_ship_to {default!r} is no location of partner {pid}: "
                   "orders naming no ship-to would be held SHIP_TO_UNKNOWN")
    if ref.items.num_rows == 0:
        out.append("items.csv: no items at all")
    prices = _rows_for(ref.prices, pid)
    if prices.num_rows == 0:
        out.append(f"prices.csv: no price for partner {pid}: every line would be rejected PRICE_NOT_ON_FILE")
    elif currency and not pc.any(pc.equal(prices.column("currency"), currency)).as_py():
        out.append(f"prices.csv: no price for partner {pid} in its currency {currency} (customers.csv): every "
                   "line would be rejected PRICE_NOT_ON_FILE")
    else:
        active = ref.items.filter(pc.equal(ref.items.column("status"), "active")).column("sku")
        priced = pc.is_in(prices.column("sku"), value_set=active.combine_chunks())
        if not pc.any(priced).as_py():
            out.append(f"prices.csv: partner {pid}'s prices are all for discontinued or unknown items")
    if prices.num_rows:  # a further currency agreed (customer_currencies.csv) with no price in it
        for further in _rows_for(ref.customer_currencies, pid).column("currency").to_pylist():
            if not pc.any(pc.equal(prices.column("currency"), further)).as_py():
                out.append(f"prices.csv: no price for partner {pid} in {further} (customer_currencies.csv): every "
                           f"line of a PO in {further} would be rejected PRICE_NOT_ON_FILE")
    xref = _rows_for(ref.partner_items, pid)
    if xref.num_rows:
        known = ref.items.column("sku").combine_chunks()
        unknown = pc.filter(xref.column("sku"), pc.invert(pc.is_in(xref.column("sku"), value_set=known)))
        for sku in unknown.to_pylist():
            out.append(f"partner_items.csv: {pid} maps to {sku}, which is not in items.csv")
    wanted = profile.fulfilment.invoice.item_ids
    if wanted and prices.num_rows:  # items.csv's GTIN is optional: an item the partner's 810 cannot name
        from rules.business.items import part_id

        cols = [c for c in ("sku", "gtin", "upc", "vendor_part") if c in ref.items.column_names]
        priced = set(prices.column("sku").to_pylist())
        unnamed = [r["sku"] for r in ref.items.select(cols).to_pylist()
                   if r["sku"] in priced and not any(part_id(q, r) for q in wanted)]
        if unnamed:
            out.append(f"items.csv: {len(unnamed)} item(s) priced for partner {pid} have none of the ids its 810 "
                       f"requires on every IT1 ([fulfilment.invoice] item_ids {', '.join(wanted)}): "
                       f"{', '.join(unnamed[:10])}; their 810s would be held INVOICE_NOT_BUILT")
    return out


def delivery_lines(party: str, kinds: Iterable[str], delivery: DeliverySettings, *, outbox: str = "outbox",
                   remote: bool = False) -> list[str]:
    """Where and how ``party``'s documents of ``kinds`` (what it receives, DOC_KEYS order) travel by its [delivery]
    settings: one line per kind with an example file name (schemas.transport.example_name: the same every time) in
    its folder (``outbox``: the drop's outbox, a local drop's outbox/ or the SFTP remote_outbox; ``remote``: over
    SFTP, where a folder may be absolute), then the upload mode, and what the example names were made of. The
    patterns and folders were checked when the profile loaded: this says what they give."""
    out = []
    wanted = set(kinds)
    for kind in (k for k in DOC_KEYS if k in wanted):
        folder = delivery.folder(kind)
        place = f"sftp:{folder}" if remote and folder.startswith("/") else \
            posixpath.join(outbox, folder) if folder else outbox
        out.append(f"{kind}: {posixpath.join(place, example_name(delivery.pattern(kind), partner=party, kind=kind))}")
    out.append(f"upload {delivery.upload}: {upload_said(delivery.upload, delivery.staging_folder)}")
    out.append(f"(example names: number {EXAMPLE_NUMBER}, GS06 {EXAMPLE_GS06}, PO {EXAMPLE_PO}, run "
               f"{EXAMPLE_RUN:%Y-%m-%d %H:%M:%S})")
    return out


def profile_delivery(profile: PartnerProfile) -> list[str]:
    """delivery_lines of a partner's profile: the documents it receives, in its drop's outbox (local or SFTP), or
    with [delivery] via = "mailbox" in the VAN mailbox's outbound folder ("mailbox:outbox/...")."""
    if profile.delivery.via == "mailbox":  # the VAN's outbound folder: mailbox/outbox/ or [mailbox.sftp] remote_outbox
        return delivery_lines(profile.id, profile.receives, profile.delivery, outbox="mailbox:outbox", remote=False)
    sftp = profile.drop.sftp if profile.drop.kind == "sftp" else None
    return delivery_lines(profile.id, profile.receives, profile.delivery,
                          outbox=f"sftp:{sftp.remote_outbox}" if sftp else "outbox", remote=sftp is not None)


def continues_lines(partner: str, profiles: Mapping[str, PartnerProfile], broken: Iterable[str], day: date
                    ) -> tuple[list[str], list[str]]:
    """(problems, notes) of one company under two profiles ([continues]) for ``partner``'s profile, among the
    workspace's ``profiles`` (those that load, as written) and the ids of those that do not (``broken``), on
    ``day``: the profile it continues is unknown or its own continuer (a cycle), another profile continues the same
    one, or the two claim the same interchange ids (a file from them could not be told apart); notes say who
    continues whom from when, and what that does."""
    problems: list[str] = []
    notes: list[str] = []
    me = profiles.get(partner)
    if me is None:
        return problems, notes
    c = me.continues
    if c is not None:
        when = "from" if c.effective > day else "since"
        if c.partner in set(broken):
            problems.append(f"[continues] partner {c.partner!r}: its profile does not load (`orderbridge partner "
                            f"check {c.partner}`): its open orders are not carried on until it does")
        elif c.partner not in profiles:
            problems.append(f"[continues] partner {c.partner!r}: there is no such profile (partners/"
                            f"{c.partner}.toml): name the profile whose open orders this partner carries on")
        else:
            seen, at = [partner], c.partner
            while at in profiles and profiles[at].continues is not None and at not in seen:
                seen.append(at)
                at = profiles[at].continues.partner
            if at in seen:
                problems.append(f"[continues]: {' -> '.join([*seen, at])} is a cycle: each profile carries on the "
                                "orders of one set up before it; take [continues] out of one of them")
            others = sorted(pid for pid, p in profiles.items() if pid != partner and p.continues is not None
                            and p.continues.partner == c.partner)
            if others:
                problems.append(f"[continues] partner {c.partner!r}: {' and '.join(others)} continue(s) it too: one "
                                "profile carries on another's orders (whose envelope would its documents take?)")
            shared = _shared_ids(me.on(day), profiles[c.partner].on(day))
            if shared:
                problems.append(f"[continues] partner {c.partner!r}: both profiles claim {shared}: a file from them "
                                "could not be told apart; the continuing profile has its own ids (A's files are "
                                "still taken as A's, and A's orders answered at this profile's)")
            notes.append(f"continues {c.partner} {when} {c.effective.isoformat()}"
                         + (f" ({c.note})" if c.note else "") + f": 860s naming a PO {c.partner} holds (and this "
                         f"partner does not) change {c.partner}'s order; {c.partner}'s 855/865/856/810 go out under "
                         "this profile's envelope, to its drop")
    for pid, p in sorted(profiles.items()):
        if pid != partner and p.continues is not None and p.continues.partner == partner:
            notes.append(f"continued by {pid} {'from' if p.continues.effective > day else 'since'} "
                         f"{p.continues.effective.isoformat()}: from then this partner's orders are answered under "
                         f"{pid}'s envelope and delivered to {pid}'s drop; its own files are still taken")
    return problems, notes


def _shared_ids(b: PartnerProfile, a: PartnerProfile) -> str:
    """The interchange (ISA05/ISA06) or group (GS02) ids both profiles send from, as a finding names them, "" none."""
    if a.x12 is None or b.x12 is None:
        return ""
    pairs = [f"ISA05/06 {q}/{i}" for q, i in ((b.x12.their_qualifier, b.x12.their_id), *b.x12.their_ids)
             if a.x12.sends_from(q, i)]
    return ", ".join(pairs)  # (a GS02 alone shared is not: the ISA ids tell the files apart)
