"""A heading reference's REF03 (description) is kept beside its REF02 (ORDERS.ref_descriptions) and carried back.

REF's syntax note R0203 asks for REF02 or REF03: a trade distributor may state a job by its name alone
(REF*JB**MERCY CLINIC HVAC RETROFIT). Such a reference of a qualifier the partner's order_refs lists was dropped
from its 855, 856 and 810 without a word (only REF02 was kept); it is now written back as sent, REF*JB**text. A
REF02 with a REF03 is written back as before (REF02 alone: every partner's documents byte for byte as they were)
unless the partner's order_ref_descriptions lists its qualifier: then both. Orders stored before the column existed
read it as null."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from connectors.order_store import OrderStore
from engine.asn import build_856, order_refs, ref_segments
from engine.envelope import envelope_for, joined_body, usual_delimiters
from engine.invoice_heads import heads_810
from engine.po_ack import heading
from engine.shipments import confirmed_quantities
from schemas.fulfilment import AsnSettings, InvoiceSettings, PoAckSettings
from schemas.orders import ADDED_LATER, ORDERS, REF_DESCRIPTION, carried_ref, order_ref_elements
from schemas.x12 import Delimiters
from tests.shipping_support import PROFILES, wrap_for
from tests.test_fulfilment_chain import NOW
from tests.test_mark_for import accepted, maps, orders_of, shipped  # noqa: F401 (maps: a fixture)
from tests.test_order_refs import invoice_of, with_refs


def _described(text: str) -> list:
    orders, _ = orders_of(text)
    return orders.to_pylist()


@pytest.mark.parametrize("refs, job, described", [
    # a job stated by its name alone: no job number, its REF03 kept
    ("REF*JB**MERCY CLINIC HVAC RETROFIT", None, [{"qualifier": "JB", "description": "MERCY CLINIC HVAC RETROFIT"}]),
    # number and name: both kept
    ("REF*JB*J-24-0917*MERCY CLINIC", "J-24-0917", [{"qualifier": "JB", "description": "MERCY CLINIC"}]),
    # the REF the column holds (the first with a REF02) gives the REF03: its own (none here), not an earlier one's
    ("REF*JB**BY NAME~REF*JB*J-2", "J-2", None),
    ("REF*JB*J-1*FIRST~REF*JB*J-2*SECOND", "J-1", [{"qualifier": "JB", "description": "FIRST"}]),
    ("REF*JB**FIRST~REF*JB**SECOND", None, [{"qualifier": "JB", "description": "FIRST"}]),
    # in ORDER_REFS' order (DP before JB), whatever the order sent; a qualifier ORDER_REFS does not name after them,
    # in the order sent (a profile's order_refs may list any: REF*ZZ**OTHER is carried back as sent)
    ("REF*JB**JOB~REF*ZZ**OTHER~REF*DP*042*HOUSEWARES", None,
     [{"qualifier": "DP", "description": "HOUSEWARES"}, {"qualifier": "JB", "description": "JOB"},
      {"qualifier": "ZZ", "description": "OTHER"}]),
    # no REF03: null, as a PO without references
    ("REF*JB*J-24-0917~REF*DP*042", "J-24-0917", None),
])
def test_the_850_keeps_the_description_of_each_reference_it_carries_back(refs, job, described):
    first, *others = _described(with_refs(refs))
    assert first["job_number"] == job and first["ref_descriptions"] == described
    assert all(o["ref_descriptions"] is None for o in others)


def test_the_elements_carried_back_are_refo2_alone_unless_the_reference_is_its_description():
    order = {"job_number": None, "customer_order": "SO-1", "department": "042",
             "ref_descriptions": [{"qualifier": "JB", "description": "MERCY"},
                                  {"qualifier": "DP", "description": "HOUSEWARES"}]}
    assert order_ref_elements(order) == (("DP", "042", "HOUSEWARES"), ("CO", "SO-1"), ("JB", "", "MERCY"))
    assert [carried_ref(e) for e in order_ref_elements(order)] == [("DP", "042"), ("CO", "SO-1"), ("JB", "", "MERCY")]
    assert carried_ref(("DP", "042", "HOUSEWARES"), ("DP",)) == ("DP", "042", "HOUSEWARES")
    # a row without the column (stored before it) or without descriptions: the pairs it gave before
    assert order_ref_elements({"department": "042"}) == (("DP", "042"),)
    assert ref_segments(order_ref_elements(order), ("JB", "CO")) == [["REF", "CO", "SO-1"], ["REF", "JB", "", "MERCY"]]
    assert ref_segments(order_ref_elements(order), ("DP",), ("DP",)) == [["REF", "DP", "042", "HOUSEWARES"]]


def test_the_855_heading_writes_a_reference_stated_by_its_description():
    head = _described(with_refs("REF*JB**MERCY CLINIC~REF*CO*SO-1*STORE ORDER"))[0]
    assert [s for s in heading(head, PoAckSettings(order_refs=("JB", "CO"))) if s[0] == "REF"] == [
        ["REF", "CO", "SO-1"], ["REF", "JB", "", "MERCY CLINIC"]]
    assert [s for s in heading(head, PoAckSettings(order_refs=("JB", "CO"), order_ref_descriptions=("CO",)))
            if s[0] == "REF"] == [["REF", "CO", "SO-1", "STORE ORDER"], ["REF", "JB", "", "MERCY CLINIC"]]
    assert [s for s in heading(head, PoAckSettings(order_refs=("CO",))) if s[0] == "REF"] == [["REF", "CO", "SO-1"]]


def test_the_856_and_810_carry_back_a_reference_stated_by_its_description(tmp_path, maps):  # noqa: F811
    made = shipped(with_refs("REF*JB**MERCY CLINIC HVAC RETROFIT~REF*DP*042*HOUSEWARES"))
    shipments, confirmed, _orders, _lines = made
    first = shipments[0]
    assert first.orders[0].refs == (("DP", "042", "HOUSEWARES"), ("JB", "", "MERCY CLINIC HVAC RETROFIT"))
    want = [["REF", "DP", "042"], ["REF", "JB", "", "MERCY CLINIC HVAC RETROFIT"]]
    body = build_856(first, AsnSettings(order_refs=("DP", "JB")), created=NOW,
                     expected=confirmed_quantities(confirmed, first.shipment_id))
    assert [s for s in body if s[0] == "REF" and s[1] in ("DP", "JB")] == want
    invoice = invoice_of(made, InvoiceSettings(order_refs=("DP", "JB")))
    assert [s for s in invoice if s[0] == "REF" and s[1] in ("DP", "JB")] == want
    # a partner whose guide asks for the department's name beside its number
    body2 = build_856(first, AsnSettings(order_refs=("DP", "JB"), order_ref_descriptions=("DP",)), created=NOW,
                      expected=confirmed_quantities(confirmed, first.shipment_id))
    assert [s for s in body2 if s[0] == "REF" and s[1] == "DP"] == [["REF", "DP", "042", "HOUSEWARES"]]
    invoice2 = invoice_of(made, InvoiceSettings(order_refs=("DP", "JB"), order_ref_descriptions=("DP",)))
    assert [s for s in invoice2 if s[0] == "REF" and s[1] == "DP"] == [["REF", "DP", "042", "HOUSEWARES"]]
    for doc, kind, code in ((body, "856", "SH"), (body2, "856", "SH"), (invoice, "810", "IN"),
                            (invoice2, "810", "IN")):
        accepted(wrap_for(PROFILES["acme"], code, kind, [doc]), tmp_path, maps)


def test_a_po_whose_references_name_no_description_gets_the_documents_it_got_before():
    """Byte for byte: REF03 beside a REF02 is not written unless asked for (order_ref_descriptions)."""
    d = usual_delimiters(envelope_for(PROFILES["acme"]))

    def texts(text: str) -> list[str]:
        made = shipped(text)
        shipments, confirmed, _orders, _lines = made
        asn, inv = AsnSettings(order_refs=("DP", "JB")), InvoiceSettings(order_refs=("DP", "JB"))
        return [*(joined_body(build_856(s, asn, created=NOW, expected=confirmed_quantities(confirmed, s.shipment_id)),
                              *d) for s in shipments), joined_body(invoice_of(made, inv), *d)]

    assert texts(with_refs("REF*DP*042*HOUSEWARES~REF*JB*J-1*MERCY")) == texts(with_refs("REF*DP*042~REF*JB*J-1"))


def _heads(orders: pa.Table, settings: InvoiceSettings):
    return heads_810(orders, po_numbers=["P"], shipment_ids=[""], bills_of_lading=[""], ship_dates=[None],
                     invoice_date=date(2026, 12, 1), pending="#", settings=settings, terms=None, d=Delimiters())


def test_the_columnar_810_heads_leave_a_reference_written_with_its_description_to_the_one_by_one_810():
    described = pa.array([[{"qualifier": "JB", "description": "MERCY"}]], pa.list_(REF_DESCRIPTION))
    by_name = pa.table({"job_number": pa.array([None], pa.string()), "ref_descriptions": described})
    assert _heads(by_name, InvoiceSettings(order_refs=("JB",))) is None
    both = pa.table({"job_number": ["J-1"], "ref_descriptions": described})
    assert _heads(both, InvoiceSettings(order_refs=("JB",), order_ref_descriptions=("JB",))) is None
    heads = _heads(both, InvoiceSettings(order_refs=("JB",)))  # REF02 alone, as before: columnar
    assert heads is not None and "REF*JB*J-1~" in heads.after[0].as_py() and "MERCY" not in heads.after[0].as_py()
    assert _heads(by_name, InvoiceSettings(order_refs=("DP",))) is not None  # not asked for: nothing to write


def test_orders_stored_before_the_descriptions_read_them_as_null(tmp_path):
    orders, lines = orders_of(with_refs("REF*JB**MERCY"))
    assert "ref_descriptions" in ADDED_LATER
    store = OrderStore(tmp_path)
    store.save("acme", "old", orders, lines)
    path = tmp_path / "acme" / "old.orders.parquet"
    pq.write_table(pq.read_table(path).drop_columns(["ref_descriptions"]), path)
    loaded, _ = store.load("acme", "old")
    assert loaded.schema == ORDERS and loaded["ref_descriptions"].null_count == loaded.num_rows
    assert order_refs(loaded) == [()] * loaded.num_rows


def test_a_reference_left_out_of_the_855_for_its_length_leaves_its_description_out_too():
    """A REF02 longer than the partner's version holds is left out of the 855 (ACK_VALUE_LEFT_OUT); its REF03 is
    not written alone in its place (REF*DP**HOUSEWARES would name another reference than the PO's)."""
    from engine.lifecycle.decisions import refs_too_long

    settings = PoAckSettings(order_refs=("DP", "JB"))
    heads = [{"po_number": "P1", "department": "D" * 40, "job_number": None,
              "ref_descriptions": [{"qualifier": "DP", "description": "HOUSEWARES"},
                                   {"qualifier": "JB", "description": "MERCY"}]}]
    [left_out] = refs_too_long(heads, settings, PROFILES["acme"])
    assert left_out.finding.code == "ACK_VALUE_LEFT_OUT" and "D" * 40 in left_out.finding.message
    assert [s for s in heading(heads[0], settings) if s[0] == "REF"] == [["REF", "JB", "", "MERCY"]]
