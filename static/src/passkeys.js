// Passkeys (WebAuthn) on the sign-in page, the code page and the Security page.
//
//   <form data-passkey="sign-in" method="post" action="/login/passkey/begin" hidden>
//     <input type="hidden" name="csrf_token" …> [<input type="hidden" name="next" …>]
//     <button type="submit">…</button> <p data-passkey-error role="alert" hidden></p>
//   </form>
//   <form data-passkey="register" method="post" action="/account/passkeys/begin" hidden>
//     csrf_token, name, current_password, the same error paragraph and button
//   </form>
//   <p data-passkey-fallback>…</p>  says passkeys need a browser that has them; removed where they work.
//
// The forms are shown only in a browser with WebAuthn. Submitting one is a ceremony in two requests:
// the form is posted to its action (Accept: application/json) for the options; the browser asks
// the authenticator (navigator.credentials.create or .get); what it returns is posted as JSON to the
// action without "/begin", with the form's token in X-CSRF-Token. {"redirect": "/…"} is followed;
// {"error": "…"} is shown in the form's alert, and the form stays as typed.

/** @param {string} s base64url, padded or not */
export function fromBase64url(s) {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** @param {ArrayBuffer|ArrayBufferView} buf */
export function toBase64url(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const withIds = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64url(c.id) }));

/**
 * The options for navigator.credentials.create from the server's JSON, by the browser's own parser
 * where it has one.
 */
export function creationOptions(json, PKC) {
  if (typeof PKC?.parseCreationOptionsFromJSON === 'function') return PKC.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  };
}

/** The options for navigator.credentials.get from the server's JSON. */
export function requestOptions(json, PKC) {
  if (typeof PKC?.parseRequestOptionsFromJSON === 'function') return PKC.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromBase64url(json.challenge), allowCredentials: withIds(json.allowCredentials) };
}

/** The JSON the server reads of what navigator.credentials returned. */
export function credentialJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  const response = { clientDataJSON: toBase64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64url(r.attestationObject);
    if (typeof r.getTransports === 'function') response.transports = r.getTransports();
  }
  if (r.authenticatorData) response.authenticatorData = toBase64url(r.authenticatorData);
  if (r.signature) response.signature = toBase64url(r.signature);
  if (r.userHandle) response.userHandle = toBase64url(r.userHandle);
  return {
    id: cred.id,
    rawId: toBase64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment ?? undefined,
    clientExtensionResults: typeof cred.getClientExtensionResults === 'function' ? cred.getClientExtensionResults() : {},
    response,
  };
}

/** What to tell the user when the browser's passkey prompt fails. */
export function refusal(error, kind) {
  switch (error?.name) {
    case 'NotAllowedError':
      return kind === 'register'
        ? 'No passkey was added: the browser\u2019s prompt was closed or timed out.'
        : 'No passkey was used: the browser\u2019s prompt was closed or timed out.';
    case 'InvalidStateError':
      return 'This device already holds a passkey for your account.';
    case 'SecurityError':
      return 'The browser does not offer passkeys at this address.';
    default:
      return 'The browser could not use a passkey. Try again, or use another way to sign in.';
  }
}

async function answerOf(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

async function ceremony(form, win) {
  const kind = form.dataset.passkey;
  const alert = form.querySelector('[data-passkey-error]');
  const button = form.querySelector('button[type="submit"]');
  const show = (message) => {
    if (!alert) return;
    alert.textContent = message;
    alert.hidden = message === '';
  };
  show('');
  if (button) button.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    const body = new URLSearchParams(new FormData(form));
    const begin = await win.fetch(form.action, {
      method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' },
    });
    const options = await answerOf(begin);
    if (!begin.ok || !options.publicKey) {
      show(options.error ?? 'Something went wrong. Reload the page and try again.');
      return;
    }
    const PKC = win.PublicKeyCredential;
    let cred;
    try {
      cred = kind === 'register'
        ? await win.navigator.credentials.create({ publicKey: creationOptions(options.publicKey, PKC) })
        : await win.navigator.credentials.get({ publicKey: requestOptions(options.publicKey, PKC) });
    } catch (error) {
      show(refusal(error, kind));
      return;
    }
    const finish = await win.fetch(form.action.replace(/\/begin$/, ''), {
      method: 'POST',
      body: JSON.stringify(credentialJSON(cred)),
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json', 'Content-Type': 'application/json',
        'X-CSRF-Token': body.get('csrf_token') ?? '',
      },
    });
    const result = await answerOf(finish);
    if (finish.ok && typeof result.redirect === 'string' && result.redirect.startsWith('/')) {
      win.location.assign(result.redirect);
      return;
    }
    show(result.error ?? 'Something went wrong. Reload the page and try again.');
  } catch {
    show('The console could not be reached. Check the connection and try again.');
  } finally {
    if (button) button.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/**
 * Shows the passkey forms where the browser has WebAuthn and runs their ceremonies. Safe to call
 * once per document.
 * @param {Document} doc
 */
export function installPasskeys(doc, win = window) {
  if (typeof win.PublicKeyCredential !== 'function' || !win.navigator.credentials) return;
  for (const form of doc.querySelectorAll('form[data-passkey]')) form.hidden = false;
  for (const note of doc.querySelectorAll('[data-passkey-fallback]')) note.remove();
  doc.addEventListener('submit', (event) => {
    const form = event.target;
    if (!(form instanceof win.HTMLFormElement) || !form.matches('form[data-passkey]')) return;
    event.preventDefault();
    ceremony(form, win);
  });
}
