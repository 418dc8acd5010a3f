import { randomUUID } from 'node:crypto';
import { firstSigningSecret, OperatorClient } from './simulators/operator-client';
import { WalletSimulator } from './simulators/wallet/wallet-simulator';
import { spawnSwitch } from './test/support/switch-process';
import { tempDir } from './test/support/temp-dir';

const operatorKey = 'operator-load-key-0123456789abcdef';
async function main(): Promise<void> {
  const workers = process.argv[2] ?? '1';
  const seconds = Number(process.argv[3] ?? '15');
  const concurrency = Number(process.argv[4] ?? '64');
  const payee = new WalletSimulator({ participantId: 'RAVI', accounts: [{ walletNumber: 'R0001', msisdn: '923002222222', name: 'Chand Bibi', balanceMinor: 0n }] });
  await payee.start();
  const directory = tempDir('hisaab-load-');
  const child = await spawnSwitch({ HISAAB_DATA_DIR: directory.path, HISAAB_OPERATOR_KEY: operatorKey, HISAAB_PORT: '0', HISAAB_WORKERS: workers }, 60_000).catch(async (e) => { throw e; });
  const operator = new OperatorClient(child.url, operatorKey);
  await operator.onboard({ id: 'MARGALLA', name: 'M', type: 'WALLET', bankCode: 'MRGL', netDebitCap: '100000000.00', endpoints: payee.endpoints });
  const payerKey = (await operator.issueKey('MARGALLA')).key;
  await operator.onboard({ id: 'RAVI', name: 'R', type: 'WALLET', bankCode: 'RAVI', netDebitCap: '100000000.00', endpoints: payee.endpoints });
  const key = await operator.issueKey('RAVI');
  payee.setSigningSecret(firstSigningSecret('RAVI', key));
  await operator.registerAlias(key.key, { type: 'MSISDN', value: '923002222222', account: { type: 'WALLET', value: 'R0001' }, name: 'Chand' });
  let ok = 0; let other = 0;
  const end = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  const loop = async () => {
    while (Date.now() < end) {
      const started = performance.now();
      const r = await fetch(`${child.url}/v1/transfers`, { method: 'POST', headers: { authorization: `Bearer ${payerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: randomUUID(), payer: { type: 'WALLET', value: 'M0001' }, payee: { type: 'MSISDN', value: '923002222222' }, amount: '1.00', currency: 'PKR', purpose: 'P2P' }) });
      await r.arrayBuffer();
      latencies.push(performance.now() - started);
      if (r.status === 201) ok++; else other++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  latencies.sort((a, b) => a - b);
  console.log(JSON.stringify({ workers, concurrency, seconds, committedPerSecond: Math.round(ok / seconds), other, p50Ms: Math.round(latencies[Math.floor(latencies.length * 0.5)] ?? 0), p99Ms: Math.round(latencies[Math.floor(latencies.length * 0.99)] ?? 0) }));
  await child.stop('SIGTERM');
  await payee.close();
  directory.remove();
}
void main();
