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
          c.setOption({ title: { text: "—", left: "center", top: "middle" } });
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
  gw.map = function () {
    var el = document.getElementById("map");
    if (!el || !window.L) return;
    var map = L.map(el, { preferCanvas: true });
    if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map);
    fetch("/api/v1/map", { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (d) {
      var points = L.layerGroup(), heat = L.layerGroup(), outlines = L.layerGroup(), bounds = [];
      var max = 1;
      d.heat.forEach(function (h) { if (h[2] > max) max = h[2]; });
      d.heat.forEach(function (h) {
        L.rectangle([[h[1], h[0]], [h[1] + 0.01, h[0] + 0.01]],
          { stroke: false, fillColor: "#e53935", fillOpacity: 0.08 + 0.35 * h[2] / max }).addTo(heat);
      });
      var counts = {}, shapes = [];
      d.outlines.forEach(function (o) { counts[o.code] = o.count; });
      var label = function (ll, text) {
        var c = ll.reduce(function (a, p) { return [a[0] + p[0] / ll.length, a[1] + p[1] / ll.length]; }, [0, 0]);
        L.marker(c, { icon: L.divIcon({ className: "map-label", html: text, iconSize: null }) }).addTo(outlines);
      };
      if (d.boundaries && d.boundaries.length) {  // shipped district boundaries
        d.boundaries.forEach(function (b) {
          var rings = b.rings.map(function (r) { return r.map(function (p) { return [p[1], p[0]]; }); });
          var poly = L.polygon(rings, { color: "#123b63", weight: 1.5, fillOpacity: 0.03 }).addTo(outlines);
          shapes.push(poly.getBounds());
          var biggest = rings.reduce(function (a, r) { return r.length > a.length ? r : a; }, []);
          label(biggest, b.name + (counts[b.code] ? " (" + counts[b.code] + ")" : ""));
        });
      } else {  // no boundaries ship for this city: the convex hull of each district's orders
        d.outlines.forEach(function (o) {
          var ll = o.hull.map(function (p) { return [p[1], p[0]]; });
          if (ll.length >= 3) L.polygon(ll, { color: "#123b63", weight: 1.5, fillOpacity: 0.04 }).addTo(outlines);
          if (ll.length) label(ll, o.name + " (" + o.count + ")");
        });
      }
      d.points.forEach(function (p) {
        bounds.push([p[2], p[1]]);
        L.circleMarker([p[2], p[1]], { radius: 4, weight: 1, color: "#fff", fillColor: COLORS[p[3]] || "#555",
          fillOpacity: 0.9 }).bindPopup('<a href="/orders/' + p[0] + '">#' + p[0] + "</a> " + p[3]).addTo(points);
      });
      heat.addTo(map); outlines.addTo(map); points.addTo(map);
      var layers = {}; layers[el.dataset.lHeat] = heat; layers[el.dataset.lOutlines] = outlines;
      layers[el.dataset.lPoints] = points;
      L.control.layers(null, layers, { collapsed: false }).addTo(map);
      L.control.scale().addTo(map);
      if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
      else if (shapes.length) map.fitBounds(shapes.reduce(function (a, b) { return a.extend(b); }), { padding: [10, 10] });
      else map.setView([23.13, 113.26], 10);
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
