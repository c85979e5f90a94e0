import html

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.ar_policy.guards import policy_write


class ArPolicyCommon(AccountTestInvoicingCommon):
    """Base class of the ar_policy tests: users by role and short helpers for credit
    files, limits, invoices and payments. The helpers are class methods so that
    subclasses can use them in ``setUpClass`` too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.ar_enforcement_mode = "off"
        user_values = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env, login="ar_manager", name="Carla Manager",
            groups="base.group_user,ar_policy.group_credit_manager", **user_values,
        )
        cls.controller = new_test_user(
            cls.env, login="ar_controller", name="Colin Controller",
            groups="base.group_user,ar_policy.group_credit_controller", **user_values,
        )
        cls.billing = new_test_user(
            cls.env, login="ar_billing", name="Bella Billing",
            groups="base.group_user,account.group_account_invoice", **user_values,
        )
        cls.salesman = new_test_user(
            cls.env, login="ar_salesman", name="Sam Salesman",
            groups="base.group_user", **user_values,
        )

    # ------------------------------------------------------------------
    # Policy and credit files
    # ------------------------------------------------------------------

    @classmethod
    def _set_mode(cls, mode, company=None):
        (company or cls.company).ar_enforcement_mode = mode

    @classmethod
    def _file(cls, partner, company=None):
        """The credit file of ``partner``'s commercial entity, created if missing."""
        company = company or cls.company
        files = cls.env["ar.credit.file"].sudo()._ar_files_for(partner, company, create=True)
        return files[partner.commercial_partner_id.id].sudo(False)

    @classmethod
    def _set_limit(cls, partner, amount, reason="Limit agreed with the customer", company=None):
        """Changes the limit the only allowed way: a credit manager, with a reason."""
        cls._file(partner, company).with_user(cls.manager)._ar_set_limit(amount, reason)

    @classmethod
    def _set_status(cls, partner, status, reason="Credit status reviewed", company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_status(status, reason)

    @classmethod
    def _set_hold(cls, partner, reason="Disputed deliveries", company=None):
        cls._file(partner, company).with_user(cls.manager)._ar_set_manual_hold(reason)

    @classmethod
    def _limit(cls, partner, company=None):
        company = company or cls.company
        return partner.commercial_partner_id.with_company(company).sudo().credit_limit

    # ------------------------------------------------------------------
    # Documents
    # ------------------------------------------------------------------

    @classmethod
    def _invoice_vals(cls, partner, amount, date=None, due=None, currency=None,
                      move_type="out_invoice", **values):
        vals = {
            "move_type": move_type,
            "partner_id": partner.id,
            "invoice_date": date or fields.Date.context_today(cls.env["account.move"]),
            "invoice_line_ids": [Command.create({
                "name": "Consulting",
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
            **values,
        }
        if currency:
            vals["currency_id"] = currency.id
        if due:
            vals["invoice_payment_term_id"] = False
            vals["invoice_date_due"] = due
        return vals

    @classmethod
    def _invoice(cls, partner, amount, date=None, due=None, currency=None, company=None,
                 move_type="out_invoice", **values):
        """A draft customer invoice (or credit note) of one line of ``amount``, no taxes.

        ``date`` is the invoice date (today by default), ``due`` its due date (no
        payment terms then); other ``values`` go to the move (``ar_origin``...: as the
        addon's own fee and deposit invoices mark it).
        """
        Move = cls.env["account.move"].with_company(company or cls.company)
        if "ar_origin" in values:
            Move = policy_write(Move)
        return Move.create(cls._invoice_vals(
            partner, amount, date=date, due=due, currency=currency, move_type=move_type,
            **values,
        ))

    @classmethod
    def _post(cls, moves, user=None):
        """Posts like the Confirm button does; returns the moves."""
        (moves.with_user(user) if user else moves).action_post()
        return moves

    @classmethod
    def _payment(cls, partner, amount, date=None, currency=None, post=True):
        """A customer payment, posted and left unreconciled (an advance payment)."""
        return cls.init_payment(
            amount, post=post, partner=partner, currency=currency,
            date=date or fields.Date.context_today(cls.env["account.payment"]),
        )

    @classmethod
    def _messages(cls, record):
        """The chatter bodies of ``record``, entities decoded, newest first."""
        return [html.unescape(str(body)) for body in record.message_ids.mapped("body")]
