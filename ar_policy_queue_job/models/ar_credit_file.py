import logging

from odoo import api, models

from odoo.addons.ar_policy.guards import as_scheduler
from odoo.addons.queue_job.job import identity_exact

_logger = logging.getLogger(__name__)

CHANNEL = "root.ar_policy"


class ArCreditFile(models.Model):
    """The nightly escalation run as queue_job jobs (DESIGN 12): the scheduled action
    only enqueues one job per batch of credit files on the channel ``root.ar_policy``;
    any Odoo worker running queue_job's runner takes them. A job claims its files
    with the run's own ``SKIP LOCKED`` claim and acts in the job's one transaction:
    a job that dies leaves nothing half-done, and queue_job runs it again (a stage
    fires once per item, so what another job or run already did is not done twice).
    """

    _inherit = "ar.credit.file"

    @api.model
    def _cron_escalation_enqueue(self, batch_size=200):
        """Nightly, per company that enabled the run: one job per batch of candidate
        files. A batch already waiting in the queue is not enqueued twice (the job's
        identity is its files). Returns the number of jobs enqueued."""
        jobs = 0
        companies = self.env["res.company"].sudo().search([
            ("parent_id", "=", False), ("ar_escalation_enabled", "=", True),
        ])
        for company in companies:
            files = self._ar_escalation_candidates(company)
            for start in range(0, len(files), batch_size):
                batch = files[start:start + batch_size].with_company(company)
                batch.with_delay(
                    channel=CHANNEL, identity_key=identity_exact,
                    description=self.env._(
                        "Escalation run: %(company)s, credit files %(first)s-%(last)s",
                        company=company.name, first=batch[:1].id, last=batch[-1:].id),
                )._ar_escalation_run_job()
                jobs += 1
        _logger.info("Escalation run: %s jobs enqueued on %s", jobs, CHANNEL)
        return jobs

    def _ar_escalation_run_job(self):
        """One job: the batch's files this worker can claim (``SKIP LOCKED``), as the
        scheduler. queue_job commits when the job returns, rolls back when it fails
        or dies."""
        files = as_scheduler(self.sudo())
        done = files._ar_escalation_run_batch()
        return f"{done} of {len(files)} credit files reached a new stage"
