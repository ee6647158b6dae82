"""SSCC-18: published GS1 examples, and biip (an independent Apache-2.0 GS1 parser) as an oracle for
every SSCC we build: it must parse ours, find the same check digit, and reject what we reject."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.sscc import build_sscc, man02, serial_capacity, serial_of, sscc_valid, strip_ai

biip = pytest.importorskip("biip", reason="biip is a dev dependency (pip install -e .[dev])")
from biip.sscc import Sscc  # noqa: E402

# (extension digit, company prefix, serial reference, the published SSCC)
PUBLISHED = [
    (1, "0614141", 123456789, "106141411234567897"),  # GS1 General Specifications' example
    (3, "7613032", 110910342, "376130321109103420"),  # biip's documentation
    (1, "5703538", 141037517, "157035381410375177"),  # biip's documentation
]


@pytest.mark.parametrize("ext,prefix,serial,expected", PUBLISHED)
def test_published_examples(ext, prefix, serial, expected):
    assert build_sscc(prefix, ext, serial) == expected
    assert sscc_valid(expected) and sscc_valid("00" + expected) and sscc_valid("(00)" + expected)
    assert serial_of(expected, prefix) == serial


@pytest.mark.parametrize("_ext,_prefix,_serial,code", PUBLISHED)
def test_every_wrong_check_digit_is_refused(_ext, _prefix, _serial, code):
    for digit in "0123456789":
        if digit != code[-1]:
            assert not sscc_valid(code[:-1] + digit)


def test_man02_with_and_without_the_application_identifier():
    assert man02("106141411234567897") == "00106141411234567897"
    assert man02("00106141411234567897", with_ai=False) == "106141411234567897"
    with pytest.raises(ValueError):
        man02("106141411234567890")


@pytest.mark.parametrize("bad", [None, "", "10614141123456789", "1061414112345678970", "10614141123456789X",
                                 "０１２３４５６７８９０１２３４５６７８"])
def test_malformed_codes_are_not_ssccs(bad):
    assert strip_ai(bad) is None and not sscc_valid(bad)


def test_serial_capacity_follows_the_prefix_length():
    assert serial_capacity("0614141") == 10**9
    assert serial_capacity("061414112345") == 10**4
    assert serial_capacity("0614") == 10**12


@pytest.mark.parametrize("prefix,ext,serial", [("061", 0, 1), ("0614141234567", 0, 1), ("06141A1", 0, 1),
                                               ("0614141", 10, 1), ("0614141", -1, 1), ("0614141", 0, -1),
                                               ("0614141", 0, 10**9)])
def test_impossible_inputs_are_refused(prefix, ext, serial):
    with pytest.raises(ValueError):
        build_sscc(prefix, ext, serial)


@settings(max_examples=300, deadline=None)
@given(prefix_len=st.integers(4, 12), data=st.data(), ext=st.integers(0, 9))
def test_biip_agrees_with_every_sscc_we_build(prefix_len, data, ext):
    prefix = data.draw(st.text("0123456789", min_size=prefix_len, max_size=prefix_len))
    serial = data.draw(st.integers(0, serial_capacity(prefix) - 1))
    code = build_sscc(prefix, ext, serial)
    parsed = Sscc.parse(code)  # raises on a wrong check digit
    assert parsed.value == code and parsed.extension_digit == ext and parsed.check_digit == int(code[-1])
    # and as the GS1-128 element string we put in MAN02
    result = biip.parse(man02(code))
    assert result.gs1_message is not None
    assert result.gs1_message.element_strings[0].sscc.value == code
    assert serial_of(code, prefix) == serial


@settings(max_examples=200, deadline=None)
@given(body=st.text("0123456789", min_size=17, max_size=17), wrong=st.integers(1, 9))
def test_biip_rejects_what_we_reject(body, wrong):
    good = body + str(_check(body))  # biip's check digit: we must accept it
    assert sscc_valid(good) and Sscc.parse(good).value == good
    bad = good[:-1] + str((int(good[-1]) + wrong) % 10)
    assert not sscc_valid(bad)
    with pytest.raises(biip.ParseError):
        Sscc.parse(bad)


def _check(body: str) -> int:
    """The check digit biip computes for 17 digits (its own implementation, not ours)."""
    from biip.checksums import gs1_standard_check_digit

    return gs1_standard_check_digit(body)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=22), st.from_regex(r"\A[0-9]{17,20}\Z"),
                          st.builds(lambda s, shape: shape.format(build_sscc("0614141", s % 10, s)),
                                    st.integers(0, 10**9 - 1), st.sampled_from(["{}", "00{}", "(00){}", " {} "]))),
                max_size=40))
def test_sscc_columns_read_each_value_as_sscc_digits_and_sscc18_do(values):
    import pyarrow as pa

    from schemas.reference import sscc18, sscc_columns, sscc_digits

    digits, valid = sscc_columns(pa.array(values, pa.string()))
    assert digits.to_pylist() == [sscc_digits(v) for v in values]
    assert valid.to_pylist() == [sscc18(v) for v in values]
