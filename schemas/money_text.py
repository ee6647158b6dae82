"""An amount of money as people read it: with its currency's decimals (ISO 4217 minor units: 2 for most, 0 for
JPY or KRW, 3 for KWD or BHD), never fewer; a value with more decimals than its currency has (a price 4.575) is kept
exact rather than rounded; thousands separated by commas, as the finance reports print money (``69000`` reads
69,000.00). ``485.1 USD`` reads 485.10, as the console shows it (console.reading.money). The one format for money
people read: `status`, the console, the history's notes and the findings' messages naming money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# a partner's [finance] currency when its profile names none (schemas.finance.FinanceSettings.currency)
DEFAULT_CURRENCY = "USD"

# ISO 4217's currencies whose minor unit is not the hundredth (list one: the codes' "minor unit" column)
MINOR_UNITS = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV",
                     "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
}


def decimals_of(currency: str | None) -> int:
    """The currency's decimals (2 for one we do not list, or none named)."""
    return MINOR_UNITS.get((currency or "").strip().upper(), 2)


def money_text(value, currency: str | None) -> str:
    """``value`` (a Decimal, number or text) with at least ``currency``'s decimals and its thousands separated
    ("84,491.96"); "" for None or ""; a text that is no number as it is."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not d.is_finite():
        return str(value)
    places = max(decimals_of(currency), -min(d.normalize().as_tuple().exponent, 0))
    return f"{d:,.{places}f}"


def amount_text(value, currency: str | None) -> str:
    """A computed amount (a sum, an amount at risk, a difference) as finance reads it: rounded half up to ``currency``'s
    decimals (none named: 2), thousands separated ("2,758.98", "42,240" yen, "1,234.568" dinars); "" for None. Unlike
    money_text, a finer value is rounded: an amount is money owed, a price a partner sent is kept exact."""
    if value is None or value == "":
        return ""
    places = decimals_of(currency)
    d = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{d.copy_abs() if d.is_zero() else d:,.{places}f}"  # never "-0.00"
