from django.core.management.base import BaseCommand

from tongban.portal.staging import purge_expired


class Command(BaseCommand):
    help = "删除已过期的暂存上传文件（申请表出错后为申请人保留、但未再提交的文件；每日运行）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已删除：{purge_expired()}")
