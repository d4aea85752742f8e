/* gridwatch offline support for field staff (pages): registers the service worker, keeps the officer's
 * claimed orders and the base map available, queues a verification submitted without signal (outbox.js)
 * and sends the queue when the network is back: Background Sync where the browser has it, else (and as
 * well) on the `online` event, when the page becomes visible again and every 30 s while items wait.
 * Shows "offline / n pending / m failed" in the header and each item's state on "my orders".  Logging out
 * empties the user's outbox and the cached pages first. */
(function () {
  "use strict";
  var net = document.getElementById("net");
  var out = window.gwOutbox;
  if (!net || !out || !("indexedDB" in window)) return;
  var user = document.body.dataset.user;
  var RETRY_MS = 30000;
  var reasons = { 409: net.dataset.conflict, 403: net.dataset.refused, 404: net.dataset.refused,
    422: net.dataset.invalid };

  function status() {
    return out.all(user).then(function (items) {
      var pending = items.filter(function (i) { return i.status === "pending"; }).length;
      var failed = items.filter(function (i) { return i.status === "failed"; }).length, parts = [];
      if (!navigator.onLine) parts.push(net.dataset.offline);
      if (pending) parts.push(pending + " " + net.dataset.pending);
      if (failed) parts.push(failed + " " + net.dataset.failed);
      net.textContent = parts.join(" · ");
      net.hidden = parts.length === 0;
      net.classList.toggle("off", !navigator.onLine);
      renderOutbox(items);
      return items;
    });
  }

  function time(ms) {
    return new Date(ms).toLocaleString([], { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  }

  function renderOutbox(items) {
    /* cached order cards: mark the ones whose verification waits in the outbox */
    document.querySelectorAll(".queued-badge").forEach(function (b) { b.remove(); });
    items.filter(function (i) { return i.status === "pending"; }).forEach(function (i) {
      var card = document.querySelector("article[data-order='" + i.order + "'] .row");
      if (card) {
        var b = document.createElement("span");
        b.className = "badge warn queued-badge"; b.textContent = net.dataset.queued;
        card.appendChild(b);
      }
    });
    var box = document.getElementById("outbox");
    if (!box) return;
    box.hidden = items.length === 0;
    var list = box.querySelector("ul");
    list.textContent = "";
    items.sort(function (a, b) { return b.at - a.at; }).forEach(function (i) {
      var li = document.createElement("li");
      li.dataset.order = i.order; li.dataset.status = i.status;
      var chip = document.createElement("span");
      chip.className = "chip outbox-" + i.status; chip.textContent = box.dataset[i.status];
      var text = document.createElement("span");
      var parts = ["#" + i.order, time(i.at)];
      if (i.status === "sent") parts.push(box.dataset.sent + " " + time(i.sent_at));
      if (i.status === "pending" && i.tries) parts.push(box.dataset.tries + " " + i.tries);
      if (i.status === "failed") parts.push(i.http + " " + (reasons[i.http] || net.dataset.refused));
      text.textContent = " " + parts.join(" · ") + " ";
      li.appendChild(chip); li.appendChild(text);
      var link = document.createElement("a");
      link.href = "/orders/" + i.order; link.textContent = "→"; link.className = "go";
      li.appendChild(link);
      if (i.status === "failed") {
        var b = document.createElement("button");
        b.type = "button"; b.className = "small"; b.textContent = box.dataset.discard;
        b.addEventListener("click", function () { out.drop(i.id).then(status); });
        li.appendChild(b);
      }
      list.appendChild(li);
    });
  }

  var registration = null;
  function askForSync() {
    /* Background Sync: sent by the service worker when the network is back, even if the page is closed */
    if (registration && registration.sync) registration.sync.register("gw-outbox").catch(function () {});
  }

  function drain() {
    if (!navigator.onLine) return status();
    return out.drain().catch(function () {}).then(status);
  }

  function queue(form, key) {
    /* FormData is not storable: keep its entries (text and File blobs) */
    var fields = [];
    new FormData(form).forEach(function (v, k) {
      if (k === "csrf_token" || k === "request_key") return;
      if (v instanceof File && !v.name) return;
      fields.push([k, v]);
    });
    fields.push(["visited_at", new Date().toISOString()]);
    return out.add(user, form.getAttribute("action"), form.dataset.order, fields, key).then(function () {
      askForSync();
      return status();
    });
  }

  function intercept() {
    var form = document.querySelector("form.verify");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      if (!form.checkValidity()) return;
      e.preventDefault();
      /* one key per submission: if the answer is lost the queued copy carries the same key, and the
       * server stores the two as one */
      var key = out.newKey();
      form.elements.request_key.value = key;
      var done = function () {
        return queue(form, key).then(function () {
          var note = document.getElementById("queued");
          if (note) note.hidden = false;
          form.hidden = true;
        });
      };
      if (!navigator.onLine) { done(); return; }
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "Idempotency-Key": key } })
        .then(function (r) {
          if (r.ok && !(r.redirected && new URL(r.url).pathname === "/login")) { location.href = r.url; return; }
          form.submit(); /* same key: the server's page explains the refusal without a second verification */
        })
        .catch(done); /* the signal dropped while sending */
    });
  }

  function register() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      registration = reg;
      var mine = document.body.dataset.role === "field_staff";
      if (!mine || !navigator.onLine) return;
      return fetch("/api/v1/orders?mine=true&state=claimed&state=returned&page_size=200",
        { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) {
          var urls = ["/mine", "/map", "/api/v1/map", "/api/v1/basemap"];
          d.items.forEach(function (o) { urls.push("/orders/" + o.id, "/orders/" + o.id + "/verify"); });
          /* fetch the pages again only when the claimed orders changed or the copies are 10 minutes old */
          var sig = user + ":" + urls.join(","), last = {};
          try { last = JSON.parse(localStorage.getItem("gw-precache") || "{}"); } catch (e) { last = {}; }
          if (last.sig === sig && Date.now() - last.at < 600000 && navigator.serviceWorker.controller) {
            document.body.dataset.precached = String(urls.length);
            return;
          }
          localStorage.setItem("gw-precache", JSON.stringify({ sig: sig, at: Date.now() }));
          reg.active.postMessage({ type: "precache", urls: urls });
        });
    }).catch(function () {});
  }

  function purgeThisUser() {
    /* logging out on a shared phone: this user's queued verifications and every cached page go */
    localStorage.removeItem("gw-precache");
    var pages = window.caches ? caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return /-pages$/.test(k); }).map(function (k) { return caches.delete(k); }));
    }) : Promise.resolve();
    return Promise.all([out.purge(user), pages]);
  }

  var logout = document.querySelector("form[action='/logout']");
  if (logout) logout.addEventListener("submit", function (e) {
    e.preventDefault();
    out.all(user).then(function (items) {
      var pending = items.filter(function (i) { return i.status === "pending"; }).length;
      if (pending && !window.confirm(net.dataset.logoutPending.replace("{n}", pending))) return false;
      return purgeThisUser().then(function () { return true; });
    }).catch(function () { return true; }).then(function (go) {
      if (go) logout.submit();
    });
  });

  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (!e.data) return;
      if (e.data.type === "precached") document.body.dataset.precached = String(e.data.count);
      if (e.data.type === "outbox") status();
    });
  }
  window.addEventListener("online", drain);
  window.addEventListener("offline", status);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) drain(); });
  setInterval(function () {
    out.all(user).then(function (items) {
      if (items.some(function (i) { return i.status === "pending"; })) drain();
    });
  }, RETRY_MS);
  intercept();
  register();
  status().then(drain);
  window.gwOffline = { drain: drain, status: status, all: function () { return out.all(user); } };
})();
