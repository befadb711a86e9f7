"""Bulletins: NCC analysts write a draft citing a national report, preview what the public
will see (disclosure control applied), publish it, or withdraw it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView

from ..choices import BulletinStatus
from ..disclosure import publish_headline, publish_table
from ..filters import BulletinFilter
from ..forms import BulletinForm, citable_snapshots
from ..models import Bulletin
from ..permissions import MANAGE_BULLETINS
from ..selectors import bulletins_for_list
from ..services import bulletin_create, bulletin_publish, bulletin_update, bulletin_withdraw


class BulletinListView(ScopedListView):
    rule = MANAGE_BULLETINS
    model = Bulletin
    filterset_class = BulletinFilter
    template_name = "reporting/bulletin_list.html"
    export_filename = "bulletins"
    export_columns = [
        ("Title", "title"),
        ("Status", lambda b: b.get_status_display()),
        ("Cites", lambda b: str(b.snapshot)),
        ("Published", "published_at"),
        ("Public address", lambda b: reverse("public:bulletin", args=[b.slug])),
    ]

    def get_queryset(self) -> Any:
        return bulletins_for_list(super().get_queryset()).order_by("-updated_at", "-pk")


class _BulletinFormMixin(RuleRequiredMixin, FormView):
    rule = MANAGE_BULLETINS
    form_class = BulletinForm
    template_name = "reporting/bulletin_form.html"
    bulletin: Bulletin | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        snapshots = citable_snapshots(self.bulletin.snapshot_id if self.bulletin else None)
        return {**super().get_form_kwargs(), "snapshots": snapshots, "instance": self.bulletin}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "bulletin": self.bulletin}

    def form_valid(self, form: BulletinForm) -> HttpResponse:
        data = {
            k: form.cleaned_data[k]
            for k in ("title", "summary", "body", "snapshot", "table_keys", "rounding")
        }
        try:
            if self.bulletin is None:
                bulletin = bulletin_create(by=self.request.user, **data)
                messages.success(self.request, "Draft saved. Check the preview, then publish it.")
            else:
                bulletin = bulletin_update(bulletin=self.bulletin, by=self.request.user, **data)
                messages.success(self.request, "Draft updated.")
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            return self.form_invalid(form)
        return HttpResponseRedirect(reverse("reporting:bulletin_detail", args=[bulletin.pk]))


class BulletinCreateView(_BulletinFormMixin):
    pass


class BulletinEditView(_BulletinFormMixin):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and MANAGE_BULLETINS.allows(request.user):
            self.bulletin = get_object_or_404(
                Bulletin.objects.visible_to(request.user), pk=kwargs["pk"]
            )
            if self.bulletin.status != BulletinStatus.DRAFT:
                messages.error(request, "A published bulletin cannot be changed.")
                return HttpResponseRedirect(
                    reverse("reporting:bulletin_detail", args=[self.bulletin.pk])
                )
        return super().dispatch(request, *args, **kwargs)


class BulletinDetailView(ScopedDetailView):
    rule = MANAGE_BULLETINS
    model = Bulletin
    select_related = ("snapshot", "created_by", "published_by")
    template_name = "reporting/bulletin_detail.html"
    context_object_name = "bulletin"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        bulletin: Bulletin = self.object
        if bulletin.status == BulletinStatus.DRAFT:
            tables = bulletin.snapshot.tables
            ctx["preview_tables"] = [
                publish_table(tables[k], rounding=bulletin.rounding)
                for k in bulletin.table_keys
                if k in tables
            ]
            ctx["preview_headline"] = publish_headline(
                bulletin.snapshot.summary, rounding=bulletin.rounding
            )
        else:
            ctx["preview_tables"] = bulletin.published_tables
            ctx["preview_headline"] = bulletin.headline
        return ctx


class _BulletinActionView(RuleRequiredMixin, View):
    rule = MANAGE_BULLETINS
    action: Any = None
    done = ""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        bulletin = get_object_or_404(Bulletin.objects.visible_to(request.user), pk=pk)
        try:
            type(self).action(bulletin=bulletin, by=request.user)
        except DomainError as err:
            messages.error(request, err.message)
        else:
            messages.success(request, self.done)
        return HttpResponseRedirect(reverse("reporting:bulletin_detail", args=[pk]))


class BulletinPublishView(_BulletinActionView):
    action = bulletin_publish
    done = "Published. The public site now shows this bulletin, with small numbers suppressed."


class BulletinWithdrawView(_BulletinActionView):
    action = bulletin_withdraw
    done = "Withdrawn from the public site."
