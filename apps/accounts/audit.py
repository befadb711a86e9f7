"""Every change to users and memberships is recorded by django-auditlog (who and when), and so
are API tokens and two-factor devices being made, confirmed and removed (an administrator's
two-factor reset among them). Secrets, digests and per-use counters are left out."""

from auditlog.registry import auditlog
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken, Membership, User

auditlog.register(User, exclude_fields=["password", "last_login"])
auditlog.register(Membership)
auditlog.register(ApiToken, include_fields=["user", "name", "read_only", "expiry"])
auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])
