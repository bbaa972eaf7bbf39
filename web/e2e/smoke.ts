import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request, type APIRequestContext } from 'playwright-core';
import { Api } from './api';
import { until, type CrossBrowser } from './cross';
import { e2eEnv, type E2EEnv } from './env';

interface Created {
  id: number;
}

const categories = [
  { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' },
  { class_id: 2, name: 'Lymphocyte', color: '#1f77b4', shortcut: '2' },
];

/**
 * smokeSuite is the cross-browser check of issue 6: in another engine than
 * Chromium, at 1366x768, sign in, open the slide list and a slide, see its
 * tiles drawn, place points of two categories, reload and find them saved.
 * The set-up (project, categories, slide) goes through the API, outside the
 * browser under test.
 */
export function smokeSuite(open: (env: E2EEnv) => Promise<CrossBrowser>, engine: string): void {
  const env = e2eEnv();
  describe(`${engine}: sign in, open a slide, mark it, reload`, () => {
    let b: CrossBrowser;
    let rc: APIRequestContext;
    let api: Api;
    let projectId = 0;
    let slideId = 0;
    const run = Date.now().toString(36);
    const slideName = `${engine} smoke ${run}`;
    const categoryIds: number[] = [];

    before(async () => {
      rc = await request.newContext();
      api = new Api(rc, env.url);
      await api.login('admin', env.adminPassword);
      projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e ${engine} ${run}`, description: 'cross-browser smoke test' })).id;
      for (const c of categories) categoryIds.push((await api.post<Created>(`/api/v1/projects/${projectId}/categories`, c)).id);
      slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: slideName, stain: 'H&E' });
      b = await open(env);
      // Seen in the test log: which build of the engine this ran on.
      process.stdout.write(`# ${engine}: ${b.version}\n`);
    });

    after(async () => {
      await b?.close();
      await rc?.dispose();
    });

    it('signs in on the login page and shows the projects', async () => {
      await b.goto(`${env.url}/`);
      await until(b, 'the login page', () => location.pathname === '/login' && document.querySelector('h1')?.textContent === 'Sign in to Patholabel', []);
      await b.screenshot('login');
      await b.type('#login-username', 'admin');
      await b.type('#login-password', env.adminPassword);
      await b.click('form.login-form button[type=submit]');
      await until(b, 'the project picker', () => document.querySelector('h1')?.textContent === 'Projects' && document.querySelector('.card-list, .empty-state') !== null, []);
      assert.equal(await b.evaluate(() => document.querySelectorAll('[role=alert]').length), 0);
      await b.screenshot('projects');
    });

    it('lists the slide in its project and opens it', async () => {
      await b.goto(`${env.url}/projects/${projectId}`);
      const href = `/projects/${projectId}/slides/${slideId}`;
      await until(b, 'the slide in the list', (h) => document.querySelector(`a[href="${h}"]`)?.textContent ?? false, [href] as const);
      await b.screenshot('slides');
      await b.click(`a[href="${href}"]`);
      const title = await until(b, 'the viewer', () => document.querySelector('.viewer-page[data-ready]') !== null && document.querySelector('h1.viewer-title')?.textContent, []);
      assert.equal(title, slideName);
    });

    it('draws the slide from its tiles', async () => {
      // Drawn pixels of the slide on OpenSeadragon's canvas, inside the image's box: not blank, not one colour.
      const drawn = await until(
        b,
        'tiles on the canvas',
        () => {
          const overlay = document.querySelector<HTMLElement>('.mark-overlay');
          const canvas = [...document.querySelectorAll<HTMLCanvasElement>('.viewer-stage .openseadragon-canvas canvas')].find((c) => c.closest('.navigator') === null);
          const box = overlay?.dataset['imageBox']?.split(',').map(Number);
          const ctx = canvas?.getContext('2d');
          if (!canvas || !ctx || !box || box.length !== 4) return false;
          const [x0, y0, x1, y1] = box as [number, number, number, number];
          const dpr = canvas.width / canvas.clientWidth;
          const colours = new Set<string>();
          let opaque = 0;
          for (let i = 1; i < 16; i++) {
            for (let j = 1; j < 16; j++) {
              const x = Math.round((x0 + ((x1 - x0) * i) / 16) * dpr);
              const y = Math.round((y0 + ((y1 - y0) * j) / 16) * dpr);
              const [r, g, bl, a] = ctx.getImageData(x, y, 1, 1).data;
              if (a === 255) opaque++;
              colours.add(`${r},${g},${bl}`);
            }
          }
          return opaque === 225 && colours.size > 20 ? { colours: colours.size } : false;
        },
        [],
        30_000,
      );
      assert.ok(drawn.colours > 20);
      // Tile images of this slide: /tiles/<id>_files/<level>/<col>_<row>.<ext>.
      const tiles = (await b.responses()).filter((r) => r.url.includes(`/tiles/${slideId}_files/`));
      assert.ok(tiles.length > 0, 'no tile was requested');
      const known = tiles.filter((t) => t.status !== 0);
      assert.deepEqual(known.filter((t) => t.status !== 200), [], 'a tile request failed');
      // WebKit's Resource Timing has no responseStatus (0 there); Firefox's network events have every status.
      if (b.name === 'firefox') assert.equal(known.length, tiles.length);
      const again = await b.evaluate(async (u) => {
        const r = await fetch(u);
        return { status: r.status, type: r.headers.get('Content-Type') ?? '', bytes: (await r.arrayBuffer()).byteLength };
      }, tiles[0]!.url);
      assert.equal(again.status, 200);
      assert.match(again.type, /^image\//);
      assert.ok(again.bytes > 0);
    });

    it('fits a 1366x768 window: no sideways scrolling, the tools and palette in view', async () => {
      const layout = await b.evaluate(() => {
        const inView = (sel: string): boolean => {
          const r = document.querySelector(sel)?.getBoundingClientRect();
          return r !== undefined && r.width > 0 && r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.top < innerHeight;
        };
        return {
          width: innerWidth,
          scrollsSideways: document.documentElement.scrollWidth > innerWidth,
          tools: inView('.tool-grid'),
          palette: inView('.palette'),
          save: inView('[data-testid=save-status]'),
          stage: inView('.viewer-stage'),
        };
      });
      assert.ok(layout.width >= 1200 && layout.width <= 1366, `viewport width ${layout.width}`);
      assert.deepEqual(layout, { ...layout, scrollsSideways: false, tools: true, palette: true, save: true, stage: true });
    });

    it('places points of two categories with the shortcuts, saved by itself', async () => {
      await b.press('p');
      await until(b, 'the point tool', () => document.querySelector('.tool-grid button.tool[aria-pressed=true]')?.textContent?.startsWith('Point marker') ?? false, []);
      const at = await aim(b);
      await b.press('1');
      await b.clickAt(...at(0.4, 0.4));
      await b.clickAt(...at(0.45, 0.6));
      await b.press('2');
      await b.clickAt(...at(0.6, 0.5));
      await until(b, '3 marks', () => document.querySelector('.viewer-stats')?.textContent?.startsWith('3 marks') ?? false, []);
      assert.deepEqual(await counts(b), { 'Tumour cell': '2', Lymphocyte: '1' });
      await until(b, 'the marks to be saved', () => document.querySelector('[data-testid=save-status][data-state=saved]') !== null, [], 20_000);
      await b.screenshot('viewer-points');
      const fc = await api.get<{ features: { properties: { category_id: number } }[] }>(`/api/v1/annotations?slide_id=${slideId}&bbox=0,0,100000,100000`);
      const per = categoryIds.map((id) => fc.features.filter((f) => f.properties.category_id === id).length);
      assert.deepEqual(per, [2, 1]);
    });

    it('shows the saved points after a reload', async () => {
      await b.reload();
      await until(b, '3 marks after the reload', () => document.querySelector('.viewer-page[data-ready]') !== null && (document.querySelector('.viewer-stats')?.textContent?.startsWith('3 marks') ?? false), [], 30_000);
      assert.deepEqual(await counts(b), { 'Tumour cell': '2', Lymphocyte: '1' });
      await aim(b);
      await b.screenshot('viewer-reloaded');
    });

    it('shows the focus outline on a control reached with Tab', async () => {
      await b.evaluate(() => document.querySelector<HTMLElement>('.tool-grid button.tool')?.focus());
      await b.press('Tab');
      const focused = await b.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        const cs = el === null ? null : getComputedStyle(el);
        return {
          name: el?.textContent ?? '',
          focusVisible: el?.matches(':focus-visible') ?? false,
          outline: cs === null ? '' : `${cs.outlineStyle} ${parseFloat(cs.outlineWidth) >= 2 ? 'wide' : 'thin'}`,
        };
      });
      assert.deepEqual(focused, { name: 'Point markerP', focusVisible: true, outline: 'solid wide' });
      await b.screenshot('viewer-focus');
    });

    it('loaded nothing from outside and threw no errors', () => {
      assert.deepEqual(b.outside(), []);
      assert.deepEqual(b.pageErrors(), []);
    });
  });
}

/** counts reads the palette's live counts by category name. */
function counts(b: CrossBrowser): Promise<Record<string, string>> {
  return b.evaluate(() => {
    const out: Record<string, string> = {};
    for (const el of document.querySelectorAll<HTMLElement>('.palette .count')) out[(el.getAttribute('aria-label') ?? '').replace(/ marks$/, '')] = el.textContent ?? '';
    return out;
  });
}

/** aim waits for the slide to be drawn and answers a map from fractions of the slide to viewport coordinates. */
async function aim(b: CrossBrowser): Promise<(u: number, v: number) => [number, number]> {
  const [ox, oy, x0, y0, x1, y1] = await until(
    b,
    'the slide to be placed',
    () => {
      const el = document.querySelector<HTMLElement>('.mark-overlay');
      const box = el?.dataset['imageBox'];
      if (!el || !box || document.querySelector('.viewer-page[data-ready]') === null) return false;
      const r = el.getBoundingClientRect();
      return [r.left, r.top, ...box.split(',').map(Number)];
    },
    [],
  );
  assert.ok([ox, oy, x0, y0, x1, y1].every((n) => Number.isFinite(n)));
  return (u, v) => [ox! + x0! + (x1! - x0!) * u, oy! + y0! + (y1! - y0!) * v];
}
