"""The vacancy search page: hub staff search every provider's open vacancies at once."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.permissions import Rule
from apps.core.throttling import ThrottledViewMixin
from apps.core.views import ScopedListView

from .choices import CARE_TYPE_LABELS, care_types_from_mask
from .filters import VacancySearchFilter
from .models import Household
from .querysets import STALE_DAYS
from .selectors import ProviderType

# Hub, RCC and NCC staff search the national register; providers' staff may search too, but
# `Household.objects.visible_to` shows them only their own households.
SEARCH_VACANCIES = Rule(
    "register.search",
    frozenset(
        {
            Role.PLACEMENT_OFFICER,
            Role.COMMISSIONER,
            Role.NCC_ANALYST,
            Role.ADMINISTRATOR,
            Role.PROVIDER_REFERRALS,
            Role.PROVIDER_DATA,
        }
    ),
)
SORT_LABELS = {
    "": "Nearest first (soonest available without a district)",
    "distance": "Nearest first",
    "-distance": "Furthest first",
    "available": "Soonest available",
    "-available": "Latest available",
    "provider": "Provider, A to Z",
    "-provider": "Provider, Z to A",
    "ofsted": "Best Ofsted grade first",
    "-ofsted": "Lowest Ofsted grade first",
}
PROVIDER_TYPE_LABELS = {
    ProviderType.IN_HOUSE: "In-house",
    ProviderType.OTHER_LA: "Other LA",
    ProviderType.IFA: "IFA",
}


class SearchPaginator(Paginator):
    """Pages of search results in one query: the total comes with the rows, as a window count
    (`COUNT(*) OVER ()`), instead of a second query that would repeat the whole search. Only
    a page past the end (no rows to carry the total) costs a separate count."""

    def page(self, number: Any) -> Page:
        number = self.validate_number_format(number)
        if "count" not in self.__dict__ and number >= 1:
            bottom = (number - 1) * self.per_page
            results: Any = self.object_list
            rows = list(
                results.annotate(search_total=Window(Count("pk")))[bottom : bottom + self.per_page]
            )
            if rows:
                self.__dict__["count"] = rows[0].search_total
                self.validate_number(number)
                return Page(rows, number, self)
        return super().page(number)

    def validate_number_format(self, number: Any) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            return int(number)
        except (TypeError, ValueError) as err:
            raise PageNotAnInteger("That page number is not an integer") from err


def _distance(h: Household) -> str:
    distance = getattr(h, "distance", None)
    return "" if distance is None else f"{distance:.1f}"


def _care_types(h: Household) -> str:
    return "; ".join(CARE_TYPE_LABELS[code] for code in care_types_from_mask(h.care_types))


class VacancySearchView(ThrottledViewMixin, ScopedListView):
    rule = SEARCH_VACANCIES
    throttle_scope = "search"
    model = Household
    filterset_class = VacancySearchFilter
    template_name = "providers/search.html"
    strict = True  # a search with an error shows the error, not a wider search
    paginate_by = 25
    paginator_class = SearchPaginator
    export_filename = "vacancy-search"
    export_columns = [
        ("Distance (miles)", _distance),
        ("Household", "reference"),
        ("Provider", "provider__organisation__name"),
        ("Provider type", lambda h: PROVIDER_TYPE_LABELS[h.provider_type]),
        ("Ofsted grade", "provider__get_ofsted_grade_display"),
        ("Postcode district", "postcode_district_id"),
        ("Local authority", "la__name"),
        ("Open places", "open_places"),
        ("Earliest available", "earliest_available"),
        ("Ages", lambda h: f"{h.age_min} to {h.age_max}"),
        ("Largest sibling group", "max_sibling_group"),
        ("Types of care", _care_types),
        ("Not confirmed for 14 days", lambda h: "yes" if h.stale else ""),
        ("Last confirmed", lambda h: h.oldest_confirmation.date().isoformat()),
        ("Provider contact", "provider__contact_email"),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        form = ctx["filter"].form
        chosen = set(form["needs"].value() or [])
        ctx["need_groups"] = [
            {
                "label": label,
                "id": f"id_needs_{i}",
                "options": [(value, text, value in chosen) for value, text in options],
            }
            for i, (label, options) in enumerate(form.fields["needs"].choices)
        ]
        chosen_types = set(form["provider_types"].value() or []) or set(ProviderType.values)
        ctx["provider_type_options"] = [
            (value, label, value in chosen_types) for value, label in ProviderType.choices
        ]
        for h in ctx["object_list"]:  # the page's rows, already fetched for the table
            h.care_type_names = [CARE_TYPE_LABELS[code] for code in h.care_type_codes]
            h.provider_type_label = PROVIDER_TYPE_LABELS[h.provider_type]
        ctx["sort_options"] = [
            (value, SORT_LABELS.get(value, label)) for value, label in form.fields["sort"].choices
        ]
        ctx["stale_days"] = STALE_DAYS
        ctx["today"] = timezone.localdate()
        return ctx
