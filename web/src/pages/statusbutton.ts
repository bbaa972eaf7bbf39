import { setStatus, slideProgress, type AnnotatorStatus } from '../api/review';
import type { ApiClient } from '../api/client';
import { h } from '../dom';

const labels: Record<AnnotatorStatus, string> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
};

/**
 * statusButton is the annotator's "I am done with this slide" switch (the
 * original's labeled/unlabeled tabs): it shows the signed-in user's status
 * and toggles between done and in progress.
 */
export function statusButton(api: ApiClient, slideId: string, me: string, report: (err: unknown) => void, signal: AbortSignal): HTMLElement {
  let status: AnnotatorStatus = 'not_started';
  const text = h('span', null, labels[status]);
  const button = h('button', { type: 'button', 'aria-pressed': 'false', class: 'status-button', 'data-testid': 'slide-status' }, text);
  const show = (s: AnnotatorStatus): void => {
    status = s;
    button.setAttribute('aria-pressed', String(s === 'done'));
    button.title = s === 'done' ? 'You marked this slide done; press to reopen it' : 'Mark this slide done when you have finished annotating it';
    text.textContent = s === 'done' ? 'Done ✓' : `${labels[s]}: mark done`;
  };
  const mine = (all: { user_id: number; status: string }[]): AnnotatorStatus => {
    const s = all.find((p) => String(p.user_id) === me)?.status;
    return s === 'done' || s === 'in_progress' ? s : 'not_started';
  };
  button.addEventListener('click', () => {
    button.disabled = true;
    setStatus(api, slideId, status === 'done' ? 'in_progress' : 'done')
      .then((all) => show(mine(all)), report)
      .finally(() => (button.disabled = false));
  });
  slideProgress(api, slideId, signal).then((all) => show(mine(all)), () => show('not_started'));
  show(status);
  return button;
}
