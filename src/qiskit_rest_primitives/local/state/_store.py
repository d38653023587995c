"""SQLite persistence for instances, jobs (params, results), sessions and server metadata."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS instances (
    crn TEXT PRIMARY KEY, name TEXT NOT NULL, api_key TEXT UNIQUE NOT NULL,
    account TEXT NOT NULL, backends TEXT NOT NULL, instance_limit_seconds INTEGER,
    usage_allocation_seconds INTEGER, is_default INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL,
    resource_group_id TEXT NOT NULL DEFAULT 'default', resource_plan_id TEXT NOT NULL
    DEFAULT 'local-plan', tags TEXT NOT NULL DEFAULT '[]', parameters TEXT NOT NULL DEFAULT '{}',
    updated TEXT, removed TEXT);
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, crn TEXT NOT NULL,
    program_id TEXT NOT NULL, backend TEXT NOT NULL, session_id TEXT, status TEXT NOT NULL,
    reason TEXT, reason_code INTEGER, created TEXT NOT NULL, running TEXT, finished TEXT,
    params TEXT NOT NULL, tags TEXT NOT NULL, cost INTEGER, private INTEGER NOT NULL DEFAULT 0,
    log_level TEXT, caller TEXT, result TEXT, logs TEXT, usage_seconds REAL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, crn TEXT NOT NULL, backend TEXT NOT NULL, mode TEXT NOT NULL,
    state TEXT NOT NULL, accepting_jobs INTEGER NOT NULL, max_ttl INTEGER NOT NULL,
    created TEXT NOT NULL, activated TEXT, closed TEXT, last_job_started TEXT,
    last_job_completed TEXT);
"""

TERMINAL = ("Completed", "Failed", "Cancelled")
#: Instance columns added after the first release, with their definitions (files made by an
#: older server gain them on open).
_ADDED_INSTANCE_COLUMNS = {
    "resource_group_id": "TEXT NOT NULL DEFAULT 'default'",
    "resource_plan_id": "TEXT NOT NULL DEFAULT 'local-plan'",
    "tags": "TEXT NOT NULL DEFAULT '[]'", "parameters": "TEXT NOT NULL DEFAULT '{}'",
    "updated": "TEXT", "removed": "TEXT"}
_JSON_INSTANCE_COLUMNS = ("backends", "tags", "parameters")
_LARGE_JOB_COLUMNS = frozenset({"params", "result"})  # can run to megabytes


def now_iso() -> str:
    """UTC timestamp as the service writes it: ``2026-05-04T12:00:00.123456Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")



def _private_file(path: str) -> None:
    """Create the database file owner-only (0600) before SQLite opens it: it holds API keys
    and the token-signing secret. SQLite gives its journal files the same permissions."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _write_ahead(conn: sqlite3.Connection) -> None:
    """Write-ahead logging for a database file: a commit appends to ``-wal`` and, with
    ``synchronous=NORMAL``, waits for no disk flush (the log is synced at checkpoints).

    A crash of the server loses nothing committed; a power cut may lose the last commits,
    never the file's consistency, which suits an emulator's jobs. Readers (the CLI's
    ``instances`` commands) no longer block the server's writes. SQLite creates ``-wal`` and
    ``-shm`` with the database file's permissions (0600), whatever the umask.
    """
    conn.execute("PRAGMA journal_mode=WAL")  # kept in the file; answers the old mode if refused
    conn.execute("PRAGMA synchronous=NORMAL")


class Store:
    """Thread-safe SQLite store; ``path=None`` keeps everything in memory."""

    def __init__(self, path: str | None = None) -> None:
        self._lock = threading.RLock()
        #: Whether the database lives in memory: ours alone, and no commit waits on a disk
        #: (only a file can be written by another connection, the CLI).
        self.in_memory = not path or path == ":memory:"
        if not self.in_memory:
            _private_file(str(path))
        self._conn = sqlite3.connect(path or ":memory:", check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        if not self.in_memory:
            _write_ahead(self._conn)
        # Instance rows by CRN (read on every API call); dropped on any change made here, and
        # when PRAGMA data_version shows another connection (the CLI) wrote the file.
        self._instances: dict[str, dict[str, Any]] = {}
        self._data_version = -1  # PRAGMA data_version when the cache was last checked
        with self._lock:
            self._conn.executescript(_SCHEMA)
            present = {row["name"] for row in self._conn.execute("PRAGMA table_info(instances)")}
            for name, definition in _ADDED_INSTANCE_COLUMNS.items():
                if name not in present:
                    self._conn.execute(f"ALTER TABLE instances ADD COLUMN {name} {definition}")
            self._conn.commit()
            columns = [row["name"] for row in self._conn.execute("PRAGMA table_info(jobs)")]
        #: Every job column but ``params`` and ``result``: what a status poll reads.
        self.job_summary_columns = tuple(c for c in columns if c not in _LARGE_JOB_COLUMNS)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
                self._conn.commit()
            except BaseException:
                self._conn.rollback()
                raise

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # -- meta ---------------------------------------------------------------------------------
    def meta(self, key: str, default: str) -> str:
        """Read a metadata value, storing ``default`` first if absent."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (key, default))
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            return str(row["value"])

    # -- instances ----------------------------------------------------------------------------
    def add_instance(self, row: dict[str, Any]) -> None:
        """Insert an instance row (``backends``, ``tags`` and ``parameters`` as Python values)."""
        values = {"tags": [], "parameters": {}, **row, "created": now_iso()}
        values.update({k: json.dumps(values[k]) for k in _JSON_INSTANCE_COLUMNS})
        columns = ", ".join(values)
        with self._tx() as db:
            self._instances.clear()
            db.execute(f"INSERT INTO instances ({columns}) VALUES"
                       f" ({', '.join(':' + k for k in values)})", values)

    def update_instance(self, crn: str, **fields: Any) -> None:
        """Set columns of an instance (JSON columns given as Python values)."""
        values = {k: json.dumps(v) if k in _JSON_INSTANCE_COLUMNS else v
                  for k, v in fields.items()}
        values["updated"] = now_iso()
        assignments = ", ".join(f"{k} = :{k}" for k in values)
        with self._tx() as db:
            self._instances.clear()
            db.execute(f"UPDATE instances SET {assignments} WHERE crn = :_crn",
                       {**values, "_crn": crn})

    def delete_instance(self, crn: str) -> None:
        """Mark an instance removed: the Runtime API refuses it and its jobs are unreachable,
        while its API key still reaches the rest of its account (keys belong to accounts)."""
        with self._tx() as db:
            self._instances.clear()
            db.execute("UPDATE instances SET removed = ? WHERE crn = ? AND is_default = 0",
                       (now_iso(), crn))

    def instances(self, account: str | None = None, *,
                  state: str = "active") -> list[dict[str, Any]]:
        """Instances (of one account if given) that are ``"active"``, ``"removed"`` or
        ``"any"``, oldest first."""
        where = {"active": ["removed IS NULL"], "removed": ["removed IS NOT NULL"],
                 "any": []}[state]
        args: list[Any] = []
        if account is not None:
            where, args = [*where, "account = ?"], [account]
        sql = "SELECT * FROM instances" + (" WHERE " + " AND ".join(where) if where else "")
        with self._tx() as db:
            return [_instance(r) for r in db.execute(sql + " ORDER BY created, rowid", args)]

    def instance(
        self, *, crn: str | None = None, api_key: str | None = None
    ) -> dict[str, Any] | None:
        """One instance by CRN or API key (a fresh copy the caller may change)."""
        if crn is not None:
            self._drop_stale_instances()
            cached = self._instances.get(crn)
            if cached is not None:
                return _instance_copy(cached)
        column, value = ("crn", crn) if crn is not None else ("api_key", api_key)
        with self._tx() as db:
            row = db.execute(f"SELECT * FROM instances WHERE {column} = ?", (value,)).fetchone()
            if row is None:
                return None
            found = _instance(row)
            self._instances[found["crn"]] = found
        return _instance_copy(found)

    def _drop_stale_instances(self) -> None:
        """Forget cached instances when another connection (the CLI) changed the file."""
        if self.in_memory:
            return
        with self._lock:
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version != self._data_version:
                self._data_version = version
                self._instances.clear()

    def default_instance(self) -> dict[str, Any] | None:
        """The pre-provisioned instance, if created already."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM instances WHERE is_default = 1").fetchone()
        return _instance(row) if row else None

    def usage_seconds(self, crn: str) -> float:
        """Quantum seconds consumed by an instance's jobs."""
        with self._tx() as db:
            row = db.execute(
                "SELECT COALESCE(SUM(usage_seconds), 0) AS s FROM jobs WHERE crn = ?", (crn,)
            ).fetchone()
        return float(row["s"])

    def session_usage(self, session_id: str) -> float:
        """Quantum seconds charged to the jobs of one session."""
        with self._tx() as db:
            row = db.execute("SELECT COALESCE(SUM(usage_seconds), 0) AS s FROM jobs"
                             " WHERE session_id = ?", (session_id,)).fetchone()
        return float(row["s"])

    # -- jobs ---------------------------------------------------------------------------------
    def take_result(self, job_id: str) -> str | None:
        """A job's stored result, removed as it is read (private jobs: readable once)."""
        with self._tx() as db:
            row = db.execute("SELECT result FROM jobs WHERE id = ?", (job_id,)).fetchone()
            db.execute("UPDATE jobs SET result = NULL WHERE id = ?", (job_id,))
        return None if row is None else row["result"]

    def add_job(self, row: dict[str, Any]) -> None:
        """Insert a new job (status Queued)."""
        with self._tx() as db:
            columns = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            db.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks})", row)

    def job(self, job_id: str, columns: tuple[str, ...] | None = None) -> dict[str, Any] | None:
        """One job row as a dict (only ``columns`` if given), or None."""
        select = "*" if columns is None else ", ".join(columns)
        with self._tx() as db:
            row = db.execute(f"SELECT {select} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return dict(row) if row else None

    def update_job(self, job_id: str, **fields: Any) -> None:
        """Set columns of a job."""
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        with self._tx() as db:
            db.execute(f"UPDATE jobs SET {assignments} WHERE id = :_id", {**fields, "_id": job_id})

    def transition(self, job_id: str, from_states: tuple[str, ...], **fields: Any) -> bool:
        """Atomically update a job only if its status is one of ``from_states``."""
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        marks = ", ".join(f":_s{i}" for i in range(len(from_states)))
        params = {**fields, "_id": job_id, **{f"_s{i}": s for i, s in enumerate(from_states)}}
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = :_id AND status IN ({marks})", params
            )
            return cur.rowcount == 1

    def delete_job(self, job_id: str) -> None:
        """Remove a job."""
        with self._tx() as db:
            db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def list_jobs(self, where: list[str], args: list[Any], *, ascending: bool, limit: int,
                  offset: int) -> tuple[list[dict[str, Any]], int]:
        """Filtered page of jobs plus the total count matching the filters."""
        clause = " AND ".join(where) if where else "1 = 1"
        order = "ASC" if ascending else "DESC"
        with self._tx() as db:
            count = db.execute(f"SELECT COUNT(*) FROM jobs WHERE {clause}", args).fetchone()[0]
            rows = db.execute(
                f"SELECT * FROM jobs WHERE {clause} ORDER BY seq {order} LIMIT ? OFFSET ?",
                [*args, limit, offset],
            ).fetchall()
        return [dict(r) for r in rows], int(count)

    def pending_job_ids(self, session_id: str | None = None) -> list[str]:
        """Non-terminal job ids in submission order (optionally of one session)."""
        sql = "SELECT id FROM jobs WHERE status IN ('Queued', 'Running')"
        args: list[Any] = []
        if session_id is not None:
            sql += " AND session_id = ?"
            args.append(session_id)
        with self._tx() as db:
            return [r["id"] for r in db.execute(sql + " ORDER BY seq", args).fetchall()]

    # -- sessions -----------------------------------------------------------------------------
    def add_session(self, row: dict[str, Any]) -> None:
        """Insert a session."""
        with self._tx() as db:
            columns = ", ".join(row)
            marks = ", ".join(f":{k}" for k in row)
            db.execute(f"INSERT INTO sessions ({columns}) VALUES ({marks})", row)

    def session(self, session_id: str) -> dict[str, Any] | None:
        """One session row, or None."""
        with self._tx() as db:
            row = db.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return dict(row) if row else None

    def update_session(self, session_id: str, **fields: Any) -> None:
        """Set columns of a session."""
        assignments = ", ".join(f"{k} = :{k}" for k in fields)
        with self._tx() as db:
            db.execute(
                f"UPDATE sessions SET {assignments} WHERE id = :_id", {**fields, "_id": session_id}
            )

    def sessions_of(self, crn: str) -> list[dict[str, Any]]:
        """Every session of an instance, oldest first."""
        with self._tx() as db:
            rows = db.execute("SELECT * FROM sessions WHERE crn = ? ORDER BY created, id",
                              (crn,)).fetchall()
        return [dict(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many jobs and sessions exist (of every instance)."""
        with self._tx() as db:
            jobs = db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]
            sessions = db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        return {"jobs": int(jobs), "sessions": int(sessions)}

    def reset(self) -> None:
        """Forget jobs, sessions and every instance but the default one, whose settings return
        to their first values."""
        with self._tx() as db:
            self._instances.clear()
            db.execute("DELETE FROM jobs")
            db.execute("DELETE FROM sessions")
            db.execute("DELETE FROM instances WHERE is_default = 0")
            db.execute("UPDATE instances SET name = 'local-default', backends = '[\"ANY\"]',"
                       " instance_limit_seconds = NULL, usage_allocation_seconds = NULL,"
                       " tags = '[]', parameters = '{}', resource_plan_id = 'local-plan',"
                       " updated = NULL WHERE is_default = 1")


def _instance(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in _JSON_INSTANCE_COLUMNS:
        out[key] = json.loads(out[key])
    return out


def _instance_copy(row: dict[str, Any]) -> dict[str, Any]:
    """A copy the caller may change without touching the cache."""
    return {**row, "backends": list(row["backends"]), "tags": list(row["tags"]),
            "parameters": dict(row["parameters"])}
