# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The e-mails received by an inbox of Tryton's inbound e-mail become service
requests, and the customer's replies join the conversation of theirs (V3)"""
import re
from email.utils import getaddresses

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.report import html_to_text
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

ACTION = 'crm.service.request|from_inbound_email'
# The number of the request quoted in the subject of a reply: "[SR-00012]"
NUMBER_RE = re.compile(r'\[([^\[\]\s]+)\]')
MESSAGE_ID_RE = re.compile(r'<[^<>\s]+>')


class InboundEmailRule(metaclass=PoolMeta):
    __name__ = 'inbound.email.rule'

    service_company = fields.Many2One(
        'company.company', "Service Company",
        states={
            'invisible': Eval('action') != ACTION,
            'required': Eval('action') == ACTION,
            },
        help="The company the service requests are created for.")
    service_category = fields.Many2One(
        'crm.service.category', "Service Category",
        states={
            'invisible': Eval('action') != ACTION,
            },
        help="The category of the service requests created.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.action.selection.append((ACTION, "Create Service Request"))


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    @classmethod
    def from_inbound_email(cls, email_, rule):
        """Create a service request from the e-mail or add it to the
        conversation of the request it replies to, and return the request

        Automatic replies are ignored so that two mail robots do not answer
        each other forever."""
        values = email_.as_dict()
        headers = {k.lower(): str(v)
            for k, v in values.get('headers', {}).items()}
        sender = values.get('from')
        if (not sender
                or headers.get('auto-submitted', 'no').lower() != 'no'):
            return
        body = values.get('text')
        if body is None and values.get('html'):
            body = html_to_text(values['html']) or values['html']
        subject = (values.get('subject') or '').strip()
        attachments = values.get('attachments') or []

        with Transaction().set_context(company=rule.service_company.id):
            request = cls._email_replied_request(
                rule.service_company, sender, subject, headers)
            if request:
                request._add_email_reply(sender, body, attachments)
            else:
                request = cls._create_from_email(
                    rule, sender, headers, subject, body, attachments)
        return request

    @classmethod
    def _email_replied_request(cls, company, sender, subject, headers):
        """Return the request of the company the e-mail replies to, by the
        number in the subject or a message we sent it, provided the sender is
        one of the e-mail addresses of its customer"""
        pool = Pool()
        Email = pool.get('ir.email')
        candidates = []
        numbers = NUMBER_RE.findall(subject)
        if numbers:
            candidates.extend(cls.search([
                        ('company', '=', company.id),
                        ('number', 'in', numbers),
                        ]))
        message_ids = MESSAGE_ID_RE.findall(' '.join([
                    headers.get('in-reply-to', ''),
                    headers.get('references', '')]))
        if message_ids:
            for email in Email.search([
                        ('message_id', 'in', message_ids),
                        ('resource', 'like', cls.__name__ + ',%'),
                        ], order=[('id', 'DESC')]):
                if email.resource.company == company:
                    candidates.append(cls(email.resource.id))
        for request in candidates:
            if sender.lower() in request._party_emails():
                return request

    def _party_emails(self):
        return {m.email.lower() for m in self.party.contact_mechanisms
            if m.type == 'email' and m.email}

    def _add_email_reply(self, sender, body, attachments):
        "Add the reply of the customer to the conversation and resume"
        pool = Pool()
        Message = pool.get('crm.service.request.message')
        WebUser = pool.get('web.user')
        web_users = WebUser.search([
                ('email', 'ilike', escape_wildcard(sender)),
                ('party', '=', self.party.id),
                ], limit=1)
        Message(
            request=self,
            author_employee=None,
            author_web_user=web_users[0] if web_users else None,
            body=body or '-',
            internal=False).save()
        self._attach_email_files(attachments)
        if self.state == 'waiting':
            self.__class__.resume([self])

    @classmethod
    def _create_from_email(
            cls, rule, sender, headers, subject, body, attachments):
        pool = Pool()
        Message = pool.get('crm.service.request.message')
        party, contact, created = cls._email_party(sender, headers)
        request = cls(
            company=rule.service_company,
            party=party,
            contact=contact,
            channel='email',
            category=rule.service_category,
            subject=subject or gettext(
                'crm_service.msg_email_no_subject', sender=sender),
            description=body)
        request.save()
        if created:
            Message(
                request=request,
                author_employee=None,
                body=gettext('crm_service.msg_email_party_created',
                    email=sender, party=party.rec_name),
                internal=True).save()
        request._attach_email_files(attachments)
        return request

    @classmethod
    def _email_party(cls, sender, headers):
        """Return the party of the sender's e-mail address, its contact
        mechanism and whether the party was created for an unknown sender"""
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        Party = pool.get('party.party')
        mechanisms = ContactMechanism.search([
                ('type', '=', 'email'),
                ('value', 'ilike', escape_wildcard(sender)),
                ('party.active', '=', True),
                ], order=[('party.id', 'ASC'), ('id', 'ASC')], limit=1)
        if mechanisms:
            mechanism, = mechanisms
            return mechanism.party, mechanism, False
        name = next((n for n, a in getaddresses([headers.get('from', '')])
                if n and a.lower() == sender.lower()), sender)
        party = Party(name=name)
        mechanism = ContactMechanism(type='email', value=sender)
        party.contact_mechanisms = [mechanism]
        party.save()
        mechanism, = party.contact_mechanisms
        return party, mechanism, True

    def _attach_email_files(self, attachments):
        pool = Pool()
        Attachment = pool.get('ir.attachment')
        Attachment.save([Attachment(
                    resource=self,
                    name=a.get('filename') or gettext(
                        'crm_service.msg_email_attachment_name',
                        number=i),
                    type='data',
                    data=a.get('data') or b'')
                for i, a in enumerate(attachments, 1)])
