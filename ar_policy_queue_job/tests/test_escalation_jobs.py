from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.ar_policy.tests.common import ArPolicyCommon
from odoo.addons.queue_job.job import Job

DUE = date(2026, 3, 10)
RUN = date(2026, 3, 23)  # 13 days late: the late-fee stage of the default ladder


@tagged("post_install", "-at_install")
class TestEscalationJobs(ArPolicyCommon):
    """With queue_job the nightly action enqueues one job per batch of credit files on
    root.ar_policy; a job does its batch once, run again it does nothing twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ar_escalation_enabled = True
        cls.File = cls.env["ar.credit.file"].sudo()
        cls.partners = cls.env["res.partner"].create([{
            "name": f"Queue Customer {n}", "email": f"q{n}@example.com", "is_company": True,
            "customer_rank": 1,
        } for n in range(5)])
        cls._post(cls.env["account.move"].with_company(cls.company).create([
            cls._invoice_vals(partner, 500.0, date=date(2026, 2, 8), due=DUE)
            for partner in cls.partners
        ]))
        files = cls.File._ar_files_for(cls.partners, cls.company, create=True)
        cls.files = cls.File.browse(sorted(f.id for f in files.values()))

    def _jobs(self):
        return self.env["queue.job"].sudo().search([
            ("model_name", "=", "ar.credit.file"), ("method_name", "=", "_ar_escalation_run_job"),
        ])

    def _history(self, action):
        return self.env["ar.escalation.history"].sudo().search([
            ("file_id", "in", self.files.ids), ("action", "=", action)])

    def test_nightly_action_enqueues_instead_of_running(self):
        cron = self.env.ref("ar_policy.ir_cron_ar_escalation")
        self.assertEqual(cron.code.strip(), "model._cron_escalation_enqueue()")

    def test_one_job_per_batch_done_once(self):
        with freeze_time(RUN):
            enqueued = self.File._cron_escalation_enqueue(batch_size=2)
            self.assertFalse(self._history("email"), "enqueuing does nothing itself")
            jobs = self._jobs()
            self.assertEqual(enqueued, len(jobs))
            self.assertGreaterEqual(len(jobs), 3, "5 files in batches of 2")
            self.assertEqual(set(jobs.mapped("channel")), {"root.ar_policy"})
            ours = jobs.filtered(lambda j: set(j.records.ids) & set(self.files.ids))
            self.assertEqual(sorted(i for j in ours for i in j.records.ids if i in self.files.ids),
                             self.files.ids)
            # the night's action running twice: a batch already queued is not queued again
            self.File._cron_escalation_enqueue(batch_size=2)
            self.assertEqual(self._jobs(), jobs)
            for job in jobs:
                Job.load(self.env, job.uuid).perform()
            self.env.invalidate_all()
            emails, fees = self._history("email"), self._history("fee")
            self.assertEqual(len(emails), 5)
            self.assertEqual(len(fees), 5)
            self.assertTrue(all(emails.mapped("by_scheduler")))
            # a job retried after it did its work (a worker lost after the commit)
            for job in jobs:
                Job.load(self.env, job.uuid).perform()
            self.env.invalidate_all()
            self.assertEqual(self._history("email"), emails)
            self.assertEqual(self._history("fee"), fees)
            late_fees = self.env["account.move"].sudo().search([
                ("partner_id", "in", self.partners.ids), ("ar_origin", "=", "late_fee")])
            self.assertEqual(len(late_fees), 5, "one fee invoice per customer")
