// Starts the app only where it can work. Every binary is built with shared
// wasm memory, which a page may create only when it is cross-origin isolated.
// A host that cannot send the isolation headers gets them from our service
// worker (coi-sw.js) after one reload; where that is impossible too, the page
// explains what is missing instead of failing half-way.
const body = document.body;
const RELOADED = 'tvp-coi-reloaded';

function explain(detail) {
  const app = document.getElementById('app');
  if (app) app.hidden = true;
  document.getElementById('no-isolation').hidden = false;
  if (detail) document.getElementById('no-isolation-detail').textContent = detail;
  body.dataset.runState = 'error';
}

function failed(err) {
  const app = document.getElementById('app');
  const p = document.createElement('p');
  p.className = 'status error';
  p.setAttribute('role', 'alert');
  p.textContent = 'The playground could not start: ' + (err && err.message ? err.message : String(err));
  app.replaceChildren(p);
  body.dataset.runState = 'error';
}

function start() {
  // Trunk writes the app's hashed file names onto this script tag.
  const tag = document.querySelector('script[data-app-js]');
  import(tag.dataset.appJs)
    .then((m) => m.default({ module_or_path: tag.dataset.appWasm }))
    .catch(failed);
}

async function isolateWithServiceWorker() {
  // Reload at most once: if the worker did not help, explain rather than loop.
  if (sessionStorage.getItem(RELOADED)) {
    sessionStorage.removeItem(RELOADED);
    explain('A service worker was installed to add them, but the page is still not isolated (the browser may ignore it here).');
    return;
  }
  // A browser that blocks service workers may leave these promises pending
  // for ever: give up after a few seconds and explain.
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('the browser did not start it (service workers may be disabled)')), 5000),
  );
  try {
    const registration = await Promise.race([
      navigator.serviceWorker.register(new URL('coi-sw.js', document.baseURI)).then(async (r) => {
        await navigator.serviceWorker.ready;
        return r;
      }),
      timeout,
    ]);
    if (registration.active) {
      sessionStorage.setItem(RELOADED, '1');
      location.reload();
    }
  } catch (e) {
    explain('Adding them with a service worker failed too: ' + (e && e.message ? e.message : String(e)));
  }
}

// A new link pasted into this tab differs only after '#', which browsers
// treat as the same page: load it afresh so its results are read.
addEventListener('hashchange', () => location.reload());

if (self.crossOriginIsolated) {
  sessionStorage.removeItem(RELOADED);
  start();
} else if (!self.isSecureContext) {
  explain('This origin is not secure (plain http on a non-local address), which rules isolation out.');
} else if ('serviceWorker' in navigator) {
  isolateWithServiceWorker();
} else {
  explain('The page was reached over a secure origin, so the headers are what is missing, and this browser offers no service worker to add them.');
}
