# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from sql.aggregate import Count

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, Workflow, fields
from trytond.model.exceptions import ValidationError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction

WARRANTY_STATUSES = {'warranty', 'post_warranty'}


class InstalledProduct(Workflow, ModelSQL, ModelView):
    "A unit of equipment the customer owns, followed by the service (V2)"
    __name__ = 'crm.installed.product'
    __string__ = "Installed Product"

    _states = {
        'readonly': Eval('state') != 'installed',
        }

    company = fields.Many2One(
        'company.company', "Company", required=True, states=_states)
    party = fields.Many2One(
        'party.party', "Customer", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="The customer who owns the equipment.")
    product = fields.Many2One(
        'product.product', "Product", required=True, states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char(
        "Serial Number", states=_states,
        help="The manufacturer's number of the unit, "
        "unique for the product.")
    sale_line = fields.Many2One(
        'sale.line', "Sale Line", readonly=True, ondelete='RESTRICT',
        help="The line of the sale the unit was sold on.")
    sale = fields.Function(
        fields.Many2One('sale.sale', "Sale"),
        'on_change_with_sale', searcher='search_sale')
    move = fields.Many2One(
        'stock.move', "Delivery Move", readonly=True, ondelete='RESTRICT',
        help="The stock move that delivered the unit to the customer.")
    installation_date = fields.Date(
        "Installation Date", required=True, states=_states)
    warranty_end = fields.Date(
        "Warranty End", states=_states,
        help="The last day covered by the warranty.\n"
        "Leave empty when the unit has no warranty.")
    warranty_status = fields.Function(
        fields.Selection([
                ('warranty', "Under Warranty"),
                ('post_warranty', "Post-Warranty"),
                ], "Warranty Status"),
        'on_change_with_warranty_status', searcher='search_warranty_status')
    contract = fields.Many2One(
        'sale.subscription', "Contract", ondelete='RESTRICT',
        domain=[
            ('party', '=', Eval('party', -1)),
            ('company', '=', Eval('company', -1)),
            ('contract_kind', '!=', None),
            ],
        help="The service contract that covers the unit.")
    removal_date = fields.Date(
        "Removal Date",
        states={
            'invisible': Eval('state') != 'removed',
            'required': Eval('state') == 'removed',
            },
        help="The day the unit was taken out of service.")
    state = fields.Selection([
            ('installed', "Installed"),
            ('removed', "Removed"),
            ], "State", required=True, readonly=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('serial_number_unique',
                Unique(t, t.company, t.product, t.serial_number),
                'crm_service.msg_installed_product_serial_number_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.party, Index.Range())),
                Index(t, (t.contract, Index.Range())),
                Index(t, (t.move, Index.Range())),
                Index(t, (t.sale_line, Index.Range())),
                Index(t, (t.serial_number, Index.Similarity())),
                Index(t, (t.warranty_end, Index.Range()),
                    where=t.state == 'installed'),
                })
        cls._order = [
            ('installation_date', 'DESC'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('installed', 'removed'),
            ('removed', 'installed'),
            }
        cls._buttons.update({
                'remove': {
                    'invisible': Eval('state') != 'installed',
                    'depends': ['state'],
                    },
                'reinstall': {
                    'invisible': Eval('state') != 'removed',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_installation_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_state(cls):
        return 'installed'

    @classmethod
    def warranty_end_of(cls, product, installation_date):
        "Return the end of the warranty of product installed on the date"
        months = product.warranty_months if product else None
        if months and installation_date:
            return installation_date + relativedelta(months=months)

    @fields.depends('product', 'installation_date', 'warranty_end')
    def on_change_product(self):
        self.warranty_end = (
            self.warranty_end_of(self.product, self.installation_date)
            or self.warranty_end)

    @fields.depends(methods=['on_change_product'])
    def on_change_installation_date(self):
        self.on_change_product()

    @fields.depends('warranty_end')
    def on_change_with_warranty_status(self, name=None):
        pool = Pool()
        Date = pool.get('ir.date')
        if self.warranty_end and self.warranty_end >= Date.today():
            return 'warranty'
        return 'post_warranty'

    @classmethod
    def search_warranty_status(cls, name, clause):
        pool = Pool()
        Date = pool.get('ir.date')
        _, operator, value = clause[:3]
        if operator in {'=', '!='}:
            statuses = {value}
        elif operator in {'in', 'not in'}:
            statuses = set(value or [])
        else:
            return []
        if operator in {'!=', 'not in'}:
            statuses = WARRANTY_STATUSES - statuses
        today = Date.today()
        domain = ['OR']
        if 'warranty' in statuses:
            domain.append(('warranty_end', '>=', today))
        if 'post_warranty' in statuses:
            domain.append(['OR',
                    ('warranty_end', '<', today),
                    ('warranty_end', '=', None),
                    ])
        if len(domain) == 1:
            return [('id', '=', None)]
        return domain

    @fields.depends('sale_line', '_parent_sale_line.sale')
    def on_change_with_sale(self, name=None):
        return self.sale_line.sale if self.sale_line else None

    @classmethod
    def search_sale(cls, name, clause):
        nested = clause[0][len(name):]
        return [('sale_line.sale' + nested, *clause[1:])]

    def get_rec_name(self, name):
        name = self.product.rec_name
        if self.serial_number:
            name += ' [%s]' % self.serial_number
        return name

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        if operator.startswith('!') or operator.startswith('not '):
            bool_op = 'AND'
        else:
            bool_op = 'OR'
        return [bool_op,
            ('serial_number', operator, operand, *extra),
            ('product.rec_name', operator, operand, *extra),
            ]

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state') == 'removed', 'muted',
                    If(Eval('warranty_status') == 'warranty',
                        'success', 'muted'))),
            ]

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        Product = pool.get('product.product')
        values = super().preprocess_values(mode, values)
        # An emptied serial number is no serial: it must not be unique
        if 'serial_number' in values and not values['serial_number']:
            values['serial_number'] = None
        if (mode == 'create' and 'warranty_end' not in values
                and values.get('product') is not None
                and values.get('installation_date')):
            values['warranty_end'] = cls.warranty_end_of(
                Product(values['product']), values['installation_date'])
        return values

    @classmethod
    def validate_fields(cls, installed_products, field_names):
        super().validate_fields(installed_products, field_names)
        cls.check_dates(installed_products, field_names)

    @classmethod
    def check_dates(cls, installed_products, field_names=None):
        if field_names and not (field_names & {
                    'installation_date', 'warranty_end', 'removal_date'}):
            return
        for installed in installed_products:
            start = installed.installation_date
            if installed.warranty_end and installed.warranty_end < start:
                raise ValidationError(gettext(
                        'crm_service.msg_installed_product_warranty_end',
                        installed_product=installed.rec_name))
            if installed.removal_date and installed.removal_date < start:
                raise ValidationError(gettext(
                        'crm_service.msg_installed_product_removal_date',
                        installed_product=installed.rec_name))

    @classmethod
    def copy(cls, installed_products, default=None):
        if default is None:
            default = {}
        else:
            default = default.copy()
        default.setdefault('serial_number', None)
        default.setdefault('sale_line', None)
        default.setdefault('move', None)
        default.setdefault('removal_date', None)
        return super().copy(installed_products, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('removed')
    def remove(cls, installed_products):
        pool = Pool()
        Date = pool.get('ir.date')
        today = Date.today()
        cls.write([i for i in installed_products if not i.removal_date], {
                'removal_date': today,
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('installed')
    def reinstall(cls, installed_products):
        # The removal date is required as long as the unit is removed
        cls.write(installed_products, {
                'state': 'installed',
                'removal_date': None,
                })

    @classmethod
    def _delivered_moves(cls, moves):
        "Return the done moves of serviceable goods sold to a customer"
        pool = Pool()
        Move = pool.get('stock.move')
        delivered = []
        for sub_moves in grouped_slice(moves):
            delivered.extend(Move.search([
                        ('id', 'in', [m.id for m in sub_moves]),
                        ('state', '=', 'done'),
                        ('to_location.type', '=', 'customer'),
                        ('origin', 'like', 'sale.line,%'),
                        ('product.template.serviceable', '=', True),
                        ], order=[('id', 'ASC')]))
        return delivered

    @classmethod
    def _created_counts(cls, moves):
        "Return the number of installed products already made per move id"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        counts = defaultdict(int)
        for sub_ids in grouped_slice([m.id for m in moves]):
            cursor.execute(*table.select(
                    table.move, Count(table.id),
                    where=reduce_ids(table.move, sub_ids),
                    group_by=table.move))
            counts.update(cursor)
        return counts

    @classmethod
    def create_from_moves(cls, moves):
        """Create an installed product for each unit of serviceable goods
        delivered by moves and return them

        Moves that made theirs already are skipped, so calling it again
        creates only the missing units."""
        pool = Pool()
        Subscription = pool.get('sale.subscription')
        # The contracts come with the service contracts feature
        find_contract = getattr(Subscription, 'find_contract', None)
        moves = cls._delivered_moves(moves)
        counts = cls._created_counts(moves)
        contracts = {}
        to_create = []
        for move in moves:
            units = int(move.internal_quantity) - counts[move.id]
            if units <= 0:
                continue
            sale = move.origin.sale
            party = sale.shipment_party or sale.party
            date = move.effective_date
            key = (move.company, party, date)
            if find_contract and key not in contracts:
                with Transaction().set_context(company=move.company.id):
                    contracts[key] = find_contract(party, date)
            contract = contracts.get(key)
            to_create.extend({
                        'company': move.company.id,
                        'party': party.id,
                        'product': move.product.id,
                        'sale_line': move.origin.id,
                        'move': move.id,
                        'installation_date': date,
                        'warranty_end': cls.warranty_end_of(
                            move.product, date),
                        'contract': contract.id if contract else None,
                        } for _ in range(units))
        return cls.create(to_create)


class Subscription(metaclass=PoolMeta):
    __name__ = 'sale.subscription'

    installed_products = fields.One2Many(
        'crm.installed.product', 'contract', "Installed Products",
        add_remove=[
            ('party', '=', Eval('party', -1)),
            ('company', '=', Eval('company', -1)),
            ],
        help="The equipment the contract covers.")

    @classmethod
    def copy(cls, records, default=None):
        # the equipment stays with its owner: a copy does not install it twice
        default = default.copy() if default is not None else {}
        default.setdefault('installed_products', None)
        return super().copy(records, default=default)


class Party(metaclass=PoolMeta):
    __name__ = 'party.party'

    installed_products = fields.One2Many(
        'crm.installed.product', 'party', "Installed Products",
        help="The equipment of the customer followed by the service.")

    @classmethod
    def copy(cls, records, default=None):
        # the equipment stays with its owner: a copy does not install it twice
        default = default.copy() if default is not None else {}
        default.setdefault('installed_products', None)
        return super().copy(records, default=default)


class PartyReplace(metaclass=PoolMeta):
    __name__ = 'party.replace'

    @classmethod
    def fields_to_replace(cls):
        return super().fields_to_replace() + [
            ('crm.installed.product', 'party'),
            ]


class ShipmentOut(metaclass=PoolMeta):
    __name__ = 'stock.shipment.out'

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, shipments):
        pool = Pool()
        InstalledProduct = pool.get('crm.installed.product')
        super().do(shipments)
        # The serviceable units delivered become the customer's equipment
        InstalledProduct.create_from_moves(
            [m for s in shipments for m in s.outgoing_moves])
