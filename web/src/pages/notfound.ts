import type { Page } from '../app';
import { h } from '../dom';
import { pageHeading } from './common';

export function notFoundPage(): Page {
  const element = h(
    'section',
    { class: 'notfound-page' },
    pageHeading('Page not found'),
    h('p', null, h('a', { href: '/' }, 'Back to your projects')),
  );
  return { title: 'Not found', element };
}
