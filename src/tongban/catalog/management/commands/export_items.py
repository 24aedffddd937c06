from pathlib import Path

from django.core.management.base import BaseCommand

from tongban.catalog.excel import export_items
from tongban.catalog.models import Item


class Command(BaseCommand):
    help = "将现行有效的事项目录导出为 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件路径（.xlsx）")

    def handle(self, *args, path, **options):
        items = Item.objects.in_force()
        Path(path).write_bytes(export_items(items))
        self.stdout.write(self.style.SUCCESS(f"已导出 {items.count()} 个事项到 {path}。"))
