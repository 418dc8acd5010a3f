/**
 * DE103 on a 0200 from a bank names the payee either by IBAN or by an MSISDN alias (issue 5). This tells
 * the two apart and writes each in the form the directory stores: IBANs in capitals without spaces,
 * MSISDNs in international form (92 followed by ten digits).
 */
export type PayeeIdentification = { readonly type: 'IBAN'; readonly value: string } | { readonly type: 'MSISDN'; readonly value: string };

/** A Pakistani IBAN: PK, two check digits, a four-letter bank code, sixteen account digits. */
const pakistaniIban = /^PK[0-9]{2}[A-Z]{4}[0-9]{16}$/;

export function identifyPayee(de103: string): PayeeIdentification | null {
  const compact = de103.replace(/ /g, '').toUpperCase();
  if (pakistaniIban.test(compact)) return { type: 'IBAN', value: compact };
  if (/^92[0-9]{10}$/.test(compact)) return { type: 'MSISDN', value: compact };
  if (/^\+92[0-9]{10}$/.test(compact)) return { type: 'MSISDN', value: compact.slice(1) };
  if (/^03[0-9]{9}$/.test(compact)) return { type: 'MSISDN', value: `92${compact.slice(1)}` };
  return null;
}
