# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Service levels (SLA): the working calendar of the service and the
response and resolution times promised for each priority"""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.company.company import TIMEZONES
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .business_hours import BusinessCalendar

WEEKDAYS = [
    ('0', "Monday"),
    ('1', "Tuesday"),
    ('2', "Wednesday"),
    ('3', "Thursday"),
    ('4', "Friday"),
    ('5', "Saturday"),
    ('6', "Sunday"),
    ]
PRIORITIES = [
    ('low', "Low"),
    ('normal', "Normal"),
    ('high', "High"),
    ('urgent', "Urgent"),
    ]
MIDNIGHT = dt.time(0)


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    default_service_level = fields.Many2One(
        'crm.service.level', "Default Service Level",
        domain=[
            ('company', '=', Eval('context', {}).get('company', -1)),
            ],
        help="The service level of the customers without a running "
        "service contract.")


class ServiceLevel(DeactivableMixin, ModelSQL, ModelView):
    "The working hours of the service and the times promised per priority"
    __name__ = 'crm.service.level'
    __string__ = "Service Level"

    name = fields.Char("Name", required=True, translate=True)
    company = fields.Many2One('company.company', "Company", required=True)
    working_days = fields.MultiSelection(
        WEEKDAYS, "Working Days", sort=False,
        help="The days the service works and its clocks run.")
    day_start = fields.Time("Day Start", format='%H:%M', required=True)
    day_end = fields.Time(
        "Day End", format='%H:%M', required=True,
        help="00:00 means midnight at the end of the day: "
        "00:00 to 00:00 is round the clock.")
    timezone = fields.Selection(
        TIMEZONES, "Time Zone", translate=False,
        help="The time zone of the working hours.\n"
        "Leave empty to use the company's.")
    holidays = fields.One2Many(
        'crm.service.level.holiday', 'level', "Holidays",
        help="The days off, in addition to the weekly non-working days.")
    lines = fields.One2Many(
        'crm.service.level.line', 'level', "Times by Priority")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_working_days(cls):
        return ['0', '1', '2', '3', '4']

    @classmethod
    def default_day_start(cls):
        return dt.time(9)

    @classmethod
    def default_day_end(cls):
        return dt.time(18)

    @classmethod
    def default_timezone(cls):
        pool = Pool()
        Company = pool.get('company.company')
        company_id = cls.default_company()
        if company_id is not None and company_id >= 0:
            return Company(company_id).timezone

    @classmethod
    def validate_fields(cls, levels, field_names):
        super().validate_fields(levels, field_names)
        cls.check_working_time(levels, field_names)

    @classmethod
    def check_working_time(cls, levels, field_names=None):
        if field_names and not (
                field_names & {'working_days', 'day_start', 'day_end'}):
            return
        for level in levels:
            if not level.working_days:
                raise ValidationError(gettext(
                        'crm_service.msg_service_level_no_working_day',
                        level=level.rec_name))
            if level.day_end != MIDNIGHT and level.day_end <= level.day_start:
                raise ValidationError(gettext(
                        'crm_service.msg_service_level_day_reversed',
                        level=level.rec_name,
                        start=level.day_start.strftime('%H:%M'),
                        end=level.day_end.strftime('%H:%M')))

    def calendar(self):
        "Return the BusinessCalendar of the level"
        return BusinessCalendar(
            {int(d) for d in self.working_days},
            self.day_start, self.day_end,
            self.timezone or self.company.timezone,
            {h.date for h in self.holidays})

    def get_line(self, priority):
        "Return the line of the priority or None"
        for line in self.lines:
            if line.priority == priority:
                return line

    def add_business_hours(self, start, hours):
        "Return the naive UTC datetime hours of working time after start"
        return self.calendar().add(start, hours)

    def business_hours_between(self, start, end):
        "Return the working hours from start to end (naive UTC)"
        return self.calendar().between(start, end)


class ServiceLevelHoliday(ModelSQL, ModelView):
    "A day the service does not work"
    __name__ = 'crm.service.level.holiday'
    __string__ = "Service Level Holiday"

    level = fields.Many2One(
        'crm.service.level', "Service Level", required=True,
        ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    name = fields.Char("Name")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('level')
        cls._order.insert(0, ('date', 'ASC'))
        t = cls.__table__()
        cls._sql_constraints += [
            ('level_date_unique', Unique(t, t.level, t.date),
                'crm_service.msg_service_level_holiday_unique'),
            ]


class ServiceLevelLine(ModelSQL, ModelView):
    "The response and resolution times of a priority"
    __name__ = 'crm.service.level.line'
    __string__ = "Service Level Line"

    level = fields.Many2One(
        'crm.service.level', "Service Level", required=True,
        ondelete='CASCADE')
    priority = fields.Selection(PRIORITIES, "Priority", required=True)
    priority_string = priority.translated('priority')
    response_hours = fields.Float(
        "Response Time", digits=(16, 2), required=True,
        help="The working hours to first answer the customer.")
    resolution_hours = fields.Float(
        "Resolution Time", digits=(16, 2), required=True,
        help="The working hours to solve the request.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('level')
        t = cls.__table__()
        cls._sql_constraints += [
            ('level_priority_unique', Unique(t, t.level, t.priority),
                'crm_service.msg_service_level_line_priority_unique'),
            ]

    @classmethod
    def default_priority(cls):
        return 'normal'

    def get_rec_name(self, name):
        return f'{self.level.rec_name} - {self.priority_string}'

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        cls.check_hours(lines, field_names)

    @classmethod
    def check_hours(cls, lines, field_names=None):
        if field_names and not (
                field_names & {'response_hours', 'resolution_hours'}):
            return
        for line in lines:
            for hours in [line.response_hours, line.resolution_hours]:
                if hours < 0:
                    raise ValidationError(gettext(
                            'crm_service.msg_service_level_hours_negative',
                            line=line.rec_name, hours=hours))
            if line.response_hours > line.resolution_hours:
                raise ValidationError(gettext(
                        'crm_service.msg_service_level_response_after'
                        '_resolution',
                        line=line.rec_name,
                        response=line.response_hours,
                        resolution=line.resolution_hours))
