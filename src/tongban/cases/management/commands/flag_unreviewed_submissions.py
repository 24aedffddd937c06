from django.core.management.base import BaseCommand

from tongban.cases.services import flag_unreviewed_submissions


class Command(BaseCommand):
    help = "行政许可法第三十二条：网上申请 5 个工作日内未预审的，前一日预警，逾期记录为视为受理。每日运行一次。"

    def handle(self, *args, **options):
        counts = flag_unreviewed_submissions()
        self.stdout.write(self.style.SUCCESS(f"预警 {counts['warned']} 件，视为受理 {counts['deemed_accepted']} 件。"))
