# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from . import payment_routes, portal  # noqa: F401 routes register on import
