import { answer, errorAnswer, operation, schemaOf, type Operation } from './openapi-kit';
import {
  fxPairParams,
  fxQuoteResponse,
  fxRateResponse,
  certificateQuery,
  exportProceedsCertificateResponse,
  inboundPaymentIdParams,
  inboundPaymentListQuery,
  inboundPaymentListResponse,
  inboundPaymentResponse,
  inboundPaymentSchema,
  inwardRemittancesQuery,
  inwardRemittancesResponse,
  postRateSchema,
  purposeCodesResponse,
  quoteRequestSchema,
} from './schemas/fx-schemas';

type Paths = Record<string, Record<string, Operation>>;

/** Foreign exchange and in-bound payments (issue 17), kept beside the routes they describe. */
export function fxPaths(): Paths {
  return {
    '/v1/reference/purpose-codes': {
      get: operation({
        summary: "SBP purpose codes an in-bound payment may carry, each with SBP's description and the source it was taken from",
        roles: ['operator', 'participant', 'merchant', 'regulator'],
        responses: { '200': answer('the catalogue', purposeCodesResponse) },
      }),
    },
    '/v1/fx/rates/{from}/{to}': {
      put: operation({
        summary:
          'Post this FX provider’s rate for a pair (units of `to` per unit of `from`), valid for validForSeconds; a stale rate is never used',
        roles: ['participant'],
        path: fxPairParams,
        body: postRateSchema,
        responses: {
          '200': answer('the rate as recorded', fxRateResponse),
          '400': errorAnswer('VALIDATION_FAILED or INVALID_RATE'),
          '403': errorAnswer('NOT_FX_PROVIDER or PARTICIPANT_INACTIVE'),
          '422': errorAnswer('CURRENCY_NOT_SUPPORTED'),
        },
      }),
    },
    '/v1/fx/quotes': {
      post: operation({
        summary:
          'Lock the best live rate for HISAAB_FX_QUOTE_TTL_SECONDS (an in-bound PSP); the computed amount is rounded half-even to its minor unit',
        roles: ['participant'],
        body: quoteRequestSchema,
        idempotencyKey: 'optional',
        responses: {
          '201': answer('the quote', fxQuoteResponse),
          '400': errorAnswer('VALIDATION_FAILED or INVALID_AMOUNT'),
          '403': errorAnswer('NOT_INBOUND_PSP or PARTICIPANT_INACTIVE'),
          '422': errorAnswer('FX_RATE_UNAVAILABLE or CURRENCY_NOT_SUPPORTED'),
        },
      }),
    },
    '/v1/inbound/payments': {
      get: operation({
        summary:
          "A merchant's in-bound payments, newest first, with both currencies (the merchant, its acquirer, the operator, a regulator)",
        roles: ['operator', 'participant', 'merchant', 'regulator'],
        query: inboundPaymentListQuery,
        responses: {
          '200': answer('the payments', inboundPaymentListResponse),
          '400': errorAnswer('VALIDATION_FAILED'),
          '404': errorAnswer('MERCHANT_NOT_FOUND: no such merchant, or not one the caller may see'),
        },
      }),
      post: operation({
        summary:
          'Pay a merchant from abroad (an in-bound PSP; idempotent by id): the retained share in foreign currency, the rest converted through an FX provider, all legs or none',
        roles: ['participant'],
        body: inboundPaymentSchema,
        responses: {
          '201': answer('the payment, COMPLETED', inboundPaymentResponse),
          '200': answer('the payment this id recorded before (a replay)', inboundPaymentResponse),
          '400': errorAnswer('VALIDATION_FAILED or INVALID_AMOUNT (more decimals than the currency has)'),
          '403': errorAnswer('NOT_INBOUND_PSP or PARTICIPANT_INACTIVE'),
          '404': errorAnswer('MERCHANT_NOT_FOUND or FX_QUOTE_NOT_FOUND'),
          '409': errorAnswer('FX_QUOTE_USED or INBOUND_PAYMENT_CONFLICT'),
          '422': errorAnswer(
            'PAYER_NOT_ABROAD, PURPOSE_CODE_UNKNOWN, PURPOSE_CODE_NOT_ALLOWED, MERCHANT_NOT_INBOUND, MERCHANT_INACTIVE, CURRENCY_NOT_SUPPORTED, FX_QUOTE_EXPIRED, FX_QUOTE_MISMATCH, FX_RATE_UNAVAILABLE, INBOUND_PAYMENT_REFUSED (a leg could not post; details name it, one entry per dealer tried) or INBOUND_PAYMENT_FAILED (recorded, but its reservations ran out before the legs posted)',
          ),
        },
      }),
    },
    '/v1/reports/inward-remittances': {
      get: operation({
        summary:
          'In-bound receipts completed in [from, to), per group (purposeCode, currency, merchant or Karachi day) and foreign currency (currency=: that one only): count (B2B, B2C), amount, retained, converted, rupees, average rate; Accept: text/csv for CSV',
        roles: ['regulator', 'operator'],
        query: inwardRemittancesQuery,
        responses: {
          '200': {
            description: 'the report',
            content: {
              'application/json': { schema: schemaOf(inwardRemittancesResponse) },
              'text/csv': { schema: { type: 'string' } },
            },
          },
          '400': errorAnswer(
            'VALIDATION_FAILED: a bad range (to after from, at most 366 days), groupBy or currency (not an enabled foreign currency)',
          ),
        },
      }),
    },
    '/v1/reports/inward-remittances.csv': {
      get: operation({
        summary: 'The inward-remittance report as CSV (the groups, then one ALL line per currency)',
        roles: ['regulator', 'operator'],
        query: inwardRemittancesQuery,
        responses: {
          '200': { description: 'the report', content: { 'text/csv': { schema: { type: 'string' } } } },
          '400': errorAnswer(
            'VALIDATION_FAILED: a bad range (to after from, at most 366 days), groupBy or currency (not an enabled foreign currency)',
          ),
        },
      }),
    },
    '/v1/inbound/payments/{id}': {
      get: operation({
        summary: 'One in-bound payment (its PSP, merchant, acquirer, FX provider, the operator, a regulator)',
        roles: ['operator', 'participant', 'merchant', 'regulator'],
        path: inboundPaymentIdParams,
        responses: { '200': answer('the payment', inboundPaymentResponse), '404': errorAnswer('INBOUND_PAYMENT_NOT_FOUND') },
      }),
    },
    '/v1/inbound/payments/{id}/certificate': {
      get: operation({
        summary:
          'The export proceeds certificate of a COMPLETED in-bound payment: a one-page PDF (or ?format=json, the same facts) with the switch’s detached JWS over the bytes in Hisaab-JWS (verify with /.well-known/jwks.json); the merchant, its acquirer, the operator, a regulator',
        roles: ['operator', 'participant', 'merchant', 'regulator'],
        path: inboundPaymentIdParams,
        query: certificateQuery,
        responses: {
          '200': {
            description: 'the certificate, with its Hisaab-JWS header',
            headers: { 'Hisaab-JWS': { description: 'the switch’s detached JWS (EdDSA) over the body bytes', schema: { type: 'string' } } },
            content: {
              'application/pdf': { schema: { type: 'string', format: 'binary' } },
              'application/json': { schema: schemaOf(exportProceedsCertificateResponse) },
            },
          },
          '400': errorAnswer('VALIDATION_FAILED: a bad id or format'),
          '404': errorAnswer('INBOUND_PAYMENT_NOT_FOUND: no such payment, or not one the caller may certify'),
          '409': errorAnswer('INBOUND_PAYMENT_NOT_COMPLETED: the payment is PROCESSING or FAILED'),
        },
      }),
    },
  };
}
