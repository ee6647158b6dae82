"""What intake used to work out in the flow, now the engine's (pure: tables and findings in, a table or a Known
out; flows.intake loads and applies): the sets a partner's TA1 may answer (engine.partner_acks.with_our_997s,
our 997s beside the sets its 997s acknowledge) and which earlier interchanges a piece of a file read in pieces is
told again knowing the acknowledgments of (engine.process.duplicated_earlier, again_with_acks)."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa

from engine.partner_acks import name_interchanges, names_interchanges, with_our_997s
from engine.process import Known, ack_content, again_with_acks, duplicated_earlier, with_acks
from schemas.findings import finding
from schemas.functional_acks import ACK_CONTENT, SENT_SETS

AT = datetime(2026, 12, 1, 2, 0)


def _sent() -> pa.Table:
    return pa.table({"partner": ["acme"], "doc_type": ["856"], "functional_id": ["SH"], "isa13": ["000000007"],
                     "gs06": ["7"], "st02": ["0001"], "sent_at": [AT], "file": ["acme-856-7.x12"],
                     "po_number": ["PO-1"], "document_ref": ["SHP-1"]}, schema=SENT_SETS)


def _our_997s() -> pa.Table:  # the sent rows of set 997, as the state store gives them (more columns than read)
    return pa.table({"partner": ["acme"], "set_id": ["997"], "isa13": ["000000009"], "gs06": ["9"], "st02": ["0001"],
                     "sent_at": pa.array([AT], pa.timestamp("s")), "file": ["acme-997-9.x12"],
                     "po_number": pa.nulls(1, pa.string()), "doc_key": ["997:x"]})


def _ta1(ours: str):
    return finding("FA_INTERCHANGE_REJECTED", f"This TA1 rejects our interchange {ours}.", element="TA104",
                   value=ours, isa13="000000123")


def test_a_ta1_may_answer_the_sets_our_997s_went_in_beside_those_its_997s_acknowledge():
    both = with_our_997s(_sent(), _our_997s())
    assert both.schema == SENT_SETS
    assert both.to_pylist()[0] == _sent().to_pylist()[0]  # the acknowledged sets first, as they were
    assert both.to_pylist()[1] == {"partner": "acme", "doc_type": "997", "functional_id": "FA", "isa13": "000000009",
                                   "gs06": "9", "st02": "0001", "sent_at": AT, "file": "acme-997-9.x12",
                                   "po_number": None, "document_ref": None}
    [named] = name_interchanges([_ta1("9")], both)  # TA101 compared by value
    assert named.message.endswith("It held our 997 (GS06 9 ST02 0001, file acme-997-9.x12).")
    assert with_our_997s(_sent(), _our_997s().slice(0, 0)).to_pylist() == _sent().to_pylist()


def test_sent_sets_are_read_for_a_ta1_naming_an_interchange_alone():
    assert names_interchanges([_ta1("9")])
    assert not names_interchanges([finding("ISA_DUPLICATE", "seen before", isa13="000000009")])
    assert not names_interchanges([_ta1("")])  # no TA101: name_interchanges names nothing either
    assert name_interchanges([_ta1("")], with_our_997s(_sent(), _our_997s())) == [_ta1("")]


def _ack_row(isa13: str) -> dict:
    return {c: "" for c in ACK_CONTENT} | {"ack_type": "997", "acked_isa13": isa13, "set_status": "A"}


def test_a_piece_is_told_again_with_the_acks_of_earlier_files_it_found_duplicated():
    known = Known(interchanges=frozenset({("S", "1"), ("S", "2"), ("S", "3")}),
                  this_file_interchanges=frozenset({("S", "3")}))
    found = [finding("ISA_DUPLICATE", "seen", isa13="1"), finding("ISA_DUPLICATE", "seen", isa13="3"),
             finding("ISA_DUPLICATE", "no number"), finding("ISA_REUSED", "old", isa13="2")]
    assert duplicated_earlier(known, found) == [("S", "1")]  # not one of this file's own, nor another code's
    assert duplicated_earlier(known, found[2:]) == []  # the usual piece: nothing asked
    assert again_with_acks(known, {}) is None  # the store holds no acknowledgments for them: not read again
    again = again_with_acks(known, {("S", "1"): [_ack_row("1")]})
    assert again == with_acks(known, {("S", "1"): [_ack_row("1")]})
    assert again.earlier_acks == {("S", "1"): ack_content([_ack_row("1")])}
    assert again.interchanges == known.interchanges and again.this_file_interchanges == known.this_file_interchanges
