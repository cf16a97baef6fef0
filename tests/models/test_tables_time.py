"""Dates are the Jobcenter's, in Germany, whatever the server's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.tables import jobcenter_date


def test_the_date_is_the_german_one_around_midnight_in_winter_and_summer() -> None:
    assert jobcenter_date(datetime(2026, 12, 6, 22, 59, tzinfo=UTC)) == date(2026, 12, 6)
    assert jobcenter_date(datetime(2026, 12, 6, 23, 0, tzinfo=UTC)) == date(2026, 12, 7)  # 00:00 CET
    assert jobcenter_date(datetime(2026, 6, 30, 22, 0, tzinfo=UTC)) == date(2026, 7, 1)  # 00:00 CEST
    assert jobcenter_date(datetime(2026, 6, 30, 21, 59, tzinfo=UTC)) == date(2026, 6, 30)


def test_a_stored_moment_without_a_zone_is_read_as_utc() -> None:
    assert jobcenter_date(datetime(2026, 12, 6, 23, 30)) == date(2026, 12, 7)  # as SQLite hands it back
    assert jobcenter_date(datetime(2026, 12, 6, 23, 30, tzinfo=UTC)) == date(2026, 12, 7)
