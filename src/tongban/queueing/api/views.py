import random

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from tongban.core.errors import InvalidInput, NotFound
from tongban.directory.models import ServicePoint
from tongban.queueing import services
from tongban.queueing.access import check_hall_oversight, may_see_tickets
from tongban.queueing.api.serializers import (
    ArriveSerializer,
    CheckInSerializer,
    OpenWindowSerializer,
    PlanParams,
    PlanRequest,
    RecommendationRequest,
    TicketCreateSerializer,
    TicketListParams,
    TicketSerializer,
    TransferSerializer,
)
from tongban.queueing.demand import learned_demand
from tongban.queueing.display import board
from tongban.queueing.models import Ticket
from tongban.queueing.planner import CHECK_SIMULATION_MINUTES, GroupDemand, Plan, plan_hall
from tongban.queueing.recommendation import recommend


class TicketViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """取号与叫号：现场取号、预约到场取号；窗口叫下一位、重呼、开始办理、办结、过号、转窗口。"""

    permission_classes = [IsAuthenticated]
    serializer_class = TicketSerializer
    queryset = Ticket.objects.select_related("service_point", "window", "staff", "booking")
    filter_backends = []
    lookup_value_regex = r"\d+"

    @extend_schema(parameters=[TicketListParams], responses={200: TicketSerializer(many=True)})
    def list(self, request):
        """某网点某日的全部号（本网点工作人员、大厅管理员与监管人员可查）。"""
        params = TicketListParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        point = services.service_point(params.validated_data["service_point"])
        if not may_see_tickets(request.user, point):
            raise NotFound(_("号码不存在。"), code="ticket_not_found")
        day = params.validated_data.get("day") or timezone.localdate()
        tickets = self.get_queryset().filter(service_point=point, day=day).order_by("sequence")
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(TicketSerializer(page, many=True).data)

    def get_object(self):
        ticket = super().get_object()
        if not (ticket.applicant_id and ticket.applicant.user_id == self.request.user.pk) and not may_see_tickets(
            self.request.user, ticket.service_point
        ):
            raise NotFound(_("号码不存在。"), code="ticket_not_found")
        return ticket

    def _answer(self, ticket, code=status.HTTP_200_OK):
        return Response(TicketSerializer(ticket).data, status=code)

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketSerializer})
    def create(self, request):
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        ticket = services.issue_ticket(
            by=request.user,
            point_code=data["service_point"],
            item_code=data["item"],
            bundle_code=data["bundle"],
            region_code=data["region"],
            referral_token=data["referral"],
        )
        return self._answer(ticket, status.HTTP_201_CREATED)

    @extend_schema(request=CheckInSerializer, responses={201: TicketSerializer})
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request):
        payload = CheckInSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._answer(services.check_in(payload.validated_data["booking"], by=request.user), 201)

    @extend_schema(request=ArriveSerializer, responses={201: TicketSerializer})
    @action(detail=False, methods=["post"])
    def arrive(self, request):
        """取号机凭码取号（本网点工作人员或取号机账号）：现在去办的取号码、预约号，或预约人的证件号码。"""
        payload = ArriveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        point = services.service_point(payload.validated_data["service_point"])
        return self._answer(services.arrive_at(point, payload.validated_data["code"], by=request.user), 201)

    @extend_schema(request=OpenWindowSerializer, responses={204: None})
    @action(detail=False, methods=["post"], url_path="open-window")
    def open_window(self, request):
        payload = OpenWindowSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.open_window(by=request.user, window_id=payload.validated_data["window"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="close-window")
    def close_window(self, request):
        services.close_window(by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={200: TicketSerializer, 204: None})
    @action(detail=False, methods=["post"], url_path="call-next")
    def call_next(self, request):
        ticket = services.call_next(by=request.user)
        return self._answer(ticket) if ticket else Response(status=status.HTTP_204_NO_CONTENT)

    def _step(self, request, pk, step, **kwargs):
        return self._answer(step(int(pk), by=request.user, **kwargs))

    @extend_schema(request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        return self._step(request, pk, services.recall)

    @extend_schema(request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._step(request, pk, services.start)

    @extend_schema(request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        return self._step(request, pk, services.finish)

    @extend_schema(request=None, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk=None):
        return self._step(request, pk, services.no_show)

    @extend_schema(request=TransferSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        payload = TransferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._step(request, pk, services.transfer, to_window_id=payload.validated_data["window"])


class QueueViewSet(viewsets.ViewSet):
    """大厅排队概况（公开）：正在叫的号、等候人数。"""

    lookup_field = "code"

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def retrieve(self, request, code=None):
        current = board(services.service_point(code))
        return Response(
            {
                "service_point": current.point.code,
                "name": current.point.name,
                "waiting": current.waiting_count,
                "served_today": current.served_today,
                "called": [
                    {"number": t.number, "window": t.window.number if t.window else None, "status": t.status}
                    for t in current.called
                ],
                "next": [t.number for t in current.waiting],
                "updated_at": current.updated_at,
            }
        )


class RecommendationThrottle(UserRateThrottle):
    """Every recommendation counts in flight at its hall, so a flood from one client (per account, else
    per address) would skew the next person's prediction: at most ``RECOMMENDATION_RATE``."""

    scope = "recommendations"

    def get_rate(self) -> str:
        return settings.RECOMMENDATION_RATE


class RecommendationViewSet(viewsets.ViewSet):
    """推荐大厅：可办理的网点按“路程 + 到达后的预计等候”排序并说明理由；推荐项在最好的几个中选出，
    另计其办理给后来者增加的等候（不是本人最快的选择时，理由会说明）。只列出今天来得及办理的网点。

    采纳的推荐计入在途人数，故同一用户（或地址）每分钟请求次数有限；市民或企业本人账号再次请求时，取代其上一次的
    在途推荐，凭 referral（取号码）在取号机取的号即为本人的号。
    """

    throttle_classes = [RecommendationThrottle]

    @extend_schema(request=RecommendationRequest, responses={201: OpenApiTypes.OBJECT})
    def create(self, request):
        payload = RecommendationRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        seed = request.query_params.get("seed")
        result = recommend(
            region_code=data["region"],
            lat=data["lat"],
            lng=data["lng"],
            item_code=data["item"],
            bundle_code=data["bundle"],
            rng=random.Random(int(seed)) if seed and seed.isdigit() else None,
            by=request.user,
        )
        options = [
            {
                "service_point": o.hall.code,
                "name": o.hall.name,
                "distance_km": round(o.distance_km, 2),
                "travel_minutes": round(o.travel_minutes, 1),
                "wait_minutes": round(o.wait_minutes, 1),
                "opens_in_minutes": round(o.opens_in, 1),
                "total_minutes": round(o.total_minutes, 1),
                "delay_to_others_minutes": round(o.others_minutes, 1),
                "open_windows": o.hall.windows,
                "waiting": o.hall.waiting,
                "reason": o.reason,
            }
            for o in result.options
        ]
        chosen = result.chosen
        return Response(
            {
                "recommended": chosen.hall.code if chosen else None,
                "reason": result.reason,
                "referral": result.referral.token if result.referral else None,
                "options": options,
            },
            status=status.HTTP_201_CREATED,
        )


def plan_body(point: ServicePoint, plan: Plan, days: int | None) -> dict:
    def staffing(s):
        return {
            "windows": s.windows,
            "mean_wait_minutes": _rounded(s.mean_wait),
            "share_within": round(s.share_within, 4),
            "simulated_mean_wait_minutes": _rounded(s.simulated_wait),
            "simulated_share_within": None if s.simulated_share is None else round(s.simulated_share, 4),
        }

    return {
        "service_point": point.code,
        "target_share": plan.target_share,
        "within_minutes": plan.within,
        "learned_from_days": days,
        "groups": [
            {
                "group": g.group,
                "label": g.label,
                "service_minutes": round(g.service_minutes, 2),
                "cv": round(g.cv, 2),
                "source": g.source,
                "per_hour": {str(h): round(r, 2) for h, r in sorted(g.per_hour.items())},
            }
            for g in plan.groups
        ],
        "hours": [
            {
                "hour": h.hour,
                "arrivals": round(h.arrivals, 2),
                "dedicated": staffing(h.dedicated),
                "dedicated_by_group": h.dedicated_by_group,
                "pooled": staffing(h.pooled),
            }
            for h in plan.hours
        ],
        "notes": plan.notes,
    }


def _rounded(value):
    if value is None:
        return None
    return round(value, 2) if value != float("inf") else None


class StaffingPlanViewSet(viewsets.ViewSet):
    """排班测算：为达到服务水平（如 80% 在 10 分钟内叫号）每小时需要的专窗数与综窗数，及各自的等候。"""

    permission_classes = [IsAuthenticated]

    def _plan(self, request, data, groups=None):
        point = services.service_point(data["service_point"])
        check_hall_oversight(request.user, point)
        days = None
        if groups is None:
            groups, days = learned_demand(point)
        if not groups:
            raise InvalidInput(_("该大厅近期没有取号记录，请录入各组到达量和办理时长。"), code="no_demand")
        try:
            plan = plan_hall(
                groups,
                target_share=data["target_share"],
                within=data["within"],
                simulate_minutes=CHECK_SIMULATION_MINUTES if data["simulate"] else 0.0,
            )
        except ValueError:
            raise InvalidInput(_("到达量超出任何可行的窗口配置，请核对数据。"), code="demand_too_high") from None
        return Response(plan_body(point, plan, days))

    @extend_schema(parameters=[PlanParams], responses={200: OpenApiTypes.OBJECT})
    def list(self, request):
        params = PlanParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        return self._plan(request, params.validated_data)

    @extend_schema(request=PlanRequest, responses={200: OpenApiTypes.OBJECT})
    def create(self, request):
        payload = PlanRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        groups = None
        if data.get("groups"):
            groups = []
            for g in data["groups"]:
                try:
                    per_hour = {int(h): rate for h, rate in g["per_hour"].items()}
                except ValueError:
                    raise InvalidInput(_("到达量的小时须为 0–23 的整数。"), code="invalid_hour") from None
                if any(not 0 <= h <= 23 for h in per_hour):
                    raise InvalidInput(_("到达量的小时须为 0–23 的整数。"), code="invalid_hour")
                groups.append(
                    GroupDemand(g["group"], g["label"] or g["group"], per_hour, g["service_minutes"], g["cv"])
                )
        return self._plan(request, data, groups)
