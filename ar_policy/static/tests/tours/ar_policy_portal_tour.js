/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Portal Customer";

function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * A portal customer opens the link of its reminder (its account page), promises to
 * pay one invoice next week and disputes another
 * (ar_policy/tests/test_tour_portal.py sets the data up and checks the result).
 */
registry.category("web_tour.tours").add("ar_policy_portal_tour", {
    steps: () => [
        {
            content: "The account page lists what is overdue",
            trigger: "#ar_statement table[name=overdue] tr:contains('1,111.00')",
        },
        {
            content: "Choose the first invoice to promise",
            trigger: "#ar_promise_form .form-check:contains('1,111.00') input[name=move_ids]",
            run: "check",
        },
        {
            content: "Pay it next week",
            trigger: "#ar_promise_date",
            run() {
                this.anchor.value = inDays(7);
            },
        },
        {
            content: "Promise",
            trigger: "#ar_promise_form .o_ar_promise_submit",
            run: "click",
        },
        {
            content: "The promise is recorded",
            trigger: ".o_ar_done:contains('your promise to pay is recorded')",
        },
        {
            content: "The promised invoice is shown as such",
            trigger: "#ar_statement table[name=overdue] tr:contains('1,111.00') .badge:contains('payment promised')",
        },
        {
            content: "Choose the other invoice to dispute",
            trigger: "#ar_dispute_form .form-check:contains('2,222.00') input[name=move_ids]",
            run: "check",
        },
        {
            content: "Why",
            trigger: "#ar_dispute_reason",
            run: "selectByLabel Wrong price or quantity",
        },
        {
            content: "What is wrong",
            trigger: "#ar_dispute_message",
            run: "edit We ordered 5 units, not 10",
        },
        {
            content: "Dispute",
            trigger: "#ar_dispute_form .o_ar_dispute_submit",
            run: "click",
        },
        {
            content: "The dispute is recorded and listed",
            trigger: ".o_ar_done:contains('Your dispute is recorded')",
        },
        {
            content: "Both requests are on the page",
            trigger: "#ar_statement table[name=requests] tr[data-kind=dispute]",
        },
    ],
});

/**
 * The collector opens the customer's credit file and finds the promise and the
 * dispute the customer sent from the portal.
 */
registry.category("web_tour.tours").add("ar_policy_portal_collector_tour", {
    url: "/odoo/action-ar_policy.action_ar_credit_file",
    steps: () => [
        {
            content: "Find the customer",
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
            content: "Open the customer's requests",
            trigger: ".o_notebook .nav-link:contains('Customer Requests')",
            run: "click",
        },
        {
            content: "The promise to pay is there",
            trigger: ".o_field_widget[name=portal_request_ids] .o_data_row:contains('Promise to pay')",
        },
        {
            content: "The dispute is there, open",
            trigger: ".o_field_widget[name=portal_request_ids] .o_data_row:contains('Dispute'):contains('Open')",
        },
    ],
});
