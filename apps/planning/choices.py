"""Code lists of planning: the sourcing policies a simulated year compares."""

from __future__ import annotations

from django.db import models


class SimulationPolicy(models.TextChoices):
    ALL = "all", "All three, side by side"
    SEQUENTIAL = "sequential", "Sequential (in-house first)"
    NEEDS_FIRST = "needs-first", "Needs-first (every provider at once)"
    BATCH = "batch", "Needs-first with weekly batch assignment"
