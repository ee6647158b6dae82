"""Night 2's partner 997s for the demo: what ACME and INITECH answer to the documents night 1 sent
them (GLOBEX answers nothing: its documents go overdue). Reads the state store of a demo workspace
(after `orderbridge demo`; only night 1's documents count, which night 2's inputs do not change) and
writes sample_files/drops-day2/<partner>/<partner>-997-night1.x12.

    .venv/bin/python scripts/make_partner_acks.py demo-workspace

Run it again when night 1's documents change (control numbers, new document types):
tests/test_demo_finance.py fails when an answer here names nothing night 1 sent (but the deliberate
stray one). The answers, per partner: ACME accepts its 855s (the second with an error noted: a
PO105 code it does not know), rejects its first 856 (a TD1 weight it cannot read), accepts its 810s
but the first (accepted with errors), and acknowledges a group we never sent (an FA_UNMATCHED
finding); INITECH rejects its first 855 (an ACK05 date its system refuses) and accepts the rest.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from connectors.state import StateStore  # noqa: E402
from engine.envelope import Envelope, wrap  # noqa: E402
from flows.workspace import Workspace  # noqa: E402
from parsers.x12_reader import read_interchanges  # noqa: E402

NIGHT1 = "2026-11-27T02:00:00"
SENT_AT = datetime(2026, 11, 27, 14, 5)  # when the partners' systems wrote their 997s
FUNCTIONAL = {"855": "PR", "856": "SH", "810": "IN"}
STRAY_GS06 = "990001"  # ACME acknowledges a group we never sent

# (partner, document type, index among night 1's documents of that type) -> (AK5 status, notes)
# a note: (segment id, AK304 code, [(element position, data element, AK403 code, bad value)])
ANSWERS = {
    ("acme", "855", 1): ("E", [("PO1", "8", [(5, "639", "7", None)])]),
    ("acme", "856", 0): ("R", [("TD1", "8", [(7, "81", "6", "12.5KG")])]),
    ("acme", "810", 0): ("E", [("ITD", "8", [(13, "352", "1", None)])]),
    ("initech", "855", 0): ("R", [("ACK", "8", [(5, "373", "8", None)])]),
}
SET_CODES = {"R": ["5"], "E": []}  # AK502: one or more segments in error


def _segments(content: bytes) -> list[list[str]]:
    parsed = read_interchanges(content)
    ic = parsed.interchanges[0]
    ts = ic.groups[0].transactions[0]
    return parsed.segments.rows(ts.start, ts.end)


def _notes(content: bytes, notes: list) -> list[list[str]]:
    """AK3/AK4 segments naming real positions (and, when no bad value is given, the real value)."""
    rows = _segments(content)
    out = []
    for seg_id, code, elements in notes:
        pos = next((i for i, s in enumerate(rows, start=1) if s and s[0] == seg_id), None)
        if pos is None:
            continue
        out.append(["AK3", seg_id, str(pos), "", code])
        for el_pos, ref, el_code, bad in elements:
            value = bad if bad is not None else (rows[pos - 1][el_pos] if len(rows[pos - 1]) > el_pos else "")
            out.append(["AK4", str(el_pos), ref, el_code, value])
    return out


def answers(store: StateStore, partner: str) -> list[list[list[str]]]:
    """One 997 body per night-1 group of ours (855, 856, 810), in the order they were sent."""
    docs = [d for d in store.documents(partner) if d.created_at == NIGHT1 and d.doc_type in FUNCTIONAL
            and d.status == "delivered"]
    seen: dict[str, int] = {}
    bodies = []
    for d in sorted(docs, key=lambda d: d.id):
        k = seen.get(d.doc_type, 0)
        seen[d.doc_type] = k + 1
        status, notes = ANSWERS.get((partner, d.doc_type, k), ("A", []))
        body = [["AK1", FUNCTIONAL[d.doc_type], d.gs06], ["AK2", d.doc_type, d.st02], *_notes(d.content, notes),
                ["AK5", status, *SET_CODES.get(status, [])],
                ["AK9", "R" if status == "R" else status, "1", "1", "0" if status == "R" else "1"]]
        bodies.append(body)
    if partner == "acme":
        bodies.append([["AK1", "SH", STRAY_GS06], ["AK2", "856", "9901"], ["AK5", "A"], ["AK9", "A", "1", "1", "1"]])
    return bodies


def main(workspace: str) -> None:
    ws = Workspace(Path(workspace).resolve())
    profiles = ws.partners()
    store = StateStore(ws.state_url)
    try:
        for partner in ("acme", "initech"):
            bodies = answers(store, partner)
            x = profiles[partner].x12
            env = Envelope(sender_qualifier=x.their_qualifier, sender_id=x.their_id, receiver_qualifier=x.our_qualifier,
                           receiver_id=x.our_id, gs_sender=x.their_gs_id, gs_receiver=x.our_gs_id, version=x.version,
                           usage=x.usage, delimiters=x.delimiters.to_delimiters())
            content = wrap(env, "FA", "997", bodies, isa13=7001, gs06=7001, st02s=list(range(1, len(bodies) + 1)),
                           now=SENT_AT)
            out = REPO / "sample_files" / "drops-day2" / partner / f"{partner}-997-night1.x12"
            out.write_bytes(content)
            print(f"{out.relative_to(REPO)}: {len(bodies)} acknowledgment(s)")
    finally:
        store.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "demo-workspace")
