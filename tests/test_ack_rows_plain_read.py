"""ACKNOWLEDGED's ACK rows read from our own 855s and 865s split by Arrow's kernels alone
(engine.finance_inputs._plain_segments) are the rows the X12 reader's parse gives: on the demo's
delivered answers (855s of two nights, 865s, revised 855s) the column path is taken and agrees; on
documents it must not read that way (a document without its last terminator, garbage after the IEA,
a TA1, other delimiters, a missing SE, trailing component separators, bytes that are not UTF-8) it
steps aside and the reader reads them; on shapes it reads (line breaks, indentation, empty segments,
several documents) it agrees."""

from __future__ import annotations

from datetime import datetime

import pyarrow as pa
import pytest

from connectors.state import StateStore
from engine import finance_inputs
from tests.support import shipping_demo

NIGHT = datetime(2026, 11, 27, 2)
ISA = "ISA*00*          *00*          *ZZ*ORDERBRIDGE    *ZZ*ACMERETAIL     *261127*0200*U*00401*{isa13}*0*P*>~"
SET_855 = ("GS*PR*ORDERBRIDGE*ACMERETAIL*20261127*0200*21*X*004010~ST*855*0001~BAK*00*AD*PO-1*20261126~"
           "PO1*1*12*EA*5.81*PE*UP*111~ACK*IA*12*EA*068*20261210~PO1*7*3*EA*2*PE*UP*222~ACK*IR*0*EA~"
           "PO1*8*4*EA*5.81*PE*UP*333~ACK**4*EA~ACK*IA*4*EA*068*20261210~CTT*3~SE*10*0001~GE*1*21~")
SET_865 = ("GS*CA*ORDERBRIDGE*ACMERETAIL*20261127*0200*22*X*004010~ST*865*0002~BCA*01*AC*PO-2*20261126~"
           "POC*1*CA*12*0*EA*7.25~ACK*IA*10*EA*068*20261211~SE*5*0002~GE*1*22~")


def _document(isa13: str = "000000021", body: str = SET_855 + SET_865, groups: int = 2) -> str:
    return ISA.format(isa13=isa13) + body + f"IEA*{groups}*{isa13}~"


def _docs(*contents: str | bytes) -> pa.Table:
    raw = [c if isinstance(c, bytes) else c.encode() for c in contents]
    n = len(raw)
    return pa.table({"partner": ["acme"] * n, "document_id": pa.array(range(1, n + 1), pa.int64()),
                     "doc_type": ["855"] * n, "isa13": [f"{21 + i:09d}" for i in range(n)],
                     "file": [f"f{i}.x12" for i in range(n)], "sent_at": pa.array([NIGHT] * n, pa.timestamp("s")),
                     "content": pa.array(raw, pa.binary())})


def _both(docs: pa.Table, monkeypatch) -> tuple[pa.Table, pa.Table]:
    """(_ack_rows as it reads, _ack_rows with the X12 reader's parse)."""
    got = finance_inputs._ack_rows("acme", docs)
    with monkeypatch.context() as m:
        m.setattr(finance_inputs, "_plain_segments", lambda content: None)
        want = finance_inputs._ack_rows("acme", docs)
    return got, want


PLAIN = {
    "as written": [_document()],
    "line breaks": [_document().replace("~", "~\n")],
    "CR LF and indentation": [_document().replace("~", "~\r\n  ")],
    "empty segments": [_document().replace("CTT*3~", "CTT*3~~\n~")],
    "several documents": [_document("000000021", SET_855, 1), _document("000000022", SET_865, 1) + "\n"],
    "an ACK before the set's first line": [_document(body=SET_855.replace("BAK*00*AD*PO-1*20261126~",
                                                                          "BAK*00*AD*PO-1*20261126~ACK*IA*1~"))],
    "a segment id of four letters": [_document().replace("CTT*3~", "CTTX*3~")],
    "blanks inside elements": [_document().replace("ACK*IA*12*EA", "ACK* IA * 12 *EA ")],
    "a set of another type": [_document(body=SET_855 + SET_865.replace("ST*865", "ST*856"))],
    "a unicode blank before a segment": [_document().replace("~PO1*7", "~\u2003PO1*7")],
    "line breaks ending segments": [_document().replace("~", "\n")[:-1], _document("000000022").replace("~", "\n")],
    "carriage returns ending segments": [_document().replace("~", "\r") + "\n",
                                         _document("000000022").replace("~", "\r")],
}
READER = {
    "no terminator at the end": [_document()[:-1], _document("000000022")],
    "garbage after the IEA": [_document() + "NOTX12"],
    "a TA1": [_document().replace(SET_865, "TA1*000000021*261127*0200*A*000~" + SET_865)],
    "other delimiters in another document": [_document(), _document("000000022").replace("*", "|").replace("~", "^")],
    "another ISA with other delimiters": [_document() + _document("000000022").replace("*", "|")],
    "a missing SE": [_document().replace("SE*10*0001~", "")],
    "a segment outside every set": [_document().replace("GE*1*21~", "GE*1*21~CTT*1~")],
    "trailing component separators": [_document().replace("~", ">~")],
    "bytes that are not UTF-8": [_document().encode().replace(b"PO-1", b"PO-\xe9")],
    "an element separator that is a letter": [_document().replace("*", "X")],
    "no ISA": [_document()[_document().index("GS*"):]],
    "carriage returns ending segments, one document without its last":
        [_document().replace("~", "\r")[:-1], _document("000000022").replace("~", "\r")],
    "a space ending segments": [_document().replace("~", " \n")],
}


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_documents_as_we_write_them_are_split_in_columns_into_the_readers_rows(name, monkeypatch):
    docs = _docs(*PLAIN[name])
    assert finance_inputs._plain_segments(docs["content"].combine_chunks()) is not None, name
    got, want = _both(docs, monkeypatch)
    assert got.equals(want), name


@pytest.mark.parametrize("name", sorted(READER))
def test_documents_the_column_split_would_read_otherwise_are_left_to_the_reader(name, monkeypatch):
    docs = _docs(*READER[name])
    assert finance_inputs._plain_segments(docs["content"].combine_chunks()) is None, name
    got, want = _both(docs, monkeypatch)
    assert got.equals(want), name


def test_the_demos_delivered_answers_are_read_in_columns_as_the_reader_reads_them(tmp_path, monkeypatch):
    ws = shipping_demo(tmp_path / "ws")["ws"]
    state = StateStore(ws.state_path)
    try:
        documents = state.sent_documents(finance_inputs.ANSWERS)
        lines = state.finance_lines(finance_inputs.LINE_COLUMNS)
    finally:
        state.close()
    keys = list(zip(documents["partner"].to_pylist(), documents["document_id"].to_pylist(), strict=True))
    assert keys == sorted(keys) and keys != sorted(keys, key=lambda k: k[1])  # partner, id (read in id order)
    partners = sorted(set(documents["partner"].to_pylist()))
    assert len(partners) > 1 and set(documents["doc_type"].to_pylist()) == {"855", "865"}
    for partner in partners:
        mine = documents.filter(pa.compute.equal(documents["partner"], partner))
        assert finance_inputs._plain_segments(mine["content"].combine_chunks()) is not None, partner
        got = finance_inputs._ack_rows(partner, mine)
        with monkeypatch.context() as m:
            m.setattr(finance_inputs, "_plain_segments", lambda content: None)
            want = finance_inputs._ack_rows(partner, mine)
        assert got.num_rows and got.equals(want), partner
    acknowledged = finance_inputs.acknowledged(documents, lines)
    monkeypatch.setattr(finance_inputs, "_plain_segments", lambda content: None)
    assert acknowledged.num_rows and acknowledged.equals(finance_inputs.acknowledged(documents, lines))


def test_an_acknowledged_price_is_the_documents_else_the_lines_agreed_else_ordered_price():
    """PO104 (POC06) when the document has it; else the line's ack_price, else its unit price (read as money
    only when a document leaves a price out)."""
    lines = pa.table({"partner": ["acme"] * 4, "po_number": ["PO-1", "PO-1", "PO-1", "PO-2"],
                      "line_number": pa.array([1, 7, 8, 1], pa.int32()), "line_id": ["1", "7", "8", "1"],
                      "unit": ["EA"] * 4, "unit_price": ["5.81", "2", "9.5", "7.25"],
                      "ack_price": [None, "1.5", None, None]})
    priced = finance_inputs.acknowledged(_docs(_document()), lines)
    assert [str(v) for v in priced["unit_price"].to_pylist()] == ["5.810000", "2.000000", "5.810000", "7.250000"]
    unpriced = _document().replace("PO1*7*3*EA*2*PE", "PO1*7*3*EA**PE").replace("PO1*8*4*EA*5.81*PE", "PO1*8*4*EA**PE")
    t = finance_inputs.acknowledged(_docs(unpriced), lines)
    assert [str(v) for v in t["unit_price"].to_pylist()] == ["5.810000", "1.500000", "9.500000", "7.250000"]
