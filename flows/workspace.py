"""A workspace: partner profiles, per-partner drops, reference data, inventory, the state store and the
run reports. Everything a run reads comes from the workspace itself: a workspace without its own
profiles, reference data or inventory is an error that says what is missing, never a silent fall back
to the repository's demo data (only `orderbridge demo` copies sample_files/ into its workspace).

    <workspace>/partners/*.toml     partner profiles
    <workspace>/drop/<partner>/     inbox/ outbox/ archive/ processed/ quarantine/
    <workspace>/warehouses/*.toml   warehouse profiles: who sends shipment confirmations (none: nothing ships)
    <workspace>/warehouse-drop/<warehouse>/   inbox/ archive/ processed/ quarantine/ (CSV or 945 confirmations)
    <workspace>/state/orderbridge.sqlite    the state store (SQLite, the default), or PostgreSQL when
                                            workspace.toml's [state] url or ORDERBRIDGE_STATE_URL names one
    <workspace>/workspace.toml              optional: [state] url = "postgresql://user@host:5432/db",
                                            [clock] zone = "America/New_York" (the run clock's time zone),
                                            [prefect] pool = "<work pool>" (docs/scaling.md),
                                            [reports] finance_snapshot_days = 90 (0: keep all),
                                            [mailbox] kind = "sftp" + [mailbox.sftp] (the VAN mailbox pulled
                                            from its server, as a partner's [drop.sftp]; flows.mailbox)
    <workspace>/mailbox/                    inbox/ archive/ processed/ quarantine/: one VAN mailbox's files
    <workspace>/state/orders/<partner>/     canonical order tables per received file (Parquet)
    <workspace>/state/derived/              rows read out of our delivered documents (connectors.document_rows)
    <workspace>/reference/                  items, partner_items, prices, customers, ship_tos (CSV);
                                            item_units.csv, customer_currencies.csv, kits.csv and
                                            deals.csv optional
    <workspace>/inventory/                  snapshots/as_of=YYYY-MM-DD/*.parquet + receipts.parquet
    <workspace>/reports/<run id>/   summary.json, summary.md, findings.csv, failures.html
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from connectors.state_files import STATE_URL_ENV  # noqa: F401 - callers and tests read its name here
from schemas.errors import ConfigError

if TYPE_CHECKING:  # profiles (pydantic models) load only when asked for: `status` never needs them
    from schemas.profile import DropSettings, PartnerProfile
    from schemas.warehouses import WarehouseProfile

REPO_ROOT = Path(__file__).resolve().parent.parent
# the reference files a run needs (schemas.reference.SCHEMAS less OPTIONAL_FILES; written out so that
# `status` need not import pyarrow; tests/test_partner_check.py holds the two together)
# a run's own finance report (the reconciliation of the whole history as of that run, reports/<run id>/finance/)
# is kept this many days by default: at 50,000 lines a night each one grows by ~11 MB a night (0.7 TB a year of
# copies, docs/design-reconcile-history.md); the cumulative report (reports/finance/) always holds every line
FINANCE_SNAPSHOT_DAYS = 90
STOCK_CARRY_DAYS = 3
# [inventory] stock_untracked_days: a DC none of whose stock was loaded in this many days before the snapshot's is one
# whose stock we do not track (a 3PL's, a warehouse profile for shipping alone): its routed orders are served from the
# others, never held for its export (flows.decide._late)
STOCK_UNTRACKED_DAYS = 31
REFERENCE_FILES = ("items.csv", "partner_items.csv", "prices.csv", "customers.csv", "ship_tos.csv")


@dataclass(frozen=True, slots=True)
class Workspace:
    root: Path
    # the run clock's date its partner profiles are read as of (PartnerProfile.on: a dated change, [[changes]],
    # takes effect on its day); None: today's, for what no run's clock names (`partner check`, the console)
    day: date | None = None

    def on(self, clock: datetime | date) -> Workspace:
        """This workspace with its profiles read as of ``clock``'s date (the run's clock: every stage of a night
        reads the profiles in effect that night)."""
        return replace(self, day=clock.date() if isinstance(clock, datetime) else clock)

    def _dated(self, profiles: dict[str, PartnerProfile],
               continuers: dict[str, PartnerProfile] | None = None) -> dict[str, PartnerProfile]:
        """``profiles`` as in effect on the workspace's day, each whose open orders another carries on by then
        ([continues], from ``continuers`` or else ``profiles``: PartnerProfile.continued) answering under its
        continuer's envelope and drop."""
        day = self.day or date.today()
        dated = {pid: p.on(day) if p.changes else p for pid, p in profiles.items()}
        for b in (continuers if continuers is not None else dated).values():
            b = b.on(day) if b.changes else b
            a = b.continuing(day)
            if a in dated and a != b.id:
                dated[a] = dated[a].continued(b)
        return dated

    def continuers_of(self, partner: str) -> dict[str, PartnerProfile]:
        """The profiles (those that load) whose [continues] names ``partner``: read for it alone (a per-partner
        stage loads its own profile and these, not every one)."""
        from schemas.profile import load_profile

        out = {}
        for b, (a, _effective) in self.continuations().items():
            if a != partner or b == partner:
                continue
            try:
                p = load_profile(self.partners_dir / f"{b}.toml")
            except ConfigError:
                continue  # its own stage reports it
            if p.id == b:
                out[b] = p
        return out

    def continuations(self) -> dict[str, tuple[str, date]]:
        """Each partner whose [continues] names another: partner B -> (partner A, effective), read from the profiles'
        TOML alone (no validation: `status` and the console name who continues whom without loading pydantic; a
        profile that does not load is left out, its own `partner check` says why). A file is read again only when its
        size or time changed: a per-partner stage asks once per partner (a 400-partner night read 160,000 files)."""
        import os

        if (held := _CONTINUATIONS_HELD.get(str(self.partners_dir))) is not None:
            return dict(held)  # a night's or shipments run's stages: read once at its start (continuations_held)
        found: dict[str, tuple[str, date]] = {}
        try:
            entries = sorted(os.scandir(self.partners_dir), key=lambda e: e.name)
        except OSError:
            return found
        for entry in entries:
            if not entry.name.endswith(".toml"):
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            key = (entry.path, st.st_mtime_ns, st.st_size)
            if key not in _CONTINUES_READ:
                _CONTINUES_READ[key] = _continues_of(Path(entry.path))
            if (said := _CONTINUES_READ[key]) is not None:
                found[entry.name[:-5]] = said
        return found

    def finance_currency(self, partner: str) -> str:
        """The currency the partner's amounts are in, its profile's [finance] currency (else the default, USD), read
        from its TOML alone as `continuations` is: what a PO naming none (a CSV order without a Currency column) is
        valued in, as the reconciliation values it (engine.line_match: the PO's currency, else the partner's)."""
        from schemas.money_text import DEFAULT_CURRENCY

        return _finance_currency_of(self.partners_dir / f"{partner}.toml") or DEFAULT_CURRENCY

    def continued(self, partner: str) -> dict | None:
        """How the orders of ``partner`` (A) are carried on by another profile (B, whose [continues] names it), as
        `status` and the console say it: {"partner": B, "effective": "YYYY-MM-DD", "said": "received from A,
        continued by B since ..."}; None when no profile continues it."""
        for b, (a, effective) in self.continuations().items():
            if a == partner and b != partner:
                when = "since" if effective <= (self.day or date.today()) else "from"
                return {"partner": b, "effective": effective.isoformat(),
                        "said": f"received from {partner}, continued by {b} {when} {effective.isoformat()} (its 860s "
                                f"change this order; its documents go under {b}'s envelope to {b}'s drop)"}
        return None

    @property
    def partners_dir(self) -> Path:
        return self.root / "partners"

    @property
    def drop_root(self) -> Path:
        return self.root / "drop"

    @property
    def state_path(self) -> Path:
        return self.root / "state" / "orderbridge.sqlite"

    @property
    def state_url(self) -> str:
        """Where the state store is, as connectors.state.StateStore opens it: ORDERBRIDGE_STATE_URL, else
        workspace.toml's [state] url (a postgresql:// URL without its password: that comes from
        PGPASSWORD or a .pgpass file), else the SQLite file state_path (the embedded default)."""
        from connectors.state_files import state_target

        return state_target(self.root)

    @property
    def prefect_pool(self) -> str:
        """workspace.toml's [prefect] pool: the work pool whose workers run each partner's intake and
        delivery (flows.pool, docs/scaling.md); "" runs every stage in the nightly flow's process."""
        return str(self._config().get("prefect", {}).get("pool", "")).strip()

    @property
    def clock_zone(self) -> str:
        """workspace.toml's [clock] zone: the IANA time zone of the run clock (America/New_York), to which a
        3PL's ship time given in another zone (945 G6205) is converted for the ASN window; "" none set."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        zone = str(self._config().get("clock", {}).get("zone", "")).strip()
        try:
            if zone:
                ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{self.config_path}: [clock] zone {zone!r} is no time zone", path=str(self.config_path)
                              ) from exc
        return zone

    @property
    def finance_snapshot_days(self) -> int:
        """workspace.toml's [reports] finance_snapshot_days: a run's own copy of the finance report
        (reports/<run id>/finance/, the whole history as of that run) is removed once the run is older than
        this many days (flows.reports.prune_finance_snapshots); 0 keeps every one. Default 90."""
        return self._days("reports", "finance_snapshot_days", FINANCE_SNAPSHOT_DAYS,
                          "0 keeps every run's finance report")

    @property
    def stock_carry_days(self) -> int:
        """workspace.toml's [inventory] stock_carry_days: a DC whose stock export was not loaded for the night's
        snapshot day is allocated from its last one loaded if that is at most this many days older (flows.decide.
        load_inventory, the night's stock line naming its day); 0 carries none. Default 3 (a long weekend)."""
        return self._days("inventory", "stock_carry_days", STOCK_CARRY_DAYS, "0 carries no DC's older stock")

    @property
    def stock_untracked_days(self) -> int:
        """workspace.toml's [inventory] stock_untracked_days: a DC missing from the night's snapshot whose last stock
        loaded is older than stock_carry_days but at most this many days old holds the orders routed to it
        (STOCK_NOT_LOADED, flows.decide._late); one not loaded in this many days is a DC whose stock we do not track,
        its orders served from the others. Default 31; at most stock_carry_days holds none."""
        return self._days("inventory", "stock_untracked_days", STOCK_UNTRACKED_DAYS,
                          "a DC not loaded in that many days is one whose stock we do not track")

    @property
    def mailbox_drop(self) -> DropSettings:
        """workspace.toml's [mailbox]: where the VAN mailbox's files come from (flows.mailbox). kind = "local" (the
        default): what a VAN's or translator's job puts in mailbox/inbox/, read by [mailbox.local]'s ready rule (a
        local drop's); kind = "sftp": pulled from the VAN's server as [mailbox.sftp] says (a partner's [drop.sftp]
        fields: host, user, key_file, known_hosts, remote_inbox, remote_processed, leave_in_inbox...) into
        mailbox/inbox/ each night. ConfigError naming what is wrong."""
        from pydantic import ValidationError

        from schemas.profile import DropSettings

        table = self._config().get("mailbox", {})
        if isinstance(table, dict) and table.get("kind") == "sftp" and "sftp" not in table:
            raise ConfigError(f'{self.config_path}: [mailbox] kind = "sftp" needs a [mailbox.sftp] table (host, user, '
                              "key_file or secret_env, known_hosts, remote_inbox...: as a partner's [drop.sftp])",
                              path=str(self.config_path))
        try:
            return DropSettings.model_validate(table)
        except ValidationError as exc:
            why = "; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'mailbox'}: {e['msg']}" for e in exc.errors())
            raise ConfigError(f"{self.config_path}: [mailbox] {why}", path=str(self.config_path)) from exc

    def _days(self, table: str, key: str, default: int, meaning: str) -> int:
        """workspace.toml's [table] key: a whole number of days, 0 or more (``default`` where it is not set);
        ConfigError naming it and ``meaning`` otherwise."""
        value = self._config().get(table, {}).get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"{self.config_path}: [{table}] {key} {value!r} is not a whole number of days "
                              f"({meaning})", path=str(self.config_path))
        return value

    def _config(self) -> dict:
        """workspace.toml read ({} where there is none); ConfigError where it cannot be read."""
        import tomllib

        if not self.config_path.is_file():
            return {}
        try:
            return tomllib.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{self.config_path} cannot be read: {exc}", path=str(self.config_path)) from exc

    @property
    def state_on_postgres(self) -> bool:
        return self.state_url != str(self.state_path)

    @property
    def config_path(self) -> Path:
        return self.root / "workspace.toml"

    @property
    def orders_dir(self) -> Path:
        return self.root / "state" / "orders"

    @property
    def reference_dir(self) -> Path:
        return self.root / "reference"

    @property
    def inventory_dir(self) -> Path:
        return self.root / "inventory"

    @property
    def reports_dir(self) -> Path:
        return self.root / "reports"

    @property
    def warehouses_dir(self) -> Path:
        return self.root / "warehouses"

    @property
    def warehouse_drop_root(self) -> Path:
        return self.root / "warehouse-drop"

    def partners(self) -> dict[str, PartnerProfile]:
        """Every profile, each one loading (ConfigError for the first that does not): for what needs them
        all, e.g. `orderbridge state rebuild`. A run takes those that load (partners_apart)."""
        from schemas.profile import load_profiles

        self._require_profiles()
        return self._dated(load_profiles(self.partners_dir))

    def _require_profiles(self) -> None:
        if not any(self.partners_dir.glob("*.toml")):
            raise ConfigError(f"workspace {self.root} has no partner profiles: add partners/<id>.toml "
                              "(see docs/onboarding.md)", path=str(self.partners_dir))

    def partners_apart(self) -> tuple[dict[str, PartnerProfile], dict[str, BrokenProfile]]:
        """The profiles that load, and apart from them, per partner whose profile does not (its file's
        name), what is wrong with it (BrokenProfile: the file, the field or line, the loader's reason;
        its failure in the run and its finding). A run takes the first and leaves the second's files in
        their drops. ConfigError when there is no profile at all, or when none loads (nothing could run:
        the workspace cannot be used, as before)."""
        from schemas.profile import load_profiles_apart

        self._require_profiles()
        profiles, broken = load_profiles_apart(self.partners_dir)
        profiles = self._dated(profiles)
        apart = {pid: BrokenProfile.of(self.partners_dir, pid, exc) for pid, exc in broken.items()}
        if not profiles:
            raise ConfigError(f"no partner profile loads ({len(broken)} in {self.partners_dir}): " + "; ".join(
                f"{b.path.name}: {b.reason}" for b in apart.values()), path=str(self.partners_dir))
        for pid, waiting in self.drops_without_profile({*profiles, *apart}).items():
            apart[pid] = BrokenProfile(pid, self.partners_dir / f"{pid}.toml", (
                f"there is no such file, and {waiting} file(s) wait in {self.drop_root / pid / 'inbox'} (add the "
                "partner's profile, docs/onboarding.md, or move the files to the drop of the partner who sent them)"))
        return profiles, apart

    def drops_without_profile(self, partners: set[str]) -> dict[str, int]:
        """Each folder of drop/ that is no partner's of ``partners`` and whose inbox holds files (a partner's
        drop set up before its profile, a profile renamed or removed, a folder misnamed), with how many: a run
        reads none of them, so it says so (partners_apart) rather than leave them there unsaid."""
        return _inboxes_waiting(self.drop_root, partners)

    def warehouse_drops_without_profile(self) -> dict[str, int]:
        """As drops_without_profile, for warehouse-drop/ and the warehouse profiles (a confirmation dropped in
        a folder no warehouses/<id>.toml names is never read: flows.night says so, as a failed warehouse)."""
        return _inboxes_waiting(self.warehouse_drop_root, set(self.warehouses()))

    def partner_refusal(self, partner: str, *, then: str = "") -> str | None:
        """Why a person's request naming ``partner`` (`orderbridge retake`, `resend`) cannot be done: its profile
        does not load (what is wrong, the command that checks it; ``then``: what follows once it is fixed), or there
        is no such partner; None when its profile loads."""
        profiles, broken = self.partners_apart()
        if partner in broken:
            b = broken[partner]
            return (f"partner {partner}'s profile {b.path} does not load: {b.reason}; fix it first "
                    f"(`orderbridge partner check {partner}`){then}")
        return None if partner in profiles else f"unknown partner {partner!r}"

    def runnable_partners(self) -> dict[str, PartnerProfile]:
        """The profiles a run's stages work with: those that load (partners_apart)."""
        return self.partners_apart()[0]

    def runnable_partner(self, partner: str) -> PartnerProfile:
        """runnable_partners()[partner], loading that profile alone: a per-partner stage's, run once per partner (a
        night of N partners loaded N x N profiles). KeyError when it does not load or is not named by its id."""
        from schemas.profile import load_profile

        try:
            profile = load_profile(self.partners_dir / f"{partner}.toml")
        except ConfigError:
            raise KeyError(partner) from None
        if profile.id != partner:
            raise KeyError(partner)
        return self._dated({partner: profile}, self.continuers_of(partner))[partner]

    def warehouses(self) -> dict[str, WarehouseProfile]:
        """The warehouse profiles of warehouses/ (none: nothing ships through this workspace)."""
        from schemas.warehouses import load_warehouses

        return load_warehouses(self.warehouses_dir)

    def missing(self) -> list[str]:
        """What a run needs from this workspace and does not find, one line each."""
        out = []
        if not any(self.partners_dir.glob("*.toml")):
            out.append(f"{self.partners_dir}/: no partner profile (*.toml)")
        for name in REFERENCE_FILES:
            if not (self.reference_dir / name).is_file():
                out.append(f"{self.reference_dir / name}: reference file missing")
        snapshots = self.inventory_dir / "snapshots"
        if not (snapshots.is_dir() and any(snapshots.glob("as_of=*/*.parquet"))):
            out.append(f"{snapshots}/as_of=YYYY-MM-DD/: no inventory snapshot")
        if not (self.inventory_dir / "receipts.parquet").is_file():
            out.append(f"{self.inventory_dir / 'receipts.parquet'}: expected receipts missing")
        return out

    def require_ready(self) -> None:
        """ConfigError naming everything a run needs that this workspace lacks."""
        missing = self.missing()
        if missing:
            raise ConfigError(f"workspace {self.root} is not ready to run (see docs/onboarding.md): "
                              + "; ".join(missing), missing=missing)


# partners folder -> its continuations, read once by a night's or shipments run's process (continuations_held)
_CONTINUATIONS_HELD: dict[str, dict[str, tuple[str, date]]] = {}


def delivering(ws: Workspace, profile: PartnerProfile) -> PartnerProfile:
    """The profile whose drop ``profile``'s documents are delivered to: the partner carrying on its orders
    ([continues]: its 855/865/856/810 go to that partner's mailbox, under its envelope), else its own."""
    if profile.continued_by is None:
        return profile
    try:
        return ws.runnable_partner(profile.continued_by)
    except KeyError:  # (not continued then: Workspace.continuers_of reads only the profiles that load)
        return profile


@contextmanager
def continuations_held(ws: Workspace):
    """Who continues whom ([continues]) read once for the stages a night or shipments run calls in this process,
    as its profiles are (partners_apart at the run's start): each per-partner stage asks it through
    runnable_partner, and scanning and stat-ing every profile file each time cost ~5 ms a call at 400 partners (a
    night of 400 partners ~2 s). A profile edited during the run counts from the next; a pool's worker or the
    console reads the folder as before."""
    key = str(ws.partners_dir)
    before = _CONTINUATIONS_HELD.pop(key, None)  # (a run inside another's: its own read, the outer's after)
    _CONTINUATIONS_HELD[key] = ws.continuations()
    try:
        yield
    finally:
        _CONTINUATIONS_HELD.pop(key, None)
        if before is not None:
            _CONTINUATIONS_HELD[key] = before


# (path, mtime_ns, size) of a profile file -> what its [continues] says (Workspace.continuations), per process
_CONTINUES_READ: dict[tuple[str, int, int], tuple[str, date] | None] = {}


def _finance_currency_of(path: Path) -> str | None:
    """The profile file's [finance] currency, None when it names none (or cannot be read)."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        f = tomllib.loads(text).get("finance") if "currency" in text else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    c = f.get("currency") if isinstance(f, dict) else None
    return c.strip().upper() if isinstance(c, str) and c.strip() else None


def _continues_of(path: Path) -> tuple[str, date] | None:
    """(partner, effective) of the profile file's [continues], None when it has none (or cannot be read)."""
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        c = tomllib.loads(text).get("continues") if "continues" in text else None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    if isinstance(c, dict) and isinstance(c.get("partner"), str) and isinstance(c.get("effective"), date):
        return c["partner"], c["effective"]
    return None


def _inboxes_waiting(root: Path, known: set[str]) -> dict[str, int]:
    """Folder name -> how many files wait in its inbox/, for each folder of ``root`` not in ``known`` that has any
    (hidden names aside: uploads in progress)."""
    out = {}
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        inbox = folder / "inbox"
        if folder.name in known or not inbox.is_dir():
            continue
        waiting = sum(1 for f in inbox.iterdir() if not f.name.startswith(".") and f.is_file())
        if waiting:
            out[folder.name] = waiting
    return out


@dataclass(frozen=True, slots=True)
class BrokenProfile:
    """A partner whose profile does not load (flows.workspace.Workspace.partners_apart): its file, why (the
    loader's reason on one line, schemas.profile.profile_problem) and where (the field refused, the TOML line)."""

    partner: str
    path: Path
    reason: str
    field: str = ""
    line: int | None = None
    value: str | None = None

    @classmethod
    def of(cls, partners_dir: Path, partner: str, exc: ConfigError) -> BrokenProfile:
        from schemas.profile import problem_at, profile_problem

        field, line, value = problem_at(exc)
        return cls(partner, partners_dir / f"{partner}.toml", profile_problem(exc), field, line, value)

    @property
    def failure(self) -> str:
        """The run's failure for the partner: the file, the loader's reason, that nothing of the partner was
        taken, and what to do."""
        return (f"{PROFILE_FAILURE}{self.path} does not load: {self.reason}. Nothing of {self.partner} was taken, "
                f"answered or sent this run: its files wait in its drop. {PROFILE_TODO.format(partner=self.partner)}")

    def finding(self):
        """The run's PROFILE_NOT_LOADED finding for the partner (its row in the failures report)."""
        from schemas.findings import finding

        return finding("PROFILE_NOT_LOADED", f"{self.path} does not load: {self.reason}. Nothing of {self.partner} "
                       "was taken, answered or sent: its files wait in its drop (confirmations naming its POs in the "
                       "warehouse's inbox).", file=self.path.name, column=self.field, value=self.value,
                       row=self.line)


PROFILE_FAILURE = "profile: "  # how a partner's failure for a profile that does not load begins
PROFILE_TODO = "Fix the profile (`orderbridge partner check {partner}` says what it lacks) and run again"


def open_workspace(root: Path | str) -> Workspace:
    ws = Workspace(Path(root).resolve())
    for p in (ws.root, ws.drop_root, ws.state_path.parent, ws.reports_dir):
        p.mkdir(parents=True, exist_ok=True)
    return ws
