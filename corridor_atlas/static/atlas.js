/* Corridor Atlas page script: draws one map from the JSON payload built by render.py.
 *
 * Rule: text from data only ever reaches the page through textContent, or through
 * escapeHtml() where a Leaflet API insists on an HTML string (layer control names,
 * attribution). Links are only made from http(s) URLs.
 */
(function () {
  "use strict";

  var dom = window.AtlasDom;
  var escapeHtml = dom.escapeHtml, el = dom.el, safeUrl = dom.safeUrl, link = dom.link;

  /* ---- The page's language (issue 12; corridor_atlas/i18n.py) ---------------------------
     data.strings: the UI strings translated into the page's language (data.lang). A string
     missing there shows its English in a span marked lang="en" (class atlas-untranslated);
     so does a name or text from data with nameLang/textLang "en" (no sourced translation).
     Every run from data is bidi-isolated (dir="auto"), so "BTC 1,768 km" stays in order
     inside Persian text. On a right-to-left page the controls change sides. */
  var PAGE = { lang: "en", dir: "ltr", strings: null, units: null };
  var MIRRORED = { topleft: "topright", topright: "topleft", bottomleft: "bottomright", bottomright: "bottomleft" };
  function useLanguage(data) {
    PAGE.lang = data.lang || "en";
    PAGE.dir = data.dir || "ltr";
    PAGE.strings = PAGE.lang === "en" ? null : (data.strings || {});
    PAGE.units = data.units || null;
    PAGE.numbering = data.numbering || "latn";  // CLDR's default digits for the language (i18n.numbering)
  }
  function translated(key) { return !!PAGE.strings && Object.prototype.hasOwnProperty.call(PAGE.strings, key); }
  /* Plain text, for attributes (title, aria-label): the translation, else the English. */
  function sayText(key, english) { return translated(key) ? PAGE.strings[key] : english; }
  /* A node: the translation, else the English marked as English. */
  function say(key, english) {
    return !PAGE.strings || translated(key) ? document.createTextNode(sayText(key, english)) : englishRun(english);
  }
  /* The same as an HTML string, for the Leaflet APIs that take one (layer control). */
  function sayHtml(key, english) {
    return !PAGE.strings || translated(key) ? escapeHtml(sayText(key, english))
      : '<span class="atlas-untranslated" lang="en" dir="ltr">' + escapeHtml(english) + "</span>";
  }
  function englishRun(text) {
    var span = el("span", "atlas-untranslated", text);
    span.setAttribute("lang", "en");
    span.setAttribute("dir", "ltr");
    return span;
  }
  /* Text from data (a name, a callout, an operator): isolated; marked English where the page
     is in another language and the text fell back to English (or is English data). */
  function named(text, lang) {
    if (lang === "en" && PAGE.lang !== "en") return englishRun(text);
    var span = el("span", null, text);
    span.setAttribute("dir", "auto");
    return span;
  }
  /* An English page's integers grouped by hand, as en-GB writes them ("2,000"): the scale bar calls
     this at start-up, and the first Intl call of a page costs 10-20 ms (ICU data). */
  function localNumber(value) {
    var n = Number(value);
    if (PAGE.lang === "en" && Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return n.toLocaleString(PAGE.lang === "en" ? "en-GB" : PAGE.lang + "-u-nu-" + PAGE.numbering);
  }
  /* An attribute (aria-label, title) holding a name that fell back to English: the element says so. */
  function markEnglish(node, lang) { if (node && lang === "en" && PAGE.lang !== "en") node.setAttribute("lang", "en"); }
  /* A date written by the build (CLDR pattern, Latin digits) in the digits the figures use. */
  function localDigits(text) { return PAGE.lang === "en" ? text : String(text).replace(/[0-9]/g, function (d) { return localNumber(+d); }); }
  /* The scale bar's "500 km" as CLDR writes it in the page's language (i18n.unit_patterns). */
  if (window.L && L.Control && L.Control.Scale) {
    var updateScale = L.Control.Scale.prototype._updateScale;
    L.Control.Scale.prototype._updateScale = function (scale, text, ratio) {
      var m = /^(\d+) (km|m)$/.exec(text);
      if (m && PAGE.units && PAGE.units[m[2]]) text = PAGE.units[m[2]].replace("{0}", localNumber(parseInt(m[1], 10)));
      updateScale.call(this, scale, text, ratio);
    };
  }
  /* Zoom buttons' titles, the credits, and on a right-to-left page every control on the
     other side (zoom and layers top right and left; scale bottom right, credits bottom left). */
  function localiseControls(map) {
    if (PAGE.dir === "rtl") mirrorControls(map);
    var zoom = map.zoomControl && map.zoomControl.getContainer();  // after mirroring: setPosition makes new buttons
    [["leaflet-control-zoom-in", "zoom_in", "Zoom in"], ["leaflet-control-zoom-out", "zoom_out", "Zoom out"]].forEach(function (b) {
      var button = zoom && zoom.querySelector("." + b[0]);
      if (button) { button.title = sayText(b[1], b[2]); button.setAttribute("aria-label", sayText(b[1], b[2])); }
    });
  }
  function mirrorControls(map) {
    var addTo = L.Control.prototype.addTo;  // controls added from now on (layers, locator) start mirrored
    L.Control.prototype.addTo = function (target) {
      if (!this._atlasMirrored && MIRRORED[this.options.position]) {
        this.options.position = MIRRORED[this.options.position];
        this._atlasMirrored = true;
      }
      return addTo.call(this, target);
    };
    [map.zoomControl, map.attributionControl].forEach(function (c) {
      if (c && !c._atlasMirrored) { c._atlasMirrored = true; c.setPosition(MIRRORED[c.getPosition()]); }
    });
    var scale = map.getContainer().querySelector(".leaflet-control-scale");
    if (scale && map._controlCorners.bottomright) map._controlCorners.bottomright.appendChild(scale);
  }

  var STATUS_TEXT = {
    operational: "operational",
    under_construction: "under construction",
    proposed: "proposed",
    missing: "missing link (not built)",
    idle: "idle",
    defunct: "defunct / closed",
    held: "held at the date shown",
    control_ended: "no longer held"
  };
  var ACCURACY_TEXT = {
    traced: "traced from open data",
    station_routed: "routed through OpenStreetMap stations",
    schematic: "schematic: drawn through documented waypoints",
    approximate: "approximate"
  };
  var TRACE_KM_TEXT = {
    traced: "along OpenStreetMap track",
    station_routed: "straight between OpenStreetMap stations",
    schematic: "schematic, through documented waypoints"
  };

  /* "540 km along OpenStreetMap track (57 ways), 38 km schematic…; extract of …" */
  function traceText(t) {
    var parts = Object.keys(TRACE_KM_TEXT).filter(function (k) {
      return t.km && Object.prototype.hasOwnProperty.call(t.km, k);
    }).map(function (k) {
      var text = t.km[k].toLocaleString("en-GB") + " km " + TRACE_KM_TEXT[k];
      if (k === "traced" && t.ways) text += " (" + t.ways + " ways)";
      if (k === "station_routed" && t.stations) text += " (" + t.stations + " stations)";
      return text;
    });
    return parts.join("; ") + ". " + t.extract;
  }
  var DATE_TEXT = {
    proposed: "Proposed",
    agreed: "Agreed",
    construction_started: "Construction started",
    opened: "Opened",
    suspended: "Suspended",
    closed: "Closed",
    held_from: "Held from",
    control_ended: "Control ended"
  };

  function popupContent(p) {
    var root = el("div", "atlas-popup");
    root.appendChild(el("h3")).appendChild(named(p.name, p.nameLang));
    var status = el("p", "atlas-popup-status");
    status.appendChild(el("strong")).appendChild(say("status_" + p.status, STATUS_TEXT[p.status] || p.status));
    status.appendChild(document.createTextNode(" · "));
    status.appendChild(say("accuracy_" + p.geometry_accuracy, ACCURACY_TEXT[p.geometry_accuracy] || p.geometry_accuracy));
    root.appendChild(status);
    var facts = el("dl");
    function fact(term, value) {  // term: a node from say(); value: text from data (English) or a node
      if (value === undefined || value === null || value === "") return;
      facts.appendChild(el("dt")).appendChild(term);
      var dd = el("dd");
      dd.appendChild(value instanceof Node ? value : named(String(value), "en"));
      facts.appendChild(dd);
    }
    if (p.contested) {  // docs/names.md: a contested place's names, each with who uses it
      var sides = el("span");
      p.contested.forEach(function (side, i) {
        if (i) sides.appendChild(document.createTextNode("; "));
        sides.appendChild(named(side.name, side.nameLang));
        sides.appendChild(document.createTextNode(" — "));
        sides.appendChild(named(side.usedBy, "en"));
      });
      fact(say("names_used", "Names"), sides);
    }
    fact(say("operator", "Operator"), p.operator);
    fact(say("sponsor", "Sponsor"), p.sponsor);
    if (p.countries && p.countries.length) fact(say("countries", "Countries"), p.countries.join(" → "));
    if (p.trace) fact(say("geometry", "Geometry"), traceText(p.trace));
    else if (p.method) fact(say("geometry", "Geometry"), p.method);
    Object.keys(DATE_TEXT).forEach(function (key) {
      if (p.dates && p.dates[key]) fact(say("date_" + key, DATE_TEXT[key]), named(localDigits((p.dateText && p.dateText[key]) || p.dates[key])));
    });
    (p.reported || []).forEach(function (r) {
      var figure = el("bdi", "atlas-figure", localNumber(r.value) + " " + r.unit);  // isolated: "1,768 km" inside any text
      var unitPattern = PAGE.lang !== "en" && PAGE.units && PAGE.units[r.unit];
      if (unitPattern) {  // km as CLDR writes it ("۱٬۷۶۸ کیلومتر"): a run in the page's direction
        figure.textContent = unitPattern.replace("{0}", localNumber(r.value));
        if (PAGE.dir === "rtl") figure.classList.add("atlas-figure--rtl");
      } else if (PAGE.lang !== "en") {  // a unit CLDR has no word for (barrels/day): the data's English, marked
        figure.textContent = localNumber(r.value) + " ";
        figure.appendChild(englishRun(r.unit));
      }
      var span = el("span");
      span.appendChild(figure);
      var rest = (r.country ? " in " + r.country : "") + (r.note ? " (" + r.note + ")" : "");
      if (rest) span.appendChild(named(rest, "en"));
      span.appendChild(document.createTextNode(" "));
      span.appendChild(link(r.source, sayText("source", "(source)")));
      var quantity = String(r.quantity);
      // a slug like "share_of_israel_crude_imports" reads as words; anything else stays as written
      var term = el("span");
      term.appendChild(say("reported", "Reported"));
      term.appendChild(document.createTextNode(" "));
      term.appendChild(named(/^[a-z0-9_]+$/.test(quantity) ? quantity.replace(/_/g, " ") : quantity, "en"));
      fact(term, span);
    });
    if (facts.childNodes.length) root.appendChild(facts);
    if (p.note) root.appendChild(el("p", "atlas-popup-note")).appendChild(named(p.note, "en"));
    var sources = el("ul", "atlas-popup-sources");
    (p.sources || []).forEach(function (s) {
      var li = el("li");
      var a = li.appendChild(link(s.url, s.title));
      if (PAGE.lang !== "en") { a.setAttribute("lang", "en"); a.setAttribute("dir", "ltr"); a.classList.add("atlas-untranslated"); }
      sources.appendChild(li);
    });
    root.appendChild(el("p", "atlas-popup-heading")).appendChild(say("sources", "Sources"));
    root.appendChild(sources);
    return root;
  }

  function markerIcon(p) {
    var shape = p.marker || "circle";
    return L.divIcon({
      className: "atlas-marker atlas-marker--" + shape,
      iconSize: null,
      html: ""
    });
  }

  /* Permalink: #zoom/lat/lon/layer,layer[/date] — what the reader sees, shareable; the date
     (YYYY, YYYY-MM or YYYY-MM-DD) only on maps with a time control (timeline.js). */
  function readPermalink(hash, layers) {
    var m = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/([^/]*)(?:\/(\d{4}(?:-\d{2}){0,2}))?$/.exec(hash || "");
    if (!m) return null;
    var names = m[4] ? m[4].split(",").map(function (n) {
      try { return decodeURIComponent(n); } catch (e) { return ""; }
    }) : [];
    return {
      zoom: parseInt(m[1], 10),
      lat: parseFloat(m[2]),
      lon: parseFloat(m[3]),
      layers: names.filter(function (n) { return Object.prototype.hasOwnProperty.call(layers, n); }),
      date: m[5] || null
    };
  }

  /* Inverse of corridor_atlas/codec.py (_flat, varint_text): a ring or line written as text,
     five bits a character, zigzagged grid steps from the previous vertex → [[lon, lat], …]. */
  var VARINT_VALUE = (function () {
    var alphabet = "", table = {};
    for (var c = 63; c < 127; c++) if (c !== 92) alphabet += String.fromCharCode(c);
    alphabet += "#";
    for (var i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
    return table;
  })();
  function unflatText(text, scale) {
    var coords = [], v = 0, shift = 0, x = 0, y = 0, odd = false;
    for (var i = 0; i < text.length; i++) {
      var b = VARINT_VALUE[text.charCodeAt(i)];
      v |= (b & 31) << shift;
      shift += 5;
      if (b < 32) {
        var n = v & 1 ? ~(v >>> 1) : v >>> 1;
        if (odd) { y += n; coords.push([x / scale, y / scale]); } else x += n;
        odd = !odd;
        v = shift = 0;
      }
    }
    return coords;
  }

  /* Inverse of codec.varint_text: the integers of a text. */
  function textVarints(text) {
    var values = [], v = 0, shift = 0;
    for (var i = 0; i < text.length; i++) {
      var b = VARINT_VALUE[text.charCodeAt(i)];
      v |= (b & 31) << shift;
      shift += 5;
      if (b < 32) { values.push(v & 1 ? ~(v >>> 1) : v >>> 1); v = shift = 0; }
    }
    return values;
  }

  /* The basemap's countries (codec.share_borders: rings made of arcs, each border stored once)
     → GeoJSON. Each country's rings, as [lon, lat] pairs, also replace its "a" in data.countries
     ("q", which codec.decode_polygons reads). */
  function decodeCountries(data) {
    var scale = Math.pow(10, data.decimals), x = 0, y = 0, previous = 0;
    var arcs = (data.arcs ? data.arcs.split(",") : []).map(function (text) {  // an arc starts in steps from the previous arc's end
      var unit = 1, i = 0;  // codec._arc_text: each leading "!" writes the steps after the first vertex in tens
      while (text.charAt(i) === "!") { unit *= 10; i++; }
      var steps = textVarints(text.slice(i)), points = [];
      for (i = 0; i < steps.length; i += 2) {
        var u = i ? unit : 1;
        x += steps[i] * u; y += steps[i + 1] * u; points.push([x / scale, y / scale]);
      }
      return points;
    });
    function ring(text) {  // per arc: (index - previous index) * 2, plus 1 when it runs backwards
      var points = [];
      textVarints(text).forEach(function (step) {
        var arc = arcs[previous += step >> 1], i;
        if (step & 1) for (i = arc.length - (points.length ? 2 : 1); i >= 0; i--) points.push(arc[i]);
        else for (i = points.length ? 1 : 0; i < arc.length; i++) points.push(arc[i]);
      });
      return points;
    }
    return {
      type: "FeatureCollection",
      features: data.countries.map(function (c) {
        c.q = c.a.map(function (rings) { return rings.map(ring); });
        delete c.a;
        return { type: "Feature", properties: { iso_a3: c.iso_a3 }, geometry: { type: "MultiPolygon", coordinates: c.q } };
      })
    };
  }

  /* Inverse of codec.pack_layers, in place: each layer's columns back to a FeatureCollection
     (layer.geojson), the points from their text, and the time control's entries that only
     repeated a feature's status and dates. */
  function unpackLayers(data, scale) {
    data.layers.forEach(function (layer) {
      var packed = layer.features;
      if (!packed) return;  // left as GeoJSON (codec._pack_layer)
      var columns = packed.properties, keys = Object.keys(columns);
      var points = unflatText(packed.points, scale), next = 0, features = [];
      for (var i = 0; i < packed.count; i++) {
        var p = {};
        for (var k = 0; k < keys.length; k++) if (columns[keys[k]][i] !== null) p[keys[k]] = columns[keys[k]][i];
        features.push({ type: "Feature", properties: p, geometry: packed.geometry[i] || { type: "Point", coordinates: points[next++] } });
      }
      layer.geojson = { type: "FeatureCollection", features: features };
      delete layer.features;
    });
    var recorded = data.time && data.time.features;
    if (recorded) data.layers.forEach(function (layer) {
      layer.geojson.features.forEach(function (f) {
        var p = f.properties;
        if (p.dates && !Object.prototype.hasOwnProperty.call(recorded, p.id)) recorded[p.id] = { status: p.status, dates: L.extend({}, p.dates) };
      });
    });
  }

  /* Inverse of codec.compact_layers and codec.share_repeated, in place: encoded lines and areas
     back to GeoJSON coordinates, source indices back to the {title, url} they point to in
     data.sources, shared values (a number where a text or an object belongs) back from data.shared. */
  var SHARED_VALUES = ["note", "method", "operator", "sponsor", "trace"];  // codec.SHARED_VALUES
  function expandLayers(data) {
    var scale = Math.pow(10, data.decimals), sources = data.sources || [], shared = data.shared || [];
    function unshare(v) { return typeof v === "number" ? shared[v] : v; }
    function unflat(text) { return unflatText(text, scale); }
    unpackLayers(data, scale);
    data.layers.forEach(function (layer) {
      layer.geojson.features.forEach(function (f) {
        var g = f.geometry, p = f.properties;
        if (g && g.q) {
          g.coordinates = g.type === "LineString" ? unflat(g.q[0])
            : g.type === "MultiPolygon" ? g.q.map(function (rings) { return rings.map(unflat); }) : g.q.map(unflat);
          delete g.q;
        }
        if (p.sources) p.sources = p.sources.map(function (i) { return typeof i === "number" ? sources[i] : i; });
        SHARED_VALUES.forEach(function (k) { if (typeof p[k] === "number") p[k] = shared[p[k]]; });
        if (p.reported) p.reported = p.reported.map(unshare);  // codec.SHARED_ITEMS
      });
    });
  }

  /* Work that changes nothing the first frame shows (tap targets, keyboard stops, hover
     tooltips) waits until the map is drawn (html[data-atlas-ready]) and the browser is idle;
     html[data-atlas-complete] marks it done. Once complete, such work runs at once. */
  var afterDrawn = [];
  function whenDrawn(task) { if (afterDrawn) afterDrawn.push(task); else task(); }
  function completeAfterDrawn() {
    var run = function () {
      var tasks = afterDrawn;
      afterDrawn = null;
      tasks.forEach(function (task) { task(); });
      document.documentElement.setAttribute("data-atlas-complete", "true");
    };
    var whenIdle = function () {
      if (window.requestIdleCallback) window.requestIdleCallback(run, { timeout: 200 }); else setTimeout(run, 0);
    };
    // after the load event, so that it never waits for this work
    if (document.readyState === "complete") whenIdle(); else window.addEventListener("load", whenIdle);
  }

  /* A route drawn 4 px wide is a 4 px target: an invisible 24 px wide copy above it takes the
     taps and opens the same popup (WCAG 2.5.8 asks for 24 px targets). */
  var HIT_WEIGHT = 24;
  function hitLine(f, p, onTap) {
    var line = L.geoJSON(f, {
      pane: "atlas-hit",
      style: function () { return withOffset({ weight: HIT_WEIGHT, opacity: 0, color: "#000", fill: false, lineCap: "round" }, p); }
    });
    line.on("click", onTap);
    /* a tap target only: the drawn route is the keyboard stop and what a screen reader names */
    line.eachLayer(function (target) {
      target.on("add", function () {
        var node = target.getElement();
        node.setAttribute("tabindex", "-1");
        node.setAttribute("aria-hidden", "true");
      });
    });
    if (!p.label) whenDrawn(function () { line.bindTooltip(named(p.name, p.nameLang), { sticky: true, className: "atlas-tooltip" }); });
    return line;
  }

  /* Below this width the page uses the compact layout of atlas.css (keep the two in step). */
  var COMPACT_QUERY = "(max-width: 760px)";

  /* Under a compact page's map (atlas.css shows it below 760 px): the credits the licences ask
     for, whole (credits.credit_line), where the full list folds behind the (i) in the title bar;
     a wide page's credits strip runs along the map's foot instead. Before the map's first view:
     the line takes its height from the map's. */
  function creditLine(map, data) {
    var credits = data.creditLine || [];
    if (!credits.length) return;
    var line = el("p", "atlas-credit-line");
    credits.forEach(function (text, i) {
      if (i) line.appendChild(document.createTextNode(" \u00b7 "));
      var english = PAGE.lang !== "en" && (!data.attributionLang || data.attributionLang[i] === "en");
      var part = el(english ? "span" : "bdi", null, text);
      if (english) { part.lang = "en"; part.dir = "ltr"; }
      line.appendChild(part);
    });
    var box = map.getContainer();
    box.parentNode.insertBefore(line, box.nextSibling);
  }

  /* Compact layout: the layer control leaves the map for the title bar (as an icon), the
     legend starts closed and the credits fold behind an (i) button there, so only the zoom
     buttons and the scale stay on a small map. Follows the page across the breakpoint. */
  function responsiveLayout(map, control) {
    var bar = document.querySelector(".atlas-bar");
    var legend = document.querySelector(".atlas-legend");
    var query = window.matchMedia ? window.matchMedia(COMPACT_QUERY) : null;
    var toggle = el("button", "atlas-credits-toggle", "i");  // shown by atlas.css in the compact layout only
    toggle.type = "button";
    toggle.title = sayText("credits", "Map data credits");
    toggle.setAttribute("aria-label", sayText("credits", "Map data credits"));
    toggle.setAttribute("aria-expanded", "false");
    L.DomEvent.on(toggle, "click", function () {
      var open = map.getContainer().classList.toggle("atlas-credits-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    if (bar) bar.appendChild(toggle);
    function apply() {
      var compact = !!(query && query.matches) && !!bar;
      control.remove();
      control.options.collapsed = compact;
      control.addTo(map);
      if (compact) bar.insertBefore(control.getContainer(), toggle);
      if (legend) { if (compact) legend.removeAttribute("open"); else legend.setAttribute("open", ""); }
      map.invalidateSize({ animate: false });  // the bar sits above the map, not on it
    }
    apply();
    if (query && query.addEventListener) query.addEventListener("change", apply);
  }

  /* A popup fits the map it opens on: at most the map's height less the tip and a margin,
     scrolling inside, so its close button stays on screen on a phone. Leaflet pans the map to
     show an opened popup; near the edge of the land the bounds would pull the map straight
     back, so they are lifted while a popup is open and applied again when it closes. */
  function fitPopupsToMap(map) {
    var heldBounds = null;
    map.on("popupopen", function (e) {
      var size = map.getSize(), options = e.popup.options;
      options.maxHeight = Math.max(80, size.y - 70);
      options.maxWidth = Math.max(120, Math.min(320, size.x - 60));
      if (map.options.maxBounds) {
        heldBounds = map.options.maxBounds;
        map.setMaxBounds(null);
      }
      map.getContainer().classList.add("atlas-popup-open");
      e.popup.update();  // lays the popup out again with these limits and pans it into view
    });
    map.on("popupclose", function () {
      map.getContainer().classList.remove("atlas-popup-open");
      if (heldBounds) map.setMaxBounds(heldBounds);
      heldBounds = null;
    });
  }

  /* ---- Shared track, kind marks, flow arrows, keyboard (issue 11) ---------------------- */

  /* A line's path options plus its build-time offset in pixels (shared_track.py): lines that
     share a track are drawn side by side by Leaflet.PolylineOffset. */
  function withOffset(style, p) {
    return p && p.offset ? L.extend({}, style, { offset: p.offset }) : style;
  }

  /* The ticks (rail), light core (road) or halo (sea lane) that tell a line's kind without
     colour (style.kind_marks): extra strokes under or over the line, same offset, never a target. */
  function kindMarks(f, style) {
    var group = L.featureGroup();
    (style.marks || []).forEach(function (m) {
      var options = L.extend({}, m, { pane: m.under ? "atlas-marks-under" : "atlas-marks-over", interactive: false, fill: false });
      delete options.under;
      group.addLayer(L.geoJSON(f, { style: function () { return withOffset(options, f.properties); }, interactive: false }));
    });
    return group;
  }

  /* Flow arrows: small arrowheads every ARROW_SPACING px along a line whose data gives a flow
     (forward: in vertex order; reverse; both), drawn in screen pixels again at every zoom so
     they keep their size, on the line's offset position. Arrow directions are kept in
     window.atlas.flowArrows for the tests. */
  var ARROW_SPACING = 150, ARROW_LENGTH = 12, ARROW_HALF_WIDTH = 6;
  var flowArrowLog = Object.create(null);

  function screenParts(map, line, offset) {
    var latlngs = line.getLatLngs();
    var parts = L.LineUtil.isFlat(latlngs) ? [latlngs] : latlngs;
    return parts.map(function (part) {
      var points = part.map(function (ll) { return map.latLngToLayerPoint(ll); });
      return offset && points.length > 1 ? L.PolylineOffset.offsetPoints(points, offset).map(function (xy) { return L.point(xy.x, xy.y); }) : points;
    });
  }

  /* Evenly spaced {at, dir} spots along a screen polyline; one in the middle of a short one. */
  function arrowSpots(points) {
    var lengths = [0];
    for (var i = 1; i < points.length; i++) lengths.push(lengths[i - 1] + points[i].distanceTo(points[i - 1]));
    var total = lengths[lengths.length - 1], spots = [], targets = [];
    if (total < 2 * ARROW_LENGTH) return spots;
    if (total < ARROW_SPACING) targets.push(total / 2);
    else for (var d = ARROW_SPACING / 2; d < total; d += ARROW_SPACING) targets.push(d);
    var j = 1;
    targets.forEach(function (t) {
      while (j < points.length - 1 && lengths[j] < t) j++;
      var a = points[j - 1], b = points[j], seg = lengths[j] - lengths[j - 1];
      if (seg <= 0) return;
      var k = (t - lengths[j - 1]) / seg;
      spots.push({ at: L.point(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k), dir: L.point((b.x - a.x) / seg, (b.y - a.y) / seg) });
    });
    return spots;
  }

  function arrowHead(map, at, dir, colour) {
    var tip = at.add(dir.multiplyBy(ARROW_LENGTH / 2));
    var base = at.subtract(dir.multiplyBy(ARROW_LENGTH / 2));
    var side = L.point(-dir.y, dir.x).multiplyBy(ARROW_HALF_WIDTH);
    var corners = [tip, base.add(side), base.add(dir.multiplyBy(ARROW_LENGTH * 0.25)), base.subtract(side)];
    return L.polygon(corners.map(function (pt) { return map.layerPointToLatLng(pt); }), {
      pane: "atlas-arrows", interactive: false, color: "#ffffff", weight: 1.5, opacity: 1,
      fillColor: colour, fillOpacity: 1, className: "atlas-flow-arrow"
    });
  }

  function flowArrows(map, line, p, colour) {
    var group = L.layerGroup();
    function draw() {
      group.clearLayers();
      var log = flowArrowLog[p.id] = [];
      screenParts(map, line, p.offset).forEach(function (points) {
        if (p.flow === "reverse") points = points.slice().reverse();
        arrowSpots(points).forEach(function (s) {
          var heads = p.flow === "both"
            ? [[s.at.add(s.dir.multiplyBy(ARROW_LENGTH * 0.6)), s.dir], [s.at.subtract(s.dir.multiplyBy(ARROW_LENGTH * 0.6)), s.dir.multiplyBy(-1)]]
            : [[s.at, s.dir]];
          heads.forEach(function (h) {
            group.addLayer(arrowHead(map, h[0], h[1], colour));
            log.push({ x: h[0].x, y: h[0].y, dx: h[1].x, dy: h[1].y });
          });
        });
      });
    }
    group.on("add", draw);
    map.on("zoomend viewreset", function () { if (map.hasLayer(group)) draw(); });
    return group;
  }

  /* Lines drawn side by side have overlapping 24 px tap targets: a tap opens the popup of the
     route drawn nearest to it (on screen, offsets included), not of whichever target is on top. */
  function nearestRoute(map, routes, point) {
    var best = null, bestDistance = Infinity;
    routes.forEach(function (r) {
      if (!map.hasLayer(r.line)) return;
      screenParts(map, r.line, r.p.offset).forEach(function (points) {
        for (var i = 1; i < points.length; i++) {
          var d = L.LineUtil.pointToSegmentDistance(point, points[i - 1], points[i]);
          if (d < bestDistance) { bestDistance = d; best = r; }
        }
      });
    });
    return best;
  }

  /* Keyboard and screen reader: the map's controls (zoom, layers, then the legend on a wide
     page) come first in Tab order, before the features; every route and area is a named
     button; Enter or Space opens its popup and focus moves into it; Escape (or the close
     button) closes it and focus returns to the feature. */
  function keyboardAccess(map) {
    var container = map.getContainer();
    var controls = container.querySelector(".leaflet-control-container");
    if (controls) container.insertBefore(controls, container.firstChild);
    var legend = document.querySelector(".atlas-legend");
    var bar = document.querySelector(".atlas-bar");
    var query = window.matchMedia ? window.matchMedia(COMPACT_QUERY) : null;
    if (legend) {
      L.DomEvent.disableClickPropagation(legend);
      L.DomEvent.disableScrollPropagation(legend);
    }
    function placeLegend() {
      if (!legend || !controls) return;
      var compact = !!(query && query.matches) && !!bar;
      if (compact) {
        var title = bar.querySelector(".atlas-title");
        bar.insertBefore(legend, title ? title.nextSibling : bar.firstChild);
      } else {
        // after the top corners (zoom, layers), before the bottom ones (scale, credits)
        controls.insertBefore(legend, controls.querySelector(".leaflet-bottom.leaflet-left"));
      }
    }
    placeLegend();
    if (query && query.addEventListener) query.addEventListener("change", placeLegend);

    var returnTo = null, openPopup = null;
    map.on("popupopen", function (e) {
      openPopup = e.popup;
      var close = e.popup.getElement() && e.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.title = sayText("close_popup", "Close popup"); close.setAttribute("aria-label", sayText("close_popup", "Close popup")); }
      var active = document.activeElement;
      if (!active || !container.contains(active) || active === container) { returnTo = null; return; }
      returnTo = active;
      var popup = e.popup.getElement();
      if (!popup) return;
      popup.setAttribute("role", "dialog");
      if (!popup.hasAttribute("data-atlas-escape")) {  // a layer's popup element is reused: one listener
        popup.setAttribute("data-atlas-escape", "");
        L.DomEvent.on(popup, "keydown", function (k) {
          if (k.key === "Escape") { L.DomEvent.stop(k); map.closePopup(); }
        });
      }
      // after the other popupopen handlers: fitPopupsToMap lays the content out again
      setTimeout(function () {
        var content = popup.querySelector(".atlas-popup"), heading = content && content.querySelector("h3");
        if (!content || openPopup !== e.popup) return;
        if (heading) popup.setAttribute("aria-label", heading.textContent);
        content.setAttribute("tabindex", "-1");
        content.focus({ preventScroll: true });
      }, 0);
    });
    map.on("popupclose", function (e) {
      if (openPopup === e.popup) openPopup = null;
      var back = returnTo;
      returnTo = null;
      // unless another popup opened meanwhile (a click on the next route)
      if (back) setTimeout(function () { if (!openPopup && document.body.contains(back)) back.focus({ preventScroll: true }); }, 0);
    });
  }

  /* A route's or area's drawn path is a named keyboard stop; Enter or Space opens its popup. */
  function focusableFeature(layer) {
    layer.on("add", function () { whenDrawn(function () { if (layer._map) makeFocusable(layer); }); });
  }
  function makeFocusable(layer) {
    var node = layer.getElement && layer.getElement();
    if (!node || node.classList.contains("atlas-focusable")) return;  // one listener per drawn path
    node.setAttribute("tabindex", "0");
    node.setAttribute("role", "button");
    node.setAttribute("aria-label", layer.feature.properties.name);
    markEnglish(node, layer.feature.properties.nameLang);
    node.classList.add("atlas-focusable");
    L.DomEvent.on(node, "keydown", function (e) {
      if (e.key !== "Enter" && e.key !== " ") return;
      L.DomEvent.preventDefault(e);
      layer.openPopup();
    });
  }

  /* Which of the build's placements (corridor_atlas/placement.py) fits this page: the
     desktop's, the compact layout's, or the compact layout's on a phone-wide map. */
  var PHONE_QUERY = "(max-width: 480px)", SHORT_QUERY = "(max-height: 400px)";
  function layoutName() {
    var matches = function (q) { return window.matchMedia(q).matches; };
    if (!window.matchMedia || !matches(COMPACT_QUERY)) return "wide";
    if (!matches(PHONE_QUERY)) return "compact";
    return matches(SHORT_QUERY) ? "small" : "phone";
  }
  function whenLayoutChanges(callback) {
    [COMPACT_QUERY, PHONE_QUERY, SHORT_QUERY].forEach(function (q) {
      var query = window.matchMedia ? window.matchMedia(q) : null;
      if (query && query.addEventListener) query.addEventListener("change", callback);
    });
  }

  /* Callouts at the anchor and side the build chose for this layout, where they cover
     neither their own line nor a place; placed again when the layout changes. */
  var CALLOUT_OFFSETS = { top: [0, -8], bottom: [0, 8], left: [-8, 0], right: [8, 0] };
  var CALLOUT_GAPS = { top: [0, -14], bottom: [0, 14], left: [-14, 0], right: [14, 0] };  // the offset and leaflet.css's 6 px margin
  var CALLOUT_TUCK_PX = 3;  // how far a callout may run under a control or another callout and still show (declutter)
  function withFeature(node, id) {  // timeline.js hides a callout with the feature it explains
    node.setAttribute("data-atlas-feature", id);
    return node;
  }

  function placeCallouts(map, data, declutter) {
    var group = L.layerGroup().addTo(map);
    function draw() {
      group.clearLayers();
      data.callouts.forEach(function (c) {
        var spot = (c.layouts && c.layouts[layoutName()]) || c;
        var direction = CALLOUT_OFFSETS[spot.direction] ? spot.direction : "top";
        // standing off its line (placement.py: no clean spot beside it): moved by `leader` px, a line back to its anchor
        var shift = Array.isArray(spot.leader) && spot.leader.length === 2 ? spot.leader.map(Number) : null;
        var offset = CALLOUT_OFFSETS[direction];
        if (shift) offset = [offset[0] + shift[0], offset[1] + shift[1]];
        var tooltip = L.tooltip({ permanent: true, direction: direction, className: "atlas-callout" + (shift ? " atlas-callout-leader" : ""),
                                  interactive: false, offset: offset })
          .setLatLng([spot.lat, spot.lon])
          .setContent(withFeature(named(c.text, c.textLang), c.at));
        if (shift) {  // the leader: from the middle of the box's near side back to the anchor (atlas.css)
          var gap = CALLOUT_GAPS[direction], x = -(gap[0] + shift[0]), y = -(gap[1] + shift[1]);
          tooltip.on("add", function () {  // (the box exists once the map has its first view)
            tooltip.getElement().style.setProperty("--atlas-leader-length", Math.sqrt(x * x + y * y).toFixed(1) + "px");
            tooltip.getElement().style.setProperty("--atlas-leader-angle", Math.atan2(y, x).toFixed(4) + "rad");
          });
        }
        tooltip.addTo(group);
      });
    }
    draw();
    whenLayoutChanges(function () { draw(); declutter(); });
    return group;
  }

  /* A short label beside each route, at the spot the build found clear of places for this
     layout, in its route's colour; shown with its route's layer; below place labels when
     they collide (its rank, 8, from placement.py). */
  function routeLabels(map, data, layers, declutter) {
    var layerOf = Object.create(null), styleOf = Object.create(null);
    data.layers.forEach(function (layer) {
      layer.geojson.features.forEach(function (f) { layerOf[f.properties.id] = layer.name; styleOf[f.properties.id] = f.properties.style; });
    });
    var groups = Object.create(null);
    function draw() {
      Object.keys(groups).forEach(function (name) { groups[name].clearLayers(); });
      (data.routeLabels || []).forEach(function (r) {
        var spot = r.layouts[layoutName()], name = layerOf[r.id];
        if (!spot || !name || !layers[name]) return;
        var text = named(r.text, r.textLang), style = data.styles[styleOf[r.id]];
        text.setAttribute("data-atlas-feature", r.id);  // timeline.js hides or recolours it with its route
        if (style && /^#[0-9a-fA-F]{3,8}$/.test(style.color || "")) text.style.color = style.color;  // the label in its route's colour
        if (!groups[name]) {
          groups[name] = L.layerGroup();
          layers[name].on("add", function () { groups[name].addTo(map); });
          layers[name].on("remove", function () { map.removeLayer(groups[name]); });
          if (map.hasLayer(layers[name])) groups[name].addTo(map);
        }
        L.tooltip({ permanent: true, direction: spot.direction, className: "atlas-label atlas-route-label atlas-rank-" + (parseInt(r.rank, 10) || 8),
                    interactive: false })
          .setLatLng([spot.lat, spot.lon])
          .setContent(text)
          .addTo(groups[name]);
      });
    }
    draw();
    whenLayoutChanges(function () { draw(); declutter(); });
  }

  /* Sea and lake names in italic blue, where the build found room for them on the water, from
     the zoom at which the name fits inside the water (rank 9: below every other label). */
  function seaLabels(map, data) {
    var group = L.layerGroup().addTo(map);
    var labels = (data.seaLabels || []).map(function (s) {
      var className = "atlas-label atlas-sea-label atlas-rank-" + (parseInt(s.rank, 10) || 9);
      return { minZoom: s.minZoom, tooltip: L.tooltip({ permanent: true, direction: "center", className: className, interactive: false })
        .setLatLng([s.lat, s.lon]).setContent(named(s.name, s.nameLang)) };
    });
    function show() {
      var zoom = map.getZoom();
      labels.forEach(function (s) {
        if (zoom >= s.minZoom) { if (!group.hasLayer(s.tooltip)) group.addLayer(s.tooltip); }
        else group.removeLayer(s.tooltip);
      });
    }
    map.on("zoomend", show);  // registered before the declutter, so it runs first
    map.whenReady(show);
  }

  /* Leaflet sizes a tooltip (offsetWidth/Height) right after placing the one before it: one
     forced layout per permanent label, most of start-up at ten times the labels. Here a
     permanent tooltip is measured once, with every other new one in a single read pass, and
     placed from that size (Leaflet 1.9's Tooltip._setPosition, sizes cached); sizes are
     measured again after a resize (a layout may restyle labels). flushTooltips() runs the
     pass; it runs by itself before the next frame and first thing in declutter. */
  var pendingTooltips = [], tooltipEpoch = 0, tooltipFlushQueued = false;
  function placeTooltip(tooltip, pos, size) {
    var map = tooltip._map, container = tooltip._container, direction = tooltip.options.direction;
    var offset = L.point(tooltip.options.offset), anchor = tooltip._getAnchor(), subX, subY;
    var w = size[0], h = size[1];
    if (direction === "top") { subX = w / 2; subY = h; }
    else if (direction === "bottom") { subX = w / 2; subY = 0; }
    else if (direction === "center") { subX = w / 2; subY = h / 2; }
    else if (direction === "right") { subX = 0; subY = h / 2; }
    else if (direction === "left") { subX = w; subY = h / 2; }
    else if (map.layerPointToContainerPoint(pos).x < map.latLngToContainerPoint(map.getCenter()).x) { direction = "right"; subX = 0; subY = h / 2; }
    else { direction = "left"; subX = w + (offset.x + anchor.x) * 2; subY = h / 2; }
    ["right", "left", "top", "bottom"].forEach(function (d) { L.DomUtil.removeClass(container, "leaflet-tooltip-" + d); });
    L.DomUtil.addClass(container, "leaflet-tooltip-" + direction);
    L.DomUtil.setPosition(container, pos.subtract(L.point(subX, subY, true)).add(offset).add(anchor));
  }
  function flushTooltips() {
    var batch = pendingTooltips.filter(function (t) { return t._map && t._container; });
    pendingTooltips = [];
    batch.forEach(function (t) { t._atlasSize = [t._container.offsetWidth, t._container.offsetHeight, tooltipEpoch]; });  // reads only
    batch.forEach(function (t) { var pos = t._atlasPos; t._atlasPos = null; placeTooltip(t, pos, t._atlasSize); });  // writes only
  }
  function batchTooltipPlacement() {
    if (L.Tooltip.prototype._atlasBatched) return;
    var leafletSetPosition = L.Tooltip.prototype._setPosition;
    L.Tooltip.prototype._atlasBatched = true;
    L.Tooltip.prototype._setPosition = function (pos) {
      if (!this.options.permanent) return leafletSetPosition.call(this, pos);
      if (this._atlasSize && this._atlasSize[2] === tooltipEpoch) return placeTooltip(this, pos, this._atlasSize);
      if (!this._atlasPos) pendingTooltips.push(this);
      this._atlasPos = pos;
      if (!tooltipFlushQueued) {
        tooltipFlushQueued = true;
        window.requestAnimationFrame(function () { tooltipFlushQueued = false; flushTooltips(); });
      }
    };
    window.addEventListener("resize", function () { tooltipEpoch += 1; });
  }

  /* Leaflet checks each new listener against every listener of its event (Evented._listens, a
     scan), and each marker, label and path listens to the map's zoom: ten times the features
     made a hundred times the checks. A long list of listeners gets an index of the (function,
     context) pairs it holds, which answers "not there" at once; the index may keep a pair since
     removed (Leaflet's scan then decides), never misses one, so no listener is added twice. */
  var LONG_LISTENER_LIST = 32;
  function indexLongListenerLists() {
    var evented = L.Evented.prototype, leafletOn = evented._on;
    if (evented._atlasIndexed) return;
    evented._atlasIndexed = true;
    function remember(pairs, fn, ctx) {
      var contexts = pairs.get(fn);
      if (!contexts) pairs.set(fn, contexts = new Set());
      contexts.add(ctx);
    }
    evented._on = function (type, fn, context, once) {
      var listeners = this._events && this._events[type], index = this._atlasListenerIndex;
      var pairs = index && index[type], ctx = context === this ? undefined : context;
      if (!pairs && listeners && listeners.length >= LONG_LISTENER_LIST && typeof fn === "function") {
        index = this._atlasListenerIndex = index || Object.create(null);
        pairs = index[type] = new Map();
        listeners.forEach(function (l) { remember(pairs, l.fn, l.ctx); });
      }
      if (pairs && !listeners) pairs = index[type] = null;  // off(): every listener of the event gone
      if (!pairs || typeof fn !== "function") return leafletOn.call(this, type, fn, context, once);
      var contexts = pairs.get(fn);
      if (contexts && contexts.has(ctx)) return leafletOn.call(this, type, fn, context, once);  // Leaflet's scan decides
      listeners.push(once ? { fn: fn, ctx: ctx, once: true } : { fn: fn, ctx: ctx });
      remember(pairs, fn, ctx);
    };
  }

  /* A route drawn side by side with another (an offset), its kind marks and its tap target are
     Leaflet paths over one feature at one offset: their projected, offset rings (PolylineOffset's
     joins, most of such a line's cost) are worked out once per view and shared. Read only
     afterwards: clipping and simplifying make new arrays. */
  var projectedLines = new WeakMap();  // feature → {view, rings, bounds}
  function shareOffsetProjections() {
    var polyline = L.Polyline.prototype, leafletProject = polyline._project;
    if (polyline._atlasShared) return;
    polyline._atlasShared = true;
    polyline._project = function () {
      if (!this.feature || !this.options.offset) return leafletProject.call(this);
      var origin = this._map.getPixelOrigin(), view = [this._map.getZoom(), origin.x, origin.y, this.options.offset].join("/");
      var done = projectedLines.get(this.feature);
      if (!done || done.view !== view) {
        leafletProject.call(this);
        projectedLines.set(this.feature, { view: view, rings: this._rings, bounds: this._rawPxBounds });
        return;
      }
      this._rings = done.rings;
      if (this._bounds.isValid() && done.bounds) {
        this._rawPxBounds = done.bounds;
        this._updateBounds();
      }
    };
  }

  function init(map, data) {
    expandLayers(data);
    batchTooltipPlacement();
    indexLongListenerLists();
    shareOffsetProjections();
    /* Keyed by layer name (a slug): prototype-free, so no name can reach Object.prototype. */
    var layers = Object.create(null);
    var counts = Object.create(null);
    map.createPane("atlas-base").style.zIndex = 250;
    map.createPane("atlas-country-labels").style.zIndex = 300;
    /* Tap targets sit above the drawn lines and areas (400), below markers (600). */
    map.createPane("atlas-hit").style.zIndex = 450;
    /* A kind's marks just under and over the lines (400), flow arrows above them. */
    map.createPane("atlas-marks-under").style.zIndex = 395;
    map.createPane("atlas-marks-over").style.zIndex = 405;
    map.createPane("atlas-arrows").style.zIndex = 420;
    var routes = [];
    var hitLines = Object.create(null);
    var drawn = Object.create(null), dated = [];  // features with dates, by id: what the time control restyles
    useLanguage(data);
    localiseControls(map);
    creditLine(map, data);

    if (data.tiles && safeUrl(data.tiles.url)) {
      L.tileLayer(data.tiles.url, { attribution: escapeHtml(data.tiles.attribution || ""), maxZoom: data.tiles.max_zoom || 18 }).addTo(map);
    }
    var landFills = data.landFills || {};
    /* basemap.js: the land on one canvas (one element, drawn at once), not a path per country */
    var basemap = AtlasBasemap.landLayer(decodeCountries(data), function (f) {
      var fill = Object.prototype.hasOwnProperty.call(landFills, f.properties.iso_a3) ? landFills[f.properties.iso_a3] : null;
      return fill ? L.extend({}, data.styles.__land, { fillColor: fill }) : data.styles.__land;
    }, "atlas-base").addTo(map);
    var countryLabels = L.layerGroup().addTo(map);
    data.countryLabels.forEach(function (c) {
      var text = named(c.name, c.nameLang);
      L.marker([c.lat, c.lon], {
        pane: "atlas-country-labels",
        interactive: false,
        keyboard: false,
        icon: L.divIcon({ className: "atlas-country-label", html: text, iconSize: null })
      }).addTo(countryLabels);
    });

    /* The layer control gets [group, label] pairs, never an object keyed by titles: a title
       such as "__proto__" or "Callouts" is only a label, and two equal titles are two toggles. */
    var overlays = [];
    data.layers.forEach(function (layer) {
      counts[layer.name] = 0;
      var hits = L.featureGroup(), extras = L.featureGroup();
      var group = L.geoJSON(layer.geojson, {
        style: function (f) { return withOffset(data.styles[f.properties.style], f.properties); },
        pointToLayer: function (f, latlng) {
          var marker = L.marker(latlng, { icon: markerIcon(f.properties), keyboard: true, title: f.properties.name, alt: f.properties.name });
          marker.on("add", function () { markEnglish(marker.getElement(), f.properties.nameLang); });
          return marker;
        },
        onEachFeature: function (f, featureLayer) {
          counts[layer.name] += 1;
          var p = f.properties;
          featureLayer.feature = f;
          if (p.label) {
            var labelNode = named(p.name, p.nameLang);
            featureLayer.bindTooltip(labelNode, {
              permanent: true,
              direction: f.geometry.type === "Point" ? "right" : "center",
              className: "atlas-label atlas-rank-" + (parseInt(p.rank, 10) || 0) + (f.geometry.type === "Point" ? " atlas-point-label" : ""),
              interactive: false
            });
          } else {  // shown on hover or focus only
            whenDrawn(function () { featureLayer.bindTooltip(named(p.name, p.nameLang), { sticky: f.geometry.type !== "Point", className: "atlas-tooltip" }); });
          }
          featureLayer.bindPopup(function () { return popupContent(p); }, { maxWidth: 320 });
          if (f.geometry.type !== "Point") focusableFeature(featureLayer);
          if (/LineString$/.test(f.geometry.type)) {
            var style = data.styles[p.style] || {};
            routes.push({ line: featureLayer, p: p });
            var hit = hitLine(f, p, function (e) {
              var nearest = nearestRoute(map, routes, e.layerPoint);
              (nearest ? nearest.line : featureLayer).openPopup(e.latlng);
            });
            hits.addLayer(hit);
            var marks = kindMarks(f, style);
            extras.addLayer(marks);
            var arrows = p.flow ? flowArrows(map, featureLayer, p, style.color) : null;
            if (arrows) extras.addLayer(arrows);
          }
          if (p.dates) dated.push(drawn[p.id] = { layer: featureLayer, hit: hit || null, marks: marks || null, arrows: arrows || null });
        }
      });
      /* The tap targets, marks and arrows follow their layer on and off the map (layer control, permalink). */
      dated.forEach(function (entry) { entry.group = group; entry.hits = hits; entry.extras = extras; });  // timeline.js shows and hides them
      dated = [];
      group.on("add", function () {
        extras.addTo(map);
        whenDrawn(function () { if (map.hasLayer(group)) hits.addTo(map); });  // invisible: after the first frame
      });
      group.on("remove", function () { map.removeLayer(hits); map.removeLayer(extras); });
      hitLines[layer.name] = hits;
      layers[layer.name] = group;
      overlays.push([group, PAGE.lang === "en" ? escapeHtml(layer.title) : '<span class="atlas-untranslated" lang="en" dir="ltr">' + escapeHtml(layer.title) + "</span>"]);
      if (layer.shown) group.addTo(map);
    });

    var callouts = placeCallouts(map, data, declutter);
    if (data.callouts.length) overlays.push([callouts, sayHtml("callouts", "Callouts")]);  // no toggle that toggles nothing
    routeLabels(map, data, layers, declutter);
    seaLabels(map, data);

    var control = L.control.layers(null, null, { position: "topright" });
    overlays.forEach(function (entry) { control.addOverlay(entry[0], entry[1]); });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
    data.attribution.forEach(function (a, i) {  // our credits translated (i18n.py); a licensor's own wording English, marked
      var english = PAGE.lang !== "en" && (!data.attributionLang || data.attributionLang[i] === "en");
      map.attributionControl.addAttribution(PAGE.lang === "en" ? escapeHtml(a)
        : english ? '<span lang="en" dir="ltr">' + escapeHtml(a) + "</span>" : "<bdi>" + escapeHtml(a) + "</bdi>");
    });
    responsiveLayout(map, control);
    var layersToggle = control.getContainer() && control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (layersToggle) { layersToggle.title = sayText("layers", "Layers"); layersToggle.setAttribute("aria-label", sayText("layers", "Layers")); }
    keyboardAccess(map);

    /* The definition's zoom range and the basemap's extent are hard limits: the reader (and a
       permalink) can neither zoom past them nor pan off the drawn land (viscosity 1). */
    var v = data.view;
    if (typeof v.minZoom === "number") map.setMinZoom(v.minZoom);
    if (typeof v.maxZoom === "number") map.setMaxZoom(v.maxZoom);
    map.options.maxBoundsViscosity = 1.0;
    map.setMaxBounds(L.latLngBounds(v.maxBounds));
    AtlasBasemap.keepLandInView(map, v);  // basemap.js: a screen larger than the land zooms in
    if (data.locator) AtlasLocator.add(map, data.locator);
    fitPopupsToMap(map);
    var permalink = readPermalink(window.location.hash, layers);
    var timeControl = data.time ? timeControlFor(map, data, drawn, permalink, writePermalink, function () { declutter(); }) : null;
    if (permalink) {
      Object.keys(layers).forEach(function (name) {
        if (permalink.layers.indexOf(name) >= 0) layers[name].addTo(map); else map.removeLayer(layers[name]);
      });
      // Leaflet's setView clamps the zoom to [minZoom, maxZoom] and the centre into maxBounds
      map.setView([permalink.lat, permalink.lon], permalink.zoom, { animate: false });
    } else if (v.bounds) {
      var start = viewClearOfTheLegend(map, v.bounds);
      map.setView(start.center, start.zoom);
    } else {
      map.setView(v.center, v.zoom);
    }
    function permalinkHash() {
      var visible = Object.keys(layers).filter(function (name) { return map.hasLayer(layers[name]); });
      var c = map.getCenter();
      return "#" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4) + "/" + visible.map(encodeURIComponent).join(",") + (timeControl ? "/" + timeControl.date() : "");
    }
    function writePermalink() {
      lastPermalink = Date.now();
      if (story && story.ownsHash()) return;  // story.js: #step=N stands while the map shows that step
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", permalinkHash());
    }
    /* While the map moves (inertia, keyboard, wheel zoom) the hash is written at most every
       PERMALINK_MS, the last view always; a layer toggle is written at once. */
    var PERMALINK_MS = 250, lastPermalink = -Infinity, pendingPermalink = null;
    function throttledPermalink() {
      var wait = lastPermalink + PERMALINK_MS - Date.now();
      if (wait <= 0) writePermalink();
      else if (pendingPermalink === null) pendingPermalink = setTimeout(function () { pendingPermalink = null; writePermalink(); }, wait);
    }
    map.on("moveend", throttledPermalink);
    map.on("overlayadd overlayremove", writePermalink);
    if (permalink) writePermalink();  // a clamped permalink shows the view actually drawn
    /* Story mode (story.js): a #step=N link opens that step; the steps' panel drives the map. */
    var story = data.story && window.AtlasStory ? AtlasStory.add(map, data, { layers: layers, time: timeControl, permalinkHash: permalinkHash,
                                                                             attach: function (s) { story = s; },
                                                                             outOfLayout: function () { return outOfLayout(map); } }) : null;

    var legend = document.querySelector(".atlas-legend");
    if (legend) window.addEventListener("beforeprint", function () { legend.setAttribute("open", ""); });
    /* Embedded in an article, the map leaves one-finger swipes and the wheel to the page
       (Leaflet.GestureHandling); its hints in the page's language, not the browser's. */
    if (map.gestureHandling) {
      map.options.gestureHandlingOptions = L.extend({}, map.options.gestureHandlingOptions, { text: {
        touch: sayText("gesture_touch", "Use two fingers to move the map"),
        scroll: sayText("gesture_scroll", "Use ctrl + scroll to zoom the map"),
        scrollMac: sayText("gesture_scroll_mac", "Use \u2318 + scroll to zoom the map") } });
      if (window.self !== window.top) map.gestureHandling.enable();
    }

    /* Labels never overlap: place them greedily, callouts first, then by rank (capitals
       before towns); a place's label whose right side is taken (by another label, or by the
       map's edge, which would cut it) moves to the left of its marker (mirrored about it), and
       a label with no free side is hidden at this view.
       placement.py replays this at build time to warn about hidden labels: keep in step. */
    function declutter() {
      var restorePanes = outOfLayout(map);  // while it measures labels, the panes it does not measure are not laid out
      flushTooltips();  // the labels' places first, measured in one layout pass
      var items = [];
      document.querySelectorAll(".leaflet-tooltip.atlas-callout").forEach(function (node) { items.push({ node: node, rank: -1 }); });
      document.querySelectorAll(".leaflet-tooltip.atlas-label").forEach(function (node) {
        var m = /atlas-rank-(\d+)/.exec(node.className);
        items.push({ node: node, rank: m ? parseInt(m[1], 10) : 9, point: /atlas-point-label/.test(node.className) });
      });
      // country names last, and only against callouts and each other (they sit in a pane under
      // the place labels): a name that would run into another waits for a closer zoom
      document.querySelectorAll(".atlas-country-label span").forEach(function (node) { items.push({ node: node, rank: 99, country: true }); });
      items.sort(function (a, b) { return a.rank - b.rank; });
      // write, read every box, then write: one layout pass instead of one per label
      items.forEach(function (item) { if (item.point) item.node.style.marginLeft = ""; });
      items.forEach(function (item) { item.rect = item.node.getBoundingClientRect(); });
      var placed = [], countryBlocks = [], frame = map.getContainer().getBoundingClientRect();
      // the zoom buttons and the scale bar, on every layout, are taken too, and the time control where it is
      // on the map (a wide page; in the compact layout it is a bar above the map) (placement.ALWAYS_THERE)
      map.getContainer().querySelectorAll(".leaflet-control-zoom, .leaflet-control-scale, .atlas-time").forEach(function (node) { placed.push(node.getBoundingClientRect()); });
      function overlapsAny(list, r) {
        return list.some(function (p) { return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top; });
      }
      function hits(r) { return overlapsAny(placed, r); }
      function inset(r, by) { return { left: r.left + by, right: r.right - by, top: r.top + by, bottom: r.bottom - by }; }
      function taken(r) {  // another label there, or part of the box outside the map (cut at its edge)
        return hits(r) || r.left < frame.left || r.right > frame.right || r.top < frame.top || r.bottom > frame.bottom;
      }
      items.forEach(function (item) {
        var r = item.rect;
        item.visibility = "";
        item.shift = "";
        if (item.country) {
          if (overlapsAny(countryBlocks, r)) item.visibility = "hidden"; else countryBlocks.push(r);
          return;
        }
        if (item.rank < 0) countryBlocks.push(r);  // callouts: no country name under them
        // callouts: where the build put them; one is hidden only if it runs into a control or another
        // callout by more than CALLOUT_TUCK_PX (the build's estimate of its box may be a pixel out)
        if (item.rank < 0 ? !hits(inset(r, CALLOUT_TUCK_PX)) : !taken(r)) { placed.push(r); return; }
        if (item.point) {
          // the marker sits one tooltip margin (leaflet.css: 6 px) left of the box
          var margin = parseFloat(getComputedStyle(item.node).marginLeft) || 0, x = r.left - margin;
          var left = { left: 2 * x - r.right, right: 2 * x - r.left, top: r.top, bottom: r.bottom };
          if (!taken(left)) { placed.push(left); item.shift = (margin + left.left - r.left) + "px"; return; }
        }
        item.visibility = "hidden";
      });
      restorePanes();
      items.forEach(function (item) {
        item.node.style.visibility = item.visibility;
        if (item.point) item.node.style.marginLeft = item.shift;
      });
    }
    map.on("moveend overlayadd overlayremove", declutter);  // moveend: after every zoom and pan (the edges move)
    declutter();

    window.atlas = { map: map, basemap: basemap, layers: layers, hitLines: hitLines, counts: counts, callouts: callouts, data: data, flowArrows: flowArrowLog, time: timeControl, story: story };
    startingUp = false;
    document.documentElement.setAttribute("data-atlas-ready", "true");
    completeAfterDrawn();
  }

  /* The panes whose elements the declutter never measures (land, lines, marks, markers, tap
     targets): taken out of layout (display: none) while it reads the labels' boxes, so those
     reads lay out the labels and controls only, not a thousand new paths and markers; the
     function returned puts them back, in the same task, so no frame ever shows them hidden.
     They are absolutely positioned: no label moves with them. At start-up only, while nothing
     in them has been laid out yet: later, display: none would throw their layout away and every
     pan would lay out a thousand paths again. Never a pane holding the keyboard focus. */
  var UNMEASURED_PANES = ["atlas-base", "overlayPane", "shadowPane", "markerPane", "atlas-hit", "atlas-marks-under",
                          "atlas-marks-over", "atlas-arrows", "atlas-story", "atlas-story-points"];
  var startingUp = true;  // until the map is drawn (init's end)
  function outOfLayout(map) {
    var panes = !startingUp ? [] : UNMEASURED_PANES.map(function (name) { return map.getPane(name); }).filter(function (pane) {
      return pane && !pane.style.display && !pane.contains(document.activeElement);
    });
    panes.forEach(function (pane) { pane.style.display = "none"; });
    return function () { panes.forEach(function (pane) { pane.style.display = ""; }); };
  }

  /* On a wide page the open legend covers the map's left edge: the default view moves the
     bounds right, by half the legend's width at most and only as far as the room on their
     right allows (the zoom is unchanged). placement.py's default_view does the same.
     Worked out before the first setView (fitBounds, then the same pan as Leaflet's panBy
     would make, to the same float), so the map is drawn once, not drawn and then panned. */
  var LEGEND_SHIFT_PX = 140;
  function viewClearOfTheLegend(map, bounds) {
    var b = L.latLngBounds(bounds), fit = map._getBoundsCenterZoom(b, {}), z = map._limitZoom(fit.zoom);
    var center = map._limitCenter(L.latLng(fit.center), z, map.options.maxBounds);  // where fitBounds puts it
    if (window.matchMedia && window.matchMedia("(max-width: 760px)").matches) return { center: center, zoom: z };
    var width = map.project(b.getNorthEast(), z).x - map.project(b.getSouthWest(), z).x;
    var shift = Math.min(LEGEND_SHIFT_PX, Math.max(0, Math.floor((map.getSize().x - width) / 2)));
    if (shift <= 0) return { center: center, zoom: z };
    var half = map.getSize()._divideBy(2), origin = map.project(center, z)._subtract(half)._round();  // Leaflet's pixel origin
    var offset = L.point(PAGE.dir === "rtl" ? shift : -shift, 0);  // rtl: the legend is on the right
    return { center: map.unproject(origin.add(half).add(offset), z), zoom: z };
  }

  /* The time control (timeline.js) on maps whose definition asks for one ([time] control). */
  function timeControlFor(map, data, drawn, permalink, onChange, declutter) {
    return AtlasTimeline.add(map, data, drawn, { withOffset: withOffset, kindMarks: kindMarks, onChange: onChange, declutter: declutter },
                             permalink && permalink.date);
  }

  window.CorridorAtlas = { init: init, escapeHtml: escapeHtml };
})();
