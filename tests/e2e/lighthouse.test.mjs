// Lighthouse 12.2.3 (package.json) on the release page in Debian's
// Chromium, served with gzip and the isolation headers as a host would:
// accessibility, best practices and SEO at 100, with the failing audits
// named. Performance depends on this machine's load and is printed by the
// benchmark (bench/lighthouse.mjs), never asserted here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve } from './harness.mjs';
import { audit } from '../../bench/lighthouse.mjs';

let server;
before(async () => {
  server = await serve({ gzip: true });
});
after(async () => {
  await server?.close();
});

for (const [name, query] of [['a lesson', '?w=cpu'], ['the class view', '?class=1']]) {
  test(`lighthouse on ${name}: accessibility, best practices and SEO 100`, async () => {
    const result = await audit(`${server.url}/${query}`, 'desktop');
    assert.equal(result.version, '12.2.3');
    for (const category of ['accessibility', 'best-practices', 'seo']) {
      assert.equal(result.scores[category], 100, `${category}: failing ${result.failing[category].join(', ')}`);
    }
  });
}

test('a shared link previews: description, Open Graph and Twitter card tags, the image served', async () => {
  const html = await (await fetch(`${server.url}/?w=cpu`)).text();
  // Release builds minify index.html: attributes come in any order, quoted
  // or not.
  const metas = [...html.matchAll(/<meta\s([^>]*)>/g)].map(([, attrs]) => Object.fromEntries(
    [...attrs.matchAll(/([\w:-]+)=(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)].map(([, k, a, b, c]) => [k, a ?? b ?? c])));
  const meta = (attr, name) => metas.find((m) => m[attr] === name)?.content;
  assert.ok(meta('name', 'description')?.length > 50);
  for (const tag of ['og:title', 'og:description', 'og:image', 'og:image:alt']) assert.ok(meta('property', tag), tag);
  for (const tag of ['twitter:card', 'twitter:title', 'twitter:image', 'twitter:image:alt']) assert.ok(meta('name', tag), tag);
  const image = await fetch(new URL(meta('property', 'og:image'), `${server.url}/`));
  assert.equal(image.status, 200);
  const bytes = Buffer.from(await image.arrayBuffer());
  // PNG: its width and height at bytes 16..24 match the tags.
  assert.equal(bytes.readUInt32BE(16), Number(meta('property', 'og:image:width')));
  assert.equal(bytes.readUInt32BE(20), Number(meta('property', 'og:image:height')));
  const manifest = await (await fetch(`${server.url}/manifest.webmanifest`)).json();
  for (const icon of manifest.icons) {
    const r = await fetch(new URL(icon.src, `${server.url}/`));
    assert.equal(r.status, 200, icon.src);
    const png = Buffer.from(await r.arrayBuffer());
    assert.equal(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.sizes, icon.src);
  }
});
