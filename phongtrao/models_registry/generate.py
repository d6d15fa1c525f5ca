"""Synthetic models for ``phongtrao generate`` (DOMAIN.md §10: about 4,300 models at 124,000 sites).

Per commune, from ``context.rng("models", commune.code)``: 0-3 models (1.3 on average), each run
by the commune, with 15-43 sites (29 on average, so about 37 per commune) on the commune's
generated residential areas and organisations (codes ``SIM-…``), 1-3 teams each; a few models
were retired, most have an evaluation. Rows are bulk-inserted without history or audit rows, like
the rest of the synthetic data.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from phongtrao.audit.history import history_maintenance
from phongtrao.lib.periods import year_end
from phongtrao.models_registry.models import (
    Evaluation,
    Field,
    Initiator,
    Model,
    ModelEvent,
    Result,
    Site,
    SiteStatus,
    Status,
)
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

PREFIX = "SIM-MH-"
CHUNK = 200  # communes per write batch
MODELS_PER_COMMUNE = (0, 1, 2, 3)
MODELS_WEIGHTS = (20, 40, 30, 10)  # 1.3 on average
INITIATORS = ("tinh_uy", "ubnd_tinh", "cong_an_va_nganh", "cap_xa", "co_quan_don_vi")
INITIATOR_WEIGHTS = (5, 15, 30, 45, 5)
WORDS = ("Camera an ninh", "Tổ tự quản", "Khu dân cư bình yên", "Dòng họ an toàn", "Cổng trường an toàn",
         "Doanh nghiệp an toàn", "Tiếng kẻng an ninh", "Đoạn đường tự quản", "Bến thuyền an toàn", "Chợ an toàn")


def _wipe_stale(communes: list[Unit]) -> None:
    """Synthetic models left by an earlier run whose units were removed (their sites went with them)."""
    stale = Model.objects.filter(code__startswith=PREFIX, unit__in=communes)
    if stale.exists():
        with history_maintenance():  # synthetic models' history goes with them (PostgreSQL's trigger allows it here)
            Evaluation.objects.filter(model__in=stale).delete()
            ModelEvent.objects.filter(model__in=stale).delete()
            Site.objects.filter(model__in=stale).delete()
            stale.delete()


def generate_models(context: GenerateContext) -> dict[str, int]:
    _wipe_stale(context.communes)
    fields = list(Field.objects.filter(province__isnull=True).in_catalogue_order())
    initiators = {i.code: i for i in Initiator.objects.filter(province__isnull=True, code__in=INITIATORS)}
    last_day = year_end(context.years[-1])
    counts = {"models": 0, "sites": 0, "teams": 0, "evaluations": 0}
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        places: dict[int, list[int]] = {}
        for pk, parent_id in (Unit.objects.filter(parent__in=chunk, code__startswith="SIM-").order_by("code")
                              .values_list("pk", "parent_id")):
            places.setdefault(parent_id, []).append(pk)
        planned: list[tuple[Model, list[Site], Evaluation | None]] = []
        for commune in chunk:
            rng = context.rng("models", commune.code)
            units = places.get(commune.pk, [])
            for number in range(1, rng.choices(MODELS_PER_COMMUNE, MODELS_WEIGHTS)[0] + 1):
                if not units:
                    break
                started = dt.date(rng.randint(2016, context.years[-1] - 1), rng.randint(1, 12), rng.randint(1, 28))
                model = Model(code=f"{PREFIX}{commune.code}-{number}", name=f"Mô hình {rng.choice(WORDS)} số {number}",
                              field=rng.choice(fields), initiator=initiators[rng.choices(INITIATORS,
                                                                                         INITIATOR_WEIGHTS)[0]],
                              unit=commune, started_on=started, status=Status.OPERATING)
                if rng.random() < 0.05:
                    model.status, model.retired_on = Status.RETIRED, min(started + dt.timedelta(days=900), last_day)
                    model.retired_reason = "Hoạt động không hiệu quả"
                model.refresh_derived()
                sites = []
                for unit_id in rng.sample(units, min(rng.randint(15, 43), len(units))):
                    site = Site(unit_id=unit_id, started_on=started + dt.timedelta(days=rng.randint(0, 365)),
                                teams=rng.choice((1, 1, 1, 2, 2, 3)))
                    if model.retired_on is not None:
                        site.status, site.retired_on = SiteStatus.RETIRED, max(model.retired_on, site.started_on)
                    sites.append(site)
                evaluation = None
                if rng.random() < 0.7:
                    evaluation = Evaluation(evaluated_on=min(started + dt.timedelta(days=rng.randint(180, 2000)),
                                                             last_day),
                                            evaluator=f"Công an {commune.name}",
                                            result=rng.choices(Result.values, (70, 22, 8))[0])
                planned.append((model, sites, evaluation))
        Model.objects.bulk_create([m for m, _, _ in planned], batch_size=2000)
        all_sites, evaluations = [], []
        for model, sites, evaluation in planned:
            for site in sites:
                site.model = model
            all_sites += sites
            if evaluation is not None:
                evaluation.model = model
                evaluations.append(evaluation)
        Site.objects.bulk_create(all_sites, batch_size=5000)
        Evaluation.objects.bulk_create(evaluations, batch_size=5000)
        counts["models"] += len(planned)
        counts["sites"] += len(all_sites)
        counts["teams"] += sum(s.teams for s in all_sites)
        counts["evaluations"] += len(evaluations)
    context.say(f"models: {counts['models']} models at {counts['sites']} sites")
    return counts
