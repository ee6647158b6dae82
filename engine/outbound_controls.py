"""What we send never carries a control character (a tab, CR, LF, NUL, a C1 code): which values of a document about
to be numbered hold one (``controls``: flows.documents' hold holds such a document, OUTBOUND_CONTROL_CHARACTER), and
the document with each run of them written as one blank (``blanked``: what `orderbridge release-held` sends; a CSV
acknowledgment cell by cell in its layout, ``blanked_csv``). Pure: documents in, names and documents out."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import TYPE_CHECKING

from parsers.x12_writer import Segment
from rules.outbound import MOST_SAID, controls_in_segments, controls_in_text
from schemas.charsets import has_control, without_controls
from schemas.lifecycle import PlannedDocument
from schemas.x12 import Delimiters

if TYPE_CHECKING:
    from engine.envelope import Envelope
    from schemas.fulfilment import CsvAckSettings


def named(doc: PlannedDocument) -> tuple[list[str], str]:
    """The POs ``doc`` answers (in order, once each) and the words naming it ("855 for PO A, B"; its type alone)."""
    pos = list(dict.fromkeys(s.po_number for s in doc.sets if s.po_number))
    return pos, f"{doc.doc_type} for PO {', '.join(pos)}" if pos else doc.doc_type


def set_bodies(doc: PlannedDocument) -> list[list[Segment]]:
    """The document's transaction-set bodies as the writer takes them (a TA1: its one segment)."""
    if doc.doc_type == "TA1":
        return [[list(doc.ta1)]]
    return [[list(seg) for seg in s.body] for s in doc.sets]


def controls(doc: PlannedDocument) -> list[str]:
    """The values of ``doc`` holding a control character (rules.outbound.controls_in_text), [] for a document fit to
    send: the sets rendered by their planner (855s, 856s, 810s: one pass over their text), those still segments
    (997s, TA1s, 865s), a CSV acknowledgment's cells (its line breaks between rows are no value's)."""
    if doc.content:
        text = doc.content.decode("utf-8", "replace")
        if text.replace("\r", "").replace("\n", "").isprintable() and '"' not in text and "'" not in text:  # no
            # quoted cell: a line break ends a row
            return []
        head = text.split("\n", 1)[0]
        sep = max(",;\t|", key=head.count)  # the acknowledgment's delimiter (its header row has the most)
        return [f"row {n} {cell!r}" for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=sep),
                                                            1) for cell in row if has_control(cell)][:MOST_SAID]
    said = controls_in_text("".join(s.text for s in doc.sets if s.text), doc.delimiters) \
        if doc.delimiters is not None and any(s.text for s in doc.sets) else []
    for body in set_bodies(doc):
        said += controls_in_segments(body)
    return said[:MOST_SAID]


# the envelope's values an answer to a warehouse echoes from the 945 it answers (engine.warehouse_acks.envelope_of)
_ECHOED = (("ISA06", "sender_id"), ("ISA08", "receiver_id"), ("GS02", "gs_sender"), ("GS03", "gs_receiver"))


def envelope_controls(env: Envelope) -> list[str]:
    """The values of an answer's envelope holding a control character ("ISA08 'NORTH\\t3PL'"), [] for one fit to
    send: a warehouse's 997 or TA1 is addressed with the ids its 945 used (a partner's come from its profile)."""
    return [f"{name} {value!r}" for name, field in _ECHOED if has_control(value := getattr(env, field))]


def blanked_envelope(env: Envelope) -> Envelope:
    """``env`` with each run of control characters in an echoed id one blank (as ``blanked`` writes values)."""
    return replace(env, **{field: without_controls(getattr(env, field)) for _name, field in _ECHOED})


def blanked(doc: PlannedDocument, csv_layout: CsvAckSettings | None = None) -> PlannedDocument:
    """``doc`` with each run of control characters in a value, and the blanks around it, written as one blank (none
    at either end: schemas.charsets.without_controls), as the values' sources write them: what a document held for
    one (OUTBOUND_CONTROL_CHARACTER) is sent as once ops ask (release_blanked). The delimiters and the line break
    after each terminator of a set rendered by its planner are kept; an ISA is left as it is. A CSV acknowledgment
    is blanked cell by cell in ``csv_layout``, the partner's (blanked_csv); returned as it is when that is not the
    layout it was written in, or no layout is given."""
    if doc.content:
        content = blanked_csv(doc.content, csv_layout) if csv_layout is not None else None
        return replace(doc, content=content) if content is not None else doc
    d = doc.delimiters
    seps = [c for c in (d.repetition, d.component) if c] if d is not None else []
    sets = tuple(replace(s, body=tuple(_blank_segment(seg) for seg in s.body),
                         text=_blank_text(s.text, d, seps) if s.text and d is not None else s.text) for s in doc.sets)
    return replace(doc, sets=sets, ta1=tuple(_blank_value(v, []) for v in doc.ta1))


def _blank_value(value, seps: list[str]):
    if not isinstance(value, str):
        return value
    if not seps:
        return without_controls(value)
    return seps[0].join(_blank_value(part, seps[1:]) for part in value.split(seps[0]))


def _blank_segment(seg):
    if not seg or seg[0] == "ISA":
        return seg
    return type(seg)(v if k == 0 else tuple(_blank_value(p, []) for p in v) if isinstance(v, (tuple, list)) else
                     _blank_value(v, []) for k, v in enumerate(seg))


def _blank_text(text: str, d: Delimiters, seps: list[str]) -> str:
    out = []
    for segment in text.split(d.segment):
        body = segment.lstrip(d.suffix) if d.suffix else segment
        lead = segment[:len(segment) - len(body)]
        elements = body.split(d.element)
        out.append(lead + d.element.join([elements[0], *(_blank_value(v, seps) for v in elements[1:])]))
    return d.segment.join(out)


def blanked_csv(content: bytes, layout: CsvAckSettings) -> bytes | None:
    """A CSV acknowledgment (engine.csv_ack: ``layout``'s encoding, delimiter, quote character and row terminator,
    cells quoted where they need it) with each cell's runs of control characters one blank, written again in the
    same layout: a row without one comes out byte for byte, a cell quoted only for its line break unquoted. None
    when ``content`` is not written in ``layout`` (read and written again unchanged it would differ: the profile's
    layout changed since), so nothing is sent in another shape than the partner's."""
    text = content.decode(layout.encoding, "surrogateescape")
    dialect = {"delimiter": layout.delimiter, "quotechar": layout.quotechar}
    rows = list(csv.reader(io.StringIO(text, newline=""), **dialect))

    def written(table: list[list[str]]) -> str:
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator=layout.line_terminator, quoting=csv.QUOTE_MINIMAL, **dialect).writerows(table)
        return buf.getvalue()

    if written(rows) != text:
        return None
    return written([[without_controls(cell) for cell in row] for row in rows]).encode(layout.encoding,
                                                                                      "surrogateescape")
