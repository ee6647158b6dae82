"""ITD01 codes that name the same terms (X12 element 336: 01 "Basic", 08 "Basic Discount Offered"): a PO sending one
against an agreement of the other with the same numbers states the agreed terms, not a mismatch."""

from __future__ import annotations

from connectors.reference import read_reference_csv
from parsers.orders_850 import read_orders
from parsers.x12_reader import read_interchanges
from rules.business.money import check_terms
from schemas.reference import CUSTOMERS
from tests.support import REPO

PO = REPO / "tests" / "fixtures" / "rg29" / "drops" / "caseys" / "caseys-850-CGS2609140.x12"
SENT = b"ITD*08*3*2**10**30~"


def told(itd: bytes, agreed_type: str = "01", discount: bytes = b"2,10") -> list[tuple[str, str]]:
    """check_terms' findings for Casey's PO with ``itd`` against an agreed ``agreed_type`` 2% 10 (``discount``)
    net 30."""
    customers = read_reference_csv(
        b"partner,credit_limit,open_ar,currency,terms_type,terms_net_days,terms_discount_percent,"
        b"terms_discount_days,discount_approval_threshold_percent\ncaseys,500000.00,0,USD," + agreed_type.encode()
        + b",30," + discount + b",5.0\n",
        name="customers.csv", schema=CUSTOMERS)
    data = PO.read_bytes()
    assert SENT in data
    result = read_interchanges(data.replace(SENT, itd), file=PO.name)
    orders = read_orders(result, list(result.transaction_sets()), partner="caseys")[0]
    return [(f.code, f.message) for f in check_terms(orders, customers)]


def test_basic_discount_offered_with_the_agreed_numbers_is_the_agreed_basic_terms():
    """Casey's ITD*08*3*2**10**30 against an agreed 01 2/10 net 30 was warned "ITD terms type 08 differs from the
    agreed 01" (rg29): the same terms, the type code only saying a discount is offered."""
    assert told(SENT) == []
    assert told(b"ITD*01*3*2**10**30~", agreed_type="08") == []
    assert told(b"ITD*01*3*2**10**30~") == []


def test_a_real_difference_beside_a_basic_type_is_still_told():
    assert told(b"ITD*08*3*1**10**30~") == [("TERMS_MISMATCH", "ITD discount percent 1 differs from the agreed 2.")]
    assert told(b"ITD*08*3*2**15**45~") == [
        ("TERMS_MISMATCH", "ITD discount days 15 differs from the agreed 10."),
        ("TERMS_MISMATCH", "ITD net days 45 differs from the agreed 30.")]


def test_a_discount_only_one_side_states_is_told_by_the_type():
    """Agreed 01 net 30 without a discount: a PO offering 2% 10 days as 08 is not the agreed terms (the percent
    against no agreed percent is not compared on its own), and the other way round."""
    assert told(SENT, discount=b",") == [("TERMS_MISMATCH", "ITD terms type 08 differs from the agreed 01.")]
    assert told(b"ITD*01*3*****30~", agreed_type="08") == [
        ("TERMS_MISMATCH", "ITD terms type 01 differs from the agreed 08.")]


def test_other_kinds_of_terms_are_not_basic():
    """End of month (02), proximo (09) and discount not applicable (05) are other terms, whatever the numbers."""
    for kind in (b"02", b"09", b"05"):
        assert told(b"ITD*" + kind + b"*3*2**10**30~") == [
            ("TERMS_MISMATCH", f"ITD terms type {kind.decode()} differs from the agreed 01.")]
        assert told(b"ITD*" + kind + b"*3*2**10**30~", agreed_type="08") == [
            ("TERMS_MISMATCH", f"ITD terms type {kind.decode()} differs from the agreed 08.")]


def test_the_agreed_basic_terms_are_dated_as_a_basic_po_dates_them():
    """A PO's ITD02 dates the agreed terms when its ITD01 names their kind: 08 for an agreed 01 as 01 does."""
    from engine.invoice import invoice_terms
    from schemas.invoices import Terms

    agreed = Terms(type="01", discount_percent=None, net_days=30)
    assert invoice_terms(agreed, {"terms_type": "08", "terms_basis_date": "2"}).basis_date == "2"
    assert invoice_terms(agreed, {"terms_type": "01", "terms_basis_date": "2"}).basis_date == "2"
    assert invoice_terms(agreed, {"terms_type": "02", "terms_basis_date": "2"}).basis_date == "3"
