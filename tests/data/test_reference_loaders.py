"""The shipped reference data loads into typed objects with the documented edge cases."""

from __future__ import annotations

import pytest

from data.kldb import get_occupation, is_valid_kldb5, load_kldb
from data.regions import find_region_by_place, get_region, load_regions, search_regions
from data.wages import median_wage


def test_kldb_has_every_level_with_the_official_counts() -> None:
    levels = [occ.level for occ in load_kldb().values()]
    assert [levels.count(n) for n in range(1, 6)] == [10, 37, 144, 703, 1301]


def test_occupation_carries_skill_level_and_parents_for_a_berufsgattung() -> None:
    occupation = get_occupation("62102")
    assert occupation is not None
    assert occupation.skill_level == 2 and occupation.skill_level_name == "Fachkraft"
    assert occupation.parents == ("6", "62", "621", "6210")
    assert "Verkäufer/in" in occupation.example_titles


def test_military_codes_keep_their_leading_zero() -> None:
    assert get_occupation("01104") is not None
    assert get_occupation("1104") is None  # the unpadded number is not a code
    assert get_occupation("0110").level == 4


@pytest.mark.parametrize("code", ["6210", "99999", "6210a", "", "621020", "00000"])
def test_is_valid_kldb5_rejects_codes_that_are_not_berufsgattungen(code: str) -> None:
    assert not is_valid_kldb5(code)


def test_is_valid_kldb5_accepts_81122_which_has_no_job_title() -> None:
    assert is_valid_kldb5("81122")


def test_regions_have_401_kreise_with_ags_as_strings() -> None:
    regions = load_regions()
    assert len(regions) == 401
    flensburg = get_region("01001")
    assert flensburg is not None and flensburg.bundesland == "Schleswig-Holstein" and flensburg.nuts3 == "DEF01"
    assert sum(r.population for r in regions.values()) == 83_019_213


@pytest.mark.parametrize("ags", ["1001", "99999", "abcde", ""])
def test_get_region_returns_none_for_unknown_or_malformed_ags(ags: str) -> None:
    assert get_region(ags) is None


def test_region_search_ignores_case_and_accents_and_prefers_name_starts() -> None:
    names = [r.name for r in search_regions("munchen")]
    assert names[:2] == ["München, Landeshauptstadt", "München"]
    assert [r.ags for r in search_regions("0936")][0].startswith("0936")


def test_place_name_maps_to_the_city_not_the_landkreis() -> None:
    region = find_region_by_place("Regensburg")
    assert region is not None and region.ags == "09362"
    assert find_region_by_place("Nirgendwo") is None


def test_median_wage_is_a_positive_amount_or_none() -> None:
    wage = median_wage("62102")
    assert wage is not None and 1000 < wage < 10000
    assert median_wage("99999") is None
