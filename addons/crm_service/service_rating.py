# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""The customer rates the resolution of a service request from 1 to 5, on
the portal or by phone; a bad rating reopens the request (V3)"""
import datetime as dt

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError, ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

RATINGS = [
    ('5', "5 (excellent)"),
    ('4', "4 (good)"),
    ('3', "3 (fair)"),
    ('2', "2 (poor)"),
    ('1', "1 (very poor)"),
    ]
MIN_RATING, MAX_RATING = 1, 5
# The ratings that reopen the request and alert the service manager
BAD_RATING = 2
RATEABLE_STATES = {'resolved', 'closed'}
RATING_FIELDS = {'rating', 'feedback', 'rated_at', 'rated'}


class RatingError(UserError):
    "A rating refused for the state of the request"


class ServiceRequest(metaclass=PoolMeta):
    __name__ = 'crm.service.request'

    rating = fields.Integer(
        "Rating", readonly=True,
        help="The customer's satisfaction with the resolution, "
        "from 1 (very poor) to 5 (excellent).")
    feedback = fields.Text(
        "Feedback", readonly=True,
        help="What the customer said with the rating.")
    rated_at = fields.DateTime("Rated at", readonly=True)
    rated = fields.Boolean(
        "Rated", readonly=True,
        help="The customer rated the last resolution of the request.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'enter_rating': {
                    'invisible': (~Eval('state').in_(list(RATEABLE_STATES))
                        | Eval('rated', False)),
                    'depends': ['state', 'rated'],
                    },
                })

    @classmethod
    def default_rated(cls):
        return False

    @classmethod
    def copy(cls, requests, default=None):
        default = default.copy() if default is not None else {}
        for name in RATING_FIELDS - {'rated'}:
            default.setdefault(name, None)
        default.setdefault('rated', False)
        return super().copy(requests, default=default)

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        super().check_modification(
            mode, requests, values=values, external=external)
        # The rating is the customer's: it is given only through rate
        if mode == 'write' and external and RATING_FIELDS & values.keys():
            raise AccessError(gettext(
                    'crm_service.msg_rating_modify',
                    request=requests[0].rec_name if requests else ''))

    @classmethod
    def validate_fields(cls, requests, field_names):
        super().validate_fields(requests, field_names)
        cls.check_rating(requests, field_names)

    @classmethod
    def check_rating(cls, requests, field_names=None):
        if field_names and 'rating' not in field_names:
            return
        for request in requests:
            if (request.rating is not None
                    and not MIN_RATING <= request.rating <= MAX_RATING):
                raise ValidationError(gettext(
                        'crm_service.msg_rating_out_of_range',
                        request=request.rec_name,
                        rating=request.rating))

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'write' and 'state' in field_names:
            # A reopened request may be rated again once resolved again
            reopened = [r for r in requests
                if r.rated and r.state not in RATEABLE_STATES]
            if reopened:
                with without_check_access():
                    cls.write(reopened, {'rated': False})

    @classmethod
    @ModelView.button_action('crm_service.wizard_request_rate')
    def enter_rating(cls, requests):
        pass

    @classmethod
    def rate(cls, requests, rating, feedback=None):
        """Record the customer's rating of the last resolution of requests

        A rating of BAD_RATING or less reopens the requests and alerts the
        service manager."""
        now = dt.datetime.now().replace(microsecond=0)
        for request in requests:
            if request.state not in RATEABLE_STATES:
                raise RatingError(gettext(
                        'crm_service.msg_rating_not_resolved',
                        request=request.rec_name))
            if request.rated:
                raise RatingError(gettext(
                        'crm_service.msg_rating_already_rated',
                        request=request.rec_name))
        cls.write(requests, {
                'rating': rating,
                'feedback': feedback or None,
                'rated_at': now,
                'rated': True,
                })
        if rating <= BAD_RATING:
            cls.reopen(requests)
            cls.alert_bad_rating(requests)

    @classmethod
    def alert_bad_rating(cls, requests):
        managers = cls.service_managers(requests)
        alerts = []
        for request in requests:
            with Transaction().set_context(language=cls._alert_language(
                        managers[request.company])):
                alerts.append((request,
                        gettext('crm_service.msg_rating_alert_subject',
                            request=request.rec_name,
                            rating=request.rating),
                        '\n'.join([
                                gettext(
                                    'crm_service.msg_rating_alert_feedback',
                                    feedback=request.feedback or '-'),
                                request._alert_summary(),
                                ])))
        cls.alert_service_manager(alerts)


class RateStart(ModelView):
    "The rating a customer gives by phone"
    __name__ = 'crm.service.request.rate.start'
    __string__ = "Rate Service Request"

    rating = fields.Selection(
        RATINGS, "Rating", required=True, sort=False,
        help="The customer's satisfaction with the resolution.")
    feedback = fields.Text("Feedback")


class Rate(Wizard):
    "Record the rating a customer gives by phone"
    __name__ = 'crm.service.request.rate'

    start = StateView(
        'crm.service.request.rate.start',
        'crm_service.request_rate_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Rate", 'rate', 'tryton-ok', default=True),
            ])
    rate = StateTransition()

    def transition_rate(self):
        pool = Pool()
        ServiceRequest = pool.get('crm.service.request')
        ServiceRequest.rate(
            self.records, int(self.start.rating), self.start.feedback)
        return 'end'
