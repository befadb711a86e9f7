"""Round trip for `make validate-903`: an LA's SSDA903 files for a collection year (synthetic,
as its case system would write them) imported into the platform and exported again.

Writes OUT/input/{header,episodes}.csv (what the LA imports) and OUT/output/{header,episodes}.csv
(what the platform exports for the same LA and year) with info.json, then rolls everything back:
the database is left as it was. The validator is then run on both (scripts/validate_903.py) and
its results must match.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.contracts.dates import financial_year_of
from apps.organisations.models import Organisation
from apps.referrals.models import Child
from apps.referrals.services.care_import import import_ssda903
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.referrals.ssda903_synthetic import generate, rows_csv, sample_postcodes, year_file
from apps.reporting.ssda903.files import return_build


class _RolledBack(Exception):
    """Raised to undo the round trip's writes once the files are out."""


class Command(BaseCommand):
    help = (
        "Import a synthetic LA's SSDA903 files for a collection year and export them again "
        "(OUT/input and OUT/output); the database is rolled back."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--out", required=True, help="Folder to write into")
        parser.add_argument(
            "--la", default="908", help="DfE code of an LA with no children yet (default 908)"
        )
        parser.add_argument(
            "--year", type=int, help="Collection year by its first year (default: the last one)"
        )
        parser.add_argument("--children", type=int, default=300)
        parser.add_argument("--episodes", type=int, default=1200)
        parser.add_argument("--seed", type=int, default=903)

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        year = options["year"] or financial_year_of(today) - 1
        la = Organisation.objects.local_authorities().filter(dfe_la_code=options["la"]).first()
        if la is None:
            raise CommandError(f"--la: no LA with DfE code {options['la']}.")
        if Child.objects.filter(la=la).exists():
            raise CommandError(f"--la: {la.name} has children already; choose an LA without.")
        history = generate(
            children=options["children"],
            episodes=options["episodes"],
            seed=options["seed"],
            until=today,
            postcodes=sample_postcodes(),
        )
        files = year_file(history, year, today)
        out = Path(options["out"])
        (out / "input").mkdir(parents=True, exist_ok=True)
        (out / "output").mkdir(parents=True, exist_ok=True)
        header = rows_csv(files.header, HEADER_COLUMNS)
        episodes = rows_csv(files.episodes, EPISODE_COLUMNS)
        (out / "input" / "header.csv").write_bytes(header)
        (out / "input" / "episodes.csv").write_bytes(episodes)
        info: dict[str, Any] = {
            "la": la.name,
            "dfe_la_code": la.dfe_la_code,
            "gss_code": la.gss_code,
            "year": year,
            "collection_year": year + 1,
        }
        try:
            with (
                tempfile.TemporaryDirectory() as media,
                override_settings(MEDIA_ROOT=media),
                transaction.atomic(),
            ):
                info.update(self._import_and_export(la, year, today, header, episodes, out))
                raise _RolledBack
        except _RolledBack:
            pass
        (out / "info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
        if options["verbosity"] > 0:
            self.stdout.write(
                f"{la.dfe_la_code} {la.name} {year}-{(year + 1) % 100:02d}: imported "
                f"{info['imported_episodes']} episodes of {info['imported_children']} children, "
                f"exported {info['exported_episodes']} of {info['exported_children']}"
            )

    def _import_and_export(
        self, la: Organisation, year: int, today: Any, header: bytes, episodes: bytes, out: Path
    ) -> dict[str, Any]:
        user = User.objects.create_user(email="ssda903-round-trip@rcc.invalid")
        Membership.objects.create(user=user, organisation=la, role=Role.SOCIAL_WORKER)
        result = import_ssda903(
            by=user,
            la=la,
            header_upload=SimpleUploadedFile("header.csv", header, "text/csv"),
            episodes_upload=SimpleUploadedFile("episodes.csv", episodes, "text/csv"),
        )
        if result.status != "accepted":
            raise CommandError(f"The import was rejected: {result.errors[:5]}")
        built = return_build(la=la, year=year, children=Child.objects.all(), today=today)
        (out / "output" / "header.csv").write_text(built.header_csv(), encoding="utf-8")
        (out / "output" / "episodes.csv").write_text(built.episodes_csv(), encoding="utf-8")
        return {
            "imported_children": result.children_created,
            "imported_episodes": result.episodes_created,
            "exported_children": len(built.header),
            "exported_episodes": len(built.episodes),
            "attention": [a.__dict__ for a in built.attention],
        }
