import type { SessionStatus } from '../../core/gateway/checkout-session-profile';
import type { RtpStatus } from '../../core/gateway/checkout-session-decider';

/** What the page shows; every text is escaped here, so nothing a merchant or customer wrote can become markup. */
export type PayPageModel = {
  sessionId: string;
  merchantName: string;
  amount: string;
  currency: string;
  description: string | null;
  qrImageDataUrl: string;
  status: SessionStatus;
  rtp: RtpStatus;
  successUrl: string;
  cancelUrl: string;
  /** A problem with what the customer submitted, shown in a role="alert" element. */
  alert: string | null;
  mobileNumber: string;
};

/** The status texts; api/pay-page/pay.js holds the same ones for its live updates. */
export function statusMessage(status: SessionStatus, rtp: RtpStatus): string {
  switch (status) {
    case 'OPEN':
      switch (rtp) {
        case 'NONE':
          return 'Enter your mobile number to get a payment request in your wallet app, or scan the QR code.';
        case 'SENT':
          return 'Waiting for approval: open your wallet app and approve the payment.';
        case 'DECLINED':
          return 'Declined: your provider declined the payment. You can try again.';
        case 'FAILED':
          return 'We could not reach your provider. Try again, or scan the QR code.';
      }
      break;
    case 'COMPLETED':
      return 'Paid';
    case 'EXPIRED':
      return 'Expired: this payment session has ended.';
    case 'CANCELLED':
      return 'Cancelled: the merchant cancelled this payment.';
  }
  return '';
}

export function renderPayPage(model: PayPageModel): string {
  const open = model.status === 'OPEN';
  const returnUrl = model.status === 'COMPLETED' ? model.successUrl : model.cancelUrl;
  const title = `Pay ${model.merchantName}`;
  const alert = model.alert === null ? '' : `<div class="alert" role="alert" id="msisdn-error">${escapeHtml(model.alert)}</div>`;
  const invalid = model.alert === null ? '' : ' aria-invalid="true"';
  const describedBy = model.alert === null ? 'msisdn-hint' : 'msisdn-hint msisdn-error';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/pay/assets/pay.css">
<script src="/pay/assets/pay.js" defer></script>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p class="amount">${escapeHtml(model.amount)} ${escapeHtml(model.currency)}</p>
${model.description === null ? '' : `<p>${escapeHtml(model.description)}</p>`}
<img class="qr" src="${escapeHtml(model.qrImageDataUrl)}" width="240" height="240" alt="QR code: scan it with your wallet or banking app to pay ${escapeHtml(model.merchantName)} ${escapeHtml(model.amount)} ${escapeHtml(model.currency)}">
<div class="status" role="status" id="status" data-status-url="/pay/${escapeHtml(model.sessionId)}/status" data-success-url="${escapeHtml(model.successUrl)}" data-cancel-url="${escapeHtml(model.cancelUrl)}">
<p id="status-text">${escapeHtml(statusMessage(model.status, model.rtp))}</p>
<p><a id="status-link" href="${escapeHtml(open ? model.successUrl : returnUrl)}"${open ? ' hidden' : ''}>Return to ${escapeHtml(model.merchantName)}</a></p>
</div>
${alert}
<form id="pay-form" method="post" action="/pay/${escapeHtml(model.sessionId)}"${open ? '' : ' hidden'}>
<label for="msisdn">Mobile number</label>
<p class="hint" id="msisdn-hint">Your wallet or bank mobile number, such as 0300 1234567 or +92 300 1234567.</p>
<input id="msisdn" name="msisdn" type="tel" inputmode="tel" autocomplete="tel" maxlength="20" required value="${escapeHtml(model.mobileNumber)}" aria-describedby="${describedBy}"${invalid}${model.alert === null ? '' : ' autofocus'}>
<button type="submit">Pay</button>
</form>
</main>
</body>
</html>
`;
}

export function renderNotFoundPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Payment not found</title>
<link rel="stylesheet" href="/pay/assets/pay.css">
</head>
<body>
<main>
<h1>Payment not found</h1>
<p>There is no payment at this address. Check the link the shop gave you.</p>
</main>
</body>
</html>
`;
}

/** What a customer's browser is shown when its address loads pay pages faster than the limit allows (429). */
export function renderRateLimitedPage(retryAfterSeconds: number): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many requests</title>
<link rel="stylesheet" href="/pay/assets/pay.css">
</head>
<body>
<main>
<h1>Too many requests</h1>
<p role="alert">This page was loaded too many times from your network. Nothing was paid. Wait ${escapeHtml(String(retryAfterSeconds))} seconds, then reload it.</p>
</main>
</body>
</html>
`;
}

/** Text as HTML text or attribute value: the five characters that could end either are written as references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
