from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import format_amount

from odoo.addons.ar_policy.hooks import post_init_hook
from odoo.addons.ar_policy.models.account_move import ArCreditRefusal

from .common import ArPolicyCommon

# Queries the credit check of one draft invoice costs, however many open invoices
# the customer has (found empirically; the same constant serves 1 and 500 invoices),
# the write that serialises the check per customer included.
CHECK_QUERIES = 16


@freeze_time("2026-03-15")
@tagged("post_install", "-at_install")
class TestCreditCheck(ArPolicyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Wholesale", "is_company": True, "customer_rank": 1,
        })
        cls.customer_b = cls.env["res.partner"].create({
            "name": "Bolt Retail", "is_company": True, "customer_rank": 1,
        })
        cls.currency = cls.company.currency_id

    def _money(self, amount):
        return format_amount(self.env, amount, self.currency)

    def _events(self, partner, *events):
        return self._file(partner).log_ids.filtered(lambda log: log.event in events)

    def _label(self, move):
        """How the refusal names an invoice: its number, or its customer and total."""
        if move.name and move.name != "/":
            return move.name
        return f"Draft invoice for {move.partner_id.name} ({self._money(move.amount_total)})"

    # ------------------------------------------------------------------
    # Enforcement modes
    # ------------------------------------------------------------------

    def test_mode_off_posts_over_the_limit_without_log(self):
        self._set_limit(self.customer, 1000.0)
        invoice = self._invoice(self.customer, 1500.0)
        self._post(invoice)
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self._events(self.customer, "warning", "override"))
        self.assertFalse(
            [body for body in self._messages(invoice) if "credit policy" in body]
        )

    def test_mode_warn_posts_with_a_warning(self):
        self._set_mode("warn")
        self._set_limit(self.customer, 1000.0)
        invoice = self._invoice(self.customer, 1500.0)
        self._post(invoice)
        self.assertEqual(invoice.state, "posted")
        warnings = [body for body in self._messages(invoice) if "warning only" in body]
        self.assertEqual(len(warnings), 1)
        self.assertIn("Acme Wholesale", warnings[0])
        self.assertIn(self._money(500.0), warnings[0])
        log = self._events(self.customer, "warning")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.move_id, invoice)
        self.assertEqual(log.user_id, self.env.user)
        self.assertIn(self._money(1000.0), log.reason)

    def test_mode_warn_under_the_limit_is_silent(self):
        self._set_mode("warn")
        self._set_limit(self.customer, 1000.0)
        invoice = self._post(self._invoice(self.customer, 1000.0))
        self.assertEqual(invoice.state, "posted")
        self.assertFalse(self._events(self.customer, "warning"))

    def test_mode_block_refuses_with_customer_limit_exposure_excess(self):
        self._set_mode("block")
        self._set_limit(self.customer, 1000.0)
        self._post(self._invoice(self.customer, 600.0))
        invoice = self._invoice(self.customer, 500.0)
        with self.assertRaises(ArCreditRefusal) as refusal:
            self._post(invoice)
        message = refusal.exception.args[0]
        self.assertIn("Acme Wholesale", message)
        self.assertIn(self._money(1000.0), message)  # limit
        self.assertIn(self._money(1100.0), message)  # exposure after the invoice
        self.assertIn(self._money(100.0), message)  # excess
        self.assertIn(self._label(invoice), message)
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(self._events(self.customer, "warning", "override"))

    # ------------------------------------------------------------------
    # The mode at install
    # ------------------------------------------------------------------

    def test_install_hook_mode_follows_odoo_credit_limit_flag(self):
        other = self.env["res.company"].create({"name": "Hook Test Co"})
        self.company.account_use_credit_limit = True
        other.account_use_credit_limit = False
        (self.company | other).ar_enforcement_mode = "off"
        newcomer = self.env["res.partner"].create({
            "name": "Never Invoiced", "is_company": True, "customer_rank": 1,
        })
        File = self.env["ar.credit.file"].sudo()
        self.assertFalse(File.search([("partner_id", "=", newcomer.id)]))

        post_init_hook(self.env)

        self.assertEqual(self.company.ar_enforcement_mode, "warn")
        self.assertEqual(other.ar_enforcement_mode, "off")
        self.assertFalse(other.account_use_credit_limit)
        file = File.search([("partner_id", "=", newcomer.id), ("company_id", "=", self.company.id)])
        self.assertRecordValues(file, [{"credit_status": "approved", "credit_hold": False}])

    def test_any_mode_but_off_switches_odoo_credit_limit_on(self):
        self._set_mode("off")
        self.company.account_use_credit_limit = False
        self._set_mode("block")
        self.assertTrue(self.company.account_use_credit_limit)
        # while the policy is on, Odoo's own flag stays on
        self.company.account_use_credit_limit = False
        self.assertTrue(self.company.account_use_credit_limit)

        self._set_mode("off")
        self.company.account_use_credit_limit = False
        self._set_mode("warn")
        self.assertTrue(self.company.account_use_credit_limit)

    # ------------------------------------------------------------------
    # Prepayment only
    # ------------------------------------------------------------------

    def test_prepayment_only_needs_advance_payments(self):
        self._set_mode("block")
        self._set_status(self.customer, "prepayment")
        invoice = self._invoice(self.customer, 500.0)
        with self.assertRaisesRegex(ArCreditRefusal, "pays in advance"):
            self._post(invoice)
        self.assertEqual(invoice.state, "draft")

        payment = self._payment(self.customer, 500.0)
        self.assertTrue(payment.move_id)
        self.assertFalse(payment.is_reconciled)
        self._post(invoice)
        self.assertEqual(invoice.state, "posted")

    def test_prepayment_only_refused_when_partly_covered(self):
        self._set_mode("block")
        self._set_status(self.customer, "prepayment")
        self._payment(self.customer, 200.0)
        invoice = self._invoice(self.customer, 500.0)
        with self.assertRaises(ArCreditRefusal) as refusal:
            self._post(invoice)
        message = refusal.exception.args[0]
        self.assertIn("Acme Wholesale", message)
        self.assertIn("pays in advance", message)
        self.assertIn(self._money(300.0), message)
        self.assertEqual(invoice.state, "draft")

    # ------------------------------------------------------------------
    # Override by a credit manager
    # ------------------------------------------------------------------

    def _refused_invoice(self):
        self._set_mode("block")
        self._set_limit(self.customer, 1000.0)
        return self._invoice(self.customer, 1500.0)

    def _override_wizard(self, invoices, reason):
        return self.env["ar.credit.override.wizard"].with_user(self.manager).with_context(
            active_model="account.move", active_ids=invoices.ids,
        ).create({"reason": reason})

    def test_override_by_manager_posts_and_logs(self):
        invoice = self._refused_invoice()
        wizard = self._override_wizard(invoice, "Strategic customer, CFO agreed")
        self.assertEqual(wizard.move_ids, invoice)
        self.assertIn(self._money(500.0), wizard.refusal)
        wizard.action_post()
        self.assertEqual(invoice.state, "posted")
        log = self._events(self.customer, "override")
        self.assertEqual(len(log), 1)
        self.assertRecordValues(log, [{
            "reason": "Strategic customer, CFO agreed",
            "user_id": self.manager.id,
            "move_id": invoice.id,
        }])
        notes = [
            body for body in self._messages(invoice) if "Posted over the credit policy" in body
        ]
        self.assertEqual(len(notes), 1)
        self.assertIn("Strategic customer, CFO agreed", notes[0])
        self.assertIn("Carla Manager", notes[0])

    def test_override_refused_to_non_managers(self):
        invoice = self._refused_invoice()
        wizard = self._override_wizard(invoice, "I say so")
        with self.assertRaises(AccessError):
            wizard.with_user(self.controller).action_post()
        with self.assertRaises(AccessError):
            invoice.with_user(self.controller).with_context(
                ar_credit_override_reason="I say so"
            )._post(soft=False)
        with self.assertRaises(AccessError):
            self.env["ar.credit.override.wizard"].with_user(self.controller).create({
                "move_ids": [Command.set(invoice.ids)], "reason": "I say so",
            })
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(self._events(self.customer, "override"))

    def test_override_needs_a_reason(self):
        invoice = self._refused_invoice()
        wizard = self._override_wizard(invoice, "   ")
        with self.assertRaisesRegex(UserError, "Reason"):
            wizard.action_post()
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(self._events(self.customer, "override"))

    def test_refusal_offers_the_override_to_managers_only(self):
        invoice = self._refused_invoice()
        with self.assertRaises(RedirectWarning) as redirect:
            invoice.with_user(self.manager).action_post()
        message, action = redirect.exception.args[:2]
        self.assertIn("Acme Wholesale", message)
        self.assertEqual(action["res_model"], "ar.credit.override.wizard")
        self.assertEqual(action["context"]["default_move_ids"], invoice.ids)
        wizard = self.env["ar.credit.override.wizard"].with_user(self.manager).with_context(
            **action["context"]
        ).create({"reason": "Paid by wire tomorrow"})
        self.assertEqual(wizard.move_ids, invoice)

        with self.assertRaises(UserError) as refusal:
            invoice.with_user(self.billing).action_post()
        self.assertIsInstance(refusal.exception, ArCreditRefusal)
        self.assertIn(self._money(1000.0), refusal.exception.args[0])
        self.assertEqual(invoice.state, "draft")

    # ------------------------------------------------------------------
    # Several invoices at once
    # ------------------------------------------------------------------

    def test_batch_posts_none_and_lists_every_refusal(self):
        self._set_mode("block")
        self._set_limit(self.customer, 1000.0)
        self._set_limit(self.customer_b, 1000.0)
        first = self._invoice(self.customer, 600.0)
        second = self._invoice(self.customer, 600.0)
        other = self._invoice(self.customer_b, 300.0)
        third = self._invoice(self.customer, 100.0)
        invoices = first | second | other | third
        with self.assertRaises(ArCreditRefusal) as refusal:
            invoices.action_post()
        message = refusal.exception.args[0]
        self.assertIn(self._label(second), message)
        self.assertIn(self._label(third), message)
        self.assertEqual(len(message.splitlines()), 3, "the heading, second and third only")
        self.assertNotIn(self._label(other), message)
        self.assertNotIn("Bolt Retail", message)
        self.assertIn(self._money(1200.0), message)
        self.assertIn(self._money(200.0), message)
        self.assertEqual(set(invoices.mapped("state")), {"draft"})

        # without the refused drafts (which count in exposure) the rest posts
        (second | third).unlink()
        (first | other).action_post()
        self.assertEqual(set((first | other).mapped("state")), {"posted"})

    # ------------------------------------------------------------------
    # Documents the system makes, credit notes
    # ------------------------------------------------------------------

    def test_fee_deposit_and_credit_note_post_for_held_customer(self):
        self._set_mode("block")
        self._set_hold(self.customer)
        invoice = self._invoice(self.customer, 100.0)
        with self.assertRaisesRegex(ArCreditRefusal, "on credit hold") as refusal:
            self._post(invoice)
        self.assertIn("Acme Wholesale", refusal.exception.args[0])
        self.assertIn("held by the credit manager: Disputed deliveries", refusal.exception.args[0])
        self.assertEqual(refusal.exception.title, "Credit hold")
        self.assertEqual(refusal.exception.context["title"], "Credit hold")

        fee = self._post(self._invoice(self.customer, 15.0, ar_origin="late_fee"))
        deposit = self._post(self._invoice(self.customer, 400.0, ar_origin="deposit"))
        refund = self._post(self._invoice(self.customer, 50.0, move_type="out_refund"))
        self.assertEqual((fee | deposit | refund).mapped("state"), ["posted"] * 3)
        self.assertEqual(invoice.state, "draft")
        file = self._file(self.customer)
        file.invalidate_recordset()
        # fee + deposit - unallocated credit note + the refused draft
        self.assertAlmostEqual(file.exposure, 15.0 + 400.0 - 50.0 + 100.0)

    # ------------------------------------------------------------------
    # Contacts
    # ------------------------------------------------------------------

    def test_contact_invoices_count_towards_the_parent(self):
        contact = self.env["res.partner"].create({
            "name": "Jane Buyer", "parent_id": self.customer.id, "type": "invoice",
        })
        self.assertEqual(self._file(contact), self._file(self.customer))
        self.assertEqual(self._file(contact).partner_id, self.customer)
        self._set_limit(self.customer, 1000.0)
        self._post(self._invoice(contact, 700.0))
        file = self._file(self.customer)
        file.invalidate_recordset()
        self.assertAlmostEqual(file.exposure_receivable, 700.0)

        self._set_mode("block")
        invoice = self._invoice(contact, 400.0)
        with self.assertRaises(ArCreditRefusal) as refusal:
            self._post(invoice)
        message = refusal.exception.args[0]
        self.assertIn("Acme Wholesale", message)
        self.assertIn(self._money(1000.0), message)
        self.assertIn(self._money(1100.0), message)
        self.assertIn(self._money(100.0), message)
        self.assertEqual(invoice.state, "draft")
        self.assertEqual(
            self.env["ar.credit.file"].sudo().search_count([("partner_id", "=", contact.id)]), 0
        )

    # ------------------------------------------------------------------
    # Currencies
    # ------------------------------------------------------------------

    def test_foreign_currency_posted_at_booked_amount_drafts_at_today_rate(self):
        code = "EUR" if self.currency.name != "EUR" else "USD"
        foreign = self.setup_other_currency(
            code, rates=[("2026-01-01", 2.0), ("2026-03-01", 4.0)]
        )
        # 1000 booked at 2.0 = 500; today it would be worth 250.
        self._post(self._invoice(self.customer, 1000.0, currency=foreign, date=date(2026, 2, 1)))
        # A February draft is worth 250 at today's rate (500 at its own date).
        self._invoice(self.customer, 1000.0, currency=foreign, date=date(2026, 2, 15))
        file = self._file(self.customer)
        file.invalidate_recordset()
        self.assertAlmostEqual(file.exposure_receivable, 500.0)
        self.assertAlmostEqual(file.exposure_drafts, 250.0)
        self.assertAlmostEqual(file.exposure, 750.0)

        self._set_mode("block")
        self._set_limit(self.customer, 900.0)
        invoice = self._invoice(self.customer, 1000.0, currency=foreign)
        with self.assertRaises(ArCreditRefusal) as refusal:
            self._post(invoice)
        message = refusal.exception.args[0]
        self.assertIn(self._money(1000.0), message)  # 500 + 250 + 250
        self.assertIn(self._money(100.0), message)
        self.assertEqual(invoice.state, "draft")

    # ------------------------------------------------------------------
    # The banner on the draft invoice
    # ------------------------------------------------------------------

    def test_banner_over_the_limit(self):
        self._set_limit(self.customer, 1000.0)
        invoice = self._invoice(self.customer, 1500.0)
        self.assertFalse(invoice.ar_credit_banner)  # mode off

        self._set_mode("warn")
        invoice.invalidate_recordset()
        self.assertIn("Acme Wholesale", invoice.ar_credit_banner)
        self.assertIn(self._money(500.0), invoice.ar_credit_banner)
        self.assertFalse(invoice.ar_credit_banner_blocking)

        self._set_mode("block")
        invoice.invalidate_recordset()
        self.assertIn("credit limit", invoice.ar_credit_banner)
        self.assertTrue(invoice.ar_credit_banner_blocking)

        under = self._invoice(self.customer_b, 1500.0)
        self.assertFalse(under.ar_credit_banner)
        self.assertFalse(under.ar_credit_banner_blocking)

    def test_banner_hold_and_prepayment(self):
        self._set_mode("block")
        self._set_hold(self.customer)
        self._set_status(self.customer_b, "prepayment")
        held = self._invoice(self.customer, 10.0)
        prepaid = self._invoice(self.customer_b, 10.0)
        self.assertEqual(
            held.ar_credit_banner,
            "Acme Wholesale is on credit hold: held by the credit manager: Disputed "
            "deliveries. Only a credit manager can release it, with Release Hold on the "
            "customer's credit file.",
        )
        self.assertTrue(held.ar_credit_banner_blocking)
        self.company.ar_credit_manager_id = self.env.user
        held.invalidate_recordset(["ar_credit_banner"])
        self.assertIn(f"credit file: ask {self.env.user.name}.", held.ar_credit_banner)
        self.assertIn("pays in advance", prepaid.ar_credit_banner)
        self.assertIn("Bolt Retail", prepaid.ar_credit_banner)

    def test_held_customer_owing_a_deposit_reads_the_hold_first(self):
        """Issue 14: a held customer whose invoice waits for a deposit: the banner and
        the refusal (titled "Credit hold") say why it is held, who releases it, then
        the deposit that lets the invoice through, in one banner."""
        self._set_mode("block")
        self.company.ar_credit_manager_id = self.manager
        self._set_hold(self.customer)
        self._file(self.customer).sudo().stage_deposit_percent = 50.0
        invoice = self._invoice(self.customer, 500.0)
        self.assertEqual(invoice.ar_credit_note_level, "danger")
        note = invoice.ar_credit_note
        self.assertEqual(len(note.splitlines()), 1, "one banner")
        self.assertTrue(note.startswith(
            "Acme Wholesale is on credit hold: held by the credit manager: Disputed deliveries."
        ))
        self.assertLess(note.index("ask Carla Manager"), note.index("owes a deposit of"))
        self.assertIn(self._money(250.0), note)
        with self.assertRaises(ArCreditRefusal) as refusal:
            invoice.with_user(self.billing).action_post()
        self.assertEqual(refusal.exception.title, "Credit hold")
        message = refusal.exception.args[0]
        self.assertLess(message.index("Disputed deliveries"), message.index("owes a deposit of"))
        self.assertEqual(invoice.state, "draft")

    def test_override_wizard_names_drafts_by_customer_and_amount(self):
        self._set_mode("block")
        self._set_hold(self.customer)
        # Odoo numbers the first invoice of a journal at once; later drafts are "/"
        self._post(self._invoice(self.customer_b, 10.0))
        invoice = self._invoice(self.customer, 500.0)
        self.assertEqual(invoice.name, "/")
        with self.assertRaises(RedirectWarning) as offer:
            invoice.with_user(self.manager).action_post()
        self.assertEqual(offer.exception.context["title"], "Credit hold")
        wizard = self.env["ar.credit.override.wizard"].with_user(self.manager).create({
            "move_ids": [Command.set(invoice.ids)], "reason": "Agreed",
        })
        self.assertEqual(wizard.move_names, f"Draft invoice for Acme Wholesale ({self._money(500.0)})")

    def test_odoo_credit_warning_gives_way_to_the_banner(self):
        self.company.account_use_credit_limit = True
        self._set_limit(self.customer, 1000.0)
        invoice = self._invoice(self.customer, 1500.0)
        self.assertTrue(invoice.partner_credit_warning)  # mode off: Odoo's own warning
        self._set_mode("warn")
        invoice.invalidate_recordset()
        self.assertEqual(invoice.partner_credit_warning, "")
        self.assertTrue(invoice.ar_credit_banner)

    def test_reason_without_amounts_for_users_without_billing(self):
        self._set_mode("block")
        self._set_limit(self.customer, 1000.0)
        invoice = self._invoice(self.customer, 1500.0)
        file, decision = invoice._ar_credit_decisions()[invoice]
        self.assertTrue(decision.refused)
        hidden = invoice._ar_credit_message(file, decision, show_amounts=False)
        self.assertIn("Acme Wholesale", hidden)
        self.assertIn("credit limit", hidden)
        self.assertNotIn(self.currency.symbol, hidden)
        self.assertFalse(any(char.isdigit() for char in hidden))

        shown = invoice.with_user(self.billing).ar_credit_banner
        self.assertIn(self._money(1000.0), shown)
        self.assertIn(self._money(500.0), shown)

        self._set_status(self.customer_b, "prepayment")
        prepaid = self._invoice(self.customer_b, 300.0)
        file, decision = prepaid._ar_credit_decisions()[prepaid]
        hidden = prepaid._ar_credit_message(file, decision, show_amounts=False)
        self.assertIn("pays in advance", hidden)
        self.assertFalse(any(char.isdigit() for char in hidden))

    # ------------------------------------------------------------------
    # Cost of the check
    # ------------------------------------------------------------------

    def _open_invoices(self, partner, count):
        Move = self.env["account.move"].with_company(self.company)
        moves = Move.create([
            self._invoice_vals(partner, 10.0 + index % 7, date=date(2026, 1, 1 + index % 28))
            for index in range(count)
        ])
        moves._post(soft=False)
        return moves

    def _check_query_count(self, partner):
        """Queries the check of a new draft invoice for ``partner`` costs, warm."""
        invoice = self._invoice(partner, 100.0)
        for _warmup in range(2):  # the ormcaches (groups, record rules, ...) get warm
            invoice._ar_credit_check()
            self.env.flush_all()
            self.env.invalidate_all()
        with self.assertQueryCount(CHECK_QUERIES):
            count0 = self.cr.sql_log_count
            invoice._ar_credit_check()
            self.env.flush_all()
            count = self.cr.sql_log_count - count0
        self.assertEqual(invoice.state, "draft")
        return count

    def test_check_costs_a_fixed_number_of_queries(self):
        self.assertEqual(len(self._open_invoices(self.customer, 1)), 1)
        many = self._open_invoices(self.customer_b, 500)
        self.assertEqual(set(many.mapped("state")), {"posted"})
        self._set_mode("block")
        self._set_limit(self.customer, 1000000.0)
        self._set_limit(self.customer_b, 1000000.0)

        one_invoice = self._check_query_count(self.customer)
        many_invoices = self._check_query_count(self.customer_b)
        self.assertEqual(one_invoice, many_invoices)
        file = self._file(self.customer_b)
        file.invalidate_recordset()
        self.assertAlmostEqual(file.exposure_receivable, sum(many.mapped("amount_total")))

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def _change_wizard(self, partner, **values):
        return self.env["ar.credit.change.wizard"].with_user(self.manager).with_context(
            default_file_ids=self._file(partner).ids,
        ).create(values)

    def test_change_wizard_rejects_bad_input(self):
        self._set_limit(self.customer, 1000.0)
        file = self._file(self.customer)
        logs_before = file.log_ids

        with self.assertRaisesRegex(ValidationError, "Credit Limit"):
            self._change_wizard(
                self.customer, change_limit=True, credit_limit=-50.0, reason="Typo"
            ).action_apply()
        with self.assertRaisesRegex(UserError, "Reason"):
            self._change_wizard(
                self.customer, change_limit=True, credit_limit=5000.0, reason="  "
            ).action_apply()

        self.assertEqual(self._limit(self.customer), 1000.0)
        file.invalidate_recordset()
        self.assertEqual(file.log_ids, logs_before)

        self._change_wizard(
            self.customer, change_limit=True, credit_limit=5000.0, reason="Bank guarantee"
        ).action_apply()
        self.assertEqual(self._limit(self.customer), 5000.0)
        file.invalidate_recordset()
        log = file.log_ids - logs_before
        self.assertRecordValues(log, [{
            "event": "limit", "reason": "Bank guarantee", "user_id": self.manager.id,
        }])
