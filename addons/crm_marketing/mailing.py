# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Personalised mailings (M4): the mailing lists filled from segments, the
messages rendered for each recipient and sent through the queue by batches,
each address logged as a delivery so that a message reaches it once"""
import datetime as dt
from collections import Counter, defaultdict
from urllib.parse import quote, urljoin

from sql import Literal, Null
from sql.aggregate import Count
from sql.functions import CurrentTimestamp
from sql.operators import Exists

import trytond.config as config
from trytond import backend
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.sendmail import SMTPDataManager
from trytond.tools import grouped_slice, reduce_ids
from trytond.tools.email_ import normalize_email
from trytond.transaction import Transaction
from trytond.url import http_base
from trytond.wizard import Button, StateTransition, StateView, Wizard

DEFAULT_BATCH_SIZE = 100
# The context key of the message being rendered: the fields of the offer
# read it, as upstream's template gets only the e-mail record
MESSAGE_CONTEXT = 'crm_mailing_message'


def normalize_address(value):
    "Return the address as marketing.email stores it"
    return normalize_email(value).lower()


def party_email_addresses(party_ids):
    """Return for each party id its active e-mail addresses with the name of
    their contact, the preferred one (by sequence) first"""
    pool = Pool()
    ContactMechanism = pool.get('party.contact_mechanism')
    mechanism = ContactMechanism.__table__()
    cursor = Transaction().connection.cursor()
    rows = defaultdict(list)
    for sub_ids in grouped_slice(party_ids, backend.MAX_QUERY_PARAMS):
        cursor.execute(*mechanism.select(
                mechanism.party, mechanism.sequence, mechanism.id,
                mechanism.value, mechanism.name,
                where=reduce_ids(mechanism.party, sub_ids)
                & (mechanism.type == 'email')
                & (mechanism.value != Null)
                & (mechanism.active == Literal(True))))
        for party_id, sequence, id_, value, name in cursor:
            # sequence_ordered puts the mechanisms without sequence first
            key = (sequence is not None, sequence or 0, id_)
            rows[party_id].append((key, normalize_address(value), name))
    return {
        party_id: [(address, name) for _, address, name in sorted(values)]
        for party_id, values in rows.items()}


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.marketing.configuration'

    mailing_batch_size = fields.Integer(
        "Mailing Batch Size", required=True,
        help="The number of addresses a task of the queue sends a message "
        "to.")

    @classmethod
    def default_mailing_batch_size(cls):
        return DEFAULT_BATCH_SIZE

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names and 'mailing_batch_size' not in field_names:
            return
        for configuration in configurations:
            if (configuration.mailing_batch_size or 0) <= 0:
                raise ValidationError(gettext(
                        'crm_marketing.msg_mailing_batch_size_positive'))


class EmailList(metaclass=PoolMeta):
    __name__ = 'marketing.email.list'

    segment = fields.Many2One(
        'crm.segment', "Segment", ondelete='SET NULL',
        help="The segment whose members the list is filled with.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'add_segment_members': {
                    'readonly': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    @ModelView.button_action('crm_marketing.wizard_mailing_fill')
    def add_segment_members(cls, lists):
        pass

    @classmethod
    def fill_from_segment(cls, lists, segment=None):
        """Add to each list the preferred e-mail address of each member of
        segment (of the list's own segment when None), linked to the party

        An address already in the list is left as it is: an unsubscribed
        address, or one waiting for its confirmation, is never made active
        again. Return the counts of the addresses by outcome."""
        pool = Pool()
        Email = pool.get('marketing.email')
        Member = pool.get('crm.segment.member')
        member = Member.__table__()
        email = Email.__table__()
        cursor = Transaction().connection.cursor()

        counts = Counter(added=0, subscribed=0, inactive=0, no_email=0)
        for list_ in lists:
            list_segment = segment or list_.segment
            if not list_segment:
                continue
            cursor.execute(*member.select(
                    member.party,
                    where=member.segment == list_segment.id,
                    order_by=[member.party]))
            party_ids = [p for p, in cursor]
            addresses = party_email_addresses(party_ids)
            # The address of each member: a member whose address is another
            # member's too shares its outcome, but the address is added once
            preferred, shared = {}, []
            for party_id in party_ids:
                if not addresses.get(party_id):
                    counts['no_email'] += 1
                    continue
                address, _ = addresses[party_id][0]
                if address in preferred:
                    shared.append(address)
                else:
                    preferred[address] = party_id

            existing = {}
            for sub_addresses in grouped_slice(
                    list(preferred), backend.MAX_QUERY_PARAMS):
                cursor.execute(*email.select(
                        email.email, email.id, email.active,
                        email.linked_party,
                        where=(email.list_ == list_.id)
                        & email.email.in_(list(sub_addresses))))
                for address, *values in cursor:
                    existing[address] = values

            to_create, to_link = [], defaultdict(list)
            for address, party_id in preferred.items():
                if address not in existing:
                    to_create.append({
                            'list_': list_.id,
                            'email': address,
                            'linked_party': party_id,
                            'active': True,
                            })
                    continue
                id_, active, linked_party = existing[address]
                counts['subscribed' if active else 'inactive'] += 1
                if active and not linked_party:
                    to_link[party_id].append(id_)
            for address in shared:
                if address in existing and not existing[address][1]:
                    counts['inactive'] += 1
                else:
                    counts['subscribed'] += 1
            Email.create(to_create)
            counts['added'] += len(to_create)
            args = []
            for party_id, ids in to_link.items():
                args.extend([Email.browse(ids), {'linked_party': party_id}])
            if args:
                Email.write(*args)
        return counts

    @classmethod
    def refill_from_segments(cls, lists=None):
        "Add the new members of their segment to the lists that remember one"
        if lists is None:
            lists = cls.search([('segment', '!=', None)])
        cls.fill_from_segment(lists)


class Email(metaclass=PoolMeta):
    __name__ = 'marketing.email'

    linked_party = fields.Many2One(
        'party.party', "Linked Party", ondelete='SET NULL',
        help="The party the address was added for.")

    # What a message's content may show of its recipient
    recipient_name = fields.Function(
        fields.Char(
            "Recipient Name",
            help="The name of the contact of the address, "
            "or else of the party."),
        'get_recipient')
    account_manager_name = fields.Function(
        fields.Char("Account Manager Name"), 'get_recipient')
    account_manager_email = fields.Function(
        fields.Char("Account Manager Email"), 'get_recipient')
    account_manager_phone = fields.Function(
        fields.Char("Account Manager Phone"), 'get_recipient')
    unsubscribe_url = fields.Function(
        fields.Char("Unsubscribe URL"), 'get_recipient')
    # The offer of the message being rendered
    offer = fields.Function(
        fields.Text("Offer"), 'get_offer')
    discount_notices = fields.Function(
        fields.Text(
            "Discount Notices",
            help="The discounts the recipient is offered, one a line."),
        'get_offer')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Upstream's party comes only from the web user of the address
        cls.party.setter = 'set_party'
        cls.party.searcher = 'search_party'
        cls.party.readonly = False
        cls.party.help = (
            "The party of the web user with this address, "
            "or else the party the address was added for.")
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.linked_party, Index.Range()),
                where=t.linked_party != Null))

    @classmethod
    def get_web_user(cls, records, names):
        result = super().get_web_user(records, names)
        if 'party' in names:
            parties = result['party']
            for record in records:
                if not parties.get(record.id) and record.linked_party:
                    parties[record.id] = record.linked_party.id
        return result

    @classmethod
    def set_party(cls, records, name, value):
        cls.write(records, {'linked_party': value})

    @classmethod
    def search_party(cls, name, clause):
        pool = Pool()
        WebUser = pool.get('web.user')
        nested = clause[0][len(name):]
        users = WebUser.search([('party' + nested, *clause[1:])])
        return ['OR',
            ('linked_party' + nested, *clause[1:]),
            ('email', 'in', [u.email for u in users if u.email]),
            ]

    @classmethod
    def get_recipient(cls, records, names):
        result = {n: {r.id: None for r in records} for n in names}
        parties = {r.id: r.party for r in records}
        contact_names = {}
        if 'recipient_name' in names:
            addresses = party_email_addresses(
                list({p.id for p in parties.values() if p}))
            contact_names = {
                (party_id, address): name
                for party_id, values in addresses.items()
                for address, name in values if name}
        for record in records:
            party = parties[record.id]
            manager = party.account_manager if party else None
            values = {
                'recipient_name': (
                    contact_names.get((party.id, record.email), party.name)
                    if party else None),
                'account_manager_name': (
                    manager.party.name if manager else None),
                'account_manager_email': (
                    manager.party.email if manager else None) or None,
                'account_manager_phone': (
                    manager.party.phone if manager else None) or None,
                }
            for name in names:
                if name == 'unsubscribe_url':
                    result[name][record.id] = (
                        record.get_email_unsubscribe_url() or None)
                else:
                    result[name][record.id] = values[name]
        return result

    @classmethod
    def get_offer(cls, records, names):
        pool = Pool()
        Message = pool.get('marketing.email.message')
        result = {n: {r.id: None for r in records} for n in names}
        message_id = Transaction().context.get(MESSAGE_CONTEXT)
        if not message_id:
            return result
        # The texts in the language of the list
        language = Message(message_id).list_.language.code
        with Transaction().set_context(language=language):
            message = Message(message_id)
            if 'offer' in names:
                result['offer'] = {r.id: message.offer for r in records}
            if 'discount_notices' in names:
                notices = cls._discount_notices(records, message)
                result['discount_notices'] = {
                    r.id: '\n'.join(notices.get(r.id, [])) or None
                    for r in records}
        return result

    @classmethod
    def _discount_notices(cls, records, message):
        """Return for each record id the list of the discount notices of its
        recipient for message, in the language of the context

        Other modules add theirs, such as the discount of a loyalty card."""
        pool = Pool()
        Lang = pool.get('ir.lang')
        notices = {r.id: [] for r in records}
        promotion = message.promotion
        if promotion:
            if promotion.end_date:
                notice = gettext(
                    'crm_marketing.msg_mailing_promotion_until',
                    promotion=promotion.name,
                    date=Lang.get().strftime(promotion.end_date))
            else:
                notice = gettext(
                    'crm_marketing.msg_mailing_promotion',
                    promotion=promotion.name)
            for record in records:
                notices[record.id].append(notice)
        return notices

    def get_email_unsubscribe_url(self, url=None):
        # Without a website configured, the page of this server
        if url is None and not config.get(
                'marketing', 'email_unsubscribe_url'):
            url = urljoin(
                config.get('marketing', 'email_base', default=http_base()),
                quote('/%s/crm/mailing/unsubscribe'
                    % Transaction().database.name))
        return super().get_email_unsubscribe_url(url)


class Message(metaclass=PoolMeta):
    __name__ = 'marketing.email.message'

    offer = fields.Text(
        "Offer",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The offer shown to every recipient "
        "(\"${email.offer}\" in the content).")
    promotion = fields.Many2One(
        'sale.promotion', "Promotion",
        states={
            'readonly': Eval('state') != 'draft',
            },
        help="The promotion announced to every recipient "
        "(\"${email.discount_notices}\" in the content).")
    deliveries = fields.One2Many(
        'crm.mailing.delivery', 'message', "Deliveries", readonly=True)
    recipient_count = fields.Function(
        fields.Integer(
            "Recipients",
            help="The subscribed addresses when the message was sent."),
        'get_progress')
    sent_count = fields.Function(
        fields.Integer("Sent"), 'get_progress')
    skipped_count = fields.Function(
        fields.Integer(
            "Skipped",
            help="The addresses unsubscribed before their turn came."),
        'get_progress')
    progress = fields.Function(
        fields.Float(
            "Progress", digits=(1, 4),
            help="The share of the recipients done (sent or skipped)."),
        'get_progress')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'preview': {
                    'readonly': ~Bool(Eval('content')),
                    'depends': ['content'],
                    },
                })

    @classmethod
    def copy(cls, messages, default=None):
        default = default.copy() if default is not None else {}
        # A copy is a new message to send
        default.setdefault('state', 'draft')
        default.setdefault('urls', None)
        default.setdefault('deliveries', None)
        return super().copy(messages, default=default)

    @classmethod
    def get_progress(cls, messages, names):
        pool = Pool()
        Delivery = pool.get('crm.mailing.delivery')
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        counts = defaultdict(Counter)
        for sub_ids in grouped_slice(
                [m.id for m in messages], backend.MAX_QUERY_PARAMS):
            cursor.execute(*delivery.select(
                    delivery.message, delivery.state, Count(delivery.id),
                    where=reduce_ids(delivery.message, sub_ids),
                    group_by=[delivery.message, delivery.state]))
            for message_id, state, count in cursor:
                counts[message_id][state] = count
        result = {n: {} for n in names}
        for message in messages:
            count = counts[message.id]
            total = sum(count.values())
            done = count['sent'] + count['skipped']
            values = {
                'recipient_count': total,
                'sent_count': count['sent'],
                'skipped_count': count['skipped'],
                'progress': round(done / total, 4) if total else 0.,
                }
            for name in names:
                result[name][message.id] = values[name]
        return result

    @classmethod
    @ModelView.button_action('crm_marketing.wizard_mailing_preview')
    def preview(cls, messages):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('sending')
    def send(cls, messages):
        pool = Pool()
        Delivery = pool.get('crm.mailing.delivery')
        super().send(messages)
        Delivery.log(messages)
        for message in messages:
            if not message.recipient_count:
                raise UserError(gettext(
                        'crm_marketing.msg_mailing_no_recipient',
                        message=message.rec_name,
                        list=message.list_.rec_name))
        cls.queue_deliveries(messages)

    @classmethod
    def queue_deliveries(cls, messages):
        """Queue by batches the deliveries of the messages left to send;
        a message with none left is finished by the queue"""
        pool = Pool()
        Configuration = pool.get('crm.marketing.configuration')
        Delivery = pool.get('crm.mailing.delivery')
        batch_size = (
            Configuration(1).mailing_batch_size or DEFAULT_BATCH_SIZE)
        queued = Delivery.search([
                ('message', 'in', [m.id for m in messages]),
                ('state', '=', 'queued'),
                ], order=[('message', 'ASC'), ('id', 'ASC')])
        by_message = defaultdict(list)
        for delivery in queued:
            by_message[delivery.message].append(delivery)
        for deliveries in by_message.values():
            for batch in grouped_slice(deliveries, batch_size):
                Delivery.__queue__.deliver(list(batch))
        finished = [m for m in messages if m not in by_message]
        if finished:
            cls.__queue__.finish_sending(finished)

    @classmethod
    def finish_sending(cls, messages):
        "Mark as sent the messages sending whose deliveries are all done"
        pool = Pool()
        Delivery = pool.get('crm.mailing.delivery')
        delivery = Delivery.__table__()
        cursor = Transaction().connection.cursor()
        waiting = set()
        for sub_ids in grouped_slice(
                [m.id for m in messages], backend.MAX_QUERY_PARAMS):
            cursor.execute(*delivery.select(
                    delivery.message,
                    where=reduce_ids(delivery.message, sub_ids)
                    & (delivery.state == 'queued'),
                    group_by=[delivery.message]))
            waiting.update(m for m, in cursor)
        cls.sent([m for m in messages
                if m.state == 'sending' and m.id not in waiting])

    @classmethod
    def process(cls, messages=None, emails=None, smtpd_datamanager=None):
        """Send the messages to emails, rendered for each of them

        A message for its whole list goes through the queue instead: the
        cron only queues the messages put in sending without deliveries."""
        pool = Pool()
        Delivery = pool.get('crm.mailing.delivery')
        Email = pool.get('marketing.email')
        if emails is None:
            if messages is None:
                messages = cls.search([
                        ('state', '=', 'sending'),
                        ('deliveries', '=', None),
                        ])
            Delivery.log(messages)
            cls.queue_deliveries(messages)
            return
        email_ids = list(map(int, emails))
        for message in messages:
            # The records are read in the context of the message
            with Transaction().set_context(**{MESSAGE_CONTEXT: message.id}):
                super().process(
                    [cls(message.id)], Email.browse(email_ids),
                    smtpd_datamanager=smtpd_datamanager)

    def render_for(self, email):
        "Return the e-mail message that email would receive, without sending"
        datamanager = _KeepDataManager()
        self.process([self], [email], smtpd_datamanager=datamanager)
        message, = datamanager.messages
        return message


class _KeepDataManager:
    """Keep the messages given instead of sending them

    It is not an SMTPDataManager, which the transaction would merge with
    the real one it may have joined already."""

    def __init__(self):
        self.messages = []

    def put(self, from_addr, to_addrs, msg):
        self.messages.append(msg)

    def abort(self, trans):
        pass

    def tpc_begin(self, trans):
        pass

    def commit(self, trans):
        pass

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        pass

    def tpc_abort(self, trans):
        pass


class Delivery(ModelSQL, ModelView):
    "The delivery of a message to an address: it is mailed at most once"
    __name__ = 'crm.mailing.delivery'
    __string__ = "Mailing Delivery"

    message = fields.Many2One(
        'marketing.email.message', "Message", required=True,
        ondelete='CASCADE', readonly=True)
    email = fields.Many2One(
        'marketing.email', "Email", ondelete='SET NULL', readonly=True)
    address = fields.Char("Address", required=True, readonly=True)
    state = fields.Selection([
            ('queued', "Queued"),
            ('sent', "Sent"),
            ('skipped', "Skipped"),
            ], "State", required=True, readonly=True, sort=False)
    sent_at = fields.DateTime("Sent at", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('message')
        t = cls.__table__()
        cls._sql_constraints = [
            ('message_address_unique', Unique(t, t.message, t.address),
                'crm_marketing.msg_mailing_delivery_unique'),
            ]
        cls._sql_indexes.add(Index(
                t, (t.message, Index.Range()),
                (t.state, Index.Equality(cardinality='low'))))
        cls._order.insert(0, ('id', 'ASC'))

    @classmethod
    def default_state(cls):
        return 'queued'

    @classmethod
    def log(cls, messages):
        """Log a queued delivery of each message to each subscribed address
        of its list that has none yet"""
        pool = Pool()
        Email = pool.get('marketing.email')
        delivery = cls.__table__()
        logged = cls.__table__()
        email = Email.__table__()
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        for message in messages:
            cursor.execute(*delivery.insert(
                    [delivery.message, delivery.email, delivery.address,
                        delivery.state, delivery.create_uid,
                        delivery.create_date],
                    email.select(
                        Literal(message.id), email.id, email.email,
                        Literal('queued'), Literal(transaction.user),
                        CurrentTimestamp(),
                        where=(email.list_ == message.list_.id)
                        & (email.active == Literal(True))
                        & ~Exists(logged.select(
                                logged.id,
                                where=(logged.message == message.id)
                                & (logged.address == email.email))),
                        order_by=[email.id])))

    @classmethod
    def deliver(cls, deliveries):
        """Send its message to the address of each delivery still queued,
        unless it was unsubscribed since"""
        pool = Pool()
        Message = pool.get('marketing.email.message')
        # Locked: a delivery queued twice is sent once
        cls.lock(deliveries)
        to_send, skipped, messages = defaultdict(list), [], set()
        for delivery in deliveries:
            message = delivery.message
            # A message put back to draft stops its sending
            if delivery.state != 'queued' or message.state != 'sending':
                continue
            messages.add(message)
            if delivery.email and delivery.email.active:
                to_send[message].append(delivery)
            else:
                skipped.append(delivery)
        datamanager = SMTPDataManager()
        for message, message_deliveries in to_send.items():
            Message.process(
                [message], [d.email for d in message_deliveries],
                smtpd_datamanager=datamanager)
        sent = [d for ds in to_send.values() for d in ds]
        args = []
        if sent:
            args.extend([sent, {
                        'state': 'sent',
                        'sent_at': dt.datetime.now(),
                        }])
        if skipped:
            args.extend([skipped, {'state': 'skipped'}])
        if args:
            cls.write(*args)
        if messages:
            Message.__queue__.finish_sending(list(messages))


class Fill(Wizard):
    "Add the members of a segment to a mailing list"
    __name__ = 'crm.mailing.fill'

    start = StateView(
        'crm.mailing.fill.start',
        'crm_marketing.mailing_fill_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Add", 'fill', 'tryton-ok', default=True),
            ])
    fill = StateTransition()
    result = StateView(
        'crm.mailing.fill.result',
        'crm_marketing.mailing_fill_result_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        return {
            'list_': self.record.id,
            'segment': self.record.segment.id if self.record.segment else None,
            'remember': True,
            }

    def transition_fill(self):
        if self.start.remember and self.record.segment != self.start.segment:
            self.record.segment = self.start.segment
            self.record.save()
        counts = self.model.fill_from_segment(
            [self.record], self.start.segment)
        self.result.added = counts['added']
        self.result.subscribed = counts['subscribed']
        self.result.inactive = counts['inactive']
        self.result.no_email = counts['no_email']
        return 'result'

    def default_result(self, fields):
        return self.result._default_values


class FillStart(ModelView):
    "The segment whose members to add to a mailing list"
    __name__ = 'crm.mailing.fill.start'
    __string__ = "Add Segment Members"

    list_ = fields.Many2One(
        'marketing.email.list', "List", readonly=True)
    segment = fields.Many2One(
        'crm.segment', "Segment", required=True,
        help="Its members are added with their preferred e-mail address.")
    remember = fields.Boolean(
        "Remember Segment",
        help="Keep the segment on the list to fill it again later.")


class FillResult(ModelView):
    "The counts of the addresses added from a segment"
    __name__ = 'crm.mailing.fill.result'
    __string__ = "Segment Members Added"

    added = fields.Integer("Added", readonly=True)
    subscribed = fields.Integer(
        "Already Subscribed", readonly=True,
        help="The addresses already in the list.")
    inactive = fields.Integer(
        "Left Inactive", readonly=True,
        help="The addresses that were unsubscribed or wait for their "
        "confirmation: they stay so.")
    no_email = fields.Integer(
        "Without Email", readonly=True,
        help="The members without e-mail address.")


class Preview(Wizard):
    "Show a message as a recipient would receive it"
    __name__ = 'crm.mailing.preview'

    start = StateView(
        'crm.mailing.preview.start',
        'crm_marketing.mailing_preview_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Preview", 'show', 'tryton-ok', default=True),
            ])
    show = StateView(
        'crm.mailing.preview.show',
        'crm_marketing.mailing_preview_show_view_form', [
            Button("Other Recipient", 'start', 'tryton-back'),
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        pool = Pool()
        Email = pool.get('marketing.email')
        emails = Email.search([
                ('list_', '=', self.record.list_.id),
                ], order=[('id', 'ASC')], limit=1)
        values = {
            'message': self.record.id,
            'list_': self.record.list_.id,
            }
        if getattr(self.start, 'email', None):
            values['email'] = self.start.email.id
        elif emails:
            values['email'] = emails[0].id
        return values

    def default_show(self, fields):
        message = self.record.render_for(self.start.email)
        return {
            'to': message['To'],
            'subject': message['Subject'],
            'content': message.get_body(('html',)).get_content(),
            }


class PreviewStart(ModelView):
    "The recipient to preview a message for"
    __name__ = 'crm.mailing.preview.start'
    __string__ = "Preview for Recipient"

    message = fields.Many2One(
        'marketing.email.message', "Message", readonly=True)
    list_ = fields.Many2One(
        'marketing.email.list', "List", readonly=True)
    email = fields.Many2One(
        'marketing.email', "Recipient", required=True,
        domain=[
            ('list_', '=', Eval('list_', -1)),
            ])


class PreviewShow(ModelView):
    "A message as its recipient would receive it"
    __name__ = 'crm.mailing.preview.show'
    __string__ = "Message Preview"

    to = fields.Char("To", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    content = fields.Text("Content", readonly=True)


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('marketing.email.list|refill_from_segments',
                "Fill Mailing Lists from their Segments"))


class PartyReplace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('marketing.email', 'linked_party'),
            ]
