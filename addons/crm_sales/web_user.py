# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Portal accounts: sessions that end when they should (S12)"
import datetime as dt
from urllib.parse import quote

from trytond.config import config
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .portal.session import PCHAR

# The mask web_user shows instead of the password: writing it back is a no-op
PASSWORD_MASK = 'x' * 10


def portal_url(path):
    """The public address of the portal's page at path: [portal] url, else
    the address trytond listens on"""
    base = config.get('portal', 'url') or 'http://' + config.get(
        'web', 'listen', default='localhost:8000')
    database = quote(Transaction().database.name, safe=PCHAR)
    return f"{base.rstrip('/')}/{database}/portal/{path}"


class User(metaclass=PoolMeta):
    __name__ = 'web.user'

    @classmethod
    def set_password(cls, users, name, value):
        super().set_password(users, name, value)
        # a new password ends every session opened with the old one
        if value != PASSWORD_MASK:
            cls.end_sessions(users)

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and field_names and 'active' in field_names:
            cls.end_sessions([u for u in users if not u.active])

    @classmethod
    def end_sessions(cls, users):
        pool = Pool()
        Session = pool.get('web.user.session')
        Session.delete(Session.search([
                    ('user', 'in', [u.id for u in users]),
                    ]))

    def get_email_reset_password_url(self, url=None):
        # the portal's page, with no [web] reset_password_url to configure
        if url is None:
            url = (Transaction().context.get('crm_portal_reset_url')
                or config.get('web', 'reset_password_url')
                or portal_url('reset/password'))
        return super().get_email_reset_password_url(url=url)


class UserSession(metaclass=PoolMeta):
    __name__ = 'web.user.session'

    @classmethod
    def max_age(cls):
        "The absolute lifetime of a session, however active"
        return dt.timedelta(seconds=config.getint(
                'portal', 'session_max_age', default=7 * 24 * 60 * 60))

    @classmethod
    def get_user(cls, key):
        "Return the active user of a live session, or None"
        sessions = cls.search([
                ('key', '=', key),
                ])
        if not sessions:
            return
        session, = sessions
        too_old = dt.datetime.now() - session.create_date > cls.max_age()
        if session.expired or too_old or not session.user.active:
            if not Transaction().readonly:
                cls.delete([session])
            return
        return session.user
