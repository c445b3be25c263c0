"""The `expires_at` date to ask GitLab for, so that GitLab never refuses it.

GitLab takes a date (YYYY-MM-DD), expires the token at 00:00 UTC on it, and refuses a date later
than its own today + 365 days ("Expires at must be before DATE"). Its today is `Date.current`,
in the instance's configured time zone (UTC unless an administrator changed it), read from a
clock that may be a little off ours. So the latest date asked for is reckoned from the earliest
date the server can be on (our UTC time minus `DATE_MARGIN`), and the earliest date asked for
(tomorrow: a token expiring today is dead already) from the latest one (plus `DATE_MARGIN`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

MAX_LIFETIME_DAYS = 365
# Clock skew and an instance time zone west of UTC (down to UTC-12) put GitLab's today up to
# this much behind our UTC date; one east of UTC (up to UTC+14, well inside the margin on the
# other side) puts it ahead, which only widens what GitLab accepts at the top.
DATE_MARGIN = timedelta(hours=12)


@dataclass(frozen=True)
class GitLabExpiry:
    expires_on: date  # what GitLab is asked for
    wanted_on: date  # what the requested lifetime alone would have asked for
    clamped: bool  # the lifetime was cut to GitLab's maximum

    @property
    def expires_at(self) -> datetime:
        """The moment the token dies: 00:00 UTC on its expiry date."""
        return datetime.combine(self.expires_on, time(), UTC)


def gitlab_expiry(now: datetime, lifetime: timedelta) -> GitLabExpiry:
    """The expiry date for a token minted at `now` (timezone-aware) to live `lifetime`: the token
    lives at least `lifetime` (rounded up to the next 00:00 UTC) unless that is beyond the latest
    date GitLab accepts, and never expires before tomorrow."""
    utc_now = now.astimezone(UTC)
    latest = (utc_now - DATE_MARGIN).date() + timedelta(days=MAX_LIFETIME_DAYS)
    earliest = (utc_now + DATE_MARGIN).date() + timedelta(days=1)
    end = utc_now + lifetime
    wanted = end.date() if end.time() == time() else end.date() + timedelta(days=1)
    chosen = max(min(wanted, latest), earliest)
    return GitLabExpiry(chosen, wanted, clamped=chosen < wanted)
