"""Ship-to locations and addresses; requested dates and ship windows."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from rules.business.common import (
    _LINE_LOCATION,
    _ORDER_LOCATION,
    _PerPartner,
    _rows,
    _text,
    business_finding,
    code_case_text,
    is_blank,
    pair_key,
    per_partner,
)
from schemas.codes_business import BUSINESS_CATALOGUE
from schemas.countries import NO_POSTAL_CODES, US_TERRITORIES, alpha2, region_code
from schemas.findings import Finding, finding_at_row
from schemas.orders import (
    DELIVER_AFTER,
    ELEMENTS_SEP,
    ITDS_SEP,
    LAST_DATE_COLUMNS,
    LAST_DATES,
    LINE_SHIP_TO,
    LINE_SHIP_TO_ADDRESS,
    RANGE_START,
    last_ship_day,
    last_ship_days,
    window_named,
)
from schemas.rule_settings import RuleSettings

# --- ship-to ------------------------------------------------------------------------------------

# USPS's state codes (Publication 28, appendix B): the states and DC, the territories, the freely associated states
# (FM Micronesia, MH the Marshall Islands, PW Palau: ZIP codes 969xx, domestic mail) and the armed forces' AA, AE, AP
US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM "
    "NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP FM MH PW AA AE AP".split()
)
_MILITARY = frozenset({"AA", "AE", "AP"})  # USPS's armed forces "states": Americas, Europe, Pacific
# The ZIP codes of the states whose mail USPS routes apart (a military post office's AA, AE, AP; the territories and
# freely associated states): the first digits a ZIP of that state starts with. A ZIP of another (APO AE 96301, an AP
# ZIP) reaches no post office of the state: the carrier sends it back, the consumer gets nothing
_ZIP_STARTS = {
    "AA": ("340",), "AE": ("090", "091", "092", "093", "094", "095", "096", "097", "098"),
    "AP": ("962", "963", "964", "965", "966"), "PR": ("006", "007", "009"), "VI": ("008",),
    "GU": ("9691", "9692", "9693"), "AS": ("96799",), "MP": ("9695",), "FM": ("9694",), "MH": ("9696", "9697"),
    "PW": ("96940",),
}
CA_PROVINCES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
_POSTAL = {
    "US": re.compile(r"^\d{5}(-?\d{4})?$"),
    "CA": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$", re.IGNORECASE),
}
_REGIONS = {"US": US_STATES, "CA": CA_PROVINCES}


_ADDRESS_PARTS = (
    ("ship_to_address1", "N3", "N301", "street"),
    ("ship_to_city", "N4", "N401", "city"),
    ("ship_to_state", "N4", "N402", "state/province"),
    ("ship_to_postal_code", "N4", "N403", "postal code"),
    ("ship_to_country", "N4", "N404", "country"),
)


# SHIP_TO_UNKNOWN's message for an order naming no ship-to: each place parsers.orders_850 reads one from, in its order
# (an N1*BS, N1*SN or REF*ST is its ship-to only when the heading names no N1*ST: the PO said none of them)
_NO_SHIP_TO = ("No ship-to for the order: no ship-to id or N3/N4 address in the heading's N1*ST, nor, without one, "
               "its N1*BS (bill and ship to) or N1*SN (store), no REF*ST store number, no SDQ destination, nor one "
               "ship-to all its PO1 lines share (their loops' N1*ST).")


def heading_code_case_findings(orders: pa.Table) -> list[Finding]:
    """CODE_CASE_CONVERTED for each order whose N1 entity codes (N101) came in small letters and were read as the
    code their capitals are (ORDERS codes_case_sent: "N101 st", parsers.orders_850.ENTITIES_READ): X12's codes are
    capitals, and a PO whose `N1*st` named its ship-to was held SHIP_TO_UNKNOWN after its 997 had accepted it. One
    finding an order, at its first N1 so read."""
    if "codes_case_sent" not in orders.column_names or orders["codes_case_sent"].null_count == orders.num_rows:
        return []
    cols = [c for c in dict.fromkeys([*_ORDER_LOCATION, "partner", "po_number", "codes_case_sent"])
            if c in orders.column_names]
    return [business_finding("CODE_CASE_CONVERTED", code_case_text(row["codes_case_sent"]), row, seg="N1",
                             element="N101", value=row["codes_case_sent"].split("; ")[0].split(" ", 1)[1], line=False)
            for row in orders.select(cols).filter(pc.is_valid(orders["codes_case_sent"])).to_pylist()]


def check_ship_to(orders: pa.Table, ship_tos: pa.Table, settings: RuleSettings) -> list[Finding]:
    """The ship-to is known by its N104 id, or else its N3/N4 address is complete (ADDRESS_INCOMPLETE)
    and plausible (ADDRESS_IMPLAUSIBLE: served country, US state / CA province, postal code format).
    SHIP_TO_UNKNOWN when neither a known id nor any address was sent. The country (N404) may be left
    out unless the partner's settings require it; it then means the partner's domestic country, which is
    always a country we ship to for that partner. The state or province (N402) is required only in the
    U.S. and Canada (X12's N4 note: "N402 is required only if city name (N401) is in the U.S. or
    Canada"): a London or Dublin address has none. The postal code (N403) is not required in a country that has
    none (schemas.countries.NO_POSTAL_CODES: Hong Kong, the Emirates ...). A territory of the United States named
    in N404 (PR, GU, VIR ...: schemas.countries.US_TERRITORIES) is served where the United States is. A CSV order's
    address with neither a name nor an id is ADDRESS_INCOMPLETE at N102: N1*ST needs one (R0203)."""
    known = {
        (s["partner"], s["location_id"]) for s in ship_tos.select(["partner", "location_id"]).to_pylist()
        if not is_blank(s["partner"]) and not is_blank(s["location_id"])
    }
    by_partner, out = _PerPartner(settings), heading_code_case_findings(orders)
    cols = [*_ORDER_LOCATION, "partner", "po_number", "version", "ship_to_id", "ship_to_name",
            *(c for c, _, _, _ in _ADDRESS_PARTS)]
    known_keys = pair_key(pa.array([p for p, _ in known], pa.string()), pa.array([i for _, i in known], pa.string()))
    unknown = pc.invert(pc.is_in(pair_key(orders["partner"], orders["ship_to_id"]), value_set=known_keys))
    for order in _rows(orders, cols, unknown):  # an order whose ship-to id is known raises nothing
        s = by_partner[order["partner"]]
        if not is_blank(order["ship_to_id"]) and (order["partner"], order["ship_to_id"]) in known:
            continue
        parts = {c: (order[c] or "").strip() for c, _, _, _ in _ADDRESS_PARTS}
        if not any(parts.values()):
            what = (
                f"Ship-to id {order['ship_to_id']!r} is unknown and no address was sent." if not is_blank(
                    order["ship_to_id"])
                # lines naming several (LINE_SHIP_TO_NOT_APPLIED names them) give the order none either
                else _NO_SHIP_TO
            )
            out.append(
                business_finding(
                    "SHIP_TO_UNKNOWN",
                    what,
                    order,
                    seg="N1",
                    element="N104",
                    value=order["ship_to_id"],
                    line=False,
                )
            )
            continue
        country = alpha2(parts["ship_to_country"]) or s.domestic_country
        missing = [(seg, el, label) for c, seg, el, label in _ADDRESS_PARTS if not parts[c]
                   and (el != "N404" or s.country_required)
                   and (el != "N402" or country in _REGIONS)
                   and (el != "N403" or country not in NO_POSTAL_CODES)]
        for seg, el, label in missing:
            out.append(
                business_finding(
                    "ADDRESS_INCOMPLETE",
                    f"The ship-to address has no {label}.",
                    order,
                    seg=seg,
                    element=el,
                    line=False,
                )
            )
        if order["version"] == "CSV" and is_blank(order["ship_to_id"]) and is_blank(order["ship_to_name"]):
            # a CSV order's address naming nobody (a cart's consumer recipient in columns its layout does not
            # read): the 856's and 810's N1*ST would have neither N102 nor N103/N104 (X12's R0203), so the goods
            # would ship and only then their 856 be held; an 850's N1*ST always has one or the other (its syntax)
            out.append(business_finding("ADDRESS_INCOMPLETE", "The ship-to address has no name (N102) and no id "
                                        "(N104): the 856 and 810 cannot name the ship-to.", order, seg="N1",
                                        element="N102", line=False))
        out.extend(_implausible(order, parts, s))
    return out


def check_line_places(orders: pa.Table, lines: pa.Table, ship_tos: pa.Table, settings: RuleSettings) -> list[Finding]:
    """A line's own ship-to (its PO1 loop's first N1*ST, or the one an 860's POC loop moved it to: ORDER_LINES
    ship_to_*) that is another party than its order's is checked as the order's is (check_ship_to), at the line: known
    by its N104 id in ship_tos.csv, or else its N3/N4 address complete (ADDRESS_INCOMPLETE) and plausible
    (ADDRESS_IMPLAUSIBLE); neither a known id nor any address: SHIP_TO_UNKNOWN (a co-op's member store code we have
    no row for: the goods would go nowhere). A line naming its order's party, one without an own N1*ST, and the lines
    of a partner that agreed to heading-only shipping (RuleSettings.heading_only_shipping: every line goes to the
    order's ship-to) raise nothing here; LINE_SHIP_TO_DIFFERS says the line ships elsewhere."""
    found = _lines_with_own_ship_to(lines)
    if found is None:
        return []
    cols, own = found
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o for o in _rows(orders, [*keys, *cols, *_addresses(orders)])}
    known = {(s["partner"], s["location_id"]) for s in ship_tos.select(["partner", "location_id"]).to_pylist()
             if not is_blank(s["partner"]) and not is_blank(s["location_id"])}
    by_partner, out = _PerPartner(settings), []
    parts_of = [c for c, _, _, _ in _ADDRESS_PARTS]
    parts_of = [*parts_of, *(c for c in _addresses(lines) if c not in parts_of)]
    for line in _rows(lines, [*keys, *_LINE_LOCATION, "partner", "po_number", "line_id", *cols, *parts_of], own):
        head = heads.get((line["source_file"], line["order_ref"]))
        s = by_partner[line["partner"]]
        if head is None or same_party(line, head) or s.heading_only_shipping:
            continue
        if not is_blank(line["ship_to_id"]) and (line["partner"], line["ship_to_id"]) in known:
            continue
        out.extend(_place_findings(line, s, f"Line {line['line_id'] or line['line_number']}'s own ship-to "
                                   f"({_party_words(line)})", line=True))
    return out


def _place_findings(row: Mapping, s: RuleSettings, what: str, *, line: bool = False) -> list[Finding]:
    """SHIP_TO_UNKNOWN, ADDRESS_INCOMPLETE, ADDRESS_IMPLAUSIBLE for ``row``'s ship-to (ship_to_* columns), not known
    by its id: ``what`` names it in the messages; ``line``: a line's own, found at its line."""
    parts = {c: (row.get(c) or "").strip() for c, _, _, _ in _ADDRESS_PARTS}
    if not any(parts.values()):
        return [business_finding(
            "SHIP_TO_UNKNOWN", f"{what}: id {row['ship_to_id']!r} is unknown (no ship_tos.csv row) and no address "
            "was sent.", row, seg="N1", element="N104" if row["ship_to_id"] else "N102",
            value=row["ship_to_id"] or row.get("ship_to_name"), line=line)]
    country = alpha2(parts["ship_to_country"]) or s.domestic_country
    missing = [(seg, el, label) for c, seg, el, label in _ADDRESS_PARTS if not parts[c]
               and (el != "N404" or s.country_required)
               and (el != "N402" or country in _REGIONS)
               and (el != "N403" or country not in NO_POSTAL_CODES)]
    out = [business_finding("ADDRESS_INCOMPLETE", f"{what}: its address has no {label}.", row, seg=seg, element=el,
                            line=line) for seg, el, label in missing]
    return out + _implausible(row, parts, s, line=line)


def _lines_with_own_ship_to(lines: pa.Table) -> tuple[list[str], pa.Array] | None:
    """The lines' ship-to columns and which lines name an N1*ST of their own (their PO1 loop's); None when the table
    has no such columns or no line names one."""
    cols = [f"ship_to_{f}" for f in LINE_SHIP_TO]
    if not lines.num_rows or any(c not in lines.column_names for c in cols):
        return None
    own = pc.or_(pc.is_valid(lines["ship_to_id"]), pc.is_valid(lines["ship_to_name"]))
    return (cols, own) if pc.any(own).as_py() else None


def check_line_ship_tos(orders: pa.Table, lines: pa.Table) -> list[Finding]:
    """LINE_SHIP_TO_DIFFERS on each line whose own N1*ST (its PO1 loop's: a co-op's consolidated member drop
    ship, an e-procurement item-level ShipTo) names another party than the order's ship-to: the order is
    allocated, acknowledged, shipped and invoiced to the order's, so the line's goods would go to the wrong
    place. Its default outcome holds the order for a person (schemas.outcomes); a partner that agreed to
    heading-only shipping says accept. The same party is the same N103/N104 where both have an id, else the
    same N102 (the order's name may carry its N2 after ", "). An order without a ship-to raises nothing here
    (SHIP_TO_UNKNOWN holds it), nor does a line without an N1*ST of its own."""
    found = _lines_with_own_ship_to(lines)
    if found is None:
        return []
    cols, own = found
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o for o in _rows(orders, [*keys, *cols, *_addresses(orders)], pc.or_(
        pc.is_valid(orders["ship_to_id"]), pc.is_valid(orders["ship_to_name"])))}
    out: list[Finding] = []
    for line in _rows(lines, [*keys, *_ORDER_LOCATION, "partner", "po_number", "line_number", "line_id", *cols,
                              *_addresses(lines)], own):
        head = heads.get((line["source_file"], line["order_ref"]))
        if head is None or same_party(line, head):
            continue
        ident = line["ship_to_id"]
        mine, theirs = _party_words(line), _party_words(head)
        if mine == theirs:  # one name, two doors: said by their addresses
            mine, theirs = f"{mine} at {_address_words(line)}", f"{theirs} at {_address_words(head)}"
        out.append(finding_at_row(
            "LINE_SHIP_TO_DIFFERS",
            f"Line {line['line_id'] or line['line_number']} names its own ship-to ({_own_ship_to(line)}: "
            f"{mine}), not the order's ({theirs}), where every line is allocated, acknowledged, shipped and "
            "invoiced.",
            line, seg="N1", element="N104" if ident else "N102", value=ident or line["ship_to_name"],
            severity=BUSINESS_CATALOGUE["LINE_SHIP_TO_DIFFERS"].severity, position=False,
            line_number=line["line_number"]))
    return out


def _own_ship_to(line: Mapping) -> str:
    """Where a line's own ship-to was sent: an 850's N1*ST in its PO1 loop, a CSV order's row (parsers.csv_orders:
    ISA13 "CSV")."""
    return "its row's ship-to" if line.get("isa13") == "CSV" else "N1*ST in its PO1 loop"


def check_ship_tos_repeated(orders: pa.Table) -> list[Finding]:
    """SHIP_TO_AMBIGUOUS once per order whose heading names more than one ship-to (ORDERS ship_to_others_sent: N1*ST
    loops after the first, or N1*BS loops, naming other parties): the order is allocated, acknowledged, shipped and
    invoiced to the first (its ship_to_* columns), and nothing says which goods the others are for. X12 sends one PO's
    goods for several places as SDQ destination quantities or a ship-to in each PO1 loop; two heading ship-tos are no
    such split, so a person asks the partner. Its default outcome holds the order (schemas.outcomes); a partner whose
    heading repeats N1*ST for another purpose (its guide says the first is the ship-to) says accept."""
    if "ship_to_others_sent" not in orders.column_names or orders["ship_to_others_sent"].null_count == \
            orders.num_rows:
        return []
    cols = [*_ORDER_LOCATION, "partner", "po_number", "ship_to_others_sent", *(f"ship_to_{f}" for f in LINE_SHIP_TO)]
    out: list[Finding] = []
    for order in _rows(orders, cols, pc.is_valid(orders["ship_to_others_sent"])):
        others = [sent.split(ELEMENTS_SEP) for sent in order["ship_to_others_sent"].split(ITDS_SEP)]
        named = "; ".join("N1*" + " ".join(e for e in n1 if e) for n1 in others)
        first = [*others[0], "", "", "", ""]
        out.append(business_finding(
            "SHIP_TO_AMBIGUOUS",
            f"The PO's heading names more than one ship-to: N1*ST {_party_words(order)}, the first, where the order "
            f"is allocated, acknowledged, shipped and invoiced, and {named}; which goods go where is not said (one "
            "PO's goods for several places come as SDQ destination quantities or a ship-to in each PO1 loop).",
            order, seg="N1", element="N104" if first[3] else "N102", value=first[3] or first[1] or None,
            line=False))
    return out


def same_party(line: Mapping, head: Mapping) -> bool:
    """Whether a line's own ship-to (ship_to_name, ship_to_id_qualifier, ship_to_id, and its address where both
    carry one: ship_to_address1 ... ship_to_country) is its order's: the same N103/N104 where both have an id, else
    the same N102 at the same address (same_address: two doors of one retailer named alike, no location id, are two
    places; they used to be one, the second door's goods shipped to the first)."""
    if line["ship_to_id"] and head["ship_to_id"]:
        return (line["ship_to_id_qualifier"] or "", line["ship_to_id"]) == (head["ship_to_id_qualifier"] or "",
                                                                          head["ship_to_id"])
    name, heading = (line["ship_to_name"] or "").strip(), (head["ship_to_name"] or "").strip()
    # the order's name carries its N2 after ", "
    return (name == heading or heading.startswith(f"{name}, ")) and same_address(line, head)


# the address parts two ship-tos of one name are told apart by (N301, N302, N401-N404), each compared where both give it
_ADDRESS_KEYS = tuple(f"ship_to_{f}" for f in LINE_SHIP_TO_ADDRESS)
_PUNCTUATION = re.compile(r"[.,#'\u2019]")


def same_address(a: Mapping, b: Mapping) -> bool:
    """Whether two ship-tos' addresses (ship_to_address1 ... ship_to_country) are one place: every part both give the
    same, in any case, spacing and punctuation ("12 Mill St." and "12 MILL ST"; a ZIP and its ZIP+4 alike); a part
    one of them leaves blank, or a mapping without address columns, tells nothing (True)."""
    for key in _ADDRESS_KEYS:
        x, y = (a.get(key) or "").strip(), (b.get(key) or "").strip()
        if x and y and _address_part(key, x) != _address_part(key, y):
            return False
    return True


def _address_part(key: str, value: str) -> str:
    text = " ".join(_PUNCTUATION.sub(" ", value).casefold().split())
    if key == "ship_to_postal_code":
        text = text.replace(" ", "")
        return text[:5] if len(text) in (9, 10) and text[:5].isdigit() else text.replace("-", "")
    if key == "ship_to_country":
        return alpha2(value) or text
    return text


def place_columns(table: pa.Table) -> list[str]:
    """The columns of ``table`` (ship_to_name, ship_to_id_qualifier, ship_to_id, and its address columns) a place is
    told apart by (same_party) and named by (places_words)."""
    return [*(f"ship_to_{f}" for f in LINE_SHIP_TO), *_addresses(table)]


def _addresses(table: pa.Table) -> list[str]:
    """The ship-to address columns ``table`` has (same_party tells two places of one name apart by them)."""
    return [c for c in _ADDRESS_KEYS if c in table.column_names]


def _address_words(row: Mapping) -> str:
    return ", ".join(v for c in _ADDRESS_KEYS if (v := (row.get(c) or "").strip())) or "(no address)"


def places_words(places: Sequence[Mapping | None], *, with_names: bool = False) -> list[str]:
    """How a message names each of ``places`` (ship-tos: ship_to_name, ship_to_id_qualifier, ship_to_id and their
    address columns; None: "the order ship-to") side by side: its qualifier and id, else its name (``with_names``:
    its name, qualifier and id); with its address ("Juniper Lane at 410 Main St, Park City, UT, 84060") where
    another of them reads alike, two doors of one name being two places (same_party): two stops of a load, or two
    POs' places, used to read as one."""
    words = [_place_words(p, with_names) for p in places]
    twice = {w for w in words if words.count(w) > 1}
    return [f"{w} at {_address_words(p)}" if w in twice and p is not None else w
            for w, p in zip(words, places, strict=True)]


def _place_words(place: Mapping | None, with_names: bool) -> str:
    if place is None:
        return "the order ship-to"
    ident = " ".join(v for v in (place.get("ship_to_id_qualifier"), place.get("ship_to_id")) if v)
    if with_names:
        return " ".join(v for v in (place.get("ship_to_name"), ident) if v) or "the order ship-to"
    return ident or place.get("ship_to_name") or "no ship-to"


def _party_words(row: Mapping) -> str:
    return " ".join(row[f"ship_to_{f}"] for f in LINE_SHIP_TO if row[f"ship_to_{f}"]) or "(no name or id)"


def _starts_text(starts: tuple[str, ...]) -> str:
    """A state's ZIP starts (_ZIP_STARTS) as a message says them: "090 to 098", "006, 007 or 009", "96799"."""
    if len(starts) > 2 and [int(z) for z in starts] == list(range(int(starts[0]), int(starts[-1]) + 1)):
        return f"{starts[0]} to {starts[-1]}"
    return " or ".join([", ".join(starts[:-1]), starts[-1]] if len(starts) > 1 else starts)


def _implausible(order: Mapping, parts: Mapping[str, str], s: RuleSettings, line: bool = False) -> list[Finding]:
    """ADDRESS_IMPLAUSIBLE for an order's ship-to address ``parts`` (a line's own: ``line``, found at its line)."""
    out: list[Finding] = []
    raw_country = parts["ship_to_country"]
    country = alpha2(raw_country)
    served = {alpha2(c) for c in (*s.ship_to_countries, s.domestic_country)}  # a list may name "GBR"
    if raw_country and country not in served and not (country in US_TERRITORIES and "US" in served):
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"Country {raw_country!r} is not one we ship to ({', '.join(s.ship_to_countries)})."
                + (f" N402 {parts['ship_to_state']!r} is a U.S. military post office's (APO / FPO / DPO): such an "
                   "address is in the United States (N404 US, or none) whatever country the post is in."
                   if parts["ship_to_state"].upper() in _MILITARY else ""),
                order,
                seg="N4",
                element="N404",
                value=raw_country,
                line=line,
            )
        )
        return out
    country = country or s.domestic_country  # N404 left out: the partner's domestic country
    state, postal = parts["ship_to_state"], parts["ship_to_postal_code"]
    if country in US_TERRITORIES:  # N404 PR, GU ...: a U.S. address, the territory its state
        if state and state.upper() != country:
            out.append(business_finding(
                "ADDRESS_IMPLAUSIBLE", f"{state!r} is not the state of {raw_country!r}: a U.S. territory's N402 is "
                f"its own code, {country}.", order, seg="N4", element="N402", value=state, line=line))
            return out
        country, state = "US", state or country
    if state and country in _REGIONS and region_code(country, state) not in _REGIONS[country]:
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"{state!r} is not a {country} state/province code.",
                order,
                seg="N4",
                element="N402",
                value=state,
                line=line,
            )
        )
    if postal and country in _POSTAL and not _POSTAL[country].match(postal):
        out.append(
            business_finding(
                "ADDRESS_IMPLAUSIBLE",
                f"{postal!r} is not a valid {country} postal code.",
                order,
                seg="N4",
                element="N403",
                value=postal,
                line=line,
            )
        )
    elif postal and country == "US" and not postal.startswith(starts := _ZIP_STARTS.get(state.upper(), ("",))):
        out.append(business_finding(
            "ADDRESS_IMPLAUSIBLE", f"ZIP {postal!r} is not one of {state.upper()}: its ZIP codes start "
            f"{_starts_text(starts)}; USPS cannot route it to the "
            "state's post offices.", order, seg="N4", element="N403", value=postal, line=line))
    return out


# --- dates --------------------------------------------------------------------------------------

_DATES = (
    ("requested_delivery_date", "002", "delivery requested"),
    ("requested_ship_date", "010", "requested ship"),
    ("ship_not_before", "037", "ship not before"),
    ("ship_no_later", "038", "ship no later"),
    ("cancel_after", "001", "cancel after"),
    ("do_not_deliver_after", "063", "do not deliver after"),
    ("do_not_deliver_before", "064", "do not deliver before"),
)
# (earlier, later) qualifiers that must not be the other way round
_PAIRS = [("037", "038"), ("037", "010"), ("010", "038"), ("010", "002"), ("037", "002"),
          ("064", "063"), ("037", "001")]
# what names a window side that came from a DTM 010 range (schemas.orders.window_named): its end and first day
_RANGE = ("requested_ship_end", RANGE_START)


def _labels(row: Mapping) -> tuple[dict[str, str], bool]:
    """Each of _DATES' DTM as ``row`` (an order's or a line's) was sent: "DTM 038 (ship no later)", or a window side
    that came from a DTM 010 range "DTM 010 (requested ship range end)" (schemas.orders.window_named: never a 037 /
    038 the buyer did not send); and whether the window's opening is the range's first day, its DTM 010 (then a
    pair of the 010's says what the 037's pair says: _said_twice)."""
    named = {q: window_named(c, q, name, row) for c, q, name in _DATES}
    # the opening is the DTM 010 only where it is the requested ship date too (a heading's own single DTM 010 beside
    # the lines' range, or one a change moved the date to, is a date of its own: range_start)
    return {q: f"DTM {sent} ({what})" for q, (sent, what) in named.items()}, named["037"][0] == "010" and row.get(
        "ship_not_before") == row.get("requested_ship_date")


def _window(label: Mapping[str, str], d: Mapping[str, date]) -> str:
    """A ship window as sent, its qualifiers named (``label``: _labels'): "DTM 037 (ship not before) 20261201 .. DTM
    038 (ship no later) 20270115", or the DTM 010 range it came from "DTM 010 (requested ship range start) 20261201 ..
    DTM 010 (requested ship range end) 20270115". It used to say "20261201..20270115" only, not which dates the buyer
    sent."""
    return " .. ".join(f"{label[q]} {_text(d[q])}" for q in ("037", "038"))


def _said_twice(early: str, late: str, from_range: bool) -> bool:
    """Whether the pair (early, late) of a window from a DTM 010 range is one its opening's pair says already (the
    range's first day is both the 010 and the 037: one finding, naming the range)."""
    return from_range and early == "010" and ("037", late) in _PAIRS
_DEADLINES = ("001", "063")  # past on arrival: nothing can be delivered in time (CANCEL_DATE_PASSED)


def _with_dates(orders: pa.Table) -> pa.Table:
    """``orders`` with every _DATES column (a table built before DTM 001/063/064 were kept lacks them:
    null)."""
    for c, _q, _t in _DATES:
        if c not in orders.column_names:
            orders = orders.append_column(pa.field(c, pa.date32()), pa.nulls(orders.num_rows, pa.date32()))
    return orders


def check_dates(orders: pa.Table, *, today: date, settings: RuleSettings) -> list[Finding]:
    """DATE_IN_PAST for DTM 002/010/038 before ``today`` (037 in the past is harmless);
    CANCEL_DATE_PASSED for a cancel-after (001) or do-not-deliver-after (063) before ``today`` (the order
    is dead on arrival: the dock refuses what comes after it); and SHIP_WINDOW_INCONSISTENT: 037 > 038,
    010 outside 037..038, 002 before 010 or 037, 064 after 063, 037 after 001, a window longer than
    ship_window_max_days, or any requested date before the PO date (BEG05)."""
    by_partner, out = _PerPartner(settings), []
    orders = _with_dates(orders)
    cols = [*_ORDER_LOCATION, "partner", "po_number", "po_date", *(c for c, _, _ in _DATES), *_RANGE]
    for order in _rows(orders, cols, _dates_to_check(orders, today, by_partner)):
        s = by_partner[order["partner"]]
        d = {q: order[c] for c, q, _ in _DATES}
        # a window sent as a DTM 010 range is named as that range (it used to be named DTM 037 / 038)
        label, from_range = _labels(order)

        def emit(code: str, message: str, qualifier: str, _order: dict = order, _d: dict = d) -> None:
            out.append(
                business_finding(
                    code, message, _order, seg="DTM", element="DTM02", value=_d[qualifier], line=False,
                    qualifier=qualifier,
                )
            )

        for q in ("002", "010", "038"):
            if d[q] is not None and d[q] < today:
                emit("DATE_IN_PAST", f"{label[q]} {_text(d[q])} is before today {_text(today)}.", q)
        for q in _DEADLINES:
            if d[q] is not None and d[q] < today:
                emit("CANCEL_DATE_PASSED", f"{label[q]} {_text(d[q])} is before today {_text(today)}: nothing "
                     "can arrive in time; ask the buyer for a new date (860) or reject the order.", q)
        last = last_ship_day(d["063"], s.transit)
        if d["063"] is not None and d["063"] >= today and last < today:
            # the window's end is still ahead, but the goods cannot get there by it: accepted all the same (a
            # warning; the 855 offers the first day we ship, DR), the buyer decides whether to take them late
            emit("DATE_IN_PAST", f"{label['063']} {_text(d['063'])} less {s.transit} in transit (the last "
                 f"ship day {_text(last)}) is before today {_text(today)}: shipped today the goods arrive "
                 f"{_text(s.transit.after(today))}, after the window; the 855 offers the first day we can ship "
                 "(DR), the buyer decides whether to take them late.", "063")
        for early, late in _PAIRS:
            if d[early] is not None and d[late] is not None and d[early] > d[late] and not _said_twice(
                    early, late, from_range):
                emit(
                    "SHIP_WINDOW_INCONSISTENT",
                    f"{label[early]} {_text(d[early])} is after {label[late]} {_text(d[late])}.",
                    late,
                )
        if (
            d["037"] is not None
            and d["038"] is not None
            and (d["038"] - d["037"]).days > s.ship_window_max_days
        ):
            emit(
                "SHIP_WINDOW_INCONSISTENT",
                f"The ship window {_window(label, d)} is longer than {s.ship_window_max_days} days.",
                "038",
            )
        po_date = order["po_date"]
        for q in ("002", "010", "038"):
            if po_date is not None and d[q] is not None and d[q] < po_date:
                emit(
                    "SHIP_WINDOW_INCONSISTENT",
                    f"{label[q]} {_text(d[q])} is before the PO date {_text(po_date)}.",
                    q,
                )
    return out


# a line's own ship window (ORDER_LINES columns, DTM01): judged with its other dates as an order's window is
_WINDOW = {"ship_not_before": "037", "ship_no_later": "038"}
_REQUESTED = ("010", "002")  # the order's requested ship / delivery dates: not its lines' own windows' judges
_COLUMN = {q: c for c, q, _ in _DATES}
_S = "'s"


def check_line_windows(orders: pa.Table, lines: pa.Table, *, today: date, settings: RuleSettings) -> list[Finding]:
    """check_dates for each line whose own ship window (its PO1 loop's DTM 037 / 038: ORDER_LINES ship_not_before /
    ship_no_later) is not its order's: the line's dates (its own 037/038 and, where it has them, its own
    002/010/001/063/064, else the order's) judged as an order's are, only the findings its own window takes part in
    (DATE_IN_PAST for its 038; SHIP_WINDOW_INCONSISTENT: its 037 after its 038, its own 010 or 002, or its (or the
    order's) 001, its own 010 after its 038, its 038 before the PO date, its window longer than
    ship_window_max_days), at the line (a window every line states alike is the order's: check_dates judges it).
    The order's 010 / 002 do not judge a line's own window: a line scheduled apart from the heading's requested
    date is what its DTM says, not a contradiction. Lines scheduled apart used to lose their window unchecked."""
    if not lines.num_rows or any(c not in lines.column_names for c in _WINDOW):
        return []
    own = pc.or_(pc.is_valid(lines["ship_not_before"]), pc.is_valid(lines["ship_no_later"]))
    if not pc.any(own).as_py():
        return []
    orders = _with_dates(orders)
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o for o in _rows(orders, [*keys, "po_date", *(c for c, _, _ in
                                                                                             _DATES), *_RANGE])}
    line_own = [c for c, _q, _t in _DATES if c in lines.column_names]
    by_partner, out = _PerPartner(settings), []
    for line in _rows(lines, [*keys, *_LINE_LOCATION, "partner", "po_number", "line_id", *line_own, *_RANGE],
                      own):
        head = heads.get((line["source_file"], line["order_ref"]))
        if head is None:
            continue
        mine = {q for c, q in _WINDOW.items() if line[c] is not None and line[c] != head[c]}
        if not mine:
            continue  # the order's window: check_dates judges it
        d = {q: line[c] if line.get(c) is not None else head[c] for c, q, _ in _DATES}
        at = f"Line {line['line_id'] or line['line_number']}"
        # each named as its line or order sent it: a window from a DTM 010 range as that range (_labels)
        (mine_label, from_range), (head_label, head_range) = _labels(line), _labels(head)
        said = {q: f"{'its' if line.get(c) is not None else 'the order' + _S} "
                   f"{(mine_label if line.get(c) is not None else head_label)[q]} {_text(d[q])}"
                for c, q, _ in _DATES if d[q] is not None}
        from_range = from_range if line.get("ship_not_before") is not None else head_range
        found: list[tuple[str, str, str]] = []  # (code, message, qualifier)
        if "038" in mine and d["038"] < today:
            found.append(("DATE_IN_PAST", f"{at}: {said['038']} is before today {_text(today)}.", "038"))
        for early, late in _PAIRS:
            # the order's requested ship / delivery date (010, 002) does not judge a line's own window: a line
            # scheduled apart is what the line's DTM is for (X12: a detail date overrides the heading's for its
            # line; a translator states the heading's 010 as the first line's), not a contradiction to hold
            if any(q in _REQUESTED and line.get(_COLUMN[q]) is None for q in (early, late)):
                continue
            if {early, late} & mine and d[early] is not None and d[late] is not None and d[early] > d[late] and \
                    not _said_twice(early, late, from_range):
                found.append(("SHIP_WINDOW_INCONSISTENT", f"{at}: {said[early]} is after {said[late]}.",
                              late if late in mine else early))
        longest = by_partner[line["partner"]].ship_window_max_days
        if d["037"] is not None and d["038"] is not None and (d["038"] - d["037"]).days > longest:
            found.append(("SHIP_WINDOW_INCONSISTENT", f"{at}: its ship window, {said['037']} .. {said['038']}, is "
                          f"longer than {longest} days.", "038"))
        if "038" in mine and head["po_date"] is not None and d["038"] < head["po_date"]:
            found.append(("SHIP_WINDOW_INCONSISTENT", f"{at}: {said['038']} is before the PO date "
                          f"{_text(head['po_date'])}.", "038"))
        out += [business_finding(code, message, line, seg="DTM", element="DTM02", value=d[q], qualifier=q)
                for code, message, q in found]
    return out


def check_line_requested_dates(orders: pa.Table, lines: pa.Table, *, today: date) -> list[Finding]:
    """DATE_IN_PAST at each line whose own requested delivery or ship date (its PO1 loop's DTM 002 / 010, or the one an
    860's POC loop moved it to: ORDER_LINES requested_delivery_date / requested_ship_date) is before ``today``, as
    check_dates finds the order's: its default outcome reschedules the line (855 ACK DR, or the 865's for a change,
    with the first day we can ship in ACK 068), the buyer told we cannot ship on the date asked. A date the order
    states alike is the order's, and a line's past date beside the order's own past one adds nothing: check_dates
    says it once. Such a line used to be acknowledged IA for today, as if on time (a pull-in to a date already gone,
    an 850 line dated in the past)."""
    cols = [c for c in ("requested_delivery_date", "requested_ship_date") if c in lines.column_names]
    if not lines.num_rows or not cols:
        return []
    day = pa.scalar(today, pa.date32())
    flagged = pc.fill_null(pc.less(lines[cols[0]], day), False)
    for c in cols[1:]:
        flagged = pc.or_(flagged, pc.fill_null(pc.less(lines[c], day), False))
    if not pc.any(flagged).as_py():
        return []
    orders = _with_dates(orders)
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o for o in _rows(orders, [*keys, *cols])}
    qualifier_of = {v: k for k, v in _COLUMN.items()}  # column -> its DTM qualifier
    named = {k: n for _c, k, n in _DATES}  # DTM qualifier -> its words
    out = []
    for ln in _rows(lines, [*keys, *_LINE_LOCATION, "partner", "po_number", "line_id", *cols], flagged):
        head = heads.get((ln["source_file"], ln["order_ref"]), {})
        for c in cols:
            when, q = ln[c], qualifier_of[c]
            if when is None or when >= today or head.get(c) == when or (head.get(c) is not None and head[c] < today):
                continue
            out.append(business_finding(
                "DATE_IN_PAST", f"Line {ln['line_id'] or ln['line_number']}: its DTM {q} "
                f"({named[q]}) {_text(when)} is before today {_text(today)}: it cannot "
                "ship on the date asked; the answer offers the first day we can ship (DR), the buyer decides.",
                ln, seg="DTM", element="DTM02", value=when, qualifier=q))
    return out


def check_line_deliveries(orders: pa.Table, lines: pa.Table, *, today: date, settings: RuleSettings) -> list[Finding]:
    """A line's own last dates (its PO1 loop's DTM 001 cancel after / 063 do not deliver after: ORDER_LINES
    cancel_after / do_not_deliver_after, where not its order's) judged as check_dates judges the order's, at the line:
    CANCEL_DATE_PASSED for one already before ``today`` (nothing of the line can arrive in time; today is still in
    time), and DATE_IN_PAST (a warning) for a 063 still ahead whose last ship day (the 063 less the partner's
    transit_days: schemas.orders.last_ship_day) is past: shipped today it arrives late. That line is accepted all the
    same (the 855 offers the first day we ship); the buyer decides. A date the order states alike is the order's,
    and a line's past date beside the order's own past one adds nothing: check_dates says it once."""
    own = [(c, q, name) for c, q, name in LAST_DATES if c in lines.column_names]
    if not lines.num_rows or not own:
        return []
    by_partner = _PerPartner(settings)
    transit = {p: by_partner[p].transit for p in lines["partner"].unique().to_pylist() if p is not None}
    transit = {p: t for p, t in transit.items() if t}
    day = pa.scalar(today, pa.date32())
    flags = [pc.less(lines[c], day) for c, _q, _name in own]
    if transit and DELIVER_AFTER in lines.column_names:
        flags.append(pc.less(last_ship_days(lines[DELIVER_AFTER], lines["partner"], transit), day))
    flagged = pc.fill_null(flags[0], False)
    for flag in flags[1:]:
        flagged = pc.or_(flagged, pc.fill_null(flag, False))
    if not pc.any(flagged).as_py():
        return []
    orders = _with_dates(orders)
    keys = ["source_file", "order_ref"]
    heads = {(o["source_file"], o["order_ref"]): o for o in _rows(orders, [*keys, *LAST_DATE_COLUMNS])}
    out = []
    for ln in _rows(lines, [*keys, *_LINE_LOCATION, "partner", "po_number", "line_id", *(c for c, _q, _n in own)],
                    flagged):
        head = heads.get((ln["source_file"], ln["order_ref"]), {})
        at = f"Line {ln['line_id'] or ln['line_number']}"
        for c, q, name in own:
            when = ln[c]
            if when is None or head.get(c) == when or (head.get(c) is not None and head[c] < today):
                continue  # none, the order's, or the order's own passed too: check_dates says it (it holds the PO)
            days = transit.get(ln["partner"])
            if when < today:
                out.append(business_finding(
                    "CANCEL_DATE_PASSED", f"{at}: its DTM {q} ({name}) {_text(when)} is before today {_text(today)}: "
                    "nothing of the line can arrive in time; ask the buyer for a new date (860) or cancel the line.",
                    ln, seg="DTM", element="DTM02", value=when, qualifier=q))
            elif c == DELIVER_AFTER and days and last_ship_day(when, days) < today:
                last = last_ship_day(when, days)
                out.append(business_finding(
                    "DATE_IN_PAST", f"{at}: its DTM 063 (do not deliver after) {_text(when)} less {days} in "
                    f"transit (the last ship day {_text(last)}) is before today {_text(today)}: shipped today the "
                    f"line arrives {_text(days.after(today))}, after it; the 855 offers the first day we can ship "
                    "(DR), the buyer decides whether to take it late.", ln, seg="DTM", element="DTM02", value=when,
                    qualifier="063"))
    return out


def _dates_to_check(orders: pa.Table, today: date, by_partner: _PerPartner) -> pa.ChunkedArray:
    """The orders some date of which may raise a finding (check_dates judges them): a date before
    today or the PO date, a pair out of order, or a window longer than the partner's maximum."""
    d = {q: orders[c] for c, q, _ in _DATES}
    flags = [pc.less(d[q], pa.scalar(today, pa.date32())) for q in ("002", "010", "038", *_DEADLINES)]
    transit = {p: by_partner[p].transit for p in orders["partner"].unique().to_pylist() if p is not None}
    flags.append(pc.less(last_ship_days(d["063"], orders["partner"], {p: t for p, t in transit.items() if t}),
                         pa.scalar(today, pa.date32())))  # its last ship day, 063 less the transit, is past
    flags += [pc.greater(d[early], d[late]) for early, late in _PAIRS]
    flags += [pc.less(d[q], orders["po_date"]) for q in ("002", "010", "038")]
    longest = per_partner(orders["partner"], {p: by_partner[p].ship_window_max_days
                                              for p in orders["partner"].unique().to_pylist() if p is not None},
                          pa.int64())
    days = pc.subtract(pc.cast(pc.cast(d["038"], pa.int32()), pa.int64()),
                       pc.cast(pc.cast(d["037"], pa.int32()), pa.int64()))
    flags.append(pc.and_(pc.is_valid(days), pc.fill_null(pc.greater(days, longest), True)))
    out = pc.fill_null(flags[0], False)
    for flag in flags[1:]:
        out = pc.or_(out, pc.fill_null(flag, False))
    return out
