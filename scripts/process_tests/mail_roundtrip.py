#!/usr/bin/env python3
"""Process test: a payment reminder through a real SMTP server on localhost, read back.

On its own copy of the test database (scripts/test.sh stage 5: AR_TEST_DB, ODOO_RC) it
starts the SMTP sink (scripts/mail_sink.py, aiosmtpd) on a free loopback port, then, in
separate Odoo processes (odoo shell, committing):
  1. points Odoo's outgoing mail server (ir.mail_server) at the sink, installs Italian,
     gives Deco Addict (a demo customer with an overdue invoice) Italian and an address
     of its own, and enables the escalation run for its company if it is not;
  2. runs the escalation scheduled action;
  3. runs the mail queue.
Then it reads the delivered .eml files back with Python's email package: one reminder
to that address, its From/To/Subject headers, the customer's invoice numbers and portal
links in the body, the attachments, and the language (dates and amounts in Italian
format, the template rendered in it_IT). Exit status 0 when all holds.
"""
import email
import email.policy
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # scripts/: mail_sink
from mail_sink import start_sink  # noqa: E402

LANG = "it_IT"
ADDRESS = "deco.addict.roundtrip@example.com"
MARK = "@@mail_roundtrip@@"

SETUP = r"""
import json, os
from odoo import Command, fields
from odoo.tools import format_amount, format_date

env["ir.mail_server"].search([]).write({"active": False})
env["ir.mail_server"].create({
    "name": "Local SMTP sink (mail_roundtrip)", "sequence": 1,
    "smtp_host": "127.0.0.1", "smtp_port": int(os.environ["AR_MAIL_PORT"]),
    "smtp_encryption": "none", "smtp_authentication": "login",
})
lang_code = os.environ["AR_MAIL_LANG"]
lang = env["res.lang"]._activate_lang(lang_code)
env["base.language.install"].create({"lang_ids": [Command.set(lang.ids)]}).lang_install()

company = env.ref("base.main_company")
if not company.ar_escalation_enabled:
    if not company.ar_escalation_policy_id:
        env["ar.escalation.policy"]._ar_create_default_policies(company)
    company.ar_escalation_enabled = True
customer = env.ref("base.res_partner_2")  # Deco Addict
file = env["ar.credit.file"]._ar_files_for(customer, company, create=True)[customer.id]
contact = file._ar_escalation_contact()
(customer | contact).write({"lang": lang_code, "email": os.environ["AR_MAIL_TO"]})
env.cr.commit()

today = fields.Date.context_today(env["account.move"].with_company(company))
lines = env["account.move.line"].search([
    ("company_id", "=", company.id), ("partner_id.commercial_partner_id", "=", customer.id),
    ("account_id.account_type", "=", "asset_receivable"), ("parent_state", "=", "posted"),
    ("reconciled", "=", False), ("amount_residual", ">", 0), ("date_maturity", "<", today),
], order="date_maturity")
it, en = env(context={"lang": lang_code}), env(context={"lang": "en_US"})
template = env.ref("ar_policy.mail_template_ar_escalation")
# Odoo's own mail layouts, translated with the language: their "Powered by" in Italian
footer = set()
for xmlid in ("mail.mail_notification_layout", "mail.mail_notification_light"):
    view = env.ref(xmlid, raise_if_not_found=False)
    if view:
        terms = view._fields["arch_db"].get_translation_dictionary(
            view.with_context(lang="en_US").arch_db,
            {lang_code: view.with_context(lang=lang_code).arch_db})
        footer.update(t[lang_code] for k, t in terms.items()
                      if k == "Powered by" and t.get(lang_code) not in (None, k))
print("@@mail_roundtrip@@", json.dumps({
    "last_mail": env["mail.mail"].search([], order="id desc", limit=1).id,
    "powered_by": sorted(footer),
    "file": file.id, "customer": customer.name, "contact": contact.name,
    "company": company.name, "company_email": company.email,
    "template_lang": template._render_lang(file.ids)[file.id],
    "overdue": [{
        "number": line.move_id.name, "move_id": line.move_id.id,
        "due_it": format_date(it, line.date_maturity),
        "due_en": format_date(en, line.date_maturity),
        "amount_it": format_amount(it, line.amount_residual, company.currency_id),
        "amount_en": format_amount(en, line.amount_residual, company.currency_id),
    } for line in lines],
}))
"""

RUN = r"""
import json
env.ref("ar_policy.ir_cron_ar_escalation").method_direct_trigger()
if "queue.job" in env:
    # with ar_policy_queue_job the action enqueued the batches: run them as a worker would
    from odoo.addons.queue_job.job import Job
    for job in env["queue.job"].search([("method_name", "=", "_ar_escalation_run_job"),
                                        ("state", "=", "pending")]):
        Job.load(env, job.uuid).perform()
env.cr.commit()
file = env["ar.credit.file"].browse(int(__import__("os").environ["AR_MAIL_FILE"]))
history = env["ar.escalation.history"].search([("file_id", "=", file.id)])
print("@@mail_roundtrip@@", json.dumps({
    "history": [(h.action, h.stage_id.name, h.note or "") for h in history],
    "queued": env["mail.mail"].search_count([
        ("model", "=", "ar.credit.file"), ("res_id", "=", file.id), ("state", "=", "outgoing"),
    ]),
}))
"""

QUEUE = r"""
import json, os
env["mail.mail"].process_email_queue()
env.cr.commit()
file_id = int(os.environ["AR_MAIL_FILE"])
mails = env["mail.mail"].search([("model", "=", "ar.credit.file"), ("res_id", "=", file_id),
                                 ("id", ">", int(os.environ["AR_MAIL_LAST"]))])
print("@@mail_roundtrip@@", json.dumps({
    "mails": [(m.state, m.failure_reason or "", m.email_to or "",
               m.recipient_ids.mapped("email")) for m in mails],
}))
"""


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def odoo_shell(name, code, extra_env, timeout=100):
    """Runs ``code`` in a new ``odoo shell`` on the test database; returns what it printed
    after the marker, as JSON."""
    t0 = time.time()
    cmd = [sys.executable, "-m", "odoo", "shell", "-c", os.environ["ODOO_RC"],
           "-d", os.environ["AR_TEST_DB"], "--no-http", "--log-level=warn"]
    proc = subprocess.run(cmd, input=code, text=True, capture_output=True, cwd="/",
                          env=dict(os.environ, **extra_env), timeout=timeout, check=False)
    found = [line for line in proc.stdout.splitlines() if line.startswith(MARK + " ")]
    if proc.returncode != 0 or not found:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-5000:])
        raise RuntimeError(f"the {name} step failed (odoo shell exit status {proc.returncode})")
    log(f"{name}: done in {time.time() - t0:.0f}s")
    return json.loads(found[-1][len(MARK) + 1:])


def html_text(markup):
    text = re.sub(r"<[^>]+>", " ", markup)
    return re.sub(r"\s+", " ", html.unescape(text))


class Checks(list):
    """The problems found; check() adds one when its condition fails."""

    def check(self, condition, message):
        if not condition:
            self.append(message)
        return condition


def deliver(port, checks):
    """The three Odoo processes: setup, escalation run, mail queue. Returns the setup."""
    env = {"AR_MAIL_PORT": str(port), "AR_MAIL_LANG": LANG, "AR_MAIL_TO": ADDRESS}
    setup = odoo_shell("setup (mail server, Italian, Deco Addict)", SETUP, env)
    env["AR_MAIL_FILE"] = str(setup["file"])
    env["AR_MAIL_LAST"] = str(setup["last_mail"])  # mails of the run come after it
    if not setup["overdue"]:
        raise RuntimeError(f"{setup['customer']} has no overdue invoice in "
                           f"{setup['company']}: the demo data changed")
    log(f"{setup['customer']} (contact {setup['contact']}, {ADDRESS}, {LANG}): overdue "
        f"{', '.join(item['number'] for item in setup['overdue'])}")
    run = odoo_shell("escalation run", RUN, env)
    log(f"history of the file: {run['history']}; queued mails: {run['queued']}")
    queue = odoo_shell("mail queue", QUEUE, env)
    log(f"the run's mails of the file after the queue (state, failure, to): "
        f"{[(m[0], m[1], m[3]) for m in queue['mails']]}")
    for state, reason, *_ in queue["mails"]:
        checks.check(state != "exception", f"a mail of the file failed: {reason}")
    checks.check(not any(state == "outgoing" for state, *_ in queue["mails"]),
                 "a mail of the file is still waiting in the queue")
    return setup


def read_mails(work):
    messages = []
    for name in sorted(os.listdir(work)):
        if name.endswith(".eml"):
            with open(os.path.join(work, name), "rb") as fh:
                messages.append((name, email.message_from_binary_file(
                    fh, policy=email.policy.default)))
    return messages


def check_content(msg, body, text, setup, checks):
    """Headers, invoices and attachments. Returns the number of attachments."""
    for header in ("From", "To", "Subject", "Date", "Message-Id"):
        checks.check(msg.get(header), f"header {header} missing")
    checks.check(ADDRESS in str(msg["To"]), f"To is {msg['To']!r}, not {ADDRESS}")
    checks.check(setup["company_email"] in str(msg["From"]),
                 f"From is {msg['From']!r}, not the company's {setup['company_email']}")
    subject = str(msg["Subject"])
    checks.check(setup["customer"] in subject and setup["company"] in subject,
                 f"Subject {subject!r} does not name the customer and the company")
    for item in setup["overdue"]:
        checks.check(item["number"] in text, f"the body does not list invoice {item['number']}")
        checks.check(re.search(rf"/my/invoices/{item['move_id']}\?access_token=\w", body),
                     f"the body has no portal link for {item['number']}")
    attachments = [(part.get_filename(), part.get_content_type(),
                    part.get_payload(decode=True) or b"") for part in msg.iter_attachments()]
    if attachments:
        for filename, ctype, data in attachments:
            checks.check(ctype == "application/pdf" and data.startswith(b"%PDF"),
                         f"attachment {filename} ({ctype}) is not a PDF")
        log(f"attachments: {[(f, c, len(d)) for f, c, d in attachments]}")
    else:
        log("attachments: none (the reminder attaches no invoice PDF; it lists each invoice "
            "with its portal link, checked above)")
    return len(attachments)


def check_language(msg, text, setup, checks):
    """Odoo sets no Content-Language (checked if it ever does); the template renders in
    the contact's language: dates and amounts in Italian format, Odoo's layout in Italian."""
    if msg.get("Content-Language"):
        checks.check(str(msg["Content-Language"]).lower().startswith(LANG[:2]),
                     f"Content-Language is {msg['Content-Language']}")
    checks.check(setup["template_lang"] == LANG,
                 f"the template renders in {setup['template_lang']!r}, not {LANG}")
    for item in setup["overdue"]:
        checks.check(item["due_it"] in text, f"due date of {item['number']} not in Italian "
                     f"format ({item['due_it']!r})")
        if item["due_en"] != item["due_it"]:
            checks.check(item["due_en"] not in text, f"due date of {item['number']} in "
                         f"English format ({item['due_en']!r})")
        checks.check(item["amount_it"].replace("\xa0", " ") in text.replace("\xa0", " "),
                     f"amount of {item['number']} not in Italian format ({item['amount_it']!r})")
    # Odoo's own layout around the template is translated: its footer reads in Italian
    if checks.check(setup["powered_by"], f"Odoo's {LANG} translations were not loaded"):
        checks.check(any(phrase in text for phrase in setup["powered_by"])
                     and "Powered by" not in text,
                     f"the mail layout is not in {LANG} (expected one of {setup['powered_by']})")
    english = [phrase for phrase in ("payment reminder", "Dear ", "Overdue", "Best regards")
               if phrase in str(msg["Subject"]) or phrase in text]
    if english:
        log(f"note: no Italian translation of the reminder yet (ar_policy has no it.po): "
            f"English wording {english} in Italian formatting")


def main():
    t_start = time.time()
    work = tempfile.mkdtemp(prefix="ar_mail_roundtrip_")
    port = free_port()
    sink = start_sink(port, work)
    log(f"SMTP sink on 127.0.0.1:{port}, mails in {work}")
    checks = Checks()
    try:
        setup = deliver(port, checks)
    finally:
        sink.stop()
    messages = read_mails(work)
    log(f"the sink received {len(messages)} mail(s)")
    ours = [(name, msg) for name, msg in messages
            if ADDRESS in str(msg.get("X-RcptTo", "")) or ADDRESS in str(msg.get("To", ""))]
    if not checks.check(len(ours) == 1, f"{len(ours)} mails to {ADDRESS}, expected one "
                        f"reminder (received: {[(str(m['To']), str(m['Subject'])) for _, m in messages]})"):
        return report(checks)
    name, msg = ours[0]
    log(f"the reminder: {name}")
    body_part = msg.get_body(preferencelist=("html",))
    if not checks.check(body_part is not None, "no HTML body"):
        return report(checks)
    body = body_part.get_content()
    text = html_text(body)
    attached = check_content(msg, body, text, setup, checks)
    check_language(msg, text, setup, checks)
    log(f"took {time.time() - t_start:.0f}s")
    numbers = ", ".join(item["number"] for item in setup["overdue"])
    if not checks:
        shutil.rmtree(work, ignore_errors=True)  # kept when something failed
    return report(checks, f"one reminder to {ADDRESS} through SMTP on 127.0.0.1:{port}: "
                  f"headers, invoices {numbers} with portal links, {attached} attachment(s), "
                  f"rendered in {LANG}")


def report(problems, ok=""):
    for problem in problems:
        log("FAIL: " + problem)
    if problems:
        return 1
    log("OK: " + ok)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        log(f"FAIL: {exc}")
        sys.exit(1)
