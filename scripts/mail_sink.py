#!/usr/bin/env python3
"""A local SMTP sink for the demo and the process tests (aiosmtpd, loopback only).

    python3 scripts/mail_sink.py --port P --dir DIR

listens on 127.0.0.1:P and keeps every message it is given, without sending anything
on: DIR/NNNN-<subject>.eml (the message as delivered, with X-MailFrom and X-RcptTo
headers for the envelope, as aiosmtpd's own Message handler writes them), its body as
DIR/NNNN-<subject>.html for a browser, its attachments in DIR/NNNN-<subject>.files/,
and DIR/index.html listing them all (date, from, to, subject, attachments). The index
is written at start (empty), so it showing up means the sink is listening. Messages
already in DIR are kept and listed. SIGTERM or SIGINT stops it cleanly.

Importable too: start_sink(port, directory) returns the running aiosmtpd Controller;
controller.handler.messages lists what arrived; controller.stop() ends it.
"""
import argparse
import base64
import email
import email.policy
import email.utils
import html
import os
import re
import signal
import sys
import threading
import unicodedata

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
EML = re.compile(r"^(\d{4,})-.*\.eml$")


def slug(text, limit=50):
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return text[:limit].rstrip("-") or "no-subject"


def write_atomic(path, data):
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    os.replace(tmp, path)


def safe_name(name, n):
    name = os.path.basename(name or "") or f"attachment-{n}"
    return re.sub(r"[^\w.\- ]+", "_", name)


class Sink:
    """aiosmtpd handler: each message becomes files in ``directory``."""

    def __init__(self, directory):
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)
        self.lock = threading.Lock()
        self.messages = []  # one dict per message, in arrival order
        for name in sorted(os.listdir(self.directory)):
            if EML.match(name):
                with open(os.path.join(self.directory, name), "rb") as fh:
                    msg = email.message_from_binary_file(fh, policy=email.policy.default)
                self.messages.append(self._entry(int(EML.match(name).group(1)), name, msg))

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        head = (f"X-MailFrom: {envelope.mail_from}\r\n"
                f"X-RcptTo: {', '.join(envelope.rcpt_tos)}\r\n").encode()
        raw = head + raw
        try:
            with self.lock:
                self._store(raw)
        except Exception as exc:
            print(f"mail_sink: could not store a message: {exc!r}", file=sys.stderr, flush=True)
            return "451 Requested action aborted: local error in processing"
        return "250 Message accepted for delivery"

    def _store(self, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        number = max((m["number"] for m in self.messages), default=0) + 1
        base = f"{number:04d}-{slug(str(msg.get('Subject', '')))}"
        write_atomic(os.path.join(self.directory, base + ".eml"), raw)
        entry = self._entry(number, base + ".eml", msg)
        self._write_parts(base, msg)
        self.messages.append(entry)
        self.write_index()
        return entry

    def _entry(self, number, name, msg):
        base = name[:-len(".eml")]
        return {
            "number": number,
            "eml": name,
            "html": base + ".html",
            "files": base + ".files",
            "date": str(msg.get("Date", "")),
            "from": str(msg.get("From", "")),
            "to": str(msg.get("To", "")),
            "cc": str(msg.get("Cc", "") or ""),
            "subject": str(msg.get("Subject", "")),
            "rcpt": str(msg.get("X-RcptTo", "")),
            "attachments": [
                (part.get_filename() or f"attachment-{n}", part.get_content_type(),
                 len(part.get_payload(decode=True) or b""))
                for n, part in enumerate(msg.iter_attachments(), 1)
            ],
        }

    def _write_parts(self, base, msg):
        """The body as a page a browser shows (inline images as data: URIs), and the
        attachments as files."""
        inline = {}
        for part in msg.walk():
            cid = (part.get("Content-ID") or "").strip("<> ")
            if cid and part.get_content_maintype() == "image":
                data = base64.b64encode(part.get_payload(decode=True) or b"").decode()
                inline[cid] = f"data:{part.get_content_type()};base64,{data}"
        body = msg.get_body(preferencelist=("html", "plain"))
        if body is None:
            content = "<p><em>(no body)</em></p>"
        elif body.get_content_type() == "text/html":
            content = body.get_content()
            for cid, uri in inline.items():
                content = content.replace(f"cid:{cid}", uri)
        else:
            content = f"<pre>{html.escape(body.get_content())}</pre>"
        subject = html.escape(str(msg.get("Subject", "")))
        page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                f"<title>{subject}</title></head><body>\n"
                f"<p style=\"font: 13px sans-serif; color: #555;\"><a href=\"index.html\">All mails</a>"
                f" | <a href=\"{html.escape(base)}.eml\">{html.escape(base)}.eml</a><br>"
                f"From: {html.escape(str(msg.get('From', '')))}<br>"
                f"To: {html.escape(str(msg.get('To', '')))}<br>"
                f"Subject: {subject}</p><hr>\n{content}\n</body></html>\n")
        write_atomic(os.path.join(self.directory, base + ".html"), page)
        attachments = list(msg.iter_attachments())
        if attachments:
            folder = os.path.join(self.directory, base + ".files")
            os.makedirs(folder, exist_ok=True)
            for n, part in enumerate(attachments, 1):
                write_atomic(os.path.join(folder, safe_name(part.get_filename(), n)),
                             part.get_payload(decode=True) or b"")

    def write_index(self):
        esc = html.escape
        rows = []
        for m in reversed(self.messages):
            files = "<br>".join(
                f"<a href=\"{esc(m['files'])}/{esc(safe_name(name, n))}\">{esc(name)}</a>"
                f" ({esc(ctype)}, {size:,} bytes)"
                for n, (name, ctype, size) in enumerate(m["attachments"], 1)
            ) or "-"
            to = esc(m["to"]) + (f"<br>cc: {esc(m['cc'])}" if m["cc"] else "")
            rows.append(
                f"<tr><td>{m['number']}</td><td>{esc(m['date'])}</td><td>{esc(m['from'])}</td>"
                f"<td>{to}</td><td><a href=\"{esc(m['html'])}\">{esc(m['subject']) or '(no subject)'}</a>"
                f"</td><td>{files}</td><td><a href=\"{esc(m['eml'])}\">.eml</a></td></tr>"
            )
        page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Mails delivered to the local SMTP sink</title>
<style>
body {{ font: 14px sans-serif; margin: 1.5em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }}
th {{ background: #f2f2f2; }}
</style></head><body>
<h1>Mails delivered to the local SMTP sink</h1>
<p>{len(self.messages)} mail(s), newest first. Nothing here left this machine. The subject
opens the body as the recipient would see it; .eml is the message as delivered.</p>
<table>
<tr><th>#</th><th>Date</th><th>From</th><th>To</th><th>Subject</th><th>Attachments</th><th>Message</th></tr>
{chr(10).join(rows)}
</table>
</body></html>
"""
        write_atomic(os.path.join(self.directory, "index.html"), page)


def start_sink(port, directory, hostname=HOST):
    """Starts the sink on hostname:port (loopback by default); returns the Controller,
    already listening. controller.handler is the Sink, controller.stop() ends it."""
    controller = Controller(Sink(directory), hostname=hostname, port=port,
                            enable_SMTPUTF8=True, ident="ar_policy mail sink")
    controller.start()
    with controller.handler.lock:
        controller.handler.write_index()  # after start: the index means "listening"
    return controller


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True, help="where the messages are written")
    args = parser.parse_args(argv)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    controller = start_sink(args.port, args.dir)
    print(f"mail_sink: listening on {HOST}:{args.port}, writing to "
          f"{os.path.abspath(args.dir)}", flush=True)
    try:
        while not stop.wait(1):
            pass
    finally:
        controller.stop()
        print(f"mail_sink: stopped, {len(controller.handler.messages)} mail(s) in "
              f"{os.path.abspath(args.dir)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
