"""The unit register: codes resolved by date, subtrees, eligibility, succession, concurrency."""

from __future__ import annotations

import datetime as dt

import pytest

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.actions import do_close_unit, do_create_unit, do_update_unit
from phongtrao.units.models import Kind, Succession, Unit, UnitAncestor, is_subject_to_standard

AFTER = dt.date(2025, 12, 31)
BEFORE = dt.date(2024, 12, 31)
pytestmark = pytest.mark.django_db


def test_setup_gives_current_and_pre_reform_communes_under_vn(official_register: None) -> None:
    vn = Unit.objects.get(code="VN")
    communes = Unit.objects.in_subtree(vn).of_kind(Kind.COMMUNE)
    assert communes.valid_on(AFTER).count() == 3321
    assert communes.valid_on(BEFORE).count() == 10051
    assert Unit.objects.in_subtree(vn).of_kind(Kind.PROVINCE).valid_on(AFTER).count() == 34
    assert Unit.objects.in_subtree(vn).of_kind(Kind.PROVINCE).valid_on(BEFORE).count() == 63
    assert Unit.objects.in_subtree(vn).of_kind(Kind.DISTRICT).valid_on(BEFORE).count() == 696
    assert not Unit.objects.of_kind(Kind.DISTRICT).valid_on(AFTER).exists()


def test_reused_code_resolves_to_different_units_by_date(official_register: None) -> None:
    new = Unit.objects.with_code("22918", AFTER).get()
    old = Unit.objects.with_code("22918", dt.date(2023, 12, 31)).get()
    assert new.pk != old.pk
    assert (old.name, new.name) == ("Phường Hàm Tiến", "Phường Mũi Né")
    assert old.valid_to == dt.date(2025, 6, 30) and new.valid_from == dt.date(2025, 7, 1)
    # Both interval ends are inclusive: the last old day and the first new day.
    assert Unit.objects.with_code("22918", dt.date(2025, 6, 30)).get() == old
    assert Unit.objects.with_code("22918", dt.date(2025, 7, 1)).get() == new


def test_leading_zeros_are_part_of_the_code(official_register: None) -> None:
    assert Unit.objects.with_code("00004", AFTER).get().name == "Phường Ba Đình"
    assert not Unit.objects.with_code("4", AFTER).exists()


def test_old_commune_links_to_its_successor(official_register: None) -> None:
    old = Unit.objects.with_code("22918", BEFORE).get()
    successors = Unit.objects.filter(predecessor_links__predecessor=old)
    assert successors.count() >= 1
    assert all(s.valid_from == dt.date(2025, 7, 1) for s in successors)
    link = Succession.objects.filter(predecessor=old).first()
    assert link is not None and link.effective_on == dt.date(2025, 7, 1)


def test_subtree_is_a_closure_table_including_self(official_register: None) -> None:
    province = Unit.objects.with_code("48", AFTER).get()
    subtree = Unit.objects.in_subtree(province)
    assert province in subtree
    assert subtree.of_kind(Kind.COMMUNE).count() == Unit.objects.filter(parent=province, kind=Kind.COMMUNE).count()
    assert province not in Unit.objects.in_subtree(province, include_root=False)
    commune = subtree.of_kind(Kind.COMMUNE).first()
    assert commune is not None
    assert list(commune.ancestors().values_list("kind", flat=True)) == [Kind.COUNTRY, Kind.PROVINCE]
    assert UnitAncestor.objects.filter(unit=commune).count() == 3


@pytest.mark.parametrize(
    ("kind", "attrs", "expected"),
    [
        (Kind.RESIDENTIAL_AREA, {}, True),
        (Kind.COMMUNE, {}, True),
        (Kind.PROVINCE, {}, False),
        (Kind.DISTRICT, {}, False),
        (Kind.AGENCY, {"armed_forces": False}, True),
        (Kind.AGENCY, {"armed_forces": True}, False),
        (Kind.ENTERPRISE, {"size": "micro"}, False),
        (Kind.ENTERPRISE, {"size": "small"}, False),
        (Kind.ENTERPRISE, {"size": "medium"}, True),
        (Kind.ENTERPRISE, {"size": "large"}, True),
        (Kind.SCHOOL, {"school_level": "mam_non"}, False),
        (Kind.SCHOOL, {"school_level": "nha_tre"}, False),
        (Kind.SCHOOL, {"school_level": "tieu_hoc"}, False),
        (Kind.SCHOOL, {"school_level": "thcs"}, True),
        (Kind.SCHOOL, {"school_level": "lien_cap"}, True),
        (Kind.SCHOOL, {"school_level": "dai_hoc"}, True),
    ],
)
def test_eligibility_follows_tt_124(kind: str, attrs: dict, expected: bool) -> None:
    assert is_subject_to_standard(kind, **attrs) is expected


def test_eligibility_is_stored_and_recomputed_on_change(official_register: None) -> None:
    commune = Unit.objects.with_code("00004", AFTER).get()
    school = do_create_unit(Actor.system(), code="TH-1", name="Trường Tiểu học Ba Đình", kind=Kind.SCHOOL,
                            parent=commune, managed_by="commune", school_level="tieu_hoc",
                            valid_from=dt.date(2025, 7, 1))
    assert not school.subject_to_standard
    assert not Unit.objects.subject_to_standard().filter(pk=school.pk).exists()
    school = do_update_unit(Actor.system(), school.pk, school_level="lien_cap")
    assert school.subject_to_standard
    assert Unit.objects.subject_to_standard().filter(pk=school.pk).exists()


def test_example_province_counts_only_units_subject_to_the_standard(example_units: None) -> None:
    province = Unit.objects.with_code("T99", AFTER).get()
    eligible = Unit.objects.in_subtree(province).subject_to_standard().valid_on(AFTER)
    assert eligible.of_kind(Kind.RESIDENTIAL_AREA).count() == 30
    assert eligible.of_kind(Kind.COMMUNE).count() == 6
    assert eligible.of_kind(Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL).count() == 20
    out_of_scope = Unit.objects.in_subtree(province).filter(code__startswith="NX-")
    assert out_of_scope.count() == 3 and not out_of_scope.filter(subject_to_standard=True).exists()


def test_create_refuses_wrong_parent_kind_and_overlapping_code(official_register: None) -> None:
    province = Unit.objects.with_code("48", AFTER).get()
    with pytest.raises(ActionError) as exc:
        do_create_unit(Actor.system(), code="KDC-X", name="Thôn X", kind=Kind.RESIDENTIAL_AREA, parent=province)
    assert "parent" in exc.value.errors
    commune = Unit.objects.filter(parent=province, kind=Kind.COMMUNE).first()
    do_create_unit(Actor.system(), code="KDC-X", name="Thôn X", kind=Kind.RESIDENTIAL_AREA, parent=commune,
                   valid_from=dt.date(2025, 7, 1))
    with pytest.raises(ActionError) as exc:
        do_create_unit(Actor.system(), code="KDC-X", name="Thôn Y", kind=Kind.RESIDENTIAL_AREA, parent=commune,
                       valid_from=dt.date(2026, 1, 1))
    assert "code" in exc.value.errors


def test_parent_must_exist_on_the_childs_start_date(official_register: None) -> None:
    old_commune = Unit.objects.with_code("22918", BEFORE).get()
    with pytest.raises(ActionError) as exc:
        do_create_unit(Actor.system(), code="KDC-OLD", name="Khu phố 1", kind=Kind.RESIDENTIAL_AREA,
                       parent=old_commune, valid_from=dt.date(2025, 8, 1))
    assert "không còn hiệu lực" in exc.value.errors["parent"][0]


def test_concurrent_edit_is_refused_not_overwritten(official_register: None) -> None:
    commune = Unit.objects.with_code("00004", AFTER).get()
    area = do_create_unit(Actor.system(), code="KDC-1", name="Tổ dân phố 1", kind=Kind.RESIDENTIAL_AREA,
                          parent=commune, valid_from=dt.date(2025, 7, 1))
    read_version = area.version
    do_update_unit(Actor.system(), area.pk, expected_version=read_version, households=120)
    with pytest.raises(StaleVersion):
        do_update_unit(Actor.system(), area.pk, expected_version=read_version, households=999)
    assert Unit.objects.get(pk=area.pk).households == 120


def test_close_sets_valid_to_never_deletes_and_refuses_open_children(official_register: None) -> None:
    commune = Unit.objects.with_code("00004", AFTER).get()
    area = do_create_unit(Actor.system(), code="KDC-2", name="Tổ dân phố 2", kind=Kind.RESIDENTIAL_AREA,
                          parent=commune, valid_from=dt.date(2025, 7, 1))
    with pytest.raises(ActionError):
        do_close_unit(Actor.system(), commune.pk, valid_to=dt.date(2026, 1, 1))
    do_close_unit(Actor.system(), area.pk, valid_to=dt.date(2026, 3, 31))
    area.refresh_from_db()
    assert area.valid_to == dt.date(2026, 3, 31)
    assert Unit.objects.with_code("KDC-2", dt.date(2026, 3, 31)).exists()
    assert not Unit.objects.with_code("KDC-2", dt.date(2026, 4, 1)).exists()


def test_moving_a_unit_moves_its_subtree(official_register: None) -> None:
    communes = list(Unit.objects.with_code("00004", AFTER)) + list(Unit.objects.with_code("00008", AFTER))
    first, second = communes
    school = do_create_unit(Actor.system(), code="TH-9", name="Trường THCS 9", kind=Kind.SCHOOL, parent=first,
                            managed_by="commune", school_level="thcs", valid_from=dt.date(2025, 7, 1))
    do_update_unit(Actor.system(), school.pk, parent_id=second.pk)
    assert Unit.objects.in_subtree(second).filter(pk=school.pk).exists()
    assert not Unit.objects.in_subtree(first).filter(pk=school.pk).exists()


def test_every_write_leaves_an_audit_row_with_before_and_after(official_register: None) -> None:
    commune = Unit.objects.with_code("00004", AFTER).get()
    area = do_create_unit(Actor.system(), code="KDC-3", name="Tổ dân phố 3", kind=Kind.RESIDENTIAL_AREA,
                          parent=commune, valid_from=dt.date(2025, 7, 1))
    do_update_unit(Actor.system(), area.pk, name="Tổ dân phố số 3")
    entries = AuditEntry.objects.filter(object_type="units.unit", object_id=str(area.pk)).order_by("id")
    assert [e.action for e in entries] == ["unit.create", "unit.update"]
    assert entries[1].before["name"] == "Tổ dân phố 3" and entries[1].after["name"] == "Tổ dân phố số 3"


def test_child_cannot_outlive_its_parent(official_register: None) -> None:
    old_commune = Unit.objects.with_code("22918", BEFORE).get()
    with pytest.raises(ActionError) as exc:
        do_create_unit(Actor.system(), code="KDC-OPEN", name="Khu phố mở", kind=Kind.RESIDENTIAL_AREA,
                       parent=old_commune)
    assert "30/06/2025" in exc.value.errors["parent"][0]
    area = do_create_unit(Actor.system(), code="KDC-OLD2", name="Khu phố 2", kind=Kind.RESIDENTIAL_AREA,
                          parent=old_commune, valid_to=dt.date(2025, 6, 30))
    assert area.is_valid_on(dt.date(2024, 1, 1))


def test_search_matches_word_starts_not_inner_syllables(official_register: None) -> None:
    names = set(Unit.objects.search("an binh").values_list("name", flat=True))
    assert any(n.endswith("An Bình") for n in names)
    assert not any("Tân Bình" in n for n in names)


def test_kind_change_refused_when_children_would_be_misplaced(example_units: None) -> None:
    commune = Unit.objects.with_code("T99001", AFTER).get()
    with pytest.raises(ActionError) as exc:
        do_update_unit(Actor.system(), commune.pk, kind=Kind.AGENCY, managed_by="commune")
    assert "kind" in exc.value.errors


# --- exclusions from the ANTT standard are data (StandardExclusion) ---------------------------------------


def test_exclusions_are_seeded_with_legal_basis_and_date() -> None:
    from phongtrao.units.models import StandardExclusion

    rows = set(StandardExclusion.objects.values_list("kind", "field", "value"))
    assert rows == {("agency", "armed_forces", "true"), ("enterprise", "size", "micro"),
                    ("enterprise", "size", "small"), ("school", "school_level", "mam_non"),
                    ("school", "school_level", "nha_tre"), ("school", "school_level", "tieu_hoc")}
    for rule in StandardExclusion.objects.all():
        assert rule.legal_basis == "TT 124/2021/TT-BCA, Điều 1 khoản 2 điểm b"
        assert rule.effective_from == dt.date(2022, 2, 10) and rule.effective_to is None and rule.note


def test_a_new_exclusion_row_changes_eligibility_and_setup_rederives(official_register: None) -> None:
    import io

    from django.apps import apps

    from phongtrao.units.models import Exclusions, StandardExclusion, rederive_subject_to_standard

    commune = Unit.objects.with_code("00004", AFTER).get()
    school = do_create_unit(Actor.system(), code="TH-2", name="Trường Liên cấp Ba Đình", kind=Kind.SCHOOL,
                            parent=commune, managed_by="commune", school_level="lien_cap",
                            valid_from=dt.date(2025, 7, 1))
    assert school.subject_to_standard
    # A (hypothetical) later rule excluding this level, in force from 2026.
    StandardExclusion.objects.create(kind="school", field="school_level", value="lien_cap",
                                     legal_basis="Thông tư thử nghiệm", effective_from=dt.date(2026, 1, 1))
    assert is_subject_to_standard(Kind.SCHOOL, school_level="lien_cap",
                                  exclusions=Exclusions.on(dt.date(2025, 12, 31))) is True
    assert is_subject_to_standard(Kind.SCHOOL, school_level="lien_cap",
                                  exclusions=Exclusions.on(dt.date(2026, 1, 1))) is False
    assert rederive_subject_to_standard(dt.date(2026, 1, 1)) == 1
    school.refresh_from_db()
    assert not school.subject_to_standard
    # An exclusion that has ended no longer excludes; the setup hook puts the unit back in scope.
    StandardExclusion.objects.filter(value="lien_cap").update(effective_to=dt.date(2026, 1, 1))
    out = io.StringIO()
    apps.get_app_config("units").seed(out)
    school.refresh_from_db()
    assert school.subject_to_standard and "1 units re-derived" in out.getvalue()
