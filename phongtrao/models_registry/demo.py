"""Demo models for ``phongtrao demo``: ten models in the demo province, through the named actions.

Run by the province or by a commune, with sites on the demo residential areas and organisations,
evaluations (some recent, some long ago so that the overdue list has entries, one ineffective),
one leading example and one retired model. Idempotent: a model whose code exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.models_registry import actions
from phongtrao.models_registry.models import Field, Initiator, Model, Result, Status
from phongtrao.units.models import Kind

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

# code suffix, name, field, initiator, owner ("province" or a commune index), site kind, plan
PLAN = (
    ("01", "Camera an ninh khu dân cư", "an_ninh_khu_dan_cu", "ubnd_tinh", "province", Kind.RESIDENTIAL_AREA,
     "recent"),
    ("02", "Tổ liên gia tự quản", "an_ninh_khu_dan_cu", "cap_xa", 0, Kind.RESIDENTIAL_AREA, "overdue"),
    ("03", "Cổng trường an toàn giao thông", "giao_thong", "cong_an_va_nganh", "province", Kind.SCHOOL, "leading"),
    ("04", "Khu dân cư phòng cháy, chữa cháy", "phong_chay_chua_chay", "cong_an_va_nganh", 1,
     Kind.RESIDENTIAL_AREA, "never"),
    ("05", "Doanh nghiệp an toàn về an ninh, trật tự", "an_ninh_doanh_nghiep", "co_quan_don_vi", "province",
     Kind.ENTERPRISE, "recent"),
    ("06", "Giúp người lầm lỡ hoàn lương", "tai_hoa_nhap_cong_dong", "tinh_uy", 0, Kind.RESIDENTIAL_AREA,
     "ineffective"),
    ("07", "Tổ hòa giải ở cơ sở", "hoa_giai_co_so", "cap_xa", 2, Kind.RESIDENTIAL_AREA, "recent"),
    ("08", "Đoạn đường tự quản", "giao_thong", "cap_xa", 1, Kind.RESIDENTIAL_AREA, "overdue"),
    ("09", "Tiếng kẻng an ninh", "an_ninh_khu_dan_cu", "cap_xa", 2, Kind.RESIDENTIAL_AREA, "retired"),
    ("10", "Cơ quan an toàn", "an_ninh_doanh_nghiep", "co_quan_don_vi", "province", Kind.AGENCY, "proposed"),
)


def add_demo_models(context: DemoContext) -> None:
    prefix = f"MH-{context.province.code}-"
    have = set(Model.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    fields = {f.code: f for f in Field.objects.filter(province__isnull=True)}
    initiators = {i.code: i for i in Initiator.objects.filter(province__isnull=True)}
    today = timezone.localdate()
    site_day = max(context.demo_units().values_list("valid_from", flat=True).first() or today, dt.date(2025, 7, 1))
    site_day = min(site_day, today)
    created = sites = evaluations = 0
    for suffix, name, field, initiator, owner_key, kind, plan in PLAN:
        code = prefix + suffix
        if code in have:
            continue
        rng = context.rng("models_registry", code)
        communes = context.communes
        owner = context.province if owner_key == "province" else communes[int(owner_key) % len(communes)]
        started = min(today - dt.timedelta(days=rng.randint(800, 1500)), site_day)  # built before its sites
        model = actions.do_create_model(context.actor, code=code, name=f"Mô hình “{name}”", field=fields[field],
                                        initiator=initiators[initiator], unit=owner, started_on=started,
                                        status=Status.PROPOSED if plan == "proposed" else Status.OPERATING)
        created += 1
        if plan == "proposed":
            continue
        where = context.demo_units(kind)
        if owner != context.province:
            where = where.filter(parent=owner)
        units = list(where[:40])
        chosen = rng.sample(units, min(len(units), rng.randint(3, 8)))
        if chosen:
            sites += len(actions.do_replicate(context.actor, model.pk, chosen, started_on=site_day,
                                              teams=rng.randint(1, 3)))
        evaluations += _evaluate(context, model, plan, today, rng.randint(20, 90))
        if plan == "leading":
            actions.do_designate_leading(context.actor, model.pk, decision_no=f"{rng.randint(100, 999)}/QĐ-UBND",
                                         decision_date=today - dt.timedelta(days=30), issuer="UBND tỉnh")
        if plan == "retired":
            actions.do_retire_model(context.actor, model.pk, retired_on=today,
                                    reason="Mô hình không còn phù hợp sau khi sáp nhập thôn")
    context.add("models", created)
    context.add("model sites", sites)
    context.add("model evaluations", evaluations)
    context.say(f"models: {created} models, {sites} sites, {evaluations} evaluations" if created
                else "models: all demo models already present")


def _evaluate(context: DemoContext, model: Model, plan: str, today: dt.date, days_ago: int) -> int:
    """The evaluations a plan calls for: recent, long ago (overdue), ineffective, or none."""
    body = "Ban Chỉ đạo phong trào cấp tỉnh" if model.unit and model.unit.kind == Kind.PROVINCE else "Công an xã"
    dates = {"recent": [today - dt.timedelta(days=days_ago)], "leading": [today - dt.timedelta(days=days_ago)],
             "overdue": [today - dt.timedelta(days=500)], "ineffective": [today - dt.timedelta(days=days_ago)],
             "retired": [today - dt.timedelta(days=days_ago)]}.get(plan, [])
    result = Result.INEFFECTIVE if plan in ("ineffective", "retired") else Result.EFFECTIVE
    for day in dates:
        actions.do_record_evaluation(context.actor, model.pk, evaluated_on=day, evaluator=body, result=result,
                                     notes="Đánh giá định kỳ.")
    return len(dates)
