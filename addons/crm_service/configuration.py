# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.model import ModelSingleton, ModelSQL, ModelView


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "The settings of customer service: each feature adds its own fields"
    __name__ = 'crm.service.configuration'
    __string__ = "Service Configuration"
