from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_amount, format_date

from ..rules import position as position_rules


class ArCreditFile(models.Model):
    """What the escalation reminder and the dunning letter state, from the account position."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # The email (and the letter)
    # ------------------------------------------------------------------

    def _ar_escalation_mail_subject(self):
        """The subject follows the tone of the highest stage reached today."""
        self.ensure_one()
        stage = self._ar_escalation_tone_stage()
        tone = stage._ar_tone() if stage else "firm"
        subjects = {
            "friendly": self.env._("%(company)s: upcoming payments (%(customer)s)"),
            "firm": self.env._("%(company)s: payment reminder (%(customer)s)"),
            "formal": self.env._("%(company)s: overdue account, action required (%(customer)s)"),
        }
        return subjects[tone] % {"company": self.company_id.name,
                                 "customer": self.partner_id.name}

    def _ar_escalation_tone_stage(self):
        """The stage that sets the reminder's tone: the highest one the items reached
        today, else the file's current stage."""
        self.ensure_one()
        return self._ar_mail_batch()["tone"][self.id]

    def _ar_escalation_tone_stages(self):
        """{file id: the stage that sets its reminder's tone}: the highest stage its
        items reached today, else the file's current stage; one query for these files."""
        files = self.sudo()
        if not files:
            return {}
        today = fields.Date.context_today(files.with_company(files.company_id[:1]))
        groups = self.env["account.move.line"].sudo()._read_group([
            ("partner_id", "child_of", files.partner_id.ids),
            ("company_id", "child_of", files.company_id.ids),
            ("ar_stage_date", "=", today), ("ar_stage_id", "!=", False),
        ], ["partner_id", "company_id", "ar_stage_id"])

        def lineage(record):  # the record and its ancestors: child_of, as the domain reads it
            while record:
                yield record.id
                record = record.parent_id

        reached = defaultdict(list)  # (customer id, company id): stages reached today
        for partner, company, stage in groups:
            for partner_id in lineage(partner):
                for company_id in lineage(company):
                    reached[partner_id, company_id].append(stage)
        Stage = self.env["ar.escalation.stage"].sudo()
        result = {}
        for file in files:
            stages = Stage.union(*reached.get((file.partner_id.id, file.company_id.id), []))
            result[file.id] = (stages or file.escalation_stage_id.sudo()).sorted(
                "offset_days")[-1:]
        return result

    def _ar_mail_batch(self, positions=None):
        """What the reminders of a batch of files read once for all of them: the
        ``ar_mail_batch`` of the context when it covers these files (the escalation
        run sets it), else one made for ``self`` (with ``positions`` when known)."""
        batch = self.env.context.get("ar_mail_batch")
        # only a batch this code made (a context sent over RPC holds no sets)
        if (isinstance(batch, dict) and isinstance(batch.get("file_ids"), set)
                and set(self.ids) <= batch["file_ids"]):
            return batch
        return self._ar_escalation_mail_batch(positions)

    def _ar_escalation_mail_batch(self, positions=None):
        """Read in bulk for these files' reminders and letters, so that rendering them
        costs no query per file: their positions (``ar_positions`` of the context, as
        the run passes them, else read), the items' lines and invoices, portal tokens
        for every linked invoice and file, tonight's fee invoices, the tone stages,
        each company's bank account and online payment. Pass the result as the
        context's ``ar_mail_batch``; it also keeps each file's values once computed."""
        files = self.sudo()
        env = self.env
        company = files.company_id[:1]
        today = fields.Date.context_today(files.with_company(company))
        positions = positions or self.env.context.get("ar_positions") or {}
        missing = files.filtered(lambda f: f.partner_id.id not in positions)
        if missing:
            positions = {**positions, **files._ar_positions_of(missing, company, today)}
        Move = env["account.move"].sudo()
        fee_moves = Move.search([
            ("commercial_partner_id", "in", files.partner_id.ids),
            ("company_id", "child_of", files.company_id.ids),
            ("ar_origin", "=", "late_fee"), ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"), ("invoice_date", "=", today),
        ])
        line_ids = [item.line_id for file in files
                    for item in positions[file.partner_id.id].items]
        line_ids += [credit.line_id for file in files
                     for credit in positions[file.partner_id.id].credits]
        lines = env["account.move.line"].sudo().browse(line_ids)
        lines.fetch(["ar_stage_id", "ar_stage_date", "move_id", "discount_date",
                     "discount_amount_currency", "date"])
        moves = lines.move_id | fee_moves
        self._ar_ensure_tokens(moves, files)
        moves.fetch(["name", "move_type", "invoice_date", "date", "payment_reference",
                     "access_token", "amount_total", "currency_id"])
        fee_moves.invoice_line_ids.fetch(["name", "price_subtotal"])
        banks, pay_online = {}, {}
        for company in files.company_id:
            banks[company.id] = env["account.journal"].sudo().search([
                *env["account.journal"]._check_company_domain(company), ("type", "=", "bank"),
                ("bank_account_id", "!=", False),
            ], limit=1).bank_account_id
            pay_online[company.id] = "payment.provider" in env and bool(
                env["payment.provider"].sudo().search_count([
                    ("company_id", "=", company.id), ("state", "in", ("enabled", "test")),
                ], limit=1))
        return {
            "file_ids": set(self.ids),
            "positions": positions,
            "fees": {partner.id: fee_moves.filtered(
                lambda m, partner=partner: m.commercial_partner_id == partner)
                for partner in fee_moves.commercial_partner_id},
            "tone": files._ar_escalation_tone_stages(),
            "banks": banks,
            "pay_online": pay_online,
            "values": {},
        }

    @api.model
    def _ar_ensure_tokens(self, moves, files):
        """Portal access tokens for the invoices and files a reminder links, made in
        one statement per table: Odoo's ``_portal_ensure_token`` writes them one
        record at a time (a full invoice write each). Same format: a UUID4."""
        for records in (moves, files):
            records.flush_recordset(["access_token"])
            without = records.filtered(lambda r: not r.access_token)
            if without:
                self.env.execute_query(SQL(
                    "UPDATE %s SET access_token = gen_random_uuid()::text "
                    "WHERE id IN %s AND access_token IS NULL",
                    SQL.identifier(records._table), tuple(without.ids)))
                without.invalidate_recordset(["access_token"])

    def _ar_escalation_mail_values(self, position=None):
        """What the reminder (and the letter) states, from the account position: per
        document currency, the overdue items apart from the items not yet due (each
        with its days late and portal link) and the open credits, with their totals;
        then, in company currency at the documents' rates, the figures the credit file
        shows: overdue, less disputed and promised items, less open credits, net
        amount overdue, not yet due, balance. Stage names stay internal: the highest
        stage reached today only sets the tone."""
        self.ensure_one()
        self.check_access("read")
        file = self.sudo()
        company = file.company_id
        today = fields.Date.context_today(file.with_company(company))
        if position is None:
            # the batch's positions, read once for all its files; its values computed
            # once per file and language (the subject and the body each ask)
            batch = self._ar_mail_batch()
            key = (self.id, self.env.lang)
            if key not in batch["values"]:
                batch["values"][key] = self.with_context(
                    ar_mail_batch=batch)._ar_escalation_mail_values(
                    batch["positions"][file.partner_id.id])
            return batch["values"][key]
        file = file.with_context(ar_mail_batch=self._ar_mail_batch(
            positions={file.partner_id.id: position}))
        env = self.env
        currencies, stages_today, discounts = self._ar_escalation_mail_currencies(
            position, today
        )
        company_currency = company.currency_id

        def money(amount, currency):
            return format_amount(env, amount, currency)

        stage = stages_today.sorted("offset_days")[-1:] or file.escalation_stage_id.sudo()
        hold_stages = stages_today.filtered("action_hold")
        suspension = ""
        if hold_stages:
            suspension = format_date(
                env, today + timedelta(days=max(hold_stages.mapped("suspension_days")))
            )
        tone = stage._ar_tone() if stage else (
            "firm" if position.overdue_net else "friendly")
        deadline_day = today + timedelta(days=stage.payment_days if stage else 10)
        return {
            **file._ar_escalation_mail_extras(position, stage, today),
            "tone": tone,
            "deadline": format_date(env, deadline_day),
            "contact": file._ar_escalation_contact(),
            "currencies": currencies,
            "company_currency": company_currency,
            # the credit file's own figures: company currency, at the documents' rates
            "overdue_gross": money(position.overdue_gross, company_currency),
            "overdue_excluded": (money(position.overdue_excluded, company_currency)
                                 if position.overdue_excluded else ""),
            "credits_total": money(position.credits_total, company_currency),
            "overdue_net": money(position.overdue_net, company_currency),
            "not_yet_due": money(position.not_yet_due, company_currency),
            "balance": money(position.balance, company_currency),
            "is_overdue": not company_currency.is_zero(position.overdue_net),
            "credits_cover_overdue": position.credits_cover_overdue,
            "has_credits": bool(position.credits),
            "other_currency": any(c["currency"] != company_currency for c in currencies),
            "discounts": discounts,
            "stage": stage,
            "stages_today": stages_today.sorted("offset_days"),
            "suspension_date": suspension,
        }

    def _ar_escalation_mail_extras(self, position, stage, today):
        """What the reminder and the letter add to the figures: the next step and
        its date, the fee invoices posted today, payment instructions and the
        collector who signs."""
        self.ensure_one()
        env = self.env
        company = self.company_id
        batch = self._ar_mail_batch()
        fee_moves = batch["fees"].get(self.partner_id.id, env["account.move"])
        base_url = self.get_base_url()
        fees = [{
            "number": move.name,
            "amount": format_amount(env, move.amount_total, move.currency_id),
            "url": base_url + move.get_portal_url(),
            "lines": [{"name": line.name, "amount": format_amount(
                env, line.price_subtotal, move.currency_id)}
                for line in move.invoice_line_ids],
        } for move in fee_moves]
        bank = batch["banks"][company.id]
        collector = (self.collector_id or company.ar_default_collector_id
                     or company.ar_credit_manager_id).sudo()
        references = [item.move_name for item in position.overdue_items] or [
            item.move_name for item in position.not_due_items]
        return {
            "next_step": self._ar_escalation_next_step(position, stage, today),
            "fees": fees,
            "bank": {
                "holder": bank.partner_id.name or company.name,
                "number": bank.acc_number,
                "bank": bank.bank_id.name or "",
                "bic": bank.bank_id.bic or "",
            } if bank else {},
            "reference": ", ".join(dict.fromkeys(references)),
            "collector": {
                "name": collector.name or company.name,
                "email": collector.email or company.email or "",
                "phone": collector.partner_id.phone or collector.partner_id.mobile
                         or company.phone or "",
            },
            "pay_online": batch["pay_online"][company.id],
            "company": company,
            "customer": self.partner_id,
            "handover_to": dict(stage._fields["handover_to"]._description_selection(env)).get(
                stage.handover_to, "") if stage and stage.action_handover else "",
        }

    def _ar_escalation_next_step(self, position, stage, today):
        """What happens next and when, in the customer's words: the next stage of the
        ladder after ``stage`` and the day the oldest item reaches it; '' for none."""
        env = self.env
        policy = self._ar_escalation_policy()
        if not policy:
            return ""
        offset = stage.offset_days if stage else -10**6
        following = policy.stage_ids.filtered(lambda s: s.offset_days > offset).sorted(
            "offset_days")[:1]
        anchor = position.oldest_overdue_due or (
            position.not_due_items[0].due_date if position.not_due_items else None)
        if not following or not anchor:
            return ""
        day = max(anchor + timedelta(days=following.offset_days), today + timedelta(days=1))
        when = format_date(env, day)
        if following.action_handover:
            target = dict(following._fields["handover_to"]._description_selection(env)).get(
                following.handover_to, "")
            return env._("If it is still unpaid on %(date)s, we will hand your account "
                         "over for collection (%(target)s).", date=when, target=target.lower())
        if following.action_hold:
            return env._("If it is still unpaid on %(date)s, we will stop deliveries and new "
                         "orders until it is paid.", date=when)
        if following.action_fee:
            if following.interest_preset != "contractual":
                return env._("If it is still unpaid on %(date)s, statutory interest and the "
                             "fixed compensation for recovery costs will be charged.",
                             date=when)
            return env._("If it is still unpaid on %(date)s, a late fee and interest will be "
                         "charged.", date=when)
        if following.action_letter or following.action_deposit:
            return env._("If it is still unpaid on %(date)s, we will send you a formal "
                         "notice.", date=when)
        return env._("We will contact you again on %(date)s if it is still unpaid.",
                     date=when)

    @api.model
    def _ar_escalation_item_notes(self):
        """What the reminder says of an item the overdue figure leaves out."""
        return {
            position_rules.DISPUTE: self.env._("in dispute"),
            position_rules.PROMISE: self.env._("payment promised"),
            position_rules.POLICY_TODAY: self.env._("issued today"),
        }

    def _ar_escalation_mail_currencies(self, position, today):
        """Per document currency: the overdue items, the items not yet due and the
        open credits with their totals. Returns (currencies, the stages the items
        reached today, the early-payment discounts still open)."""
        file = self.sudo()
        env = self.env
        Line = env["account.move.line"].sudo()
        Currency = env["res.currency"]
        lines = Line.browse([item.line_id for item in position.items]
                            + [credit.line_id for credit in position.credits])
        lines.fetch(["ar_stage_id", "ar_stage_date", "move_id", "discount_date",
                     "discount_amount_currency", "date"])
        base_url = file.get_base_url()
        notes = self._ar_escalation_item_notes()
        stages_today = env["ar.escalation.stage"]
        discounts = []

        def money(amount, currency):
            return format_amount(env, amount, currency)

        def item_row(item, currency):
            nonlocal stages_today
            line = Line.browse(item.line_id)
            move = line.move_id
            if line.ar_stage_id and line.ar_stage_date == today:
                stages_today |= line.ar_stage_id
            if (line.discount_date and line.discount_date >= today
                    and line.discount_amount_currency):
                discounts.append({
                    "number": move.name,
                    "amount": money(line.discount_amount_currency, currency),
                    "date": format_date(env, line.discount_date),
                })
            return {
                "number": move.name,
                "date": format_date(env, move.invoice_date or move.date),
                "due_date": format_date(env, item.due_date),
                "days_late": max(position.days_late(item), 0),
                "amount": money(item.residual, currency),
                "note": notes.get(item.excluded, ""),
                "url": base_url + move.get_portal_url() if move.is_invoice() else "",
                "reference": move.payment_reference or move.name,
                "move": move,
                "line_id": item.line_id,
                "residual": item.residual,
                "excluded": item.excluded,
            }

        currencies = []
        for currency_id, part in position.by_currency().items():
            currency = Currency.browse(currency_id)
            currencies.append({
                "currency": currency,
                "overdue": [item_row(item, currency) for item in part.overdue_items],
                "not_due": [item_row(item, currency) for item in part.not_due_items],
                "credits": [{
                    "number": credit.name,
                    "date": format_date(env, credit.date),
                    "amount": money(credit.amount, currency),
                } for credit in part.credits],
                "overdue_total": money(part.overdue_gross, currency),
                "not_due_total": money(part.not_yet_due, currency),
                "credits_total": money(part.credits_total, currency),
            })
        return currencies, stages_today, discounts
