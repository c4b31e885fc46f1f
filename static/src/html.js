// HTML helpers for the adapter, pure and DOM-free so that `node --test` covers them: splitting a
// fragment into its top-level nodes, decoding character references in attribute values, and
// escaping ids for CSS selectors.
//
// A small HTML splitter: top-level nodes of a fragment, without a DOM.
//
// It understands what templ and datastar-go emit: start/end tags, quoted and unquoted
// attributes, void elements, comments, raw-text elements (script, style, textarea, title…),
// and `/>` inside svg/math. It does not infer optional end tags; when the tags do not
// balance it reports `balanced: false` and the caller passes the payload through whole.

const VOID_ELEMENTS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source',
  'track', 'wbr',
]);
const RAW_TEXT_ELEMENTS = new Set([
  'script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'plaintext',
]);
const FOREIGN_ROOTS = new Set(['svg', 'math']);

/**
 * Splits an HTML fragment into its top-level nodes.
 * @param {string} html
 * @returns {{balanced: boolean, nodes: Array<
 *   {kind: 'element', tag: string, attrs: Array<[string, string]>, html: string, text: string} |
 *   {kind: 'text', html: string} | {kind: 'comment', html: string}>}}
 *   `text` is the raw content of a raw-text element (a script's code), '' otherwise.
 */
export function splitTopLevel(html) {
  const nodes = [];
  const stack = []; // open element names, innermost last
  let balanced = true;
  let i = 0;
  let nodeStart = 0;
  let top = null; // the top-level element being read

  const closeTop = (end) => {
    top.html = html.slice(nodeStart, end);
    nodes.push(top);
    top = null;
  };

  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (stack.length === 0 && lt !== i) {
      // Top-level text up to the next tag.
      const end = lt === -1 ? html.length : lt;
      nodes.push({ kind: 'text', html: html.slice(i, end) });
      i = end;
      continue;
    }
    if (lt === -1) break; // text inside an unclosed element; reported below
    i = lt;

    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      const stop = end === -1 ? html.length : end + 3;
      if (stack.length === 0) nodes.push({ kind: 'comment', html: html.slice(i, stop) });
      i = stop;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      // Doctype, CDATA or a processing instruction: skip it like the parser's bogus comment.
      const end = html.indexOf('>', i);
      i = end === -1 ? html.length : end + 1;
      continue;
    }
    if (html[i + 1] === '/' && isAsciiLetter(html[i + 2])) {
      const end = html.indexOf('>', i);
      const stop = end === -1 ? html.length : end + 1;
      const name = readTagName(html, i + 2).name;
      const at = stack.lastIndexOf(name);
      if (at === -1) {
        balanced = false; // stray end tag
      } else {
        if (at !== stack.length - 1) balanced = false; // an element was left open
        stack.length = at;
      }
      i = stop;
      if (stack.length === 0 && top) closeTop(i);
      continue;
    }
    if (!isAsciiLetter(html[i + 1])) {
      // A lone '<' is text.
      if (stack.length === 0) {
        const next = html.indexOf('<', i + 1);
        const end = next === -1 ? html.length : next;
        nodes.push({ kind: 'text', html: html.slice(i, end) });
        i = end;
      } else {
        i += 1;
      }
      continue;
    }

    // A start tag.
    const tag = readStartTag(html, i);
    const atTop = stack.length === 0;
    if (atTop) {
      nodeStart = i;
      top = { kind: 'element', tag: tag.name, attrs: tag.attrs, html: '', text: '' };
    }
    i = tag.end;
    const inForeign = FOREIGN_ROOTS.has(tag.name) || stack.some((n) => FOREIGN_ROOTS.has(n));
    if (VOID_ELEMENTS.has(tag.name) || (tag.selfClosing && inForeign)) {
      if (atTop) closeTop(i);
      continue;
    }
    if (RAW_TEXT_ELEMENTS.has(tag.name)) {
      const close = findRawTextEnd(html, i, tag.name);
      if (close === -1) {
        balanced = false;
        if (atTop) top.text = html.slice(i);
        i = html.length;
        break;
      }
      if (atTop) top.text = html.slice(i, close);
      const end = html.indexOf('>', close);
      i = end === -1 ? html.length : end + 1;
      if (atTop) closeTop(i);
      continue;
    }
    stack.push(tag.name);
  }

  if (stack.length > 0 || top) {
    balanced = false;
    if (top) closeTop(html.length);
  }
  return { balanced, nodes };
}

function isAsciiLetter(c) {
  return c !== undefined && /[A-Za-z]/.test(c);
}

function readTagName(html, from) {
  let i = from;
  while (i < html.length && !/[\s/>]/.test(html[i])) i++;
  return { name: html.slice(from, i).toLowerCase(), end: i };
}

// Reads `<name attr="v" …>` starting at `from` (the '<'). Attribute values are entity-decoded.
function readStartTag(html, from) {
  const { name, end: afterName } = readTagName(html, from + 1);
  const attrs = [];
  let i = afterName;
  let selfClosing = false;
  while (i < html.length) {
    while (i < html.length && /\s/.test(html[i])) i++;
    if (html[i] === '>') {
      i++;
      break;
    }
    if (html[i] === '/') {
      if (html[i + 1] === '>') {
        selfClosing = true;
        i += 2;
        break;
      }
      i++;
      continue;
    }
    const nameStart = i;
    i++; // an attribute name may start with any character, even '='
    while (i < html.length && !/[\s/>=]/.test(html[i])) i++;
    const attrName = html.slice(nameStart, i).toLowerCase();
    while (i < html.length && /\s/.test(html[i])) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (i < html.length && /\s/.test(html[i])) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        const stop = close === -1 ? html.length : close;
        value = html.slice(i + 1, stop);
        i = stop + 1;
      } else {
        const valueStart = i;
        while (i < html.length && !/[\s>]/.test(html[i])) i++;
        value = html.slice(valueStart, i);
      }
    }
    // The HTML parser keeps the first of duplicated attributes.
    if (!attrs.some(([n]) => n === attrName)) attrs.push([attrName, decodeEntities(value)]);
  }
  return { name, attrs, selfClosing, end: i };
}

// Finds the `</name` that closes a raw-text element (case-insensitive, followed by a
// terminator), as the HTML tokenizer does.
function findRawTextEnd(html, from, name) {
  const lower = html.toLowerCase();
  let at = from;
  for (;;) {
    at = lower.indexOf(`</${name}`, at);
    if (at === -1) return -1;
    const after = html[at + 2 + name.length];
    if (after === undefined || /[\s/>]/.test(after)) return at;
    at += 2;
  }
}

const NAMED_ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * Decodes the character references templ and Go's html escaping produce (`&amp;`, `&#34;`,
 * `&#x27;`, …). Unknown named references are left as they are.
 * @param {string} s
 */
export function decodeEntities(s) {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X'
        ? Number.parseInt(ref.slice(2), 16)
        : Number.parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(NAMED_ENTITIES, ref) ? NAMED_ENTITIES[ref] : whole;
  });
}

/**
 * Escapes a string for use as a CSS identifier (the CSSOM `CSS.escape` algorithm), so that
 * ids such as "3f2a-…" or "a.b" make valid `#id` selectors.
 * @param {string} value
 */
export function cssEscape(value) {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    const code = value.charCodeAt(i);
    if (code === 0) {
      out += '\ufffd';
    } else if ((code >= 0x1 && code <= 0x1f) || code === 0x7f
      || (i === 0 && code >= 0x30 && code <= 0x39)
      || (i === 1 && code >= 0x30 && code <= 0x39 && value.charCodeAt(0) === 0x2d)) {
      out += `\\${code.toString(16)} `;
    } else if (i === 0 && value.length === 1 && code === 0x2d) {
      out += `\\${ch}`;
    } else if (code >= 0x80 || code === 0x2d || code === 0x5f || /[0-9A-Za-z]/.test(ch)) {
      out += ch;
    } else {
      out += `\\${ch}`;
    }
  }
  return out;
}
