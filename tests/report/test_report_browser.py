"""The report in a real browser (headless Chromium): every figure renders, non-blank, and the console shows no error.

A probe script is put at the top of a copy of the report: it records error events (scripts and resources that fail to
load) and console.error calls, and on load writes every figure's state and position into the page, which
``--dump-dom`` prints. A screenshot of the whole page is then cut at each figure's box and checked for content.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]
WIDTH = 1280

PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) {
  var t = e.target;
  window.__errors.push(t && t !== window ? "failed to load " + (t.currentSrc || t.src || t.href || t.tagName)
                                         : String(e.message));
}, true);
var __consoleError = console.error;
console.error = function () { window.__errors.push(Array.prototype.join.call(arguments, " "));
                              __consoleError.apply(console, arguments); };
window.addEventListener("load", function () {
  var figures = Array.prototype.map.call(document.querySelectorAll("img, svg"), function (el) {
    var r = el.getBoundingClientRect();
    var ok = el.tagName.toLowerCase() === "img" ? el.complete && el.naturalWidth > 0 : r.width > 0 && r.height > 0;
    return {tag: el.tagName.toLowerCase(), ok: ok, x: r.left + window.scrollX, y: r.top + window.scrollY,
            w: r.width, h: r.height};
  });
  var out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({errors: window.__errors, figures: figures,
                                    height: document.documentElement.scrollHeight});
  document.body.appendChild(out);
});
</script>"""


def _chromium(page: Path, *args: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )


@pytest.fixture(scope="module")
def probed(built):
    if not CHROMIUM.is_file():
        pytest.skip(f"headless browser check needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    out = built
    report = (out / "report.html").read_text()
    page = out / "probed.html"
    page.write_text(report.replace("<head>", "<head>" + PROBE, 1))
    dom = _chromium(page, "--virtual-time-budget=10000", "--dump-dom")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom.stdout, re.DOTALL)
    assert found, f"the probe did not run; chromium said: {dom.stderr[-2000:]}"
    result = json.loads(html.unescape(found.group(1)))
    shot = out / "page.png"
    height = int(min(result["height"] + 20, 16000))
    run = _chromium(page, f"--window-size={WIDTH},{height}", f"--screenshot={shot}")
    assert shot.is_file(), f"no screenshot; chromium said: {run.stderr[-2000:]}"
    return result, shot, report


def test_console_shows_no_errors(probed):
    result, _, _ = probed
    assert result["errors"] == []


def test_every_figure_renders_and_is_not_blank(probed):
    import matplotlib.image

    result, shot, report = probed
    n_embedded = report.count("<img") + report.count("<svg")
    assert n_embedded > 0 and len(result["figures"]) == n_embedded
    pixels = matplotlib.image.imread(shot)[..., :3]
    for figure in result["figures"]:
        assert figure["ok"], f"figure did not load: {figure}"
        assert figure["w"] > 20 and figure["h"] > 20, figure
        top, left = int(figure["y"]), int(figure["x"])
        box = pixels[top : top + int(figure["h"]), left : left + int(figure["w"])]
        assert box.size, f"figure outside the screenshot: {figure}"
        assert box.std() > 0.02, f"figure is blank in the screenshot: {figure}"
        assert (box.mean(axis=-1) < 0.5).mean() > 0.002, f"figure has almost no dark ink: {figure}"
