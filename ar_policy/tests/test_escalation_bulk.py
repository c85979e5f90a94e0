import re
from datetime import date, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged

from odoo.addons.ar_policy.guards import as_scheduler

from .common import ArPolicyCommon

TODAY = date(2026, 6, 15)
# days late of each customer's invoices: every stage of the default ladder, catch-up,
# several items at once, one customer without an email address
CUSTOMERS = [
    ("Alpha", "alpha@example.com", [-2]),
    ("Bravo", "bravo@example.com", [6, 2]),
    ("Charlie", "charlie@example.com", [12, 12, -1]),
    ("Delta", False, [25, 8]),
    ("Echo", "echo@example.com", [35]),
    ("Foxtrot", "foxtrot@example.com", [100, 40, 11]),
    ("Golf", "golf@example.com", [15, 50]),
    ("Hotel", False, [3]),
]
# measured: 422 queries for these 8 customers in bulk (886 one by one): the invoice PDFs'
# report (once per batch), the fee invoices (Odoo's create and post) and the reminders'
# message_post (10 each) the larger part
BULK_QUERIES_PER_CUSTOMER = 56


@tagged("post_install", "-at_install")
class TestEscalationBulk(ArPolicyCommon):
    """The first night in bulk gives the customers what a run customer by customer
    gives them: the same mails, activities, history, fee invoices and stages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"ar_escalation_enabled": True, "ar_credit_manager_id": cls.manager.id})
        cls.File = cls.env["ar.credit.file"].sudo()
        partners = cls.env["res.partner"].create([{
            "name": name, "email": email, "is_company": True, "customer_rank": 1,
        } for name, email, _days in CUSTOMERS])
        vals = []
        for partner, (_name, _email, days_late) in zip(partners, CUSTOMERS, strict=True):
            for n, days in enumerate(days_late):
                due = TODAY - timedelta(days=days)
                vals.append(cls._invoice_vals(partner, 300.0 + 100 * n,
                                              date=due - timedelta(days=30), due=due))
        cls.invoices = cls._post(cls.env["account.move"].with_company(cls.company).create(vals))
        # the portal links in the reminders: tokens made once, the same for both runs
        for invoice in cls.invoices:
            invoice._portal_ensure_token()
        files = cls.File._ar_files_for(partners, cls.company, create=True)
        cls.files = cls.File.browse(sorted(f.id for f in files.values()))
        for file in cls.files:  # the reminders link to the account page with it
            file._portal_ensure_token()

    def _ar_outcome(self):
        """What the customers and the collectors got, in terms that do not depend on
        record ids made by the run (messages, activities, fee invoices)."""
        self.env.flush_all()
        self.env.invalidate_all()
        files = self.files
        name = {file.id: file.partner_id.name for file in files}
        messages = self.env["mail.message"].sudo().search([
            ("model", "=", "ar.credit.file"), ("res_id", "in", files.ids),
            ("message_type", "=", "comment"),
        ])
        # the reminder links the fee invoice posted tonight (issue 11): its id and
        # access token are the run's own, so it stands by its name
        fee_names = {m.id: m.name for m in self.env["account.move"].sudo().search([
            ("partner_id", "in", files.partner_id.ids), ("ar_origin", "=", "late_fee")])}

        def body_of(message):
            body = re.sub(r"\s+", " ", str(message.body))
            return re.sub(
                r"/my/invoices/(\d+)\?access_token=[\w-]+",
                lambda m: fee_names.get(int(m[1])) or m[0], body)

        mails = sorted(
            (name[m.res_id], m.subject, body_of(m),
             tuple(sorted(m.partner_ids.mapped("name"))),
             tuple(sorted(m.mail_ids.mapped("state"))), m.subtype_id.id)
            for m in messages
        )
        notes = sorted(
            (name[m.res_id], re.sub(r"\s+", " ", str(m.body)))
            for m in self.env["mail.message"].sudo().search([
                ("model", "=", "ar.credit.file"), ("res_id", "in", files.ids),
                ("message_type", "=", "notification"),
            ])
        )
        activities = sorted(
            (name[a.res_id], a.summary, str(a.note), a.user_id.id, a.activity_type_id.id,
             a.date_deadline)
            for a in self.env["mail.activity"].sudo().search([
                ("res_model", "=", "ar.credit.file"), ("res_id", "in", files.ids)])
        )
        history = sorted(
            (name[h.file_id.id], h.stage_id.name or "", h.action,
             tuple(sorted(h.move_line_ids.ids)), h.note or "", h.by_scheduler,
             bool(h.mail_message_id), bool(h.activity_id), h.fee_move_id.name or "")
            for h in self.env["ar.escalation.history"].sudo().search(
                [("file_id", "in", files.ids)])
        )
        fees = sorted(
            (m.partner_id.name, m.name, m.state, m.amount_total, m.currency_id.name,
             tuple(m.invoice_line_ids.mapped("name")))
            for m in self.env["account.move"].sudo().search([
                ("partner_id", "in", files.partner_id.ids), ("ar_origin", "=", "late_fee")])
        )
        stages = sorted(
            (line.id, line.ar_stage_id.id, line.ar_stage_date, line.ar_fees_charged)
            for line in self.invoices.line_ids.filtered(
                lambda aml: aml.account_id.account_type == "asset_receivable")
        )
        states = sorted(
            (file.partner_id.name, file.escalation_stage_id.id, file.credit_hold,
             file.stage_deposit_percent, file.handover)
            for file in files
        )
        return dict(mails=mails, notes=notes, activities=activities, history=history,
                    fees=fees, stages=stages, states=states)

    def _bulk_and_each(self):
        """(outcome of one bulk batch, queries it took, outcome customer by customer),
        both on the same data: the first is rolled back before the second."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute("SAVEPOINT ar_bulk")
        def no_fallback(files, evaluation, today):
            raise AssertionError("the batch failed: it fell back to file by file")

        with freeze_time(TODAY), patch.object(
                type(self.File), "_ar_escalation_process_each", no_fallback):
            queries = cr.sql_log_count
            self.File._ar_run_batches(self.files, "_ar_escalation_run_batch", 100)
            self.env.flush_all()
            queries = cr.sql_log_count - queries
        bulk = self._ar_outcome()
        cr.execute("ROLLBACK TO SAVEPOINT ar_bulk")
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        with freeze_time(TODAY):
            each_queries = cr.sql_log_count
            for file in self.files:
                self.File._ar_run_batches(file, "_ar_escalation_run_batch", 1)
            self.env.flush_all()
            each_queries = cr.sql_log_count - each_queries
        return bulk, queries, self._ar_outcome(), each_queries

    def test_bulk_outcome_equals_customer_by_customer(self):
        bulk, queries, each, each_queries = self._bulk_and_each()
        comment = self.env.ref("mail.mt_comment").id
        self.assertEqual(len([m for m in bulk["mails"] if m[5] == comment]), 6,
                         "one reminder per customer with an email")
        self.assertTrue(bulk["fees"], "the ledger reaches the fee stage")
        self.assertTrue(bulk["activities"])
        self.assertFalse([h for h in bulk["history"] if h[2] == "error"])
        for key in bulk:
            self.assertEqual(bulk[key], each[key], key)
        acted = len(self.files)
        self.assertLessEqual(queries, BULK_QUERIES_PER_CUSTOMER * acted,
                             f"{queries} queries for {acted} customers")
        self.assertLess(queries, each_queries, "the batch costs less than customer by customer")

    def test_reminder_body_compiled_once_per_batch(self):
        """Odoo compiles a mail template's QWeb body again for every record; the run
        compiles the reminder's body once for the batch (one language here) and still
        sends each customer its own figures."""
        from odoo.addons.base.models.ir_qweb import IrQWeb

        compiled = []
        generate = IrQWeb._generate_code

        def counting(qweb, template):
            source = template if isinstance(template, str) else etree.tostring(template)
            # Odoo first compiles a body in restricted mode, once per render call, only to
            # learn whether it holds code (it stops at the first directive): not a render
            if b"_ar_escalation_mail_values" in (
                    source.encode() if isinstance(source, str) else source
            ) and not qweb.env.context.get("raise_on_forbidden_code_for_model"):
                compiled.append(qweb.env.context.get("lang"))
            return generate(qweb, template)

        with freeze_time(TODAY), patch.object(IrQWeb, "_generate_code", counting):
            # as the scheduled action runs it
            as_scheduler(self.File)._ar_run_batches(self.files, "_ar_escalation_run_batch", 100)
        reminders = self.env["mail.message"].sudo().search([
            ("model", "=", "ar.credit.file"), ("res_id", "in", self.files.ids),
            ("message_type", "=", "comment"),
            ("subtype_id", "=", self.env.ref("mail.mt_comment").id)])
        self.assertEqual(len(reminders), 6)
        self.assertEqual(len(compiled), 1, f"compiled {len(compiled)} times: {compiled}")
        bravo = reminders.filtered(lambda m: m.record_name == "Bravo")
        self.assertIn("Dear Bravo", str(bravo.body))
        self.assertIn("Total overdue</strong></td><td style=\"text-align:right; white-space:nowrap; "
                      "padding:4px 6px\"><strong>$&nbsp;700.00", str(bravo.body),
                      "Bravo's own overdue total (300 + 400)")
