from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArPolicyCommon

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestPaymentScoreCalls(ArPolicyCommon):
    """Call outcomes feed the payment score (issue 10): repeated unreachable calls and
    "will pay today" not kept take points off, computed in bulk."""

    def _customer(self, name):
        return self.env["res.partner"].create({"name": name, "is_company": True})

    def _paid_on_time(self, partner, amount, due):
        invoice = self._post(self._invoice(partner, amount, date=due - timedelta(days=10), due=due))
        with freeze_time(due):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids,
            ).create({"payment_date": due})._create_payments()
        return invoice

    def _call(self, file, day, outcome, excuse=None):
        with freeze_time(day):
            self.env["ar.call.wizard"].with_user(self.controller).with_context(
                default_file_id=file.id,
            ).create({"outcome": outcome,
                      "excuse_id": excuse and self.env.ref(f"ar_policy.ar_excuse_{excuse}").id,
                      }).action_confirm()

    @freeze_time(TODAY)
    def test_unreachable_and_unkept_pay_today_lower_the_score(self):
        customer = self._customer("Hard To Reach Ltd")
        self._paid_on_time(customer, 1000.0, ago(120))
        self._paid_on_time(customer, 2000.0, ago(40))
        file = self._file(customer)
        file._ar_compute_scores()
        self.assertEqual((file.payment_score, file.payment_rating), (80, "A"), "On time")

        self._call(file, ago(30), "no_answer")
        self._call(file, ago(20), "wrong_contact")
        file._ar_compute_scores()
        self.assertEqual(file.payment_score, 80, "Two unreachable calls are not repeated yet")
        self._call(file, ago(10), "no_answer")
        self.assertEqual((file.payment_score, file.payment_rating), (70, "B"),
                         "Logging the third unreachable call in 90 days rescored: 80 - 10")

        # "will pay today" 15 days ago, nothing paid within the 3 grace days: 70 - 5
        self._call(file, ago(15), "reached", "pay_today")
        # one said today: still within its grace days, not judged
        self._call(file, TODAY, "reached", "pay_today")
        file._ar_compute_scores()
        self.assertEqual((file.payment_score, file.payment_rating), (65, "B"))
        # the 90 days before had none of it (score 80): worse by more than 5 points
        self.assertEqual(file.payment_trend, "down")
        self.assertEqual(
            file.escalation_history_ids.filtered(lambda h: h.action == "call").mapped("note").count(
                "No answer"), 2, "The outcomes are in the file's history")

        # 91 days later the calls have left the window: on time again
        with freeze_time(TODAY + timedelta(days=91)):
            file._ar_compute_scores()
        self.assertEqual(file.payment_score, 80)

    @freeze_time(TODAY)
    def test_pay_today_kept_costs_nothing(self):
        customer = self._customer("Kept Word Ltd")
        invoice = self._post(self._invoice(customer, 1000.0, date=ago(40), due=ago(30)))
        file = self._file(customer)
        self._call(file, ago(12), "reached", "pay_today")
        with freeze_time(ago(10)):  # paid two days later, within the grace days
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids,
            ).create({"payment_date": ago(10)})._create_payments()
        file._ar_compute_scores()
        # paid 20 days late: 80 - 20 = 60, B; no call penalty
        self.assertEqual((file.payment_score, file.payment_rating), (60, "B"))

    @freeze_time(TODAY)
    def test_calls_cost_no_query_per_file(self):
        files = self.env["ar.credit.file"]
        for name in ("One Ltd", "Two Ltd", "Three Ltd"):
            customer = self._customer(name)
            self._paid_on_time(customer, 500.0, ago(40))
            file = self._file(customer)
            self._call(file, ago(5), "no_answer")
            files |= file

        def queries(records):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records._ar_compute_scores()
            return self.env.cr.sql_log_count - before

        queries(files)  # warm up
        self.assertEqual(queries(files[:1]), queries(files))
