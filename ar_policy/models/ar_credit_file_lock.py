from odoo import api, models
from odoo.tools import SQL


class ArCreditFile(models.Model):
    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_serialize_credit_check(self, documents):
        """Serialise the credit check of ``documents`` (invoices or orders) per customer
        and company, up to the end of the transaction that posts or confirms them.

        Odoo's transactions are REPEATABLE READ: a lock alone would let the second of
        two simultaneous requests go on with its old snapshot, without the first one's
        document, and pass on the same headroom. So the customers' file rows are
        written: once the first request commits, the second fails to serialise, Odoo
        retries it (``odoo.service.model.retrying``), and the retry sees the first
        document. Rows are locked in id order, so that two batches cannot deadlock.
        """
        keys = {
            (doc.partner_id.commercial_partner_id.id, doc.company_id.root_id.id)
            for doc in documents if doc.partner_id
        }
        if not keys:
            return
        self.flush_model(["partner_id", "company_id"])
        rows = self.env.execute_query(SQL(
            """
            UPDATE ar_credit_file
               SET write_date = (now() AT TIME ZONE 'UTC')
             WHERE id IN (SELECT id FROM ar_credit_file
                           WHERE (partner_id, company_id) IN %s
                        ORDER BY id
                             FOR NO KEY UPDATE)
         RETURNING id
            """,
            tuple(sorted(keys)),
        ))
        self.browse([row[0] for row in rows]).invalidate_recordset(["write_date"])
