/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Salesperson Customer";
const REASON = "Returned goods under dispute";
const MANAGER = "Carla Credit";

function assertNoAmounts(selector) {
    const text = document.querySelector(selector).textContent;
    if (/[$€£%]|\d[.,]\d\d\b/.test(text)) {
        throw new Error(`A salesperson sees amounts in "${text}"`);
    }
    if (/escalation|stage|hold_cause|ar_/i.test(text)) {
        throw new Error(`A salesperson sees an internal term in "${text}"`);
    }
}

/**
 * A salesperson (no Billing rights) finds a held customer in the customer list, opens
 * it, opens its quotation: one banner says why (the credit manager's reason) and who
 * releases the hold, without amounts; confirming is refused with the same words
 * (ar_policy/tests/test_tour_salesperson.py sets the data up).
 */
registry.category("web_tour.tours").add("ar_policy_salesperson_tour", {
    url: "/odoo/action-base.action_partner_form",
    steps: () => [
        {
            content: "Show the customers as a list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list says the customer is on credit hold",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name="ar_hold_causes"] .badge:contains("Manual")`,
        },
        {
            content: "Open the held customer",
            trigger: `.o_list_view .o_data_row td:contains("${CUSTOMER}")`,
            run: "click",
        },
        {
            content: "The customer shows the credit hold ribbon",
            trigger: '.o_form_view .ribbon:contains("Credit Hold")',
        },
        {
            content: "The Credit File button says On Hold",
            trigger: '.o_form_view button[name="action_open_ar_credit_file"]:contains("On Hold")',
        },
        {
            content: "Open the customer's quotations",
            trigger: '.o_form_view button[name="action_view_sale_order"]',
            run: "click",
        },
        {
            content: "Open the draft quotation",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") td[name="name"]`,
            run: "click",
        },
        {
            content: "One banner: the manager's reason and who releases the hold",
            trigger: `.o_form_view .o_ar_credit_banner.alert-danger:contains("${REASON}"):contains("ask ${MANAGER}")`,
            run() {
                const banners = [...document.querySelectorAll(".o_form_view .alert")].filter(
                    (el) => el.offsetParent !== null && el.textContent.trim()
                );
                if (banners.length !== 1) {
                    throw new Error(`${banners.length} banners on the quotation, expected one`);
                }
                assertNoAmounts(".o_form_view .o_ar_credit_banner.alert-danger");
            },
        },
        {
            content: "Try to confirm the quotation",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_confirm"]',
            run: "click",
        },
        {
            content: "Confirming is refused: on credit hold, the reason, who releases it",
            trigger: `.modal .modal-body:contains("on credit hold"):contains("${REASON}"):contains("ask ${MANAGER}")`,
            run() {
                assertNoAmounts(".modal .modal-body");
            },
        },
        {
            content: "The refusal is titled by what happened",
            trigger: '.modal .modal-title:contains("Credit hold")',
            run() {
                const title = document.querySelector(".modal .modal-title").textContent.trim();
                if (title !== "Credit hold") {
                    throw new Error(`The refusal is titled "${title}"`);
                }
            },
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The quotation is still a quotation",
            trigger:
                '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Quotation")',
        },
    ],
});
