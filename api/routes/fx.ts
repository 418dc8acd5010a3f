import type { Principal } from '../../core/auth/principal';
import { DomainError } from '../../core/errors';
import { inboundTargetCurrency, quoteView, type FxService } from '../../core/fx/fx-service';
import type { InboundPaymentRecord } from '../../core/fx/inbound-payment-decider';
import type { InboundPaymentService } from '../../core/fx/inbound-payment-service';
import { inboundPaymentSummary } from '../../core/fx/inbound-payment-summary';
import { purposeCodes } from '../../core/fx/purpose-codes';
import { exportProceedsCertificate } from '../../core/fx/export-proceeds-certificate';
import type { OutgoingMessageSigner } from '../../adapters/wallet-http/switch-jws-signer';
import { exportProceedsCertificatePdf } from '../views/export-proceeds-certificate-pdf';
import { isCurrencyCode, parseAmount } from '../../core/money';
import type { RequestHandler } from 'express';
import { tableCsv } from '../../core/reports/table-csv';
import {
  addPayerTypeSums,
  inwardRemittanceCsvHeader,
  inwardRemittanceLine,
  noPayerTypeSums,
  type InwardRemittanceReader,
  type InwardRemittanceRow,
} from '../../core/fx/inward-remittance-report';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import { HttpError } from '../http-error';
import { visibleMerchant } from '../merchant-access';
import { principalOf } from '../request-context';
import { bodyOf, sendCsv, wantsCsv } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import {
  certificateQuery,
  fxPairParams,
  inboundPaymentIdParams,
  inboundPaymentListQuery,
  inboundPaymentSchema,
  inwardRemittancesQuery,
  postRateSchema,
  quoteRequestSchema,
} from '../schemas/fx-schemas';
import { amountRefusedAt, parseField, parseInput, refusalsAtAsync } from '../validation';

export type FxRoutesDependencies = {
  /** The switch's own signer: the certificate carries its detached JWS (Hisaab-JWS). */
  signer: OutgoingMessageSigner;
  fx: FxService;
  inbound: InboundPaymentService;
  remittances: InwardRemittanceReader;
  merchants: MerchantReader;
};

/** The widest inward-remittance report: a year, bounded so one request cannot scan the whole history. */
const remittanceRangeDaysMax = 366;
const dayMs = 24 * 60 * 60 * 1000;

/**
 * Issue 17 at the edge: FX providers post rates, in-bound PSPs take quotes and send payments, everyone
 * authenticated reads the purpose-code catalogue. No business rule here: the services in core/fx decide.
 */
export function fxRoutes(services: FxRoutesDependencies): RouteModule {
  return (router, kit) => {
    router.get('/v1/reference/purpose-codes', kit.allow('operator', 'participant', 'merchant', 'regulator'), (_request, response) => {
      response.json({ purposeCodes: purposeCodes.map((entry) => ({ ...entry })) });
    });

    router.put('/v1/fx/rates/:from/:to', kit.allow('participant'), async (request, response) => {
      const pair = parseInput(fxPairParams, request.params, 'path');
      const body = parseInput(postRateSchema, bodyOf(request), 'body');
      const providerId = participantIdOf(principalOf(request));
      const { rate, position } = await refusalsAtAsync(['path'], () =>
        services.fx.postRate(providerId, { ...pair, ...body }, kit.commandContext(request)),
      );
      await kit.waitForWrite(position);
      response.json({ provider: rate.providerId, from: pair.from, to: pair.to, rate: rate.rate, validUntil: rate.validUntil });
    });

    router.post('/v1/fx/quotes', kit.allow('participant'), async (request, response) => {
      const principal = principalOf(request);
      await kit.idempotency.run(request, response, principal, async () => {
        const body = parseInput(quoteRequestSchema, bodyOf(request), 'body');
        for (const [field, code] of [
          ['from', body.from],
          ['to', body.to],
        ] as const) {
          if (!isCurrencyCode(code) || !kit.dependencies.config.currencies.includes(code)) {
            throw new DomainError('CURRENCY_NOT_SUPPORTED', `body.${field}: ${code} is not enabled on this switch`);
          }
        }
        const fromAmountMinor =
          body.fromAmount === undefined ? null : parseField(['body', 'fromAmount'], () => parseAmount(body.fromAmount ?? '', body.from));
        const toAmountMinor =
          body.toAmount === undefined ? null : parseField(['body', 'toAmount'], () => parseAmount(body.toAmount ?? '', body.to));
        // Whether the amount converts to anything is known only at the rate the service finds.
        const { quote, position } = await amountRefusedAt(['body', body.fromAmount === undefined ? 'toAmount' : 'fromAmount'], () =>
          refusalsAtAsync(['body'], () =>
            services.fx.quote(
              participantIdOf(principal),
              { from: body.from, to: body.to, fromAmountMinor, toAmountMinor },
              kit.commandContext(request),
            ),
          ),
        );
        await kit.waitForWrite(position);
        return { status: 201, body: quoteView(quote) };
      });
    });

    router.post('/v1/inbound/payments', kit.allow('participant'), async (request, response) => {
      const principal = principalOf(request);
      const body = parseInput(inboundPaymentSchema, bodyOf(request), 'body');
      if (!isCurrencyCode(body.currency) || !kit.dependencies.config.currencies.includes(body.currency)) {
        throw new DomainError('CURRENCY_NOT_SUPPORTED', `body.currency: ${body.currency} is not enabled on this switch`);
      }
      const amountMinor = parseField(['body', 'amount'], () => parseAmount(body.amount, body.currency));
      // Whether the converted part converts to anything is known only at the rate the service finds.
      const { payment, position, replayed } = await amountRefusedAt(['body', 'amount'], () =>
        services.inbound.pay(
          {
            paymentId: body.id,
            pspId: participantIdOf(principal),
            merchantId: body.merchantId,
            amountMinor: amountMinor.toString(),
            currency: body.currency,
            quoteId: body.quoteId ?? null,
            purposeCode: body.purposeCode,
            payer: { type: body.payer.type, name: body.payer.name, country: body.payer.country, taxId: body.payer.taxId ?? null },
            invoiceNumber: body.invoiceNumber ?? null,
            description: body.description ?? null,
          },
          kit.commandContext(request),
        ),
      );
      await kit.waitForWrite(position);
      // A replay answers 200 with the payment as first recorded, as a transfer's replay does.
      response.status(replayed ? 200 : 201).json(inboundPaymentSummary(payment));
    });

    const remittances =
      (csv: boolean): RequestHandler =>
      (request, response) => {
        const query = parseInput(inwardRemittancesQuery, request.query, 'query');
        const from = new Date(query.from);
        const to = new Date(query.to);
        if (from.getTime() >= to.getTime() || to.getTime() - from.getTime() > remittanceRangeDaysMax * dayMs) {
          throw new HttpError('VALIDATION_FAILED', `query.to: after from, by at most ${remittanceRangeDaysMax} days`, [
            { path: ['query', 'to'], message: `after from, by at most ${remittanceRangeDaysMax} days` },
          ]);
        }
        requireForeignCurrency(query.currency, kit.dependencies.config.currencies);
        const groupBy = query.groupBy ?? 'purposeCode';
        const rows = services.remittances
          .summarize({ from: from.toISOString(), to: to.toISOString(), groupBy })
          .filter((row) => query.currency === undefined || row.currency === query.currency);
        const groups = rows.map(inwardRemittanceLine);
        const totals = totalsByCurrency(rows).map(inwardRemittanceLine);
        if (csv || wantsCsv(request, response)) {
          sendCsv(response, tableCsv(inwardRemittanceCsvHeader, [...groups, ...totals]), `inward-remittances-${groupBy}.csv`);
          return;
        }
        response.json({ from: from.toISOString(), to: to.toISOString(), groupBy, groups, totals });
      };
    router.get('/v1/reports/inward-remittances', kit.allow('regulator', 'operator'), remittances(false));
    router.get('/v1/reports/inward-remittances.csv', kit.allow('regulator', 'operator'), remittances(true));

    router.get('/v1/inbound/payments', kit.allow('operator', 'participant', 'merchant', 'regulator'), async (request, response) => {
      const query = parseInput(inboundPaymentListQuery, request.query, 'query');
      // The merchant itself, its acquirer, the operator and regulators; anyone else learns nothing, not even that it exists.
      visibleMerchant(services.merchants, principalOf(request), query.merchantId);
      const payments = [];
      for (const paymentId of services.remittances.merchantPaymentIds(query.merchantId, query.limit)) {
        const payment = await services.inbound.find(paymentId);
        if (payment !== null) payments.push(inboundPaymentSummary(payment));
      }
      response.json({ payments });
    });

    router.get('/v1/inbound/payments/:id', kit.allow('operator', 'participant', 'merchant', 'regulator'), async (request, response) => {
      const { id } = parseInput(inboundPaymentIdParams, request.params, 'path');
      const payment = await services.inbound.find(id);
      if (payment === null || !canRead(principalOf(request), payment.payment)) {
        throw new HttpError('INBOUND_PAYMENT_NOT_FOUND', `there is no in-bound payment ${id}`);
      }
      response.json(inboundPaymentSummary(payment));
    });

    router.get(
      '/v1/inbound/payments/:id/certificate',
      kit.allow('operator', 'participant', 'merchant', 'regulator'),
      async (request, response) => {
        const { id } = parseInput(inboundPaymentIdParams, request.params, 'path');
        const { format } = parseInput(certificateQuery, request.query, 'query');
        const found = await services.inbound.find(id);
        if (found === null || !canReadCertificate(principalOf(request), found.payment)) {
          throw new HttpError('INBOUND_PAYMENT_NOT_FOUND', `there is no in-bound payment ${id}`);
        }
        if (found.status !== 'posted') {
          throw new HttpError(
            'INBOUND_PAYMENT_NOT_COMPLETED',
            `in-bound payment ${id} is ${found.status === 'failed' ? 'FAILED' : 'still PROCESSING'}: there are no proceeds to certify`,
          );
        }
        const certificate = exportProceedsCertificate(found.payment);
        const body = format === 'json' ? Buffer.from(JSON.stringify(certificate), 'utf8') : await exportProceedsCertificatePdf(certificate);
        const jws = await services.signer({
          method: 'GET',
          url: new URL(request.originalUrl, 'http://switch.invalid'),
          body,
          now: kit.dependencies.now(),
        });
        if (jws !== null) response.set('Hisaab-JWS', jws);
        if (format === 'json') {
          response.type('application/json').send(body);
          return;
        }
        response.type('application/pdf').set('Content-Disposition', `inline; filename="export-proceeds-${id}.pdf"`).send(body);
      },
    );
  };
}

/** The exporter (the merchant), its acquirer, the operator and regulators: the PSP and the dealer do not certify. */
function canReadCertificate(principal: Principal, payment: InboundPaymentRecord): boolean {
  return principal.role === 'participant' ? principal.participantId === payment.acquirerId : canRead(principal, payment);
}

/** The report's totals: one line per foreign currency over every group. */
function totalsByCurrency(rows: readonly InwardRemittanceRow[]): InwardRemittanceRow[] {
  const totals = new Map<string, InwardRemittanceRow>();
  for (const row of rows) {
    const total = totals.get(row.currency) ?? {
      group: 'ALL',
      currency: row.currency,
      count: 0,
      amountMinor: 0n,
      retainedMinor: 0n,
      convertedMinor: 0n,
      rupeesMinor: 0n,
      business: noPayerTypeSums,
      person: noPayerTypeSums,
    };
    totals.set(row.currency, {
      ...total,
      count: total.count + row.count,
      amountMinor: total.amountMinor + row.amountMinor,
      retainedMinor: total.retainedMinor + row.retainedMinor,
      convertedMinor: total.convertedMinor + row.convertedMinor,
      rupeesMinor: total.rupeesMinor + row.rupeesMinor,
      business: addPayerTypeSums(total.business, row.business),
      person: addPayerTypeSums(total.person, row.person),
    });
  }
  return [...totals.values()];
}

function participantIdOf(principal: Principal): string {
  if (principal.role !== 'participant') throw new HttpError('FORBIDDEN', 'only a participant may do this');
  return principal.participantId;
}

/** The PSP that sent it, the merchant paid, its acquirer, the provider that converted it, the operator and regulators. */
export function canRead(principal: Principal, payment: InboundPaymentRecord): boolean {
  switch (principal.role) {
    case 'operator':
    case 'regulator':
      return true;
    case 'merchant':
      return principal.merchantId === payment.merchantId;
    case 'participant':
      return [payment.pspId, payment.acquirerId, payment.providerId].includes(principal.participantId);
  }
}

/**
 * The report's currency filter names a foreign currency the switch takes in-bound payments in: any other code (not
 * enabled, unknown, or the rupee, in which no receipt is made) would answer an empty report that reads as "none".
 */
function requireForeignCurrency(code: string | undefined, enabled: readonly string[]): void {
  const foreign = enabled.filter((candidate) => candidate !== inboundTargetCurrency);
  if (code === undefined || foreign.includes(code)) return;
  const message = `in-bound receipts are in ${foreign.join(', ')} only, not ${code}`;
  throw new HttpError('VALIDATION_FAILED', `query.currency: ${message}`, [{ path: ['query', 'currency'], message }]);
}
