"""Write LAs' SSDA903 Header and Episodes files for collection years, one folder per LA and
year, with the LA's GSS code (for the DfE validator) and the notes of what needs attention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.referrals.models import Child
from apps.reporting.ssda903.files import collection_years, return_build


class Command(BaseCommand):
    help = (
        "Write SSDA903 Header and Episodes CSVs per LA and collection year into OUT/<DfE code>-"
        "<year>/ (header.csv, episodes.csv, info.json with the GSS code and the notes)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--la",
            action="append",
            default=[],
            help="DfE LA code (repeat for more); default: every LA that is in an RCC",
        )
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            default=[],
            help="Collection year by its first year (2025 for 2025-26); default: every year "
            "that has started",
        )
        parser.add_argument("--out", required=True, help="Folder to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        started = collection_years(today)
        years = options["year"] or started
        for year in years:
            if year not in started:
                raise CommandError(
                    f"--year {year}: only collection years that have started "
                    f"({', '.join(str(y) for y in sorted(started))})."
                )
        las = Organisation.objects.local_authorities()
        if options["la"]:
            las = las.filter(dfe_la_code__in=options["la"])
            missing = set(options["la"]) - set(las.values_list("dfe_la_code", flat=True))
            if missing:
                raise CommandError(f"--la: no LA with DfE code {', '.join(sorted(missing))}.")
        else:
            las = las.filter(rcc_memberships__isnull=False).distinct()
        out = Path(options["out"])
        for la in las.order_by("dfe_la_code"):
            for year in sorted(years):
                built = return_build(la=la, year=year, children=Child.objects.all(), today=today)
                folder = out / f"{la.dfe_la_code}-{year}"
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "header.csv").write_text(built.header_csv(), encoding="utf-8")
                (folder / "episodes.csv").write_text(built.episodes_csv(), encoding="utf-8")
                info = {
                    "la": la.name,
                    "dfe_la_code": la.dfe_la_code,
                    "gss_code": la.gss_code,
                    "year": year,
                    "collection_year": year + 1,
                    "children": len(built.header),
                    "episodes": len(built.episodes),
                    "attention": [a.__dict__ for a in built.attention],
                }
                (folder / "info.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
                if options["verbosity"] > 0:
                    self.stdout.write(
                        f"{la.dfe_la_code} {la.name} {built.label}: {len(built.header)} children, "
                        f"{len(built.episodes)} episodes, {len(built.attention)} notes"
                    )
