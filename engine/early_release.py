"""Our 855s, 856s, 810s and 865s in a release before 004010 (schemas.x12dict.EARLY_RELEASES: the 856 in 003050,
the 810 in 003040, as a buyer's guide names in [x12] gs_versions): the body our 004010 writers built, rewritten
segment by segment into the release's form by the two dictionaries.

Each value goes to the element of the same data element number in the release's segment (its first, second ...
occurrence: LIN's 235/234 pairs), else to the same position when the element there is one 004010's segment does
not have (003040's TDS01 Total Invoice Amount, 361, where 004010 has Amount, 610); a date (DT 8/8 in 004010, 6/6
in the release) loses its century (20261126 -> 261126), and where the release's element is 003070's date and
century composite (BAK04, BCA06 ...: schemas/x12dict/data/composites-003070.txt) it is written as one, YYMMDD, the
component separator, the century (20261126 -> 261126>20). A value with no place in the release's segment (an
element 004010 added, TD513 ...) is not dropped: the segment is left with it where it stood, so the outbound
check (rules.outbound, by the release's dictionary) refuses the document and it is held, not sent without it.
Empty elements 004010 added simply go. Free text we write is fitted to the release's elements, as our 004010 writers
fit it to 004010's: a party's name (data element 93: N102, N201, N202, PER02; 1/35 in 003040-003060, 1/60 in 004010)
cut to its element as every name we write (parsers.x12_writer.x12_text), and an N3's street (166: 1/35 there, 1/55 in
004010) packed into its N301 and N302 at a blank, what does not fit in the two cut (the segment count is kept).
Values are never altered otherwise: an identifier, a quantity or an amount the release cannot hold (an IT1 product
id of 31 in 003040, 1/30) is refused by that check, not cut.

Pure: text in, text out; the segment count is unchanged.
"""

from __future__ import annotations

from functools import lru_cache

from parsers.x12_writer import x12_text
from schemas.x12 import Delimiters
from schemas.x12dict import base_version, dictionary, release_dictionary
from schemas.x12dict.model import CompositeDef, SegmentDef

# (release position of each 004010 position, 0: none), its YYMMDD dates, its date and century composites, width
Plan = tuple[tuple[int, ...], frozenset[int], frozenset[int], int]


def early_body(text: str, d: Delimiters, release: str) -> str:
    """A set's body ``text`` (rendered with ``d`` by our 004010 writers) as the ``release`` (GS08) writes it."""
    end = d.segment + d.suffix
    segments = text.split(end)
    tail = segments.pop() if segments and segments[-1] == "" else None
    out = [_segment(seg, d.element, d.component, base_version(release)) for seg in segments]
    if tail is not None:
        out.append(tail)
    return end.join(out)


def _segment(seg: str, element: str, component: str, release: str) -> str:
    values = seg.split(element)
    plan = _plan(values[0], release)
    if plan is None:
        return _fitted(seg, element, release)
    places, dates, centuries, width = plan
    moved = [""] * (width + 1)
    moved[0] = values[0]
    for k, value in enumerate(values[1:], 1):
        if value == "":
            continue
        at = places[k - 1] if k - 1 < len(places) else 0
        if at == 0:  # no place for it in the release's segment: left as it was (the outbound check refuses it)
            return element.join([v[2:] if k in dates and len(v) == 8 else v for k, v in enumerate(values)])
        if at in centuries and len(value) == 8:  # 003070: 20261126 -> 261126>20
            value = f"{value[2:]}{component}{value[:2]}"
        moved[at] = value[2:] if at in dates and len(value) == 8 else value
    while len(moved) > 1 and moved[-1] == "":
        moved.pop()
    return _fitted(element.join(moved), element, release)


# the data elements of free text our writers cut to their element (x12_text): a party's name
NAMES = frozenset({"93"})
STREET = "166"  # N301/N302, packed together (street_fitted)


def _fitted(seg: str, element: str, release: str) -> str:
    """``seg`` (in the release's form) with each name cut to the release's element and an N3's street packed into
    its two elements (street_fitted); ``seg`` itself when everything fits."""
    cuts, street = _texts(seg[:seg.find(element)] if element in seg else seg, release)
    if not cuts and not street:
        return seg
    values = seg.split(element)
    changed = False
    for at, most in cuts:
        if at < len(values) and len(values[at]) > most:
            values[at] = x12_text(values[at], most)
            changed = True
    if street and len(values) > 1 and any(len(v) > street for v in values[1:3]):
        first, second = street_fitted(values[1], values[2] if len(values) > 2 else "", street)
        values[1:3] = [first, second] if second else [first]
        changed = True
    return element.join(values) if changed else seg


def street_fitted(first: str, second: str, most: int) -> tuple[str, str]:
    """An N3's N301 and N302 (``first``, ``second``) in elements of ``most`` characters: as they are when each fits,
    else their text (", " between) cut at the last blank that leaves N301 within ``most`` (at ``most`` when there is
    none), the rest in N302, cut to ``most`` (x12_text) when it does not fit either."""
    if len(first) <= most and len(second) <= most:
        return first, second
    text = ", ".join(t for t in (first, second) if t)
    cut = text.rfind(" ", 0, most + 1)
    head = text[:cut] if cut > 0 else text[:most]
    rest = text[len(head):]
    head, rest = head.rstrip(" ,"), rest.lstrip(" ,")
    return head, x12_text(rest, most)


@lru_cache(maxsize=256)
def _texts(seg_id: str, release: str) -> tuple[tuple[tuple[int, int], ...], int]:
    """The positions of ``seg_id``'s names in the release (NAMES), each with its length, where shorter than our
    004010 writers fit them to; and the length of its street (N3: STREET) where shorter than 004010's (0: not)."""
    d, ours = release_dictionary(release), dictionary("004010")
    seg = d.segment(seg_id) if d is not None else None
    if seg is None or ours is None:
        return (), 0
    cuts = tuple((u.position, u.element.max) for u in seg.elements
                 if u.element is not None and u.ref in NAMES and u.element.max < ours.elements[u.ref].max)
    street = next((u.element.max for u in seg.elements if u.element is not None and u.ref == STREET
                   and u.element.max < ours.elements[STREET].max), 0) if seg_id == "N3" else 0
    return cuts, street


@lru_cache(maxsize=256)
def _plan(seg_id: str, release: str) -> Plan | None:
    """Where each element of 004010's ``seg_id`` goes in ``release``'s, which of the release's positions are
    dates written YYMMDD and which date and century composites (003070's); None when the segment is the same in
    both (or one dictionary lacks it)."""
    old = dictionary("004010").segment(seg_id)
    new_dict = release_dictionary(release)
    new = new_dict.segment(seg_id) if new_dict is not None else None
    if old is None or new is None:
        return None
    refs_old, refs_new = _refs(old), _refs(new)
    dates = frozenset(u.position for u in new.elements
                      if u.element is not None and u.element.type == "DT" and u.element.max == 6)
    centuries = frozenset(u.position for u in new.elements if u.composite is not None and _dated(u.composite))
    if refs_old == refs_new and not dates:
        return None
    seen: dict[str, int] = {}
    places = []
    taken: set[int] = set()
    for ref in refs_old:
        n = seen[ref] = seen.get(ref, 0) + 1
        at = _nth(refs_new, ref, n)
        places.append(at)
        taken.add(at)
    for k in range(len(refs_old)):  # by position, where the release has an element 004010's segment has not (003070's
        # date and century composite where 004010 has the date: BAK04 373 -> D373)
        at = k + 1
        if places[k] == 0 and at <= len(refs_new) and at not in taken and refs_new[k] not in refs_old:
            places[k] = at
            taken.add(at)
    return tuple(places), dates, centuries, len(refs_new)


def _dated(composite: CompositeDef) -> bool:
    """``composite`` is a date (DT, YYMMDD) and its century (624): 003070's."""
    comps = composite.components
    return (len(comps) == 2 and comps[0].element.type == "DT" and comps[0].element.max == 6
            and comps[1].element.ref == "624")



def _refs(seg: SegmentDef) -> tuple[str, ...]:
    return tuple(u.ref for u in seg.elements)


def _nth(refs: tuple[str, ...], ref: str, n: int) -> int:
    """The position (1-based) of the ``n``th ``ref`` in ``refs``; 0 when there is none."""
    for k, r in enumerate(refs, 1):
        if r == ref:
            n -= 1
            if n == 0:
                return k
    return 0
