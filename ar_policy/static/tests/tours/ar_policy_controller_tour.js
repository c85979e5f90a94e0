/** @odoo-module */

import { registry } from "@web/core/registry";

const HELD = "AR Controller Held Customer";
const OVER = "AR Controller Over Limit Customer";
const GOOD = "AR Controller Good Customer";
const REASON = "Delivery dispute";

/**
 * What a credit controller sees at a glance (issue 14): the customer list filtered on
 * credit hold, the held customer's badge, ribbon, stat button and Credit tab, its credit
 * file (deposit percentages, days late, the Action menu), the Credit Files list and the
 * "Over Limit" filter. ar_policy/tests/test_tour_controller.py sets the data up.
 */
registry.category("web_tour.tours").add("ar_policy_controller_tour", {
    url: "/odoo/action-account.res_partner_action_customer",
    steps: () => [
        {
            content: "Switch the customers to the list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Wait for the list",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the customers on credit hold",
            trigger: '.o_filter_menu .o-dropdown-item:contains("On Credit Hold")',
            run: "click",
        },
        {
            content: "Only held customers are listed",
            trigger: `.o_list_view:not(:has(.o_data_row:contains("${OVER}"))) .o_data_row:contains("${HELD}")`,
        },
        {
            content: "The held customer's row shows its Credit Hold badge with the cause",
            trigger: `.o_data_row:contains("${HELD}") td[name="ar_hold_causes"] .badge:contains("Manual")`,
        },
        {
            content: "Open the held customer",
            trigger: `.o_data_row td.o_data_cell:contains("${HELD}")`,
            run: "click",
        },
        {
            content: "The customer form shows the hold ribbon",
            trigger: '.o_form_view .ribbon:contains("Credit Hold")',
        },
        {
            content: "The Credit File button says On Hold",
            trigger:
                '.o_form_view .oe_stat_button[name="action_open_ar_credit_file"] .o_stat_value:contains("On Hold")',
        },
        {
            content: "Open the Credit tab",
            trigger: '.o_form_view .o_notebook .nav-link[name="ar_credit"]',
            run: "click",
        },
        {
            content: "The limit is shown with its currency",
            trigger:
                '.o_form_view .tab-pane.active .o_field_widget[name="credit_limit"]:contains("$"):contains("1,000.00")',
        },
        {
            content: "A negative headroom is marked Over Limit",
            trigger: '.o_form_view .tab-pane.active .badge:contains("Over Limit")',
        },
        {
            content: "Open the credit file",
            trigger: '.o_form_view .oe_stat_button[name="action_open_ar_credit_file"]',
            run: "click",
        },
        {
            content: "The credit file shows the hold ribbon",
            trigger: '.o_form_view .ribbon:contains("On Credit Hold")',
        },
        {
            content: "The stage deposit carries its % sign",
            trigger:
                '.o_form_view .o_row:has(.o_field_widget[name="stage_deposit_percent"]:contains("50")) span:contains("%")',
        },
        {
            content: "The deposit that applies now is shown with its sign and reason",
            trigger:
                '.o_form_view .o_field_widget[name="deposit_effective"]:contains("%"):contains("escalation stage")',
        },
        {
            content: "The file says how many days the oldest item is late",
            trigger: '.o_form_view .o_field_widget[name="oldest_overdue_days"]:contains("30")',
        },
        {
            content: "The status bar is in the header",
            trigger: '.o_form_view .o_form_statusbar .o_statusbar_status',
        },
        {
            content: "The header keeps escalation actions out of the way",
            trigger: '.o_form_view .o_form_statusbar:not(:has(button[name="action_escalation_process_now"]))',
        },
        {
            content: "Open the Action menu",
            trigger: ".o_control_panel .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            content: "Processing the escalation now is in the Action menu",
            trigger: '.o-dropdown--menu .o-dropdown-item:contains("Process Escalation Now")',
        },
        {
            content: "Close the Action menu",
            trigger: ".o_control_panel .o_cp_action_menus .dropdown-toggle",
            run: "click",
        },
        {
            content: "Go to the Credit Files list",
            trigger: '.o_main_navbar .o_menu_sections .dropdown-toggle:contains("Customers")',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu .o-dropdown-item:contains("Credit Files")',
            run: "click",
        },
        {
            content: "The list has a Days Late column",
            trigger: '.o_list_view th[data-name="oldest_overdue_days"]:contains("Days Late")',
        },
        {
            content: "The held customer is 30 days late",
            trigger: `.o_data_row:contains("${HELD}") td[name="oldest_overdue_days"]:contains("30")`,
        },
        {
            content: "Its activity column is shown",
            trigger: '.o_list_view th[data-name="activity_ids"]',
        },
        {
            content: "Back to the customers",
            trigger: '.o_main_navbar .o_menu_sections .dropdown-toggle:contains("Customers")',
            run: "click",
        },
        {
            trigger: '.o-dropdown--menu .o-dropdown-item:contains("Customers"):not(:contains("Hold"))',
            run: "click",
        },
        {
            content: "Switch the customers to the list",
            trigger: ".o_control_panel .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "Wait for the list",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the filters",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter the customers over their limit",
            trigger: '.o_filter_menu .o-dropdown-item:contains("Over Limit")',
            run: "click",
        },
        {
            content: "The over-limit customers are found (the held one is over too), not one within its limit",
            trigger: `.o_list_view:not(:has(.o_data_row:contains("${GOOD}"))):has(.o_data_row:contains("${HELD}")) .o_data_row:contains("${OVER}")`,
        },
        {
            content: "Open the held customer again",
            trigger: `.o_data_row td.o_data_cell:contains("${HELD}")`,
            run: "click",
        },
        {
            content: "Open its Credit tab",
            trigger: '.o_form_view .o_notebook .nav-link[name="ar_credit"]',
            run: "click",
        },
        {
            content: "The credit events of this company list the hold with its reason",
            trigger: `.o_form_view .o_field_widget[name="ar_credit_event_ids"] .o_data_row:contains("Hold set"):contains("${REASON}")`,
        },
        {
            content: "Open the customer's draft invoices",
            trigger: '.o_form_view button[name="action_ar_view_drafts"]',
            run: "click",
        },
        {
            content: "Open the draft invoice",
            trigger: `.o_list_view .o_data_row:contains("${HELD}") td.o_data_cell`,
            run: "click",
        },
        {
            content: "One banner: on hold, the manager's reason, how it is released",
            trigger: `.o_form_view .o_ar_credit_banner.alert-danger:contains("on credit hold"):contains("${REASON}"):contains("Release Hold")`,
            run() {
                const banners = [...document.querySelectorAll(".o_form_view .alert")].filter(
                    (el) => el.offsetParent !== null && el.textContent.trim()
                );
                if (banners.length !== 1) {
                    throw new Error(`${banners.length} banners on the draft invoice, expected one`);
                }
            },
        },
        {
            content: "Try to confirm the invoice",
            trigger: '.o_form_view .o_statusbar_buttons button[name="action_post"]',
            run: "click",
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
            content: "The refusal names the draft by its customer and amount, with its currency",
            trigger: `.modal .modal-body:contains("Draft invoice for ${HELD} ("):contains("$"):contains("500.00"):contains("${REASON}")`,
        },
        {
            content: "Close the message",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The invoice is still a draft",
            trigger: '.o_form_view .o_statusbar_status button.o_arrow_button_current:contains("Draft")',
        },
    ],
});
