"""Corrections to the official register where the ``vietnam-provinces`` package disagrees with the law.

The package stays as it is (pinned, never patched); ``official_rows()`` applies this table on top of it,
and ``phongtrao setup`` writes the corrected names to the register (a correction is reviewed data in
this repository, so it is applied without ``--apply-official-changes``). Each correction carries its
legal basis, the date it holds from and, where the law is uncertain, a note saying so.

Checked on 02/12/2026 against:

- Nghị quyết số 202/2025/QH15 của Quốc hội về việc sắp xếp đơn vị hành chính cấp tỉnh, adopted and
  in force on 12/06/2025: 34 provinces, of which 28 are provinces (tỉnh) and 6 centrally-run cities
  (thành phố trực thuộc trung ương: Hà Nội, Hải Phòng, Huế, Đà Nẵng, Cần Thơ, Hồ Chí Minh). Quảng Ninh
  (code 22, kept as it was), Bắc Ninh (24, Bắc Giang + Bắc Ninh) and Đồng Nai (75, Bình Phước + Đồng Nai)
  are provinces under it.
- vietnam-provinces 2026.9.0 names 22, 24 and 75 "Thành phố ..." with division type "thành phố trung
  ương"; its changelog says only "Upgrade Quảng Ninh and Bắc Ninh" (2026.9.0, 20/09/2026) and gives no
  legal basis; its own seed file ``dev/seed-data/2025-07/Cap-tinh-2025.csv`` lists them without
  "Thành phố". We found no National Assembly resolution establishing any of the three as a centrally-run
  city (in 2026 Đồng Nai was still preparing such a proposal, aiming at 2030). If one is passed, close
  the correction with ``valid_to`` = the day before that resolution takes effect (and set its note).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from phongtrao.units.models import Kind

NQ_202 = "Nghị quyết số 202/2025/QH15 của Quốc hội về việc sắp xếp đơn vị hành chính cấp tỉnh (hiệu lực 12/06/2025)"
UNCERTAIN = ("Gói vietnam-provinces 2026.9.0 ghi là thành phố trực thuộc trung ương nhưng không nêu căn cứ; "
             "chưa tìm thấy nghị quyết của Quốc hội thành lập thành phố này. Cần kiểm tra lại khi có văn bản mới.")


@dataclass(frozen=True)
class NameCorrection:
    kind: str
    code: str
    era: str  # "new" (from 01/07/2025) or "old", as in ``official.Key``
    package_name: str  # what the package says: the correction applies only while it still says this
    name: str
    subtype: str
    legal_basis: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    note: str = ""


NAME_CORRECTIONS: tuple[NameCorrection, ...] = (
    NameCorrection(Kind.PROVINCE, "22", "new", "Thành phố Quảng Ninh", "Tỉnh Quảng Ninh", "tinh", NQ_202,
                   dt.date(2025, 6, 12), note=UNCERTAIN),
    NameCorrection(Kind.PROVINCE, "24", "new", "Thành phố Bắc Ninh", "Tỉnh Bắc Ninh", "tinh", NQ_202,
                   dt.date(2025, 6, 12), note=UNCERTAIN),
    NameCorrection(Kind.PROVINCE, "75", "new", "Thành phố Đồng Nai", "Tỉnh Đồng Nai", "tinh", NQ_202,
                   dt.date(2025, 6, 12), note=UNCERTAIN),
)


def correction_for(kind: str, code: str, era: str, package_name: str,
                   on: dt.date | None = None) -> NameCorrection | None:
    """The correction for a package row, if one holds on ``on`` (default: today) and the package still
    says what the correction was written against (a later package that fixes itself is taken as is)."""
    from django.utils import timezone

    day = on or timezone.localdate()
    for c in NAME_CORRECTIONS:
        if (c.kind, c.code, c.era, c.package_name) == (kind, code, era, package_name) \
                and c.valid_from <= day and (c.valid_to is None or day <= c.valid_to):
            return c
    return None
