import pytest

from schemas.reference import gs1_check_digit, gs1_valid, normalise_gtin


@pytest.mark.parametrize(
    "data, check",
    [
        ("03600029145", 2),  # UPC-A 036000291452
        ("400638133393", 1),  # EAN-13 4006381333931
        ("9638507", 4),  # GTIN-8 96385074
        ("1061414100041", 5),  # GTIN-14 10614141000415
        ("00000000000000000", 0),
        ("00614141123456789", 0),  # SSCC-18 006141411234567890
    ],
)
def test_check_digit_of_known_numbers(data, check):
    assert gs1_check_digit(data) == check


@pytest.mark.parametrize(
    "code",
    ["036000291452", "4006381333931", "96385074", "00614141100101", "006141411234567890", "10614141000415"],
)
def test_valid_numbers_pass(code):
    assert gs1_valid(code)


@pytest.mark.parametrize(
    "code",
    [
        "036000291453",
        "4006381333932",
        "1234567",
        "0061414110010",
        "03600029145X",
        "",
        None,
        "０３６０００２９１４５２",
        "036000 291452",
    ],
)
def test_wrong_digit_length_or_characters_fail(code):
    assert not gs1_valid(code)


def test_normalise_pads_to_gtin14_and_refuses_invalid():
    assert normalise_gtin("036000291452") == "00036000291452"
    assert normalise_gtin("4006381333931") == "04006381333931"
    assert normalise_gtin(" 96385074 ") == "00000096385074"
    assert normalise_gtin("036000291453") is None
    assert normalise_gtin("006141411234567890") is None  # an SSCC is not an item number
