"""Prepare the embedded demo: migrate every database, seed each app, print the logins."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import BaseCommand, call_command

# Each app may ship a demo.py with seed_demo(stdout) -> list[str] (lines to print),
# run in this order.
DEMO_APPS = ["sandbox", "accounts", "adoption", "ingestion", "revenues"]


class Command(BaseCommand):
    help = "Migrate, seed demo data (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if "sandbox" in settings.DATABASES:
            call_command("migrate", database="sandbox", interactive=False, verbosity=0)
        lines = [self._staff("admin", "admin-pass", superuser=True)]
        for app in DEMO_APPS:
            if app not in settings.INSTALLED_APPS:
                continue
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            lines += module.seed_demo(self.stdout) or []
        self.stdout.write(self.style.SUCCESS("\nmcn-portal demo is ready:"))
        self.stdout.write(f"  Portal:      {settings.PUBLIC_BASE_URL}/")
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write("")

    def _staff(self, username: str, password: str, *, superuser: bool) -> str:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
        return f"Staff login: {settings.PUBLIC_BASE_URL}/staff/login/  {username} / {password}"
