"""Report runs, the snapshots they build, and the bulletins published from them.

A `ReportRun` is one job (queued → running → done | failed) with its progress. A done run
leaves a `ReportSnapshot`: the report's tables as JSON, which the dashboards read (nothing is
computed per page view). One snapshot per kind, scope and period is current; a rerun builds a
new one and swaps it in one transaction, and superseded snapshots are kept while a bulletin
cites them. A `Bulletin` is written by NCC analysts from a national snapshot; publishing
applies disclosure control and freezes the published tables (docs/adr/0080-reporting.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.organisations.models import Organisation

from .choices import ACTIVE_STATUSES, BulletinStatus, ReportKind, Rounding, RunStatus
from .querysets import BulletinQuerySet, ReportRunQuerySet, ReportSnapshotQuerySet

USER = settings.AUTH_USER_MODEL


class ReportRun(models.Model):
    """One build of a report for a scope (an RCC, or national when `rcc` is blank) and period."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    rcc = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_runs",
        help_text="Blank: the national report",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    enqueue_error = models.TextField(
        blank=True, help_text="Why the run could not be handed to the task queue (it is re-sent)"
    )
    enqueued_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportrun_progress_percent"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="reportrun_period_order",
            ),
            # No duplicate: one queued or running run per report (kind, scope and period).
            models.UniqueConstraint(
                fields=["kind", "rcc", "period_start", "period_end"],
                condition=Q(status__in=ACTIVE_STATUSES, rcc__isnull=False),
                name="reportrun_one_active_per_rcc_report",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"],
                condition=Q(status__in=ACTIVE_STATUSES, rcc__isnull=True),
                name="reportrun_one_active_per_national_report",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.DONE) | Q(finished_at__isnull=False),
                name="reportrun_done_has_finish",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="reportrun_status_heartbeat"),
            models.Index(fields=["rcc", "kind", "created_at"], name="reportrun_scope_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.scope_label} - {self.period_label}"

    @property
    def scope_label(self) -> str:
        return self.rcc.name if self.rcc_id and self.rcc else "England"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ReportSnapshot(models.Model):
    """The tables a done run built. Dashboards and exports read these, never the live data."""

    kind = models.CharField(max_length=20, choices=ReportKind.choices)
    rcc = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_snapshots",
    )
    period_start = models.DateField()
    period_end = models.DateField()
    run = models.OneToOneField(
        ReportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="snapshot"
    )
    is_current = models.BooleanField(default=True)
    is_empty = models.BooleanField(default=False, help_text="No data for the period")
    summary = models.JSONField(default=dict, blank=True)
    tables = models.JSONField(default=dict, blank=True)
    built_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = ReportSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-built_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "rcc", "period_start", "period_end"],
                condition=Q(is_current=True, rcc__isnull=False),
                name="reportsnapshot_one_current_per_rcc_report",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end"],
                condition=Q(is_current=True, rcc__isnull=True),
                name="reportsnapshot_one_current_per_national_report",
            ),
        ]
        indexes = [
            models.Index(
                fields=["rcc", "kind", "is_current", "period_end"], name="reportsnapshot_lookup"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} - {self.scope_label} - {self.period_label}"

    @property
    def scope_label(self) -> str:
        return self.rcc.name if self.rcc_id and self.rcc else "England"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    @property
    def is_national(self) -> bool:
        return self.rcc_id is None


class Bulletin(models.Model):
    """A statistical bulletin for the public site, written by NCC analysts from a snapshot."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.CharField(max_length=400, help_text="One or two sentences for the list")
    body = models.TextField(help_text="Plain text; a blank line starts a new paragraph")
    snapshot = models.ForeignKey(
        ReportSnapshot,
        on_delete=models.PROTECT,
        related_name="bulletins",
        help_text="The national report snapshot the bulletin cites",
    )
    table_keys = models.JSONField(default=list, blank=True, help_text="Tables to publish")
    rounding = models.PositiveSmallIntegerField(choices=Rounding.choices, default=Rounding.NONE)
    status = models.CharField(
        max_length=10, choices=BulletinStatus.choices, default=BulletinStatus.DRAFT
    )
    published_tables = models.JSONField(default=list, blank=True)
    headline = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=BulletinStatus.PUBLISHED) | Q(published_at__isnull=False),
                name="bulletin_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


def period_label(start, end) -> str:  # type: ignore[no-untyped-def]
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"
