"""Portal forms: the online application built from an item's form definition, the reply to a
one-time notice, and the progress look-up."""

import uuid
from dataclasses import dataclass

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


def material_field(key) -> str:
    return f"material_{key}"


def licence_field(key) -> str:
    return f"licence_{key}"


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


def licence_label(licence) -> str:
    """How a licence offered in place of a material reads: type, number and how long it is valid."""
    until = _("长期有效") if licence.valid_until is None else _("有效期至 %s") % licence.valid_until.isoformat()
    return f"{licence.license_type.name}（{licence.number}，{until}）"


@dataclass
class MaterialRow:
    """One material as the applicant answers it: a file, or one of their own licences in its place."""

    key: object
    name: str
    necessity: str
    necessity_display: str
    file: object  # BoundField
    licence: object | None  # BoundField of the licence choice, when the applicant holds one that fits
    kept: object | None  # StagedFile kept from an earlier try


class MaterialAnswersMixin(UploadChecksMixin):
    """File fields (``material_<key>``) and, where the applicant holds a fitting licence, a choice
    (``licence_<key>``) to give it instead (一证通办). ``key`` is a material id or a material type."""

    def add_material(self, key, *, label: str, necessity: str, help_text: str = "", licences=()) -> None:
        self.material_keys = [*getattr(self, "material_keys", []), key]
        self.necessities = {**getattr(self, "necessities", {}), key: necessity}
        field = forms.FileField(
            label=label,
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": FILE_ACCEPT}),
            help_text=help_text,
        )
        field.needed = necessity == Necessity.REQUIRED
        self.fields[material_field(key)] = field
        if licences:
            choices = [(lic.identifier, _("使用电子证照：%s") % licence_label(lic)) for lic in licences]
            self.fields[licence_field(key)] = forms.ChoiceField(
                label=_("电子证照代替“%s”") % label,
                choices=[*choices, ("", _("不使用电子证照，上传文件"))],
                initial=licences[0].identifier,
                required=False,
                widget=forms.RadioSelect,
            )

    def material_rows(self) -> list[MaterialRow]:
        labels = dict(Necessity.choices)
        return [
            MaterialRow(
                key=key,
                name=self.fields[material_field(key)].label,
                necessity=self.necessities[key],
                necessity_display=labels.get(self.necessities[key], ""),
                file=self[material_field(key)],
                licence=self[licence_field(key)] if licence_field(key) in self.fields else None,
                kept=self.staged.get(key),
            )
            for key in self.material_keys
        ]

    def chosen_licence(self, key) -> str:
        return self.cleaned_data.get(licence_field(key)) or ""

    def check_materials(self, *, waived: bool = False) -> None:
        """Files checked by content; a required material needs a file or a licence unless ``waived``
        (告知承诺: the signed commitment stands in for what is not sent)."""
        self.upload_types = self.check_files([material_field(key) for key in self.material_keys])
        for key in self.material_keys:
            name = material_field(key)
            if self.data.get(licence_field(key)) and licence_field(key) not in self.fields:
                self.add_error(name, _("您选择的电子证照已不可用（已过期、已撤销或不属于您），请上传该材料。"))
            given = self.cleaned_data.get(name) or key in self.staged or self.chosen_licence(key)
            if self.necessities[key] == Necessity.REQUIRED and not given and not waived and name not in self.errors:
                message = _("请上传此项必要材料或选择电子证照。") if licence_field(key) in self.fields else None
                self.add_error(name, message or _("请上传此项必要材料。"))

    def fresh_uploads(self) -> dict:
        """key → (uploaded file, sniffed content type) for the files sent with this request and used."""
        uploads = {}
        for key in self.material_keys:
            name = material_field(key)
            upload = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            checked = upload and name in getattr(self, "upload_types", {}) and name not in self.errors
            if checked and not self.chosen_licence(key):
                uploads[key] = (upload, self.upload_types[name])
        return uploads


class DecisionChoicesMixin:
    """秒批 opt-out and 告知承诺 signature, offered when the item has rules or allows commitment."""

    def add_decision_choices(self, item) -> None:
        if item.approval_rules.all():
            self.add_human_decision(
                _(
                    "本事项实行“秒批”：系统按公开的审批规则读取您的申请表和电子证照，条件全部满足即自动准予。"
                    "勾选后由工作人员人工审核。"
                )
            )
        if item.allows_commitment and item.commitment_text:
            self.fields["commitment"] = forms.BooleanField(
                label=_("签署告知承诺书"),
                required=False,
                help_text=_("签署后当场准予，未提交的材料以承诺代替，由部门在 %d 个工作日内事后核查。")
                % item.post_check_days,
            )

    def offer_human_decision(self, items, help_text: str) -> None:
        """The 秒批 opt-out when any of ``items`` has rules; ``help_text`` names those (``%s``)."""
        ruled = [item.name for item in items if item.approval_rules.all()]
        if ruled:
            self.add_human_decision(help_text % "、".join(ruled))

    def add_human_decision(self, help_text: str) -> None:
        self.fields["human_decision"] = forms.BooleanField(
            label=_("不接受系统自动审批，要求人工审核（个人信息保护法第二十四条）"), required=False, help_text=help_text
        )

    def decision_choice(self, name: str) -> bool:
        return bool(self.cleaned_data.get(name)) if name in self.fields else False


class ApplicationForm(ItemFormMixin, MaterialAnswersMixin, DecisionChoicesMixin, forms.Form):
    submission_key = forms.RegexField(KEY_PATTERN, widget=forms.HiddenInput)
    region = forms.ChoiceField(label=_("办理地（实施部门）"))

    def __init__(self, *args, item, implementations, materials, staged, offers=None, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.materials, self.staged = item, materials, staged
        self.fields["region"].choices = [("", _("请选择"))] + [
            (i.department.region.code, f"{i.department.region.name} · {i.department.name}") for i in implementations
        ]
        if len(implementations) == 1:
            self.fields["region"].initial = implementations[0].department.region.code
        self.add_item_fields(item, initial_values)
        offers = offers or {}
        for material in materials:
            self.add_material(
                material.pk,
                label=material.name,
                necessity=material.necessity,
                help_text=material.acceptance_standard,
                licences=offers.get(material.pk, ()),
            )
        self.add_decision_choices(item)

    def clean(self):
        cleaned = super().clean()
        self.check_materials(waived=self.decision_choice("commitment"))
        return cleaned


class BundleRegionsMixin:
    """Where a bundle is done: one jurisdiction for all (``region``) and, for 多地联办, another one for a
    single member (``item_region_<code>``). ``regions``: item code → the regions that may be chosen."""

    def add_region_fields(self, requirements, regions: dict[str, list]) -> None:
        places = self.region_choices(regions)
        self.fields["region"] = forms.ChoiceField(
            label=_("办理地（承办辖区）"), choices=[("", _("请选择"))] + [(r.code, r.name) for r in places]
        )
        if len(places) == 1:
            self.fields["region"].initial = places[0].code
        for member in requirements.members:
            self.fields[self.item_region_field(member)] = forms.ChoiceField(
                label=member.item.name,
                required=False,
                choices=[("", _("与办理地相同"))] + [(r.code, r.name) for r in regions[member.item.code]],
            )

    @staticmethod
    def region_choices(regions: dict[str, list]) -> list:
        """Where every member can be done; else anywhere one can (the others then need a region of their own)."""
        every = [{r.code: r for r in found} for found in regions.values()]
        union = {code: region for found in every for code, region in found.items()}
        common = set.intersection(*(set(found) for found in every)) if every else set()
        return [union[code] for code in sorted(common or union)]

    @staticmethod
    def item_region_field(member) -> str:
        return f"item_region_{member.item.code}"

    @property
    def item_region_fields(self):
        return [self[self.item_region_field(m)] for m in self.requirements.members]

    def item_regions(self) -> dict[str, str]:
        """Members done in another jurisdiction than the chosen one (多地联办)."""
        region = self.cleaned_data.get("region")
        chosen = {m.item.code: self.cleaned_data.get(self.item_region_field(m)) for m in self.requirements.members}
        return {code: value for code, value in chosen.items() if value and value != region}


class BundleApplicationForm(ItemFormMixin, MaterialAnswersMixin, BundleRegionsMixin, DecisionChoicesMixin, forms.Form):
    """一件事: the merged form (多表合一) and one answer per material type, for every member at once."""

    submission_key = forms.RegexField(KEY_PATTERN, widget=forms.HiddenInput)

    def __init__(self, *args, requirements, regions, staged, offers, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements, self.staged = requirements, staged
        self.add_region_fields(requirements, regions)
        self.add_definition_fields(requirements.fields, initial_values)
        for material in requirements.materials:
            self.add_material(
                material["material_type"],
                label=material["name"],
                necessity=material["necessity"],
                help_text=_("用于：%s") % requirements.used_by(material),
                licences=offers.get(material["material_type"], ()),
            )
        self.offer_human_decision(
            [m.item for m in requirements.members],
            _(
                "“%s”实行“秒批”：所列事项开始办理时，系统按公开的审批规则读取您的申请表和电子证照，条件全部满足即"
                "自动准予。勾选后由工作人员人工审核。"
            ),
        )

    def clean(self):
        cleaned = super().clean()
        self.check_materials()
        return cleaned


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
