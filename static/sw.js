/* Service worker for the gate staff screen, served at /sw.js and registered only by scan.js.
 *
 * It keeps the scan page, its script, styles, QR decoder and the compact recall list, so that a
 * model can still be looked up on the recall list without a connection. Only those files are
 * touched: result pages, the API and everything else always go to the network.
 *
 * Network first (so staff see today's data), falling back to the saved copy when the network
 * fails or takes longer than NETWORK_TIMEOUT_MS on a slow connection.
 */
"use strict";

var CACHE = "gate-scan-v2";
var NETWORK_TIMEOUT_MS = 4000;
var FILES = [
  "scan",
  "scan/recalls.json",
  "static/identify.js",
  "static/combobox.js",
  "static/scan.js",
  "static/staff.css",
  "static/style.css",
  "static/vendor/jsQR.js"
];

function scopedUrl(path) {
  return new URL(path, self.registration.scope).href;
}

var SAVED = FILES.map(scopedUrl);

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SAVED); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name !== CACHE; })
          .map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function savedKey(request) {
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return null; }
  var key = url.origin + url.pathname;
  return SAVED.indexOf(key) >= 0 ? key : null;
}

self.addEventListener("fetch", function (event) {
  if (event.request.method !== "GET") { return; }
  var key = savedKey(event.request);
  if (!key) { return; }
  event.respondWith(caches.open(CACHE).then(function (cache) {
    var network = fetch(event.request).then(function (response) {
      if (response.ok) { cache.put(key, response.clone()); }
      return response;
    });
    var slow = new Promise(function (resolve) {
      setTimeout(resolve, NETWORK_TIMEOUT_MS);
    }).then(function () { return cache.match(key); });
    var fallback = function () {
      return cache.match(key).then(function (saved) { return saved || Response.error(); });
    };
    return Promise.race([network.catch(fallback), slow.then(function (saved) {
      return saved || network.catch(fallback);
    })]);
  }));
});
