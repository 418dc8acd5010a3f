import Decimal from 'decimal.js';
import { parseAccount } from '../../core/directory/account';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import type { MerchantService } from '../../core/gateway/merchant-service';
import { noFees, type MerchantFees, type MerchantRegistration } from '../../core/gateway/merchant-profile';
import { parseAmount } from '../../core/money';
import { purposeCode } from '../../core/fx/purpose-codes';
import type { Principal } from '../../core/auth/principal';
import { HttpError } from '../http-error';
import { visibleMerchant } from '../merchant-access';
import { principalOf } from '../request-context';
import { bodyOf } from '../route-helpers';
import type { RouteModule } from '../route-kit';
import {
  changeMerchantSchema,
  emptyBodySchema,
  merchantIdParams,
  merchantKeyParams,
  registerMerchantSchema,
} from '../schemas/merchant-schemas';
import { parseField, parseInput, refusalsAt } from '../validation';
import { merchantView, type MerchantView } from '../views/merchant-view';

export type MerchantRoutesDependencies = { merchants: MerchantService; merchantReader: MerchantReader };

/**
 * Merchants (issue 11): onboarded by the operator or by their acquiring participant; read by those, the regulator
 * and the merchant itself; everyone else gets 404. Keys and webhook secrets are in their one answer only.
 */
export function merchantRoutes(gateway: MerchantRoutesDependencies): RouteModule {
  return (router, kit) => {
    router.post('/v1/merchants', kit.allow('operator', 'participant'), async (request, response) => {
      const principal = principalOf(request);
      await kit.idempotency.run(request, response, principal, async (reference) => {
        const body = parseInput(registerMerchantSchema, bodyOf(request), 'body');
        if (principal.role === 'participant' && principal.participantId !== body.acquirer) {
          throw new HttpError('FORBIDDEN', 'a participant can onboard only merchants it acquires itself');
        }
        if (body.fees !== undefined && principal.role !== 'operator') throw new HttpError('FORBIDDEN', 'only the operator sets fees');
        const acquirer = kit.dependencies.readModels.participants.findParticipant(body.acquirer);
        if (acquirer === null) throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${body.acquirer} does not exist`);
        if (!acquirer.active)
          throw new HttpError('PARTICIPANT_INACTIVE', `participant ${acquirer.id} is suspended and cannot acquire merchants`);
        const registration: MerchantRegistration = {
          merchantId: body.id,
          name: body.name,
          mcc: body.mcc,
          city: body.city,
          acquirerId: acquirer.id,
          currency: acquirer.currency,
          settlementAccount: refusalsAt(['body', 'settlementAccount'], () =>
            parseAccount(body.settlementAccount.type, body.settlementAccount.value),
          ),
          webhookUrl: body.webhookUrl,
          fees: body.fees === undefined ? noFees : feesFrom(body.fees, acquirer.currency),
          taxNumber: body.taxNumber ?? null,
        };
        const registered = await gateway.merchants.register(
          registration,
          { participantId: acquirer.id, bankCode: acquirer.bankCode },
          reference,
          kit.commandContext(request),
        );
        // The key must work for the very next request, which authenticates against the keys projection.
        await kit.waitForWrite(registered.position);
        return {
          status: 201,
          body: {
            merchant: currentView(gateway, principal, registration.merchantId),
            apiKey: registered.apiKey,
            webhookSecret: registered.webhookSecret,
          },
          secret: true,
        };
      });
    });

    router.get('/v1/merchants/:id', kit.allow('operator', 'regulator', 'participant', 'merchant'), (request, response) => {
      const { id } = parseInput(merchantIdParams, request.params, 'path');
      response.json(currentView(gateway, principalOf(request), id));
    });

    router.patch('/v1/merchants/:id', kit.allow('operator', 'participant', 'merchant'), async (request, response) => {
      const { id } = parseInput(merchantIdParams, request.params, 'path');
      const principal = principalOf(request);
      const record = visibleMerchant(gateway.merchantReader, principal, id);
      const body = parseInput(changeMerchantSchema, bodyOf(request), 'body');
      if (body.fees !== undefined && principal.role !== 'operator') throw new HttpError('FORBIDDEN', 'only the operator sets fees');
      if (body.rateLimitPerSecond !== undefined && principal.role !== 'operator') {
        throw new HttpError('FORBIDDEN', "only the operator sets a merchant's rate limit");
      }
      if (body.inbound !== undefined && principal.role === 'merchant') {
        throw new HttpError('FORBIDDEN', "in-bound payments are enabled by the merchant's acquirer or the operator");
      }
      const unknownCode = body.inbound?.purposeCodes.findIndex((code) => purposeCode(code) === undefined) ?? -1;
      if (unknownCode >= 0) {
        throw new HttpError('PURPOSE_CODE_UNKNOWN', `purpose code ${body.inbound?.purposeCodes[unknownCode]} is not in the SBP catalogue`, [
          { path: ['body', 'inbound', 'purposeCodes', unknownCode], message: 'see GET /v1/reference/purpose-codes' },
        ]);
      }
      if (body.taxNumber !== undefined && principal.role === 'merchant') {
        throw new HttpError('FORBIDDEN', "a merchant's tax number is set by its acquirer or the operator");
      }
      if (body.active !== undefined && principal.role === 'merchant') {
        throw new HttpError('FORBIDDEN', 'a merchant is activated and deactivated by its acquirer or the operator');
      }
      const receipt = await gateway.merchants.change(
        id,
        {
          active: body.active ?? null,
          webhookUrl: body.webhookUrl ?? null,
          fees: body.fees === undefined ? null : feesFrom(body.fees, record.currency),
          rateLimitPerSecond: body.rateLimitPerSecond === undefined ? null : { perSecond: body.rateLimitPerSecond },
          inbound: body.inbound ?? null,
          taxNumber: body.taxNumber === undefined ? null : { value: body.taxNumber },
        },
        kit.commandContext(request),
      );
      await kit.waitForWrite(receipt.position);
      response.json(currentView(gateway, principal, id));
    });

    router.post('/v1/merchants/:id/keys', kit.allow('operator', 'participant', 'merchant'), async (request, response) => {
      const { id } = parseInput(merchantIdParams, request.params, 'path');
      const principal = principalOf(request);
      visibleMerchant(gateway.merchantReader, principal, id);
      await kit.idempotency.run(request, response, principal, async (reference) => {
        parseInput(emptyBodySchema, bodyOf(request), 'body');
        const issued = await gateway.merchants.issueKey(id, reference, kit.commandContext(request));
        await kit.waitForWrite(issued.position);
        return { status: 201, body: { keyId: issued.keyId, apiKey: issued.apiKey }, secret: true };
      });
    });

    router.delete('/v1/merchants/:id/keys/:keyId', kit.allow('operator', 'participant', 'merchant'), async (request, response) => {
      const { id, keyId } = parseInput(merchantKeyParams, request.params, 'path');
      visibleMerchant(gateway.merchantReader, principalOf(request), id);
      const receipt = await gateway.merchants.revokeKey(id, keyId, kit.commandContext(request));
      await kit.waitForWrite(receipt.position);
      response.status(204).end();
    });

    router.post('/v1/merchants/:id/webhook-secret/rotate', kit.allow('operator', 'participant', 'merchant'), async (request, response) => {
      const { id } = parseInput(merchantIdParams, request.params, 'path');
      const principal = principalOf(request);
      visibleMerchant(gateway.merchantReader, principal, id);
      // The issue gives this to the merchant and the operator; the acquirer sees the merchant but does not hold its secret.
      if (principal.role === 'participant') throw new HttpError('FORBIDDEN', 'the merchant or the operator rotates its webhook secret');
      response.set('Cache-Control', 'no-store');
      await kit.idempotency.run(request, response, principal, async (reference) => {
        parseInput(emptyBodySchema, bodyOf(request), 'body');
        const rotated = await gateway.merchants.rotateWebhookSecret(id, reference, kit.commandContext(request));
        await kit.waitForWrite(rotated.position);
        return { status: 200, body: { webhookSecret: rotated.webhookSecret }, secret: true };
      });
    });
  };
}

function currentView(gateway: MerchantRoutesDependencies, principal: Principal, merchantId: string): MerchantView {
  return merchantView(visibleMerchant(gateway.merchantReader, principal, merchantId));
}

/** Fees as the operator writes them: percentages kept with two decimals, the switch fee in minor units. */
function feesFrom(fees: { mdrPercent: string; interchangePercent: string; switchFee: string }, currency: string): MerchantFees {
  return {
    mdrPercent: new Decimal(fees.mdrPercent).toFixed(2),
    interchangePercent: new Decimal(fees.interchangePercent).toFixed(2),
    switchFeeMinor: parseField(['body', 'fees', 'switchFee'], () => parseAmount(fees.switchFee, currency, { allowZero: true })),
  };
}
