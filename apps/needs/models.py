"""The needs taxonomy: configurable domains and levels (DOMAIN.md §2).

Households' skills say the highest level of a domain they can meet; children's needs
assessments (later) record a level per domain. Both use these same rows.
"""

from django.db import models


class NeedDomainQuerySet(models.QuerySet):
    def active(self) -> "NeedDomainQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, user) -> "NeedDomainQuerySet":  # type: ignore[no-untyped-def]
        # The taxonomy is shared reference data: every signed-in user may read it.
        return self if user.is_authenticated else self.none()


class NeedDomain(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = NeedDomainQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class NeedLevel(models.Model):
    """A level of need, ordered by rank (0 = no identified need)."""

    rank = models.PositiveSmallIntegerField(unique=True)
    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name
