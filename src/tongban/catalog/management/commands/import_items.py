from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from tongban.catalog.excel import ImportFailed, import_items


class Command(BaseCommand):
    help = "从 Excel 导入事项目录（事项、业务办理项、申请材料、审查要点）；任何一行有误则不导入任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="Excel 文件路径（.xlsx）")
        parser.add_argument("--publish", action="store_true", help="导入后立即发布")

    def handle(self, *args, path, publish, **options):
        with tqdm(desc="导入事项", unit="项", disable=options["verbosity"] == 0) as bar:
            try:
                result = import_items(path, publish=publish, progress=bar.update)
            except ImportFailed as failed:
                for problem in failed.errors:
                    self.stderr.write(str(problem))
                raise CommandError(f"导入失败：{len(failed.errors)} 处错误，未导入任何数据。") from None
        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(self.style.SUCCESS(f"已导入 {len(result.items)} 个事项。"))
