/**
 * A Pakistani mobile number as customers write it, in the international form the directory keys MSISDN aliases by
 * (92 then 10 digits): "0300 1234567", "03001234567", "+92 300 1234567" and "923001234567" are one number. Spaces
 * and dashes are ignored. Null for anything else.
 */
export function normalizePakistaniMsisdn(input: string): string | null {
  if (input.length > 32) return null;
  const compact = input.replace(/[\s-]/g, '');
  if (/^03\d{9}$/.test(compact)) return `92${compact.slice(1)}`;
  if (/^\+923\d{9}$/.test(compact)) return compact.slice(1);
  if (/^923\d{9}$/.test(compact)) return compact;
  return null;
}
