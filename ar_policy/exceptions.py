"""The addon's exceptions.

A refusal by the credit policy is a normal business outcome, not a fault: it reaches
the user with its message (and a credit manager with the button to the override
wizard), and the server logs it at INFO, without a traceback. Odoo's request handler
logs an exception at its ``loglevel`` attribute when it has one (odoo/http.py), and
at ERROR with a traceback otherwise, which is what operators alert on.
"""

import logging

from odoo.exceptions import RedirectWarning, UserError


class ArCreditRefusal(UserError):
    """The credit check refused one or more documents (invoices or orders)."""

    def __init__(self, message, title=None):
        super().__init__(message)
        # The web client shows an exception type it does not know as a crash
        # ("Oops!"); this shows the refusal in UserError's dialog instead
        # (web/static/src/core/errors/error_handlers.js, exception_class). The title
        # says what happened ("Credit hold"), for the dialog to show.
        self.title = title
        self.context = {"exception_class": "odoo.exceptions.UserError", "title": title}


def manager_override_offer(refusal, action, button_text):
    """The refusal as Odoo's RedirectWarning to ``action`` (the manager's wizard)."""
    offer = RedirectWarning(refusal.args[0], action, button_text)
    offer.loglevel = logging.INFO
    offer.context = {"title": getattr(refusal, "title", None)}
    return offer
