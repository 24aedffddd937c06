from rest_framework import serializers

from tongban.queueing.models import Ticket
from tongban.queueing.planner import DEFAULT_TARGET_SHARE, DEFAULT_WITHIN_MINUTES

CODE = r"^[0-9A-Za-z]{12}$"
REGION = r"^\d{6}(\d{3}){0,2}$"


class TicketCreateSerializer(serializers.Serializer):
    service_point = serializers.CharField(max_length=64)
    item = serializers.RegexField(CODE, required=False, default="", help_text="事项编码（与 bundle 二选一）")
    bundle = serializers.CharField(
        max_length=32, required=False, default="", help_text="一件事编码：一张号同时办理其同时开始的各事项"
    )
    region = serializers.RegexField(
        REGION, required=False, default="", help_text="申请人所属辖区（可选，填写则核验可办性）"
    )
    referral = serializers.CharField(max_length=32, required=False, default="", allow_blank=True, help_text="推荐令牌")


class TicketListParams(serializers.Serializer):
    service_point = serializers.CharField(max_length=64)
    day = serializers.DateField(required=False, help_text="默认今天")


class CheckInSerializer(serializers.Serializer):
    booking = serializers.CharField(max_length=24, help_text="预约号")


class ArriveSerializer(serializers.Serializer):
    service_point = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=40, help_text="现在去办的取号码、预约号或预约人的证件号码")


class OpenWindowSerializer(serializers.Serializer):
    window = serializers.IntegerField()


class TransferSerializer(serializers.Serializer):
    window = serializers.IntegerField(help_text="转至的窗口 ID")


class TicketSerializer(serializers.ModelSerializer):
    service_point = serializers.CharField(source="service_point.code", read_only=True)
    window_number = serializers.CharField(source="window.number", read_only=True, default=None)
    staff = serializers.CharField(source="staff.get_username", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    booking = serializers.CharField(source="booking.number", read_only=True, default=None)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "service_point",
            "kind",
            "item_code",
            "item_name",
            "along_with",
            "bundle_code",
            "service_group",
            "status",
            "status_display",
            "booking",
            "due_at",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
            "window",
            "window_number",
            "staff",
            "recalls",
            "wait_seconds",
            "service_seconds",
        ]


class RecommendationRequest(serializers.Serializer):
    item = serializers.RegexField(CODE, required=False, default="")
    bundle = serializers.CharField(max_length=32, required=False, default="")
    region = serializers.RegexField(REGION, help_text="申请人所属辖区的区划代码")
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class PlanParams(serializers.Serializer):
    service_point = serializers.CharField(max_length=64)
    target_share = serializers.FloatField(min_value=0.05, max_value=0.99, default=DEFAULT_TARGET_SHARE)
    within = serializers.FloatField(min_value=0.5, max_value=240, default=DEFAULT_WITHIN_MINUTES, help_text="分钟")
    simulate = serializers.BooleanField(default=True)


class GroupDemandInput(serializers.Serializer):
    group = serializers.CharField(max_length=32)
    label = serializers.CharField(max_length=50, required=False, default="")
    per_hour = serializers.DictField(child=serializers.FloatField(min_value=0), help_text='{"9": 12.5, "10": 20}')
    service_minutes = serializers.FloatField(min_value=0.5, max_value=480)
    cv = serializers.FloatField(min_value=0, max_value=5, default=1.0)


class PlanRequest(PlanParams):
    groups = GroupDemandInput(many=True, required=False, help_text="录入的到达量与办理时长；不填则按取号记录学习")
