import { join } from 'node:path';
import { Iso8583Client } from '../../../adapters/iso8583/client';
import { buildTransferRequest } from '../../../adapters/iso8583/mapping';
import { TsxChild } from '../../support/tsx-child';
import { financialRequest, PAYEE_ACCOUNT } from './messages';

/** `simulators/bank/main.ts` as a separate process: it listens, banks, and takes commands on stdin. */
const mainScript = join(__dirname, '..', '..', '..', 'simulators', 'bank', 'main.ts');

function parsedLine(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

it('runs as a process: prints its port, answers a 0200, and obeys decline and balance commands', async () => {
  const child = new TsxChild(mainScript, ['--port', '0', '--institution-id', '600001', '--account', `${PAYEE_ACCOUNT}=10.00`]);
  const client = { current: null as Iso8583Client | null };
  try {
    const listening = parsedLine(await child.waitForLine((line) => line.includes('"listening"'), 15_000));
    expect(listening).toMatchObject({ event: 'listening', institutionId: '600001' });
    client.current = new Iso8583Client({
      host: '127.0.0.1',
      port: Number(listening['port']),
      institutionId: '999999',
      terminalId: 'HISAAB01',
    });
    client.current.start();
    expect(await client.current.waitUntilReady(5_000)).toBe(true);

    const transfer = (stan: string) =>
      buildTransferRequest(financialRequest(stan, { acquirerInstitutionId: '999999', terminalId: 'HISAAB01', amountMinor: 250n }));
    const approved = await client.current.exchange(transfer('000101'), { timeoutMs: 5_000 });
    expect(approved.kind === 'response' && approved.response.fields[39]).toBe('00');

    child.send(`balance ${PAYEE_ACCOUNT}\ndecline on\n`);
    expect(parsedLine(await child.waitForLine((line) => line.includes('"balance"'), 5_000))).toMatchObject({ ok: true, balance: '12.50' });
    await child.waitForLine((line) => line.includes('"decline":true'), 5_000);
    const declined = await client.current.exchange(transfer('000102'), { timeoutMs: 5_000 });
    expect(declined.kind === 'response' && declined.response.fields[39]).toBe('05');

    child.send('delay lots\n');
    expect(parsedLine(await child.waitForLine((line) => line.includes('"delay lots"'), 5_000))).toMatchObject({
      ok: false,
      error: expect.stringContaining('milliseconds'),
    });
  } finally {
    await client.current?.stop();
    child.kill();
    await child.exited;
  }
});

it('exits with status 2 and a sentence on bad arguments', async () => {
  const child = new TsxChild(mainScript, ['--port', '0']);
  const exit = await child.exited;
  expect(exit.code).toBe(2);
  expect(child.stderr).toContain('--institution-id: an institution id (DE32) is 1 to 11 digits');
});
