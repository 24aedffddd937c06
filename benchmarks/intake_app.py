"""The WSGI app the intake benchmark serves: Tongban plus a bare view doing the same inserts.

Not part of Tongban: ``benchmarks/intake.py`` starts gunicorn on it.
"""

import json
import os
import sys
import uuid
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.conf.production")

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from tongban.cases.models import Applicant, Case, CaseEvent, CaseMaterial  # noqa: E402
from tongban.catalog.models import ItemImplementation  # noqa: E402
from tongban.directory.models import ServicePoint  # noqa: E402


@cache
def fixed_rows() -> dict:
    implementation = ItemImplementation.objects.select_related("department").get(
        code=os.environ["BENCH_IMPLEMENTATION"]
    )
    applicant = Applicant.objects.get(id_number=os.environ["BENCH_APPLICANT"])
    item_id = int(os.environ["BENCH_ITEM"])
    return {
        "implementation": implementation,
        "applicant": applicant,
        "item_id": item_id,
        "point": ServicePoint.objects.get(code="fz-gulou"),
        "materials": [int(m) for m in os.environ["BENCH_MATERIALS"].split(",")],
    }


@csrf_exempt
def bare_intake(request):
    """The same rows as an intake (case, its materials, one event), with no validation, rights or audit logic."""
    data = json.loads(request.body)
    rows = fixed_rows()
    with transaction.atomic():
        case = Case.objects.create(
            number=uuid.uuid4().hex,
            item_id=rows["item_id"],
            implementation=rows["implementation"],
            department_id=rows["implementation"].department_id,
            applicant=rows["applicant"],
            channel="window",
            handling_mode="local",
            state="submitted",
            service_point=rows["point"],
            form_data=data.get("form_data", {}),
        )
        CaseMaterial.objects.bulk_create(CaseMaterial(case=case, material_id=m) for m in rows["materials"])
        CaseEvent.objects.create(case=case, action="submit", to_state="submitted")
    return JsonResponse({"number": case.number}, status=201)


urlpatterns = [path("bare/intake", bare_intake), path("", include("tongban.urls"))]
settings.ROOT_URLCONF = __name__  # serve Tongban's URLs plus the bare view
