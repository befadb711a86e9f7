"""The site's one date input (apps/core/forms.py): day / month / year boxes, errors that name
the field and the missing part, what was typed kept, and one value (the API's) understood."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.template.loader import render_to_string

from apps.core.filters import DateFilter
from apps.core.forms import GovukDateField, GovukDateInput, date_field


class ChildForm(forms.Form):
    date_of_birth = GovukDateField()
    latest_start_date = date_field("Latest start date", required=False)


def _form(**parts: str) -> ChildForm:
    data = {f"date_of_birth_{k}": v for k, v in parts.items()}
    return ChildForm(data)


def test_three_boxes_make_a_date():
    form = _form(day="7", month="03", year="2015")
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"date_of_birth": dt.date(2015, 3, 7), "latest_start_date": None}


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ({"day": "7", "month": "", "year": "2015"}, "Date of birth must include a month"),
        ({"day": "", "month": "", "year": "2015"}, "Date of birth must include a day and month"),
        ({"day": "7", "month": "3", "year": ""}, "Date of birth must include a year"),
        ({"day": "31", "month": "2", "year": "2015"}, "Date of birth must be a real date"),
        (
            {"day": "x", "month": "2", "year": "2015"},
            "Date of birth must be a real date, in numbers",
        ),
        (
            {"day": "3", "month": "2", "year": "15"},
            "Date of birth: the year must include 4 numbers",
        ),
        ({"day": "", "month": "", "year": ""}, "Enter date of birth"),
    ],
)
def test_errors_name_the_field_and_what_to_fix(parts, message):
    form = _form(**parts)
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == [message]


def test_what_was_typed_is_shown_back_and_only_the_missing_box_is_marked():
    form = _form(day="7", month="", year="2015")
    assert not form.is_valid()
    html = render_to_string("includes/form_field.html", {"field": form["date_of_birth"]})
    assert 'name="date_of_birth_day" type="text" inputmode="numeric" value="7"' in html
    assert 'value="2015"' in html
    assert html.count("govuk-input--error") == 1
    assert 'id="id_date_of_birth_month"' in html
    month = html[html.index('id="id_date_of_birth_month"') - 140 :]
    assert "govuk-input--error" in month[:200]
    assert "Date of birth must include a month" in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Date of birth' in html


def test_an_unreal_date_marks_every_box():
    form = _form(day="31", month="2", year="2015")
    form.is_valid()
    html = render_to_string("includes/form_field.html", {"field": form["date_of_birth"]})
    assert html.count("govuk-input--error") == 3


def test_initial_dates_fill_the_boxes():
    form = ChildForm(initial={"date_of_birth": dt.date(2020, 1, 5)})
    html = render_to_string("includes/form_field.html", {"field": form["date_of_birth"]})
    for value in ('value="5"', 'value="1"', 'value="2020"'):
        assert value in html
    assert 'type="date"' not in html


@pytest.mark.parametrize("typed", ["2015-03-07", "7/3/2015", "07/03/2015"])
def test_one_value_under_the_field_name_is_understood(typed):
    form = ChildForm({"date_of_birth": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["date_of_birth"] == dt.date(2015, 3, 7)


def test_the_widget_is_not_omitted_when_any_box_is_sent():
    widget = GovukDateInput()
    assert widget.value_omitted_from_data({}, {}, "on")
    assert not widget.value_omitted_from_data({"on_year": ""}, {}, "on")
    assert not widget.value_omitted_from_data({"on": "2026-01-01"}, {}, "on")


def test_the_filter_reads_boxes_and_the_apis_one_value():
    class Dates(forms.Form):
        made_after = DateFilter(label="Made on or after").field

    by_boxes = Dates({"made_after_day": "1", "made_after_month": "12", "made_after_year": "2026"})
    assert by_boxes.is_valid() and by_boxes.cleaned_data["made_after"] == dt.date(2026, 12, 1)
    by_api = Dates({"made_after": "2026-12-01"})
    assert by_api.is_valid() and by_api.cleaned_data["made_after"] == dt.date(2026, 12, 1)
    bad = Dates({"made_after_day": "1", "made_after_month": "13", "made_after_year": "2026"})
    assert not bad.is_valid()
    assert bad.errors["made_after"] == ["Made on or after must be a real date"]
