"""Load the demo city (DESIGN §6) — idempotent: a second run changes nothing and duplicates nothing.

Everything goes through the same services as real data (catalog drafts are written and
published by ``catalog.services``), keyed by natural keys (region code, credit code, service
point code, item code).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from tongban.cases.choices import ApplicantKind, IdType, Right
from tongban.cases.grants import create_grant
from tongban.cases.models import Applicant, Grant
from tongban.catalog.models import Item, ItemImplementation, LicenseType, MaterialType
from tongban.catalog.services import ItemDraft, publish_item, write_bundle, write_item_draft
from tongban.core.identifiers import make_credit_code
from tongban.demo import context_processors
from tongban.demo.citizens import load_citizens
from tongban.demo.data import automation_data, catalog_data, city_data
from tongban.demo.models import DemoDataset
from tongban.demo.queue_demo import load_queue_demo
from tongban.directory.choices import AuthorityKind, RegionLevel, WindowKind
from tongban.directory.models import Department, OpeningPeriod, Region, ServicePoint, Window
from tongban.directory.roles import Role
from tongban.directory.services import assign_staff
from tongban.licences.models import ELicense
from tongban.licences.services import issue_licence

DATASET_NAME = "福州演示城市"
DEMO_PASSWORD = "tongban-demo"
# Demo items come into force on a fixed date so repeated loads produce identical rows.
DEMO_VALID_FROM = datetime.date(2026, 1, 1)

# Department name by authority kind: (city-level name suffix, county-level name suffix).
DEPARTMENT_NAMES = {
    AuthorityKind.MARKET: ("市场监督管理局", "市场监督管理局"),
    AuthorityKind.PUBLIC_SECURITY: ("公安局", "公安分局"),
    AuthorityKind.HRSS: ("人力资源和社会保障局", "人力资源和社会保障局"),
    AuthorityKind.MEDICAL_INSURANCE: ("医疗保障局", "医疗保障局"),
    AuthorityKind.HOUSING_FUND: ("住房公积金中心", "住房公积金管理部"),
    AuthorityKind.REAL_ESTATE: ("不动产登记和交易中心", "不动产登记中心"),
    AuthorityKind.TAX: ("税务局", "税务局"),
    AuthorityKind.CIVIL_AFFAIRS: ("民政局", "民政局"),
    AuthorityKind.HEALTH: ("卫生健康委员会", "卫生健康局"),
    AuthorityKind.TRANSPORT: ("交通运输局", "交通运输局"),
    AuthorityKind.URBAN_MANAGEMENT: ("城市管理委员会", "城市管理局"),
    AuthorityKind.HOUSING_CONSTRUCTION: ("城乡建设局", "住房和城乡建设局"),
    AuthorityKind.ECOLOGY: ("生态环境局", "生态环境局"),
    AuthorityKind.NATURAL_RESOURCES: ("自然资源和规划局", "自然资源和规划局"),
    AuthorityKind.EDUCATION: ("教育局", "教育局"),
    AuthorityKind.CULTURE_TOURISM: ("文化和旅游局", "文体旅游局"),
    AuthorityKind.AGRICULTURE: ("农业农村局", "农业农村局"),
    AuthorityKind.EMERGENCY: ("应急管理局", "应急管理局"),
    AuthorityKind.JUSTICE: ("司法局", "司法局"),
    AuthorityKind.COMMERCE: ("商务局", "商务局"),
    AuthorityKind.DISABLED_PERSONS: ("残疾人联合会", "残疾人联合会"),
}
# Water, power, gas and cable TV are four providers of one kind; an item goes to the one its name names.
UTILITY_PROVIDERS = [
    ("有线电视", "福建广电网络集团福州分公司", "00100004"),
    ("水", "福州水务集团有限公司", "00100001"),
    ("电", "国网福州供电公司", "00100002"),
    ("气", "福州华润燃气有限公司", "00100003"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    name: str
    role: Role
    service_point: str | None = None  # service point code
    department: tuple[str, str] | None = None  # (region code, authority kind)


DEMO_ACCOUNTS = [
    DemoAccount("clerk_gulou", "鼓楼综窗 林晓", Role.CLERK, service_point="fz-gulou"),
    DemoAccount("clerk_city", "市中心综窗 陈静", Role.CLERK, service_point="fz-city"),
    DemoAccount("agent_community", "社区代办员 黄丽", Role.PROXY_AGENT, service_point=None),
    DemoAccount("approver_cangshan", "仓山市监审批 王强", Role.APPROVER, department=("350104", AuthorityKind.MARKET)),
    DemoAccount("approver_gulou", "鼓楼市监审批 郑敏", Role.APPROVER, department=("350102", AuthorityKind.MARKET)),
    DemoAccount(
        "catalog_market", "市市场监管局目录管理员 吴刚", Role.CATALOG_ADMIN, department=("350100", AuthorityKind.MARKET)
    ),
    DemoAccount("hall_gulou", "鼓楼大厅管理员 刘洋", Role.HALL_ADMIN, service_point="fz-gulou"),
    DemoAccount("hall_city", "市中心大厅管理员 张华", Role.HALL_ADMIN, service_point="fz-city"),
    DemoAccount("kiosk_gulou", "鼓楼大厅取号机 1 号", Role.KIOSK, service_point="fz-gulou"),
    DemoAccount("supervisor", "管委会监管 何平", Role.SUPERVISOR),
]


def _government_credit_code(region_code: str, serial: int) -> str:
    return make_credit_code(f"11{region_code}", f"{serial:08d}")


def load_regions() -> dict[str, Region]:
    regions: dict[str, Region] = {}

    def put(code, name, level, parent, lat, lng):
        region, _ = Region.objects.update_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent, "latitude": lat, "longitude": lng}
        )
        regions[code] = region

    city = city_data.CITY
    put(city["code"], city["name"], RegionLevel.CITY, None, city["lat"], city["lng"])
    for county in city_data.COUNTIES:
        put(county["code"], county["name"], RegionLevel.COUNTY, regions[city["code"]], county["lat"], county["lng"])
    for town in city_data.TOWNS:
        put(town["code"], town["name"], RegionLevel.TOWN, regions[town["parent"]], town["lat"], town["lng"])
    for community in city_data.COMMUNITIES:
        put(
            community["code"],
            community["name"],
            RegionLevel.COMMUNITY,
            regions[community["parent"]],
            community["lat"],
            community["lng"],
        )
    return regions


def load_departments(regions: dict[str, Region]) -> dict[tuple[str, str], Department]:
    """One department per (jurisdiction, authority kind) the demo items need; utilities by provider name."""
    departments: dict[tuple[str, str], Department] = {}
    jurisdictions = [city_data.CITY["code"], *(c["code"] for c in city_data.COUNTIES)]
    kinds = list(DEPARTMENT_NAMES)
    for region_index, code in enumerate(jurisdictions):
        region = regions[code]
        is_city = region.level == RegionLevel.CITY
        for kind_index, kind in enumerate(kinds):
            if kind == AuthorityKind.HOUSING_FUND and not is_city:
                continue
            suffix = DEPARTMENT_NAMES[kind][0 if is_city else 1]
            name = f"{region.name}{suffix}" if kind != AuthorityKind.TAX else f"国家税务总局{region.name}{suffix}"
            credit_code = _government_credit_code(code, region_index * 100 + kind_index + 1)
            department, _ = Department.objects.update_or_create(
                credit_code=credit_code, defaults={"name": name, "region": region, "kind": kind}
            )
            departments[(code, kind)] = department
    city = regions[city_data.CITY["code"]]
    for keyword, name, org_body in UTILITY_PROVIDERS:
        department, _ = Department.objects.update_or_create(
            credit_code=make_credit_code(f"91{city.code}", org_body),
            defaults={"name": name, "region": city, "kind": AuthorityKind.UTILITY},
        )
        departments[(city.code, f"utility:{keyword}")] = department
    return departments


def load_service_points(regions: dict[str, Region]) -> dict[str, ServicePoint]:
    """Create the demo halls and centres once; a rerun leaves what hall admins changed since alone."""
    points = {}
    for data in [*city_data.HALLS, *city_data.CENTRES]:
        point, created = ServicePoint.objects.get_or_create(
            code=data["key"],
            defaults={
                "name": data["name"],
                "level": data["level"],
                "region": regions[data["region"]],
                "address": data["address"],
                "latitude": data["lat"],
                "longitude": data["lng"],
                "phone": data["phone"],
            },
        )
        points[point.code] = point
        if not created:
            continue
        OpeningPeriod.objects.bulk_create(
            OpeningPeriod(service_point=point, weekday=int(day), opens=opens, closes=closes)
            for day, periods in city_data.HOURS[data["hours"]].items()
            for opens, closes in periods
        )
        windows = [Window(service_point=point, number=f"{n:02d}") for n in range(1, data["general_windows"] + 1)]
        for zone_index, zone in enumerate(data["zones"]):
            letter = chr(ord("A") + zone_index)
            windows += [
                Window(
                    service_point=point,
                    number=f"{letter}{n:02d}",
                    kind=WindowKind.ZONE,
                    zone_name=zone["name"],
                    zone_authorities=zone["authorities"],
                )
                for n in range(1, zone["windows"] + 1)
            ]
        Window.objects.bulk_create(windows)
    return points


def load_catalog(departments: dict[tuple[str, str], Department]) -> int:
    for data in catalog_data.LICENSE_TYPES:
        LicenseType.objects.update_or_create(
            code=data["code"],
            defaults={
                "name": data["name"],
                "holder_kind": data["holder"],
                "issuer_kind": data["issuer_kind"],
                "validity_years": automation_data.LICENCE_VALIDITY_YEARS.get(data["code"]),
                "face_fields": automation_data.LICENCE_FACE_FIELDS.get(data["code"], []),
            },
        )
    for data in catalog_data.MATERIAL_TYPES:
        MaterialType.objects.update_or_create(
            code=data["code"],
            defaults={"name": data["name"], "filled_online": data["code"] in automation_data.FILLED_ONLINE_TYPES},
        )

    existing = set(Item.objects.values_list("code", flat=True))
    licenses = {lt.code: lt for lt in LicenseType.objects.all()}
    created = 0
    for data in catalog_data.ITEMS:
        if data["code"] not in existing:
            item = write_item_draft(item_draft(data, licenses))
            publish_item(item, valid_from=DEMO_VALID_FROM)
            created += 1
        for department in implementing_departments(data, departments):
            ItemImplementation.objects.get_or_create(item_code=data["code"], department=department)
    for bundle in catalog_data.BUNDLES:
        write_bundle(
            code=bundle["code"],
            name=bundle["name"],
            description=bundle["description"],
            members=bundle["members"],
            publish=True,
        )
    return created


def item_draft(data: dict, licenses: dict[str, LicenseType]) -> ItemDraft:
    negative = data.get("negative") or {}
    return ItemDraft(
        fields={
            "code": data["code"],
            "name": data["name"],
            "item_type": data["type"],
            "authority_kind": data["authority"],
            "legal_basis": data["legal_basis"],
            "conditions": data["conditions"],
            "service_object": data["object"],
            "legal_limit": data["legal_limit"],
            "promised_limit": data["promised_limit"],
            "handling_kind": data["handling"],
            "online_stages": data["depth"],
            "required_visits": data["visits"],
            "fee": data["fee"],
            "fee_note": data.get("fee_note", ""),
            "result_name": data["result"],
            "result_license_type": licenses.get(data["license"]) if data.get("license") else None,
            "scope": data["scope"],
            "negative_reason": negative.get("reason"),
            "negative_note": negative.get("note", ""),
            "allows_commitment": data.get("commitment", False),
            "commitment_text": automation_data.COMMITMENT_TEXT.format(item=data["name"])
            if data.get("commitment")
            else "",
            "form_fields": data.get("fields", []),
        },
        rules=automation_data.APPROVAL_RULES.get(data["code"], []),
        sub_items=[
            {
                "name": s["name"],
                "kind": s["kind"],
                "legal_limit": s.get("legal_limit"),
                "promised_limit": s.get("promised_limit"),
            }
            for s in data.get("sub_items", [])
        ],
        materials=[
            {
                "sub_item": m.get("sub_item"),
                "material_type": m["type"],
                "name": m["name"],
                "form": m["form"],
                "source": m["source"],
                "necessity": m["necessity"],
                "copies": m.get("copies", 1),
                "original_checked": m.get("original", False),
                "acceptance_standard": m.get("standard", ""),
                "replaceable_by": m.get("licenses", []),
            }
            for m in data["materials"]
        ],
        review_points=[
            {"sub_item": p.get("sub_item"), "question": p["question"], "required": p.get("required", True)}
            for p in data["review_points"]
        ],
    )


def implementing_departments(data: dict, departments: dict[tuple[str, str], Department]) -> list[Department]:
    city_code = city_data.CITY["code"]
    if data["authority"] == AuthorityKind.UTILITY:
        for keyword, _name, _org in UTILITY_PROVIDERS:
            if keyword in data["name"]:
                return [departments[(city_code, f"utility:{keyword}")]]
        return [departments[(city_code, "utility:水")]]
    codes = []
    if "city" in data["levels"]:
        codes.append(city_code)
    if "county" in data["levels"]:
        codes.extend(data.get("regions") or [c["code"] for c in city_data.COUNTIES])
    return [departments[(code, data["authority"])] for code in codes if (code, data["authority"]) in departments]


def load_accounts(points: dict[str, ServicePoint], departments: dict[tuple[str, str], Department]) -> list[DemoAccount]:
    user_model = get_user_model()
    admin, created = user_model.objects.get_or_create(
        username="admin", defaults={"first_name": "系统管理员", "is_staff": True, "is_superuser": True}
    )
    if created:  # a rerun keeps passwords people have changed
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    community_point = next(code for code, p in points.items() if p.level == "community_centre")
    for account in DEMO_ACCOUNTS:
        user, created = user_model.objects.get_or_create(
            username=account.username, defaults={"first_name": account.name}
        )
        if not created:
            continue  # a rerun keeps passwords and workplaces people have changed
        user.set_password(DEMO_PASSWORD)
        user.save()
        point_code = account.service_point or (community_point if account.role == Role.PROXY_AGENT else None)
        assign_staff(
            user,
            role=account.role,
            service_point=points[point_code] if point_code else None,
            department=departments[account.department] if account.department else None,
        )
    return DEMO_ACCOUNTS


# 授权信任 in the demo: Cangshan's market bureau lets the Gulou hall act for it (the walk-in demo).
DEMO_GRANTS = [(("350104", AuthorityKind.MARKET), "fz-gulou")]


def load_grants(departments: dict[tuple[str, str], Department], points: dict[str, ServicePoint]) -> None:
    granter = get_user_model().objects.get(username="admin")
    for department_key, point_code in DEMO_GRANTS:
        department, point = departments[department_key], points[point_code]
        if not Grant.objects.filter(department=department, service_point=point).exists():
            create_grant(
                by=granter,
                department=department,
                service_point=point,
                rights=list(Right.values),
                valid_from=timezone.make_aware(datetime.datetime.combine(DEMO_VALID_FROM, datetime.time())),
            )


def load_licences(departments: dict[tuple[str, str], Department]) -> None:
    """The demo enterprise, its user account and its e-licences (for 一证通办 and 秒批)."""
    data = automation_data.DEMO_ENTERPRISE
    credit_code = make_credit_code(data["credit_prefix"], data["org_body"])
    user, created = get_user_model().objects.get_or_create(
        username=data["username"], defaults={"first_name": data["account_name"]}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    applicant, _ = Applicant.objects.get_or_create(
        id_type=IdType.CREDIT_CODE,
        id_number=credit_code,
        defaults={"kind": ApplicantKind.ENTERPRISE, "name": data["name"], "user": user},
    )
    held = set(ELicense.objects.filter(holder_code=credit_code).values_list("license_type__code", flat=True))
    for entry in data["licences"]:
        if entry["type"] in held:
            continue
        issue_licence(
            license_type=LicenseType.objects.get(code=entry["type"]),
            holder_name=applicant.name,
            holder_code=credit_code,
            holder_code_type=IdType.CREDIT_CODE,
            issuer=departments[entry["issuer"]],
            data=entry["data"],
            issued_on=timezone.localdate() - datetime.timedelta(days=entry["days_ago"]),
        )


@dataclass
class LoadSummary:
    regions: int
    departments: int
    service_points: int
    items_created: int
    accounts: list[DemoAccount]


@transaction.atomic
def load_demo_city() -> LoadSummary:
    regions = load_regions()
    departments = load_departments(regions)
    points = load_service_points(regions)
    created = load_catalog(departments)
    accounts = load_accounts(points, departments)
    load_grants(departments, points)
    load_licences(departments)
    load_citizens(DEMO_PASSWORD)
    load_queue_demo(points)
    DemoDataset.objects.update_or_create(name=DATASET_NAME)
    transaction.on_commit(lambda: cache.delete(context_processors.CACHE_KEY))
    return LoadSummary(len(regions), len(departments), len(points), created, accounts)
