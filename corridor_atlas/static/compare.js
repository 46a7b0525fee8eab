/* Corridor Atlas comparison page: overview map, legend, table and small multiples from one payload.
 *
 * Same rule as atlas.js: text from data reaches the page only through textContent (or
 * escapeHtml() where Leaflet insists on an HTML string: attribution); links only from
 * http(s) URLs. Hovering (or focusing) a row highlights its route on every map; hovering a
 * route highlights its row. Every column sorts (a button in its header: click, Enter or
 * Space; aria-sort on the sorted header); empty values ("not stated") sort last both ways.
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

  /* Sourced statements or figures ({text, source, note}): one line each, with a link to its source. */
  function sourced(td, items) {
    if (!items || !items.length) { td.textContent = "not stated"; td.classList.add("is-not-stated"); return; }
    items.forEach(function (item) {
      var line = el("span", "compare-line", item.text + " ");
      line.appendChild(link(item.source, host(item.source)));
      if (item.note) line.title = item.note;
      td.appendChild(line);
    });
  }
  function firstText(items) { return items && items.length ? items[0].text : null; }
  /* the leading number of a figure ("1,200,000 barrels/day" -> 1200000), for sorting */
  function leadingNumber(items) {
    var m = items && items.length ? /^[\d,.]+/.exec(items[0].text) : null;
    return m ? parseFloat(m[0].replace(/,/g, "")) : null;
  }
  function badge(number) { return el("span", "compare-number", number); }

  /* Columns: header, how a cell is filled from a route (always via textContent), the sort key
   * (a number or a string; null for "not stated"), and whether it is numeric. */
  var COLUMNS = [
    { head: "Route", key: function (r) { return r.row.name; }, fill: function (td, r) {
      td.appendChild(badge(r.number));
      td.appendChild(el("strong", null, r.row.name));
      td.appendChild(el("span", "compare-sub", accuracyText(r.row) || ACCURACY_TEXT[r.row.geometry_accuracy] || r.row.geometry_accuracy));
      td.title = r.id;
    } },
    { head: "Status", key: function (r) { return r.row.status_text; }, fill: function (td, r) { td.textContent = r.row.status_text; } },
    { head: "Drawn km", num: true, key: function (r) { return r.row.length_km; }, fill: function (td, r) { td.textContent = km(r.row.length_km); } },
    { head: "Reported km", num: true, key: function (r) { return r.row.reported_length_km; }, fill: function (td, r) {
      var row = r.row;
      td.appendChild(document.createTextNode(km(row.reported_length_km) + (row.reported_length_country ? " (" + row.reported_length_country + ")" : "")));
      if (row.reported_length_source) {
        td.appendChild(el("span", "compare-sub")).appendChild(link(row.reported_length_source, host(row.reported_length_source)));
      }
    } },
    { head: "Drawn ÷ reported", num: true, key: function (r) { return r.row.ratio_drawn_to_reported; }, fill: function (td, r) {
      td.textContent = r.row.ratio_drawn_to_reported === null ? "" : r.row.ratio_drawn_to_reported.toFixed(2);
    } },
    { head: "Countries in order · km by country", key: function (r) { return r.row.countries.join(" "); }, fill: function (td, r) {
      td.appendChild(el("span", "compare-line", r.row.countries.join(" → ")));
      td.appendChild(el("span", "compare-sub", Object.keys(r.row.km_by_country).map(function (c) {
        return c + " " + km(r.row.km_by_country[c]);
      }).join(", ")));
    } },
    { head: "Border crossings", num: true, key: function (r) { return r.row.border_crossings; }, fill: function (td, r) {
      td.textContent = String(r.row.border_crossings);
    } },
    { head: "New / existing km", num: true, key: function (r) {
      return r.row.new_construction_km !== null ? r.row.new_construction_km : r.row.existing_km;
    }, fill: function (td, r) {
      var row = r.row;
      if (row.new_construction_km === null && row.existing_km === null) { td.textContent = "not stated"; td.classList.add("is-not-stated"); return; }
      td.appendChild(el("span", "compare-line", "new: " + km(row.new_construction_km)));
      td.appendChild(el("span", "compare-line", "existing: " + km(row.existing_km)));
    } },
    { head: "Capacity", key: function (r) { return leadingNumber(r.row.capacity); }, fill: function (td, r) { sourced(td, r.row.capacity); } },
    { head: "Cost · financing", key: function (r) { return firstText(r.row.cost) || firstText(r.row.financing); }, fill: function (td, r) {
      if (!(r.row.cost || []).length && !(r.row.financing || []).length) { sourced(td, []); return; }
      sourced(td, (r.row.cost || []).concat(r.row.financing || []));
    } },
    { head: "Expected completion", key: function (r) { return firstText(r.row.expected_completion); }, fill: function (td, r) {
      sourced(td, r.row.expected_completion);
    } },
    { head: "Border / customs regime", key: function (r) { return firstText(r.row.border_regime); }, fill: function (td, r) {
      sourced(td, r.row.border_regime);
    } },
    { head: "Sponsor / operator", key: function (r) { return r.row.sponsor || r.row.operator || null; }, fill: function (td, r) {
      if (r.row.sponsor) td.appendChild(el("span", "compare-line", "Sponsor: " + r.row.sponsor));
      if (r.row.operator) td.appendChild(el("span", "compare-line", "Operator: " + r.row.operator));
      if (!r.row.sponsor && !r.row.operator) { td.textContent = "not stated"; td.classList.add("is-not-stated"); }
    } },
    { head: "Key dates", key: function (r) {
      var k = Object.keys(DATE_TEXT).filter(function (d) { return r.row.dates[d]; })[0];
      return k ? r.row.dates[k] : null;
    }, fill: function (td, r) {
      Object.keys(DATE_TEXT).forEach(function (k) {
        if (r.row.dates[k]) td.appendChild(el("span", "compare-line", DATE_TEXT[k] + ": " + r.row.dates[k]));
      });
      if (!td.firstChild) { td.textContent = "not stated"; td.classList.add("is-not-stated"); }
    } }
  ];

  /* Compare two sort keys: empty last, numbers numerically, text by locale; ties keep set order. */
  function compareKeys(a, b, direction) {
    var aEmpty = a === null || a === undefined, bEmpty = b === null || b === undefined;
    if (aEmpty || bEmpty) return aEmpty === bEmpty ? 0 : (aEmpty ? 1 : -1);
    var order = typeof a === "number" && typeof b === "number" ? a - b : String(a).localeCompare(String(b), "en");
    return direction === "ascending" ? order : -order;
  }

  /* An SVG swatch of a route's line, drawn with its own colour, weight and dashes. */
  function swatch(style) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "36");
    svg.setAttribute("height", "12");
    svg.setAttribute("aria-hidden", "true");
    var line = document.createElementNS(ns, "line");
    line.setAttribute("x1", "2"); line.setAttribute("y1", "6"); line.setAttribute("x2", "34"); line.setAttribute("y2", "6");
    line.setAttribute("stroke", String(style.color));
    line.setAttribute("stroke-width", String(Math.min(style.weight, 6)));
    line.setAttribute("stroke-linecap", String(style.lineCap || "round"));
    if (style.dashArray) line.setAttribute("stroke-dasharray", String(style.dashArray));
    svg.appendChild(line);
    return svg;
  }

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
    var tbody = table.tBodies[0];
    var headRow = el("tr");
    var headers = [];
    function sortBy(index) {
      var th = headers[index];
      var direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", direction);
      var key = COLUMNS[index].key;
      data.routes.slice().map(function (route, i) { return { route: route, i: i }; }).sort(function (a, b) {
        return compareKeys(key(a.route), key(b.route), direction) || a.i - b.i;
      }).forEach(function (item) { tbody.appendChild(routes[item.route.id].row); });
    }
    COLUMNS.forEach(function (c, index) {
      var th = el("th");
      th.scope = "col";
      if (c.num) th.className = "num";
      var button = el("button", "compare-sort", c.head);
      button.type = "button";
      button.title = "Sort by " + c.head.toLowerCase();
      button.addEventListener("click", function () { sortBy(index); });  /* Enter and Space click a button */
      th.appendChild(button);
      headers.push(th);
      headRow.appendChild(th);
    });
    table.tHead.appendChild(headRow);
    data.routes.forEach(function (route) {
      var tr = el("tr");
      tr.tabIndex = 0;
      tr.setAttribute("data-route", route.id);
      COLUMNS.forEach(function (c, i) {
        var td = el(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        if (c.num) td.className = "num";
        c.fill(td, route);
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

    /* legend: each route's number, line and name (the map's labels are these numbers) */
    var legend = document.getElementById("compare-legend");
    data.routes.forEach(function (route) {
      var item = el("li", "compare-legend-item");
      item.setAttribute("data-route", route.id);
      item.appendChild(badge(route.number));
      item.appendChild(swatch(route.style));
      var text = el("span", "compare-legend-text", route.row.name);
      text.appendChild(el("span", "compare-sub", route.row.status_text));
      item.appendChild(text);
      item.addEventListener("mouseenter", function () { highlight(route.id); });
      item.addEventListener("mouseleave", function () { unhighlight(route.id); });
      legend.appendChild(item);
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
      /* a permanent label: the route's number (ours, not text from data), as in the legend */
      r.label = L.marker(route.labelAt, {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "compare-map-label", html: String(Number(route.number)), iconSize: [20, 20] })
      }).addTo(overview);

      var figure = el("figure", "compare-small");
      figure.setAttribute("data-route", route.id);
      var mapDiv = el("div", "compare-map compare-small-map");
      mapDiv.setAttribute("role", "img");
      mapDiv.setAttribute("aria-label", "Map: " + route.row.name);
      figure.appendChild(mapDiv);
      var caption = el("figcaption");
      caption.appendChild(badge(route.number));
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
                       highlight: highlight, unhighlight: unhighlight, sortBy: sortBy };
    document.documentElement.setAttribute("data-atlas-ready", "true");
  }

  window.CorridorCompare = { init: init, escapeHtml: escapeHtml };
})();
