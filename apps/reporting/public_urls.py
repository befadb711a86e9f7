"""The public site: no sign-in (the two-factor middleware exempts /public/)."""

from django.urls import path

from .views import public

app_name = "public"

urlpatterns = [
    path("", public.PublicIndexView.as_view(), name="index"),
    path("bulletins/<slug:slug>/", public.PublicBulletinView.as_view(), name="bulletin"),
    path(
        "bulletins/<slug:slug>/tables/<slug:key>.csv",
        public.PublicTableView.as_view(),
        name="bulletin_table",
    ),
]
