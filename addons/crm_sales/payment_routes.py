# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The address payment providers send their signed notifications to (S10)"
import json
import logging
import random
import time
from http import HTTPStatus

from trytond import backend
from trytond.model.exceptions import SQLConstraintError
from trytond.protocols.wrappers import (
    Response, set_max_request_size, with_pool, with_transaction)
from trytond.wsgi import app

logger = logging.getLogger(__name__)

MAX_BODY_SIZE = 64 * 1024
# Deliveries of one invoice wait for each other: each attempt runs the
# retries of trytond, which give up after a fraction of a second
ATTEMPTS = 10
# A delivery racing with another one of the same transaction fails to record
# it once, then finds it recorded: more conflicts are another problem
CONFLICTS = 3


def _response(status, payload, headers=None):
    return Response(
        json.dumps(payload), status=status, headers=headers,
        content_type='application/json')


@app.route('/<database_name>/crm/payment/<code>', methods=['POST'])
@set_max_request_size(MAX_BODY_SIZE)
@with_pool
def payment_notification(request, pool, code):
    """Book the payment notified by the provider of code

    The body is the JSON {"id", "invoice", "amount", "currency", "status"}
    signed in the header "X-Signature: sha256=<hex HMAC-SHA256 of the body
    with the provider's secret>". The answer is JSON with "status": applied,
    duplicate, received, rejected (and "reason") or error."""
    if request.content_encoding not in {None, '', 'identity'}:
        return _response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            {'status': 'error', 'reason': 'content_encoding'})
    if (request.content_length or 0) > MAX_BODY_SIZE:
        return _response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            {'status': 'error', 'reason': 'too_large'})
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY_SIZE:
        return _response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            {'status': 'error', 'reason': 'too_large'})
    signature = request.headers.get('X-Signature')

    conflicts = 0
    for attempt in range(ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0.05, 0.2) * attempt)
        try:
            status, payload = _receive(request, pool, code, body, signature)
        except (backend.DatabaseIntegrityError, SQLConstraintError):
            # A parallel delivery recorded the same transaction first (trytond
            # turns the unique violation into SQLConstraintError): the next
            # attempt sees it
            conflicts += 1
            if conflicts <= CONFLICTS:
                logger.debug("payment notification for %s: conflict", code)
                continue
            logger.exception("payment notification for %s failed", code)
            return _response(HTTPStatus.INTERNAL_SERVER_ERROR,
                {'status': 'error', 'reason': 'internal_error'})
        except backend.DatabaseOperationalError:
            logger.debug("payment notification for %s: busy", code)
            continue
        except Exception:
            # Never the body nor the signature in the log
            logger.exception("payment notification for %s failed", code)
            return _response(HTTPStatus.INTERNAL_SERVER_ERROR,
                {'status': 'error', 'reason': 'internal_error'})
        return _response(status, payload)
    logger.warning("payment notification for %s: gave up", code)
    return _response(HTTPStatus.SERVICE_UNAVAILABLE,
        {'status': 'error', 'reason': 'busy'}, headers={'Retry-After': '5'})


@with_transaction(context={'_log': True})
def _receive(request, pool, code, body, signature):
    Notification = pool.get('crm.payment.notification')
    return Notification.receive(code, body, signature)
