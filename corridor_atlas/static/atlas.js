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

  var STATUS_TEXT = {
    operational: "operational",
    under_construction: "under construction",
    proposed: "proposed",
    missing: "missing link (not built)",
    idle: "idle",
    defunct: "defunct / closed"
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
    closed: "Closed"
  };

  function popupContent(p) {
    var root = el("div", "atlas-popup");
    root.appendChild(el("h3", null, p.name));
    var status = el("p", "atlas-popup-status");
    status.appendChild(el("strong", null, STATUS_TEXT[p.status] || p.status));
    status.appendChild(document.createTextNode(" · " + (ACCURACY_TEXT[p.geometry_accuracy] || p.geometry_accuracy)));
    root.appendChild(status);
    var facts = el("dl");
    function fact(term, value) {
      if (value === undefined || value === null || value === "") return;
      facts.appendChild(el("dt", null, term));
      var dd = el("dd");
      if (value instanceof Node) dd.appendChild(value); else dd.textContent = String(value);
      facts.appendChild(dd);
    }
    fact("Operator", p.operator);
    fact("Sponsor", p.sponsor);
    if (p.countries && p.countries.length) fact("Countries", p.countries.join(" → "));
    if (p.trace) fact("Geometry", traceText(p.trace));
    else if (p.method) fact("Geometry", p.method);
    Object.keys(DATE_TEXT).forEach(function (key) {
      if (p.dates && p.dates[key]) fact(DATE_TEXT[key], p.dates[key]);
    });
    (p.reported || []).forEach(function (r) {
      var text = r.value.toLocaleString("en-GB") + " " + r.unit;
      if (r.country) text += " in " + r.country;
      if (r.note) text += " (" + r.note + ")";
      var span = el("span", null, text + " ");
      span.appendChild(link(r.source, "(source)"));
      var quantity = String(r.quantity);
      // a slug like "share_of_israel_crude_imports" reads as words; anything else stays as written
      fact("Reported " + (/^[a-z0-9_]+$/.test(quantity) ? quantity.replace(/_/g, " ") : quantity), span);
    });
    if (facts.childNodes.length) root.appendChild(facts);
    if (p.note) root.appendChild(el("p", "atlas-popup-note", p.note));
    var sources = el("ul", "atlas-popup-sources");
    (p.sources || []).forEach(function (s) {
      var li = el("li");
      li.appendChild(link(s.url, s.title));
      sources.appendChild(li);
    });
    root.appendChild(el("p", "atlas-popup-heading", "Sources"));
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

  /* Permalink: #zoom/lat/lon/layer,layer — what the reader sees, shareable. */
  function readPermalink(hash, layers) {
    var m = /^#(\d{1,2})\/(-?\d+(?:\.\d+)?)\/(-?\d+(?:\.\d+)?)\/([^/]*)$/.exec(hash || "");
    if (!m) return null;
    var names = m[4] ? m[4].split(",").map(function (n) {
      try { return decodeURIComponent(n); } catch (e) { return ""; }
    }) : [];
    return {
      zoom: parseInt(m[1], 10),
      lat: parseFloat(m[2]),
      lon: parseFloat(m[3]),
      layers: names.filter(function (n) { return Object.prototype.hasOwnProperty.call(layers, n); })
    };
  }

  /* Inverse of corridor_atlas/codec.py: delta-encoded integer rings → GeoJSON. */
  function decodeCountries(countries, decimals) {
    var scale = Math.pow(10, decimals);
    return {
      type: "FeatureCollection",
      features: countries.map(function (c) {
        return {
          type: "Feature",
          properties: { iso_a3: c.iso_a3 },
          geometry: {
            type: "MultiPolygon",
            coordinates: c.q.map(function (rings) {
              return rings.map(function (flat) {
                var x = 0, y = 0, coords = [];
                for (var i = 0; i < flat.length; i += 2) {
                  x += flat[i];
                  y += flat[i + 1];
                  coords.push([x / scale, y / scale]);
                }
                return coords;
              });
            })
          }
        };
      })
    };
  }

  /* A route drawn 4 px wide is a 4 px target: an invisible 24 px wide copy above it takes the
     taps and opens the same popup (WCAG 2.5.8 asks for 24 px targets). */
  var HIT_WEIGHT = 24;
  function hitLine(f, p) {
    var line = L.geoJSON(f, {
      pane: "atlas-hit",
      style: function () { return { weight: HIT_WEIGHT, opacity: 0, color: "#000", fill: false, lineCap: "round" }; }
    });
    line.bindPopup(function () { return popupContent(p); }, { maxWidth: 320 });
    if (!p.label) line.bindTooltip(el("span", null, p.name), { sticky: true, className: "atlas-tooltip" });
    return line;
  }

  /* Below this width the page uses the compact layout of atlas.css (keep the two in step). */
  var COMPACT_QUERY = "(max-width: 760px)";

  /* Compact layout: the layer control leaves the map for the title bar (as an icon), the
     legend starts closed and the credits fold behind an (i) button there, so only the zoom
     buttons and the scale stay on a small map. Follows the page across the breakpoint. */
  function responsiveLayout(map, control) {
    var bar = document.querySelector(".atlas-bar");
    var legend = document.querySelector(".atlas-legend");
    var query = window.matchMedia ? window.matchMedia(COMPACT_QUERY) : null;
    var toggle = el("button", "atlas-credits-toggle", "i");  // shown by atlas.css in the compact layout only
    toggle.type = "button";
    toggle.title = "Map data credits";
    toggle.setAttribute("aria-label", "Map data credits");
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

  function init(map, data) {
    /* Keyed by layer name (a slug): prototype-free, so no name can reach Object.prototype. */
    var layers = Object.create(null);
    var counts = Object.create(null);
    map.createPane("atlas-base").style.zIndex = 250;
    map.createPane("atlas-country-labels").style.zIndex = 300;
    /* Tap targets sit above the drawn lines and areas (400), below markers (600). */
    map.createPane("atlas-hit").style.zIndex = 450;
    var hitLines = Object.create(null);

    if (data.tiles && safeUrl(data.tiles.url)) {
      L.tileLayer(data.tiles.url, { attribution: escapeHtml(data.tiles.attribution || ""), maxZoom: data.tiles.max_zoom || 18 }).addTo(map);
    }
    var landFills = data.landFills || {};
    L.geoJSON(decodeCountries(data.countries, data.decimals), {
      pane: "atlas-base",
      interactive: false,
      style: function (f) {
        var fill = Object.prototype.hasOwnProperty.call(landFills, f.properties.iso_a3) ? landFills[f.properties.iso_a3] : null;
        return fill ? L.extend({}, data.styles.__land, { fillColor: fill }) : data.styles.__land;
      }
    }).addTo(map);
    var countryLabels = L.layerGroup().addTo(map);
    data.countryLabels.forEach(function (c) {
      var text = el("span", null, c.name);
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
      var hits = L.featureGroup();
      var group = L.geoJSON(layer.geojson, {
        style: function (f) { return data.styles[f.properties.style]; },
        pointToLayer: function (f, latlng) {
          return L.marker(latlng, { icon: markerIcon(f.properties), keyboard: true, title: f.properties.name, alt: f.properties.name });
        },
        onEachFeature: function (f, featureLayer) {
          counts[layer.name] += 1;
          var p = f.properties;
          featureLayer.feature = f;
          if (p.label) {
            var labelNode = el("span", null, p.name);
            featureLayer.bindTooltip(labelNode, {
              permanent: true,
              direction: f.geometry.type === "Point" ? "right" : "center",
              className: "atlas-label atlas-rank-" + (parseInt(p.rank, 10) || 0),
              interactive: false
            });
          } else {
            featureLayer.bindTooltip(el("span", null, p.name), { sticky: f.geometry.type !== "Point", className: "atlas-tooltip" });
          }
          featureLayer.bindPopup(function () { return popupContent(p); }, { maxWidth: 320 });
          if (/LineString$/.test(f.geometry.type)) hits.addLayer(hitLine(f, p));
        }
      });
      /* The tap targets follow their layer on and off the map (layer control, permalink). */
      group.on("add", function () { hits.addTo(map); });
      group.on("remove", function () { map.removeLayer(hits); });
      hitLines[layer.name] = hits;
      layers[layer.name] = group;
      overlays.push([group, escapeHtml(layer.title)]);
      if (layer.shown) group.addTo(map);
    });

    var callouts = L.layerGroup().addTo(map);
    data.callouts.forEach(function (c) {
      var offsets = { top: [0, -8], bottom: [0, 8], left: [-8, 0], right: [8, 0] };
      var direction = offsets[c.direction] ? c.direction : "top";
      L.tooltip({ permanent: true, direction: direction, className: "atlas-callout", interactive: false, offset: offsets[direction] })
        .setLatLng([c.lat, c.lon])
        .setContent(el("span", null, c.text))
        .addTo(callouts);
    });
    overlays.push([callouts, "Callouts"]);

    var control = L.control.layers(null, null, { position: "topright" });
    overlays.forEach(function (entry) { control.addOverlay(entry[0], entry[1]); });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
    data.attribution.forEach(function (a) { map.attributionControl.addAttribution(escapeHtml(a)); });
    responsiveLayout(map, control);

    /* The definition's zoom range and the basemap's extent are hard limits: the reader (and a
       permalink) can neither zoom past them nor pan off the drawn land (viscosity 1). */
    var v = data.view;
    if (typeof v.minZoom === "number") map.setMinZoom(v.minZoom);
    if (typeof v.maxZoom === "number") map.setMaxZoom(v.maxZoom);
    map.options.maxBoundsViscosity = 1.0;
    map.setMaxBounds(L.latLngBounds(v.maxBounds));
    fitPopupsToMap(map);
    var permalink = readPermalink(window.location.hash, layers);
    if (permalink) {
      Object.keys(layers).forEach(function (name) {
        if (permalink.layers.indexOf(name) >= 0) layers[name].addTo(map); else map.removeLayer(layers[name]);
      });
      // Leaflet's setView clamps the zoom to [minZoom, maxZoom] and the centre into maxBounds
      map.setView([permalink.lat, permalink.lon], permalink.zoom, { animate: false });
    } else if (v.bounds) {
      map.fitBounds(v.bounds);
    } else {
      map.setView(v.center, v.zoom);
    }
    function writePermalink() {
      var visible = Object.keys(layers).filter(function (name) { return map.hasLayer(layers[name]); });
      var c = map.getCenter();
      var hash = "#" + map.getZoom() + "/" + c.lat.toFixed(4) + "/" + c.lng.toFixed(4) + "/" + visible.map(encodeURIComponent).join(",");
      if (window.history && window.history.replaceState) window.history.replaceState(null, "", hash);
    }
    map.on("moveend overlayadd overlayremove", writePermalink);
    if (permalink) writePermalink();  // a clamped permalink shows the view actually drawn

    var legend = document.querySelector(".atlas-legend");
    if (legend) window.addEventListener("beforeprint", function () { legend.setAttribute("open", ""); });
    if (window.self !== window.top && map.gestureHandling) map.gestureHandling.enable();

    /* Labels never overlap: place them greedily, callouts first, then by rank (capitals
       before towns); a label that would collide is hidden at this zoom. */
    function declutter() {
      var items = [];
      document.querySelectorAll(".leaflet-tooltip.atlas-callout").forEach(function (node) { items.push({ node: node, rank: -1 }); });
      document.querySelectorAll(".leaflet-tooltip.atlas-label").forEach(function (node) {
        var m = /atlas-rank-(\d+)/.exec(node.className);
        items.push({ node: node, rank: m ? parseInt(m[1], 10) : 9 });
      });
      items.sort(function (a, b) { return a.rank - b.rank; });
      // read every box first, then write: one layout pass instead of one per label
      items.forEach(function (item) { item.rect = item.node.getBoundingClientRect(); });
      var placed = [];
      items.forEach(function (item) {
        var r = item.rect;
        var hit = placed.some(function (p) { return r.left < p.right && r.right > p.left && r.top < p.bottom && r.bottom > p.top; });
        if (!hit) placed.push(r);
        item.visibility = hit ? "hidden" : "";
      });
      items.forEach(function (item) { item.node.style.visibility = item.visibility; });
    }
    map.on("zoomend overlayadd overlayremove", declutter);
    declutter();

    window.atlas = { map: map, layers: layers, hitLines: hitLines, counts: counts, callouts: callouts, data: data };
    document.documentElement.setAttribute("data-atlas-ready", "true");
  }

  window.CorridorAtlas = { init: init, escapeHtml: escapeHtml };
})();
