"""Catalog operations: write drafts, publish, version and retire items; where an item can be done.

Admin pages, the Excel import and the demo loader all write items through these functions.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.catalog.choices import BundleStatus, ItemStatus, Scope
from tongban.catalog.models import (
    ApprovalRule,
    Bundle,
    BundleItem,
    CatalogRevision,
    Item,
    ItemImplementation,
    LicenseType,
    Material,
    MaterialType,
    ReviewPoint,
    SubItem,
)
from tongban.catalog.rules import check_rule
from tongban.catalog.search import build_search_text, item_index
from tongban.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from tongban.directory.choices import AuthorityKind
from tongban.directory.models import ServicePoint


@dataclass
class ItemDraft:
    """The content of one item version as plain data (from Excel, demo data or a form).

    ``materials`` entries name their sub-item by ``sub_item`` (name or None), their type by
    ``material_type`` (code) and replacing licences by ``replaceable_by`` (codes);
    ``review_points`` name their sub-item the same way.
    """

    fields: dict[str, Any]
    sub_items: list[dict[str, Any]] = field(default_factory=list)
    materials: list[dict[str, Any]] = field(default_factory=list)
    review_points: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] | None = None  # 秒批 rules; None keeps the previous version's

    @property
    def code(self) -> str:
        return self.fields["code"]


def _refresh_search_text(item: Item) -> None:
    item.search_text = build_search_text(code=item.code, name=item.name, also=item.result_name)


def check_catalog_rights(by, authority_kind: str, *, publish: bool = False) -> None:
    """A catalog admin keeps the items of their own department's kind; publishing needs its permission.

    ``by=None`` is the system itself (demo loader, an operator's management command).
    """
    if by is None or by.is_superuser:
        return
    staff = getattr(by, "staff", None)
    own_kind = staff.department.kind if staff is not None and staff.department_id else None
    if not by.has_perm("catalog.change_item") or own_kind != authority_kind:
        raise Forbidden(
            _("您只能维护本部门类别（%s）的事项。") % (AuthorityKind(own_kind).label if own_kind else _("无")),
            code="not_item_owner",
        )
    if publish and not by.has_perm("catalog.publish_item"):
        raise Forbidden(_("您没有发布或废止事项的权限。"), code="publish_forbidden")


def _save_new(item: Item) -> None:
    """Insert a new draft row; a concurrent draft of the same code loses cleanly."""
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        raise Conflict(_("事项 %s 已有草稿版本，请先编辑或发布该草稿。") % item.code, code="draft_exists") from None


@transaction.atomic
def write_item_draft(draft: ItemDraft, *, by=None) -> Item:
    """Create the draft of ``draft.code`` or replace the content of its existing draft.

    A code with published versions gets a new draft version; published rows are never touched.
    """
    code = draft.code
    item = Item.objects.select_for_update().filter(code=code, status=ItemStatus.DRAFT).first()
    if item is not None:
        check_catalog_rights(by, item.authority_kind)
    else:
        previous = Item.objects.filter(code=code).order_by("-version").first()
        item = Item(code=code, version=previous.version + 1 if previous else 1, status=ItemStatus.DRAFT)
        if previous is not None:
            # What the draft does not state (e.g. the form definition, absent from Excel) carries over.
            for field in CARRIED_OVER_FIELDS:
                setattr(item, field, getattr(previous, field))
            draft = _with_previous_attachments(draft, previous)
            if draft.rules is None:
                draft.rules = [rule_entry(r) for r in previous.approval_rules.all()]
    for name, value in draft.fields.items():
        if name not in {"code", "version", "status"}:
            setattr(item, name, value)
    check_catalog_rights(by, item.authority_kind)
    _refresh_search_text(item)
    item.full_clean(exclude=["search_text"], validate_constraints=False)
    if item.pk:
        item.save()
    else:
        _save_new(item)
    _replace_children(item, draft)
    return item


# Item fields a new version keeps from the previous one unless the draft states them.
CARRIED_OVER_FIELDS = (
    "form_fields",
    "allows_commitment",
    "commitment_text",
    "post_check_days",
    "result_license_type_id",
    "fee_note",
    "conditions",
)


def _with_previous_attachments(draft: ItemDraft, previous: Item) -> ItemDraft:
    """Blank forms and samples stay with a material the new version still has (same type and name)."""
    files = {
        (m.material_type.code, m.name): (m.blank_form, m.sample)
        for m in previous.materials.select_related("material_type")
        if m.blank_form or m.sample
    }
    materials = []
    for material in draft.materials:
        blank_form, sample = files.get((material["material_type"], material["name"]), (None, None))
        materials.append({"blank_form": blank_form or "", "sample": sample or "", **material})
    return ItemDraft(
        fields=draft.fields,
        sub_items=draft.sub_items,
        materials=materials,
        review_points=draft.review_points,
        rules=draft.rules,
    )


def _replace_children(item: Item, draft: ItemDraft) -> None:
    item.sub_items.all().delete()
    item.materials.all().delete()
    item.review_points.all().delete()
    sub_items = {}
    for order, data in enumerate(draft.sub_items, start=1):
        sub = SubItem(item=item, order=data.get("order", order), **{k: v for k, v in data.items() if k != "order"})
        sub.full_clean(exclude=["item"])
        sub.save()
        sub_items[sub.name] = sub
    types = {t.code: t for t in MaterialType.objects.filter(code__in={m["material_type"] for m in draft.materials})}
    licenses = {lt.code: lt for lt in LicenseType.objects.all()}
    for order, data in enumerate(draft.materials, start=1):
        data = dict(data)
        sub_name, type_code = data.pop("sub_item", None), data.pop("material_type")
        replaceable = data.pop("replaceable_by", [])
        if type_code not in types:
            raise ValidationError({"material_type": _("材料类型“%s”不存在。") % type_code})
        if sub_name and sub_name not in sub_items:
            raise ValidationError({"sub_item": _("办理项“%s”不存在。") % sub_name})
        missing = [c for c in replaceable if c not in licenses]
        if missing:
            raise ValidationError({"replaceable_by": _("证照类型不存在：%s") % "、".join(missing)})
        material = Material(
            item=item,
            sub_item=sub_items.get(sub_name),
            material_type=types[type_code],
            order=data.pop("order", order),
            **data,
        )
        material.full_clean(exclude=["item", "sub_item", "material_type"])
        material.save()
        material.replaceable_by.set([licenses[c] for c in replaceable])
    for order, data in enumerate(draft.review_points, start=1):
        data = dict(data)
        sub_name = data.pop("sub_item", None)
        if sub_name and sub_name not in sub_items:
            raise ValidationError({"sub_item": _("办理项“%s”不存在。") % sub_name})
        point = ReviewPoint(item=item, sub_item=sub_items.get(sub_name), order=data.pop("order", order), **data)
        point.full_clean(exclude=["item", "sub_item"])
        point.save()
    if draft.rules is not None:
        item.approval_rules.all().delete()
        for order, data in enumerate(draft.rules, start=1):
            check_item_rule(item, data["expression"])
            rule = ApprovalRule(
                item=item, order=data.get("order", order), **{k: v for k, v in data.items() if k != "order"}
            )
            rule.full_clean(exclude=["item"], validate_constraints=False)
            rule.save()


def check_item_rule(item: Item, expression: str) -> None:
    """A 秒批 rule must parse and read only this item's form fields and existing licence types."""
    check_rule(
        expression,
        form_fields={f["name"]: f.get("type", "text") for f in item.form_fields or []},
        licence_codes=set(LicenseType.objects.values_list("code", flat=True)),
    )


def rule_entry(rule: ApprovalRule) -> dict:
    return {f: getattr(rule, f) for f in ("code", "description", "expression", "order")}


def save_item_edit(item: Item, *, by=None) -> Item:
    """Save an edit made in place (admin form): only drafts may change."""
    if item.pk:
        stored = Item.objects.filter(pk=item.pk).values_list("status", "authority_kind").first()
        if stored is None or stored[0] != ItemStatus.DRAFT:
            raise Conflict(_("已发布或已废止的事项不能直接修改，请先生成新版本草稿。"), code="item_not_editable")
        check_catalog_rights(by, stored[1])
    check_catalog_rights(by, item.authority_kind)
    _refresh_search_text(item)
    item.full_clean(exclude=["search_text"], validate_constraints=False)
    if item.pk:
        item.save()
    else:
        _save_new(item)
    return item


MATERIAL_FIELDS = (
    "name",
    "form",
    "source",
    "necessity",
    "copies",
    "original_checked",
    "blank_form",
    "sample",
    "acceptance_standard",
    "order",
)


def sub_item_entry(sub: SubItem) -> dict:
    return {f: getattr(sub, f) for f in ("name", "kind", "order", "legal_limit", "promised_limit")}


def material_entry(material: Material) -> dict:
    """A material as ``ItemDraft`` data: sub-item by name, type and replacing licences by code."""
    return {
        "sub_item": material.sub_item.name if material.sub_item_id else None,
        "material_type": material.material_type.code,
        "replaceable_by": [lt.code for lt in material.replaceable_by.all()],
        **{f: getattr(material, f) for f in MATERIAL_FIELDS},
    }


def review_point_entry(point: ReviewPoint) -> dict:
    return {
        "sub_item": point.sub_item.name if point.sub_item_id else None,
        **{f: getattr(point, f) for f in ("order", "question", "required", "guidance")},
    }


@transaction.atomic
def draft_new_version(item: Item, *, by=None) -> Item:
    """Copy ``item`` (with sub-items, materials, review points) into a new draft version."""
    check_catalog_rights(by, item.authority_kind)
    if Item.objects.filter(code=item.code, status=ItemStatus.DRAFT).exists():
        raise Conflict(_("事项 %s 已有草稿版本，请先编辑或发布该草稿。") % item.code, code="draft_exists")
    source = Item.objects.prefetch_related(
        "sub_items",
        "materials__material_type",
        "materials__sub_item",
        "materials__replaceable_by",
        "review_points__sub_item",
        "approval_rules",
    ).get(pk=item.pk)
    draft = ItemDraft(
        fields={
            f.name: getattr(source, f.name)
            for f in Item._meta.concrete_fields
            if f.editable and f.name not in {"id", "status", "valid_from", "valid_until"}
        },
        sub_items=[sub_item_entry(s) for s in source.sub_items.all()],
        materials=[material_entry(m) for m in source.materials.all()],
        review_points=[review_point_entry(p) for p in source.review_points.all()],
        rules=[rule_entry(r) for r in source.approval_rules.all()],
    )
    return write_item_draft(draft, by=by)


@transaction.atomic
def publish_item(item: Item, *, by=None, valid_from: datetime.date | None = None) -> Item:
    """Put a draft in force from ``valid_from`` (today by default); the previous version ends the day before."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    check_catalog_rights(by, item.authority_kind, publish=True)
    if item.status != ItemStatus.DRAFT:
        raise Conflict(_("只有草稿可以发布。"), code="item_not_draft")
    today = timezone.localdate()
    valid_from = valid_from or item.valid_from or today
    previous = list(Item.objects.select_for_update().filter(code=item.code, status=ItemStatus.PUBLISHED))
    if previous and valid_from < today:
        # Cases were made under the version in force then; a new version cannot reach back over them.
        raise InvalidInput(
            _("新版本的生效日期不能早于今天。"), code="valid_from_in_past", details={"valid_from": [_("不能早于今天")]}
        )
    item.valid_from = valid_from
    item.full_clean(exclude=["search_text"])
    if item.result_license_type_id is None and item.result_name == "":
        raise InvalidInput(
            _("发布前须填写办理结果名称。"), code="item_incomplete", details={"result_name": [_("必填")]}
        )
    for rule in item.approval_rules.all():  # the form or licence types may have changed since the rule was saved
        try:
            check_item_rule(item, rule.expression)
        except InvalidInput as exc:
            raise InvalidInput(
                _("秒批规则 %(code)s 有误，不能发布：%(error)s") % {"code": rule.code, "error": exc.message},
                code="invalid_rule",
                details={"rule": rule.code, **exc.details},
            ) from None
    for old in previous:
        if old.valid_from and old.valid_from >= valid_from:
            old.status = ItemStatus.RETIRED  # would never come in force: superseded outright
            old.valid_until = old.valid_from
        else:
            old.valid_until = valid_from - datetime.timedelta(days=1)
            if valid_from <= today:
                old.status = ItemStatus.RETIRED
        old.save(update_fields=["status", "valid_until", "updated_at"])
    item.status = ItemStatus.PUBLISHED
    item.published_at = timezone.now()
    item.published_by = by if by is not None and by.is_authenticated else None
    item.save()
    bump_catalog_revision()
    return item


@transaction.atomic
def retire_item(item: Item, *, by=None, on: datetime.date | None = None) -> Item:
    """Withdraw a published item: it is out of force from ``on`` (today by default)."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    check_catalog_rights(by, item.authority_kind, publish=True)
    if item.status != ItemStatus.PUBLISHED:
        raise Conflict(_("只有已发布的事项可以废止。"), code="item_not_published")
    today = timezone.localdate()
    on = on or today
    if item.valid_from > today:
        # A scheduled version withdrawn before its start: its predecessor stays in force after all.
        Item.objects.filter(
            code=item.code, status=ItemStatus.PUBLISHED, valid_until=item.valid_from - datetime.timedelta(days=1)
        ).update(valid_until=None, updated_at=timezone.now())
    # Retired status takes it out of force at once; the range stays well-formed even on its first day.
    item.valid_until = max(on - datetime.timedelta(days=1), item.valid_from)
    item.status = ItemStatus.RETIRED
    item.full_clean(exclude=["search_text"])
    item.save(update_fields=["status", "valid_until", "updated_at"])
    bump_catalog_revision()
    return item


def bump_catalog_revision() -> None:
    """Mark the in-force catalog changed, in the caller's transaction (search indexes reload on commit)."""
    CatalogRevision.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})
    item_index.invalidate()


def item_in_force(code: str, on: datetime.date | None = None) -> Item:
    """The version of ``code`` in force today (or ``on``); today's comes from the per-process index."""
    if on is None or on == timezone.localdate():
        item = item_index.version_in_force(code)
    else:
        item = Item.objects.in_force(on).filter(code=code).order_by("-version").first()
    if item is None:
        raise NotFound(_("事项 %s 不存在或未生效。") % code, code="item_not_found")
    return item


def _reach(implementations, scope: str) -> set[str] | None:
    """Region-code prefixes an item's 通办 scope reaches from its implementing departments (None: everywhere)."""
    prefixes = set()
    for impl in implementations:
        region = impl.department.region
        if scope == Scope.LOCAL:
            prefixes.add(region.prefix)
        elif scope == Scope.CITY:
            prefixes.add(region.city_code)
        elif scope == Scope.PROVINCE:
            prefixes.add(region.province_code)
        else:
            return None
    return prefixes


def implementing_regions_query(item_code: str, scope: str) -> Q | None:
    """The part of the city (as a region-code filter) whose service points the item's scope reaches."""
    implementations = ItemImplementation.objects.filter(item_code=item_code, is_active=True).select_related(
        "department__region"
    )
    prefixes = _reach(implementations, scope)
    if prefixes is None:
        return Q()
    if not prefixes:
        return None
    query = Q()
    for prefix in prefixes:
        query |= Q(region__code__startswith=prefix)
    return query


def items_handled_at(point: ServicePoint, items: list, windows: list | None = None) -> list:
    """Those of ``items`` (Items, or catalog index rows) ``point`` may take: ``service_points_for_item``
    for many items at one point, in one query (plus one for the point's windows unless given)."""
    if windows is None:
        windows = list(point.windows.filter(is_active=True))
    served = [i for i in items if any(w.serves(item_code=i.code, authority_kind=i.authority_kind) for w in windows)]
    implementations: dict[str, list] = {}
    for impl in ItemImplementation.objects.filter(
        item_code__in={i.code for i in served}, is_active=True
    ).select_related("department__region"):
        implementations.setdefault(impl.item_code, []).append(impl)

    def reaches(item) -> bool:
        prefixes = _reach(implementations.get(item.code, []), item.scope)
        return prefixes is None or any(point.region.code.startswith(prefix) for prefix in prefixes)

    return [item for item in served if reaches(item)]


def service_points_for_item(item: Item) -> list[ServicePoint]:
    """Open service points within the item's 通办 scope that have a window serving it.

    Grants (授权信任) narrow this further for other jurisdictions once cases exist.
    """
    region_filter = implementing_regions_query(item.code, item.scope)
    if region_filter is None:
        return []
    candidates = (
        ServicePoint.objects.filter(region_filter, is_active=True)
        .select_related("region")
        .prefetch_related("windows")
        .order_by("region__code", "level", "name")
    )
    return [
        point
        for point in candidates
        if any(w.serves(item_code=item.code, authority_kind=item.authority_kind) for w in point.windows.all())
    ]


def validate_bundle_members(members: list[dict]) -> None:
    """``members`` are ``{"item": code, "waits_for": [codes]}``: known items, no repeats, no cycles."""
    codes = [m["item"] for m in members]
    for member in members:
        waits_for = member.get("waits_for", [])
        if not isinstance(waits_for, list) or not all(isinstance(code, str) for code in waits_for):
            raise InvalidInput(_('前置事项应为事项编码的列表，如 ["000101009000"]。'), code="bundle_invalid_dependency")
    if len(set(codes)) != len(codes):
        raise InvalidInput(_("一件事中的事项不能重复。"), code="bundle_duplicate_item")
    known = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(_("事项不存在：%s") % "、".join(unknown), code="bundle_unknown_item")
    for member in members:
        for dep in member.get("waits_for", []):
            if dep not in codes:
                raise InvalidInput(_("前置事项 %s 不在本一件事中。") % dep, code="bundle_unknown_dependency")
    _check_acyclic({m["item"]: set(m.get("waits_for", [])) for m in members})


@transaction.atomic
def write_bundle(*, code: str, name: str, description: str, members: list[dict], publish: bool = False) -> Bundle:
    """Create or replace a bundle with its members in order."""
    validate_bundle_members(members)
    bundle, _created = Bundle.objects.update_or_create(code=code, defaults={"name": name, "description": description})
    if publish:
        bundle.status = BundleStatus.PUBLISHED
    bundle.save()
    bundle.members.all().delete()
    BundleItem.objects.bulk_create(
        BundleItem(bundle=bundle, item_code=m["item"], order=i, waits_for=list(m.get("waits_for", [])))
        for i, m in enumerate(members, 1)
    )
    return bundle


def _check_acyclic(graph: dict[str, set[str]]) -> None:
    visiting, done = set(), set()

    def visit(node: str) -> None:
        if node in done:
            return
        if node in visiting:
            raise InvalidInput(_("一件事的前置关系存在循环等待（涉及事项 %s）。") % node, code="bundle_cycle")
        visiting.add(node)
        for dep in graph.get(node, ()):
            visit(dep)
        visiting.discard(node)
        done.add(node)

    for node in graph:
        visit(node)
