"""Screenshots of a served Odoo as a given user, for the README and for looking at screens.

    python3 scripts/screenshot.py --url http://localhost:8069 --db ar_policy_demo \
        --login admin --password admin --out docs/screenshots/x.png "/odoo/action-..."

Logs in through Odoo's own login form, then drives headless Chromium (Debian's
``chromium``) through its DevTools protocol (the ``websocket-client`` package, which
Odoo's tours need too): sets the session cookie, opens each path, waits for the web
client to settle and saves a PNG per path (``--out`` for one path, ``--out-dir`` for
several). Only loopback addresses are used.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode, urlparse

import websocket


def login(base, db, user, password):
    """The session id of ``user`` after Odoo's login form."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/web/login?db={db}").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    opener.open(f"{base}/web/login", urlencode({
        "login": user, "password": password, "db": db, "csrf_token": token,
    }).encode()).read()
    session = next((c.value for c in jar if c.name == "session_id"), None)
    if not session:
        sys.exit(f"login as {user} failed")
    return session


class Chromium:
    """A headless Chromium driven over its DevTools websocket."""

    def __init__(self, width, height):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="ar_shot_")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            sys.exit("chromium not found (apt-get install chromium)")
        self.proc = subprocess.Popen([
            binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            f"--remote-debugging-port={self.port}", "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={self.profile}", f"--window-size={width},{height}", "about:blank",
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.ws = websocket.create_connection(self._page_ws(), timeout=60)
        self.next_id = 0
        self.errors = []
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=False)
        self.call("Page.enable")
        self.call("Runtime.enable")

    def _page_ws(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list") as resp:
                    pages = [t for t in json.load(resp) if t["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        sys.exit("chromium did not start")

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            self._collect(message)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _collect(self, message):
        """Keeps the page's uncaught exceptions and console errors."""
        if message.get("method") == "Runtime.exceptionThrown":
            details = message["params"]["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details["text"])
        elif message.get("method") == "Runtime.consoleAPICalled" and \
                message["params"]["type"] == "error":
            self.errors.append(" ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in message["params"]["args"]
            ))

    def wait_idle(self, settle):
        """Until the page has loaded and Odoo's web client shows no loading indicator."""
        deadline = time.time() + 60
        script = ("document.readyState === 'complete' && "
                  "!document.querySelector('.o_loading_indicator, .o_blockUI') && "
                  "!!document.querySelector('.o_action_manager > *, main, #wrap, body > div')")
        while time.time() < deadline:
            result = self.call("Runtime.evaluate", expression=script, returnByValue=True)
            if result.get("result", {}).get("value"):
                break
            time.sleep(0.3)
        time.sleep(settle)

    def shot(self, url, out, settle, clicks=(), scroll_to=None):
        self.call("Page.navigate", url=url)
        self.wait_idle(settle)
        for selector in clicks:
            click = "(el => (el && el.click(), !!el))(document.querySelector(%s))"
            found = self.call("Runtime.evaluate", returnByValue=True,
                              expression=click % json.dumps(selector))
            if not found.get("result", {}).get("value"):
                self.errors.append(f"nothing to click at {selector}")
            self.wait_idle(settle)
        if scroll_to:
            self.call("Runtime.evaluate", expression="document.querySelector(%s)"
                      "?.scrollIntoView({block: 'start'})" % json.dumps(scroll_to))
            time.sleep(settle)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(out, "wb") as handle:
            handle.write(base64.b64decode(data))

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", help="paths to open, e.g. /odoo/customers")
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--db", required=True)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", help="PNG file (one path)")
    parser.add_argument("--out-dir", help="directory for one PNG per path")
    parser.add_argument("--width", type=int, default=1366)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--settle", type=float, default=1.5,
                        help="seconds to wait once the page is idle")
    parser.add_argument("--click", action="append", default=[],
                        help="CSS selector to click once the page is idle (repeatable, in "
                        "order), e.g. a notebook tab")
    parser.add_argument("--scroll-to", help="CSS selector to scroll to the top before the shot")
    args = parser.parse_args()
    base = args.url.rstrip("/")
    if urlparse(base).hostname not in ("localhost", "127.0.0.1", "::1"):
        sys.exit("only a local Odoo (localhost) is photographed")
    if len(args.paths) > 1 and not args.out_dir:
        sys.exit("several paths need --out-dir")
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
    session = login(base, args.db, args.login, args.password)
    browser = Chromium(args.width, args.height)
    try:
        host = urlparse(base).hostname
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id", value=session, domain=host,
                     path="/", httpOnly=True)
        for index, path in enumerate(args.paths):
            out = args.out or os.path.join(
                args.out_dir, f"{index:02d}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}.png"
            )
            browser.errors.clear()
            browser.shot(base + path, out, args.settle, args.click, args.scroll_to)
            print(out)
            for error in browser.errors:
                print(f"  page error: {error}", file=sys.stderr)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
