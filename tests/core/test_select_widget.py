"""Selects write their options without WTForms' slow formatting, and the page is unchanged."""

import importlib
import pkgutil

import wtforms
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from hypothesis import given
from hypothesis import strategies as st
from wtforms import Form
from wtforms.widgets import Select

import app as app_package
from app.core.forms import PlainOptionsSelect, SelectField, options

texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12)


class Filters(Form):
    status = SelectField("Status")


def rendered(widget, pairs, picked, **kwargs) -> str:
    form = Filters(data={"status": picked})
    form.status.choices = options(pairs)
    return str(widget(form.status, **kwargs))


@given(pairs=st.lists(st.tuples(texts, texts), max_size=6), picked=texts)
def test_options_are_written_exactly_as_wtforms_writes_them(pairs, picked):
    if pairs and picked == "":
        picked = pairs[0][0]
    assert rendered(PlainOptionsSelect(), pairs, picked) == rendered(Select(), pairs, picked)


def test_quotes_and_markup_in_values_and_labels_are_escaped(app):
    pairs = [('a"b', '<script>"x"</script>'), ("&", "&amp;"), ("plain", _l("Status"))]
    with app.test_request_context(), force_locale("zh_Hans"):
        html = rendered(PlainOptionsSelect(), pairs, "&", aria_invalid="true")
        assert html == rendered(Select(), pairs, "&", aria_invalid="true")
    assert '<option value="a&#34;b">&lt;script&gt;&#34;x&#34;&lt;/script&gt;</option>' in html
    assert '<option selected value="&amp;">&amp;amp;</option>' in html
    assert '<option value="plain">状态</option>' in html


def test_every_select_of_every_form_uses_it():
    for module in pkgutil.walk_packages(app_package.__path__, "app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    forms, stack = [], [Form]
    while stack:
        form = stack.pop()
        forms.append(form)
        stack.extend(form.__subclasses__())
    selects = [(form.__name__, name, field.field_class) for form in forms
               for name, field in vars(form).items()
               if isinstance(field, wtforms.fields.core.UnboundField)
               and isinstance(field.field_class.widget, Select)
               and not field.field_class.widget.multiple]
    assert len(selects) > 20
    assert [(form, name) for form, name, field_class in selects
            if not isinstance(field_class.widget, PlainOptionsSelect)] == []
