"""The order's deposit is computed when read; the stored columns become the deposit
each confirmed order was confirmed with (quotations' values are never read again)."""

from odoo.tools.sql import column_exists, rename_column

RENAMED = {
    "ar_deposit_percent": "ar_deposit_confirmed_percent",
    "ar_deposit_amount": "ar_deposit_confirmed_amount",
    "ar_deposit_reason": "ar_deposit_confirmed_reason",
}


def migrate(cr, version):
    if not version:
        return
    for old, new in RENAMED.items():
        if column_exists(cr, "sale_order", old) and not column_exists(cr, "sale_order", new):
            rename_column(cr, "sale_order", old, new)
