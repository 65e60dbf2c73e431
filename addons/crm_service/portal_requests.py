# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer's service requests on the portal (V6): the list with the time
we answer by, a new request, the conversation without the internal notes,
replies, files, and the rating once the request is resolved.

What the customer may do, decided here:

- the priority is low, normal or high: an urgent case is phoned in (the form
  says so), so that "urgent" keeps its meaning for the service team; any
  other value is refused and nothing is saved;
- the equipment is one of the customer's, in service: any other id answers
  the 404 of a missing page;
- the files sent are attachments of the request marked as sent on the portal
  (their description starts with PORTAL_MARK): the portal lists and serves
  those only, so that the files of the service team stay internal unless
  they mark them; at most MAX_FILE_SIZE (413 beyond, nothing stored) and
  MAX_FILES per request, of the kinds of FILE_KINDS only, checked on their
  first bytes, and served as downloads that never run in the page."""
import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from werkzeug.exceptions import NotFound

from trytond.exceptions import UserError
from trytond.modules.crm_sales.portal import add_menu_entry
from trytond.modules.crm_sales.portal.pagination import Page
from trytond.pool import Pool
from trytond.protocols.wrappers import Response, set_max_request_size
from trytond.tools import escape_wildcard
from trytond.transaction import Transaction

from .portal_common import render, service_route, text

MODEL = 'crm.service.request'
ORDER = [('reported_at', 'DESC'), ('id', 'DESC')]
PRIORITIES = ['low', 'normal', 'high']
# Waiting for the service: the time we answer by is shown
AWAITING_RESPONSE = {'new', 'assigned'}
RATED = {'resolved', 'closed'}
CLOSED = {'closed', 'cancelled'}
# The longest texts the customer types
SUBJECT_SIZE = 200
TEXT_SIZE = 10_000
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILES = 20
# Room for the other fields of the form around the file
FORM_SIZE = 64 * 1024
FILENAME_SIZE = 100
PORTAL_MARK = '[portal]'
OLE = b'\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1'
ZIP = b'PK\x03\x04'
# The kinds of file the customer sends: content type and first bytes (None:
# UTF-8 text)
FILE_KINDS = {
    'pdf': ('application/pdf', b'%PDF-'),
    'png': ('image/png', b'\x89PNG\r\n\x1a\n'),
    'jpg': ('image/jpeg', b'\xff\xd8\xff'),
    'jpeg': ('image/jpeg', b'\xff\xd8\xff'),
    'txt': ('text/plain; charset=utf-8', None),
    'doc': ('application/msword', OLE),
    'xls': ('application/vnd.ms-excel', OLE),
    'docx': ('application/vnd.openxmlformats-officedocument'
        '.wordprocessingml.document', ZIP),
    'xlsx': ('application/vnd.openxmlformats-officedocument'
        '.spreadsheetml.sheet', ZIP),
    'odt': ('application/vnd.oasis.opendocument.text', ZIP),
    'ods': ('application/vnd.oasis.opendocument.spreadsheet', ZIP),
    }
# Reserved on some systems: never in a name given back to the customer
FILENAME_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')

add_menu_entry('service_requests', 'crm_service.msg_portal_service_requests',
    'requests', 50, model=MODEL)


class Refused(UserError):
    "A form of the customer refused, with the HTTP status of the answer"

    def __init__(self, key, status=400, **variables):
        super().__init__(text(key, **variables))
        self.status = status


def typed(form, name, size, required=True):
    "The text typed in the field name of form, within size characters"
    value = (form.get(name) or '').strip()
    if required and not value:
        raise Refused(f'{name}_required')
    if len(value) > size:
        raise Refused('too_long', size=size)
    return value


def installed_of(portal, value):
    """The customer's equipment in service of id value, None when empty;
    any other id is missing"""
    if not value:
        return None
    try:
        id_ = int(value)
    except ValueError:
        raise NotFound()
    return portal.get('crm.installed.product', id_, [
            ('state', '=', 'installed'),
            ])


def categories(portal):
    return portal.pool.get('crm.service.category').search([])


def form_values(portal):
    "The choices of the form of a new request"
    return {
        'categories': categories(portal),
        'equipment': portal.search('crm.installed.product', [
                ('state', '=', 'installed'),
                ], order=[('id', 'ASC')]),
        'priorities': PRIORITIES,
        }


def contact(portal):
    "The customer's e-mail contact that is the login of the web user"
    ContactMechanism = portal.pool.get('party.contact_mechanism')
    user = portal.user
    contacts = ContactMechanism.search([
            ('party', '=', user.party.id),
            ('type', '=', 'email'),
            ('value', 'ilike', escape_wildcard(user.email)),
            ], limit=1)
    return contacts[0].id if contacts else None


@service_route('requests', MODEL)
def requests(portal):
    page = Page(portal, MODEL, [], order=ORDER)
    return render(portal, 'service_requests.html', active='service_requests',
        page=page, awaiting=AWAITING_RESPONSE)


@service_route('requests/new', MODEL, methods=['GET', 'POST'])
def new_request(portal):
    pool = portal.pool
    ServiceRequest = pool.get(MODEL)
    if portal.request.method == 'GET':
        installed = installed_of(portal, portal.request.args.get('installed'))
        return render(portal, 'service_request_new.html',
            active='service_requests', error=None,
            values={'installed': str(installed.id) if installed else ''},
            **form_values(portal))
    form = portal.request.form
    installed = installed_of(portal, form.get('installed'))
    try:
        subject = typed(form, 'subject', SUBJECT_SIZE)
        description = typed(form, 'description', TEXT_SIZE)
        priority = form.get('priority') or 'normal'
        if priority not in PRIORITIES:
            raise Refused('priority_invalid')
        category = None
        if form.get('category'):
            category = {str(c.id): c for c in categories(portal)}.get(
                form['category'])
            if not category:
                raise Refused('category_invalid')
        # the equipment may be of another party the user acts for
        party = installed.party if installed else portal.user.party
        request, = ServiceRequest.create([{
                    'party': party.id,
                    'contact': (
                        contact(portal) if party == portal.user.party
                        else None),
                    'channel': 'portal',
                    'subject': subject,
                    'description': description,
                    'priority': priority,
                    'category': category.id if category else None,
                    'installed_product': installed.id if installed else None,
                    'messages': [('create', [{
                                    'author_web_user': portal.user.id,
                                    'body': description,
                                    'internal': False,
                                    }])],
                    }])
    except UserError as exception:
        # nothing of a refused request is kept
        Transaction().rollback()
        return render(portal, 'service_request_new.html',
            status=getattr(exception, 'status', 400),
            active='service_requests', error=exception.message, values=form,
            **form_values(portal))
    return portal.redirect(f'requests/{request.id}?notice=created')


def attachments(request):
    "The files of request shared on the portal"
    Attachment = Pool().get('ir.attachment')
    return Attachment.search([
            ('resource', '=', str(request)),
            ('description', 'like', PORTAL_MARK + '%'),
            ], order=[('create_date', 'ASC'), ('id', 'ASC')])


def show(portal, request, status=200, error=None, notice=None, values=None):
    "The page of request with its conversation"
    pool = portal.pool
    Message = pool.get('crm.service.request.message')
    messages = Message.search([
            ('request', '=', request.id),
            ('internal', '=', False),
            ], order=[('create_date', 'ASC'), ('id', 'ASC')])
    articles = [a for a in request.suggested_articles
        if a.state == 'published' and a.portal_published]
    return render(portal, 'service_request.html', status=status,
        active='service_requests', service_request=request, messages=messages,
        attachments=attachments(request), articles=articles,
        awaiting=AWAITING_RESPONSE, can_reply=request.state not in CLOSED,
        can_rate=request.state in RATED and not request.rated,
        can_attach=request.state not in CLOSED, max_size=MAX_FILE_SIZE,
        kinds=sorted(FILE_KINDS), error=error, notice=notice,
        values=values or {})


def refused(portal, request_id, exception):
    "Show the request with the error, nothing of the refused form kept"
    Transaction().rollback()
    request = portal.get(MODEL, request_id)
    return show(portal, request, status=getattr(exception, 'status', 400),
        error=exception.message, values=portal.request.form)


@service_route('requests/<int:request_id>', MODEL)
def request_page(portal, request_id):
    request = portal.get(MODEL, request_id)
    notice = portal.request.args.get('notice')
    return show(portal, request, notice=notice)


@service_route('requests/<int:request_id>/reply', MODEL, methods=['POST'])
def reply(portal, request_id):
    pool = portal.pool
    Message = pool.get('crm.service.request.message')
    ServiceRequest = pool.get(MODEL)
    request = portal.get(MODEL, request_id)
    try:
        if request.state in CLOSED:
            raise Refused('request_closed')
        body = typed(portal.request.form, 'body', TEXT_SIZE)
        Message.create([{
                    'request': request.id,
                    'author_web_user': portal.user.id,
                    'body': body,
                    'internal': False,
                    }])
        if request.state == 'waiting':
            # the answer the service waited for: its clock runs again
            ServiceRequest.resume([request])
    except UserError as exception:
        return refused(portal, request_id, exception)
    return portal.redirect(f'requests/{request.id}?notice=replied')


def clean_filename(name):
    """The name of the file sent without its folders, control or reserved
    characters, at most FILENAME_SIZE characters with its extension kept"""
    name = unicodedata.normalize('NFC', name or '')
    # the folders of either kind of system
    name = name.replace('\\', '/').rsplit('/', 1)[-1]
    name = ''.join(c for c in name if c.isprintable())
    name = FILENAME_FORBIDDEN.sub('_', name).strip(' .')
    path = PurePath(name or 'file')
    suffix = path.suffix[:FILENAME_SIZE // 2]
    return path.stem[:FILENAME_SIZE - len(suffix)] + suffix


def kind_of(name, data):
    "The content type of the file, None unless one of FILE_KINDS"
    extension = PurePath(name).suffix.lower().lstrip('.')
    if extension not in FILE_KINDS:
        return None
    content_type, magic = FILE_KINDS[extension]
    if magic is None:
        try:
            if '\x00' in data.decode('utf-8'):
                return None
        except UnicodeDecodeError:
            return None
    elif not data.startswith(magic):
        return None
    return content_type


@set_max_request_size(MAX_FILE_SIZE + FORM_SIZE)
@service_route(
    'requests/<int:request_id>/attachments', MODEL, methods=['POST'])
def attach(portal, request_id):
    pool = portal.pool
    Attachment = pool.get('ir.attachment')
    request = portal.get(MODEL, request_id)
    upload = portal.request.files.get('file')
    try:
        if request.state in CLOSED:
            raise Refused('request_closed')
        if not upload or not upload.filename:
            raise Refused('file_required')
        # one byte more tells a file too large without reading all of it
        data = upload.stream.read(MAX_FILE_SIZE + 1)
        if len(data) > MAX_FILE_SIZE:
            raise Refused('file_too_large', status=413,
                size=portal.formats.number(MAX_FILE_SIZE // 2 ** 20))
        if not data:
            raise Refused('file_empty')
        name = clean_filename(upload.filename)
        if not kind_of(name, data):
            raise Refused('file_kind', kinds=', '.join(sorted(FILE_KINDS)))
        if len(attachments(request)) >= MAX_FILES:
            raise Refused('file_count', count=MAX_FILES)
        Attachment.create([{
                    'name': name,
                    'resource': str(request),
                    'type': 'data',
                    'data': data,
                    'description': f'{PORTAL_MARK} {portal.user.email}',
                    }])
    except UserError as exception:
        return refused(portal, request_id, exception)
    return portal.redirect(f'requests/{request.id}?notice=attached')


@service_route(
    'requests/<int:request_id>/attachments/<int:attachment_id>', MODEL)
def download(portal, request_id, attachment_id):
    "The file, if it is one of the files of the customer's request"
    request = portal.get(MODEL, request_id)
    attachment = {a.id: a for a in attachments(request)}.get(attachment_id)
    content_type = attachment and kind_of(attachment.name, attachment.data)
    if not content_type:
        raise NotFound()
    response = Response(attachment.data, content_type=content_type)
    response.headers['Content-Disposition'] = (
        "attachment; filename*=UTF-8''" + quote(attachment.name, safe=''))
    # nothing of the file runs, even opened in a tab
    response.headers['Content-Security-Policy'] = (
        "sandbox; default-src 'none'")
    return portal.finish(response)


@service_route('requests/<int:request_id>/rate', MODEL, methods=['POST'])
def rate(portal, request_id):
    ServiceRequest = portal.pool.get(MODEL)
    request = portal.get(MODEL, request_id)
    form = portal.request.form
    try:
        if request.state not in RATED or request.rated:
            raise Refused('rating_closed')
        rating = {str(n): n for n in range(1, 6)}.get(form.get('rating'))
        if not rating:
            raise Refused('rating_required')
        feedback = typed(form, 'feedback', TEXT_SIZE, required=False)
        ServiceRequest.rate([request], rating, feedback or None)
    except UserError as exception:
        return refused(portal, request_id, exception)
    return portal.redirect(f'requests/{request.id}?notice=rated')
