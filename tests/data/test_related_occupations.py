"""Related occupations follow the documented KldB rule for every occupation (issue 15, finding 7)."""

from __future__ import annotations

from data.kldb import occupations_at_level
from data.physical_demand import physically_demanding
from data.related_occupations import MAX_RELATED, MIN_RELATED, related_occupations


def test_every_related_occupation_is_close_not_higher_and_not_supervisory() -> None:
    enough = 0
    for target in occupations_at_level(5):
        related = related_occupations(target.code)
        assert len(related) <= MAX_RELATED
        enough += len(related) >= MIN_RELATED
        codes = [r.occupation.code for r in related]
        assert target.code not in codes and len(set(codes)) == len(codes)
        for r in related:
            code = r.occupation.code
            assert code[:2] == target.code[:2]
            assert int(code[4]) in (int(target.code[4]), int(target.code[4]) - 1)
            assert code[3] != "9"
            assert r.closeness == ("berufsuntergruppe" if code[:4] == target.code[:4]
                                   else "berufsgruppe" if code[:3] == target.code[:3] else "berufshauptgruppe")
        if any(r.closeness == "berufshauptgruppe" for r in related):  # widened only when the group had too few
            assert sum(r.closeness != "berufshauptgruppe" for r in related) < MIN_RELATED
    assert enough / len(occupations_at_level(5)) > 0.95


def test_closest_come_first_for_a_shop_assistant() -> None:
    assert [r.occupation.code for r in related_occupations("62102")] == ["62101", "62112", "62122", "62182"]


def test_heavy_work_is_left_out_for_someone_who_must_not_lift() -> None:
    for target in ("62102", "51312", "81302"):
        assert not any(physically_demanding(r.occupation.code)
                       for r in related_occupations(target, avoid_heavy_work=True))
    assert any(physically_demanding(r.occupation.code) for r in related_occupations("81302"))


def test_an_unknown_or_coarse_code_has_no_related_occupations() -> None:
    assert related_occupations("99999") == [] and related_occupations("621") == []
