import { listProjects } from '../api/projects';
import type { Project } from '../api/types';
import type { AppContext, Page } from '../app';
import { h, replaceChildren } from '../dom';
import { alertBox, errorText, isAbort, pageHeading, statusBox } from './common';

export function projectsPage(ctx: AppContext): Page {
  const body = h('div', { class: 'page-body' }, statusBox('Loading projects…'));
  const element = h('section', { class: 'projects-page' }, pageHeading('Projects'), body);
  const abort = new AbortController();
  listProjects(ctx.api, abort.signal).then(
    (projects) => replaceChildren(body, projects.length === 0 ? emptyState() : projectList(projects)),
    (err: unknown) => {
      if (!isAbort(err)) replaceChildren(body, alertBox(errorText(err)));
    },
  );
  return { title: 'Projects', element, dispose: () => abort.abort() };
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
      ),
    ),
  );
}
