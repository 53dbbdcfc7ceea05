// Pawfile's service worker (a go-app ServiceWorkerTemplate).
//
// Unlike go-app's default it waits for precaching before it installs, so a
// worker that is active has everything the app needs offline, and it answers
// every navigation (a reload of /clients/42 with no signal) with the cached
// app shell: the app routes in the browser.
const cacheName = "app-" + "{{.Version}}";
const resourcesToCache = {{.ResourcesToCache}};

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName);
    await cache.addAll(resourcesToCache);
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key !== cacheName) {
        await caches.delete(key);
      }
    }
    await self.clients.claim();
  })());
});

// Requests that must always reach the server: sync, the account API, health.
function live(url) {
  return url.pathname.startsWith("/api/") || url.pathname === "/sync" ||
    url.pathname === "/healthz" || url.pathname.startsWith("/admin/");
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || live(url)) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith((async () => {
      const shell = await caches.match("/", { cacheName });
      return shell || fetch(request);
    })());
    return;
  }
  event.respondWith((async () => {
    const cached = await caches.match(request, { cacheName, ignoreSearch: true });
    return cached || fetch(request);
  })());
});
