import { isIso8583Endpoints } from '../../core/participants/participant-profile';
import { assert } from '../../core/assert';
import { parseAmount } from '../../core/money';
import { holdsCurrency, type ParticipantRecord } from '../../core/participants/participant-reader';
import type { ParticipantEndpoints, ParticipantRegistration } from '../../core/participants/participant-profile';
import { switchParticipantId } from '../../core/gateway/merchant-fees';
import { DomainError } from '../../core/errors';
import { HttpError } from '../http-error';
import { principalOf } from '../request-context';
import { bodyOf, decodeCursor, encodeCursor, invalidCursor } from '../route-helpers';
import type { RouteKit, RouteModule } from '../route-kit';
import {
  changeParticipantSchema,
  httpEndpointsSchema,
  iso8583EndpointsSchema,
  listParticipantsQuery,
  participantIdParams,
  registerParticipantSchema,
} from '../schemas/participant-schemas';
import { parseField, parseInput } from '../validation';
import { participantView, type ParticipantView } from '../views/participant-view';

/** Onboarding and reading participants (operator; regulators read; a participant reads itself). */
export const participantRoutes: RouteModule = (router, kit) => {
  router.post('/v1/participants', kit.allow('operator'), async (request, response) => {
    await kit.idempotency.run(request, response, principalOf(request), async (reference) => {
      const registration = registrationFrom(request.body, kit);
      // The switch's own fee income accrues on HISAAB:position (core/gateway/merchant-fees.ts): the id is taken.
      if (registration.participantId === switchParticipantId) {
        throw new HttpError('PARTICIPANT_EXISTS', `${switchParticipantId} is the switch's own id and cannot be a participant's`);
      }
      refuseTakenInstitutionId(registration.participantId, registration.endpoints, kit);
      const receipt = await kit.dependencies.participants.register(registration, reference, kit.commandContext(request));
      await kit.waitForWrite(receipt.position);
      return { status: 201, body: await currentView(kit, registration.participantId) };
    });
  });

  router.get('/v1/participants', kit.allow('operator', 'regulator'), async (request, response) => {
    const query = parseInput(listParticipantsQuery, request.query, 'query');
    const limit = query.limit;
    const afterId = query.cursor === undefined ? null : decodeParticipantCursor(query.cursor);
    const records = kit.dependencies.readModels.participants.listParticipants(afterId, limit);
    const last = records[records.length - 1];
    response.json({
      participants: await Promise.all(records.map((record) => viewWithBalances(kit, record))),
      nextCursor: records.length === limit && last !== undefined ? encodeCursor('p', last.id) : null,
    });
  });

  router.get('/v1/participants/:id', kit.allow('operator', 'regulator', 'participant'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    const principal = principalOf(request);
    if (principal.role === 'participant' && principal.participantId !== id) {
      throw new HttpError('FORBIDDEN', 'a participant can read only its own record');
    }
    response.json(await currentView(kit, id));
  });

  router.patch('/v1/participants/:id', kit.allow('operator'), async (request, response) => {
    const { id } = parseInput(participantIdParams, request.params, 'path');
    const body = parseInput(changeParticipantSchema, bodyOf(request), 'body');
    const endpoints = body.endpoints === undefined ? null : endpointsFrom(body.endpoints);
    const participant = kit.dependencies.readModels.participants.findParticipant(id);
    if (participant === null) throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${id} does not exist`);
    const capCurrency = body.currency ?? participant.currency;
    if (!holdsCurrency(participant, capCurrency)) {
      // The body is well formed; the participant's state refuses it, so the answer is 422, not 400.
      throw new DomainError('CURRENCY_NOT_SUPPORTED', `body.currency: participant ${id} holds no ${capCurrency} position`);
    }
    if (endpoints !== null) refuseTakenInstitutionId(id, endpoints, kit);
    const netDebitCapMinor =
      body.netDebitCap === undefined
        ? null
        : parseField(['body', 'netDebitCap'], () => parseAmount(body.netDebitCap ?? '', capCurrency, { allowZero: true }));
    const receipt = await kit.dependencies.participants.change(
      id,
      {
        active: body.active ?? null,
        netDebitCapMinor,
        ...(body.currency === undefined ? {} : { currency: body.currency }),
        requireSignedRequests: body.requireSignedRequests ?? null,
        rateLimitPerSecond: body.rateLimitPerSecond === undefined ? null : { perSecond: body.rateLimitPerSecond },
        endpoints,
      },
      kit.commandContext(request),
    );
    await kit.waitForWrite(receipt.position);
    response.json(await currentView(kit, id));
  });
};

/** The participant as the read model shows it now, with its ledger balances; 404 when it does not exist. */
export async function currentView(kit: RouteKit, participantId: string): Promise<ParticipantView> {
  const record = kit.dependencies.readModels.participants.findParticipant(participantId);
  if (record === null) throw new HttpError('PARTICIPANT_NOT_FOUND', `participant ${participantId} does not exist`);
  return viewWithBalances(kit, record);
}

/** The participant with its balances in every currency it holds. */
async function viewWithBalances(kit: RouteKit, record: ParticipantRecord): Promise<ParticipantView> {
  const currencies = [record.currency, ...record.additionalCurrencies.map((entry) => entry.currency)];
  const balances = await Promise.all(
    currencies.map(async (currency) => ({ currency, balances: await kit.dependencies.ledger.balances(record.id, currency) })),
  );
  return participantView(record, balances);
}

/**
 * A bank host signs on with its institution id (DE32), so two banks must not share one: the switch could not
 * tell whose transfers a connection may send. Registering and changing endpoints are an operator's rare acts, so
 * the read model's answer is enough here; sign-on refuses an ambiguous match as well.
 */
function refuseTakenInstitutionId(participantId: string, endpoints: ParticipantEndpoints, kit: RouteKit): void {
  if (!isIso8583Endpoints(endpoints)) return;
  const holder = kit.dependencies.readModels.participants.findParticipantByInstitutionId(endpoints.institutionId);
  if (holder !== null && holder.id !== participantId) {
    throw new HttpError('INSTITUTION_ID_TAKEN', `participant ${holder.id} is registered with institution id ${endpoints.institutionId}`);
  }
}

function registrationFrom(input: unknown, kit: RouteKit): ParticipantRegistration {
  const body = parseInput(registerParticipantSchema, input ?? {}, 'body');
  const currencies = participantCurrencies(body, kit.dependencies.config.currencies);
  const [first, ...others] = currencies;
  assert(first !== undefined, 'the schema asks for at least one currency');
  const netDebitCapMinor = parseField(['body', 'netDebitCap'], () => parseAmount(body.netDebitCap, first, { allowZero: true }));
  for (const named of Object.keys(body.netDebitCaps ?? {})) {
    if (!others.includes(named)) fieldError(['body', 'netDebitCaps', named], `${named} is not one of the participant's other currencies`);
  }
  const additionalCurrencies = others.map((currency) => ({
    currency,
    netDebitCapMinor: parseField(['body', 'netDebitCaps', currency], () =>
      parseAmount(body.netDebitCaps?.[currency] ?? '0', currency, { allowZero: true }),
    ),
  }));
  if (body.fxProvider === true && body.type !== 'BANK') fieldError(['body', 'fxProvider'], 'only a BANK can be an FX provider');
  return {
    participantId: body.id,
    name: body.name,
    type: body.type,
    bankCode: body.bankCode,
    currency: first,
    netDebitCapMinor,
    creditMode: body.creditMode ?? 'REQUEST',
    endpoints: endpointsFrom(body.endpoints),
    ...(additionalCurrencies.length > 0 ? { additionalCurrencies } : {}),
    ...(body.fxProvider === true ? { fxProvider: true } : {}),
  };
}

/** `currencies`, or `currency` alone as before issue 17; each enabled once, and `currency` first when both are given. */
function participantCurrencies(body: { currency?: string; currencies?: string[] }, enabled: readonly string[]): string[] {
  const currencies = body.currencies ?? [body.currency ?? ''];
  if (body.currency !== undefined && currencies[0] !== body.currency) {
    fieldError(['body', 'currency'], 'when both are given, "currency" is the first of "currencies"');
  }
  currencies.forEach((currency, index) => {
    const path = body.currencies === undefined ? ['body', 'currency'] : ['body', 'currencies', index];
    if (!enabled.includes(currency)) fieldError(path, `the switch settles ${enabled.join(', ')} only`);
    if (currencies.indexOf(currency) !== index) fieldError(path, `${currency} is named twice`);
  });
  return currencies;
}

function fieldError(path: (string | number)[], message: string): never {
  throw new HttpError('VALIDATION_FAILED', `${path.join('.')}: ${message}`, [{ path, message }]);
}

/** The endpoints of a registration or a change, in the one shape stored: an HTTP participant's `rtpUrl` null when absent. */
function endpointsFrom(input: Record<string, unknown>): ParticipantEndpoints {
  if ('iso8583' in input || 'institutionId' in input) return parseInput(iso8583EndpointsSchema, input, 'body', ['endpoints']);
  const http = parseInput(httpEndpointsSchema, input, 'body', ['endpoints']);
  return { creditUrl: http.creditUrl, reversalUrl: http.reversalUrl, rtpUrl: http.rtpUrl ?? null };
}

function decodeParticipantCursor(cursor: string): string {
  const participantId = decodeCursor('p', cursor, /^[A-Z0-9_]{2,16}$/);
  if (participantId === null) throw invalidCursor();
  return participantId;
}
