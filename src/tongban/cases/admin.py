"""Admin pages: grants (created and revoked through ``cases.grants``) and a read-only view of cases.

Case work happens in the workbench and the API, never by editing rows here (Open Zaak's lesson).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.cases import grants
from tongban.cases.choices import Right
from tongban.cases.models import BundleCase, Case, CaseEvent, Grant, IdentityAccess, PostCheck
from tongban.cases.services import masked_form
from tongban.core.admin import ReadOnlyAdmin
from tongban.core.errors import ServiceError


class GrantForm(forms.ModelForm):
    rights = forms.MultipleChoiceField(
        label=gettext_lazy("授权权限"), choices=Right.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Grant
        fields = ["department", "service_point", "item_code", "rights", "valid_from", "valid_until"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            grants.check_grant(by=self.current_user, **data)
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        return data


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    form = GrantForm
    list_display = [
        "department",
        "service_point",
        "item_code",
        "rights_display",
        "valid_from",
        "valid_until",
        "revoked_at",
    ]
    list_filter = ["department__kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["department__name", "service_point__name", "item_code"]
    autocomplete_fields = ["department", "service_point"]
    list_select_related = ["department", "service_point"]
    actions = ["revoke_selected"]

    @admin.display(description=gettext_lazy("权限"))
    def rights_display(self, obj):
        return obj.rights_display()

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # grants are revoked, never edited

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        created = grants.create_grant(by=request.user, **{f: form.cleaned_data[f] for f in GrantForm.Meta.fields})
        obj.pk = created.pk

    @admin.action(description=gettext_lazy("撤销所选授权（立即生效）"))
    def revoke_selected(self, request, queryset):
        for grant in queryset.filter(revoked_at__isnull=True):
            try:
                grants.revoke_grant(grant, by=request.user, reason=_("管理后台撤销"))
            except ServiceError as exc:
                messages.error(request, f"{grant}：{exc.message}")
            else:
                messages.success(request, _("已撤销：%s") % grant)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["at", "action", "from_state", "to_state", "actor", "actor_role", "service_point", "grant", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "item", "department", "state", "channel", "service_point", "deadline", "visits"]
    list_filter = ["state", "channel", "handling_mode", "deadline_unscheduled", "department__kind"]
    search_fields = ["number"]
    list_select_related = ["item", "department", "service_point"]
    exclude = ["applicant", "form_data"]  # shown masked below; full numbers only through the audited reveal
    readonly_fields = ["masked_applicant", "masked_form_data"]
    inlines = [CaseEventInline]

    @admin.display(description=gettext_lazy("申请人"))
    def masked_applicant(self, obj):
        return str(obj.applicant)

    @admin.display(description=gettext_lazy("申请表"))
    def masked_form_data(self, obj):
        return masked_form(obj)


@admin.register(IdentityAccess)
class IdentityAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "applicant", "case", "purpose"]
    list_select_related = ["user", "applicant", "case"]


@admin.register(BundleCase)
class BundleCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "bundle", "state", "handling_mode", "channel", "submitted_at", "completed_at"]
    list_filter = ["state", "handling_mode", "bundle"]
    search_fields = ["number"]
    list_select_related = ["bundle"]
    exclude = ["applicant", "form_data"]


@admin.register(PostCheck)
class PostCheckAdmin(ReadOnlyAdmin):
    list_display = ["case", "department", "due_date", "status", "checked_at"]
    list_filter = ["status", "department__kind"]
    list_select_related = ["case", "department"]
