import logging
import re

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from ..rules import escalation as rules
from ..rules import fees as fee_rules
from ..rules import statutory

# The placeholders a stage's letter text may use, replaced when the letter prints.
LETTER_PLACEHOLDERS = ("customer", "company", "deadline", "net_overdue", "balance",
                       "suspension_date", "handover_to")
PLACEHOLDER_RE = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*\}\}")

_logger = logging.getLogger(__name__)


class ArEscalationStage(models.Model):
    """One step of an escalation ladder: when it fires (days from the due date,
    negative = before it) and what it does."""

    _name = "ar.escalation.stage"
    _description = "Escalation Stage"
    _order = "policy_id, offset_days, sequence, id"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "ar.escalation.policy", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    offset_days = fields.Integer(
        string="Day Offset", required=True,
        help="Days after the item's due date when this stage fires; negative: before it.",
    )
    action_email = fields.Boolean(string="Send Email")
    mail_template_id = fields.Many2one(
        "mail.template", string="Email Template",
        domain="[('model', '=', 'ar.credit.file')]",
    )
    action_activity = fields.Boolean(string="Schedule Activity")
    activity_type_id = fields.Many2one("mail.activity.type")
    activity_user_id = fields.Many2one(
        "res.users", string="Activity For",
        help="Empty: the credit file's collector.",
    )
    activity_note = fields.Html()
    action_letter = fields.Boolean(string="Print Letter")
    letter_text = fields.Html(
        translate=True, sanitize_overridable=False,
        help="The stage's own text in the dunning letter. Placeholders: {{ customer }}, "
        "{{ company }}, {{ deadline }}, {{ net_overdue }}, {{ balance }}, "
        "{{ suspension_date }}, {{ handover_to }}. Empty: the default text for the "
        "stage's tone.",
    )
    payment_days = fields.Integer(
        string="Payment Deadline (days)", default=10,
        help="The reminder and the letter ask for payment within these days of the run.",
    )
    mail_attach_invoices = fields.Boolean(
        string="Attach Invoice PDFs",
        help="The reminder carries the PDF of each overdue invoice (Odoo's invoice report).",
    )
    action_fee = fields.Boolean(string="Charge Late Fee")
    fee_product_id = fields.Many2one("product.product")
    fee_fixed = fields.Monetary(
        string="Fixed Fee", currency_field="currency_id",
        help="In company currency, converted to the invoice's currency.",
    )
    fee_percent = fields.Float(string="Fee (% of open amount)")
    interest_preset = fields.Selection(
        [(statutory.PRESET_CONTRACTUAL, "Contractual"),
         (statutory.PRESET_EU, "EU Late Payment Directive"),
         (statutory.PRESET_UK, "UK Late Payment Act")],
        string="Interest Basis", default=statutory.PRESET_CONTRACTUAL, required=True,
        help="Contractual: the Fixed Fee and the annual Interest below. EU Late Payment "
        "Directive: the ECB reference rate + 8 points and EUR 40 once per invoice. UK "
        "Late Payment Act: the Bank of England base rate + 8 %, fixed for the debt, and "
        "GBP 40/70/100 by invoice amount. Reference rates: Statutory Reference Rates.",
    )
    interest_rate = fields.Float(string="Interest (annual %)")
    action_hold = fields.Boolean(
        string="Credit Hold",
        help="The customer is on credit hold while any open item is at or above this stage.",
    )
    suspension_days = fields.Integer(
        string="Service Suspended After (days)",
        help="The email names the date service stops: the run date plus these days.",
    )
    action_deposit = fields.Boolean(string="Require Deposit")
    deposit_percent = fields.Float(string="Deposit (%)")
    action_handover = fields.Boolean(string="Hand Over")
    handover_to = fields.Selection(
        [("agency", "Collection agency"), ("legal", "Legal")], string="Hand Over To",
    )

    @api.constrains("offset_days", "sequence", "policy_id")
    def _check_offsets(self):
        for policy in self.policy_id:
            stages = policy.stage_ids.sorted(lambda s: (s.sequence, s.id))
            index = rules.first_unordered_offset(stages.mapped("offset_days"))
            if index is not None:
                raise ValidationError(self.env._(
                    "Stage %(stage)s: its Day Offset (%(offset)s) must be above the one of "
                    "the stage before it (%(previous)s, %(prev_offset)s): offsets increase "
                    "strictly along the ladder.",
                    stage=stages[index].name, offset=stages[index].offset_days,
                    previous=stages[index - 1].name, prev_offset=stages[index - 1].offset_days,
                ))

    @api.constrains("action_email", "mail_template_id", "action_activity", "activity_type_id",
                    "action_deposit", "deposit_percent", "action_handover", "handover_to",
                    "suspension_days")
    def _check_actions(self):
        for stage in self:
            if stage.action_email and not stage.mail_template_id:
                raise ValidationError(self.env._(
                    "Stage %s sends an email: choose its Email Template.", stage.name
                ))
            if stage.action_activity and not stage.activity_type_id:
                raise ValidationError(self.env._(
                    "Stage %s schedules an activity: choose its Activity Type.", stage.name
                ))
            if stage.action_deposit and not 0 < stage.deposit_percent <= 100:
                raise ValidationError(self.env._(
                    "Stage %s requires a deposit: Deposit (%%) must be above 0 and at most 100.",
                    stage.name,
                ))
            if stage.action_handover and not stage.handover_to:
                raise ValidationError(self.env._(
                    "Stage %s hands items over: choose Hand Over To.", stage.name
                ))
            if stage.suspension_days < 0:
                raise ValidationError(self.env._(
                    "Stage %s: Service Suspended After (days) cannot be negative.", stage.name
                ))

    @api.constrains("action_fee", "fee_product_id", "fee_fixed", "fee_percent", "interest_rate",
                    "offset_days")
    def _check_fee(self):
        labels = {
            "fee_fixed": self.env._("Fixed Fee cannot be negative."),
            "fee_percent": self.env._("Fee (% of open amount) must be between 0 and 100."),
            "interest_rate": self.env._("Interest (annual %) must be between 0 and 100."),
        }
        for stage in self:
            bad = fee_rules.check_stage(stage.fee_fixed, stage.fee_percent, stage.interest_rate)
            if bad:
                raise ValidationError(self.env._(
                    "Stage %(stage)s: %(problem)s", stage=stage.name, problem=labels[bad[0]]
                ))
            if stage.action_fee and not stage.fee_product_id:
                raise ValidationError(self.env._(
                    "Stage %s charges a late fee: choose its Fee Product.", stage.name
                ))
            if stage.action_fee and stage.offset_days <= 0:
                raise ValidationError(self.env._(
                    "Stage %s charges a late fee: its Day Offset must be after the due date.",
                    stage.name,
                ))

    @api.constrains("letter_text", "payment_days")
    def _check_letter_text(self):
        for stage in self:
            if stage.payment_days < 0:
                raise ValidationError(self.env._(
                    "Stage %s: Payment Deadline (days) cannot be negative.", stage.name
                ))
            problem = stage._ar_letter_text_problem(stage.letter_text)
            if problem:
                raise ValidationError(self.env._(
                    "Stage %(stage)s, Letter Text: %(problem)s",
                    stage=stage.name, problem=problem,
                ))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A stage that fired keeps its place: history rows name it and items stand at
        it, and without it tomorrow's run would fire the stages below it again."""
        used = self._ar_used_stages()
        if used:
            raise UserError(self.env._(
                "Stages %(stages)s are named by the escalation history or by customers' "
                "items and cannot be deleted. Turn off their actions instead, or archive "
                "the policy and give its customers another one.",
                stages=", ".join(used.mapped("name")),
            ))

    def _ar_used_stages(self):
        """The stages of ``self`` that history rows, items or credit files refer to."""
        if not self:
            return self
        used_ids = set()
        for model, fname in (("ar.escalation.history", "stage_id"),
                             ("account.move.line", "ar_stage_id"),
                             ("ar.credit.file", "escalation_stage_id")):
            groups = self.env[model].sudo().with_context(active_test=False)._read_group(
                [(fname, "in", self.ids)], [fname],
            )
            used_ids.update(stage.id for (stage,) in groups)
        return self.filtered(lambda stage: stage.id in used_ids)

    def _ar_actions_label(self):
        """The actions of this stage, in words (preview, history)."""
        self.ensure_one()
        labels = []
        for fname in ("action_email", "action_activity", "action_letter", "action_fee",
                      "action_hold", "action_deposit", "action_handover"):
            if self[fname]:
                labels.append(self._fields[fname].get_description(self.env)["string"])
        return ", ".join(labels)

    # ------------------------------------------------------------------
    # What the customer reads
    # ------------------------------------------------------------------

    def _ar_tone(self):
        """The reminder's tone for this stage, the highest reached: 'friendly' before
        the due date, 'formal' once supply stops or the account is handed over (or a
        deposit is required), 'firm' in between."""
        self.ensure_one()
        if self.offset_days <= 0:
            return "friendly"
        if self.action_hold or self.action_handover or self.action_deposit:
            return "formal"
        return "firm"

    @api.model
    def _ar_letter_text_problem(self, text):
        """Why ``text`` cannot print (an unknown or unclosed placeholder), or ''."""
        plain = html2plaintext(text or "")
        names = PLACEHOLDER_RE.findall(plain)
        unknown = [name for name in names if name not in LETTER_PLACEHOLDERS]
        if unknown:
            return self.env._(
                "unknown placeholder {{ %(name)s }}; use %(known)s.", name=unknown[0],
                known=", ".join("{{ %s }}" % known for known in LETTER_PLACEHOLDERS),
            )
        rest = PLACEHOLDER_RE.sub("", plain)
        if "{{" in rest or "}}" in rest or "<t " in (text or "") or "t-out" in (text or ""):
            return self.env._(
                "a placeholder is not closed or uses code; write it as {{ deadline }}."
            )
        return ""

    def _ar_default_letter_paragraphs(self):
        """The paragraphs of a stage without its own text, in the context's language: a
        reminder, a formal notice naming the date service stops, or the hand-over
        notice."""
        self.ensure_one()
        _ = self.env._
        if self.action_handover:
            return [
                _("Despite our reminders and our formal notice, the amount below is still "
                  "unpaid. We have therefore handed your account over: {{ handover_to }}."),
                _("From now on, please settle the net amount overdue of {{ net_overdue }} "
                  "with us or with them directly; any further costs of collection may be "
                  "charged to you."),
            ]
        if self._ar_tone() == "formal":
            return [
                _("This is a formal notice: the amount below is overdue and our earlier "
                  "reminders have gone unanswered."),
                _("Unless the net amount overdue of {{ net_overdue }} reaches us by "
                  "{{ deadline }}, deliveries and services stop from {{ suspension_date }} "
                  "and we will take further steps to recover the debt."),
            ]
        return [_(
            "According to our records, the items below are still open on your account. "
            "This may have escaped your attention: we kindly ask you to settle the net "
            "amount overdue of {{ net_overdue }} by {{ deadline }}."
        )]

    def _ar_default_letter_text(self):
        """The text of a stage without its own, in the context's language."""
        return Markup("").join(
            Markup("<p>%s</p>") % paragraph for paragraph in self._ar_default_letter_paragraphs()
        )

    def _ar_write_default_letter_texts(self):
        """Writes each stage's default letter text, in English and translated term by
        term into every installed language (the field is translated like Odoo's HTML
        fields), so that a customer reads it in its own language and the company edits
        it per language."""
        langs = [code for code, _name in self.env["res.lang"].get_installed() if code != "en_US"]
        for stage in self:
            english = stage.with_context(lang="en_US")
            english.letter_text = english._ar_default_letter_text()
            terms = [str(escape(term)) for term in english._ar_default_letter_paragraphs()]
            stage.update_field_translations("letter_text", {
                lang: dict(zip(terms, (str(escape(term)) for term in stage.with_context(
                    lang=lang)._ar_default_letter_paragraphs()), strict=True))
                for lang in langs
            })

    def _ar_letter_text(self, values):
        """The stage's letter text with its placeholders filled from ``values``
        ({name: text}), escaped. A text that cannot print falls back to the default
        text and says so in the server log (the constraint refuses it at save)."""
        self.ensure_one()
        text = self.letter_text
        if text and (self.env.lang or "en_US") != "en_US":
            # the default text stored untouched at the stage's creation (in English, with
            # no translation of its own): the default text in the reader's language
            english = self.with_context(lang="en_US")
            if (html2plaintext(english.letter_text or "").split()
                    == html2plaintext(english._ar_default_letter_text()).split()
                    and text == english.letter_text):
                text = self._ar_default_letter_text()
        if not html2plaintext(text or "").strip() or self._ar_letter_text_problem(text):
            if text and html2plaintext(text).strip():
                _logger.warning(
                    "Stage %s: its Letter Text cannot print (%s); the default text is used.",
                    self.name, self._ar_letter_text_problem(text),
                )
            text = self._ar_default_letter_text()

        def fill(match):
            return str(escape(values.get(match.group(1), "")))

        return Markup(PLACEHOLDER_RE.sub(fill, str(text)))
