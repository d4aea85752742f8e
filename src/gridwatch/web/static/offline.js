/* gridwatch offline support for field staff: registers the service worker, keeps the officer's claimed
 * orders available, queues a verification submitted without signal (IndexedDB) and sends it when the
 * network is back, with a fresh CSRF token of the current session.  Shows "offline / n pending". */
(function () {
  "use strict";
  var DB = "gridwatch-offline", STORE = "outbox";
  var net = document.getElementById("net");
  if (!net || !("indexedDB" in window)) return;

  function db() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id", autoIncrement: true }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function drop(id) { return tx("readwrite", function (s) { return s.delete(id); }); }

  function status() {
    return all().then(function (items) {
      var pending = items.filter(function (i) { return !i.error; }).length;
      var failed = items.length - pending, parts = [];
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

  function renderOutbox(items) {
    /* cached order cards: mark the ones whose verification waits in the outbox */
    items.forEach(function (i) {
      var card = document.querySelector("article[data-order='" + i.order + "'] .row");
      if (card && !card.querySelector(".queued-badge")) {
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
    items.forEach(function (i) {
      var li = document.createElement("li");
      li.dataset.order = i.order;
      li.textContent = "#" + i.order + " · " + new Date(i.at).toLocaleString() + (i.error ? " · " + i.error : "");
      if (i.error) {
        var b = document.createElement("button");
        b.className = "small"; b.textContent = box.dataset.discard;
        b.addEventListener("click", function () { drop(i.id).then(status); });
        li.appendChild(b);
      }
      list.appendChild(li);
    });
  }

  function queue(form) {
    /* FormData is not storable: keep its entries (text and File blobs) */
    var fd = new FormData(form), fields = [];
    fd.forEach(function (v, k) {
      if (k === "csrf_token") return;
      if (v instanceof File && !v.name) return;
      fields.push([k, v]);
    });
    fields.push(["visited_at", new Date().toISOString()]);
    return put({ url: form.getAttribute("action"), order: form.dataset.order, fields: fields,
      at: Date.now(), error: null });
  }

  function csrf() {
    return fetch("/api/v1/session/csrf", { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error("login");
      return r.json();
    }).then(function (d) { return d.csrf; });
  }

  var draining = false;
  function drain() {
    if (draining || !navigator.onLine) return Promise.resolve();
    draining = true;
    return all().then(function (items) {
      var todo = items.filter(function (i) { return !i.error; });
      if (!todo.length) return;
      return csrf().then(function (token) {
        return todo.reduce(function (chain, item) {
          return chain.then(function () {
            var fd = new FormData();
            item.fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });
            fd.append("csrf_token", token);
            return fetch(item.url, { method: "POST", body: fd, credentials: "same-origin" }).then(function (r) {
              if (r.redirected && new URL(r.url).pathname === "/login") throw new Error("login");
              if (r.ok) return drop(item.id);
              /* refused for good (e.g. the order changed meanwhile): keep it visible, do not retry */
              item.error = r.status + " " + (r.status === 409 ? net.dataset.conflict : net.dataset.refused);
              return put(item);
            });
          });
        }, Promise.resolve());
      });
    }).catch(function () { /* still no network or no session: try again later */ })
      .then(function () { draining = false; return status(); });
  }

  function intercept() {
    var form = document.querySelector("form.verify");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      if (!form.checkValidity()) return;
      e.preventDefault();
      var done = function () {
        return queue(form).then(status).then(function () {
          var note = document.getElementById("queued");
          if (note) note.hidden = false;
          form.hidden = true;
        });
      };
      if (!navigator.onLine) { done(); return; }
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) {
          if (r.ok && !(r.redirected && new URL(r.url).pathname === "/login")) { location.href = r.url; return; }
          form.submit(); /* let the server's error page explain */
        })
        .catch(done); /* the signal dropped while sending */
    });
  }

  function register() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var mine = document.body.dataset.role === "field_staff";
      if (!mine || !navigator.onLine) return;
      return fetch("/api/v1/orders?mine=true&state=claimed&state=returned&page_size=200",
        { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) {
          var urls = ["/mine"];
          d.items.forEach(function (o) { urls.push("/orders/" + o.id, "/orders/" + o.id + "/verify"); });
          /* fetch the pages again only when the claimed orders changed or the copies are 10 minutes old */
          var sig = urls.join(","), last = {};
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

  navigator.serviceWorker && navigator.serviceWorker.addEventListener("message", function (e) {
    if (e.data && e.data.type === "precached") document.body.dataset.precached = String(e.data.count);
  });
  var logout = document.querySelector("form[action='/logout']");
  if (logout) logout.addEventListener("submit", function () {
    localStorage.removeItem("gw-precache");
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "clear" });
    }
  });
  window.addEventListener("online", drain);
  window.addEventListener("offline", status);
  intercept();
  register();
  status().then(drain);
  window.gwOffline = { drain: drain, status: status, all: all };
})();
