from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL

# (xml id, name): the demo customers, in the order the summary lists them.
DEMO_CUSTOMERS = [
    ("demo_partner_good_payer", "Long-standing good payer"),
    ("demo_partner_pilot", "New customer on pilot"),
    ("demo_partner_prepayment", "Prepayment-only customer"),
    ("demo_partner_over_limit", "Customer over the limit"),
    ("demo_partner_overdue", "Customer on hold for overdue invoices"),
    ("demo_partner_group", "Group parent company"),
    ("demo_partner_euro", "Euro-invoiced customer"),
    ("demo_partner_manual_hold", "Customer on manual hold"),
]
DEMO_BRANCH_COMPANY = "AR Policy Demo Branch Co"


class ArCreditFile(models.Model):
    """Demo data: customers in every credit situation, in two companies.

    Called once from ``demo/ar_policy_demo.xml``; nothing here runs without demo data.
    """

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_demo_create(self):
        """Turn every policy on for the main company and create one customer per
        situation, with real posted invoices and payments dated relative to today."""
        self = self.sudo()
        if self.env.ref("ar_policy.demo_partner_good_payer", raise_if_not_found=False):
            return
        env = self.env
        company = env.ref("base.main_company")
        admin = env.ref("base.user_admin")
        today = fields.Date.context_today(self.with_company(company))
        term_15 = env.ref("account.account_payment_term_15days")
        term_30 = env.ref("account.account_payment_term_30days")

        company.write({
            "ar_enforcement_mode": "block",
            "ar_credit_manager_id": admin.id,
            "ar_default_collector_id": admin.id,
            "ar_exposure_include_drafts": True,
            "ar_exposure_net_unallocated": True,
            "ar_hold_overdue_amount": 1000.0,
            "ar_hold_overdue_days": 30,
            "ar_pilot_start_limit": 2000.0,
            "ar_pilot_step": 1000.0,
            "ar_pilot_invoices_per_step": 3,
            "ar_pilot_grace_days": 5,
            "ar_pilot_ceiling": 10000.0,
            "ar_payment_term_pilot_id": term_15.id,
            "ar_escalation_enabled": True,
        })
        self._ar_create_missing_files(env["res.company"].search([("parent_id", "=", False)]))
        product = env.ref("ar_policy.demo_product_service")
        partners = self._ar_demo_partners()
        files = self._ar_files_for(
            env["res.partner"].concat(*partners.values()), company, create=True
        )

        def days(count):
            return today - timedelta(days=count)

        def file_of(key):
            return files[partners[key].id]

        def invoice(key, amount, invoice_date, **kwargs):
            return self._ar_demo_invoice(
                partners[key], company, product, amount, invoice_date, **kwargs
            )

        # (a) Approved for years, limit 20,000: invoices paid on time, one open.
        file_of("good_payer")._ar_set_limit(20000.0, "Five years of payments on time")
        for age, amount in ((120, 6400.0), (90, 5200.0), (60, 7300.0)):
            paid = invoice("good_payer", amount, days(age), term=term_30, post=True)
            self._ar_demo_pay(paid, days(age - 25))
        invoice("good_payer", 4200.0, days(5), term=term_30, post=True)

        # (b) Pilot at the starting limit, one invoice paid on time.
        file_of("pilot")._ar_set_status("pilot", "New customer: trial credit on a pilot")
        pilot_invoice = invoice("pilot", 800.0, today, post=True)
        self._ar_demo_pay(pilot_invoice, today)

        # (c) Prepayment only, with an advance payment not yet used.
        file_of("prepayment")._ar_set_status(
            "prepayment", "No trade references: pays in advance"
        )
        self._ar_demo_payment(partners["prepayment"], company, 1500.0, days(3))

        # (d) Limit 5,000 with exposure above it: the invoices were posted while the
        # policy was off, as happens when a company turns it on.
        file_of("over_limit")._ar_set_limit(5000.0, "Limit agreed at onboarding")
        company.ar_enforcement_mode = "off"
        invoice("over_limit", 3500.0, days(12), term=term_30, post=True)
        invoice("over_limit", 2600.0, days(4), term=term_30, post=True)
        # 7 days late: the escalation run sends its warning and a call for the collector.
        invoice("over_limit", 300.0, days(37), term=term_30, post=True)
        company.ar_enforcement_mode = "block"

        # (e) Invoices due 60 days ago: the overdue policy holds the customer.
        file_of("overdue")._ar_set_limit(15000.0, "Limit agreed at onboarding")
        invoice("overdue", 1800.0, days(90), term=term_30, post=True)
        invoice("overdue", 1200.0, days(90), term=term_30, post=True)
        # 95 days late: the escalation run hands it over to the collection agency.
        invoice("overdue", 600.0, days(125), term=term_30, post=True)

        # (f) Invoices addressed to the contacts count towards the parent company.
        file_of("group")._ar_set_limit(10000.0, "Group-wide limit")
        invoice("group", 2500.0, days(8), term=term_30, post=True,
                partner=env.ref("ar_policy.demo_partner_group_purchasing"))
        invoice("group", 700.0, days(40), term=term_30, post=True,
                partner=env.ref("ar_policy.demo_partner_group_payables"))

        # (g) Invoiced in another currency; figures are in company currency.
        foreign = self._ar_demo_foreign_currency(company, today)
        file_of("euro")._ar_set_limit(8000.0, "Limit agreed at onboarding")
        invoice("euro", 3000.0, days(20), term=term_30, currency=foreign, post=True)
        # 25 days late: the escalation stage suspends service (credit hold).
        invoice("euro", 400.0, days(55), term=term_30, currency=foreign, post=True)

        # A manual hold with its reason, and a draft invoice the hold stops.
        invoice("manual_hold", 1500.0, days(10), term=term_30, post=True)
        invoice("manual_hold", 900.0, today, term=term_30, post=False)
        file_of("manual_hold")._ar_set_manual_hold(
            "Delivery dispute: no new invoices until the contract is renegotiated"
        )

        self.search([("company_id", "=", company.id)])._ar_refresh_holds()
        self._ar_demo_branch_company(partners, product, today)
        self.env["ar.concentration"]._ar_demo_history()
        self._ar_demo_worklist(company, file_of, invoice, days, term_30)

    @api.model
    def _ar_demo_worklist(self, company, file_of, invoice, days, term_30):
        """Today's worklist: a broken promise, a dispute to review, silent late
        accounts and a hand-over, with ratings A to D (scores from the ledgers)."""
        # posted while the policy was off, as for the customer over the limit
        company.ar_enforcement_mode = "off"
        # Group parent company: 25 days late, never called.
        invoice("group", 900.0, days(55), term=term_30, post=True)
        # Customer over the limit: promised 12 days ago to pay the late 300 three days
        # ago; the promise broke yesterday and nobody has called since.
        late = invoice("over_limit", 450.0, days(50), term=term_30, post=True)
        lines = late.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable")
        promise = self.env["ar.promise"]._ar_record(
            file_of("over_limit"), lines, [(days(0), 450.0)], reason="Paying after our audit",
        )
        # promised for three days ago (a promise is recorded for today or later)
        self.env.flush_all()
        self.env.execute_query(SQL(
            "UPDATE ar_promise_instalment SET date = %s WHERE promise_id = %s",
            days(3), promise.id,
        ))
        self.env.execute_query(SQL(
            "UPDATE ar_promise SET date = %s, date_deadline = %s, state = 'broken', "
            "state_date = %s WHERE id = %s", days(3), days(1), days(1), promise.id,
        ))
        # Customer on manual hold: an invoice disputed 20 days ago, no contact since.
        disputed = invoice("manual_hold", 650.0, days(60), term=term_30, post=True)
        company.ar_enforcement_mode = "block"
        self.env["ar.promise"]._ar_set_dispute(disputed, True, "Quantities delivered differ")
        disputed.line_ids.filtered("ar_disputed")._ar_write_policy_fields(
            {"ar_dispute_date": days(20)})
        files = file_of("over_limit") | file_of("manual_hold")
        self.env.flush_all()
        for file, age in ((file_of("over_limit"), 12), (file_of("manual_hold"), 20)):
            self.env.execute_query(SQL(
                "UPDATE ar_escalation_history SET date = date - interval '1 day' * %s, "
                "run_date = run_date - %s WHERE file_id = %s", age, age, file.id,
            ))
        self.env.invalidate_all()
        files.write({"worklist_done_on": False})
        self._cron_worklist()

    @api.model
    def _ar_demo_partners(self):
        """The demo customers, with xml ids so the summary (and people) can find them."""
        env = self.env
        values = {
            # full postal addresses: the dunning letters print them in the envelope window
            "good_payer": {"street": "12 Elm Street", "zip": "62701", "city": "Springfield"},
            "pilot": {"street": "48 River Road", "zip": "92501", "city": "Riverside"},
            "prepayment": {"street": "7 Fair Lane", "zip": "37064", "city": "Fairview"},
            "over_limit": {"street": "301 Main Street", "zip": "37064", "city": "Franklin"},
            "overdue": {"street": "85 Commerce Drive", "zip": "29601", "city": "Greenville"},
            "group": {"street": "9 Clinton Plaza", "zip": "28328", "city": "Clinton"},
            "euro": {"street": "Rue de la Loi 42", "zip": "1040", "city": "Brussels",
                     "country_id": env.ref("base.be").id},
            "manual_hold": {"street": "2 State Street", "zip": "53703", "city": "Madison"},
        }
        partners = {}
        xmlids = []
        for xmlid, name in DEMO_CUSTOMERS:
            key = xmlid.removeprefix("demo_partner_")
            partner = env["res.partner"].create({
                "name": name,
                "is_company": True,
                "customer_rank": 1,
                # the overdue customer has no email: its reminders become letters
                "email": False if key == "overdue" else f"{key.replace('_', '.')}@example.com",
                **values[key],
            })
            partners[key] = partner
            xmlids.append({"xml_id": f"ar_policy.{xmlid}", "record": partner, "noupdate": True})
        for suffix, name in (("purchasing", "Anna Purchasing"), ("payables", "Ben Payables")):
            contact = env["res.partner"].create({
                "name": name,
                "parent_id": partners["group"].id,
                "type": "invoice",
                "customer_rank": 1,
                "email": f"{suffix}@group.example.com",
            })
            xmlids.append({
                "xml_id": f"ar_policy.demo_partner_group_{suffix}",
                "record": contact,
                "noupdate": True,
            })
        env["ir.model.data"]._update_xmlids(xmlids)
        return partners

    @api.model
    def _ar_demo_foreign_currency(self, company, today):
        """EUR (USD when the company books in EUR), active, with a recent rate."""
        currency = self.env.ref("base.EUR")
        if currency == company.currency_id:
            currency = self.env.ref("base.USD")
        currency.active = True
        Rate = self.env["res.currency.rate"]
        for age, rate in ((150, 0.90), (0, 0.92)):
            date = today - timedelta(days=age)
            if not Rate.search_count([
                ("currency_id", "=", currency.id), ("company_id", "=", company.id),
                ("name", "=", date),
            ]):
                Rate.create({
                    "currency_id": currency.id, "company_id": company.id, "name": date,
                    "rate": rate,
                })
        return currency

    @api.model
    def _ar_demo_invoice(self, customer, company, product, amount, invoice_date, term=None,
                         currency=None, post=True, partner=None):
        vals = {
            "move_type": "out_invoice",
            "partner_id": (partner or customer).id,
            "invoice_date": invoice_date,
            "currency_id": (currency or company.currency_id).id,
            "invoice_line_ids": [Command.create({
                "product_id": product.id,
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        }
        if term:
            vals["invoice_payment_term_id"] = term.id
        move = self.env["account.move"].with_company(company).create(vals)
        if post:
            move.action_post()
        return move

    @api.model
    def _ar_demo_pay(self, invoices, payment_date):
        register = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids
        ).create({"payment_date": payment_date})
        return register._create_payments()

    @api.model
    def _ar_demo_payment(self, partner, company, amount, date):
        """An advance payment, posted and left unallocated."""
        journal = self.env["account.journal"].search([
            ("type", "=", "bank"), ("company_id", "=", company.id),
        ], limit=1)
        payment = self.env["account.payment"].with_company(company).create({
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": amount,
            "date": date,
            "journal_id": journal.id,
        })
        payment.action_post()
        return payment

    @api.model
    def _ar_demo_branch_company(self, partners, product, today):
        """A second root company with its own chart, files, limits and one invoice."""
        env = self.env
        admin = env.ref("base.user_admin")
        main = env.ref("base.main_company")
        company = env["res.company"].create({
            "name": DEMO_BRANCH_COMPANY,
            "currency_id": main.currency_id.id,
            "country_id": (main.country_id or env.ref("base.us")).id,
        })
        env["ir.model.data"]._update_xmlids([{
            "xml_id": "ar_policy.demo_company_branch", "record": company, "noupdate": True,
        }])
        (env.ref("base.user_root") | admin).write({"company_ids": [Command.link(company.id)]})
        # What res.company.create does for a branch; try_loading() would only add a
        # warning that the registry is still loading, as it always is during demo.
        env["account.chart.template"]._load("generic_coa", company, install_demo=False)
        company.write({
            "ar_enforcement_mode": "warn",
            "ar_credit_manager_id": admin.id,
            "ar_hold_overdue_amount": 2000.0,
            "ar_hold_overdue_days": 45,
        })
        files = self._ar_files_for(
            env["res.partner"].concat(*partners.values()), company, create=True
        )
        for key, limit in (("good_payer", 5000.0), ("over_limit", 1000.0), ("group", 3000.0)):
            files[partners[key].id]._ar_set_limit(limit, "Limit for this company's trade")
        # Warn mode: the invoice goes over the limit here, posts, and is logged.
        self._ar_demo_invoice(
            partners["over_limit"], company, product, 1500.0, today - timedelta(days=2),
            term=env.ref("account.account_payment_term_30days"), post=True,
        )


class ArConcentration(models.AbstractModel):
    """Demo data: a few months of concentration snapshots for the main company."""

    _inherit = "ar.concentration"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_demo_history(self):
        """Enable the warnings on the main company and write back-dated month-end
        snapshots for the last four months, then today's (with its crossings)."""
        company = self.env.ref("base.main_company")
        company.sudo().write({
            "ar_concentration_enabled": True,
            "ar_conc_min_customers": 3,
        })
        today = fields.Date.context_today(self.with_company(company))
        for months in (4, 3, 2, 1):
            month_end = today.replace(day=1) - relativedelta(months=months - 1) - timedelta(days=1)
            self.sudo()._ar_take_snapshot(company, as_of=month_end)
        return self.sudo()._ar_take_snapshot(company, notify=True)
