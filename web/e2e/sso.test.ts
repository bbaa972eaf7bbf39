import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openBrowser, screenshot, type Browser } from './browser';
import { e2eEnv } from './env';

// scripts/e2e.sh starts the stack with PATHOLABEL_SSO=dev: Dex in front of
// a slapd seeded as a hospital directory (scripts/sso-dev.sh says who is
// in which group). Everyone signs in on Dex's own login page.
const env = e2eEnv();
const directoryPassword = process.env['PL_SSO_PASSWORD'] ?? 'Directory-pass-1';

interface Me {
  user: { username: string; system_role: string; origin: string };
  projects: { project_name: string; role: string }[];
}

/** signInAtProvider goes from Patholabel's login page to the provider's and signs in there. */
async function signInAtProvider(page: Page, username: string, shot?: string): Promise<void> {
  await page.goto(`${env.url}/login`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  // Dex's LDAP login page, on Dex's own origin.
  await page.locator('#login').waitFor();
  assert.notEqual(new URL(page.url()).origin, new URL(env.url).origin, 'the login page is the provider’s, not ours');
  if (shot !== undefined) await screenshot(page, shot);
  await page.locator('#login').fill(username);
  await page.locator('#password').fill(directoryPassword);
  await page.locator('#submit-login').click();
}

async function me(page: Page): Promise<Me> {
  return page.evaluate(async () => (await (await fetch('/api/v1/auth/me')).json()) as Me);
}

function roleIn(m: Me, project: string): string | undefined {
  return m.projects.find((p) => p.project_name === project)?.role;
}

describe('single sign-on through the hospital directory', () => {
  let b: Browser;

  before(async () => {
    b = await openBrowser(env);
  });

  after(async () => {
    await b?.close();
  });

  it('signs a pathologist in on the provider’s page, with the role her group gives', async () => {
    const { page } = b;
    await signInAtProvider(page, 'asmith', 'sso-provider-login');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal(await page.getByTestId('user-name').textContent(), 'Alice Smith');
    const m = await me(page);
    assert.equal(m.user.origin, 'sso');
    assert.equal(roleIn(m, 'GBM H&E'), 'annotator', 'path-gbm-readers → annotator in GBM H&E');
    await page.getByText('GBM H&E').first().waitFor();
    await screenshot(page, 'sso-signed-in');
  });

  it('signs out here; the provider holds no session, so the next sign-in asks again', async () => {
    const { page } = b;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();
    await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
    await page.locator('#login').waitFor();
    assert.match(new URL(page.url()).pathname, /^\/dex\/auth/);
  });

  it('refuses an account to someone in no group that may use Patholabel', async () => {
    const { page } = b;
    await signInAtProvider(page, 'dkhan');
    await page.getByRole('alert').getByText('not in a directory group that may use Patholabel').waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
  });

  it('lets a directory admin change the group rules in the viewer, applied at the next sign-in and audited', async () => {
    const { page } = b;
    await signInAtProvider(page, 'bjones');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal((await me(page)).user.system_role, 'admin', 'patholabel-admins → admin');
    await page.goto(`${env.url}/admin`);
    const panel = page.getByTestId('sso-admin');
    const rules = panel.getByRole('table', { name: 'Group rules' });
    await rules.getByRole('cell', { name: 'annotator in project GBM H&E' }).waitFor();
    assert.equal(await rules.getByRole('button').count(), 0, 'the chart’s rules are read-only');
    await panel.getByLabel('Directory group').fill('path-gbm-readers');
    await panel.getByLabel('gives').selectOption('project');
    await panel.getByLabel('Role').selectOption('manager');
    await panel.getByLabel('Project').fill('GBM H&E');
    await panel.getByRole('button', { name: 'Add rule' }).click();
    await rules.getByRole('button', { name: 'Remove the rule for path-gbm-readers: manager in project GBM H&E' }).waitFor();
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('row', { name: /bjones/ }).getByRole('cell', { name: 'single sign-on' }).waitFor();
    await users.getByRole('row', { name: /^admin / }).getByRole('cell', { name: 'local' }).waitFor();
    await screenshot(page, 'sso-admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();

    // Alice's next sign-in applies the new rule: the most powerful role wins.
    await signInAtProvider(page, 'asmith');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    assert.equal(roleIn(await me(page), 'GBM H&E'), 'manager');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Patholabel' }).waitFor();

    // The admin sees the change in the audit log, and removes the rule again.
    await signInAtProvider(page, 'bjones');
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.goto(`${env.url}/admin`);
    await page.locator('#audit-action').fill('sso.*');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'sso.role_change' }).first().waitFor();
    await page.getByRole('button', { name: 'Remove the rule for path-gbm-readers: manager in project GBM H&E' }).click();
    await page.getByRole('button', { name: /Remove the rule/ }).waitFor({ state: 'detached' });
    const foreign = b.foreign.filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\/dex\//.test(u));
    assert.deepEqual(foreign, [], 'nothing but Patholabel and the provider was contacted');
  });
});
