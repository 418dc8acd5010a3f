import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Response } from 'express';
import { escapeHtml } from '../pay-page/render';
import type { RouteModule } from '../route-kit';

/**
 * The dashboard fetches the API from its own origin with the key in a header: scripts and styles from here only, no
 * inline ones, no form may post anywhere (the script signs in, so without it a key can never go out in a URL),
 * downloads as blob: URLs, nothing framed. Chart.js draws on a canvas and sets only CSSOM styles, which the CSP allows.
 */
export const regulatorDashboardContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const folder = join(__dirname, '..', 'regulator-dashboard');

/**
 * Chart.js's own browser build, read from node_modules where npm put it (its package exports only the module entry
 * points, so the UMD file is found beside the CommonJS one): no copy in the repository, no CDN, no build step.
 */
const chartLibraryPath = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

const assets = {
  page: readFileSync(join(folder, 'regulator.html'), 'utf8'),
  script: readFileSync(join(folder, 'regulator.js'), 'utf8'),
  style: readFileSync(join(folder, 'regulator.css'), 'utf8'),
  // The source map comment points at a file not served; browsers ask for it only with their developer tools open.
  chartLibrary: readFileSync(chartLibraryPath, 'utf8'),
};

/**
 * The regulator's dashboard (issue 13): a static page, its script and style, and the chart library, served by the
 * switch. The page holds no data and needs no key to load; everything it shows comes from the statistics API, read
 * with the regulator's or operator's key (sessionStorage only). The currencies the switch carries are its only
 * server-side content.
 */
export const regulatorDashboardRoutes: RouteModule = (router, kit) => {
  const currencyOptions = kit.dependencies.config.currencies
    .map((currency) => `<option value="${escapeHtml(currency)}">${escapeHtml(currency)}</option>`)
    .join('');
  const page = assets.page.replace('<!--currency-options-->', currencyOptions);

  router.get('/regulator', (_request, response) => {
    sendWithHeaders(response, 'text/html', page, 'no-store');
  });
  router.get('/regulator/assets/regulator.js', (_request, response) => {
    sendWithHeaders(response, 'text/javascript', assets.script, 'public, max-age=300');
  });
  router.get('/regulator/assets/regulator.css', (_request, response) => {
    sendWithHeaders(response, 'text/css', assets.style, 'public, max-age=300');
  });
  router.get('/regulator/assets/chart.umd.min.js', (_request, response) => {
    sendWithHeaders(response, 'text/javascript', assets.chartLibrary, 'public, max-age=3600');
  });
};

function sendWithHeaders(response: Response, type: string, body: string, cacheControl: string): void {
  response
    .set({
      'Content-Security-Policy': regulatorDashboardContentSecurityPolicy,
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': cacheControl,
    })
    .type(type)
    .send(body);
}
