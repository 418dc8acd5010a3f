import { subjectOfParty, type DataSubject } from '../personal-data/data-subject';

/**
 * The data subjects a transfer request's body names (POST /v1/transfers, or each item of /v1/transfers/batch): each
 * item's payer and payee, as the transfer's events will name them (core/personal-data/data-subject.ts). The body is
 * read as sent, before validation, because it is kept as sent: an item the switch refuses still names whoever it
 * names. A payer's name belongs to the payer, so it needs no subject of its own.
 */
export function subjectsOfTransferRequest(body: unknown): DataSubject[] {
  const items = isRecord(body) && Array.isArray(body['transfers']) ? (body['transfers'] as unknown[]) : [body];
  const subjects: DataSubject[] = [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    for (const side of ['payer', 'payee'] as const) {
      const party = item[side];
      if (!isRecord(party) || typeof party['type'] !== 'string' || typeof party['value'] !== 'string') continue;
      const subject = subjectOfParty({ type: party['type'], value: party['value'] });
      if (subject !== null) subjects.push(subject);
    }
  }
  return subjects;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
