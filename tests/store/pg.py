"""A throwaway PostgreSQL cluster for tests and benchmarks.

Uses Debian's PostgreSQL server binaries (package `postgresql`; not on PATH: found with
`pg_config --bindir` or under /usr/lib/postgresql/<version>/bin). `initdb` and `pg_ctl` refuse
to run as root, so as root they run as the `postgres` user through `runuser`. The cluster
listens on 127.0.0.1 on a free port (and on a unix socket in its own directory), trusts local
connections, and trades durability for speed (`fsync=off`, `synchronous_commit=off`,
`full_page_writes=off`). `stop()` removes everything.

Importable on its own (the benchmark uses it): stdlib only, plus asyncpg for `create_database`.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install the Debian package:"
    " `apt-get install -y postgresql` (or set MANIFOLD_TEST_POSTGRES=skip to skip the"
    " PostgreSQL half of the store tests)."
)


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the cluster would not start."""


def find_bindir() -> Path | None:
    """The directory holding `initdb`, `pg_ctl` and `postgres`, or None."""
    candidates: list[Path] = []
    env = os.environ.get("MANIFOLD_PG_BINDIR")
    if env:
        candidates.append(Path(env))
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            out = subprocess.run(
                [pg_config, "--bindir"], check=True, capture_output=True, text=True
            ).stdout.strip()
            candidates.append(Path(out))

    def version_key(path: str) -> int:
        part = Path(path).parent.name
        return int(part) if part.isdigit() else 0

    candidates += [
        Path(p)
        for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True)
    ]
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresCluster:
    bindir: Path
    root: Path
    port: int
    user: str = "postgres"
    _running: bool = field(default=False, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (asyncpg driver) for `database` on this cluster."""
        return f"postgresql+asyncpg://{self.user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres") -> str:
        """A libpq/asyncpg DSN for `database`."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def start(cls, *, max_connections: int = 200) -> PostgresCluster:
        bindir = find_bindir()
        if bindir is None:
            raise PostgresUnavailable(INSTALL_HINT)
        # Directly under the system temp dir: pytest's own temp dirs are private to root,
        # and the postgres user must be able to reach the data directory.
        root = Path(tempfile.mkdtemp(prefix="manifold-pg-"))
        cluster = cls(bindir=bindir, root=root, port=0)
        try:
            cluster.socket_dir.mkdir()
            cluster._chown_tree()
            cluster._run(
                "initdb",
                "-D",
                str(cluster.datadir),
                "-U",
                cluster.user,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            last_error: Exception | None = None
            for _ in range(5):  # a free port may be taken between probing and binding
                cluster.port = _free_port()
                try:
                    cluster._pg_ctl_start(max_connections)
                    break
                except PostgresUnavailable as exc:
                    last_error = exc
            else:
                raise PostgresUnavailable(f"PostgreSQL did not start: {last_error}")
        except BaseException:
            cluster.stop()
            raise
        atexit.register(cluster.stop)
        return cluster

    def stop(self) -> None:
        if self._running:
            with contextlib.suppress(Exception):
                self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            self._running = False
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------------

    async def create_database(self, name: str, *, template: str | None = None) -> str:
        """Create database `name` (optionally a copy of `template`); returns its URL."""
        import asyncpg

        conn = await asyncpg.connect(self.dsn())
        try:
            sql = f'CREATE DATABASE "{name}"'
            if template:
                sql += f' TEMPLATE "{template}"'
            await conn.execute(sql)
        finally:
            await conn.close()
        return self.url(name)

    async def drop_database(self, name: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn())
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()

    # -- internals ---------------------------------------------------------------------------

    def _pg_ctl_start(self, max_connections: int) -> None:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                f"-c max_connections={max_connections}",
                "-c shared_buffers=64MB",
            ]
        )
        log = self.root / "postgres.log"
        try:
            self._run(
                "pg_ctl",
                "-D",
                str(self.datadir),
                "-o",
                options,
                "-l",
                str(log),
                "-w",
                "-t",
                "30",
                "start",
            )
        except PostgresUnavailable as exc:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{exc}\n{tail}") from exc
        self._running = True

    def _as_postgres(self) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--"]
        return []

    def _chown_tree(self) -> None:
        if os.geteuid() != 0:
            return
        import pwd

        entry = pwd.getpwnam("postgres")
        for path in (self.root, self.socket_dir):
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, tool: str, *args: str) -> None:
        cmd = [*self._as_postgres(), str(self.bindir / tool), *args]
        env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/")
        if proc.returncode != 0:
            raise PostgresUnavailable(
                f"{tool} failed after {time.monotonic() - started:.1f}s"
                f" (exit {proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}"
            )
