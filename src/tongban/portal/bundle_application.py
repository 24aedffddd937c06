"""一件事 online: one form, one set of materials and one submission for several items, and the
applicant's page of the bundle case with each item's progress.

The merged form and materials come from ``catalog.bundles.bundle_requirements``; the intake is
``cases.bundles.submit_bundle_once`` (the hidden submission key makes a double click land on the same
bundle case), and a shared file is stored once for every item that asks for it
(``attach_bundle_file``), in the intake's transaction (``portal.intake``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tongban.cases.bundles import BundleMaterialInput, attach_bundle_file, submit_bundle_once
from tongban.cases.choices import Channel, MaterialStatus
from tongban.cases.models import BundleCase, Case, CaseMaterial
from tongban.catalog.bundles import bundle_requirements, published_bundle
from tongban.catalog.models import ItemImplementation
from tongban.core.errors import ServiceError
from tongban.core.forms import show_service_error
from tongban.core.identifiers import mask_id_number
from tongban.licences.services import usable_licences
from tongban.portal import intake
from tongban.portal.application import LICENCE_ERRORS
from tongban.portal.forms import BundleApplicationForm, licence_field, material_field
from tongban.portal.intake import applicant_of, application_form, unavailable
from tongban.portal.staging import recall_all

SUB_PREFIX = "sub_"


def chosen_sub_items(data) -> dict[str, str]:
    """Item code → the sub-item the applicant chose (``sub_<code>``); the others take the bundle's default."""
    return {key[len(SUB_PREFIX) :]: value for key, value in data.items() if key.startswith(SUB_PREFIX) and value}


def requirements_or_404(code: str, sub_items: dict | None = None):
    try:
        return bundle_requirements(published_bundle(code), sub_items)
    except ServiceError as exc:  # not published, a member not in force, or a sub-item that does not exist
        raise Http404(exc.message) from None


def member_regions(requirements) -> dict[str, list]:
    """Item code → the regions whose departments carry it out (ordered by code)."""
    codes = [m.item.code for m in requirements.members]
    regions: dict[str, dict] = {code: {} for code in codes}
    implementations = ItemImplementation.objects.filter(item_code__in=codes, is_active=True).select_related(
        "department__region"
    )
    for implementation in implementations:
        region = implementation.department.region
        regions[implementation.item_code][region.code] = region
    return {code: sorted(found.values(), key=lambda r: r.code) for code, found in regions.items()}


def bundle_offers(user, applicant, requirements, purpose: str) -> dict[str, list]:
    """Material type → the applicant's usable licences that can replace it (one audited look-up)."""
    wanted = {code for m in requirements.materials for code in m["replaceable_by"]}
    if not wanted:
        return {}
    usable = usable_licences(applicant.id_number, by=user, purpose=purpose, types=wanted)
    offers = {}
    for material in requirements.materials:
        fitting = [lic for lic in usable if lic.license_type.code in material["replaceable_by"]]
        if fitting:
            offers[material["material_type"]] = fitting
    return offers


@login_required
def apply_bundle(request, code):
    data = request.POST if request.method == "POST" else request.GET
    requirements = requirements_or_404(code, chosen_sub_items(data))
    bundle = requirements.bundle
    context = {"nav": "search", "bundle": bundle, "requirements": requirements}
    offline = [m.item.name for m in requirements.members if 2 not in (m.item.online_stages or [])]
    applicant = applicant_of(request.user)
    back = reverse("portal:bundle", args=[bundle.code])
    if refusal := unavailable(request, subject=bundle.name, back_url=back, offline=offline, applicant=applicant):
        return refusal
    keys = [m["material_type"] for m in requirements.materials]
    staged = recall_all(request.user, request.POST, keys)
    form_kwargs = {
        "requirements": requirements,
        "regions": member_regions(requirements),
        "staged": staged,
        "offers": bundle_offers(
            request.user,
            applicant,
            requirements,
            _("网上申请“%s”：本人调取可代替材料的电子证照") % bundle.name,
        ),
    }
    key = request.POST.get("submission_key", "")
    earlier = BundleCase.objects.filter(created_by=request.user, idempotency_key=key).exclude(idempotency_key="")
    if parent := earlier.first():  # the same form sent twice: show what the first made
        return redirect("portal:my_bundle", number=parent.number)
    form, parent = application_form(
        request,
        BundleApplicationForm,
        form_kwargs,
        applicant,
        lambda form: _submit(request, form, requirements, staged),
    )
    if parent is not None:
        return redirect("portal:my_bundle", number=parent.number)
    choosable = [(m, list(m.item.sub_items.all())) for m in requirements.members]
    return render(
        request,
        "portal/bundle_apply.html",
        {
            **context,
            "form": form,
            "applicant": applicant,
            "offered": len(form_kwargs["offers"]),
            "choosable": [(m, subs) for m, subs in choosable if len(subs) > 1],
        },
    )


def _submit(request, form: BundleApplicationForm, requirements, staged) -> BundleCase | None:
    """Take in the bundle with its shared files, all or nothing; None (errors on the form) if refused."""
    keys = form.material_keys
    fresh = {key: upload for key, (upload, _type) in form.fresh_uploads().items()}
    licences = {key: form.chosen_licence(key) for key in keys if form.chosen_licence(key)}
    files = {key: None if key in licences else fresh.get(key) or staged.get(key) for key in keys}
    region = form.cleaned_data["region"]
    submission = {
        "bundle_code": requirements.bundle.code,
        "region_code": region,
        "applicant": applicant_of(request.user),
        "channel": Channel.ONLINE,
        "form_data": form.form_data(),
        "materials": [
            BundleMaterialInput(
                key,
                MaterialStatus.PROVIDED if files[key] or key in licences else MaterialStatus.MISSING,
                licences.get(key, ""),
            )
            for key in keys
        ],
        "item_regions": form.item_regions(),
        "sub_items": {m.item.code: m.sub_item.name for m in requirements.members if m.sub_item},
        "human_decision": form.decision_choice("human_decision"),
    }
    body = {
        **{k: v for k, v in submission.items() if k not in {"applicant", "materials"}},
        "files": sorted((key, f.name, getattr(f, "size", None)) for key, f in files.items() if f),
        "licences": licences,
    }
    try:
        with intake.kept_on_commit() as stored:
            parent, created = submit_bundle_once(
                by=request.user,
                key=form.cleaned_data["submission_key"],
                fingerprint=intake.fingerprint(body),
                **submission,
            )
            if created:

                def attach(key, upload):
                    return attach_bundle_file(parent.number, by=request.user, material_type=key, upload=upload)

                intake.attach_each(files, staged, attach, stored)
    except intake.UploadRefused as refused:
        form.add_error(material_field(refused.key), refused.error.message)
        return None
    except ServiceError as exc:
        show_bundle_error(form, exc, requirements)
        return None
    if created:
        intake.discard_kept(staged)
        messages.success(request, _("一件事申请已提交，编号 %s。各事项将由承办部门分别办理。") % parent.number)
    return parent


def show_bundle_error(form, exc: ServiceError, requirements, *, licence_field=licence_field) -> None:
    """A refused licence goes next to its merged material (the service names the item's material id;
    ``licence_field`` names the form's licence choice of a material type)."""
    material_types = {use["material"]: m["material_type"] for m in requirements.materials for use in m["items"]}
    material_type = material_types.get(exc.details.get("material")) if exc.code in LICENCE_ERRORS else None
    if material_type and licence_field(material_type) in form.fields:
        form.add_error(licence_field(material_type), exc.message)
    else:
        show_service_error(form, exc, fields={**form.service_field_names(), "regions": "region"})


def _reason(case: Case) -> str:
    """Why a child is where it is: the reason given by the latest change into its state."""
    return next((e.reason for e in reversed(case.events.all()) if e.to_state == case.state and e.reason), "")


@login_required
def my_bundle(request, number):
    children = Case.objects.select_related(
        "item", "sub_item", "department__region", "result_licence__license_type"
    ).prefetch_related("events")
    parent = get_object_or_404(
        BundleCase.objects.select_related("bundle").prefetch_related(
            Prefetch("children", queryset=children.order_by("pk"))
        ),
        number=number,
        applicant__user=request.user,
    )
    members = list(parent.children.all())
    names = {child.item.code: child.item.name for child in members}
    rows = [
        {"case": child, "reason": _reason(child), "waits_for": [names.get(c, c) for c in child.waits_for]}
        for child in members
    ]
    return render(
        request,
        "portal/my_bundle.html",
        {
            "nav": "my",
            "parent": parent,
            "rows": rows,
            "done": sum(1 for child in members if child.completed_at),
            "form_data": _labelled_form(parent, members),
            "materials": _shared_materials(members),
        },
    )


def _labelled_form(parent: BundleCase, members: list[Case]) -> list[tuple[str, object]]:
    """The merged form as the applicant filled it in, in the items' order, by label; personal identity
    numbers masked."""
    definitions = {f["name"]: f for child in members for f in child.item.form_fields or []}
    shown = []
    for name, definition in definitions.items():
        value = parent.form_data.get(name)
        if value in (None, ""):
            continue
        if definition.get("type") == "id_number":
            value = mask_id_number(str(value))
        shown.append((definition.get("label") or name, value))
    return shown


def _shared_materials(members: list[Case]) -> list[dict]:
    """One row per material type across the children: given by licence, by file, or still missing."""
    rows: dict[str, dict] = {}
    found = (
        CaseMaterial.objects.filter(case__in=members)
        .select_related("material__material_type", "licence__license_type")
        .prefetch_related("attachments")
        .order_by("case_id", "material__order", "material_id")
    )
    for row in found:
        material_type = row.material.material_type
        entry = rows.setdefault(
            material_type.code,
            {"name": material_type.name, "uses": 0, "licence": None, "files": set(), "statuses": set()},
        )
        entry["uses"] += 1
        entry["licence"] = entry["licence"] or row.licence
        entry["files"] |= {a.original_name for a in row.attachments.all()}
        entry["statuses"].add(row.get_status_display())
    return list(rows.values())
