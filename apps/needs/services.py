"""Load the needs taxonomy from a JSON file. Safe to re-run: rows are matched by code/rank."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from apps.core.errors import DomainError

from .models import NeedDomain, NeedLevel


@transaction.atomic
def taxonomy_load(*, path: Path) -> dict[str, int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        levels = data["levels"]
        domains = data["domains"]
    except (OSError, ValueError, KeyError) as err:
        raise DomainError(f"{path.name}: not a taxonomy file ({err})") from err
    for i, level in enumerate(levels):
        if not {"rank", "code", "name"} <= level.keys():
            raise DomainError(f"{path.name}: level {i + 1} needs rank, code and name")
        NeedLevel.objects.update_or_create(
            rank=level["rank"],
            defaults={
                "code": level["code"],
                "name": level["name"],
                "description": level.get("description", ""),
            },
        )
    codes = []
    for i, domain in enumerate(domains):
        if not {"code", "name"} <= domain.keys():
            raise DomainError(f"{path.name}: domain {i + 1} needs code and name")
        codes.append(domain["code"])
        NeedDomain.objects.update_or_create(
            code=domain["code"],
            defaults={
                "name": domain["name"],
                "description": domain.get("description", ""),
                "sort_order": i,
                "is_active": True,
            },
        )
    # Domains dropped from the file are retired, not deleted: history keeps pointing at them.
    retired = NeedDomain.objects.exclude(code__in=codes).update(is_active=False)
    return {"levels": len(levels), "domains": len(domains), "retired": retired}
