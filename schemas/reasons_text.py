"""Reasons people read joined into one text: "; " between them, without the full stop a reason that is a sentence
ends with before the next ("... cross-reference).; PO104 ..." read as a typo). The last keeps its own ending.
Duplicates are said once, in first-seen order; blank ones are skipped."""

from __future__ import annotations

from collections.abc import Iterable


def join_reasons(reasons: Iterable[str | None], sep: str = "; ") -> str:
    """``reasons`` joined by ``sep``, each but the last without its closing full stop (not an ellipsis)."""
    said = [r.strip() for r in dict.fromkeys(r for r in reasons if r and r.strip())]
    return sep.join(_open(r) for r in said[:-1]) + (sep if len(said) > 1 else "") + (said[-1] if said else "")


def _open(reason: str) -> str:
    return reason[:-1] if reason.endswith(".") and not reason.endswith("..") else reason
