from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArPolicyCommon

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestWorklistSettings(ArPolicyCommon):
    """The worklist's thresholds and the priority's weights are company settings
    (Invoicing settings, Credit & Collections), checked and logged like the others."""

    def _customer(self, name):
        return self.env["res.partner"].create({"name": name, "is_company": True})

    def _late(self, partner, amount, days_late):
        return self._post(self._invoice(partner, amount, date=ago(days_late + 10), due=ago(days_late)))

    def _rows(self):
        files = self.env["ar.credit.file"].search([("company_id", "=", self.company.id)])
        files._ar_refresh_worklist()
        return {row.partner_id.name: row
                for row in self.env["ar.worklist"].search([("file_id", "in", files.ids)])}

    def _settings(self, values):
        self.env["res.config.settings"].create(values).execute()

    @freeze_time(TODAY)
    def test_thresholds_come_from_the_company(self):
        self._late(self._customer("Ten Days Ltd"), 5000.0, 10)
        self._late(self._customer("Ninety Five Ltd"), 999.0, 95)
        rows = self._rows()
        # defaults: a call from 15 days late, hand over from 90 days
        self.assertEqual(set(rows), {"Ninety Five Ltd"})
        self.assertEqual(rows["Ninety Five Ltd"].action, "hand_over")

        self._settings({"ar_worklist_call_after_days": 10, "ar_worklist_legal_minimum": 1000.0})
        rows = self._rows()
        self.assertEqual(set(rows), {"Ten Days Ltd", "Ninety Five Ltd"})
        self.assertEqual(rows["Ten Days Ltd"].reason, "Call: 10 days late, never contacted")
        # 999 is below the legal minimum: a call, not a hand-over
        self.assertEqual(rows["Ninety Five Ltd"].action, "call")

        self._settings({"ar_worklist_legal_minimum": 0.0, "ar_worklist_hand_over_days": 100})
        self.assertEqual(self._rows()["Ninety Five Ltd"].action, "call")
        self._settings({"ar_worklist_hand_over_days": 95})
        self.assertEqual(self._rows()["Ninety Five Ltd"].action, "hand_over")
        self._settings({"ar_worklist_hand_over_days": 0})  # never
        self.assertEqual(self._rows()["Ninety Five Ltd"].action, "call")

    @freeze_time(TODAY)
    def test_contact_interval_comes_from_the_company(self):
        partner = self._customer("Called Ltd")
        self._late(partner, 500.0, 30)
        file = self._file(partner)
        with freeze_time(ago(5)):
            self.env["ar.call.wizard"].with_user(self.controller).with_context(
                default_file_id=file.id,
            ).create({"outcome": "message"}).action_confirm()
        self.assertNotIn("Called Ltd", self._rows(), "contacted 5 days ago, interval 7")
        self._settings({"ar_worklist_contact_every_days": 5})
        self.assertEqual(self._rows()["Called Ltd"].reason, "Call: 30 days late, no contact for 5 days")

    @freeze_time(TODAY)
    def test_weights_come_from_the_company(self):
        self._late(self._customer("Big Ltd"), 99999.0, 16)
        self._late(self._customer("Late Ltd"), 999.0, 200)
        rows = self._rows()
        # no rating (1.25), never contacted (+3); hand-over of Late Ltd at 200 days
        # Big: 5 x (1 + 16/30) x 1.25 + 3 = 12.58; Late: 3 x (1 + 200/30) x 1.25 + 3 = 31.75
        self.assertAlmostEqual(rows["Big Ltd"].priority, 12.58)
        self.assertAlmostEqual(rows["Late Ltd"].priority, 31.75)
        self._settings({
            "ar_worklist_amount_weight": 2.0,
            "ar_worklist_lateness_weight": 0.0,
            "ar_worklist_rating_weight": 0.0,
        })
        rows = self._rows()
        # Big: 2 x 5 + 3 = 13; Late: 2 x 3 + 3 = 9
        self.assertAlmostEqual(rows["Big Ltd"].priority, 13.0)
        self.assertAlmostEqual(rows["Late Ltd"].priority, 9.0)
        ordered = self.env["ar.worklist"].search([("company_id", "=", self.company.id)])
        self.assertEqual(ordered.partner_id.mapped("name"), ["Big Ltd", "Late Ltd"])

    def test_out_of_range_values_are_refused(self):
        cases = [
            ({"ar_worklist_call_after_days": -1}, "Call After Days Late"),
            ({"ar_worklist_call_after_days": 366}, "Call After Days Late"),
            ({"ar_worklist_contact_every_days": 0}, "Contact Interval"),
            ({"ar_worklist_hand_over_days": -5}, "Hand Over After Days Late"),
            ({"ar_worklist_hand_over_days": 10}, "Hand Over After Days Late"),  # before 15
            ({"ar_worklist_legal_minimum": -1.0}, "Legal Minimum for Hand-Over"),
            ({"ar_worklist_amount_weight": 10.5}, "Weight of the Amount at Risk"),
            ({"ar_worklist_lateness_weight": -0.1}, "Weight of Lateness"),
            ({"ar_worklist_rating_weight": 11.0}, "Weight of the Rating"),
            ({"ar_worklist_promise_points": 101.0}, "Points per Broken Promise"),
            ({"ar_kpi_target_cei": 120.0}, "Target CEI"),
        ]
        Log = self.env["ar.credit.log"]
        logs_before = Log.search_count([("event", "=", "setting")])
        for values, label in cases:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, label):
                with self.env.cr.savepoint():
                    self._settings(values)
        self.company.invalidate_recordset()
        self.assertRecordValues(self.company, [{
            "ar_worklist_call_after_days": 15, "ar_worklist_contact_every_days": 7,
            "ar_worklist_hand_over_days": 90, "ar_worklist_legal_minimum": 0.0,
            "ar_worklist_amount_weight": 1.0, "ar_worklist_lateness_weight": 1.0,
            "ar_worklist_rating_weight": 1.0, "ar_worklist_promise_points": 5.0,
            "ar_kpi_target_cei": 80.0,
        }])
        self.assertEqual(Log.search_count([("event", "=", "setting")]), logs_before)

    def test_changes_are_logged(self):
        self._settings({"ar_worklist_call_after_days": 20, "ar_worklist_rating_weight": 2.5,
                        "ar_kpi_target_dso": 50.0})
        logs = self.env["ar.credit.log"].search([
            ("event", "=", "setting"), ("company_id", "=", self.company.id)])
        by_cause = {log.cause: log for log in logs}
        self.assertEqual(set(by_cause), {"Call After Days Late", "Weight of the Rating",
                                         "Target DSO (days)"})
        self.assertRecordValues(by_cause["Call After Days Late"], [{
            "old_value": "15", "new_value": "20", "user_id": self.env.user.id}])
        self.assertRecordValues(by_cause["Weight of the Rating"], [{
            "old_value": "1.0", "new_value": "2.5"}])
        self.assertRecordValues(by_cause["Target DSO (days)"], [{
            "old_value": "45.0", "new_value": "50.0"}])

    @freeze_time(TODAY)
    def test_each_company_its_own_settings_in_one_refresh(self):
        other = self.setup_other_company(name="Other Worklist Co")["company"]
        other.write({"ar_worklist_call_after_days": 5})
        partner = self._customer("Two Companies Ltd")
        self._late(partner, 800.0, 10)
        self._post(self._invoice(partner, 800.0, date=ago(20), due=ago(10), company=other))
        files = self.env["ar.credit.file"].search([("partner_id", "=", partner.id)])
        self.assertEqual(files.company_id, self.company | other)
        files._ar_refresh_worklist()  # both companies in one call
        rows = self.env["ar.worklist"].search([("file_id", "in", files.ids)])
        # 10 days late: a call in the other company (from 5 days), not yet here (15)
        self.assertEqual(rows.company_id, other)
        self.assertEqual(rows.reason, "Call: 10 days late, never contacted")
