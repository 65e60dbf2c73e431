# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.model.exceptions import ValidationError


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "The settings of the CRM"
    __name__ = 'crm.configuration'
    __string__ = "CRM Configuration"

    dormant_days = fields.Integer(
        "Dormant after (Days)", required=True,
        help="A customer with no done contact and no purchase "
        "for this number of days is dormant.")

    @classmethod
    def default_dormant_days(cls):
        return 180

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if 'dormant_days' in field_names:
            for configuration in configurations:
                if configuration.dormant_days <= 0:
                    raise ValidationError(gettext(
                            'crm_sales.msg_configuration_dormant_days'))
