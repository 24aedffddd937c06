from django.core.management.base import BaseCommand

from tongban.licences.services import expire_licences


class Command(BaseCommand):
    help = "将超过有效期的电子证照标记为已过期（每日运行）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已过期：{expire_licences()}")
