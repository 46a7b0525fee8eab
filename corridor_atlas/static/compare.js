/* Corridor Atlas comparison page: overview map, table and small multiples from one payload.
 *
 * Same rule as atlas.js: text from data reaches the page only through textContent (or
 * escapeHtml() where Leaflet insists on an HTML string: attribution); links only from
 * http(s) URLs. Hovering (or focusing) a row highlights its route on every map; hovering a
 * route highlights its row.
 */
(function () {
  "use strict";

  var dom = window.AtlasDom;
  var escapeHtml = dom.escapeHtml, el = dom.el, link = dom.link;

  function km(value) {
    return value === null || value === undefined ? "not stated" : value.toLocaleString("en-GB");
  }

  function host(url) {
    var m = /^https?:\/\/([^/?#]+)/i.exec(String(url));
    return m ? m[1] : "source";
  }

  var DATE_TEXT = {
    proposed: "proposed",
    agreed: "agreed",
    construction_started: "construction started",
    opened: "opened",
    suspended: "suspended",
    closed: "closed"
  };
  var ACCURACY_TEXT = { traced: "traced", station_routed: "station-routed", schematic: "schematic", approximate: "approximate" };
  /* "traced 581 km, schematic 89 km": how the route's km were drawn */
  function accuracyText(r) {
    var km = r.km_by_accuracy || {};
    return Object.keys(ACCURACY_TEXT).filter(function (k) {
      return Object.prototype.hasOwnProperty.call(km, k);
    }).map(function (k) { return ACCURACY_TEXT[k] + " " + km[k] + " km"; }).join(", ");
  }

  /* Columns: header text and how a cell is filled from a row (always via textContent). */
  var COLUMNS = [
    ["Route", function (td, r) {
      td.appendChild(el("strong", null, r.name));
      td.appendChild(el("span", "compare-sub", accuracyText(r) || ACCURACY_TEXT[r.geometry_accuracy] || r.geometry_accuracy));
      td.title = r.id;
    }],
    ["Status", function (td, r) { td.textContent = r.status_text; }],
    ["Drawn km", function (td, r) { td.textContent = km(r.length_km); td.className = "num"; }],
    ["Reported km", function (td, r) {
      td.className = "num";
      td.appendChild(document.createTextNode(km(r.reported_length_km)));
      if (r.reported_length_source) {
        td.appendChild(el("span", "compare-sub")).appendChild(link(r.reported_length_source, host(r.reported_length_source)));
      }
    }],
    ["Drawn ÷ reported", function (td, r) {
      td.className = "num";
      td.textContent = r.ratio_drawn_to_reported === null ? "" : r.ratio_drawn_to_reported.toFixed(2);
    }],
    ["Countries in order", function (td, r) { td.textContent = r.countries.join(" → "); }],
    ["Km by country", function (td, r) {
      td.textContent = Object.keys(r.km_by_country).map(function (c) { return c + " " + km(r.km_by_country[c]); }).join(", ");
    }],
    ["Border crossings", function (td, r) { td.className = "num"; td.textContent = String(r.border_crossings); }],
    ["New / existing km", function (td, r) {
      if (r.new_construction_km === null && r.existing_km === null) { td.textContent = "not stated"; return; }
      td.appendChild(el("span", "compare-line", "new: " + km(r.new_construction_km)));
      td.appendChild(el("span", "compare-line", "existing: " + km(r.existing_km)));
    }],
    ["Sponsor / operator", function (td, r) {
      if (r.sponsor) td.appendChild(el("span", "compare-line", "Sponsor: " + r.sponsor));
      if (r.operator) td.appendChild(el("span", "compare-line", "Operator: " + r.operator));
      if (!r.sponsor && !r.operator) td.textContent = "not stated";
    }],
    ["Key dates", function (td, r) {
      Object.keys(DATE_TEXT).forEach(function (k) {
        if (r.dates[k]) td.appendChild(el("span", "compare-line", DATE_TEXT[k] + ": " + r.dates[k]));
      });
    }]
  ];

  var STATIC_MAP = {
    zoomControl: false, attributionControl: false, dragging: false, touchZoom: false, scrollWheelZoom: false,
    doubleClickZoom: false, boxZoom: false, keyboard: false, zoomSnap: 0, inertia: false
  };

  function drawBase(map, data) {
    map.createPane("compare-base").style.zIndex = 250;
    L.geoJSON(data.countries, { pane: "compare-base", interactive: false, style: function () { return data.land; } }).addTo(map);
  }

  function init(data) {
    var routes = Object.create(null);  // keyed by route id: no prototype to collide with
    var current = null;

    function setHighlight(id, on) {
      var r = routes[id];
      if (!r) return;
      [r.overview, r.small].forEach(function (group) {
        group.eachLayer(function (layer) {
          layer.setStyle(on ? r.highlightStyle : r.style);
          if (on) layer.bringToFront();
          var path = layer.getElement && layer.getElement();
          if (path) path.classList.toggle("compare-route--highlight", on);
        });
      });
      r.row.classList.toggle("is-highlighted", on);
      r.figure.classList.toggle("is-highlighted", on);
      current = on ? id : (current === id ? null : current);
    }
    function highlight(id) {
      if (current && current !== id) setHighlight(current, false);
      setHighlight(id, true);
    }
    function unhighlight(id) { setHighlight(id, false); }

    function routeLayers(map, route, withTooltip) {
      var visible = L.geoJSON(route.geometry, { interactive: false, style: function () { return route.style; } }).addTo(map);
      /* a wide transparent twin takes the pointer: thin dotted lines are hard to hover */
      var hit = L.geoJSON(route.geometry, {
        style: function () { return { color: "#000", opacity: 0, weight: 16, className: "compare-hit" }; }
      }).addTo(map);
      hit.on("mouseover", function () { highlight(route.id); });
      hit.on("mouseout", function () { unhighlight(route.id); });
      if (withTooltip) hit.bindTooltip(el("span", null, route.row.name), { sticky: true, className: "atlas-tooltip" });
      return { visible: visible, hit: hit };
    }

    /* table */
    var table = document.getElementById("compare-table");
    var headRow = el("tr");
    COLUMNS.forEach(function (c) { var th = el("th", null, c[0]); th.scope = "col"; headRow.appendChild(th); });
    table.tHead.appendChild(headRow);
    var tbody = table.tBodies[0];
    data.routes.forEach(function (route) {
      var tr = el("tr");
      tr.tabIndex = 0;
      tr.setAttribute("data-route", route.id);
      COLUMNS.forEach(function (c, i) {
        var td = el(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        c[1](td, route.row);
        tr.appendChild(td);
      });
      tr.addEventListener("mouseenter", function () { highlight(route.id); });
      tr.addEventListener("mouseleave", function () { unhighlight(route.id); });
      tr.addEventListener("focus", function () { highlight(route.id); });
      tr.addEventListener("blur", function () { unhighlight(route.id); });
      tbody.appendChild(tr);
      routes[route.id] = { row: tr, style: route.style,
        highlightStyle: Object.assign({}, route.style, { weight: route.style.weight + 4, opacity: 1 }) };
    });

    /* overview: every route on one interactive map */
    var overview = L.map("compare-overview", {
      zoomSnap: 0.25, minZoom: data.overviewZoom.min, maxZoom: data.overviewZoom.max, maxBounds: L.latLngBounds(data.maxBounds)
    });
    drawBase(overview, data);
    L.control.scale({ imperial: false }).addTo(overview);
    overview.attributionControl.setPrefix('<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>');
    data.attribution.forEach(function (a) { overview.attributionControl.addAttribution(escapeHtml(a)); });
    overview.fitBounds(data.bounds);

    /* small multiples: same size, same centre, same fixed zoom, no interaction */
    var holder = document.getElementById("compare-multiples");
    var smallMaps = [];
    data.routes.forEach(function (route) {
      var r = routes[route.id];
      var layers = routeLayers(overview, route, true);
      r.overview = layers.visible;
      r.overviewHit = layers.hit;

      var figure = el("figure", "compare-small");
      figure.setAttribute("data-route", route.id);
      var mapDiv = el("div", "compare-map compare-small-map");
      mapDiv.setAttribute("role", "img");
      mapDiv.setAttribute("aria-label", "Map: " + route.row.name);
      figure.appendChild(mapDiv);
      var caption = el("figcaption");
      caption.appendChild(el("strong", null, route.row.name));
      caption.appendChild(el("span", "compare-sub",
        route.row.status_text + " · drawn " + km(route.row.length_km) + " km · " + route.row.countries.join(" → ")));
      figure.appendChild(caption);
      holder.appendChild(figure);
      figure.addEventListener("mouseenter", function () { highlight(route.id); });
      figure.addEventListener("mouseleave", function () { unhighlight(route.id); });

      var map = L.map(mapDiv, STATIC_MAP).setView(data.small.center, data.small.zoom, { animate: false });
      drawBase(map, data);
      L.control.scale({ imperial: false, maxWidth: 90 }).addTo(map);
      var small = routeLayers(map, route, false);
      r.small = small.visible;
      r.smallHit = small.hit;
      r.smallMap = map;
      r.figure = figure;
      smallMaps.push(map);
    });

    var credit = document.getElementById("compare-credit");
    credit.textContent = data.attribution.join(" · ");

    window.compare = { overview: overview, smallMaps: smallMaps, routes: routes, data: data,
                       highlight: highlight, unhighlight: unhighlight };
    document.documentElement.setAttribute("data-atlas-ready", "true");
  }

  window.CorridorCompare = { init: init, escapeHtml: escapeHtml };
})();
