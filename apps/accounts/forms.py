from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from apps.organisations.models import Organisation

from .roles import Role


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "autofocus": True, "spellcheck": "false"}
        ),
    )
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated.",
    }


class InvitationForm(PasswordResetForm):
    """Emails a person just given their first role a one-time link to choose a password."""

    def get_users(self, email: str) -> Any:
        from .models import User

        return User.objects.filter(email__iexact=email, is_active=True)


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code from your authenticator app",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Enter the 6-digit code, numbers only.")
        return token


class MembershipGrantForm(forms.Form):
    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, so you can tell your tokens apart: “Case management sync”.",
        error_messages={
            "required": "Enter a name for the token, such as the system that will use it."
        },
    )
    read_only = forms.BooleanField(
        label="Read only: the token can read but not change anything", required=False
    )


class EmailPreferencesForm(forms.Form):
    """Which kinds of notification the person also wants by email (each is always in the
    service's notification list)."""

    emailed = forms.MultipleChoiceField(
        label="Email me when",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="You always see these in your notifications; untick any you do not want "
        "by email too.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .models import NotificationKind

        super().__init__(*args, **kwargs)
        self.fields["emailed"].choices = NotificationKind.choices  # type: ignore[attr-defined]
