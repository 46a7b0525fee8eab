/* Corridor Atlas basemap helpers (see corridor_atlas/basemap.py):
 * - the land on one canvas (landLayer): ~150 countries and ~21,000 vertices drawn into one
 *   element instead of one SVG path each, the largest part of a page's start-up (issue 15);
 * - specks: a land or lake ring smaller than a few pixels at the zoom it is drawn at is
 *   not drawn, so chains of islets or lake holes never read as a dotted (proposed) route;
 * - the minimum zoom rises on a screen larger than the land drawn for the map, so no
 *   reader ever sees past the land's edge.
 */
(function () {
  "use strict";

  var MIN_RING_AREA_PX = 4;   // a ring under 2 × 2 px draws as a dot
  var MIN_RING_WIDTH_PX = 1;  // a ring thinner than a pixel (a river sliver) draws as a line

  /* A ring of [lon, lat] in Web Mercator pixels at zoom 0 (Leaflet's EPSG3857: 256 px world),
     flat [x0, y0, x1, y1, …], with its box, shoelace area and perimeter: projected once, so a
     redraw only scales and shifts. */
  var MAX_LATITUDE = L.Projection.SphericalMercator.MAX_LATITUDE;
  function projectRing(coords) {
    var xy = new Float64Array(coords.length * 2), box = [Infinity, Infinity, -Infinity, -Infinity];
    for (var i = 0; i < coords.length; i++) {
      var lat = Math.max(Math.min(MAX_LATITUDE, coords[i][1]), -MAX_LATITUDE) * Math.PI / 180;
      var x = 256 * (coords[i][0] / 360 + 0.5), y = 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + lat / 2)) / (2 * Math.PI));
      xy[2 * i] = x; xy[2 * i + 1] = y;
      if (x < box[0]) box[0] = x; if (y < box[1]) box[1] = y;
      if (x > box[2]) box[2] = x; if (y > box[3]) box[3] = y;
    }
    var area = 0, perimeter = 0, n = coords.length;
    for (var a = 0, b = n - 1; a < n; b = a++) {
      area += (xy[2 * b] + xy[2 * a]) * (xy[2 * b + 1] - xy[2 * a + 1]);
      perimeter += Math.hypot(xy[2 * a] - xy[2 * b], xy[2 * a + 1] - xy[2 * b + 1]);
    }
    return { xy: xy, box: box, area: Math.abs(area / 2), perimeter: perimeter };
  }

  /* A ring seen at `scale` (pixels per zoom-0 pixel) is drawn unless it is a speck: under
     2 × 2 px, or thinner than a pixel (twice its area over its perimeter). The fill rule is
     even-odd, and a ring inside another is always the smaller, so dropping one never turns an
     island into a hole. */
  function visibleAt(ring, scale) {
    var area = ring.area * scale * scale;
    return area >= MIN_RING_AREA_PX && 2 * area / (ring.perimeter * scale) >= MIN_RING_WIDTH_PX;
  }

  /* Leaflet's canvas renderer, given no paths: it keeps its canvas over the view (padding,
     moves, zoom animation, retina) and draws the countries itself, each filled (even-odd) and
     then stroked with Leaflet's own _fillStroke and its path defaults, so the land looks as
     the SVG basemap did. Redraws happen at once (at add, at every moveend and view reset),
     never in a later frame: the map is drawn when atlas.js marks it ready. Not interactive. */
  var LandCanvas = L.Canvas.extend({
    initialize: function (countries, options) {
      L.Canvas.prototype.initialize.call(this, options);
      this._countries = countries;
      this.drawnRings = [];  // [country, polygon, ring] indices of the last draw: what is on the canvas (tests)
    },
    _updatePaths: function () {
      if (this._postponeUpdatePaths) return;
      this._redrawBounds = null;
      this._redraw();
    },
    _draw: function () {
      var map = this._map, ctx = this._ctx, b = this._bounds, scale = map.getZoomScale(map.getZoom(), 0);
      var origin = map.getPixelOrigin(), dx = -origin.x, dy = -origin.y;  // zoom-0 px × scale + d = layer px
      var pad = 2;  // a border's stroke reaches past its ring
      var west = (b.min.x - dx - pad) / scale, north = (b.min.y - dy - pad) / scale;
      var east = (b.max.x - dx + pad) / scale, south = (b.max.y - dy + pad) / scale;
      var drawn = this.drawnRings = [];
      ctx.save();
      this._countries.forEach(function (country, c) {
        var any = false;
        ctx.beginPath();
        country.rings.forEach(function (ring) {
          var box = ring.box, xy = ring.xy;
          if (box[2] < west || box[0] > east || box[3] < north || box[1] > south || !visibleAt(ring, scale)) return;
          ctx.moveTo(xy[0] * scale + dx, xy[1] * scale + dy);
          for (var i = 2; i < xy.length; i += 2) ctx.lineTo(xy[i] * scale + dx, xy[i + 1] * scale + dy);
          ctx.closePath();
          drawn.push([c, ring.at[0], ring.at[1]]);
          any = true;
        });
        if (any) this._fillStroke(ctx, country);
      }, this);
      ctx.restore();
    }
  });

  /* The basemap layer for a GeoJSON collection of (Multi)Polygons; style(feature) gives each
     country's path options (fillColor, color, weight…), as L.geoJSON's style would. */
  function landLayer(geojson, style, pane) {
    var polygonDefaults = L.extend({}, L.Path.prototype.options, L.Polygon.prototype.options);
    var countries = geojson.features.map(function (f) {
      var g = f.geometry, polygons = g.type === "Polygon" ? [g.coordinates] : g.coordinates, rings = [];
      polygons.forEach(function (polygon, p) {
        polygon.forEach(function (ring, r) {
          if (ring.length < 3) return;
          var projected = projectRing(ring);
          projected.at = [p, r];
          rings.push(projected);
        });
      });
      return { feature: f, rings: rings, options: L.extend({}, polygonDefaults, style(f)) };
    });
    return new LandCanvas(countries, { pane: pane });
  }

  /* The land is drawn for screens up to basemap.DESIGN_SCREEN at the map's minimum zoom;
     a larger screen starts one or more zooms deeper, where the land fills it. */
  function keepLandInView(map, view) {
    if (!view.landBounds) return;
    var land = L.latLngBounds(view.landBounds);
    function guard() {
      map.setMinZoom(view.minZoom);
      map.setMinZoom(Math.min(view.maxZoom, map.getBoundsZoom(land, true)));
    }
    guard();
    map.on("resize", guard);
  }

  window.AtlasBasemap = { landLayer: landLayer, keepLandInView: keepLandInView, visibleAt: visibleAt };
})();
