"""The SSDA903 import page's form: the LA (if the user works for several) and the two files."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.organisations.models import Organisation

from .services.care_import import MAX_UPLOAD_BYTES

_MB = MAX_UPLOAD_BYTES // (1024 * 1024)


class CareImportForm(forms.Form):
    header = forms.FileField(
        label="Header file",
        help_text=f"One row per child: CHILD, SEX, DOB, ETHNIC (.csv or .xlsx, up to {_MB} MB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose the Header file."},
    )
    episodes = forms.FileField(
        label="Episodes file",
        help_text="One row per episode: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, "
        f"REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN (.csv or .xlsx, up to {_MB} MB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose the Episodes file."},
    )

    def __init__(self, *args: Any, las: list[Organisation], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.las = las
        if len(las) > 1:
            self.fields = {
                "la": forms.ChoiceField(
                    label="Local authority",
                    choices=[("", "Choose one")] + [(str(la.pk), la.name) for la in las],
                    error_messages={"required": "Choose the local authority the files are from."},
                ),
                **self.fields,
            }

    def chosen_la(self) -> Organisation:
        if len(self.las) == 1:
            return self.las[0]
        return next(la for la in self.las if str(la.pk) == self.cleaned_data["la"])
