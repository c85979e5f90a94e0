/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Portal Customer";

function inDays(days) {
    const date = new Date();
    date.setDate(date.getDate() + days);
    const pad = (n) => String(n).padStart(2, "0");
    return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function shownInDays(days) {
    // the date as the web client shows it in English (US)
    const [year, month, day] = inDays(days).split("-");
    return `${month}/${day}/${year}`;
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
 * The collector opens Invoicing > Customers > Collections (today's worklist) and
 * finds the customer's row with the promise and the dispute it sent from the portal,
 * then the customer's credit file with both requests.
 */
registry.category("web_tour.tours").add("ar_policy_portal_collector_tour", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            run: "click",
        },
        {
            content: "Open Invoicing",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_menu_sections button[data-menu-xmlid='account.menu_finance_receivables']",
            run: "click",
        },
        {
            content: "Open Collections, today's worklist",
            trigger: ".dropdown-item[data-menu-xmlid='ar_policy.menu_ar_worklist']",
            run: "click",
        },
        {
            content: "The customer's row: a dispute to review",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name=reason]:contains("Review: invoice disputed by the customer")`,
        },
        {
            content: "The row shows the open promise",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name=promise_status]:contains("Open")`,
        },
        {
            content: "The row shows the promised date",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name=promise_date]:contains("${shownInDays(7)}")`,
        },
        {
            content: "The row shows the dispute",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name=dispute_count]:contains("1")`,
        },
        {
            content: "Open the credit file from the row",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") button[name=action_open_file]`,
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
