from django.core.management.base import BaseCommand

from tongban.appointments.services import mark_missed


class Command(BaseCommand):
    help = "将已过时段且未到场取号的预约标记为爽约（建议每日闭厅后运行）。"

    def handle(self, *args, **options):
        count = mark_missed()
        self.stdout.write(f"标记爽约 {count} 个预约。")
