"""A partner's intake or delivery when partners are sharded across workers (issue 14): the stage takes
the partner's lease (`partner:<id>`, connectors.lease, a row of the state store shared by every worker),
runs flows.night's stage body for that partner, and releases it. A worker given a partner that another
worker holds skips it - a progress line and a result saying who holds it until when - and never waits
for it nor processes it. Delivery renews the lease before each chunk of files it writes, intake before
each file it takes in (and each piece of a big file it stores), so a worker that lost it (paused past
its expiry while another took over) stops writing there. The fan-out that
calls these (Prefect work pools) is the caller's; nothing here decides anything about EDI or an order.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from connectors import lease
from flows import night, progress
from schemas.errors import WorkspaceBusy

INTAKE, DELIVER = "intake", "deliver"
_BODIES = {INTAKE: night.intake_stage, DELIVER: night.deliver_stage}


@dataclass(frozen=True, slots=True)
class PartnerOutcome:
    """What one sharded stage did for one partner: ``value`` is the stage body's (intake_stage's dict,
    deliver_stage's count of documents sent) when it ran; ``skipped`` says why it did not ("skipped:
    partner acme is held by ... until ...") and ``holder`` is that holder's record (Holder.row());
    ``took_over`` says so when a stale lease (expired, or its process gone) was taken over first."""

    partner: str
    stage: str
    value: Any = None
    skipped: str = ""
    holder: dict | None = None
    took_over: str = ""

    @property
    def ran(self) -> bool:
        return not self.skipped

    def to_dict(self) -> dict:
        return asdict(self)


def skipped_message(partner_id: str, holder: lease.Holder | None) -> str:
    if holder is None:
        return f"skipped: partner {partner_id} is held by another worker (its record is not written yet)"
    return (f"skipped: partner {partner_id} is held by `orderbridge {holder.command}`"
            + (f" ({holder.note})" if holder.note else "")
            + f", process {holder.pid} on {holder.host}, until {holder.expires_at}")


def run_partner(stage: str, workspace: str, partner_id: str, now_iso: str, run_id: str, *,
                ttl: float = lease.DEFAULT_TTL, wait: float = 0.0) -> PartnerOutcome:
    """``stage`` ("intake" or "deliver") for one partner under its lease. Held by another worker (still
    after ``wait`` seconds, none by default): skipped, with a progress line. A lease lost while the
    stage ran (it expired and another worker took it over) raises LeaseLost: before delivery's next
    chunk of files or intake's next file (or piece of a big file), else at the end; the caller must
    stop. The stage body's own errors propagate as they do from flows.night (the lease is released)."""
    body = _BODIES[stage]
    progress.to_stderr()  # as run_night: a worker's progress lines go to its standard error
    try:
        held = lease.acquire(workspace, stage, name=lease.partner_lease(partner_id), ttl=ttl, wait=wait,
                             run_id=run_id, note=f"run {run_id}" if run_id else "")
    except WorkspaceBusy as busy:
        holder = getattr(busy, "record", None)
        message = skipped_message(partner_id, holder)
        progress.report(stage, message, partner=partner_id)
        return PartnerOutcome(partner_id, stage, skipped=message, holder=holder.row() if holder else None)
    with held:
        took_over = held.takeover_message()
        if took_over:
            progress.report(stage, took_over, partner=partner_id)
        # renewed before each chunk of files delivered, each file taken in and each piece of a big file
        # stored: a lost lease stops the stage there
        value = body(workspace, partner_id, now_iso, run_id, keep=held.renew)
        held.renew()  # LeaseLost if another worker took it over meanwhile: said loudly, never ignored
    return PartnerOutcome(partner_id, stage, value=value, took_over=took_over)


def intake_partner(workspace: str, partner_id: str, now_iso: str, run_id: str, *,
                   ttl: float = lease.DEFAULT_TTL) -> dict:
    """Sharded intake of one partner (run_partner), as a plain dict (PartnerOutcome.to_dict)."""
    return run_partner(INTAKE, workspace, partner_id, now_iso, run_id, ttl=ttl).to_dict()


def deliver_partner(workspace: str, partner_id: str, now_iso: str, run_id: str, *,
                    ttl: float = lease.DEFAULT_TTL) -> dict:
    """Sharded delivery of one partner (run_partner), as a plain dict (PartnerOutcome.to_dict)."""
    return run_partner(DELIVER, workspace, partner_id, now_iso, run_id, ttl=ttl).to_dict()
