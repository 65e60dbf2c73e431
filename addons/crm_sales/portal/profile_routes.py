# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"The customer's profile: contacts and password (S12)"
from trytond.exceptions import UserError
from trytond.transaction import Transaction

from .account_routes import new_password
from .menu import add_menu_entry
from .routing import portal_route

# The kinds of contact the customer keeps up to date themselves
CONTACT_TYPES = ['email', 'phone', 'mobile']

add_menu_entry('profile', 'crm_sales.msg_portal_profile', 'profile', 90)


def contacts(portal):
    return portal.search('party.contact_mechanism', [
            ('type', 'in', CONTACT_TYPES),
            ], order=[('party', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')])


def show(portal, status=200, error=None, notice=None, values=None):
    return portal.render('profile.html', status=status, active='profile',
        contacts=contacts(portal), contact_types=CONTACT_TYPES,
        error=error, notice=notice, values=values or {})


@portal_route('profile')
def profile(portal):
    return show(portal, notice=portal.request.args.get('notice'))


def refused(portal, exception):
    "Show the profile with the error, nothing of the request kept"
    Transaction().rollback()
    return show(portal, status=400, error=exception.message,
        values=portal.request.form)


@portal_route('profile/contacts', methods=['POST'])
def add_contact(portal):
    ContactMechanism = portal.pool.get('party.contact_mechanism')
    form = portal.request.form
    kind, value = form.get('type'), form.get('value', '').strip()
    try:
        if kind not in CONTACT_TYPES or not value:
            raise UserError(portal.translate('contact_invalid'))
        ContactMechanism.create([{
                    'party': portal.user.party.id,
                    'type': kind,
                    'value': value,
                    }])
    except UserError as exception:
        return refused(portal, exception)
    return portal.redirect('profile?notice=contact_added')


@portal_route('profile/contacts/<int:contact_id>/delete', methods=['POST'])
def delete_contact(portal, contact_id):
    ContactMechanism = portal.pool.get('party.contact_mechanism')
    contact = portal.get('party.contact_mechanism', contact_id, [
            ('type', 'in', CONTACT_TYPES),
            ])
    try:
        ContactMechanism.delete([contact])
    except UserError as exception:
        return refused(portal, exception)
    return portal.redirect('profile?notice=contact_removed')


@portal_route('profile/password', methods=['POST'])
def change_password(portal):
    "Change the password; every other session of the customer ends"
    User = portal.pool.get('web.user')
    user = portal.user
    try:
        valid = user.password_hash and User.check_password(
            portal.request.form.get('current', ''), user.password_hash)[0]
        if not valid:
            raise UserError(portal.translate('password_wrong'))
        User.write([user], {'password': new_password(portal, [user])})
    except UserError as exception:
        return refused(portal, exception)
    # the sessions ended with the change: this browser gets a new one
    portal.log_in(User(user.id))
    return portal.redirect('profile?notice=password_changed')
