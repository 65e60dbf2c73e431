# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The questionnaires the guests of an event answer (анкеты участников) and
the needs report that counts their answers"""
import datetime as dt

from sql import Null, Window
from sql.aggregate import Avg, Count, Min, Sum

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, sequence_ordered)
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.transaction import Transaction


class Questionnaire(DeactivableMixin, ModelSQL, ModelView):
    "The questions asked to the participants of events"
    __name__ = 'crm.questionnaire'
    __string__ = "Questionnaire"

    name = fields.Char("Name", required=True, translate=True)
    questions = fields.One2Many(
        'crm.questionnaire.question', 'questionnaire', "Questions")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))


class Question(sequence_ordered(), ModelSQL, ModelView):
    "A question of a questionnaire: a choice, a score or a free text"
    __name__ = 'crm.questionnaire.question'
    __string__ = "Questionnaire Question"

    questionnaire = fields.Many2One(
        'crm.questionnaire', "Questionnaire", required=True,
        ondelete='CASCADE')
    text = fields.Char("Question", required=True, translate=True)
    kind = fields.Selection([
            ('choice', "Choice"),
            ('scale', "Scale"),
            ('text', "Text"),
            ], "Kind", required=True,
        help="Choice: one of the options.\n"
        "Scale: a score between the minimum and the maximum.\n"
        "Text: a free answer.")
    options = fields.One2Many(
        'crm.questionnaire.option', 'question', "Options",
        states={
            'invisible': Eval('kind') != 'choice',
            })
    scale_min = fields.Integer(
        "Minimum",
        states={
            'invisible': Eval('kind') != 'scale',
            'required': Eval('kind') == 'scale',
            })
    scale_max = fields.Integer(
        "Maximum",
        states={
            'invisible': Eval('kind') != 'scale',
            'required': Eval('kind') == 'scale',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('questionnaire')

    @classmethod
    def default_kind(cls):
        return 'choice'

    @classmethod
    def default_scale_min(cls):
        return 1

    @classmethod
    def default_scale_max(cls):
        return 5

    def get_rec_name(self, name):
        return self.text

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('text',) + tuple(clause[1:])]

    @classmethod
    def validate_fields(cls, questions, field_names):
        super().validate_fields(questions, field_names)
        if field_names & {'kind', 'scale_min', 'scale_max'}:
            for question in questions:
                if (question.kind == 'scale'
                        and question.scale_min is not None
                        and question.scale_max is not None
                        and question.scale_min >= question.scale_max):
                    raise ValidationError(gettext(
                            'crm_marketing.msg_questionnaire_scale_range',
                            question=question.rec_name,
                            minimum=question.scale_min,
                            maximum=question.scale_max))


class Option(sequence_ordered(), ModelSQL, ModelView):
    "An answer the participants may choose to a question"
    __name__ = 'crm.questionnaire.option'
    __string__ = "Questionnaire Option"

    question = fields.Many2One(
        'crm.questionnaire.question', "Question", required=True,
        ondelete='CASCADE')
    name = fields.Char("Option", required=True, translate=True)
    interest = fields.Boolean(
        "Shows Interest",
        help="A participant of the event who chooses it "
        "gets a lead when the leads are created.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('question')

    @classmethod
    def default_interest(cls):
        return False


class Response(ModelSQL, ModelView):
    "The questionnaire filled in by a guest of an event"
    __name__ = 'crm.questionnaire.response'
    __string__ = "Questionnaire Response"

    event = fields.Many2One(
        'crm.event', "Event", required=True, ondelete='CASCADE')
    invitation = fields.Many2One(
        'crm.event.invitation', "Guest", required=True, ondelete='CASCADE',
        domain=[
            ('event', '=', Eval('event', -1)),
            ])
    party = fields.Function(
        fields.Many2One('party.party', "Party"),
        'on_change_with_party', searcher='search_party')
    questionnaire = fields.Many2One(
        'crm.questionnaire', "Questionnaire", required=True,
        ondelete='RESTRICT')
    answers = fields.One2Many(
        'crm.questionnaire.answer', 'response', "Answers")
    interested = fields.Function(fields.Boolean(
            "Interested",
            help="An answer shows interest."), 'get_interested')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('event')
        t = cls.__table__()
        cls._sql_constraints += [
            ('invitation_unique', Unique(t, t.invitation),
                'crm_marketing.msg_questionnaire_response_unique'),
            ]

    def get_rec_name(self, name):
        return '%s: %s' % (self.event.rec_name, self.invitation.party.rec_name)

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('event.rec_name', operator, operand, *extra),
            ('invitation.party.rec_name', operator, operand, *extra),
            ]

    @fields.depends('invitation', '_parent_invitation.party')
    def on_change_with_party(self, name=None):
        return self.invitation.party if self.invitation else None

    @classmethod
    def search_party(cls, name, clause):
        return [('invitation.party' + clause[0][len(name):],)
            + tuple(clause[1:])]

    @fields.depends('event', 'questionnaire', 'answers',
        '_parent_event.questionnaire')
    def on_change_event(self):
        if self.event and self.event.questionnaire and not self.questionnaire:
            self.questionnaire = self.event.questionnaire
            self.on_change_questionnaire()

    @fields.depends('questionnaire', 'answers')
    def on_change_questionnaire(self):
        "Prepare an answer per question"
        pool = Pool()
        Answer = pool.get('crm.questionnaire.answer')
        if self.questionnaire and not self.answers:
            self.answers = [
                Answer(question=q, kind=q.kind)
                for q in self.questionnaire.questions]

    def get_interested(self, name):
        return any(a.option and a.option.interest for a in self.answers)


class Answer(ModelSQL, ModelView):
    "The answer of a guest to a question"
    __name__ = 'crm.questionnaire.answer'
    __string__ = "Questionnaire Answer"

    response = fields.Many2One(
        'crm.questionnaire.response', "Response", required=True,
        ondelete='CASCADE')
    question = fields.Many2One(
        'crm.questionnaire.question', "Question", required=True,
        ondelete='RESTRICT',
        domain=[
            If(Eval('_parent_response', {}).get('questionnaire'),
                ('questionnaire', '=',
                    Eval('_parent_response', {}).get('questionnaire', -1)),
                ()),
            ])
    kind = fields.Function(
        fields.Selection('get_kinds', "Kind"), 'on_change_with_kind')
    option = fields.Many2One(
        'crm.questionnaire.option', "Option", ondelete='RESTRICT',
        domain=[
            ('question', '=', Eval('question', -1)),
            ],
        states={
            'invisible': Eval('kind') != 'choice',
            })
    scale_value = fields.Integer(
        "Score",
        states={
            'invisible': Eval('kind') != 'scale',
            })
    text = fields.Text(
        "Answer",
        states={
            'invisible': Eval('kind') != 'text',
            })

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('response')
        t = cls.__table__()
        cls._sql_constraints += [
            ('response_question_unique', Unique(t, t.response, t.question),
                'crm_marketing.msg_questionnaire_answer_unique'),
            ]
        cls._order.insert(0, ('question', 'ASC'))

    @classmethod
    def get_kinds(cls):
        pool = Pool()
        Question = pool.get('crm.questionnaire.question')
        return Question.fields_get(['kind'])['kind']['selection']

    @fields.depends('question')
    def on_change_with_kind(self, name=None):
        return self.question.kind if self.question else None

    @property
    def summary(self):
        "The question and its answer on one line, empty when unanswered"
        if self.option:
            answer = self.option.name
        elif self.scale_value is not None:
            answer = '%s/%s' % (self.scale_value, self.question.scale_max)
        else:
            answer = (self.text or '').strip()
        return '%s: %s' % (self.question.text, answer) if answer else ''

    @classmethod
    def validate_fields(cls, answers, field_names):
        super().validate_fields(answers, field_names)
        if field_names & {'response', 'question', 'option', 'scale_value'}:
            for answer in answers:
                answer.check_answer()

    def check_answer(self):
        question = self.question
        if question.questionnaire != self.response.questionnaire:
            raise ValidationError(gettext(
                    'crm_marketing.msg_questionnaire_answer_question',
                    question=question.rec_name,
                    questionnaire=self.response.questionnaire.rec_name))
        if self.option and question.kind != 'choice':
            raise ValidationError(gettext(
                    'crm_marketing.msg_questionnaire_answer_option',
                    question=question.rec_name))
        if self.scale_value is not None:
            if question.kind != 'scale':
                raise ValidationError(gettext(
                        'crm_marketing.msg_questionnaire_answer_not_scale',
                        question=question.rec_name))
            if not (question.scale_min
                    <= self.scale_value
                    <= question.scale_max):
                raise ValidationError(gettext(
                        'crm_marketing.msg_questionnaire_answer_scale',
                        question=question.rec_name,
                        value=self.scale_value,
                        minimum=question.scale_min,
                        maximum=question.scale_max))


class AnswerReport(ModelSQL, ModelView):
    """The needs of the market the guests of the events told: how many chose
    each option of the choice questions and the average of the scores"""
    __name__ = 'crm.questionnaire.answer.report'
    __string__ = "Questionnaire Answers"

    company = fields.Many2One('company.company', "Company")
    event = fields.Many2One('crm.event', "Event")
    questionnaire = fields.Many2One('crm.questionnaire', "Questionnaire")
    question = fields.Many2One('crm.questionnaire.question', "Question")
    option = fields.Many2One(
        'crm.questionnaire.option', "Option",
        help="Empty for the scores of a scale question.")
    answers = fields.Integer("Answers")
    share = fields.Float(
        "Share", digits=(1, 4),
        help="The answers with the option among the answers "
        "to the question at the event.")
    average = fields.Float(
        "Average Score", digits=(16, 2),
        help="The average of the scores of a scale question.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # The needs most told first
        cls._order = [
            ('event', 'DESC'),
            ('question', 'ASC'),
            ('answers', 'DESC'),
            ('option', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Answer = pool.get('crm.questionnaire.answer')
        Event = pool.get('crm.event')
        Question = pool.get('crm.questionnaire.question')
        Response = pool.get('crm.questionnaire.response')
        answer = Answer.__table__()
        event = Event.__table__()
        question = Question.__table__()
        response = Response.__table__()
        context = Transaction().context

        where = question.kind.in_(['choice', 'scale'])
        # A chosen option or a score: the questions left blank do not count
        where &= (answer.option != Null) | (answer.scale_value != Null)
        where &= event.company == context.get('company', -1)
        if context.get('event'):
            where &= response.event == context['event']
        if context.get('questionnaire'):
            where &= response.questionnaire == context['questionnaire']
        if context.get('from_date'):
            where &= event.start >= dt.datetime.combine(
                context['from_date'], dt.time.min)
        if context.get('to_date'):
            where &= event.start < dt.datetime.combine(
                context['to_date'] + dt.timedelta(days=1), dt.time.min)

        count = Count(answer.id)
        # Each answer is in one row: the rows have the id of their first
        return (answer
            .join(response, condition=answer.response == response.id)
            .join(event, condition=response.event == event.id)
            .join(question, condition=answer.question == question.id)
            .select(
                Min(answer.id).as_('id'),
                event.company.as_('company'),
                response.event.as_('event'),
                response.questionnaire.as_('questionnaire'),
                answer.question.as_('question'),
                answer.option.as_('option'),
                count.as_('answers'),
                (cls.share.sql_cast(count)
                    / cls.share.sql_cast(Sum(count, window=Window(
                                [response.event, answer.question])))
                    ).as_('share'),
                Avg(cls.average.sql_cast(answer.scale_value)).as_('average'),
                where=where,
                group_by=[
                    event.company, response.event, response.questionnaire,
                    answer.question, answer.option]))


class AnswerReportContext(ModelView):
    "The events whose answers are counted"
    __name__ = 'crm.questionnaire.answer.report.context'
    __string__ = "Questionnaire Answers Context"

    company = fields.Many2One('company.company', "Company", required=True)
    event = fields.Many2One(
        'crm.event', "Event",
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    questionnaire = fields.Many2One('crm.questionnaire', "Questionnaire")
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_event(cls):
        return Transaction().context.get('event')
