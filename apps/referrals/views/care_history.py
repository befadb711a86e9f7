"""The child's care history (LA side): record an earlier placement by hand, change or delete
one recorded so; imported episodes are read-only. The timeline is on the child's page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from apps.core.errors import DomainError
from apps.referrals.choices import CareHistorySource
from apps.referrals.forms import CareEpisodeForm
from apps.referrals.models import CareEpisode, Child
from apps.referrals.permissions import EDIT_CHILDREN
from apps.referrals.services import care_history as services

from .la import ObjectFormView, attach_error, me


class CareEpisodeCreateView(ObjectFormView):
    rule = EDIT_CHILDREN
    model = Child
    form_class = CareEpisodeForm
    template_name = "referrals/la_care_episode_form.html"
    context_object_name = "child"

    def form_valid(self, form: CareEpisodeForm) -> HttpResponse:
        try:
            services.care_episode_record(
                by=me(self.request), child=self.object, **form.cleaned_data
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, "The earlier placement has been added to the history.")
        return redirect("referrals:child_detail", self.object.pk)


class _EpisodeMixin(ObjectFormView):
    rule = EDIT_CHILDREN
    model = Child
    context_object_name = "child"

    def episode(self) -> CareEpisode:
        if not hasattr(self, "_episode"):
            self._episode = get_object_or_404(
                CareEpisode,
                pk=self.kwargs["episode_pk"],
                child=self.object,
                source=CareHistorySource.RECORDED,
            )
        return self._episode

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["episode"] = self.episode()
        return ctx


class CareEpisodeEditView(_EpisodeMixin):
    form_class = CareEpisodeForm
    template_name = "referrals/la_care_episode_form.html"

    def get_initial(self) -> dict[str, Any]:
        return CareEpisodeForm.initial_for(self.episode())

    def form_valid(self, form: CareEpisodeForm) -> HttpResponse:
        try:
            services.care_episode_update(
                by=me(self.request), episode=self.episode(), **form.cleaned_data
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, "The earlier placement has been changed.")
        return redirect("referrals:child_detail", self.object.pk)


class CareEpisodeDeleteView(_EpisodeMixin):
    form_class = forms.Form
    template_name = "referrals/la_care_episode_delete.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.episode()
        return super().get(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            services.care_episode_delete(by=me(self.request), episode=self.episode())
        except DomainError as err:
            messages.error(self.request, err.message)
            return redirect("referrals:child_detail", self.object.pk)
        messages.success(self.request, "The earlier placement has been deleted from the history.")
        return redirect("referrals:child_detail", self.object.pk)
