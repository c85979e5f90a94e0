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
        # The client reads it from the serialized exception's ``context``
        # (odoo/http.py, serialize_exception); ar_policy's refusal dialog
        # (static/src/js/credit_refusal_dialog.js) shows it as the dialog's title.
        self.title = title
        self.context = {"exception_class": "odoo.exceptions.UserError", "title": title}


class ArCreditOverrideOffer(RedirectWarning):
    """A refusal offered to a credit manager with the button to the override wizard:
    Odoo's RedirectWarning, titled by what happened (``context["title"]``). Without
    ar_policy's dialog the client falls back to Odoo's (``exception_class``)."""

    def __init__(self, message, action, button_text, title=None):
        super().__init__(message, action, button_text)
        self.title = title
        self.context = {"exception_class": "odoo.exceptions.RedirectWarning", "title": title}


def manager_override_offer(refusal, action, button_text):
    """The refusal as a RedirectWarning to ``action`` (the manager's wizard)."""
    offer = ArCreditOverrideOffer(
        refusal.args[0], action, button_text, title=getattr(refusal, "title", None)
    )
    offer.loglevel = logging.INFO
    return offer
