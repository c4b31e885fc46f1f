// Tests for viewer.js's state math: run with `npm test` (node --test). The DOM glue is driven
// in Chromium by e2e/viewer_test.go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_ZOOM, MIN_ZOOM, ZOOM_STEP,
  clampPan, clampZoom, containedSize, fitScale, initialState, keyAction, nextZoom, normalizeAngle, panLimits,
  step, transformFor, zoomAt, zoomLabel,
} from './viewer.js';

const frame = { width: 400, height: 300 };

describe('zoom', () => {
  it('clamps to 1×–8× and survives junk', () => {
    for (const [in_, want] of [[0.5, MIN_ZOOM], [1, 1], [2.5, 2.5], [9, MAX_ZOOM], [NaN, MIN_ZOOM], [Infinity, MIN_ZOOM], [1.0000001, 1]]) {
      assert.equal(clampZoom(in_), want, `clampZoom(${in_})`);
    }
  });
  it('steps in and out and stops at the ends', () => {
    let s = initialState();
    s = step(s, { action: 'zoom-in' });
    assert.equal(s.zoom, ZOOM_STEP);
    s = step(s, { action: 'zoom-out' });
    assert.equal(s.zoom, 1);
    s = step(s, { action: 'zoom-out' });
    assert.equal(s.zoom, MIN_ZOOM);
    for (let i = 0; i < 20; i++) s = step(s, { action: 'zoom-in' });
    assert.equal(s.zoom, MAX_ZOOM);
  });
  it('steps along one ladder, whatever zoom the wheel left', () => {
    const ins = [];
    let z = 1;
    for (let i = 0; i < 10; i++) ins.push(z = nextZoom(z, +1));
    assert.deepEqual(ins, [1.25, 1.563, 1.953, 2.441, 3.052, 3.815, 4.768, 5.96, 7.451, 8]);
    assert.equal(nextZoom(1.953, -1), 1.563);
    assert.equal(nextZoom(1.7, +1), 1.953);
    assert.equal(nextZoom(1.7, -1), 1.563);
    assert.equal(nextZoom(8, -1), 7.451);
    assert.equal(nextZoom(1.1, -1), 1);
  });
  it('labels as a percentage', () => {
    assert.equal(zoomLabel(1), '100%');
    assert.equal(zoomLabel(1.5), '150%');
    assert.equal(zoomLabel(1.953125), '195%');
    assert.equal(zoomLabel(20), '800%');
  });
  it('keeps the point under the pointer in place', () => {
    const s = zoomAt({ zoom: 1, angle: 0, x: 0, y: 0 }, 2, 100, -50);
    // The point 100px right of the centre was at 100 and must stay there: 100 - (100 - 0) × 2.
    assert.deepEqual(s, { zoom: 2, angle: 0, x: -100, y: 50 });
    const back = zoomAt(s, 1, 100, -50);
    assert.deepEqual(back, { zoom: 1, angle: 0, x: 0, y: 0 }, 'back at 1× the pan is cleared');
  });
  it('toggles with a double click', () => {
    const zoomed = step(initialState(), { action: 'toggle-zoom', px: 0, py: 0 });
    assert.equal(zoomed.zoom, 2.5);
    assert.deepEqual(step({ ...zoomed, x: 30 }, { action: 'toggle-zoom' }), initialState());
  });
});

describe('rotate', () => {
  it('turns by quarters and normalises for display', () => {
    let s = initialState();
    const seen = [];
    for (let i = 0; i < 5; i++) {
      s = step(s, { action: 'rotate' });
      seen.push(normalizeAngle(s.angle));
    }
    assert.deepEqual(seen, [90, 180, 270, 0, 90]);
    assert.equal(s.angle, 450, 'the CSS angle keeps counting, so the image never spins back');
    assert.equal(normalizeAngle(step(initialState(), { action: 'rotate-back' }).angle), 270);
  });
  it('clears the pan, and reset clears everything', () => {
    const s = step({ zoom: 3, angle: 0, x: 40, y: -20 }, { action: 'rotate' });
    assert.deepEqual(s, { zoom: 3, angle: 90, x: 0, y: 0 });
    assert.deepEqual(step(s, { action: 'reset' }), initialState());
  });
  it('fits a quarter-turned image inside the frame', () => {
    const content = containedSize({ width: 800, height: 600 }, frame); // fills the 4:3 frame
    assert.deepEqual(content, { width: 400, height: 300 });
    assert.equal(fitScale(content, frame, 0), 1);
    assert.equal(fitScale(content, frame, 180), 1);
    // Upright it is 300 wide and 400 high: scale 0.75 to fit 300 high.
    assert.equal(fitScale(content, frame, 90), 0.75);
    assert.equal(fitScale(content, frame, -90), 0.75);
    // A portrait selfie (3:4) is pillarboxed, then turned it fits the width: 225×300 → 300×225.
    const selfie = containedSize({ width: 600, height: 800 }, frame);
    assert.deepEqual(selfie, { width: 225, height: 300 });
    assert.equal(fitScale(selfie, frame, 90), 4 / 3);
  });
  it('treats an image not loaded yet as filling the frame', () => {
    assert.deepEqual(containedSize({ width: 0, height: 0 }, frame), frame);
  });
});

describe('pan', () => {
  const content = { width: 400, height: 300 };
  it('has nowhere to go at 1×', () => {
    assert.deepEqual(panLimits(initialState(), content, frame), { x: 0, y: 0 });
    assert.deepEqual(clampPan({ zoom: 1, angle: 0, x: 50, y: 50 }, content, frame), initialState());
  });
  it('may move half the overflow each way', () => {
    const s = { zoom: 2, angle: 0, x: 0, y: 0 };
    assert.deepEqual(panLimits(s, content, frame), { x: 200, y: 150 });
    assert.deepEqual(clampPan({ ...s, x: 999, y: -999 }, content, frame), { ...s, x: 200, y: -150 });
    assert.deepEqual(clampPan({ ...s, x: -12.34, y: 5 }, content, frame), { ...s, x: -12.3, y: 5 });
  });
  it('swaps the axes of a quarter-turned image', () => {
    // Turned and fitted: 225×300 on screen; at 2× 450×600 → overflow 50 and 300.
    const s = { zoom: 2, angle: 90, x: 0, y: 0 };
    assert.deepEqual(panLimits(s, content, frame), { x: 25, y: 150 });
  });
  it('only pans a narrow image along the axis that overflows', () => {
    const selfie = { width: 225, height: 300 };
    assert.deepEqual(panLimits({ zoom: 1.5, angle: 0, x: 0, y: 0 }, selfie, frame), { x: 0, y: 75 });
  });
  it('moves by arrow steps', () => {
    assert.deepEqual(step(initialState(), { action: 'pan', dx: 40, dy: -40 }), { zoom: 1, angle: 0, x: 40, y: -40 });
  });
});

describe('keys', () => {
  const cases = [
    ['+', 'zoom-in'], ['=', 'zoom-in'], ['-', 'zoom-out'], ['_', 'zoom-out'], ['0', 'reset'],
    ['r', 'rotate'], ['R', 'rotate-back'], ['f', 'fullscreen'], ['F', 'fullscreen'],
  ];
  for (const [key, action] of cases) {
    it(`${key} → ${action}`, () => assert.deepEqual(keyAction({ key }), { action }));
  }
  it('arrows move the view, so the image moves the other way', () => {
    assert.deepEqual(keyAction({ key: 'ArrowLeft' }), { action: 'pan', dx: 40, dy: 0 });
    assert.deepEqual(keyAction({ key: 'ArrowRight' }), { action: 'pan', dx: -40, dy: 0 });
    assert.deepEqual(keyAction({ key: 'ArrowUp' }), { action: 'pan', dx: 0, dy: 40 });
    assert.deepEqual(keyAction({ key: 'ArrowDown', shiftKey: true }), { action: 'pan', dx: 0, dy: -120 });
  });
  it('leaves other and modified keys to the page', () => {
    for (const e of [{ key: 'a' }, { key: 'Tab' }, { key: 'Escape' }, { key: ' ' }, { key: '+', ctrlKey: true },
      { key: '-', metaKey: true }, { key: 'r', altKey: true }, { key: '0', ctrlKey: true }]) {
      assert.equal(keyAction(e), null, JSON.stringify(e));
    }
  });
});

describe('transform', () => {
  it('moves, turns and scales', () => {
    const content = { width: 400, height: 300 };
    assert.equal(transformFor(initialState(), content, frame), 'translate(0px, 0px) rotate(0deg) scale(1)');
    assert.equal(transformFor({ zoom: 2, angle: 90, x: 10, y: -5 }, content, frame),
      'translate(10px, -5px) rotate(90deg) scale(1.5)');
  });
});
