import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isDomainError } from '../../core/errors';
import { parseAmount } from '../../core/money';

/**
 * The bank simulator's command line: flags first, then HISAAB_BANK_* environment variables, then defaults.
 * Opening balances are decimal strings ("1500.00" PKR), as money is everywhere at the edges.
 */
export type BankSimulatorCliOptions = {
  host: string;
  port: number;
  institutionId: string;
  accounts: Array<readonly [string, bigint]>;
  acceptedInstitutionIds: string[] | undefined;
  /** The switch's ISO 8583 port, to originate transfers; none when not given. */
  switchAddress: { host: string; port: number } | null;
};

export class CliOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliOptionsError';
  }
}

const ACCOUNTS_MAX = 10_000;
const institutionId = z.string().regex(/^[0-9]{1,11}$/, 'an institution id (DE32) is 1 to 11 digits');
const port = z
  .string()
  .regex(/^[0-9]{1,5}$/, 'a port is a whole number from 0 to 65535')
  .transform(Number)
  .refine((value) => value <= 65_535, 'a port is a whole number from 0 to 65535');

export function parseCliOptions(argv: readonly string[], environment: NodeJS.ProcessEnv): BankSimulatorCliOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'institution-id': { type: 'string' },
      account: { type: 'string', multiple: true },
      'accept-institution': { type: 'string', multiple: true },
      switch: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const listOf = (text: string | undefined): string[] | undefined => (text === undefined || text === '' ? undefined : text.split(','));
  const accountTexts = values.account ?? listOf(environment['HISAAB_BANK_ACCOUNTS']) ?? [];
  if (accountTexts.length > ACCOUNTS_MAX) throw new CliOptionsError(`at most ${ACCOUNTS_MAX} accounts`);
  const switchText = values.switch ?? environment['HISAAB_BANK_SWITCH'];
  return {
    host: values.host ?? environment['HISAAB_BANK_HOST'] ?? '127.0.0.1',
    port: check('--port', port, values.port ?? environment['HISAAB_BANK_PORT'] ?? '0'),
    institutionId: check('--institution-id', institutionId, values['institution-id'] ?? environment['HISAAB_BANK_INSTITUTION_ID'] ?? ''),
    accounts: accountTexts.map(parseAccount),
    acceptedInstitutionIds: (values['accept-institution'] ?? listOf(environment['HISAAB_BANK_ACCEPTED_INSTITUTIONS']))?.map((text) =>
      check('--accept-institution', institutionId, text),
    ),
    switchAddress: switchText === undefined || switchText === '' ? null : parseAddress(switchText),
  };
}

function check<T>(name: string, schema: z.ZodType<T, string>, text: string): T {
  const parsed = schema.safeParse(text);
  if (!parsed.success) throw new CliOptionsError(`${name}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed.data;
}

function parseAccount(text: string): readonly [string, bigint] {
  const separator = text.lastIndexOf('=');
  if (separator <= 0)
    throw new CliOptionsError(`--account takes ACCOUNT=BALANCE, such as PK36SCBL0000001123456702=1500.00; got "${text.slice(0, 60)}"`);
  const account = text.slice(0, separator);
  try {
    return [account, parseAmount(text.slice(separator + 1), 'PKR', { allowZero: true })];
  } catch (error) {
    if (isDomainError(error)) throw new CliOptionsError(`--account ${account}: ${error.message}`);
    throw error;
  }
}

function parseAddress(text: string): { host: string; port: number } {
  const separator = text.lastIndexOf(':');
  if (separator <= 0) throw new CliOptionsError(`--switch takes HOST:PORT, got "${text.slice(0, 60)}"`);
  return { host: text.slice(0, separator), port: check('--switch', port, text.slice(separator + 1)) };
}
