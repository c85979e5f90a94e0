from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..rules import promise as rules


class ArPromiseWizard(models.TransientModel):
    """A credit controller records what the customer promised: one date and amount,
    or a payment plan of several instalments, for some of its open items."""

    _name = "ar.promise.wizard"
    _description = "Record a Promise to Pay"

    file_id = fields.Many2one("ar.credit.file", string="Credit File", required=True)
    partner_id = fields.Many2one(related="file_id.partner_id")
    company_id = fields.Many2one(related="file_id.company_id")
    line_ids = fields.Many2many(
        "account.move.line", "ar_promise_wizard_line_rel", "wizard_id", "line_id",
        string="Items", required=True, domain="[('id', 'in', open_line_ids)]",
    )
    open_line_ids = fields.Many2many(
        "account.move.line", compute="_compute_open_line_ids",
        help="The open items of the customer's account position.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_open", readonly=True)
    amount_open = fields.Monetary(
        string="Open on the Items", compute="_compute_open", currency_field="currency_id"
    )
    is_plan = fields.Boolean(string="Payment Plan")
    date = fields.Date(string="Promised Date")
    amount = fields.Monetary(currency_field="currency_id")
    instalment_count = fields.Integer(string="Instalments", default=3)
    instalment_ids = fields.One2many(
        "ar.promise.wizard.instalment", "wizard_id", string="Plan"
    )
    grace_days = fields.Integer(related="company_id.ar_promise_grace_days")
    reason = fields.Char(help="What the customer said, e.g. why it pays late.")
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        Promise = self.env["ar.promise"]
        File = self.env["ar.credit.file"]
        lines = self.env["account.move.line"]
        if ctx.get("active_model") == "account.move" and ctx.get("active_ids"):
            moves = self.env["account.move"].browse(ctx["active_ids"])
            partners = moves.commercial_partner_id
            if len(partners) != 1 or len(moves.company_id.root_id) != 1:
                raise UserError(self.env._("Choose invoices of one customer in one company."))
            file = File.sudo()._ar_files_for(partners, moves.company_id.root_id, create=True)[
                partners.id]
            values["file_id"] = file.id
            lines = Promise._ar_receivable_lines(moves)
        elif ctx.get("active_model") == "ar.credit.file" and ctx.get("active_id"):
            values["file_id"] = ctx["active_id"]
        if values.get("file_id") and not lines:
            position = self._ar_position(File.browse(values["file_id"]))
            items = position.overdue_items or position.not_due_items
            lines = self.env["account.move.line"].browse([item.line_id for item in items])
        lines = lines.filtered(lambda line: not line.reconciled and line.amount_residual > 0)
        if "line_ids" in fields_list and lines:
            values["line_ids"] = [fields.Command.set(lines.ids)]
        if lines and values.get("file_id"):
            file = File.browse(values["file_id"])
            currency = Promise._ar_line_currency(lines, file.company_id)
            values.setdefault("amount", Promise._ar_open_of(lines, currency))
        values.setdefault("date", fields.Date.context_today(self) + relativedelta(days=7))
        return values

    @api.model
    def _ar_position(self, file):
        """The account position of ``file``'s customer."""
        file = file.sudo()
        return self.env["ar.account.position"].sudo()._ar_positions(
            file.partner_id, file.company_id
        )[file.partner_id.id]

    @api.depends("file_id")
    def _compute_open_line_ids(self):
        for wizard in self:
            items = self._ar_position(wizard.file_id).items if wizard.file_id else ()
            wizard.open_line_ids = [fields.Command.set([item.line_id for item in items])]

    @api.depends("line_ids", "file_id")
    def _compute_open(self):
        Promise = self.env["ar.promise"]
        for wizard in self:
            lines = wizard.line_ids._origin
            company = wizard.file_id.company_id or self.env.company
            currency = Promise._ar_line_currency(lines, company) if lines else company.currency_id
            wizard.currency_id = currency
            wizard.amount_open = Promise._ar_open_of(lines, currency) if lines else 0.0

    @api.onchange("line_ids")
    def _onchange_line_ids(self):
        if not self.is_plan:
            self.amount = self.amount_open

    def action_split(self):
        """Splits the open amount into equal monthly instalments from the promised date."""
        self.ensure_one()
        company = self.file_id.company_id or self.env.company
        maximum = company.ar_promise_max_instalments
        if not 1 <= self.instalment_count <= maximum:
            raise UserError(self.env._(
                "Instalments: from 1 to %(max)s (Maximum Instalments in the settings), "
                "not %(count)s.", max=maximum, count=self.instalment_count,
            ))
        if not self.date:
            raise UserError(self.env._("Promised Date: the first instalment's date is needed."))
        dates = rules.plan_dates(self.date, self.instalment_count)
        today = fields.Date.context_today(self)
        last = rules.horizon(today, company.ar_promise_horizon_days)
        if not dates or self.date < today or dates[-1] > last:
            raise UserError(self.env._(
                "Promised Date: the plan runs from today to %(last)s at the latest (Promise "
                "Horizon (days) in the settings).", last=format_date(self.env, last),
            ))
        total = self.amount or self.amount_open
        amounts = rules.split_evenly(total, self.instalment_count, self.currency_id.rounding)
        self.write({
            "is_plan": True,
            "instalment_ids": [fields.Command.clear()] + [
                fields.Command.create({"date": date, "amount": amount})
                for date, amount in zip(dates, amounts, strict=True)
            ],
        })
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Record a Promise to Pay"),
        }

    def _instalments(self):
        self.ensure_one()
        if self.is_plan:
            return [(inst.date, inst.amount) for inst in self.instalment_ids]
        if not self.date:
            raise UserError(self.env._("Promised Date: when will the customer pay?"))
        return [(self.date, self.amount)]

    def action_confirm(self):
        self.ensure_one()
        self.env["ar.promise"]._ar_record(
            self.file_id, self.line_ids, self._instalments(), reason=self.reason or "",
            note=self.note or "",
        )
        return {"type": "ir.actions.act_window_close"}


class ArPromiseWizardInstalment(models.TransientModel):
    _name = "ar.promise.wizard.instalment"
    _description = "Promise to Pay Instalment (wizard)"
    _order = "date, id"

    wizard_id = fields.Many2one("ar.promise.wizard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="wizard_id.currency_id")
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")
