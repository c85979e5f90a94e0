from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import ArPolicyCommon

TODAY = date(2026, 6, 30)  # a Tuesday


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestWorklist(ArPolicyCommon):
    """The collector's worklist (issue 10): who needs a human today, in which order,
    what to do and why; what the collector does there takes the row off today's list."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Worklist = cls.env["ar.worklist"]
        cls.excuses = {
            xmlid: cls.env.ref(f"ar_policy.ar_excuse_{xmlid}")
            for xmlid in ("not_received", "approval", "cash_flow", "dispute", "pay_today",
                          "wrong_contact", "no_answer")
        }

    def _customer(self, name):
        return self.env["res.partner"].create({
            "name": name, "is_company": True, "email": f"{name.split()[0].lower()}@example.com",
        })

    def _late(self, partner, amount, days_late):
        return self._post(self._invoice(partner, amount, date=ago(days_late + 10), due=ago(days_late)))

    def _pay(self, invoice, day):
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"payment_date": day})._create_payments()

    def _rows(self, files=None):
        files = files or self.env["ar.credit.file"].search([("company_id", "=", self.company.id)])
        files._ar_refresh_worklist()
        return self.Worklist.search([("file_id", "in", files.ids)])

    def _call(self, file, excuse=None, outcome="reached", user=None, **values):
        wizard = self.env["ar.call.wizard"].with_user(user or self.controller).with_context(
            default_file_id=file.id,
        ).create({"outcome": outcome, "excuse_id": excuse and excuse.id, **values})
        return wizard.action_confirm()

    # ------------------------------------------------------------------
    # Priority and next action
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_priority_order_and_reasons(self):
        """Four hand-built files; priority = log10(1 + overdue) x (1 + days/30) x rating
        weight + 5 per broken promise + min(days since contact, 30) / 10."""
        big = self._customer("Big Late Ltd")  # 9,999 overdue 60 days, never contacted
        self._late(big, 9999.0, 60)
        small = self._customer("Small Late Ltd")  # 99 overdue 20 days, never contacted
        self._late(small, 99.0, 20)
        handover = self._customer("Handover Ltd")  # 999 overdue 95 days
        self._late(handover, 999.0, 95)
        recent = self._customer("Not Yet Ltd")  # 5,000 overdue 10 days: not yet a call
        self._late(recent, 5000.0, 10)
        rows = self._rows()
        self.assertEqual(rows.partner_id.mapped("name"), ["Handover Ltd", "Big Late Ltd", "Small Late Ltd"])
        by_name = {row.partner_id.name: row for row in rows}
        # no rating yet: weight 1.25; never contacted: +3
        # 999 x 95 days: 3 x (1 + 95/30) x 1.25 + 3 = 18.625 -> 18.63 (rounded half up)
        self.assertAlmostEqual(by_name["Handover Ltd"].priority, 18.63)
        # 9,999 x 60 days: 4 x 3 x 1.25 + 3 = 18
        self.assertAlmostEqual(by_name["Big Late Ltd"].priority, 18.0)
        # 99 x 20 days: 2 x (1 + 20/30) x 1.25 + 3 = 7.17
        self.assertAlmostEqual(by_name["Small Late Ltd"].priority, 7.17)
        self.assertEqual(by_name["Handover Ltd"].action, "hand_over")
        self.assertEqual(by_name["Handover Ltd"].reason,
                         "Hand over: 95 days late, above the legal minimum")
        self.assertEqual(by_name["Big Late Ltd"].reason, "Call: 60 days late, never contacted")
        self.assertEqual(by_name["Big Late Ltd"].overdue_amount, 9999.0)
        self.assertEqual(by_name["Big Late Ltd"].oldest_days_late, 60)

    @freeze_time(TODAY)
    def test_broken_promise_goes_first_until_someone_calls(self):
        customer = self._customer("Promise Breaker Ltd")
        invoice = self._late(customer, 500.0, 30)
        file = self._file(customer)
        with freeze_time(ago(10)):
            self.env["ar.promise"].with_user(self.controller)._ar_record(
                file, invoice.line_ids.filtered(
                    lambda line: line.account_id.account_type == "asset_receivable"),
                [(ago(5), 500.0)], reason="Next week",
            )
        promise = file.promise_ids
        # the run marks it broken yesterday (deadline = promised date + grace)
        from odoo.addons.ar_policy import guards
        guards.policy_write(promise.sudo()).write({"state": "broken", "state_date": ago(1)})
        # 500 x 30 days, broken, contacted 10 days ago: 2.7 x 2 x 1.25 + 5 + 1 = 12.75;
        # 1,000 x 40 days, never contacted: 3 x 2.33 x 1.25 + 3 = 11.75
        other = self._customer("Larger Silent Ltd")
        self._late(other, 1000.0, 40)
        rows = self._rows()
        self.assertEqual(rows.partner_id, customer | other)
        self.assertEqual(rows[0].partner_id, customer)
        self.assertEqual(rows[0].reason, "Call: promise broken yesterday")
        self.assertEqual(rows[0].promise_status, "broken")
        self._call(file, self.excuses["approval"])
        self.assertNotIn(customer, self._rows().partner_id, "Done for today")

    # ------------------------------------------------------------------
    # The playbook
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_invoice_not_received_resends_and_leaves_the_list(self):
        customer = self._customer("Never Got It Ltd")
        invoice = self._late(customer, 800.0, 25)
        file = self._file(customer)
        row = self._rows(file)
        self.assertEqual(row.action, "call")
        wizard = self.env["ar.call.wizard"].with_user(self.controller).with_context(
            default_file_id=file.id).create({"excuse_id": self.excuses["not_received"].id})
        self.assertIn("sending it again", wizard.answer)
        self.assertEqual(wizard.move_ids, invoice)
        wizard.action_confirm()
        self.assertFalse(self.Worklist.search([("file_id", "=", file.id)]), "Off today's list")
        history = file.escalation_history_ids
        self.assertEqual(set(history.mapped("action")), {"call", "resend"})
        self.assertEqual(history.filtered(lambda h: h.action == "call").user_id, self.controller)
        self.assertEqual(file.call_ids.excuse_id, self.excuses["not_received"])
        self.assertEqual(file.call_ids.outcome, "reached")
        sent = self.env["mail.message"].search([
            ("model", "=", "account.move"), ("res_id", "=", invoice.id),
            ("message_type", "=", "comment"),
        ])
        self.assertTrue(sent.attachment_ids, "Odoo's invoice mail with its PDF")
        self.assertIn("Call logged", self._messages(file)[1] + self._messages(file)[0])
        # tomorrow, nothing new: the last contact is yesterday, within the interval
        with freeze_time(TODAY + timedelta(days=1)):
            self.assertFalse(self._rows(file))

    @freeze_time(TODAY)
    def test_next_steps(self):
        customer = self._customer("Excuses Ltd")
        invoice = self._late(customer, 300.0, 20)
        file = self._file(customer)
        action = self._call(file, self.excuses["approval"])
        self.assertEqual(action["res_model"], "ar.promise.wizard")
        self.assertEqual(action["context"]["active_id"], file.id)
        action = self._call(file, self.excuses["pay_today"])
        self.assertEqual(action["context"]["default_date"], TODAY)
        action = self._call(file, self.excuses["cash_flow"])
        self.assertTrue(action["context"]["default_is_plan"])
        action = self._call(file, self.excuses["dispute"])
        self.assertEqual(action["res_model"], "ar.dispute.wizard")
        self.assertEqual(action["context"]["default_move_ids"], invoice.ids)
        self._call(file, outcome="no_answer")
        call_type = self.env.ref("mail.mail_activity_data_call")
        retry = file.activity_ids.filtered(lambda a: a.activity_type_id == call_type)
        self.assertEqual(retry.date_deadline, date(2026, 7, 1), "Next working day")
        self._call(file, outcome="wrong_contact")
        self.assertIn("Update the invoicing contact", " ".join(file.activity_ids.mapped("summary")))
        self.assertEqual(len(file.call_ids), 6)
        self.assertEqual(len(file.escalation_history_ids.filtered(lambda h: h.action == "call")), 6)

    def test_excuse_without_next_step(self):
        with self.assertRaisesRegex(ValidationError, "Next Step"):
            self.env["ar.call.excuse"].with_user(self.manager).create(
                {"name": "The dog ate it", "answer": "Sorry"})
        excuse = self.env["ar.call.excuse"].with_user(self.manager).create(
            {"name": "On holiday", "next_step": "retry"})
        with self.assertRaisesRegex(ValidationError, "Next Step"):
            excuse.next_step = False

    # ------------------------------------------------------------------
    # Snooze and reassign
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_snooze(self):
        customer = self._customer("Sleepy Ltd")
        self._late(customer, 300.0, 20)
        file = self._file(customer)
        self.assertTrue(self._rows(file))
        Wizard = self.env["ar.worklist.snooze.wizard"].with_user(self.controller)
        for day in (ago(1), TODAY):
            wizard = Wizard.create({"file_ids": file.ids, "date": day, "reason": "Holiday"})
            with self.assertRaisesRegex(ValidationError, "Snooze Until"):
                wizard.action_apply()
        self.assertFalse(file.worklist_snoozed_until, "Nothing half-written")
        Wizard.create({"file_ids": file.ids, "date": TODAY + timedelta(days=3),
                       "reason": "Paying after the audit"}).action_apply()
        self.assertFalse(self.Worklist.search([("file_id", "=", file.id)]))
        self.assertEqual(file.escalation_history_ids.action, "snooze")
        with freeze_time(TODAY + timedelta(days=3)):
            self.assertTrue(self._rows(file), "Back when the snooze ends")

    @freeze_time(TODAY)
    def test_reassign_and_filters(self):
        customer = self._customer("Reassigned Ltd")
        self._late(customer, 300.0, 20)
        file = self._file(customer)
        self._rows(file)
        self.env["ar.worklist.reassign.wizard"].with_user(self.controller).create({
            "file_ids": file.ids, "collector_id": self.controller.id,
        }).action_apply()
        self.assertEqual(file.collector_id, self.controller)
        mine = self.Worklist.with_user(self.controller).search([("collector_id", "=", self.controller.id)])
        self.assertIn(file, mine.file_id)

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_access_by_role_and_company(self):
        customer = self._customer("Access Ltd")
        self._late(customer, 300.0, 20)
        self._rows(self._file(customer))
        fields_ = ["partner_id", "overdue_amount", "reason"]
        # a salesperson reads no worklist (its amounts), as a JSON-RPC call would
        with self.assertRaises(AccessError):
            self.Worklist.with_user(self.salesman).search_read([], fields_)
        with self.assertRaises(AccessError):
            self.env["ar.call.wizard"].with_user(self.salesman).create({
                "file_id": self._file(customer).id, "outcome": "reached"})
        rows = self.Worklist.with_user(self.controller).search_read([], fields_)
        self.assertIn("Access Ltd", [row["partner_id"][1] for row in rows])
        company_b = self.setup_other_company(name="Company B")["company"]
        controller_b = new_test_user(
            self.env, login="ar_controller_b", groups="base.group_user,ar_policy.group_credit_controller",
            company_id=company_b.id, company_ids=[Command.set(company_b.ids)],
        )
        self.assertFalse(self.Worklist.with_user(controller_b).search_read([], fields_))
        with self.assertRaises(AccessError):
            self.Worklist.with_user(controller_b).browse(self.Worklist.search([]).ids).read(fields_)
        # a billing user reads the list but does not act on it
        self.assertTrue(self.Worklist.with_user(self.billing).search_read([], fields_))
        with self.assertRaises(AccessError):
            self._call(self._file(customer), outcome="no_answer", user=self.billing)

    # ------------------------------------------------------------------
    # Cost of opening the list
    # ------------------------------------------------------------------

    def _open_worklist_queries(self, user):
        """Queries of the list view's read as the web client does it (one page)."""
        Worklist = self.Worklist.with_user(user)
        view = Worklist.get_views([(False, "list")])["views"]["list"]
        spec = {}
        for fname in view["fields"] if isinstance(view.get("fields"), dict) else Worklist._fields:
            field = Worklist._fields.get(fname)
            if field is None:
                continue
            spec[fname] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
        Worklist.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = Worklist.web_search_read([("collector_id", "=", user.id)], spec, limit=80)
        return self.env.cr.sql_log_count - before, result["length"]

    def test_opening_the_worklist_costs_a_fixed_number_of_queries(self):
        partners = self.env["res.partner"].create([
            {"name": f"Bulk Customer {i:04d}", "is_company": True, "customer_rank": 1}
            for i in range(2000)
        ])
        self.env["ar.credit.file"]._ar_create_missing_files(self.company)
        files = self.env["ar.credit.file"].search([("partner_id", "in", partners.ids)])
        stage = self.env["ar.escalation.stage"].search([("company_id", "=", self.company.id)], limit=1)

        def rows(batch, collector):
            self.Worklist.sudo().create([{
                "date": TODAY, "file_id": file.id, "partner_id": file.partner_id.id,
                "company_id": self.company.id, "collector_id": collector.id,
                "priority": i, "action": "call", "reason": "Call: 20 days late, never contacted",
                "overdue_amount": 100.0 + i, "oldest_days_late": 20, "payment_rating": "B",
                "stage_id": stage.id, "last_excuse_id": self.env.ref("ar_policy.ar_excuse_no_answer").id,
            } for i, file in enumerate(batch)])

        # both beyond one page (80): the web client counts them the same way
        rows(files[:100], self.manager)
        rows(files[100:], self.controller)
        small, small_count = self._open_worklist_queries(self.manager)
        large, large_count = self._open_worklist_queries(self.controller)
        self.assertEqual((small_count, large_count), (100, 1900))
        self.assertEqual(small, large, "Same queries for 100 and for 1,900 rows")
        self.assertLessEqual(large, 25)
