/**
 * The in-bound part of `npm start` (issue 17): a foreign acquirer (REMITLY, an INBOUND_PSP prefunded in USD, EUR and
 * GBP) pays the demo shop for IT work through the switch; Indus Bank, an authorised dealer, posts the rates into
 * rupees and keeps them fresh while the demo runs. The shop keeps 35 % in the foreign currency, the rest arrives in
 * rupees; the shop verifies a webhook for each payment; the regulator's inward-remittance report sums them by purpose
 * code. Each currency then settles in its own window.
 */
import type { SettlementReport } from '../core/reports/settlement-report';
import type { MerchantShop } from '../simulators/merchant/merchant-shop';
import type { OperatorClient } from '../simulators/operator-client';
import { seededRandom } from '../simulators/seeded-random';
import { FxRateFeed } from '../simulators/inbound-psp/fx-rate-feed';
import { runInboundPayments } from '../simulators/inbound-psp/inbound-psp-simulator';

export const foreignCurrencies = ['USD', 'EUR', 'GBP'] as const;
const pspId = 'REMITLY';
const purposeCodes = ['9182', '9184', '9185'];
const paymentCount = 6;
const webhookWaitMs = 15_000;

type RemittanceLine = {
  group: string;
  currency: string;
  count: number;
  b2bCount: number;
  b2cCount: number;
  amount: string;
  rupees: string;
};

/**
 * Registers the PSP, starts the dealer's rate feed, enables the shop for in-bound receipts and sends the payments.
 * Answers the rate feed, which the caller stops when the switch stops.
 */
export async function inboundScenario(input: {
  operator: OperatorClient;
  switchUrl: string;
  shop: MerchantShop;
  merchantId: string;
  merchantName: string;
  dealerId: string;
  say: (line: string) => void;
}): Promise<FxRateFeed> {
  const { operator, say } = input;
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  await operator.onboard({
    id: pspId,
    name: 'Remitly Global (in-bound PSP)',
    type: 'INBOUND_PSP',
    bankCode: 'RMTL',
    currencies: foreignCurrencies,
    netDebitCap: '250000.00',
    netDebitCaps: { EUR: '250000.00', GBP: '250000.00' },
    // Never called: an in-bound PSP only sends payments in, and its legs are ledger postings.
    endpoints: { creditUrl: 'http://127.0.0.1:9/credit', reversalUrl: 'http://127.0.0.1:9/reversal' },
  });
  for (const currency of foreignCurrencies) await operator.recordFunds(pspId, '250000.00', `${pspId}-${currency}-nostro`, currency);
  const pspKey = (await operator.issueKey(pspId)).key;
  const dealerKey = (await operator.issueKey(input.dealerId)).key;
  const feed = new FxRateFeed({
    switchUrl: input.switchUrl,
    dealerKey,
    currencies: foreignCurrencies,
    validForSeconds: 300,
    random: seededRandom(2026),
    onError: (message) => say(`Rate refresh failed: ${message}`),
  });
  const rates = await feed.start();
  say(
    `In-bound: ${input.dealerId} (authorised dealer) posts ${rates.map((rate) => `${rate.from}/PKR ${rate.rate}`).join(', ')}, valid 300 s, refreshed every ${feed.refreshMs / 1000} s; ${pspId} (in-bound PSP) is prefunded with 250000.00 in each of ${foreignCurrencies.join(', ')}.`,
  );
  await operator.patch(`/v1/merchants/${input.merchantId}`, { inbound: { enabled: true, retentionShare: '0.35', purposeCodes } });
  say(
    `  ${input.merchantName} is enabled for in-bound receipts: keeps 35 % in the foreign currency, purpose codes ${purposeCodes.join(', ')}.`,
  );

  const { results, summary } = await runInboundPayments({
    switchUrl: input.switchUrl,
    pspKey,
    merchantIds: [input.merchantId],
    purposeCodes,
    count: paymentCount,
    intervalMs: 0,
    seed: 17,
    onResult: (result) => {
      const { order } = result;
      const head = `  ${order.buyer.name} (${order.buyer.country}, ${order.buyer.type}) pays ${order.amount} ${order.buyer.currency}, ${order.invoiceNumber}, purpose ${order.purposeCode}`;
      if (result.kind === 'completed') {
        const { retained, converted } = result.payment;
        say(
          `${head}: ${result.payment.status}, kept ${retained.amount} ${retained.currency}, ${converted.fromAmount} ${result.payment.currency} → ${converted.toAmount} PKR at ${converted.rate} (${converted.provider})`,
        );
      } else
        say(`${head}: ${result.kind === 'refused' ? `refused ${result.code}: ${result.message}` : `no clear answer: ${result.detail}`}`);
    },
  });
  say(`In-bound payments: ${JSON.stringify(summary)}`);
  let verified = 0;
  for (const result of results) {
    if (result.kind !== 'completed') continue;
    await input.shop.waitForEvent(
      (event) => event.type === 'inbound_payment.completed' && event.data.object['id'] === result.paymentId,
      webhookWaitMs,
    );
    verified += 1;
  }
  say(`  ${input.merchantName} verified ${verified} inbound_payment.completed webhook(s).`);
  await printInwardRemittances(operator, startedAt, say);
  return feed;
}

/** The regulator's view of what came in: `GET /v1/reports/inward-remittances` by purpose code, with the totals. */
async function printInwardRemittances(operator: OperatorClient, from: string, say: (line: string) => void): Promise<void> {
  const to = new Date(Date.now() + 60_000).toISOString();
  const query = `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&groupBy=purposeCode`;
  const report = (await operator.get(`/v1/reports/inward-remittances?${query}`)) as { groups: RemittanceLine[]; totals: RemittanceLine[] };
  say('Inward remittances by purpose code (GET /v1/reports/inward-remittances, also as CSV and on /regulator):');
  for (const line of [...report.groups, ...report.totals]) {
    say(
      `  ${line.group.padEnd(5)} ${line.currency} ${String(line.count).padStart(3)} receipts (B2B ${line.b2bCount}, B2C ${line.b2cCount})  ${line.amount.padStart(10)} ${line.currency}  → ${line.rupees.padStart(12)} PKR`,
    );
  }
}

/** The report's JSON as the API answers it: the fields the demo prints. */
type WindowReport = Pick<SettlementReport, 'windowId' | 'currency' | 'participants' | 'totals' | 'netSumZero'>;

/** Each foreign currency settles in its own window: closes it and prints its report, in that currency. */
export async function closeForeignWindows(operator: OperatorClient, say: (line: string) => void): Promise<void> {
  for (const currency of foreignCurrencies) {
    const closed = (await operator.post('/v1/settlement/windows/close', { currency }, 200)) as { closed: { id: string } };
    const report = (await operator.get(`/v1/settlement/windows/${closed.closed.id}/report`)) as WindowReport;
    say(
      `Settlement window ${report.windowId} closed: ${report.totals.count} payments worth ${report.totals.value} ${report.currency}; nets sum to zero: ${report.netSumZero}; ${report.participants.map((line) => `${line.participant} ${line.net}`).join(', ')}`,
    );
  }
}
