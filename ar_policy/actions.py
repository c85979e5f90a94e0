"""Window actions the addon's buttons return."""


def wizard_action(model, title, context):
    """A wizard of ``model`` opened in a dialog titled ``title`` with ``context``."""
    return {
        "type": "ir.actions.act_window",
        "name": title,
        "res_model": model,
        "view_mode": "form",
        "target": "new",
        "context": context,
    }
