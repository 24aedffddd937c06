"""Ratings are read-only; a bad rating's follow-up is closed here by the hall or department it names."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from tongban.core.admin import ReadOnlyAdmin
from tongban.core.errors import ServiceError
from tongban.ratings import services
from tongban.ratings.choices import FollowUpStatus
from tongban.ratings.models import FollowUp, Rating


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["rated_at", "level", "item_name", "service_point", "department", "staff", "channel"]
    list_filter = ["level", "channel"]
    search_fields = ["item_name", "item_code", "comment"]
    date_hierarchy = "rated_at"
    exclude = ["applicant", "rated_by", "case", "ticket"]  # who rated is not shown to the rated

    def get_queryset(self, request):
        return services.ratings_for(request.user).select_related("staff")


class FollowUpForm(forms.ModelForm):
    callback_note = forms.CharField(label=gettext_lazy("回访情况"), widget=forms.Textarea(attrs={"rows": 3}))
    fix_note = forms.CharField(label=gettext_lazy("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = FollowUp
        fields = ["callback_note", "fix_note"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            services.check_close(self.instance, by=self.current_user, **data)
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """差评回访整改: the open ones first, by deadline; saving records the call-back and the fix."""

    form = FollowUpForm
    list_display = ["rating", "level", "responsible", "rated_at", "due_on", "status", "overdue"]
    list_filter = ["status", "rating__level"]
    search_fields = ["rating__item_name", "rating__comment"]
    list_select_related = ["rating", "service_point", "department"]
    readonly_fields = ["level", "comment", "item", "where", "staff", "rated_at", "responsible", "due_on", "status"]

    def get_queryset(self, request):
        return services.follow_ups_for(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and obj.status == FollowUpStatus.OPEN and services.may_close(request.user, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user
        return form

    def get_fields(self, request, obj=None):
        done = obj is not None and obj.status == FollowUpStatus.DONE
        return [*self.readonly_fields, "callback_note", "fix_note", *(["closed_at", "closed_by"] if done else [])]

    def get_readonly_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.readonly_fields
        return [*self.readonly_fields, "callback_note", "fix_note", "closed_at", "closed_by"]

    def save_model(self, request, obj, form, change):
        services.close_follow_up(obj, by=request.user, **form.cleaned_data)

    @admin.display(description=gettext_lazy("评价等级"), ordering="rating__level")
    def level(self, obj):
        return obj.rating.get_level_display()

    @admin.display(description=gettext_lazy("评价内容"))
    def comment(self, obj):
        return obj.rating.comment

    @admin.display(description=gettext_lazy("事项"))
    def item(self, obj):
        return obj.rating.item_name

    @admin.display(description=gettext_lazy("评价的网点与窗口"))
    def where(self, obj):
        rating = obj.rating
        return " · ".join(str(part) for part in (rating.service_point, rating.window, rating.department) if part)

    @admin.display(description=gettext_lazy("经办人员"))
    def staff(self, obj):
        return obj.rating.staff or "—"

    @admin.display(description=gettext_lazy("评价时间"), ordering="rating__rated_at")
    def rated_at(self, obj):
        return obj.rating.rated_at

    @admin.display(description=gettext_lazy("责任网点或部门"))
    def responsible(self, obj):
        return obj.service_point or obj.department

    @admin.display(description=gettext_lazy("超期"), boolean=True)
    def overdue(self, obj):
        return services.is_overdue(obj)
