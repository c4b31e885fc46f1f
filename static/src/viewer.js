// Image viewer for the report's document and selfie (.compare panes): zoom, rotate, pan and full
// screen, with mouse and keyboard. A delegated behaviour, not Datastar expressions, so nothing
// about an image (its URL, its label) ever becomes code. Without JavaScript the panes show the
// images as they are and the toolbar stays hidden.
//
//   <figure class="compare__pane" data-viewer>
//     <div class="compare__frame" data-viewer-frame role="group" aria-label="…"><img …></div>
//     <div data-viewer-tools hidden>
//       <button type="button" data-viewer-action="zoom-out|zoom-in|rotate|reset|fullscreen">…</button>
//       <output data-viewer-zoom>100%</output>
//     </div>
//   </figure>
//
// Panes inside one [data-viewer-group] can be linked: while its <input type="checkbox"
// data-viewer-link> is checked (installing reveals its [data-viewer-link-label]), zooming,
// rotating, resetting and moving one pane does the same to the others, so a document's photo and a
// selfie are compared at the same scale.
//
// Installing reveals the toolbar and makes the frame focusable (tabindex=0). The focused frame
// takes + or = (zoom in), - (zoom out), 0 (reset), r (rotate 90° clockwise, R anticlockwise),
// f (full screen) and the arrow keys (pan, when zoomed). The mouse: the wheel zooms at the
// pointer while the frame is focused, zoomed or full screen, or with Ctrl (a trackpad pinch);
// otherwise it scrolls the page as usual. Dragging pans a zoomed image; a double click zooms in
// at the pointer or back out. Esc leaves full screen (the browser's own).
//
// State lives on the pane, so tests can read it and patched-in panes start fresh:
// data-zoom="1.5", data-rotate="90" (0, 90, 180, 270), data-pan-x/-y (px), data-angle (the
// unnormalised angle, so the image never spins the long way round), data-zoomed while above 1×,
// data-dragging during a drag and data-fullscreen while the pane is full screen. The transform
// is set through the CSSOM (img.style.transform), which the CSP's strict style-src allows.

export const MIN_ZOOM = 1;
export const MAX_ZOOM = 8;
export const ZOOM_STEP = 1.25;
export const WHEEL_STEP = 1.1;
export const DOUBLE_CLICK_ZOOM = 2.5;
export const PAN_STEP = 40;

/** @typedef {{zoom: number, angle: number, x: number, y: number}} ViewerState */
/** @typedef {{width: number, height: number}} Size */

/** @returns {ViewerState} the state of an image as the page shows it. */
export const initialState = () => ({ zoom: 1, angle: 0, x: 0, y: 0 });

/** clampZoom keeps a zoom within MIN_ZOOM…MAX_ZOOM, rounded to 1/1000 against drift. */
export function clampZoom(zoom) {
  if (!Number.isFinite(zoom)) return MIN_ZOOM;
  return Math.round(Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, zoom)) * 1000) / 1000;
}

/**
 * nextZoom is the next zoom in (dir > 0) or out on the ladder of powers of ZOOM_STEP (1.25,
 * 1.563, 1.953, …), so buttons and keys land on the same values whichever zoom the wheel left.
 */
export function nextZoom(zoom, dir) {
  const exact = Math.log(clampZoom(zoom)) / Math.log(ZOOM_STEP);
  // A zoom on the ladder is rounded to 1/1000, so it sits a little off its rung.
  const k = Math.abs(exact - Math.round(exact)) < 0.01 ? Math.round(exact) : exact;
  const n = dir > 0 ? Math.floor(k) + 1 : Math.ceil(k) - 1;
  return clampZoom(ZOOM_STEP ** n);
}

/** normalizeAngle maps any multiple of 90° to 0, 90, 180 or 270. */
export function normalizeAngle(angle) {
  const r = Math.round(angle / 90) * 90;
  return ((r % 360) + 360) % 360;
}

/** zoomLabel is what the toolbar shows: 1.5 → "150%". */
export const zoomLabel = (zoom) => `${Math.round(clampZoom(zoom) * 100)}%`;

/**
 * containedSize is the size an image of natural size takes inside frame with object-fit:
 * contain. An image not loaded yet (0×0) counts as filling the frame.
 * @param {Size} natural @param {Size} frame @returns {Size}
 */
export function containedSize(natural, frame) {
  if (!(natural.width > 0 && natural.height > 0)) return { ...frame };
  const s = Math.min(frame.width / natural.width, frame.height / natural.height);
  return { width: natural.width * s, height: natural.height * s };
}

/**
 * fitScale is the extra scale that keeps a quarter-turned image inside the frame: the <img> box
 * is laid out unrotated, so a landscape document turned upright would overflow without it.
 * @param {Size} content the contained size (containedSize) @param {Size} frame @param {number} angle
 */
export function fitScale(content, frame, angle) {
  const quarter = normalizeAngle(angle) % 180 === 90;
  if (!quarter || !(content.width > 0 && content.height > 0)) return 1;
  return Math.min(frame.width / content.height, frame.height / content.width);
}

/**
 * panLimits is how far the image may move each way from the centre before an edge would come
 * inside the frame: half of the overflow of the zoomed, rotated image, 0 where it fits.
 * @param {ViewerState} state @param {Size} content @param {Size} frame @returns {{x: number, y: number}}
 */
export function panLimits(state, content, frame) {
  const scale = fitScale(content, frame, state.angle) * clampZoom(state.zoom);
  const quarter = normalizeAngle(state.angle) % 180 === 90;
  const w = (quarter ? content.height : content.width) * scale;
  const h = (quarter ? content.width : content.height) * scale;
  return { x: Math.max(0, (w - frame.width) / 2), y: Math.max(0, (h - frame.height) / 2) };
}

/** clampPan keeps the pan within panLimits. @returns {ViewerState} */
export function clampPan(state, content, frame) {
  const lim = panLimits(state, content, frame);
  const clamp = (v, m) => Math.round(Math.min(m, Math.max(-m, v)) * 10) / 10 || 0;
  return { ...state, x: clamp(state.x, lim.x), y: clamp(state.y, lim.y) };
}

/**
 * zoomAt sets the zoom keeping the point (px, py) — relative to the frame's centre — where it
 * is on screen, as maps and image viewers do under the pointer. Back at 1× the pan is cleared.
 * @returns {ViewerState}
 */
export function zoomAt(state, zoom, px = 0, py = 0) {
  const next = clampZoom(zoom);
  if (next === MIN_ZOOM) return { ...state, zoom: next, x: 0, y: 0 };
  const k = next / clampZoom(state.zoom);
  return { ...state, zoom: next, x: px - (px - state.x) * k, y: py - (py - state.y) * k };
}

/**
 * keyAction maps a keydown on a focused frame to an action, or null to leave the key to the
 * page (modified keys stay the browser's: Ctrl and + zooms the page, not the image).
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, shiftKey?: boolean}} e
 * @returns {{action: string, dx?: number, dy?: number} | null}
 */
export function keyAction(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const step = e.shiftKey ? PAN_STEP * 3 : PAN_STEP;
  switch (e.key) {
    case '+': case '=': return { action: 'zoom-in' };
    case '-': case '_': return { action: 'zoom-out' };
    case '0': return { action: 'reset' };
    case 'r': return { action: 'rotate' };
    case 'R': return { action: 'rotate-back' };
    case 'f': case 'F': return { action: 'fullscreen' };
    // An arrow moves the view that way, so the image moves the other.
    case 'ArrowLeft': return { action: 'pan', dx: step, dy: 0 };
    case 'ArrowRight': return { action: 'pan', dx: -step, dy: 0 };
    case 'ArrowUp': return { action: 'pan', dx: 0, dy: step };
    case 'ArrowDown': return { action: 'pan', dx: 0, dy: -step };
    default: return null;
  }
}

/**
 * step applies an action to a state; the caller clamps the pan to the frame (clampPan).
 * 'fullscreen' is not a state change and comes back unchanged.
 * @param {ViewerState} state @param {{action: string, dx?: number, dy?: number, px?: number, py?: number}} a
 * @returns {ViewerState}
 */
export function step(state, a) {
  const px = a.px ?? 0;
  const py = a.py ?? 0;
  switch (a.action) {
    case 'zoom-in': return zoomAt(state, nextZoom(state.zoom, +1), px, py);
    case 'zoom-out': return zoomAt(state, nextZoom(state.zoom, -1), px, py);
    case 'wheel-in': return zoomAt(state, state.zoom * WHEEL_STEP, px, py);
    case 'wheel-out': return zoomAt(state, state.zoom / WHEEL_STEP, px, py);
    case 'toggle-zoom':
      return state.zoom > MIN_ZOOM ? zoomAt(state, MIN_ZOOM) : zoomAt(state, DOUBLE_CLICK_ZOOM, px, py);
    case 'rotate': return { ...state, angle: state.angle + 90, x: 0, y: 0 };
    case 'rotate-back': return { ...state, angle: state.angle - 90, x: 0, y: 0 };
    case 'reset': return initialState();
    case 'pan': return { ...state, x: state.x + (a.dx ?? 0), y: state.y + (a.dy ?? 0) };
    default: return state;
  }
}

/** transformFor is the image's CSS transform: scale and turn about its centre, then move. */
export function transformFor(state, content, frame) {
  const scale = Math.round(fitScale(content, frame, state.angle) * clampZoom(state.zoom) * 1000) / 1000;
  return `translate(${state.x}px, ${state.y}px) rotate(${state.angle}deg) scale(${scale})`;
}

// ------------------------------------------------------------------------------------------
// DOM glue

const ACTIONS = new Set(['zoom-in', 'zoom-out', 'rotate', 'reset', 'fullscreen']);

/**
 * installViewer arms every [data-viewer] pane on doc, and those patched in later, and adds the
 * delegated listeners. Safe to call once per document.
 * @param {Document} doc
 */
export function installViewer(doc) {
  const arm = (root) => {
    const found = root.matches?.('[data-viewer]') ? [root] : [];
    for (const pane of [...found, ...(root.querySelectorAll?.('[data-viewer]') ?? [])]) armPane(doc, pane);
  };
  arm(doc.documentElement);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node instanceof Element) arm(node);
    }
  }).observe(doc.documentElement, { childList: true, subtree: true });

  doc.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-viewer-action]') : null;
    const pane = button?.closest('[data-viewer]');
    if (!pane || !ACTIONS.has(button.dataset.viewerAction)) return;
    act(doc, pane, { action: button.dataset.viewerAction });
  });
  doc.addEventListener('keydown', (event) => {
    const frame = frameOf(event.target);
    if (!frame || event.target !== frame) return;
    const a = keyAction(event);
    if (!a) return;
    const pane = frame.closest('[data-viewer]');
    // Arrows scroll the page unless there is somewhere to pan to.
    if (a.action === 'pan' && !pannable(pane)) return;
    event.preventDefault();
    act(doc, pane, a);
  });
  doc.addEventListener('wheel', (event) => {
    const frame = frameOf(event.target);
    if (!frame) return;
    const pane = frame.closest('[data-viewer]');
    const engaged = event.ctrlKey || event.metaKey || doc.activeElement === frame
      || pane.hasAttribute('data-zoomed') || pane.hasAttribute('data-fullscreen');
    if (!engaged || event.deltaY === 0) return;
    event.preventDefault();
    act(doc, pane, { action: event.deltaY < 0 ? 'wheel-in' : 'wheel-out', ...pointIn(frame, event) });
  }, { passive: false });
  doc.addEventListener('dblclick', (event) => {
    const frame = frameOf(event.target);
    if (!frame) return;
    event.preventDefault();
    act(doc, frame.closest('[data-viewer]'), { action: 'toggle-zoom', ...pointIn(frame, event) });
  });
  installDrag(doc);
  doc.addEventListener('fullscreenchange', () => {
    for (const pane of doc.querySelectorAll('[data-viewer]')) {
      const on = doc.fullscreenElement === pane;
      pane.toggleAttribute('data-fullscreen', on);
      const button = pane.querySelector('[data-viewer-action="fullscreen"]');
      if (button) {
        const label = on ? 'Exit full screen' : `Full screen: ${pane.dataset.viewerName ?? 'image'}`;
        button.setAttribute('aria-label', label);
        button.setAttribute('title', on ? 'Exit full screen (F or Esc)' : 'Full screen (F)');
      }
      render(pane);
    }
  });
  // Layout changes (full screen, window size) move the limits of the pan.
  doc.defaultView?.addEventListener('resize', () => {
    for (const pane of doc.querySelectorAll('[data-viewer]')) render(pane);
  });
  // An image's natural size arrives with it; load does not bubble, so listen while capturing.
  doc.addEventListener('load', (event) => {
    const pane = event.target instanceof HTMLImageElement ? event.target.closest('[data-viewer]') : null;
    if (pane) render(pane);
  }, true);
}

function armPane(doc, pane) {
  if (pane.dataset.viewerArmed) return;
  pane.dataset.viewerArmed = 'true';
  const frame = pane.querySelector('[data-viewer-frame]');
  frame?.setAttribute('tabindex', '0');
  pane.querySelector('[data-viewer-tools]')?.removeAttribute('hidden');
  const full = pane.querySelector('[data-viewer-action="fullscreen"]');
  if (full && !(doc.fullscreenEnabled && typeof pane.requestFullscreen === 'function')) full.hidden = true;
  pane.querySelector('[data-viewer-frame] img')?.setAttribute('draggable', 'false');
  pane.closest('.card')?.querySelector('[data-viewer-link-label]')?.removeAttribute('hidden');
  write(pane, readState(pane));
}

function frameOf(target) {
  return target instanceof Element ? target.closest('[data-viewer] [data-viewer-frame]') : null;
}

/** pointIn is the event's position relative to the frame's centre. */
function pointIn(frame, event) {
  const r = frame.getBoundingClientRect();
  return { px: event.clientX - (r.left + r.width / 2), py: event.clientY - (r.top + r.height / 2) };
}

function act(doc, pane, a) {
  if (a.action === 'fullscreen') {
    toggleFullscreen(doc, pane);
    return;
  }
  for (const p of linked(pane)) write(p, step(readState(p), a));
}

/** linked is the panes an action on pane applies to: its group's, while linked, else itself. */
function linked(pane) {
  const group = pane.closest('[data-viewer-group]');
  const toggle = group?.parentElement?.closest('.card, body')?.querySelector('input[data-viewer-link]');
  if (!group || !(toggle instanceof HTMLInputElement) || !toggle.checked) return [pane];
  return [...group.querySelectorAll('[data-viewer]')];
}

function toggleFullscreen(doc, pane) {
  if (doc.fullscreenElement === pane) {
    doc.exitFullscreen?.().catch(() => {});
    return;
  }
  if (typeof pane.requestFullscreen !== 'function') return;
  pane.dataset.fullscreenRequested = 'true';
  pane.requestFullscreen().then(
    () => pane.querySelector('[data-viewer-frame]')?.focus(),
    () => { pane.dataset.fullscreenRequested = 'refused'; },
  );
}

function readState(pane) {
  const num = (name, fallback) => {
    const v = Number.parseFloat(pane.dataset[name] ?? '');
    return Number.isFinite(v) ? v : fallback;
  };
  return { zoom: clampZoom(num('zoom', 1)), angle: num('angle', 0), x: num('panX', 0), y: num('panY', 0) };
}

function measure(pane) {
  const frame = pane.querySelector('[data-viewer-frame]');
  const img = frame?.querySelector('img');
  if (!frame || !img) return null;
  const box = { width: frame.clientWidth, height: frame.clientHeight };
  return { img, frame: box, content: containedSize({ width: img.naturalWidth, height: img.naturalHeight }, box) };
}

function write(pane, state) {
  const m = measure(pane);
  const s = m ? clampPan(state, m.content, m.frame) : state;
  pane.dataset.zoom = String(s.zoom);
  pane.dataset.angle = String(s.angle);
  pane.dataset.rotate = String(normalizeAngle(s.angle));
  pane.dataset.panX = String(s.x);
  pane.dataset.panY = String(s.y);
  pane.toggleAttribute('data-zoomed', s.zoom > MIN_ZOOM);
  const out = pane.querySelector('[data-viewer-zoom]');
  if (out) out.textContent = zoomLabel(s.zoom);
  for (const [action, disabled] of [['zoom-in', s.zoom >= MAX_ZOOM], ['zoom-out', s.zoom <= MIN_ZOOM]]) {
    const b = pane.querySelector(`[data-viewer-action="${action}"]`);
    if (b) b.disabled = disabled;
  }
  if (m) m.img.style.transform = transformFor(s, m.content, m.frame);
}

function render(pane) {
  write(pane, readState(pane));
}

function pannable(pane) {
  const m = measure(pane);
  if (!m) return false;
  const lim = panLimits(readState(pane), m.content, m.frame);
  return lim.x > 0 || lim.y > 0;
}

function installDrag(doc) {
  let drag = null;
  doc.addEventListener('pointerdown', (event) => {
    const frame = frameOf(event.target);
    if (!frame || event.button !== 0 || !event.isPrimary) return;
    const pane = frame.closest('[data-viewer]');
    if (!pannable(pane)) return;
    const starts = linked(pane).map((p) => ({ pane: p, ...readState(p) }));
    drag = { pane, frame, id: event.pointerId, sx: event.clientX, sy: event.clientY, starts };
    frame.setPointerCapture?.(event.pointerId);
    pane.setAttribute('data-dragging', '');
    event.preventDefault();
    frame.focus({ preventScroll: true });
  });
  doc.addEventListener('pointermove', (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    for (const st of drag.starts) {
      const s = readState(st.pane);
      write(st.pane, { ...s, x: st.x + event.clientX - drag.sx, y: st.y + event.clientY - drag.sy });
    }
  });
  const end = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag.pane.removeAttribute('data-dragging');
    drag.frame.releasePointerCapture?.(event.pointerId);
    drag = null;
  };
  doc.addEventListener('pointerup', end);
  doc.addEventListener('pointercancel', end);
}
