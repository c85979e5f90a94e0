/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Promising Customer";

/**
 * A credit controller opens a late customer's credit file, records its promise to
 * pay through the wizard (the overdue invoice and its open amount are proposed, the
 * date a week ahead) and finds the promise on the file
 * (ar_policy/tests/test_tour_promise.py sets the data up and checks the result).
 */
registry.category("web_tour.tours").add("ar_policy_promise_tour", {
    url: "/odoo/action-ar_policy.action_ar_credit_file",
    steps: () => [
        {
            content: "Find the late customer",
            trigger: ".o_searchview_input",
            run: `edit ${CUSTOMER}`,
        },
        {
            content: "Search",
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Open its credit file",
            trigger: `.o_list_view .o_data_row td[name="partner_id"]:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "Record a promise to pay",
            trigger: '.o_form_view .o_statusbar_buttons button:contains("Promise to Pay")',
            run: "click",
        },
        {
            content: "The overdue invoice is proposed with its open amount",
            trigger: '.modal .o_field_widget[name="amount_open"]:contains("1,200.00")',
        },
        {
            content: "The overdue item is listed",
            trigger: '.modal .o_field_widget[name="line_ids"] .o_data_row',
        },
        {
            content: "Say why",
            trigger: '.modal .o_field_widget[name="reason"] input',
            run: "edit Paying after the customer's own client pays",
        },
        {
            content: "Record the promise",
            trigger: '.modal .modal-footer button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Back on the file, open the promises",
            trigger: '.o_form_view .o_notebook .nav-link:contains("Promises to Pay")',
            run: "click",
        },
        {
            content: "The promise is listed, open",
            trigger: '.o_form_view .o_field_widget[name="promise_ids"] .o_data_row:contains("Open")',
        },
    ],
});
