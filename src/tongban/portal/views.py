"""Portal pages anyone can read: search, item guides, bundles and the community doorplate."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tongban.catalog.choices import BundleStatus
from tongban.catalog.models import Bundle, LicenseType
from tongban.catalog.search import item_index
from tongban.core.errors import NotFound
from tongban.directory.choices import ServicePointLevel
from tongban.directory.models import ServicePoint
from tongban.portal.bundle_application import requirements_or_404
from tongban.portal.guide import item_guide
from tongban.portal.guide_pdf import guide_pdf
from tongban.portal.places import nearest_halls
from tongban.portal.search import search, search_terms

SEARCH_EXAMPLES = ["营业执照", "yyzz", "开饭店", "社保卡", "gjjtq", "新生儿出生"]


def _published_bundles():
    return Bundle.objects.filter(status=BundleStatus.PUBLISHED).order_by("code")


def _common_items() -> list:
    rows = {row.code: row for row in item_index.search("")}
    return [rows[code] for code in search_terms()["common_items"] if code in rows]


@require_GET
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "nav": "search",
            "bundles": _published_bundles(),
            "common_items": _common_items(),
            "examples": SEARCH_EXAMPLES,
        },
    )


@require_GET
def search_page(request):
    query = request.GET.get("q", "")[:100]
    result = search(query)
    template = "portal/_results.html" if request.headers.get("HX-Request") else "portal/search.html"
    return render(request, template, {"nav": "search", "result": result, "examples": SEARCH_EXAMPLES})


def _guide_or_404(code: str, region: str = ""):
    try:
        return item_guide(code.upper(), region)
    except NotFound as exc:
        raise Http404(exc.message) from None


@require_GET
def item_page(request, code):
    guide = _guide_or_404(code, request.GET.get("region", ""))
    return render(request, "portal/item.html", {"nav": "search", "guide": guide, "item": guide.item})


@require_GET
def item_pdf(request, code):
    guide = _guide_or_404(code, request.GET.get("region", ""))
    response = HttpResponse(guide_pdf(guide), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{guide.item.code}.pdf"'
    return response


@require_GET
def bundle_page(request, code):
    """一件事: its items in order, and the one form and one set of materials that replace theirs."""
    requirements = requirements_or_404(code)
    names = {m.item.code: m.item.name for m in requirements.members}
    licence_names = dict(LicenseType.objects.values_list("code", "name"))
    materials = [
        {
            **m,
            "used_by": list(dict.fromkeys(names.get(use["item"], use["item"]) for use in m["items"])),
            "licences": [licence_names.get(code, code) for code in m["replaceable_by"]],
        }
        for m in requirements.materials
    ]
    fields = [{**f, "used_by": [names.get(code, code) for code in f["items"]]} for f in requirements.fields]
    steps = [{"member": m, "waits_for": [names.get(code, code) for code in m.waits_for]} for m in requirements.members]
    return render(
        request,
        "portal/bundle.html",
        {
            "nav": "search",
            "bundle": requirements.bundle,
            "requirements": requirements,
            "steps": steps,
            "materials": materials,
            "fields": fields,
            "online": all(2 in (m.item.online_stages or []) for m in requirements.members),
        },
    )


@require_GET
def doorplate(request, code):
    """数字门牌: the page a community centre's QR code opens."""
    centre = get_object_or_404(
        ServicePoint.objects.select_related("region").prefetch_related("opening_periods"),
        code=code,
        level=ServicePointLevel.COMMUNITY_CENTRE,
        is_active=True,
    )
    return render(
        request,
        "portal/doorplate.html",
        {
            "centre": centre,
            "nearest": nearest_halls(centre),
            "common_items": _common_items(),
            "bundles": _published_bundles(),
        },
    )
