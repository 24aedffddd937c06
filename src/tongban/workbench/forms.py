"""Staff forms: identify the applicant, take in an application at the window, act on a case."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tongban.cases.choices import ApplicantKind, MaterialStatus, State, SuspensionReason
from tongban.catalog.choices import Necessity
from tongban.core.forms import ItemFormMixin
from tongban.portal.forms import BundleRegionsMixin, DecisionChoicesMixin, licence_label

# At a window the applicant may refuse 秒批 too (个人信息保护法 art. 24): the clerk ticks it for them.
AT_WINDOW_OPT_OUT = _("“%s”实行“秒批”：受理后系统按公开的审批规则自动决定。申请人不接受的，勾选后由承办部门人工审核。")

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


class WindowMaterialsMixin:
    """Materials checked one by one at the window (``m<key>``): received, missing, faulty, or deferred
    (容缺) with a due date; what needs fixing; and a licence of the applicant's called up instead of
    the paper (一证通办). ``key`` is a material id, or a material type in a bundle."""

    def add_window_material(self, key, *, label: str, deferrable: bool, licences=()) -> None:
        self.material_keys = [*getattr(self, "material_keys", []), key]
        if licences:
            self.fields[f"m{key}_licence"] = forms.ChoiceField(
                label=_("调用电子证照"),
                choices=[*((lic.identifier, licence_label(lic)) for lic in licences), ("", _("不调用，核对纸质材料"))],
                initial=licences[0].identifier,
                required=False,
            )
        choices = [*MATERIAL_CHOICES, (DEFERRED, _("容缺后补"))] if deferrable else MATERIAL_CHOICES
        self.fields[f"m{key}"] = forms.ChoiceField(label=label, choices=choices, initial=RECEIVED)
        self.fields[f"m{key}_note"] = forms.CharField(label=_("需补正的内容"), required=False, max_length=300)
        if deferrable:
            self.fields[f"m{key}_due"] = forms.DateField(
                label=_("补交期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def material_fields(self, key) -> dict:
        """The bound fields of one material, for the page: status, note, and due date and licence if any."""
        optional = {part: f"m{key}_{part}" for part in ("due", "licence")}
        return {
            "status": self[f"m{key}"],
            "note": self[f"m{key}_note"],
            **{part: self[name] if name in self.fields else None for part, name in optional.items()},
        }

    def licence_of(self, key) -> str:
        """The identifier of the licence called up in place of the material, if any."""
        return self.cleaned_data.get(f"m{key}_licence") or ""

    def status_of(self, key) -> str:
        return RECEIVED if self.licence_of(key) else self.cleaned_data.get(f"m{key}")

    def intake_status(self, key) -> str:
        """What the intake records: only received or missing (deferral is decided at acceptance)."""
        return MaterialStatus.PROVIDED if self.status_of(key) in {RECEIVED, DEFERRED} else MaterialStatus.MISSING

    def has_problem(self, key) -> bool:
        return self.status_of(key) in {MISSING, FAULTY}

    def check_deferrals(self) -> None:
        for key in self.material_keys:
            if self.status_of(key) == DEFERRED and not self.cleaned_data.get(f"m{key}_due"):
                self.add_error(f"m{key}_due", _("容缺受理须约定补交期限。"))

    def deferred(self, pairs) -> list[dict]:
        """The deferrals, by material id; ``pairs``: (key, material id) of the case's materials."""
        return [
            {"material": material_id, "due_date": self.cleaned_data[f"m{key}_due"].isoformat()}
            for key, material_id in pairs
            if self.status_of(key) == DEFERRED
        ]

    def problems(self, pairs) -> list[dict]:
        """The one-time notice's list, by material id; ``pairs`` as for ``deferred``."""
        problems = []
        for key, material_id in pairs:
            if self.has_problem(key):
                missing = self.status_of(key) == MISSING
                note = self.cleaned_data.get(f"m{key}_note", "").strip()
                default = _("未提交该材料") if missing else _("材料不符合受理标准")
                problems.append(
                    {
                        "material": material_id,
                        "status": MaterialStatus.MISSING if missing else MaterialStatus.FAULTY,
                        "problem": note or str(default),
                    }
                )
        return problems


class ReviewPointsMixin:
    """The review points (审查要点) the clerk ticks (``p<id>``); the required ones before acceptance."""

    def add_review_points(self, points) -> None:
        for point in points:
            self.fields[f"p{point.pk}"] = forms.BooleanField(label=point.question, required=False)

    def point_fields(self, points) -> list:
        return [(point, self[f"p{point.pk}"]) for point in points]

    def check_required_points(self, points) -> None:
        for point in points:
            if point.required and not self.cleaned_data.get(f"p{point.pk}"):
                self.add_error(f"p{point.pk}", _("必查项须核对通过后才能受理。"))

    def acceptance_reason(self, points) -> str:
        done = sum(1 for p in points if self.cleaned_data.get(f"p{p.pk}"))
        return _("审查要点已逐项核对（%(done)d/%(all)d）。") % {"done": done, "all": len(points)}


class IntakeForm(ItemFormMixin, WindowMaterialsMixin, ReviewPointsMixin, DecisionChoicesMixin, forms.Form):
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
        for m in materials:
            self.add_window_material(
                m.pk,
                label=m.name,
                deferrable=m.necessity == Necessity.DEFERRABLE,
                licences=(offers or {}).get(m.pk, ()),
            )
        self.add_review_points(review_points)
        self.offer_human_decision([item], AT_WINDOW_OPT_OUT)

    def review_point_rows(self) -> list:
        return self.point_fields(self.review_points)

    @property
    def material_pairs(self) -> list[tuple[int, int]]:
        return [(m.pk, m.pk) for m in self.materials]

    def material_rows(self) -> list[dict]:
        return [
            {
                "label": m.name,
                "necessity": m.necessity,
                "necessity_display": m.get_necessity_display(),
                "notes": [self.paper_note(m), m.acceptance_standard],
                **self.material_fields(m.pk),
            }
            for m in self.materials
        ]

    @staticmethod
    def paper_note(material) -> str:
        """What the window receives: the form, the copies, and whether the original is checked."""
        note = f"{material.get_form_display()} {material.copies} {_('份')}"
        return f"{note} · {_('核验原件')}" if material.original_checked else note

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if not decision:
            raise forms.ValidationError(_("请选择受理、一次性告知或不予受理。"))
        if decision in {"accept", "immediate"}:
            self.check_required_points(self.review_points)
            self.check_deferrals()
        if decision == "notice" and not any(self.has_problem(m.pk) for m in self.materials):
            raise forms.ValidationError(_("一次性告知须至少有一项缺少或不符合要求的材料。"))
        if decision == "refuse" and not cleaned.get("refusal_reason", "").strip():
            self.add_error("refusal_reason", _("不予受理须说明法定理由。"))
        return cleaned


class WindowBundleForm(
    ItemFormMixin, WindowMaterialsMixin, ReviewPointsMixin, BundleRegionsMixin, DecisionChoicesMixin, forms.Form
):
    """一件事 at the window: the merged form, each merged material checked once, the review points of
    the items that start now; then every item is accepted, or those with problems get the notice."""

    submission_key = forms.RegexField(KEY_PATTERN, widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        choices=[(key, DECISIONS[key]) for key in ("accept", "notice")], widget=forms.HiddenInput, required=False
    )

    def __init__(self, *args, requirements, regions, offers, initial_values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        self.add_region_fields(requirements, regions)
        self.add_definition_fields(requirements.fields, initial_values)
        self.merged = {m["material_type"]: m for m in requirements.materials}
        for key, material in self.merged.items():
            self.add_window_material(
                key,
                label=material["name"],
                deferrable=material["necessity"] == Necessity.DEFERRABLE,
                licences=offers.get(key, ()),
            )
        self.points = {member.item.code: self._review_points_of(member) for member in self.starting}
        self.add_review_points(p for points in self.points.values() for p in points)
        self.offer_human_decision([m.item for m in requirements.members], AT_WINDOW_OPT_OUT)

    @property
    def starting(self) -> list:
        """The members taken in now; the others wait for another member's approval (前置事项)."""
        return [m for m in self.requirements.members if not m.waits_for]

    @staticmethod
    def _review_points_of(member) -> list:
        sub = member.sub_item.pk if member.sub_item else None
        return [p for p in member.item.review_points.all() if p.sub_item_id in (None, sub)]

    def points_of(self, member) -> list:
        """The review points of a member that starts now (read once per form)."""
        return self.points[member.item.code]

    @staticmethod
    def pairs_of(member) -> list[tuple[str, int]]:
        return [(m.material_type.code, m.pk) for m in member.materials]

    def member_has_problem(self, member) -> bool:
        return any(self.has_problem(key) for key, _id in self.pairs_of(member))

    def material_rows(self) -> list[dict]:
        labels = dict(Necessity.choices)
        return [
            {
                "label": material["name"],
                "necessity": material["necessity"],
                "necessity_display": labels.get(material["necessity"], ""),
                "notes": [_("用于：%s") % self.requirements.used_by(material)],
                **self.material_fields(key),
            }
            for key, material in self.merged.items()
        ]

    def member_points(self) -> list[tuple]:
        return [(member, self.point_fields(self.points_of(member))) for member in self.starting]

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if not decision:
            raise forms.ValidationError(_("请选择全部受理或一次性告知。"))
        problems = [key for key in self.material_keys if self.has_problem(key)]
        later = [m.item.name for m in self.requirements.members if m.waits_for and self.member_has_problem(m)]
        if later:  # a waiting item cannot be sent a notice now, and must not start with a known gap
            raise forms.ValidationError(
                _("“%s”须待前置事项准予后才启动，现在无法对其告知补正：请申请人补齐其材料后再受理。") % "、".join(later)
            )
        if decision == "accept" and problems:
            raise forms.ValidationError(_("有材料缺少或不符合要求，不能全部受理；请一次性告知补正。"))
        if decision == "notice" and not problems:
            raise forms.ValidationError(_("一次性告知须至少有一项缺少或不符合要求的材料。"))
        for member in self.starting:  # accepted now: its required points are checked first
            if not self.member_has_problem(member):
                self.check_required_points(self.points_of(member))
        self.check_deferrals()
        return cleaned


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
