from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import ArPolicyCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestWorklistRpc(ArPolicyCommon, HttpCase):
    """The worklist and the score as JSON-RPC callers meet them: a salesperson reads
    no worklist, a controller of company B no row of company A, nobody writes a score
    or a row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({
            "name": "RPC Late Customer", "is_company": True, "customer_rank": 1,
        })
        with freeze_time("2026-06-30"):
            cls._post(cls._invoice(cls.customer, 800.0, date=date(2026, 5, 1), due=date(2026, 5, 31)))
            cls.file = cls._file(cls.customer)
            cls.file._ar_compute_scores()
            cls.file._ar_refresh_worklist()
        cls.company_b = cls.setup_other_company(name="Company B")["company"]
        cls.controller_b = new_test_user(
            cls.env, login="ar_rpc_controller_b", groups="base.group_user,ar_policy.group_credit_controller",
            company_id=cls.company_b.id, company_ids=[Command.set(cls.company_b.ids)],
        )

    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {},
        })

    def _read_list(self):
        return self._call("ar.worklist", "web_search_read", [], {
            "domain": [], "specification": {"partner_id": {}, "overdue_amount": {}, "reason": {}},
        })

    def test_worklist_over_json_rpc(self):
        row = self.env["ar.worklist"].search([("file_id", "=", self.file.id)])
        self.assertTrue(row)
        self.authenticate(self.salesman.login, self.salesman.login)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._read_list()
        # the rating letter, yes; the score behind it, no
        self.assertTrue(self._call("ar.credit.file", "read", [self.file.ids, ["payment_rating"]]))
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ar.credit.file", "read", [self.file.ids, ["payment_score"]])

        self.authenticate(self.controller_b.login, self.controller_b.login)
        self.assertEqual(self._read_list()["length"], 0)
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ar.worklist", "read", [row.ids, ["overdue_amount"]])

        self.authenticate(self.controller.login, self.controller.login)
        result = self._read_list()
        self.assertEqual([r["partner_id"] for r in result["records"]], [self.customer.id])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ar.worklist", "write", [row.ids, {"priority": 0.0}])
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call("ar.credit.file", "write", [self.file.ids, {"payment_rating": "A"}])
        self.assertEqual(self.file.payment_rating, "C")
