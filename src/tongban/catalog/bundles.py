"""一件事: one form and one set of materials for several items (多表合一, a shared material asked once).

Fields are merged by their canonical name, materials by their ``MaterialType``; the counts say what
the bundle saves ("材料 17 → 6").
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from tongban.catalog.choices import BundleStatus, Necessity, SubItemKind
from tongban.catalog.models import Bundle, Item, Material, SubItem
from tongban.catalog.services import item_in_force
from tongban.core.errors import InvalidInput, NotFound

# When a member has several sub-items, a bundle means starting something: the "new" one by default.
DEFAULT_SUB_ITEM_KIND = SubItemKind.NEW
NECESSITY_STRENGTH = {Necessity.OPTIONAL: 0, Necessity.DEFERRABLE: 1, Necessity.REQUIRED: 2}


@dataclass
class Member:
    item: Item
    sub_item: SubItem | None
    waits_for: list[str]
    materials: list[Material]  # what the applicant gives
    # Given by the e-licence an earlier member issues (the 营业执照 of 企业设立登记 for the food licence):
    # material → that member's item. Not asked; filled in when this member starts (cases.services).
    from_prerequisites: dict[Material, Item] = field(default_factory=dict)


@dataclass
class BundleRequirements:
    bundle: Bundle
    members: list[Member]
    fields: list[dict] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)

    @property
    def separate_field_count(self) -> int:
        return sum(len(m.item.form_fields or []) for m in self.members)

    @property
    def separate_material_count(self) -> int:
        return sum(len(m.materials) + len(m.from_prerequisites) for m in self.members)

    @property
    def given_inside(self) -> list[dict]:
        """Materials not asked of the applicant: an earlier member's licence gives them."""
        return [
            {"name": material.name, "issuer": issuer.name, "item": member.item.name}
            for member in self.members
            for material, issuer in member.from_prerequisites.items()
        ]

    def used_by(self, material: dict) -> str:
        """The members a merged material serves, by name."""
        names = {m.item.code: m.item.name for m in self.members}
        return "、".join(dict.fromkeys(names.get(use["item"], use["item"]) for use in material["items"]))

    @property
    def savings_text(self) -> str:
        return _("材料 %(m1)d → %(m2)d，填表字段 %(f1)d → %(f2)d") % {
            "m1": self.separate_material_count,
            "m2": len(self.materials),
            "f1": self.separate_field_count,
            "f2": len(self.fields),
        }


def published_bundle(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code, status=BundleStatus.PUBLISHED).first()
    if bundle is None:
        raise NotFound(_("一件事 %s 不存在或未发布。") % code, code="bundle_not_found")
    return bundle


def _sub_item(item: Item, chosen: str | None, *, strict: bool) -> SubItem | None:
    """The chosen sub-item, else the "new" one; an intake (``strict``) must name it when there is no such."""
    subs = list(item.sub_items.all())
    if not subs:
        return None
    if chosen:
        match = next((s for s in subs if s.name == chosen), None)
    else:
        match = next((s for s in subs if s.kind == DEFAULT_SUB_ITEM_KIND), None if strict else subs[0])
    if match is None:
        raise InvalidInput(
            _("请为“%(item)s”选择业务办理项：%(subs)s。")
            % {"item": item.name, "subs": "、".join(s.name for s in subs)},
            code="sub_item_required",
            details={"item": item.code, "sub_item": [s.name for s in subs]},
        )
    return match


def bundle_requirements(
    bundle: Bundle, sub_items: dict[str, str] | None = None, *, strict: bool = False
) -> BundleRequirements:
    """The members in force with their merged form fields and materials (for the chosen sub-items)."""
    sub_items = sub_items or {}
    members = []
    for member in bundle.members.all():
        item = item_in_force(member.item_code)
        sub = _sub_item(item, sub_items.get(item.code), strict=strict)
        materials = [m for m in item.materials.all() if m.sub_item_id in (None, sub.pk if sub else None)]
        members.append(Member(item, sub, list(member.waits_for or []), materials))
    _take_results_of_prerequisites(members)
    requirements = BundleRequirements(bundle, members)
    requirements.fields = _merged_fields(members)
    requirements.materials = _merged_materials(members)
    return requirements


def _take_results_of_prerequisites(members: list[Member]) -> None:
    """A material that a licence issued by a member this one waits for (directly or down the chain) can
    replace is no longer asked of the applicant: it moves to ``from_prerequisites``."""
    by_code = {m.item.code: m for m in members}

    def prerequisites(member: Member, seen: set[str]) -> list[Member]:
        found = []
        for code in member.waits_for:
            if code in by_code and code not in seen:
                seen.add(code)
                found += [by_code[code], *prerequisites(by_code[code], seen)]
        return found

    for member in members:
        issuers = {p.item.result_license_type_id: p.item for p in prerequisites(member, set())}
        issuers.pop(None, None)
        for material in list(member.materials):
            issuer = next((issuers[t.pk] for t in material.replaceable_by.all() if t.pk in issuers), None)
            if issuer is not None:
                member.materials.remove(material)
                member.from_prerequisites[material] = issuer


def _merged_fields(members: list[Member]) -> list[dict]:
    fields: dict[str, dict] = {}
    for member in members:
        for spec in member.item.form_fields or []:
            merged = fields.setdefault(spec["name"], {**spec, "items": []})
            merged["required"] = bool(merged.get("required")) or bool(spec.get("required"))
            merged["items"].append(member.item.code)
    return list(fields.values())


def _merged_materials(members: list[Member]) -> list[dict]:
    materials: dict[str, dict] = {}
    for member in members:
        for material in member.materials:
            code = material.material_type.code
            merged = materials.setdefault(
                code,
                {
                    "material_type": code,
                    "name": material.material_type.name,
                    "necessity": material.necessity,
                    "replaceable_by": set(),
                    "items": [],
                },
            )
            if NECESSITY_STRENGTH[material.necessity] > NECESSITY_STRENGTH[merged["necessity"]]:
                merged["necessity"] = material.necessity
            merged["replaceable_by"] |= {lt.code for lt in material.replaceable_by.all()}
            merged["items"].append({"item": member.item.code, "material": material.pk, "name": material.name})
    return [{**m, "replaceable_by": sorted(m["replaceable_by"])} for m in materials.values()]
