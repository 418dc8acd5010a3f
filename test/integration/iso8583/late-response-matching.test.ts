import { Iso8583Client } from '../../../adapters/iso8583/client';
import { buildTransferRequest } from '../../../adapters/iso8583/mapping';
import { RecordingBankHost } from '../iso8583-switch/recording-bank-host';
import { financialRequest } from './messages';

/**
 * DE11 has only six digits, so a STAN comes round again; the switch even derives its outbound STANs from transfer
 * ids, so two transfers may share one. Once a request has timed out its STAN is free, and a later request may go
 * out under the same MTI + DE11 + DE41. The bank's late answer to the first must not be taken for the answer to the
 * second: responses echo DE37, and each request has its own.
 */

const SWITCH_INSTITUTION_ID = '999999';
const SWITCH_TERMINAL_ID = 'HISAAB01';
const SHARED_STAN = '004242';

let host: RecordingBankHost;
let client: Iso8583Client;

beforeEach(async () => {
  host = new RecordingBankHost();
  const port = await host.start();
  client = new Iso8583Client({ host: '127.0.0.1', port, institutionId: SWITCH_INSTITUTION_ID, terminalId: SWITCH_TERMINAL_ID });
  client.start();
  expect(await client.waitUntilReady(2_000)).toBe(true);
});

afterEach(async () => {
  await client.stop();
  await host.close();
});

it('does not pair a late answer to a timed-out request with a later request that reuses its DE11', async () => {
  // The first request is approved, but only after its sender gave up; the second is refused (14).
  host.answerNext('request', { responseCode: '00', delayMs: 300 }, { responseCode: '14', delayMs: 450 });
  const first = buildTransferRequest(
    financialRequest(SHARED_STAN, {
      acquirerInstitutionId: SWITCH_INSTITUTION_ID,
      terminalId: SWITCH_TERMINAL_ID,
      retrievalReferenceNumber: '000000000001',
    }),
  );
  expect(await client.exchange(first, { timeoutMs: 100 })).toMatchObject({ kind: 'timeout', reason: 'deadline' });

  const second = buildTransferRequest(
    financialRequest(SHARED_STAN, {
      acquirerInstitutionId: SWITCH_INSTITUTION_ID,
      terminalId: SWITCH_TERMINAL_ID,
      retrievalReferenceNumber: '000000000002',
      amountMinor: 777n,
    }),
  );
  const outcome = await client.exchange(second, { timeoutMs: 2_000 });
  expect(outcome.kind).toBe('response');
  if (outcome.kind !== 'response') return;
  expect(outcome.response.fields[37]).toBe('000000000002');
  expect(outcome.response.fields[39]).toBe('14');
  expect(client.statistics().lateOrUnmatchedResponses).toBe(1);
});

it('still pairs an answer that does not echo DE37, by MTI + DE11 + DE41 alone', async () => {
  const request = buildTransferRequest(
    financialRequest('004343', { acquirerInstitutionId: SWITCH_INSTITUTION_ID, terminalId: SWITCH_TERMINAL_ID }),
  );
  const withoutRetrievalReference: Record<number, string | undefined> = { ...request.fields };
  delete withoutRetrievalReference[37];
  // DE37 is mandatory on a 0200, so the host answers 30; its answer echoes no DE37 since the request had none.
  const outcome = await client.exchange({ mti: '0200', fields: withoutRetrievalReference }, { timeoutMs: 2_000 });
  expect(outcome.kind).toBe('response');
  if (outcome.kind !== 'response') return;
  expect(outcome.response.fields[37]).toBeUndefined();
  expect(outcome.response.fields[39]).toBe('30');
});
