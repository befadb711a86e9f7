"""Every change to organisations and RCC memberships is recorded by django-auditlog."""

from auditlog.registry import auditlog

from .models import Organisation, RccMembership

auditlog.register(Organisation)
auditlog.register(RccMembership)
