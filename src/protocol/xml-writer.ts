/**
 * A minimal XML writer laid out as AWS lays out query responses: one element per line, two
 * spaces per level, text directly inside leaf elements, a final newline.
 */

// Characters XML 1.0 cannot carry even as references; a client's parser (expat in botocore)
// would reject the whole document, so they travel as U+FFFD.
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** INVALID_XML without the global flag: a stateless test (most text has nothing to replace). */
const HAS_INVALID_XML = new RegExp(INVALID_XML.source);
const NEEDS_ESCAPE = /[&<>"\r]/;

export function escapeXml(text: string): string {
  let s = text;
  if (NEEDS_ESCAPE.test(s)) {
    s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\r/g, '&#xD;');
  }
  return HAS_INVALID_XML.test(s) ? s.replace(INVALID_XML, '\uFFFD') : s;
}

/** Indentation strings by depth, made once. */
const PADS: string[] = [];
const padOf = (depth: number): string => (PADS[depth] ??= '  '.repeat(depth));

export class XmlWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  private pad(): string {
    return padOf(this.depth);
  }

  open(tag: string, attrs = ''): this {
    this.lines.push(`${this.pad()}<${tag}${attrs}>`);
    this.depth++;
    return this;
  }

  close(tag: string): this {
    this.depth--;
    this.lines.push(`${this.pad()}</${tag}>`);
    return this;
  }

  /** `<tag>text</tag>`; text is escaped here. */
  leaf(tag: string, text: string): this {
    this.lines.push(`${this.pad()}<${tag}>${escapeXml(text)}</${tag}>`);
    return this;
  }

  empty(tag: string): this {
    this.lines.push(`${this.pad()}<${tag}/>`);
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
