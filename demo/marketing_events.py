# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The marketing events (M3): last week's seminar on energy-efficient
ventilation, its guests invited from a segment, their registrations and
attendance, the questionnaire they answered and the leads made from the
interested participants; the exhibition coming next, its guests to invite

There is no mail server in the demo: the invitations are rendered and logged
as on a server, but dropped instead of being given to SMTP."""
from contextlib import contextmanager
from unittest.mock import patch

from proteus import Model, Wizard

from trytond import config as trytond_config
from trytond.modules.crm_marketing import event as event_module
from trytond.sendmail import SMTPDataManager

SEMINAR = "Семинар «Энергоэффективная вентиляция»"
SEMINAR_PLACE = "Москва, Конгресс-холл «Северный», зал 2"
SEMINAR_PROGRAMME = (
    "10:00 — Регистрация, кофе\n"
    "10:30 — Приточно-вытяжные установки с рекуперацией: "
    "экономия до 70 % тепла\n"
    "12:00 — Расчёт воздухообмена офиса и склада: практикум\n"
    "13:00 — Обед\n"
    "14:00 — Бризеры и очистители для квартир и небольших офисов\n"
    "15:00 — Сервис и гарантия, ответы на вопросы")
# The days before today of the seminar and of its invitations
SEMINAR_DAY = -7
INVITED_DAY = -21
SEMINAR_SEATS = 60
# The segments invited in turn until there are enough guests
SEMINAR_SEGMENTS = [
    "Ключевые клиенты (A)", "Высокий RFM", "Дилеры Центрального региона",
    "Спящие клиенты"]
GUESTS = 150
MIN_GUESTS = 15
# The segment made when the demo has none
ALL_CUSTOMERS = "Все клиенты"
# The share of the invited who register, decline, and of the registered who
# come and who fill in the questionnaire (the first one always does)
REGISTERED = 0.45
DECLINED = 0.15
ATTENDED = 0.8
ANSWERED = 0.75
# The share of the participants who told their manager of a need
TOLD_NEED = 0.1

EXHIBITION = "Выставка «Мир климата 2026»"
EXHIBITION_PLACE = "Москва, Экспоцентр, павильон 2, стенд B-114"
EXHIBITION_DAY = 40
EXHIBITION_DAYS = 4

QUESTIONNAIRE = "Анкета участника семинара"
# question, kind, options (name, shows interest, weight) or scale
QUESTIONS = [
    ("Какое оборудование вас интересует?", 'choice', [
            ("Приточно-вытяжные установки с рекуператором", False, 30),
            ("Кондиционеры для офиса", False, 20),
            ("Бризеры и очистители воздуха", False, 15),
            ("Сервисное обслуживание", False, 10),
            ("Пока ничего не планируем", False, 25),
            ]),
    ("Когда вы планируете закупку?", 'choice', [
            ("В ближайший квартал", False, 20),
            ("В течение года", False, 45),
            ("Не планируем", False, 35),
            ]),
    # The answer that makes a lead
    ("Подготовить для вас коммерческое предложение?", 'choice', [
            ("Да, свяжитесь со мной", True, 30),
            ("Нет, спасибо", False, 70),
            ]),
    ("Оцените пользу семинара", 'scale', (1, 5)),
    ("Ваши вопросы и пожелания", 'text', None),
    ]
SCORE_WEIGHTS = {1: 2, 2: 3, 3: 15, 4: 40, 5: 40}
WISHES = [
    "Нужен расчёт вентиляции склада 1200 м².",
    "Пришлите, пожалуйста, презентацию и прайс-лист.",
    "Интересует сервисный контракт на 12 кондиционеров.",
    "Хотелось бы больше практических примеров монтажа.",
    "Проведите семинар для наших монтажников.",
    "Есть ли рассрочка для юридических лиц?",
    ]


class _NoMailServer(SMTPDataManager):
    "Drop the mails at the commit: the demo has no mail server"

    def tpc_vote(self, trans):
        pass

    def tpc_finish(self, trans):
        self.queue = []


@contextmanager
def _sent_without_mail_server():
    "Run the tasks of the queue at the end of each call, without SMTP"
    previous = trytond_config.get('queue', 'worker')
    trytond_config.set('queue', 'worker', 'False')
    try:
        with patch.object(event_module, 'SMTPDataManager', _NoMailServer):
            yield
    finally:
        trytond_config.set('queue', 'worker', previous or 'False')


def _segment(demo, *names):
    """Return the first segment found of names, or the segment of all the
    customers, made when missing"""
    Category = Model.get('party.category')
    Segment = Model.get('crm.segment')
    for name in names + (ALL_CUSTOMERS,):
        segments = Segment.find([('name', '=', name)])
        if segments:
            return segments[0]
    segment = Segment(name=ALL_CUSTOMERS)
    segment.categories.extend(Category(c) for c in demo.categories.values())
    segment.save()
    segment.click('refresh')
    return segment


def _weighted(rng, items, weights):
    return rng.choices(items, weights=weights)[0]


def create_questionnaire(demo):
    "Create the questionnaire the participants of the seminar fill in"
    Questionnaire = Model.get('crm.questionnaire')
    questionnaire = Questionnaire(name=QUESTIONNAIRE)
    for text, kind, values in QUESTIONS:
        question = questionnaire.questions.new(text=text, kind=kind)
        if kind == 'choice':
            for name, interest, _ in values:
                question.options.new(name=name, interest=interest)
        elif kind == 'scale':
            question.scale_min, question.scale_max = values
    questionnaire.save()
    return questionnaire


def create_events(demo):
    "Create last week's seminar with its outcome and the coming exhibition"
    questionnaire = create_questionnaire(demo)
    _create_seminar(demo, questionnaire)
    _create_exhibition(demo)


def _responsible(demo):
    return demo.marketer or demo.salespeople[0]


def _create_seminar(demo, questionnaire):
    Campaign = Model.get('marketing.campaign')
    Event = Model.get('crm.event')
    rng = demo.random
    day = demo.date(SEMINAR_DAY)

    seminar = Event(name=SEMINAR, kind='seminar')
    # The campaign names are kept in lower case
    campaigns = Campaign.find([('name', '=', SEMINAR.lower())])
    if campaigns:
        seminar.campaign, = campaigns
    seminar.responsible = Model.get('company.employee')(_responsible(demo).id)
    seminar.start = demo.local_datetime(day, 10)
    seminar.end = demo.local_datetime(day, 16)
    seminar.place = SEMINAR_PLACE
    seminar.capacity = SEMINAR_SEATS
    seminar.description = SEMINAR_PROGRAMME
    seminar.questionnaire = questionnaire
    seminar.save()

    # The key customers first, then others until the hall can be filled:
    # nobody is invited twice
    guests = max(demo.count(GUESTS), MIN_GUESTS)
    for name in SEMINAR_SEGMENTS:
        fill = Wizard('crm.event.fill_from_segment', [seminar])
        fill.form.segment = _segment(demo, name)
        fill.execute('fill')
        if len(demo.search('crm.event.invitation', [
                        ('event', '=', seminar.id)])) >= guests:
            break
    seminar.click('plan')
    with _sent_without_mail_server():
        seminar.click('send_invitations')
    invited = demo.search('crm.event.invitation', [
            ('event', '=', seminar.id),
            ('state', '=', 'invited'),
            ], order=[('id', 'ASC')])
    demo.write('crm.event.invitation', {i: {
                'sent_at': demo.local_datetime(demo.date(INVITED_DAY), 11),
                } for i in invited})

    # Registered up to the seats, some decline, the others never answer
    seats = seminar.capacity
    registered, declined = [], []
    for invitation in invited:
        draw = rng.random()
        if draw < REGISTERED and len(registered) < seats:
            registered.append(invitation)
        elif draw > 1 - DECLINED:
            declined.append(invitation)
    demo.click('crm.event.invitation', registered, 'register')
    demo.click('crm.event.invitation', declined, 'decline')
    attended = [i for i in registered if rng.random() < ATTENDED]
    demo.click('crm.event.invitation', attended, 'attend')
    demo.click('crm.event.invitation', [
            i for i in registered if i not in set(attended)], 'no_show')

    _create_responses(demo, seminar, questionnaire, attended)
    demo.write('crm.event.invitation', {
            i: {'interested': True}
            for i in attended if rng.random() < TOLD_NEED})
    seminar.click('do')
    create_leads = Wizard('crm.event.create_leads', [seminar])
    create_leads.execute('end')


def _create_responses(demo, seminar, questionnaire, attended):
    "The questionnaires filled in by most participants"
    rng = demo.random
    questions = list(questionnaire.questions)
    responses = []
    for index, invitation in enumerate(attended):
        if index and rng.random() >= ANSWERED:
            continue
        answers = []
        for question, (_, kind, values) in zip(questions, QUESTIONS):
            if kind == 'choice':
                options = list(question.options)
                option = _weighted(rng, options, [w for _, _, w in values])
                answers.append({'question': question.id, 'option': option.id})
            elif kind == 'scale':
                scores = list(SCORE_WEIGHTS)
                answers.append({
                        'question': question.id,
                        'scale_value': _weighted(
                            rng, scores, list(SCORE_WEIGHTS.values())),
                        })
            elif rng.random() < 0.4:
                answers.append({
                        'question': question.id,
                        'text': rng.choice(WISHES),
                        })
        responses.append({
                'event': seminar.id,
                'invitation': invitation,
                'questionnaire': questionnaire.id,
                'answers': [('create', answers)],
                })
    demo.create('crm.questionnaire.response', responses)


def _create_exhibition(demo):
    "The exhibition coming next, its dealers to invite"
    Event = Model.get('crm.event')
    first_day = demo.date(EXHIBITION_DAY)
    exhibition = Event(name=EXHIBITION, kind='exhibition')
    exhibition.responsible = Model.get('company.employee')(
        _responsible(demo).id)
    exhibition.start = demo.local_datetime(first_day, 10)
    exhibition.end = demo.local_datetime(
        demo.date(EXHIBITION_DAY + EXHIBITION_DAYS - 1), 18)
    exhibition.place = EXHIBITION_PLACE
    exhibition.description = (
        "Стенд компании: новая линейка сплит-систем и приточных установок, "
        "консультации инженеров, специальные условия для дилеров.")
    exhibition.save()
    fill = Wizard('crm.event.fill_from_segment', [exhibition])
    fill.form.segment = _segment(
        demo, "Дилеры Центрального региона", "Ключевые клиенты (A)")
    fill.execute('fill')
    exhibition.click('plan')
