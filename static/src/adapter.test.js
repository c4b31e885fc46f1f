// Tests for adapter.js: run with `npm test` (node --test). No browser needed: the translation is
// pure, and the watcher glue is driven through a small fake document.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  B11, CSRF_HEADER, MODE_MAP, SSE_CHANNEL, V1,
  csrfHeadersFor, translate, translatePatchElements, translatePatchSignals, v1EventWatchers, withHeaders,
} from './adapter.js';
import { cssEscape, decodeEntities, splitTopLevel } from './html.js';

const pkg = (rel) => readFileSync(new URL(`../node_modules/@starfederation/datastar/dist/${rel}`, import.meta.url), 'utf8');
const fixture = (name) => readFileSync(new URL(`./testdata/${name}`, import.meta.url), 'utf8');

// parseSSE turns an SSE stream into the (type, argsRaw) pairs beta.11's SSE action dispatches:
// the same steps as fetch-event-source's getMessages (one optional space after "data:", data
// lines joined with "\n") and sse.js's onmessage (each line split at its first space, repeated
// keys joined with "\n").
function parseSSE(text) {
  const out = [];
  let type = '';
  let data = [];
  const flush = () => {
    if (type === '' && data.length === 0) return;
    const lines = {};
    for (const line of data.join('\n').split('\n')) {
      const space = line.indexOf(' ');
      const key = line.slice(0, space);
      (lines[key] ??= []).push(line.slice(space + 1));
    }
    const argsRaw = {};
    for (const [key, vals] of Object.entries(lines)) argsRaw[key] = vals.join('\n');
    out.push({ type, argsRaw });
    type = '';
    data = [];
  };
  for (const line of text.split('\n')) {
    if (line === '') {
      flush();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') type = value;
    if (field === 'data') data.push(value);
  }
  flush();
  return out;
}

const merge = (argsRaw) => ({ type: B11.MergeFragments, argsRaw });
const remove = (argsRaw) => ({ type: B11.RemoveFragments, argsRaw });

describe('constants match @starfederation/datastar@1.0.0-beta.11', () => {
  it('uses the package event names, merge modes and SSE channel', () => {
    const consts = pkg('engine/consts.js');
    for (const name of Object.values(B11)) assert.ok(consts.includes(`"${name}"`), `consts.js lacks ${name}`);
    for (const mode of Object.values(MODE_MAP).filter(Boolean)) {
      assert.ok(consts.includes(`"${mode}"`), `consts.js lacks merge mode ${mode}`);
    }
    assert.match(pkg('plugins/official/backend/shared.js'), /DATASTAR_SSE_EVENT = `\$\{DATASTAR\}-sse`/);
    assert.equal(SSE_CHANNEL, 'datastar-sse');
  });

  it('maps every datastar-go v1.2.2 patch mode', () => {
    assert.deepEqual(Object.keys(MODE_MAP).sort(),
      ['after', 'append', 'before', 'inner', 'outer', 'prepend', 'remove', 'replace']);
  });
});

describe('splitTopLevel', () => {
  const tags = (html) => splitTopLevel(html).nodes.filter((n) => n.kind === 'element').map((n) => n.tag);

  const cases = [
    { name: 'siblings', html: '<div id="a">x</div>\n<p>y</p>', want: ['div', 'p'] },
    { name: 'nested same name', html: '<div><div>in</div></div><span></span>', want: ['div', 'span'] },
    { name: 'void elements', html: '<input name=q><br><img src="x.png" alt="">', want: ['input', 'br', 'img'] },
    { name: 'quoted > and < in attributes', html: `<a title="1 > 0" data-x='<b>'>x</a><i></i>`, want: ['a', 'i'] },
    { name: 'comment with a tag inside', html: '<!-- <div> --><p></p>', want: ['p'] },
    { name: 'script with markup in strings', html: '<script>if (a < b) x = "</div>";</script><p></p>', want: ['script', 'p'] },
    { name: 'uppercase tags', html: '<DIV ID="a"><P>x</P></DIV>', want: ['div'] },
    { name: 'svg self-closing children', html: '<svg><use href="#i-check"/><path d="M0 0"/></svg><b></b>', want: ['svg', 'b'] },
    { name: 'textarea keeps raw text', html: '<textarea><div></textarea><em></em>', want: ['textarea', 'em'] },
    { name: 'table rows', html: '<tr id="r1"><td>1</td></tr><tr id="r2"><td>2</td></tr>', want: ['tr', 'tr'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = splitTopLevel(tc.html);
      assert.equal(got.balanced, true);
      assert.deepEqual(tags(tc.html), tc.want);
      // The pieces, joined, are the input: nothing lost, nothing reordered.
      assert.equal(got.nodes.map((n) => n.html).join(''), tc.html);
    });
  }

  it('returns attributes decoded and the raw script text', () => {
    const [node] = splitTopLevel('<script type="module" data-x="a&amp;b&#34;c">let s = "&amp;";</script>').nodes;
    assert.deepEqual(node.attrs, [['type', 'module'], ['data-x', 'a&b"c']]);
    assert.equal(node.text, 'let s = "&amp;";');
  });

  it('keeps the first of duplicated attributes, as the HTML parser does', () => {
    const [node] = splitTopLevel('<p id="one" id="two"></p>').nodes;
    assert.deepEqual(node.attrs, [['id', 'one']]);
  });

  it('reports top-level text and comments as their own nodes', () => {
    const kinds = splitTopLevel('hello <b>x</b><!-- c -->').nodes.map((n) => n.kind);
    assert.deepEqual(kinds, ['text', 'element', 'comment']);
  });

  for (const html of ['<div><p>x</div>', '<div>', '</div><p></p>', '<ul><li>a<li>b</ul>', '<script>never closed']) {
    it(`flags unbalanced input ${JSON.stringify(html)}`, () => {
      assert.equal(splitTopLevel(html).balanced, false);
    });
  }
});

describe('decodeEntities and cssEscape', () => {
  it('decodes what Go and templ escape', () => {
    assert.equal(decodeEntities('&lt;a&gt; &amp; &#34;q&#34; &#39;s&#x27; &unknown;'), '<a> & "q" \'s\' &unknown;');
  });
  const escapes = [
    ['check-1', 'check-1'], ['3f2a', '\\33 f2a'], ['a.b', 'a\\.b'], ['-', '\\-'], ['-1x', '-\\31 x'],
    ['a b', 'a\\ b'], ['x:y', 'x\\:y'], ['é', 'é'], ['cus_9', 'cus_9'],
  ];
  for (const [input, want] of escapes) {
    it(`escapes ${JSON.stringify(input)}`, () => assert.equal(cssEscape(input), want));
  }
});

describe('datastar-patch-elements', () => {
  const one = '<div id="a">A</div>';
  const two = '<li id="x">X</li>\n<li id="y">Y</li>';

  const cases = [
    {
      name: 'outer by id (datastar-go default: no mode, no selector) morphs each element onto its id',
      args: { elements: '<div id="a">A</div>\n<div id="3b">B</div>' },
      want: [
        merge({ fragments: '<div id="a">A</div>', mergeMode: 'morph', selector: '#a' }),
        merge({ fragments: '<div id="3b">B</div>', mergeMode: 'morph', selector: '#\\33 b' }),
      ],
    },
    {
      name: 'outer with a selector morphs the target',
      args: { selector: '#panel', elements: one },
      want: [merge({ fragments: one, mergeMode: 'morph', selector: '#panel' })],
    },
    {
      name: 'replace by id uses beta.11 outer (replaceWith, no morph)',
      args: { mode: 'replace', elements: one },
      want: [merge({ fragments: one, mergeMode: 'outer', selector: '#a' })],
    },
    {
      name: 'replace with a selector',
      args: { mode: 'replace', selector: '.slot', elements: one },
      want: [merge({ fragments: one, mergeMode: 'outer', selector: '.slot' })],
    },
    {
      name: 'inner with one element',
      args: { mode: 'inner', selector: '#list', elements: one },
      want: [merge({ fragments: one, mergeMode: 'inner', selector: '#list' })],
    },
    {
      name: 'inner with several elements sets the first and appends the rest',
      args: { mode: 'inner', selector: '#list', elements: two },
      want: [
        merge({ fragments: '<li id="x">X</li>', mergeMode: 'inner', selector: '#list' }),
        merge({ fragments: '<li id="y">Y</li>', mergeMode: 'append', selector: '#list' }),
      ],
    },
    {
      name: 'inner with nothing empties the target',
      args: { mode: 'inner', selector: '#list', elements: '' },
      want: [remove({ selector: ':is(#list) > *' })],
    },
    {
      name: 'append keeps order',
      args: { mode: 'append', selector: '#list', elements: two },
      want: [merge({ fragments: two, mergeMode: 'append', selector: '#list' })],
    },
    {
      name: 'before keeps order',
      args: { mode: 'before', selector: '#list', elements: two },
      want: [merge({ fragments: two, mergeMode: 'before', selector: '#list' })],
    },
    {
      name: 'prepend reverses so that beta.11 ends with v1 order',
      args: { mode: 'prepend', selector: '#list', elements: two },
      want: [merge({ fragments: '<li id="y">Y</li>\n<li id="x">X</li>', mergeMode: 'prepend', selector: '#list' })],
    },
    {
      name: 'after reverses so that beta.11 ends with v1 order',
      args: { mode: 'after', selector: '#row', elements: two },
      want: [merge({ fragments: '<li id="y">Y</li>\n<li id="x">X</li>', mergeMode: 'after', selector: '#row' })],
    },
    {
      name: 'remove with a selector',
      args: { mode: 'remove', selector: '#toast-1' },
      want: [remove({ selector: '#toast-1' })],
    },
    {
      name: 'remove by the ids of the elements sent',
      args: { mode: 'remove', elements: '<div id="a"></div><div id="1"></div>' },
      want: [remove({ selector: '#a, #\\31 ' })],
    },
    {
      name: 'useViewTransition is passed on',
      args: { selector: '#p', useViewTransition: 'true', elements: one },
      want: [merge({ fragments: one, mergeMode: 'morph', selector: '#p', useViewTransition: 'true' })],
    },
    {
      name: 'useViewTransition on remove',
      args: { mode: 'remove', selector: '#p', useViewTransition: 'true' },
      want: [remove({ selector: '#p', useViewTransition: 'true' })],
    },
    {
      name: 'surrounding whitespace and comments are dropped',
      args: { mode: 'append', selector: '#l', elements: '\n  <!-- row -->\n<li>1</li>\n' },
      want: [merge({ fragments: '<li>1</li>', mergeMode: 'append', selector: '#l' })],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = translatePatchElements(tc.args);
      assert.deepEqual(got.events, tc.want);
      assert.deepEqual(got.warnings, []);
    });
  }

  const warned = [
    { name: 'unknown mode', args: { mode: 'morph', selector: '#a', elements: one }, events: 0 },
    { name: 'append without selector', args: { mode: 'append', elements: one }, events: 0 },
    { name: 'outer element without id or selector', args: { elements: '<div>no id</div>' }, events: 0 },
    { name: 'remove with neither selector nor ids', args: { mode: 'remove', elements: '<p></p>' }, events: 0 },
    { name: 'outer with a selector and two elements keeps the first', args: { selector: '#a', elements: two }, events: 1 },
    { name: 'svg namespace', args: { namespace: 'svg', selector: '#s', mode: 'inner', elements: '<circle r="1"/>' }, events: 1 },
    { name: 'top-level text', args: { mode: 'append', selector: '#a', elements: 'hi <b>x</b>' }, events: 1 },
  ];
  for (const tc of warned) {
    it(`warns on ${tc.name}`, () => {
      const got = translatePatchElements(tc.args);
      assert.equal(got.events.length, tc.events);
      assert.ok(got.warnings.length > 0, 'want a warning');
    });
  }

  it('passes unbalanced HTML through whole, with a warning', () => {
    const got = translatePatchElements({ mode: 'append', selector: '#l', elements: '<li>a<li>b' });
    assert.deepEqual(got.events, [merge({ fragments: '<li>a<li>b', mergeMode: 'append', selector: '#l' })]);
    assert.equal(got.warnings.length, 1);
  });
});

describe('scripts (datastar-go ExecuteScript) become execute-script with the page nonce', () => {
  it('auto-removing classic script', () => {
    const got = translatePatchElements({
      selector: 'body', mode: 'append',
      elements: '<script data-effect="el.remove()">console.log("hi")</script>',
    }, { nonce: 'n0nce' });
    assert.deepEqual(got.events, [{
      type: B11.ExecuteScript,
      argsRaw: { script: 'console.log("hi")', attributes: 'type text/javascript\nnonce n0nce', autoRemove: 'true' },
    }]);
  });

  it('keeps attributes, drops a server nonce, stays when auto-remove is off', () => {
    const got = translatePatchElements({
      selector: 'body', mode: 'append',
      elements: '<script type="speculationrules" nonce="from-sse">{"prefetch":[]}</script>',
    }, { nonce: 'page' });
    assert.deepEqual(got.events[0].argsRaw, {
      script: '{"prefetch":[]}', attributes: 'type speculationrules\nnonce page', autoRemove: 'false',
    });
  });

  it('multi-line scripts keep their lines', () => {
    const got = translatePatchElements({
      selector: 'body', mode: 'append', elements: '<script data-effect="el.remove()">\n{\n\tconst a = 1\n}\n\t</script>',
    }, { nonce: 'n' });
    assert.equal(got.events[0].argsRaw.script, '\n{\n\tconst a = 1\n}\n\t');
  });

  it('runs scripts after the elements of the same event', () => {
    const got = translatePatchElements({
      selector: '#l', mode: 'append', elements: '<script data-effect="el.remove()">go()</script><li>1</li>',
    }, { nonce: 'n' });
    assert.deepEqual(got.events.map((e) => e.type), [B11.MergeFragments, B11.ExecuteScript]);
    assert.equal(got.events[0].argsRaw.fragments, '<li>1</li>');
  });

  it('without a nonce sends none (the glue warns once)', () => {
    const got = translatePatchElements({ selector: 'body', mode: 'append', elements: '<script>x()</script>' });
    assert.equal(got.events[0].argsRaw.attributes, 'type text/javascript');
  });

  it('skips empty scripts and warns on unsupported data-effect', () => {
    assert.deepEqual(translatePatchElements({ selector: 'body', mode: 'append', elements: '<script> </script>' }).events, []);
    const got = translatePatchElements({ selector: 'body', mode: 'append', elements: '<script data-effect="$x = 1">y()</script>' });
    assert.equal(got.events.length, 1);
    assert.equal(got.warnings.length, 1);
  });
});

describe('datastar-patch-signals', () => {
  const cases = [
    {
      name: 'merge',
      args: { signals: '{"q":"abc","page":2}' },
      want: [{ type: B11.MergeSignals, argsRaw: { signals: '{"q":"abc","page":2}' } }],
    },
    {
      name: 'multi-line JSON (datastar-go splits on newlines)',
      args: { signals: '{\n  "a": {\n    "b": [1, 2]\n  }\n}' },
      want: [{ type: B11.MergeSignals, argsRaw: { signals: '{"a":{"b":[1,2]}}' } }],
    },
    {
      name: 'onlyIfMissing',
      args: { signals: '{"open":false}', onlyIfMissing: 'true' },
      want: [{ type: B11.MergeSignals, argsRaw: { signals: '{"open":false}', onlyIfMissing: 'true' } }],
    },
    {
      name: 'null removes, nested paths included',
      args: { signals: '{"keep":1,"gone":null,"form":{"error":null,"name":"x"}}' },
      want: [
        { type: B11.MergeSignals, argsRaw: { signals: '{"keep":1,"form":{"name":"x"}}' } },
        { type: B11.RemoveSignals, argsRaw: { paths: 'gone\nform.error' } },
      ],
    },
    {
      name: 'only removals',
      args: { signals: '{"a":{"b":null}}' },
      want: [{ type: B11.RemoveSignals, argsRaw: { paths: 'a.b' } }],
    },
    {
      name: 'onlyIfMissing drops removals',
      args: { signals: '{"a":null}', onlyIfMissing: 'true' },
      want: [],
    },
    {
      name: 'empty object stays an (empty) namespace',
      args: { signals: '{"filters":{}}' },
      want: [{ type: B11.MergeSignals, argsRaw: { signals: '{"filters":{}}' } }],
    },
    {
      name: '__proto__ keys are dropped',
      args: { signals: '{"__proto__":{"x":1},"y":2}' },
      want: [{ type: B11.MergeSignals, argsRaw: { signals: '{"y":2}' } }],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const got = translatePatchSignals(tc.args);
      assert.deepEqual(got.events, tc.want);
      assert.deepEqual(got.warnings, []);
    });
  }
  for (const bad of ['{not json', '[1,2]', '3', 'null']) {
    it(`ignores ${bad} with a warning`, () => {
      const got = translatePatchSignals({ signals: bad });
      assert.deepEqual(got.events, []);
      assert.equal(got.warnings.length, 1);
    });
  }
});

describe('translate', () => {
  it('leaves beta.11 and unknown events alone', () => {
    for (const type of [...Object.values(B11), 'datastar-something']) {
      assert.deepEqual(translate(type, { selector: '#a' }), { handled: false, events: [], warnings: [] });
    }
  });
});

describe('the stream datastar-go v1.2.2 writes (testdata/datastar-go.sse, from static/fixture_test.go)', () => {
  const events = parseSSE(fixture('datastar-go.sse'));
  const translated = events.map(({ type, argsRaw }) => translate(type, argsRaw, { nonce: 'N' }));

  it('contains only v1 events, all handled without warnings', () => {
    assert.ok(events.length >= 15, `got ${events.length} events`);
    for (const [i, t] of translated.entries()) {
      assert.ok(t.handled, `event ${i} (${events[i].type}) not handled`);
      assert.deepEqual(t.warnings, [], `event ${i}`);
      assert.ok(t.events.length > 0, `event ${i} produced nothing`);
    }
  });

  it('produces the expected beta.11 events', () => {
    const exec = (script, attributes, autoRemove = 'true') => ({ type: B11.ExecuteScript, argsRaw: { script, attributes, autoRemove } });
    const two = '<li id="x">X</li>\n<li id="y">Y</li>';
    const reversed = '<li id="y">Y</li>\n<li id="x">X</li>';
    const want = [
      merge({ fragments: '<div id="a">A</div>', mergeMode: 'morph', selector: '#a' }),
      merge({ fragments: '<ul id="list">\n  <li>1</li>\n</ul>', mergeMode: 'morph', selector: '#list' }),
      merge({ fragments: '<section class="p">P</section>', mergeMode: 'morph', selector: '#panel' }),
      merge({ fragments: '<p id="r">R</p>', mergeMode: 'outer', selector: '#r' }),
      merge({ fragments: '<li id="x">X</li>', mergeMode: 'inner', selector: '#list' }),
      merge({ fragments: '<li id="y">Y</li>', mergeMode: 'append', selector: '#list' }),
      merge({ fragments: two, mergeMode: 'append', selector: '#list' }),
      merge({ fragments: reversed, mergeMode: 'prepend', selector: '#list' }),
      merge({ fragments: two, mergeMode: 'before', selector: '#row' }),
      merge({ fragments: reversed, mergeMode: 'after', selector: '#row' }),
      merge({ fragments: '<div id="a">A</div>', mergeMode: 'morph', selector: '#a', useViewTransition: 'true' }),
      remove({ selector: '#toast-1' }),
      remove({ selector: '#gone' }),
      exec('console.log("hi")', 'type text/javascript\nnonce N'),
      exec('setTimeout(() => window.location.href = "/customers/cus_1")', 'type text/javascript\nnonce N'),
      exec('import("/x.js")', 'type module\nnonce N', 'false'),
      exec('\n{\n\tconst elements = [document]\n\n\tconst event = new CustomEvent("hive:toast", {\n\t\tbubbles: true,\n'
        + '\t\tcancelable: true,\n\t\tcomposed: true,\n\t\tdetail: {"text":"\\u003cSaved\\u003e \\u0026 done"},\n\t});\n\n'
        + '\telements.forEach((element) => {\n\t\telement.dispatchEvent(event);\n\t});\n}\n\t', 'type text/javascript\nnonce N'),
      exec('window.history.replaceState({}, "", "/customers?q=ann&page=2")', 'type text/javascript\nnonce N'),
      { type: B11.MergeSignals, argsRaw: { signals: '{"form":{"name":"Ann"},"q":"ann"}' } },
      { type: B11.RemoveSignals, argsRaw: { paths: 'error\nform.err' } },
      { type: B11.MergeSignals, argsRaw: { signals: '{"open":false}', onlyIfMissing: 'true' } },
    ];
    assert.deepEqual(translated.flatMap((t) => t.events), want);
  });
});

describe('CSRF header', () => {
  const page = { origin: 'https://console.example', token: 'tok' };
  const cases = [
    ['/customers', { [CSRF_HEADER]: 'tok' }],
    ['customers/1?x=1', { [CSRF_HEADER]: 'tok' }],
    ['https://console.example/x', { [CSRF_HEADER]: 'tok' }],
    ['https://evil.example/x', {}],
    ['//evil.example/x', {}],
    ['http://console.example/x', {}],
  ];
  for (const [url, want] of cases) {
    it(`for ${url}`, () => assert.deepEqual(csrfHeadersFor(url, page), want));
  }
  it('is not sent when the page has no token', () => {
    assert.deepEqual(csrfHeadersFor('/x', { origin: page.origin, token: '' }), {});
  });

  it('withHeaders adds it to every call and lets explicit headers win', async () => {
    const calls = [];
    const POST = { type: 3, name: 'post', fn: async (ctx, url, args) => calls.push({ url, args }) };
    const wrapped = withHeaders(POST, (url) => csrfHeadersFor(url, page));
    assert.equal(wrapped.name, 'post');
    assert.equal(wrapped.type, 3);
    await wrapped.fn({}, '/a');
    await wrapped.fn({}, '/b', { contentType: 'form', headers: { [CSRF_HEADER]: 'mine', 'X-Other': '1' } });
    assert.deepEqual(calls, [
      { url: '/a', args: { headers: { [CSRF_HEADER]: 'tok' } } },
      { url: '/b', args: { contentType: 'form', headers: { [CSRF_HEADER]: 'mine', 'X-Other': '1' } } },
    ]);
  });
});

describe('v1EventWatchers (glue, with a fake document)', () => {
  function fakeDoc({ nonce = 'page-nonce', present = ['#a', 'body'] } = {}) {
    const doc = new EventTarget();
    doc.querySelector = (sel) => {
      if (sel === 'script[nonce]') return nonce ? { nonce } : null;
      if (sel === '!!') throw new SyntaxError('bad selector');
      return present.includes(sel) ? {} : null;
    };
    return doc;
  }
  function setup(opts) {
    const doc = fakeDoc(opts);
    const warnings = [];
    // Recorded in dispatch order: listeners added first see an event first.
    const seen = [];
    doc.addEventListener(SSE_CHANNEL, (e) => seen.push(e.detail));
    const plugins = v1EventWatchers({ doc, log: { warn: (m) => warnings.push(m) } });
    for (const p of plugins) p.onGlobalInit({});
    const send = (type, argsRaw) => doc.dispatchEvent(new CustomEvent(SSE_CHANNEL, { detail: { type, elId: 'el1', argsRaw } }));
    return { plugins, warnings, seen, send };
  }

  it('registers one watcher per v1 event', () => {
    const { plugins } = setup();
    assert.deepEqual(plugins.map((p) => [p.type, p.name]), [[2, V1.PatchElements], [2, V1.PatchSignals]]);
  });

  it('re-dispatches translated events on the same channel with the same elId', () => {
    const { seen, send } = setup();
    send(V1.PatchElements, { elements: '<div id="a"></div>' });
    send(V1.PatchSignals, { signals: '{"x":null}' });
    assert.deepEqual(seen, [
      { type: V1.PatchElements, elId: 'el1', argsRaw: { elements: '<div id="a"></div>' } },
      { type: B11.MergeFragments, elId: 'el1', argsRaw: { fragments: '<div id="a"></div>', mergeMode: 'morph', selector: '#a' } },
      { type: V1.PatchSignals, elId: 'el1', argsRaw: { signals: '{"x":null}' } },
      { type: B11.RemoveSignals, elId: 'el1', argsRaw: { paths: 'x' } },
    ]);
  });

  it('puts the page nonce on scripts', () => {
    const { seen, send } = setup({ nonce: 'abc' });
    send(V1.PatchElements, { selector: 'body', mode: 'append', elements: '<script data-effect="el.remove()">f()</script>' });
    assert.equal(seen.at(-1).argsRaw.attributes, 'type text/javascript\nnonce abc');
  });

  it('warns once when the page has no nonce', () => {
    const { warnings, send } = setup({ nonce: '' });
    send(V1.PatchElements, { selector: 'body', mode: 'append', elements: '<script>f()</script>' });
    send(V1.PatchElements, { selector: 'body', mode: 'append', elements: '<script>g()</script>' });
    assert.equal(warnings.filter((w) => w.includes('nonce')).length, 1);
  });

  it('skips merges without a target, like v1, instead of letting beta.11 throw', () => {
    const { seen, warnings, send } = setup();
    send(V1.PatchElements, { selector: '#missing', elements: '<p></p>' });
    send(V1.PatchElements, { selector: '!!', elements: '<p></p>' });
    assert.equal(seen.filter((d) => d.type === B11.MergeFragments).length, 0);
    assert.equal(warnings.length, 2);
  });

  it('ignores beta.11 events', () => {
    const { seen, send } = setup();
    send(B11.MergeFragments, { fragments: '<div id="a"></div>' });
    assert.equal(seen.length, 1);
  });
});
