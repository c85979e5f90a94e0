import random
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from ..rules import escalation as rules
from .common import ArPolicyCommon

TODAY = date(2026, 6, 15)
SEEDS = (11, 23, 37, 41, 59)


@tagged("post_install", "-at_install")
class TestEscalationDecision(ArPolicyCommon):
    """Property test: the nightly run's set-based SQL decision (which open item fires
    which stage today) agrees item by item with the pure rules (``rules.escalation``
    over ``rules.position.Position``) on random ledgers and ladders, seeded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.ar_escalation_enabled = True
        cls.File = cls.env["ar.credit.file"].sudo()

    def _ladder(self, rng, name):
        """A random ladder: 1 to 5 stages, offsets strictly increasing from before the
        due date to long after it, no actions (only the decision is under test)."""
        offsets = sorted(rng.sample(range(-10, 120), rng.randint(1, 5)))
        return self.env["ar.escalation.policy"].sudo().create({
            "name": name,
            "company_id": self.company.id,
            "stage_ids": [Command.create({
                "name": f"{name} {offset:+d}", "sequence": index, "offset_days": offset,
            }) for index, offset in enumerate(offsets)],
        })

    def _ledger(self, rng, seed):
        """Random customers, invoices, credit notes, disputes, current stages, ladders,
        exemptions and minimum. Returns the customers' credit files."""
        ladders = [self._ladder(rng, f"Seed {seed} ladder {n}") for n in range(3)]
        all_stages = self.env["ar.escalation.stage"].sudo().search([])
        self.company.sudo().ar_escalation_min_amount = rng.choice([0.0, 0.0, 150.0])
        if rng.random() < 0.3:
            self.company.sudo().ar_escalation_policy_id = rng.choice(ladders)
        partners = self.env["res.partner"].create([{
            "name": f"Seed {seed} customer {n}", "is_company": True, "customer_rank": 1,
        } for n in range(7)])
        moves = self.env["account.move"]
        vals = []
        for partner in partners:
            for _n in range(rng.randint(0, 5)):
                due = TODAY + timedelta(days=rng.randint(-150, 20))
                vals.append(self._invoice_vals(
                    partner, rng.choice([40.0, 100.0, 149.99, 150.0, 480.0, 1200.0]),
                    date=due - timedelta(days=30), due=due,
                ))
            if rng.random() < 0.4:
                vals.append(self._invoice_vals(
                    partner, rng.choice([50.0, 500.0, 5000.0]), date=TODAY - timedelta(days=40),
                    move_type="out_refund",
                ))
        moves = self.env["account.move"].with_company(self.company).create(vals)
        self._post(moves)
        for line in moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
            and aml.move_id.move_type == "out_invoice"
        ):
            values = {}
            if rng.random() < 0.15:
                values["ar_disputed"] = True
            if rng.random() < 0.4:
                values["ar_stage_id"] = rng.choice(all_stages).id
            if values:
                line._ar_write_policy_fields(values)
        files = self.File._ar_files_for(partners, self.company, create=True)
        files = self.File.browse([f.id for f in files.values()])
        for file in files:
            roll = rng.random()
            if roll < 0.15:
                file.write({"escalation_exempt": True, "escalation_exempt_reason": "Intercompany"})
            elif roll < 0.6:
                file.escalation_policy_id = rng.choice(ladders)
        if rng.random() < 0.3:
            ladders[0].active = False
        return files.with_company(self.company)

    def _expected(self, files):
        """{(file id, line id, stage id)} by the pure rules over the account position."""
        positions = self.env["ar.account.position"]._ar_positions(
            files.partner_id, self.company, today=TODAY
        )
        Line = self.env["account.move.line"].sudo()
        expected = set()
        for file in files.filtered(lambda f: not f.escalation_exempt):
            stages = file._ar_escalation_policy().stage_ids.sorted("offset_days")
            offsets = stages.mapped("offset_days")
            position = positions[file.partner_id.id]
            for item in position.dunnable_items:
                days = position.days_late(item)
                if not item.due_date or not stages or (position.credits_cover_overdue and days > 0):
                    continue
                current = Line.browse(item.line_id).ar_stage_id
                index = rules.target_stage(offsets, days, rules.current_index(
                    offsets, current.offset_days if current else None))
                if index is not None:
                    expected.add((file.id, item.line_id, stages[index].id))
        return expected

    def test_sql_decision_agrees_with_rules(self):
        decided_total = 0
        for seed in SEEDS:
            with self.subTest(seed=seed), freeze_time(TODAY):
                rng = random.Random(seed)
                files = self._ledger(rng, seed)
                self.env.flush_all()
                evaluation = files._ar_escalation_evaluate(TODAY)
                decided = {
                    (file_id, item["line"].id, item["stage"].id)
                    for file_id, items in evaluation.items() for item in items
                }
                self.assertEqual(decided, self._expected(files))
                decided_total += len(decided)
        # the generated ledgers are not trivial: some items fire, some do not
        self.assertGreater(decided_total, 10)
