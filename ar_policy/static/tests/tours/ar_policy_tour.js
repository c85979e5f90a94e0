/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Held Customer";

/**
 * A credit controller opens a held customer from "Customers on Credit Hold", sees
 * its figures and the hold ribbon, opens its draft invoice and is refused when
 * posting it (ar_policy/tests/test_tour.py sets the data up).
 */
registry.category("web_tour.tours").add("ar_policy_held_customer_tour", {
    url: "/odoo/action-ar_policy.action_ar_credit_file_held",
    steps: () => [
        {
            content: "Open the held customer's credit file",
            trigger: `.o_list_view .o_data_row td[name="partner_id"]:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "The file shows the hold ribbon",
            trigger: '.o_form_view .ribbon:contains("On Credit Hold")',
        },
        {
            content: "The hold cause is shown",
            trigger: '.o_form_view .o_field_widget[name="hold_causes"]:contains("Manual")',
        },
        {
            content: "Exposure counts the open invoice and the draft",
            trigger: '.o_form_view .o_field_widget[name="exposure"]:contains("1,750.00")',
        },
        {
            content: "Open the customer's draft invoices",
            trigger: '.o_form_view button[name="action_view_drafts"]',
            run: "click",
        },
        {
            content: "Open the draft invoice",
            trigger: `.o_list_view .o_data_row td[name="invoice_partner_display_name"]:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "The invoice says the customer is on credit hold",
            trigger: '.o_form_view .alert-danger:contains("on credit hold")',
        },
        {
            content: "Try to confirm the invoice",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_post"]',
            run: "click",
        },
        {
            content: "Posting is refused: the customer is on credit hold",
            trigger: '.modal .modal-body:contains("on credit hold")',
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The invoice is still a draft",
            trigger:
                '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Draft")',
        },
    ],
});
