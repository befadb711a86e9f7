"""Benchmark: hostile uploads are refused fast, with bounded memory (issue 11, item 5).

    .venv/bin/python bench/uploads.py [--only NAME ...]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off); creates and migrates the
database if needed. It does not need the national dataset: each run makes its own provider,
data officer and return inside a transaction that is rolled back.

Each hostile file (made in code: tests/core/hostile.py) is sent, in a fresh process, through
the service the upload page and the API call (the register upload, the monitoring return);
the process times the refusal, then measures the extra memory it took: the growth of the
process's peak resident set over the call (Linux: VmHWM reset through /proc/self/clear_refs;
elsewhere ru_maxrss) and the peak of Python's allocations (tracemalloc, a second run).
Targets: refused in 1 s or less, with 50 MB or less extra peak.
A body over the request limit is sent through the whole Django stack (the test client).
Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_S = 1.0
TARGET_MB = 50.0
MB = 1024 * 1024


def _cases() -> dict[str, tuple[str, str, Callable[[], bytes]]]:
    """name -> (service, file name, builder)."""
    from apps.monitoring.format import CURRENT
    from apps.monitoring.format import SHEET_NAME as RETURN_SHEET
    from apps.providers.importer import SHEET_NAME as REGISTER_SHEET
    from apps.providers.services import register_columns
    from tests.core import hostile

    register = [c.name for c in register_columns()]
    ret = CURRENT.column_names
    return {
        "register: A1:XFD2000 declared": (
            "register",
            "r.xlsx",
            lambda: hostile.declared_dimension(register[:3], sheet_name=REGISTER_SHEET),
        ),
        "register: shared-strings bomb": (
            "register",
            "r.xlsx",
            lambda: hostile.shared_strings_bomb(sheet_name=REGISTER_SHEET),
        ),
        "register: 21 MB header cell": (
            "register",
            "r.xlsx",
            lambda: hostile.huge_header_cell(register, sheet_name=REGISTER_SHEET),
        ),
        "register: 8 MB random header cell": (
            "register",
            "r.xlsx",
            lambda: hostile.long_random_cell(register, sheet_name=REGISTER_SHEET),
        ),
        "register: value in ZZZZ2": (
            "register",
            "r.xlsx",
            lambda: hostile.far_column(register, sheet_name=REGISTER_SHEET),
        ),
        "register: high-ratio part (50 MB)": (
            "register",
            "r.xlsx",
            lambda: hostile.high_ratio_member(sheet_name=REGISTER_SHEET),
        ),
        "register: 100,000 parts": (
            "register",
            "r.xlsx",
            lambda: hostile.many_members(sheet_name=REGISTER_SHEET),
        ),
        "register: CSV line of 4M fields": (
            "register",
            "r.csv",
            lambda: hostile.csv_long_line(register),
        ),
        "return: value in ZZZZ2": (
            "return",
            "r.xlsx",
            lambda: hostile.far_column(ret, sheet_name=RETURN_SHEET),
        ),
        "return: shared-strings bomb": (
            "return",
            "r.xlsx",
            lambda: hostile.shared_strings_bomb(sheet_name=RETURN_SHEET),
        ),
        "return: 21 MB header cell": (
            "return",
            "r.xlsx",
            lambda: hostile.huge_header_cell(ret, sheet_name=RETURN_SHEET),
        ),
        "return: A1:XFD2000 declared": (
            "return",
            "r.xlsx",
            lambda: hostile.declared_dimension(ret, sheet_name=RETURN_SHEET),
        ),
        "return: 100,000 parts": (
            "return",
            "r.xlsx",
            lambda: hostile.many_members(sheet_name=RETURN_SHEET),
        ),
    }


class Rollback(Exception):
    pass


def _rss_mark() -> float:
    """Reset the process's peak resident set (Linux) and return the current one, in MB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:  # not Linux: fall back to ru_maxrss, a high-water mark that never resets
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return _status_kb("VmRSS") / 1024


def _rss_peak() -> float:
    try:
        return _status_kb("VmHWM") / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(field)


def _setup() -> None:
    import django

    django.setup()


def _world() -> tuple[Any, Any, Any]:
    """A provider, its data officer and its return for the current quarter."""
    from apps.accounts.roles import Role
    from apps.monitoring.services import return_open
    from tests.factories import IfaFactory, user_with_role
    from tests.monitoring.factories import QUARTER, provider_of

    ifa = IfaFactory()
    provider = provider_of(ifa)
    user = user_with_role(Role.PROVIDER_DATA, ifa)
    return provider, user, return_open(provider=provider, quarter=QUARTER)


def _submit(service: str, name: str, content: bytes, world: tuple[Any, Any, Any]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.monitoring.services import return_submit_file
    from apps.providers.services import register_upload_process

    provider, user, ret = world
    upload = SimpleUploadedFile(name, content)
    if service == "register":
        result = register_upload_process(provider=provider, by=user, uploaded_file=upload)
        return result.outcome, result.errors
    result = return_submit_file(monitoring_return=ret, by=user, uploaded_file=upload)
    return result.outcome, result.errors


def measure_one(service: str, name: str, path: str) -> dict[str, Any]:
    """In this (fresh) process: time the refusal of one file, then its extra memory."""
    import tempfile as tmp

    from django.db import transaction
    from django.test import override_settings

    content = Path(path).read_bytes()
    out: dict[str, Any] = {}
    with tmp.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():
                world = _world()
                before = _rss_mark()
                start = time.perf_counter()
                outcome, errors = _submit(service, name, content, world)
                out["seconds"] = time.perf_counter() - start
                out["rss_mb"] = max(0.0, _rss_peak() - before)
                tracemalloc.start()
                _submit(service, name, content, world)
                out["traced_mb"] = tracemalloc.get_traced_memory()[1] / MB
                tracemalloc.stop()
                out["outcome"] = outcome
                out["message"] = errors[0]["message"] if errors else ""
                out["stored_chars"] = len(json.dumps(errors))
                raise Rollback
        except Rollback:
            pass
    return out


def oversized_body() -> dict[str, Any]:
    """A body over RCC_MAX_UPLOAD_BYTES through the whole stack: 413 before it is read."""
    from django.conf import settings
    from django.db import transaction
    from django.test import Client

    size = settings.RCC_MAX_UPLOAD_BYTES + MB
    out: dict[str, Any] = {}
    try:
        with transaction.atomic():
            _provider, user, _ret = _world()
            client = Client()
            client.force_login(user)
            body = b"x" * size
            before = _rss_mark()
            start = time.perf_counter()
            response = client.post(
                "/api/v1/register/uploads/",
                body,
                content_type="multipart/form-data; boundary=x",
                SERVER_NAME="localhost",
            )
            out["seconds"] = time.perf_counter() - start
            out["rss_mb"] = max(0.0, _rss_peak() - before)
            out["traced_mb"] = 0.0
            out["outcome"] = f"HTTP {response.status_code}"
            out["message"] = response.json().get("detail", "")
            out["stored_chars"] = 0
            raise Rollback
    except Rollback:
        pass
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", help="run only the cases whose name has this text")
    parser.add_argument(
        "--one", nargs=3, metavar=("SERVICE", "NAME", "PATH"), help=argparse.SUPPRESS
    )
    parser.add_argument("--body", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one or args.body:
        _setup()
        result = measure_one(*args.one) if args.one else oversized_body()
        print(json.dumps(result))
        return 0

    from bench.register_search import ensure_database

    ensure_database()
    _setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    cases = _cases()
    if args.only:
        cases = {k: v for k, v in cases.items() if any(o in k for o in args.only)}
    print(
        f"{'file':<38} {'bytes':>10} {'refused in':>10} {'peak (py)':>10} {'rss +':>8}  ok  message"
    )
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        runs: list[tuple[str, int, list[str]]] = []
        for i, (label, (service, name, build)) in enumerate(cases.items()):
            path = Path(folder) / f"{i}-{name}"
            path.write_bytes(build())
            runs.append((label, path.stat().st_size, ["--one", service, name, str(path)]))
        if not args.only or any("body" in o for o in args.only):
            runs.append(("body over the limit (API)", 0, ["--body"]))
        for label, size, extra in runs:
            proc = subprocess.run(  # noqa: S603 - this script, with arguments it made
                [sys.executable, __file__, *extra], capture_output=True, text=True, check=False
            )
            if proc.returncode != 0:
                print(f"{label:<38} failed:\n{proc.stderr[-2000:]}")
                missed += 1
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            peak = max(r["traced_mb"], r["rss_mb"])
            refused = r["outcome"] in ("rejected", "HTTP 413")
            ok = refused and r["seconds"] <= TARGET_S and peak <= TARGET_MB
            missed += not ok
            shown = f"{size:,}" if size else "-"
            print(
                f"{label:<38} {shown:>10} {r['seconds']:>9.3f}s {r['traced_mb']:>8.1f}MB "
                f"{r['rss_mb']:>6.1f}MB  {'yes' if ok else 'NO '}  {r['message'][:110]}"
            )
    print(f"targets: refused in <= {TARGET_S:.0f} s with <= {TARGET_MB:.0f} MB extra peak memory")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
