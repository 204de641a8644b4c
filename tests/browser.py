"""Headless Chromium (Debian's `chromium`) as a reader's browser: the DOM after scripts ran, the console, offline.

The browser gets a proxy that answers nothing (127.0.0.1:9) and no background networking, so a page that
needs the network shows it as a console error or as a missing chart. Tests skip with a reason where Chromium
is absent (`make browser` installs it as root).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium tidak terpasang (apt-get install chromium)")

# Appended to a copy of the page: measures horizontal overflow outside scroll boxes and writes it into the DOM.
_PROBE = """
<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var root = document.documentElement;
    var wide = [];
    document.querySelectorAll('body *').forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.right > window.innerWidth + 1 && !el.closest('.lakin-scroll, .lakin-tabel, .table-wrap, pre')) {
        wide.push(el.tagName + '.' + (el.className || ''));
      }
    });
    var result = JSON.stringify({scrollWidth: root.scrollWidth, innerWidth: window.innerWidth,
                                 wide: wide.slice(0, 20)});
    if (window.parent !== window) { window.parent.postMessage(result, '*'); return; }
    var out = document.createElement('pre');
    out.id = 'lakin-probe';
    out.textContent = result;
    document.body.appendChild(out);
  }, 500);
});
</script>
"""

# Chromium's headless window is at least 500 px wide: narrower screens are measured in an iframe of that width,
# whose probe posts its result to this page (the DOM returned is then this page's).
MIN_WINDOW = 500
_FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe src="{src}" style="border:0;width:{width}px;height:{height}px"></iframe>
<script>
window.addEventListener('message', function (e) {{
  var out = document.createElement('pre');
  out.id = 'lakin-probe';
  out.textContent = e.data;
  document.body.appendChild(out);
}});
</script></body></html>
"""


@dataclass
class Page:
    dom: str
    console: list[str]

    @property
    def probe(self) -> dict:
        import json

        m = re.search(r'<pre id="lakin-probe">(.*?)</pre>', self.dom, re.S)
        return json.loads(m.group(1).replace("&quot;", '"')) if m else {}


def open_page(path: Path, width: int = 1280, height: int = 900, probe: bool = False) -> Page:
    """Load a local HTML file offline in headless Chromium; return the DOM after scripts and console lines.

    Below MIN_WINDOW the page is shown in an iframe `width` px wide (use it with `probe=True`)."""
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / path.name
        text = path.read_text(encoding="utf-8")
        if probe:  # before the last </body>: scripts of the page may hold the string
            head, sep, tail = text.rpartition("</body>")
            text = head + _PROBE + sep + tail if sep else text + _PROBE
        page.write_text(text, encoding="utf-8")
        if width < MIN_WINDOW:
            frame = Path(tmp) / "frame.html"
            frame.write_text(_FRAME.format(src=page.name, width=width, height=height), encoding="utf-8")
            page, width = frame, MIN_WINDOW
        proc = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp}/profile", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
             f"--window-size={width},{height}", "--enable-logging=stderr", "--v=0",
             "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120)
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE(" in line or ":CONSOLE:" in line]
    return Page(proc.stdout, console)
