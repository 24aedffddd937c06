import hashlib
import json

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongban.cases import grants, services
from tongban.cases.api.serializers import (
    AttachmentSerializer,
    AttachmentUpload,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseEventSerializer,
    CaseMaterialSerializer,
    CaseSerializer,
    GrantSerializer,
    RevealSerializer,
    RevokeSerializer,
    TransitionSerializer,
    post_check_data,
)
from tongban.cases.choices import PostCheckStatus, State
from tongban.cases.documents import render_document
from tongban.cases.models import FAILED_STATES, Case, Grant
from tongban.cases.permissions import actor_of
from tongban.core.api.validation import validated_data
from tongban.directory.roles import Role
from tongban.directory.services import manageable_service_points
from tongban.licences.api.serializers import LicenceSerializer

CASE_RELATED = ("item", "sub_item", "department__region", "applicant", "service_point", "bundle_case", "result_licence")
CASE_DETAIL_PREFETCH = ("materials__material", "materials__licence", "notices", "messages")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=_("同一键与同一请求体只创建一个办件；同一键配不同请求体返回 409。"),
)


class CaseListParams(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    department = serializers.IntegerField(required=False)
    service_point = serializers.CharField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    post_check = serializers.ChoiceField(
        choices=PostCheckStatus.choices, required=False, help_text="告知承诺事后核查状态"
    )


def fingerprint(data) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """办件：受理、流转与查询。列表只含当前用户有权查看的办件。"""

    permission_classes = [IsAuthenticated]
    lookup_field = "number"
    filter_backends = []

    def get_queryset(self):
        queryset = services.visible_cases(self.request.user).select_related(*CASE_RELATED)
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(*CASE_DETAIL_PREFETCH)
        return queryset.order_by("-submitted_at", "-id")

    def detail_of(self, case) -> dict:
        """The case as the detail view shows it, after a change the user has just been allowed to make."""
        fresh = Case.objects.select_related(*CASE_RELATED).prefetch_related(*CASE_DETAIL_PREFETCH).get(pk=case.pk)
        return CaseDetailSerializer(fresh, context=self.get_serializer_context()).data

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    @extend_schema(parameters=[CaseListParams])
    def list(self, request, *args, **kwargs):
        params = CaseListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        criteria = params.validated_data
        queryset = self.get_queryset()
        if "state" in criteria:
            queryset = queryset.filter(state=criteria["state"])
        if "department" in criteria:
            queryset = queryset.filter(department_id=criteria["department"])
        if "service_point" in criteria:
            queryset = queryset.filter(service_point__code=criteria["service_point"])
        if "post_check" in criteria:
            queryset = queryset.filter(post_check__status=criteria["post_check"])
        if criteria.get("overdue") is not None:
            overdue = Q(deadline__lt=timezone.localdate(), completed_at__isnull=True) & ~Q(state__in=FAILED_STATES)
            queryset = queryset.filter(overdue) if criteria["overdue"] else queryset.exclude(overdue)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseDetailSerializer}, parameters=[IDEMPOTENCY_HEADER])
    def create(self, request, *args, **kwargs):
        data = validated_data(CaseCreateSerializer, request.data)
        applicant = services.applicant_for(request.user, **data["applicant"])
        submission = {
            "item_code": data["item"].upper(),
            "region_code": data["region"],
            "applicant": applicant,
            "channel": data["channel"],
            "sub_item": data["sub_item"],
            "form_data": data["form_data"],
            "materials": [
                services.MaterialInput(m["material"], m["status"], m["note"], m["licence"]) for m in data["materials"]
            ],
            "commitment": data["commitment"],
            "human_decision": data["human_decision"],
        }
        key = request.headers.get("Idempotency-Key", "").strip()
        if key:
            case, created = services.submit_once(
                by=request.user, key=key[:100], fingerprint=fingerprint(request.data), **submission
            )
        else:
            case, created = services.submit_case(by=request.user, **submission), True
        if created:  # everything the detail shows was loaded or written by the intake itself
            body = CaseSerializer(case, context=self.get_serializer_context()).data
            body["materials"] = CaseMaterialSerializer(case.intake_materials, many=True).data
            body["notices"], body["messages"] = [], []
            body["post_check"] = post_check_data(getattr(case, "new_post_check", None))
            return Response(body, status=status.HTTP_201_CREATED)
        return Response(self.detail_of(case))

    @extend_schema(request=TransitionSerializer, responses={200: CaseDetailSerializer})
    @action(detail=True, methods=["post"])
    def transitions(self, request, number=None):
        case = self.get_object()
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.transition(case, by=request.user, **payload.validated_data)
        return Response(self.detail_of(case))

    @extend_schema(request={"multipart/form-data": AttachmentUpload}, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser])
    def attachments(self, request, number=None):
        case = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(case.attachments.select_related("material"), many=True).data)
        payload = AttachmentUpload(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.attach_file(
            case, by=request.user, material_id=payload.validated_data["material"], upload=payload.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevealSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="applicant-id")
    def applicant_id(self, request, number=None):
        """完整证件号码：仅限需要的角色，须说明用途，每次查看都留痕。"""
        case = self.get_object()
        payload = RevealSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        full = services.reveal_id_number(
            case.applicant, by=request.user, purpose=payload.validated_data["purpose"], case=case
        )
        return Response({"id_number": full})

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<kind>[a-z_]+)\.pdf")
    def documents(self, request, number=None, kind=None):
        """受理承诺单 (acceptance_slip)、一次性告知单 (one_time_notice)、不予受理通知书 (refusal_notice)。"""
        case = self.get_object()
        pdf = render_document(case, kind, base_url=request.build_absolute_uri("/").rstrip("/"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{case.number}-{kind}.pdf"'
        return response

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def licences(self, request, number=None):
        """办件的电子证照：作为材料使用的、签发的，以及申请人可用于替代材料的（以办件编号留痕）。"""
        found = services.case_licences(self.get_object(), by=request.user)
        return Response(
            {
                "used": LicenceSerializer(found["used"], many=True).data,
                "issued": LicenceSerializer(found["issued"]).data if found["issued"] else None,
                "usable": LicenceSerializer(found["usable"], many=True).data,
            }
        )

    @extend_schema(responses={200: CaseEventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def events(self, request, number=None):
        case = self.get_object()
        events = case.events.select_related("actor", "service_point")
        return Response(CaseEventSerializer(events, many=True).data)


class GrantViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """授权信任：部门授予服务网点代为收件受理、一次性告知、原件核验、结果送达的权限；撤销立即生效。"""

    permission_classes = [IsAuthenticated]
    serializer_class = GrantSerializer
    filter_backends = []

    def get_queryset(self):
        grants_ = Grant.objects.select_related("department", "service_point").order_by("-created_at")
        user = self.request.user
        if user.is_superuser:
            return grants_
        actor = actor_of(user)
        if Role.SUPERVISOR in actor.roles:
            return grants_
        visible = Q(pk__in=[])
        if actor.department is not None:
            visible |= Q(department=actor.department)
        if Role.HALL_ADMIN in actor.roles:
            visible |= Q(service_point__in=manageable_service_points(user))
        elif actor.service_point is not None:
            visible |= Q(service_point=actor.service_point)
        return grants_.filter(visible)

    def perform_create(self, serializer):
        serializer.instance = grants.create_grant(by=self.request.user, **serializer.validated_data)

    @extend_schema(request=RevokeSerializer, responses={200: GrantSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        payload = RevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        grant = grants.revoke_grant(self.get_object(), by=request.user, reason=payload.validated_data["reason"])
        return Response(GrantSerializer(grant).data)
