import html
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import format_amount

from odoo.addons.ar_policy.models.ar_concentration import ArConcentration

from .common import ArPolicyCommon

TODAY = date(2026, 3, 10)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestOnePosition(ArPolicyCommon):
    """DESIGN 9: what a customer receives equals what its credit file shows. One
    customer (and its invoicing contact) owes, on 2026-03-10:

    =====  ===========================  ==========  ================  ==========
    item   what                         due         open              why out
    =====  ===========================  ==========  ================  ==========
    A      1000 invoice, 400 paid       2026-02-01  600               -
    B      800 invoice                  2026-04-01  800 (not due)     -
    D      300 invoice                  2026-02-15  300               dispute
    E      200 invoice                  2026-02-20  200               promise
    F      EUR 1000 (2 EUR = 1 USD)     2026-02-10  EUR 1000 = 500    -
    =====  ===========================  ==========  ================  ==========

    Open credits: a 150 credit note and a 250 unallocated payment (USD).
    Overdue 1,600 less 500 disputed or promised less 400 of credits = 700 net overdue;
    balance 2,400 - 400 = 2,000 (in USD at the booked rates).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        cls.usd = cls.company.currency_id
        cls.customer = cls.env["res.partner"].create({
            "name": "Ledger Match Ltd", "is_company": True, "email": "ap@ledger.example",
            "customer_rank": 1,
        })
        cls.contact = cls.env["res.partner"].create({
            "name": "Ledger Payables", "type": "invoice", "parent_id": cls.customer.id,
            "email": "payables@ledger.example",
        })

        def posted(partner, amount, due, **values):
            return cls._post(cls._invoice(partner, amount, date=date(2026, 1, 2), due=due,
                                          **values))

        cls.inv_a = posted(cls.contact, 1000.0, date(2026, 2, 1))
        cls.inv_b = posted(cls.customer, 800.0, date(2026, 4, 1))
        cls.inv_d = posted(cls.customer, 300.0, date(2026, 2, 15))
        cls.inv_e = posted(cls.customer, 200.0, date(2026, 2, 20))
        cls.inv_f = posted(cls.customer, 1000.0, date(2026, 2, 10), currency=cls.eur)
        cls.refund = cls._post(cls._invoice(cls.customer, 150.0, date=date(2026, 3, 5),
                                            move_type="out_refund"))
        cls.payment = cls._payment(cls.contact, 250.0, date=date(2026, 3, 1))
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.inv_a.ids,
        ).create({"amount": 400.0, "payment_date": date(2026, 2, 15)})._create_payments()
        cls.env["ar.dispute.wizard"].with_user(cls.controller).with_context(
            active_model="account.move", active_ids=cls.inv_d.ids,
        ).create({"action": "dispute", "reason": "Goods arrived damaged"}).action_apply()
        form = Form(cls.env["ar.promise.wizard"].with_user(cls.controller).with_context(
            active_model="account.move", active_ids=cls.inv_e.ids, active_id=cls.inv_e.id,
        ))
        form.date = date(2026, 3, 20)
        form.reason = "Pays after its own customer does"
        form.save().action_confirm()
        cls.file = cls._file(cls.customer)
        cls.file.sudo().fees_allowed = False  # no fee invoice changes the figures mid-run
        with freeze_time("2026-03-10"):
            cls.company.ar_concentration_enabled = True
        cls.env.invalidate_all()

    def _money(self, amount):
        return format_amount(self.env, amount, self.usd)

    def _assert_states(self, text, what):
        text = html.unescape(text)
        self.assertIn(self._money(700.0), text, f"{what}: the net amount overdue")
        self.assertIn(self._money(2000.0), text, f"{what}: the balance")

        def section(move):
            """The section a document is listed in: the nearest heading above it."""
            at = text.index(move.name)
            return max(("Overdue", "Not yet due"), key=lambda title: text.rfind(title, 0, at))

        for move in (self.inv_a, self.inv_d, self.inv_e, self.inv_f):
            self.assertEqual(section(move), "Overdue", f"{what}: {move.name}")
        self.assertEqual(section(self.inv_b), "Not yet due", f"{what}: {self.inv_b.name}")
        self.assertIn(self.refund.name, text, f"{what}: the credit note is listed")
        self.assertIn(self.payment.move_id.name, text, f"{what}: the payment is listed")
        self.assertIn("in dispute", text)
        self.assertIn("payment promised", text)
        for stage in self.company.ar_escalation_policy_id.stage_ids:
            self.assertNotIn(stage.name, text, f"{what}: no internal stage name")

    def test_every_consumer_states_the_same_figures(self):
        # The credit file
        file = self.file
        self.assertAlmostEqual(file.overdue_amount, 700.0)
        self.assertAlmostEqual(file.balance, 2000.0)
        self.assertAlmostEqual(file.exposure_receivable - file.exposure_unallocated, 2000.0)

        # The deposit decision: exposure before the invoice is the balance, so with a
        # limit of balance + 100 an invoice of 100 needs no deposit, one of 100.01 does.
        self._set_mode("block")
        self.company.ar_deposit_limit_percent = 50.0
        self._set_limit(self.customer, 2100.0)
        within = self._invoice(self.customer, 100.0)
        self.assertFalse(within.ar_deposit_amount, "2,000 + 100 is within the limit")
        within.unlink()
        over = self._invoice(self.customer, 100.01)
        self.assertEqual(over.ar_deposit_reason, "over the credit limit")
        self.assertAlmostEqual(over.ar_deposit_amount, 50.01)
        over.unlink()
        self._set_mode("off")

        # The concentration snapshot: net receivables are the balance
        self.env["ar.concentration"]._ar_take_snapshot(self.company)
        row = self.env["ar.concentration.snapshot"].search([
            ("company_id", "=", self.company.id), ("is_latest", "=", True),
            ("partner_id", "=", self.customer.id),
        ])
        self.assertAlmostEqual(row.receivable, 2000.0)

        # The reminder: the escalation run mails the invoicing contact
        self.company.ar_escalation_enabled = True
        self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()
        mails = self.file.message_ids.filtered(
            lambda m: m.message_type == "comment"
            and m.subtype_id == self.env.ref("mail.mt_comment")
        )
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.partner_ids, self.contact)
        self._assert_states(mails.body, "the reminder")
        self.assertIn("overdue on your account", html.unescape(mails.body))

        # The letter printed from the run's history
        rows = self.env["ar.escalation.history"].search([("file_id", "=", self.file.id)])
        self.assertTrue(rows)
        letter = self.env["ir.actions.report"]._render_qweb_html(
            "ar_policy.action_report_ar_dunning_letter", rows.ids
        )[0].decode()
        self._assert_states(letter, "the letter")

        # and the file still says the same after the run
        self.assertAlmostEqual(self.file.overdue_amount, 700.0)
        self.assertAlmostEqual(self.file.balance, 2000.0)

    def test_credits_covering_the_overdue_stop_the_overdue_reminder(self):
        """A 1,000 payment covers the 1,100 overdue that counts (A 600 + F 500) less
        the 400 of credits: no overdue reminder; the pre-due reminder of B states the
        credit and the balance."""
        self._payment(self.customer, 1000.0, date=date(2026, 3, 9))
        self.assertEqual(self.file.overdue_amount, 0.0)
        self.company.ar_escalation_enabled = True
        self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()
        self.assertFalse(self.env["ar.escalation.history"].search([
            ("file_id", "=", self.file.id), ("stage_id.offset_days", ">", 0),
        ]), "nothing overdue is dunned")
        with freeze_time("2026-03-29"):  # B is 3 days from its due date
            self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()
        mails = self.file.message_ids.filtered(
            lambda m: m.message_type == "comment"
            and m.subtype_id == self.env.ref("mail.mt_comment")
        )
        self.assertEqual(len(mails), 1, "the pre-due reminder only")
        body = html.unescape(mails.body)
        self.assertIn("fall due soon", body)
        self.assertNotIn("overdue on your account", body)
        self.assertIn("Less open credits", body)
        self.assertIn(self._money(1000.0), body, "the new payment is listed")
        self.assertIn(self._money(1000.0), body)
        self.assertIn(self._money(0.0), body, "net amount overdue")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCrossingWithoutManager(ArPolicyCommon):
    """Concentration crossings of a company without a Responsible Credit Manager go to
    its administrator, as reviews do; a crossing is recorded only when someone was
    told, so a customer is reported once someone can be."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-10"):  # enabling takes today's snapshot
            cls.company.write({
                "ar_concentration_enabled": True,
                "ar_credit_manager_id": False,
                "ar_conc_min_customers": 2,
            })
        cls.big, cls.small = cls.env["res.partner"].create([
            {"name": "Big Buyer", "is_company": True},
            {"name": "Small Buyer", "is_company": True},
        ])
        cls._post(cls._invoice(cls.big, 9000.0, date=date(2026, 2, 1)))
        cls._post(cls._invoice(cls.small, 1000.0, date=date(2026, 2, 1)))
        cls.admin = cls.env.ref("base.user_admin")

    def _activities(self, partner):
        concentration = self.env.ref("ar_policy.mail_activity_concentration")
        return self._file(partner).activity_ids.filtered(
            lambda activity: activity.activity_type_id == concentration
        )

    def test_falls_back_to_the_administrator(self):
        self.env["ar.concentration.snapshot"]._cron_snapshot()
        activity = self._activities(self.big)
        self.assertEqual(activity.user_id, self.admin)
        self.assertEqual(self._file(self.big).concentration_level, "critical")

    def test_recorded_only_when_someone_was_told(self):
        with patch.object(ArConcentration, "_ar_concentration_manager",
                          lambda self, company: self.env["res.users"]):
            self.env["ar.concentration.snapshot"]._cron_snapshot()
        self.assertFalse(self._activities(self.big))
        self.assertEqual(self._file(self.big).concentration_level, "ok", "nobody was told")
        self.company.ar_credit_manager_id = self.manager
        self.env["ar.concentration.snapshot"]._cron_snapshot()
        self.assertEqual(self._activities(self.big).user_id, self.manager,
                         "reported once someone can be told")
        self.assertEqual(self._file(self.big).concentration_level, "critical")
