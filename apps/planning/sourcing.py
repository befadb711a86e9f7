"""Planning: sourcing (being built for issue 14)."""

from __future__ import annotations

from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table


def tables(facts: Facts) -> list[Table]:
    return []
