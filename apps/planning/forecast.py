"""Planning: the demand forecast (being built for issue 14)."""

from __future__ import annotations

from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table

# The age bands of the demand model (cs-demand-model's standard configuration).
AGE_BANDS = ("Birth to 1", "1 to 5", "5 to 10", "10 to 16", "16 to 18+")


def projected_growth(facts: Facts) -> dict[str, float]:
    """Per age band: the projected fostering population 12 months on over the population
    today (1.0 = no change). Bands without data are left out (read them as 1.0)."""
    return {}


def tables(facts: Facts) -> list[Table]:
    return []
