"""Changes to returns, queries and feedback are recorded by django-auditlog (who and when).
Placement rows are not (a version is never edited: a resubmission makes a new one)."""

from auditlog.registry import auditlog

from .models import MeetingScorecardLink, MonitoringReturn, PlacementFeedback, ReturnQuery

auditlog.register(MonitoringReturn, exclude_fields=["updated_at"])
auditlog.register(ReturnQuery)
auditlog.register(PlacementFeedback)
auditlog.register(MeetingScorecardLink)
