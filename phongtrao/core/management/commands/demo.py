"""``phongtrao demo``: build demo data on one real province (see ``phongtrao.core.demo``). Idempotent.

    phongtrao demo                    # Đà Nẵng (48), seed 2025
    phongtrao demo --province 12      # another current province
    phongtrao demo --if-empty         # only on a database without any user
    phongtrao demo --print-logins     # the demo logins and their password; builds nothing
    phongtrao demo --if-empty --print-logins   # build if empty; print the logins once either way (./run)
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from phongtrao.core.demo import DEFAULT_PROVINCE, DEFAULT_SEED, DemoError, build_demo, login_rows


class Command(BaseCommand):
    help = ("Tạo dữ liệu mẫu trên một tỉnh thật: khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục "
            "dưới từng xã, và một tài khoản cho mỗi vai trò (cần chạy `phongtrao setup` trước).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", default=DEFAULT_PROVINCE,
                            help=f"Mã tỉnh hiện hành (từ 01/7/2025); mặc định {DEFAULT_PROVINCE} (Đà Nẵng).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                            help="Hạt giống ngẫu nhiên: cùng hạt giống, cùng dữ liệu "
                                 f"(mặc định {DEFAULT_SEED}).")
        parser.add_argument("--communes", type=int, default=None, metavar="N",
                            help="Chỉ dùng N xã đầu tiên (theo mã) của tỉnh.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Không làm gì nếu cơ sở dữ liệu đã có người dùng.")
        parser.add_argument("--print-logins", action="store_true",
                            help="In danh sách tài khoản mẫu và mật khẩu rồi thoát (không tạo dữ liệu); "
                                 "cùng --if-empty: tạo nếu trống, in danh sách một lần.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_logins"] and not options["if_empty"]:
            self._print_logins(options["province"])
            return
        if options["communes"] is not None and options["communes"] < 1:
            raise CommandError("--communes must be at least 1")
        if options["if_empty"] and self._has_users():
            self.stdout.write("demo: the database already has users; nothing done (--if-empty)")
            if options["print_logins"]:  # ./run: the logins once, whether or not the demo was built now
                self._print_logins(options["province"])
            return
        started = time.monotonic()
        try:
            context = build_demo(options["province"], seed=options["seed"], commune_limit=options["communes"],
                                 write=self.stdout.write)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.monotonic() - started
        if not context.counts:
            self.stdout.write(f"demo: already present for {context.province.name}; nothing added")
            return
        totals = ", ".join(f"{n} {what}" for what, n in context.counts.items())
        self.stdout.write(self.style.SUCCESS(
            f"demo: {context.province.name}, {len(context.communes)} communes, seed {context.seed}: "
            f"created {totals} in {elapsed:.1f} s"))
        self._print_logins(options["province"])

    def _has_users(self) -> bool:
        from django.db import connection

        from phongtrao.accounts.models import User

        if User._meta.db_table not in connection.introspection.table_names():
            raise CommandError("the database is not set up: run `phongtrao setup` first")
        return User.objects.exists()

    def _print_logins(self, province_code: str) -> None:
        rows = [("username", "password", "role", "unit"), *login_rows(province_code)]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for *cells, unit in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
                              + "  " + unit)
