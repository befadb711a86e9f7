from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import DomainError
from apps.needs.services import taxonomy_load


class Command(BaseCommand):
    help = "Load the needs taxonomy (domains and levels) from JSON. Safe to re-run."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "path",
            nargs="?",
            type=Path,
            default=Path(settings.BASE_DIR) / "data" / "taxonomy" / "needs_default.json",
        )

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            result = taxonomy_load(path=options["path"])
        except DomainError as err:
            raise CommandError(err.message) from err
        self.stdout.write(
            self.style.SUCCESS(
                f"Needs taxonomy: {result['levels']} levels, {result['domains']} domains"
                f" ({result['retired']} retired)."
            )
        )
