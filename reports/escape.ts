// Escaping for everything that leaves reports/ as HTML. Paper titles, labels and URLs come from
// the input files and are hostile until proven otherwise: nothing is written into markup without
// passing through one of these.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text content: safe inside element bodies (not inside <script> or <style>). */
export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/**
 * Attribute values (always write them double-quoted). Also escapes backticks and control
 * characters, which old parsers treated as attribute delimiters.
 */
export function escapeAttr(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`\u0000-\u001f\u007f]/g, (c) =>
    HTML_ESCAPES[c] ?? `&#${c.charCodeAt(0)};`,
  );
}

/**
 * The URL, normalised, when it is an absolute http(s) URL with a host and no credentials;
 * otherwise undefined. `javascript:`, `data:`, relative and protocol-relative URLs never become
 * links (the WHATWG parser strips the tabs/newlines that hide "java\tscript:" before we look).
 */
export function safeHttpUrl(url: unknown): string | undefined {
  if (typeof url !== 'string' || url.length === 0 || url.length > 2048) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (!parsed.hostname || parsed.username || parsed.password) return undefined;
  return parsed.href;
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators
 * become \u escapes, so no string in the data can close the script element ("</script>") or open
 * a comment ("<!--"); JSON.parse gives the original value back.
 */
export function jsonForScript(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
