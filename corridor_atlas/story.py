"""Story mode (issue 13): a map that follows an article step by step.

A definition's `[[steps]]` (spec.Step) become `data.story` in the page payload, read by
static/story.js (the step panel, #step=N, keyboard, swipe, the postMessage API of
docs/story.md). For every map with steps the build also writes `<map>.article.html`: an
example article, one paragraph per step, with the map in a sticky iframe that follows the
paragraph being read. Text from definitions reaches the page as JSON (render.json_for_html)
and is set with textContent, or is escaped here with markupsafe: never markup.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from markupsafe import Markup

from .errors import Problems

MESSAGE_STEP = "corridor-atlas:step"  # parent → map: {type, step: N} or {type, next: true} or {type, prev: true}
MESSAGE_STEP_CHANGE = "corridor-atlas:stepchange"  # map → parent: {type, step: N, count: n, title}


def check_references(spec, spec_path: Path, layers: dict, problems: Problems) -> None:
    """A step's highlighted features must be drawn on the map, in a layer the step shows.

    Called from prepare.validate_references once the map's layers are known to exist.
    """
    from .prepare import _did_you_mean, selected_features

    if not spec.steps or any(ref.name not in layers for ref in spec.layers):
        return
    drawn = {f.id: ref for ref in spec.layers for f in selected_features(layers[ref.name], ref, layers, spec.layers)}
    all_ids = {f.id for layer in layers.values() for f in layer.features}
    for i, step in enumerate(spec.steps):
        shown = set(step.layers) if step.layers is not None else {ref.name for ref in spec.layers if ref.shown}
        for fid in step.highlight:
            where, say = f"steps[{i}].highlight", f"step {i + 1}: "
            if fid not in all_ids:
                problems.add(spec_path, where, f"{say}no feature with id {fid!r}{_did_you_mean(fid, all_ids)}")
            elif fid not in drawn:
                problems.add(spec_path, where, f"{say}{fid!r} is not drawn on this map (no layer of the map shows it)")
            elif drawn[fid].name not in shown:
                problems.add(spec_path, where, f"{say}{fid!r} is in layer {drawn[fid].name!r}, which this step does not show")


def step_texts(spec, lang: str = "en") -> list[dict]:
    """Each step's title and text in the page's language, with its sources.

    A translated title or text comes from `[[text.<lang>.steps]]` (same order as the steps);
    one left out shows the English and is marked titleLang/textLang "en", as callouts are.
    """
    translated = spec.text.get(lang).steps if lang != "en" and lang in spec.text else []
    out = []
    for i, step in enumerate(spec.steps):
        local = translated[i] if i < len(translated) else None
        texts: dict = {"title": step.title, "text": step.text, "sources": list(step.sources)}
        for key in ("title", "text"):
            if lang != "en":
                if local is not None and getattr(local, key):
                    texts[key] = getattr(local, key)
                else:
                    texts[key + "Lang"] = "en"
        out.append(texts)
    return out


def page_payload(spec) -> dict | None:
    """What story.js needs besides the steps' words and sources; None for a map without steps.

    The titles, texts and source links are in the page once, in the list readers without script
    get (steps_list): story.js reads them from it, so the payload does not carry them again."""
    if not spec.steps:
        return None
    steps = []
    for step in spec.steps:
        out: dict = {"layers": list(step.layers) if step.layers is not None else None, "highlight": list(step.highlight)}
        if step.bounds is not None:
            out["bounds"] = [list(corner) for corner in step.bounds]
        if step.center is not None:
            out["center"], out["zoom"] = list(step.center), step.zoom
        if step.date is not None:
            out["date"] = step.date
        steps.append(out)
    return {"steps": steps}


def article_filename(map_id: str) -> str:
    return f"{map_id}.article.html"


_ENV = Environment(autoescape=True, keep_trailing_newline=True)

# The steps as a plain list in the page's language. Hidden; shown under the picture when the
# reader has no script (render.py's <noscript> style); story.js reads each step's words from it.
STEPS_LIST = _ENV.from_string(
    """<ol class="atlas-story-list" id="atlas-steps" hidden>{% for s in steps %}<li><strong{% if s.titleLang %} lang="{{ s.titleLang }}" dir="ltr"{% endif %}>{{ s.title }}</strong> <span{% if s.textLang %} lang="{{ s.textLang }}" dir="ltr"{% endif %}>{{ s.text }}</span>{% for url in s.sources %} <a href="{{ url }}">[{{ loop.index }}]</a>{% endfor %}</li>{% endfor %}</ol>"""
)


def steps_list(spec, lang: str = "en") -> Markup:
    return Markup(STEPS_LIST.render(steps=step_texts(spec, lang))) if spec.steps else Markup("")


ARTICLE = _ENV.from_string("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}: the story</title>
<meta name="generator" content="Corridor Atlas">
<style>
html, body { margin: 0; padding: 0; }
body { font: 17px/1.55 Georgia, "Times New Roman", serif; color: #1d1d1d; background: #fbfaf7; }
/* Side by side from 680 px wide: the text column (at most 34rem) and the map, at least half the
   width and the whole height; narrower, the map sits on top, 60% of the height (docs/story.md). */
.article { display: grid; grid-template-columns: minmax(0, 34rem) minmax(50%, 1fr); gap: 0 2rem; padding: 0 1.5rem; }
.article header { grid-column: 1; padding: 2rem 0 1rem; }
.article h1 { font-size: 1.8rem; line-height: 1.2; margin: 0 0 .5rem; }
.article .lede { color: #3a3a3a; margin: 0; }
.steps { grid-column: 1; padding-bottom: 60vh; }
.step { margin: 0 0 70vh; padding: .75rem 1rem; border-left: 4px solid #c8c8c8; background: #fff; }
.step[aria-current="step"] { border-left-color: #b34700; }
.step h2 { font-size: 1.15rem; margin: 0 0 .35rem; }
.step p { margin: 0 0 .35rem; }
.step .sources { font: 14px/1.4 system-ui, sans-serif; color: #3a3a3a; overflow-wrap: anywhere; }  /* a long URL breaks, not the column */
.figure { grid-column: 2; grid-row: 1 / span 2; margin: 0; }
.figure iframe { position: sticky; top: 0; display: block; width: 100%; height: 100vh; border: 0; border-left: 1px solid #c8c8c8; background: #fff; }
footer { grid-column: 1; font: 13px/1.4 system-ui, sans-serif; color: #3a3a3a; padding-bottom: 2rem; }
@media (max-width: 900px) {
  body { font-size: 16px; }
  .article { gap: 0 1rem; padding: 0 1rem; }
}
@media (max-width: 679.98px) {
  .article { display: block; padding: 0; }
  .article header, footer { padding-left: 1rem; padding-right: 1rem; }
  .article header { padding-top: 1rem; }
  .article h1 { font-size: 1.4rem; }
  .figure { position: sticky; top: 0; z-index: 1; }
  .figure iframe { height: 60vh; border-left: 0; border-bottom: 1px solid #c8c8c8; }
  .steps { padding: 0 1rem 30vh; }
  .step { margin-bottom: 30vh; }
}
</style>
</head>
<body>
<main class="article">
<header>
<h1>{{ title }}</h1>
{% if subtitle %}<p class="lede">{{ subtitle }}</p>{% endif %}
</header>
<figure class="figure">
<iframe id="story-map" src="{{ map_file }}?panel=nav#step=1" title="Map: {{ title }}"></iframe>
</figure>
<div class="steps">
{% for s in steps %}<section class="step" id="step-{{ loop.index }}" data-step="{{ loop.index }}">
<h2>{{ s.title }}</h2>
<p>{{ s.text }}</p>
<p class="sources">Sources: {% for url in s.sources %}<a href="{{ url }}">{{ url }}</a>{% if not loop.last %}; {% endif %}{% endfor %}</p>
</section>
{% endfor %}</div>
<footer><p>An example article generated by Corridor Atlas from the steps of <a href="{{ map_file }}">{{ map_file }}</a>: the map follows the paragraph being read (docs/story.md).</p></footer>
</main>
<script>
/* Scrollytelling: the paragraph crossing the middle of the window picks the map's step
   ({type: "corridor-atlas:step", step: N} to the iframe); the map's announcements
   ({type: "corridor-atlas:stepchange"}) mark the paragraph it shows. Messages go to "*":
   a page opened from disk has an opaque origin ("null") that no target origin can name,
   and a step number is not a secret. Incoming messages are trusted only from the iframe's
   own window (event.source), whatever their origin, and only in the documented shape. */
(function () {
  "use strict";
  var frame = document.getElementById("story-map");
  var steps = Array.prototype.slice.call(document.querySelectorAll(".step"));
  var wanted = 1, shown = null;
  function send(step) {
    wanted = step;
    if (shown !== null && shown !== step) frame.contentWindow.postMessage({ type: "corridor-atlas:step", step: step }, "*");
  }
  window.addEventListener("message", function (event) {
    var d = event.data;
    if (event.source !== frame.contentWindow || !d || typeof d !== "object" || d.type !== "corridor-atlas:stepchange") return;
    if (typeof d.step !== "number" || d.step % 1 !== 0 || d.step < 0 || d.step > steps.length) return;  // 0: the map's opening
    var first = shown === null;
    shown = d.step;
    steps.forEach(function (s, i) { if (i + 1 === d.step) s.setAttribute("aria-current", "step"); else s.removeAttribute("aria-current"); });
    if (first && wanted !== shown) send(wanted);  // the map loaded after the reader had scrolled on
  });
  if (!("IntersectionObserver" in window)) return;
  /* The paragraph being read crosses the middle of what the map leaves free: the whole window
     beside the map, the part under it on a phone (the map is sticky on top). */
  var observer = null;
  function observe() {
    var stacked = getComputedStyle(frame.parentNode).position === "sticky";  // the phone layout: the map on top
    var top = stacked ? Math.min(frame.offsetHeight, window.innerHeight - 40) : 0;
    var band = Math.round(0.45 * (window.innerHeight - top));
    if (observer) observer.disconnect();
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { if (entry.isIntersecting) send(parseInt(entry.target.getAttribute("data-step"), 10)); });
    }, { rootMargin: "-" + (top + band) + "px 0px -" + band + "px 0px" });
    steps.forEach(function (s) { observer.observe(s); });
  }
  observe();
  window.addEventListener("resize", observe);
})();
</script>
</body>
</html>
""")


def article_html(spec, map_file: str) -> str:
    """The example article for a map with steps (written beside the map by the build)."""
    return ARTICLE.render(title=spec.title, subtitle=spec.subtitle, steps=spec.steps, map_file=map_file)
