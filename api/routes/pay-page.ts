import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { sessionStatusAt, type PresentSession } from '../../core/gateway/checkout-session-decider';
import type { CheckoutService } from '../../core/gateway/checkout-service';
import type { MerchantReader } from '../../core/gateway/merchant-reader';
import type { RequestToPayService } from '../../core/gateway/request-to-pay-service';
import { isDomainError } from '../../core/errors';
import { formatAmount } from '../../core/money';
import { renderNotFoundPage, renderPayPage } from '../pay-page/render';
import type { RouteModule } from '../route-kit';
import { sessionIdParams } from '../schemas/checkout-schemas';

export type PayPageDependencies = { checkout: CheckoutService; merchantReader: MerchantReader; requestToPay: RequestToPayService };

/**
 * No inline script or style anywhere (script-src and style-src are 'self'), the QR as a data: image, nothing framed
 * (frame-ancestors 'none'), the form posting only back here. Pages are never cached: they show live state.
 */
export const payPageContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const assets = {
  script: readFileSync(join(__dirname, '..', 'pay-page', 'pay.js'), 'utf8'),
  style: readFileSync(join(__dirname, '..', 'pay-page', 'pay.css'), 'utf8'),
};

const payFormSchema = z.object({ msisdn: z.string().max(64).optional() });

/**
 * The hosted pay page (issue 11): GET shows the merchant, the amount, the QR and a form that works without
 * JavaScript; POST sends a request-to-pay to the customer's provider and redirects back (303), or shows the page
 * again with a role="alert" saying what was wrong; /status is what pay.js polls. The session id in the address is
 * what lets a customer in: no key.
 */
export function payPageRoutes(gateway: PayPageDependencies): RouteModule {
  return (router, kit) => {
    router.get('/pay/assets/pay.js', (_request, response) => {
      response.set('Cache-Control', 'public, max-age=300').type('text/javascript').send(assets.script);
    });
    router.get('/pay/assets/pay.css', (_request, response) => {
      response.set('Cache-Control', 'public, max-age=300').type('text/css').send(assets.style);
    });

    router.get('/pay/:id', async (request, response) => {
      const id = sessionIdOf(request.params);
      const session = id === null ? null : await gateway.checkout.find(id);
      if (session === null) return sendHtml(response, 404, renderNotFoundPage());
      sendHtml(response, 200, await pageFor(gateway, session, kit.dependencies.now(), null, ''));
    });

    router.post('/pay/:id', async (request, response) => {
      const id = sessionIdOf(request.params);
      const loaded = id === null ? null : await gateway.checkout.findLoaded(id);
      if (id === null || loaded === null) return sendHtml(response, 404, renderNotFoundPage());
      const session = loaded.session;
      const form = payFormSchema.safeParse(request.body ?? {});
      const mobileNumber = form.success ? (form.data.msisdn ?? '') : '';
      try {
        await gateway.requestToPay.request(loaded, mobileNumber, kit.commandContext(request));
      } catch (error) {
        const refusal = isDomainError(error) ? refusalFor(error.code) : null;
        if (refusal === null) throw error;
        if (refusal.kind === 'state') return void response.redirect(303, `/pay/${id}`);
        const current = (await gateway.checkout.find(id)) ?? session;
        return sendHtml(response, 422, await pageFor(gateway, current, kit.dependencies.now(), refusal.alert, mobileNumber));
      }
      response.redirect(303, `/pay/${id}`);
    });

    router.get('/pay/:id/status', async (request, response) => {
      const id = sessionIdOf(request.params);
      const session = id === null ? null : await gateway.checkout.find(id);
      response.set('Cache-Control', 'no-store');
      if (session === null) {
        const message = id === null ? 'no checkout session has an id of that form' : `checkout session ${id} does not exist`;
        return void response.status(404).json({ error: { code: 'SESSION_NOT_FOUND', message, details: [] } });
      }
      response.json({ status: sessionStatusAt(session, kit.dependencies.now()), rtp: session.rtp?.status ?? 'NONE' });
    });
  };
}

/**
 * The session id of a pay page address, or null when it cannot be one (empty, or longer than any session id). A
 * customer's browser is shown "no such payment" for those too: the pay routes document 404, not a validation error.
 */
function sessionIdOf(params: unknown): string | null {
  const parsed = sessionIdParams.safeParse(params);
  return parsed.success ? parsed.data.id : null;
}

/**
 * What the customer is told for a refusal; `state`: the page itself tells it by showing the session as it is now.
 * That is the answer for a session no longer open, and for CONCURRENT_UPDATE: other submissions of this same page
 * (a double click, a form sent again, two tabs) kept writing the session while this one was decided. That race is
 * the switch's to settle, not the customer's mistake, so they get the page showing what those submissions did
 * (waiting for approval, paid, declined), never an error.
 */
function refusalFor(code: string): { kind: 'alert'; alert: string } | { kind: 'state' } | null {
  const alert = (text: string) => ({ kind: 'alert' as const, alert: text });
  switch (code) {
    case 'INVALID_ALIAS':
      return alert('Enter a Pakistani mobile number, such as 0300 1234567 or +92 300 1234567.');
    case 'PARTY_NOT_FOUND':
      return alert('No wallet or bank account is registered for this mobile number. Check the number, or scan the QR code.');
    case 'RTP_ATTEMPTS_EXHAUSTED':
      return alert('Too many payment requests were sent for this payment. Scan the QR code with your wallet app instead.');
    case 'SESSION_NOT_OPEN':
    case 'CONCURRENT_UPDATE':
      return { kind: 'state' };
    default:
      return null;
  }
}

async function pageFor(
  gateway: PayPageDependencies,
  session: PresentSession,
  now: Date,
  alert: string | null,
  mobileNumber: string,
): Promise<string> {
  const created = session.created;
  const merchant = gateway.merchantReader.findMerchant(created.merchantId);
  return renderPayPage({
    sessionId: created.sessionId,
    merchantName: merchant?.name ?? created.merchantId,
    amount: formatAmount(BigInt(created.amountMinor), created.currency),
    currency: created.currency,
    description: created.description,
    // Drawn on the server (no script needed to see it), large enough for any phone's camera and for jsqr.
    qrImageDataUrl: await QRCode.toDataURL(created.qr, { errorCorrectionLevel: 'M', margin: 4, scale: 6 }),
    status: sessionStatusAt(session, now),
    rtp: session.rtp?.status ?? 'NONE',
    successUrl: created.successUrl,
    cancelUrl: created.cancelUrl,
    alert,
    mobileNumber,
  });
}

function sendHtml(response: Response, status: number, html: string): void {
  response
    .status(status)
    .set({
      'Content-Security-Policy': payPageContentSecurityPolicy,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    })
    .type('text/html')
    .send(html);
}
