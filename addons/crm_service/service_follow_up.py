# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""A follow-up call is planned in the calendar of the assignee some days after
a service request is closed, to ask the customer how things are (V3)"""
import datetime as dt
from zoneinfo import ZoneInfo

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

# The local time of the follow-up calls
FOLLOW_UP_TIME = dt.time(10, 0)
# The working days when the request has no service level
WORKING_DAYS = {0, 1, 2, 3, 4}


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    follow_up_days = fields.Integer(
        "Follow-up Days",
        help="The number of days after the closing of a service request "
        "when the customer is called back.\n"
        "0 plans no call.")

    @classmethod
    def default_follow_up_days(cls):
        return 3

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names and 'follow_up_days' not in field_names:
            return
        for configuration in configurations:
            if (configuration.follow_up_days or 0) < 0:
                raise ValidationError(gettext(
                        'crm_service.msg_follow_up_days_negative',
                        days=configuration.follow_up_days))


class Activity(metaclass=PoolMeta):
    __name__ = 'crm.activity'

    # The origin is hidden from who cannot read all its models, such as the
    # service agents: they see the request here
    service_request = fields.Function(fields.Many2One(
            'crm.service.request', "Service Request"),
        'get_service_request')

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['crm.service.request']

    def get_service_request(self, name):
        pool = Pool()
        ServiceRequest = pool.get('crm.service.request')
        if isinstance(self.origin, ServiceRequest):
            return self.origin.id


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    follow_up_activity = fields.Many2One(
        'crm.activity', "Follow-up Call", readonly=True, ondelete='SET NULL',
        help="The call planned to ask the customer how things are "
        "after the closing.")

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('follow_up_activity', None)
        return super().copy(requests, default=default)

    @classmethod
    @ModelView.button
    def close(cls, requests):
        super().close(requests)
        cls.plan_follow_up([r for r in requests if r.state == 'closed'])

    @classmethod
    def plan_follow_up(cls, requests):
        """Plan a follow-up call for the requests without one still planned,
        as many days after their closing as the configuration says"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        Configuration = pool.get('crm.service.configuration')
        days = Configuration(1).follow_up_days
        if not days:
            return
        requests = [r for r in requests
            if not r.follow_up_activity
            or r.follow_up_activity.state != 'planned']
        activities = []
        for request in requests:
            # The assignee of a closed request calls the customer back
            with Transaction().set_context(
                    language=cls._alert_language(request.assignee)):
                activities.append(request._follow_up_activity(days))
        Activity.save(activities)
        for request, activity in zip(requests, activities):
            request.follow_up_activity = activity
        cls.save(requests)

    def _follow_up_activity(self, days):
        pool = Pool()
        Activity = pool.get('crm.activity')
        contact = self.contact
        if contact and contact.party != self.party:
            contact = None
        return Activity(
            company=self.company,
            party=self.party,
            contact_mechanism=contact,
            employee=self.assignee,
            type='call',
            direction='outgoing',
            subject=gettext('crm_service.msg_follow_up_subject',
                number=self.number),
            description=gettext('crm_service.msg_follow_up_description',
                request=self.rec_name,
                subject=self.subject,
                resolution=self.resolution or '-'),
            planned_date=self._follow_up_date(days),
            origin=self)

    def _follow_up_date(self, days):
        """Return the naive UTC datetime of the follow-up call: days after the
        closing at FOLLOW_UP_TIME of the company, on the next working day of
        the service level"""
        timezone = ZoneInfo(self.company.timezone or 'UTC')
        closed_at = self.closed_at or dt.datetime.now()
        date = closed_at.replace(tzinfo=dt.timezone.utc).astimezone(
            timezone).date() + dt.timedelta(days=days)
        weekdays, holidays = WORKING_DAYS, set()
        if self.service_level:
            calendar = self.service_level.calendar()
            weekdays, holidays = calendar.weekdays, calendar.holidays
        # A calendar has at least one working day in a week
        for _ in range(len(holidays) + 366):
            if date.weekday() in weekdays and date not in holidays:
                break
            date += dt.timedelta(days=1)
        return dt.datetime.combine(
            date, FOLLOW_UP_TIME, tzinfo=timezone).astimezone(
            dt.timezone.utc).replace(tzinfo=None)
