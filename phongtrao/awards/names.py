"""Made-up Vietnamese names and titles for demo and synthetic award recipients (no real person)."""

from __future__ import annotations

import random

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
            "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Đức", "Hữu", "Thu", "Xuân", "Kim", "Công")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh", "Lan", "Long",
         "Mai", "Nam", "Nga", "Phúc", "Phương", "Quang", "Sơn", "Tâm", "Thảo", "Thắng", "Trung", "Tuấn", "Vân",
         "Việt", "Yến")
TITLES = ("Trưởng thôn", "Tổ trưởng Tổ bảo vệ ANTT", "Tổ viên Tổ bảo vệ ANTT", "Bí thư Chi bộ",
          "Trưởng Ban công tác Mặt trận", "Chi hội trưởng Hội Cựu chiến binh", "Chi hội trưởng Hội Phụ nữ",
          "Bí thư Chi đoàn", "Công an viên", "Hội viên Hội Người cao tuổi")
ACHIEVEMENTS = (
    "Đã có thành tích xuất sắc trong phong trào toàn dân bảo vệ an ninh Tổ quốc năm {year}",
    "Đã có thành tích tiêu biểu trong xây dựng mô hình tự quản về an ninh, trật tự năm {year}",
    "Đã có thành tích trong phát hiện, tố giác tội phạm, giữ gìn an ninh, trật tự ở cơ sở năm {year}",
)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def achievement(rng: random.Random, year: int) -> str:
    return rng.choice(ACHIEVEMENTS).format(year=year)
