// Building the page: elements from tag, attributes and children. Security: text is only ever set as text nodes.
// Everything shown comes from the store and is untrusted; nothing here parses a string as HTML, and links
// only ever point inside the viewer (hash routes) so a stored `javascript:` URL cannot become one.

type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/u, ''), v);
    else if (k === 'href') el.setAttribute('href', internalHref(String(v)));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Security: links go to viewer routes only; anything else is dropped. */
function internalHref(href: string): string {
  return href.startsWith('#/') ? href : '#/';
}

/** A link to a viewer route, with its parts encoded. */
export function route(path: string, params: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${path}${s ? `?${s}` : ''}`;
}

/** Replaces an element's children, skipping empty ones (null, false) as `h` does. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A labelled form control; the label is a real <label for>, so screen readers and tests find it by name. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): HTMLElement {
  control.id ||= `f-${label.toLowerCase().replace(/\W+/gu, '-')}-${Math.random().toString(36).slice(2, 7)}`;
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

export function select(name: string, options: string[], value = ''): HTMLSelectElement {
  const s = h('select', { name });
  for (const o of options) s.append(h('option', { value: o, selected: o === value }, o === '' ? 'any' : o));
  return s;
}

export function ago(iso: string | number, now = Date.now()): string {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  const s = Math.round((now - t) / 1000);
  const abs = Math.abs(s);
  const unit = abs < 60 ? [abs, 's'] : abs < 3600 ? [Math.round(abs / 60), 'min'] : abs < 86400 ? [Math.round(abs / 3600), 'h'] : [Math.round(abs / 86400), 'd'];
  return s >= 0 ? `${unit[0]} ${unit[1]} ago` : `in ${unit[0]} ${unit[1]}`;
}

export function shortTime(iso: string | number): string {
  return new Date(iso).toISOString().replace('T', ' ').slice(0, 19);
}

export function snippet(text: string, max = 140): string {
  const t = text.replace(/\s+/gu, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
