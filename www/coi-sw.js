// The page's service worker, for two things.
// - Cross-origin isolation for hosts that cannot send headers: every
//   same-origin response is re-issued with COOP and COEP added, so the page
//   gets SharedArrayBuffer. boot.js registers it and reloads once.
// - Offline (release builds): scripts/precache.sh writes the build's files
//   and version below; they are cached when the worker installs and served
//   cache-first, so after one visit the page opens and runs with the network
//   off. A new build installs beside the old one and waits: the page says
//   a new version is ready, and the reader's Reload hands over, never a mix
//   of two versions in one page.
const BUILD = null;
const CACHE = BUILD && `tvp-${BUILD.id}`;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    if (BUILD) {
      const cache = await caches.open(CACHE);
      await cache.addAll(BUILD.files.map((f) => new Request(new URL(f, self.registration.scope), { cache: 'reload' })));
    }
    // The first version takes the page at once (isolation needs it, and
    // there is nothing to mix with); a later one waits for the reader.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('tvp-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'tvp:update') self.skipWaiting();
});

// Where the page itself is asked for (any query, any fragment), the
// cached index.html answers; any other page of the site goes to the network.
function cachedKey(request) {
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  if (request.mode === 'navigate') {
    return url.pathname === scope.pathname || url.pathname === `${scope.pathname}index.html`
      ? new URL('index.html', scope).href
      : null;
  }
  return url.href;
}

async function answer(request) {
  if (CACHE && request.method === 'GET') {
    const key = cachedKey(request);
    const hit = key && (await (await caches.open(CACHE)).match(key));
    if (hit) return hit;
  }
  // A request that fails (the network is off, or the page that made it
  // went away and Firefox aborted it) fails as a plain network error, as
  // it would with no service worker, not as a broken interception, which
  // Firefox reports to the page as an error of its own.
  return fetch(request).catch(() => Response.error());
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  // Chrome rejects this combination outside same-origin mode; leave it be.
  if (request.cache === 'only-if-cached' && request.mode !== 'same-origin') return;
  if (new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    answer(request).then((response) => {
      if (response.status === 0) return response;
      const headers = new Headers(response.headers);
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
      headers.set('Cross-Origin-Resource-Policy', 'same-origin');
      return new Response(response.body, {
        status: response.status,
        statusText: response.statusText,
        headers,
      });
    }),
  );
});
