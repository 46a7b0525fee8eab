"""The site around the maps: the index (gallery) page and the embed snippets.

Templates are jinja2 with autoescaping on, so titles and descriptions from definitions are
escaped in text and attributes alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from jinja2 import Environment
from markupsafe import Markup, escape

from .spec import MapSpec

_ENV = Environment(autoescape=True, keep_trailing_newline=True)


@dataclass(frozen=True)
class BuiltMap:
    spec: MapSpec
    filename: str
    description: str
    size_bytes: int
    png: str | None = None
    translations: tuple = ()  # ((lang, file name), …): the map's pages in other languages (i18n.py)


class BadBaseUrl(ValueError):
    """--base-url is not an absolute http(s) URL that can be pasted into an attribute as it is."""


_URL_UNSAFE = re.compile(r"[\s\"'<>`\\{}|^]|[\x00-\x1f\x7f]")


def check_base_url(url: str) -> str:
    """The URL the site will be published at, with one trailing slash; raises BadBaseUrl.

    Embed code and social tags are pasted elsewhere (a CMS, a social card), where a relative
    URL points at the wrong site, so they use this base. Only http(s), a host, no query or
    fragment, and nothing that would need quoting in HTML or a terminal."""
    if _URL_UNSAFE.search(url):
        raise BadBaseUrl(f"--base-url: {url!r} contains whitespace, a quote or a character that needs escaping")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadBaseUrl(f"--base-url: {url!r} is not an absolute http:// or https:// URL (e.g. https://example.org/atlas/)")
    if parts.query or parts.fragment or url.endswith(("?", "#")):
        raise BadBaseUrl(f"--base-url: {url!r} has a query or fragment; give the folder the site is published at")
    return url.rstrip("/") + "/"


def page_url(filename: str, base_url: str | None) -> str:
    """Absolute when the site's base URL is known, else relative to the page beside it."""
    return urljoin(base_url, filename) if base_url else filename


CARD_TEXT_CHARS = 200  # social cards and search snippets show about two lines; the full description is the page's #atlas-description


def card_text(text: str) -> str:
    """At most CARD_TEXT_CHARS characters, cut at a word and marked with an ellipsis."""
    if len(text) <= CARD_TEXT_CHARS:
        return text
    return text[:CARD_TEXT_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def social_meta(spec: MapSpec, description: str, filename: str, base_url: str | None, png_name: str | None,
                title: str | None = None) -> Markup:
    """Open Graph and Twitter card tags for a map page (`title`: the page's own, translated).
    og:url and og:image need absolute URLs, so without a base URL they are left out; without a
    PNG the card is a plain summary."""
    tags = [("og:type", "website"), ("og:title", title or spec.title), ("og:description", card_text(description))]
    if base_url:
        tags.append(("og:url", page_url(filename, base_url)))
    image = page_url(png_name, base_url) if base_url and png_name else None
    if image:
        tags.append(("og:image", image))
    lines = [f'<meta property="{name}" content="{escape(value)}">' for name, value in tags]
    lines.append(f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">')
    return Markup("\n".join(lines))


def embed_snippet(spec: MapSpec, filename: str, base_url: str | None = None) -> str:
    """A responsive iframe: 75% of the width tall, at least 320 px, at most 640 px.

    With `base_url` the src is absolute, so the snippet works pasted into any site."""
    title = _ENV.from_string("{{ t }}").render(t=spec.title)
    src = escape(page_url(filename, base_url))
    return (
        f'<iframe src="{src}" title="{title}" loading="lazy" '
        'style="width:100%;aspect-ratio:4/3;min-height:320px;max-height:640px;border:0" '
        'allowfullscreen></iframe>'
    )


INDEX = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Corridor Atlas</title>
<meta name="description" content="Maps of the routes and borders of the South Caucasus and the Caspian: Nakhchivan and the Zangezur corridor, Caspian crude to the Mediterranean, and the North–South Transport Corridor.">
<style>
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 980px; padding: 16px; color: #1d1d1d; }
h1 { margin: 0 0 4px; }
.maps { list-style: none; padding: 0; display: grid; gap: 18px; }
.map { border: 1px solid #d0cbc0; border-radius: 6px; padding: 12px 14px; }
.map h2 { margin: 0 0 4px; font-size: 1.2rem; }
.map p { margin: 4px 0; }
.meta { color: #4a4a4a; font-size: 0.9rem; }
.thumb { float: right; margin: 0 0 8px 12px; border: 1px solid #d0cbc0; max-width: 40%; height: auto; }
.map::after { content: ""; display: block; clear: both; }
textarea { width: 100%; box-sizing: border-box; font: 12px/1.4 ui-monospace, monospace; height: 4.5em; }
button { font: inherit; padding: 2px 10px; }
</style>
</head>
<body>
<header>
<h1>Corridor Atlas</h1>
<p>Routes and borders at the centre of South Caucasus and Caspian politics. Every map works offline and can be embedded in an article.</p>
</header>
<main>
<ul class="maps">
{% for m in maps %}
<li class="map" id="{{ m.spec.id }}">
{% if m.png %}<a href="{{ m.filename }}"><img class="thumb" src="{{ m.png }}" alt="" width="300" height="200" loading="lazy"></a>{% endif %}
<h2><a href="{{ m.filename }}">{{ m.spec.title }}</a></h2>
{% if m.spec.steps %}<p class="meta story">A story in {{ m.spec.steps|length }} steps: <a href="{{ m.filename }}">the map with its step panel</a> · <a class="article" href="{{ article(m.spec.id) }}">the map in an example article</a> (it follows the paragraph being read)</p>{% endif %}
{% if m.translations %}<p class="meta languages">Also in: {% for lang, file in m.translations %}<a href="{{ file }}" hreflang="{{ lang }}" lang="{{ lang }}">{{ language_name(lang) }}</a>{% if not loop.last %} · {% endif %}{% endfor %}</p>{% endif %}
{% if m.spec.subtitle %}<p>{{ m.spec.subtitle }}</p>{% endif %}
<p class="meta">{{ m.description }}</p>
<p class="meta">{{ "{:,}".format(m.size_bytes) }} bytes, self-contained.{% if m.png %} <a href="{{ m.png }}">Static image (PNG)</a>{% endif %}</p>
<label for="embed-{{ m.spec.id }}">Embed code</label>
<textarea id="embed-{{ m.spec.id }}" readonly>{{ embed(m.spec, m.filename, base_url) }}</textarea>
<button type="button" data-copy="embed-{{ m.spec.id }}">Copy embed code</button>
</li>
{% endfor %}
</ul>
{% if comparisons %}
<section class="comparisons" aria-labelledby="comparisons-heading">
<h2 id="comparisons-heading">Comparisons</h2>
<ul>
{% for c in comparisons %}
<li id="compare-{{ c.id }}"><a href="{{ c.filename }}">{{ c.title }}</a> <span class="meta">({{ c.routes }} routes side by side: length, km per country, border crossings)</span>{% if c.description %}<br><span class="meta">{{ c.description }}</span>{% endif %}</li>
{% endfor %}
</ul>
</section>
{% endif %}
</main>
<script>
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var area = document.getElementById(button.getAttribute("data-copy"));
    area.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard) navigator.clipboard.writeText(area.value).then(done, function () { document.execCommand("copy"); done(); });
    else { document.execCommand("copy"); done(); }
  });
});
</script>
</body>
</html>
"""
)


def render_index(maps: list[BuiltMap], comparisons: Sequence = (), base_url: str | None = None) -> str:
    """The gallery; ``comparisons`` (compare_page.BuiltComparison) adds a "Comparisons" section.

    A map marked ``draft = true`` is built (its page can be previewed) but not listed. With
    ``base_url`` the embed code carries absolute URLs."""
    listed = [m for m in maps if not m.spec.draft]
    from .i18n import language_name
    from .story import article_filename

    return INDEX.render(maps=sorted(listed, key=lambda m: m.spec.id), embed=embed_snippet, base_url=base_url, language_name=language_name,
                        article=article_filename, comparisons=sorted(comparisons, key=lambda c: c.id))
