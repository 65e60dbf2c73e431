# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from . import mailing_routes  # noqa: F401 the routes register on import
from . import web_lead_routes  # noqa: F401 the routes register on import
