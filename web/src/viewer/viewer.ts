import OpenSeadragon from 'openseadragon';
import { affineFromPoints, apply, invert, scaleOf, type Affine, type Point } from './geometry';

const viewerKeys = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Equal', 'Minus', 'NumpadAdd', 'NumpadSubtract', 'Digit0', 'Numpad0']);

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/**
 * SlideViewer wraps OpenSeadragon so the rest of the viewer (overlay, tools,
 * pages) only sees image coordinates, an affine map and a few events.
 */
export class SlideViewer {
  readonly osd: OpenSeadragon.Viewer;
  private opened: ImageSize | null = null;
  private userMoved = false;

  constructor(container: HTMLElement, tileSource: string, navigatorLabel: string) {
    this.osd = OpenSeadragon({
      element: container,
      tileSources: tileSource,
      // Empty prefix: OpenSeadragon must never fetch its button images from elsewhere;
      // our own toolbar replaces its navigation controls.
      prefixUrl: '',
      // The WebGL drawer falls back to software GL without a GPU (headless Chromium, many VDI
      // desktops) and then ran at 3 frames/s here; the canvas drawer ran at 50.
      drawer: 'canvas',
      showNavigationControl: false,
      showNavigator: true,
      navigatorPosition: 'BOTTOM_RIGHT',
      navigatorAutoFade: false,
      // The scale bar and minimap stay shown. Auto-hiding also ran a chain of animation frames
      // that outlived destroy() by seconds, holding the whole page (20,000 marks) meanwhile.
      autoHideControls: false,
      // A faded minimap lets the marks drawn under it show through.
      navigatorOpacity: 1,
      visibilityRatio: 0.5,
      maxZoomPixelRatio: 2,
      animationTime: 0.4,
      // Clicks belong to the annotation tools; zoom is on the wheel, buttons and keys.
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
      gestureSettingsTouch: { clickToZoom: false },
    });
    // A named picture for assistive technology: a bare div may not carry aria-label.
    this.osd.navigator?.element.setAttribute('role', 'img');
    this.osd.navigator?.element.setAttribute('aria-label', navigatorLabel);
    // The focusable slide canvas takes the arrow, + and - keys itself: an application to
    // screen readers, so they pass those keys through, with a name that says so.
    this.osd.canvas.setAttribute('role', 'application');
    this.osd.canvas.setAttribute('aria-label', 'Slide: arrow keys pan, + and − zoom, 0 fits');
    this.osd.addOnceHandler('open', () => this.markOpen());
    // The page lays itself out while the slide opens; until the user moves the view, a new
    // size refits the whole slide instead of keeping a zoom chosen for the old size.
    const moved = (): void => void (this.userMoved = true);
    for (const ev of ['canvas-drag', 'canvas-scroll', 'canvas-pinch', 'canvas-key'] as const) this.osd.addHandler(ev, moved);
    this.osd.addHandler('after-resize', () => {
      // After OpenSeadragon's own resize step, which re-centres and re-zooms when this returns.
      queueMicrotask(() => {
        if (!this.userMoved && this.opened !== null) this.osd.viewport.goHome(true);
      });
    });
    // Letters and digits are the annotation shortcuts (R rectangle, F freehand, 1–9 categories);
    // OpenSeadragon would also rotate, flip or pan on them. It keeps arrows, +, - and 0.
    this.osd.addHandler('canvas-key', (ev) => {
      if (!viewerKeys.has(ev.originalEvent instanceof KeyboardEvent ? ev.originalEvent.code : '')) ev.preventDefaultAction = true;
    });
  }

  /** opened resolves with the image size once the slide's pyramid description is read. */
  whenOpen(): Promise<ImageSize> {
    return new Promise((resolve, reject) => {
      if (this.opened !== null) return resolve(this.opened);
      this.osd.addOnceHandler('open', () => resolve(this.markOpen()));
      this.osd.addOnceHandler('open-failed', (ev) => reject(new Error(`open slide: ${ev.message}`)));
    });
  }

  get size(): ImageSize | null {
    return this.opened;
  }

  /** imageToScreen maps level-0 image pixels to CSS pixels of the viewer element, as drawn now. */
  imageToScreen(): Affine | null {
    const item = this.osd.world.getItemAt(0);
    if (item === undefined || item === null || this.opened === null) return null;
    const unit = Math.max(this.opened.width, this.opened.height, 1);
    const at = (x: number, y: number): Point => item.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
    return affineFromPoints(at(0, 0), at(unit, 0), at(0, unit), unit);
  }

  screenToImage(x: number, y: number): Point | null {
    const m = this.imageToScreen();
    const inv = m === null ? null : invert(m);
    return inv === null ? null : apply(inv, x, y);
  }

  /** onRender fires on every frame OpenSeadragon redraws and on resize. */
  onRender(fn: () => void): () => void {
    const handler = (): void => fn();
    this.osd.addHandler('update-viewport', handler);
    this.osd.addHandler('resize', handler);
    return () => {
      this.osd.removeHandler('update-viewport', handler);
      this.osd.removeHandler('resize', handler);
    };
  }

  /**
   * addLayer lays another pyramid (a heatmap) over the slide, stretched to
   * the slide's width whatever its own size, as the original's heatmaps were;
   * the answer sets its opacity, or removes it with null.
   */
  addLayer(dzi: string, opacity: number): (opacity: number | null) => void {
    let layer: OpenSeadragon.TiledImage | null = null;
    let removed = false;
    this.osd.addTiledImage({
      tileSource: dzi,
      x: 0,
      y: 0,
      width: 1,
      opacity,
      // The typings call the argument an Event; OpenSeadragon passes { item }.
      success: (ev: Event) => {
        layer = (ev as unknown as { item: OpenSeadragon.TiledImage }).item;
        if (removed) this.osd.world.removeItem(layer);
      },
    });
    return (next) => {
      if (next === null) {
        removed = true;
        if (layer !== null) this.osd.world.removeItem(layer);
      } else {
        layer?.setOpacity(next);
      }
    };
  }

  /** addControl pins an element to the bottom-left corner of the view; it follows the view into full screen. */
  addControl(el: HTMLElement): void {
    this.osd.addControl(el, { anchor: OpenSeadragon.ControlAnchor.BOTTOM_LEFT });
  }

  /** scale is how many screen pixels one level-0 image pixel spans now. */
  scale(): number | null {
    const m = this.imageToScreen();
    return m === null ? null : scaleOf(m);
  }

  /** zoomToScale zooms about the centre until one image pixel spans s screen pixels. */
  zoomToScale(s: number): void {
    this.userMoved = true;
    const item = this.osd.world.getItemAt(0);
    if (item !== undefined && item !== null) this.osd.viewport.zoomTo(item.imageToViewportZoom(s));
  }

  /** view answers the image position at the centre of the screen and the scale, for synchronised viewers. */
  view(): { x: number; y: number; scale: number } | null {
    const item = this.osd.world.getItemAt(0);
    if (item === undefined || item === null) return null;
    const c = item.viewportToImageCoordinates(this.osd.viewport.getCenter(true));
    const s = this.scale();
    return s === null ? null : { x: c.x, y: c.y, scale: s };
  }

  /** setView centres on an image position at a scale (screen px per image px), at once. */
  setView(x: number, y: number, scale: number): void {
    const item = this.osd.world.getItemAt(0);
    if (item === undefined || item === null) return;
    this.userMoved = true;
    this.osd.viewport.zoomTo(item.imageToViewportZoom(scale), undefined, true);
    this.osd.viewport.panTo(item.imageToViewportCoordinates(x, y), true);
  }

  /** panToImage centres the view on a level-0 image position, keeping the zoom. */
  panToImage(x: number, y: number): void {
    this.userMoved = true;
    this.osd.viewport.panTo(this.osd.viewport.imageToViewportCoordinates(x, y));
  }

  zoomBy(factor: number): void {
    this.userMoved = true;
    this.osd.viewport.zoomBy(factor);
    this.osd.viewport.applyConstraints();
  }

  home(): void {
    this.osd.viewport.goHome();
  }

  rotateBy(degrees: number): void {
    this.userMoved = true;
    this.osd.viewport.setRotation(this.osd.viewport.getRotation() + degrees);
  }

  toggleFullScreen(): void {
    this.osd.setFullScreen(!this.osd.isFullPage());
  }

  destroy(): void {
    this.osd.destroy();
  }

  private markOpen(): ImageSize {
    const item = this.osd.world.getItemAt(0);
    const size = item?.getContentSize();
    this.opened = { width: size?.x ?? 0, height: size?.y ?? 0 };
    return this.opened;
  }
}
