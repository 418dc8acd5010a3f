import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isDomainError } from '../../core/errors';
import { parseAmount } from '../../core/money';
import type { CustomerAccount } from './customer-accounts';

/**
 * The wallet simulator's command line (`npm run sim:wallet -- --participant MARGALLA --port 9101 ...`): flags
 * first, then the WALLET_* environment variables, then defaults. Opening balances are decimal strings
 * ("1500.00"), as money is everywhere at the edges.
 */
export type WalletSimulatorCliOptions = {
  participantId: string;
  host: string;
  port: number;
  currency: string;
  /** The secrets it accepts callbacks signed with: several, comma-separated, while the switch rotates one. */
  signingSecrets: string[];
  accounts: CustomerAccount[];
  /** Where and with which key it sends transfers; none when either is missing. */
  switchConnection: { switchUrl: string; participantKey: string } | null;
};

export class WalletCliOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalletCliOptionsError';
  }
}

/** `--help`: the caller prints the usage and exits 0. */
export class WalletCliHelpRequested extends Error {
  constructor() {
    super('help requested');
    this.name = 'WalletCliHelpRequested';
  }
}

export const walletCliUsage =
  'usage: npm run sim:wallet -- --participant ID --port PORT [--signing-secret SECRET] ' +
  "[--customer 'WALLET_NUMBER:MSISDN:NAME:BALANCE' ...] [--switch-url URL --key PARTICIPANT_KEY] [--host HOST] [--currency PKR]";

const customersMax = 100_000;
const participantId = z.string().regex(/^[A-Z0-9_]{2,16}$/, 'a participant id is 2 to 16 capital letters, digits or "_"');
const port = z
  .string()
  .regex(/^[0-9]{1,5}$/, 'a port is a whole number from 0 to 65535')
  .transform(Number)
  .refine((value) => value <= 65_535, 'a port is a whole number from 0 to 65535');
const currency = z.string().regex(/^[A-Z]{3}$/, 'a currency is a three-letter ISO 4217 code');
const switchUrl = z.url({ protocol: /^https?$/, error: 'the switch URL is an http:// or https:// URL' });

/** The JSON form of customers in WALLET_ACCOUNTS, kept for scripts written against it. */
const accountJsonSchema = z.strictObject({
  walletNumber: z.string().min(1).max(34),
  msisdn: z
    .string()
    .regex(/^\d{10,15}$/)
    .optional(),
  cnic: z
    .string()
    .regex(/^\d{13}$/)
    .optional(),
  name: z.string().min(1).max(140),
  balance: z.string(),
});

export function parseWalletCliOptions(argv: readonly string[], environment: NodeJS.ProcessEnv): WalletSimulatorCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      participant: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      currency: { type: 'string' },
      'signing-secret': { type: 'string' },
      customer: { type: 'string', multiple: true },
      'switch-url': { type: 'string' },
      key: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) throw new WalletCliHelpRequested();
  const currencyCode = check('--currency', currency, values.currency ?? environment['WALLET_CURRENCY'] ?? 'PKR');
  const customerTexts = values.customer ?? [];
  if (customerTexts.length > customersMax) throw new WalletCliOptionsError(`at most ${customersMax} customers`);
  const accounts =
    customerTexts.length > 0
      ? customerTexts.map((text) => parseCustomer(text, currencyCode))
      : accountsFromJson(environment['WALLET_ACCOUNTS'], currencyCode);
  const signingSecret = values['signing-secret'] ?? environment['WALLET_SIGNING_SECRET'];
  const switchText = values['switch-url'] ?? environment['HISAAB_SWITCH_URL'];
  const key = values.key ?? environment['WALLET_PARTICIPANT_KEY'];
  if ((switchText === undefined) !== (key === undefined))
    throw new WalletCliOptionsError('--switch-url and --key go together: the wallet sends transfers to that switch with that key');
  return {
    participantId: check('--participant', participantId, values.participant ?? environment['WALLET_PARTICIPANT_ID'] ?? ''),
    host: values.host ?? environment['WALLET_HOST'] ?? '127.0.0.1',
    port: check('--port', port, values.port ?? environment['WALLET_PORT'] ?? '0'),
    currency: currencyCode,
    // A secret holds no comma, so a comma separates the old and the new one during a rotation's overlap.
    signingSecrets: signingSecretsOf(signingSecret ?? ''),
    accounts,
    switchConnection:
      switchText === undefined || key === undefined
        ? null
        : { switchUrl: check('--switch-url', switchUrl, switchText), participantKey: key },
  };
}

/**
 * The secrets, comma-separated. Each is one the switch issued (`whsec_…`): a key that was not the participant's
 * first answers `"signingSecret": null`, and a wallet started with the text "null" would refuse every credit as
 * badly signed, which is far harder to see than this refusal.
 */
function signingSecretsOf(text: string): string[] {
  const secrets = text.split(',').filter((secret) => secret !== '');
  const wrong = secrets.find((secret) => !/^whsec_[A-Za-z0-9_-]{16,}$/.test(secret));
  if (wrong !== undefined)
    throw new WalletCliOptionsError(
      `--signing-secret: a signing secret is the whsec_… value the switch issued (the signingSecret of the participant's first key, or of POST /v1/participants/{id}/signing-secrets); got "${wrong.slice(0, 20)}"`,
    );
  return secrets;
}

function check<T>(name: string, schema: z.ZodType<T, string>, text: string): T {
  const parsed = schema.safeParse(text);
  if (!parsed.success) throw new WalletCliOptionsError(`${name}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

/** WALLET_NUMBER:MSISDN:NAME:BALANCE; the name may itself hold colons, so it is whatever lies between. */
function parseCustomer(text: string, currencyCode: string): CustomerAccount {
  const parts = text.split(':');
  if (parts.length < 4)
    throw new WalletCliOptionsError(
      `--customer takes WALLET_NUMBER:MSISDN:NAME:BALANCE, such as 'MRGL000001:923001111111:Ayesha Khan:100000.00'; got "${text.slice(0, 80)}"`,
    );
  const walletNumber = parts[0] ?? '';
  const msisdn = parts[1] ?? '';
  const balance = parts[parts.length - 1] ?? '';
  const name = parts.slice(2, -1).join(':').trim();
  if (walletNumber === '' || walletNumber.length > 34)
    throw new WalletCliOptionsError(`--customer: a wallet number is 1 to 34 characters; got "${walletNumber.slice(0, 40)}"`);
  if (!/^\d{10,15}$/.test(msisdn))
    throw new WalletCliOptionsError(`--customer ${walletNumber}: an MSISDN is 10 to 15 digits, such as 923001111111`);
  if (name === '' || name.length > 140) throw new WalletCliOptionsError(`--customer ${walletNumber}: a name is 1 to 140 characters`);
  return { walletNumber, msisdn, name, balanceMinor: amount(`--customer ${walletNumber}`, balance, currencyCode) };
}

function accountsFromJson(text: string | undefined, currencyCode: string): CustomerAccount[] {
  if (text === undefined || text === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WalletCliOptionsError('WALLET_ACCOUNTS is not JSON: give a JSON array of {walletNumber, msisdn, name, balance}');
  }
  const parsed = z.array(accountJsonSchema).max(customersMax).safeParse(json);
  if (!parsed.success)
    throw new WalletCliOptionsError(
      `WALLET_ACCOUNTS: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  return parsed.data.map(({ balance, ...account }) => ({
    ...account,
    balanceMinor: amount(`WALLET_ACCOUNTS ${account.walletNumber}`, balance, currencyCode),
  }));
}

function amount(name: string, text: string, currencyCode: string): bigint {
  try {
    return parseAmount(text, currencyCode, { allowZero: true });
  } catch (error) {
    if (isDomainError(error)) throw new WalletCliOptionsError(`${name}: ${error.message}`);
    throw error;
  }
}
