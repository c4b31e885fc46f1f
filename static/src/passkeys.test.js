// Tests for passkeys.js's conversions between the server's JSON and WebAuthn's buffers, for browsers
// without their own parsers: run with `npm test` (node --test). The ceremonies themselves run in
// Chromium with a virtual authenticator in e2e/passkeys_test.go.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { creationOptions, credentialJSON, fromBase64url, refusal, requestOptions, toBase64url } from './passkeys.js';

const bytes = (buf) => [...new Uint8Array(buf)];

describe('base64url', () => {
  it('round-trips every length and the URL-safe alphabet', () => {
    for (let n = 0; n < 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 53 + 251) & 0xff);
      const s = toBase64url(b);
      assert.doesNotMatch(s, /[+/=]/);
      assert.deepEqual(bytes(fromBase64url(s)), [...b]);
    }
  });
  it('reads padded input too', () => {
    assert.deepEqual(bytes(fromBase64url('-_8=')), [0xfb, 0xff]);
  });
});

describe('options without the browser parsers', () => {
  it('turns the creation options into buffers', () => {
    const o = creationOptions({
      challenge: 'AQID', rp: { id: 'localhost', name: 'Hive Console' },
      user: { id: 'dXNyX2E', name: 'a@example.com', displayName: 'A' },
      pubKeyCredParams: [{ type: 'public-key', alg: -7 }], excludeCredentials: [{ type: 'public-key', id: 'BAU' }],
    }, undefined);
    assert.deepEqual(bytes(o.challenge), [1, 2, 3]);
    assert.equal(new TextDecoder().decode(o.user.id), 'usr_a');
    assert.deepEqual(bytes(o.excludeCredentials[0].id), [4, 5]);
    assert.equal(o.rp.id, 'localhost');
  });
  it('turns the request options into buffers, with no account named', () => {
    const o = requestOptions({ challenge: 'AQID', rpId: 'localhost', userVerification: 'required' }, undefined);
    assert.deepEqual(bytes(o.challenge), [1, 2, 3]);
    assert.deepEqual(o.allowCredentials, []);
    assert.equal(o.userVerification, 'required');
  });
  it('uses the browser parser where there is one', () => {
    const PKC = { parseRequestOptionsFromJSON: (j) => ({ parsed: j.challenge }) };
    assert.deepEqual(requestOptions({ challenge: 'x' }, PKC), { parsed: 'x' });
  });
});

describe('credentialJSON', () => {
  it('encodes an assertion the way toJSON would', () => {
    const cred = {
      id: 'AQI', rawId: new Uint8Array([1, 2]).buffer, type: 'public-key', authenticatorAttachment: 'platform',
      getClientExtensionResults: () => ({}),
      response: {
        clientDataJSON: new Uint8Array([123, 125]).buffer, authenticatorData: new Uint8Array([9]).buffer,
        signature: new Uint8Array([8]).buffer, userHandle: new TextEncoder().encode('usr_a').buffer,
      },
    };
    assert.deepEqual(credentialJSON(cred), {
      id: 'AQI', rawId: 'AQI', type: 'public-key', authenticatorAttachment: 'platform', clientExtensionResults: {},
      response: { clientDataJSON: 'e30', authenticatorData: 'CQ', signature: 'CA', userHandle: 'dXNyX2E' },
    });
  });
  it('prefers the credential own toJSON', () => {
    assert.deepEqual(credentialJSON({ toJSON: () => ({ id: 'x' }) }), { id: 'x' });
  });
});

describe('refusal', () => {
  it('says what happened in words', () => {
    assert.match(refusal({ name: 'NotAllowedError' }, 'register'), /No passkey was added/);
    assert.match(refusal({ name: 'NotAllowedError' }, 'sign-in'), /No passkey was used/);
    assert.match(refusal({ name: 'InvalidStateError' }, 'register'), /already holds a passkey/);
    assert.match(refusal(new Error('x'), 'sign-in'), /could not use a passkey/);
  });
});
