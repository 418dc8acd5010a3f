/* global document, fetch, sessionStorage, URL, Blob, AbortController, setTimeout, clearTimeout, Chart */
// The regulator's dashboard (issue 13), served by the switch with no inline script (its CSP forbids one). It reads
// the statistics API with the key the regulator typed, which lives in sessionStorage only: never in a URL, never in
// localStorage, gone when the tab closes. Every text from the API is written with textContent, never as markup.
(function () {
  'use strict';

  var keyStorageName = 'hisaab.regulator.key';
  // Pakistan keeps UTC+05:00 all year (no daylight saving), as the API's day buckets do: a day here is a day there.
  var karachiOffset = '+05:00';
  var rangeDaysMax = 31;
  var hourlyDaysMax = 2;
  var requestTimeoutMs = 15000;
  var participantPagesMax = 20;
  var participantPageLimit = 500;
  var windowsPageLimit = 100;
  var windowsPagesMax = 50;
  var homeCurrency = 'PKR';

  var element = function (id) {
    return document.getElementById(id);
  };
  var charts = {};
  var current = null; // the filters the panels show: { from, to, currency, participant, bucket }

  var karachiTime = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Karachi',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });

  /** An ISO instant as "2026-12-03 14:05" in Karachi; the day alone for a day bucket. */
  function karachi(instant, dayOnly) {
    if (instant === null || instant === undefined) return '';
    var parts = {};
    karachiTime.formatToParts(new Date(instant)).forEach(function (part) {
      parts[part.type] = part.value;
    });
    var day = parts.year + '-' + parts.month + '-' + parts.day;
    return dayOnly ? day : day + ' ' + parts.hour + ':' + parts.minute;
  }

  function todayInKarachi() {
    return karachi(new Date().toISOString(), true);
  }

  /** The day after a "YYYY-MM-DD" date, by the calendar (UTC arithmetic on a date has no time zone to trip on). */
  function nextDay(date) {
    var next = new Date(Date.parse(date + 'T00:00:00Z') + 86400000);
    return next.toISOString().slice(0, 10);
  }

  function daysBetween(fromDate, toDate) {
    return Math.round((Date.parse(toDate + 'T00:00:00Z') - Date.parse(fromDate + 'T00:00:00Z')) / 86400000);
  }

  // ---- the API ----

  function storedKey() {
    return sessionStorage.getItem(keyStorageName);
  }

  /** GET with the key as a Bearer header; resolves to the Response, or rejects with an Error saying what failed. */
  function request(path, accept) {
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, requestTimeoutMs);
    return fetch(path, {
      headers: { authorization: 'Bearer ' + storedKey(), accept: accept },
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    })
      .catch(function () {
        throw new Error('The switch did not answer. Check the connection and try again.');
      })
      .finally(function () {
        clearTimeout(timer);
      });
  }

  function apiError(response) {
    return response
      .json()
      .catch(function () {
        return null;
      })
      .then(function (body) {
        var message = body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + response.status;
        var error = new Error(message);
        error.status = response.status;
        throw error;
      });
  }

  function getJson(path) {
    return request(path, 'application/json').then(function (response) {
      return response.ok ? response.json() : apiError(response);
    });
  }

  /** Fetches with the key and saves the answer as a file: a link cannot carry a Bearer header. */
  function download(path, accept, filename) {
    return request(path, accept).then(function (response) {
      if (!response.ok) return apiError(response);
      return response.blob().then(function (blob) {
        var url = URL.createObjectURL(new Blob([blob], { type: accept }));
        var link = document.createElement('a');
        link.href = url;
        link.download = filename;
        link.hidden = true;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () {
          URL.revokeObjectURL(url);
        }, 60000);
      });
    });
  }

  // ---- signing in and out ----

  function showSignIn(message) {
    element('dashboard').hidden = true;
    element('signed-in').hidden = true;
    element('sign-in-section').hidden = false;
    var error = element('sign-in-error');
    error.textContent = message || '';
    error.hidden = !message;
    clearPanels();
  }

  /** A key is good when it may list participants: only regulator and operator keys may. */
  function checkKey() {
    return getJson('/v1/participants?limit=1').then(
      function () {
        return null;
      },
      function (error) {
        if (error.status === 401) return 'The switch does not know this key (or it was revoked). Check it and try again.';
        if (error.status === 403)
          return "This is not a regulator's or the operator's key: a participant or merchant key cannot open the dashboard.";
        return error.message;
      },
    );
  }

  function signIn(key) {
    sessionStorage.setItem(keyStorageName, key);
    return checkKey().then(function (refusal) {
      if (refusal !== null) {
        sessionStorage.removeItem(keyStorageName);
        showSignIn(refusal);
        return;
      }
      element('api-key').value = '';
      element('sign-in-error').hidden = true;
      element('sign-in-section').hidden = true;
      element('signed-in').hidden = false;
      element('dashboard').hidden = false;
      return Promise.all([loadParticipants(), loadPurposeCodes()]).then(applyFilters);
    });
  }

  function signOut(message) {
    sessionStorage.removeItem(keyStorageName);
    showSignIn(message);
    element('api-key').focus();
  }

  // ---- filters ----

  function loadParticipants() {
    var select = element('participant');
    var ids = [];
    function page(cursor, pagesLeft) {
      var path = '/v1/participants?limit=' + participantPageLimit + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      return getJson(path).then(function (body) {
        body.participants.forEach(function (participant) {
          ids.push({ id: participant.id, currency: participant.currency });
        });
        if (body.nextCursor && pagesLeft > 1) return page(body.nextCursor, pagesLeft - 1);
      });
    }
    return page(null, participantPagesMax).then(function () {
      while (select.options.length > 1) select.remove(1);
      ids.forEach(function (participant) {
        var option = document.createElement('option');
        option.value = participant.id;
        option.textContent = participant.id + ' (' + participant.currency + ')';
        select.appendChild(option);
      });
    });
  }

  /** SBP's name for each purpose code, from the switch's catalogue, for the in-bound panel's table. */
  var purposeDescriptions = {};

  function loadPurposeCodes() {
    return getJson('/v1/reference/purpose-codes').then(function (body) {
      purposeDescriptions = {};
      body.purposeCodes.forEach(function (entry) {
        purposeDescriptions[entry.code] = entry.title;
      });
    });
  }

  /** The filters as the API's query, or a sentence saying what is wrong with them. */
  function readFilters() {
    var fromDate = element('from-date').value;
    var toDate = element('to-date').value;
    if (!fromDate || !toDate) return { error: 'Choose a from and a to date.' };
    var days = daysBetween(fromDate, toDate) + 1;
    if (days < 1) return { error: 'The to date is before the from date.' };
    if (days > rangeDaysMax) return { error: 'Choose at most ' + rangeDaysMax + ' days.' };
    return {
      from: fromDate + 'T00:00:00' + karachiOffset,
      to: nextDay(toDate) + 'T00:00:00' + karachiOffset,
      fromDate: fromDate,
      toDate: toDate,
      currency: element('currency').value,
      participant: element('participant').value,
      bucket: days <= hourlyDaysMax ? 'hour' : 'day',
    };
  }

  function query(filters, extra) {
    var parts = ['from=' + encodeURIComponent(filters.from), 'to=' + encodeURIComponent(filters.to)];
    Object.keys(extra).forEach(function (name) {
      if (extra[name]) parts.push(name + '=' + encodeURIComponent(extra[name]));
    });
    return parts.join('&');
  }

  var paths = {
    timeseries: function (filters) {
      return (
        '/v1/reports/timeseries?' + query(filters, { bucket: filters.bucket, currency: filters.currency, participant: filters.participant })
      );
    },
    participants: function (filters) {
      return '/v1/reports/participants?' + query(filters, { currency: filters.currency, participant: filters.participant });
    },
    disputes: function (filters) {
      return '/v1/reports/disputes?' + query(filters, { participant: filters.participant });
    },
    windows: function (filters) {
      return '/v1/settlement/windows?limit=' + windowsPageLimit + '&currency=' + encodeURIComponent(filters.currency);
    },
    inboundPurpose: function (filters) {
      return '/v1/reports/inward-remittances?' + query(filters, { groupBy: 'purposeCode', currency: foreignCurrency(filters) });
    },
    inboundCurrency: function (filters) {
      return '/v1/reports/inward-remittances?' + query(filters, { groupBy: 'currency', currency: foreignCurrency(filters) });
    },
  };

  /**
   * In-bound receipts are in foreign currencies and every one converts (in part) into rupees, so the currency filter
   * narrows the in-bound panel only when it names a foreign currency; with rupees it shows them all.
   */
  function foreignCurrency(filters) {
    return filters.currency === homeCurrency ? '' : filters.currency;
  }

  function applyFilters() {
    var filters = readFilters();
    var error = element('filter-error');
    if (filters.error) {
      error.textContent = filters.error;
      error.hidden = false;
      return Promise.resolve();
    }
    error.hidden = true;
    current = filters;
    setStatus('Loading…');
    return Promise.all([
      getJson(paths.timeseries(filters)).then(showTimeseries),
      getJson(paths.participants(filters)).then(showParticipants),
      loadWindows(filters).then(showWindows),
      getJson(paths.disputes(filters)).then(showDisputes),
      Promise.all([getJson(paths.inboundPurpose(filters)), getJson(paths.inboundCurrency(filters))]).then(showInbound),
    ]).then(function () {
      var who = filters.participant ? filters.participant : 'all participants';
      setStatus('Showing ' + filters.fromDate + ' to ' + filters.toDate + ' (PKT), ' + filters.currency + ', ' + who + '.');
      document.body.setAttribute(
        'data-loaded',
        filters.fromDate + '/' + filters.toDate + '/' + filters.currency + '/' + filters.participant,
      );
    }, failed);
  }

  function failed(error) {
    if (error.status === 401 || error.status === 403) {
      signOut('The switch no longer accepts this key: sign in again.');
      return;
    }
    setStatus('');
    var alert = element('filter-error');
    alert.textContent = error.message;
    alert.hidden = false;
  }

  function setStatus(text) {
    element('status').textContent = text;
  }

  // ---- panels ----

  function clearPanels() {
    [
      'volume-table',
      'participants-table',
      'windows-table',
      'window-report-table',
      'disputes-table',
      'inbound-purpose-table',
      'inbound-currency-table',
    ].forEach(function (id) {
      element(id).querySelector('tbody').replaceChildren();
    });
    element('totals').replaceChildren();
    element('dispute-totals').replaceChildren();
    element('window-report').hidden = true;
    Object.keys(charts).forEach(function (name) {
      charts[name].destroy();
      delete charts[name];
    });
    document.body.removeAttribute('data-loaded');
    current = null;
  }

  function cell(row, text, header) {
    var node = document.createElement(header ? 'th' : 'td');
    if (header) node.scope = 'row';
    node.textContent = text === null || text === undefined ? '' : String(text);
    row.appendChild(node);
    return node;
  }

  function fillTable(id, rows, columns) {
    var body = element(id).querySelector('tbody');
    body.replaceChildren();
    rows.forEach(function (item) {
      var row = document.createElement('tr');
      columns.forEach(function (column, index) {
        cell(row, column(item), index === 0);
      });
      body.appendChild(row);
    });
    if (rows.length === 0) {
      var empty = document.createElement('tr');
      var note = cell(empty, 'Nothing in this range.', false);
      note.colSpan = element(id).querySelector('thead tr:last-child').children.length + 1;
      body.appendChild(empty);
    }
  }

  function fillTotals(id, pairs) {
    var list = element(id);
    list.replaceChildren();
    pairs.forEach(function (pair) {
      var wrap = document.createElement('div');
      var term = document.createElement('dt');
      term.textContent = pair[0];
      var value = document.createElement('dd');
      value.textContent = String(pair[1]);
      value.setAttribute('data-figure', pair[2]);
      wrap.appendChild(term);
      wrap.appendChild(value);
      list.appendChild(wrap);
    });
  }

  var outcomeColours = { approved: '#1b7f3b', business: '#c77c02', technical: '#b3261e', value: '#1f4e99' };

  function drawChart(name, canvasId, config) {
    if (charts[name]) charts[name].destroy();
    if (typeof Chart === 'undefined') return;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options);
    charts[name] = new Chart(element(canvasId), config);
  }

  function showTimeseries(body) {
    var totals = body.totals;
    var currency = current.currency;
    element('totals-range').textContent =
      'Transfers created from ' +
      current.fromDate +
      ' 00:00 to ' +
      current.toDate +
      ' 24:00 PKT' +
      (current.participant ? ', ' + current.participant + ' as payer or payee' : '') +
      '.';
    fillTotals('totals', [
      ['Transfers', totals.count, 'count'],
      ['Value (' + currency + ')', totals.value, 'value'],
      ['Approved', totals.approved, 'approved'],
      ['Business declines', totals.businessDeclines, 'businessDeclines'],
      ['Technical declines', totals.technicalDeclines, 'technicalDeclines'],
      ['Success rate', totals.approvedPercent + '%', 'approvedPercent'],
    ]);
    var dayOnly = current.bucket === 'day';
    var buckets = body.buckets;
    fillTable('volume-table', buckets, [
      function (bucket) {
        return karachi(bucket.start, dayOnly);
      },
      function (bucket) {
        return bucket.count;
      },
      function (bucket) {
        return bucket.value;
      },
      function (bucket) {
        return bucket.approved;
      },
      function (bucket) {
        return bucket.businessDeclines;
      },
      function (bucket) {
        return bucket.technicalDeclines;
      },
    ]);
    element('volume-table-caption').textContent =
      'Transfers by ' + (dayOnly ? 'Karachi day' : 'hour (PKT)') + ' created, value in ' + currency;
    var summary =
      'Transfers per ' +
      (dayOnly ? 'day' : 'hour') +
      ' over ' +
      buckets.length +
      ' ' +
      current.bucket +
      's: ' +
      totals.count +
      ' in all, ' +
      totals.approved +
      ' approved, ' +
      totals.businessDeclines +
      ' business and ' +
      totals.technicalDeclines +
      ' technical declines, worth ' +
      totals.value +
      ' ' +
      currency +
      '. The table below gives every figure.';
    element('volume-chart').setAttribute('aria-label', summary);
    element('volume-caption').textContent = summary;
    // Shorter labels on the chart (month-day, and the hour when by hour); the table has the full date.
    var labels = buckets.map(function (bucket) {
      return karachi(bucket.start, dayOnly).slice(5);
    });
    drawChart('volume', 'volume-chart', {
      type: 'bar',
      data: {
        labels: labels,
        datasets: [
          outcomeDataset('Approved', 'approved', buckets, 'approved'),
          outcomeDataset('Business declines', 'business', buckets, 'businessDeclines'),
          outcomeDataset('Technical declines', 'technical', buckets, 'technicalDeclines'),
          {
            type: 'line',
            label: 'Value (' + currency + ')',
            yAxisID: 'value',
            borderColor: outcomeColours.value,
            backgroundColor: outcomeColours.value,
            // Display only: a chart needs numbers to plot. Every amount the page shows as text is the API's string.
            data: buckets.map(function (bucket) {
              return Number(bucket.value);
            }),
          },
        ],
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, title: { display: true, text: 'Transfers' }, ticks: { precision: 0 } },
          value: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: currency } },
        },
      },
    });
  }

  function outcomeDataset(label, colour, rows, field, read) {
    return {
      label: label,
      backgroundColor: outcomeColours[colour],
      stack: 'outcomes',
      data: rows.map(function (row) {
        return read ? read(row)[field] : row[field];
      }),
    };
  }

  function showParticipants(body) {
    var lines = body.participants;
    var side = function (name, field) {
      return function (line) {
        return line[name][field];
      };
    };
    var columns = [
      function (line) {
        return line.participant;
      },
    ];
    ['asPayer', 'asPayee'].forEach(function (name) {
      ['count', 'value', 'approved', 'businessDeclines', 'technicalDeclines', 'approvedPercent'].forEach(function (field) {
        columns.push(side(name, field));
      });
    });
    columns.push(
      side('reversals', 'count'),
      side('reversals', 'delivered'),
      function (line) {
        return line.p50CompletionMs;
      },
      function (line) {
        return line.p99CompletionMs;
      },
      function (line) {
        return line.position;
      },
      function (line) {
        return line.netDebitCap;
      },
      function (line) {
        return line.capUtilisationPercent;
      },
    );
    fillTable('participants-table', lines, columns);
    var summary =
      lines.length === 0
        ? 'No participant has transfers in this range.'
        : 'Transfers each participant sent, stacked by outcome: ' +
          lines
            .map(function (line) {
              var payer = line.asPayer;
              return (
                line.participant +
                ' ' +
                payer.approved +
                ' approved, ' +
                payer.businessDeclines +
                ' business, ' +
                payer.technicalDeclines +
                ' technical'
              );
            })
            .join('; ') +
          '. The table below gives both sides, reversals, latency and cap utilisation.';
    element('participants-chart').setAttribute('aria-label', summary);
    element('participants-caption').textContent = summary;
    var payer = function (line) {
      return line.asPayer;
    };
    drawChart('participants', 'participants-chart', {
      type: 'bar',
      data: {
        labels: lines.map(function (line) {
          return line.participant;
        }),
        datasets: [
          outcomeDataset('Approved', 'approved', lines, 'approved', payer),
          outcomeDataset('Business declines', 'business', lines, 'businessDeclines', payer),
          outcomeDataset('Technical declines', 'technical', lines, 'technicalDeclines', payer),
        ],
      },
      options: {
        indexAxis: 'y',
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Transfers as payer' } },
          y: { stacked: true },
        },
      },
    });
  }

  /**
   * The currency's windows, newest first, as far back as the range needs. The API lists them a page at a time, so
   * the pages are followed until one ends with a window closed before the range began (every window after it closed
   * earlier still) or the list ends, at most `windowsPagesMax` pages. Reading the newest page alone lost the windows
   * of an older range: an outside test found PKR-000001, which held the day's payments, missing from the table once
   * 101 windows had closed after it.
   */
  function loadWindows(filters) {
    var fromMs = Date.parse(filters.from);
    var windows = [];
    // Whether the pages ran out before the range's start: the windows open before the oldest read are not shown.
    var incomplete = false;
    function page(cursor, pagesLeft) {
      var path = paths.windows(filters) + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '');
      return getJson(path).then(function (body) {
        windows = windows.concat(body.windows);
        var last = body.windows[body.windows.length - 1];
        var olderThanRange = last !== undefined && last.closedAt !== null && Date.parse(last.closedAt) < fromMs;
        if (!body.nextCursor || olderThanRange) return;
        if (pagesLeft > 1) return page(body.nextCursor, pagesLeft - 1);
        incomplete = true;
      });
    }
    return page(null, windowsPagesMax).then(function () {
      return { windows: windows, incomplete: incomplete };
    });
  }

  /**
   * Says so when the panel stopped at its bound before the range's start: the table then holds only the windows it
   * read, and an empty one does not mean that no window was open. Until a review on 2026-12-04 it said nothing.
   */
  function showWindowsIncomplete(body) {
    var notice = element('windows-incomplete');
    notice.hidden = !body.incomplete;
    if (!body.incomplete) {
      notice.textContent = '';
      return;
    }
    var oldest = body.windows[body.windows.length - 1];
    notice.textContent =
      'This panel reads only the newest ' +
      windowsPagesMax * windowsPageLimit +
      ' windows of the currency, back to ' +
      (oldest ? oldest.id + ' (opened ' + karachi(oldest.openedAt, false) + ')' : 'the newest') +
      ': windows open earlier in the range are not shown. Choose a later range, or page GET /v1/settlement/windows.';
    if (element('windows-table').querySelector('tbody td[colspan]')) {
      element('windows-table').querySelector('tbody td[colspan]').textContent = 'None among the windows read.';
    }
  }

  /** Windows of the currency whose open period overlaps the range (an open window runs until now). */
  function showWindows(body) {
    var fromMs = Date.parse(current.from);
    var toMs = Date.parse(current.to);
    var windows = body.windows.filter(function (record) {
      var openedMs = record.openedAt === null ? -Infinity : Date.parse(record.openedAt);
      var closedMs = record.closedAt === null ? Infinity : Date.parse(record.closedAt);
      return openedMs < toMs && closedMs >= fromMs;
    });
    var tableBody = element('windows-table').querySelector('tbody');
    fillTable('windows-table', windows, [
      function (record) {
        return record.id;
      },
      function (record) {
        return record.state;
      },
      function (record) {
        return karachi(record.openedAt, false);
      },
      function (record) {
        return karachi(record.closedAt, false);
      },
      function (record) {
        return karachi(record.settledAt, false);
      },
      function (record) {
        return record.reference;
      },
    ]);
    Array.prototype.forEach.call(tableBody.rows, function (row, index) {
      var record = windows[index];
      if (!record) return;
      var actions = document.createElement('td');
      actions.appendChild(
        windowButton('Show', 'Show the report of ' + record.id, function () {
          return showWindowReport(record.id);
        }),
      );
      actions.appendChild(
        windowButton('JSON', 'Download the report of ' + record.id + ' as JSON', function () {
          return download(
            '/v1/settlement/windows/' + encodeURIComponent(record.id) + '/report',
            'application/json',
            record.id + '-report.json',
          );
        }),
      );
      actions.appendChild(
        windowButton('CSV', 'Download the report of ' + record.id + ' as CSV', function () {
          return download(
            '/v1/settlement/windows/' + encodeURIComponent(record.id) + '/report?format=csv',
            'text/csv',
            record.id + '-report.csv',
          );
        }),
      );
      row.appendChild(actions);
    });
    element('window-report').hidden = true;
    showWindowsIncomplete(body);
  }

  function windowButton(text, label, action) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = text;
    button.setAttribute('aria-label', label);
    button.addEventListener('click', function () {
      action().catch(failed);
    });
    return button;
  }

  function showWindowReport(windowId) {
    return getJson('/v1/settlement/windows/' + encodeURIComponent(windowId) + '/report').then(function (report) {
      var lines = report.participants.filter(function (line) {
        return !current.participant || line.participant === current.participant;
      });
      element('window-report-caption').textContent =
        'Report of settlement window ' + report.windowId + ' (' + report.state + ', ' + report.currency + ')';
      fillTable(
        'window-report-table',
        lines,
        ['participant', 'sentCount', 'sentValue', 'receivedCount', 'receivedValue', 'fees', 'net'].map(function (field) {
          return function (line) {
            return line[field];
          };
        }),
      );
      element('window-report-totals').textContent =
        'Totals: ' +
        report.totals.count +
        ' transfers worth ' +
        report.totals.value +
        ', fees ' +
        report.totals.fees +
        '. Nets sum to zero: ' +
        (report.netSumZero ? 'yes' : 'NO') +
        '.';
      element('window-report').hidden = false;
    });
  }

  function showDisputes(body) {
    var totals = body.totals;
    fillTotals('dispute-totals', [
      ['Opened', totals.opened, 'opened'],
      ['Resolved', totals.resolved, 'resolved'],
      ['Claimant won', totals.claimantWon, 'claimantWon'],
      ['Respondent won', totals.respondentWon, 'respondentWon'],
      ['Withdrawn', totals.withdrawn, 'withdrawn'],
      ['Deadlines missed', totals.deadlineMissed, 'deadlineMissed'],
    ]);
    fillTable('disputes-table', body.byParticipant, [
      function (line) {
        return line.participant;
      },
      function (line) {
        return line.asClaimant;
      },
      function (line) {
        return line.asRespondent;
      },
      function (line) {
        return line.answeredInTime;
      },
      function (line) {
        return line.deadlineMissed;
      },
      function (line) {
        // A share of counts, not of money: two decimals, blank when the participant had no deadline to meet.
        var due = line.answeredInTime + line.deadlineMissed;
        return due === 0 ? '' : ((line.answeredInTime * 100) / due).toFixed(2);
      },
      function (line) {
        return line.medianHoursToResolve;
      },
    ]);
  }

  var remittanceFigures = [
    'count',
    'amount',
    'retained',
    'converted',
    'rupees',
    'averageRate',
    'b2bCount',
    'b2bAmount',
    'b2bRetained',
    'b2bRupees',
    'b2cCount',
    'b2cAmount',
    'b2cRetained',
    'b2cRupees',
  ];
  // One colour per foreign currency, in the order the report lists them; personal (B2C) payers in a lighter shade.
  var currencyColours = ['#1f4e99', '#1b7f3b', '#c77c02', '#7b3fa0', '#b3261e', '#2a7f8f'];

  function remittanceColumns(first) {
    return first.concat(
      remittanceFigures.map(function (field) {
        return function (line) {
          return line[field];
        };
      }),
    );
  }

  /** The in-bound panel: `purpose` and `byCurrency` are the report grouped by purpose code and by currency. */
  function showInbound(answers) {
    var purpose = answers[0];
    var byCurrency = answers[1];
    fillTable(
      'inbound-purpose-table',
      purpose.groups,
      remittanceColumns([
        function (line) {
          return line.group;
        },
        function (line) {
          return purposeDescriptions[line.group] || '';
        },
        function (line) {
          return line.currency;
        },
      ]),
    );
    fillTable(
      'inbound-currency-table',
      byCurrency.groups,
      remittanceColumns([
        function (line) {
          return line.currency;
        },
      ]),
    );
    var which = foreignCurrency(current) || 'every foreign currency';
    element('inbound-purpose-table-caption').textContent = 'In-bound receipts by purpose code and currency (' + which + ')';
    element('inbound-currency-table-caption').textContent =
      'In-bound receipts by currency (' + which + '): amounts in that currency, rupees in PKR';
    var summary =
      purpose.groups.length === 0
        ? 'No in-bound receipt in this range.'
        : 'In-bound receipts per purpose code, one bar per currency, business and personal payers stacked: ' +
          purpose.groups
            .map(function (line) {
              return (
                line.group +
                ' ' +
                line.currency +
                ' ' +
                line.count +
                ' (' +
                line.b2bCount +
                ' B2B worth ' +
                line.b2bAmount +
                ', ' +
                line.b2cCount +
                ' B2C worth ' +
                line.b2cAmount +
                ') worth ' +
                line.amount +
                ' ' +
                line.currency
              );
            })
            .join('; ') +
          '. The tables below give every figure.';
    element('inbound-chart').setAttribute('aria-label', summary);
    element('inbound-caption').textContent = summary;
    var codes = [];
    var currencies = [];
    purpose.groups.forEach(function (line) {
      if (codes.indexOf(line.group) < 0) codes.push(line.group);
      if (currencies.indexOf(line.currency) < 0) currencies.push(line.currency);
    });
    var countOf = function (code, currency, field) {
      var line = purpose.groups.find(function (candidate) {
        return candidate.group === code && candidate.currency === currency;
      });
      return line ? line[field] : 0;
    };
    var datasets = [];
    currencies.forEach(function (currency, index) {
      var colour = currencyColours[index % currencyColours.length];
      [
        ['B2B', 'b2bCount', colour],
        ['B2C', 'b2cCount', colour + '80'],
      ].forEach(function (kind) {
        datasets.push({
          label: currency + ' ' + kind[0],
          stack: currency,
          backgroundColor: kind[2],
          data: codes.map(function (code) {
            return countOf(code, currency, kind[1]);
          }),
        });
      });
    });
    drawChart('inbound', 'inbound-chart', {
      type: 'bar',
      data: { labels: codes, datasets: datasets },
      options: {
        scales: {
          x: { stacked: true, title: { display: true, text: 'SBP purpose code' } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'Receipts' } },
        },
      },
    });
  }

  // ---- wiring ----

  var csvNames = {
    timeseries: function (filters) {
      return 'timeseries-' + filters.currency + '-' + filters.bucket + '-' + filters.fromDate + '-' + filters.toDate + '.csv';
    },
    participants: function (filters) {
      return 'participants-' + filters.currency + '-' + filters.fromDate + '-' + filters.toDate + '.csv';
    },
    windows: function (filters) {
      return 'settlement-windows-' + filters.currency + '.csv';
    },
    disputes: function (filters) {
      return 'disputes-' + filters.fromDate + '-' + filters.toDate + '.csv';
    },
    inboundPurpose: function (filters) {
      return inboundCsvName('purposeCode', filters);
    },
    inboundCurrency: function (filters) {
      return inboundCsvName('currency', filters);
    },
  };

  function inboundCsvName(groupBy, filters) {
    var currency = foreignCurrency(filters) || 'all-currencies';
    return 'inward-remittances-' + groupBy + '-' + currency + '-' + filters.fromDate + '-' + filters.toDate + '.csv';
  }

  document.addEventListener('DOMContentLoaded', function () {
    element('sign-in').addEventListener('submit', function (event) {
      event.preventDefault();
      var key = element('api-key').value.trim();
      if (key === '') return showSignIn('Enter your key.');
      signIn(key).catch(failed);
    });
    element('sign-out').addEventListener('click', function () {
      signOut('');
    });
    element('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      applyFilters();
    });
    Array.prototype.forEach.call(document.querySelectorAll('button.download'), function (button) {
      button.addEventListener('click', function () {
        var table = button.getAttribute('data-table');
        if (current === null) return;
        download(paths[table](current), 'text/csv', csvNames[table](current)).catch(failed);
      });
    });
    var today = todayInKarachi();
    element('from-date').value = today;
    element('to-date').value = today;
    if (storedKey()) signIn(storedKey()).catch(failed);
    else showSignIn('');
  });
})();
