"""X12 dictionaries, standard-complete and version-aware: the model (schemas.x12dict.model) and,
once loaded from schemas/x12dict/data/, one Dictionary per supported version.
"""

from schemas.x12dict.model import (  # noqa: F401
    NOTE_AK4,
    UNBOUNDED,
    ComponentUse,
    CompositeDef,
    Dictionary,
    ElementDef,
    ElementUse,
    SegmentDef,
    SetTable,
    SyntaxNote,
)
