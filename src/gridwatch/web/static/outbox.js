/* gridwatch outbox: verifications filled in without signal, kept in IndexedDB until they are sent.
 * Loaded by the pages (before offline.js) and by the service worker (importScripts, for Background Sync);
 * `self` is the global of both.  Every item carries the user it belongs to and an idempotency key: it is
 * only ever sent under that user's session (the session's user comes from /api/v1/session/csrf), and a
 * replay of the same key (the answer to the first send was lost) is stored once by the server.
 *
 * Item: {id, user, url, order, fields: [[name, value|Blob]], at, key, status: "pending"|"sent"|"failed",
 *        tries, last_try, http (status of a refusal), sent_at}.  Sent items lose their fields (the photos)
 *        and are kept a day so the officer sees that they went. */
(function (g) {
  "use strict";
  var DB = "gridwatch-offline", STORE = "outbox", DB_VERSION = 2, LOCK = "gw-outbox";
  var KEEP_SENT_MS = 24 * 3600 * 1000;
  var RETRY = { 500: 1, 502: 1, 503: 1, 504: 1, 429: 1 }; /* answers worth another try later */

  function db() {
    return new Promise(function (resolve, reject) {
      var req = g.indexedDB.open(DB, DB_VERSION);
      req.onupgradeneeded = function () {
        var d = req.result;
        if (d.objectStoreNames.contains(STORE)) d.deleteObjectStore(STORE); /* v1 items had no user: not sendable */
        d.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (resolve, reject) {
        var t = d.transaction(STORE, mode), out = fn(t.objectStore(STORE));
        t.oncomplete = function () { d.close(); resolve(out && out.result !== undefined ? out.result : out); };
        t.onerror = function () { d.close(); reject(t.error); };
      });
    });
  }
  function all(user) {
    return tx("readonly", function (s) { return s.getAll(); }).then(function (items) {
      return user === undefined ? items : items.filter(function (i) { return String(i.user) === String(user); });
    });
  }
  function put(item) { return tx("readwrite", function (s) { return s.put(item); }); }
  function drop(id) { return tx("readwrite", function (s) { return s.delete(id); }); }
  function purge(user) {
    /* logging out: everything of this user goes (pages of the user are dropped by the caller) */
    return all(user).then(function (items) {
      return tx("readwrite", function (s) { items.forEach(function (i) { s.delete(i.id); }); });
    });
  }
  function newKey() {
    var b = new Uint8Array(16);
    g.crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  function add(user, url, order, fields, key) {
    return put({ user: String(user), url: url, order: String(order), fields: fields, at: Date.now(),
      key: key || newKey(), status: "pending", tries: 0, last_try: null, http: null, sent_at: null });
  }

  function session() {
    return g.fetch("/api/v1/session/csrf", { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("login");
      return r.json();
    }, function () { throw new Error("offline"); });
  }

  function sendOne(item, csrf) {
    var fd = new FormData();
    item.fields.forEach(function (kv) { fd.append(kv[0], kv[1]); });
    fd.append("csrf_token", csrf);
    fd.append("request_key", item.key);
    return g.fetch(item.url, { method: "POST", body: fd, credentials: "same-origin",
      headers: { "Idempotency-Key": item.key } });
  }

  function withLock(fn) {
    /* one sender at a time across the pages and the service worker (the key makes a double send harmless,
     * the lock makes it rare) */
    var locks = g.navigator && g.navigator.locks;
    if (!locks) return fn();
    return locks.request(LOCK, { ifAvailable: true }, function (lock) { return lock ? fn() : "busy"; });
  }

  function prune(items) {
    var old = Date.now() - KEEP_SENT_MS;
    return Promise.all(items.filter(function (i) { return i.status === "sent" && i.sent_at < old; })
      .map(function (i) { return drop(i.id); }));
  }

  /* Send the session user's pending items.  Resolves to "sent" (queue empty or only refusals left),
   * "offline" (the network failed: try again later), "login" (no session), "busy" or "idle". */
  function drain() {
    return withLock(function () {
      return all().then(function (items) {
        return prune(items).then(function () {
          if (!items.some(function (i) { return i.status === "pending"; })) return "idle";
          return session().then(function (s) {
            var mine = items.filter(function (i) { return i.status === "pending" && String(i.user) === String(s.user_id); });
            return mine.reduce(function (chain, item) {
              return chain.then(function (state) {
                if (state !== "sent") return state;
                item.tries += 1; item.last_try = Date.now();
                return sendOne(item, s.csrf).then(function (r) {
                  if (r.redirected && new URL(r.url).pathname === "/login") return put(item).then(function () { return "login"; });
                  if (r.ok) {
                    item.status = "sent"; item.sent_at = Date.now(); item.fields = [];
                    return put(item).then(function () { return "sent"; });
                  }
                  if (RETRY[r.status]) return put(item).then(function () { return "offline"; });
                  /* refused for good (the order changed meanwhile, is no longer theirs, or the form is
                   * not accepted): keep it visible with its reason, never retry */
                  item.status = "failed"; item.http = r.status;
                  return put(item).then(function () { return "sent"; });
                }, function () {
                  return put(item).then(function () { return "offline"; });
                });
              });
            }, Promise.resolve("sent"));
          }, function (e) { return e.message === "offline" ? "offline" : "login"; });
        });
      });
    });
  }

  g.gwOutbox = { all: all, add: add, put: put, drop: drop, purge: purge, drain: drain, newKey: newKey };
})(self);
