"""一件事 over the API: merged requirements, one intake for several items, shared uploads; 秒批 preview."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from tongban.cases import services
from tongban.cases.api.serializers import ApplicantInput, AttachmentSerializer
from tongban.cases.automation import preview_rules
from tongban.cases.bundles import BundleMaterialInput, attach_bundle_file, submit_bundle, submit_bundle_once
from tongban.cases.choices import Channel, MaterialStatus
from tongban.cases.models import BundleCase, Case

from .views import CASE_RELATED, IDEMPOTENCY_HEADER, fingerprint


class BundleMaterialSerializer(serializers.Serializer):
    material_type = serializers.CharField(max_length=32, help_text="材料类型编码（合并材料清单中的 material_type）")
    status = serializers.ChoiceField(
        choices=[MaterialStatus.PROVIDED, MaterialStatus.MISSING], default=MaterialStatus.PROVIDED
    )
    licence = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class BundleCaseCreateSerializer(serializers.Serializer):
    bundle = serializers.CharField(max_length=32, help_text="一件事编码")
    region = serializers.RegexField(r"^\d{6}(\d{3}){0,2}$", help_text="办理地（承办辖区）区划代码")
    item_regions = serializers.DictField(
        child=serializers.RegexField(r"^\d{6}(\d{3}){0,2}$"),
        required=False,
        default=dict,
        help_text="个别事项在其他辖区办理：事项编码 → 区划代码（多地联办）",
    )
    sub_items = serializers.DictField(child=serializers.CharField(), required=False, default=dict)
    channel = serializers.ChoiceField(choices=Channel.choices)
    applicant = ApplicantInput()
    form_data = serializers.DictField(required=False, default=dict)
    materials = BundleMaterialSerializer(many=True, required=False, default=list)
    human_decision = serializers.BooleanField(
        default=False, help_text="不接受系统自动决定（秒批），各事项均由人工审批（个人信息保护法第二十四条）"
    )


class BundleCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = BundleCase
        fields = ["number", "state", "handling_mode", "channel", "submitted_at", "completed_at", "form_data"]

    def to_representation(self, parent: BundleCase) -> dict:
        children = getattr(parent, "new_children", None) or list(parent.children.all())
        return {
            "number": parent.number,
            "bundle": {"code": parent.bundle.code, "name": parent.bundle.name},
            "applicant": {
                "kind": parent.applicant.kind,
                "name": parent.applicant.name,
                "id_number": parent.applicant.masked_id,
            },
            "state": parent.state,
            "state_display": parent.get_state_display(),
            "handling_mode": parent.handling_mode,
            "handling_mode_display": parent.get_handling_mode_display(),
            "channel": parent.channel,
            "submitted_at": serializers.DateTimeField().to_representation(parent.submitted_at),
            "completed_at": parent.completed_at and serializers.DateTimeField().to_representation(parent.completed_at),
            "children": [self._child(c) for c in children],
        }

    @staticmethod
    def _child(case: Case) -> dict:
        # Why the child is where it is: the reason given by the latest change into its state.
        reason = next((e.reason for e in reversed(case.events.all()) if e.to_state == case.state and e.reason), "")
        return {
            "number": case.number,
            "item": {"code": case.item.code, "name": case.item.name},
            "department": {"name": case.department.name, "region": case.department.region.code},
            "state": case.state,
            "state_display": case.get_state_display(),
            "waits_for": case.waits_for,
            "reason": reason,
            "deadline": case.deadline and case.deadline.isoformat(),
        }


class BundleAttachmentUpload(serializers.Serializer):
    material_type = serializers.CharField(max_length=32)
    file = serializers.FileField(help_text="PDF、JPEG、PNG 或 OFD；上传一次，所有需要该材料的子办件共用")


class BundleCaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """一件事办件：一次申请，一张表单、一套材料，各事项由各自的承办部门办理（可跨辖区）。"""

    permission_classes = [IsAuthenticated]
    lookup_field = "number"
    filter_backends = []
    serializer_class = BundleCaseSerializer

    def get_queryset(self):
        visible = services.visible_cases(self.request.user).values("bundle_case_id")
        return self._with_children(BundleCase.objects.filter(pk__in=visible)).order_by("-submitted_at", "-id")

    @staticmethod
    def _with_children(bundles):
        children = Case.objects.select_related(*CASE_RELATED).prefetch_related("events").order_by("pk")
        return bundles.select_related("bundle", "applicant").prefetch_related(Prefetch("children", queryset=children))

    @extend_schema(
        request=BundleCaseCreateSerializer, responses={201: BundleCaseSerializer}, parameters=[IDEMPOTENCY_HEADER]
    )
    def create(self, request):
        payload = BundleCaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        submission = {
            "bundle_code": data["bundle"],
            "region_code": data["region"],
            "applicant": services.applicant_for(request.user, **data["applicant"]),
            "channel": data["channel"],
            "form_data": data["form_data"],
            "materials": [BundleMaterialInput(**m) for m in data["materials"]],
            "item_regions": {code.upper(): region for code, region in data["item_regions"].items()},
            "sub_items": {code.upper(): name for code, name in data["sub_items"].items()},
            "human_decision": data["human_decision"],
        }
        key = request.headers.get("Idempotency-Key", "").strip()[:100]
        if key:
            parent, created = submit_bundle_once(
                by=request.user, key=key, fingerprint=fingerprint(request.data), **submission
            )
        else:
            parent, created = submit_bundle(by=request.user, **submission), True
        # Read back whole, not through get_queryset(): a clerk filing online may not see online children.
        body = self.get_serializer(self._with_children(BundleCase.objects.filter(pk=parent.pk)).get()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request={"multipart/form-data": BundleAttachmentUpload}, responses={201: AttachmentSerializer(many=True)}
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def attachments(self, request, number=None):
        parent = self.get_object()
        payload = BundleAttachmentUpload(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = attach_bundle_file(
            parent.number,
            by=request.user,
            material_type=payload.validated_data["material_type"],
            upload=payload.validated_data["file"],
        )
        return Response(AttachmentSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


class HypotheticalLicence(serializers.Serializer):
    type = serializers.CharField(max_length=32)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    data = serializers.DictField(required=False, default=dict)


class RulePreviewSerializer(serializers.Serializer):
    applicant = ApplicantInput()
    form_data = serializers.DictField(required=False, default=dict)
    licences = HypotheticalLicence(many=True, required=False, default=list, help_text="假设申请人持有的证照")
    use_library = serializers.BooleanField(default=False, help_text="改为读取电子证照库中该申请人的真实证照（留痕）")


class RulePreviewView(APIView):
    """秒批规则预览：对假设的申请人、表单和证照，各条规则的结果及读取的数据。不创建办件。"""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RulePreviewSerializer, responses={200: OpenApiTypes.OBJECT})
    def post(self, request, code: str):
        payload = RulePreviewSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        explanation = preview_rules(
            code.upper(),
            by=request.user,
            applicant=data["applicant"],
            form_data=data["form_data"],
            licences=None if data["use_library"] else data["licences"],
        )
        return Response(explanation.as_data())
