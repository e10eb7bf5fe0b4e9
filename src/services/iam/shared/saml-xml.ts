/**
 * Reading SAML's XML documents (IdP metadata, authentication responses) safely and the same way:
 * namespace-aware, well-formed or refused (xmldom reports problems instead of throwing, so every
 * report, warnings included, refuses the document), and never with a document type declaration:
 * no DTD, so no entity expansion or external fetch can happen (SAML has no use for them).
 */
import { DOMParser } from '@xmldom/xmldom';

export type XmlRead = { ok: true; doc: Document } | { ok: false; reason: 'a document type declaration is not allowed' | 'not well-formed XML' };

export function readSamlXml(text: string): XmlRead {
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) return { ok: false, reason: 'a document type declaration is not allowed' };
  let failed = false;
  const fail = (): void => {
    failed = true;
  };
  let doc: Document | undefined;
  try {
    doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(text, 'text/xml') as unknown as Document;
  } catch {
    failed = true;
  }
  if (failed || !doc?.documentElement) return { ok: false, reason: 'not well-formed XML' };
  for (let n = doc.firstChild; n; n = n.nextSibling) if (n.nodeType === 10) return { ok: false, reason: 'a document type declaration is not allowed' };
  return { ok: true, doc };
}

/** Element children of `parent` with the given namespace and local name, in document order. */
export function childElements(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === localName) out.push(n as Element);
  }
  return out;
}
