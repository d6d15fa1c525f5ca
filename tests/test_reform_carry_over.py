"""Carrying Đà Nẵng's units over the 2025 reform (issue 14 item 1): whole and split communes, the district
rule, the preview that writes nothing, re-runs that carry nothing twice, the CSV of assignments, the command.

Expected parents are computed here from the ``vietnam-provinces`` package itself (its old -> new wards), not
from the ``Succession`` rows the carry-over reads."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from io import StringIO
from typing import Any

import pytest
import vietnam_provinces as vp
from django.core.management import CommandError, call_command
from vietnam_provinces import legacy

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, ManagingLevel, Succession, SuccessionKind, Unit, UnitAncestor
from phongtrao.units.reform import do_carry_over, parse_assignments, plan_carry_over

pytestmark = pytest.mark.django_db
LAST_OLD = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)
SYSTEM = Actor.system()


def package_successors(province: int = 48) -> dict[str, list[str]]:
    """Old ward code -> the new ward codes of ``province`` that took (part of) it, from the package."""
    out: dict[str, list[str]] = defaultdict(list)
    for ward in vp.Ward.iter_all():
        if int(ward.province_code) == province:
            for old in ward.get_legacy_sources():
                out[str(int(old.code)).zfill(5)].append(str(int(ward.code)).zfill(5))
    return {old: sorted(news) for old, news in out.items()}


SUCCESSORS = package_successors()
OLD_WARDS = {str(int(w.code)).zfill(5): w for w in legacy.Ward.iter_all()}
SPLIT = sorted(old for old, news in SUCCESSORS.items() if len(news) > 1)
WHOLE_QN = sorted(old for old, news in SUCCESSORS.items() if len(news) == 1 and int(OLD_WARDS[old].province_code) == 49)
WHOLE_DN = sorted(old for old, news in SUCCESSORS.items() if len(news) == 1 and int(OLD_WARDS[old].province_code) == 48)


def expected_suggestion(old: str) -> str:
    news = SUCCESSORS[old]  # no weights in the package: the one that kept the old code, then the lowest code
    return old if old in news else news[0]


def old_unit(code: str, kind: str = Kind.COMMUNE) -> Unit:
    return Unit.objects.of_kind(kind).with_code(code, LAST_OLD).get()


def new_unit(code: str, kind: str = Kind.COMMUNE) -> Unit:
    return Unit.objects.of_kind(kind).with_code(code, REFORM).get()


def area(code: str, parent: Unit, **extra: Any) -> Unit:
    return do_create_unit(SYSTEM, code=code, name=f"Thôn {code}", kind=Kind.RESIDENTIAL_AREA, parent_id=parent.pk,
                          subtype="thon", households=120, valid_to=LAST_OLD, **extra)


def org(code: str, kind: str, parent: Unit, managed_by: str, **extra: Any) -> Unit:
    return do_create_unit(SYSTEM, code=code, name=f"Đơn vị {code}", kind=kind, parent_id=parent.pk,
                          managed_by=managed_by, valid_to=LAST_OLD, **extra)


@pytest.fixture
def world(official_register: None) -> dict[str, Any]:
    whole_qn, whole_dn, split = WHOLE_QN[0], WHOLE_DN[0], SPLIT[0]
    district = old_unit(str(int(OLD_WARDS[whole_qn].district_code)).zfill(3), Kind.DISTRICT)
    units = {
        "qn": [area(f"T-{whole_qn}-{n}", old_unit(whole_qn)) for n in range(1, 4)],
        "dn": [area(f"T-{whole_dn}-{n}", old_unit(whole_dn)) for n in range(1, 3)],
        "split": [area(f"T-{split}-{n}", old_unit(split)) for n in range(1, 5)],
        "district_org": [org("CQ-H-1", Kind.AGENCY, district, ManagingLevel.DISTRICT)],
        "district_in_commune": [org("TH-H-1", Kind.SCHOOL, old_unit(whole_dn), ManagingLevel.DISTRICT,
                                    school_level="thcs")],
        "province_org": [org("DN-T-1", Kind.ENTERPRISE, old_unit("49", Kind.PROVINCE), ManagingLevel.PROVINCE,
                             size="large")],
    }
    return {"province": new_unit("48", Kind.PROVINCE), "district": district, "whole_qn": whole_qn,
            "whole_dn": whole_dn, "split": split, "units": units}


def counts() -> tuple[int, int, int, int]:
    return Unit.objects.count(), Succession.objects.count(), UnitAncestor.objects.count(), AuditEntry.objects.count()


def test_the_package_has_what_the_tests_need() -> None:
    assert SPLIT and WHOLE_QN and WHOLE_DN
    assert len(SUCCESSORS) == sum(1 for _ in SUCCESSORS)  # every old ward of Đà Nẵng's new wards


def test_the_preview_lists_every_unit_with_its_suggestion_and_writes_nothing(world: dict[str, Any]) -> None:
    before = counts()
    plan = plan_carry_over(world["province"], district_rule="province")
    assert counts() == before
    carried = [u for group in world["units"].values() for u in group]
    assert sorted(i.old.code for i in plan.items) == sorted(u.code for u in carried)
    assert plan.old_communes == len(SUCCESSORS)
    by_code = {i.old.code: i for i in plan.items}
    for unit in world["units"]["qn"]:
        assert by_code[unit.code].target.code == SUCCESSORS[world["whole_qn"]][0]
        assert not by_code[unit.code].needs_choice
    for unit in world["units"]["split"]:
        item = by_code[unit.code]
        assert sorted(c.code for c in item.candidates) == SUCCESSORS[world["split"]]
        assert item.target.code == expected_suggestion(world["split"])
    assert by_code["CQ-H-1"].target == world["province"]
    assert by_code["DN-T-1"].target == world["province"]
    # A dry run checks everything and writes nothing either.
    result = do_carry_over(SYSTEM, world["province"].pk, district_rule="province", dry_run=True)
    assert result.carried == 0 and counts() == before


def test_carry_over_gives_each_unit_a_new_version_under_the_new_commune(world: dict[str, Any]) -> None:
    province = world["province"]
    split_target = next(c for c in SUCCESSORS[world["split"]] if c != expected_suggestion(world["split"]))
    first_split = world["units"]["split"][0]
    assignments = {first_split.pk: new_unit(split_target).pk}
    result = do_carry_over(SYSTEM, province.pk, district_rule="province", assignments=assignments)
    expected = sum(len(group) for group in world["units"].values())
    assert result.carried == expected
    for group, old_code in (("qn", world["whole_qn"]), ("dn", world["whole_dn"]), ("split", world["split"])):
        for unit in world["units"][group]:
            link = Succession.objects.get(predecessor=unit)
            new = link.successor
            assert (new.code, new.name, new.kind, new.households) == (unit.code, unit.name, unit.kind, 120)
            assert (new.valid_from, new.valid_to, link.effective_on) == (REFORM, None, REFORM)
            assert (link.kind, link.weight) == (SuccessionKind.RENAME, 1)
            want = split_target if unit == first_split else (
                expected_suggestion(old_code) if group == "split" else SUCCESSORS[old_code][0])
            assert new.parent.code == want and new.parent.valid_from == REFORM
            assert Unit.objects.in_subtree(province).filter(pk=new.pk).exists()  # the closure rows
            unit.refresh_from_db()
            assert unit.valid_to == LAST_OLD and unit.parent.valid_to == LAST_OLD  # the old version is untouched
    district_org = Succession.objects.get(predecessor=world["units"]["district_org"][0]).successor
    assert district_org.parent == province and district_org.managed_by == ManagingLevel.PROVINCE
    in_commune = Succession.objects.get(predecessor=world["units"]["district_in_commune"][0]).successor
    assert in_commune.parent.code == SUCCESSORS[world["whole_dn"]][0]
    assert in_commune.managed_by == ManagingLevel.PROVINCE
    assert Succession.objects.get(predecessor=world["units"]["province_org"][0]).successor.parent == province
    assert AuditEntry.objects.filter(action="unit.carry_over").count() == expected
    summary = AuditEntry.objects.get(action="reform.carry_over")
    assert summary.after["carried"] == expected and summary.after["assigned"] == 1


def test_running_again_carries_nothing_twice(world: dict[str, Any]) -> None:
    province = world["province"]
    first = do_carry_over(SYSTEM, province.pk, district_rule="province")
    before = counts()
    again = do_carry_over(SYSTEM, province.pk, district_rule="province")
    assert again.carried == 0 and again.plan.skipped == first.carried
    assert counts() == before
    # A unit added later is carried by the next run, alone.
    late = area("T-LATE-1", old_unit(world["whole_qn"]))
    third = do_carry_over(SYSTEM, province.pk, district_rule="province")
    assert [u.code for u in third.created] == [late.code] and third.plan.skipped == first.carried


def test_the_district_rule_must_be_confirmed_and_commune_rule_suggests_the_main_commune(
        world: dict[str, Any]) -> None:
    province = world["province"]
    with pytest.raises(ActionError) as refused:
        do_carry_over(SYSTEM, province.pk)
    assert "district_rule" in refused.value.errors
    assert not Succession.objects.filter(predecessor__in=world["units"]["qn"]).exists()  # all or nothing
    district_code = str(int(OLD_WARDS[world["whole_qn"]].district_code)).zfill(3)
    received: Counter[str] = Counter()
    for old, news in SUCCESSORS.items():
        if str(int(OLD_WARDS[old].district_code)).zfill(3) == district_code:
            received.update(news)
    main = min(received, key=lambda code: (-received[code], code))
    result = do_carry_over(SYSTEM, province.pk, district_rule="commune")
    new = Succession.objects.get(predecessor=world["units"]["district_org"][0]).successor
    assert new.parent.code == main and new.managed_by == ManagingLevel.COMMUNE
    assert result.carried == sum(len(group) for group in world["units"].values())


def test_an_assignment_outside_the_successors_is_refused(world: dict[str, Any]) -> None:
    province = world["province"]
    unit = world["units"]["split"][0]
    stranger = new_unit(SUCCESSORS[world["whole_qn"]][0])
    assert stranger.code not in SUCCESSORS[world["split"]]
    before = counts()
    with pytest.raises(ActionError):
        do_carry_over(SYSTEM, province.pk, district_rule="province", assignments={unit.pk: stranger.pk})
    assert counts() == before


def test_a_stale_preview_is_refused(world: dict[str, Any]) -> None:
    province = world["province"]
    plan = plan_carry_over(province, district_rule="province")
    area("T-LATE-2", old_unit(world["whole_qn"]))
    before = counts()
    with pytest.raises(StaleVersion):
        do_carry_over(SYSTEM, province.pk, district_rule="province", expected_fingerprint=plan.fingerprint)
    assert counts() == before
    fresh = plan_carry_over(province, district_rule="province")
    assert do_carry_over(SYSTEM, province.pk, district_rule="province",
                         expected_fingerprint=fresh.fingerprint).carried == len(fresh.items)


def test_a_code_already_used_after_the_reform_is_refused(world: dict[str, Any]) -> None:
    unit = world["units"]["qn"][0]
    do_create_unit(SYSTEM, code=unit.code, name="Thôn mới", kind=Kind.RESIDENTIAL_AREA,
                   parent_id=new_unit(SUCCESSORS[world["whole_qn"]][0]).pk, subtype="thon", valid_from=REFORM)
    before = counts()
    with pytest.raises(ActionError) as refused:
        do_carry_over(SYSTEM, world["province"].pk, district_rule="province")
    assert unit.code in refused.value.errors["code"][0] and counts() == before


def test_the_csv_of_assignments_all_or_nothing_with_row_errors(world: dict[str, Any]) -> None:
    province = world["province"]
    plan = plan_carry_over(province, district_rule="province")
    split = world["units"]["split"]
    other = next(c for c in SUCCESSORS[world["split"]] if c != expected_suggestion(world["split"]))
    bad = ("unit_code,commune_code\n"
           f"{split[0].code},{other}\n"
           f"NOPE-1,{other}\n"
           f"{split[1].code},{SUCCESSORS[world['whole_qn']][0]}\n"
           f"{split[0].code},{other}\n"
           f",{other}\n")
    assignments, errors = parse_assignments(plan, "a.csv", bad.encode())
    assert assignments == {}
    assert [str(e).split(":")[:2] for e in errors] == [
        ["row 3", " unit_code"], ["row 4", " commune_code"], ["row 5", " unit_code"], ["row 6", " unit_code"]]
    assert "dòng 2" in errors[2].message
    _, missing = parse_assignments(plan, "a.csv", b"unit_code\nX\n")
    assert [str(e) for e in missing] == ["row 1: commune_code: thiếu cột bắt buộc “commune_code” (Mã xã mới)"]
    good = f"Mã đơn vị,Mã xã mới\n{split[0].code},{other}\n{split[1].code},{other}\n"
    assignments, errors = parse_assignments(plan, "a.csv", good.encode())
    assert errors == [] and set(assignments) == {split[0].pk, split[1].pk}
    do_carry_over(SYSTEM, province.pk, district_rule="province", assignments=assignments)
    parents = {u.code: Succession.objects.get(predecessor=u).successor.parent.code for u in split}
    assert parents == {split[0].code: other, split[1].code: other,
                       split[2].code: expected_suggestion(world["split"]),
                       split[3].code: expected_suggestion(world["split"])}


def test_the_command(world: dict[str, Any], tmp_path: Any) -> None:
    out = StringIO()
    call_command("reform", "carry-over", "--province", "48", "--district-rule", "province", "--dry-run", stdout=out)
    assert '"to_carry": 12' in out.getvalue() and '"carried": 0' in out.getvalue()
    assert not Succession.objects.filter(predecessor__in=world["units"]["qn"]).exists()
    with pytest.raises(CommandError):
        call_command("reform", "carry-over", "--province", "48", stdout=StringIO(), stderr=StringIO())
    csv = tmp_path / "bad.csv"
    csv.write_text("unit_code,commune_code\nNOPE,00001\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("reform", "carry-over", "--province", "48", "--district-rule", "province",
                     "--assignments", str(csv), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith("row 2: unit_code:")
    out = StringIO()
    call_command("reform", "carry-over", "--province", "48", "--district-rule", "province", stdout=out)
    assert '"carried": 12' in out.getvalue()
    with pytest.raises(CommandError):
        call_command("reform", "carry-over", "--province", "99", stdout=StringIO())


def test_the_guided_page_previews_assigns_in_bulk_and_confirms(world: dict[str, Any], make_user: Any,
                                                                 client: Any) -> None:
    from django.urls import reverse

    from phongtrao.accounts.models import Role

    province = world["province"]
    url = reverse("units:reform_carry_over")
    client.force_login(make_user("tinh48", Role.PROVINCE_OFFICER, province))
    before = counts()
    page = client.get(url, {"province": province.pk})
    assert page.status_code == 200 and counts() == before
    text = page.content.decode()
    assert "12 đơn vị" in text and all(u.code in text for u in world["units"]["split"])
    split_old = old_unit(world["split"])
    other = next(c for c in SUCCESSORS[world["split"]] if c != expected_suggestion(world["split"]))
    fingerprint = page.context["plan"].fingerprint
    posted = {"province": province.pk, "district_rule": "province", "fingerprint": fingerprint,
              f"bulk-{split_old.pk}": new_unit(other).pk}
    preview = client.post(url, {**posted, "step": "preview"})
    assert preview.status_code == 200 and counts() == before
    assert all(i.target.code == other for i in preview.context["plan"].items if i.old.parent_id == split_old.pk)
    done = client.post(url, {**posted, "step": "confirm"})
    assert done.status_code == 302
    assert {Succession.objects.get(predecessor=u).successor.parent.code for u in world["units"]["split"]} == {other}
    assert AuditEntry.objects.filter(action="reform.carry_over", user__username="tinh48").count() == 1
    # Nothing is left; a stale fingerprint after that is refused with a message, not a 500.
    again = client.post(url, {**posted, "step": "confirm"})
    assert again.status_code == 200 and again.context["errors"] and counts() != before
    client.force_login(make_user("xa", Role.COMMUNE_OFFICER, new_unit(SUCCESSORS[world["whole_qn"]][0])))
    assert client.get(url).status_code == 403
    hanoi = Unit.objects.of_kind(Kind.PROVINCE).with_code("01", REFORM).get()
    client.force_login(make_user("tinh01", Role.PROVINCE_OFFICER, hanoi))
    assert client.get(url, {"province": province.pk}).status_code == 404
