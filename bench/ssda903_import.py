"""Benchmark: importing an LA's SSDA903 Header and Episodes (issue 12, point 5).

    .venv/bin/python bench/ssda903_import.py [--children 5000] [--episodes 20000] [--xlsx]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/rcc_bench903) and
DJANGO_SETTINGS_MODULE (default config.settings.local, DEBUG off); creates and migrates the
database if needed. Builds synthetic files (apps/referrals/ssda903_synthetic.py: same-day moves
with X1 then P/T/B/U, changes of legal status, spells out of care with an E-code then S), makes
a fresh LA with a social worker, and imports the files through the service the upload page and
the API call: a first import, then the same files again (which must change nothing).
Prints the time to read, check and write, and in all, for each. Target: 10 s for each.
Everything is rolled back: the benchmark leaves the database as it found it.
Exits 1 when a target is missed or an import is not as expected.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rcc_bench903")
os.environ.setdefault("DJANGO_DEBUG", "false")

TARGET_S = 10.0


class Rollback(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=5_000, help="children (default 5,000)")
    parser.add_argument("--episodes", type=int, default=20_000, help="episodes (default 20,000)")
    parser.add_argument("--xlsx", action="store_true", help="send XLSX workbooks, not CSV")
    args = parser.parse_args()

    from bench.register_search import ensure_database

    ensure_database()
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from apps.accounts.models import Membership, User
    from apps.accounts.roles import Role
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import Organisation
    from apps.referrals.services.care_import import Timings, import_ssda903
    from apps.referrals.ssda903_synthetic import generate

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    files = generate(children=args.children, episodes=args.episodes, seed=903)
    kind = "xlsx" if args.xlsx else "csv"
    if args.xlsx:
        header, episodes = files.header_xlsx(), files.episodes_xlsx()
    else:
        header, episodes = files.header_csv(), files.episodes_csv()
    print(
        f"Synthetic files: {args.children:,} children, {args.episodes:,} episodes "
        f"({kind}: {len(header) / 1024:,.0f} KB + {len(episodes) / 1024:,.0f} KB), "
        f"made in {time.perf_counter() - started:.1f} s"
    )

    failures: list[str] = []
    try:
        with (
            tempfile.TemporaryDirectory() as media,
            override_settings(MEDIA_ROOT=media),
            transaction.atomic(),
        ):
            la = Organisation.objects.create(
                name="Bench SSDA903 LA",
                kind=OrganisationKind.LOCAL_AUTHORITY,
                dfe_la_code="999",
            )
            user = User.objects.create_user(email="bench-903@example.invalid", password=None)
            Membership.objects.create(user=user, organisation=la, role=Role.SOCIAL_WORKER)
            for label in ("first import", "re-import"):
                timings = Timings()
                t0 = time.perf_counter()
                result = import_ssda903(
                    by=user,
                    la=la,
                    header_upload=SimpleUploadedFile(f"header.{kind}", header),
                    episodes_upload=SimpleUploadedFile(f"episodes.{kind}", episodes),
                    timings=timings,
                )
                total = time.perf_counter() - t0
                print(
                    f"{label:>12}: read {timings.parse:5.2f} s, "
                    f"check {timings.validate:5.2f} s, "
                    f"write {timings.write:5.2f} s, total {total:5.2f} s "
                    f"(target {TARGET_S:.0f} s) — {result.status}: children "
                    f"{result.children_created} created, {result.children_updated} updated, "
                    f"{result.children_unchanged} unchanged; episodes "
                    f"{result.episodes_created} created, {result.episodes_updated} updated, "
                    f"{result.episodes_unchanged} unchanged; "
                    f"{result.legal_statuses_created} legal status changes"
                )
                if result.status != "accepted":
                    failures.append(f"{label}: rejected: {result.errors[:3]}")
                if total > TARGET_S:
                    failures.append(f"{label}: {total:.1f} s > {TARGET_S:.0f} s")
                expected_new = args.episodes if label == "first import" else 0
                if result.episodes_created != expected_new:
                    failures.append(
                        f"{label}: {result.episodes_created} episodes created, "
                        f"expected {expected_new}"
                    )
            raise Rollback
    except Rollback:
        pass
    for failure in failures:
        print("MISSED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
