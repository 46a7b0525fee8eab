/* Corridor Atlas story mode (issue 13): a map that follows an article step by step.
 *
 * data.story.steps and the page's #atlas-steps list (corridor_atlas/story.py) → a step panel (title, text, sources, "Step k of n",
 * Previous/Next). A step sets the layers shown, the time control's date (window.AtlasTimeline,
 * through the control atlas.js made), the view, and the features highlighted: the others are
 * dimmed (story.css) and the highlighted ones drawn again on top, over a wide amber halo.
 * Moves: buttons; keyboard on the panel (← → and Page Up / Page Down, Home / End); a swipe
 * on the panel; a #step=N link; a parent page's postMessage (docs/story.md). Transitions fly
 * unless the reader asks for reduced motion (then the view is set at once, no animation).
 * Text from the definition reaches the page through textContent only (AtlasDom).
 */
(function () {
  "use strict";

  var STEP_HASH = /^#step=(\d{1,3})$/;
  var MESSAGE_STEP = "corridor-atlas:step", MESSAGE_STEP_CHANGE = "corridor-atlas:stepchange";
  var FLY_SECONDS = 1.2, SWIPE_PX = 40, HALO = "#ffb000";

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }
  function compact() { return !!(window.matchMedia && window.matchMedia("(max-width: 760px)").matches); }
  /* ?panel=nav: the page that embeds the map shows the steps' text itself (the example article),
     so the panel keeps only ‹ Step k of n › and the map keeps the room (docs/story.md). */
  function navOnly() { return /(?:^|[?&])panel=nav(?:&|$)/.test(window.location.search); }
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
  function hostOf(url) {
    var m = /^https?:\/\/(?:www\.)?([^/:?#]+)/i.exec(url);
    return m ? m[1] : url;
  }

  /* The steps' titles, texts and source links are in the page once, in the list shown to readers
     without script (#atlas-steps, story.py steps_list, in the page's language): read from there.
     An English fallback carries lang="en" there, and titleLang/textLang here (setText marks it). */
  function withWords(steps) {
    var items = document.querySelectorAll("#atlas-steps > li");
    return steps.map(function (step, i) {
      var item = items[i], title = item && item.querySelector("strong"), text = item && item.querySelector("span");
      var links = item ? Array.prototype.slice.call(item.querySelectorAll("a[href]")) : [];
      var out = Object.assign({}, step, { title: title ? title.textContent : "", text: text ? text.textContent : "",
                                          sources: links.map(function (a) { return a.getAttribute("href"); }) });
      if (title && title.getAttribute("lang")) out.titleLang = title.getAttribute("lang");
      if (text && text.getAttribute("lang")) out.textLang = text.getAttribute("lang");
      return out;
    });
  }

  /* hooks: {layers: {name: L.GeoJSON}, time: the control timeline.js returned (or null),
     permalinkHash(): the #zoom/lat/lon/layers[/date] atlas.js would write now,
     attach(api): atlas.js asks api.ownsHash() before it writes a permalink, from the start,
     outOfLayout(): takes the map's drawn panes out of layout until the function it returns runs}. */
  function add(map, data, hooks) {
    var dom = window.AtlasDom, el = dom.el;
    var opening = window.location.hash;  // before anything here moves the map
    var steps = withWords(data.story.steps), count = steps.length, current = -1;  // -1: the opening, before step 1
    var api = {
      ownsHash: function () { return moving || stopping || Date.now() < graceUntil || (settled !== null && settled === hooks.permalinkHash()); },
      step: function () { return current + 1; },
      count: count,
      go: function (n) { go(n - 1); },
      next: function () { go(current + 1); },
      prev: function () { go(current - 1); },
      highlighted: function () { return highlighted.slice(); }
    };
    var moving = false, stopping = false, settled = null, graceUntil = 0;
    if (hooks.attach) hooks.attach(api);
    var rtl = data.dir === "rtl", view = data.view;
    /* The page's language (i18n.py): UI strings from data.strings, numbers in CLDR's digits. */
    function say(key, english) { return (data.strings && data.strings[key]) || english; }
    function num(n) { return data.lang && data.lang !== "en" ? Number(n).toLocaleString(data.lang + "-u-nu-" + (data.numbering || "latn")) : String(n); }
    var defaultLayers = data.layers.filter(function (l) { return l.shown; }).map(function (l) { return l.name; });
    var features = Object.create(null);  // id → {f: GeoJSON feature, layer: name}
    data.layers.forEach(function (layer) {
      layer.geojson.features.forEach(function (f) { features[f.properties.id] = { f: f, layer: layer.name }; });
    });

    /* ---- Highlight: drawn again above the dimmed map, never a target ---------------- */
    map.createPane("atlas-story").style.zIndex = 430;  // above lines, marks and arrows; below tap targets (450)
    map.createPane("atlas-story-points").style.zIndex = 610;  // above the place markers (600)
    var highlight = L.layerGroup().addTo(map), highlighted = [];

    function visible(id) {
      var entry = features[id];
      if (!entry || !map.hasLayer(hooks.layers[entry.layer])) return false;
      return !hooks.time || hooks.time.statusOf(id) !== null;  // null: not yet in existence at the shown date
    }
    function styleOf(p) {
      return (hooks.time && data.styles[p.kind + ":" + p.status]) || data.styles[p.style] || {};
    }
    function drawHighlight(ids) {
      highlight.clearLayers();
      highlighted = ids.filter(visible);
      highlighted.forEach(function (id) {
        var f = features[id].f, p = f.properties, type = f.geometry.type;
        var offset = p.offset ? { offset: p.offset } : {};
        if (type === "Point") {
          var at = L.latLng(f.geometry.coordinates[1], f.geometry.coordinates[0]);
          highlight.addLayer(L.circleMarker(at, { pane: "atlas-story", interactive: false, radius: 11, color: HALO, weight: 5, opacity: 0.9, fill: false }));
          highlight.addLayer(L.marker(at, { pane: "atlas-story-points", interactive: false, keyboard: false,
            icon: L.divIcon({ className: "atlas-marker atlas-marker--" + (p.marker || "circle"), iconSize: null, html: "" }) }));
          return;
        }
        var style = styleOf(p), line = /LineString$/.test(type);
        var halo = line ? { color: HALO, weight: (style.weight || 3) + 8, opacity: 0.6, lineCap: "round", lineJoin: "round", fill: false }
          : { color: HALO, weight: 6, opacity: 0.85, fill: false };
        highlight.addLayer(L.geoJSON(f, { pane: "atlas-story", interactive: false, style: function () { return L.extend({}, halo, offset); } }));
        highlight.addLayer(L.geoJSON(f, { pane: "atlas-story", interactive: false, style: function () { return L.extend({}, style, offset); } }));
      });
      map.getContainer().classList.toggle("atlas-story-dim", highlighted.length > 0);
    }

    /* ---- The panel ------------------------------------------------------------------ */
    var panel = el("section", "atlas-story" + (navOnly() ? " atlas-story--nav" : ""));
    panel.id = "atlas-story";
    panel.tabIndex = 0;
    panel.setAttribute("aria-label", say("story", "Story"));
    panel.setAttribute("aria-roledescription", "story");
    panel.setAttribute("aria-keyshortcuts", "ArrowLeft ArrowRight PageUp PageDown Home End");
    panel.title = say("story_keys", "Previous / next step: ← → or Page Up / Page Down");
    var nav = panel.appendChild(el("div", "atlas-story-nav"));
    function navButton(text, label, className) {
      var button = nav.appendChild(el("button", "atlas-story-button " + className, text));
      button.type = "button";
      button.setAttribute("aria-label", label);
      return button;
    }
    var prev = navButton(rtl ? "›" : "‹", say("story_previous", "Previous step"), "atlas-story-prev");
    var middle = nav.appendChild(el("div", "atlas-story-middle"));
    var counter = middle.appendChild(el("span", "atlas-story-count"));
    var next = navButton(rtl ? "‹" : "›", say("story_next", "Next step"), "atlas-story-next");
    var body = panel.appendChild(el("div", "atlas-story-body"));
    body.setAttribute("aria-live", "polite");
    var title = body.appendChild(el("h2", "atlas-story-title"));
    var text = body.appendChild(el("p", "atlas-story-text"));
    var sources = body.appendChild(el("p", "atlas-story-sources"));
    /* Wide page: a control in the map's bottom right corner (Leaflet stacks it above the
       credits). Compact layout (below 760 px): a sheet under the map, as tall as its text up to a
       share of the height (story.css); the map shrinks or grows to fit beside it. */
    var Control = L.Control.extend({ onAdd: function () { return panel; } });
    var control = new Control({ position: "bottomright" });
    var query = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
    var placed = false;
    function place() {
      var sheet = compact(), first = !placed;
      placed = true;
      control.remove();
      if (sheet) document.body.appendChild(panel); else control.addTo(map);
      /* In an article's frame (?panel=nav) on a compact page, the credits the licences ask for
         (atlas.js creditLine) go in the step bar under the map, under ‹ Step k of n ›: the frame
         is small, and a line of their own would take the map's share (story.css). */
      var credits = document.querySelector(".atlas-credit-line");
      if (credits && navOnly()) {
        if (sheet) middle.appendChild(credits);
        else map.getContainer().parentNode.insertBefore(credits, map.getContainer().nextSibling);
      }
      if (first && !sheet) return;  // floating on the map, the panel leaves its size as it was: no layout read for it
      var restorePanes = hooks.outOfLayout ? hooks.outOfLayout() : null;  // the map's size read without laying out its paths
      map.invalidateSize({ animate: false, debounceMoveend: true });  // its moveend comes once the story owns the hash
      if (restorePanes) restorePanes();
    }
    showPanel();  // the opening's text first: the sheet's height is known when the map is sized
    place();
    if (query && query.addEventListener) query.addEventListener("change", place);
    document.documentElement.classList.add("atlas-has-story");

    function setText(node, value, lang) {
      node.textContent = value;
      if (lang) { node.setAttribute("lang", lang); node.setAttribute("dir", "ltr"); } else { node.removeAttribute("lang"); node.setAttribute("dir", "auto"); }
    }
    function showPanel() {
      sources.textContent = "";
      if (current < 0) {  // the opening: the map as its definition opens it, before step 1
        counter.textContent = say("story_steps", "{n} steps").replace("{n}", num(count));
        setText(title, data.title);
        setText(text, say("story_hint", "Step through the story with the › button, or → / Page Down here."));
        prev.disabled = true;
        next.disabled = false;
        return;
      }
      var step = steps[current];
      counter.textContent = say("story_step_of", "Step {k} of {n}").replace("{k}", num(current + 1)).replace("{n}", num(count));
      setText(title, step.title, step.titleLang);
      setText(text, step.text, step.textLang);
      sources.appendChild(el("span", "atlas-story-sources-label", (data.strings && data.strings.sources) || "Sources"));
      sources.appendChild(document.createTextNode(": "));
      step.sources.forEach(function (url, i) {
        if (i) sources.appendChild(document.createTextNode(", "));
        sources.appendChild(dom.link(url, hostOf(url)));
      });
      [[prev, current <= 0], [next, current === count - 1]].forEach(function (pair) {
        if (pair[1] && document.activeElement === pair[0]) panel.focus();  // a disabled button would drop the focus
        pair[0].disabled = pair[1];
      });
    }

    /* ---- The map at a step ------------------------------------------------------------ */
    /* The step's view fits the part of the map nothing covers: on a wide page the panel floats
       over one side and the open legend over the other. */
    function padding() {
      if (compact()) return { paddingTopLeft: [12, 12], paddingBottomRight: [12, 12] };
      var box = map.getContainer().getBoundingClientRect(), legend = document.querySelector(".atlas-legend[open]");
      var left = 16, right = 16, side = panel.offsetWidth + 24;
      if (rtl) left = side; else right = side;
      if (legend) {
        var r = legend.getBoundingClientRect();
        if (r.left + r.right < box.left + box.right) left = Math.max(left, r.right - box.left + 12);
        else right = Math.max(right, box.right - r.left + 12);
      }
      return { paddingTopLeft: [left, 16], paddingBottomRight: [right, 16] };
    }
    function moveTo(step, animate) {
      var bounds = step.bounds || (!step.center && view.bounds), options = padding();
      if (bounds) {
        if (animate) map.flyToBounds(bounds, L.extend({ duration: FLY_SECONDS }, options));
        else map.fitBounds(bounds, L.extend({ animate: false }, options));
        return;
      }
      var zoom = step.center ? step.zoom : view.zoom, center = L.latLng(step.center || view.center);
      var shift = (options.paddingBottomRight[0] - options.paddingTopLeft[0]) / 2;  // centre in the part the panel leaves free
      if (shift) center = map.unproject(map.project(center, zoom).add([shift, 0]), zoom);
      if (animate) map.flyTo(center, zoom, { duration: FLY_SECONDS });
      else map.setView(center, zoom, { animate: false });
    }
    /* Leaflet pulls a view past maxBounds back with an animated pan (also one already running,
       e.g. after atlas.js made room for the legend): the bounds are held while the step's view
       is set, then applied at once (reduced motion) or at the end of the flight. */
    var heldBounds = null;
    function apply(index, animate) {
      var step = steps[index], limit = heldBounds || map.options.maxBounds;
      animate = animate && !reducedMotion();
      heldBounds = null;
      if (limit) map.setMaxBounds(null);
      current = index;
      showPanel();
      stopping = true;  // a flight or pan still running ends here (its moveend is not the reader's)
      map.stop();
      if (compact()) map.invalidateSize({ animate: false, pan: false });  // the sheet fits this step's text: the map's size, then the view
      stopping = false;
      moving = true;  // until the view settles, the hash stays #step=N (ownsHash)
      var wanted = step.layers || defaultLayers;
      Object.keys(hooks.layers).forEach(function (name) {
        if (wanted.indexOf(name) >= 0) map.addLayer(hooks.layers[name]); else map.removeLayer(hooks.layers[name]);
      });
      if (hooks.time) hooks.time.setDate(step.date || data.time.default);
      drawHighlight(step.highlight || []);
      moveTo(step, animate);
      if (limit && animate) heldBounds = limit;
      else if (limit) { map.panInsideBounds(limit, { animate: false }); map.setMaxBounds(limit); }
    }
    map.on("moveend", function () {  // after atlas.js's own moveend: its permalink write has been held back
      if (stopping) return;
      if (moving) { moving = false; graceUntil = Date.now() + 600; }
      if (heldBounds) { var limit = heldBounds; heldBounds = null; map.setMaxBounds(limit); }  // the flight has ended
      if (Date.now() < graceUntil) settled = hooks.permalinkHash();  // incl. a pan back inside maxBounds just after
    });
    map.on("dragstart", function () { moving = false; graceUntil = 0; settled = null; });
    function stepHighlight() { return current >= 0 ? steps[current].highlight || [] : []; }
    map.on("overlayadd overlayremove", function () { if (!moving) drawHighlight(stepHighlight()); });

    function announce() {
      if (window.parent === window) return;
      window.parent.postMessage({ type: MESSAGE_STEP_CHANGE, step: current + 1, count: count,
                                  title: current >= 0 ? steps[current].title : data.title }, "*");  // step 0: the opening
    }
    function go(index, options) {
      options = options || {};
      if (index < 0 && current < 0) return announce();  // "previous" at the opening: nothing before it
      index = Math.max(0, Math.min(count - 1, index));
      apply(index, options.animate !== false);
      if (options.writeHash !== false && window.history && window.history.replaceState) window.history.replaceState(null, "", "#step=" + (index + 1));
      announce();
    }

    L.DomEvent.on(prev, "click", function () { go(current - 1); });
    L.DomEvent.on(next, "click", function () { go(current + 1); });
    L.DomEvent.disableClickPropagation(panel);
    L.DomEvent.disableScrollPropagation(panel);
    panel.addEventListener("keydown", function (e) {
      var back = rtl ? "ArrowRight" : "ArrowLeft", forward = rtl ? "ArrowLeft" : "ArrowRight";
      var to = e.key === back || e.key === "PageUp" ? current - 1 : e.key === forward || e.key === "PageDown" ? current + 1
        : e.key === "Home" ? 0 : e.key === "End" ? count - 1 : null;
      if (to === null || e.altKey || e.ctrlKey || e.metaKey) return;
      e.preventDefault();
      e.stopPropagation();
      if (to !== current && to >= 0 && to < count) go(to);
    });
    /* A horizontal swipe on the panel (on the map a swipe pans the map): leftwards is next. */
    var touchStart = null;
    panel.addEventListener("touchstart", function (e) {
      touchStart = e.touches.length === 1 ? { x: e.touches[0].clientX, y: e.touches[0].clientY } : null;
    }, { passive: true });
    panel.addEventListener("touchend", function (e) {
      if (!touchStart || !e.changedTouches.length) return;
      var dx = e.changedTouches[0].clientX - touchStart.x, dy = e.changedTouches[0].clientY - touchStart.y;
      touchStart = null;
      if (Math.abs(dx) < SWIPE_PX || Math.abs(dx) < 1.5 * Math.abs(dy)) return;
      go(current + ((dx < 0) !== rtl ? 1 : -1));
    });
    var timeBox = document.querySelector(".atlas-time");  // the reader moved the date: what is highlighted may have appeared or gone
    if (timeBox) ["input", "click"].forEach(function (type) {
      timeBox.addEventListener(type, function () { setTimeout(function () { drawHighlight(stepHighlight()); }, 0); });
    });

    /* A parent page drives the map (docs/story.md). Only the parent window is listened to
       (event.source), whatever its origin: a page opened from disk has the opaque origin "null",
       so an origin list would either refuse every local article or have to accept "null",
       which any sandboxed page can claim. Only these exact shapes are accepted; the data is
       read, never evaluated. The answer goes to "*": it says nothing the page does not show. */
    window.addEventListener("message", function (e) {
      var d = e.data;
      if (window.parent === window || e.source !== window.parent) return;
      if (!d || typeof d !== "object" || Array.isArray(d) || d.type !== MESSAGE_STEP) return;
      var keys = Object.keys(d).sort().join(",");
      if (keys === "step,type" && typeof d.step === "number" && d.step % 1 === 0 && d.step >= 1 && d.step <= count) go(d.step - 1);
      else if (keys === "next,type" && d.next === true) go(current + 1);
      else if (keys === "prev,type" && d.prev === true) go(current - 1);
    });
    window.addEventListener("hashchange", function () {
      var m = STEP_HASH.exec(window.location.hash);
      if (m && parseInt(m[1], 10) - 1 !== current) go(parseInt(m[1], 10) - 1);
    });

    /* Opening: #step=N opens step N at once. Otherwise the map opens as its definition (or a
       #zoom/lat/lon permalink) says, as without script and in the --png picture, and the panel
       offers the story's start; the hash is atlas.js's permalink, as on any map. */
    var m = STEP_HASH.exec(opening);
    if (m) go(parseInt(m[1], 10) - 1, { animate: false });
    else { showPanel(); announce(); }

    api.panel = panel;
    return api;
  }

  window.AtlasStory = { add: add, MESSAGE_STEP: MESSAGE_STEP, MESSAGE_STEP_CHANGE: MESSAGE_STEP_CHANGE };
})();
