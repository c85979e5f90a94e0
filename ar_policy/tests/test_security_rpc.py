from datetime import date

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import ArPolicyCommon

FORGED = ({"ar_credit_wizard": True}, {"install_mode": True})
FILE_ATTACKS = (
    {"credit_hold": False, "hold_cause_manual": False},
    {"credit_status": "approved"},
    {"deposit_policy": "none"},
    {"hold_released_on": "2026-01-01"},
    {"stage_deposit_percent": 0.0},
)
ITEM_ATTACKS = {
    "ar_stage_id": False,
    "ar_stage_date": False,
    "ar_fees_charged": 0.0,
    "ar_interest_date": False,
    "ar_handover": True,
    "ar_handover_date": "2026-03-20",
    "ar_disputed": True,
    "ar_dispute_reason": "Because",
    "ar_dispute_date": "2026-03-20",
    "ar_promise_line_id": False,
    "ar_fee_item_id": False,
}


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestSecurityRpc(ArPolicyCommon, HttpCase):
    """The guards as a hostile user meets them: JSON-RPC ``/web/dataset/call_kw`` with
    a forged context (DESIGN 10), and a portal user reading internal fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.manager | cls.controller | cls.billing | cls.salesman).write({
            "groups_id": [Command.link(cls.env.ref("base.group_partner_manager").id)],
        })
        cls.branch = cls.env["res.company"].create({
            "name": "Branch East", "parent_id": cls.company.id,
        })
        cls.branch_controller = new_test_user(
            cls.env, login="ar_rpc_branch", name="Bo Branch",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=cls.branch.id, company_ids=[Command.set(cls.branch.ids)],
        )
        cls.customer = cls.env["res.partner"].create({
            "name": "RPC Held Customer", "is_company": True, "customer_rank": 1,
        })
        cls.contact = cls.env["res.partner"].create({
            "name": "Portal Paula", "parent_id": cls.customer.id, "email": "paula@example.com",
        })
        cls.portal = new_test_user(
            cls.env, login="ar_rpc_portal", name="Portal Paula", groups="base.group_portal",
            partner_id=cls.contact.id, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.file = cls._file(cls.customer)
        cls._set_limit(cls.customer, 5000.0)
        cls.invoice = cls._post(cls._invoice(
            cls.customer, 800.0, date=date(2026, 2, 1), due=date(2026, 3, 1),
        ))
        cls.item = cls.invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")
        cls._set_hold(cls.customer, "Cheque bounced")
        cls._set_mode("block")

    def _call(self, model, method, args, context=None, kwargs=None):
        return self.make_jsonrpc_request("/web/dataset/call_kw", {
            "model": model, "method": method, "args": args,
            "kwargs": {**(kwargs or {}), "context": context or {}},
        })

    def _refused(self, errors, model, method, args, context=None, kwargs=None):
        """The call fails with one of ``errors`` (exception class names)."""
        with self.assertRaises(JsonRpcException) as caught:
            self._call(model, method, args, context=context, kwargs=kwargs)
        self.assertIn(str(caught.exception).rsplit(".", 1)[-1], errors.split("|"))

    def _file_state(self):
        self.env.invalidate_all()
        return self.file.sudo().read([
            "credit_hold", "hold_cause_manual", "credit_status", "deposit_policy",
            "hold_released_on", "stage_deposit_percent",
        ])[0]

    def _logs(self):
        return self.env["ar.credit.log"].sudo().search_count([("file_id", "=", self.file.id)])

    def test_credit_file_refuses_forged_context(self):
        before, logs = self._file_state(), self._logs()
        for user, company in ((self.controller, self.company), (self.branch_controller, self.branch)):
            self.authenticate(user.login, user.login)
            for context in FORGED:
                for values in FILE_ATTACKS:
                    with self.subTest(user=user.login, context=context, values=values):
                        self._refused("AccessError", "ar.credit.file", "write",
                                      [[self.file.id], values],
                                      context={**context, "allowed_company_ids": company.ids})
        self.assertEqual(self._file_state(), before)
        self.assertEqual(self._logs(), logs)

    def test_credit_limit_refuses_forged_context(self):
        self.authenticate(self.billing.login, self.billing.login)
        for context in FORGED:
            with self.subTest(context=context):
                self._refused("UserError", "res.partner", "write",
                              [[self.customer.id], {"credit_limit": 777777.0}], context=context)
        self.authenticate(self.salesman.login, self.salesman.login)
        for context in FORGED:
            with self.subTest(context=context):
                self._refused("UserError", "res.partner", "create", [{
                    "name": "Billion Ltd", "is_company": True, "credit_limit": 1e9,
                }], context=context)
        self.env.invalidate_all()
        self.assertEqual(self._limit(self.customer), 5000.0)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Billion Ltd")]))

    def test_origin_cannot_be_forged(self):
        draft = self._invoice(self.customer, 300.0)
        self.authenticate(self.billing.login, self.billing.login)
        self._refused("UserError|ArCreditRefusal", "account.move", "action_post", [[draft.id]])
        for context in ({}, *FORGED):
            with self.subTest(context=context):
                self._refused("AccessError", "account.move", "write",
                              [[draft.id], {"ar_origin": "deposit"}], context=context)
        self._refused("UserError|ArCreditRefusal", "account.move", "action_post", [[draft.id]])
        self.env.invalidate_all()
        self.assertEqual((draft.state, draft.ar_origin), ("draft", False))

    def test_item_bookkeeping_cannot_be_written(self):
        before = self.item.read(list(ITEM_ATTACKS))[0]
        for user in (self.billing, self.controller):
            self.authenticate(user.login, user.login)
            for context in ({}, *FORGED):
                for fname, value in ITEM_ATTACKS.items():
                    with self.subTest(user=user.login, context=context, fname=fname):
                        self._refused("AccessError", "account.move.line", "write",
                                      [[self.item.id], {fname: value}], context=context)
        self.env.invalidate_all()
        self.assertEqual(self.item.read(list(ITEM_ATTACKS))[0], before)

    def test_portal_reads_no_internal_field(self):
        self.authenticate(self.portal.login, self.portal.login)
        name = self._call("res.partner", "read", [[self.customer.id], ["name"]])
        self.assertEqual(name[0]["name"], "RPC Held Customer")
        reads = {
            ("res.partner", self.customer.id): (
                "ar_credit_status", "ar_credit_hold", "ar_hold_causes", "ar_credit_file_id",
                "ar_concentration_banner", "ar_concentration_level",
            ),
            ("account.move", self.invoice.id): (
                "ar_next_stage_id", "ar_next_stage_date", "ar_stage_id", "ar_stage_date",
                "ar_origin", "ar_disputed", "ar_credit_banner", "ar_deposit_amount",
            ),
            ("account.move.line", self.item.id): tuple(ITEM_ATTACKS),
            ("res.company", self.company.id): (
                "ar_enforcement_mode", "ar_hold_overdue_amount", "ar_credit_manager_id",
            ),
        }
        for (model, record_id), fnames in reads.items():
            for fname in fnames:
                with self.subTest(model=model, fname=fname):
                    self._refused("AccessError", model, "read", [[record_id], [fname]])
        fields = self._call("res.partner", "fields_get", [], kwargs={"attributes": ["type"]})
        self.assertFalse([fname for fname in fields if fname.startswith("ar_")])

    def test_portal_pages_still_render(self):
        self.authenticate(self.portal.login, self.portal.login)
        for url in ("/my", "/my/invoices", self.invoice.get_portal_url()):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
        self.assertIn(self.invoice.name, self.url_open(self.invoice.get_portal_url()).text)

    def test_salesperson_still_reads_status_and_hold(self):
        self.authenticate(self.salesman.login, self.salesman.login)
        values = self._call("res.partner", "read",
                            [[self.customer.id], ["ar_credit_status", "ar_credit_hold"]])
        self.assertEqual((values[0]["ar_credit_status"], values[0]["ar_credit_hold"]),
                         ("approved", True))
