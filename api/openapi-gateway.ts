import { answer, errorAnswer, operation, type Operation } from './openapi-kit';
import { changeMerchantSchema, merchantIdParams, merchantKeyParams, registerMerchantSchema } from './schemas/merchant-schemas';
import { createCheckoutSessionSchema, declineRequestToPaySchema, rtpIdParams, sessionIdParams } from './schemas/checkout-schemas';
import { createRefundSchema, refundIdParams } from './schemas/refund-schemas';
import { merchantBalanceQuery, merchantPaymentsQuery } from './schemas/merchant-view-schemas';
import { merchantEventsParams } from './schemas/webhook-schemas';
import {
  checkoutSessionResponse,
  refundResponse,
  merchantBalanceResponse,
  merchantPaymentsResponse,
  declinedRequestToPayResponse,
  payStatusResponse,
  issuedMerchantKeyResponse,
  merchantResponse,
  registeredMerchantResponse,
  rotatedWebhookSecretResponse,
} from './schemas/response-schemas';

type Paths = Record<string, Record<string, Operation>>;

/** The e-commerce gateway's paths (issue 11), kept beside the routes they describe. */
export function gatewayPaths(): Paths {
  return { ...merchantPaths(), ...checkoutPaths(), ...refundPaths(), ...requestToPayPaths(), ...payPagePaths() };
}

function refundPaths(): Paths {
  return {
    '/v1/refunds': {
      post: operation({
        summary: 'Refund all or part of a paid checkout session to its payer; answered once the outcome is durable',
        roles: ['merchant'],
        body: createRefundSchema,
        idempotencyKey: 'required',
        responses: {
          '200': answer('the refund this Idempotency-Key made before', refundResponse),
          '201': answer('the refund, SUCCEEDED or FAILED (with its failureReason)', refundResponse),
          '400': errorAnswer('IDEMPOTENCY_KEY_REQUIRED or VALIDATION_FAILED'),
          '404': errorAnswer("SESSION_NOT_FOUND: no such session among the merchant's own"),
          '409': errorAnswer('SESSION_NOT_PAID or IDEMPOTENCY_CONFLICT'),
          '422': errorAnswer(
            'REFUND_EXCEEDS_PAYMENT: the refunds that did not fail would add up to more than was paid; REFUND_LIMIT_REACHED: 100 refunds on one payment',
          ),
        },
      }),
    },
    '/v1/refunds/{id}': {
      get: operation({
        summary: 'One refund (the operator, the regulator, or its own merchant)',
        roles: ['operator', 'regulator', 'merchant'],
        path: refundIdParams,
        responses: { '200': answer('the refund', refundResponse), '404': errorAnswer('REFUND_NOT_FOUND') },
      }),
    },
  };
}

function merchantPaths(): Paths {
  const notFound = errorAnswer('MERCHANT_NOT_FOUND: no such merchant, or not one the caller may see');
  return {
    '/v1/merchants': {
      post: operation({
        summary: 'Onboard a merchant; its first API key and webhook secret are shown this once',
        roles: ['operator', 'participant'],
        body: registerMerchantSchema,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the merchant, its key and its webhook secret', registeredMerchantResponse),
          '403': errorAnswer('FORBIDDEN: a participant onboards only merchants it acquires, and only the operator sets fees'),
          '404': errorAnswer('PARTICIPANT_NOT_FOUND: no such acquirer'),
          '409': errorAnswer('MERCHANT_EXISTS, ALIAS_TAKEN or IDEMPOTENCY_CONFLICT'),
          '422': errorAnswer('ACCOUNT_NOT_AT_PARTICIPANT: the settlement IBAN is not at the acquirer'),
        },
      }),
    },
    '/v1/merchants/{id}': {
      get: operation({
        summary: 'One merchant (the operator, the regulator, its acquirer, or the merchant itself)',
        roles: ['operator', 'regulator', 'participant', 'merchant'],
        path: merchantIdParams,
        responses: { '200': answer('the merchant', merchantResponse), '404': notFound },
      }),
      patch: operation({
        summary: 'Activate or deactivate (operator, acquirer), change the webhook URL, or set fees (operator)',
        roles: ['operator', 'participant', 'merchant'],
        path: merchantIdParams,
        body: changeMerchantSchema,
        responses: { '200': answer('the merchant', merchantResponse), '404': notFound, '409': errorAnswer('CONCURRENT_UPDATE') },
      }),
    },
    '/v1/merchants/{id}/payments': {
      get: operation({
        summary: "The merchant's payments, oldest first, each with what was refunded, its MDR and its net (paid in [from, to))",
        roles: ['operator', 'regulator', 'merchant'],
        path: merchantEventsParams,
        query: merchantPaymentsQuery,
        responses: {
          '200': answer('a page of payments', merchantPaymentsResponse),
          '400': errorAnswer('VALIDATION_FAILED or INVALID_CURSOR'),
          '404': notFound,
        },
      }),
    },
    '/v1/merchants/{id}/balance': {
      get: operation({
        summary:
          'What the merchant collected, had refunded and paid as MDR, and its net, and what in-bound payments brought it, in all and per settlement window',
        roles: ['operator', 'regulator', 'merchant'],
        path: merchantEventsParams,
        query: merchantBalanceQuery,
        responses: {
          '200': answer('the balance', merchantBalanceResponse),
          '400': errorAnswer('VALIDATION_FAILED, also for a currency the switch does not run (as the settlement windows answer it)'),
          '404': notFound,
        },
      }),
    },
    '/v1/merchants/{id}/keys': {
      post: operation({
        summary: 'Issue another merchant API key, shown this once; older keys work until revoked (the body, if any, is {})',
        roles: ['operator', 'participant', 'merchant'],
        path: merchantIdParams,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the key (stored hashed)', issuedMerchantKeyResponse),
          '404': notFound,
          '422': errorAnswer('KEY_LIMIT_REACHED'),
        },
      }),
    },
    '/v1/merchants/{id}/keys/{keyId}': {
      delete: operation({
        summary: 'Revoke a merchant API key',
        roles: ['operator', 'participant', 'merchant'],
        path: merchantKeyParams,
        responses: {
          '204': { description: 'revoked' },
          '404': errorAnswer('MERCHANT_NOT_FOUND or KEY_NOT_FOUND'),
          '409': errorAnswer('CONCURRENT_UPDATE'),
        },
      }),
    },
    '/v1/merchants/{id}/webhook-secret/rotate': {
      post: operation({
        summary: 'Rotate the webhook secret: both sign for 24 hours (two v1= values), then only the new one (the body, if any, is {})',
        roles: ['operator', 'merchant'],
        path: merchantIdParams,
        idempotencyKey: 'optional',
        responses: {
          '200': answer('the new webhook secret, shown this once', rotatedWebhookSecretResponse),
          '404': notFound,
          '409': errorAnswer('SIGNING_SECRET_LIMIT_REACHED: three secrets already sign'),
        },
      }),
    },
  };
}

function checkoutPaths(): Paths {
  const notFound = errorAnswer("SESSION_NOT_FOUND: no such session, or another merchant's");
  return {
    '/v1/checkout/sessions': {
      post: operation({
        summary: 'Open a checkout session (merchant key); the same Idempotency-Key and body answer 200 with the same session',
        roles: ['merchant'],
        body: createCheckoutSessionSchema,
        idempotencyKey: 'required',
        responses: {
          '201': answer('the new session', checkoutSessionResponse),
          '200': answer('the session this Idempotency-Key created before, as it is now', checkoutSessionResponse),
          '400': errorAnswer('IDEMPOTENCY_KEY_REQUIRED, VALIDATION_FAILED or INVALID_AMOUNT'),
          '409': errorAnswer('IDEMPOTENCY_CONFLICT: this Idempotency-Key created a session with another body'),
          '422': errorAnswer("MERCHANT_INACTIVE, or CURRENCY_NOT_SUPPORTED: not the merchant's currency"),
        },
      }),
    },
    '/v1/checkout/sessions/{id}': {
      get: operation({
        summary: 'One checkout session; past its expiresAt an OPEN session reads EXPIRED at once',
        roles: ['operator', 'regulator', 'merchant'],
        path: sessionIdParams,
        responses: { '200': answer('the session', checkoutSessionResponse), '404': notFound },
      }),
    },
    '/v1/checkout/sessions/{id}/cancel': {
      post: operation({
        summary: 'Cancel an OPEN session',
        roles: ['operator', 'merchant'],
        path: sessionIdParams,
        responses: {
          '200': answer('the session, CANCELLED', checkoutSessionResponse),
          '404': notFound,
          '409': errorAnswer('SESSION_NOT_OPEN: completed, expired or cancelled already'),
        },
      }),
    },
  };
}

function requestToPayPaths(): Paths {
  return {
    '/v1/request-to-pay/{rtpId}/decline': {
      post: operation({
        summary: "The payer's provider declines a request to pay it received; the pay page then shows Declined",
        roles: ['participant'],
        path: rtpIdParams,
        body: declineRequestToPaySchema,
        responses: {
          '200': answer('the request to pay, DECLINED', declinedRequestToPayResponse),
          '404': errorAnswer("RTP_NOT_FOUND: no such request to pay to this participant's customers"),
        },
      }),
    },
  };
}

const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

/** The hosted pay page: HTML for browsers, no key (the session id in the address is what lets a customer in). */
function payPagePaths(): Paths {
  return {
    '/pay/{id}': {
      get: operation({
        summary: 'The hosted pay page: the merchant, the amount, the QR and a form that works without JavaScript',
        roles: [],
        path: sessionIdParams,
        responses: { '200': html('the page'), '404': html('a page saying there is no such payment') },
      }),
      post: {
        ...operation({
          summary: 'The pay form: sends a request to pay to the provider of this mobile number (03XXXXXXXXX, +92…, 92…)',
          roles: [],
          path: sessionIdParams,
          responses: {
            '303': {
              description:
                'sent, or already waiting (the same number again within 30 s: a double click is one request), or the session is no longer open or another submission changed it meanwhile: back to the page, which shows the state',
            },
            '404': html('no such payment'),
            '422': html('the page again, with a role="alert" saying what was wrong with the number'),
            '413': errorAnswer('PAYLOAD_TOO_LARGE: the form is over 2 KiB; nothing was sent'),
          },
        }),
        requestBody: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { msisdn: { type: 'string', maxLength: 64 } } } },
          },
        },
      },
    },
    '/pay/{id}/status': {
      get: operation({
        summary: 'What the page polls: the session status and its request to pay',
        roles: [],
        path: sessionIdParams,
        responses: { '200': answer('the state', payStatusResponse), '404': errorAnswer('SESSION_NOT_FOUND') },
      }),
    },
    '/pay/assets/pay.js': {
      get: operation({
        summary: "The pay page's only script (no inline script: the page's CSP forbids it)",
        roles: [],
        responses: { '200': { description: 'JavaScript', content: { 'text/javascript': { schema: { type: 'string' } } } } },
      }),
    },
    '/pay/assets/pay.css': {
      get: operation({
        summary: "The pay page's style sheet",
        roles: [],
        responses: { '200': { description: 'CSS', content: { 'text/css': { schema: { type: 'string' } } } } },
      }),
    },
  };
}
