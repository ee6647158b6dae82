"""997/TA1/855 built from findings; our own documents read back cleanly with right counts."""

from __future__ import annotations

from datetime import datetime

from engine.envelope import envelope_for, wrap, wrap_ta1
from engine.process import Known, process_file
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.envelope import Acceptance, check_envelopes
from schemas.orders import ORDER_LINES, ORDERS
from schemas.profile import load_profiles
from tests.support import GOOD_PO, REPO, TODAY, x12_850

PROFILES = load_profiles(REPO / "partners")
NOW = datetime(2026, 11, 27, 2, 0)
OURS = Acceptance(sets={"FA": frozenset({"997"}), "PR": frozenset({"855"})})


def run(data, partner="acme", known=Known()):
    return process_file(data, file="t.x12", sha256="sha", profile=PROFILES[partner], known=known, today=TODAY)


def render(out, partner="acme"):
    env = envelope_for(PROFILES[partner])
    docs = {}
    for n, d in enumerate(out.documents, start=1):
        if d.doc_type == "TA1":
            docs[d.doc_type] = wrap_ta1(env, list(d.ta1), isa13=n, now=NOW)
        else:
            set_id = {"FA": "997", "PR": "855"}[d.functional_id]
            docs[d.doc_type] = wrap(env, d.functional_id, set_id, [list(b) for b in d.bodies], isa13=n, gs06=n,
                                    st02s=list(range(1, len(d.bodies) + 1)), now=NOW)
    return docs


def segments(data):
    return read_interchanges(data).segments.elements.to_pylist()


def test_clean_po_gets_accepting_997_and_is_handed_on():
    out = run(x12_850(GOOD_PO))
    assert out.disposition == "processed" and out.error_count == 0
    docs = render(out)
    assert set(docs) == {"997"}  # the 855 comes after the business rules (engine.decide)
    segs = segments(docs["997"])
    assert ["AK1", "PO", "1"] in segs and ["AK2", "850", "0001"] in segs and ["AK5", "A"] in segs
    assert ["AK9", "A", "1", "1", "1"] in segs
    assert out.accepted_orders == ["000000001-1-0001"] and out.lines.num_rows == 2


def test_855_lines_echo_the_po_and_carry_ack_parts():
    from decimal import Decimal

    from engine.po_ack import AckPart, LineAck, build_855

    result = read_interchanges(x12_850(GOOD_PO))
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme")
    acks = [LineAck("IA", ship_date=TODAY),
            LineAck("BP", parts=(AckPart("BP", Decimal(4), TODAY), AckPart("IB", Decimal(2), TODAY)))]
    body = build_855(orders.to_pylist()[0], lines.to_pylist(), acks, today=TODAY)
    assert body[0][:4] == ["BAK", "00", "AC", "PO-1"]
    assert body[1][:4] == ["PO1", "1", "12", "EA"] and body[2] == ["ACK", "IA", "12", "EA", "068", "20261127"]
    assert body[4:6] == [["ACK", "BP", "4", "EA", "068", "20261127"], ["ACK", "IB", "2", "EA", "068", "20261127"]]
    assert build_855(orders.to_pylist()[0], lines.to_pylist(), [LineAck("IR")] * 2, today=TODAY)[0][2] == "RD"
    assert build_855(orders.to_pylist()[0], lines.to_pylist(), [LineAck("IA")] * 2, today=TODAY)[0][2] == "AD"


def test_broken_po_gets_rejecting_997_and_no_855():
    body = ["BEG*00*SA*PO-1**20261332"] + GOOD_PO[1:]
    out = run(x12_850(body, se_count=5))
    assert out.disposition == "quarantine"
    segs = segments(render(out)["997"])
    assert ["AK3", "BEG", "2", "", "8"] in segs
    assert ["AK4", "5", "373", "8", "20261332"] in segs
    assert ["AK5", "R", "4", "5"] in segs
    assert ["AK9", "R", "1", "1", "0"] in segs
    assert out.accepted_orders == [] and out.orders.num_rows == 0


def test_ta1_when_requested_and_when_envelope_broken():
    out = run(x12_850(GOOD_PO, ack="1"))
    assert segments(render(out)["TA1"])[1] == ["TA1", "000000001", "261127", "1200", "A", "000"]
    out = run(x12_850(GOOD_PO, iea02="000000077"))
    assert segments(render(out)["TA1"])[1][4:] == ["E", "001"]  # accepted with errors; groups still answered
    assert "997" in render(out)
    bad_date = x12_850(GOOD_PO).replace(b"*261127*1200*", b"*261399*1200*")
    out = run(bad_date)
    docs = render(out)
    assert segments(docs["TA1"])[1][4:] == ["R", "014"] and "997" not in docs and "855" not in docs


def test_our_documents_read_back_without_errors():
    for partner in PROFILES:
        if "850" not in PROFILES[partner].accepts:
            continue  # a CSV order partner (umbrella) sends no 850s: tests/test_csv_partner.py
        x = PROFILES[partner].x12
        data = x12_850(GOOD_PO).replace(b"ZZ*ACMERETAIL     ", f"{x.their_qualifier}*{x.their_id:<15}".encode())
        data = data.replace(b"ZZ*ORDERBRIDGE    *", f"{x.our_qualifier}*{x.our_id:<15}*".encode())
        data = data.replace(b"*004010~", f"*{x.version}~".encode()).replace(b"*P*>", f"*{x.usage}*>".encode())
        out = run(data, partner, Known())
        assert out.error_count == 0, [f.code for f in out.findings]
        docs = render(out, partner)
        from engine.po_ack import LineAck, build_855

        result = read_interchanges(data)
        orders, lines = read_orders(result, list(result.transaction_sets()), partner=partner)
        body = build_855(orders.to_pylist()[0], lines.to_pylist(), [LineAck("IA")] * 2, today=TODAY)
        docs["855"] = wrap(envelope_for(PROFILES[partner]), "PR", "855", [body], isa13=9, gs06=9, st02s=[1], now=NOW)
        assert set(docs) >= {"997", "855"}
        for doc_type, content in docs.items():
            result = read_interchanges(content)
            problems = [f for f in result.findings + check_envelopes(result, OURS) if f.severity == "error"]
            assert problems == [], (partner, doc_type, problems)
            ic = result.interchanges[0]
            assert ic.delimiters.element == x.delimiters.element
            assert ic.version == x.version[:5]
            for g in ic.groups:
                assert g.trailer_count == str(len(g.transactions)) and g.trailer_control == g.control_number


def test_canonical_tables_have_lineage_and_decimals():
    result = read_interchanges(x12_850(GOOD_PO), file="in.x12")
    orders, lines = read_orders(result, list(result.transaction_sets()), partner="acme", source_sha256="abc")
    assert orders.schema == ORDERS and lines.schema == ORDER_LINES
    o = orders.to_pylist()[0]
    assert (o["po_number"], o["currency"], o["ship_to_id"], o["ship_to_postal_code"], o["line_count"]) == \
        ("PO-1", "USD", "DC07", "43215", 2)
    first = lines.to_pylist()[0]
    assert str(first["unit_price"]) == "2.5000" and first["upc"] == "073000040482" and first["vendor_part"] == "SKU-1"
    assert first["description"] == "WIDGET" and first["segment_position"] == 8 and first["file_segment"] == 10
    assert (first["source_file"], first["isa13"], first["gs06"], first["st02"]) == ("in.x12", "000000001", "1", "0001")
    assert [p["qualifier"] for p in first["product_ids"]] == ["UP", "VN"]


def test_foreign_sender_is_not_processed():
    out = run(x12_850(GOOD_PO), partner="globex")
    assert "PARTNER_SENDER_MISMATCH" in {f.code for f in out.findings}
    assert out.documents == [] and out.disposition == "quarantine" and out.orders.num_rows == 0


def test_duplicate_interchange():
    known = Known(interchanges=frozenset({("ACMERETAIL", "000000001")}))
    out = run(x12_850(GOOD_PO), known=known)
    assert "ISA_DUPLICATE" in {f.code for f in out.findings}
    assert [d.doc_type for d in out.documents] == ["TA1"] and out.orders.num_rows == 0


def test_same_inputs_same_bytes():
    a, b = render(run(x12_850(GOOD_PO))), render(run(x12_850(GOOD_PO)))
    assert a == b
