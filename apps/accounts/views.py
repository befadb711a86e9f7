from __future__ import annotations

import io
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.generic import FormView
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.errors import DomainError
from apps.core.throttling import throttle_response
from apps.core.views import RuleRequiredMixin, ScopedListView
from apps.organisations.models import Organisation

from . import services
from .filters import MembershipFilter, NotificationFilter
from .forms import (
    ApiTokenForm,
    EmailAuthenticationForm,
    EmailPreferencesForm,
    MembershipGrantForm,
    TokenForm,
)
from .models import NOTIFICATION_ORDER, ApiToken, Membership, Notification, User
from .notifications import (
    email_preferences,
    email_preferences_set,
    notification_mark_read,
    notifications_mark_all_read,
)
from .permissions import MANAGE_PEOPLE
from .querysets import administered_organisation_ids
from .two_factor import session_verified


def signed_in(request: HttpRequest) -> User:
    """The user of a view that only signed-in people reach (the mixins saw to that)."""
    return cast(User, request.user)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        revoked = services.api_tokens_revoke_all(user=form.user)
        messages.success(
            self.request,
            "Your password has been changed."
            + (" Your API tokens have been revoked." if revoked else ""),
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed one-time link: a new password revokes every API token of the account."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.api_tokens_revoke_all(user=form.user)
        return response


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class ProfileView(LoginRequiredMixin, View):
    """The signed-in user's account: roles, two-factor status, API tokens (mint, list, revoke)."""

    def _render(
        self, request: HttpRequest, *, form: ApiTokenForm | None = None, secret: str = ""
    ) -> HttpResponse:
        user = signed_in(request)
        return render(
            request,
            "accounts/profile.html",
            {
                "memberships": user.memberships.select_related("organisation"),
                "has_two_factor": any(True for _ in devices_for_user(user, confirmed=True)),
                "two_factor_verified": session_verified(user),
                "tokens": ApiToken.objects.visible_to(user).unexpired(),
                "token_form": form or ApiTokenForm(),
                "new_secret": secret,
                "token_ttl_days": settings.RCC_API_TOKEN_TTL_DAYS,
                "preferences_form": EmailPreferencesForm(
                    initial={"emailed": [k for k, on in email_preferences(user).items() if on]}
                ),
            },
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = signed_in(request)
        if request.POST.get("action") == "new-token":
            too_many = throttle_response(request, "tokens")
            if too_many is not None:
                return too_many
            form = ApiTokenForm(request.POST)
            if not form.is_valid():
                return self._render(request, form=form)
            try:
                token, secret = services.api_token_create(
                    user=user, verified=session_verified(user), **form.cleaned_data
                )
            except DomainError as err:
                form.add_error(err.field if err.field in form.fields else None, err.message)
                return self._render(request, form=form)
            # Shown on this page once, never stored (nor put in a message or a redirect).
            return self._render(request, secret=secret)
        if request.POST.get("action") == "email-preferences":
            prefs = EmailPreferencesForm(request.POST)
            if prefs.is_valid():
                email_preferences_set(user=user, emailed=prefs.cleaned_data["emailed"])
                messages.success(request, "Your email preferences have been saved.")
            else:
                messages.error(request, "Choose from the kinds listed.")
            return redirect(reverse("accounts:profile") + "#email-preferences")
        if request.POST.get("action") == "revoke-token":
            token = get_object_or_404(
                ApiToken.objects.visible_to(user), pk=request.POST.get("token", "")
            )
            services.api_token_revoke(by=user, token=token)
            messages.success(request, f"The API token “{token.name}” has been revoked.")
        return redirect("accounts:profile")


class TwoFactorSetupView(LoginRequiredMixin, FormView):
    """Set up an authenticator app: the first device after the password; a further one only in a
    session already verified with an existing device (else this sends you to verify first). A
    lost device is replaced through an administrator's reset."""

    template_name = "accounts/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and not session_verified(user)
            and any(True for _ in devices_for_user(user, confirmed=True))
        ):
            return redirect(
                f"{reverse('accounts:two_factor_verify')}?"
                f"{urlencode({'next': _safe_next(request)})}"
            )
        return super().dispatch(request, *args, **kwargs)

    def _device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=self.request.user, name="Authenticator app", confirmed=False
            )
        return device

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        device = self._device()
        image = qrcode.make(
            device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8
        )
        buffer = io.BytesIO()
        image.save(buffer)
        ctx["qr_svg"] = buffer.getvalue().decode()
        from base64 import b32encode

        ctx["secret"] = b32encode(device.bin_key).decode()
        ctx["next"] = _safe_next(self.request)
        ctx["adding"] = session_verified(self.request.user)
        return ctx

    def form_valid(self, form: TokenForm) -> HttpResponse:
        device = self._device()
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error(
                "token", "That code is not right. Check the time on your phone and try again."
            )
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(self.request, device)
        messages.success(self.request, "Two-factor sign-in is set up.")
        return redirect(_safe_next(self.request))


class TwoFactorVerifyView(LoginRequiredMixin, FormView):
    template_name = "accounts/two_factor_verify.html"
    form_class = TokenForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["next"] = _safe_next(self.request)
        return ctx

    def form_valid(self, form: TokenForm) -> HttpResponse:
        device = match_token(self.request.user, form.cleaned_data["token"])
        if device is None:
            form.add_error(
                "token", "That code is not right. Check the time on your phone and try again."
            )
            return self.form_invalid(form)
        otp_login(self.request, device)
        return redirect(_safe_next(self.request))


class PeopleListView(ScopedListView):
    """Administrators: the people in the organisations they administer."""

    rule = MANAGE_PEOPLE
    model = Membership
    filterset_class = MembershipFilter
    select_related = ("user", "organisation")
    template_name = "accounts/people_list.html"
    export_filename = "people"
    export_columns = [
        ("Email", "user__email"),
        ("Name", lambda m: m.user.get_full_name()),
        ("Organisation", "organisation__name"),
        ("Role", "get_role_display"),
        ("Since", lambda m: m.created_at.date().isoformat()),
    ]


def _administered(user: Any) -> Any:
    ids = administered_organisation_ids(user)
    qs = Organisation.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


class MembershipGrantView(RuleRequiredMixin, FormView):
    rule = MANAGE_PEOPLE
    template_name = "accounts/membership_form.html"
    form_class = MembershipGrantForm
    success_url = reverse_lazy("accounts:people")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = _administered(self.request.user)
        return kwargs

    def form_valid(self, form: MembershipGrantForm) -> HttpResponse:
        try:
            membership = services.membership_grant(
                by=signed_in(self.request), request=self.request, **form.cleaned_data
            )
        except DomainError as err:
            form.add_error(err.field, err.message)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"{membership.user.email} is now {membership.get_role_display()} "
            f"at {membership.organisation}.",
        )
        return super().form_valid(form)


class MembershipRevokeView(RuleRequiredMixin, View):
    rule = MANAGE_PEOPLE

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        membership = get_object_or_404(
            Membership.objects.visible_to(signed_in(request)).select_related(
                "user", "organisation"
            ),
            pk=pk,
        )
        return render(
            request, "accounts/membership_confirm_revoke.html", {"membership": membership}
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = signed_in(request)
        membership = get_object_or_404(Membership.objects.visible_to(user), pk=pk)
        try:
            services.membership_revoke(by=user, membership=membership)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, "The role has been removed.")
        return redirect("accounts:people")


class TwoFactorResetView(RuleRequiredMixin, View):
    """Administrators: remove a person's two-factor devices (and API tokens) so that they set up a
    new device at their next sign-in. Only people in the organisations they administer (404)."""

    rule = MANAGE_PEOPLE

    def _person(self, request: HttpRequest, pk: int) -> User:
        return get_object_or_404(User.objects.visible_to(signed_in(request)), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        return render(
            request,
            "accounts/two_factor_confirm_reset.html",
            {
                "person": person,
                "has_two_factor": any(True for _ in devices_for_user(person, confirmed=True)),
                "token_count": ApiToken.objects.filter(user=person).count(),
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = self._person(request, pk)
        try:
            services.two_factor_reset(by=signed_in(request), user=person)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(
                request,
                f"Two-factor sign-in has been reset for {person.email}. They set up a new "
                "device at their next sign-in; their API tokens have been revoked.",
            )
        return redirect("accounts:people")


class NotificationListView(ScopedListView):
    """The person's own notifications, unread first; each opens its page and is marked read."""

    model = Notification
    filterset_class = NotificationFilter
    template_name = "accounts/notification_list.html"
    paginate_by = 50

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by(*NOTIFICATION_ORDER)


class NotificationOpenView(RuleRequiredMixin, View):
    """Following a notification marks it read, then goes to the page it is about."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = signed_in(request)
        note = get_object_or_404(Notification.objects.visible_to(user), pk=pk)
        notification_mark_read(notification=note, by=user)
        link = note.link if note.link.startswith("/") and not note.link.startswith("//") else ""
        return redirect(link or "accounts:notifications")


class NotificationReadView(RuleRequiredMixin, View):
    """Mark one notification read (POST), or all of them with `pk` absent."""

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        user = signed_in(request)
        if pk is None:
            n = notifications_mark_all_read(by=user)
            messages.success(request, f"{n} notification{'s' if n != 1 else ''} marked as read.")
        else:
            note = get_object_or_404(Notification.objects.visible_to(user), pk=pk)
            notification_mark_read(notification=note, by=user)
        return redirect(_safe_next(request, reverse("accounts:notifications")))
