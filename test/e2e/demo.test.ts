import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../support/temp-dir';

const repositoryRoot = join(__dirname, '..', '..');

it('runs the demo of `npm start` end to end: onboarding, scripted failures, an ISO 8583 bank both ways, a checkout with its webhook and a refund, traffic, settlement', () => {
  const directory = tempDir('hisaab-demo-');
  try {
    const run = spawnSync(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), ['scripts/demo.ts', '--seconds', '2', '--exit'], {
      cwd: repositoryRoot,
      env: { ...process.env, HISAAB_DATA_DIR: directory.path, HISAAB_PORT: '0' },
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const output = run.stdout;
    expect(output).toContain('A payment Margalla → Ravi: COMMITTED');
    expect(output).toContain('Ravi rejects a credit: ABORTED (PAYEE_REJECTED)');
    expect(output).toContain('Dispute DEBITED_NOT_CREDITED on the rejected payment: RESOLVED CLAIMANT');
    expect(output).toContain('Dispute GOODS_NOT_RECEIVED on the checkout payment: OPEN, merchant KARACHI_BOOKS');
    expect(output).toMatch(/Karachi Books contests; the operator decides: RESOLVED CLAIMANT, chargeback chargeback-dp_[0-9a-f]{24}/);
    // 1500.00 at 1.50 % MDR (22.50), 500.00 refunded, 1000.00 charged back: the MDR stays with the acquirer.
    expect(output).toContain("Karachi Books' balance: collected 1500.00, refunded 500.00, charged back 1000.00, MDR 22.50, net -22.50");
    expect(output).toMatch(/answers too late .*: ABORTED \(PAYEE_TIMEOUT\)/);
    expect(output).toContain('net debit cap of 5000.00: ABORTED (NET_DEBIT_CAP_EXCEEDED)');
    expect(output).toMatch(/Ravi received [1-9]\d* reversal/);
    expect(output).toContain('Indus Bank (ISO 8583 0200) → Margalla wallet 2500.00: approved (39=00)');
    expect(output).toMatch(/Margalla wallet → Indus Bank IBAN 1200\.00 .*: COMMITTED/);
    // The checkout: the pay URL and its QR in the terminal, the wallet's approval, the shop's verified webhook, a partial refund.
    expect(output).toMatch(/Karachi Books .* opened cs_[A-Za-z0-9]{22} for 1500\.00 PKR/);
    expect(output).toMatch(/Pay at http:\/\/localhost:\d+\/pay\/cs_[A-Za-z0-9]{22} or scan:/);
    expect(output).toContain('▄▄▄▄▄▄▄');
    expect(output).toMatch(/Shop verified webhook checkout\.session\.completed evt_[0-9a-f]{24}: COMPLETED, transfer [0-9a-f-]{36}/);
    expect(output).toMatch(/Shop refunds 500\.00 of it: re_\S+ SUCCEEDED/);
    expect(output).toMatch(/Shop verified webhook refund\.succeeded evt_[0-9a-f]{24}/);
    // Progress while the traffic runs, about once a second: a person sees it is working and how fast.
    expect(output).toMatch(/traffic 1 s: \d+ transfers, \d+ committed, \d+ aborted, \d+ refused, \d+ unknown, \d+\/s/);
    // The exact command that checks the ledger of this run.
    expect(output).toContain(`npm run verify -- --data-dir ${directory.path}`);
    const traffic = /Traffic: (\{.*\})/.exec(output);
    expect(traffic).not.toBeNull();
    const summary = JSON.parse(traffic?.[1] ?? '{}') as { sent: number; outcomes: { COMMITTED: number; UNKNOWN: number } };
    expect(summary.sent).toBeGreaterThan(0);
    expect(summary.outcomes.COMMITTED).toBeGreaterThan(0);
    expect(summary.outcomes.UNKNOWN).toBe(0);
    expect(output).toMatch(/KHYBER\s+position/);
    expect(output).toMatch(/Settlement window PKR-\d+ closed: \d+ payments .* nets sum to zero: true/);
    const afterSettlement = output.slice(output.indexOf('settled (RTGS-'));
    expect(afterSettlement.match(/position\s+0\.00 /g)).toHaveLength(4);
  } finally {
    directory.remove();
  }
});
