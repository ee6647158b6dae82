"""Canonical table (Arrow schema) of the 864 Text Messages partners send for people to read (compliance
notices, chargeback warnings, announcements, rejections explained in words): one row per MIT loop
(TEXT_MESSAGES). Definitions only; parsers.text_messages fills it, the flows keep it with the run's reports.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.functional_acks import TIME
from schemas.orders import LINEAGE

TEXT_MESSAGES = pa.schema([
    pa.field("partner", pa.string(), nullable=False),
    pa.field("message_ref", pa.string(), nullable=False),  # ISA13-GS06-ST02-n: the set and its n-th MIT loop
    pa.field("purpose", pa.string()),  # BMG01: 00 original, 05 replace ...
    pa.field("subject", pa.string()),  # BMG02: the set's subject
    pa.field("message_id", pa.string()),  # MIT01: the message number
    pa.field("message_subject", pa.string()),  # MIT02: this message's subject
    pa.field("dated", pa.date32()),  # the first DTM02 of the heading (else the group's GS04)
    pa.field("parties", pa.list_(pa.string())),  # "N101 N102" of the N1 loops (heading, then the message's)
    pa.field("po_numbers", pa.list_(pa.string())),  # REF02 of the REF*PO segments of the set (heading, message)
    pa.field("lines", pa.list_(pa.string())),  # MSG01 of each MSG, in order: the text
    # False: the set was refused (997 AK5 R: the partner is to send it again), its words kept for people all the
    # same, as far as they could be read; null (a message kept before this column) counts as accepted
    pa.field("accepted", pa.bool_()),
    pa.field("message_created_at", TIME),  # GS04/GS05 of the 864 (else ISA09/ISA10)
    pa.field("received_at", TIME),
    *LINEAGE,
    pa.field("segment_position", pa.int32(), nullable=False),  # the MIT's position in the 864 (ST = 1)
    pa.field("file_segment", pa.int32(), nullable=False),  # the MIT's ordinal within the file
])
