"""Changes to the register are recorded by django-auditlog (who and when)."""

from auditlog.registry import auditlog

from .models import Carer, Household, HouseholdSkill, Provider, Vacancy

auditlog.register(Provider)
auditlog.register(Household)
auditlog.register(Carer)
auditlog.register(HouseholdSkill)
auditlog.register(Vacancy)
