// Delegated behaviours that stay out of Datastar expressions, so that API-sourced values
// (ids to copy, names in confirm dialogs) never become code. One listener on the document
// serves elements added later by SSE patches too.
//
//   <button type="button" class="copy" data-copy="cus_123" aria-label="Copy ID">…</button>
//       copies data-copy to the clipboard; sets data-copied on the button for 1.5 s.
//   <button type="button" data-dialog-open="confirm-delete">Delete…</button>
//       calls showModal() on <dialog id="confirm-delete">; the trigger may also be a submit
//       button of a form that leads to a no-JavaScript confirm page: the default is prevented.
//   <button type="button" data-dialog-close>Cancel</button>
//       closes the enclosing <dialog>.
//   <button type="button" data-dismiss>×</button>
//       removes the enclosing [data-dismissible] (flash messages, toasts).
//   <div class="toast" data-dismissible data-autohide="6000">…</div>
//       removed after that many milliseconds unless hovered or focused.
//   A new toast, or an error toast, retires the success messages shown before it (toasts and the
//   page's flash messages): a stale "Saved" never stands beside a later error.
//   <input type="radio" data-shortcut="a"> / <a href="…" data-shortcut="n">
//       pressing the key (no modifier, not while typing in a field) clicks the element; a radio
//       then moves focus to the next field its form still needs (a required select or textarea
//       left empty), so "x" then typing writes the reason's note straight away.
//   <meta name="page-url" content="/checks/123">
//       a page answering a form's POST (a refused decision, a resubmission) names its own address;
//       the address bar is set to it, so a reload shows the page instead of sending the form again.
//   <select data-required-when="decision=reject">
//       required exactly while the form's radio "decision" has the value "reject", so the browser
//       asks for the reason before the form is sent.

const COPIED_MS = 1500;

/**
 * Installs the delegated listeners on doc. Safe to call once per document.
 * @param {Document} doc
 */
export function installBehaviours(doc) {
  doc.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const copy = target.closest('[data-copy]');
    if (copy) {
      copyText(copy);
      return;
    }
    const opener = target.closest('[data-dialog-open]');
    if (opener) {
      const dialog = doc.getElementById(opener.getAttribute('data-dialog-open'));
      if (dialog instanceof HTMLDialogElement) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    const closer = target.closest('[data-dialog-close]');
    if (closer) {
      closer.closest('dialog')?.close();
      return;
    }
    const dismiss = target.closest('[data-dismiss]');
    if (dismiss) dismiss.closest('[data-dismissible]')?.remove();
  });

  doc.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    const t = event.target;
    if (t instanceof Element && t.closest('input, textarea, select, [contenteditable], dialog[open]')) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : '';
    if (!key) return;
    const el = [...doc.querySelectorAll('[data-shortcut]')].find(
      (e) => e.getAttribute('data-shortcut') === key && !e.closest('[hidden]'));
    if (!el) return;
    event.preventDefault();
    el.click();
    if (el instanceof HTMLInputElement && el.type === 'radio' && el.form) {
      const next = [...el.form.querySelectorAll('select, textarea')].find((f) => {
        if (f.id === 'review-reason') return el.value === 'reject' && !f.value;
        return f.required && !f.value.trim();
      });
      (next ?? el).focus();
    }
  });

  const pageURL = doc.querySelector('meta[name="page-url"]')?.getAttribute('content') ?? '';
  const view = doc.defaultView;
  if (pageURL.startsWith('/') && !pageURL.startsWith('//') && view && view.location.pathname !== pageURL) {
    view.history.replaceState(view.history.state, '', pageURL);
  }

  const requireWhen = (form) => {
    for (const el of form.querySelectorAll('[data-required-when]')) {
      const [name, value] = (el.getAttribute('data-required-when') ?? '').split('=');
      const checked = form.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
      el.required = checked?.value === value;
    }
  };
  doc.addEventListener('change', (event) => {
    const form = event.target instanceof Element ? event.target.closest('form') : null;
    if (form) requireWhen(form);
  });

  const arm = (root) => {
    const found = root.matches?.('[data-autohide]') ? [root] : [];
    for (const el of [...found, ...(root.querySelectorAll?.('[data-autohide]') ?? [])]) autohide(el);
  };
  arm(doc.documentElement);
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue;
        arm(node);
        if (node.matches('.toast')) {
          for (const old of doc.querySelectorAll('.toast--success, .flash--success')) if (old !== node) old.remove();
        }
      }
    }
  }).observe(doc.documentElement, { childList: true, subtree: true });
}

function copyText(button) {
  const text = button.getAttribute('data-copy') ?? '';
  navigator.clipboard?.writeText(text).then(() => {
    button.setAttribute('data-copied', '');
    setTimeout(() => button.removeAttribute('data-copied'), COPIED_MS);
  }, () => {});
}

function autohide(el) {
  if (el.dataset.autohideArmed) return;
  el.dataset.autohideArmed = 'true';
  const ms = Number.parseInt(el.getAttribute('data-autohide'), 10) || 6000;
  const tick = () => {
    if (!el.isConnected) return;
    if (el.matches(':hover, :focus-within')) {
      setTimeout(tick, 1000);
      return;
    }
    el.remove();
  };
  setTimeout(tick, ms);
}
