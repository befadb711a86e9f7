"""The vacancy search, under /register/search/."""

from django.urls import path

from . import search_views

app_name = "register_search"

urlpatterns = [
    path("", search_views.VacancySearchView.as_view(), name="search"),
]
