/* global document, fetch, setTimeout */
// The hosted pay page's only script (served by the switch; the page has no inline script, its CSP forbids one).
// It polls the session's status and updates the role="status" region without a reload: the form works without it.
(function () {
  'use strict';
  var region = document.getElementById('status');
  if (!region) return;
  var text = document.getElementById('status-text');
  var link = document.getElementById('status-link');
  var form = document.getElementById('pay-form');
  var statusUrl = region.getAttribute('data-status-url');
  var messages = {
    NONE: 'Enter your mobile number to get a payment request in your wallet app, or scan the QR code.',
    SENT: 'Waiting for approval: open your wallet app and approve the payment.',
    DECLINED: 'Declined: your provider declined the payment. You can try again.',
    FAILED: 'We could not reach your provider. Try again, or scan the QR code.',
    COMPLETED: 'Paid',
    EXPIRED: 'Expired: this payment session has ended.',
    CANCELLED: 'Cancelled: the merchant cancelled this payment.',
  };
  var pollMs = 1500;
  var pollsMax = 2400; // about an hour: a bound on a tab left open
  var polls = 0;

  function show(answer) {
    var key = answer.status === 'OPEN' ? answer.rtp : answer.status;
    var message = messages[key];
    // Only a change is written, so a screen reader announces each state once.
    if (message && text.textContent !== message) text.textContent = message;
    if (answer.status !== 'OPEN') {
      if (form) form.hidden = true;
      var href = region.getAttribute(answer.status === 'COMPLETED' ? 'data-success-url' : 'data-cancel-url');
      if (href && link.hidden) {
        link.href = href;
        link.hidden = false;
      }
      return false;
    }
    return true;
  }

  function poll() {
    polls += 1;
    fetch(statusUrl, { cache: 'no-store', headers: { accept: 'application/json' } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        var more = answer ? show(answer) : true;
        if (more && polls < pollsMax) setTimeout(poll, pollMs);
      })
      .catch(function () {
        if (polls < pollsMax) setTimeout(poll, pollMs * 2);
      });
  }
  setTimeout(poll, pollMs);
})();
