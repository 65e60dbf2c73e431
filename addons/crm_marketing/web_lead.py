# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Web-to-lead (M8): the leads sent by the visitors of the company's website
through the public form, matched to the known parties, attributed to the
campaign, medium and source of their UTM parameters, their consent to
mailings confirmed by double opt-in"""
import datetime as dt
import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from sql import Null
from sql.operators import Not

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError
from trytond.modules.crm_sales.party_duplicate import duplicate_key
from trytond.modules.party import contact_mechanism as party_contact_mechanism
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.tools.email_ import EmailNotValidError, validate_email
from trytond.transaction import Transaction
from trytond.url import http_base

# The longest value of each field of the form
LIMITS = {
    'name': 100,
    'company': 150,
    'email': 254,
    'phone': 30,
    'interest': 2000,
    }
UTM_PARAMETERS = {
    'utm_campaign': 'marketing.campaign',
    'utm_medium': 'marketing.medium',
    'utm_source': 'marketing.source',
    }
UTM_LIMIT = 100
# Loose on purpose: people write +7 (916) 123-45-67, 8 916 1234567, …
PHONE_CHARACTERS = re.compile(r'[0-9+()\-.\s]+')
PHONE_DIGITS = (7, 15)
EMAIL_FORMAT = re.compile(r'[^@\s]+@[^@\s]+\.[^@\s]+')
# The posts of an address counted against the rate limit
RATE_WINDOW = dt.timedelta(hours=1)
# The posts are kept that long for the log, the proofs of consent forever
RETENTION = dt.timedelta(days=30)
# A form older than that is shown again with a fresh token
FORM_MAX_AGE = 24 * 60 * 60
WEBSITE_FORMAT = re.compile(r'https?://[^/\s?#]+')


def utc_now():
    "The naive UTC datetime Tryton stores"
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Configuration(metaclass=PoolMeta):
    __name__ = 'crm.marketing.configuration'

    web_lead_enabled = fields.Boolean(
        "Web Form",
        help="Publish the lead form at /<database>/crm/lead "
        "for the visitors of the website.")
    web_lead_company = fields.Many2One(
        'company.company', "Web Form Company",
        states={
            'required': Eval('web_lead_enabled', False),
            },
        help="The company the leads of the web form are created for.")
    web_lead_sales_channel = fields.Many2One(
        'crm.sales.channel', "Web Form Sales Channel",
        help="The sales channel of the parties created by the web form, "
        "which the lead assignment rules can match.")
    web_lead_mailing_list = fields.Many2One(
        'marketing.email.list', "Web Form Mailing List",
        help="The list the visitors who agree to receive mailings are put "
        "on, once they have confirmed their address.\n"
        "Leave empty to not offer mailings on the form.")
    web_lead_campaign = fields.Many2One(
        'marketing.campaign', "Default Campaign",
        help="The campaign of the leads whose page has no utm_campaign.")
    web_lead_medium = fields.Many2One(
        'marketing.medium', "Default Medium",
        help="The medium of the leads whose page has no utm_medium.")
    web_lead_source = fields.Many2One(
        'marketing.source', "Default Source",
        help="The source of the leads whose page has no utm_source.")
    web_lead_categories = fields.Many2Many(
        'crm.marketing.configuration-web_lead.category',
        'configuration', 'category', "Web Form Interests",
        context={'company': Eval('web_lead_company', -1)},
        depends={'web_lead_company'},
        help="The product categories the visitors choose their interest "
        "from.\nLeave empty to ask only for a text.")
    web_lead_thanks_url = fields.Char(
        "Web Form Thanks Page",
        help="The page of the website the visitors are sent to once the "
        "form is sent.\nLeave empty to show the thanks of the form.")
    web_lead_websites = fields.Text(
        "Web Form Websites",
        help="The addresses of the websites allowed to show the form in a "
        "frame, one per line (https://www.example.ru).")
    # Signs the time the form was shown and hashes the visitors' addresses:
    # no group may read it (ir.model.field.access)
    web_lead_secret = fields.Char("Web Form Secret", readonly=True)

    @classmethod
    def __register__(cls, module):
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        super().__register__(module)
        # Migration: the configuration saved before the web form
        cursor.execute(*table.select(
                table.id, where=table.web_lead_secret == Null))
        for id_, in cursor.fetchall():
            cursor.execute(*table.update(
                    [table.web_lead_secret], [secrets.token_hex(32)],
                    where=table.id == id_))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('web_lead_secret'):
            values['web_lead_secret'] = secrets.token_hex(32)
        return values

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names & {'web_lead_thanks_url', 'web_lead_websites'}:
            for configuration in configurations:
                configuration.check_web_lead_urls()

    def check_web_lead_urls(self):
        url = self.web_lead_thanks_url
        if url:
            parts = urlsplit(url)
            if parts.scheme not in {'http', 'https'} or not parts.netloc:
                raise ValidationError(gettext(
                        'crm_marketing.msg_web_lead_thanks_url_invalid',
                        url=url))
        for website in self.web_lead_website_list:
            if not WEBSITE_FORMAT.fullmatch(website):
                raise ValidationError(gettext(
                        'crm_marketing.msg_web_lead_website_invalid',
                        website=website))

    @property
    def web_lead_website_list(self):
        return [w.strip().rstrip('/')
            for w in (self.web_lead_websites or '').splitlines()
            if w.strip()]

    @property
    def web_lead_open(self):
        "Tell if the form is published"
        return bool(self.web_lead_enabled and self.web_lead_company
            and self.web_lead_secret)

    def _web_lead_signature(self, message):
        return hmac.new(
            self.web_lead_secret.encode(), message.encode(),
            hashlib.sha256).hexdigest()

    def web_lead_form_token(self, timestamp=None):
        "The token of a form shown at timestamp (now by default)"
        if timestamp is None:
            timestamp = int(time.time())
        return '%d.%s' % (
            timestamp, self._web_lead_signature(f'form:{timestamp}'))

    def web_lead_form_age(self, token):
        """The seconds since the form of token was shown,
        None for a token not signed by us"""
        timestamp, _, signature = (token or '').partition('.')
        if not timestamp.isdigit() or not hmac.compare_digest(
                signature.encode(),
                self._web_lead_signature(f'form:{timestamp}').encode()):
            return None
        return time.time() - int(timestamp)

    def web_lead_address_hash(self, address):
        """The keyed hash of the network of address: the visitors' addresses
        are counted but not stored, and an IPv6 visitor has a /64 network"""
        try:
            ip = ipaddress.ip_address(address or '')
        except ValueError:
            network = 'unknown'
        else:
            prefix = 64 if ip.version == 6 else 32
            network = str(ipaddress.ip_network(
                    f'{ip}/{prefix}', strict=False))
        return self._web_lead_signature(f'address:{network}')[:40]


class ConfigurationCategory(ModelSQL):
    "A product category offered as interest on the web form"
    __name__ = 'crm.marketing.configuration-web_lead.category'
    __string__ = "Marketing Configuration - Web Form Interest"
    configuration = fields.Many2One(
        'crm.marketing.configuration', "Configuration",
        required=True, ondelete='CASCADE')
    category = fields.Many2One(
        'product.category', "Category", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('configuration')


class Attempt(ModelSQL, ModelView):
    """A post of the web form: counted against the rate limit of its address
    and, when the visitor agreed to mailings, the proof of the consent"""
    __name__ = 'crm.web_lead.attempt'
    __string__ = "Web Form Submission"

    date = fields.DateTime("Date", required=True, readonly=True)
    address_hash = fields.Char(
        "Address Hash", required=True, readonly=True,
        help="The keyed hash of the network address of the visitor: "
        "the same for the posts of one address, "
        "the address itself is not stored.")
    outcome = fields.Selection([
            ('lead', "Lead Created"),
            ('invalid', "Invalid Data"),
            ('expired', "Expired Form"),
            ('honeypot', "Bot: Hidden Field Filled"),
            ('too_fast', "Bot: Sent Too Fast"),
            ('forged', "Bot: Form Not Shown"),
            ], "Outcome", required=True, readonly=True, sort=False)
    opportunity = fields.Many2One(
        'sale.opportunity', "Lead", readonly=True, ondelete='SET NULL')
    language = fields.Char("Language", readonly=True)
    consent = fields.Boolean(
        "Consent to Mailings", readonly=True,
        help="The visitor ticked the box agreeing to receive mailings.")
    consent_text = fields.Text(
        "Consent Text", readonly=True,
        help="The text of the box, as the visitor read it.")
    email = fields.Char(
        "E-mail", readonly=True,
        help="The address that agreed to the mailings.")
    mailing_list = fields.Many2One(
        'marketing.email.list', "Mailing List", readonly=True,
        ondelete='SET NULL')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t,
                    (t.address_hash, Index.Equality()),
                    (t.date, Index.Range())),
                Index(t, (t.date, Index.Range())),
                })
        cls._order = [
            ('date', 'DESC'),
            ('id', 'DESC'),
            ]

    @classmethod
    def default_date(cls):
        return utc_now()

    @classmethod
    def default_consent(cls):
        return False

    @classmethod
    def count_recent(cls, address_hash):
        "The number of posts of the address during the rate window"
        return cls.search_count([
                ('address_hash', '=', address_hash),
                ('date', '>=', utc_now() - RATE_WINDOW),
                ])

    @classmethod
    def prune(cls):
        "Delete the old posts, except the proofs of consent (daily cron)"
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(
                where=(table.date < utc_now() - RETENTION)
                & Not(table.consent)))


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('crm.web_lead.attempt|prune', "Prune Web Form Submissions"))


class Opportunity(metaclass=PoolMeta):
    __name__ = 'sale.opportunity'

    web_lead_submissions = fields.One2Many(
        'crm.web_lead.attempt', 'opportunity', "Web Form Submissions",
        readonly=True)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/form/notebook/page[@name="web_lead_submissions"]', 'states', {
                    'invisible': ~Eval('web_lead_submissions'),
                    }),
            ]

    @classmethod
    def copy(cls, opportunities, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('web_lead_submissions', None)
        return super().copy(opportunities, default=default)

    @classmethod
    def create_web_lead(cls, submission, configuration):
        """Create the lead of the submission of the web form, for the party
        of its e-mail or phone, else a new party"""
        pool = Pool()
        company = configuration.web_lead_company
        contact = cls._web_lead_contact(submission)
        if contact:
            # never changed with what a visitor typed: the other values
            # stay in the comment for the salesperson to check
            party = contact.party
        else:
            party, contact = cls._web_lead_party(submission, configuration)

        defaults = {
            'utm_campaign': configuration.web_lead_campaign,
            'utm_medium': configuration.web_lead_medium,
            'utm_source': configuration.web_lead_source,
            }
        attribution, unknown = {}, {}
        for name, model in UTM_PARAMETERS.items():
            value = submission.utm.get(name)
            if not value:
                attribution[name] = defaults[name]
                continue
            # public input: never a new campaign, medium or source
            attribution[name] = pool.get(model).from_name(value, create=False)
            if not attribution[name]:
                unknown[name] = value

        with Transaction().set_context(
                language=cls._web_lead_language(company)):
            description, comment = cls._web_lead_texts(
                submission, unknown)
        lead = cls(
            company=company,
            currency=company.currency,
            party=party,
            contact=contact,
            description=description,
            comment=comment,
            marketing_campaign=attribution['utm_campaign'],
            marketing_medium=attribution['utm_medium'],
            marketing_source=attribution['utm_source'],
            )
        lead.save()
        return lead

    @classmethod
    def _web_lead_contact(cls, submission):
        """The active contact mechanism with the e-mail of the submission,
        else with its phone"""
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        for type_, value in [
                ('email', submission.email),
                ('phone', submission.phone)]:
            key = duplicate_key(type_, value)
            if not key:
                continue
            mechanisms = ContactMechanism.search([
                    ('duplicate_key', '=', key),
                    ('party.active', '=', True),
                    ], order=[('id', 'ASC')], limit=1)
            if mechanisms:
                return mechanisms[0]

    @classmethod
    def _web_lead_party(cls, submission, configuration):
        "Create the party of the submission, return it and its contact"
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        Lang = pool.get('ir.lang')
        Party = pool.get('party.party')

        # the person is the contact of the company they work for
        person = submission.name if submission.company else None
        party = Party(name=submission.company or submission.name)
        langs = Lang.search([('code', '=', submission.language)], limit=1)
        if langs:
            party.lang, = langs
        party.sales_channel = configuration.web_lead_sales_channel
        mechanisms = []
        if submission.email:
            mechanisms.append(ContactMechanism(
                    type='email', value=submission.email, name=person))
        if submission.phone and cls._web_lead_phone_storable(
                submission.phone):
            mechanisms.append(ContactMechanism(
                    type='phone', value=submission.phone, name=person))
        party.contact_mechanisms = mechanisms
        party.save()
        return party, (party.contact_mechanisms[0] if mechanisms else None)

    @classmethod
    def _web_lead_phone_storable(cls, phone):
        """Tell if the party module accepts the phone: with phonenumbers
        installed, it refuses the numbers it can not parse"""
        pool = Pool()
        ContactMechanism = pool.get('party.contact_mechanism')
        if not party_contact_mechanism.phonenumbers:
            return True
        return bool(ContactMechanism(type='phone')._parse_phonenumber(phone))

    @classmethod
    def _web_lead_language(cls, company):
        "The language the salespeople read the lead in"
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        if company.party.lang:
            return company.party.lang.code
        return Configuration.get_language()

    @classmethod
    def _web_lead_texts(cls, submission, unknown_utm):
        "The description and the comment of the lead of submission"
        category = submission.category.rec_name if submission.category else ''
        interest = ' '.join(submission.interest.split())
        summary = category or interest
        if category and interest:
            summary = f'{category}: {interest}'
        description = gettext(
            'crm_marketing.msg_web_lead_description',
            interest=summary or submission.name)
        if len(description) > 120:
            description = description[:119] + '…'
        lines = [gettext('crm_marketing.msg_web_lead_comment',
                name=submission.name,
                company=submission.company or '-',
                email=submission.email or '-',
                phone=submission.phone or '-',
                category=category or '-')]
        if submission.interest:
            lines.append(submission.interest)
        if unknown_utm:
            lines.append(gettext('crm_marketing.msg_web_lead_comment_utm',
                    parameters=', '.join(
                        f'{k}={v}' for k, v in sorted(unknown_utm.items()))))
        if submission.consent:
            lines.append(gettext(
                    'crm_marketing.msg_web_lead_comment_consent',
                    email=submission.email))
        return description, '\n\n'.join(lines)


class Email(metaclass=PoolMeta):
    __name__ = 'marketing.email'

    def get_email_subscribe_url(self, url=None):
        # Without [marketing] email_subscribe_url, the confirmation page of
        # the web form: a subscription could not be confirmed otherwise
        if url is None and not config.get('marketing', 'email_subscribe_url'):
            url = urljoin(
                config.get('marketing', 'email_base', default=http_base()),
                quote('/%s/crm/subscribe' % Transaction().database.name))
        return super().get_email_subscribe_url(url=url)


@dataclass
class Submission:
    "The values of a post of the web form, checked"
    name: str = ''
    company: str = ''
    email: str = ''
    phone: str = ''
    interest: str = ''
    category: object = None
    language: str = 'ru'
    consent: bool = False
    utm: dict = field(default_factory=dict)

    @classmethod
    def from_form(cls, form, configuration, language):
        """Return the submission of the form and the errors of its fields,
        in the language of the request"""
        pool = Pool()
        Category = pool.get('product.category')
        submission = cls(language=language)
        errors = {}
        for name, limit in LIMITS.items():
            value = form.get(name, '').strip()
            multiline = name == 'interest'
            if len(value) > limit:
                errors[name] = gettext(
                    'crm_marketing.msg_web_lead_too_long', limit=limit)
            elif not printable(value, multiline):
                errors[name] = gettext(
                    'crm_marketing.msg_web_lead_invalid_characters')
            else:
                setattr(submission, name, value if multiline
                    else ' '.join(value.split()))
        if 'name' not in errors and not submission.name:
            errors['name'] = gettext(
                'crm_marketing.msg_web_lead_name_required')
        if 'email' not in errors and submission.email:
            if not valid_email(submission.email):
                errors['email'] = gettext(
                    'crm_marketing.msg_web_lead_email_invalid')
        if 'phone' not in errors and submission.phone:
            digits = sum(c.isdigit() for c in submission.phone)
            if (not PHONE_CHARACTERS.fullmatch(submission.phone)
                    or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]):
                errors['phone'] = gettext(
                    'crm_marketing.msg_web_lead_phone_invalid')
        if not (errors.keys() & {'email', 'phone'}) and not (
                submission.email or submission.phone):
            errors['email'] = gettext(
                'crm_marketing.msg_web_lead_contact_required')

        category = form.get('category', '')
        if category:
            offered = {c.id: c for c in configuration.web_lead_categories}
            if category.isdigit() and int(category) in offered:
                submission.category = Category(offered[int(category)].id)
            else:
                errors['category'] = gettext(
                    'crm_marketing.msg_web_lead_category_invalid')

        submission.consent = bool(configuration.web_lead_mailing_list
            and form.get('consent') == 'yes')
        if submission.consent and not submission.email and (
                'email' not in errors):
            errors['email'] = gettext(
                'crm_marketing.msg_web_lead_consent_email')

        for name in UTM_PARAMETERS:
            value = ' '.join(form.get(name, '').split())
            # the parameters come from the URL: a strange one is ignored
            if value and len(value) <= UTM_LIMIT and value.isprintable():
                submission.utm[name] = value
        return submission, errors


def printable(value, multiline=False):
    if multiline:
        value = value.replace('\n', '').replace('\r', '').replace('\t', '')
    return value.isprintable()


def valid_email(email):
    "Tell if email is an address the mailings and the party module accept"
    if not EMAIL_FORMAT.fullmatch(email):
        return False
    try:
        validate_email(email)
    except EmailNotValidError:
        return False
    return True
