"""The 870 Order Status Report that answers a partner's POs instead of an 855 (engine.order_status): each line's
ISR from the same decision the 855's ACKs tell, the HL order/item chain, and the profile's choice of answer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from engine.order_status import build_870, isr_status
from engine.po_ack import AckPart, LineAck
from parsers.x12_writer import render_segments
from rules.outbound import validate_outbound
from schemas.x12 import Delimiters

TODAY = date(2026, 11, 25)
ORDER = {"po_number": "LE4471208", "po_date": date(2026, 11, 24), "release_number": ""}


def _line(n: int, qty: int, price: str = "18.5") -> dict:
    return {"line_number": n, "line_id": str(n), "quantity": Decimal(qty), "unit": "EA",
            "unit_price": Decimal(price), "price_basis": "",
            "product_ids": [{"qualifier": "VN", "id": f"LE-10{n}"}]}


@pytest.mark.parametrize(("ack", "dated", "isr"), [
    ("IA", True, "AS"), ("IA", False, "IN"), ("IQ", True, "AS"), ("IP", True, "AS"), ("IB", True, "BO"),
    ("IB", False, "BO"), ("BP", True, "BP"), ("IR", False, "IC"), ("R2", False, "IC"), ("ID", False, "IC"),
    ("IS", True, "IS"), ("IH", False, "PH"), ("AC", True, "CC"), ("ZZ", False, "IN")])
def test_each_855_line_status_has_its_870_item_status(ack, dated, isr):
    assert isr_status(ack, TODAY if dated else None) == isr


def test_one_isr_per_part_the_hl_chain_and_the_totals():
    """A line partly shipped and partly backordered (the 855's BP + IB ACKs) has two ISRs, BP and BO, each with
    its day; a rejected line one IC, undated; our price (IP) on the PO1. Items are children of the order level."""
    acks = [LineAck("BP", Decimal(10), parts=(AckPart("BP", Decimal(6), date(2026, 12, 1)),
                                              AckPart("IB", Decimal(4), date(2026, 12, 20)))),
            LineAck("IR", Decimal(5), parts=(AckPart("IR", Decimal(5)),)),
            LineAck("IP", Decimal(3), Decimal("19.25"), date(2026, 12, 1))]
    body = build_870(ORDER, [_line(1, 10), _line(2, 5), _line(3, 3)], acks, today=TODAY)
    assert body == [
        ["BSR", "2", "PA", "LE4471208", "20261125"], ["HL", "1", "", "O"], ["PRF", "LE4471208", "", "", "20261124"],
        ["HL", "2", "1", "I"], ["PO1", "1", "10", "EA", "18.5", "", "VN", "LE-101"],
        ["ISR", "BP", "20261201"], ["ISR", "BO", "20261220"],
        ["HL", "3", "1", "I"], ["PO1", "2", "5", "EA", "18.5", "", "VN", "LE-102"], ["ISR", "IC"],
        ["HL", "4", "1", "I"], ["PO1", "3", "3", "EA", "19.25", "", "VN", "LE-103"], ["ISR", "AS", "20261201"],
        ["CTT", "3", "18"]]


def test_the_870_passes_our_outbound_validator():
    import tomllib
    from datetime import datetime

    from engine.envelope import envelope_for, wrap
    from schemas.profile import PartnerProfile
    from tests.support import REPO

    profile = tomllib.loads((REPO / "tests/fixtures/rg40/partners/landsend.toml").read_text(encoding="utf-8"))
    profile = PartnerProfile.model_validate({**profile, "receives": ["997", "870", "856", "810"]})
    body = build_870(ORDER, [_line(1, 10)], [LineAck("IA", Decimal(10), ship_date=date(2026, 12, 1))], today=TODAY)
    assert render_segments(body, Delimiters()).startswith("BSR*2*PA*LE4471208*20261125~")
    content = wrap(envelope_for(profile), "RS", "870", [body], isa13=7, gs06=7, st02s=[1],
                   now=datetime(2026, 11, 25, 2))
    assert b"GS*RS*" in content and b"ST*870*0001" in content
    assert [f for f in validate_outbound(content) if f.severity == "error"] == []


def test_a_profile_answers_by_855_or_by_870_never_both():
    import tomllib

    from pydantic import ValidationError

    from schemas.profile import PartnerProfile
    from tests.support import REPO

    base = tomllib.loads((REPO / "tests/fixtures/rg40/partners/landsend.toml").read_text(encoding="utf-8"))
    base = {k: v for k, v in base.items() if k != "receives"}
    assert PartnerProfile.model_validate(base).order_answer == "855"
    assert PartnerProfile.model_validate({**base, "receives": ["997", "870", "856"]}).order_answer == "870"
    with pytest.raises(ValidationError, match="both"):
        PartnerProfile.model_validate({**base, "receives": ["997", "855", "870", "856"]})
