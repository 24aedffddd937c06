from django.utils import timezone
from rest_framework import serializers

from tongban.cases.choices import ApplicantKind, Channel, HandlingMode, MaterialStatus, Right, State
from tongban.cases.models import Case, CaseAttachment, CaseEvent, CaseMaterial, CaseNotice, Grant, PostCheck
from tongban.cases.services import RULES, masked_form
from tongban.directory.models import Department, ServicePoint

TRANSITION_ACTIONS = list(RULES)


_DATETIME, _DATE = serializers.DateTimeField(), serializers.DateField()


def _datetime(value):
    return None if value is None else _DATETIME.to_representation(value)


def _date(value):
    return None if value is None else _DATE.to_representation(value)


def _label(choices, value: str) -> str:
    """``get_FOO_display()`` without rebuilding the field's whole choice map on every call."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class ApplicantInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    id_number = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class MaterialInputSerializer(serializers.Serializer):
    material = serializers.IntegerField()
    status = serializers.ChoiceField(
        choices=[MaterialStatus.PROVIDED, MaterialStatus.MISSING], default=MaterialStatus.PROVIDED
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    licence = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text="以电子证照替代该材料：证照标识"
    )


class CaseCreateSerializer(serializers.Serializer):
    item = serializers.RegexField(r"^[0-9A-Za-z]{12}$", help_text="事项编码（12 位）")
    region = serializers.RegexField(r"^\d{6}(\d{3}){0,2}$", help_text="承办辖区的区划代码（决定实施部门）")
    sub_item = serializers.CharField(max_length=100, required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=Channel.choices)
    applicant = ApplicantInput()
    form_data = serializers.DictField(required=False, default=dict)
    materials = MaterialInputSerializer(many=True, required=False, default=list)
    commitment = serializers.BooleanField(default=False, help_text="签署告知承诺书（仅限实行告知承诺制的事项）")
    human_decision = serializers.BooleanField(default=False, help_text="不接受系统自动决定，要求人工审批")


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(a.value, a.label) for a in TRANSITION_ACTIONS])
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    data = serializers.DictField(required=False, default=dict)


class CaseMaterialSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="material.name", read_only=True)
    necessity = serializers.CharField(source="material.necessity", read_only=True)

    class Meta:
        model = CaseMaterial
        fields = ["material", "name", "necessity", "status", "due_date", "note", "licence"]

    def to_representation(self, row: CaseMaterial) -> dict:
        # Built directly: DRF would construct every field again for each of a case's materials.
        return {
            "material": row.material_id,
            "name": row.material.name,
            "necessity": row.material.necessity,
            "status": row.status,
            "due_date": _date(row.due_date),
            "note": row.note,
            "licence": row.licence.identifier if row.licence_id else None,
        }


class AttachmentSerializer(serializers.ModelSerializer):
    material = serializers.IntegerField(source="material.material_id", read_only=True)

    class Meta:
        model = CaseAttachment
        fields = ["id", "material", "original_name", "content_type", "size", "sha256", "uploaded_at"]


class AttachmentUpload(serializers.Serializer):
    material = serializers.IntegerField(help_text="事项材料编号（见办件详情 materials[].material）")
    file = serializers.FileField(help_text="PDF、JPEG、PNG 或 OFD，按内容识别类型")


class CaseNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseNotice
        fields = ["problems", "new_facts", "issued_at"]


class CaseSerializer(serializers.ModelSerializer):
    item = serializers.SerializerMethodField()
    sub_item = serializers.CharField(source="sub_item.name", default=None, read_only=True)
    department = serializers.SerializerMethodField()
    applicant = serializers.SerializerMethodField()
    service_point = serializers.SerializerMethodField()
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    handling_mode_display = serializers.CharField(source="get_handling_mode_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "item",
            "sub_item",
            "department",
            "applicant",
            "channel",
            "handling_mode",
            "handling_mode_display",
            "state",
            "state_display",
            "service_point",
            "submitted_at",
            "accepted_at",
            "deadline",
            "deadline_unscheduled",
            "overdue",
            "decided_at",
            "visits",
            "originals_to_send",
            "deemed_accepted_at",
            "form_data",
            "bundle_case",
            "waits_for",
            "result_licence",
            "auto_decision",
            "human_decision_requested",
            "commitment_signed_at",
        ]

    def to_representation(self, case: Case) -> dict:
        """The declared fields, built directly: cases are listed and returned on every intake (busy paths)."""
        return {
            "number": case.number,
            "item": self.get_item(case),
            "sub_item": case.sub_item.name if case.sub_item_id else None,
            "department": self.get_department(case),
            "applicant": self.get_applicant(case),
            "channel": case.channel,
            "handling_mode": case.handling_mode,
            "handling_mode_display": _label(HandlingMode, case.handling_mode),
            "state": case.state,
            "state_display": _label(State, case.state),
            "service_point": self.get_service_point(case),
            "submitted_at": _datetime(case.submitted_at),
            "accepted_at": _datetime(case.accepted_at),
            "deadline": _date(case.deadline),
            "deadline_unscheduled": case.deadline_unscheduled,
            "overdue": self.get_overdue(case),
            "decided_at": _datetime(case.decided_at),
            "visits": case.visits,
            "originals_to_send": case.originals_to_send,
            "deemed_accepted_at": _datetime(case.deemed_accepted_at),
            "form_data": masked_form(case),
            "bundle_case": case.bundle_case.number if case.bundle_case_id else None,
            "waits_for": case.waits_for,
            "result_licence": case.result_licence.identifier if case.result_licence_id else None,
            "auto_decision": case.auto_decision,
            "human_decision_requested": case.human_decision_requested,
            "commitment_signed_at": _datetime(case.commitment_signed_at),
        }

    def get_item(self, case) -> dict:
        return {"code": case.item.code, "version": case.item.version, "name": case.item.name}

    def get_department(self, case) -> dict:
        return {"id": case.department_id, "name": case.department.name, "region": case.department.region.code}

    def get_applicant(self, case) -> dict:
        # Masked everywhere; the full number is only given by the audited reveal service.
        return {"kind": case.applicant.kind, "name": case.applicant.name, "id_number": case.applicant.masked_id}

    def get_service_point(self, case) -> dict | None:
        point = case.service_point
        return {"code": point.code, "name": point.name} if point else None

    def get_overdue(self, case) -> bool:
        return case.is_overdue(self.context.get("today") or timezone.localdate())


def post_check_data(check: PostCheck | None) -> dict | None:
    return {"due_date": _date(check.due_date), "status": check.status, "finding": check.finding} if check else None


class CaseDetailSerializer(CaseSerializer):
    materials = CaseMaterialSerializer(many=True, read_only=True)
    notices = CaseNoticeSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "materials", "notices", "post_check", "messages"]

    def to_representation(self, case: Case) -> dict:
        check = PostCheck.objects.filter(case=case).first()
        return {
            **super().to_representation(case),
            "materials": CaseMaterialSerializer(case.materials.all(), many=True).data,
            "notices": CaseNoticeSerializer(case.notices.all(), many=True).data,
            "post_check": post_check_data(check),
            "messages": [{"text": m.text, "sent_at": _datetime(m.sent_at)} for m in case.messages.all()],
        }


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    service_point = serializers.CharField(source="service_point.name", default=None, read_only=True)

    class Meta:
        model = CaseEvent
        fields = [
            "at",
            "action",
            "action_display",
            "from_state",
            "to_state",
            "actor",
            "actor_role",
            "service_point",
            "grant",
            "reason",
            "data",
        ]

    def get_actor(self, event) -> str:
        if event.actor is None:
            return "系统"
        return event.actor.get_full_name() or event.actor.get_username()


class GrantSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    service_point = serializers.SlugRelatedField(slug_field="code", queryset=ServicePoint.objects.all())
    rights = serializers.ListField(child=serializers.ChoiceField(choices=Right.choices), allow_empty=False)
    active = serializers.SerializerMethodField()

    class Meta:
        model = Grant
        fields = [
            "id",
            "department",
            "service_point",
            "item_code",
            "rights",
            "valid_from",
            "valid_until",
            "revoked_at",
            "revoke_reason",
            "active",
        ]
        read_only_fields = ["revoked_at", "revoke_reason"]

    def get_active(self, grant) -> bool:
        now = timezone.now()
        return (
            grant.revoked_at is None
            and grant.valid_from <= now
            and (grant.valid_until is None or grant.valid_until > now)
        )


class RevealSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=200, help_text="查看完整证件号码的用途（留痕）")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)
