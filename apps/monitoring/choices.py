"""Code lists of the monitoring cycle (the return's own code lists are versioned in `format`)."""

from django.db import models


class ReturnStatus(models.TextChoices):
    DUE = "due", "Due"
    SUBMITTED = "submitted", "Submitted: awaiting review"
    QUERIED = "queried", "Queried by the RCC"
    ACCEPTED = "accepted", "Accepted"


class Channel(models.TextChoices):
    WEB = "web", "Web form"
    FILE = "file", "File upload"
    API = "api", "API"


class SubmissionOutcome(models.TextChoices):
    ACCEPTED = "accepted", "Accepted: new version"
    UNCHANGED = "unchanged", "Identical to the last version: no new version"
    REJECTED = "rejected", "Not accepted: errors to fix"


class QueryStatus(models.TextChoices):
    OPEN = "open", "Waiting for the provider"
    ANSWERED = "answered", "Answered by the provider"
    CLOSED = "closed", "Closed"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within 7 days"
    OVERDUE = "overdue", "Overdue"


class FeedbackRole(models.TextChoices):
    SOCIAL_WORKER = "social_worker", "The child's social worker"
    IRO = "iro", "Independent reviewing officer"


# Each feedback question is answered on a five-point scale (1 = worst, 5 = best).
FEEDBACK_SCALE = (
    (1, "Very poor"),
    (2, "Poor"),
    (3, "Adequate"),
    (4, "Good"),
    (5, "Very good"),
)
# Counts under this are shown as suppressed, so that no one's answers can be picked out.
SUPPRESS_BELOW = 5
