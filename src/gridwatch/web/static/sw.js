/* gridwatch service worker: keeps the app shell, the officer's claimed orders and the offline base map for
 * use without signal, and sends queued verifications in the background (Background Sync) when supported.
 * Pages and map data: network first, the last copy when the network is gone.  Static files: cache first.
 * Nothing marked `Cache-Control: no-store` (responses made for roles that see unmasked personal data) is
 * ever kept.  The user's copies are dropped at logout (by the page) and whenever the session is gone. */
"use strict";
importScripts("/static/outbox.js");
var VERSION = "gw-v3";
var SHELL = VERSION + "-shell";
var PAGES = VERSION + "-pages"; /* the user's pages and map data: emptied at logout */
var SHELL_URLS = ["/static/app.css", "/static/app.js", "/static/outbox.js", "/static/offline.js"];
/* pages and data worth keeping for offline use (never other API answers, never exports or photos) */
var PAGE_PATTERNS = [/^\/$/, /^\/mine$/, /^\/pool$/, /^\/notifications$/, /^\/map$/, /^\/orders\/\d+$/,
  /^\/orders\/\d+\/verify$/];
var DATA_PATTERNS = [/^\/api\/v1\/map$/, /^\/api\/v1\/basemap$/];

function matches(patterns, url) {
  return url.origin === self.location.origin && patterns.some(function (re) { return re.test(url.pathname); });
}
function keepable(url) { return matches(PAGE_PATTERNS, url) || matches(DATA_PATTERNS, url); }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (c) { return c.addAll(SHELL_URLS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf(VERSION) !== 0; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function toLogin(response) {
  return response.redirected && new URL(response.url).pathname === "/login";
}

function storePage(url, response) {
  /* only real pages of a logged-in user; a redirect to the login page means the session is gone: the
   * user's copies go with it */
  if (toLogin(response)) return caches.delete(PAGES);
  if (!response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  if ((response.headers.get("Cache-Control") || "").indexOf("no-store") >= 0) return Promise.resolve();
  var key = new URL(url); key.search = "";
  var copy = response.clone();
  return caches.open(PAGES).then(function (c) { return c.put(key.href, copy); });
}

var OFFLINE_PAGE = "<!doctype html><meta charset=utf-8><title>offline</title>" +
  "<p style='font:16px sans-serif;padding:1rem'>离线:此页面没有离线副本。Offline: this page has no offline copy.</p>";

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (resp) {
        if (resp.ok) { var copy = resp.clone(); caches.open(SHELL).then(function (c) { c.put(req, copy); }); }
        return resp;
      });
    }));
    return;
  }
  var page = req.mode === "navigate" && matches(PAGE_PATTERNS, url);
  if (!page && !matches(DATA_PATTERNS, url)) return;
  event.respondWith(fetch(req).then(function (resp) {
    event.waitUntil(storePage(req.url, resp));
    return resp;
  }).catch(function () {
    return caches.match(url.origin + url.pathname, { cacheName: PAGES }).then(function (hit) {
      if (hit || !page) return hit || Response.error();
      return caches.match(url.origin + "/mine", { cacheName: PAGES }).then(function (mine) {
        return mine || new Response(OFFLINE_PAGE, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    });
  }));
});

function tellPages(msg) {
  return self.clients.matchAll({ type: "window" }).then(function (list) {
    list.forEach(function (c) { c.postMessage(msg); });
  });
}

/* Background Sync: the browser wakes the worker when the network is back, even with no page open */
self.addEventListener("sync", function (event) {
  if (event.tag !== "gw-outbox") return;
  event.waitUntil(self.gwOutbox.drain().then(function (state) {
    return tellPages({ type: "outbox" }).then(function () {
      if (state === "offline") throw new Error("still offline: the browser retries this sync later");
    });
  }));
});

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  if (msg.type === "precache" && Array.isArray(msg.urls)) {
    /* the officer's claimed orders (pages and verification forms) and the map, fetched now while online */
    event.waitUntil(Promise.all(msg.urls.map(function (path) {
      var url = new URL(path, self.location.origin);
      if (!keepable(url)) return null;
      return fetch(url.href, { credentials: "same-origin" }).then(function (resp) { return storePage(url.href, resp); })
        .catch(function () {});
    })).then(function () {
      if (event.source) event.source.postMessage({ type: "precached", count: msg.urls.length });
    }));
  } else if (msg.type === "drain") {
    event.waitUntil(self.gwOutbox.drain().then(function () { return tellPages({ type: "outbox" }); }));
  } else if (msg.type === "clear") {
    event.waitUntil(caches.delete(PAGES).then(function () {
      if (event.source) event.source.postMessage({ type: "cleared" });
    }));
  }
});
