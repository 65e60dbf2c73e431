# This file is part of the CRM for Tryton.  The COPYRIGHT file at the top level
# of this repository contains the full copyright notices and license terms.
from sql import With


def category_tree(Category):
    """Return the recursive query pairing each category (column `category`)
    with itself and each of its ancestors (column `ancestor`): what is said of
    a category holds for its subcategories"""
    category = Category.__table__()
    tree = With('ancestor', 'category', recursive=True)
    tree.query = category.select(category.id, category.id)
    tree.query |= (category
        .join(tree, condition=category.parent == tree.category)
        .select(tree.ancestor, category.id))
    return tree
