"""Backup and restore drill (commands `backup` and `restore_drill`).

`write_backup` dumps the database with pg_dump (custom format) inside one exported snapshot and, in that same
snapshot, counts every table's rows and hashes its content: md5 over the md5 of each row's text, rows ordered by
primary key, computed by PostgreSQL. The manifest (JSON) beside the dump names the dump's SHA-256 and every table's
count and checksum. `restore_drill` restores the dump into a new empty database, recomputes the same figures there
and compares them with the manifest; the database is dropped afterwards."""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
from django.conf import settings
from django.db import connection
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

MANIFEST_SUFFIX = ".manifest.json"
MANIFEST_FORMAT = 1
# The row text (and so the checksum) must not depend on the session's settings.
SESSION_SETTINGS = [
    "SET TIME ZONE 'UTC'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET bytea_output = 'hex'",
    "SET extra_float_digits = 1",
]


class BackupError(Exception):
    pass


# --- connections and the PostgreSQL client programs ------------------------------------------------------------


def _db_settings(dbname: str | None = None) -> dict:
    db = connection.settings_dict
    params = {
        "dbname": dbname or db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": str(db["PORT"]) if db.get("PORT") else None,
    }
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey", "application_name"):
        if db.get("OPTIONS", {}).get(key):
            params[key] = db["OPTIONS"][key]
    return {key: value for key, value in params.items() if value is not None}


def _connect(dbname: str | None = None):
    conn = psycopg2.connect(**_db_settings(dbname))
    with conn.cursor() as cursor:
        for statement in SESSION_SETTINGS:
            cursor.execute(statement)
    conn.commit()
    return conn


def _libpq_env(dbname: str | None = None) -> dict[str, str]:
    """The connection for pg_dump/pg_restore as libpq environment variables (no password on a command line)."""
    names = {
        "dbname": "PGDATABASE",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "host": "PGHOST",
        "port": "PGPORT",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({names[k]: str(v) for k, v in _db_settings(dbname).items() if k in names})
    return env


def _major(version_text: str) -> int:
    """15 from "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", version_text)
    return int(match.group(1)) if match else 0


def pg_tool(name: str, server_major: int) -> str:
    """The path of pg_dump or pg_restore able to work with a server of SERVER_MAJOR: PG_BIN_DIR if set, else the
    one on PATH, else the embedded server's (pgserver, used by `dev.py up` without DATABASE_URL)."""
    candidates: list[str] = []
    if settings.PG_BIN_DIR:
        candidates.append(str(Path(settings.PG_BIN_DIR) / name))
    else:
        on_path = shutil.which(name)
        if on_path:
            candidates.append(on_path)
        spec = importlib.util.find_spec("pgserver")
        if spec is not None and spec.origin:
            candidates.append(str(Path(spec.origin).parent / "pginstall" / "bin" / name))
    found = []
    for candidate in candidates:
        if not Path(candidate).is_file():
            continue
        version = subprocess.run(  # noqa: S603 - an argument list, no shell
            [candidate, "--version"], capture_output=True, text=True, check=False
        ).stdout
        found.append(f"{candidate} ({version.strip()})")
        if _major(version) >= server_major:
            return candidate
    raise BackupError(
        f"找不到可用于 PostgreSQL {server_major} 的 {name}（已找到：{'；'.join(found) or '无'}）。"
        "请安装相应版本的 PostgreSQL 客户端，或设置 PG_BIN_DIR。"
    )


def server_major(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


# --- the figures: every table's row count and content checksum --------------------------------------------------


def table_figures(conn) -> dict[str, dict]:
    """{table: {"rows": n, "checksum": md5}} for every ordinary table of the current schema, in CONN's snapshot."""
    with conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.oid, c.relname,
                   coalesce((SELECT array_agg(a.attname ORDER BY array_position(i.indkey::int2[], a.attnum))
                               FROM pg_index i
                               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
                              WHERE i.indrelid = c.oid AND i.indisprimary), '{}')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind = 'r'
             ORDER BY c.relname
            """
        )
        tables = cursor.fetchall()
        figures: dict[str, dict] = {}
        for _oid, name, key in tables:
            order = (
                sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(column)) for column in key)
                if key
                else sql.SQL("t::text")
            )
            cursor.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY {order}), '')) FROM {table} t"
                ).format(order=order, table=sql.Identifier(name))
            )
            rows, checksum = cursor.fetchone()
            figures[name] = {"rows": rows, "checksum": checksum}
    return figures


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- backup --------------------------------------------------------------------------------------------------------


@dataclass
class Backup:
    dump: Path
    manifest: Path
    tables: int
    rows: int


def manifest_path(dump: Path) -> Path:
    return dump.with_name(dump.name.removesuffix(".dump") + MANIFEST_SUFFIX)


def write_backup(out_dir: Path) -> Backup:
    """pg_dump (custom format) and the manifest, both of one snapshot."""
    out_dir.mkdir(parents=True, exist_ok=True)
    conn = _connect()
    try:
        major = server_major(conn)
        pg_dump = pg_tool("pg_dump", major)
        conn.rollback()
        conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot(), current_database(), now()")
            snapshot, database, taken_at = cursor.fetchone()
        stamp = taken_at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        dump = out_dir / f"{database}-{stamp}.dump"
        partial = dump.with_name(dump.name + ".partial")
        # pg_dump joins the snapshot while this transaction holds it open, and the figures are counted meanwhile.
        process = subprocess.Popen(  # noqa: S603 - an argument list, no shell
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={partial}"],
            env=_libpq_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            figures = table_figures(conn)
        finally:
            _out, err = process.communicate()
        if process.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump 失败（退出码 {process.returncode}）：{err.strip()[:500]}")
        conn.rollback()
    finally:
        conn.close()
    partial.rename(dump)
    manifest = {
        "format": MANIFEST_FORMAT,
        "database": database,
        "taken_at": taken_at.isoformat(),
        "snapshot": snapshot,
        "server_major": major,
        "dump": dump.name,
        "dump_sha256": sha256_of(dump),
        "dump_bytes": dump.stat().st_size,
        "checksum": "md5 of the concatenated md5(row::text) of each table, rows ordered by primary key",
        "tables": figures,
    }
    target = manifest_path(dump)
    temporary = target.with_name(target.name + ".partial")
    temporary.write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
    temporary.rename(target)
    return Backup(
        dump=dump, manifest=target, tables=len(figures), rows=sum(f["rows"] for f in figures.values())
    )


def latest_dump(directory: Path) -> Path:
    dumps = sorted(directory.glob("*.dump"), key=lambda p: p.stat().st_mtime)
    if not dumps:
        raise BackupError(f"{directory} 中没有备份文件（*.dump）；请先运行 python manage.py backup。")
    return dumps[-1]


# --- restore drill -------------------------------------------------------------------------------------------------


@dataclass
class DrillResult:
    dump: Path
    database: str
    tables: int = 0
    rows: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.differences


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new empty database (from template0), dropped on the way out whatever happened."""
    name = f"{prefix[:40]}_drill_{uuid.uuid4().hex[:8]}"
    admin = _connect()
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        try:
            yield name
        finally:
            with admin.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    finally:
        admin.close()


def compare(expected: dict[str, dict], actual: dict[str, dict]) -> list[str]:
    differences = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            differences.append(f"{table}：恢复后缺少此表")
        elif table not in expected:
            differences.append(f"{table}：清单中没有此表")
        else:
            want, got = expected[table], actual[table]
            if want.get("rows") != got["rows"]:
                differences.append(f"{table}：行数 清单 {want.get('rows')}，恢复后 {got['rows']}")
            if want.get("checksum") != got["checksum"]:
                differences.append(
                    f"{table}：校验和不一致（清单 {want.get('checksum')}，恢复后 {got['checksum']}）"
                )
    return differences


def restore_drill(dump: Path) -> DrillResult:
    """Restore DUMP into a fresh database, compare every table with DUMP's manifest, drop the database."""
    manifest_file = manifest_path(dump)
    if not dump.is_file():
        raise BackupError(f"备份文件不存在：{dump}")
    if not manifest_file.is_file():
        raise BackupError(f"缺少清单文件：{manifest_file}")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        expected = manifest["tables"]
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError(f"清单文件无法读取：{manifest_file}（{error}）") from error
    result = DrillResult(dump=dump, database="")
    if sha256_of(dump) != manifest.get("dump_sha256"):
        result.differences.append("备份文件的 SHA-256 与清单不符（文件被改动或不完整）")
    probe = _connect()
    try:
        major = server_major(probe)
        prefix = probe.get_dsn_parameters()["dbname"]
    finally:
        probe.close()
    pg_restore = pg_tool("pg_restore", major)
    with scratch_database(prefix) as database:
        result.database = database
        restored = subprocess.run(  # noqa: S603 - an argument list, no shell
            [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--no-password", f"--dbname={database}",
             str(dump)],
            env=_libpq_env(database), capture_output=True, text=True, check=False,
        )  # fmt: skip
        if restored.returncode != 0:
            raise BackupError(
                f"pg_restore 失败（退出码 {restored.returncode}）：{restored.stderr.strip()[:500]}"
            )
        conn = _connect(database)
        try:
            conn.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
            actual = table_figures(conn)
            conn.rollback()
        finally:
            conn.close()
    result.tables = len(actual)
    result.rows = sum(f["rows"] for f in actual.values())
    result.differences.extend(compare(expected, actual))
    return result
