/* gridwatch service worker: keeps the app shell and the officer's claimed orders for use without signal.
 * Pages: network first, the last copy when the network is gone.  Static files: cache first.
 * Nothing here sends data; queued verifications are sent by the page (app.js) when it is back online. */
"use strict";
var VERSION = "gw-v1";
var SHELL = VERSION + "-shell";
var PAGES = VERSION + "-pages";
var SHELL_URLS = ["/static/app.css", "/static/app.js"];
/* pages worth keeping for offline use (never the API, never exports) */
var PAGE_PATTERNS = [/^\/$/, /^\/mine$/, /^\/pool$/, /^\/notifications$/, /^\/orders\/\d+$/, /^\/orders\/\d+\/verify$/];

function keepable(url) {
  return url.origin === self.location.origin && PAGE_PATTERNS.some(function (re) { return re.test(url.pathname); });
}

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

function storePage(url, response) {
  /* only real pages of a logged-in user (a redirect to the login page is not kept) */
  if (!response.ok || response.redirected || response.type !== "basic") return Promise.resolve();
  var key = new URL(url); key.search = "";
  var copy = response.clone();
  return caches.open(PAGES).then(function (c) { return c.put(key.href, copy); });
}

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
  if (req.mode === "navigate" && keepable(url)) {
    event.respondWith(fetch(req).then(function (resp) {
      storePage(req.url, resp);
      return resp;
    }).catch(function () {
      return caches.match(url.origin + url.pathname, { cacheName: PAGES }).then(function (hit) {
        return hit || caches.match(url.origin + "/mine", { cacheName: PAGES }).then(function (mine) {
          return mine || new Response("<!doctype html><meta charset=utf-8><title>offline</title>" +
            "<p style='font:16px sans-serif;padding:1rem'>离线:此页面没有离线副本。Offline: this page has no offline copy.</p>",
            { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
        });
      });
    }));
  }
});

self.addEventListener("message", function (event) {
  var msg = event.data || {};
  if (msg.type === "precache" && Array.isArray(msg.urls)) {
    /* the officer's claimed orders: their pages and verification forms, fetched now while online */
    event.waitUntil(Promise.all(msg.urls.map(function (path) {
      var url = new URL(path, self.location.origin);
      if (!keepable(url)) return null;
      return fetch(url.href, { credentials: "same-origin" }).then(function (resp) { return storePage(url.href, resp); })
        .catch(function () {});
    })).then(function () {
      if (event.source) event.source.postMessage({ type: "precached", count: msg.urls.length });
    }));
  } else if (msg.type === "clear") {
    event.waitUntil(caches.delete(PAGES));
  }
});
