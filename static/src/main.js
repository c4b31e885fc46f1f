// Entry point of the console's browser bundle (built to static/dist/datastar.js).
//
// Loads Datastar 1.0.0-beta.11 with the plugins the console uses, the v1 event adapter
// (adapter.js) and the CSRF header on every Datastar request, then the few delegated
// behaviours (behaviours.js) that must not be Datastar expressions, the image viewer (viewer.js)
// and the passkey ceremonies (passkeys.js).
//
// Global behaviour, for tests and templates:
// - The layout includes <meta name="csrf-token" content="…"> and loads this file as
//   <script type="module" src="{assets.Path("datastar.js")}" nonce="{nonce}"></script>.
// - Every @get/@post/@put/@patch/@delete to a same-origin URL sends `X-CSRF-Token: <meta content>`
//   (read at request time) besides beta.11's own `Datastar-Request: true`.
// - SSE events `datastar-patch-elements` and `datastar-patch-signals` (Datastar v1, as
//   datastar-go sends them) are translated to beta.11 events; beta.11's own event names still work.
// - Scripts sent by datastar-go's ExecuteScript run with the nonce of the page's first
//   <script nonce>; adapter problems are logged with console.warn('[hive-datastar] …').
// - When everything is loaded, <html> gets data-datastar="ready" (wait for it in browser tests).
// - Nothing is added to window.
import { apply, load } from '@starfederation/datastar';
import {
  Attr, Bind, Class, On, Ref, Show, Text,
  Indicator, GET, POST, PUT, PATCH, DELETE,
  MergeFragments, MergeSignals, RemoveFragments, RemoveSignals, ExecuteScript,
  Clipboard, CustomValidity, OnIntersect, OnInterval, OnLoad, OnSignalChange, ReplaceUrl,
  ScrollIntoView, SetAll, ToggleAll,
} from '@starfederation/datastar/plugins';
import { csrfHeadersFor, v1EventWatchers, withHeaders } from './adapter.js';
import { installBehaviours } from './behaviours.js';
import { installPasskeys } from './passkeys.js';
import { installViewer } from './viewer.js';

// Left out on purpose: Persist (would copy signals, possibly PII, into localStorage),
// ViewTransition and OnRaf (unused), Fit (unused).

const csrf = (url) => csrfHeadersFor(url, {
  origin: window.location.origin,
  token: document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '',
});

load(
  // DOM
  Attr, Bind, Class, On, Ref, Show, Text,
  // Backend: requests, with the CSRF header
  Indicator,
  ...[GET, POST, PUT, PATCH, DELETE].map((action) => withHeaders(action, csrf)),
  // Backend: beta.11's watchers, and the v1 → beta.11 translators that feed them
  MergeFragments, MergeSignals, RemoveFragments, RemoveSignals, ExecuteScript,
  ...v1EventWatchers(),
  // Browser
  Clipboard, CustomValidity, OnIntersect, OnInterval, OnLoad, OnSignalChange, ReplaceUrl,
  ScrollIntoView,
  // Logic
  SetAll, ToggleAll,
);
apply();
installBehaviours(document);
installViewer(document);
installPasskeys(document);
// apply() walks the DOM in a microtask; mark readiness after it.
queueMicrotask(() => {
  document.documentElement.dataset.datastar = 'ready';
});
