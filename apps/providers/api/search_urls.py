"""The vacancy search API, under /api/v1/ (namespace "api")."""

from django.urls import path

from .search import VacancySearchAPIView

urlpatterns = [
    path("register/search/", VacancySearchAPIView.as_view(), name="register-search"),
]
