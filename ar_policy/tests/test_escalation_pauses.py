from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import ArPolicyCommon


@tagged("post_install", "-at_install")
class TestEscalationPauses(ArPolicyCommon):
    """DOMAIN 3, 'listen to the reason': promises to pay and payment plans pause an
    item until the promised date plus the grace; a broken promise escalates at the
    next run; a disputed item leaves the ladder (no stage, no fee) until the dispute
    is closed, then catches up to the highest stage it reached only; 'we never got
    the invoice' sends it again at once. Everything is logged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"ar_escalation_enabled": True, "ar_promise_grace_days": 3})
        cls.env["ar.escalation.policy"]._ar_create_default_policies(cls.company)
        cls.policy = cls.company.ar_escalation_policy_id
        cls.stages = {stage.offset_days: stage for stage in cls.policy.stage_ids}
        cls.customer = cls.env["res.partner"].create({
            "name": "Slow Payer Ltd", "is_company": True, "email": "ap@slowpayer.example",
        })
        cls.portal = new_test_user(
            cls.env, login="ar_portal", name="Paula Portal", groups="base.group_portal",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _open_invoice(self, amount=1000.0, due=date(2026, 2, 1)):
        move = self._invoice(self.customer, amount, date=due, due=due)
        return self._post(move)

    def _item(self, move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def _run(self):
        self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()

    def _history(self, *actions):
        domain = [("file_id", "=", self.file.id)]
        if actions:
            domain.append(("action", "in", list(actions)))
        return self.env["ar.escalation.history"].search(domain, order="id")

    @property
    def file(self):
        return self._file(self.customer)

    def _promise(self, moves, instalments=None, date_=None, amount=None, user=None):
        """Records a promise through the wizard, launched from the invoice."""
        user = user or self.controller
        ctx = {"active_model": "account.move", "active_ids": moves.ids, "active_id": moves[:1].id}
        form = Form(self.env["ar.promise.wizard"].with_user(user).with_context(**ctx))
        if instalments:
            form.is_plan = True
            for inst_date, inst_amount in instalments:
                with form.instalment_ids.new() as line:
                    line.date = inst_date
                    line.amount = inst_amount
        else:
            form.date = date_
            if amount is not None:
                form.amount = amount
        form.reason = "Cash flow tight until the end of the month"
        wizard = form.save()
        wizard.action_confirm()
        return self.env["ar.promise"].search([("file_id", "=", self.file.id)], limit=1)

    def _pay(self, move, amount, when):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids,
        ).create({"amount": amount, "payment_date": when})._create_payments()

    # ------------------------------------------------------------------
    # promises to pay
    # ------------------------------------------------------------------

    def test_promise_pauses_the_item_and_the_overdue_figure(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            self.assertEqual(self.file.overdue_amount, 1000.0)
            promise = self._promise(move, date_=date(2026, 3, 10))
            self.assertEqual(promise.state, "open")
            self.assertEqual(promise.date_deadline, date(2026, 3, 13))
            self.assertEqual(promise.amount, 1000.0)
            self.assertEqual(promise.user_id, self.controller)
            self.assertEqual(self._item(move).ar_promise_line_id, promise)
            self.file.invalidate_recordset()
            self.assertEqual(self.file.overdue_amount, 0.0)
            self._run()
            self.assertFalse(self._item(move).ar_stage_id, "no stage fires while paused")
            self.assertFalse(self._history("email", "fee", "hold", "activity"))
            recorded = self._history("promise")
            self.assertEqual(len(recorded), 1)
            self.assertEqual(recorded.user_id, self.controller)
            self.assertEqual(recorded.move_line_ids, self._item(move))
            self.assertTrue(any("Promise to pay" in body for body in self._messages(self.file)))
            self.assertTrue(any("Promise to pay" in body for body in self._messages(move)))

    def test_broken_promise_escalates_at_the_next_run_and_is_logged(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            promise = self._promise(move, date_=date(2026, 3, 10))
        with freeze_time("2026-03-13"):
            self._run()
            self.assertEqual(promise.state, "open", "still within the grace days")
            self.assertFalse(self._item(move).ar_stage_id)
        with freeze_time("2026-03-14"):
            self._run()
            self.assertEqual(promise.state, "broken")
            self.assertEqual(promise.state_date, date(2026, 3, 14))
            broken = self._history("promise_broken")
            self.assertEqual(len(broken), 1)
            self.assertTrue(broken.by_scheduler)
            self.assertEqual(broken.move_line_ids, self._item(move))
            # 41 days late: the item catches up to the highest stage reached (30 days)
            self.assertEqual(self._item(move).ar_stage_id, self.stages[30])
            fired = self._history("email")
            self.assertEqual(len(fired), 1)
            self.assertEqual(fired.stage_id, self.stages[30])
            self.assertTrue(any("Promise broken" in body for body in self._messages(self.file)))
            self.file.invalidate_recordset()
            self.assertEqual(self.file.overdue_amount, 1000.0)
            self._run()
            self.assertEqual(len(self._history("promise_broken")), 1, "logged once")
            self.assertEqual(len(self._history("email")), 1, "fired once")

    def test_kept_promise_is_recorded(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            promise = self._promise(move, date_=date(2026, 3, 10), amount=1000.0)
        with freeze_time("2026-03-09"):
            self._pay(move, 1000.0, date(2026, 3, 9))
            self._run()
            self.assertEqual(promise.state, "kept")
            self.assertEqual(promise.amount_paid, 1000.0)
            kept = self._history("promise_kept")
            self.assertEqual(len(kept), 1)
            self.assertFalse(self._history("promise_broken", "email"))
        with freeze_time("2026-04-01"):
            self._run()
            self.assertEqual(promise.state, "kept")
            self.assertEqual(len(self._history("promise_kept")), 1)

    def test_partial_promise_kept_when_the_promised_amount_is_paid(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            promise = self._promise(move, date_=date(2026, 3, 10), amount=400.0)
            self._pay(move, 400.0, date(2026, 3, 5))
            self._run()
            self.assertEqual(promise.state, "kept")

    def test_payment_plan_instalments(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice(amount=600.0)
            promise = self._promise(move, instalments=[
                (date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0),
            ])
            self.assertTrue(promise.is_plan)
            self.assertEqual(promise.amount, 600.0)
            self.assertEqual(promise.date_deadline, date(2026, 4, 13))
        with freeze_time("2026-03-09"):
            self._pay(move, 300.0, date(2026, 3, 9))
        with freeze_time("2026-03-20"):
            self._run()
            self.assertEqual(promise.state, "open", "first instalment paid: the plan holds")
            self.assertFalse(self._item(move).ar_stage_id)
            self.assertEqual(promise.amount_paid, 300.0)
        with freeze_time("2026-04-14"):
            self._run()
            self.assertEqual(promise.state, "broken", "second instalment missed")
            self.assertTrue(self._item(move).ar_stage_id)
            self.assertEqual(len(self._history("promise_broken")), 1)

    def test_payment_plan_missed_first_instalment_breaks_before_the_end(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice(amount=600.0)
            promise = self._promise(move, instalments=[
                (date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0),
            ])
        with freeze_time("2026-03-14"):
            self._run()
            self.assertEqual(promise.state, "broken")
            self.assertEqual(self._item(move).ar_stage_id, self.stages[30])

    def test_split_monthly(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice(amount=1000.0)
            wizard = self.env["ar.promise.wizard"].with_user(self.controller).with_context(
                active_model="account.move", active_ids=move.ids,
            ).create({"date": date(2026, 3, 15), "instalment_count": 3})
            wizard.action_split()
            self.assertEqual(wizard.instalment_ids.mapped("date"),
                             [date(2026, 3, 15), date(2026, 4, 15), date(2026, 5, 15)])
            self.assertAlmostEqual(sum(wizard.instalment_ids.mapped("amount")), 1000.0)
            wizard.action_confirm()
            promise = self.file.promise_ids
            self.assertEqual(len(promise.instalment_ids), 3)
            self.assertEqual(promise.date_deadline, date(2026, 5, 18))

    def test_promise_bad_input_names_the_field(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            with self.assertRaisesRegex(ValidationError, "Promised Date"):
                self._promise(move, date_=date(2026, 2, 20))
            with self.assertRaisesRegex(ValidationError, "Amount"):
                self._promise(move, date_=date(2026, 3, 10), amount=1500.0)
            self._promise(move, date_=date(2026, 3, 10))
            with self.assertRaisesRegex(ValidationError, "Items"):
                self._promise(move, date_=date(2026, 3, 12))
        with self.assertRaisesRegex(ValidationError, "Grace Days"):
            self.company.ar_promise_grace_days = -1

    def test_promise_from_the_credit_file_takes_the_overdue_items(self):
        with freeze_time("2026-03-01"):
            late = self._open_invoice(amount=1000.0, due=date(2026, 2, 1))
            self._open_invoice(amount=500.0, due=date(2026, 4, 1))
            wizard = Form(self.env["ar.promise.wizard"].with_user(self.controller).with_context(
                active_model="ar.credit.file", active_id=self.file.id, active_ids=self.file.ids,
            ))
            self.assertEqual(wizard.amount_open, 1000.0)
            self.assertEqual(len(wizard.line_ids), 1, "the overdue item only")
            wizard.date = date(2026, 3, 20)
            wizard.save().action_confirm()
            self.assertEqual(self.file.promise_ids.line_ids, self._item(late))

    # ------------------------------------------------------------------
    # disputes
    # ------------------------------------------------------------------

    def _dispute(self, move, action="dispute", reason="Goods damaged on delivery", user=None):
        wizard = self.env["ar.dispute.wizard"].with_user(user or self.controller).with_context(
            active_model="account.move", active_ids=move.ids,
        ).create({"action": action, "reason": reason})
        wizard.action_apply()

    def test_dispute_leaves_the_ladder_without_fee_then_catches_up_once(self):
        with freeze_time("2026-02-05"):
            move = self._open_invoice(due=date(2026, 2, 1))
            self._run()
            self.assertEqual(self._item(move).ar_stage_id, self.stages[-3], "the reminder")
            self._dispute(move)
            self.assertTrue(move.ar_disputed)
            self.assertEqual(move.ar_dispute_reason, "Goods damaged on delivery")
            self.assertEqual(len(self._history("dispute")), 1)
        for day in ("2026-02-07", "2026-02-12", "2026-02-25", "2026-03-05"):
            with freeze_time(day):
                self._run()
        self.assertEqual(self._item(move).ar_stage_id, self.stages[-3],
                         "no stage fires while disputed")
        self.assertEqual(len(self._history("email")), 1, "the reminder before the dispute")
        self.assertFalse(self._history("fee", "hold", "activity", "letter"))
        fees = self.env["account.move"].search([
            ("ar_origin", "=", "late_fee"), ("commercial_partner_id", "=", self.customer.id),
        ])
        self.assertFalse(fees, "no fee on a disputed item")
        with freeze_time("2026-03-05"):
            self.file.invalidate_recordset()
            self.assertEqual(self.file.overdue_amount, 0.0)
            self._dispute(move, action="close", reason="Credit note agreed for the damage")
            self.assertFalse(move.ar_disputed)
            self.assertEqual(len(self._history("dispute_closed")), 1)
            self._run()
            # 32 days late: only the 30-day stage fires, the ones skipped over fire nothing
            self.assertEqual(self._item(move).ar_stage_id, self.stages[30])
            emails = self._history("email")
            self.assertEqual(emails.stage_id, self.stages[-3] | self.stages[30])
            self.assertEqual(len(emails), 2)
            self.assertFalse(self._history("fee"), "the fee stage was skipped over")
            self._run()
            self.assertEqual(len(self._history("email")), 2, "once")

    def test_dispute_needs_a_reason_and_a_posted_invoice(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            with self.assertRaises(UserError):
                self.env["ar.promise"].with_user(self.controller)._ar_set_dispute(move, True, " ")
            draft = self._invoice(self.customer, 100.0)
            with self.assertRaises(UserError):
                self.env["ar.promise"].with_user(self.controller)._ar_set_dispute(
                    draft, True, "Wrong price")
            with self.assertRaises(UserError):
                self._dispute(move, action="close", reason="Nothing to close")

    # ------------------------------------------------------------------
    # resend
    # ------------------------------------------------------------------

    def test_resend_sends_the_invoice_with_its_pdf_and_logs_it(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            move.with_user(self.controller).action_ar_resend_invoice()
            resent = self._history("resend")
            self.assertEqual(len(resent), 1)
            self.assertEqual(resent.move_id, move)
            self.assertEqual(resent.user_id, self.controller)
            message = resent.mail_message_id
            self.assertTrue(message)
            self.assertEqual(message.model, "account.move")
            self.assertEqual(message.res_id, move.id)
            self.assertIn(self.customer, message.partner_ids)
            self.assertTrue(any(att.name.endswith(".pdf") for att in message.attachment_ids),
                            message.attachment_ids.mapped("name"))
            emailed = self.env["mail.notification"].search([
                ("mail_message_id", "=", message.id), ("res_partner_id", "=", self.customer.id),
                ("notification_type", "=", "email"),
            ])
            self.assertTrue(emailed, "an email to the customer, queued or sent")
            self.assertTrue(any("sent again" in body for body in self._messages(self.file)))

    def test_resend_needs_an_email(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            self.customer.email = False
            with self.assertRaisesRegex(UserError, "Email"):
                move.with_user(self.controller).action_ar_resend_invoice()

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------

    def test_access_controllers_record_promises_others_cannot(self):
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            for user in (self.salesman, self.portal, self.billing):
                with self.assertRaises(AccessError, msg=user.login):
                    self._promise(move, date_=date(2026, 3, 10), user=user)
                with self.assertRaises(AccessError, msg=user.login):
                    self.env["ar.promise"].with_user(user)._ar_record(
                        self.file, self._item(move), [(date(2026, 3, 10), 100.0)])
                with self.assertRaises(AccessError, msg=user.login):
                    self.env["ar.promise"].with_user(user)._ar_set_dispute(move, True, "x")
                with self.assertRaises(AccessError, msg=user.login):
                    move.with_user(user).action_ar_resend_invoice()
            with self.assertRaises(AccessError):
                self.env["ar.promise"].with_user(self.salesman).search([])
            promise = self._promise(move, date_=date(2026, 3, 10), user=self.controller)
            self.assertEqual(promise.with_user(self.billing).state, "open", "billing reads")
            self._dispute(move, user=self.manager)
            self.assertTrue(move.ar_disputed)
