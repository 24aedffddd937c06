from django.core.management.base import BaseCommand
from tqdm import tqdm

from tongban.demo.generator import generate_city


class Command(BaseCommand):
    help = (
        "生成大规模合成事项目录与网点（用于性能测试），如 --items 15000 --service-points 200。可重复运行，只补足差额。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=15000, help="事项总数")
        parser.add_argument("--service-points", type=int, default=0, help="合成网点总数")
        parser.add_argument("--seed", type=int, default=20261121)

    def handle(self, *args, items, service_points, seed, **options):
        with tqdm(total=items, desc="生成事项", unit="项", disable=options["verbosity"] == 0) as bar:
            made, points = generate_city(items=items, service_points=service_points, seed=seed, progress=bar.update)
        self.stdout.write(self.style.SUCCESS(f"新生成 {made} 个事项、{points} 个网点。"))
