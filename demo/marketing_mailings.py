# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The newsletter (M4): a mailing list filled from a segment, a personalised
message sent to it and a draft of the next one

There is no mail server in the demo: the message goes through the queue and
is rendered for each recipient as on a server, but the mails are dropped
instead of being given to SMTP."""
from contextlib import contextmanager
from unittest.mock import patch

from proteus import Model, Wizard

from trytond import config as trytond_config
from trytond.modules.crm_marketing import mailing
from trytond.sendmail import SMTPDataManager

from .company import COMPANY_NAME
from .marketing_loyalty import PROMOTION

LIST_NAME = "Новости и акции"
# The newsletter goes to every customer
SEGMENT_NAME = "Все клиенты"
# The share of the subscribers who unsubscribed since they were added
UNSUBSCRIBED = 0.04

SENT_TITLE = "Сезонная скидка 10 % на кондиционеры"
SENT_OFFER = (
    "До конца ноября — скидка 10 % на кондиционеры и сплит-системы, "
    "монтаж в подарок при заказе до 15 ноября.")
DRAFT_TITLE = "Готовимся к зиме: тепловые завесы и обогреватели"
DRAFT_OFFER = "Бесплатный выезд инженера для расчёта отопления."

CONTENT = '''<html xmlns:py="http://genshi.edgewall.org/">
<body style="font-family: Arial, sans-serif; color: #222; max-width: 640px">
<h2>%(title)s</h2>
<p>Здравствуйте, ${email.recipient_name or 'уважаемый клиент'}!</p>
<p>${email.offer}</p>
<ul py:if="email.discount_notices">
<li py:for="notice in email.discount_notices.splitlines()">${notice}</li>
</ul>
<p py:if="email.account_manager_name">Ваш куратор —
${email.account_manager_name}<py:if test="email.account_manager_phone">,
тел. ${email.account_manager_phone}</py:if><py:if
test="email.account_manager_email">, ${email.account_manager_email}</py:if>.
Он ответит на вопросы и подберёт оборудование.</p>
<p>С уважением,<br/>%(company)s</p>
<p style="font-size: 80%%; color: #777">Вы получаете это письмо как
подписчик рассылки «%(list)s».
<a href="${email.unsubscribe_url}">Отписаться</a></p>
</body>
</html>'''


class _NoMailServer(SMTPDataManager):
    "Drop the mails at the commit: the demo has no mail server"

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        self.queue = []


@contextmanager
def _sent_now_without_mail_server():
    "Run the tasks of the queue at the end of each call, without SMTP"
    previous = trytond_config.get('queue', 'worker')
    trytond_config.set('queue', 'worker', 'False')
    try:
        with patch.object(mailing, 'SMTPDataManager', _NoMailServer):
            yield
    finally:
        trytond_config.set('queue', 'worker', previous or 'False')


def _segment(demo):
    "Return the segment of all the customers: those of a customer category"
    Category = Model.get('party.category')
    Segment = Model.get('crm.segment')
    segment = Segment(name=SEGMENT_NAME)
    segment.categories.extend(
        Category(i) for i in sorted(demo.categories.values()))
    segment.save()
    segment.click('refresh')
    return segment


def _content(title):
    return CONTENT % {'title': title, 'company': COMPANY_NAME,
        'list': LIST_NAME}


def create_mailings(demo):
    """The list filled from the segment, a few addresses unsubscribed since,
    the seasonal discount sent to the others and the next message drafted"""
    EmailList = Model.get('marketing.email.list')
    Message = Model.get('marketing.email.message')
    Promotion = Model.get('sale.promotion')

    news = EmailList(name=LIST_NAME, language=demo.russian)
    news.save()
    fill = Wizard('crm.mailing.fill', [news])
    fill.form.segment = _segment(demo)
    fill.form.remember = True
    fill.execute('fill')
    fill.execute('end')

    emails = demo.search('marketing.email', [('list_', '=', news.id)],
        order=[('id', 'ASC')])
    unsubscribed = [i for i in emails if demo.random.random() < UNSUBSCRIBED]
    demo.write('marketing.email', {i: {'active': False} for i in unsubscribed})

    promotions = Promotion.find([('name', '=', PROMOTION)])
    sent = Message(list_=news, title=SENT_TITLE, offer=SENT_OFFER,
        content=_content(SENT_TITLE))
    if promotions:
        sent.promotion = promotions[0]
    sent.save()
    with _sent_now_without_mail_server():
        sent.click('send')

    Message(list_=news, title=DRAFT_TITLE, offer=DRAFT_OFFER,
        content=_content(DRAFT_TITLE)).save()
