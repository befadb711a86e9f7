"""Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Skips, with the reason, when /usr/bin/chromium or the built front-end is missing;
`make test` installs chromium (`make browser`) and builds the assets (`make assets`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def axe_script() -> Path:
    return Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def built_assets() -> Path:
    base = Path(settings.BASE_DIR)
    css = base / "static" / "build" / "css" / "main.css"
    if not css.exists():
        if not (base / "package.json").exists() or not shutil.which("npm"):
            pytest.skip("static/build is missing and there is no package.json/npm to build it")
        result = subprocess.run(
            ["npm", "run", "build"],  # noqa: S607
            cwd=base,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0 or not css.exists():
            pytest.fail(f"`npm run build` failed:\n{result.stdout}\n{result.stderr}")
    return css


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed (/usr/bin/chromium); `make browser` installs it"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's guard against ORM calls
    # from async contexts would otherwise refuse the test's own database work.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """Console errors (CSP violations among them), page errors, failed or outside requests."""

    def __init__(self, page: Any, origin: str) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        page.on(
            "requestfailed",
            lambda req: self.errors.append(f"request failed: {req.url} {req.failure}"),
        )
        page.on(
            "response",
            lambda res: (
                self.errors.append(f"HTTP {res.status}: {res.url}") if res.status >= 400 else None
            ),
        )

        def guard(route: Any) -> None:
            if route.request.url.startswith((origin, "data:", "blob:")):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        page.route("**/*", guard)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


@pytest.fixture
def page(browser, live_server, built_assets) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def problems(page, live_server) -> PageProblems:
    return PageProblems(page, live_server.url)
