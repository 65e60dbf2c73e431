# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Birthday greetings (M5): the customers get an e-mail on their birthday"
import calendar
import datetime as dt

from sql import Literal, Null
from sql.functions import Extract

from trytond.config import config
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.report import Report, get_email
from trytond.sendmail import SMTPDataManager, send_message_transactional
from trytond.tools.email_ import format_address, set_from_header
from trytond.transaction import Transaction


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    birthday = fields.Date(
        "Birthday",
        help="The customer is greeted by e-mail on this day every year.")
    last_birthday_greeting = fields.Integer(
        "Last Birthday Greeting", readonly=True,
        help="The year the customer was last greeted.")

    @classmethod
    def copy(cls, parties, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('last_birthday_greeting')
        return super().copy(parties, default=default)

    @classmethod
    def validate_fields(cls, parties, field_names):
        pool = Pool()
        Date = pool.get('ir.date')
        super().validate_fields(parties, field_names)
        if field_names and 'birthday' not in field_names:
            return
        today = Date.today()
        for party in parties:
            if party.birthday and party.birthday > today:
                raise ValidationError(gettext(
                        'crm_marketing.msg_party_birthday_future',
                        party=party.rec_name))

    @classmethod
    def send_birthday_greetings(cls, date=None):
        "Greet the customers whose birthday is date, once a year"
        pool = Pool()
        Company = pool.get('company.company')
        company_id = Transaction().context.get('company')
        if company_id is not None:
            cls._send_birthday_greetings(Company(company_id), date)
        else:
            for company in Company.search([]):
                with Transaction().set_context(company=company.id):
                    cls._send_birthday_greetings(company, date)

    @classmethod
    def _send_birthday_greetings(cls, company, date):
        pool = Pool()
        Activity = pool.get('crm.activity')
        Date = pool.get('ir.date')
        Email = pool.get('ir.email')
        if date is None:
            date = Date.today()
        datamanager = None
        greeted, emails, activities = [], [], []
        for party in cls.browse(cls._birthday_party_ids(date)):
            mechanism = party.contact_mechanism_get('email')
            if not mechanism or not mechanism.email:
                continue
            if datamanager is None:
                # Connect to the mail server only when there is a mail
                datamanager = Transaction().join(SMTPDataManager())
            msg = party._birthday_greeting(company, mechanism.email)
            send_message_transactional(msg, datamanager=datamanager)
            emails.append(Email.from_message(msg, resource=party))
            activities.append(party._birthday_activity(
                    company, mechanism, msg['Subject']))
            greeted.append(party)
        Email.save(emails)
        Activity.save(activities)
        cls.write(greeted, {'last_birthday_greeting': date.year})

    @classmethod
    def _birthday_party_ids(cls, date):
        """Return the ids of the active parties born on the day and month of
        date not greeted in its year; those born on the 29th of February are
        greeted on the 28th in the other years"""
        party = cls.__table__()
        cursor = Transaction().connection.cursor()
        month = Extract('MONTH', party.birthday)
        day = Extract('DAY', party.birthday)
        born = (month == date.month) & (day == date.day)
        if (date.month, date.day) == (2, 28) and not calendar.isleap(
                date.year):
            born |= (month == 2) & (day == 29)
        cursor.execute(*party.select(party.id,
                where=born
                & (party.active == Literal(True))
                & ((party.last_birthday_greeting == Null)
                    | (party.last_birthday_greeting < date.year))))
        return [i for i, in cursor]

    def _birthday_greeting(self, company, email):
        "Return the greeting e-mail in the party's language"
        pool = Pool()
        ActionReport = pool.get('ir.action.report')
        Configuration = pool.get('ir.configuration')
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        report = ActionReport(ModelData.get_id(
                'crm_marketing', 'report_birthday_greeting'))
        lang = self.lang or Lang.get(Configuration.get_language())
        msg, _ = get_email(report, self, [lang])
        sender = config.get('email', 'from')
        from_ = company.party.email or sender
        set_from_header(
            msg, sender, format_address(from_, company.party.name))
        msg['To'] = format_address(email, self.name)
        msg['Subject'] = gettext(
            'crm_marketing.msg_birthday_greeting_subject',
            language=lang.code, party=self.name)
        msg['Auto-Submitted'] = 'auto-generated'
        return msg

    def _birthday_activity(self, company, mechanism, subject):
        "Return the done activity recording the greeting in the history"
        pool = Pool()
        Activity = pool.get('crm.activity')
        now = dt.datetime.now().replace(microsecond=0)
        manager = self.account_manager
        return Activity(
            company=company,
            party=self,
            contact_mechanism=mechanism,
            employee=manager if manager and manager.company == company
            else None,
            type='email',
            direction='outgoing',
            subject=subject,
            planned_date=now,
            done_date=now,
            state='done')


class BirthdayGreeting(Report):
    "The body of the birthday greeting of a party"
    __name__ = 'crm_marketing.party.birthday_greeting'

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Card = pool.get('crm.loyalty.card')
        Company = pool.get('company.company')
        context = super().get_context(records, header, data)
        company = Company(Transaction().context['company'])
        context['company'] = company
        context['cards'] = {
            p.id: Card.holder_cards(p, company) for p in records}
        return context


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('party.party|send_birthday_greetings',
                "Send Birthday Greetings"))
