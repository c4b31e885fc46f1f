// Datastar v1 → v1.0.0-beta.11 event adapter.
//
// Why this exists: the server speaks Datastar v1 over SSE (github.com/starfederation/datastar-go
// v1.2.2 sends `datastar-patch-elements` and `datastar-patch-signals`), but the only browser
// client we can install from npm is @starfederation/datastar@1.0.0-beta.11, whose watchers
// understand the older `datastar-merge-fragments`, `datastar-merge-signals`,
// `datastar-remove-fragments`, `datastar-remove-signals` and `datastar-execute-script`.
//
// How beta.11 delivers events (dist/plugins/official/backend/actions/sse.js and shared.js):
// the SSE action reads every `data:` line of an event named `datastar-*`, splits each line at
// its first space into key and value, joins repeated keys with "\n", and dispatches
//
//     document.dispatchEvent(new CustomEvent('datastar-sse',
//         { detail: { type: <SSE event name>, elId, argsRaw: { key: value, … } } }))
//
// Each watcher plugin listens for `datastar-sse` on document and reacts to its own `type`.
// So the adapter is two more watchers, one per v1 event name. They translate the v1 argsRaw
// into zero or more beta.11 events with the pure functions below and re-dispatch them on the
// same channel, where beta.11's own watchers apply them. Events beta.11 already understands
// pass untouched.
//
// Everything above the "Browser glue" section is pure (strings in, plain objects out) so
// `node --test` covers the whole translation without a DOM.
//
// v1 `datastar-patch-elements` → beta.11 (datastar-go defaults: mode outer, no selector,
// useViewTransition false):
//
//   v1 mode   beta.11 event(s)                        notes
//   outer     merge-fragments mergeMode=morph         both morph (idiomorph). No selector: one
//                                                     event per top-level element, targeting
//                                                     its id (escaped).
//   replace   merge-fragments mergeMode=outer         both use replaceWith, no morph.
//   inner     merge-fragments mergeMode=inner         beta.11 replaces innerHTML per element, so
//             (+ mergeMode=append for elements 2…n)   extra elements are appended; empty
//                                                     content clears the element children.
//   append    merge-fragments mergeMode=append        order kept.
//   before    merge-fragments mergeMode=before        order kept.
//   prepend   merge-fragments mergeMode=prepend       elements sent reversed: beta.11 inserts
//   after     merge-fragments mergeMode=after         them one at a time, which would reverse them.
//   remove    remove-fragments                        selector, or the ids of the elements sent.
//   any mode, top-level <script> elements             execute-script (see "Scripts and nonces").
//
// v1 `datastar-patch-signals` → merge-signals for the values, remove-signals for the paths
// whose value is null (v1 deletes a signal patched to null; beta.11 would store null).
//
// Scripts and nonces: datastar-go's ExecuteScript (and Redirect, ConsoleLog, DispatchCustomEvent,
// ReplaceURL, Prefetch) is a patch-elements event appending `<script …>code</script>` to body,
// with `data-effect="el.remove()"` unless auto-remove was turned off. v1 clients re-create such
// scripts so they run; beta.11 parses fragments through a <template>, where scripts never run,
// and has no `data-effect` attribute. So every top-level <script> becomes an execute-script
// event: its text, its attributes minus `data-effect` and `nonce`, autoRemove=true exactly when
// `data-effect="el.remove()"` was present, and `nonce <page nonce>`. The console's CSP is
// `script-src 'self' 'nonce-…' 'unsafe-eval'` with no 'unsafe-inline', so an inline script
// runs only when it carries the nonce of the *page* (the SSE response's own CSP header does
// not govern the document). The glue reads that nonce from the `nonce` IDL property of the
// first `<script nonce>` in the document (browsers blank the attribute once CSP applies, but the
// property keeps it) - the layout renders the bundle's own <script> tag with nonce={ctx nonce}.
// Any nonce the server put on the script element is discarded: it would belong to the SSE
// response, not the page. Elements run after the DOM part of the same event is applied, like v1.

import { cssEscape, splitTopLevel } from './html.js';

// ---------------------------------------------------------------------------------------------
// Event names and constants (values copied from beta.11 dist/engine/consts.js and
// dist/plugins/official/backend/shared.js; adapter.test.js checks them against the package).

/** Name of the CustomEvent beta.11's SSE action dispatches on document for every SSE event. */
export const SSE_CHANNEL = 'datastar-sse';

/** Event types datastar-go v1.2.2 sends. */
export const V1 = Object.freeze({
  PatchElements: 'datastar-patch-elements',
  PatchSignals: 'datastar-patch-signals',
});

/** Event types beta.11's watchers handle. */
export const B11 = Object.freeze({
  MergeFragments: 'datastar-merge-fragments',
  MergeSignals: 'datastar-merge-signals',
  RemoveFragments: 'datastar-remove-fragments',
  RemoveSignals: 'datastar-remove-signals',
  ExecuteScript: 'datastar-execute-script',
});

/** The v1 element patch modes (datastar-go ElementPatchMode) and their beta.11 merge modes. */
export const MODE_MAP = Object.freeze({
  outer: 'morph',
  replace: 'outer',
  inner: 'inner',
  prepend: 'prepend',
  append: 'append',
  before: 'before',
  after: 'after',
  remove: null, // becomes a remove-fragments event
});

// datastar-go writes `data-effect="el.remove()"` on scripts that should remove themselves.
const AUTO_REMOVE_EFFECT = 'el.remove()';

// Modes whose beta.11 implementation inserts elements one by one at a fixed point, reversing
// a multi-element payload; the adapter sends such payloads in reverse to keep v1's order.
const REVERSED_MODES = new Set(['prepend', 'after']);

// ---------------------------------------------------------------------------------------------
// Translation (pure).

/**
 * @typedef {{type: string, argsRaw: Record<string, string>}} DatastarEvent
 * @typedef {{events: DatastarEvent[], warnings: string[], handled: boolean}} Translation
 */

/**
 * Translates one SSE event. Events that are not v1 events come back with `handled: false` and
 * no events; the caller leaves them to beta.11.
 * @param {string} type  the SSE event name
 * @param {Record<string, string>} argsRaw  as beta.11's SSE action parsed it
 * @param {{nonce?: string}} [options]  nonce: the page's CSP nonce, put on executed scripts
 * @returns {Translation}
 */
export function translate(type, argsRaw, options = {}) {
  switch (type) {
    case V1.PatchElements:
      return { handled: true, ...translatePatchElements(argsRaw, options) };
    case V1.PatchSignals:
      return { handled: true, ...translatePatchSignals(argsRaw) };
    default:
      return { handled: false, events: [], warnings: [] };
  }
}

/**
 * Translates the argsRaw of a v1 `datastar-patch-elements` event (keys `selector`, `mode`,
 * `namespace`, `useViewTransition`, `viewTransitionSelector`, `elements`).
 * @param {Record<string, string>} argsRaw
 * @param {{nonce?: string}} [options]
 * @returns {{events: DatastarEvent[], warnings: string[]}}
 */
export function translatePatchElements(argsRaw, options = {}) {
  const selector = (argsRaw.selector ?? '').trim();
  const mode = (argsRaw.mode ?? 'outer').trim() || 'outer';
  const elements = argsRaw.elements ?? '';
  const viewTransition = (argsRaw.useViewTransition ?? '').trim() === 'true';
  const events = [];
  const warnings = [];

  if (!Object.hasOwn(MODE_MAP, mode)) {
    return { events, warnings: [`unknown patch mode "${mode}"; event ignored`] };
  }
  const namespace = (argsRaw.namespace ?? 'html').trim();
  if (namespace !== 'html' && namespace !== '') {
    warnings.push(`namespace "${namespace}" is not supported by beta.11; elements are parsed as HTML`);
  }

  const split = splitTopLevel(elements);
  if (!split.balanced) {
    // Cannot split safely: hand the payload to beta.11 as one piece, without reordering or
    // script extraction. Templ output always balances, so this means hand-written HTML.
    warnings.push('elements are not balanced HTML; passed through without splitting');
    if (mode === 'remove') {
      if (selector) events.push(removeEvent(selector, viewTransition));
      return { events, warnings };
    }
    events.push(mergeEvent(elements, selector, MODE_MAP[mode], viewTransition));
    return { events, warnings };
  }

  const scripts = [];
  const others = [];
  for (const node of split.nodes) {
    if (node.kind === 'element' && node.tag === 'script') scripts.push(node);
    else if (node.kind === 'element') others.push(node);
    else if (node.kind === 'text' && node.html.trim() !== '') {
      warnings.push('top-level text is dropped (beta.11 merges elements only)');
    }
  }

  if (mode === 'remove') {
    events.push(...translateRemove(selector, others, viewTransition, warnings));
  } else {
    events.push(...translateMerge(selector, mode, others, viewTransition, warnings));
  }
  for (const script of scripts) {
    const ev = scriptEvent(script, options.nonce, warnings);
    if (ev) events.push(ev);
  }
  return { events, warnings };
}

function translateRemove(selector, elements, viewTransition, warnings) {
  if (selector) return [removeEvent(selector, viewTransition)];
  const ids = elements.map(idOf).filter((id) => id !== '');
  if (ids.length < elements.length) warnings.push('remove: elements without an id are ignored');
  if (ids.length === 0) {
    warnings.push('remove needs a selector or elements with ids; event ignored');
    return [];
  }
  return [removeEvent(ids.map((id) => `#${cssEscape(id)}`).join(', '), viewTransition)];
}

function translateMerge(selector, mode, elements, viewTransition, warnings) {
  const mergeMode = MODE_MAP[mode];
  if (!selector) {
    // v1 without a selector: outer and replace patch each element onto the element with its id.
    if (mode !== 'outer' && mode !== 'replace') {
      if (elements.length > 0) warnings.push(`mode "${mode}" needs a selector; event ignored`);
      return [];
    }
    const out = [];
    for (const el of elements) {
      const id = idOf(el);
      if (id === '') {
        warnings.push(`<${el.tag}> has no id and no selector was given; element ignored`);
        continue;
      }
      out.push(mergeEvent(el.html, `#${cssEscape(id)}`, mergeMode, viewTransition));
    }
    return out;
  }

  if (elements.length === 0) {
    // Only `inner` has a meaning with nothing to insert: it empties the target.
    if (mode === 'inner') return [removeEvent(`:is(${selector}) > *`, viewTransition)];
    return [];
  }
  if (mode === 'outer' || mode === 'replace') {
    if (elements.length > 1) {
      warnings.push(`mode "${mode}" with a selector takes one element; extra elements ignored`);
    }
    return [mergeEvent(elements[0].html, selector, mergeMode, viewTransition)];
  }
  if (mode === 'inner') {
    // beta.11 sets innerHTML once per element, so the last would win; append the rest instead.
    const out = [mergeEvent(elements[0].html, selector, 'inner', viewTransition)];
    if (elements.length > 1) {
      out.push(mergeEvent(joinHTML(elements.slice(1)), selector, 'append', viewTransition));
    }
    return out;
  }
  const ordered = REVERSED_MODES.has(mode) ? [...elements].reverse() : elements;
  return [mergeEvent(joinHTML(ordered), selector, mergeMode, viewTransition)];
}

function scriptEvent(node, nonce, warnings) {
  if (node.text.trim() === '') return null; // beta.11 rejects empty scripts; nothing to run
  const lines = [];
  let autoRemove = false;
  let hasType = false;
  for (const [name, value] of node.attrs) {
    if (name === 'data-effect') {
      if (value.trim() === AUTO_REMOVE_EFFECT) autoRemove = true;
      else warnings.push(`script data-effect="${value}" is not supported; dropped`);
      continue;
    }
    if (name === 'nonce') continue; // the page's nonce is the one that counts
    if (name === 'type') hasType = true;
    // beta.11 reads one `name value` pair per line, splitting at the first space.
    lines.push(`${name} ${value.replace(/[\r\n]+/g, ' ')}`);
  }
  // Without a type beta.11 would default to `type module`; v1 scripts are classic scripts.
  if (!hasType) lines.unshift('type text/javascript');
  if (nonce) lines.push(`nonce ${nonce}`);
  return {
    type: B11.ExecuteScript,
    argsRaw: { script: node.text, attributes: lines.join('\n'), autoRemove: String(autoRemove) },
  };
}

function mergeEvent(fragments, selector, mergeMode, viewTransition) {
  const argsRaw = { fragments, mergeMode };
  if (selector) argsRaw.selector = selector;
  if (viewTransition) argsRaw.useViewTransition = 'true';
  return { type: B11.MergeFragments, argsRaw };
}

function removeEvent(selector, viewTransition) {
  const argsRaw = { selector };
  if (viewTransition) argsRaw.useViewTransition = 'true';
  return { type: B11.RemoveFragments, argsRaw };
}

function idOf(node) {
  const attr = node.attrs.find(([n]) => n === 'id');
  return attr ? attr[1] : '';
}

function joinHTML(nodes) {
  return nodes.map((n) => n.html).join('\n');
}

/**
 * Translates the argsRaw of a v1 `datastar-patch-signals` event (keys `signals` (JSON, possibly
 * spread over several lines) and `onlyIfMissing`). Values go to merge-signals; paths patched to
 * null go to remove-signals, because v1 deletes them. With onlyIfMissing there is nothing to
 * delete, so nulls are dropped.
 * @param {Record<string, string>} argsRaw
 * @returns {{events: DatastarEvent[], warnings: string[]}}
 */
export function translatePatchSignals(argsRaw) {
  const onlyIfMissing = (argsRaw.onlyIfMissing ?? '').trim() === 'true';
  let patch;
  try {
    patch = JSON.parse(argsRaw.signals ?? '{}');
  } catch (err) {
    return { events: [], warnings: [`signals are not valid JSON (${err.message}); event ignored`] };
  }
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    return { events: [], warnings: ['signals must be a JSON object; event ignored'] };
  }
  const removals = [];
  const values = splitNulls(patch, '', removals);
  const events = [];
  if (Object.keys(values).length > 0) {
    const args = { signals: JSON.stringify(values) };
    if (onlyIfMissing) args.onlyIfMissing = 'true';
    events.push({ type: B11.MergeSignals, argsRaw: args });
  }
  if (removals.length > 0 && !onlyIfMissing) {
    events.push({ type: B11.RemoveSignals, argsRaw: { paths: removals.join('\n') } });
  }
  return { events, warnings: [] };
}

// Returns a copy of obj without null leaves, collecting their dotted paths.
function splitNulls(obj, prefix, removals) {
  const out = {};
  for (const [key, value] of Object.entries(obj)) {
    if (key === '__proto__') continue; // beta.11 evaluates the JSON as a JS object literal
    const path = prefix + key;
    if (value === null) {
      removals.push(path);
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      const nested = splitNulls(value, `${path}.`, removals);
      if (Object.keys(nested).length > 0 || Object.keys(value).length === 0) out[key] = nested;
    } else {
      out[key] = value;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSRF header for Datastar requests.

/** Name of the request header carrying the per-session CSRF token. */
export const CSRF_HEADER = 'X-CSRF-Token';

/**
 * The headers to add to a Datastar request: the CSRF token, only for same-origin URLs so that
 * an @get('https://elsewhere') could never leak it.
 * @param {string} url  as written in the action, relative or absolute
 * @param {{origin: string, token: string}} page  location.origin and the meta tag's token
 * @returns {Record<string, string>}
 */
export function csrfHeadersFor(url, { origin, token }) {
  if (!token) return {};
  let target;
  try {
    target = new URL(url, origin);
  } catch {
    return {};
  }
  return target.origin === origin ? { [CSRF_HEADER]: token } : {};
}

/**
 * Wraps a beta.11 action plugin (GET, POST, PUT, PATCH, DELETE) so that every request it makes
 * carries the headers `extraHeaders(url)` returns. Headers written in the expression itself
 * (`@post('/x', {headers: {…}})`) win over them.
 * @param {{type: number, name: string, fn: Function}} action
 * @param {(url: string) => Record<string, string>} extraHeaders
 */
export function withHeaders(action, extraHeaders) {
  return {
    ...action,
    fn: (ctx, url, args = {}) => action.fn(ctx, url, {
      ...args,
      headers: { ...extraHeaders(url), ...(args.headers ?? {}) },
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser glue: the watcher plugins. Only these touch `document`, and only when Datastar
// calls onGlobalInit.

const WATCHER = 2; // beta.11 PluginType.Watcher

/**
 * Returns the beta.11 watcher plugins that translate v1 events. Load them with Datastar's
 * `load()` alongside beta.11's own MergeFragments, MergeSignals, RemoveFragments,
 * RemoveSignals and ExecuteScript watchers, which apply the translated events.
 * @param {{doc?: Document, log?: Pick<Console, 'warn'>}} [deps]
 */
export function v1EventWatchers({ doc = globalThis.document, log = console } = {}) {
  let nonce;
  const pageNonce = () => {
    if (nonce === undefined) {
      // The nonce IDL property survives the attribute being hidden by CSP.
      nonce = doc.querySelector('script[nonce]')?.nonce || '';
      if (!nonce) log.warn('[hive-datastar] no <script nonce> on the page; executed scripts carry no nonce');
    }
    return nonce;
  };
  const handle = (type) => (event) => {
    if (event.detail?.type !== type) return;
    const { elId, argsRaw = {} } = event.detail;
    const result = translate(type, argsRaw, { nonce: type === V1.PatchElements ? pageNonce() : '' });
    for (const warning of result.warnings) log.warn(`[hive-datastar] ${type}: ${warning}`);
    for (const out of result.events) {
      // beta.11 throws on a merge with no target; v1 warns and carries on, and so do we.
      if (out.type === B11.MergeFragments && out.argsRaw.selector
        && !matchesAny(doc, out.argsRaw.selector)) {
        log.warn(`[hive-datastar] ${type}: no element matches ${out.argsRaw.selector}`);
        continue;
      }
      doc.dispatchEvent(new CustomEvent(SSE_CHANNEL, { detail: { type: out.type, elId, argsRaw: out.argsRaw } }));
    }
  };
  return [V1.PatchElements, V1.PatchSignals].map((name) => ({
    type: WATCHER,
    name,
    onGlobalInit: () => doc.addEventListener(SSE_CHANNEL, handle(name)),
  }));
}

function matchesAny(doc, selector) {
  try {
    return doc.querySelector(selector) !== null;
  } catch {
    return false; // an invalid selector matches nothing (beta.11 would throw)
  }
}
