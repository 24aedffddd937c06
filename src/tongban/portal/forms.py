"""Portal forms: the online application built from an item's form definition, the reply to a
one-time notice, and the progress look-up."""

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tongban.cases.uploads import check_upload
from tongban.catalog.choices import Necessity
from tongban.core.errors import InvalidInput
from tongban.core.forms import ItemFormMixin

FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png"
KEY_PATTERN = r"^[0-9a-f]{32}$"


def new_submission_key() -> str:
    return uuid.uuid4().hex


def material_field(material_id: int) -> str:
    return f"material_{material_id}"


class UploadChecksMixin:
    """File fields checked by content (type and size) the way ``cases.services.attach_file`` will."""

    def check_files(self, names: list[str]) -> dict[str, str]:
        """Content type per valid uploaded file; a refused file gets its error next to its field."""
        types = {}
        for name in names:
            upload = self.cleaned_data.get(name)
            if not upload:
                continue
            try:
                types[name] = check_upload(upload, max_bytes=settings.CASE_UPLOAD_MAX_BYTES)
            except InvalidInput as exc:
                self.add_error(name, exc.message)
        return types


class ApplicationForm(ItemFormMixin, UploadChecksMixin, forms.Form):
    submission_key = forms.RegexField(KEY_PATTERN, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("办理地（实施部门）"))

    def __init__(self, *args, item, implementations, materials, staged, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.materials, self.staged = item, materials, staged
        self.fields["region"].choices = [("", _("请选择"))] + [
            (i.department.region.code, f"{i.department.region.name} · {i.department.name}") for i in implementations
        ]
        if len(implementations) == 1:
            self.fields["region"].initial = implementations[0].department.region.code
        self.add_item_fields(item, initial_values)
        for material in materials:
            field = forms.FileField(
                label=material.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
                help_text=material.acceptance_standard,
            )
            field.material = material
            field.needed = material.necessity == Necessity.REQUIRED
            self.fields[material_field(material.pk)] = field

    @property
    def material_fields(self):
        return [self[material_field(m.pk)] for m in self.materials]

    def clean(self):
        cleaned = super().clean()
        names = [material_field(m.pk) for m in self.materials]
        self.upload_types = self.check_files(names)
        for material in self.materials:
            name = material_field(material.pk)
            has_file = cleaned.get(name) or material.pk in self.staged
            if material.necessity == Necessity.REQUIRED and not has_file and name not in self.errors:
                self.add_error(name, _("请上传此项必要材料。"))
        return cleaned

    def fresh_uploads(self) -> dict[int, tuple]:
        """material id → (uploaded file, sniffed content type) for the files sent with this request."""
        uploads = {}
        for material in self.materials:
            name = material_field(material.pk)
            upload = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if upload and name in self.upload_types and name not in self.errors:
                uploads[material.pk] = (upload, self.upload_types[name])
        return uploads


class SupplementForm(UploadChecksMixin, forms.Form):
    """The applicant's reply to a one-time notice: a file for every material it names."""

    note = forms.CharField(
        label=_("补正说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如有需要说明的情况，请在此填写。"),
    )

    def __init__(self, *args, owed, **kwargs):
        super().__init__(*args, **kwargs)
        self.owed = owed  # CaseMaterial rows the notice asked for
        for row in owed:
            self.fields[material_field(row.material_id)] = forms.FileField(
                label=row.material.name,
                required=True,
                widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
                help_text=row.note,
                error_messages={"required": _("请上传补正后的材料。")},
            )

    @property
    def material_fields(self):
        return [self[material_field(row.material_id)] for row in self.owed]

    def clean(self):
        cleaned = super().clean()
        self.upload_types = self.check_files([material_field(row.material_id) for row in self.owed])
        return cleaned


class ProgressForm(forms.Form):
    number = forms.CharField(label=_("办件编号"), max_length=48)
    id_number = forms.CharField(
        label=_("申请人证件号码"),
        max_length=30,
        help_text=_("公民身份号码或统一社会信用代码"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
