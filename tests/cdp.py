"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``, for the tests
of the HTML reports: headless Chromium with no network port and the flags that keep it off
the network. Only what the tests need: open a page, evaluate JavaScript, click at a point,
take a screenshot."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--mute-audio", "--hide-scrollbars",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class CDPError(RuntimeError):
    pass


class Chromium:
    """``with Chromium(binary, profile_dir) as b: b.open(url); b.eval("1+1")``"""

    def __init__(self, binary: str, profile_dir: str, *, width: int = 1400, height: int = 1000, timeout: float = 30.0):
        self.timeout = timeout
        self.width, self.height = width, height
        cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
        res_r, res_w = os.pipe()  # Chromium writes fd 4, we read

        def child_fds():
            import fcntl

            a = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(res_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile_dir}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            preexec_fn=child_fds, close_fds=False,
        )
        os.close(cmd_r)
        os.close(res_w)
        self.wfd, self.rfd = cmd_w, res_r
        self.buf = b""
        self.next_id = 0
        self.events: list[dict] = []
        self.session = None

    # -- transport ---------------------------------------------------------------------------
    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("timed out waiting for Chromium")
            ready, _, _ = select.select([self.rfd], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.rfd, 1 << 20)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")[-2000:] if self.proc.stderr else ""
                raise CDPError(f"Chromium closed the pipe: {err}")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, *, session: bool = True) -> dict:
        mid = self._send(method, params, self.session if session else None)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._read(deadline)
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CDPError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def wait_event(self, method: str, timeout: float | None = None) -> dict:
        deadline = time.monotonic() + (timeout or self.timeout)
        for i, ev in enumerate(self.events):
            if ev.get("method") == method:
                return self.events.pop(i)
        while True:
            msg = self._read(deadline)
            if msg.get("method") == method:
                return msg
            if "method" in msg:
                self.events.append(msg)

    # -- page --------------------------------------------------------------------------------
    def __enter__(self):
        targets = self.call("Target.getTargets", session=False)["targetInfos"]
        page = next((t for t in targets if t["type"] == "page"), None)
        if page is None:
            page = {"targetId": self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]}
        self.session = self.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False})
        return self

    def __exit__(self, *exc):
        try:
            self.call("Browser.close", session=False)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass

    def open(self, url: str, ready: str = "document.documentElement.getAttribute('data-ready') === '1'") -> None:
        self.events.clear()
        nav = self.call("Page.navigate", {"url": url})
        if nav.get("errorText"):
            raise CDPError(f"cannot open {url}: {nav['errorText']}")
        if nav.get("loaderId"):  # a new document (a change of #fragment only is not)
            self.wait_event("Page.loadEventFired")
        deadline = time.monotonic() + self.timeout
        while not self.eval(ready):
            if time.monotonic() > deadline:
                raise CDPError(f"page not ready: {url}")
            time.sleep(0.05)

    def wait_for(self, expression: str, timeout: float = 10.0):
        """Poll until ``expression`` is truthy; its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.eval(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise CDPError(f"timed out waiting for {expression[:200]}")
            time.sleep(0.05)

    def eval(self, expression: str):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in res:
            raise CDPError(f"JavaScript error: {res['exceptionDetails'].get('text')} in {expression[:200]}")
        return res.get("result", {}).get("value")

    def click(self, selector: str) -> None:
        """A real mouse click (press and release) at the centre of the element."""
        rect = self.eval(
            f"(function(){{var e=document.querySelector({json.dumps(selector)}); if(!e) return null;"
            "e.scrollIntoView({block:'center', inline:'center', behavior:'instant'}); var r=e.getBoundingClientRect();"
            "return {x: r.left + r.width/2, y: r.top + r.height/2};})()"
        )
        if rect is None:
            raise CDPError(f"no element {selector}")
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": rect["x"], "y": rect["y"], "button": "left", "clickCount": 1})

    def screenshot(self, path: str, *, full_page: bool = False) -> None:
        params: dict = {"format": "png"}
        if full_page:
            h = self.eval("Math.ceil(document.documentElement.scrollHeight)")
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": min(int(h), 12000), "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.call("Page.captureScreenshot", params)["data"]
        with open(path, "wb") as fh:
            fh.write(base64.b64decode(data))
