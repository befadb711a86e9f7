from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from .querysets import MembershipQuerySet, UserQuerySet
from .roles import Role


class RccUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    def create_user(self, email, password=None, **extra):  # type: ignore[override]
        email = self.normalize_email(email)
        extra.setdefault("username", email)
        return super().create_user(extra.pop("username"), email, password, **extra)

    def create_superuser(self, email, password=None, **extra):  # type: ignore[override]
        email = self.normalize_email(email)
        extra.setdefault("username", email)
        return super().create_superuser(extra.pop("username"), email, password, **extra)


class User(AbstractUser):
    """A person who signs in with their work email address."""

    email = models.EmailField("email address", unique=True)
    job_title = models.CharField(max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects: ClassVar[RccUserManager] = RccUserManager()  # type: ignore[assignment]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def membership_list(self) -> list[Membership]:
        """The user's memberships with their organisations: read once for this user object (a
        request's user), shared by the role checks and every app's `visible_to`."""
        if not self.is_authenticated or self.pk is None:
            return []
        return list(self.memberships.select_related("organisation"))

    @cached_property
    def role_set(self) -> frozenset[str]:
        """Every role the user holds, in any organisation."""
        return frozenset(m.role for m in self.membership_list)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))


class Membership(models.Model):
    """A user holds a role in an organisation; one user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"
