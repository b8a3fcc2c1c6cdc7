// Shrinks the SVG that vega's toSVG writes, without changing what it draws. Two passes:
//   1. geometry numbers (d, transform, x, y, width, height…) rounded to 0.01 px: vega writes
//      float noise such as 337.27200000000005;
//   2. runs of identical circle symbols (a scatter plot: one <path transform d=CIRCLE> per point,
//      ~150 bytes each) become one path of zero-length round-capped strokes per run ("M x,y h0"),
//      ~12 bytes a point. Same position, size, colour and opacity; runs keep drawing order.
//   3. rgb() colours as hex, default opacity="1" attributes dropped.
// Text content is never touched: only attribute values of our own vega output are rewritten.

const GEOMETRY_ATTR = /\s(d|transform|x|y|x1|x2|y1|y2|width|height|r|cx|cy)="([^"]*)"/g;

function roundNumber(text: string): string {
  const v = Number(text);
  if (!Number.isFinite(v)) return text;
  const r = Math.round(v * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

/** Pass 1: geometry numbers to two decimals. */
export function roundSvgGeometry(svg: string): string {
  return svg.replace(GEOMETRY_ATTR, (_m, name: string, value: string) => ` ${name}="${value.replace(/-?\d*\.\d+(?:e-?\d+)?/g, roundNumber)}"`);
}

// A circle symbol as vega writes it (after pass 1): translate(x,y) and the two-arc circle path.
const CIRCLE_POINT =
  /<path transform="translate\((-?[\d.]+),(-?[\d.]+)\)" d="M(-?[\d.]+),0A\3,\3,0,1,1,-\3,0A\3,\3,0,1,1,\3,0"((?: [a-z-]+="[^"]*")*)\/>/g;

/** Pass 2: consecutive circles with the same radius and paint → one path of round dots. */
export function mergeCirclePoints(svg: string): string {
  let out = '';
  let last = 0;
  let run: { key: string; radius: string; attrs: string; moves: string[] } | undefined;
  let runEnd = 0;
  const flush = () => {
    if (!run) return;
    const paint = run.attrs
      .replace(/ stroke-width="[^"]*"/, '')
      .replace(/ fill="([^"]*)"/, ' stroke="$1"')
      .replace(/ fill-opacity="/, ' stroke-opacity="');
    out += `<path d="${run.moves.join('')}" fill="none"${paint} stroke-width="${roundNumber(String(2 * Number(run.radius)))}" stroke-linecap="round"/>`;
    run = undefined;
  };
  for (const m of svg.matchAll(CIRCLE_POINT)) {
    const [whole, x, y, radius, attrs] = m as unknown as [string, string, string, string, string];
    const start = m.index!;
    const key = `${radius}|${attrs}`;
    // Only fills (a stroke on a scatter symbol would be lost) and only adjacent symbols merge.
    const mergeable = !/ stroke="/.test(attrs);
    if (run && (start !== runEnd || run.key !== key || !mergeable)) flush();
    if (!run) out += svg.slice(last, start);
    if (!mergeable) {
      out += whole;
    } else {
      run ??= { key, radius, attrs, moves: [] };
      run.moves.push(`M${x},${y}h0`);
    }
    last = start + whole.length;
    runEnd = last;
  }
  flush();
  return out + svg.slice(last);
}

/** Pass 3: rgb(r, g, b) colours as #rrggbb, and the default opacity="1" dropped. */
export function shortenPaint(svg: string): string {
  return svg
    .replace(/"rgb\((\d{1,3}), ?(\d{1,3}), ?(\d{1,3})\)"/g, (_m, r: string, g: string, b: string) =>
      `"#${[r, g, b].map((v) => Math.min(255, Number(v)).toString(16).padStart(2, '0')).join('')}"`,
    )
    .replace(/ (opacity|fill-opacity|stroke-opacity)="1"/g, '');
}

export function compactSvg(svg: string): string {
  return mergeCirclePoints(shortenPaint(roundSvgGeometry(svg)));
}
