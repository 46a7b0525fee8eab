/* Corridor Atlas basemap helpers (see corridor_atlas/basemap.py):
 * - specks: a land or lake ring smaller than a few pixels at the zoom it is drawn at is
 *   not drawn, so chains of islets or lake holes never read as a dotted (proposed) route;
 * - the minimum zoom rises on a screen larger than the land drawn for the map, so no
 *   reader ever sees past the land's edge.
 */
(function () {
  "use strict";

  var MIN_RING_AREA_PX = 4;   // a ring under 2 × 2 px draws as a dot
  var MIN_RING_WIDTH_PX = 1;  // a ring thinner than a pixel (a river sliver) draws as a line

  /* Shoelace area and perimeter of a ring of screen points. */
  function ringSize(ring) {
    var area = 0, perimeter = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      area += (ring[j].x + ring[i].x) * (ring[j].y - ring[i].y);
      perimeter += ring[i].distanceTo(ring[j]);
    }
    return { area: Math.abs(area / 2), perimeter: perimeter };
  }

  function visible(ring) {
    var s = ringSize(ring);
    return s.area >= MIN_RING_AREA_PX && 2 * s.area / s.perimeter >= MIN_RING_WIDTH_PX;
  }

  /* Rings are measured as Leaflet is about to draw them: projected for the current zoom,
     clipped and simplified. The fill rule is even-odd, and a ring inside another is always
     the smaller, so dropping one never turns an island into a hole. */
  function hideSpecks(group) {
    group.eachLayer(function (polygon) {
      polygon._simplifyPoints = function () {
        L.Polygon.prototype._simplifyPoints.call(this);
        this._parts = this._parts.filter(visible);
      };
    });
    return group;
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

  window.AtlasBasemap = { hideSpecks: hideSpecks, keepLandInView: keepLandInView, visible: visible };
})();
