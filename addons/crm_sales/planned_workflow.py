# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import Workflow, fields
from trytond.pyson import Eval


class PlannedWorkflow(Workflow):
    """What is planned, then done or cancelled, and may be planned again:
    activities and commissioning steps; each says what doing it means"""
    __slots__ = ()
    state = fields.Selection([
            ('planned', "Planned"),
            ('done', "Done"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._transitions |= {
            ('planned', 'done'),
            ('planned', 'cancelled'),
            ('done', 'planned'),
            ('cancelled', 'planned'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-ok',
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': Eval('state') != 'planned',
                    'icon': 'tryton-cancel',
                    'depends': ['state'],
                    },
                'plan': {
                    'invisible': Eval('state') == 'planned',
                    'icon': 'tryton-back',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'planned'
