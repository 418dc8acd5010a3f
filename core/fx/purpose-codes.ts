/**
 * SBP purpose codes for in-bound receipts: a closed catalogue. An in-bound payment names one, the merchant is
 * enabled for some, and the inward-remittance report groups by them. Each entry says where it was taken from.
 *
 * SBP's Foreign Exchange Returns (FER) code guide keeps invisible receipts in Code List No. 5 ("Invisible and Capital
 * Receipts"); Code List No. 7 is the payments side ("Invisible and Capital Payments"), and goods are reported by
 * the commodity's HS code, not by a purpose code. Only codes whose number and description were read in a source that
 * can be found again are here, and each entry's source says how far it goes: SBP's own code list could not be opened
 * from where this was written, so every entry names the republication or quotation it was read in. A code guessed
 * from memory would be reported to the regulator under the wrong heading, which is worse than a code refused.
 *
 * Goods exports are deliberately absent: SBP classifies them by the 8-digit HS code of the goods exported, against
 * the exporter's goods declaration, and a services gateway carries neither; an exporter of goods is paid through its
 * bank's export documents, not through an internet merchant account.
 */
export type PurposeCodeCategory = 'IT_ITES' | 'FREELANCE' | 'HOME_REMITTANCE';

export type PurposeCode = {
  code: string;
  title: string;
  description: string;
  /** The group the report and the dashboard show it under. */
  category: PurposeCodeCategory;
  source: string;
};

const itExportSource =
  'State Bank of Pakistan, IT & ITeS export proceeds reporting codes (of SBP Code List No. 5, invisible receipts), as published by P@SHA at https://pasha.org.pk/sbp-reporting-codes/';

const freelanceSource =
  "State Bank of Pakistan, FER code guide, Code List No. 5 (Invisible and Capital Receipts), https://archive.sbp.org.pk/fe_returns/cod5.pdf and https://www.sbp.org.pk/assets/documents/laws_regulations/codeguide-1.pdf: number and description as quoted from it in two independent public research notes (SBP's PDF itself not read); the receipt it covers (remittances to resident individuals from reputed overseas IT firms and online platforms for freelance computer and information systems services, through banks' home-remittance arrangements) as SBP's FE Circular No. 11 of 2018 describes it, quoted at https://docs.dlocal.com/docs/pakistan-payouts-v3";

const homeRemittanceSource =
  "State Bank of Pakistan, FER code guide, Code List No. 5 (Invisible and Capital Receipts), https://www.sbp.org.pk/assets/documents/laws_regulations/codeguide-1.pdf: number and title as quoted from it in a public research note (SBP's PDF itself not read); that home remittances are reported under 9471 in SBP's International Transactions Reporting System: The News on Sunday, 'Freelancers' remittances', https://www.thenews.com.pk/tns/detail/923538-freelancers-remittances";

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
  {
    code: '9186',
    title: 'Freelance of Computer and Information Services',
    description: 'Remittances received by resident individuals/households from reputed overseas IT firms and online platforms',
    category: 'FREELANCE',
    source: freelanceSource,
  },
  {
    code: '9471',
    title: "Workers' Remittances - Other Sectors",
    description: "Workers' remittances for family maintenance (home remittances)",
    category: 'HOME_REMITTANCE',
    source: homeRemittanceSource,
  },
];

const byCode: ReadonlyMap<string, PurposeCode> = new Map(purposeCodes.map((entry) => [entry.code, entry]));

/** The catalogue's entry for a code, or undefined for a code it does not hold. */
export function purposeCode(code: string): PurposeCode | undefined {
  return byCode.get(code);
}
