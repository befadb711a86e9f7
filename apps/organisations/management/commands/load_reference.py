from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import DomainError
from apps.organisations.services import (
    local_authorities_load,
    postcode_districts_load,
    postcodes_load,
)


class Command(BaseCommand):
    help = (
        "Load reference data: the 153 English local authorities, postcode districts and the "
        "needs taxonomy. Safe to re-run."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--local-authorities",
            type=Path,
            default=Path(settings.BASE_DIR) / "data" / "reference" / "local_authorities.csv",
            help="CSV of local authorities (default: data/reference/local_authorities.csv)",
        )
        parser.add_argument(
            "--postcode-districts",
            type=Path,
            default=Path(settings.BASE_DIR) / "data" / "reference" / "postcode_districts.csv",
            help="CSV of postcode districts, or the ONS postcode directory (pcds, lat, long)",
        )
        parser.add_argument(
            "--postcodes",
            type=Path,
            default=Path(settings.BASE_DIR) / "data" / "reference" / "postcodes.csv",
            help=(
                "CSV of full postcodes with grid points (default: a sample of real postcodes); "
                "or the ONS postcode directory (pcds, oseast1m, osnrth1m)"
            ),
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        steps = (
            ("Local authorities", local_authorities_load, options["local_authorities"]),
            ("Postcode districts", postcode_districts_load, options["postcode_districts"]),
            ("Postcodes", postcodes_load, options["postcodes"]),
        )
        for label, load, path in steps:
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                result = load(path=path)
            except DomainError as err:
                raise CommandError(err.message) from err
            self.stdout.write(
                self.style.SUCCESS(
                    f"{label}: {result.created} created, {result.updated} updated, "
                    f"{result.unchanged} unchanged."
                )
            )
        call_command("load_taxonomy", stdout=self.stdout)
