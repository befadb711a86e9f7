from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from knox.models import AbstractAuthToken, AuthTokenManager

from .querysets import (
    ApiTokenQuerySet,
    MembershipQuerySet,
    NotificationQuerySet,
    UserQuerySet,
)
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


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox (untyped) token manager
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

    def acting_as(self, roles: Iterable[str] | None) -> User:
        """This user acting only through the memberships that hold one of `roles` (None: all).

        A permission for an object comes from one membership that both sees the object and holds
        a role for the action (docs/adr/0006): the base views and API permission put this in
        `request.user` for the action's rule, so every `visible_to`, selector and service the
        request calls sees only those memberships, never a role held in one organisation with
        the visibility of another. The copy shares the row (same pk, saves are the user's) but
        none of the per-user caches: `membership_list`, `role_set` and every `_`-prefixed
        attribute the apps' querysets keep on the user object (e.g. `_org_ids_by_kind`).
        `signed_in_user` is the person as signed in (navigation lists all their work).
        """
        if roles is None or self.is_superuser or not self.is_authenticated:
            return self
        wanted = frozenset(roles)
        memberships = self.membership_list
        acting_list = [m for m in memberships if m.role in wanted]
        if len(acting_list) == len(memberships):
            return self
        acting = copy.copy(self)
        for key in list(acting.__dict__):
            if key in _PER_USER_CACHES or (key.startswith("_") and key not in _ROW_STATE):
                del acting.__dict__[key]
        acting.__dict__["membership_list"] = acting_list
        acting.signed_in_user = self.signed_in_user
        return acting

    @property
    def signed_in_user(self) -> User:
        """The user with every membership (`self` unless this is an `acting_as` copy)."""
        return self.__dict__.get("signed_in_user", self)  # type: ignore[no-any-return]

    @signed_in_user.setter
    def signed_in_user(self, user: User) -> None:
        self.__dict__["signed_in_user"] = user


# What `acting_as` drops from its copy: the cached properties read from the memberships, and
# (besides these two, Django's row state) every `_`-prefixed per-user cache.
_PER_USER_CACHES = frozenset({"membership_list", "role_set"})
_ROW_STATE = frozenset({"_state", "_password"})


class Membership(models.Model):
    """A user holds a role in an organisation; one user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    manager = models.BooleanField(
        "hub manager",
        default=False,
        help_text="A placement officer who manages the hub: told when an emergency placement's "
        "72-hour scrutiny is overdue (docs/adr/0130).",
    )
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


class ApiTokenManager(AuthTokenManager.from_queryset(ApiTokenQuerySet)):  # type: ignore[misc]
    """knox's `create(user, expiry=…)` returning (token, secret), with the token queryset."""


class ApiToken(AbstractAuthToken):
    """A named API token (django-rest-knox): only a hash of the secret is stored.

    It expires (RCC_API_TOKEN_TTL_DAYS), may be read-only, and records whether it was minted in a
    session verified with two-factor: where two-factor is required only such tokens are accepted.
    It is revoked (deleted) with a password change or reset, when any of the owner's memberships
    ends, and by an administrator's two-factor reset."""

    name = models.CharField(max_length=100)
    read_only = models.BooleanField(
        default=False, help_text="Only reads (GET, HEAD, OPTIONS) are allowed."
    )
    two_factor_verified = models.BooleanField(
        default=False, help_text="Minted in a session verified with two-factor sign-in."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenManager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"API token “{self.name}” of {self.user_id}"


class NotificationKind(models.TextChoices):
    """What a notification is about: each kind can be emailed or not (the person's choice)."""

    REFERRAL_SENT = "referral_sent", "A referral is sent to your hub"
    REFERRAL_WITHDRAWN = "referral_withdrawn", "A referral is withdrawn"
    REVIEW_REQUESTED = "review_requested", "You are asked to review a referral"
    REVIEW_ANSWERED = "review_answered", "Someone answers your review request"
    REFERRAL_TO_PROVIDER = "hub_target_sent", "The hub sends your provider a referral"
    OFFER_MADE = "offer_made", "A provider makes an offer"
    OFFER_NOT_CHOSEN = "offer_not_chosen", "Your provider's offer is not chosen"
    TARGET_CLOSED = "target_closed", "A referral sent to your provider is closed"
    MATCH_PROPOSED = "match_proposed", "A match is proposed for scrutiny"
    SCRUTINY_DECIDED = "scrutiny_decided", "Scrutiny approves or returns a match"
    SCRUTINY_OVERDUE = "scrutiny_overdue", "An emergency placement's scrutiny is overdue"
    PLACEMENT_AGREED = "placement_agreed", "A placement is agreed with your provider"
    PLACEMENT_ENDED = "placement_ended", "A placement with your provider ends"
    RETURN_REMINDER = "return_reminder", "A monitoring return is due or overdue"
    RETURN_QUERIED = "return_queried", "A monitoring return is queried or answered"
    RETURN_ACCEPTED = "return_accepted", "A monitoring return is accepted"
    REGISTER_STALE = "register_stale", "Your register needs confirming"


# Unread first, newest first: the list page's and the API's order.
NOTIFICATION_ORDER = (models.F("read_at").asc(nulls_first=True), "-created_at", "-pk")


class Notification(models.Model):
    """Something a person is told in the service; it stays (with its read state) whether or not
    it was also emailed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True, help_text="A path in this service")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = list(NOTIFICATION_ORDER)
        indexes = [
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.user}"


class EmailPreference(models.Model):
    """Whether a person wants email for a kind of notification; no row means yes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_preferences")
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="email_preference_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} by email {'on' if self.email else 'off'}"
