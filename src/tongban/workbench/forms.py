"""Staff forms: identify the applicant, take in an application at the window, act on a case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.cases.choices import ApplicantKind, MaterialStatus, State, SuspensionReason
from tongban.catalog.choices import Necessity
from tongban.core.forms import ItemFormMixin
from tongban.portal.forms import licence_label

KEY_PATTERN = r"^[0-9a-f]{32}$"


class ApplicantForm(forms.Form):
    kind = forms.ChoiceField(label=_("申请人类别"), choices=ApplicantKind.choices, initial=ApplicantKind.PERSON)
    id_number = forms.CharField(
        label=_("证件号码"),
        max_length=30,
        help_text=_("公民身份号码、港澳台居民居住证号码或统一社会信用代码；可用读卡器或扫码枪录入"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    name = forms.CharField(label=_("姓名或名称"), max_length=200)
    phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)


# A material at the window: what the clerk found (intake statuses plus deferral for 容缺 items).
RECEIVED, MISSING, FAULTY, DEFERRED = "received", "missing", "faulty", "deferred"
MATERIAL_CHOICES = [(RECEIVED, _("已收取")), (MISSING, _("缺少")), (FAULTY, _("不符合要求"))]
DECISIONS = {
    "accept": _("受理"),
    "notice": _("一次性告知"),
    "refuse": _("不予受理"),
    "immediate": _("当场办结"),
}


class IntakeForm(ItemFormMixin, forms.Form):
    """The application as the clerk fills it in: form, materials checked one by one, review points ticked."""

    submission_key = forms.RegexField(KEY_PATTERN, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=list(DECISIONS.items()), widget=forms.HiddenInput, required=False)
    refusal_reason = forms.CharField(
        label=_("不予受理的理由及法律依据"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, item, materials, review_points, offers=None, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_item_fields(item, initial_values)
        self.materials, self.review_points = materials, review_points
        for material_id, licences in (offers or {}).items():  # 一证通办: the applicant's licence instead of paper
            self.fields[f"m{material_id}_licence"] = forms.ChoiceField(
                label=_("调用电子证照"),
                choices=[*((lic.identifier, licence_label(lic)) for lic in licences), ("", _("不调用，核对纸质材料"))],
                initial=licences[0].identifier,
                required=False,
            )
        for m in materials:
            choices = list(MATERIAL_CHOICES)
            if m.necessity == Necessity.DEFERRABLE:
                choices.append((DEFERRED, _("容缺后补")))
            self.fields[f"m{m.pk}"] = forms.ChoiceField(
                label=m.name, choices=choices, initial=RECEIVED, widget=forms.Select
            )
            self.fields[f"m{m.pk}_note"] = forms.CharField(label=_("需补正的内容"), required=False, max_length=300)
            if m.necessity == Necessity.DEFERRABLE:
                self.fields[f"m{m.pk}_due"] = forms.DateField(
                    label=_("补交期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
        for point in review_points:
            self.fields[f"p{point.pk}"] = forms.BooleanField(label=point.question, required=False)

    def material_rows(self):
        return [
            {
                "material": m,
                "status": self[f"m{m.pk}"],
                "note": self[f"m{m.pk}_note"],
                "due": self[f"m{m.pk}_due"] if f"m{m.pk}_due" in self.fields else None,
                "licence": self[f"m{m.pk}_licence"] if f"m{m.pk}_licence" in self.fields else None,
            }
            for m in self.materials
        ]

    def point_fields(self):
        return [(point, self[f"p{point.pk}"]) for point in self.review_points]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if not decision:
            raise forms.ValidationError(_("请选择受理、一次性告知或不予受理。"))
        if decision in {"accept", "immediate"}:
            for point in self.review_points:
                if point.required and not cleaned.get(f"p{point.pk}"):
                    self.add_error(f"p{point.pk}", _("必查项须核对通过后才能受理。"))
            for m in self.materials:
                if self.status_of(m) == DEFERRED and not cleaned.get(f"m{m.pk}_due"):
                    self.add_error(f"m{m.pk}_due", _("容缺受理须约定补交期限。"))
        if decision == "notice" and not any(self.status_of(m) in {MISSING, FAULTY} for m in self.materials):
            raise forms.ValidationError(_("一次性告知须至少有一项缺少或不符合要求的材料。"))
        if decision == "refuse" and not cleaned.get("refusal_reason", "").strip():
            self.add_error("refusal_reason", _("不予受理须说明法定理由。"))
        return cleaned

    def licence_of(self, material) -> str:
        """The identifier of the licence called up in place of the material, if any."""
        return self.cleaned_data.get(f"m{material.pk}_licence") or ""

    def status_of(self, material) -> str:
        return RECEIVED if self.licence_of(material) else self.cleaned_data.get(f"m{material.pk}")

    def intake_status(self, material) -> str:
        """What ``submit_case`` records: only received or missing (deferral is decided at acceptance)."""
        return MaterialStatus.PROVIDED if self.status_of(material) in {RECEIVED, DEFERRED} else MaterialStatus.MISSING

    def deferred(self) -> list[dict]:
        return [
            {"material": m.pk, "due_date": self.cleaned_data[f"m{m.pk}_due"].isoformat()}
            for m in self.materials
            if self.status_of(m) == DEFERRED
        ]

    def problems(self) -> list[dict]:
        problems = []
        for m in self.materials:
            status = self.status_of(m)
            if status in {MISSING, FAULTY}:
                note = self.cleaned_data.get(f"m{m.pk}_note", "").strip()
                default = _("未提交该材料") if status == MISSING else _("材料不符合受理标准")
                problems.append(
                    {
                        "material": m.pk,
                        "status": MaterialStatus.MISSING if status == MISSING else MaterialStatus.FAULTY,
                        "problem": note or str(default),
                    }
                )
        return problems

    def checked_points(self) -> int:
        return sum(1 for p in self.review_points if self.cleaned_data.get(f"p{p.pk}"))


class CaseActionForm(forms.Form):
    """One action on an existing case; ``expected_state`` is the state the page showed."""

    action = forms.CharField(widget=forms.HiddenInput)
    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("理由"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    reason_code = forms.ChoiceField(
        label=_("中止事由（行政许可法第四十五条）"),
        choices=[("", _("请选择")), *SuspensionReason.choices],
        required=False,
    )
    days = forms.IntegerField(label=_("延长工作日数"), min_value=1, max_value=10, required=False)
    opinion = forms.CharField(
        label=_("审查意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    method = forms.ChoiceField(
        label=_("送达方式"),
        choices=[("window", _("窗口领取")), ("post", _("邮寄送达")), ("online", _("网上送达"))],
        required=False,
    )


NOTICE_CHOICES = [("", _("无问题")), (MaterialStatus.MISSING, _("缺少")), (MaterialStatus.FAULTY, _("不符合要求"))]


class NoticeForm(forms.Form):
    """一次性告知 from the back office: the status and the reason for each material that needs fixing."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"m{row.material_id}"] = forms.ChoiceField(
                label=row.material.name,
                choices=NOTICE_CHOICES,
                required=False,
            )
            self.fields[f"m{row.material_id}_note"] = forms.CharField(
                label=_("需补正的内容"), required=False, max_length=300
            )

    def material_rows(self):
        return [(row, self[f"m{row.material_id}"], self[f"m{row.material_id}_note"]) for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        for row in self.rows:
            if cleaned.get(f"m{row.material_id}") and not cleaned.get(f"m{row.material_id}_note", "").strip():
                self.add_error(f"m{row.material_id}_note", _("请写明需补正的内容及原因。"))
        if not any(cleaned.get(f"m{row.material_id}") for row in self.rows) and not self.errors:
            raise forms.ValidationError(_("请至少标出一项需要补正的材料。"))
        return cleaned

    def problems(self) -> list[dict]:
        return [
            {
                "material": row.material_id,
                "status": self.cleaned_data[f"m{row.material_id}"],
                "problem": self.cleaned_data[f"m{row.material_id}_note"].strip(),
            }
            for row in self.rows
            if self.cleaned_data.get(f"m{row.material_id}")
        ]


POST_CHECK_VERDICTS = [("passed", _("核查属实")), ("failed", _("核查不实（撤销许可）"))]


class PostCheckForm(forms.Form):
    """告知承诺事后核查: the verdict and what was found (required when the commitment proved untrue)."""

    expected_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("核查结论"),
        choices=POST_CHECK_VERDICTS,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择核查结论（属实或不实）。")},
    )
    reason = forms.CharField(
        label=_("核查情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("核查不实的，须写明核查情况和撤销依据；许可及其电子证照将被撤销，并通知申请人。"),
    )


class LicenceLookupForm(forms.Form):
    """Calling up the applicant's licences at the window: the purpose is recorded with the look-up."""

    purpose = forms.CharField(label=_("调取用途"), max_length=200)
