# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The service manager of a company is alerted of the service requests that
miss their service level (SLA breaches) and of the bad ratings (V3)"""
import datetime as dt
from collections import defaultdict
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import ModelSQL, fields
from trytond.modules.company.model import CompanyValueMixin
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.sendmail import SMTPDataManager, send_message_transactional
from trytond.tools.email_ import format_address
from trytond.transaction import Transaction

from .service_request import OPEN_STATES

BREACH_MESSAGES = {
    'response': 'crm_service.msg_escalation_response_breached',
    'resolution': 'crm_service.msg_escalation_resolution_breached',
    }


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.service.configuration'

    service_manager = fields.MultiValue(fields.Many2One(
            'company.employee', "Service Manager",
            domain=[
                ('company', '=', Eval('context', {}).get('company', -1)),
                ],
            help="The employee alerted of the missed service levels "
            "and of the bad ratings."))

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field == 'service_manager':
            return pool.get('crm.service.configuration.service_manager')
        return super().multivalue_model(field)


class ConfigurationServiceManager(ModelSQL, CompanyValueMixin):
    "The service manager of a company"
    __name__ = 'crm.service.configuration.service_manager'
    __string__ = "Service Configuration Manager"

    service_manager = fields.Many2One(
        'company.employee', "Service Manager",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    response_escalated_at = fields.DateTime(
        "Response Escalated at", readonly=True,
        help="When the missed response was reported "
        "to the service manager.")
    resolution_escalated_at = fields.DateTime(
        "Resolution Escalated at", readonly=True,
        help="When the missed resolution was reported "
        "to the service manager.")

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('response_escalated_at', None)
        default.setdefault('resolution_escalated_at', None)
        return super().copy(requests, default=default)

    @classmethod
    def escalate_breaches(cls):
        """Report to the service managers the open requests that missed their
        response or resolution time since the last run, each breach once"""
        pool = Pool()
        Message = pool.get('crm.service.request.message')
        company_id = Transaction().context.get('company')
        domain = [
            ('state', 'in', OPEN_STATES),
            ['OR', [
                    ('response_breached', '=', True),
                    ('response_escalated_at', '=', None),
                    ], [
                    ('resolution_breached', '=', True),
                    ('resolution_escalated_at', '=', None),
                    ]],
            ]
        if company_id is not None:
            domain.append(('company', '=', company_id))
        requests = cls.search(domain, order=[('id', 'ASC')])
        if not requests:
            return
        now = dt.datetime.now().replace(microsecond=0)
        response, resolution, alerts, messages = [], [], [], []
        for request in requests:
            breaches = []
            if (request.response_breached
                    and not request.response_escalated_at):
                response.append(request)
                breaches.append(('response', request.response_due))
            if (request.resolution_breached
                    and not request.resolution_escalated_at):
                resolution.append(request)
                breaches.append(('resolution', request.resolution_due))
            if breaches:
                alerts.append((request, breaches))
        to_write = []
        if response:
            to_write.extend([response, {'response_escalated_at': now}])
        if resolution:
            to_write.extend([resolution, {'resolution_escalated_at': now}])
        if to_write:
            cls.write(*to_write)
        managers = cls.service_managers(requests)
        manager_alerts = []
        for request, breaches in alerts:
            manager = managers[request.company]
            with Transaction().set_context(
                    language=cls._alert_language(manager)):
                lines = [gettext(
                        BREACH_MESSAGES[breach],
                        due=request._format_local(due))
                    for breach, due in breaches]
                if manager:
                    reported = gettext('crm_service.msg_escalation_message',
                        manager=manager.rec_name)
                else:
                    reported = gettext(
                        'crm_service.msg_escalation_no_manager')
                messages.append(Message(
                        request=request,
                        author_employee=None,
                        body='\n'.join(lines + [reported]),
                        internal=True))
                manager_alerts.append((request,
                        gettext('crm_service.msg_escalation_subject',
                            request=request.rec_name),
                        '\n'.join(lines + [request._alert_summary()])))
        Message.save(messages)
        cls.alert_service_manager(manager_alerts)

    @classmethod
    def service_managers(cls, requests):
        "Return the service manager (or None) of the companies of requests"
        pool = Pool()
        Configuration = pool.get('crm.service.configuration')
        configuration = Configuration(1)
        managers = {}
        for company in {r.company for r in requests}:
            manager = configuration.get_multivalue(
                'service_manager', company=company.id)
            if manager and manager.company != company:
                manager = None
            managers[company] = manager
        return managers

    @classmethod
    def _alert_language(cls, employee=None):
        "Return the language code of the texts written for the employee"
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        if employee and employee.party.lang:
            return employee.party.lang.code
        return Configuration.get_language()

    def _format_local(self, value):
        "Return the naive UTC datetime value in the company's local time"
        pool = Pool()
        Lang = pool.get('ir.lang')
        if not value:
            return '-'
        if self.company.timezone:
            value = value.replace(tzinfo=dt.timezone.utc).astimezone(
                ZoneInfo(self.company.timezone))
        lang = Lang.get()
        return lang.strftime(value, lang.date + ' %H:%M')

    def _alert_summary(self):
        "Return the lines describing the request in an alert"
        return gettext('crm_service.msg_escalation_summary',
            request=self.number,
            party=self.party.rec_name,
            subject=self.subject,
            assignee=self.assignee.rec_name if self.assignee else '-')

    @classmethod
    def alert_service_manager(cls, alerts):
        """Plan a task for the service manager per (request, subject,
        description) of alerts and e-mail each manager a summary of them"""
        pool = Pool()
        Activity = pool.get('crm.activity')
        now = dt.datetime.now().replace(microsecond=0)
        managers = cls.service_managers([r for r, _, _ in alerts])
        activities = []
        by_manager = defaultdict(list)
        for request, subject, description in alerts:
            manager = managers[request.company]
            if not manager:
                continue
            activities.append(Activity(
                    company=request.company,
                    party=request.party,
                    employee=manager,
                    type='task',
                    direction='internal',
                    subject=subject,
                    description=description,
                    planned_date=now,
                    origin=request))
            by_manager[manager].append((subject, description))
        Activity.save(activities)
        datamanager = None
        for manager, manager_alerts in by_manager.items():
            if not manager.party.email:
                continue
            if datamanager is None:
                # Connect to the mail server only when there is a mail
                datamanager = Transaction().join(SMTPDataManager())
            cls._email_service_manager(manager, manager_alerts, datamanager)
        return activities

    @classmethod
    def _email_service_manager(cls, manager, alerts, datamanager):
        pool = Pool()
        Email = pool.get('ir.email')
        with Transaction().set_context(
                language=cls._alert_language(manager)):
            if len(alerts) == 1:
                (subject, _), = alerts
            else:
                subject = gettext('crm_service.msg_escalation_email_subject',
                    count=len(alerts))
        msg = EmailMessage()
        msg['From'] = config.get('email', 'from')
        msg['To'] = format_address(manager.party.email, manager.party.name)
        msg['Subject'] = subject
        msg['Auto-Submitted'] = 'auto-generated'
        msg.set_content('\n\n'.join(
                '%s\n%s' % (subject, description)
                for subject, description in alerts))
        send_message_transactional(msg, datamanager=datamanager)
        Email.from_message(msg, resource=manager).save()


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('crm.service.request|escalate_breaches',
                "Escalate Missed Service Levels"))
