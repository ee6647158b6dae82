"""The head of a column-written 856 (BSN, the S loop's HL, the S level's TD1 .. DTM) joined by
engine.asn_columnar.HeadTexts, the segments most shipments share joined once, is byte for byte what
write_856_texts joined of the segments (BSN, HL, s_segments, through engine.envelope.joined_body) with
the same segment count, for any values, delimiter characters in them included; and None exactly
where that join is None (a value holding a delimiter: the shipment is left to build_856)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.asn import ccyymmdd, hhmm, s_segments
from engine.asn_columnar import HeadTexts
from engine.envelope import joined_body
from parsers.x12_writer import delimiter_chars
from schemas.fulfilment import BSN05, AsnSettings
from schemas.x12 import Delimiters
from tests.lifecycle.test_shipping import reserved, ship
from tests.test_shipping_columns import _FILES

CREATED = datetime(2026, 11, 27, 2, 5)
SETS = [Delimiters(), Delimiters("|", ":", "", "'", "\n"), Delimiters("^", "\\", "~", "\n", "")]
texts = st.sampled_from(["", "UPSN", "1Z999", "A*B", "x~y", "c>d", "p^q", "a|b", "GROUND", "CG", "é"])
amounts = st.one_of(st.none(), st.decimals(min_value=Decimal("0"), max_value=Decimal("9999"), places=2))
asns = st.builds(
    lambda refs, bm, vendor, transit, estimated, td1, names, purpose, bsn05, structure: AsnSettings(
        shipment_refs=refs, bm_from_tracking=bm, vendor_number=vendor if vendor or "IA" not in refs else "V1",
        transit_days=transit, estimated_delivery=estimated, shipment_td1=td1, carrier_names=names, purpose=purpose,
        bsn05=bsn05, structure=structure),
    st.sampled_from([(), ("BM", "CN"), ("CN",), ("BM",), ("BM", "CN", "IA"), ("IA", "CN")]), st.booleans(),
    st.sampled_from(["", "V1", "12345"]), st.sampled_from([None, 0, 3]), st.booleans(), st.booleans(),
    st.sampled_from([{}, {"UPSN": "UPS GROUND"}]), st.sampled_from(["00", "06"]), st.sampled_from([None, "0004"]),
    st.sampled_from(["SOPI", "SOTPI"]))
keys = st.tuples(
    st.integers(0, 3), st.integers(0, 2), amounts, st.sampled_from(["", "LB", "K*"]), texts, texts, texts,
    st.sampled_from(["M", "U", "H", "A~"]), st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    st.sampled_from([None, time(1, 45), time(23, 5)]), amounts, st.sampled_from(["", "CF", "E|"]),
    st.sampled_from([("", "", ""), ("TL", "ABCD", "123"), ("", "", "9*9")]), st.sampled_from(["", "S", "SEAL1", "S~1"]),
    st.booleans(), st.sampled_from(["", "ET", "L*"]))


def joined(asn, d, chars, sid, has_orders, key, bill_of_lading, tracking_number, extra_refs):
    """What write_856_texts joined of a shipment's head segments (its ``head`` path)."""
    (cartons, pallets, weight, weight_unit, carrier_scac, service_level, routed_level, transport_method, ship_date,
     ship_time, volume, volume_unit, equipment, seal_number, method_given, time_zone) = key
    segs = [["BSN", asn.purpose, sid, ccyymmdd(CREATED), hhmm(CREATED), asn.bsn05 or BSN05[asn.structure]],
            ["HL", "1", "", "S", "1" if has_orders else "0"], *s_segments(
                asn, cartons=cartons, pallets=pallets, weight=weight, weight_unit=weight_unit,
                carrier_scac=carrier_scac, service_level=service_level, routed_level=routed_level,
                transport_method=transport_method,
                bill_of_lading=bill_of_lading, tracking_number=tracking_number, extra_refs=extra_refs,
                ship_date=ship_date, ship_time=ship_time, estimated_delivery=None, volume=volume,
                volume_unit=volume_unit, equipment=equipment, seal_number=seal_number, method_given=method_given,
                time_zone=time_zone)]
    text = joined_body(segs, d, chars)
    return None if text is None else (text, len(segs))


@settings(max_examples=300, deadline=None)
@given(asn=asns, d=st.sampled_from(SETS), shipments=st.lists(st.tuples(
    st.sampled_from(["BS-1", "BS-2", "B*3", "B~4", ""]), st.booleans(), keys, texts, texts,
    st.lists(st.tuples(st.sampled_from(["CN", "XY"]), texts), max_size=2)), min_size=1, max_size=6))
def test_head_texts_are_the_joined_segments(asn, d, shipments):
    chars = delimiter_chars((d,))
    heads = HeadTexts(asn, d, chars, CREATED)  # one per partner and file: its joined parts kept across shipments
    for sid, has_orders, key, bill_of_lading, tracking_number, extra in shipments:
        extra = tuple(extra)
        want = joined(asn, d, chars, sid, has_orders, key, bill_of_lading, tracking_number, extra)
        assert heads.text(sid, has_orders, key, bill_of_lading, tracking_number, extra) == want


def test_a_key_seen_again_is_joined_once():
    asn, d = AsnSettings(), Delimiters()
    chars = delimiter_chars((d,))
    heads = HeadTexts(asn, d, chars, CREATED)
    key = (2, 0, None, "", "UPSN", "", "", "M", date(2026, 11, 27), time(1, 45), None, "", ("", "", ""), "", False, "")
    for k in range(3):
        sid, tracking = f"BS-{k}", f"1Z{k}"
        assert heads.text(sid, True, key, "", tracking, ()) == joined(asn, d, chars, sid, True, key, "", tracking, ())
    assert len(heads.parts) == 1


@pytest.mark.parametrize("name", sorted(_FILES))
def test_a_files_856s_are_the_same_without_the_joined_parts(name, monkeypatch):
    """The ship planner's 856s (engine.lifecycle.shipping._partner_columns: its ``quick`` heads) are the ones its
    ``head`` path joins segment by segment."""
    rows, lines, (east, west) = _FILES[name]
    asked = []
    real = HeadTexts.text
    monkeypatch.setattr(HeadTexts, "text", lambda self, *a: asked.append(a) or real(self, *a))
    quick = ship(rows, lines=lines, reservations=reserved(east, west))
    assert asked  # the heads were joined by HeadTexts
    monkeypatch.setattr(HeadTexts, "text", lambda self, *a: None)  # every head joined by write_856_texts' own path
    assert quick == ship(rows, lines=lines, reservations=reserved(east, west))
    assert any(d.doc_type == "856" for d in quick[1].documents)
