"""A change of a reconciliation exception's state (found, explained, resolved, reopened, cleared), as
engine.exception_states decides it and connectors.finance_store keeps it in the history. Its own
module: importing it loads neither pyarrow nor pydantic (the state store stays light for `status`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StateChange:
    exception_id: str
    action: str
    from_state: str
    to_state: str
    by: str
    note: str
    at: datetime
