import { describe, expect, it } from 'vitest';
import { decodeEntities } from './entities.js';
import { htmlToBlocks, htmlToText } from './html.js';

describe('decodeEntities()', () => {
  it('decodes named, decimal and hex references', () => {
    expect(decodeEntities('caf&eacute; &amp; bar &#8217;s &#x2014; &lt;b&gt; &nbsp;.')).toBe('café & bar ’s — <b> \u00a0.');
  });
  it('maps references 128–159 as Windows-1252, and impossible code points to U+FFFD', () => {
    expect(decodeEntities('&#146;&#150;&#0;&#xD800;&#x110000;')).toBe('’–\ufffd\ufffd\ufffd');
  });
  it('leaves unknown names and bare ampersands alone', () => {
    expect(decodeEntities('AT&T &notanentity; fish & chips &ampx')).toBe('AT&T &notanentity; fish & chips &ampx');
  });
});

describe('htmlToBlocks()', () => {
  const page = `<!doctype html><html><head><title>A &amp; B</title><style>p { color: red }</style>
<script>var secret = "<p>not text</p>";</script></head>
<body><header>Site name | Login</header><nav><a>Home</a><a>About</a></nav>
<main><article><header><h1>The <em>Real</em> Title</h1></header>
<p>First   paragraph
with a line break inside.</p><p>Second<br>line two</p>
<h2>Lists</h2><ul><li>one</li><li>two &rarr; three</li></ul>
<pre>  keep   spacing
    here</pre>
<aside>Buy now!</aside><table><tr><td>a</td><td>b</td></tr></table>
<!-- a comment <p>hidden</p> -->
</article></main><footer>&copy; footer text</footer>
<script>document.write('late')</script></body></html>`;

  it('keeps the readable text, drops scripts, styles and page furniture', () => {
    const { title, blocks } = htmlToBlocks(page);
    expect(title).toBe('A & B');
    const text = blocks.map((b) => b.text).join('\n');
    for (const gone of ['not text', 'color: red', 'Site name', 'Home', 'Buy now', 'footer text', 'late', 'hidden']) expect(text).not.toContain(gone);
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'The Real Title', line: 4 },
      { kind: 'para', text: 'First paragraph with a line break inside.', line: 5 },
      { kind: 'para', text: 'Second\nline two', line: 6 },
      { kind: 'heading', level: 2, text: 'Lists', line: 7 },
      { kind: 'para', text: '- one', line: 7 },
      { kind: 'para', text: '- two → three', line: 7 },
      { kind: 'para', text: '  keep   spacing\n    here', line: 8 },
      { kind: 'para', text: 'a | b', line: 10 },
    ]);
  });

  it('survives broken markup', () => {
    expect(htmlToBlocks('<p>open <b>bold <i>both</p><p>next < 3 and 5 > 2</p><div class="x').blocks.map((b) => b.text)).toEqual(['open bold both', 'next < 3 and 5 > 2']);
    expect(htmlToBlocks('<nav>never closed <p>lost').blocks).toEqual([]);
  });

  it('turns headings into paragraphs when asked (feed bodies)', () => {
    expect(htmlToText('<h2>Darning</h2><p>Use a mushroom.</p>')).toBe('Darning\n\nUse a mushroom.');
  });
});
