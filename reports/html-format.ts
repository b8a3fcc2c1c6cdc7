// Number formatting for the report's markup. Every helper returns text that is safe to place in
// HTML as is (digits, signs, '%', '–').

export function fmtInt(n: number | undefined): string {
  return n !== undefined && Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–';
}

export function fmtNum(n: number | undefined, digits = 3): string {
  return n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);
}

export function fmtPct(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? '–' : `${(n * 100).toFixed(digits)}%`;
}

/** '+1.23' / '−1.23' (a real minus sign, which reads better than a hyphen in tables). */
export function fmtSigned(n: number | undefined, digits = 2): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  const text = Math.abs(n).toFixed(digits);
  if (Number(text) === 0) return text;
  return `${n >= 0 ? '+' : '−'}${text}`;
}

/** A data-value attribute for sorting: the number, or empty when missing. */
export function dataValue(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '' : String(n);
}

/** Only plain hex colours reach a style or SVG attribute. */
export function safeColor(color: string | undefined, fallback = '#9a9a9a'): string {
  return color && /^#[0-9a-fA-F]{3,8}$/.test(color) ? color : fallback;
}
