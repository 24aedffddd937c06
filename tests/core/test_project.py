import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def run_settings(module: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": module, "PYTHONPATH": str(ROOT / "src"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestSettings:
    def test_production_refuses_development_key(self):
        env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={**env, "DJANGO_SETTINGS_MODULE": "tongban.conf.production", "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0
        assert "SECRET_KEY" in result.stderr

    def test_production_starts_with_a_real_key(self):
        result = run_settings("tongban.conf.production", SECRET_KEY="x" * 50, DEBUG="0", TONGBAN_HOME="/srv/tongban")
        assert result.returncode == 0, result.stderr

    def test_production_needs_a_home_for_data(self):
        env = {k: v for k, v in os.environ.items() if k != "TONGBAN_HOME"}
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()"],
            env={
                **env,
                "DJANGO_SETTINGS_MODULE": "tongban.conf.production",
                "PYTHONPATH": str(ROOT / "src"),
                "SECRET_KEY": "x" * 50,
            },
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode != 0 and "TONGBAN_HOME" in result.stderr

    def test_production_refuses_debug(self):
        result = run_settings("tongban.conf.production", SECRET_KEY="x" * 50, DEBUG="1", TONGBAN_HOME="/srv/tongban")
        assert result.returncode != 0

    def test_locale_and_time_zone(self, settings):
        assert settings.LANGUAGE_CODE == "zh-hans"
        assert settings.TIME_ZONE == "Asia/Shanghai"

    def test_database_follows_database_url(self):
        expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        assert connection.vendor == expected


@pytest.mark.django_db
class TestEndpoints:
    def test_healthz_checks_database(self, client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}

    def test_healthz_reports_database_failure(self, client, monkeypatch):
        def broken_cursor(*args, **kwargs):
            raise RuntimeError("database down")

        monkeypatch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["database"] == "unavailable"

    def test_openapi_schema(self, client):
        response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/items/" in schema["paths"]

    def test_swagger_ui_assets_are_local(self, client):
        response = client.get("/api/docs/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
        assert "cdn" not in html.lower() and "https://" not in html

    def test_unknown_api_path_is_json(self, client):
        response = client.get("/api/v1/nothing-here/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"

    def test_home_page_is_chinese_and_marks_demo_data(self, client):
        response = client.get("/")
        html = response.content.decode()
        assert response.status_code == 200
        assert "一窗通办" in html and "演示数据" in html
