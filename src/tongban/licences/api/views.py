from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from tongban.catalog.services import item_in_force
from tongban.core.errors import InvalidInput
from tongban.licences import services
from tongban.licences.api.serializers import (
    LicenceLookupParams,
    LicenceOfferParams,
    LicenceOfferSerializer,
    LicenceRevokeSerializer,
    LicenceSerializer,
)
from tongban.licences.documents import render_licence


class LicenceViewSet(viewsets.GenericViewSet):
    """电子证照库：按持证主体查询（须说明用途，留痕）、查看、下载、撤销。"""

    permission_classes = [IsAuthenticated]
    serializer_class = LicenceSerializer
    lookup_field = "identifier"
    lookup_value_regex = r"[0-9A-Z.]+"
    filter_backends = []
    pagination_class = None

    @extend_schema(parameters=[LicenceLookupParams], responses={200: LicenceSerializer(many=True)})
    def list(self, request):
        """持证主体当前可用的证照（有效、未撤销、未过期）。"""
        params = LicenceLookupParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        types = [t for t in data.get("types", "").split(",") if t] or None
        found = services.usable_licences(data["holder"], by=request.user, purpose=data["purpose"], types=types)
        return Response(LicenceSerializer(found, many=True).data)

    @extend_schema(parameters=[LicenceOfferParams], responses={200: LicenceOfferSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def offers(self, request):
        """一证通办：该事项的各项材料中，持证主体可用哪些电子证照替代（查询留痕）。"""
        params = LicenceOfferParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        item = item_in_force(data["item"].upper())
        sub_item = next((s for s in item.sub_items.all() if s.name == data.get("sub_item")), None)
        if data.get("sub_item") and sub_item is None:
            raise InvalidInput(_("该事项没有业务办理项“%s”。") % data["sub_item"], code="invalid_sub_item")
        found = services.offers_for(
            item, data["holder"], by=request.user, purpose=data["purpose"], sub_item_id=sub_item and sub_item.pk
        )
        return Response(LicenceOfferSerializer(found, many=True).data)

    @extend_schema(responses={200: LicenceSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def mine(self, request):
        """当前登录的持证人本人的全部证照（含已撤销、已过期）。"""
        return Response(LicenceSerializer(services.own_licences(request.user), many=True).data)

    def retrieve(self, request, identifier=None):
        return Response(LicenceSerializer(services.licence_for(identifier, by=request.user)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request, identifier=None):
        licence = services.licence_for(identifier, by=request.user)
        response = HttpResponse(render_licence(licence), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{licence.license_type.code}-{licence.number}.pdf"'
        return response

    @extend_schema(request=LicenceRevokeSerializer, responses={200: LicenceSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, identifier=None):
        payload = LicenceRevokeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        licence = services.revoke_licence(identifier, by=request.user, reason=payload.validated_data["reason"])
        return Response(LicenceSerializer(licence).data)
