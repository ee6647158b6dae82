"""Where the sets we keep without processing are handed off (an 820, an 812, an 852 ... each alone in its envelope,
parsers.other_sets.handed_off): the folder's name under the workspace, which the engine's findings name
(SET_RECEIVED_NOT_PROCESSED) and the flows write (flows.handoff). Definitions only; imports nothing, so `status`
(flows.handoff, which loads no pyarrow) and the parsers read the one name.
"""

from __future__ import annotations

HANDOFF_FOLDER = "handoff"  # <workspace>/handoff/<partner>/<partner>_<set>_<ISA06>_<ISA13>_<GS06>_<ST02>.x12
