"""LA side: children and their needs, referrals in the national format, co-design reviews,
sending to the hub and withdrawing; plus the shared referral page (LA and hub staff).

Views parse input, call one selector or service, and render. A DomainError from a service is
put on the field it names, so the user keeps what they typed.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, CharField, F, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView, ScopedQuerysetMixin
from apps.organisations.kinds import OrganisationKind
from apps.referrals import selectors
from apps.referrals.choices import ReferralStatus
from apps.referrals.completeness import referral_completeness
from apps.referrals.filters import ChildFilter, ReferralFilter, ReviewFilter
from apps.referrals.format import SECTIONS
from apps.referrals.forms import (
    SECTION_FORMS,
    ChildForm,
    CohortForm,
    NeedsAssessmentForm,
    ReasonForm,
    ReviewInviteForm,
    ReviewRespondForm,
)
from apps.referrals.models import Child, Referral, ReferralReview
from apps.referrals.permissions import (
    EDIT_CHILDREN,
    EDIT_REFERRALS,
    REVIEW_REFERRAL,
    VIEW_CHILDREN,
    VIEW_LA_REFERRALS,
    VIEW_REFERRAL,
)
from apps.referrals.querysets import org_ids_by_kind
from apps.referrals.services import children as child_services
from apps.referrals.services import events
from apps.referrals.services import referrals as referral_services


def attach_error(form: forms.Form, err: DomainError) -> None:
    """Put a service's error on the form: on the field it names, or on the whole form."""
    fields = err.errors if err.errors else {err.field: [err.message]}
    for field, msgs in fields.items():
        target = field if field in form.fields else None
        for msg in msgs if isinstance(msgs, list | tuple) else [msgs]:
            form.add_error(target, str(msg))


def me(request: HttpRequest) -> User:
    """The signed-in user (RuleRequiredMixin has sent anonymous visitors to sign in)."""
    return cast(User, request.user)


def la_ids(user: Any) -> set[int]:
    return set(org_ids_by_kind(user)[OrganisationKind.LOCAL_AUTHORITY])


class ObjectFormView(RuleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, FormView):
    """A form about one scoped object: 403 for the wrong role, 404 outside the user's scope."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and self.rule.allows(request.user):
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)


# --- Children -----------------------------------------------------------------------------------


class ChildListView(ScopedListView):
    rule = VIEW_CHILDREN
    model = Child
    filterset_class = ChildFilter
    template_name = "referrals/la_child_list.html"
    export_filename = "children"

    export_columns = [
        ("Local identifier", "local_identifier"),
        # Blank unless the child belongs to the user's own LA (see get_queryset).
        ("Case-system id", "case_id_for_user"),
        ("LA", "la__name"),
        ("Date of birth", lambda c: c.date_of_birth.isoformat()),
        ("Sex", "get_sex_display"),
        ("Ethnicity", "get_ethnicity_display"),
        ("Legal status", "legal_status"),
        ("Home postcode district", "home_postcode_district_id"),
        ("Latest needs version", "latest_version"),
        (
            "Latest needs assessed on",
            lambda c: c.latest_assessed_on.isoformat() if c.latest_assessed_on else "",
        ),
        ("Open referrals", "open_referrals"),
    ]

    def get_queryset(self) -> Any:
        qs = selectors.children_with_summary(super().get_queryset())
        # The case-system id leaves the list only for the child's own LA.
        user = me(self.request)
        if user.is_superuser:
            case_id: Any = F("case_system_id")
        else:
            case_id = Case(
                When(la_id__in=la_ids(user), then=F("case_system_id")),
                default=Value(""),
                output_field=CharField(),
            )
        return qs.annotate(case_id_for_user=case_id).order_by("local_identifier", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = EDIT_CHILDREN.allows(self.request.user)
        return ctx


class ChildCreateView(RuleRequiredMixin, FormView):
    rule = EDIT_CHILDREN
    form_class = ChildForm
    template_name = "referrals/la_child_form.html"

    def _las(self) -> list[Any]:
        return child_services.social_worker_las(me(self.request))

    def get_form(self, form_class: Any = None) -> forms.Form:
        form = super().get_form(form_class)
        las = self._las()
        if len(las) > 1:
            form.fields["la"] = forms.ChoiceField(
                label="Local authority",
                choices=[("", "Choose one")] + [(la.pk, la.name) for la in las],
            )
        return form

    def form_valid(self, form: ChildForm) -> HttpResponse:
        las = self._las()
        if not las:
            form.add_error(None, "You are not a social worker in a local authority.")
            return self.form_invalid(form)
        la = las[0]
        if len(las) > 1:
            la = next(x for x in las if str(x.pk) == str(form.cleaned_data["la"]))
        data = {k: v for k, v in form.cleaned_data.items() if k != "la"}
        try:
            child = child_services.child_create(by=me(self.request), la=la, **data)
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, f"{child.local_identifier} added. Now record their needs.")
        return redirect("referrals:needs_assessment_create", child.pk)


class ChildDetailView(ScopedDetailView):
    rule = VIEW_CHILDREN
    model = Child
    select_related = ("la", "home_postcode_district", "created_by")
    template_name = "referrals/la_child_detail.html"
    context_object_name = "child"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        child = self.object
        user = me(self.request)
        ctx["history"] = selectors.child_needs_history(child=child)
        ctx["referrals"] = list(child.referrals.order_by("-created_at"))
        ctx["has_open_referral"] = any(
            r.status not in referral_services.FINAL_STATUSES for r in ctx["referrals"]
        )
        ctx["languages"] = selectors.language_names(child.languages)
        ctx["show_case_id"] = selectors.is_in_childs_la(user, child)
        ctx["can_edit"] = EDIT_CHILDREN.allows(user) and ctx["show_case_id"]
        ctx["age"] = _age(child)
        ctx["full_postcode"] = selectors.sees_childs_full_postcode(user, child)
        ctx["legal_statuses"] = selectors.legal_status_history(child=child)
        ctx["care"] = selectors.care_history(child=child)
        events.record_access(child=child, user=user, action="view_child", roles=VIEW_CHILDREN.roles)
        if selectors.can_see_read_log(user, child):
            ctx["read_log"] = Paginator(selectors.child_read_log(child=child), 20).get_page(
                self.request.GET.get("reads")
            )
        return ctx


def _age(child: Child) -> int:
    from apps.referrals.minimise import age_in_years

    return age_in_years(child.date_of_birth)


class ChildEditView(ObjectFormView):
    rule = EDIT_CHILDREN
    model = Child
    form_class = ChildForm
    template_name = "referrals/la_child_form.html"
    context_object_name = "child"

    def get_initial(self) -> dict[str, Any]:
        return ChildForm.initial_for(self.object)

    def form_valid(self, form: ChildForm) -> HttpResponse:
        try:
            child_services.child_update(by=me(self.request), child=self.object, **form.cleaned_data)
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, "The child's record has been updated.")
        return redirect("referrals:child_detail", self.object.pk)


class NeedsAssessmentCreateView(ObjectFormView):
    rule = EDIT_CHILDREN
    model = Child
    form_class = NeedsAssessmentForm
    template_name = "referrals/la_needs_form.html"
    context_object_name = "child"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["previous"] = self.object.assessments.order_by("-version").first()
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"assessed_on": timezone.localdate()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["previous"] = self.get_form_kwargs()["previous"]
        return ctx

    def form_valid(self, form: NeedsAssessmentForm) -> HttpResponse:
        try:
            assessment = child_services.needs_assessment_record(
                by=me(self.request),
                child=self.object,
                items=form.items(),
                assessed_on=form.cleaned_data["assessed_on"],
                summary=form.cleaned_data["summary"],
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, f"Needs assessment version {assessment.version} recorded.")
        return redirect("referrals:child_detail", self.object.pk)


class CohortNeedsView(RuleRequiredMixin, TemplateView):
    """The LA's children by area and level of need, from each child's latest assessment."""

    rule = VIEW_CHILDREN
    template_name = "referrals/la_cohort_needs.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = CohortForm(self.request.GET or None)
        on = form.cleaned_data.get("on") if form.is_valid() else None
        ids = la_ids(self.request.user)
        ctx["form"] = form
        ctx["table"] = selectors.cohort_needs_table(la_ids=ids, on=on)
        return ctx


# --- Referrals ----------------------------------------------------------------------------------


class ReferralCreateView(ObjectFormView):
    """POST from the child's page: a draft referral describing the latest needs assessment."""

    rule = EDIT_REFERRALS
    model = Child
    form_class = forms.Form
    http_method_names = ["post"]

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            referral = referral_services.referral_create(by=me(self.request), child=self.object)
        except DomainError as err:
            messages.error(self.request, err.message)
            return redirect("referrals:child_detail", self.object.pk)
        messages.success(self.request, "Draft referral started. Work through each section.")
        return redirect("referrals:referral_edit", referral.pk, "timescale")


class ReferralListView(ScopedListView):
    rule = VIEW_LA_REFERRALS
    model = Referral
    filterset_class = ReferralFilter
    template_name = "referrals/la_referral_list.html"
    export_filename = "referrals"
    export_columns = [
        ("Referral", "pk"),
        ("Child", "child__local_identifier"),
        ("LA", "la__name"),
        ("Status", "get_status_display"),
        ("Urgency", "get_urgency_display"),
        (
            "Latest start date",
            lambda r: r.latest_start_date.isoformat() if r.latest_start_date else "",
        ),
        ("Completeness %", lambda r: referral_completeness(r).percent),
        ("Created", lambda r: r.created_at.date().isoformat()),
        ("Sent", lambda r: r.sent_at.date().isoformat() if r.sent_at else ""),
        ("Now", lambda r: selectors.referral_state(r)[0]),
        (
            "Last activity",
            lambda r: (
                timezone.localtime(r.last_activity).date().isoformat() if r.last_activity else ""
            ),
        ),
        ("Reviews awaited", "pending_reviews"),
    ]

    def get_queryset(self) -> Any:
        # Live work first, latest activity first (a `sort` chosen on the page replaces this).
        return selectors.social_worker_referrals(super().get_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [
            (r, referral_completeness(r), selectors.referral_state(r)) for r in ctx["object_list"]
        ]
        return ctx


class ReferralDetailView(ScopedDetailView):
    """The shared referral page: the LA's staff and the hub's (never the case-system id there)."""

    rule = VIEW_REFERRAL
    model = Referral
    select_related = (
        "child",
        "child__home_postcode_district",
        "la",
        "rcc",
        "needs_assessment",
        "created_by",
        "completed_by",
        "proposed_by",
    )
    template_name = "referrals/referral_detail.html"
    context_object_name = "referral"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = me(self.request)
        ctx.update(selectors.referral_detail(referral=self.object, user=user))
        ctx["can_edit"] = (
            ctx["is_la_side"]
            and EDIT_REFERRALS.allows(user)
            and self.object.status == ReferralStatus.DRAFT
        )
        ctx["can_withdraw"] = (
            ctx["is_la_side"]
            and EDIT_REFERRALS.allows(user)
            and self.object.status not in referral_services.FINAL_STATUSES
        )
        ctx["sections"] = SECTIONS
        ctx["age"] = _age(self.object.child)
        events.record_access(
            referral=self.object, user=user, action="view_referral", roles=VIEW_REFERRAL.roles
        )
        return ctx


class ReferralEditView(ObjectFormView):
    rule = EDIT_REFERRALS
    model = Referral
    template_name = "referrals/la_referral_section.html"
    context_object_name = "referral"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if kwargs["section"] not in SECTION_FORMS:
            raise Http404("No such section")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.object.status != ReferralStatus.DRAFT:
            messages.error(request, "Only a draft referral can be changed.")
            return redirect("referrals:referral_detail", self.object.pk)
        return super().get(request, *args, **kwargs)

    def get_form_class(self) -> Any:
        return SECTION_FORMS[self.kwargs["section"]]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["referral"] = self.object
        if self.kwargs["section"] == "timescale":
            kwargs["searching"] = "search_siblings" in self.request.POST
        return kwargs

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "search_siblings" in request.POST and self.kwargs["section"] == "timescale":
            # Finding siblings: show the form again as typed, with what the search found.
            return self.render_to_response(self.get_context_data(form=self.get_form()))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        section = self.kwargs["section"]
        slugs = list(SECTIONS)
        i = slugs.index(section)
        ctx["section"] = section
        ctx["section_title"] = SECTIONS[section]
        ctx["sections"] = SECTIONS
        ctx["next_section"] = slugs[i + 1] if i + 1 < len(slugs) else None
        ctx["completeness"] = referral_completeness(self.object)
        return ctx

    def form_valid(self, form: Any) -> HttpResponse:
        section = self.kwargs["section"]
        try:
            referral_services.referral_update(
                by=me(self.request),
                referral=self.object,
                section=section,
                **form.values(),
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, f"{SECTIONS[section]}: saved.")
        slugs = list(SECTIONS)
        i = slugs.index(section)
        if "continue" in self.request.POST and i + 1 < len(slugs):
            return redirect("referrals:referral_edit", self.object.pk, slugs[i + 1])
        return redirect("referrals:referral_detail", self.object.pk)


class ReferralSendView(ObjectFormView):
    rule = EDIT_REFERRALS
    model = Referral
    form_class = forms.Form
    template_name = "referrals/la_referral_send.html"
    context_object_name = "referral"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["completeness"] = referral_completeness(self.object)
        ctx["blockers"] = referral_services.send_blockers(self.object)
        return ctx

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            referral_services.referral_send(by=me(self.request), referral=self.object)
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Referral {self.object.pk} sent to the {self.object.rcc} hub."
        )
        return redirect("referrals:referral_detail", self.object.pk)


class ReasonFormView(ObjectFormView):
    """A form with one reason field that calls `act(reason)`."""

    model = Referral
    form_class = ReasonForm
    context_object_name = "referral"
    label = "Reason"
    help_text = ""
    success_message = ""

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "label": self.label, "help_text": self.help_text}

    def act(self, reason: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def form_valid(self, form: ReasonForm) -> HttpResponse:
        try:
            self.act(form.cleaned_data["reason"])
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect("referrals:referral_detail", self.object.pk)


class ReferralWithdrawView(ReasonFormView):
    rule = EDIT_REFERRALS
    template_name = "referrals/la_referral_withdraw.html"
    label = "Why is the referral withdrawn?"
    help_text = (
        "For example: the child is returning home. The hub and any providers asked are told."
    )
    success_message = "The referral has been withdrawn."

    def act(self, reason: str) -> None:
        referral_services.referral_withdraw(
            by=me(self.request), referral=self.object, reason=reason
        )


class CarerReviewSkipView(ReasonFormView):
    rule = EDIT_REFERRALS
    template_name = "referrals/la_carer_review_skip.html"
    label = "Why can the current carer not review the referral?"
    help_text = "This is shown on the referral's timeline to the hub."
    success_message = "The reason for sending without the carer's review has been recorded."

    def act(self, reason: str) -> None:
        referral_services.referral_carer_review_skip(
            by=me(self.request),
            referral=self.object,
            reason=reason,
        )


class ReviewInviteView(ObjectFormView):
    rule = EDIT_REFERRALS
    model = Referral
    form_class = ReviewInviteForm
    template_name = "referrals/la_review_invite.html"
    context_object_name = "referral"

    def form_valid(self, form: ReviewInviteForm) -> HttpResponse:
        try:
            review = referral_services.referral_review_invite(
                by=me(self.request),
                referral=self.object,
                **form.cleaned_data,
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(
            self.request, f"{review.reviewer.email} has been asked to review the referral."
        )
        return redirect("referrals:referral_detail", self.object.pk)


# --- Reviews requested of the user (co-design) ---------------------------------------------------


class ReviewListView(ScopedListView):
    """Reviews requested of you: anyone may be asked, so any signed-in user may open it."""

    rule = REVIEW_REFERRAL
    model = ReferralReview
    filterset_class = ReviewFilter
    template_name = "referrals/la_review_list.html"

    def get_queryset(self) -> Any:
        return selectors.reviews_requested_of(me(self.request))


class ReviewDetailView(ObjectFormView):
    """The person asked reads the referral and answers (agreed / changes / declined)."""

    rule = REVIEW_REFERRAL
    model = ReferralReview
    form_class = ReviewRespondForm
    template_name = "referrals/la_review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> Any:
        return selectors.reviews_requested_of(me(self.request))

    def get_initial(self) -> dict[str, Any]:
        if self.object.responded_at:
            return {"status": self.object.status, "comments": self.object.comments}
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        referral = self.object.referral
        ctx["referral"] = referral
        ctx["age"] = _age(referral.child)
        ctx["needs_items"] = (
            list(referral.needs_assessment.items.select_related("domain", "level"))
            if referral.needs_assessment_id
            else []
        )
        ctx["siblings"] = list(referral.siblings.all())
        ctx["display"] = selectors.referral_display(referral)
        ctx["sections"] = SECTIONS
        ctx["can_answer"] = referral.status == ReferralStatus.DRAFT
        return ctx

    def form_valid(self, form: ReviewRespondForm) -> HttpResponse:
        try:
            referral_services.referral_review_respond(
                by=me(self.request),
                review=self.object,
                **form.cleaned_data,
            )
        except DomainError as err:
            attach_error(form, err)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you: your answer has been sent to the social worker.")
        return redirect("referrals:review_list")
