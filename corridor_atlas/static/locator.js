/* Corridor Atlas locator inset: where the map lies in the wider region (corridor_atlas/basemap.py
 * draws the land as SVG path data in the inset's pixels). The red box follows the reader's view.
 * Built with createElementNS/setAttribute only: nothing from the payload is parsed as markup.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var MIN_BOX_PX = 6;  // a view smaller than this in the inset is still drawn as a visible box

  function svgEl(name, attrs) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    return node;
  }

  function mercatorY(lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)); }

  function add(map, inset) {
    var perRadian = inset.width / ((inset.east - inset.west) * Math.PI / 180);
    function point(lat, lon) {
      return [(lon - inset.west) * Math.PI / 180 * perRadian, (mercatorY(inset.north) - mercatorY(lat)) * perRadian];
    }
    var Locator = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var root = L.DomUtil.create("div", "atlas-locator");
        root.setAttribute("role", "img");
        root.setAttribute("aria-label", inset.label || "Locator map: the red box shows where this view lies in the wider region");  // i18n.py
        var svg = svgEl("svg", { width: inset.width, height: inset.height, viewBox: "0 0 " + inset.width + " " + inset.height, "aria-hidden": "true" });
        svg.appendChild(svgEl("rect", { "class": "atlas-locator-sea", width: inset.width, height: inset.height }));
        svg.appendChild(svgEl("path", { "class": "atlas-locator-land", d: inset.land, "fill-rule": "evenodd" }));
        var box = svgEl("rect", { "class": "atlas-locator-view" });
        svg.appendChild(box);
        root.appendChild(svg);
        function update() {
          if (!map._loaded) return;
          var b = map.getBounds();
          var nw = point(b.getNorth(), b.getWest()), se = point(b.getSouth(), b.getEast());
          var x0 = Math.max(0, nw[0]), y0 = Math.max(0, nw[1]);
          var x1 = Math.min(inset.width, se[0]), y1 = Math.min(inset.height, se[1]);
          var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
          var w = Math.max(MIN_BOX_PX, x1 - x0), h = Math.max(MIN_BOX_PX, y1 - y0);
          box.setAttribute("x", (cx - w / 2).toFixed(1));
          box.setAttribute("y", (cy - h / 2).toFixed(1));
          box.setAttribute("width", w.toFixed(1));
          box.setAttribute("height", h.toFixed(1));
        }
        map.on("load moveend zoomend resize", update);
        update();
        L.DomEvent.disableClickPropagation(root);
        L.DomEvent.disableScrollPropagation(root);
        return root;
      }
    });
    var control = new Locator();
    control.addTo(map);
    return control;
  }

  window.AtlasLocator = { add: add };
})();
