# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The page of the unsubscribe link of the mailings (M4)

A GET shows the address and a button, so that a link checker opening the link
does not unsubscribe anybody; the POST of the button, or the one-click POST
of a mail client (RFC 8058), unsubscribes."""
from html import escape
from http import HTTPStatus

from trytond.i18n import gettext
from trytond.protocols.wrappers import Response, with_pool, with_transaction
from trytond.transaction import Transaction, inactive_records
from trytond.wsgi import app

PAGE = '''<!DOCTYPE html>
<html lang="%(lang)s">
<head><meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>%(title)s</title></head>
<body style="font-family: sans-serif; text-align: center; margin-top: 3em">
<h1>%(title)s</h1>
<p>%(text)s</p>
%(form)s
</body>
</html>'''
FORM = '''<form method="post">
<input type="hidden" name="token" value="%(token)s"/>
<button type="submit" style="font-size: 1.2em; padding: 0.5em 1em">
%(button)s</button>
</form>'''


def _page(lang, text, form='', status=HTTPStatus.OK):
    content = PAGE % {
        'lang': escape(lang),
        'title': escape(gettext(
                'crm_marketing.msg_mailing_unsubscribe_title')),
        'text': escape(text),
        'form': form,
        }
    return Response(content, status, content_type='text/html; charset=utf-8')


@app.route(
    '/<database_name>/crm/mailing/unsubscribe', methods=['GET', 'POST'])
@with_pool
@with_transaction(readonly=False)
def unsubscribe(request, pool):
    try:
        pool.get('crm.mailing.delivery')
    except KeyError:
        # crm_marketing is not activated in this database
        return Response(status=HTTPStatus.NOT_FOUND)
    Email = pool.get('marketing.email')
    token = request.values.get('token', '')
    with inactive_records():
        emails = Email.search([('email_token', '=', token)], limit=1)
    if not token or not emails:
        return _page(
            '', gettext('crm_marketing.msg_mailing_unsubscribe_unknown'),
            status=HTTPStatus.NOT_FOUND)
    email, = emails
    lang = email.list_.language.code
    with Transaction().set_context(language=lang):
        values = {'email': email.email, 'list': email.list_.name}
        if request.method == 'POST':
            if email.active:
                Email.unsubscribe([token])
            return _page(lang, gettext(
                    'crm_marketing.msg_mailing_unsubscribed', **values))
        if not email.active:
            return _page(lang, gettext(
                    'crm_marketing.msg_mailing_not_subscribed', **values))
        form = FORM % {
            'token': escape(token),
            'button': escape(gettext(
                    'crm_marketing.msg_mailing_unsubscribe_button')),
            }
        return _page(lang, gettext(
                'crm_marketing.msg_mailing_unsubscribe_confirm', **values),
            form)
