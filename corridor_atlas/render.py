"""Page assembly: a `PreparedMap` → one self-contained HTML page (a string).

Jinja templates give the page skeleton and the `L.map` call (the same bytes folium 0.20 wrote
for them, without importing folium, branca and requests); everything drawn on the map comes from
one JSON payload read by `static/atlas.js`, which builds popups, tooltips and labels as DOM
nodes with `textContent`. That is how text from data can never become markup: it is
escaped for the JSON-in-HTML context here (`<`, `>`, `&` as \\u escapes) and never passed to
`innerHTML` in the page. Server-side HTML (title, legend, description) is escaped with
markupsafe. The same input gives the same bytes. This module knows nothing about files on disk.
"""

from __future__ import annotations

import json
import re

from jinja2 import Template
from markupsafe import Markup, escape

from . import assets, story, timeline
from .codec import compact_layers, pack_layers, share_borders, share_repeated
from .credits import credit_line
from .prepared import PreparedMap
from .simplify import decimals_for_zoom
from .snapshot import PNG_HEIGHT, PNG_WIDTH
from .describe import render_description
from .i18n import Translator, as_of, language_name, localise_payload, page_dir, page_filename, page_text, spec_text
from .style import COUNTRY_FILLS, LegendEntry, land_fill

# Every piece of the page body is rendered a second time as a Jinja template (_as_template,
# as folium's branca did), so `{{`, `{%` or `{#` from data would be evaluated at build time.
# In JSON these only occur inside strings (a structural `{` is always followed by `"` or `}`),
# so the `{` can become \u007b there; in HTML, &#123;.
_JINJA_OPENER = re.compile(r"\{(?=[{%#])")


def json_for_html(value) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, no HTML entities, no U+2028,
    and nothing Jinja would read as a tag (see _JINJA_OPENER)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
    text = (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return _JINJA_OPENER.sub(r"\\u007b", text)


PAGE = Template(
    "<!DOCTYPE html>\n"
    '<html lang="{{ lang }}" dir="{{ dir }}">\n'
    "<head>\n"
    '<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{{ title }}</title>\n"
    '<meta name="description" content="{{ description }}">\n'
    # without script the page is read, not used: the description (once, in #atlas-description)
    # shown as text after the note that the map needs script, above the picture and the steps;
    # the empty map box and the legend of the lines nobody sees hidden
    "<noscript><style>div.atlas-map,details.atlas-legend{display:none}div.atlas-noscript{position:static}"  # outrank atlas.css (later)
    "#atlas-description{position:static;width:auto;height:auto;overflow:visible;clip:auto;white-space:normal}"
    "p.atlas-noscript-note,#atlas-description,div.atlas-noscript{margin:0;padding:4px 8px}"
    "#atlas-steps{display:block;margin:0 8px 8px}</style></noscript>\n"  # the steps, hidden while story.js shows them
    '<meta name="generator" content="Corridor Atlas">\n'
    "{{ social_meta }}\n"
    "{% for part in header %}\n    {{ part }}{% endfor %}\n"
    "</head>\n"
    "<body>\n"
    "{% for part in html %}\n    {{ part }}{% endfor %}\n"
    "<script>\n"
    "{% for part in script %}\n    {{ part }}{% endfor %}\n"
    "</script>\n"
    "</body>\n"
    "</html>\n"
)
# The Leaflet map: folium.Map(location=None, tiles=None, control_scale=True, zoom_control=True,
# attribution_control=True) wrote exactly these options (min and max zoom go to tile layers, and
# there are none); "map_8" was its element id, kept so that pages stay byte-identical.
MAP_ID = "map_8"
MAP_DIV = (f'<div class="atlas-map" id="{MAP_ID}" role="region" aria-label="{{{{ aria_label }}}}" '
           'aria-describedby="atlas-description"></div>')
MAP_SCRIPT = (f'\nvar {MAP_ID} = L.map("{MAP_ID}", {{\n  "zoom": 1,\n  "zoomControl": true,\n  "preferCanvas": false,\n'
              f'  "attributionControl": true,\n}});\nL.control.scale({{"imperial": false}}).addTo({MAP_ID});')
LAYERS_SCRIPT = f'\nCorridorAtlas.init({MAP_ID}, JSON.parse(document.getElementById("atlas-data").textContent));'
CONTENT_TYPE_META = '<meta http-equiv="content-type" content="text/html; charset=UTF-8" />'


def _as_template(text: str) -> str:
    """`text` rendered as a Jinja template, as branca rendered every element (trailing newline dropped).

    Text with nothing Jinja reads or rewrites (no `{{`, `{%`, `{#`, no carriage return) comes out
    the same less one trailing newline, so it is not compiled: ~10 ms a page for the inlined scripts.
    """
    if not any(token in text for token in ("{{", "{%", "{#", "\r")):
        return text[:-1] if text.endswith("\n") else text
    return Template(text).render()


def _svg_swatch(entry: LegendEntry) -> Markup:
    s = entry.style
    if entry.swatch == "line":
        def stroke(o) -> str:
            dash = f' stroke-dasharray="{escape(o["dashArray"])}"' if o.get("dashArray") else ""
            dash += f' stroke-dashoffset="{escape(o["dashOffset"])}"' if o.get("dashOffset") else ""  # a railway's ticks in the gaps
            return (f'<line x1="2" y1="7" x2="34" y2="7" stroke="{escape(o["color"])}" stroke-width="{escape(o["weight"])}" '
                    f'stroke-linecap="{escape(o.get("lineCap", "butt"))}"{dash}/>')
        marks = s.get("marks", [])  # a kind's ticks, core or halo (style.kind_marks), under or over the line
        strokes = [stroke(m) for m in marks if m["under"]] + [stroke(s)] + [stroke(m) for m in marks if not m["under"]]
        return Markup('<svg width="36" height="14" aria-hidden="true">' + "".join(strokes) + "</svg>")
    if entry.swatch == "text":
        return Markup("")
    if entry.swatch == "arrow":  # a flow arrowhead on a line, as atlas.js draws them
        return Markup(
            '<svg width="36" height="14" aria-hidden="true"><line x1="2" y1="7" x2="34" y2="7" stroke="#767676" stroke-width="3"/>'
            f'<path d="M24 7 L12 1 L15 7 L12 13 Z" fill="{escape(s["color"])}" stroke="#ffffff" stroke-width="1.5"/></svg>'
        )
    if entry.swatch == "area":
        dash = f' stroke-dasharray="{escape(s["dashArray"])}"' if "dashArray" in s else ""
        return Markup(
            '<svg width="36" height="14" aria-hidden="true"><rect x="2" y="2" width="32" height="10" '
            f'fill="{escape(s["fillColor"])}" fill-opacity="{escape(s["fillOpacity"])}" stroke="{escape(s["color"])}" '
            f'stroke-width="2"{dash}/></svg>'
        )
    return Markup(f'<span class="atlas-marker atlas-marker--{escape(s["shape"])}" aria-hidden="true"></span>')


def legend_html(entries: list[LegendEntry], tr: Translator | None = None) -> Markup:
    tr = tr or Translator("en")
    rows = []
    group = None
    for entry in entries:
        if entry.group != group:
            if group is not None:
                rows.append("</ul>")
            group = entry.group
            rows.append(f"<h2>{tr.english_html(group)}</h2><ul>")
        rows.append(f"<li>{_svg_swatch(entry)}<span>{tr.english_html(entry.label)}</span></li>")
    if group is not None:
        rows.append("</ul>")
    return Markup("".join(rows))


# Below 760 px (atlas.css, atlas.js) the bar is a one-line header above the map holding the title,
# the collapsed legend and the layer control; on wider pages it is `display: contents`.
PAGE_CHROME = Template(
    """<div class="atlas-bar">
<header class="atlas-title">
<h1>{{ title }}</h1>
{%- if languages %}<nav class="atlas-languages" aria-label="{{ languages_label }}">{% for l in languages %}{% if l.current %}<span lang="{{ l.lang }}" aria-current="page">{{ l.name }}</span>{% else %}<a href="{{ l.href }}" hreflang="{{ l.lang }}" lang="{{ l.lang }}">{{ l.name }}</a>{% endif %}{% endfor %}</nav>{% endif %}
{%- if subtitle %}<p class="atlas-subtitle">{{ subtitle }}</p>{% endif %}
{%- if as_of %}<p class="atlas-asof" id="atlas-asof">{{ as_of }}</p>{% endif %}
{%- if credit or source_line %}<p class="atlas-credit">{% if credit %}<span>{{ credit }}.</span>{% endif %}{% if source_line %} <span>{{ source_line }}</span>{% endif %}</p>{% endif %}
</header>
<details class="atlas-legend" open>
<summary>{{ legend_heading }}</summary>
{{ legend }}
<p class="atlas-legend-note">{{ legend_note }}</p>
{%- if download %}
<p class="atlas-download"><a href="{{ download }}" download>{{ download_text }}</a>: {{ download_note }}</p>
{%- endif %}
</details>
</div>
<noscript><p class="atlas-noscript-note">{{ needs_javascript }}</p></noscript>
<p id="atlas-description" class="atlas-description"{% if description_lang %} lang="{{ description_lang }}" dir="ltr"{% endif %}>{{ description }}</p>
<noscript><div class="atlas-noscript">{% if png %}<img src="{{ png }}" alt="{{ description_text }}" width="{{ png_width }}" height="{{ png_height }}">{% endif %}</div></noscript>
{{ story_list }}""",
    autoescape=True,
)


def payload(prepared: PreparedMap) -> dict:
    spec = prepared.spec
    features = [f["properties"] for layer in prepared.layers for f in layer.features]
    time = timeline.page_payload(spec, features)
    layers, sources = compact_layers([{"name": layer.name, "title": layer.title, "shown": layer.shown,
                                       "geojson": {"type": "FeatureCollection", "features": layer.features}}
                                      for layer in prepared.layers], decimals_for_zoom(spec.view.max_zoom))
    layers, shared = share_repeated(layers)
    countries, arcs = share_borders(prepared.countries)
    return {
        "id": spec.id,
        "title": spec.title,
        "view": {
            "bounds": prepared.view_bounds,
            "center": list(spec.view.center) if spec.view.center else None,
            "zoom": spec.view.zoom,
            "minZoom": spec.view.min_zoom,
            "maxZoom": spec.view.max_zoom,
            "maxBounds": prepared.extent.leaflet_bounds(),
            "landBounds": prepared.land_bounds,  # basemap.py: the land drawn reaches this far
        },
        "locator": prepared.locator,
        "countries": countries,
        "arcs": ",".join(arcs),  # codec.share_borders: each border once, cited by the countries on both sides
        "decimals": decimals_for_zoom(spec.view.max_zoom),
        "countryLabels": prepared.country_labels,
        "landFills": {c["iso_a3"]: land_fill(c["iso_a3"]) for c in prepared.countries if c["iso_a3"] in COUNTRY_FILLS},
        "layers": layers,
        "sources": sources,  # codec.compact_layers: each source once; features cite it by index
        "shared": shared,  # codec.share_repeated: notes, figures and the like that features carry alike, once
        "callouts": prepared.callouts,
        "routeLabels": prepared.labels.get("routes", []),  # placement.py: per layout, clear of places
        "seaLabels": prepared.labels.get("seas", []),
        "styles": {**prepared.styles, **timeline.page_styles(time, features)},  # timeline.py: the lines' styles at other dates
        "time": time,
        "story": story.page_payload(spec),  # story.py: the steps story.js walks through
        "attribution": prepared.attributions,
        "creditLine": credit_line(prepared.attributions),  # credits.credit_line: under a compact page's map
        "tiles": prepared.tiles,
    }


def render_page(prepared: PreparedMap, asset_mode: str = "inline", png_name: str | None = None,
                base_url: str | None = None, lang: str = "en", languages: list[str] | None = None,
                names: dict | None = None, country_iso: dict[str, str] | None = None) -> str:
    """The complete HTML page for one map; `png_name` adds the static fallback to <noscript>;
    `base_url` (where the site is published) makes og:url and og:image absolute (site.social_meta)."""
    from .site import card_text, social_meta

    spec = prepared.spec
    data = payload(prepared)
    features = [f["properties"] for layer in prepared.layers for f in layer.features]
    if names is not None or lang != "en":  # i18n.py: names, dates, callouts and UI strings in the page's language
        data = localise_payload(data, lang, names or {}, country_iso or {}, spec, prepared)
    tr = Translator(lang)  # the page's UI strings; English marked lang="en" where one is missing
    plain_title = spec_text(spec, lang).get("title") or spec.title  # <title> cannot mark a fallback
    description, description_html = prepared.description, prepared.description  # describe.py: worded in the page's language
    if prepared.description_plan and (lang != "en" or names):
        description, description_html = render_description(prepared.description_plan, spec, lang, names or {})
    social = social_meta(spec, description, page_filename(spec.id, lang), base_url, png_name, plain_title)
    uses = {"story": bool(spec.steps), "time": bool(data["time"]), "locator": bool(data["locator"])}  # only what the page runs
    chrome = PAGE_CHROME.render(
        title=page_text(spec, lang, "title"),
        subtitle=page_text(spec, lang, "subtitle"),
        legend=legend_html(timeline.legend(prepared.legend, data["time"], features), tr),  # every style a date shows
        description=description_html,
        description_text=card_text(description),  # the picture's alt: the whole text is right above it
        description_lang="en" if lang != "en" and not prepared.description_plan else None,  # English prose only without a plan
        credit=page_text(spec, lang, "credit"),
        source_line=page_text(spec, lang, "source_line"),
        legend_heading=tr.html("legend"),
        legend_note=tr.html("legend_note"),
        download_text=tr.html("download_data"),
        download_note=tr.html("download_data_note"),
        needs_javascript=tr.html("needs_javascript"),
        languages=[{"lang": code, "name": language_name(code), "href": page_filename(spec.id, code), "current": code == lang}
                   for code in languages or []] if len(languages or []) > 1 else [],
        languages_label=tr.text("languages")[0],
        as_of=as_of(data["time"]["default"], lang) if data["time"] else "",  # the control's date, also without JS
        download=f"data/{spec.id}.geojson",  # written beside the page by the build (export.map_data)
        png=png_name,
        story_list=story.steps_list(spec, lang),  # without script, a list under the picture; with it, story.js's words
        png_width=PNG_WIDTH,
        png_height=PNG_HEIGHT,
    )
    aria_label = Markup(_JINJA_OPENER.sub("&#123;", str(escape(f"{tr.text('map')[0]}: {plain_title}"))))  # see _JINJA_OPENER
    return PAGE.render(
        lang=lang, dir=page_dir(lang),  # i18n.py: dir="rtl" for fa, ar, he
        title=escape(plain_title), description=escape(card_text(description)),  # a search result's snippet; the whole text is #atlas-description
        social_meta=Markup(_JINJA_OPENER.sub("&#123;", str(social))),  # already escaped; see _JINJA_OPENER
        header=[CONTENT_TYPE_META, _as_template(assets.head_html(asset_mode, **uses)), _as_template(assets.atlas_script(**uses)), ""],
        html=[chrome, _as_template(Template(MAP_DIV).render(aria_label=aria_label)),
              _as_template(f'<script type="application/json" id="atlas-data">{json_for_html(pack_layers(data))}</script>')],
        script=[_as_template(MAP_SCRIPT), _as_template(LAYERS_SCRIPT)],
    )
