"""core/_filter_field.html: a list's filter field, its current choice selected."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class _Filters(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "全部"), ("active", "在档"), ("closed", "已撤档"), ("1", "一")],
    )
    grouped = forms.ChoiceField(
        required=False,
        choices=[("", "全部"), ("城市", [("a", "甲"), ("b", "乙")]), ("c", "丙")],
    )


def _selected(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', html)


def _render(form: forms.Form, name: str) -> str:
    return render_to_string("core/_filter_field.html", {"field": form[name]})


def test_the_bound_choice_is_the_one_selected():
    assert _selected(_render(_Filters({"status": "closed"}), "status")) == ["closed"]


def test_a_number_sent_as_text_matches_its_choice():
    assert _selected(_render(_Filters({"status": "1"}), "status")) == ["1"]


def test_an_unbound_form_marks_no_choice_the_browser_shows_the_first():
    html = _render(_Filters(), "status")

    assert _selected(html) == []
    assert html.count("<option ") == 4


def test_a_choice_inside_a_group_is_selected_inside_it():
    html = _render(_Filters({"grouped": "b"}), "grouped")

    assert _selected(html) == ["b"]
    assert '<optgroup label="城市">' in html


def test_the_current_value_is_read_once_not_once_an_option(monkeypatch):
    calls = []
    value = forms.BoundField.value

    def counted(self):
        calls.append(self.name)
        return value(self)

    monkeypatch.setattr(forms.BoundField, "value", counted)

    _render(_Filters({"status": "closed"}), "status")

    assert calls == ["status"]
