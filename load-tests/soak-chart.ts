/**
 * The soak's curve as a small SVG (hand-written: a few polylines need no charting library): one panel per watched
 * series against minutes since the start, the warm-up shaded, and the means of the first and last judged thirds
 * drawn as dashed lines, so the picture shows what the verdict compared.
 */
import { seriesDescriptions, seriesNames, type SeriesName, type SoakVerdict } from './soak-verdict';

const width = 760;
const panelHeight = 120;
const marginLeft = 70;
const marginRight = 20;
const marginTop = 60;
const panelGap = 28;
const plotWidth = width - marginLeft - marginRight;
const plotHeight = panelHeight - 30;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceMaximum(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
  return 10 * magnitude;
}

function formatted(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export type SoakChartInput = {
  title: string;
  intervalSeconds: number;
  series: Record<SeriesName, readonly (number | null)[]>;
  verdict: SoakVerdict;
};

/** The whole SVG document. */
export function soakChartSvg(input: SoakChartInput): string {
  const intervals = Math.max(1, ...seriesNames.map((name) => input.series[name].length));
  const totalMinutes = (intervals * input.intervalSeconds) / 60;
  const xOf = (interval: number) => marginLeft + ((interval + 1) / intervals) * plotWidth;
  const height = marginTop + seriesNames.length * (panelHeight + panelGap);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${marginLeft}" y="18" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${marginLeft}" y="34">grey: warm-up, left out; dashed red: the means of the first and last thirds after it, which the verdict compares</text>`,
  ];
  seriesNames.forEach((name, panel) => {
    const top = marginTop + panel * (panelHeight + panelGap);
    const values = input.series[name];
    const present = values.filter((value): value is number => value !== null);
    const maximum = niceMaximum(Math.max(0, ...present) * 1.1);
    const yOf = (value: number) => top + plotHeight - (value / maximum) * plotHeight;
    const description = seriesDescriptions[name];
    const judged = input.verdict.kind === 'judged' ? input.verdict.series.find((verdict) => verdict.series === name) : undefined;
    const heading = `${description.label}${description.unit === '' ? '' : ` (${description.unit})`}${
      judged === undefined
        ? ''
        : `: last third ${formatted(judged.lastThirdMean)} vs first ${formatted(judged.firstThirdMean)}, ${judged.flat ? 'flat' : 'NOT flat'}`
    }`;
    parts.push(`<text x="${marginLeft}" y="${top - 6}" font-weight="bold">${escapeXml(heading)}</text>`);
    const warmupEnd = marginLeft + (input.verdict.warmupIntervals / intervals) * plotWidth;
    parts.push(`<rect x="${marginLeft}" y="${top}" width="${Math.max(0, warmupEnd - marginLeft)}" height="${plotHeight}" fill="#eeeeee"/>`);
    parts.push(`<rect x="${marginLeft}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`);
    parts.push(`<text x="${marginLeft - 6}" y="${top + 10}" text-anchor="end">${formatted(maximum)}</text>`);
    parts.push(`<text x="${marginLeft - 6}" y="${top + plotHeight}" text-anchor="end">0</text>`);
    if (judged !== undefined) {
      for (const mean of [judged.firstThirdMean, judged.lastThirdMean]) {
        const y = yOf(mean).toFixed(1);
        parts.push(`<line x1="${marginLeft}" x2="${marginLeft + plotWidth}" y1="${y}" y2="${y}" stroke="#d62728" stroke-dasharray="4 3"/>`);
      }
    }
    const points = values
      .map((value, interval) => (value === null ? null : `${xOf(interval).toFixed(1)},${yOf(value).toFixed(1)}`))
      .filter((point): point is string => point !== null);
    parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${points.join(' ')}"/>`);
    parts.push(`<text x="${marginLeft + plotWidth}" y="${top + plotHeight + 14}" text-anchor="end">${formatted(totalMinutes)} min</text>`);
    parts.push(`<text x="${marginLeft}" y="${top + plotHeight + 14}">0</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
