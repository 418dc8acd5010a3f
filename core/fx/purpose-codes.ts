/**
 * SBP purpose codes for in-bound receipts: a closed catalogue. An in-bound payment names one, the merchant is
 * enabled for some, and the inward-remittance report groups by them. Each entry says where it was taken from.
 *
 * Only codes whose number and description could be checked against a published list are here: the six IT & ITeS
 * codes of SBP's export proceeds reporting (Code List No. 7, "Invisible receipts", as P@SHA republishes it for its
 * members). The codes for freelance IT services, home remittances and goods exports are to be added from SBP's own
 * code lists (FE Manual, Code Lists 6 and 7) once read from them; a code guessed from memory would be reported to
 * the regulator under the wrong heading, which is worse than a code refused.
 */
export type PurposeCode = {
  code: string;
  title: string;
  description: string;
  /** The group the report and the dashboard show it under. */
  category: 'IT_ITES';
  source: string;
};

const itExportSource =
  'State Bank of Pakistan, IT & ITeS export proceeds reporting codes (Code List No. 7, invisible receipts), as published by P@SHA at https://pasha.org.pk/sbp-reporting-codes/';

export const purposeCodes: readonly PurposeCode[] = [
  {
    code: '9102',
    title: 'Call Centers',
    description: 'Receipts on account of services provided by call centres',
    category: 'IT_ITES',
    source: itExportSource,
  },
  {
    code: '9181',
    title: 'Hardware Consultancy Services',
    description: 'Receipts on account of computer hardware consultancy services provided to non-residents',
    category: 'IT_ITES',
    source: itExportSource,
  },
  {
    code: '9182',
    title: 'Software Consultancy Services',
    description:
      'Receipts on account of database services provided to non-residents, such as development, storage and on-line time series, and database processing services',
    category: 'IT_ITES',
    source: itExportSource,
  },
  {
    code: '9183',
    title: 'Maintenance and Repair of Computers',
    description: 'Receipts on account of maintenance and repair of computers and peripheral equipment abroad for non-residents',
    category: 'IT_ITES',
    source: itExportSource,
  },
  {
    code: '9184',
    title: 'Export of Computer Software',
    description: 'Receipts on account of export of computer software, including design, development and programming of customised systems',
    category: 'IT_ITES',
    source: itExportSource,
  },
  {
    code: '9185',
    title: 'Other Computer Services',
    description: 'Receipts on account of other computer services not specified elsewhere',
    category: 'IT_ITES',
    source: itExportSource,
  },
];

const byCode: ReadonlyMap<string, PurposeCode> = new Map(purposeCodes.map((entry) => [entry.code, entry]));

/** The catalogue's entry for a code, or undefined for a code it does not hold. */
export function purposeCode(code: string): PurposeCode | undefined {
  return byCode.get(code);
}
