from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.smoke
@pytest.mark.django_db
def test_it_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_answers_on_the_configured_database_engine(client):
    # CI runs the suite on PostgreSQL and a smoke subset on SQLite: this test runs on both.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert connection.vendor in ("postgresql", "sqlite")


@pytest.mark.django_db
def test_it_says_degraded_when_redis_is_configured_but_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_it_reports_redis_ok_when_redis_answers(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
    response = client.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
