import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

const env = e2eEnv();
// axe-core from node_modules, evaluated in the page: nothing is fetched, and the app's
// Content-Security-Policy (scripts from 'self' only) stays on.
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Created {
  id: number;
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

const categories = [
  { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' },
  { class_id: 2, name: 'Lymphocyte', color: '#1f77b4', shortcut: '2' },
  { class_id: 3, name: 'Stroma', color: '#3cb44b', shortcut: '3' },
];

describe('accessibility of the key screens (axe-core, keyboard focus, labelled colours)', () => {
  let b: Browser;
  let api: Api;
  let projectId = 0;
  let slideId = 0;
  const run = Date.now().toString(36);
  const slideName = `a11y ${run}`;
  const catIds: number[] = [];

  before(async () => {
    b = await openBrowser(env);
    api = new Api(b.context.request, env.url);
    await api.login('admin', env.adminPassword);
    projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e a11y ${run}`, description: 'accessibility checks' })).id;
    await api.post(`/api/v1/projects/${projectId}/members`, { username: 'admin', role: 'manager' });
    const ids = catIds;
    for (const c of categories) ids.push((await api.post<Created>(`/api/v1/projects/${projectId}/categories`, c)).id);
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: slideName, stain: 'H&E', case_id: `case-${run}` });
    const point = (x: number, y: number, cat: number | undefined): unknown => ({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [x, y] },
      properties: { category_id: cat, radius: 8 },
    });
    await api.post('/api/v1/annotations', { slide_id: slideId, features: [point(300, 300, ids[0]), point(500, 400, ids[1]), point(700, 500, ids[2])] });
  });

  after(async () => {
    await b?.close();
  });

  it('login page', async () => {
    const page = await b.context.newPage();
    try {
      await page.context().clearCookies();
      await page.goto(`${env.url}/login`);
      await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
      await audit(page, 'login');
    } finally {
      await page.close();
      await api.login('admin', env.adminPassword);
    }
  });

  it('project picker', async () => {
    await b.page.goto(`${env.url}/`);
    await b.page.getByRole('heading', { name: 'Projects' }).waitFor();
    await b.page.locator('.card-list, .empty-state').first().waitFor();
    await audit(b.page, 'projects');
  });

  it('slide list', async () => {
    await b.page.goto(`${env.url}/projects/${projectId}`);
    await b.page.getByRole('link', { name: slideName }).waitFor();
    await audit(b.page, 'slides');
  });

  it('viewer with marks, and its shortcut help', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    await page.locator('.viewer-page[data-ready]').waitFor();
    await page.locator('.viewer-stats', { hasText: '3 marks' }).waitFor();
    await audit(page, 'viewer');
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await audit(page, 'viewer-help');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Review mode' }).click();
    await page.getByTestId('review-info').waitFor();
    await audit(page, 'viewer-review');
  });

  it('project settings: categories and members', async () => {
    await b.page.goto(`${env.url}/projects/${projectId}/settings`);
    await b.page.getByRole('table', { name: 'Categories' }).waitFor();
    await audit(b.page, 'settings');
  });

  it('administration', async () => {
    await b.page.goto(`${env.url}/admin`);
    await b.page.getByRole('heading', { name: 'Administration' }).waitFor();
    await b.page.getByRole('table', { name: 'Users' }).waitFor();
    await b.page.getByRole('table', { name: 'Audit log' }).waitFor();
    await audit(b.page, 'admin');
  });

  it('access tokens', async () => {
    await b.page.goto(`${env.url}/tokens`);
    await b.page.getByRole('heading', { name: 'Access tokens' }).waitFor();
    await audit(b.page, 'tokens');
  });

  it('exports', async () => {
    await b.page.goto(`${env.url}/projects/${projectId}/exports`);
    await b.page.getByRole('heading', { name: 'Exports', exact: true }).waitFor();
    await b.page.getByRole('button', { name: 'Create export' }).waitFor();
    await audit(b.page, 'exports');
  });

  it('model agreement, two versions side by side, a slide opened', async () => {
    for (const version of ['v1', 'v2']) {
      const features = [[300, 300], [520, 400]].map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: { radius: 8, scores: { [String(catIds[0])]: 0.7 } } }));
      await api.post('/api/v1/annotations/suggestions', { slide_id: slideId, model: { name: 'a11y', version }, features });
    }
    await b.page.goto(`${env.url}/projects/${projectId}/agreement?model=a11y%40v1&compare=a11y%40v2`);
    await b.page.locator('section.agreement-model[data-model="a11y@v2"] table').first().waitFor();
    await b.page.locator('section.agreement-model[data-model="a11y@v1"] table').first().waitFor();
    await b.page.locator('details.agreement-slide summary').first().click();
    await audit(b.page, 'agreement');
  });

  it('shows a focus outline on every control reached with Tab (login, slide list, viewer)', async () => {
    const { page } = b;
    const login = await b.context.newPage();
    try {
      await login.context().clearCookies();
      await login.goto(`${env.url}/login`);
      await login.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
      // The pixels change when the Sign in button gets the keyboard focus, not only its computed style.
      const button = login.getByRole('button', { name: 'Sign in' });
      const box = await button.boundingBox();
      assert.ok(box);
      const clip = { x: box.x - 8, y: box.y - 8, width: box.width + 16, height: box.height + 16 };
      const before = await login.screenshot({ clip });
      await login.getByLabel('Password').focus();
      await login.keyboard.press('Tab');
      assert.equal(await login.evaluate(() => document.activeElement?.textContent), 'Sign in');
      const after = await login.screenshot({ clip });
      assert.notDeepEqual(after, before, 'focusing Sign in with Tab changed no pixel');
      await assertFocusRings(login, 'login');
    } finally {
      await login.close();
      await api.login('admin', env.adminPassword);
    }
    await page.goto(`${env.url}/projects/${projectId}`);
    await page.getByRole('link', { name: slideName }).waitFor();
    await assertFocusRings(page, 'slides');
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    await page.locator('.viewer-page[data-ready]').waitFor();
    const reached = await assertFocusRings(page, 'viewer');
    for (const want of ['Point marker', 'Tumour cell', 'Undo (Ctrl+Z)', 'Show Lymphocyte', 'Marker size', 'Slide:', 'Review mode']) {
      assert.ok(reached.some((n) => n.startsWith(want)), `Tab never reached ${want}: ${reached.join(' | ')}`);
    }
    assert.deepEqual(reached.filter((n) => n === ''), [], `a control without a name: ${reached.join(' | ')}`);
    await screenshot(page, 'viewer-focus');
  });

  it('names every category colour with a label, in the palette and the category list', async () => {
    const { page } = b;
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    await page.locator('.viewer-page[data-ready]').waitFor();
    const palette = await swatchLabels(page, '.palette .palette-row');
    assert.deepEqual(palette, categories.map((c) => ({ colour: hexToRgb(c.color), label: c.name, hidden: true })));
    for (const c of categories) {
      // The radio that picks the category is named by the category, the colour is decoration.
      await page.getByRole('radio', { name: new RegExp(`^${c.name}`) }).waitFor();
      assert.equal(await page.getByLabel(`${c.name} marks`).textContent(), '1');
    }
    await page.goto(`${env.url}/projects/${projectId}/settings`);
    await page.getByRole('table', { name: 'Categories' }).waitFor();
    assert.deepEqual(await swatchLabels(page, 'table[aria-label=Categories] tbody tr'), categories.map((c) => ({ colour: hexToRgb(c.color), label: c.name, hidden: true })));
  });

  it('viewer with a refused change, its dialog, and the sign-in-again dialog', async () => {
    const { page } = b;
    const stroma = (await api.get<{ id: number; name: string }[]>(`/api/v1/projects/${projectId}/categories`)).find((c) => c.name === 'Stroma');
    assert.ok(stroma);
    await api.patch(`/api/v1/projects/${projectId}/categories/${stroma.id}`, { archived: true });
    await page.goto(`${env.url}/projects/${projectId}/slides/${slideId}`);
    await page.locator('.viewer-page[data-ready]').waitFor();
    // The page was open before the archive: it still offers Stroma, the server refuses it.
    await api.patch(`/api/v1/projects/${projectId}/categories/${stroma.id}`, { archived: false });
    await page.reload();
    await page.locator('.viewer-page[data-ready]').waitFor();
    await api.patch(`/api/v1/projects/${projectId}/categories/${stroma.id}`, { archived: true });
    const stage = await page.locator('.mark-overlay').boundingBox();
    assert.ok(stage);
    await page.keyboard.press('p');
    await page.keyboard.press('3');
    await page.mouse.click(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await page.locator('[data-testid=save-status][data-state=refused]').waitFor({ timeout: 20_000 });
    await audit(page, 'viewer-refused');
    await page.getByRole('button', { name: 'Fix or discard' }).click();
    const dialog = page.getByRole('dialog', { name: 'Changes the server refused' });
    await dialog.waitFor();
    await audit(page, 'viewer-refused-dialog');
    await dialog.getByRole('button', { name: 'Discard' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await api.patch(`/api/v1/projects/${projectId}/categories/${stroma.id}`, { archived: false });
    await api.logout();
    await page.keyboard.press('1');
    await page.mouse.click(stage.x + stage.width / 2 + 20, stage.y + stage.height / 2);
    const reauth = page.getByRole('dialog', { name: 'Your session has ended' });
    await reauth.waitFor({ timeout: 20_000 });
    await audit(page, 'viewer-reauth');
    await reauth.getByLabel('Password').fill(env.adminPassword);
    await reauth.getByRole('button', { name: 'Sign in' }).click();
    await reauth.waitFor({ state: 'hidden' });
    await page.locator('[data-testid=save-status][data-state=saved]').waitFor({ timeout: 20_000 });
    await api.login('admin', env.adminPassword);
  });

  it('side by side, a workspace in each half', async () => {
    const other = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: `ihc ${run}`, stain: 'IHC', case_id: `case-${run}` });
    await b.page.goto(`${env.url}/projects/${projectId}/pair/${slideId}/${other}`);
    await b.page.locator('.pair-page[data-ready]').waitFor({ timeout: 20_000 });
    await audit(b.page, 'pair');
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});

/** audit runs axe-core on the page as it is and fails on serious and critical violations. */
async function audit(page: Page, screen: string): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: Violation[] }> } }).axe;
    const res = await axe.run(document, { resultTypes: ['violations'] });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
  for (const v of violations) process.stdout.write(`# axe ${screen}: ${v.impact ?? '?'} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}\n`);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.impact ?? ''} ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('; ')}`),
    [],
    `axe found serious or critical problems on the ${screen} screen`,
  );
}

/**
 * assertFocusRings tabs through the page from its start until focus comes
 * back round. Every element reached must match :focus-visible, have an
 * outline (or box shadow) in its computed style, and look different focused
 * than blurred: the pixels around it are compared, so an outline that is
 * clipped away or drawn in the background colour fails too. Answers the
 * names reached, in order.
 */
async function assertFocusRings(page: Page, screen: string): Promise<string[]> {
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.getSelection()?.removeAllRanges();
  });
  const viewport = page.viewportSize() ?? { width: 1366, height: 768 };
  const names: string[] = [];
  const seen = new Set<string>();
  const missing: string[] = [];
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (el === null || el === document.body) return null;
      if (!el.dataset['e2eFocus']) el.dataset['e2eFocus'] = String(Math.random()).slice(2);
      const cs = getComputedStyle(el);
      const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
      const name = el.getAttribute('aria-label') ?? label ?? el.getAttribute('title') ?? (el.textContent ?? '').trim().slice(0, 40);
      const transparent = /rgba\(.*,\s*0\)$|transparent/.test(cs.outlineColor);
      const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 && !transparent) || (cs.boxShadow !== 'none' && cs.boxShadow !== '');
      const r = el.getBoundingClientRect();
      return { key: el.dataset['e2eFocus'], name, tag: el.tagName.toLowerCase(), ring, focusVisible: el.matches(':focus-visible'), box: { x: r.x, y: r.y, w: r.width, h: r.height } };
    });
    if (f === null) continue;
    if (seen.has(f.key ?? '')) break;
    seen.add(f.key ?? '');
    names.push(f.name);
    const what = `${f.tag} "${f.name}"`;
    if (!f.ring || !f.focusVisible) {
      missing.push(`${what}: no focus outline style`);
      continue;
    }
    const x = Math.max(0, Math.floor(f.box.x - 6));
    const y = Math.max(0, Math.floor(f.box.y - 6));
    const clip = { x, y, width: Math.min(viewport.width, Math.ceil(f.box.x + f.box.w + 6)) - x, height: Math.min(viewport.height, Math.ceil(f.box.y + f.box.h + 6)) - y };
    if (clip.width <= 0 || clip.height <= 0) {
      missing.push(`${what}: focused but outside the window`);
      continue;
    }
    const focused = await page.screenshot({ clip });
    const sel = `[data-e2e-focus="${f.key ?? ''}"]`;
    await page.evaluate((s) => document.querySelector<HTMLElement>(s)?.blur(), sel);
    const blurred = await page.screenshot({ clip });
    await page.evaluate((s) => document.querySelector<HTMLElement>(s)?.focus({ preventScroll: true }), sel);
    if (focused.equals(blurred)) missing.push(`${what}: focusing it changes no pixel`);
  }
  assert.ok(names.length >= 3, `Tab reached only ${names.length} elements on the ${screen} screen`);
  assert.deepEqual(missing, [], `no visible focus outline on the ${screen} screen`);
  return names;
}

/** swatchLabels reads each row's colour swatch and the visible name beside it. */
function swatchLabels(page: Page, rows: string): Promise<{ colour: string; label: string; hidden: boolean }[]> {
  return page.evaluate((sel) => {
    return [...document.querySelectorAll<HTMLElement>(sel)].map((row) => {
      const swatch = row.querySelector<HTMLElement>('.swatch');
      const text = row.querySelector<HTMLElement>('.name') ?? swatch?.parentElement ?? row;
      const r = text.getBoundingClientRect();
      const shown = r.width > 0 && r.height > 0 && getComputedStyle(text).visibility === 'visible';
      return {
        colour: swatch === null ? '' : getComputedStyle(swatch).backgroundColor,
        label: shown ? (text.textContent ?? '').replace(/\s+/g, ' ').trim() : '',
        hidden: swatch?.getAttribute('aria-hidden') === 'true',
      };
    });
  }, rows);
}

function hexToRgb(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
