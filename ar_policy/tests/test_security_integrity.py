from contextlib import contextmanager
from datetime import date

import psycopg2
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .. import guards
from .common import ArPolicyCommon


@contextmanager
def _refused_cm(case, exception, regex):
    with case.assertRaisesRegex(exception, regex), case.env.cr.savepoint():
        yield
    case.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestSecurityIntegrity(ArPolicyCommon):
    """What a user must not be able to do to the credit team's records, whatever the
    path: read another company's customers through a preview, delete the ladder or
    the customers the history refers to, write promises past their rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.File = cls.env["ar.credit.file"]
        cls.History = cls.env["ar.escalation.history"]
        cls.company.write({"ar_escalation_enabled": True, "ar_promise_grace_days": 3})
        cls.env["ar.escalation.policy"]._ar_create_default_policies(cls.company)
        cls.policy = cls.company.ar_escalation_policy_id
        cls.stages = {stage.offset_days: stage for stage in cls.policy.stage_ids}
        cls.customer = cls._customer("Slow Payer Ltd")

    def _refused(self, exception, regex):
        """``assertRaisesRegex`` that rolls back what the failed call wrote, as the
        request's transaction would."""
        return _refused_cm(self, exception, regex)

    @classmethod
    def _customer(cls, name):
        return cls.env["res.partner"].create({
            "name": name, "is_company": True, "customer_rank": 1,
            "email": f"ap@{name.split()[0].lower()}.example.com",
        })

    def _open_invoice(self, partner=None, amount=1000.0, due=date(2026, 2, 1), **kwargs):
        return self._post(self._invoice(partner or self.customer, amount, date=due, due=due,
                                        **kwargs))

    def _item(self, move):
        return move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    def _run(self):
        self.File._cron_escalation()
        self.env.invalidate_all()

    def _promise(self, move, date_):
        ctx = {"active_model": "account.move", "active_ids": move.ids, "active_id": move.id}
        form = Form(self.env["ar.promise.wizard"].with_user(self.controller).with_context(**ctx))
        form.date = date_
        form.save().action_confirm()

    # ------------------------------------------------------------------
    # 4. The preview reads as the user
    # ------------------------------------------------------------------

    def test_preview_of_another_company_file_is_refused(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        branch = self.env["res.company"].create({
            "name": "Branch A1", "parent_id": self.company.id,
        })
        branch_controller = new_test_user(
            self.env, login="ar_branch_controller", name="Brenda Branch",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=branch.id, company_ids=[Command.set(branch.ids)],
        )
        with freeze_time("2026-03-20"):
            self._open_invoice(due=date(2026, 3, 1), company=company_b)
            file_b = self._file(self.customer, company_b)
            as_branch = file_b.with_user(branch_controller)
            with self.assertRaises(AccessError):
                as_branch.read(["partner_id"])
            with self.assertRaises(AccessError):
                as_branch.action_escalation_preview()
            Preview = self.env["ar.escalation.preview"].with_user(branch_controller)
            with self.assertRaises(AccessError):
                Preview._ar_open(as_branch)
            preview = Preview.create({"file_ids": [Command.set(file_b.ids)]})
            with self.assertRaises(AccessError):
                preview._ar_compute_lines()
            # The company-wide preview lists only the files the user may read.
            Preview._ar_open()
        self.assertFalse(
            self.env["ar.escalation.preview.line"].sudo().search([("file_id", "=", file_b.id)]),
            "nothing about company B's customer was computed for the branch user",
        )
        # The preview still works for a user of company B.
        self.manager.company_ids = [Command.link(company_b.id)]
        with freeze_time("2026-03-20"):
            action = file_b.with_user(self.manager).action_escalation_preview()
        lines = self.env["ar.escalation.preview"].browse(action["res_id"]).line_ids
        self.assertEqual(lines.stage_id, self.env["ar.escalation.stage"].search([
            ("company_id", "=", company_b.id), ("offset_days", "=", 10),
        ]))

    # ------------------------------------------------------------------
    # 6. The ladder the history refers to stays
    # ------------------------------------------------------------------

    def test_stages_in_use_cannot_be_deleted_and_the_run_sends_nothing_twice(self):
        fee_customer = self._customer("Fee Payer Ltd")
        held_customer = self._customer("Held Payer Ltd")
        with freeze_time("2026-03-12"):
            fee_invoice = self._open_invoice(fee_customer, due=date(2026, 3, 1))
            held_invoice = self._open_invoice(held_customer, due=date(2026, 2, 20))
            files = self._file(fee_customer) | self._file(held_customer)
            self._run()
            self.assertEqual(self._item(fee_invoice).ar_stage_id, self.stages[10])
            self.assertEqual(self._item(held_invoice).ar_stage_id, self.stages[20])
            history = self.History.search([("file_id", "in", files.ids)])
            messages = files.message_ids
            used = self.stages[10] | self.stages[20]
            with self._refused(UserError, "Late fee, Service suspended.*cannot be deleted"):
                used.with_user(self.manager).unlink()
            with self._refused(UserError, "cannot be deleted"):
                self.policy.with_user(self.manager).unlink()
            self.assertEqual(used.exists(), used)
            self.assertEqual(history.stage_id, used)
            self._run()
            files.invalidate_recordset()
            self.assertEqual(self.History.search([("file_id", "in", files.ids)]), history,
                             "nothing fires twice the same day")
            self.assertEqual(files.message_ids, messages)
        # A stage nothing refers to can go.
        self.stages[90].with_user(self.manager).unlink()
        self.assertFalse(self.stages[90].exists())

    def test_default_policy_stays_and_an_archived_ladder_is_not_used(self):
        with self._refused(UserError, "Standard is the default escalation policy"):
            self.policy.with_user(self.manager).unlink()
        with self._refused(UserError, "cannot be archived"):
            self.policy.with_user(self.manager).action_archive()
        self.assertTrue(self.policy.active)

        other = self.env["res.company"].create({"name": "Other Co"})
        with self._refused(ValidationError, "Default Escalation Policy.*Other Co"):
            self.company.ar_escalation_policy_id = other.ar_escalation_policy_id
        self.company.invalidate_recordset()
        self.assertEqual(self.company.ar_escalation_policy_id, self.policy)

        gentle = self.policy.with_user(self.manager).copy({"name": "Gentle"})
        file = self._file(self.customer)
        file.sudo().escalation_policy_id = gentle
        gentle.with_user(self.manager).action_archive()
        with freeze_time("2026-02-10"):
            move = self._open_invoice(due=date(2026, 2, 1))
            with self.assertLogs("odoo.addons.ar_policy.models.ar_credit_file_escalation",
                                 "WARNING") as logs:
                self._run()
        self.assertTrue(any("archived escalation policy" in line for line in logs.output))
        self.assertEqual(self._item(move).ar_stage_id, self.stages[5],
                         "the company's active ladder")
        self.assertEqual(self.History.search([("file_id", "=", file.id)]).stage_id.policy_id,
                         self.policy)

    # ------------------------------------------------------------------
    # 7. A customer's audit trail stays
    # ------------------------------------------------------------------

    def test_customer_with_credit_history_is_archived_not_deleted(self):
        self._set_limit(self.customer, 1000.0)
        file = self._file(self.customer)
        logs = file.log_ids
        self.assertTrue(logs)
        with self._refused(UserError, "Slow Payer Ltd cannot be deleted.*credit history"):
            self.customer.unlink()
        self.assertTrue(self.customer.exists())
        self.assertEqual(file.exists().log_ids, logs)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            file.sudo().unlink()  # not even the file goes: its history restricts it
        self.assertTrue(file.exists())
        self.customer.action_archive()
        self.assertFalse(self.customer.active)

        # No history: contacts and customers are deleted as before, their files with them.
        plain = self._customer("Plain Ltd")
        plain_file = self._file(plain)
        contact = self.env["res.partner"].create({"name": "Anna", "parent_id": plain.id})
        contact.unlink()
        plain.unlink()
        self.assertFalse(plain_file.exists())

    def test_merging_customers_keeps_both_histories(self):
        duplicate = self._customer("Slow Payer Limited")
        self._set_limit(self.customer, 1000.0)
        self._set_limit(duplicate, 2000.0)
        logs = self._file(self.customer).log_ids | self._file(duplicate).log_ids
        self.env["base.partner.merge.automatic.wizard"]._merge(
            (self.customer | duplicate).ids, dst_partner=self.customer, extra_checks=False,
        )
        self.assertFalse(duplicate.exists())
        self.env.invalidate_all()
        self.assertEqual(self._file(self.customer).log_ids, logs)

    # ------------------------------------------------------------------
    # 8. Promises only through their own code paths
    # ------------------------------------------------------------------

    def test_promises_are_written_only_through_their_wizard(self):
        jpy = self.setup_other_currency("JPY", rounding=1.0, rates=[("2020-01-01", 150.0)])
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            file = self._file(self.customer)
            values = {
                "file_id": file.id,
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "line_ids": [Command.set(self._item(move).ids)],
                "amount_open_at_promise": 1000.0,
            }
            Promise = self.env["ar.promise"].with_user(self.controller)
            for instalment, currency in (
                ({"date": date(2000, 1, 1), "amount": 1000.0}, None),
                ({"date": date(2026, 3, 10), "amount": -5.0}, None),
                ({"date": date(2026, 3, 10), "amount": 1000.0}, jpy),
            ):
                with self.subTest(instalment=instalment, currency=currency):
                    vals = dict(values, instalment_ids=[Command.create(instalment)])
                    if currency:
                        vals["currency_id"] = currency.id
                    with self.assertRaises(AccessError):
                        Promise.create(vals)
            self.assertFalse(Promise.search([("file_id", "=", file.id)]))

            # Every path, even the addon's own, meets the model's constraints.
            Trusted = guards.policy_write(self.env["ar.promise"].sudo())
            for instalment, currency, message in (
                ({"date": date(2000, 1, 1), "amount": 1000.0}, None, "Promised Date.*past"),
                ({"date": date(2026, 3, 10), "amount": -5.0}, None, "Amount.*positive"),
                ({"date": date(2026, 3, 10), "amount": 1000.0}, jpy, "Currency.*USD.*JPY"),
            ):
                with self.subTest(instalment=instalment, currency=currency):
                    vals = dict(values, instalment_ids=[Command.create(instalment)])
                    if currency:
                        vals["currency_id"] = currency.id
                    with self._refused(ValidationError, message):
                        Trusted.create(vals)
            self.assertFalse(Promise.search([("file_id", "=", file.id)]))

            self._promise(move, date(2026, 3, 10))
            promise = Promise.search([("file_id", "=", file.id)])
            self.assertEqual(len(promise), 1)
            with self.assertRaises(AccessError):
                promise.write({"state": "kept"})
            with self.assertRaises(AccessError):
                promise.instalment_ids.with_user(self.controller).write({"date": date(2000, 1, 1)})
            with self.assertRaises(AccessError):
                self.env["ar.promise.instalment"].with_user(self.controller).create({
                    "promise_id": promise.id, "date": date(2026, 3, 20), "amount": -5.0,
                })
            self.assertRecordValues(promise, [{"state": "open", "amount": 1000.0,
                                               "date": date(2026, 3, 10)}])
            self.assertEqual(len(self.History.search([
                ("file_id", "=", file.id), ("action", "=", "promise"),
            ])), 1)

    # ------------------------------------------------------------------
    # 10. Bad input
    # ------------------------------------------------------------------

    def test_promise_dates_and_plans_stay_within_the_settings(self):
        self.assertEqual(self.company.ar_promise_horizon_days, 365)
        self.assertEqual(self.company.ar_promise_max_instalments, 60)
        with freeze_time("2026-03-01"):
            move = self._open_invoice()
            file = self._file(self.customer)
            for bad, message in ((date(9999, 12, 31), "Promise Horizon"),
                                 (date(2200, 1, 1), "Promise Horizon"),
                                 (date(2027, 3, 2), "after 03/01/2027"),
                                 (date(2000, 1, 1), "in the past")):
                with self.subTest(date=bad), self._refused(
                    ValidationError, f"Promised Date: .*{message}"
                ):
                    self._promise(move, bad)
            self.assertFalse(file.promise_ids)
            self.assertFalse(self._item(move).ar_promise_line_id)

            wizard = self.env["ar.promise.wizard"].with_user(self.controller).with_context(
                active_model="account.move", active_ids=move.ids,
            ).create({"date": date(2026, 3, 15), "instalment_count": 61})
            for count, message in ((61, "Maximum Instalments"), (10**7, "Maximum Instalments"),
                                   (13, "Promise Horizon")):
                wizard.instalment_count = count
                with self.subTest(count=count), self._refused(UserError, message):
                    wizard.action_split()
                self.assertFalse(wizard.instalment_ids)
            wizard.instalment_count = 12
            wizard.action_split()
            self.assertEqual(len(wizard.instalment_ids), 12)
            self.assertEqual(wizard.instalment_ids[-1].date, date(2027, 2, 15))

            with self._refused(ValidationError, "Promise Horizon"):
                self.company.ar_promise_horizon_days = 0
            with self._refused(ValidationError, "Maximum Instalments"):
                self.company.ar_promise_max_instalments = -1

            self.company.ar_promise_max_instalments = 2
            wizard.instalment_count = 3
            with self._refused(UserError, "Maximum Instalments"):
                wizard.action_split()
            with self._refused(ValidationError, "Instalments: 12 instalments"):
                wizard.action_confirm()
            self.assertFalse(file.promise_ids)

    def test_dispute_only_on_an_open_item(self):
        with freeze_time("2026-03-01"):
            paid = self._open_invoice(amount=300.0)
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=paid.ids,
            ).create({"payment_date": date(2026, 3, 1)})._create_payments()
            self.assertIn(paid.payment_state, ("paid", "in_payment"))
            wizard = self.env["ar.dispute.wizard"].with_user(self.controller).with_context(
                active_model="account.move", active_ids=paid.ids,
            ).create({"action": "dispute", "reason": "Goods damaged"})
            with self._refused(UserError, f"{paid.name}.*only an open item"):
                wizard.action_apply()
            self.assertFalse(self._item(paid).ar_disputed)
            self.assertFalse(self.History.search([("action", "=", "dispute")]))
