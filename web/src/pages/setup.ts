// What setting up a workspace's editing machinery is given (pages/marking.ts
// builds it; pages/viewer.ts lays out the page it fills in).

import type { AppContext } from '../app';
import type { Optics } from '../viewer/scalewidget';
import type { ImageSize, SlideViewer } from '../viewer/viewer';
import type { AnnotatorFilter } from './annotators';
import type { Notices } from './notices';
import type { Palette } from './palette';

export const defaultMarkerRadius = 8;

/** Slots are the parts of the page that fill in once the slide and its marks are loaded. */
export interface Slots {
  readonly title: HTMLElement;
  readonly messages: Notices;
  readonly save: HTMLElement;
  readonly status: HTMLElement;
  readonly review: HTMLElement;
  readonly overlays: HTMLElement;
  readonly toolbar: HTMLElement;
  readonly tools: HTMLElement;
  readonly stats: HTMLElement;
}

export interface Loaded {
  dispose(): void;
}

export interface Setup {
  readonly ctx: AppContext;
  readonly projectId: string;
  readonly slideId: string;
  readonly me: string;
  readonly viewer: SlideViewer;
  readonly size: ImageSize;
  readonly optics: Optics;
  readonly palette: Palette;
  readonly annotators: AnnotatorFilter;
  readonly markerSize: HTMLInputElement;
  readonly brushWidth: HTMLInputElement;
  readonly opacity: HTMLInputElement;
  readonly slots: Slots;
  readonly signal: AbortSignal;
  /** keysActive: whether this workspace takes the shortcuts now (side by side, the pane last used). */
  keysActive(): boolean;
  report(err: unknown): void;
}
