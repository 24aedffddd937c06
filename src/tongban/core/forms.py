"""Form helpers shared by the pages: an item's application form as Django fields, and a service's
refusal shown where the user looks."""

import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ServiceError
from tongban.core.identifiers import validate_credit_code, validate_resident_id

PHONE = RegexValidator(r"^[0-9+\-\s()]{7,20}$", _("请输入有效的电话号码（7–20 位数字）。"))


def _messages(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def show_service_error(form: forms.Form, exc: ServiceError, *, fields: dict[str, str] | None = None) -> None:
    """Put ``exc`` next to the fields its details name (``fields`` maps service names to form fields);
    what names no field goes above the form. The form keeps every value the user entered."""
    fields = fields or {}
    by_label = {str(f.label): name for name, f in form.fields.items()}
    placed = False

    def place(name: str, messages: list[str]) -> None:
        nonlocal placed
        target = fields.get(name, name)
        if target in form.fields and messages and target not in form.errors:
            form.add_error(target, messages)
            placed = True

    for key, value in exc.details.items():
        if key == "invalid_fields" and isinstance(value, dict):
            for name, message in value.items():
                place(name, [str(message)])
        elif key == "missing_fields":
            for label in _messages(value):
                if label in by_label:
                    place(by_label[label], [form.fields[by_label[label]].error_messages["required"]])
        else:
            place(key, _messages(value))
    shown = {str(m) for errors in form.errors.values() for m in errors}
    if not placed or exc.message not in shown:
        form.add_error(None, exc.message)


def definition_field(definition: dict) -> forms.Field:
    """One field of an item's application form (``Item.form_fields``) as a Django form field."""
    kind, required = definition.get("type", "text"), bool(definition.get("required"))
    common = {"label": definition.get("label") or definition["name"], "required": required}
    if kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    if kind == "choice":
        choices = [("", _("请选择"))] + [(c, c) for c in definition.get("choices", [])]
        return forms.ChoiceField(choices=choices, **common)
    if kind == "boolean":
        return forms.BooleanField(**common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "number":
        return forms.DecimalField(min_value=0, max_digits=14, decimal_places=2, **common)
    if kind == "id_number":
        return forms.CharField(max_length=30, validators=[validate_resident_id], **common)
    if kind == "credit_code":
        return forms.CharField(max_length=30, validators=[validate_credit_code], **common)
    if kind == "phone":
        return forms.CharField(
            max_length=20, validators=[PHONE], widget=forms.TextInput(attrs={"type": "tel"}), **common
        )
    return forms.CharField(max_length=200, **common)


def stored_value(value):
    """Form values as the case keeps them (JSON): dates as ISO text, numbers as text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | str):
        return value
    return str(value)


FIELD_PREFIX = "f_"


class ItemFormMixin:
    """The fields of an application form (``Item.form_fields``, or a bundle's merged fields), prefixed so
    they never collide with the page's own fields."""

    def add_item_fields(self, item, initial_values: dict | None = None) -> None:
        self.add_definition_fields(item.form_fields or [], initial_values)

    def add_definition_fields(self, definitions: list[dict], initial_values: dict | None = None) -> None:
        self.definitions = definitions
        for definition in definitions:
            name = FIELD_PREFIX + definition["name"]
            self.fields[name] = definition_field(definition)
            if initial_values and definition["name"] in initial_values:
                self.fields[name].initial = initial_values[definition["name"]]

    @property
    def definition_fields(self):
        return [self[name] for name in self.fields if name.startswith(FIELD_PREFIX)]

    def form_data(self) -> dict:
        """The answers as the case keeps them, under the form definition's own field names."""
        data = {}
        for definition in self.definitions:
            value = self.cleaned_data.get(FIELD_PREFIX + definition["name"])
            if value not in (None, ""):
                data[definition["name"]] = stored_value(value)
        return data

    def service_field_names(self) -> dict[str, str]:
        """For ``show_service_error``: the definition's field names → this form's."""
        return {d["name"]: FIELD_PREFIX + d["name"] for d in self.definitions}
