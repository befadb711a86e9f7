"""Operations: /healthz, production settings, Celery, security headers."""

from __future__ import annotations

import os
import re
import secrets
import string
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core import health
from apps.core.tasks import debug

# --- /healthz ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": "postgresql"}
    assert body["checks"]["broker"]["ok"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr(
        health,
        "database_status",
        lambda connection: {"ok": False, "detail": "OperationalError: down"},
    )
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["broker"]["ok"] is True


def test_database_status_reports_the_error():
    class Broken:
        vendor = "postgresql"

        def cursor(self):
            raise RuntimeError("connection refused")

    assert health.database_status(Broken()) == {
        "ok": False,
        "detail": "RuntimeError: connection refused",
    }


@pytest.mark.django_db
def test_healthz_is_503_quickly_when_the_broker_is_down(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False
    assert "127.0.0.1:1" in body["checks"]["broker"]["detail"]
    assert elapsed < 5, f"/healthz took {elapsed:.1f}s with the broker down"


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_even_with_two_factor_required(client, settings):
    settings.RCC_REQUIRE_2FA = True
    assert client.get(reverse("healthz")).status_code == 200


# --- production settings ----------------------------------------------------------------------

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60)),
    "ALLOWED_HOSTS": "rcc.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rcc",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")
    }
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy():
    """Every check, including drf-spectacular's: a schema warning from any app fails it."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_pass_the_security_checks():
    result = run_manage(
        "check", "--deploy", "--tag", "security", "--fail-level", "WARNING", env=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "DATABASE_URL"),
    ],
)
def test_production_settings_refuse_to_start_without(missing, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("name", "value"),
    [("SECRET_KEY", "too-short"), ("SECRET_KEY", ""), ("ALLOWED_HOSTS", "")],
)
def test_production_settings_refuse_weak_or_empty_values(name, value):
    result = run_manage("check", env={**PRODUCTION_ENV, name: value})
    assert result.returncode != 0
    assert name in result.stderr.strip().splitlines()[-1]


def test_production_settings_turn_on_two_factor_secure_cookies_hsts_and_json_logs():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.RCC_REQUIRE_2FA, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.DEBUG, s.LOGGING['handlers']['console']['formatter'])"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and not k.startswith("DJANGO_")
    }
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "False", "json"]


# --- Celery -----------------------------------------------------------------------------------


def test_debug_task_runs_in_process_and_returns_its_message():
    assert settings.CELERY_TASK_ALWAYS_EAGER
    result = debug.delay(message="hello")
    assert result.get(timeout=5)["message"] == "hello"


def test_beat_schedule_runs_the_debug_task_and_names_only_real_tasks():
    from config.celery_app import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "apps.core.tasks.debug" for entry in schedule.values())
    app.loader.import_default_modules()
    unknown = {name: e["task"] for name, e in schedule.items() if e["task"] not in app.tasks}
    assert not unknown, f"beat entries name tasks that do not exist: {unknown}"


# --- security headers and CSP-safe pages -------------------------------------------------------


@pytest.mark.django_db
def test_pages_send_security_headers(client, world):
    client.force_login(world.users[Role.COMMISSIONER])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    csp = dict(
        part.strip().split(" ", 1)
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert csp["default-src"] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp.get("style-src", "")
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.IGNORECASE)
EXTERNAL_ASSET = re.compile(
    r"""<(?:script|img|link|iframe|source)\b[^>]*\s(?:src|href|srcset)=["'](?:https?:)?//""",
    re.IGNORECASE,
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (None, "accounts:login"),
        (None, "accounts:password_reset"),
        (Role.COMMISSIONER, "home"),
        (Role.COMMISSIONER, "organisations:list"),
        (Role.COMMISSIONER, "accounts:profile"),
        (Role.COMMISSIONER, "accounts:password_change"),
        (Role.COMMISSIONER, "accounts:two_factor_setup"),
        (Role.ADMINISTRATOR, "accounts:people"),
        (Role.ADMINISTRATOR, "accounts:membership_grant"),
    ],
)
def test_pages_have_no_inline_script_style_or_external_asset(client, world, role, url_name):
    if role:
        client.force_login(world.users[role])
    html = client.get(reverse(url_name)).content.decode()
    for pattern, what in (
        (INLINE_SCRIPT, "inline <script>"),
        (INLINE_STYLE, "inline style"),
        (INLINE_HANDLER, "inline event handler"),
        (EXTERNAL_ASSET, "asset from the internet"),
    ):
        match = pattern.search(html)
        assert match is None, (
            f"{url_name}: {what} at …{html[max(0, match.start() - 60) : match.end() + 60]}…"
        )


@pytest.mark.django_db
def test_organisation_detail_page_has_no_inline_script_or_style(client, world):
    client.force_login(world.users[Role.COMMISSIONER])
    html = client.get(reverse("organisations:detail", kwargs={"pk": world.rcc.pk})).content.decode()
    assert not INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html)
