"""Exact money and quantity arithmetic over numpy, for the finance modules (engine.reconcile,
engine.finance_report, engine.dashboard), with the per-group reductions of schemas.grouping. Decimals
are read and written as scaled int64 (10^-4 units: the scale of schemas.orders QTY and MONEY; unit prices,
kept to PRICE's 6 decimals, in 10^-6 units: price_units) straight from the decimal128 buffers; no floats touch
an amount. Nothing here knows about orders or documents.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from schemas.grouping import Groups, densify, encode, sort_order  # noqa: F401 (re-exported for the finance modules)
from schemas.money_text import MINOR_UNITS
from schemas.orders import MONEY, PRICE

SCALE = 10_000  # QTY and MONEY are decimal128(18, 4)
# a unit price is kept to PRICE's 6 decimals (schemas.orders: 0.00418 per each): read in 10^-6 units by
# price_units, a quantity (10^-4) times it valued with multiply(..., unit=PRICE_UNIT) (10^-4 units again)
PRICE_SCALE = 1_000_000
TO_PRICE = PRICE_SCALE // SCALE  # 10^-4 units x TO_PRICE = 10^-6 units
PRICE_UNIT = SCALE * TO_PRICE
_EPOCH = date(1970, 1, 1)
NO_TIME = np.iinfo(np.int64).max  # sentinel for a missing time in min-reductions
_SAFE = 2**62


def scaled(values: pa.Array | pa.ChunkedArray, kind: pa.DataType = MONEY) -> tuple[np.ndarray, np.ndarray]:
    """A decimal column as (int64 in 10^-4 units, present mask); nulls read 0. A price kept to more decimals
    (PRICE: 0.00418) is read rounded half up to 4 (0.0042); ``kind`` PRICE: in 10^-6 units (price_units)."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    n = len(arr)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool)
    if pa.types.is_decimal(arr.type) and arr.type.scale > kind.scale:
        arr = pc.round(arr, kind.scale, round_mode="half_up")
    arr = pc.cast(arr, kind)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    words = np.frombuffer(arr.buffers()[1], np.int64, count=2 * (arr.offset + n))[2 * arr.offset:]
    low, high = words[0::2], words[1::2]
    if np.any(high != (low >> 63)):
        raise OverflowError("a quantity or amount does not fit the 18-digit decimal")
    present = np.ones(n, bool) if arr.null_count == 0 else pc.is_valid(arr).to_numpy(zero_copy_only=False)
    return np.where(present, low, 0), present


def price_units(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A price column as (int64 in 10^-6 units, present mask): exact to PRICE's 6 decimals (0.00418 is 4180)."""
    return scaled(values, PRICE)


def at_4(prices: np.ndarray) -> np.ndarray:
    """Prices in 10^-6 units as 10^-4 units, rounded half away from zero (0.00418 is 0.0042): how the MONEY
    columns of the reports show a price kept to more decimals."""
    prices = np.asarray(prices, np.int64)
    half = TO_PRICE // 2
    return np.where(prices >= 0, (prices + half) // TO_PRICE, -((-prices + half) // TO_PRICE))


def decimal_array(values: np.ndarray, present: np.ndarray | None = None) -> pa.Array:
    """int64 in 10^-4 units (null where not ``present``) as a decimal128(18, 4) array."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    n = len(values)
    words = np.empty(2 * n, np.int64)
    words[0::2] = values
    words[1::2] = values >> 63
    validity = None
    if present is not None and not np.all(present):
        validity = pa.py_buffer(np.packbits(present.astype(bool), bitorder="little"))
    return pa.Array.from_buffers(MONEY, n, [validity, pa.py_buffer(words)])


def multiply(quantity: np.ndarray, price: np.ndarray, *, unit: int = SCALE) -> np.ndarray:
    """quantity x price, both in 10^-4 units, rounded half away from zero to 10^-4 units (``unit``: to
    counts of unit x 10^-8 instead, e.g. SCALE * 100 for whole cents); exact (rows whose product would
    overflow int64 are computed with Python decimals)."""
    quantity = np.asarray(quantity, np.int64)
    price = np.asarray(price, np.int64)
    half = unit // 2
    if not len(quantity) or float(np.abs(quantity).max()) * float(np.abs(price).max()) < _SAFE / 2:
        product = quantity * price  # no product can come near int64's limits: no row checked one by one
        return np.where(product >= 0, (product + half) // unit, -((-product + half) // unit))
    big = np.abs(quantity.astype(np.float64)) * np.abs(price.astype(np.float64)) >= _SAFE
    q = np.where(big, 0, quantity)
    p = np.where(big, 0, price)
    product = q * p
    out = np.where(product >= 0, (product + half) // unit, -((-product + half) // unit))
    for i in np.flatnonzero(big).tolist():
        exact = Decimal(int(quantity[i])) * Decimal(int(price[i])) / unit
        out[i] = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    return out


def divide(amount: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    """amount / quantity (both 10^-4 units) as a unit price in 10^-4 units, rounded half away from zero;
    0 where the quantity is 0."""
    amount = np.asarray(amount, np.int64)
    quantity = np.asarray(quantity, np.int64)
    out = np.zeros(len(amount), np.int64)
    ok = quantity != 0
    big = ok & (np.abs(amount) >= _SAFE // SCALE)
    small = ok & ~big
    num, q = amount[small] * SCALE, quantity[small]
    out[small] = np.sign(num) * np.sign(q) * ((2 * np.abs(num) + np.abs(q)) // (2 * np.abs(q)))
    for i in np.flatnonzero(big).tolist():
        exact = Decimal(int(amount[i])) * SCALE / Decimal(int(quantity[i]))
        out[i] = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    return out


def beyond(difference: np.ndarray, reference: np.ndarray, units: np.ndarray, percent: np.ndarray) -> np.ndarray:
    """difference > max(units, percent / 100 x |reference|): exact (all in 10^-4 units; percent in
    10^-4 percent), so a difference right at the tolerance is tolerated."""
    difference = np.asarray(difference, np.int64)
    reference = np.abs(np.asarray(reference, np.int64))
    percent = np.asarray(percent, np.int64)
    over_units = difference > units
    # difference > reference * percent / (100 * SCALE)  <=>  difference * 100 * SCALE > reference * percent
    lhs_big = np.abs(difference.astype(np.float64)) * 100 * SCALE >= _SAFE
    rhs_big = reference.astype(np.float64) * percent.astype(np.float64) >= _SAFE
    big = lhs_big | rhs_big
    lhs = np.where(big, 0, difference) * (100 * SCALE)
    rhs = np.where(big, 0, reference) * np.where(big, 0, percent)
    over_percent = lhs > rhs
    for i in np.flatnonzero(big).tolist():
        over_percent[i] = int(difference[i]) * 100 * SCALE > int(reference[i]) * int(percent[i])
    return over_units & over_percent


def to_scaled(value: Decimal) -> int:
    """One Decimal in 10^-4 units (rounded half up)."""
    return int((value * SCALE).to_integral_value(rounding=ROUND_HALF_UP))


def fmt(value: int | np.integer) -> str:
    """10^-4 units as a plain decimal string without trailing zeros ("12", "2.5", "-0.125")."""
    v = int(value)
    sign = "-" if v < 0 else ""
    whole, frac = divmod(abs(v), SCALE)
    text = f"{whole}.{frac:04d}".rstrip("0").rstrip(".")
    return sign + text


def fmt_price(value: int | np.integer) -> str:
    """10^-6 units (a price) as fmt says 10^-4 units: "0.412", "0.00418"."""
    v = int(value)
    sign = "-" if v < 0 else ""
    whole, frac = divmod(abs(v), PRICE_SCALE)
    return sign + f"{whole}.{frac:06d}".rstrip("0").rstrip(".")


def price_text(values: np.ndarray) -> pa.Array:
    """10^-6 units (prices) as number_text says 10^-4 units, column-wise: a price of at most 4 decimals reads as
    there ("0.412"), a finer one to its 6 ("0.00418")."""
    values = np.asarray(values, np.int64)
    rough = values % TO_PRICE != 0
    if not rough.any():
        return number_text(values // TO_PRICE)
    return pa.array([fmt_price(v) for v in values.tolist()], pa.string())


def price_money_text(values: np.ndarray, currency: pa.Array | pa.ChunkedArray | None = None) -> pa.Array:
    """10^-6 units (prices) as people read a price, column-wise: at least its currency's decimals (``currency``:
    each value's ISO 4217 code; none, or a null or unlisted one: two), a finer price kept exact to its 6 ("25.70",
    "0.00418", "2,450" yen), thousands separated by commas: schemas.money_text.money_text's format for a column."""
    values = np.asarray(values, np.int64)
    places = _places(currency, len(values))
    for k in range(6, 0, -1):  # the decimals a price needs: 6 unless it is a multiple of 10^(6-k+1)
        places = np.where((values % 10 ** (7 - k) != 0) & (places < k), k, places)
    words = np.empty(2 * len(values), np.int64)
    words[0::2], words[1::2] = values, values >> 63
    six = pa.Array.from_buffers(PRICE, len(values), [None, pa.py_buffer(words)]).cast(pa.string())  # "25.700000"
    text = six
    for d in sorted(set(places.tolist())):
        cut = pc.utf8_slice_codeunits(six, 0, -(6 - d) - (d == 0)) if d < 6 else six
        text = pc.if_else(pa.array(places == d), cut, text)
    for _ in range(5):  # a comma before the last three digits of the integer part not yet grouped, once a pass
        text = pc.replace_substring_regex(text, r"^(-?\d+)(\d{3})", r"\1,\2", max_replacements=1)
    return text


def number_text(values: np.ndarray) -> pa.Array:
    """10^-4 units as plain decimal strings without trailing zeros, column-wise (fmt for arrays)."""
    text = pc.cast(decimal_array(values), pa.string())
    text = pc.replace_substring_regex(text, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(text, r"\.$", "")


def money_text(values: np.ndarray, currency: pa.Array | pa.ChunkedArray | None = None) -> pa.Array:
    """10^-4 units as amounts with their currency's decimals (``currency``: each value's ISO 4217 code; none, or a
    null or unlisted one: two; schemas.money_text.decimals_of: JPY none, KWD three), rounded half away from zero,
    their thousands separated by commas ("2,758.98", "42,240" yen, as schemas.money_text says money to people),
    column-wise."""
    values = np.asarray(values, np.int64)
    places = _places(currency, len(values))
    text = _fixed(values, 2)
    for d in sorted(set(np.unique(places).tolist()) - {2}):
        text = pc.if_else(pa.array(places == d), _fixed(values, d), text)
    for _ in range(5):  # a comma before the last three digits of the integer part not yet grouped, once a pass
        text = pc.replace_substring_regex(text, r"^(-?\d+)(\d{3})", r"\1,\2", max_replacements=1)
    return text


def _places(currency: pa.Array | pa.ChunkedArray | None, n: int) -> np.ndarray:
    """Each row's currency decimals (2 without a currency)."""
    if currency is None:
        return np.full(n, 2, np.int64)
    codes = pc.utf8_upper(pc.utf8_trim_whitespace(pc.fill_null(pc.cast(currency, pa.string()), "")))
    places = np.full(n, 2, np.int64)
    for d in sorted(set(MINOR_UNITS.values())):
        listed = pa.array(sorted(c for c, v in MINOR_UNITS.items() if v == d), pa.string())
        hit = pc.is_in(codes, value_set=listed).to_numpy(zero_copy_only=False)
        places[np.asarray(hit, bool)] = d
    return places


def _fixed(values: np.ndarray, d: int) -> pa.Array:
    """10^-4 units rounded half away from zero to ``d`` decimals (at most 4), as text with exactly ``d``."""
    step = 10 ** (4 - d)
    rounded = np.where(values >= 0, (values + step // 2) // step, -((-values + step // 2) // step)) * step
    return pc.cast(decimal_array(rounded), pa.decimal128(18, d), safe=False).cast(pa.string())


def date_text(day_values: np.ndarray) -> pa.Array:
    """Days since 1970-01-01 as YYYY-MM-DD strings, column-wise."""
    return pc.cast(date_array(day_values, np.ones(len(day_values), bool)), pa.string())


def join_text(*pieces: str | pa.Array) -> pa.Array:
    """Literal strings and string arrays concatenated element-wise (nulls read as empty)."""
    return pc.binary_join_element_wise(*pieces, "", null_handling="replace", null_replacement="")


def money(value: int | np.integer) -> str:
    """10^-4 units as an amount with two decimals, rounded half up ("1234.50")."""
    v = int(value)
    cents = (abs(v) + 50) // 100
    return f"{'-' if v < 0 and cents else ''}{cents // 100}.{cents % 100:02d}"


def days(values: pa.Array | pa.ChunkedArray, missing: int) -> np.ndarray:
    """date32 as int64 days since 1970-01-01; ``missing`` where null."""
    arr = pc.cast(values, pa.int32())
    return pc.fill_null(pc.cast(arr, pa.int64()), missing).to_numpy(zero_copy_only=False)


def seconds(values: pa.Array | pa.ChunkedArray, missing: int = NO_TIME) -> np.ndarray:
    """timestamp[s] as int64 seconds since the epoch; ``missing`` where null."""
    return pc.fill_null(pc.cast(values, pa.int64()), missing).to_numpy(zero_copy_only=False)


def day_number(d: date) -> int:
    return (d - _EPOCH).days


def second_number(t: datetime) -> int:
    return int((t.replace(microsecond=0) - datetime(1970, 1, 1)).total_seconds())


def date_array(day_values: np.ndarray, present: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(day_values, np.int64), pa.int64(), mask=~present).cast(pa.int32()).cast(pa.date32())


def time_array(second_values: np.ndarray, present: np.ndarray) -> pa.Array:
    return pa.array(np.asarray(second_values, np.int64), pa.int64(), mask=~present).cast(pa.timestamp("s"))


def objects(column: pa.Array | pa.ChunkedArray) -> list:
    """``column.to_pylist()`` with each distinct value converted once (decimals and dates are the costly
    ones; a quantity column holds few): rows of equal values share one immutable object."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(arr)
    values = encoded.dictionary.to_pylist()
    index = encoded.indices
    if index.null_count:
        values.append(None)
        index = pc.fill_null(index, len(values) - 1)
    return list(map(values.__getitem__, index.to_numpy(zero_copy_only=False).tolist()))


def decimals(texts: pa.Array | pa.ChunkedArray, *, null: Decimal | None = None) -> list[Decimal | None]:
    """Stored decimal texts as Decimals (``null`` for a null or ""), each distinct text parsed once."""
    arr = texts.combine_chunks() if isinstance(texts, pa.ChunkedArray) else texts
    encoded = pc.dictionary_encode(arr)
    values = [null if not t else Decimal(t) for t in encoded.dictionary.to_pylist()] + [null]
    index = pc.fill_null(encoded.indices, len(values) - 1)
    return list(map(values.__getitem__, index.to_numpy(zero_copy_only=False).tolist()))


def cents_decimals(cents: np.ndarray) -> list[Decimal]:
    """Amounts in cents (int64) as Decimals of two places, each distinct amount made once."""
    distinct, inverse = np.unique(cents, return_inverse=True)
    made = [Decimal(int(c)).scaleb(-2) for c in distinct.tolist()]
    return list(map(made.__getitem__, inverse.reshape(-1).tolist()))


PERIOD_FORMATS = {"month": "%Y-%m", "week": "%G-W%V", "day": "%Y-%m-%d"}


def period_labels(dates: pa.Array | pa.ChunkedArray, period: str) -> pa.Array:
    """date32 values as period labels ("2026-11", "2026-W48", "2026-11-02"), "(no date)" for nulls;
    formatted once per distinct date."""
    arr = dates.combine_chunks() if isinstance(dates, pa.ChunkedArray) else dates
    distinct = pc.unique(arr)
    labels = pc.fill_null(pc.strftime(distinct, format=PERIOD_FORMATS[period]), "(no date)")
    return labels.take(pc.index_in(arr, value_set=distinct))
