from django.utils.translation import gettext as _
from rest_framework import serializers

from tongban.appointments.models import Booking
from tongban.cases.api.serializers import ApplicantInput

CODE = r"^[0-9A-Za-z]{12}$"
REGION = r"^\d{6}(\d{3}){0,2}$"


class ItemOrBundle(serializers.Serializer):
    item = serializers.RegexField(CODE, required=False, default="", help_text="事项编码（12 位）；与 bundle 二选一")
    bundle = serializers.CharField(
        max_length=32, required=False, default="", help_text="一件事编码：一次到场办理其中可同时办理的各事项"
    )

    def validate(self, data):
        if bool(data["item"]) == bool(data["bundle"]):
            raise serializers.ValidationError({"item": [_("请指定一个事项或一件事（二选一）。")]})
        return data


class AvailabilityParams(ItemOrBundle):
    service_point = serializers.CharField(max_length=64, help_text="网点编码")
    region = serializers.RegexField(REGION, help_text="申请人所属辖区的区划代码（决定承办部门和可办网点）")
    day = serializers.DateField(help_text="日期 YYYY-MM-DD")


class SlotSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.IntegerField(help_text="尚可预约的名额")


class BookingCreateSerializer(ItemOrBundle):
    region = serializers.RegexField(REGION, help_text="申请人所属辖区的区划代码（决定承办部门和可办网点）")
    service_point = serializers.CharField(max_length=64)
    starts_at = serializers.DateTimeField()
    applicant = ApplicantInput(required=False, help_text="窗口人员或代办员代为预约时填写；本人预约不填")


class RescheduleSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    service_point = serializers.CharField(max_length=64, required=False, default="", allow_blank=True)


class BookingSerializer(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.name", read_only=True)
    applicant_id = serializers.CharField(source="applicant.masked_id", read_only=True)
    service_point = serializers.CharField(source="service_point.code", read_only=True)
    service_point_name = serializers.CharField(source="service_point.name", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    rescheduled_to = serializers.CharField(source="rescheduled_to.number", read_only=True, default=None)

    class Meta:
        model = Booking
        fields = [
            "number",
            "applicant",
            "applicant_id",
            "item_code",
            "item_name",
            "bundle_code",
            "region_code",
            "department",
            "service_point",
            "service_point_name",
            "starts_at",
            "ends_at",
            "status",
            "status_display",
            "rescheduled_to",
            "created_at",
            "cancelled_at",
        ]
