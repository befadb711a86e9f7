from typing import Any, cast

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.filters import NotificationFilter
from apps.accounts.models import NOTIFICATION_ORDER, Notification, User
from apps.accounts.notifications import notification_mark_read, notifications_mark_all_read
from apps.core.api.views import ScopedReadOnlyViewSet

from .serializers import CurrentUserSerializer, NotificationSerializer


class CurrentUserView(APIView):
    """The signed-in user, with every role they hold and where."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related("memberships__organisation").get(pk=request.user.pk)
        return Response(CurrentUserSerializer(user).data)


def signed_in_person(request: Request) -> User:
    """The person as signed in (RulePermission has refused anonymous callers)."""
    return cast(User, request.user).signed_in_user


class NotificationViewSet(ScopedReadOnlyViewSet):
    """The signed-in person's own notifications, unread first (another's: 404).
    Filter with `unread=true|false` and `kind`; mark one read, or all of them."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by(*NOTIFICATION_ORDER)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        note = self.get_object()
        notification_mark_read(notification=note, by=signed_in_person(request))
        return Response(NotificationSerializer(note).data)

    @extend_schema(
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()})},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_all_read(by=signed_in_person(request))})
