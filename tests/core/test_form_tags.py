from django import forms

from apps.core.templatetags.form_tags import select_options


class PickForm(forms.Form):
    colour = forms.ChoiceField(choices=[("", "---------"), ("r", "Red <b>"), ("g", "Green")])
    tags = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), ("c", "C")])
    known = forms.NullBooleanField(widget=forms.Select(choices=[("", "Unknown"), ("1", "Yes")]))


def test_select_options_keep_the_choice_escape_labels_and_name_the_empty_option():
    form = PickForm({"colour": "g", "tags": ["a", "c"], "known": "1"})
    html = select_options(form["colour"], "Any colour")
    assert html == (
        '<option value="">Any colour</option>'
        '<option value="r">Red &lt;b&gt;</option>'
        '<option value="g" selected>Green</option>'
    )
    tags = select_options(form["tags"])
    assert tags.count(" selected") == 2 and '<option value="b">B</option>' in tags
    # A field without choices of its own (a yes/no select) uses its widget's options.
    assert '<option value="1" selected>Yes</option>' in select_options(form["known"])
