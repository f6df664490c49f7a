"""Production settings: `check --deploy` passes, and bad values fail loudly at start-up."""

import subprocess

from tests.manage_cli import run_manage

PRODUCTION_ENV = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/gradservice",
    "SECRET_KEY": "x7Jq9-long-random-production-like-secret-key-with-enough-entropy-2026",
    "ALLOWED_HOSTS": "jiuye.example.gov.cn",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_manage(*args, env=env, drop=frozenset({"DEBUG", "HTTPS", "SECRET_KEY"}))


def test_check_deploy_passes_with_production_like_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_switched_off():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, "HTTPS": "0"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


def test_missing_secret_key_refuses_to_start_outside_debug():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_a_bad_boolean_is_an_error_naming_the_variable():
    result = manage("check", env={**PRODUCTION_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be one of" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION_ENV["SECRET_KEY"] + "\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**env, "SECRET_KEY_FILE": str(secret)}
    )
    assert result.returncode == 0, result.stderr


def test_language_and_time_zone():
    from django.conf import settings

    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE, settings.USE_TZ) == ("zh-hans", "Asia/Shanghai", True)
