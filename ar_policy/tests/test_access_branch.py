from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ArPolicyCommon


@tagged("post_install", "-at_install")
class TestBranchUserAccess(ArPolicyCommon):
    """Branches share their root company's credit files, ladders and snapshots (DESIGN 1):
    a user allowed only in a branch works on the root company's files, and sees nothing
    of another company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create({
            "name": "Branch North", "parent_id": cls.company.id,
        })
        cls.other = cls.setup_other_company(name="Other Group")["company"]
        cls.branch_controller = new_test_user(
            cls.env, login="ar_branch_controller", name="Bruno Branch",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=cls.branch.id, company_ids=[Command.set(cls.branch.ids)],
        )
        cls.customer = cls.env["res.partner"].create({
            "name": "Branch Customer", "is_company": True, "customer_rank": 1,
        })
        cls.root_file = cls._file(cls.customer)
        cls.other_file = cls._file(cls.customer, cls.other)
        cls.root_file.with_user(cls.manager)._ar_set_manual_hold("Cheque bounced")

    def test_branch_user_reads_the_root_company_file_and_its_history(self):
        File = self.env["ar.credit.file"].with_user(self.branch_controller).with_company(
            self.branch
        )
        files = File.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(files, self.root_file)
        self.assertRecordValues(files, [{"credit_hold": True, "company_id": self.company.id}])
        self.assertTrue(files.log_ids, "The hold's history is visible from the branch")
        policy = self.env["ar.escalation.policy"].with_user(self.branch_controller).search(
            [("company_id", "=", self.company.id)]
        )
        self.assertTrue(policy, "The root company's ladder serves its branches")
        self.assertTrue(policy.stage_ids)

    def test_branch_customer_form_shows_the_root_file(self):
        partner = self.customer.with_user(self.branch_controller).with_company(self.branch)
        self.assertEqual(partner.ar_credit_file_id, self.root_file)
        self.assertTrue(partner.ar_credit_hold)

    def test_branch_user_sees_nothing_of_another_company(self):
        File = self.env["ar.credit.file"].with_user(self.branch_controller)
        self.assertFalse(File.search([("company_id", "=", self.other.id)]))
        with self.assertRaises(AccessError):
            self.other_file.with_user(self.branch_controller).read(["credit_hold"])
        self.assertFalse(
            self.env["ar.escalation.policy"].with_user(self.branch_controller).search(
                [("company_id", "=", self.other.id)]
            )
        )
