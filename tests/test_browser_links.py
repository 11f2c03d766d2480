"""Issue 14, "Links a lecturer can trust", in real headless Chromium against `streamlit run`.

1. A crafted link (markdown, LaTeX, huge numbers in a URL parameter) fetches nothing from
   another host, renders no image or link of the payload, crashes nothing, and shows the
   payload, if at all, as the characters it is.
2. The course map answers at both `/` and `/home`.
3. A click on the Loss-surfaces chart sets the start, the URL holds it, and that URL opened
   elsewhere shows the same start and the same picture.
4. A run added on the lr & momentum page (by a click on its map, by the optimal-run button)
   is in the URL, and the URL reopened shows the same runs.

Debian's chromium driven by Playwright, as in tests/test_browser.py; screenshots go to
artifacts/screenshots/links-*.png.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, quote, urlsplit

import numpy as np
import pytest

from dlviz import catalog, surfaces
from dlviz import lr_momentum as lm
from dlviz import settings as cfg
from dlviz.surfaces_view import click_targets
from tests.test_browser import SHOTS, app_url, browser  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
VIEWPORT = {"width": 1600, "height": 1000}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
NOT_USED = "could not be used"  # the heading of a link's notice (dlviz.ui.url.show_notices)
HOME_TITLE = "dlviz · deep learning with PyTorch, made visible"

PAYLOADS = {
    "image": "![t](https://evil.example/t.png)",
    "link": "[Log in again](https://evil.example/)",
    "bare_image": "![](//x.invalid/a)",
    "code_link": "` [Log in again](https://evil.example) `",
    "colour": ":red[**HACKED**]",
    "latex": "$\\href{https://evil.example}{y}$",
    "inf": "inf",
    "overflow": "1e400",
}
# (page url path, key, payloads): every URL with the two payloads a browser would act on
# (an image it fetches, a link a student clicks), and the rest spread so each payload meets
# a choice, a number and a free-text parameter; the numbers go to the numeric keys.
PLAN = [
    ("surfaces", "f", ("image", "link", "colour", "inf", "latex")),
    ("surfaces", "opt", ("image", "link", "code_link", "overflow")),
    ("surfaces", "plane", ("image", "link", "bare_image", "latex")),
    ("surfaces", "seed", ("image", "link", "inf", "overflow", "colour")),
    ("tensors", "maker", ("image", "link", "code_link", "inf")),
    ("tensors", "x", ("image", "link", "bare_image", "overflow", "colour")),
    ("lr_momentum", "f", ("image", "link", "latex", "inf", "code_link")),
    ("params", "code", ("image", "link", "bare_image", "colour", "latex")),
    ("", "lecture", ("image", "link", "code_link", "overflow", "inf")),
]
CASES = [(path, key, name) for path, key, names in PLAN for name in names]
# A payload's words, wherever they show, must sit inside the payload's own literal syntax:
# markdown that was rendered loses its brackets and leaves the bare words behind.
TELLS = [
    ("Log in again", r"\[Log in again\]\("),
    ("evil.example", r"(?:\]\(|\{)https://evil\.example"),
    ("x.invalid", r"\]\(//x\.invalid"),
    ("HACKED", r":red\[\*\*HACKED\*\*\]"),
    ("\\href", r"\$\\href\{"),
]
URL_ATTRIBUTES = ("src", "srcset", "href", "xlink:href", "action", "formaction", "poster",
                  "data", "style")

_IDLE_JS = """() => document.querySelector('[data-testid="stApp"]')
                 ?.getAttribute('data-test-script-state') === 'notRunning'"""
_CHARTS_DRAWN_JS = """() => {
    const n = document.querySelectorAll('[data-testid="stPlotlyChart"]').length;
    return n === 0 || document.querySelectorAll('.js-plotly-plot .main-svg').length >= n; }"""
# Elements whose URL-bearing attributes name a payload's host (an <img>, an <a>, a style …).
_FOREIGN_ELEMENTS_JS = """(attrs) => [...document.querySelectorAll('*')].flatMap(el =>
    attrs.map(a => [a, el.getAttribute(a) || ''])
         .filter(([, v]) => /evil\\.example|x\\.invalid/.test(v))
         .map(([a, v]) => `<${el.tagName.toLowerCase()} ${a}="${v}">`))"""
_LINK_TEXTS_JS = """() => [...document.querySelectorAll('a')].map(a => a.textContent.trim())"""
_KATEX_JS = """() => [...document.querySelectorAll('.katex annotation')].map(a => a.textContent)"""
# The plot area of a chart, in page pixels, and its axis ranges (data units).
_PLOT_BOX_JS = """(gd) => { const r = gd.querySelector('.nsewdrag').getBoundingClientRect();
    const L = gd._fullLayout;
    return {left: r.left, top: r.top, width: r.width, height: r.height,
            x: L.xaxis.range.map(Number), y: L.yaxis.range.map(Number)}; }"""
_HIT_JS = """([x, y]) => { const el = document.elementFromPoint(x, y);
    return el ? (el.getAttribute('class') || el.tagName) : 'nothing'; }"""
_DATA_SIG_JS = """(gd) => JSON.stringify(gd.data.map(t => [t.name, ...[t.x, t.y, t.z].map(a =>
    a && a.length ? [a.length, a[0], a[a.length - 1]] : a)]))"""
# The shown value of the widget bound to `key`, whatever kind of widget it is.
_WIDGET_JS = """(key) => { const el = document.querySelector('.st-key-' + key);
    if (!el) return null;
    const box = el.querySelector('input[type="checkbox"]');
    if (box) return box.checked ? 'on' : 'off';
    const thumbs = [...el.querySelectorAll('[data-testid="stSliderThumbValue"]')];
    if (thumbs.length) return thumbs.map(t => t.textContent.trim()).join(' – ');
    const select = el.querySelector('[data-baseweb="select"]');
    if (select) return select.textContent.trim();
    const input = el.querySelector('input, textarea');
    if (input) return input.value;
    return el.textContent.trim(); }"""
_RUN_KEYS_JS = """() => [...document.querySelectorAll('[class*="st-key-lr"]')]
    .flatMap(el => [...el.classList]).map(c => /^st-key-lr(\\d+)$/.exec(c))
    .filter(Boolean).map(m => Number(m[1]))"""


# The browser and the server: the same module-scoped fixtures as the page test.


def _open(browser, url: str) -> tuple:
    """`url` in a fresh context (a new visitor), its run finished and its charts drawn;
    return (page, every URL the page requested)."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda w: requests.append(w.url))
    page.goto(url, wait_until="domcontentloaded")
    # The shell has run once the sidebar's lecture toggle is drawn (as in test_browser.py)
    page.get_by_text("Lecture mode", exact=True).first.wait_for(timeout=90_000)
    _settle(page)
    page.wait_for_function(_CHARTS_DRAWN_JS, timeout=60_000)
    page.wait_for_timeout(500)  # plotly's relayout and a markdown image's fetch
    return page, requests


def _settle(page, changed: str | None = None, arg=None, *, what: str = "") -> None:
    """After a click: wait for its effect (`changed`, a JS predicate), then for the rerun."""
    if changed is not None:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            page.wait_for_function(changed, arg=arg, timeout=30_000)
        except PlaywrightTimeout:
            pytest.fail(f"{what}: nothing happened within 30 s (URL {page.url})")
    page.wait_for_function(_IDLE_JS, timeout=90_000)
    page.wait_for_timeout(300)


def _shot(page, name: str) -> None:
    """The viewport (Streamlit scrolls its own container, so a full-page shot adds nothing)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"links-{name}.png"))


def _foreign(requests: list[str]) -> list[str]:
    parts = [(u, urlsplit(u)) for u in requests]
    return [u for u, p in parts if p.scheme not in ("data", "blob", "about")
            and p.hostname not in LOCAL_HOSTS]


def _table(path: str) -> cfg.Table | None:
    """The settings table of the page at `path` (the shell's for the course map), or None
    for a page not on a table yet."""
    if path in ("", "home"):
        from dlviz import ui

        return ui.SHELL
    try:
        return catalog.BY_KEY[path].settings
    except ModuleNotFoundError:
        return None


def _shown(raw: str) -> str:
    """How a notice quotes a rejected value (dlviz.settings.notice_text)."""
    return raw if len(raw) <= cfg.SHOWN_CHARS else raw[:cfg.SHOWN_CHARS] + "…"


def _text(page) -> str:
    """What a reader sees (without the invisible word joiners that break autolinks)."""
    return page.locator('[data-testid="stApp"]').inner_text().replace("\u2060", "")


def _notice(page) -> str:
    alerts = page.locator('[data-testid="stAlert"]').all_inner_texts()
    return "\n".join(a for a in alerts if NOT_USED in a).replace("\u2060", "")


def _assert_page_is_sound(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, (
        f"exception shown: {page.locator('[data-testid=stException]').first.inner_text()[:300]}")
    assert page.get_by_text("Page not found").count() == 0, "Page not found"


# --- 1. crafted links --------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "key", "name"), CASES,
                         ids=[f"{p or 'home'}-{k}-{n}" for p, k, n in CASES])
def test_crafted_link_is_inert(browser, app_url, path, key, name):
    raw = PAYLOADS[name]
    url = f"{app_url}/{path}?{key}={quote(raw, safe='')}"
    page, requests = _open(browser, url)
    try:
        _shot(page, f"crafted-{path or 'home'}-{key}-{name}")
        _assert_page_is_sound(page)
        assert not _foreign(requests), f"{url} requested other hosts: {_foreign(requests)}"
        found = page.evaluate(_FOREIGN_ELEMENTS_JS, list(URL_ATTRIBUTES))
        assert not found, f"{url} rendered the payload's URL into the page: {found[:3]}"
        links = [t for t in page.evaluate(_LINK_TEXTS_JS) if "Log in again" in t]
        assert not links, f"{url} rendered the payload as a link: {links}"
        tex = [a for a in page.evaluate(_KATEX_JS) if "href" in a or "evil" in a]
        assert not tex, f"{url} rendered the payload as LaTeX: {tex}"
        text = _text(page)
        for word, literal in TELLS:
            bare, raw_form = text.count(word), len(re.findall(literal, text))
            assert bare == raw_form, (
                f"{url}: {word!r} shows {bare}× but only {raw_form}× inside the payload's own "
                f"characters: its markup was rendered. Page text: {text[:1500]}")
        table = _table(path)
        if table is not None and key in table and not isinstance(table[key], cfg.Text):
            notice = _notice(page)
            assert f"“{_shown(raw)}”" in notice, (
                f"{url}: no notice quoting “{_shown(raw)}” as typed; notices: {notice!r}")
    finally:
        page.context.close()


# --- 2. the course map at / and /home ----------------------------------------------------------

@pytest.mark.parametrize("path", ["", "home"], ids=["root", "home"])
def test_course_map_at_root_and_home(browser, app_url, path):
    page, _ = _open(browser, f"{app_url}/{path}")
    try:
        _shot(page, f"course-map-{path or 'root'}")
        _assert_page_is_sound(page)
        assert page.get_by_role("heading", name=HOME_TITLE).count() >= 1, "no course map title"
        hrefs = page.locator('[data-testid="stMain"] a[href]').evaluate_all(
            "as => as.map(a => new URL(a.href).pathname)")
        missing = [p.url_path for p in catalog.live_pages() if f"/{p.url_path}" not in hrefs]
        assert not missing, f"/{path}: no link to {missing} (links: {hrefs})"
    finally:
        page.context.close()


# --- 3. click to set the start on the Loss-surfaces page ---------------------------------------

def _plot(page, key: str):
    gd = page.locator(f".st-key-{key} .js-plotly-plot").first
    gd.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    return gd


def _click_data(page, gd, x: float, y: float) -> None:
    """A real mouse click at data point (x, y) of chart `gd`'s plot area."""
    b = gd.evaluate(_PLOT_BOX_JS)
    (x_lo, x_hi), (y_lo, y_hi) = b["x"], b["y"]
    px = b["left"] + (x - x_lo) / (x_hi - x_lo) * b["width"]
    py = b["top"] + (y_hi - y) / (y_hi - y_lo) * b["height"]
    hit = page.evaluate(_HIT_JS, [px, py])
    assert "nsewdrag" in hit, f"({x:.3g}, {y:.3g}) at pixel ({px:.0f}, {py:.0f}) is on {hit}"
    page.mouse.move(px, py)
    page.wait_for_timeout(150)  # plotly picks the hovered point on mouse move
    page.mouse.click(px, py)


def _input(page, key: str) -> str:
    return page.locator(f".st-key-{key} input").first.input_value()


def _query(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def _click_start(page, clicks: list[tuple[float, float]], keys: tuple[str, ...]) -> None:
    """Click each (x, y) of the objective's chart; each time the start inputs and the URL
    must follow."""
    for x, y in clicks:
        before = [_input(page, k) for k in keys]
        _click_data(page, _plot(page, "pick"), x, y)
        _settle(page, """(b) => b.some(([k, v]) =>
            document.querySelector(`.st-key-${k} input`)?.value !== v)""",
                [list(kv) for kv in zip(keys, before, strict=True)],
                what=f"a click at ({x:.3g}, {y:.3g}) left {keys} at {before}")
        query = _query(page.url)
        for key, want in zip(keys, (x, y), strict=False):
            shown = float(_input(page, key))
            assert abs(shown - want) <= 0.1, f"clicked {key} = {want:.3f}, input shows {shown}"
            assert key in query, f"after a click at {key} = {want:.3f}: no {key}= in {page.url}"
            assert float(query[key]) == pytest.approx(shown, abs=5e-4), (
                f"URL {page.url} holds {key}={query[key]}, the input {shown}")


def _assert_reload_shows_the_same(browser, page, keys: tuple[str, ...], name: str) -> None:
    """The link the clicks produced, opened by a new visitor: same start, same picture."""
    want = {k: _input(page, k) for k in keys}
    picture = _plot(page, "pick").evaluate(_DATA_SIG_JS)
    again, _ = _open(browser, page.url)
    try:
        _shot(again, f"surfaces-{name}-reloaded")
        _assert_page_is_sound(again)
        assert {k: _input(again, k) for k in keys} == want, f"{page.url} reopened"
        assert NOT_USED not in _text(again), f"{page.url}: {_notice(again)}"
        assert _plot(again, "pick").evaluate(_DATA_SIG_JS) == picture, (
            f"{page.url} reopened draws another picture")
    finally:
        again.context.close()


def test_click_sets_the_start_on_the_course_curve(browser, app_url):
    surface = surfaces.get("course")
    page, _ = _open(browser, f"{app_url}/surfaces")
    try:
        assert page.locator(".st-key-x0 input").count() == 1, "no Start x₀ input"
        y_lo, y_hi = _plot(page, "pick").evaluate(_PLOT_BOX_JS)["y"]
        at = lambda frac: y_lo + frac * (y_hi - y_lo)  # noqa: E731  a height in the plot
        # x in [−1, 2], high and low in the plot, one on the curve itself; away from the
        # previous run's path, whose markers would take the click
        clicks = [(-0.8, at(0.85)), (-0.3, at(0.6)), (0.4, surface.value((0.4,))), (0.9, at(0.75)),
                  (1.45, at(0.05)), (1.9, at(0.9))]
        _click_start(page, clicks, ("x0",))
        _shot(page, "surfaces-course-clicked")
        _assert_reload_shows_the_same(browser, page, ("x0",), "course")
    finally:
        page.context.close()


def test_click_sets_the_start_on_himmelblau(browser, app_url):
    surface = surfaces.get("himmelblau")
    lattice = np.stack(click_targets(surface), -1)  # the chart's clickable points, (m, 2)

    def target(x: float, y: float) -> tuple[float, float]:
        return tuple(float(v) for v in lattice[np.argmin(((lattice - (x, y)) ** 2).sum(1))])

    page, _ = _open(browser, f"{app_url}/surfaces?f=Himmelblau")
    try:
        assert page.locator(".st-key-y0 input").count() == 1, "no Start y input"
        # away from the default run's path (0, 0) → (3, 2) and from the minima's markers
        _click_start(page, [target(-2.0, -1.25), target(1.5, 3.5)], ("x0", "y0"))
        _shot(page, "surfaces-himmelblau-clicked")
        _assert_reload_shows_the_same(browser, page, ("x0", "y0"), "himmelblau")
    finally:
        page.context.close()


# --- 4. runs added on the lr & momentum page survive a reload ----------------------------------

def _runs(page) -> list[int]:
    return sorted(set(page.evaluate(_RUN_KEYS_JS)))


def _run_settings(page, i: int) -> dict[str, str | None]:
    return {k: page.evaluate(_WIDGET_JS, f"{k}{i}") for k in ("opt", "lr", "mom", "nest",
                                                               "steps")}


def _assert_run_in_link(browser, page, i: int, name: str) -> None:
    """Run `i` (just added) is in the URL, and the URL reopened shows the same runs."""
    n = len(_runs(page))
    query = _query(page.url)
    assert query.get("n") == str(n), f"{n} runs drawn, but the URL says n={query.get('n')}"
    want = {j: _run_settings(page, j) for j in range(1, n + 1)}
    table = _table("lr_momentum")
    defaults = table.defaults() if table is not None else {}
    for key in ("lr", "mom"):
        shown = float(want[i][key])
        if not math.isclose(shown, defaults.get(f"{key}{i}", math.nan), abs_tol=1e-9):
            assert query.get(f"{key}{i}") is not None, (
                f"run {i} has {key} {shown}, but no {key}{i}= in {page.url}")
            assert float(query[f"{key}{i}"]) == pytest.approx(shown, rel=1e-3, abs=1e-3), (
                f"run {i} shows {key} {shown}, the URL {page.url}")
    again, _ = _open(browser, page.url)
    try:
        _shot(again, f"lr-momentum-{name}-reloaded")
        _assert_page_is_sound(again)
        assert NOT_USED not in _text(again), f"{page.url}: {_notice(again)}"
        assert _runs(again) == list(range(1, n + 1)), f"{page.url} reopened: {_runs(again)}"
        got = {j: _run_settings(again, j) for j in range(1, n + 1)}
        assert got == want, f"{page.url} reopened shows other runs"
    finally:
        again.context.close()


def _map_point(page, gd) -> tuple[float, float]:
    """A map cell away from the rings of the current runs (a ring takes the click)."""
    b = gd.evaluate(_PLOT_BOX_JS)
    rings = gd.evaluate("""gd => gd.data.filter(t => /^run \\d/.test(t.name || ''))
                                  .map(t => [t.x[0], t.y[0]])""")
    (x_lo, x_hi), (y_lo, y_hi) = b["x"], b["y"]

    def pixels(x, y):
        return ((x - x_lo) / (x_hi - x_lo) * b["width"], (y_hi - y) / (y_hi - y_lo) * b["height"])

    for fx, fy in [(0.2, 0.15), (0.3, 0.4), (0.15, 0.6), (0.45, 0.25), (0.25, 0.8)]:
        x, y = x_lo + fx * (x_hi - x_lo), y_lo + fy * (y_hi - y_lo)
        if all(math.dist(pixels(x, y), pixels(*r)) > 40 for r in rings):
            return x, y
    pytest.fail(f"every candidate cell is under a run's ring: {rings}")


def test_runs_added_on_the_lr_momentum_page_survive_a_reload(browser, app_url):
    page, _ = _open(browser, f"{app_url}/lr_momentum")
    try:
        _assert_page_is_sound(page)
        before = _runs(page)
        assert before, "no run widgets (keys lr1, lr2, …) on the page"
        gd = _plot(page, "map")
        x, y = _map_point(page, gd)
        _click_data(page, gd, x, y)
        added = min(len(before) + 1, lm.MAX_RUNS)
        _settle(page, """(n) => new URLSearchParams(location.search).get('n') === String(n)
                         && document.querySelector('.st-key-lr' + n) !== null""",
                added, what=f"a click on the map cell (10^{x:.2f}, {y:.2f}) should draw "
                f"run {added} and put n={added} in the URL")
        _shot(page, "lr-momentum-map-clicked")
        _assert_page_is_sound(page)
        run = _run_settings(page, added)
        assert abs(math.log10(float(run["lr"])) - x) <= 0.15, (
            f"clicked lr 10^{x:.2f}, run {added} has lr {run['lr']}")
        assert abs(float(run["mom"]) - y) <= 0.05, (
            f"clicked momentum {y:.3f}, run {added} has {run['mom']}")
        _assert_run_in_link(browser, page, added, "map")

        button = page.get_by_role("button", name="Add the optimal run (α*, β*)")
        if button.count() == 0:
            pytest.skip("the default objective has no quadratic theory: no optimal-run button")
        old = page.url
        button.scroll_into_view_if_needed()
        button.click()
        _settle(page, "(old) => location.href !== old", old,
                what="the optimal-run button should change the runs in the URL")
        optimal = min(added + 1, lm.MAX_RUNS)  # at MAX_RUNS runs it replaces the last one
        _shot(page, "lr-momentum-optimal-added")
        _assert_page_is_sound(page)
        _assert_run_in_link(browser, page, optimal, "optimal")
    finally:
        page.context.close()
