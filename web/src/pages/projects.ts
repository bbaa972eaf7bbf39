import { createProject, listProjects } from '../api/projects';
import { projectSuggestionProgress } from '../api/suggestions';
import { progressText } from '../suggestions/layer';
import type { Project } from '../api/types';
import type { AppContext, Page } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

export function projectsPage(ctx: AppContext): Page {
  const body = h('div', { class: 'page-body' }, statusBox('Loading projects…'));
  const messages = h('div', { class: 'form-messages', 'aria-live': 'polite' });
  // Only administrators may create projects; the server says so too.
  const admin = ctx.session.user?.system_role === 'admin';
  const create = (in_: { name: string; description: string }): void => {
    replaceChildren(messages);
    createProject(ctx.api, in_).then(
      (p) => ctx.navigate(`/projects/${encodeURIComponent(String(p.id))}/settings`),
      (err: unknown) => replaceChildren(messages, alertBox(errorText(err))),
    );
  };
  const element = h('section', { class: 'projects-page' }, pageHeading('Projects'), body,
    admin && h('h2', null, 'New project'), admin && messages, admin && projectForm(create));
  const abort = new AbortController();
  listProjects(ctx.api, abort.signal).then(
    (projects) => {
      replaceChildren(body, projects.length === 0 ? emptyState() : projectList(projects));
      for (const p of projects) void showProgress(ctx, p, body, abort.signal);
    },
    (err: unknown) => {
      if (!isAbort(err)) replaceChildren(body, alertBox(errorText(err)));
    },
  );
  return { title: 'Projects', element, dispose: () => abort.abort() };
}

/** showProgress writes "312 of 2,048 reviewed" on a project's card when a model posted suggestions there. */
async function showProgress(ctx: AppContext, p: Project, list: HTMLElement, signal: AbortSignal): Promise<void> {
  try {
    const got = await projectSuggestionProgress(ctx.api, String(p.id), undefined, signal);
    const slot = list.querySelector<HTMLElement>(`[data-project-progress="${String(p.id)}"]`);
    if (slot === null || got.total === 0) return;
    slot.textContent = `Model suggestions: ${progressText(got.reviewed, got.total)}`;
    slot.hidden = false;
  } catch {
    // Without the annotation service (or as a viewer of a blinded project) the card says nothing of suggestions.
  }
}

function emptyState(): HTMLElement {
  return h(
    'div',
    { class: 'empty-state' },
    h('p', null, 'You are not a member of any project yet.'),
    h('p', null, 'Ask a project manager or an administrator to add you to one.'),
  );
}

function projectList(projects: readonly Project[]): HTMLElement {
  return h(
    'ul',
    { class: 'card-list', 'aria-label': 'Your projects' },
    ...projects.map((p) =>
      h(
        'li',
        { class: 'card' },
        h('a', { href: `/projects/${encodeURIComponent(String(p.id))}`, class: 'card-link' }, p.name),
        p.description !== '' && h('p', { class: 'card-text' }, p.description),
        h('span', { class: `badge role-${p.role}` }, `Role: ${p.role}`),
        h('p', { class: 'card-text', 'data-project-progress': String(p.id), hidden: true }),
      ),
    ),
  );
}

function projectForm(create: (in_: { name: string; description: string }) => void): HTMLElement {
  const name = h('input', { id: 'project-name', required: true, maxlength: 128, autocomplete: 'off' });
  const description = h('input', { id: 'project-description', maxlength: 10000, autocomplete: 'off' });
  const form = h(
    'form',
    { class: 'inline-form', 'aria-label': 'Create a project' },
    h('label', { for: 'project-name' }, 'Project name'), name,
    h('label', { for: 'project-description' }, 'Description'), description,
    h('button', { type: 'submit', class: 'primary' }, 'Create project'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    create({ name: name.value.trim(), description: description.value.trim() });
  });
  return form;
}
