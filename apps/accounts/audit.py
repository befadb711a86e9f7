"""Every change to users and memberships is recorded by django-auditlog (who and when)."""

from auditlog.registry import auditlog

from .models import Membership, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Membership)
