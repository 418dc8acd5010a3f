import { assert } from '../assert';

/** An XML element: a name, attributes, and either text or child elements. */
export type XmlElement = {
  name: string;
  attributes: ReadonlyArray<readonly [string, string]>;
  children: readonly XmlElement[];
  text: string | null;
};

const namePattern = /^[A-Za-z_][A-Za-z0-9_.:-]*$/;

/** An element holding child elements. */
export function xmlElement(
  name: string,
  children: readonly XmlElement[],
  attributes: ReadonlyArray<readonly [string, string]> = [],
): XmlElement {
  assert(namePattern.test(name), `"${name}" is an XML name`);
  return { name, attributes, children, text: null };
}

/** An element holding text (escaped when written). */
export function xmlText(name: string, text: string, attributes: ReadonlyArray<readonly [string, string]> = []): XmlElement {
  assert(namePattern.test(name), `"${name}" is an XML name`);
  return { name, attributes, children: [], text };
}

/** The document: an XML 1.0 declaration (UTF-8) and the root, indented two spaces per level, ending in a newline. */
export function renderXmlDocument(root: XmlElement): string {
  const lines: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeElement(root, 0, lines);
  return `${lines.join('\n')}\n`;
}

function writeElement(element: XmlElement, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const attributes = element.attributes.map(([name, value]) => {
    assert(namePattern.test(name), `"${name}" is an XML attribute name`);
    return ` ${name}="${escapeXmlAttribute(value)}"`;
  });
  const open = `${indent}<${element.name}${attributes.join('')}`;
  if (element.text !== null) {
    lines.push(`${open}>${escapeXmlText(element.text)}</${element.name}>`);
    return;
  }
  if (element.children.length === 0) {
    lines.push(`${open}/>`);
    return;
  }
  lines.push(`${open}>`);
  for (const child of element.children) writeElement(child, depth + 1, lines);
  lines.push(`${indent}</${element.name}>`);
}

/**
 * Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD: a name
 * typed with a stray control character must still give a document every parser accepts.
 */
const notXmlCharacter =
  // eslint-disable-next-line no-control-regex -- the control characters are what this pattern finds.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeXmlText(text: string): string {
  // A carriage return would reach the reader as a line feed (end-of-line normalisation): keep it as a reference.
  return text.replace(notXmlCharacter, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

export function escapeXmlAttribute(text: string): string {
  // Tabs and line breaks in attributes would be normalised to spaces by a parser: keep them as references.
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');
}
