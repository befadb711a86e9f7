import django_filters
from django.db.models import Q

from apps.organisations.models import Organisation

from .models import Membership, Notification, NotificationKind
from .roles import Role


class MembershipFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or email")
    organisation = django_filters.ModelChoiceFilter(queryset=Organisation.objects.all())
    role = django_filters.ChoiceFilter(choices=Role.choices)
    sort = django_filters.OrderingFilter(
        fields=(
            ("user__email", "email"),
            ("organisation__name", "organisation"),
            ("role", "role"),
            ("created_at", "since"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        request = kwargs.get("request")
        if request is not None:
            self.filters["organisation"].queryset = Organisation.objects.filter(
                pk__in=self.queryset.values("organisation_id")
            )

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(
            Q(user__email__icontains=value)
            | Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
        )


class NotificationFilter(django_filters.FilterSet):
    """The person's notifications (unread first: the model's order), by state and kind."""

    unread = django_filters.ChoiceFilter(
        method="by_state",
        label="Read or unread",
        choices=[("true", "Unread"), ("false", "Read")],
        empty_label="Any",
    )
    kind = django_filters.ChoiceFilter(choices=NotificationKind.choices, label="About")

    class Meta:
        model = Notification
        fields = ["kind"]

    def by_state(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(read_at__isnull=value == "true")
