#!/usr/bin/env python3
"""Set-up and run commands for a developer's machine (standard library only, Python 3.11).

    python3 dev.py up      install everything, start web + Celery worker + Celery beat with demo data
    python3 dev.py test    install everything, run ruff, mypy and the whole test suite (pytest arguments may follow)
    python3 dev.py manage  run a manage.py command against the same database as `up` (e.g. `manage shell`)

`up` uses DATABASE_URL when set, otherwise an embedded PostgreSQL 16 (the pgserver package) whose data stays
in var/pgdata; it uses REDIS_URL / CELERY_BROKER_URL when set, otherwise a broker that needs no server (kombu's
filesystem transport under var/). Ctrl-C stops everything it started; running it again keeps the data.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VAR = ROOT / "var"
PY = VENV / "bin" / "python"


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def run(args: list[str | Path], **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.read_bytes())
    return h.hexdigest()


def install() -> None:
    """Create .venv and install the locked Python and npm packages; a no-op when nothing changed."""
    VAR.mkdir(exist_ok=True)
    if not PY.exists():
        log("creating the virtual environment .venv")
        run([sys.executable, "-m", "venv", VENV])
    stamp = VAR / ".installed-python"
    digest = _digest(ROOT / "pyproject.toml", ROOT / "constraints.txt")
    if not stamp.exists() or stamp.read_text() != digest:
        log("installing Python packages (pyproject.toml, pinned by constraints.txt)")
        run([PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([PY, "-m", "pip", "install", "--quiet", "-c", "constraints.txt", "-e", ".[dev,embedded]"])
        stamp.write_text(digest)
    npm_stamp = VAR / ".installed-npm"
    npm_digest = _digest(ROOT / "package.json", ROOT / "package-lock.json")
    if not npm_stamp.exists() or npm_stamp.read_text() != npm_digest or not (ROOT / "node_modules").exists():
        npm = shutil.which("npm")
        if npm is None:
            sys.exit(
                "[dev] npm is needed to install the front-end packages (Bootstrap, htmx): install Node.js"
            )
        log("installing front-end packages (npm ci)")
        run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"])
        npm_stamp.write_text(npm_digest)


def _reexec_in_venv(command: str, extra: list[str]) -> None:
    os.execv(PY, [str(PY), str(ROOT / "dev.py"), f"_{command}", *extra])


def _secret_key() -> str:
    path = VAR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _field_keys() -> tuple[str, str]:
    """This machine's own keys for the encryption at rest of ID numbers (var/, git-ignored; kept across runs,
    since the data in var/pgdata is encrypted with them)."""
    path = VAR / "field_keys"
    if not path.exists():
        field = "1:" + base64.b64encode(secrets.token_bytes(16)).decode()
        index = base64.b64encode(secrets.token_bytes(32)).decode()
        path.write_text(f"{field}\n{index}\n")
        path.chmod(0o600)
    field, index = path.read_text().split()
    return field, index


def _local_env() -> dict[str, str]:
    """The environment of `up` and `manage`: the caller's, plus development defaults it did not set."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    env.setdefault("SECRET_KEY", _secret_key())
    field_key, index_key = _field_keys()
    env.setdefault("FIELD_ENCRYPTION_KEY", field_key)
    env.setdefault("BLIND_INDEX_KEY", index_key)
    env.setdefault("HTTPS", "0")
    env.setdefault("VAR_DIR", str(VAR))
    if "DATABASE_URL" not in env:
        env["DATABASE_URL"] = _start_embedded_postgres()
    return env


_PG_SERVER = None


def _start_embedded_postgres() -> str:
    global _PG_SERVER
    import pgserver  # from the `embedded` extra; only imported when no DATABASE_URL is set

    data = VAR / "pgdata"
    log(f"no DATABASE_URL: starting the embedded PostgreSQL in {data.relative_to(ROOT)}")
    _PG_SERVER = pgserver.get_server(data, cleanup_mode="stop")
    _PG_SERVER.psql("SELECT 1")
    exists = _PG_SERVER.psql("SELECT 1 FROM pg_database WHERE datname = 'gradservice';")
    if "(1 row)" not in exists:
        _PG_SERVER.psql("CREATE DATABASE gradservice;")
    uri = _PG_SERVER.get_uri("gradservice")
    return uri


def _manage(env: dict[str, str], *args: str) -> None:
    run([PY, "manage.py", *args], env=env)


def _create_database_if_missing(url: str) -> None:
    """A first `up` against a server of one's own: create DATABASE_URL's database when the server does not have it
    (asked through its `postgres` database). Anything else (server down, no right to connect) is left to migrate to
    report."""
    from urllib.parse import unquote, urlsplit

    import psycopg2  # in .venv: `up` runs there
    from psycopg2 import sql

    parts = urlsplit(url)
    name = unquote(parts.path.lstrip("/"))
    if not name or name == "postgres":
        return
    try:
        connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    except psycopg2.Error:
        return
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                log(f"creating the database {name} (DATABASE_URL names a database its server does not have)")
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg2.Error as error:
        log(f"could not create the database {name}: {error.pgerror or error}".strip())
    finally:
        connection.close()


def up() -> None:
    env = _local_env()
    port = env.get("PORT", "8000")
    for folder in ("celery-queue", "celery-processed", "celery-results"):
        (Path(env["VAR_DIR"]) / folder).mkdir(parents=True, exist_ok=True)
    if _PG_SERVER is None:  # DATABASE_URL given (the embedded server's database is created when it starts)
        _create_database_if_missing(env["DATABASE_URL"])
    _manage(env, "migrate", "--noinput")
    if not env.get("REDIS_URL"):
        _manage(env, "createcachetable")
    _manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    demo = subprocess.run(
        [str(PY), "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    bin_dir = VENV / "bin"
    commands = {
        "web": [
            bin_dir / "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--config",
            "gunicorn.conf.py",  # the access log without query strings
        ],
        "worker": [
            bin_dir / "celery",
            "-A",
            "config",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "-Q",
            "default,imports,reports,mail",
        ],
        "beat": [
            bin_dir / "celery",
            "-A",
            "config",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            VAR / "celerybeat-schedule",
        ],
    }
    processes = {
        name: subprocess.Popen([str(c) for c in cmd], cwd=ROOT, env=env) for name, cmd in commands.items()
    }
    print("\n" + "=" * 72)
    print(f"  高校毕业生就业服务系统 is running: http://127.0.0.1:{port}/")
    print(f"  Django admin (provincial admins):   http://127.0.0.1:{port}/admin/")
    print("  Demo logins:")
    print("    " + demo.strip().replace("\n", "\n    "))
    print("  Press Ctrl-C to stop the web server, the worker, beat and the embedded database.")
    print("=" * 72 + "\n", flush=True)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    log(f"{name} exited with code {proc.returncode}; stopping everything")
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in processes.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 15
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
        if _PG_SERVER is not None:
            log("stopping the embedded PostgreSQL")
            _PG_SERVER.cleanup()
        log("stopped")


def manage(args: list[str]) -> None:
    env = _local_env()
    try:
        _manage(env, *args)
    finally:
        if _PG_SERVER is not None:
            _PG_SERVER.cleanup()


def test(args: list[str]) -> int:
    """The whole suite against the running PostgreSQL and Redis (override with DATABASE_URL / REDIS_URL)."""
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gradservice")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    env.setdefault("SECRET_KEY", "test-only-" + secrets.token_urlsafe(16))
    # mypy's Django plugin, the Celery workers and the commands the tests start read the settings outside pytest.
    field_key, index_key = _field_keys()
    env.setdefault("FIELD_ENCRYPTION_KEY", field_key)
    env.setdefault("BLIND_INDEX_KEY", index_key)
    env.setdefault("HTTPS", "0")
    env.setdefault("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
    env.setdefault("VAR_DIR", str(VAR / "test"))
    log("ruff (lint and format check)")
    for check in (["check", "."], ["format", "--check", "."]):
        if subprocess.run([str(VENV / "bin" / "ruff"), *check], cwd=ROOT, env=env).returncode != 0:
            log(
                f"ruff {check[0]} failed: fix the lines above (`.venv/bin/ruff format .` fixes the formatting)"
            )
            return 1
    log("mypy (actions, selectors and the scope rule, with django-stubs)")
    if subprocess.run([str(VENV / "bin" / "mypy")], cwd=ROOT, env=env).returncode != 0:
        log("mypy failed: fix the type errors above (the files checked are listed in pyproject.toml)")
        return 1
    # Two pytest-xdist workers (TEST_WORKERS=N for another number; `-n` among the arguments wins), each with its own
    # test database, Redis database (REDIS_URL's and the next) and VAR_DIR (tests/settings.py). --dist load keeps
    # pytest-django's order in each worker (transactional tests, which flush the tables, after the others);
    # loadfile would run a file's transactional tests before other files' tests that expect the migrated data.
    env["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    workers = (
        []
        if any(a.startswith(("-n", "--numprocesses")) for a in args)
        else ["-n", env.get("TEST_WORKERS", "2")]
    )
    log(f"pytest against {env['DATABASE_URL'].split('@')[-1]} and {env['REDIS_URL'].split('@')[-1]}")
    return subprocess.run(
        [str(PY), "-m", "pytest", *workers, "--dist", "load", *args], cwd=ROOT, env=env
    ).returncode


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    command, extra = sys.argv[1], sys.argv[2:]
    if command in ("up", "test", "manage", "install"):
        install()
        if command == "install":
            return
        _reexec_in_venv(command, extra)
    elif command == "_up":
        up()
    elif command == "_test":
        sys.exit(test(extra))
    elif command == "_manage":
        manage(extra)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
