"""Settings read the environment as CONTRACT §1 says, and refuse unsafe production set-ups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "p" * 20 + "-a-long-random-production-secret-key-0123456789",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "SYNDICATION_TOKEN": "crawler-secret-1",
    "CALLBACK_TOKEN": "callback-secret-1",
    "TOKEN_ENCRYPTION_KEY": "c2VjcmV0LWtleS0zMi1ieXRlcy1sb25nLXh4eHh4eHg=",
    "PUBLIC_BASE_URL": "https://portal.example.com",
}
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'host': settings.DATABASES['default'].get('HOST', ''), "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'cache': settings.CACHES['default']['BACKEND'], 'sandbox': settings.SANDBOX_ENABLED, "
    "'api': settings.DAILYMOTION_API_URL, 'debug': settings.DEBUG, "
    "'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0), "
    "'secure_cookies': getattr(settings, 'SESSION_COOKIE_SECURE', False)}))"
)


def run_with_env(env: dict[str, str], code: str = PROBE) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    clean.pop("DAILYMOTION_API_URL", None)
    clean["DJANGO_SETTINGS_MODULE"] = "mcn_portal.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def probe(env: dict[str, str]) -> dict:
    result = run_with_env(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_it_runs_on_sqlite_with_eager_tasks_and_the_sandbox_by_default():
    conf = probe({})
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["eager"] is True
    assert conf["cache"].endswith("LocMemCache")
    assert conf["sandbox"] is True
    assert conf["api"].endswith("/sandbox/api")
    assert conf["debug"] is True


def test_it_parses_a_postgres_url_and_uses_redis_for_celery_and_cache():
    conf = probe(
        {
            "DATABASE_URL": "postgres://mcn:pw@db.internal:5433/mcn_prod",
            "REDIS_URL": "redis://cache.internal:6379/2",
        }
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["name"] == "mcn_prod"
    assert conf["host"] == "db.internal"
    assert conf["eager"] is False
    assert conf["broker"] == "redis://cache.internal:6379/2"
    assert conf["cache"].endswith("RedisCache")


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = dict(PROD_ENV)
    del env["DJANGO_SECRET_KEY"]
    result = run_with_env(env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_it_refuses_the_dev_secret_key_in_production():
    result = run_with_env({**PROD_ENV, "DJANGO_SECRET_KEY": "dev-insecure-" + "x" * 40})
    assert result.returncode != 0
    assert "development key" in result.stderr


def test_it_refuses_the_derived_encryption_key_in_production():
    env = dict(PROD_ENV)
    del env["TOKEN_ENCRYPTION_KEY"]
    result = run_with_env(env)
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEY must be set" in result.stderr


def test_it_rejects_a_malformed_encryption_key_loudly():
    result = run_with_env({**PROD_ENV, "TOKEN_ENCRYPTION_KEY": "not-a-fernet-key"})
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_it_rejects_a_malformed_debug_flag():
    result = run_with_env({"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0


def test_production_settings_turn_the_sandbox_off_and_harden_cookies():
    conf = probe(PROD_ENV)
    assert conf["sandbox"] is False
    assert conf["api"] == "https://api.dailymotion.com"
    assert conf["hsts"] >= 31536000
    assert conf["secure_cookies"] is True


def test_check_deploy_passes_with_production_like_settings():
    result = run_with_env(
        PROD_ENV,
        code="import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stdout + result.stderr
