import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { request, type APIRequestContext } from 'playwright-core';
import { Api } from './api';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';
import { aim, savedState, serverMarks, type Created } from './viewing';

const env = e2eEnv();

// HEnorm-example1.png: 1024×1024 px.
const size = 1024;
const first = [300, 300] as const;
const second = [700, 600] as const;
const comment = 'Not a tumour cell: the nucleus is small and round, a lymphocyte.';

describe('review: a reviewer decides with a comment, the annotator reads it on the mark', () => {
  let b: Browser;
  let admin: APIRequestContext;
  let api: Api;
  let url = '';
  let slideId = 0;
  const run = Date.now().toString(36);
  const annotator = { username: `ann-${run}`, password: `pw-${run}-annotator`, display_name: 'Dr Annotator' };
  const reviewer = { username: `rev-${run}`, password: `pw-${run}-reviewer`, display_name: 'Dr Reviewer' };

  /** signIn makes the browser page act as user. */
  const signIn = async (user: { username: string; password: string }): Promise<void> => {
    await new Api(b.context.request, env.url).login(user.username, user.password);
    await b.page.goto(url);
    await b.page.locator('.viewer-page[data-ready]').waitFor();
  };

  before(async () => {
    b = await openBrowser(env);
    admin = await request.newContext();
    api = new Api(admin, env.url);
    await api.login('admin', env.adminPassword);
    const projectId = (await api.post<Created>('/api/v1/projects', { name: `e2e review ${run}`, description: 'made by the e2e suite' })).id;
    await api.post(`/api/v1/projects/${projectId}/categories`, { class_id: 1, name: 'Tumour cell', color: '#e6194b', shortcut: '1' });
    for (const [u, role] of [[annotator, 'annotator'], [reviewer, 'reviewer']] as const) {
      await api.post('/api/v1/users', { ...u, email: `${u.username}@example.org`, system_role: 'user' });
      await api.post(`/api/v1/projects/${projectId}/members`, { username: u.username, role });
    }
    slideId = await api.uploadSlide(projectId, join(env.testdata, 'images', 'HEnorm-example1.png'), { name: `review ${run}` });
    url = `${env.url}/projects/${projectId}/slides/${slideId}`;
  });

  after(async () => {
    await b?.close();
    await admin?.dispose();
  });

  it('the annotator places two marks', async () => {
    await signIn(annotator);
    const { page } = b;
    const { px } = await aim(page, size, size);
    await page.keyboard.press('p');
    await page.mouse.click(...px(...first));
    await page.mouse.click(...px(...second));
    await page.locator('.viewer-stats', { hasText: '2 marks' }).waitFor();
    await savedState(page);
  });

  it('the reviewer rejects the first with a comment and accepts the second with the keyboard', async () => {
    await signIn(reviewer);
    const { page } = b;
    await page.getByRole('button', { name: 'Review mode' }).click();
    const info = page.getByTestId('review-info');
    await info.filter({ hasText: 'Mark 1 of 2 (pending)' }).waitFor();
    // The panel shows the mark review mode is on, and who made it.
    await page.getByTestId('mark-info').filter({ hasText: 'By Dr Annotator' }).waitFor();
    await page.getByLabel('Comment (optional)').fill(comment);
    // Typing in the box is text, not shortcuts: nothing was decided by the letters a and r in it.
    await info.filter({ hasText: 'Accepted 0, rejected 0, pending 2' }).waitFor();
    await page.getByRole('button', { name: /^Reject/ }).click();
    await info.filter({ hasText: 'Accepted 0, rejected 1, pending 1' }).waitFor();
    assert.equal(await page.getByLabel('Comment (optional)').inputValue(), '');
    // On to the next pending mark; A accepts it, without a comment.
    await info.filter({ hasText: 'Mark 2 of 2 (pending)' }).waitFor();
    await page.keyboard.press('a');
    await info.filter({ hasText: 'Accepted 1, rejected 1, pending 0' }).waitFor();
    // Back to the first: the panel shows the decision and the comment.
    await page.keyboard.press('p');
    await info.filter({ hasText: 'Mark 1 of 2 (rejected)' }).waitFor();
    const panel = page.getByTestId('mark-info');
    await panel.getByTestId('mark-review-comment').filter({ hasText: comment }).waitFor();
    await screenshot(page, 'viewer-review-comment');
    // The service has both decisions, the comment in the mark's history.
    const marks = (await serverMarks(api, slideId)).sort((x, y) => x.id - y.id);
    assert.deepEqual(marks.map((m) => m.properties.review), ['rejected', 'accepted']);
    const history = await api.get<{ events: { action: string; comment: string }[] }>(`/api/v1/annotations/history?annotation_id=${marks[0]?.id}`);
    assert.equal(history.events.find((e) => e.action === 'reviewed')?.comment, comment);
  });

  it('the annotator selects the marks and reads their review and the comment', async () => {
    await signIn(annotator);
    const { page } = b;
    const { px } = await aim(page, size, size);
    await page.keyboard.press('v');
    const panel = page.getByTestId('mark-info');
    await page.mouse.click(...px(...first));
    await panel.getByTestId('mark-review').filter({ hasText: 'Review: Rejected' }).waitFor();
    assert.equal(await panel.getByTestId('mark-review').getAttribute('data-state'), 'rejected');
    await panel.filter({ hasText: /Rejected by Dr Reviewer on \d{4}-\d\d-\d\d/ }).waitFor();
    assert.equal(await panel.getByTestId('mark-review-comment').innerText(), comment);
    await panel.scrollIntoViewIfNeeded();
    await screenshot(page, 'viewer-annotator-sees-review');
    await page.mouse.click(...px(...second));
    await panel.getByTestId('mark-review').filter({ hasText: 'Review: Accepted' }).waitFor();
    assert.equal(await panel.getByTestId('mark-review-comment').count(), 0);
  });

  it('an edit after the review sets it back to pending, and the comment stays readable', async () => {
    const { page } = b;
    const { px } = await aim(page, size, size);
    const [x, y] = px(...first);
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x + 30, y + 10, { steps: 5 });
    await page.mouse.up();
    await savedState(page);
    const panel = page.getByTestId('mark-info');
    await panel.getByTestId('mark-review').filter({ hasText: 'Review: Pending' }).waitFor();
    await panel.filter({ hasText: 'Edited since the last review (Rejected by Dr Reviewer' }).waitFor();
    assert.equal(await panel.getByTestId('mark-review-comment').innerText(), comment);
    const marks = (await serverMarks(api, slideId)).sort((x1, y1) => x1.id - y1.id);
    assert.deepEqual(marks.map((m) => m.properties.review), ['pending', 'accepted']);
  });

  it('loaded nothing from outside and threw no errors', () => {
    assert.deepEqual(b.foreign, []);
    assert.deepEqual(b.pageErrors, []);
  });
});
