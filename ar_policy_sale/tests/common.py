import html

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account_payment.tests.common import AccountPaymentCommon


class ArSaleCommon(AccountPaymentCommon):
    """Users by role, Odoo's dummy payment provider (account_payment's test common),
    and short helpers for credit files, quotations and payments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.ar_enforcement_mode = "off"
        user_values = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env, login="ars_manager", name="Carla Manager",
            groups="base.group_user,ar_policy.group_credit_manager", **user_values,
        )
        cls.controller = new_test_user(
            cls.env, login="ars_controller", name="Colin Controller",
            groups="base.group_user,ar_policy.group_credit_controller", **user_values,
        )
        cls.billing = new_test_user(
            cls.env, login="ars_billing", name="Bella Billing",
            groups="base.group_user,account.group_account_invoice,sales_team.group_sale_salesman",
            **user_values,
        )
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id
        cls.seller = new_test_user(
            cls.env, login="ars_seller", name="Sid Seller",
            groups="base.group_user,sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        cls.collector = new_test_user(
            cls.env, login="ars_collector", name="Cole Collector",
            groups="base.group_user,ar_policy.group_credit_controller,sales_team.group_sale_salesman",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        all_orders = cls.env.ref("sales_team.group_sale_salesman_all_leads")
        cls.manager.groups_id += all_orders
        cls.controller.groups_id += all_orders
        cls.collector.groups_id += all_orders
        cls.product = cls.env["product.product"].create({
            "name": "Widget",
            "type": "consu",
            "invoice_policy": "order",
            "list_price": 100.0,
            "taxes_id": [Command.clear()],
        })
        cls.tax_10 = cls.env["account.tax"].create({
            "name": "Tax 10%", "amount": 10.0, "amount_type": "percent",
            "company_id": cls.company.id,
        })
        cls.customer = cls.env["res.partner"].create({"name": "Deposit Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Dee Buyer", "parent_id": cls.customer.id,
        })

    @classmethod
    def _set_mode(cls, mode, company=None):
        (company or cls.company).ar_enforcement_mode = mode

    @classmethod
    def _file(cls, partner, company=None):
        company = company or cls.company
        files = cls.env["ar.credit.file"].sudo()._ar_files_for(partner, company, create=True)
        return cls.env["ar.credit.file"].browse(files[partner.commercial_partner_id.id].id)

    @classmethod
    def _set_limit(cls, partner, amount, company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_limit(amount, "Agreed limit")

    @classmethod
    def _set_status(cls, partner, status, company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_status(status, "Reviewed")

    @classmethod
    def _set_hold(cls, partner, company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_manual_hold("Disputes")

    @classmethod
    def _invoice(cls, partner, amount, company=None):
        return cls.env["account.move"].with_company(company or cls.company).create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": fields.Date.context_today(cls.env["account.move"]),
            "invoice_line_ids": [Command.create({
                "name": "Consulting", "quantity": 1.0, "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })

    @classmethod
    def _payment(cls, partner, amount):
        """A customer payment, posted and left unreconciled (an advance payment)."""
        payment = cls.env["account.payment"].create({
            "partner_id": partner.id, "amount": amount, "payment_type": "inbound",
            "partner_type": "customer",
            "date": fields.Date.context_today(cls.env["account.payment"]),
        })
        payment.action_post()
        return payment

    @classmethod
    def _messages(cls, record):
        return [html.unescape(str(body)) for body in record.message_ids.mapped("body")]

    @classmethod
    def _order(cls, partner, amount, tax=None, company=None, user=None, currency=None, **values):
        """A quotation of one line of ``amount`` (untaxed), sold by the seller."""
        vals = {
            "partner_id": partner.id,
            "user_id": (user or cls.seller).id,
            "order_line": [Command.create({
                "product_id": cls.product.id,
                "product_uom_qty": 1.0,
                "price_unit": amount,
                "tax_id": [Command.set(tax.ids)] if tax else [Command.clear()],
            })],
            **values,
        }
        if company:
            vals["company_id"] = company.id
        if currency:
            pricelist = cls.env["product.pricelist"].create({
                "name": f"Pricelist {currency.name}", "currency_id": currency.id,
            })
            vals["pricelist_id"] = pricelist.id
        return cls.env["sale.order"].with_company(company or cls.company).create(vals)

    @classmethod
    def _set_deposit(cls, partner, policy="percent", percent=30.0, min_amount=0.0, company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_deposit_policy(
            policy, percent, min_amount, "Large first project"
        )

    def _pay_online(self, order, amount, state="done"):
        """A payment transaction linked to the quotation, processed as the provider's
        notification would be (sale/tests/test_payment_flow.py)."""
        tx = self.env["payment.transaction"].sudo().create({
            "payment_method_id": self.payment_method_id,
            "amount": amount,
            "currency_id": order.currency_id.id,
            "provider_id": self.provider.id,
            "reference": f"{order.name}-{len(order.transaction_ids) + 1}",
            "operation": "online_redirect",
            "partner_id": order.partner_id.id,
            "sale_order_ids": [Command.set(order.ids)],
        })
        if state == "done":
            tx._set_done()
        else:
            tx._set_authorized()
        tx._post_process()
        return tx

    def _assign(self, order, payment, amount, user=None):
        wizard = self.env["ar.deposit.assign.wizard"].with_user(user or self.controller).create({
            "order_id": order.id, "payment_id": payment.id, "amount": amount,
        })
        return wizard.action_assign()

    def _activities(self, record, summary):
        return record.activity_ids.filtered(lambda a: a.summary == summary)
