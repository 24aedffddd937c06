from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongban.appointments import services
from tongban.appointments.api.serializers import (
    AvailabilityParams,
    BookingCreateSerializer,
    BookingSerializer,
    RescheduleSerializer,
    SlotSerializer,
)
from tongban.appointments.models import Booking
from tongban.cases.permissions import actor_of
from tongban.cases.services import applicant_for
from tongban.core.errors import Forbidden
from tongban.directory.roles import Role


class AvailabilityViewSet(viewsets.ViewSet):
    """可预约时段：某网点某日某事项尚有名额的时段（按开放时间、开放预约的窗口和节假日计算）；
    网点不能为申请人所属区划办理该事项时（通办范围、负面清单、授权）返回 403 ``point_not_eligible``。"""

    @extend_schema(parameters=[AvailabilityParams], responses={200: SlotSerializer(many=True)})
    def list(self, request):
        params = AvailabilityParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        point = services.service_point(data["service_point"])
        visit = services.visit_of(item_code=data["item"], bundle_code=data["bundle"])
        services.check_eligible(point, visit, data["region"])
        slots = services.availability(point, visit.item, data["day"], along_with=visit.along_with)
        return Response(SlotSerializer(slots, many=True).data)


class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """预约：本人查看自己的预约；窗口人员、代办员查看本网点的预约。取消的时段延迟后才重新开放。"""

    permission_classes = [IsAuthenticated]
    serializer_class = BookingSerializer
    lookup_field = "number"
    filter_backends = []

    def get_queryset(self):
        bookings = Booking.objects.select_related("applicant", "service_point", "department", "rescheduled_to")
        user = self.request.user
        if user.is_superuser:
            return bookings.order_by("-starts_at")
        actor = actor_of(user)
        visible = Q(applicant__user=user)
        if actor.service_point is not None and actor.roles & (services.BOOKING_AGENT_ROLES | {Role.HALL_ADMIN}):
            visible |= Q(service_point=actor.service_point)
        if Role.SUPERVISOR in actor.roles:
            visible = Q()
        return bookings.filter(visible).order_by("-starts_at")

    @extend_schema(request=BookingCreateSerializer, responses={201: BookingSerializer})
    def create(self, request):
        payload = BookingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if "applicant" in data:
            applicant = applicant_for(request.user, **data["applicant"])
        else:
            applicant = getattr(request.user, "applicant", None)
            if applicant is None:
                raise Forbidden(_("请先完成实名认证，或由窗口人员代为预约。"), code="applicant_unknown")
        booking = services.book(
            by=request.user,
            applicant=applicant,
            item_code=data["item"],
            bundle_code=data["bundle"],
            region_code=data["region"],
            point_code=data["service_point"],
            starts_at=data["starts_at"],
        )
        return Response(self.get_serializer(booking).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        booking = services.cancel(self.get_object(), by=request.user)
        return Response(self.get_serializer(booking).data)

    @extend_schema(request=RescheduleSerializer, responses={200: BookingSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, number=None):
        payload = RescheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        booking = services.reschedule(
            self.get_object(),
            by=request.user,
            starts_at=payload.validated_data["starts_at"],
            point_code=payload.validated_data["service_point"],
        )
        return Response(self.get_serializer(booking).data)
