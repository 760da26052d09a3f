// Starts the app only where it can work. Every binary is built with shared
// wasm memory, which a page may create only when it is cross-origin isolated;
// without that, explain what is missing instead of failing half-way.
const body = document.body;

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

// A new link pasted into this tab differs only after '#', which browsers
// treat as the same page: load it afresh so its results are read.
addEventListener('hashchange', () => location.reload());

if (!self.crossOriginIsolated) {
  explain(self.isSecureContext
    ? 'The page was reached over a secure origin, so the headers are what is missing.'
    : 'This origin is not secure (plain http on a non-local address), which also rules isolation out.');
} else {
  // Trunk writes the app's hashed file names onto this script tag.
  const tag = document.querySelector('script[data-app-js]');
  import(tag.dataset.appJs)
    .then((m) => m.default({ module_or_path: tag.dataset.appWasm }))
    .catch(failed);
}
