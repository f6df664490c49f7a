"""The settings of the test run: config.settings, except that each pytest-xdist worker (`python3 dev.py test` runs
two) gets a Redis database and a VAR_DIR of its own. PostgreSQL it has already: pytest-django gives each worker
its own test database (test_<name>_gw0, test_<name>_gw1, …), and the worker tests' Celery queues carry a random
name. Redis matters because tests empty the cache (FLUSHDB): in a shared database that would drop the other
worker's throttle counters, idempotency keys, Celery messages and results.

Worker N uses the database N above the one in REDIS_URL (CELERY_BROKER_URL, CELERY_RESULT_BACKEND) and VAR_DIR/gwN.
The environment is changed in place, so the processes a test starts (Celery workers, manage.py) get the same
values; when they import these settings again, the marker keeps them from being shifted twice."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def _shifted(url: str, by: int) -> str:
    """The Redis URL of the database BY above URL's (redis://host:port/DB, no DB meaning 0)."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + by
    if database > 15:
        raise RuntimeError(
            f"no Redis database {database} for test worker {by} (Redis has 0–15): lower REDIS_URL's"
        )
    return urlunsplit(parts._replace(path=f"/{database}"))


_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("GRADSERVICE_TEST_WORKER") != _WORKER:
    os.environ["GRADSERVICE_TEST_WORKER"] = _WORKER
    _number = int(_WORKER.removeprefix("gw"))
    for _name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if os.environ.get(_name, "").startswith(("redis://", "rediss://")):
            os.environ[_name] = _shifted(os.environ[_name], _number)
    _var = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parents[1] / "var" / "test")
    os.environ["VAR_DIR"] = str(_var / _WORKER)

from config.settings import *  # noqa: E402, F403
