"""Write (or check) the published files of the national return under data/monitoring/<version>/:
the format's definition as JSON, the blank CSV template, a worked example and the data
dictionary. All are made from the one definition in apps/monitoring/format.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.monitoring import format as fmt_module


def published_files(fmt: fmt_module.ReturnFormat) -> dict[str, bytes]:
    definition = {
        "version": fmt.version,
        "title": fmt.title,
        "first_quarter": fmt.first_quarter.short,
        "notes": list(fmt.notes),
        "columns": [c.__dict__ for c in fmt.columns],
        "figures": [f.__dict__ for f in fmt.figures],
        "code_lists": {
            name: [{"code": c, "label": label} for c, label in codes]
            for name, codes in fmt.code_lists.items()
        },
        "reasons_for_change": {k: list(v) for k, v in fmt.reasons_for_change.items()},
    }
    return {
        "format.json": (
            json.dumps(definition, indent=2, ensure_ascii=False, default=_plain) + "\n"
        ).encode("utf-8"),
        "template.csv": fmt_module.records_csv(fmt, fmt_module.blank_records(fmt)),
        "example.csv": fmt_module.records_csv(fmt, fmt_module.example_records(fmt)),
        "data-dictionary.csv": fmt_module.dictionary_csv(fmt),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return str(value)


class Command(BaseCommand):
    help = (
        "Write data/monitoring/<version>/ from the return's definition; "
        "--check fails if the files differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write: exit non-zero if a file is out of date",
        )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR) / "data" / "monitoring"
        stale = []
        for fmt in fmt_module.FORMATS.values():
            folder = root / fmt.version
            for name, content in published_files(fmt).items():
                path = folder / name
                if path.exists() and path.read_bytes() == content:
                    continue
                stale.append(str(path.relative_to(settings.BASE_DIR)))
                if not options["check"]:
                    folder.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(content)
        if options["check"] and stale:
            raise CommandError("Out of date (run manage.py monitoring_format): " + ", ".join(stale))
        self.stdout.write("Up to date." if not stale else ("Wrote " + ", ".join(stale)))
