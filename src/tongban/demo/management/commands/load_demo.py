from django.core.management.base import BaseCommand

from tongban.demo.data import automation_data
from tongban.demo.loader import DEMO_PASSWORD, load_demo_city


class Command(BaseCommand):
    help = "加载演示城市（福州市原型）：区划、部门、网点与窗口、事项目录、一件事和演示账号。可重复运行，不会重复创建。"

    def handle(self, *args, **options):
        summary = load_demo_city()
        self.stdout.write(
            self.style.SUCCESS(
                f"演示城市已就绪：{summary.regions} 个区划、{summary.departments} 个部门、"
                f"{summary.service_points} 个服务网点，本次新发布 {summary.items_created} 个事项。"
            )
        )
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        self.stdout.write(f"  {'admin':<20} 系统管理员（超级用户）")
        for account in summary.accounts:
            self.stdout.write(f"  {account.username:<20} {account.role.label} · {account.name}")
        enterprise = automation_data.DEMO_ENTERPRISE
        self.stdout.write(f"  {enterprise['username']:<20} 企业用户 · {enterprise['name']}（秒批演示：渣土运输备案）")
