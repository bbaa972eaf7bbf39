import type { AppContext } from '../app';
import { h, replaceChildren } from '../dom';
import { createRule, deleteRule, describeRule, ssoSettings, type GroupRule, type SSOSettings } from '../api/sso';
import { actionsHeading, statusBox } from './common';

const projectRoles = ['viewer', 'annotator', 'reviewer', 'manager'];

/**
 * SSOPanel is the administration page's single sign-on part: the
 * provider's settings, and the rules that map directory groups to the
 * system role, to project roles and to the right to get an account. The
 * chart's rules are shown read-only; an admin adds and removes the rest.
 * Rules apply at each person's next sign-in.
 */
export class SSOPanel {
  readonly element: HTMLElement;
  private readonly body = h('div', null, statusBox('Loading the single sign-on settings…'));

  constructor(
    private readonly ctx: AppContext,
    private readonly signal: AbortSignal,
    private readonly fail: (err: unknown) => void,
    private readonly changed: () => void,
  ) {
    this.element = h('div', { class: 'sso-admin', 'data-testid': 'sso-admin' }, this.body, this.ruleForm());
  }

  load(): void {
    ssoSettings(this.ctx.api, this.signal).then((s) => replaceChildren(this.body, settingsList(s), this.ruleTable(s.rules)), this.fail);
  }

  private act(p: Promise<unknown>): void {
    p.then(() => {
      this.load();
      this.changed();
    }, this.fail);
  }

  private ruleTable(rules: readonly GroupRule[]): HTMLElement {
    if (rules.length === 0) return h('p', null, 'No group rules: anyone the provider vouches for gets an account with the role "user" and no project.');
    return h(
      'table',
      { class: 'data-table', 'aria-label': 'Group rules' },
      h('thead', null, h('tr', null, ...['Directory group', 'Gives', 'Set by', ''].map((t) => h('th', { scope: 'col' }, t || actionsHeading())))),
      h('tbody', null, ...rules.map((r) => h(
        'tr',
        null,
        h('td', null, r.group),
        h('td', null, describeRule(r)),
        h('td', null, r.source === 'config' ? 'chart values' : 'an admin'),
        h('td', { class: 'row-actions' },
          r.source === 'admin' && r.id !== undefined &&
            h('button', { type: 'button', onclick: () => this.act(deleteRule(this.ctx.api, r.id as number)), 'aria-label': `Remove the rule for ${r.group}: ${describeRule(r)}` }, 'Remove')),
      ))),
    );
  }

  private ruleForm(): HTMLElement {
    const group = h('input', { id: 'rule-group', required: true, maxlength: 255, autocomplete: 'off', placeholder: 'e.g. path-gbm-readers' });
    const kind = h('select', { id: 'rule-kind' },
      h('option', { value: 'project' }, 'a role in a project'),
      h('option', { value: 'system' }, 'a system role'),
      h('option', { value: 'provision' }, 'the right to get an account'));
    const role = h('select', { id: 'rule-role' });
    const project = h('input', { id: 'rule-project', maxlength: 128, autocomplete: 'off', placeholder: 'project name' });
    const projectLabel = h('label', { for: 'rule-project' }, 'Project');
    const roleLabel = h('label', { for: 'rule-role' }, 'Role');
    const sync = (): void => {
      const roles = kind.value === 'system' ? ['user', 'admin'] : kind.value === 'project' ? projectRoles : [];
      replaceChildren(role, ...roles.map((r) => h('option', { value: r }, r)));
      role.hidden = roleLabel.hidden = roles.length === 0;
      project.hidden = projectLabel.hidden = kind.value !== 'project';
      project.required = kind.value === 'project';
    };
    kind.addEventListener('change', sync);
    sync();
    const form = h('form', { class: 'inline-form', 'aria-label': 'Add a group rule' },
      h('label', { for: 'rule-group' }, 'Directory group'), group,
      h('label', { for: 'rule-kind' }, 'gives'), kind,
      roleLabel, role, projectLabel, project,
      h('button', { type: 'submit', class: 'primary' }, 'Add rule'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const k = kind.value as GroupRule['kind'];
      const rule: GroupRule = { group: group.value.trim(), kind: k };
      if (k !== 'provision') rule.role = role.value;
      if (k === 'project') rule.project = project.value.trim();
      this.act(createRule(this.ctx.api, rule));
      form.reset();
      sync();
    });
    return form;
  }
}

function settingsList(s: SSOSettings): HTMLElement {
  const st = s.settings;
  const item = (term: string, value: string): HTMLElement[] => [h('dt', null, term), h('dd', null, value)];
  return h(
    'dl',
    { class: 'settings-list' },
    ...item('Provider', st.enabled ? (st.issuer ?? '') : 'single sign-on is not configured'),
    ...(st.enabled ? item('Groups claim', st.groups_claim ?? '') : []),
    ...item('Passwords', st.local_passwords === 'on' ? 'every local account may sign in with one'
      : `turned off but for the break-glass accounts: ${(st.break_glass_accounts ?? []).join(', ')}`),
    ...item('A sign-in lasts', `${st.session_ttl} (ends after ${st.idle_timeout} unused): someone removed from a group keeps what it gave until then, unless the provider signs them out`),
  );
}
