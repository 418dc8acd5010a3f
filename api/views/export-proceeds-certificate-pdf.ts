import { PDFDocument, StandardFonts, type PDFFont } from 'pdf-lib';
import { certificateLines, type ExportProceedsCertificate } from '../../core/fx/export-proceeds-certificate';

const pageWidth = 595.28; // A4 in points
const pageHeight = 841.89;
const margin = 56;
const labelWidth = 170;
const fontSize = 10;
const lineHeight = 14;
/** Longest text a value may print (characters): a payer's name or an invoice is bounded at the edge well below this. */
const valueCharactersMax = 600;

/**
 * The export proceeds certificate as a one-page A4 PDF. Deterministic for the same payment: its dates are the
 * payment's completedAt and pdf-lib writes no random file id, so the same facts give the same bytes (and the same
 * signature input). The standard Helvetica font covers Latin-1 only: any other character prints as "?" (the
 * `?format=json` answer keeps every character).
 */
export async function exportProceedsCertificatePdf(certificate: ExportProceedsCertificate): Promise<Buffer> {
  const document = await PDFDocument.create();
  const date = new Date(certificate.date);
  document.setTitle(`Export proceeds certificate ${certificate.reference}`);
  document.setAuthor('Hisaab payments switch');
  document.setCreator('Hisaab');
  document.setProducer('Hisaab (pdf-lib)');
  document.setCreationDate(date);
  document.setModificationDate(date);
  const page = document.addPage([pageWidth, pageHeight]);
  const regular = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  let y = pageHeight - margin;
  page.drawText('Export Proceeds Certificate', { x: margin, y, size: 18, font: bold });
  y -= 22;
  page.drawText(latin1('In-bound foreign-currency receipt through the Hisaab switch'), { x: margin, y, size: fontSize, font: regular });
  y -= 2 * lineHeight;
  const valueWidth = pageWidth - 2 * margin - labelWidth;
  for (const [label, value] of certificateLines(certificate)) {
    page.drawText(latin1(label), { x: margin, y, size: fontSize, font: bold });
    for (const line of wrap(latin1(value.slice(0, valueCharactersMax)), regular, valueWidth)) {
      page.drawText(line, { x: margin + labelWidth, y, size: fontSize, font: regular });
      y -= lineHeight;
    }
    y -= 4;
  }
  y -= lineHeight;
  for (const line of wrap(
    'Signed by the switch: the Hisaab-JWS header of this answer is a detached JWS over these bytes, verifiable with the keys at /.well-known/jwks.json.',
    regular,
    pageWidth - 2 * margin,
  )) {
    page.drawText(line, { x: margin, y, size: 8, font: regular });
    y -= 11;
  }
  return Buffer.from(await document.save({ useObjectStreams: false }));
}

/** Characters Helvetica's WinAnsi encoding cannot draw become "?" (pdf-lib would otherwise refuse the text). */
function latin1(text: string): string {
  return text.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
}

/** Breaks text into lines no wider than `width` at this size, at spaces (or anywhere inside a word too long for a line). */
function wrap(text: string, font: PDFFont, width: number): string[] {
  const fits = (candidate: string): boolean => font.widthOfTextAtSize(candidate, fontSize) <= width;
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current !== '') lines.push(current);
    current = word;
    while (!fits(current)) {
      let cut = current.length - 1;
      while (cut > 1 && !fits(current.slice(0, cut))) cut -= 1;
      lines.push(current.slice(0, cut));
      current = current.slice(cut);
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}
