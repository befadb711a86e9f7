from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import User

from .serializers import CurrentUserSerializer


class CurrentUserView(APIView):
    """The signed-in user, with every role they hold and where."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CurrentUserSerializer)
    def get(self, request: Request) -> Response:
        user = User.objects.prefetch_related("memberships__organisation").get(pk=request.user.pk)
        return Response(CurrentUserSerializer(user).data)
