"""Planning's own records. The forecast, sufficiency, sourcing and stability measures are
reporting snapshots (kind "planning"); a simulated year of matching is a `SimulationRun`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.organisations.models import Organisation
from apps.reporting.choices import ACTIVE_STATUSES, RunStatus

from .choices import SimulationPolicy
from .querysets import SimulationRunQuerySet

USER = settings.AUTH_USER_MODEL


class SimulationRun(models.Model):
    """One simulated year of matching (queued → running → done | failed) for England or an
    RCC's children, under one sourcing policy or all three, for a seed; with its results per
    policy (docs/planning-simulation.md)."""

    policy = models.CharField(max_length=12, choices=SimulationPolicy.choices)
    seed = models.PositiveIntegerField()
    rcc = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="simulation_runs",
        help_text="Blank: England",
    )
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    enqueue_error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    inputs = models.JSONField(
        default=dict, blank=True, help_text="What the run read: counts, sources, assumptions"
    )
    results = models.JSONField(default=dict, blank=True, help_text="Measures per policy")

    objects = SimulationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="simulationrun_progress_percent"
            ),
            models.CheckConstraint(
                condition=Q(policy__in=SimulationPolicy.values), name="simulationrun_policy"
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | Q(finished_at__isnull=False),
                name="simulationrun_done_has_finish",
            ),
            # One queued or running run per policy, seed and scope: asking again returns it.
            models.UniqueConstraint(
                fields=["policy", "seed", "rcc"],
                condition=Q(status__in=ACTIVE_STATUSES, rcc__isnull=False),
                name="simulationrun_one_active_per_rcc",
            ),
            models.UniqueConstraint(
                fields=["policy", "seed"],
                condition=Q(status__in=ACTIVE_STATUSES, rcc__isnull=True),
                name="simulationrun_one_active_national",
            ),
        ]
        indexes = [
            models.Index(fields=["rcc", "created_at"], name="simulationrun_scope"),
            models.Index(fields=["status", "heartbeat_at"], name="simulationrun_status_beat"),
        ]

    def __str__(self) -> str:
        return f"Simulated year: {self.get_policy_display()}, seed {self.seed}, {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return self.rcc.name if self.rcc_id and self.rcc else "England"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def policies(self) -> list[str]:
        """The policies the run compares, in the order of the table."""
        from .simulation import POLICIES

        return list(POLICIES) if self.policy == SimulationPolicy.ALL else [self.policy]
