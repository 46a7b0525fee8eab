"""Story mode (issue 13) in headless Chromium, on a small test map with three steps
(tests/test_story.py): buttons, keyboard and swipe move the map and change what is
highlighted, #step=N round-trips beside the permalink, the postMessage API drives the map from
the example article page (and the map announces its steps), and reduced motion is respected."""

from __future__ import annotations

import pytest

from corridor_atlas.pipeline import build_site
from corridor_atlas.story import article_filename

from .browser import browser
from .test_story import STORY_TOML, write_story_project

STATE = """() => { const c = atlas.map.getCenter(); return {step: atlas.story.step(), hash: location.hash, zoom: atlas.map.getZoom(),
  lat: c.lat, lon: c.lng, highlighted: atlas.story.highlighted(), date: atlas.time.date(),
  dimmed: atlas.map.getContainer().classList.contains('atlas-story-dim'),
  drawn: document.querySelectorAll('.leaflet-atlas-story-pane path').length,
  title: document.querySelector('.atlas-story-title').textContent, count: document.querySelector('.atlas-story-count').textContent}; }"""


@pytest.fixture(scope="module")
def story_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("story-browser")
    out = root / "site"
    build_site(write_story_project(root / "project"), out, workers=1)
    return out


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def open_story(chromium, site, hash_: str = "", width: int = 1280, height: int = 800, reduce: bool = True, touch: bool = False):
    context = chromium.new_context(viewport={"width": width, "height": height}, has_touch=touch,
                                   reduced_motion="reduce" if reduce else "no-preference")
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((site / "test-map.html").as_uri() + hash_)
    page.wait_for_selector("html[data-atlas-ready=true]")
    return page, errors, requests


def state(page) -> dict:
    return page.evaluate(STATE)


def in_view(page, south, west, north, east) -> bool:
    return page.evaluate("b => atlas.map.getBounds().contains(L.latLngBounds(b))", [[south, west], [north, east]])


def same_pixel(page, latlon) -> bool:
    """The page's centre is within a screen pixel of `latlon`."""
    return page.evaluate("ll => atlas.map.project(atlas.map.getCenter()).distanceTo(atlas.map.project(L.latLng(ll))) < 1", latlon)


def test_the_buttons_move_the_map_set_the_date_and_change_the_highlight(chromium, story_site):
    page, errors, requests = open_story(chromium, story_site)
    opening = state(page)  # the map as its definition opens it, the panel offering the story
    assert opening["step"] == 0 and "step" not in opening["hash"] and opening["count"] == "3 steps" and opening["title"] == "Test map"
    assert page.is_disabled(".atlas-story-prev") and not page.is_disabled(".atlas-story-next")
    page.click(".atlas-story-next")
    first = state(page)
    assert first["step"] == 1 and first["hash"] == "#step=1" and first["count"] == "Step 1 of 3" and first["title"] == "The whole line"
    assert first["highlighted"] == [] and not first["dimmed"] and first["drawn"] == 0 and first["date"] == "2021"
    assert in_view(page, 38.5, 40.5, 41.5, 49.5)  # no view of its own: the map's bounds, clear of the panel and legend
    page.click(".atlas-story-next")
    second = state(page)
    assert second["step"] == 2 and second["hash"] == "#step=2" and second["title"] == "The pipeline"
    assert second["highlighted"] == ["test-pipeline"] and second["dimmed"] and second["drawn"] == 2  # halo and line
    assert second["date"] == "2010" and page.evaluate("() => atlas.time.shown('test-rail')") is False
    assert second["zoom"] > first["zoom"] and in_view(page, 39.5, 40.5, 40.5, 42.5)
    page.click(".atlas-story-next")
    third = state(page)
    assert third["step"] == 3 and third["zoom"] == 8 and third["highlighted"] == ["test-rail", "alpha-town"]
    assert third["date"] == "2021" and in_view(page, 40.4, 42.9, 40.6, 43.1)
    assert page.is_disabled(".atlas-story-next") and not page.is_disabled(".atlas-story-prev")
    page.click(".atlas-story-prev")
    assert state(page)["step"] == 2 and state(page)["highlighted"] == ["test-pipeline"]
    links = page.eval_on_selector_all(".atlas-story-sources a", "as => as.map(a => [a.href, a.textContent, a.rel])")
    assert links == [["https://example.org/b", "example.org", "noopener noreferrer"], ["https://example.com/c", "example.com", "noopener noreferrer"]]
    assert not errors and not [u for u in requests if not u.startswith(("file:", "data:"))]
    page.context.close()


def test_the_keyboard_on_the_panel_moves_through_the_steps(chromium, story_site):
    page, errors, _ = open_story(chromium, story_site)
    page.focus("#atlas-story")
    seen = []
    for key in ["ArrowRight", "ArrowRight", "PageDown", "ArrowRight", "ArrowLeft", "PageUp", "End", "Home"]:
        before = state(page)
        page.keyboard.press(key)
        after = state(page)
        seen.append(after["step"])
        if after["step"] != before["step"]:
            assert (after["zoom"], after["lat"], after["lon"]) != (before["zoom"], before["lat"], before["lon"])  # the map moved
    assert seen == [1, 2, 3, 3, 2, 1, 3, 1]
    assert page.evaluate("() => document.activeElement.id") == "atlas-story"
    assert not errors
    page.context.close()


def test_step_links_round_trip_and_live_beside_the_permalink(chromium, story_site):
    page, errors, _ = open_story(chromium, story_site, "#step=3")
    opened = state(page)
    assert opened["step"] == 3 and opened["hash"] == "#step=3" and opened["zoom"] == 8
    page.click(".atlas-story-prev")
    page.wait_for_timeout(400)  # atlas.js's throttled permalink would have been written by now
    assert state(page)["hash"] == "#step=2"
    url = page.url
    again, _, _ = open_story(chromium, story_site, "#step=2")
    assert url.endswith("#step=2")
    shared, here = state(again), state(page)
    assert {k: v for k, v in shared.items() if k not in ("lat", "lon")} == {k: v for k, v in here.items() if k not in ("lat", "lon")}
    assert same_pixel(again, [here["lat"], here["lon"]])  # Leaflet rounds to whole pixels from where it starts
    again.context.close()
    # the reader moves away from the step: the permalink takes over, and opens that view
    box = page.locator(".atlas-map").bounding_box()
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 250, steps=5)
    page.mouse.up()
    page.wait_for_function("() => !location.hash.startsWith('#step=')", timeout=5000)  # after Leaflet's inertia
    permalink = state(page)["hash"]
    assert permalink.startswith("#8/") and permalink.endswith("/routes/2010"), permalink
    reopened, _, _ = open_story(chromium, story_site, permalink)
    assert reopened.evaluate("() => location.hash") == permalink and state(reopened)["step"] == 0  # the reader's view, not a step
    reopened.context.close()
    # a hash changed by the embedding page moves the story
    page.evaluate("() => { location.hash = '#step=1'; }")
    page.wait_for_function("() => atlas.story.step() === 1")
    assert not errors
    page.context.close()


def swipe(page, dx: int) -> None:
    page.evaluate("""dx => {
      const panel = document.getElementById('atlas-story'), r = panel.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const touch = (cx) => new Touch({identifier: 1, target: panel, clientX: cx, clientY: y});
      panel.dispatchEvent(new TouchEvent('touchstart', {touches: [touch(x)], changedTouches: [touch(x)], bubbles: true}));
      panel.dispatchEvent(new TouchEvent('touchend', {touches: [], changedTouches: [touch(x + dx)], bubbles: true}));
    }""", dx)


def test_a_swipe_on_the_panel_moves_the_story_on_a_phone(chromium, story_site):
    page, errors, _ = open_story(chromium, story_site, width=375, height=700, touch=True)
    swipe(page, 120)  # rightwards at the opening: nothing before it
    assert state(page)["step"] == 0
    for dx, step in ((-120, 1), (-120, 2), (-120, 3), (120, 2), (-20, 2)):  # -20: too short, a tap, not a swipe
        swipe(page, dx)
        assert state(page)["step"] == step
    # the sheet sits under the map, at most 40% of the height, and covers none of it
    panel = page.locator("#atlas-story").bounding_box()
    map_box = page.locator(".atlas-map").bounding_box()
    assert panel["height"] <= 0.4 * 700 and map_box["y"] + map_box["height"] <= panel["y"] + 0.5
    assert not errors
    page.context.close()


def test_the_phone_sheet_leaves_the_map_visible_on_a_small_screen(chromium, story_site):
    page, errors, _ = open_story(chromium, story_site, "#step=2", width=343, height=320)
    panel = page.locator("#atlas-story").bounding_box()
    map_box = page.locator(".atlas-map").bounding_box()
    assert panel["height"] <= 0.4 * 320 + 0.5 and map_box["height"] >= 100 and map_box["y"] + map_box["height"] <= panel["y"] + 0.5
    assert in_view(page, 39.5, 40.5, 40.5, 42.5) or page.evaluate("() => atlas.map.getZoom()") == 4
    assert not errors
    page.context.close()


def test_reduced_motion_sets_the_view_at_once_and_motion_flies(chromium, story_site):
    page, _, _ = open_story(chromium, story_site, reduce=True)
    start = state(page)["zoom"]
    now = page.evaluate("() => { atlas.story.go(2); const c = atlas.map.getCenter(); return [atlas.map.getZoom(), c.lat, c.lng,"
                        " !!document.querySelector('.leaflet-zoom-anim')]; }")
    page.wait_for_timeout(1500)
    later = page.evaluate("() => { const c = atlas.map.getCenter(); return [atlas.map.getZoom(), c.lat, c.lng, false]; }")
    assert now == later and now[0] == 8 != start  # the view was set within the call: no animation
    page.context.close()
    page, _, _ = open_story(chromium, story_site, reduce=False)
    now = page.evaluate("() => { atlas.story.go(2); const c = atlas.map.getCenter(); return [atlas.map.getZoom(), c.lat, c.lng]; }")
    assert abs(now[0] - start) < 0.05  # still (all but) where it was: Leaflet draws the flight's first frame at once, the rest over the next frames
    page.wait_for_function("() => atlas.map.getZoom() === 8", timeout=5000)
    page.wait_for_timeout(1500)
    end = state(page)
    assert [end["zoom"], end["lat"], end["lon"]] == later[:3] and end["hash"] == "#step=2"  # the same view as without motion
    page.emulate_media(reduced_motion="reduce")  # the reader changes the setting: the next step obeys at once
    assert page.evaluate("() => { atlas.story.go(1); return atlas.map.getZoom(); }") < 8 and in_view(page, 38.5, 40.5, 41.5, 49.5)
    page.context.close()


ANNOUNCED = "() => window.__announced"
LISTEN = """window.__announced = []; window.addEventListener('message', e => {
  const frame = document.getElementById('story-map'); if (frame && e.source === frame.contentWindow) window.__announced.push(e.data); });"""


def test_the_article_drives_the_map_by_postmessage_and_the_map_announces_its_steps(chromium, story_site):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    errors, requests = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.add_init_script(LISTEN)  # the article's parent side: what the map announces
    page.goto((story_site / article_filename("test-map")).as_uri())
    frame = page.frame_locator("#story-map").locator("html[data-atlas-ready=true]")
    frame.wait_for()
    map_frame = next(f for f in page.frames if f.url.split("#")[0].endswith("test-map.html?panel=nav"))
    page.wait_for_function("() => window.__announced.length > 0")
    assert page.evaluate(ANNOUNCED)[0] == {"type": "corridor-atlas:stepchange", "step": 1, "count": 3, "title": "The whole line"}

    def post(message):
        page.evaluate("m => document.getElementById('story-map').contentWindow.postMessage(m, '*')", message)
        page.wait_for_timeout(150)
        return map_frame.evaluate("() => atlas.story.step()")

    assert post({"type": "corridor-atlas:step", "step": 3}) == 3
    assert page.evaluate(ANNOUNCED)[-1] == {"type": "corridor-atlas:stepchange", "step": 3, "count": 3, "title": "The rail"}
    assert map_frame.evaluate("() => atlas.story.highlighted()") == ["test-rail", "alpha-town"]
    assert post({"type": "corridor-atlas:step", "prev": True}) == 2
    assert post({"type": "corridor-atlas:step", "next": True}) == 3
    count = len(page.evaluate(ANNOUNCED))
    for wrong in ({"type": "corridor-atlas:step", "step": 1, "extra": 1}, {"type": "corridor-atlas:step", "step": "1"},
                  {"type": "corridor-atlas:step", "step": 1.5}, {"type": "corridor-atlas:step", "step": 0},
                  {"type": "corridor-atlas:step", "step": 99}, {"type": "corridor-atlas:step", "next": 1},
                  {"type": "corridor-atlas:steps", "step": 1}, "corridor-atlas:step", ["corridor-atlas:step", 1], None):
        assert post(wrong) == 3, wrong
    assert len(page.evaluate(ANNOUNCED)) == count  # nothing answered to what was not understood
    # a message from anyone but the parent (here: the map's own window) is not listened to
    map_frame.evaluate("() => window.postMessage({type: 'corridor-atlas:step', step: 1}, '*')")
    page.wait_for_timeout(150)
    assert map_frame.evaluate("() => atlas.story.step()") == 3
    # scrolling the article: the paragraph in the middle of the window picks the step
    page.evaluate("() => document.getElementById('step-2').scrollIntoView({block: 'center'})")
    page.wait_for_function("() => document.querySelector('#step-2[aria-current=step]') !== null")
    assert map_frame.evaluate("() => [atlas.story.step(), atlas.story.highlighted()]") == [2, ["test-pipeline"]]
    assert not errors and not [u for u in requests if not u.startswith(("file:", "data:"))]
    context.close()



# ---- Small screens (issue 13 follow-up): the map keeps its share of the screen -------------
# The smallest screen supported is 343×320 (a small phone on its side, or an embed). The title
# and time bars take 66 px of it; a sheet of at most 34% of the height still holds the buttons and
# three lines of text; what is left, 45%, keeps the map the largest thing on the page. Taller
# screens give the map more: the sheet is as tall as its text (40% of the height at most).
MAP_SHARE = 0.45
SIZES = [(343, 320), (375, 700), (680, 510)]
LONG_TEXT = "The western half, told at the length of the article's longest steps. " * 4  # 280 characters (at most 300)
LONG_SOURCES = ", ".join(f'"https://news{i}.example.org/a/long/path"' for i in range(5))  # five, as the article's step 8

SHEET = """() => { const p = document.getElementById('atlas-story'), cs = getComputedStyle(p), m = document.querySelector('.atlas-map');
  const nav = p.querySelector('.atlas-story-nav'), body = p.querySelector('.atlas-story-body');
  const pr = p.getBoundingClientRect(), mr = m.getBoundingClientRect();
  return {map: mr.height, mapBottom: mr.bottom, panelTop: pr.top, panel: pr.height, leaflet: atlas.map.getSize().y, container: m.clientHeight,
          free: p.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) - nav.offsetHeight - body.scrollHeight,
          scrolls: body.scrollHeight > body.clientHeight + 1}; }"""


@pytest.fixture(scope="module")
def long_story_site(tmp_path_factory):
    """The test map with one step as long as the article's longest (step 2)."""
    root = tmp_path_factory.mktemp("story-long")
    out = root / "site"
    build_site(write_story_project(root / "project", STORY_TOML.replace('"The western half."', f'"{LONG_TEXT.strip()}"')
                                                      .replace('"https://example.org/b", "https://example.com/c"', LONG_SOURCES)), out, workers=1)
    return out


@pytest.mark.parametrize("width,height", SIZES)
def test_the_sheet_fits_its_text_and_leaves_the_map_its_share(chromium, long_story_site, width, height):
    page, errors, _ = open_story(chromium, long_story_site, width=width, height=height)
    for step in (0, 1, 2, 3, 1):  # the opening, short and long texts, and back to a short one
        if step:
            page.evaluate("n => atlas.story.go(n)", step)
        sheet = page.evaluate(SHEET)
        where = f"{width}×{height} step {step}: {sheet}"
        assert sheet["map"] >= MAP_SHARE * height, where
        assert sheet["mapBottom"] <= sheet["panelTop"] + 0.5 and sheet["panel"] <= 0.4 * height + 0.5, where  # under the map, not on it
        assert sheet["free"] <= 2, where  # no empty space under a short text
        assert sheet["leaflet"] == sheet["container"], where  # Leaflet knows the map's new size before the step's view is fitted
    if height >= 480:  # the long step has room to be read whole on a phone held upright
        page.evaluate("() => atlas.story.go(2)")
        assert not page.evaluate(SHEET)["scrolls"]
    assert not errors
    page.context.close()


def open_article(chromium, site, width: int, height: int):
    context = chromium.new_context(viewport={"width": width, "height": height}, reduced_motion="reduce")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((site / article_filename("test-map")).as_uri())
    page.frame_locator("#story-map").locator("html[data-atlas-ready=true]").wait_for()
    map_frame = next(f for f in page.frames if f.url.split("#")[0].split("?")[0].endswith("test-map.html"))
    return page, map_frame, errors


@pytest.mark.parametrize("width,height", [(343, 320), (375, 700)])
def test_the_article_keeps_long_source_links_inside_its_column(chromium, story_site, width, height):
    """A step's source is printed as its URL: a long one breaks inside the step's box on a
    phone, never runs past the screen's edge (it was cut there at 343 px)."""
    page, _, errors = open_article(chromium, story_site, width, height)
    try:
        page.evaluate("""() => document.querySelectorAll('.step .sources a').forEach(a => {
          a.textContent = a.href = 'https://example.org/' + 'averylongpathsegmentwithoutabreak/'.repeat(4); })""")
        overflow = page.evaluate("""() => [...document.querySelectorAll('.step')].map(step => {
          const box = step.getBoundingClientRect();
          return Math.max(...[...step.querySelectorAll('.sources a')].flatMap(a => [...a.getClientRects()].map(r => r.right))) - box.right; })""")
        assert overflow and max(overflow) <= 0, overflow
        assert page.evaluate("document.documentElement.scrollWidth") <= width and not errors
    finally:
        page.context.close()


# In the article the map shares the screen with the text. Beside it (from 680 px wide) the map is
# the whole height of its column; on a phone it is on top, 60% of the height. Inside the frame the
# panel is only ‹ Step k of n › (the article shows the text), so the map keeps 45% of the frame
# or more, and at least 27% (60% × 45%) of the screen.
ARTICLE_SIZES = [(1280, 800, "beside"), (680, 510, "beside"), (375, 700, "above"), (343, 320, "above")]


@pytest.mark.parametrize("width,height,layout", ARTICLE_SIZES)
def test_the_article_gives_the_map_a_usable_share_of_the_screen(chromium, story_site, width, height, layout):
    page, map_frame, errors = open_article(chromium, story_site, width, height)
    page.evaluate("() => window.scrollTo(0, document.getElementById('step-2').offsetTop)")  # reading: the map is stuck in place
    page.wait_for_timeout(100)
    frame_box = page.locator("#story-map").bounding_box()
    text_box = page.locator("#step-2").bounding_box()
    inner = map_frame.evaluate("() => { const r = document.querySelector('.atlas-map').getBoundingClientRect();"
                               " return {top: r.top, height: r.height, width: r.width, text: getComputedStyle(document.querySelector('.atlas-story-body')).display}; }")
    where = f"{width}×{height}: frame {frame_box}, map {inner}"
    if layout == "beside":
        assert frame_box["x"] >= text_box["x"] + text_box["width"] and frame_box["height"] >= height - 1, where
        assert frame_box["width"] >= 0.45 * width, where
    else:
        assert frame_box["y"] <= 0.5 and frame_box["height"] >= 0.6 * height - 1, where
    assert inner["height"] >= MAP_SHARE * frame_box["height"], where
    assert inner["height"] * inner["width"] >= 0.27 * width * height, where
    assert inner["text"] == "none", where  # the step's text is the article's, not repeated in the frame
    # the map's credits stay in sight: a line under a compact page's map; in the article's small
    # frame, in the step bar under ‹ Step k of n › (story.js), so the map keeps its share
    credits = map_frame.evaluate("""() => { const l = document.querySelector('.atlas-credit-line');
      return l && {shown: getComputedStyle(l).display !== 'none' && l.getBoundingClientRect().height > 0,
                   inBar: !!l.closest('.atlas-story-nav'), cut: l.scrollWidth > l.clientWidth + 1, text: l.textContent}; }""")
    if frame_box["width"] <= 760:  # the frame's own layout: compact in a column beside the text too
        assert credits["shown"] and credits["inBar"] and not credits["cut"] and credits["text"], (where, credits)
    else:
        assert not credits["shown"], (where, credits)
    assert not errors
    page.context.close()


def test_on_a_phone_the_paragraph_under_the_map_picks_the_step(chromium, story_site):
    page, map_frame, errors = open_article(chromium, story_site, 375, 700)
    # step 2 in the middle of the part of the window the map leaves free (it is sticky on top)
    page.evaluate("""() => { const frame = document.getElementById('story-map').getBoundingClientRect(), s = document.getElementById('step-2');
      const free = innerHeight - frame.height, middle = frame.height + free / 2;
      window.scrollTo(0, s.offsetTop + s.offsetHeight / 2 - middle); }""")
    page.wait_for_function("() => document.querySelector('#step-2[aria-current=step]') !== null")
    assert map_frame.evaluate("() => atlas.story.step()") == 2
    assert not errors
    page.context.close()


def test_the_gallery_links_the_story_article(chromium, story_site):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
    page = context.new_page()
    page.goto((story_site / "index.html").as_uri())
    link = page.locator("#test-map a.article")
    assert link.get_attribute("href") == article_filename("test-map")
    link.click()
    page.frame_locator("#story-map").locator("html[data-atlas-ready=true]").wait_for()
    assert page.url.endswith(article_filename("test-map"))
    context.close()


# ---- The panel's words in every language, mirrored on right-to-left pages ------------------
PANEL_WORDS = """() => { const p = document.getElementById('atlas-story'), q = (s) => p.querySelector(s), x = (s) => q(s).getBoundingClientRect().left;
  const bar = document.querySelector('.atlas-bar').getBoundingClientRect(), time = document.querySelector('.atlas-time').getBoundingClientRect();
  return {label: p.getAttribute('aria-label'), prev: [q('.atlas-story-prev').textContent, q('.atlas-story-prev').getAttribute('aria-label')],
          next: [q('.atlas-story-next').textContent, q('.atlas-story-next').getAttribute('aria-label')], count: q('.atlas-story-count').textContent,
          nextOnTheLeft: x('.atlas-story-next') < x('.atlas-story-prev'), barBottom: bar.bottom, timeTop: time.top}; }"""


@pytest.fixture(scope="module")
def story_site_in_languages(tmp_path_factory):
    root = tmp_path_factory.mktemp("story-langs")
    out = root / "site"
    build_site(write_story_project(root / "project"), out, workers=1, langs=["ru", "he"])
    return out


@pytest.mark.parametrize("lang", ["ru", "he"])
def test_the_panel_speaks_the_page_language_and_mirrors_on_rtl_pages(chromium, story_site_in_languages, lang):
    from corridor_atlas.i18n import catalogue

    words = {key: catalogue(lang)[key]["text"] for key in ("story", "story_previous", "story_next", "story_step_of")}
    rtl = lang == "he"
    context = chromium.new_context(viewport={"width": 375, "height": 700}, reduced_motion="reduce")
    page = context.new_page()
    page.goto((story_site_in_languages / f"test-map.{lang}.html").as_uri())
    page.wait_for_selector("html[data-atlas-ready=true]")
    page.focus("#atlas-story")
    page.keyboard.press("ArrowLeft" if rtl else "ArrowRight")  # forward in the reading direction
    seen = page.evaluate(PANEL_WORDS)
    assert page.evaluate("() => atlas.story.step()") == 1
    assert seen["label"] == words["story"] and seen["count"] == words["story_step_of"].replace("{k}", "1").replace("{n}", "3")
    assert seen["prev"] == ["›" if rtl else "‹", words["story_previous"]] and seen["next"] == ["‹" if rtl else "›", words["story_next"]]
    assert seen["nextOnTheLeft"] is rtl  # "next" points the way the page reads
    assert seen["barBottom"] <= seen["timeTop"] + 0.5, seen  # the languages stay on the title's line: the time bar is not covered
    context.close()


def test_the_steps_list__shown_without_script_hidden_with_it(chromium, story_site):
    """The steps' words are in the page once (#atlas-steps): a numbered list under the note when
    script is off; with script on it stays hidden and story.js's panel reads its words from it."""
    context = chromium.new_context(viewport={"width": 680, "height": 510}, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto((story_site / "test-map.html").as_uri())
        items = page.locator("#atlas-steps > li")
        assert items.count() == 3 and items.nth(1).text_content().startswith("The pipeline The western half.")
        listed = page.locator("#atlas-steps").bounding_box()
        description = page.locator("#atlas-description").bounding_box()
        assert listed is not None and listed["height"] > 40 and listed["y"] >= description["y"] + description["height"] - 1
    finally:
        context.close()
    page, errors, _ = open_story(chromium, story_site, "#step=2")
    try:
        assert page.locator("#atlas-steps").bounding_box() is None and errors == []
        assert page.locator(".atlas-story-text").text_content() == "The western half."
        links = page.eval_on_selector_all(".atlas-story-sources a", "as => as.map(a => a.href)")
        assert links == ["https://example.org/b", "https://example.com/c"]
    finally:
        page.context.close()
