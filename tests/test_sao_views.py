# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
"""Every list of our modules can be drawn by the web client: sao has a
column for each field's widget (a datetime, for one, needs a date and a time
column, as Tryton's own lists do; sao stops on anything else)."""
import re
import unittest
from xml.etree import ElementTree

from demo_server import ROOT, demo_server

SAO = ROOT / 'web' / 'node_modules' / 'tryton-sao' / 'dist' / 'tryton-sao.js'


def sao_tree_columns():
    "The widgets sao's lists have a column for, read from sao itself"
    source = SAO.read_text(encoding='utf-8')
    block = re.search(
        r'Sao\.View\.TreeXMLViewParser\.WIDGETS = \{(.*?)\};', source,
        re.DOTALL).group(1)
    return set(re.findall(r"'(\w+)':", block))


class SaoListsTestCase(unittest.TestCase):
    "The lists of our modules in sao"

    def test_list_columns(self):
        "Every column of our lists is one sao can draw"
        demo = demo_server()
        columns = sao_tree_columns()
        self.assertIn('date', columns)
        views = demo.call('ir.ui.view', 'search_read', [
                ('module', 'like', 'crm_%'),
                ['OR', ('type', '=', 'tree'), ('inherit.type', '=', 'tree')],
                ], 0, None, None, ['model', 'name', 'inherit'])
        self.assertTrue(views)
        undrawable = []
        for view in views:
            view_id = view['inherit'] or view['id']
            result = demo.call(
                view['model'], 'fields_view_get', view_id, 'tree')
            for node in ElementTree.fromstring(result['arch']).iter('field'):
                field = result['fields'].get(node.get('name'), {})
                widget = node.get('widget') or field.get('type')
                if widget not in columns:
                    undrawable.append(
                        (view['name'], node.get('name'), widget))
        self.assertFalse(undrawable,
            "list columns sao cannot draw (view, field, widget)")
