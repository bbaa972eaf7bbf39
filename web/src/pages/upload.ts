import type { AppContext } from '../app';
import { completeUpload, getUpload, putPart, startUpload, type UploadInfo } from '../api/uploads';
import { h } from '../dom';
import { missingParts, Progress, uploadKey, type Part } from '../upload/plan';
import { errorText } from './common';

const retries = 5;

/**
 * uploadPanel takes slides by drag and drop or a file picker, several at a
 * time, and sends each in parts through the resumable upload API with a
 * real progress bar. An interrupted upload (closed tab, dropped network)
 * resumes where it stopped when the same file is chosen again.
 */
export function uploadPanel(ctx: AppContext, projectId: string, uploaded: () => void): HTMLElement {
  const input = h('input', { type: 'file', id: 'slide-files', multiple: true, class: 'visually-hidden' });
  const caseId = h('input', { id: 'upload-case', name: 'case_id', autocomplete: 'off' });
  const stain = h('input', { id: 'upload-stain', name: 'stain', autocomplete: 'off', placeholder: 'H&E, CD276…' });
  const list = h('ul', { class: 'upload-list', 'aria-label': 'Uploads' });
  const zone = h(
    'label',
    { for: 'slide-files', class: 'drop-zone' },
    h('strong', null, 'Drop slide files here'),
    ' or click to choose them (SVS, NDPI, MIRAX, TIFF, DICOM, PNG, JPEG…)',
  );
  let queue = Promise.resolve();
  const add = (files: FileList | null): void => {
    for (const f of Array.from(files ?? [])) {
      const row = new UploadRow(f);
      list.appendChild(row.element);
      const meta = { case_id: caseId.value.trim(), stain: stain.value.trim() };
      queue = queue.then(() => send(ctx, projectId, f, meta, row)).then(uploaded, () => undefined);
    }
  };
  input.addEventListener('change', () => {
    add(input.files);
    input.value = '';
  });
  zone.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (ev) => {
    ev.preventDefault();
    zone.classList.remove('dragging');
    add(ev.dataTransfer?.files ?? null);
  });
  return h(
    'section',
    { class: 'upload-panel', 'aria-labelledby': 'upload-title' },
    h('h2', { id: 'upload-title' }, 'Upload slides'),
    h('div', { class: 'upload-fields' },
      h('label', { for: 'upload-case' }, 'Case id (optional)'), caseId,
      h('label', { for: 'upload-stain' }, 'Stain (optional)'), stain),
    input,
    zone,
    list,
  );
}

class UploadRow {
  readonly element: HTMLElement;
  private readonly bar: HTMLProgressElement;
  private readonly text: HTMLElement;

  constructor(f: File) {
    this.bar = h('progress', { max: 100, value: 0, 'aria-label': `Upload of ${f.name}` });
    this.text = h('span', { class: 'upload-state' }, 'waiting');
    this.element = h('li', { class: 'upload-row', 'data-file': f.name }, h('span', { class: 'upload-name' }, f.name), this.bar, this.text);
  }

  show(percent: number, text: string): void {
    this.bar.value = percent;
    this.text.textContent = text;
  }
}

async function send(ctx: AppContext, projectId: string, f: File, meta: { case_id: string; stain: string }, row: UploadRow): Promise<void> {
  try {
    const info = await openUpload(ctx, projectId, f, meta);
    const received = info.received_parts.reduce((a, p) => a + p.size, 0);
    const progress = new Progress(f.size, received);
    if (received > 0) row.show(progress.percent, `resuming at ${progress.percent}%`);
    for (const part of missingParts(f.size, info.part_size, info.received_parts)) {
      await sendPart(ctx, info.id, f, part, progress, row);
    }
    row.show(100, 'finishing…');
    const slide = await completeUpload(ctx.api, info.id);
    localStorage.removeItem(uploadKey(projectId, f));
    row.show(100, `uploaded; slide ${slide.id} is ${slide.status}`);
  } catch (err) {
    row.show(0, `failed: ${errorText(err)}. Choose the file again to resume.`);
    throw err;
  }
}

/** openUpload resumes the upload this browser started for the same file, or starts a new one. */
async function openUpload(ctx: AppContext, projectId: string, f: File, meta: { case_id: string; stain: string }): Promise<UploadInfo> {
  const key = uploadKey(projectId, f);
  const known = localStorage.getItem(key);
  if (known !== null) {
    try {
      const info = await getUpload(ctx.api, known);
      if (info.status === 'open') return info;
    } catch {
      // Gone or expired on the server: start afresh.
    }
  }
  const info = await startUpload(ctx.api, {
    project_id: Number(projectId),
    name: f.name.replace(/\.[^.]+$/, ''),
    size: f.size,
    ...(meta.case_id === '' ? {} : { case_id: meta.case_id }),
    ...(meta.stain === '' ? {} : { stain: meta.stain }),
  });
  localStorage.setItem(key, info.id);
  return info;
}

/** sendPart sends one part, retrying with growing pauses when the connection fails. */
async function sendPart(ctx: AppContext, id: string, f: File, part: Part, progress: Progress, row: UploadRow): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await putPart(id, part.n, f.slice(part.start, part.end), ctx.session.csrfToken, (sent) => {
        progress.sending(part.n, sent);
        row.show(progress.percent, `${progress.percent}%`);
      });
      progress.finished(part.n, part.end - part.start);
      row.show(progress.percent, `${progress.percent}%`);
      return;
    } catch (err) {
      progress.failed(part.n);
      if (attempt >= retries) throw err;
      row.show(progress.percent, `connection lost, retrying (${attempt}/${retries - 1})…`);
      await new Promise((r) => setTimeout(r, 1000 * 2 ** (attempt - 1)));
    }
  }
}
