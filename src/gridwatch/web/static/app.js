/* gridwatch pages: charts (ECharts), map (Leaflet), GPS.  No network access beyond this server. */
(function () {
  "use strict";
  function json(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function chart(id) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return null;
    var c = echarts.init(el);
    c.setOption({ animation: false });
    return c;
  }
  var gw = {};
  gw.dashboard = function () {
    var d = json("dash-data"), L = json("dash-labels");
    var f = chart("funnel");
    if (f) {
      var keys = ["suspects", "claimed", "verified", "confirmed", "disposed", "closed"];
      f.setOption({
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%",
          label: { formatter: "{b}: {c}" },
          data: keys.map(function (k) { return { name: L.funnel[k], value: d.funnel[k] }; }) }]
      });
    }
    var t = chart("trend");
    if (t) {
      t.setOption({
        tooltip: { trigger: "axis" }, legend: { top: 0, data: [L.created, L.closed] },
        grid: { left: 40, right: 16, top: 36, bottom: 28 },
        xAxis: { type: "category", data: d.trend.map(function (r) { return r[0].slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: L.created, type: "line", data: d.trend.map(function (r) { return r[1]; }) },
                 { name: L.closed, type: "line", data: d.trend.map(function (r) { return r[2]; }) }]
      });
    }
    window.addEventListener("resize", function () { f && f.resize(); t && t.resize(); });
  };
  gw.loadChart = function (orderId) {
    var c = chart("load");
    if (!c) return;
    fetch("/api/v1/orders/" + orderId + "/load", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (!d.dates || !d.dates.length) {
          /* no readings: a line of text instead of an empty 280 px chart */
          var el = document.getElementById("load");
          c.dispose();
          el.classList.add("empty");
          el.textContent = el.dataset.empty;
          return;
        }
        c.setOption({
          tooltip: { trigger: "axis" }, grid: { left: 48, right: 12, top: 16, bottom: 28 },
          xAxis: { type: "category", data: d.dates }, yAxis: { type: "value", name: "kWh" },
          dataZoom: [{ type: "inside" }],
          series: [{ type: "line", showSymbol: false, areaStyle: { opacity: 0.15 }, data: d.kwh }]
        });
      });
  };
  gw.gps = function () {
    var b = document.getElementById("gps-btn");
    if (!b) return;
    b.addEventListener("click", function () {
      if (!navigator.geolocation) return;
      navigator.geolocation.getCurrentPosition(function (p) {
        document.getElementById("lon").value = p.coords.longitude.toFixed(6);
        document.getElementById("lat").value = p.coords.latitude.toFixed(6);
      });
    });
  };
  gw.checklist = function () {
    /* show the checklist of the chosen trade only; hidden items are disabled so they are not sent */
    var sel = document.querySelector("form.verify select[name=trade]");
    if (!sel) return;
    function show() {
      document.querySelectorAll("fieldset.trade-checks").forEach(function (fs) {
        var on = fs.dataset.trade === sel.value;
        fs.hidden = !on;
        fs.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
      });
    }
    sel.addEventListener("change", show);
    show();
  };
  var COLORS = { pooled: "#d32f2f", claimed: "#f57c00", returned: "#f57c00", verified: "#fbc02d",
    confirmed: "#7b1fa2", disposing: "#5e35b1", disposed: "#1976d2", closed: "#2e7d32" };
  gw.basemap = function (map, el, control) {
    /* the offline base map: outlines, road axes and door plates derived from the address registry, drawn
     * without any tile server; finer layers appear as the officer zooms in */
    var comms = L.layerGroup(), cells = L.layerGroup(), roads = L.layerGroup(), plates = L.layerGroup();
    var roadLabels = L.layerGroup().addTo(map), axes = [];
    var layers = [[comms, 0], [cells, 15], [roads, 14], [plates, 17]];
    return fetch("/api/v1/basemap", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (b) {
      var ll = function (p) { return [p[1], p[0]]; };
      b.communities.forEach(function (c) {
        if (c.ring.length >= 3) L.polygon(c.ring.map(ll), { color: "#607d8b", weight: 1, dashArray: "4 3", fillColor: "#eceff1", fillOpacity: 0.35 })
          .bindTooltip(c.name, { sticky: true }).addTo(comms);
      });
      b.grid_cells.forEach(function (c) {
        if (c.ring.length >= 3) L.polygon(c.ring.map(ll), { color: "#90a4ae", weight: 0.8, fill: false })
          .bindTooltip(c.name, { sticky: true }).addTo(cells);
      });
      b.roads.forEach(function (r) {
        var line = [ll(r.line[0]), ll(r.line[1])];
        L.polyline(line, { color: "#fff", weight: 7, opacity: 0.95 }).addTo(roads);
        L.polyline(line, { color: "#b0a58f", weight: 4, opacity: 0.95 }).bindTooltip(r.name, { sticky: true }).addTo(roads);
        axes.push({ name: r.name, at: L.latLng((line[0][0] + line[1][0]) / 2, (line[0][1] + line[1][1]) / 2) });
      });
      b.plates.forEach(function (p) {
        L.circleMarker([p.lat, p.lon], { radius: 3, weight: 1, color: "#78909c", fillColor: "#fff", fillOpacity: 1 })
          .bindTooltip(p.label).addTo(plates);
      });
      function zoomed() {
        if (!map._loaded) return;  /* the view is set once the orders are in */
        var z = map.getZoom();
        layers.forEach(function (lz) { if (z >= lz[1]) map.addLayer(lz[0]); else map.removeLayer(lz[0]); });
        roadLabels.clearLayers();
        if (z < 16) return;
        var view = map.getBounds(), n = 0;
        axes.forEach(function (a) {
          if (n < 120 && view.contains(a.at)) {
            n += 1;
            L.marker(a.at, { interactive: false, icon: L.divIcon({ className: "road-label", html: a.name, iconSize: null }) }).addTo(roadLabels);
          }
        });
      }
      map.on("zoomend moveend", zoomed);
      zoomed();
      [[comms, el.dataset.lCommunities], [cells, el.dataset.lGrid], [roads, el.dataset.lRoads], [plates, el.dataset.lPlates]]
        .forEach(function (x) { if (x[0].getLayers().length) control.addOverlay(x[0], x[1]); });
      if (b.omitted.length) {
        var note = document.getElementById("base-omitted");
        if (note) {
          note.querySelector("span").textContent = b.omitted.map(function (k) {
            return { plates: el.dataset.lPlates, roads: el.dataset.lRoads, grid_cells: el.dataset.lGrid }[k];
          }).join(", ");
          note.hidden = false;
        }
      }
      var shapes = b.communities.filter(function (c) { return c.ring.length; }).map(function (c) { return c.ring.map(ll); });
      return shapes.length ? L.latLngBounds([].concat.apply([], shapes)) : null;
    }).catch(function () { return null; });
  };
  var COLORS = { pooled: "#d32f2f", claimed: "#f57c00", returned: "#f57c00", verified: "#fbc02d",
    confirmed: "#7b1fa2", disposing: "#5e35b1", disposed: "#1976d2", closed: "#2e7d32" };
  gw.map = function () {
    var el = document.getElementById("map");
    if (!el || !window.L) return;
    var map = L.map(el, { preferCanvas: true, maxZoom: 19 });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    var control = L.control.layers(null, null, { collapsed: window.innerWidth < 600 }).addTo(map);
    L.control.scale().addTo(map);
    var focus = Number(new URLSearchParams(location.search).get("order") || 0);
    var stateLabels = json("state-labels") || {};
    var base = gw.basemap(map, el, control);
    var orders = fetch("/api/v1/map", { credentials: "same-origin" }).then(function (r) { return r.json(); });
    Promise.all([orders, base]).then(function (res) {
      var d = res[0], baseBounds = res[1];
      var points = L.layerGroup(), heat = L.layerGroup(), outlines = L.layerGroup(), bounds = [];
      var max = 1, focused = null;
      d.heat.forEach(function (h) { if (h[2] > max) max = h[2]; });
      d.heat.forEach(function (h) {
        L.rectangle([[h[1], h[0]], [h[1] + 0.01, h[0] + 0.01]],
          { stroke: false, fillColor: "#e53935", fillOpacity: 0.08 + 0.35 * h[2] / max, interactive: false }).addTo(heat);
      });
      var counts = {}, shapes = [];
      d.outlines.forEach(function (o) { counts[o.code] = o.count; });
      var label = function (ll, text) {
        var c = ll.reduce(function (a, p) { return [a[0] + p[0] / ll.length, a[1] + p[1] / ll.length]; }, [0, 0]);
        L.marker(c, { interactive: false, icon: L.divIcon({ className: "map-label", html: text, iconSize: null }) }).addTo(outlines);
      };
      if (d.boundaries && d.boundaries.length) {  // shipped district boundaries
        d.boundaries.forEach(function (b) {
          var rings = b.rings.map(function (r) { return r.map(function (p) { return [p[1], p[0]]; }); });
          var poly = L.polygon(rings, { color: "#123b63", weight: 1.5, fillOpacity: 0.03, interactive: false }).addTo(outlines);
          shapes.push(poly.getBounds());
          var biggest = rings.reduce(function (a, r) { return r.length > a.length ? r : a; }, []);
          label(biggest, b.name + (counts[b.code] ? " (" + counts[b.code] + ")" : ""));
        });
      } else {  // no boundaries ship for this city: the convex hull of each district's orders
        d.outlines.forEach(function (o) {
          var ll = o.hull.map(function (p) { return [p[1], p[0]]; });
          if (ll.length >= 3) L.polygon(ll, { color: "#123b63", weight: 1.5, fillOpacity: 0.04, interactive: false }).addTo(outlines);
          if (ll.length) label(ll, o.name + " (" + o.count + ")");
        });
      }
      d.points.forEach(function (p) {
        bounds.push([p[2], p[1]]);
        var m = L.circleMarker([p[2], p[1]], { radius: p[0] === focus ? 9 : 6, weight: 2, color: "#fff",
          fillColor: COLORS[p[3]] || "#555", fillOpacity: 0.95 })
          .bindPopup('<a href="/orders/' + p[0] + '">#' + p[0] + "</a> " + (stateLabels[p[3]] || p[3])).addTo(points);
        if (p[0] === focus) focused = m;
      });
      outlines.addTo(map); points.addTo(map);
      /* the ~1 km heat cells say nothing at street level: shown while zoomed out */
      var heatShown = function () { if (map.getZoom() <= 14) map.addLayer(heat); else map.removeLayer(heat); };
      map.on("zoomend", heatShown);
      control.addOverlay(heat, el.dataset.lHeat);
      control.addOverlay(outlines, el.dataset.lOutlines);
      control.addOverlay(points, el.dataset.lPoints);
      if (focused) { map.setView(focused.getLatLng(), 17); focused.openPopup(); }
      else if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
      else if (baseBounds) map.fitBounds(baseBounds, { padding: [10, 10] });
      else if (shapes.length) map.fitBounds(shapes.reduce(function (a, b) { return a.extend(b); }), { padding: [10, 10] });
      else map.setView([23.13, 113.26], 10);
      heatShown();
      el.dataset.ready = "1";
    });
  };
  gw.bell = function () {
    var n = document.getElementById("bell-n");
    if (!n || !navigator.onLine) return;
    fetch("/api/v1/notifications/count", { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) return;
        n.textContent = d.count >= 99 ? "99+" : String(d.count);
        n.hidden = d.count === 0;
      }).catch(function () {});
  };
  window.gw = gw;
  if (document.getElementById("bell")) {
    gw.bell();
    setInterval(gw.bell, 60000);
  }
})();
