from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tongban.catalog import services
from tongban.catalog.choices import ItemStatus, OnlineStage
from tongban.catalog.excel import ImportFailed, export_items, import_items
from tongban.catalog.models import (
    ApprovalRule,
    Bundle,
    BundleItem,
    Item,
    ItemImplementation,
    LicenseType,
    Material,
    MaterialType,
    ReviewPoint,
    SubItem,
)
from tongban.core.errors import ServiceError


class DraftOnlyInline:
    """Children of a published version are read-only like the version itself."""

    def _editable(self, request, obj):
        return obj is None or (obj.status == ItemStatus.DRAFT and ItemAdmin.may_edit(request.user, obj))

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sub_item":
            item_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = SubItem.objects.filter(item_id=item_id) if item_id else SubItem.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SubItemInline(DraftOnlyInline, admin.TabularInline):
    model = SubItem
    extra = 0


class MaterialInline(DraftOnlyInline, admin.StackedInline):
    model = Material
    extra = 0
    autocomplete_fields = ["material_type"]
    filter_horizontal = ["replaceable_by"]
    fields = [
        ("name", "material_type", "sub_item"),
        ("form", "source", "necessity", "copies", "original_checked"),
        "acceptance_standard",
        ("blank_form", "sample"),
        "replaceable_by",
        "order",
    ]


class ReviewPointInline(DraftOnlyInline, admin.TabularInline):
    model = ReviewPoint
    extra = 0
    fields = ["order", "question", "required", "sub_item", "guidance"]


class ApprovalRuleForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        item, expression = self.instance.item if self.instance.item_id else None, cleaned.get("expression")
        if item is not None and expression:
            try:
                services.check_item_rule(item, expression)
            except ServiceError as exc:
                self.add_error("expression", exc.message)
        return cleaned


class ApprovalRuleInline(DraftOnlyInline, admin.TabularInline):
    model = ApprovalRule
    form = ApprovalRuleForm
    extra = 0
    fields = ["order", "code", "description", "expression"]


class PromisedNormFilter(admin.SimpleListFilter):
    title = gettext_lazy("承诺时限")
    parameter_name = "promised_norm"

    def lookups(self, request, model_admin):
        return [("over", _("超过法定时限 30%"))]

    def queryset(self, request, queryset):
        if self.value() == "over":
            return queryset.over_norm()
        return queryset


class ItemAdminForm(forms.ModelForm):
    online_stages = forms.TypedMultipleChoiceField(
        label=gettext_lazy("网上办理深度"),
        choices=OnlineStage.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Item
        fields = "__all__"  # noqa: DJ007 — the admin fieldsets choose the fields

    def clean_code(self):
        code = self.cleaned_data["code"]
        if self.instance.pk is None and Item.objects.filter(code=code).exists():
            raise ValidationError(_("事项编码已存在，请在现有事项上使用“生成新版本草稿”。"))
        return code

    def clean_authority_kind(self):
        kind = self.cleaned_data["authority_kind"]
        try:
            services.check_catalog_rights(self.current_user, kind)
        except ServiceError as exc:
            raise ValidationError(exc.message) from None
        return kind


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemAdminForm
    list_display = [
        "code",
        "version",
        "name",
        "item_type",
        "status",
        "valid_from",
        "scope",
        "negative_reason",
        "handling_kind",
        "limits",
        "norm_warning",
    ]
    list_filter = [
        "status",
        "item_type",
        "scope",
        "handling_kind",
        "service_object",
        "authority_kind",
        "negative_reason",
        PromisedNormFilter,
    ]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["result_license_type"]
    autocomplete_fields = ["result_license_type"]
    inlines = [SubItemInline, MaterialInline, ReviewPointInline, ApprovalRuleInline]
    actions = ["publish_selected", "draft_new_versions", "retire_selected", "export_selected"]
    readonly_fields = ["status", "published_at", "published_by", "implementations"]
    change_list_template = "admin/catalog/item/change_list.html"
    fieldsets = [
        (
            gettext_lazy("基本信息"),
            {
                "fields": [
                    "code",
                    "version",
                    "name",
                    "item_type",
                    "authority_kind",
                    "service_object",
                    "legal_basis",
                    "conditions",
                ]
            },
        ),
        (
            gettext_lazy("时限与办理"),
            {
                "fields": [
                    ("legal_limit", "promised_limit", "handling_kind"),
                    "online_stages",
                    "required_visits",
                    ("fee", "fee_note"),
                    ("result_name", "result_license_type"),
                    ("allows_commitment", "post_check_days"),
                    "commitment_text",
                ]
            },
        ),
        (gettext_lazy("通办范围与负面清单"), {"fields": ["scope", ("negative_reason", "negative_note")]}),
        (gettext_lazy("申请表"), {"fields": ["form_fields"], "classes": ["collapse"]}),
        (
            gettext_lazy("版本与状态"),
            {"fields": ["status", ("valid_from", "valid_until"), "published_at", "published_by", "implementations"]},
        ),
    ]

    @admin.display(description=gettext_lazy("时限（法定/承诺）"))
    def limits(self, obj):
        return f"{obj.legal_limit} / {obj.promised_limit}"

    @admin.display(description=gettext_lazy("提示"))
    def norm_warning(self, obj):
        return _("⚠ 承诺时限超过法定时限30%") if obj.promised_exceeds_norm else ""

    @admin.display(description=gettext_lazy("实施清单"))
    def implementations(self, obj):
        rows = ItemImplementation.objects.filter(item_code=obj.code).select_related("department")
        return "；".join(f"{r.department.name}（{r.code}）" for r in rows) or "—"

    @staticmethod
    def may_edit(user, obj) -> bool:
        try:
            services.check_catalog_rights(user, obj.authority_kind)
        except ServiceError:
            return False
        return True

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if obj is None:
            return allowed
        return allowed and obj.status == ItemStatus.DRAFT and self.may_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or (obj.status == ItemStatus.DRAFT and self.may_edit(request.user, obj)))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code", "version"] if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.current_user = request.user  # the form checks the user's catalog rights on 实施部门类别
        return form

    def save_model(self, request, obj, form, change):
        services.save_item_edit(obj, by=request.user)
        if obj.promised_exceeds_norm:
            messages.warning(
                request,
                _("承诺时限 %(p)d 个工作日超过法定时限 %(l)d 个工作日的 30%%，请确认是否合理。")
                % {"p": obj.promised_limit, "l": obj.legal_limit},
            )

    def _each(self, request, queryset, operation, done_message):
        done = 0
        for item in queryset:
            if not self.may_edit(request.user, item):
                messages.error(request, _("无权操作事项 %s。") % item)
                continue
            try:
                operation(item)
                done += 1
            except (ServiceError, ValidationError) as exc:
                messages.error(request, f"{item}：{getattr(exc, 'message', None) or '；'.join(exc.messages)}")
        if done:
            messages.success(request, done_message % {"n": done})

    @admin.action(description=gettext_lazy("发布所选草稿"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._each(
            request, queryset, lambda item: services.publish_item(item, by=request.user), _("已发布 %(n)d 个事项。")
        )

    @admin.action(description=gettext_lazy("生成新版本草稿"), permissions=["change"])
    def draft_new_versions(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda item: services.draft_new_version(item, by=request.user),
            _("已生成 %(n)d 个草稿。"),
        )

    @admin.action(description=gettext_lazy("废止所选事项"), permissions=["publish"])
    def retire_selected(self, request, queryset):
        self._each(
            request, queryset, lambda item: services.retire_item(item, by=request.user), _("已废止 %(n)d 个事项。")
        )

    @admin.action(description=gettext_lazy("导出所选事项为 Excel"), permissions=["view"])
    def export_selected(self, request, queryset):
        return excel_response(export_items(queryset))

    def has_publish_permission(self, request):
        return request.user.has_perm("catalog.publish_item")

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_item_import"),
            path("export/", self.admin_site.admin_view(self.export_view), name="catalog_item_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        return excel_response(export_items(Item.objects.in_force()))

    def import_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                result = import_items(form.cleaned_data["file"], by=request.user, publish=form.cleaned_data["publish"])
            except ImportFailed as failed:
                errors = failed.errors
            else:
                messages.success(request, _("导入成功：%(n)d 个事项。") % {"n": len(result.items)})
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(reverse("admin:catalog_item_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "errors": errors,
            "opts": self.model._meta,
            "title": _("从 Excel 导入事项"),
        }
        return render(request, "admin/catalog/item/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))
    publish = forms.BooleanField(label=gettext_lazy("导入后立即发布"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        return upload


def excel_response(content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="tongban-items.xlsx"'
    return response


@admin.register(MaterialType)
class MaterialTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(LicenseType)
class LicenseTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "holder_kind", "issuer_kind", "validity_years"]
    list_filter = ["holder_kind", "issuer_kind"]
    search_fields = ["code", "name"]


class ItemImplementationForm(forms.ModelForm):
    class Meta:
        model = ItemImplementation
        fields = ["item_code", "department", "is_active"]

    def clean_item_code(self):
        code = self.cleaned_data["item_code"]
        if not Item.objects.filter(code=code).exists():
            raise ValidationError(_("事项编码 %s 不存在。") % code)
        return code


@admin.register(ItemImplementation)
class ItemImplementationAdmin(admin.ModelAdmin):
    form = ItemImplementationForm
    list_display = ["code", "item_code", "department", "is_active"]
    list_filter = ["is_active", "department__kind", "department__region__level"]
    search_fields = ["code", "item_code", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]


class BundleItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return  # each row shows its own error first
        members = [
            {"item": f.cleaned_data["item_code"], "waits_for": f.cleaned_data.get("waits_for") or []}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.validate_bundle_members(members)
        except ServiceError as exc:
            raise ValidationError(exc.message) from exc


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    formset = BundleItemFormSet
    extra = 0


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
    inlines = [BundleItemInline]
    exclude = ["search_text"]
