# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
import datetime as dt
import unittest

from trytond.modules.crm_service.business_hours import BusinessCalendar

WORKWEEK = {0, 1, 2, 3, 4}
MOSCOW = 'Europe/Moscow'  # UTC+3 all year


def utc(*args):
    return dt.datetime(*args)


class BusinessHoursTestCase(unittest.TestCase):
    "Test business-hours arithmetic"

    def office(self, timezone=MOSCOW, holidays=None):
        "09:00–18:00 Monday to Friday"
        return BusinessCalendar(
            WORKWEEK, dt.time(9), dt.time(18), timezone, holidays)

    def test_friday_to_monday(self):
        # Fri 15 March 2024 16:00 MSK = 13:00Z; Friday gives 16–18 = 2 h,
        # Monday 09–11 the 2 other: Mon 18 March 11:00 MSK = 08:00Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 15, 13), 4),
            utc(2024, 3, 18, 8))

    def test_weekend_start(self):
        # Sat 16 March 10:00 MSK (07:00Z) counts from Monday 09:00:
        # + 3 h = Mon 12:00 MSK = 09:00Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 16, 7), 3),
            utc(2024, 3, 18, 9))

    def test_before_opening(self):
        # Tue 19 March 07:30 MSK (04:30Z) counts from 09:00:
        # + 1.5 h = 10:30 MSK = 07:30Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 19, 4, 30), 1.5),
            utc(2024, 3, 19, 7, 30))

    def test_after_closing(self):
        # Tue 19 March 19:00 MSK (16:00Z) counts from Wed 09:00:
        # + 1 h = Wed 10:00 MSK = 07:00Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 19, 16), 1),
            utc(2024, 3, 20, 7))

    def test_deadline_on_closing(self):
        # Mon 18 March 17:00 MSK (14:00Z) + 1 h = 18:00 MSK that day
        # (15:00Z), not Tuesday's opening
        self.assertEqual(
            self.office().add(utc(2024, 3, 18, 14), 1),
            utc(2024, 3, 18, 15))

    def test_start_outside_with_zero_hours(self):
        # Sun 17 March 12:00 MSK + 0 h = Monday's opening 09:00 MSK = 06:00Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 17, 9), 0),
            utc(2024, 3, 18, 6))

    def test_holiday_in_the_middle(self):
        # Wed 20 March is a holiday; Tue 17:00 MSK (14:00Z) + 2 h:
        # Tuesday 17–18 = 1 h, Thursday 09–10 = 1 h → Thu 10:00 MSK = 07:00Z
        calendar = self.office(holidays={dt.date(2024, 3, 20)})
        self.assertEqual(
            calendar.add(utc(2024, 3, 19, 14), 2),
            utc(2024, 3, 21, 7))

    def test_multi_day_span(self):
        # Mon 18 March 09:00 MSK (06:00Z) + 20 h: Monday 9 h, Tuesday 9 h,
        # Wednesday 2 h → Wed 11:00 MSK = 08:00Z
        self.assertEqual(
            self.office().add(utc(2024, 3, 18, 6), 20),
            utc(2024, 3, 20, 8))

    def test_other_time_zone(self):
        # Yekaterinburg is UTC+5: Fri 16:00 local = 11:00Z,
        # + 4 h = Mon 11:00 local = 06:00Z
        calendar = self.office('Asia/Yekaterinburg')
        self.assertEqual(
            calendar.add(utc(2024, 3, 15, 11), 4), utc(2024, 3, 18, 6))

    def test_daylight_saving_time(self):
        # Berlin moves to summer time on Sun 31 March 2024:
        # Fri 29 March 16:00 CET = 15:00Z, + 4 h = Mon 1 April 11:00 CEST
        # = 09:00Z
        calendar = self.office('Europe/Berlin')
        self.assertEqual(
            calendar.add(utc(2024, 3, 29, 15), 4), utc(2024, 4, 1, 9))
        self.assertEqual(
            calendar.between(utc(2024, 3, 29, 15), utc(2024, 4, 1, 9)), 4)

    def test_round_the_clock(self):
        # 00:00–00:00 on seven days is 24×7: Fri 13:00Z + 40 h = Sun 05:00Z
        for day_end in [None, dt.time(0)]:
            calendar = BusinessCalendar(
                range(7), dt.time(0), day_end, MOSCOW)
            self.assertEqual(
                calendar.add(utc(2024, 3, 15, 13), 40), utc(2024, 3, 17, 5))
            self.assertEqual(
                calendar.between(utc(2024, 3, 15, 13), utc(2024, 3, 17, 5)),
                40)

    def test_round_the_clock_daylight_saving_time(self):
        # the night Berlin skips an hour still has 24 elapsed hours
        # from Sat 30 March 11:00Z to Sun 31 March 11:00Z
        calendar = BusinessCalendar(
            range(7), dt.time(0), None, 'Europe/Berlin')
        self.assertEqual(
            calendar.between(utc(2024, 3, 30, 11), utc(2024, 3, 31, 11)), 24)

    def test_between(self):
        calendar = self.office(holidays={dt.date(2024, 3, 20)})
        # the inverses of the cases above
        self.assertEqual(
            calendar.between(utc(2024, 3, 15, 13), utc(2024, 3, 18, 8)), 4)
        self.assertEqual(
            calendar.between(utc(2024, 3, 19, 14), utc(2024, 3, 21, 7)), 2)
        # Mon 09:00 MSK to Fri 18:00 MSK less Wednesday: 4 × 9 h
        self.assertEqual(
            calendar.between(utc(2024, 3, 18, 6), utc(2024, 3, 22, 15)), 36)
        # a weekend only
        self.assertEqual(
            calendar.between(utc(2024, 3, 16, 6), utc(2024, 3, 17, 15)), 0)

    def test_between_reversed(self):
        calendar = self.office()
        self.assertEqual(
            calendar.between(utc(2024, 3, 18, 8), utc(2024, 3, 15, 13)), 0)
        self.assertEqual(
            calendar.between(utc(2024, 3, 18, 8), utc(2024, 3, 18, 8)), 0)

    def test_add_between_inverse(self):
        calendar = self.office(holidays={dt.date(2024, 3, 20)})
        start = utc(2024, 3, 14, 12, 15)  # Thursday 15:15 MSK
        for hours in [0.25, 1, 2.75, 9, 13, 27.5]:
            with self.subTest(hours=hours):
                self.assertAlmostEqual(
                    calendar.between(start, calendar.add(start, hours)),
                    hours)

    def test_invalid_calendars(self):
        with self.assertRaises(ValueError):
            BusinessCalendar(set(), dt.time(9), dt.time(18), MOSCOW)
        with self.assertRaises(ValueError):
            BusinessCalendar({7}, dt.time(9), dt.time(18), MOSCOW)
        with self.assertRaises(ValueError):
            BusinessCalendar(WORKWEEK, dt.time(18), dt.time(9), MOSCOW)
        with self.assertRaises(ValueError):
            self.office().add(utc(2024, 3, 18, 8), -1)
