/** @odoo-module */

import { registry } from "@web/core/registry";

const CUSTOMER = "AR Tour Forgetful Customer";

/**
 * A collector opens today's worklist, logs a call with the excuse "Invoice not
 * received" (the prepared answer shows), the invoice is sent again and the row leaves
 * today's list (ar_policy/tests/test_tour_worklist.py sets the data up and checks it).
 */
registry.category("web_tour.tours").add("ar_policy_worklist_tour", {
    url: "/odoo/collections",
    steps: () => [
        {
            content: "The late customer is on today's list, with its reason",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}"):contains("Call: 25 days late")`,
        },
        {
            content: "Log a call",
            trigger: `.o_list_view .o_data_row:contains("${CUSTOMER}") button[name="action_log_call"]`,
            run: "click",
        },
        {
            content: "Choose the excuse",
            trigger: '.modal .o_field_widget[name="excuse_id"] input',
            run: "edit Invoice not received",
        },
        {
            content: "Pick it",
            trigger: '.dropdown-item:contains("Invoice not received")',
            run: "click",
        },
        {
            content: "The prepared answer shows while logging",
            trigger: '.modal div[name="prepared_answer"]:contains("sending it again")',
        },
        {
            content: "The overdue invoice is proposed",
            trigger: '.modal .o_field_widget[name="move_ids"] .o_data_row',
        },
        {
            content: "Log the call",
            trigger: '.modal .modal-footer button[name="action_confirm"]',
            run: "click",
        },
        {
            // the dialog closed first: its own invoice list would match too
            content: "The row has left today's list",
            trigger: `body:not(:has(.modal)) .o_action_manager .o_list_view:not(:has(.o_data_row:contains("${CUSTOMER}")))`,
        },
    ],
});
