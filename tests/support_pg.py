"""A private PostgreSQL server for the tests, and the fixture that runs a state-store test on both back
ends. The server is started once per session on demand (initdb into a temporary data directory owned by
an unprivileged user, since initdb refuses root; postgres on a free port of 127.0.0.1 with its socket in
that directory) and stopped by its PID at the end. Each test gets a schema of its own. Without the
binaries (scripts/ensure-test-servers.sh installs Debian's `postgresql`) PostgreSQL tests are skipped,
except under CI=true, where that is a failure."""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

from flows.prefect_api import free_port

BACKENDS = ["sqlite", "postgresql"]
USER = "orderbridge"


def pg_bin() -> Path | None:
    """The folder holding initdb and postgres: /usr/local/bin, PATH, or Debian's /usr/lib/postgresql/N/bin."""
    found = shutil.which("initdb")
    candidates = ([Path(found).parent] if found else []) + [Path("/usr/local/bin")] + sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")), key=lambda p: int(p.parent.name)
        if p.parent.name.isdigit() else 0, reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "postgres").is_file():
            return folder
    return None




@dataclass
class PgServer:
    """A running private server: its PID, port, folder and the password file the URLs name."""

    pid: int
    port: int
    root: Path
    passfile: Path
    process: subprocess.Popen

    def url(self, database: str = "orderbridge", **params: str) -> str:
        query = "&".join([f"passfile={quote(str(self.passfile))}", *(f"{k}={quote(v)}" for k, v in params.items())])
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}?{query}"

    def admin(self, sql: str, database: str = "orderbridge") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def fresh_url(self) -> str:
        """A URL whose search_path is a new, empty schema: a store of its own, in the shared database."""
        schema = "t_" + uuid.uuid4().hex[:16]
        self.admin(f"CREATE SCHEMA {schema}")
        return self.url(options=f"-c search_path={schema}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGINT)  # fast shutdown: clients are cut, the server exits
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def start_server(settings: dict[str, str] | None = None) -> PgServer:
    """A private server; ``settings``: more server settings (``-c name=value``), e.g. the benches'
    pg_stat_statements."""
    folder = pg_bin()
    if folder is None:
        raise FileNotFoundError("PostgreSQL's initdb/postgres not found (scripts/ensure-test-servers.sh installs them)")
    root = Path(tempfile.mkdtemp(prefix="orderbridge-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    password = secrets.token_hex(16)
    pwfile = root / "initdb-password"
    pwfile.write_text(password + "\n")
    run_as: dict = {}
    if os.geteuid() == 0:  # initdb refuses root: the server's files belong to an unprivileged user
        who = pwd.getpwnam("nobody")
        run_as = {"user": who.pw_uid, "group": who.pw_gid, "extra_groups": []}
        for p in (root, sock, pwfile):
            os.chown(p, who.pw_uid, who.pw_gid)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C", "LC_ALL": "C"}
    subprocess.run([str(folder / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}", "--auth-local=trust",
                    "--auth-host=scram-sha-256", "--locale=C", "--encoding=UTF8", "--no-sync"],
                   check=True, capture_output=True, cwd=root, env=env, **run_as)
    pwfile.unlink()
    port = free_port()
    log = open(root / "postgres.log", "wb")  # noqa: SIM115 - the server's stderr for as long as it runs
    process = subprocess.Popen(
        [str(folder / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1", "-k", str(sock),
         "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=60",
         *(arg for name, value in (settings or {}).items() for arg in ("-c", f"{name}={value}"))],
        stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env, start_new_session=True, **run_as)
    passfile = root / "pgpass"
    passfile.write_text(f"127.0.0.1:{port}:*:{USER}:{password}\n")
    passfile.chmod(0o600)
    server = PgServer(process.pid, port, root, passfile, process)
    import psycopg

    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            text = (root / "postgres.log").read_text(errors="replace")
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"postgres exited at start ({process.returncode}): {text[-2000:]}")
        try:
            psycopg.connect(server.url("postgres"), connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.1)
    server.admin("CREATE DATABASE orderbridge", database="postgres")
    return server


@pytest.fixture(scope="session")
def pg_server():
    """The session's private PostgreSQL server (started on first use, stopped by PID at the end)."""
    try:
        server = start_server()
    except FileNotFoundError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI: {exc}")
        pytest.skip(str(exc))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def store_target(request, backend, tmp_path):
    """target(name="s") -> where a store of this test lives on the back end under test: a SQLite file
    in tmp_path, or a postgresql:// URL of a fresh schema; the same name gives the same store."""
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None
    made: dict[str, str] = {}

    def target(name: str = "s") -> str:
        if name not in made:
            made[name] = server.fresh_url() if server else str(tmp_path / f"{name}.sqlite")
        return made[name]

    return target


def index_names(store) -> set[str]:
    """The indices of a store's tables, on either back end."""
    if store.dialect.name == "sqlite":
        return {r[0] for r in store._q("SELECT name FROM sqlite_master WHERE type='index'")}
    return {r[0] for r in store._q("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
