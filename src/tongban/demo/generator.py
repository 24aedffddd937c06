"""Synthetic catalog at scale for benchmarks: ``generate_city --items 15000 --service-points 200``.

Rows are bulk-inserted (this is load generation, not data entry); every row still satisfies
the model rules, and names mix real item words so search behaves as on real data.
"""

import datetime
import random
from collections.abc import Callable

from django.db import transaction

from tongban.cases.access import ACCESS_REVISION
from tongban.catalog.choices import HandlingKind, ItemStatus, ItemType, Necessity, Scope, ServiceObject
from tongban.catalog.models import Item, ItemImplementation, Material, MaterialType, ReviewPoint
from tongban.catalog.search import build_search_text
from tongban.catalog.services import bump_catalog_revision
from tongban.core.revisions import bump_revision
from tongban.directory.choices import AuthorityKind, RegionLevel, ServicePointLevel, WindowKind
from tongban.directory.models import Department, Region, ServicePoint, Window

SYNTHETIC_PREFIX = "9"  # synthetic item codes start with 9 and never collide with demo codes
SUBJECTS = [
    "食品",
    "药品",
    "医疗器械",
    "道路运输",
    "建筑垃圾",
    "户外广告",
    "特种设备",
    "危险化学品",
    "公共场所",
    "出版物",
    "娱乐场所",
    "旅行社",
    "人力资源",
    "劳务派遣",
    "民办学校",
    "养老机构",
    "排水",
    "燃气",
    "供水",
    "城市道路",
    "林木",
    "种子",
    "农药",
    "兽药",
    "饲料",
    "渔业船舶",
    "放射",
    "医师",
    "护士",
    "社会保障卡",
    "住房公积金",
]
ACTIONS = [
    "经营许可",
    "生产许可",
    "备案",
    "登记",
    "核发",
    "变更登记",
    "注销登记",
    "年检",
    "补贴申领",
    "资格认定",
    "证明开具",
]
AREAS = ["", "（市级）", "（县级）", "（分支机构）", "（临时）", "（特殊情形）"]
BATCH = 2000


def generate_city(
    *, items: int, service_points: int, seed: int = 20261121, progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    rng = random.Random(seed)
    with transaction.atomic():
        points = _generate_service_points(service_points, rng)
        made = _generate_items(items, rng, progress)
        bump_catalog_revision()
        bump_revision(ACCESS_REVISION)  # bulk inserts of service points and implementations send no signals
    return made, points


def _generate_service_points(count: int, rng: random.Random) -> int:
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY))
    if not counties or count <= 0:
        return 0
    start = ServicePoint.objects.filter(code__startswith="syn-").count()
    new_points = []
    for n in range(start, count):
        county = rng.choice(counties)
        new_points.append(
            ServicePoint(
                code=f"syn-{n:05d}",
                name=f"{county.name}合成便民服务点{n:05d}",
                level=ServicePointLevel.COMMUNITY_CENTRE,
                region=county,
                address=f"{county.name}合成路{n}号",
                latitude=round(float(county.latitude or 26) + rng.uniform(-0.05, 0.05), 6),
                longitude=round(float(county.longitude or 119.3) + rng.uniform(-0.05, 0.05), 6),
            )
        )
    ServicePoint.objects.bulk_create(new_points, batch_size=BATCH)
    created = ServicePoint.objects.filter(code__in=[p.code for p in new_points])
    Window.objects.bulk_create(
        [Window(service_point=p, number="01", kind=WindowKind.GENERAL) for p in created], batch_size=BATCH
    )
    return len(new_points)


def _generate_items(count: int, rng: random.Random, progress) -> int:
    material_types = list(MaterialType.objects.all()[:40])
    if not material_types:
        material_types = [MaterialType.objects.create(code="SYN-M001", name="申请人身份证明")]
    departments = list(Department.objects.select_related("region").exclude(kind=AuthorityKind.UTILITY))
    start = Item.objects.filter(code__startswith=SYNTHETIC_PREFIX).count()
    today = datetime.date.today()
    for batch_start in range(start, count, BATCH):
        batch = []
        for n in range(batch_start, min(count, batch_start + BATCH)):
            code = f"{SYNTHETIC_PREFIX}{n:011d}"
            name = f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(AREAS)}"
            legal = rng.choice([10, 15, 20, 20, 30])
            immediate = rng.random() < 0.2
            negative = rng.random() < 0.05
            batch.append(
                Item(
                    code=code,
                    version=1,
                    name=name,
                    item_type=rng.choice(ItemType.values),
                    authority_kind=rng.choice(AuthorityKind.values),
                    legal_basis="《合成法规》第一条",
                    conditions="",
                    service_object=rng.choice(ServiceObject.values),
                    legal_limit=legal,
                    promised_limit=0 if immediate else max(1, legal * 3 // 10),
                    handling_kind=HandlingKind.IMMEDIATE if immediate else HandlingKind.PROMISED,
                    online_stages=[1, 2, 3, 4, 5, 6],
                    result_name=f"{name}决定书",
                    scope=Scope.LOCAL if negative else rng.choice([Scope.CITY, Scope.CITY, Scope.PROVINCE]),
                    negative_reason=rng.randint(1, 6) if negative else None,
                    negative_note="合成负面清单说明" if negative else "",
                    status=ItemStatus.PUBLISHED,
                    valid_from=today,
                    search_text=build_search_text(code=code, name=name, also=f"{name}决定书"),
                )
            )
        Item.objects.bulk_create(batch, batch_size=BATCH)
        saved = list(Item.objects.filter(code__in=[i.code for i in batch]))
        Material.objects.bulk_create(
            [
                Material(item=item, material_type=mt, name=mt.name, necessity=Necessity.REQUIRED, order=k)
                for item in saved
                for k, mt in enumerate(rng.sample(material_types, min(3, len(material_types))))
            ],
            batch_size=BATCH,
        )
        ReviewPoint.objects.bulk_create(
            [ReviewPoint(item=item, order=1, question="申请材料是否齐全、符合法定形式？") for item in saved],
            batch_size=BATCH,
        )
        if departments:
            ItemImplementation.objects.bulk_create(
                [_implementation(item, rng.choice(departments)) for item in saved], batch_size=BATCH
            )
        if progress:
            progress(len(batch))
    return max(0, count - start)


def _implementation(item: Item, department: Department) -> ItemImplementation:
    impl = ItemImplementation(item_code=item.code, department=department)
    impl.code = ItemImplementation.implementation_code(department, item.code)
    return impl
