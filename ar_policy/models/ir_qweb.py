from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    """A mail template rendered for many records, compiled once.

    Odoo renders a mail template's QWeb body for each record from a fresh copy of its
    source (``mail.render.mixin._render_template_qweb``), and an inline template is
    compiled again every time: about 0.1 s per customer for the reminder, twice per
    reminder. Under a context key ``ar_qweb_compiled`` (a dict the escalation run
    keeps for one batch), an inline template is compiled once per source and cache
    key (language, rendering mode) and the compiled functions are reused; the mail
    template stays editable and translated as Odoo's own.
    """

    _inherit = "ir.qweb"

    def _compile(self, template):
        compiled = self.env.context.get("ar_qweb_compiled")
        if compiled is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (etree.tostring(template), *(
            str(self.env.context.get(name)) for name in self._get_template_cache_keys()))
        if key not in compiled:
            compiled[key] = super()._compile(template)
        return compiled[key]
