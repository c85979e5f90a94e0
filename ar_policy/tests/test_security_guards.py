from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ArPolicyCommon

DUE = date(2026, 3, 1)
FORGED = ({"ar_credit_wizard": True}, {"install_mode": True})
ITEM_FIELDS = {
    "ar_stage_id": False,
    "ar_stage_date": False,
    "ar_fees_charged": 0.0,
    "ar_interest_date": False,
    "ar_handover": True,
    "ar_handover_date": "2026-03-20",
    "ar_disputed": True,
    "ar_dispute_reason": "Because I say so",
    "ar_dispute_date": "2026-03-20",
}


@tagged("post_install", "-at_install")
class TestSecurityGuards(ArPolicyCommon):
    """Protected fields refuse direct writes, whatever context the client sends
    (DESIGN 10); the manager's wizards, the dispute wizard and the escalation run still
    change them, and log who, when and why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # contact creation rights, as salespeople and accountants have: the guard, not
        # the access rights, is what refuses
        (cls.manager | cls.controller | cls.billing | cls.salesman).write({
            "groups_id": [Command.link(cls.env.ref("base.group_partner_manager").id)],
        })
        cls.branch = cls.env["res.company"].create({
            "name": "Branch South", "parent_id": cls.company.id,
        })
        cls.branch_controller = new_test_user(
            cls.env, login="ar_sec_branch_controller", name="Bea Branch",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=cls.branch.id, company_ids=[Command.set(cls.branch.ids)],
        )
        cls.fee_product = cls.env.ref("ar_policy.product_late_fee")
        cls.policy = cls.env["ar.escalation.policy"].sudo().create({
            "name": "Fee ladder",
            "company_id": cls.company.id,
            "stage_ids": [Command.create({
                "name": "Reminder and fee", "sequence": 10, "offset_days": 10,
                "action_email": True,
                "mail_template_id": cls.env.ref("ar_policy.mail_template_ar_escalation").id,
                "action_fee": True, "fee_product_id": cls.fee_product.id, "fee_fixed": 40.0,
            })],
        }).sudo(False)
        cls.company.write({
            "ar_escalation_enabled": True,
            "ar_escalation_policy_id": cls.policy.id,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Held Customer", "is_company": True, "customer_rank": 1,
            "email": "held@example.com",
        })
        cls.contact = cls.env["res.partner"].create({
            "name": "Portal Pat", "parent_id": cls.customer.id, "email": "pat@example.com",
        })
        cls.portal = new_test_user(
            cls.env, login="ar_sec_portal", name="Portal Pat", groups="base.group_portal",
            partner_id=cls.contact.id, **{
                "company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)],
            },
        )
        cls.file = cls._file(cls.customer)
        cls._set_limit(cls.customer, 5000.0)
        cls._set_hold(cls.customer, "Cheque bounced")

    def _file_state(self):
        self.env.invalidate_all()
        return self.file.sudo().read([
            "credit_hold", "hold_cause_manual", "credit_status", "deposit_policy",
            "hold_released_on", "stage_deposit_percent", "review_date", "hold_reason",
            "hold_since", "escalation_stage_id", "handover",
        ])[0]

    def _log_count(self):
        return self.env["ar.credit.log"].sudo().search_count([("file_id", "=", self.file.id)])

    def _posted_invoice(self, amount=1000.0):
        self._set_mode("off")
        invoice = self._post(self._invoice(self.customer, amount, date=date(2026, 2, 1), due=DUE))
        self._set_mode("block")
        return invoice

    @staticmethod
    def _item(invoice):
        return invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")

    # ------------------------------------------------------------------
    # Defect 1: a context key no longer switches the manager's checks off
    # ------------------------------------------------------------------

    def test_forged_context_does_not_lift_a_hold_or_change_terms(self):
        before, logs = self._file_state(), self._log_count()
        attacks = [
            {"credit_hold": False, "hold_cause_manual": False},
            {"credit_status": "approved", "credit_hold": False},
            {"deposit_policy": "none"},
            {"hold_released_on": "2026-01-01"},
            {"stage_deposit_percent": 0.0},
            {"hold_reason": False, "hold_since": False},
            {"escalation_stage_id": False, "handover": False},
        ]
        users = [
            (self.controller, self.company),
            (self.branch_controller, self.branch),
            (self.manager, self.company),
        ]
        for user, company in users:
            file = self.file.with_user(user).with_company(company)
            for context in FORGED:
                for values in attacks:
                    with self.subTest(user=user.login, context=context, values=values), \
                            self.assertRaisesRegex(AccessError, "changed by a credit manager"):
                        file.with_context(**context).write(values)
        self.assertEqual(self._file_state(), before)
        self.assertEqual(self._log_count(), logs, "nothing happened, nothing logged")

    def test_forged_context_does_not_create_a_file(self):
        other = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        for context in FORGED:
            with self.subTest(context=context), self.assertRaises(AccessError):
                self.env["ar.credit.file"].with_user(self.manager).with_context(**context).create({
                    "partner_id": other.id, "company_id": self.company.id,
                    "credit_status": "approved",
                })

    def test_manager_wizard_still_releases_and_logs(self):
        self.env["ar.credit.hold.wizard"].with_user(self.manager).create({
            "file_ids": [Command.set(self.file.ids)], "action": "release",
            "reason": "Cheque cleared",
        }).action_apply()
        self.assertFalse(self.file.credit_hold)
        release = self.file.log_ids.filtered(lambda log: log.event == "release")
        self.assertRecordValues(release, [{"reason": "Cheque cleared", "user_id": self.manager.id}])

    def test_forged_scheduler_key_does_not_hide_who_acted(self):
        """A context saying "the scheduler did it" would log a manager's release with no
        user; only the crons' own code path marks a row as the scheduler's."""
        self.env["ar.credit.hold.wizard"].with_user(self.manager).with_context(
            ar_scheduler=True
        ).create({
            "file_ids": [Command.set(self.file.ids)], "action": "release",
            "reason": "Cheque cleared",
        }).action_apply()
        release = self.file.log_ids.filtered(lambda log: log.event == "release")
        self.assertRecordValues(release, [{"user_id": self.manager.id, "by_scheduler": False}])

    # ------------------------------------------------------------------
    # Defect 1: the credit limit
    # ------------------------------------------------------------------

    def test_forged_context_does_not_change_a_limit(self):
        for user in (self.billing, self.controller, self.manager):
            for context in FORGED:
                with self.subTest(user=user.login, context=context), \
                        self.assertRaisesRegex(UserError, "Credit Limit"):
                    self.customer.with_user(user).with_context(**context).write(
                        {"credit_limit": 777777.0}
                    )
        self.assertEqual(self._limit(self.customer), 5000.0)
        # an unchanged value (to the currency's rounding) is no change
        self.customer.with_user(self.billing).write({"credit_limit": 5000.001})
        self.assertEqual(self._limit(self.customer), 5000.0)

    def test_forged_context_does_not_create_a_customer_with_a_limit(self):
        for user in (self.salesman, self.billing):
            for context in FORGED:
                with self.subTest(user=user.login, context=context), self.assertRaises(UserError):
                    self.env["res.partner"].with_user(user).with_context(**context).create({
                        "name": "Sneaky Ltd", "is_company": True, "credit_limit": 1e9,
                    })
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Sneaky Ltd")]))

    def test_contact_sync_and_manager_wizard_still_set_limits(self):
        contact = self.env["res.partner"].with_user(self.billing).create({
            "name": "Accounts Desk", "parent_id": self.customer.id,
        })
        self.assertEqual(contact.sudo().with_company(self.company).credit_limit, 5000.0)
        self._set_limit(self.customer, 7000.0, reason="Bank guarantee")
        self.assertEqual(self._limit(self.customer), 7000.0)
        self.assertEqual(contact.sudo().with_company(self.company).credit_limit, 7000.0)
        limits = self.file.log_ids.filtered(lambda log: log.event == "limit").sorted("id")
        self.assertRecordValues(limits[-1:], [{"reason": "Bank guarantee",
                                               "user_id": self.manager.id}])

    def test_negative_limit_refused_before_rounding(self):
        with self.assertRaisesRegex(ValidationError, "Credit Limit"):
            self.env["ar.credit.change.wizard"].with_user(self.manager).with_context(
                default_file_ids=self.file.ids,
            ).create({"change_limit": True, "credit_limit": -0.001, "reason": "Typo"})
        with self.assertRaisesRegex(ValidationError, "Credit Limit"):
            self.file.with_user(self.manager)._ar_set_limit(-0.001, "Typo")
        with self.assertRaisesRegex(ValidationError, "Credit Limit"):
            self.customer.sudo().with_company(self.company).credit_limit = -0.001
        self.assertEqual(self._limit(self.customer), 5000.0)

    # ------------------------------------------------------------------
    # Defect 2: a document's origin
    # ------------------------------------------------------------------

    def test_origin_cannot_be_forged_to_skip_the_credit_check(self):
        self._set_mode("block")
        invoice = self._invoice(self.customer, 300.0).with_user(self.billing)
        with self.assertRaisesRegex(UserError, "credit hold"):
            invoice.action_post()
        for context in ({}, *FORGED):
            with self.subTest(context=context), self.assertRaises(AccessError):
                invoice.with_context(**context).write({"ar_origin": "deposit"})
        with self.assertRaisesRegex(UserError, "credit hold"):
            invoice.action_post()
        self.assertEqual((invoice.state, invoice.sudo().ar_origin), ("draft", False))
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing).create(self._invoice_vals(
                self.customer, 300.0, ar_origin="deposit",
            ))

    def test_origin_cannot_be_removed_from_a_fee_invoice(self):
        invoice = self._posted_invoice()
        self._run("2026-03-12")
        fee = self.env["account.move"].search([("ar_origin", "=", "late_fee")])
        self.assertEqual(len(fee), 1)
        for user in (self.billing, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                fee.with_user(user).write({"ar_origin": False})
        self.assertEqual(fee.ar_origin, "late_fee")
        self.assertTrue(invoice)

    # ------------------------------------------------------------------
    # Defect 3: the ladder's bookkeeping on items
    # ------------------------------------------------------------------

    def _run(self, day):
        with freeze_time(day):
            self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()

    def test_items_bookkeeping_refuses_direct_writes(self):
        invoice = self._posted_invoice()
        self._run("2026-03-12")
        item = self._item(invoice)
        before = item.read([*ITEM_FIELDS, "ar_promise_line_id"])[0]
        self.assertTrue(before["ar_stage_id"] and before["ar_fees_charged"])
        for user in (self.billing, self.controller, self.manager):
            for context in ({}, *FORGED):
                for fname, value in ITEM_FIELDS.items():
                    with self.subTest(user=user.login, context=context, fname=fname), \
                            self.assertRaises(AccessError):
                        item.with_user(user).with_context(**context).write({fname: value})
                with self.assertRaises(AccessError):
                    item.with_user(user).with_context(**context).write(
                        {"ar_promise_line_id": False}
                    )
        self.env.invalidate_all()
        self.assertEqual(item.read([*ITEM_FIELDS, "ar_promise_line_id"])[0], before)

        # the same day again: no second reminder, no second fee invoice
        history = self.env["ar.escalation.history"].search_count([("file_id", "=", self.file.id)])
        self._run("2026-03-12")
        self.assertEqual(
            self.env["ar.escalation.history"].search_count([("file_id", "=", self.file.id)]),
            history,
        )
        self.assertEqual(self.env["account.move"].search_count([("ar_origin", "=", "late_fee")]), 1)

    def test_fee_item_link_cannot_be_forged_on_create(self):
        invoice = self._posted_invoice()
        vals = self._invoice_vals(self.customer, 10.0)
        vals["invoice_line_ids"][0][2]["ar_fee_item_id"] = self._item(invoice).id
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing).with_context(
                ar_credit_wizard=True
            ).create(vals)

    def test_dispute_only_through_the_wizard_with_its_history(self):
        invoice = self._posted_invoice()
        item = self._item(invoice)
        with self.assertRaises(AccessError):
            item.with_user(self.controller).write({"ar_disputed": True})
        self.assertFalse(item.ar_disputed)
        self.env["ar.dispute.wizard"].with_user(self.controller).create({
            "move_ids": [Command.set(invoice.ids)], "action": "dispute",
            "reason": "Goods damaged",
        }).action_apply()
        self.assertRecordValues(item, [{"ar_disputed": True, "ar_dispute_reason": "Goods damaged"}])
        history = self.env["ar.escalation.history"].search([
            ("file_id", "=", self.file.id), ("action", "=", "dispute"),
        ])
        self.assertEqual(history.user_id, self.controller)
        self.assertIn("Goods damaged", history.note or "")

    # ------------------------------------------------------------------
    # Defect 9: portal users read none of the internal fields
    # ------------------------------------------------------------------

    def test_portal_reads_no_internal_field(self):
        invoice = self._posted_invoice()
        self._run("2026-03-12")
        partner = self.customer.with_user(self.portal)
        for fname in ("ar_credit_status", "ar_credit_hold", "ar_hold_causes",
                      "ar_credit_file_id", "ar_concentration_banner", "ar_concentration_level"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                partner.read([fname])
        self.assertNotIn("ar_credit_hold", self.env["res.partner"].with_user(self.portal).fields_get())
        move = invoice.with_user(self.portal)
        for fname in ("ar_next_stage_id", "ar_next_stage_date", "ar_stage_id", "ar_origin",
                      "ar_disputed", "ar_credit_banner", "ar_deposit_amount"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                move.read([fname])
        item = self._item(invoice).with_user(self.portal)
        for fname in (*ITEM_FIELDS, "ar_promise_line_id"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                item.read([fname])
        company = self.company.with_user(self.portal)
        for fname in ("ar_hold_overdue_amount", "ar_enforcement_mode", "ar_credit_manager_id"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                company.read([fname])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.portal).search([("ar_credit_hold", "=", True)])

    def test_salesperson_still_sees_status_and_hold(self):
        values = self.customer.with_user(self.salesman).read(
            ["ar_credit_status", "ar_credit_hold", "ar_hold_causes"]
        )[0]
        self.assertEqual(
            (values["ar_credit_status"], values["ar_credit_hold"], values["ar_hold_causes"]),
            ("approved", True, "Manual"),
        )
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).read(["credit_limit"])
