from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongban.core.errors import InvalidInput, NotFound
from tongban.ratings import services
from tongban.ratings.api.serializers import FollowUpCloseSerializer, RatingCreateSerializer, RatingSerializer
from tongban.ratings.models import FollowUp, Rating


class RatingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """好差评：申请人评价本人已办结的办件或窗口服务（五级，差评须写明原因并限期回访整改）。

    申请人看到本人的评价；大厅管理员、部门管理员看到评价其网点或部门的（不含评价人），监管人员看到全部。
    """

    permission_classes = [IsAuthenticated]
    serializer_class = RatingSerializer
    filter_backends = []

    def get_queryset(self):
        user = self.request.user
        related = ("case", "service_point", "department", "window", "follow_up")
        overseen = services.ratings_for(user).values("pk")
        return Rating.objects.select_related(*related).filter(Q(applicant__user=user) | Q(pk__in=overseen))

    @extend_schema(request=RatingCreateSerializer, responses={201: RatingSerializer})
    def create(self, request):
        payload = RatingCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if bool(data["case"]) == (data["ticket"] is not None):
            raise InvalidInput(_("请指定要评价的一个办件或一次取号。"), code="case_or_ticket_required")
        if data["case"]:
            rating = services.rate_case(data["case"], by=request.user, level=data["level"], comment=data["comment"])
        else:
            rating = services.rate_ticket(data["ticket"], by=request.user, level=data["level"], comment=data["comment"])
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpCloseSerializer, responses={200: RatingSerializer})
    @action(detail=True, methods=["post"], url_path="close-follow-up")
    def close_follow_up(self, request, pk=None):
        """差评回访整改完毕：被评价的大厅或承办部门填写回访情况和整改措施。"""
        payload = FollowUpCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        follow_up = FollowUp.objects.filter(rating=self.get_object()).first()
        if follow_up is None:
            raise NotFound(_("该评价不是差评，无需回访整改。"), code="follow_up_not_found")
        services.close_follow_up(follow_up, by=request.user, **payload.validated_data)
        return Response(RatingSerializer(self.get_queryset().get(pk=pk)).data)
