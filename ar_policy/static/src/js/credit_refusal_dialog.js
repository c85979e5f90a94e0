/** @odoo-module */

import { registry } from "@web/core/registry";
import { RedirectWarningDialog, WarningDialog } from "@web/core/errors/error_dialogs";

/**
 * The credit policy's refusals titled by what happened ("Credit hold", "Deposit
 * required", "Over credit limit") instead of Odoo's "Odoo Warning". The server puts the
 * title in the exception's context (ar_policy/exceptions.py), which reaches the client
 * as error.data.context (odoo/http.py, serialize_exception).
 */
function refusalTitle(props) {
    const title = props.data?.context?.title;
    return typeof title === "string" && title ? title : null;
}

export class ArCreditRefusalDialog extends WarningDialog {
    inferTitle() {
        return refusalTitle(this.props) || super.inferTitle();
    }
}

export class ArCreditOverrideOfferDialog extends RedirectWarningDialog {
    setup() {
        super.setup();
        this.title = refusalTitle(this.props) || this.title;
    }
}

registry
    .category("error_dialogs")
    .add("odoo.addons.ar_policy.exceptions.ArCreditRefusal", ArCreditRefusalDialog)
    .add(
        "odoo.addons.ar_policy.models.ar_concentration.ArConcentrationRefusal",
        ArCreditRefusalDialog
    )
    .add("odoo.addons.ar_policy.exceptions.ArCreditOverrideOffer", ArCreditOverrideOfferDialog);
