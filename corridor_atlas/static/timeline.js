/* Corridor Atlas time control (issue 13): the map as it stood at a chosen date.
 *
 * statusAt() interprets the rule table that corridor_atlas/timeline.py serialises into the
 * payload (data.time.rules): the logic lives in the table, so Python and the page agree.
 * add() draws the control (top right: a labelled slider with Earlier/Later buttons and an
 * "as of" line) and restyles, hides and shows the drawn features through the registry atlas.js keeps.
 */
(function () {
  "use strict";

  var DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  /* A data date as the first day of its period: "2022-05" → "2022-05-01". */
  function day(date) {
    return date.length === 4 ? date + "-01-01" : (date + "-01").slice(0, 10);
  }

  function events(rules, dates) {
    return Object.keys(dates || {}).filter(function (k) { return Object.prototype.hasOwnProperty.call(rules.events, k); })
      .map(function (k) { return [day(dates[k]), k]; })
      .sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : rules.order.indexOf(a[1]) - rules.order.indexOf(b[1]); });
  }

  /* The status on `at`, or null where the feature did not exist yet (timeline.py status_at). */
  function statusAt(rules, dates, recorded, at) {
    var timeline = events(rules, dates);
    if (!timeline.length) return recorded;
    var when = day(at);
    var past = timeline.filter(function (e) { return e[0] <= when; });
    if (!past.length) return Object.prototype.hasOwnProperty.call(rules.before_first, timeline[0][1]) ? rules.before_first[timeline[0][1]] : null;
    var key = past[past.length - 1][1], inUse = rules.in_use;
    var undated = !inUse.unless_dated.some(function (k) { return Object.prototype.hasOwnProperty.call(dates, k); });
    if (inUse.recorded.indexOf(recorded) >= 0 && undated && Object.prototype.hasOwnProperty.call(inUse.events, key)) return inUse.events[key];
    var status = rules.events[key];
    var same = Object.prototype.hasOwnProperty.call(rules.same_phase, recorded) ? rules.same_phase[recorded] : [];
    return same.indexOf(status) >= 0 ? recorded : status;
  }

  /* Whether the map draws a feature with this status (timeline.py shown_at): it exists and
     its status is not one the rules hide (a control area after its control ended). */
  function visible(rules, status) {
    return status !== null && (rules.hidden || []).indexOf(status) < 0;
  }

  /* "2025-08-22" → "22 August 2025", "2022-05" → "May 2022" (timeline.py date_text). */
  function dateText(date) {
    var parts = date.split("-");
    if (parts.length === 1) return parts[0];
    var month = MONTHS[parseInt(parts[1], 10) - 1];
    return parts.length === 2 ? month + " " + parts[0] : parseInt(parts[2], 10) + " " + month + " " + parts[0];
  }

  /* The step shown for a date: the latest step on or before it (else the first). */
  function stepIndex(steps, date) {
    var index = 0;
    steps.forEach(function (s, i) { if (day(s) <= day(date)) index = i; });
    return index;
  }

  /* drawn: {feature id: {layer, group, extras, marks, hit, hits, arrows}} (atlas.js);
     hooks: {withOffset(style, p), kindMarks(f, style), onChange(date), declutter()}. */
  function add(map, data, drawn, hooks, startDate) {
    var time = data.time, steps = time.steps, dated = time.features;
    var ids = Object.keys(dated).filter(function (id) { return drawn[id]; });
    var current = time.default;

    /* The page's language (i18n.py): strings from data.strings, dates as the build wrote them
       in CLDR's format and digits (time.dateText); a date from a shared link between steps by Intl. */
    function say(key, english) { return (data.strings && data.strings[key]) || english; }
    function localDate(date) {
      if (time.dateText && Object.prototype.hasOwnProperty.call(time.dateText, date)) return time.dateText[date];
      if (!data.lang || data.lang === "en") return dateText(date);
      var parts = date.split("-"), options = { year: "numeric", timeZone: "UTC" };
      if (parts.length > 1) options.month = "long";
      if (parts.length > 2) options.day = "numeric";
      return new Date(day(date) + "T00:00:00Z").toLocaleDateString(data.lang + "-u-nu-" + (data.numbering || "latn"), options);
    }
    function asOf(date) { return say("time_as_of", "As of {date}").replace("{date}", localDate(date)); }

    function show(group, layer, visible) {
      if (!group || !layer) return;
      if (visible && !group.hasLayer(layer)) group.addLayer(layer);
      if (!visible && group.hasLayer(layer)) group.removeLayer(layer);
    }

    function restyle(id, status) {
      var entry = drawn[id], f = entry.layer.feature, p = f.properties, style = data.styles[p.kind + ":" + status];
      if (status !== null && status !== p.status && style && /LineString$/.test(f.geometry.type)) {
        // style: timeline.page_styles gives every status a line can reach; setStyle merges, so a solid line drops the old dashes
        entry.layer.setStyle(hooks.withOffset(L.extend({ dashArray: null }, style), p));
        show(entry.extras, entry.marks, false);
        entry.marks = hooks.kindMarks(f, style);
      }
      if (status !== null) p.status = status;  // the popup names the status at the shown date
      var drawnNow = visible(time.rules, status);
      [[entry.group, entry.layer], [entry.hits, entry.hit], [entry.extras, entry.marks]].forEach(function (pair) { show(pair[0], pair[1], drawnNow); });
      show(entry.extras, entry.arrows, status === "operational");  // flow arrows: only while oil flows
    }

    /* Route labels and callouts are redrawn by atlas.js at every layout change: a style sheet
       (by data-atlas-feature) hides those of hidden features and recolours those restyled. */
    var sheet = document.head.appendChild(document.createElement("style"));
    function labelRules(statuses) {
      sheet.textContent = ids.map(function (id) {
        if (!/^[a-z0-9-]+$/.test(id)) return "";  // ids are slugs (layers.py); never trust one into CSS otherwise
        var key = '[data-atlas-feature="' + id + '"]', p = drawn[id].layer.feature.properties;
        if (!visible(time.rules, statuses[id])) return ".leaflet-tooltip:has(> " + key + ") { display: none; }";
        var style = data.styles[p.kind + ":" + statuses[id]];
        return style && /^#[0-9a-fA-F]{3,8}$/.test(style.color || "") ? ".atlas-route-label > " + key + " { color: " + style.color + " !important; }" : "";
      }).join("\n");
    }

    /* starting: the first date, set before the map has a view: atlas.js declutters once it has one. */
    function setDate(date, quiet, starting) {
      if (!DATE.test(date || "")) return false;
      current = date;
      var statuses = Object.create(null);
      ids.forEach(function (id) { restyle(id, statuses[id] = statusAt(time.rules, dated[id].dates, dated[id].status, date)); });
      labelRules(statuses);
      if (hooks.declutter && !starting) hooks.declutter();
      slider.value = String(stepIndex(steps, date));
      slider.setAttribute("aria-valuetext", localDate(date));
      output.textContent = asOf(date);
      var line = document.getElementById("atlas-asof");
      if (line) line.textContent = asOf(date);
      earlier.disabled = day(date) <= day(steps[0]);
      later.disabled = day(date) >= day(steps[steps.length - 1]);
      if (!quiet && hooks.onChange) hooks.onChange(date);
      return true;
    }

    var container = L.DomUtil.create("div", "atlas-time leaflet-bar");
    container.setAttribute("role", "group");
    container.setAttribute("aria-label", say("time_map_date", "Map date"));
    var label = L.DomUtil.create("label", "atlas-time-label", container);
    label.textContent = say("time_date", "Date");
    label.htmlFor = "atlas-time-slider";
    function stepButton(text, name) {
      var button = L.DomUtil.create("button", "atlas-time-step", container);
      button.type = "button";
      button.textContent = text;
      button.setAttribute("aria-label", name);
      return button;
    }
    var rtl = data.dir === "rtl";  // the slider runs right to left there: the arrows point outwards on their sides
    var earlier = stepButton(rtl ? "›" : "‹", say("time_earlier", "Earlier date"));
    var slider = L.DomUtil.create("input", "atlas-time-slider", container);
    slider.type = "range";
    slider.id = "atlas-time-slider";
    slider.min = "0";
    slider.max = String(steps.length - 1);
    slider.step = "1";
    var later = stepButton(rtl ? "‹" : "›", say("time_later", "Later date"));
    var output = L.DomUtil.create("output", "atlas-time-asof", container);
    output.setAttribute("aria-live", "polite");
    output.htmlFor = "atlas-time-slider";

    L.DomEvent.disableClickPropagation(container);
    L.DomEvent.disableScrollPropagation(container);
    L.DomEvent.on(container, "keydown", L.DomEvent.stopPropagation);  // arrows move the date, not the map
    L.DomEvent.on(slider, "input change", function () { setDate(steps[parseInt(slider.value, 10)]); });
    function move(by) {  // from a date between steps (a shared link), the nearest step that way
      var i = stepIndex(steps, current), at = day(steps[i]), now = day(current);
      var target = by < 0 ? (at < now ? i : i - 1) : (at > now ? i : i + 1);
      if (target >= 0 && target < steps.length) setDate(steps[target]);
    }
    L.DomEvent.on(earlier, "click", function () { move(-1); });
    L.DomEvent.on(later, "click", function () { move(1); });

    var Control = L.Control.extend({ onAdd: function () { return container; } });
    var control = new Control({ position: "topright" });
    /* Wide page: a control at the top right of the map. Compact layout (atlas.css, below 760 px):
       a one-line bar under the title bar, off the map, so it covers nothing a reader needs. */
    var bar = document.querySelector(".atlas-bar");
    var query = window.matchMedia ? window.matchMedia("(max-width: 760px)") : null;
    function place() {
      var compact = !!(query && query.matches) && !!bar;
      control.remove();
      if (compact) {
        container.classList.add("atlas-time--bar");
        bar.parentNode.insertBefore(container, bar.nextSibling);
      } else {
        container.classList.remove("atlas-time--bar");
        control.addTo(map);
      }
      map.invalidateSize({ animate: false });
    }
    place();
    if (query && query.addEventListener) query.addEventListener("change", place);
    document.documentElement.classList.add("atlas-has-time");
    setDate(startDate && DATE.test(startDate) ? startDate : time.default, true, true);

    return {
      date: function () { return current; },
      setDate: setDate,
      steps: steps,
      statusAt: function (dates, status, at) { return statusAt(time.rules, dates, status, at); },
      statusOf: function (id) { return dated[id] ? statusAt(time.rules, dated[id].dates, dated[id].status, current) : undefined; },
      shown: function (id) { return !!drawn[id] && drawn[id].group.hasLayer(drawn[id].layer); }
    };
  }

  window.AtlasTimeline = { statusAt: statusAt, visible: visible, dateText: dateText, day: day, add: add, DATE: DATE };
})();
