# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Business-hours arithmetic for service levels.

Pure Python (no pool) so it can be tested and reused anywhere.
Datetimes in and out are naive UTC (Tryton's storage rule); the working
calendar itself is local: each working day is taken on the wall clock of
the time zone and only its opening and closing are converted to UTC, so
days that change with daylight saving time stay right.
"""
import datetime as dt
from zoneinfo import ZoneInfo

__all__ = ['BusinessCalendar']

UTC = dt.timezone.utc
MIDNIGHT = dt.time(0)
ONE_DAY = dt.timedelta(days=1)


class BusinessCalendar:
    """Working time given by weekdays (0 = Monday … 6 = Sunday), daily
    opening and closing times, a time zone and holidays (local dates).

    A closing time of None or 00:00 means midnight at the end of the day,
    so 00:00–00:00 on all seven days is a 24×7 calendar.
    """

    def __init__(
            self, weekdays, day_start, day_end, timezone=None,
            holidays=None):
        self.weekdays = frozenset(weekdays or ())
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("A calendar needs weekdays between 0 and 6")
        self.day_start = day_start or MIDNIGHT
        self.day_end = day_end if day_end != MIDNIGHT else None
        if self.day_end is not None and self.day_end <= self.day_start:
            raise ValueError("The day must start before it ends")
        self.timezone = ZoneInfo(timezone or 'UTC')
        self.holidays = frozenset(holidays or ())

    def _local_date(self, moment):
        return moment.astimezone(self.timezone).date()

    def _opening_hours(self, date):
        "Yield (opening, closing) as aware UTC datetimes from date on"
        while True:
            if (date.weekday() in self.weekdays
                    and date not in self.holidays):
                opening = dt.datetime.combine(
                    date, self.day_start, tzinfo=self.timezone)
                if self.day_end is None:
                    closing = dt.datetime.combine(
                        date + ONE_DAY, MIDNIGHT, tzinfo=self.timezone)
                else:
                    closing = dt.datetime.combine(
                        date, self.day_end, tzinfo=self.timezone)
                yield opening.astimezone(UTC), closing.astimezone(UTC)
            date += ONE_DAY

    @staticmethod
    def _to_utc(moment):
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def add(self, start, hours):
        """Return the naive UTC datetime that is hours of working time
        after start.

        A start outside working time counts from the next opening and a
        deadline falling exactly on a closing stays on that closing."""
        if hours < 0:
            raise ValueError("Hours must not be negative")
        current = self._to_utc(start)
        remaining = dt.timedelta(hours=float(hours))
        # holidays are finite and weekdays not empty: the loop ends
        for opening, closing in self._opening_hours(
                self._local_date(current)):
            if closing <= current:
                continue
            current = max(current, opening)
            available = closing - current
            if remaining <= available:
                return (current + remaining).replace(tzinfo=None)
            remaining -= available

    def between(self, start, end):
        "Return the working hours (float) from start to end, 0 if reversed"
        start, end = self._to_utc(start), self._to_utc(end)
        if end <= start:
            return 0.0
        total = dt.timedelta()
        for opening, closing in self._opening_hours(self._local_date(start)):
            if opening >= end:
                break
            overlap = min(closing, end) - max(opening, start)
            if overlap > dt.timedelta():
                total += overlap
        return total.total_seconds() / 3600
