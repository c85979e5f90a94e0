import json
import logging
from contextlib import contextmanager

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestRefusalServedWithoutError(AccountTestInvoicingHttpCommon):
    """A refused posting is a business outcome: served over JSON-RPC, it reaches the
    user with its message (a credit manager with the override button) and the server
    log holds no ERROR line and no traceback for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.company.ar_enforcement_mode = "block"
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env, login="ar_log_manager", groups="base.group_user,ar_policy.group_credit_manager",
            **users,
        )
        cls.billing = new_test_user(
            cls.env, login="ar_log_billing", groups="base.group_user,account.group_account_invoice",
            **users,
        )
        cls.customer = cls.env["res.partner"].create({"name": "Held Logging Customer",
                                                      "is_company": True})
        file = cls.env["ar.credit.file"].sudo()._ar_files_for(
            cls.customer, cls.company, create=True
        )[cls.customer.id]
        file.with_user(cls.manager)._ar_set_manual_hold("Deliveries disputed")
        cls.draft = cls.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": cls.customer.id,
            "invoice_date": fields.Date.context_today(cls.env.user),
            "invoice_line_ids": [Command.create({
                "name": "Consulting", "quantity": 1.0, "price_unit": 500.0,
                "tax_ids": [Command.clear()],
            })],
        })

    @contextmanager
    def _served_log(self):
        """Collects what the request handler (logger odoo.http) logs."""
        records = []
        handler = logging.Handler(logging.DEBUG)
        handler.emit = records.append
        logger = logging.getLogger("odoo.http")
        level = logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            yield records
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)

    def _post_over_rpc(self, login):
        self.authenticate(login, login)
        response = self.url_open(
            "/web/dataset/call_kw/account.move/action_post",
            data=json.dumps({
                "jsonrpc": "2.0", "method": "call", "id": 1,
                "params": {"model": "account.move", "method": "action_post",
                           "args": [self.draft.ids], "kwargs": {}},
            }),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()["error"]["data"]

    def test_manager_gets_the_override_offer_without_an_error_log(self):
        with self._served_log() as records:
            error = self._post_over_rpc(self.manager.login)
        # Odoo's RedirectWarning, titled by what happened for ar_policy's dialog
        self.assertEqual(error["name"], "odoo.addons.ar_policy.exceptions.ArCreditOverrideOffer")
        self.assertEqual(error["context"]["title"], "Credit hold")
        self.assertEqual(error["context"]["exception_class"], "odoo.exceptions.RedirectWarning")
        self.assertIn("credit hold", error["message"])
        message, action, button, _context = error["arguments"]
        self.assertIn("Held Logging Customer", message)
        self.assertEqual(action["res_model"], "ar.credit.override.wizard")
        self.assertIn("Credit Manager", button)
        served = [(r.levelname, r.exc_info) for r in records if r.levelno >= logging.INFO]
        self.assertEqual(served, [("INFO", None)])
        self.assertIn("Held Logging Customer", records[-1].getMessage())
        self.assertEqual(self.draft.state, "draft")

    def test_billing_user_gets_the_refusal_as_a_warning(self):
        with self._served_log() as records:
            error = self._post_over_rpc(self.billing.login)
        self.assertEqual(error["name"], "odoo.addons.ar_policy.exceptions.ArCreditRefusal")
        self.assertEqual(error["context"]["title"], "Credit hold")
        self.assertIn("credit hold", error["message"])
        served = [(r.levelname, r.exc_info) for r in records if r.levelno >= logging.INFO]
        self.assertEqual(served, [("WARNING", None)])
        self.assertEqual(self.draft.state, "draft")
