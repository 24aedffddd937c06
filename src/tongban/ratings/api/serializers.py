from rest_framework import serializers

from tongban.ratings.models import Rating


class RatingCreateSerializer(serializers.Serializer):
    case = serializers.CharField(max_length=48, required=False, default="", help_text="办件编号（评价办件时填写）")
    ticket = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="取号 ID（评价窗口服务时填写）"
    )
    level = serializers.IntegerField(help_text="5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意")
    comment = serializers.CharField(required=False, default="", allow_blank=True, help_text="不满意、非常不满意时必填")


class FollowUpCloseSerializer(serializers.Serializer):
    callback_note = serializers.CharField(allow_blank=True, help_text="回访情况")
    fix_note = serializers.CharField(allow_blank=True, help_text="整改措施")


class RatingSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number", read_only=True, default=None)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    service_point = serializers.CharField(source="service_point.code", read_only=True, default=None)
    department = serializers.CharField(source="department.name", read_only=True, default=None)
    window = serializers.CharField(source="window.number", read_only=True, default=None)
    follow_up = serializers.SerializerMethodField()

    class Meta:
        model = Rating
        fields = [
            "id",
            "case",
            "ticket",
            "level",
            "level_display",
            "comment",
            "channel",
            "item_code",
            "item_name",
            "department",
            "service_point",
            "window",
            "rated_at",
            "follow_up",
        ]

    def get_follow_up(self, rating) -> dict | None:
        follow_up = getattr(rating, "follow_up", None)
        if follow_up is None:
            return None
        return {
            "status": follow_up.status,
            "due_on": follow_up.due_on,
            "closed_at": follow_up.closed_at,
            "callback_note": follow_up.callback_note,
            "fix_note": follow_up.fix_note,
        }
