"""Reference data rows that load and are decided as they say, but likely say something else than meant, or cells
read otherwise than written (a control character as a blank): warnings naming the file, the row and what to write,
said by the decide stage (with the orders it decides) and, for the rows, by `orderbridge partner check`. Pure: what
the loader found (connectors.reference) in, findings out."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

from schemas.findings import Finding, finding


def case_items_said(case_items: Iterable[tuple[str, int, str, str, int]]) -> list[Finding]:
    """A CASE_PACK_AMBIGUOUS warning per items.csv row of an item sold by the case (unit CA, or CS that no
    item_units.csv row sku,CS,1 makes a cassette) with a case_pack above 1 (schemas.reference.ReferenceData
    .case_items: file, row, sku, unit, case_pack). case_pack counts eaches per case and one of the item's own unit is
    one each (docs/onboarding.md, Items), so the row says a case holds that many cases and orders are rounded to
    multiples of them (40 CA answered 42 for a case_pack of 6: rg72)."""
    return [finding("CASE_PACK_AMBIGUOUS",
                    f"{PurePath(file).name} row {row}: sku {sku!r} is sold by the case (unit {unit}) with case_pack "
                    f"{pack}: case_pack counts eaches per case and one {unit} of it is one each, so the row says a "
                    f"case holds {pack} cases and its orders are rounded to multiples of {pack} ({pack + 1} {unit} "
                    f"answered {2 * pack} by default), as they are until the row changes. Sold by the case: "
                    f"case_pack 1; sold by the bottle or piece in cases of {pack}: its unit (EA, BO ...) with "
                    f"case_pack {pack}; a master pack of {pack} cases: keep the row.",
                    file=file, row=row, column="case_pack", value=str(pack))
            for file, row, sku, unit, pack in case_items]


def reference_replaced(replaced: Iterable[tuple[str, int, str, str, str]]) -> list[Finding]:
    """A CONTROL_CHARACTER_REPLACED warning per reference cell read with a blank for a control character
    (schemas.reference.ReferenceData.replaced: file, line, column, as written, as read): ops fix the row."""
    return [finding("CONTROL_CHARACTER_REPLACED", f"{PurePath(file).name} line {line}, {column}: {sent!r} holds a "
                    f"control character (a line break, a tab ...), which no document we send may; read as {kept!r}, "
                    "what our 855s, 856s and 810s carry. Fix the row.", file=file, line_number=line, column=column,
                    value=kept) for file, line, column, sent, kept in replaced]
