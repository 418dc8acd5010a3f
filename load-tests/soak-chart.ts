/**
 * The soak's curves as a small SVG (hand-written: a few polylines need no charting library): one panel per figure
 * against minutes since the start, the warm-up shaded. Latency and event-loop delay are drawn twice: the switch's
 * and the reference's raw curves in one panel, their ratio (what the verdict judges) in the next. A judged panel
 * shows the warm-up value (dashed red), each third's median after warm-up (orange) and each third's ceiling (red:
 * 10 % above the lowest level before it), so the picture shows what the verdict compared.
 */
import { seriesDescriptions, type SeriesName, type SoakVerdict } from './soak-verdict';

const width = 760;
const panelHeight = 120;
const marginLeft = 70;
const marginRight = 20;
const marginTop = 60;
const panelGap = 28;
const plotWidth = width - marginLeft - marginRight;
const plotHeight = panelHeight - 30;

export type ChartLine = { label: string; color: string; values: readonly (number | null)[] };

/** One panel: its heading, its curves, and the judged series it shows, if any. */
export type ChartPanel = { heading: string; lines: readonly ChartLine[]; judged?: SeriesName };

export type SoakChartInput = {
  title: string;
  intervalSeconds: number;
  panels: readonly ChartPanel[];
  verdict: SoakVerdict;
};

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

/** The whole SVG document. */
export function soakChartSvg(input: SoakChartInput): string {
  const intervals = Math.max(1, ...input.panels.flatMap((panel) => panel.lines.map((line) => line.values.length)));
  const totalMinutes = (intervals * input.intervalSeconds) / 60;
  const xOf = (interval: number) => marginLeft + ((interval + 1) / intervals) * plotWidth;
  const height = marginTop + input.panels.length * (panelHeight + panelGap);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${marginLeft}" y="18" font-size="13" font-weight="bold">${escapeXml(input.title)}</text>`,
    `<text x="${marginLeft}" y="34">grey: warm-up, left out; dashed red: the warm-up's level; orange: each third's (median); red: its ceiling, +10 % over the lowest level before it</text>`,
  ];
  input.panels.forEach((panel, index) => {
    const top = marginTop + index * (panelHeight + panelGap);
    const judged =
      panel.judged === undefined || input.verdict.kind !== 'judged'
        ? undefined
        : input.verdict.series.find((verdict) => verdict.series === panel.judged);
    const present = panel.lines.flatMap((line) => line.values.filter((value): value is number => value !== null));
    const band = judged === undefined ? [] : [judged.warmupValue, ...judged.thirdMedians, ...judged.ceilings];
    const maximum = niceMaximum(Math.max(0, ...present, ...band) * 1.1);
    const yOf = (value: number) => top + plotHeight - (Math.min(value, maximum) / maximum) * plotHeight;
    const unit = panel.judged === undefined ? '' : seriesDescriptions[panel.judged].unit;
    const heading = `${panel.heading}${
      judged === undefined
        ? ''
        : `: warm-up ${formatted(judged.warmupValue)}${unit === '' || unit === '×' ? unit : ` ${unit}`}, thirds ${judged.thirdMedians.map(formatted).join(' / ')}, ${judged.flat ? 'flat' : `NOT flat (+${(judged.growth * 100).toFixed(1)} %)`}`
    }`;
    parts.push(`<text x="${marginLeft}" y="${top - 6}" font-weight="bold">${escapeXml(heading)}</text>`);
    const warmupEnd = marginLeft + (input.verdict.warmupIntervals / intervals) * plotWidth;
    parts.push(`<rect x="${marginLeft}" y="${top}" width="${Math.max(0, warmupEnd - marginLeft)}" height="${plotHeight}" fill="#eeeeee"/>`);
    if (judged !== undefined) {
      const y = yOf(judged.warmupValue).toFixed(1);
      parts.push(`<line x1="${marginLeft}" x2="${marginLeft + plotWidth}" y1="${y}" y2="${y}" stroke="#d62728" stroke-dasharray="4 3"/>`);
      const judgedIntervals = intervals - input.verdict.warmupIntervals;
      const third = Math.floor(judgedIntervals / 3);
      const bounds = [0, third, judgedIntervals - third, judgedIntervals].map((offset) => input.verdict.warmupIntervals + offset);
      judged.thirdMedians.forEach((value, part) => {
        const x1 = marginLeft + ((bounds[part] ?? 0) / intervals) * plotWidth;
        const x2 = marginLeft + ((bounds[part + 1] ?? 0) / intervals) * plotWidth;
        const yMedian = yOf(value).toFixed(1);
        const yCeiling = yOf(judged.ceilings[part] ?? value).toFixed(1);
        parts.push(
          `<line x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${yCeiling}" y2="${yCeiling}" stroke="#d62728" stroke-width="1.5"/>`,
        );
        parts.push(`<line x1="${x1.toFixed(1)}" x2="${x2.toFixed(1)}" y1="${yMedian}" y2="${yMedian}" stroke="#ff7f0e" stroke-width="2"/>`);
      });
    }
    parts.push(`<rect x="${marginLeft}" y="${top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#999999"/>`);
    parts.push(`<text x="${marginLeft - 6}" y="${top + 10}" text-anchor="end">${formatted(maximum)}</text>`);
    parts.push(`<text x="${marginLeft - 6}" y="${top + plotHeight}" text-anchor="end">0</text>`);
    panel.lines.forEach((line, lineIndex) => {
      const points = line.values
        .map((value, interval) => (value === null ? null : `${xOf(interval).toFixed(1)},${yOf(value).toFixed(1)}`))
        .filter((point): point is string => point !== null);
      parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="1.5" points="${points.join(' ')}"/>`);
      if (panel.lines.length > 1) {
        const x = marginLeft + plotWidth - 6;
        parts.push(
          `<text x="${x}" y="${top + 12 + lineIndex * 12}" text-anchor="end" fill="${line.color}">${escapeXml(line.label)}</text>`,
        );
      }
    });
    parts.push(`<text x="${marginLeft + plotWidth}" y="${top + plotHeight + 14}" text-anchor="end">${formatted(totalMinutes)} min</text>`);
    parts.push(`<text x="${marginLeft}" y="${top + plotHeight + 14}">0</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
