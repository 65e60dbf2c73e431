# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"Scenario helpers shared by the CRM modules"
from proteus import Model

from trytond.modules.company.tests.tools import get_company

__all__ = ['create_employee']


def create_employee(name, login=None, groups=(), config=None):
    """Create an employee of the company and, with a login, a user working
    as that employee, member of the groups named (such as "Sales")"""
    Employee = Model.get('company.employee', config=config)
    Group = Model.get('res.group', config=config)
    Party = Model.get('party.party', config=config)
    User = Model.get('res.user', config=config)

    company = get_company(config=config)
    party = Party(name=name)
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    if login:
        user = User(name=name, login=login)
        for name in groups:
            group, = Group.find([('name', '=', name)])
            user.groups.append(group)
        user.companies.append(company)
        user.company = company
        user.employees.append(employee)
        user.employee = employee
        user.save()
    return employee
