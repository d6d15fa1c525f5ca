"""The figure cards of the home page: the user's scope unit's annual figures for the current year, read from
the annual report (``reports.annual.build_annual``: the same builders as the report, so a card never disagrees
with it). A section an installed app does not register gives no card."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from phongtrao.lib.vnformat import localized_number
from phongtrao.reports.annual import build_annual
from phongtrao.units.models import Unit


@dataclass(frozen=True)
class Card:
    key: str
    label: str | Promise
    value: int
    total: int | None = None  # "value/total" with the percentage when set
    percent: float | None = None
    note: str | Promise = ""

    @property
    def slug(self) -> str:
        return self.key.replace(".", "-").replace("_", "-")


RECOGNITION_CARDS = (
    ("residential_area", gettext_lazy("Khu dân cư đạt “An toàn về ANTT”")),
    ("commune", gettext_lazy("Xã, phường, đặc khu đạt “An toàn về ANTT”")),
    ("organisation", gettext_lazy("Cơ quan, doanh nghiệp, trường học đạt chuẩn")),
)


def cards(report: dict[str, Any]) -> list[Card]:
    """The cards of an annual report (``build_annual``'s dict); kinds with nothing to count are left out."""
    found: list[Card] = []
    recognition = report.get("recognition") or {}
    for key, label in RECOGNITION_CARDS:
        counts = recognition.get(key)
        if counts and counts["total"]:
            found.append(Card(f"recognition.{key}", label, counts["recognised"], counts["total"], counts["percent"]))
    if (models := report.get("models")) is not None:
        found.append(Card("models", gettext_lazy("Mô hình đang hoạt động"), models["models"],
                          note=gettext("%(n)s nơi áp dụng") % {"n": localized_number(models["sites"])}))
    if (awards := report.get("awards")) is not None:
        found.append(Card("awards", gettext_lazy("Tập thể, cá nhân được khen thưởng"),
                          sum(r["collective"] + r["individual"] for r in awards)))
    if (forces := report.get("forces")) is not None:
        covered = forces.get("residential_areas") or {}
        found.append(Card("forces", gettext_lazy("Khu dân cư có Tổ bảo vệ ANTT"), covered.get("covered", 0),
                          covered.get("total"), covered.get("percent")))
    if (classification := report.get("classification")) is not None:
        found.append(Card("classification", gettext_lazy("Đơn vị đã xếp loại phong trào"),
                          classification["classified"]))
    if (plans := report.get("plans")) is not None and plans.get("objectives_total"):
        found.append(Card("plans", gettext_lazy("Mục tiêu kế hoạch đã đạt"), plans["objectives_met"],
                          plans["objectives_total"]))
    return found


def scope_cards(unit: Unit, year: int) -> list[Card]:
    return cards(build_annual(unit, year))
