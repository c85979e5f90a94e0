from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_credit_hold import ArHoldPilotCommon


@tagged("post_install", "-at_install")
class TestAccessCompany(ArHoldPilotCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Company B")
        cls.company_b = cls.company_data_2["company"]
        cls.manager.company_ids = [Command.link(cls.company_b.id)]
        cls.customer = cls._customer("Two Sites SA")
        cls.customer.with_company(cls.company_b).property_payment_term_id = cls.term_immediate

    def _invoice_b(self, partner, amount, invoice_date):
        return self._invoice(partner, amount, invoice_date, company=self.company_b)

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------

    def test_salesman_sees_status_and_hold_never_amounts(self):
        self._invoice(self.customer, 400.0, "2024-01-15")
        file = self._file(self.customer)
        self._hold_wizard(file, "hold", "Insolvency rumours").action_apply()

        as_salesman = file.with_user(self.salesman)
        self.assertEqual(as_salesman.read(["credit_status", "credit_hold", "hold_causes"]), [{
            "id": file.id, "credit_status": "approved", "credit_hold": True,
            "hold_causes": "Manual",
        }])
        for fname in ("exposure", "credit_limit", "overdue_amount", "headroom"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                as_salesman.read([fname])

        partner = self.customer.with_user(self.salesman)
        self.assertEqual(partner.ar_credit_file_id, file)
        self.assertTrue(partner.ar_credit_hold)
        self.assertEqual(partner.read(["ar_credit_status", "ar_hold_causes"])[0]["ar_hold_causes"],
                         "Manual")
        for fname in ("ar_exposure", "ar_overdue_amount", "credit_limit"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                partner.read([fname])

        with self.assertRaises(AccessError):
            self.Log.with_user(self.salesman).search([("file_id", "=", file.id)])
        with self.assertRaises(AccessError):
            as_salesman.write({"note": "<p>Looks fine to me</p>"})
        with self.assertRaises(AccessError):
            self._hold_wizard(file, "release", "Big order coming", user=self.salesman)

    def test_controller_follows_up_but_does_not_change_credit_terms(self):
        self._invoice(self.customer, 400.0, "2024-01-15")
        file = self._file(self.customer)
        as_controller = file.with_user(self.controller)

        self.assertEqual(as_controller.exposure, 400.0)
        self.assertFalse(self.Log.with_user(self.controller).search([("file_id", "=", file.id)]))
        as_controller.collector_id = self.controller
        self.assertEqual(file.collector_id, self.controller)

        with self.assertRaises(AccessError):
            as_controller.write({"credit_status": "pilot"})
        with self.assertRaises(AccessError):
            as_controller.write({"review_date": "2024-06-01"})
        with self.assertRaises(AccessError):
            as_controller.action_change_credit()
        with self.assertRaises(AccessError):
            self._change_wizard(file, user=self.controller, credit_status="pilot", reason="Risky")
        with self.assertRaises(AccessError):
            as_controller._ar_set_limit(100.0, "Risky")
        with self.assertRaisesRegex(UserError, "Credit Limit"):
            self.customer.with_user(self.controller).write({"credit_limit": 100.0})
        # Not even a manager bypasses the wizard.
        with self.assertRaises(AccessError):
            file.with_user(self.manager).write({"credit_status": "prepayment"})
        self.assertEqual(file.credit_status, "approved")
        self.assertFalse(self._logs(file))

        self.assertTrue(file.with_user(self.manager).action_change_credit())
        self._change_wizard(file, credit_status="prepayment", reason="Risky").action_apply()
        self.assertEqual(file.credit_status, "prepayment")
        self.assertRecordValues(self._logs(file), [{
            "event": "status", "old_value": "Approved", "new_value": "Prepayment only",
            "user_id": self.manager.id,
        }])

    # ------------------------------------------------------------------
    # Multi-company
    # ------------------------------------------------------------------

    def test_one_file_per_company_with_independent_limits_holds_and_exposure(self):
        self.company_b.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 400.0, "2024-02-28")
            self._invoice_b(self.customer, 700.0, "2024-01-15")
            file_a = self._file(self.customer)
            file_b = self._file(self.customer, self.company_b)
            self.assertTrue(file_a and file_b)
            self.assertNotEqual(file_a, file_b)
            self.assertEqual(file_b.company_id, self.company_b)

            self._change_wizard(file_a, change_limit=True, credit_limit=1000.0,
                                reason="Local branch approval").action_apply()
            self._change_wizard(file_b, change_limit=True, credit_limit=5000.0,
                                reason="Group approval").action_apply()
            self.assertEqual(self.customer.with_company(self.company).credit_limit, 1000.0)
            self.assertEqual(self.customer.with_company(self.company_b).credit_limit, 5000.0)

            self._cron_holds()
            self.assertFalse(file_a.credit_hold, "Company A has no overdue rule")
            self.assertTrue(file_b.credit_hold)
            self.assertEqual(file_a.exposure, 400.0)
            self.assertEqual(file_b.exposure, 700.0)
            self.assertEqual(file_a.headroom, 600.0)
            self.assertEqual(file_b.headroom, 4300.0)
            self.assertEqual(file_b.overdue_amount, 700.0)
            self.assertFalse(self.customer.with_company(self.company).ar_credit_hold)
            self.assertTrue(self.customer.with_company(self.company_b).ar_credit_hold)

            self._hold_wizard(file_a, "hold", "Local dispute").action_apply()
            self._hold_wizard(file_b, "release", "Guarantee from the parent").action_apply()
            self.assertTrue(file_a.credit_hold)
            self.assertFalse(file_b.credit_hold)

            self.assertEqual(set(file_a.log_ids.mapped("company_id")), {self.company})
            self.assertEqual(set(file_b.log_ids.mapped("company_id")), {self.company_b})
            self.assertEqual(file_a.log_ids.mapped("event"), ["hold", "limit"])
            self.assertEqual(sorted(file_b.log_ids.mapped("event")), ["hold", "limit", "release"])

    def test_user_of_company_a_does_not_see_company_b_file(self):
        self._invoice(self.customer, 400.0, "2024-02-28")
        self._invoice_b(self.customer, 700.0, "2024-01-15")
        file_a = self._file(self.customer)
        file_b = self._file(self.customer, self.company_b)
        self._hold_wizard(file_b, "hold", "Only in B").action_apply()

        for user in (self.controller, self.salesman):
            with self.subTest(user=user.login):
                files = self.File.with_user(user).search([("partner_id", "=", self.customer.id)])
                self.assertEqual(files, file_a)
                with self.assertRaises(AccessError):
                    file_b.with_user(user).read(["credit_status"])
                partner = self.customer.with_user(user)
                self.assertEqual(partner.ar_credit_file_id, file_a)
                self.assertFalse(partner.ar_credit_hold)
        logs = self.Log.with_user(self.controller).search([("partner_id", "=", self.customer.id)])
        self.assertFalse(logs, "Company B's hold is not in company A's history")

        # The manager works in both companies.
        files = self.File.with_user(self.manager).search([("partner_id", "=", self.customer.id)])
        self.assertEqual(files, file_a | file_b)

    def test_new_company_gets_files_for_customers_only(self):
        shared = self._customer("Everywhere Ltd", customer_rank=1)
        contact = self.env["res.partner"].create({
            "name": "Anna Everywhere", "parent_id": shared.id, "customer_rank": 1,
        })
        restricted = self._customer("Only A Ltd", customer_rank=1, company_id=self.company.id)
        restricted.sudo().with_company(self.company).credit_limit = 2500.0
        supplier = self._customer("Supplier Only", supplier_rank=1)

        company_c = self.env["res.company"].create({"name": "Company C"})
        files_c = self.File.search([("company_id", "=", company_c.id)])
        shared_file = files_c.filtered(lambda f: f.partner_id == shared)
        self.assertEqual(len(shared_file), 1)
        self.assertEqual(shared_file.credit_status, "approved")
        for partner in (contact, restricted, supplier):
            self.assertNotIn(partner, files_c.partner_id)
        self.assertTrue(files_c)
        self.assertEqual(set(files_c.mapped("credit_status")), {"approved"})
        self.assertFalse(any(files_c.mapped("credit_hold")))
        self.assertFalse(files_c.log_ids, "Creating a company changes nothing")
        self.assertEqual(
            len(files_c), len(set(files_c.partner_id.ids)), "One file per customer"
        )

        self.File._ar_create_missing_files(company_c)
        self.assertEqual(self.File.search_count([("company_id", "=", company_c.id)]), len(files_c))

        # The company's own branch uses the root company's files.
        branch = self.env["res.company"].create({
            "name": "Company C Branch", "parent_id": company_c.id,
        })
        self.assertFalse(self.File.search([("company_id", "=", branch.id)]))

    def test_install_creates_approved_files_with_the_current_limit(self):
        restricted = self._customer("Legacy Customer", customer_rank=1, company_id=self.company.id)
        restricted.sudo().with_company(self.company).credit_limit = 2500.0
        self.assertFalse(self._file(restricted))
        self.File._ar_create_missing_files(self.company)
        file = self._file(restricted)
        self.assertEqual(len(file), 1)
        self.assertRecordValues(file, [{
            "credit_status": "approved",
            "credit_hold": False,
            "hold_causes": "",
            "credit_limit": 2500.0,
            "company_id": self.company.id,
        }])
        self.assertFalse(file.log_ids)
        self.assertFalse(self._file(restricted, self.company_b), "Restricted to company A")
