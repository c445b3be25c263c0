"""The expiry date the gitlab source asks for: never later than GitLab's today + 365 days on any
server date within the margin, never before its tomorrow, and the full lifetime when it fits."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from rotation.sources.gitlab_expiry import DATE_MARGIN, MAX_LIFETIME_DAYS, gitlab_expiry

START = datetime.now(UTC)  # the real clock at the start of the run: no literal dates
MOMENTS = st.datetimes(
    min_value=START.replace(tzinfo=None) - timedelta(days=800),
    max_value=START.replace(tzinfo=None) + timedelta(days=800),
    timezones=st.just(UTC),
)
LIFETIMES = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800))
SKEWS = st.timedeltas(min_value=-DATE_MARGIN, max_value=DATE_MARGIN)


def gitlab_accepts(expires_on: date, server_now: datetime) -> bool:
    """GitLab's rule: not after its today + 365 days; and (unconfirmed) after its today."""
    today = server_now.date()
    return today < expires_on <= today + timedelta(days=MAX_LIFETIME_DAYS)


@given(now=MOMENTS, lifetime=LIFETIMES, skew=SKEWS)
def test_gitlab_accepts_the_date_whatever_the_server_clock_within_the_margin(now, lifetime, skew):
    assert gitlab_accepts(gitlab_expiry(now, lifetime).expires_on, now + skew)


@given(now=MOMENTS, lifetime=LIFETIMES)
def test_the_token_lives_its_lifetime_unless_clamped_and_the_clamp_is_said(now, lifetime):
    expiry = gitlab_expiry(now, lifetime)
    assert expiry.expires_at == datetime.combine(expiry.expires_on, time(), UTC)
    if expiry.clamped:
        assert expiry.expires_on < expiry.wanted_on
        assert expiry.expires_at < now + lifetime
    else:
        assert expiry.expires_at >= now + lifetime
        assert expiry.expires_at - (now + lifetime) < timedelta(days=1) + DATE_MARGIN


@given(now=MOMENTS)
def test_a_year_is_clamped_to_at_least_364_days(now):
    expiry = gitlab_expiry(now, timedelta(days=MAX_LIFETIME_DAYS))
    assert expiry.clamped
    assert expiry.expires_at - now > timedelta(days=MAX_LIFETIME_DAYS - 1) - DATE_MARGIN


def test_one_second_before_and_after_utc_midnight():
    midnight = datetime.combine(START.date() + timedelta(days=1), time(), UTC)
    for now in (midnight - timedelta(seconds=1), midnight + timedelta(seconds=1)):
        expiry = gitlab_expiry(now, timedelta(days=400))
        for server_now in (now - timedelta(seconds=2), now + timedelta(seconds=2)):
            assert gitlab_accepts(expiry.expires_on, server_now)


def test_an_aware_time_in_another_zone_is_reckoned_in_utc():
    local = START.astimezone(UTC).replace(hour=23, minute=30)
    tokyo = local.astimezone(datetime.strptime("+0900", "%z").tzinfo)
    assert gitlab_expiry(tokyo, timedelta(days=30)) == gitlab_expiry(local, timedelta(days=30))
