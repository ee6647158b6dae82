"""Our own documents, checked before they are sent: an interchange we built must pass our envelope
rules and the dictionary of its version (segment order, loops, elements, notes) like any inbound one.

Pure: bytes in, findings out. The engine and flows call it before writing a document.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from rules.structure import check_structure, dictionary_for
from schemas.charsets import has_control
from schemas.findings import Finding
from schemas.x12 import FUNCTIONAL_ID, Delimiters
from schemas.x12dict import (
    EARLY_997_RELEASES,
    EARLY_RELEASES,
    WRITTEN_RELEASES,
    Dictionary,
    built_by,
    release_dictionary,
)

# GS08 releases we write (schemas.profile.X12Settings.gs_version: a later release of the profile's version, as a
# partner whose guides are 004030 asks, "004030"): the documents are built by the version's dictionary, and are
# judged by it (schemas.x12dict.WRITTEN_RELEASES); and 997s in the releases before 004010 (EARLY_997_RELEASES), by
# the envelope rules only.


def _built_by(gs08: str) -> Dictionary | None:
    """The dictionary our documents of GS08 ``gs08`` were built by: their version's, for a later release of it; an
    early release's own for the sets we write in it (schemas.x12dict.EARLY_RELEASES: its other sets, the 997s, are
    not in its dictionary and are judged by the envelope rules only, as before)."""
    built = built_by(gs08)
    return release_dictionary(built) if built in EARLY_RELEASES else dictionary_for(built or gs08)


def _everything() -> Acceptance:
    sets: dict[str, set[str]] = {}
    for set_id, fid in FUNCTIONAL_ID.items():
        sets.setdefault(fid, set()).add(set_id)
    return Acceptance(sets={fid: frozenset(ids) for fid, ids in sets.items()},
                      versions=frozenset(WRITTEN_RELEASES) | EARLY_997_RELEASES | frozenset(EARLY_RELEASES),
                      ids_strict=True)


OUTBOUND = _everything()


def validate_outbound(data: bytes, *, file: str = "") -> list[Finding]:
    """Every finding our reader, envelope rules and dictionaries have about a document we built
    (an empty list, or only warnings, for a document fit to send)."""
    result = read_interchanges(data, file=file)
    return [*result.findings, *check_envelopes(result, OUTBOUND),
            *check_structure(result, list(result.transaction_sets()), dictionaries=_built_by)]


def echoes_too_long(orders, profile) -> list[Finding]:
    """A warning (VALUE_TOO_LONG_TO_ECHO) per value of the POs ``orders`` (schemas.orders ORDERS rows) that our X12
    answers echo and that is longer than its element in the partner's version ([x12] version): a PO number longer
    than BEG03/BAK03/PRF01/BIG04, a reference (REF02) the 855, 856 or 810 carries back (their ``order_refs``). A
    005010 PO's REF*DP of 40 is valid as sent (005010 REF02 1/50) and does not fit a 004010 answer (1/30): ops see
    it at intake, not when the 856 is held at ship time. Only lengths are looked at (a few columns per PO)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from schemas.findings import finding_at_row
    from schemas.order_keys import x12_po_column
    from schemas.orders import ORDER_REFS
    from schemas.x12dict import dictionary

    if profile.x12 is None or not orders.num_rows or not {"855", "856", "810", "880", "865"} & set(profile.receives):
        return []
    d = dictionary(profile.x12.version)
    if d is None:
        return []
    echoed: dict[str, str] = {}  # REF01 -> the documents echoing it
    for kind, refs in (("855", profile.acks.po_ack.order_refs), ("856", profile.fulfilment.asn.order_refs),
                       ("810", profile.fulfilment.invoice.order_refs),
                       ("880", profile.fulfilment.invoice.order_refs)):
        if kind in profile.receives:
            for q in refs:
                echoed[q] = f"{echoed[q]}/{kind}" if q in echoed else kind
    checks = [("po_number", "BEG", "BEG03", "PO number", d.elements["324"].max, "855/856/810")]
    checks += [(ORDER_REFS.get(q, q), "REF", "REF02", f"REF*{q}", d.elements["127"].max, kinds)
               for q, kinds in echoed.items() if ORDER_REFS.get(q) in orders.column_names
               or (q not in ORDER_REFS and "refs_sent" in orders.column_names)]
    out: list[Finding] = []
    for column, seg, element, what, most, kinds in checks:
        if column == "po_number":
            values = x12_po_column(orders[column])
        elif column in orders.column_names:
            values = orders[column]
        else:  # a qualifier no column holds (REF*11 ...): the first of it the heading sent (refs_sent)
            values = pa.array([next((r["id"] for r in refs or () if r["qualifier"] == column), None)
                               for refs in orders["refs_sent"].to_pylist()], pa.string())
        long = pc.fill_null(pc.greater(pc.utf8_length(values), most), False)
        if not pc.any(long).as_py():
            continue
        for row, value in zip(orders.filter(long).to_pylist(), values.filter(long).to_pylist(), strict=True):
            out.append(finding_at_row(
                "VALUE_TOO_LONG_TO_ECHO",
                f"{what} {value!r} has {len(value)} characters; our {kinds} in {profile.x12.version} (the "
                f"profile's version) hold {most} in {element}: "
                + ("no 855 is sent for it (ACK_NOT_SENT), an 856 or 810 is held" if column == "po_number" else
                   "the 855 leaves a reference out, an 856 or 810 echoing it is held")
                + ". Check the profile's [x12] version against the version the partner sends.",
                row, seg=seg, element=element, value=value, position=False))
    if "refs_sent" in orders.column_names and orders["refs_sent"].null_count < orders.num_rows:
        # every REF of a qualifier is echoed (schemas.orders.order_ref_elements): those after the first of each
        # (JD Edwards' second REF*ZZ), which the columns and the first-of-it reading above do not hold
        # (only the rows holding a REF02 longer than the version's of an echoed qualifier are read one by one)
        most = d.elements["127"].max
        sent = orders["refs_sent"].combine_chunks()
        flat = pc.list_flatten(sent)
        long = pc.fill_null(pc.and_(pc.is_in(flat.field("qualifier"), value_set=pa.array(sorted(echoed), pa.string())),
                                    pc.greater(pc.utf8_length(flat.field("id")), most)), False)
        rows = sorted(set(pc.list_parent_indices(sent).filter(long).to_pylist())) if pc.any(long).as_py() else []
        for row in orders.take(rows).to_pylist() if rows else ():
            firsts: set[str] = set()
            for r in row["refs_sent"]:
                q, value = r.get("qualifier"), r.get("id")
                if q not in echoed or not value:
                    continue
                if q in firsts and len(value) > most:
                    out.append(finding_at_row(
                        "VALUE_TOO_LONG_TO_ECHO",
                        f"REF*{q} {value!r} has {len(value)} characters; our {echoed[q]} in {profile.x12.version} "
                        f"(the profile's version) hold {most} in REF02: the 855 leaves a reference out, an 856 or 810 "
                        "echoing it is held. Check the profile's [x12] version against the version the partner sends.",
                        row, seg="REF", element="REF02", value=value, position=False))
                firsts.add(q)
    return out


# the elements of our 856, 810 and 880 that carry back a PO's value as sent (its references, its PO number): one too
# long for the document's version is what echoes_too_long (VALUE_TOO_LONG_TO_ECHO) warned of at intake
ECHOED_ELEMENTS = {"REF02": "reference", "N902": "reference", "PRF01": "PO number", "BIG04": "PO number",
                   "G0104": "PO number"}


def values_sent(orders: Iterable[Mapping]) -> frozenset[str]:
    """The values ORDERS rows ``orders`` hold that our 855, 856 and 810 carry back as the PO sent them: each one's PO
    number and every heading reference (schemas.orders.order_ref_elements' REF02s, and refs_sent's as sent)."""
    from schemas.orders import order_ref_elements

    out: set[str] = set()
    for order in orders:
        out.add(order.get("po_number") or "")
        out.update(elements[1] for elements in order_ref_elements(order) if len(elements) > 1)
        out.update(r.get("id") or "" for r in order.get("refs_sent") or ())  # each as sent, an 860's earlier too
    return frozenset(v for v in out if v)


def echo_held_because(found: Iterable[Finding], sent: Collection[str]) -> str:
    """What a document held for the findings ``found`` of validate_outbound owes to a PO's value too long for the
    profile's version (an ELEMENT_TOO_LONG at one of ECHOED_ELEMENTS whose value is one of ``sent``, the values its
    POs sent: values_sent; not a bill of lading of the warehouse's), in words naming the intake warning that said so
    (VALUE_TOO_LONG_TO_ECHO) and what to do; "" when it owes nothing to one."""
    long = [f for f in found if f.code == "ELEMENT_TOO_LONG" and f.location.element in ECHOED_ELEMENTS
            and f.location.value in sent]
    if not long:
        return ""
    said = ", ".join(f"{f.location.element} {f.location.value!r} ({len(f.location.value or '')} characters)"
                     for f in long[:3])
    return (f" The PO's {ECHOED_ELEMENTS[long[0].location.element]} sent back ({said}) does not fit the profile's "
            "version: VALUE_TOO_LONG_TO_ECHO said so when the PO was taken. Check the profile's [x12] version against "
            "the version the partner sends, or leave the qualifier out of the document's order_refs.")


# --- the backstop: no control character inside a value we send ----------------------------------------------------
def controls_in_text(text: str, d: Delimiters) -> list[str]:
    """The elements of ``text`` (segments rendered with ``d``: each with its terminator and the profile's suffix)
    that hold a control character (C0, DEL, C1: schemas.charsets), each as "N102 'ACME\\tCorp'" (the value
    escaped), at most MOST_SAID of them; [] for a document fit to send. The delimiters and the suffix are no
    values: a partner's non-printable separators (0x1D, 0x1F ...) and the line break after each terminator are
    allowed. One C-speed pass (str.isprintable) for the usual document."""
    if text.isprintable():
        return []
    ours = "".join(ch for ch in {d.element, d.component, d.segment, d.repetition, *d.suffix} if ch)
    rest = text
    for ch in ours:
        if not ch.isprintable():
            rest = rest.replace(ch, "")
    if not has_control(rest):
        return []
    said: list[str] = []
    for segment in text.split(d.segment):
        segment = segment.lstrip(d.suffix) if d.suffix else segment
        if not has_control(_no_delimiters(segment, ours)):
            continue
        elements = segment.split(d.element)
        for at, value in enumerate(elements[1:], 1):
            if has_control(_no_delimiters(value, ours)):
                said.append(f"{elements[0][:3]}{at:02d} {value!r}")
        if len(said) >= MOST_SAID:
            break
    return said[:MOST_SAID] or ["(between segments)"]


def controls_in_segments(segments: Iterable[Sequence[object]]) -> list[str]:
    """controls_in_text of segments not yet rendered (lists of values, a composite's as a tuple/list): the
    elements whose value holds a control character, as "AK404 'x\\n'"."""
    said: list[str] = []
    for seg in segments:
        for at, value in enumerate(seg[1:], 1):
            parts = value if isinstance(value, (tuple, list)) else (value,)
            text = "".join("" if p is None else str(p) for p in parts)
            if seg[0] == "ISA":
                continue  # fixed width, its delimiters among its values: checked rendered (controls_in_text)
            if has_control(text):
                said.append(f"{seg[0]}{at:02d} {text!r}")
                if len(said) >= MOST_SAID:
                    return said
    return said


def _no_delimiters(text: str, ours: str) -> str:
    for ch in ours:
        text = text.replace(ch, "")
    return text


MOST_SAID = 5


def controls_held(what: str, elements: list[str], source_file: str = "", value: str | None = None, *,
                  party: str = "PARTNER", reader: str = "partner") -> Finding:
    """OUTBOUND_CONTROL_CHARACTER: the document ``what`` ("856 for PO 4500012345") is held, not sent. ``party``: how
    `orderbridge release-held` names whose it is (a warehouse's 997: "--warehouse ryder"); ``reader``: who reads it."""
    from schemas.findings import finding

    return finding("OUTBOUND_CONTROL_CHARACTER", f"The {what} is held, not sent: a value holds a control "
                   f"character, which the {reader}'s translator would refuse or split the segment at: "
                   f"{'; '.join(elements)}. Our documents write a blank for it where a value enters them "
                   "(CONTROL_CHARACTER_REPLACED); this one got past that: report it as a defect. It stays held until "
                   f"`orderbridge release-held {party} --by NAME` sends it with a blank for each (the next run).",
                   file=source_file, value=value)
