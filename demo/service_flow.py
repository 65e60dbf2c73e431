# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The follow-up of the service requests (V3): the head of the service is the
service manager; the customers rated most resolved requests, mostly well,
and a bad rating of the last days reopened its request with a task for the
manager; the closed requests have their follow-up call, done when its day
is past; the missed service levels of the open requests are escalated once;
two complaints credited customers for their equipment; the support inbox
turns the e-mails of the customers into requests.

There is no mail server in the demo: the alerts e-mailed to the manager are
dropped at the commit."""
import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from proteus import Model

from trytond.modules.crm_service import service_escalation
from trytond.pool import Pool
from trytond.sendmail import SMTPDataManager
from trytond.transaction import Transaction

from .company import COMPANY_DOMAIN, _employee, refresh_context

# The head of the service: surname, first name, patronymic, login
SERVICE_MANAGER = ("Орлов", "Виктор", "Сергеевич", 'orlov')
SUPPORT_ADDRESS = 'support@%s' % COMPANY_DOMAIN
SUPPORT_CATEGORY = "Консультация"
# The share of the resolved requests the customers rated, and the weights of
# the ratings
RATED = 0.7
RATING_WEIGHTS = {5: 52, 4: 28, 3: 10, 2: 6, 1: 4}
# The requests resolved in the last days are rated through the workflow: a
# bad rating reopens them; the older ones keep the rating they were given
RECENT_DAYS = 10
RECENT_BAD_RATINGS = 2
# The days between the resolution and the rating
RATING_DELAY = (0, 4)
FEEDBACK = {
    5: [
        "Мастер приехал вовремя, всё сделал быстро и аккуратно.",
        "Спасибо за оперативность!",
        "Отличный сервис, рекомендуем.",
        "Инженер всё подробно объяснил, кондиционер работает как новый.",
        None,
        ],
    4: [
        "В целом хорошо, но пришлось ждать звонка.",
        "Проблему решили, хотя со второго раза.",
        "Всё работает, спасибо.",
        None,
        ],
    3: [
        "Долго согласовывали время визита.",
        "Решили, но мастер не убрал за собой.",
        "Нормально, но дороговато.",
        ],
    2: [
        "Через неделю неисправность повторилась.",
        "Мастер опоздал на три часа и не предупредил.",
        ],
    1: [
        "Оборудование так и не работает, никто не перезвонил.",
        "Грубый мастер, проблема не решена.",
        ],
    }
# The follow-up calls past their day: the share done, else cancelled
CALLS_DONE = 0.85
CALL_MINUTES = (3, 15)
CALL_NOTES = [
    "Клиент доволен, оборудование работает исправно.",
    "Всё в порядке, клиент просил напомнить о плановом ТО.",
    "Работает нормально; клиент интересуется продлением договора.",
    ]
CALL_CANCELLED = "Клиент не ответил на звонки."
COMPLAINTS = 2
# The share of the unit price given back by the complaints
COMPENSATION = 0.1


class _NoMailServer(SMTPDataManager):
    "Drop the mails at the commit: the demo has no mail server"

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        self.queue = []


@contextmanager
def _service_transaction(demo):
    "Work on the server as the company, the alerts e-mailed to nobody"
    with Transaction().start(demo.config.database_name, 0,
            context={'company': demo.company.id}):
        with patch.object(
                service_escalation, 'SMTPDataManager', _NoMailServer):
            yield Pool()


def setup_service_manager(demo):
    """Make the head of the service the service manager, the one of the
    users of the service managers if there is one, else a new employee"""
    Configuration = Model.get('crm.service.configuration')
    Employee = Model.get('company.employee')
    Group = Model.get('res.group')
    User = Model.get('res.user')
    group = demo.model_id('crm_service.group_service_manager')
    managers = User.find([
            ('groups', '=', group),
            ('employee', '!=', None),
            ('id', '!=', demo.config.user),
            ], order=[('id', 'ASC')], limit=1)
    if managers:
        manager, = managers
        employee = manager.employee
    else:
        employee = _employee(demo, *SERVICE_MANAGER)
        employee.save()
        surname, first_name, patronymic, login = SERVICE_MANAGER
        user = User(
            name=employee.party.name, login=login, password=demo.password,
            email='%s@%s' % (login, COMPANY_DOMAIN), language=demo.russian)
        user.groups.append(Group(group))
        user.companies.append(demo.company)
        user.company = demo.company
        user.employees.append(Employee(employee.id))
        user.employee = Employee(employee.id)
        user.save()
        refresh_context(demo)
    configuration = Configuration(1)
    configuration.service_manager = Employee(employee.id)
    configuration.save()


def setup_inbound_email(demo):
    "Turn the e-mails sent to the support address into service requests"
    Category = Model.get('crm.service.category')
    Company = Model.get('company.company')
    Inbox = Model.get('inbound.email.inbox')
    categories = Category.find([('name', '=', SUPPORT_CATEGORY)], limit=1)
    inbox = Inbox(name="Служба поддержки (%s)" % SUPPORT_ADDRESS)
    rule = inbox.rules.new()
    rule.destination = '^%s$' % SUPPORT_ADDRESS.replace('.', r'\.')
    rule.action = 'crm.service.request|from_inbound_email'
    rule.service_company = Company(demo.company.id)
    rule.service_category = categories[0] if categories else None
    inbox.save()
    inbox.click('new_identifier')


def plan_follow_ups(demo):
    """Plan the follow-up call of each closed request from its closing; the
    calls of the past are made, or the customer did not answer"""
    rng = demo.random
    with _service_transaction(demo) as pool:
        Activity = pool.get('crm.activity')
        Configuration = pool.get('crm.service.configuration')
        ServiceRequest = pool.get('crm.service.request')
        days = Configuration(1).follow_up_days
        if not days:
            return
        requests = ServiceRequest.search([
                ('state', '=', 'closed'),
                ], order=[('id', 'ASC')])
        ServiceRequest.plan_follow_up(requests)
        # The requests may be closed with their closing date set after
        planned = [r for r in requests
            if r.follow_up_activity
            and r.follow_up_activity.state == 'planned']
        to_write = []
        for request in planned:
            to_write.extend([[request.follow_up_activity], {
                        'planned_date': request._follow_up_date(days),
                        }])
        if to_write:
            Activity.write(*to_write)
        now = dt.datetime.now()
        done, cancelled = [], []
        for request in planned:
            call = request.follow_up_activity
            if call.planned_date >= now:
                continue
            if rng.random() < CALLS_DONE:
                done.extend([[call], {
                            'done_date': call.planned_date + dt.timedelta(
                                minutes=rng.randint(*CALL_MINUTES)),
                            'description': '%s\n\n%s' % (
                                call.description, rng.choice(CALL_NOTES)),
                            }])
            else:
                cancelled.extend([[call], {
                            'description': '%s\n\n%s' % (
                                call.description, CALL_CANCELLED),
                            }])
        if done:
            Activity.write(*done)
            Activity.do([c for calls in done[::2] for c in calls])
        if cancelled:
            Activity.write(*cancelled)
            Activity.cancel([c for calls in cancelled[::2] for c in calls])


def _draw_rating(rng, ratings=RATING_WEIGHTS):
    return rng.choices(list(ratings), weights=list(ratings.values()))[0]


def rate_requests(demo):
    """The customers rate most resolved requests a few days after the
    resolution; of the last days two ratings are bad and reopen their
    request. The customers of the portal rate there."""
    rng = demo.random
    with _service_transaction(demo) as pool:
        ServiceRequest = pool.get('crm.service.request')
        WebUser = pool.get('web.user')
        # The customers of the portal rate there themselves
        portal_parties = sorted({
                u.party.id for u in WebUser.search([('party', '!=', None)])})
        requests = ServiceRequest.search([
                ('state', 'in', ['resolved', 'closed']),
                ('rated', '=', False),
                ('resolved_at', '!=', None),
                ('party', 'not in', portal_parties),
                ], order=[('resolved_at', 'ASC'), ('id', 'ASC')])
        requests = [r for r in requests if rng.random() < RATED]
        recent_limit = dt.datetime.combine(
            demo.date(-RECENT_DAYS), dt.time())
        recent = [r for r in requests if r.resolved_at >= recent_limit]
        older = [r for r in requests if r.resolved_at < recent_limit]

        to_write = []
        for request in older:
            rating = _draw_rating(rng)
            to_write.extend([[request], {
                        'rating': rating,
                        'feedback': rng.choice(FEEDBACK[rating]),
                        'rated': True,
                        'rated_at': _rated_at(demo, request),
                        }])
        if to_write:
            ServiceRequest.write(*to_write)

        bad = rng.sample(recent, min(RECENT_BAD_RATINGS, len(recent)))
        good_ratings = {r: w for r, w in RATING_WEIGHTS.items() if r > 2}
        # Drawn before the bad ratings reopen their request
        rated_at = {r: _rated_at(demo, r) for r in recent}
        for request in recent:
            if request in bad:
                rating = rng.choice([1, 2])
            else:
                rating = _draw_rating(rng, good_ratings)
            ServiceRequest.rate(
                [request], rating, rng.choice(FEEDBACK[rating]))
        to_write = []
        for request, date in rated_at.items():
            to_write.extend([[request], {'rated_at': date}])
        if to_write:
            ServiceRequest.write(*to_write)


def _rated_at(demo, request):
    "Return when the customer rated the resolution of request: not later now"
    delay = dt.timedelta(
        days=demo.random.randint(*RATING_DELAY),
        hours=demo.random.randint(1, 8))
    return min(request.resolved_at + delay, dt.datetime.now()).replace(
        microsecond=0)


def escalate_breaches(demo):
    "Run once the escalation of the missed service levels"
    with _service_transaction(demo) as pool:
        pool.get('crm.service.request').escalate_breaches()


def create_complaints(demo):
    """Open a complaint from requests about invoiced equipment and credit
    the customer a part of its price"""
    Complaint = Model.get('sale.complaint')
    Request = Model.get('crm.service.request')
    requests = Request.find([
            ('state', 'in', ['resolved', 'closed']),
            ('installed_product.sale_line.invoice_lines.invoice.state',
                'in', ['posted', 'paid']),
            ], order=[('id', 'ASC')])
    if not requests:
        return
    requests = demo.random.sample(requests, min(COMPLAINTS, len(requests)))
    for request in requests:
        complaint, = request.click('open_complaint')
        complaint = Complaint(complaint.id)
        if not complaint.origin:
            continue
        action = complaint.actions.new()
        action.action = 'credit_note'
        action.quantity = 1
        action.unit_price = (complaint.origin.unit_price
            * Decimal(str(COMPENSATION))).quantize(Decimal('0.01'))
        complaint.save()
        complaint.click('wait')
        complaint.click('approve')
