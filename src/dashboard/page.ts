import { SCRIPT } from './page-script.js';
import { STYLE } from './page-style.js';

/** @internal Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** @internal The Content-Security-Policy of the page: nothing but its own nonce'd style and script, and requests to itself. */
export const csp = (nonce: string): string =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/**
 * @internal The page: self-contained, no request but to its own feed. The title is escaped; breaker
 * names never reach the HTML: the script writes them as text.
 */
export function page(title: string, nonce: string, token: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="tripswitch-token" content="${escapeHtml(token)}">
<link rel="icon" href="data:,">
<title>${t}</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header>
<h1>${t}</h1>
<p id="status" role="status">connecting</p>
<p id="store" hidden></p>
</header>
<main>
<label for="filter">Filter</label>
<input id="filter" type="search" placeholder="breaker name" autocomplete="off" spellcheck="false">
<span id="count"></span>
<p id="message" role="alert" hidden></p>
<table>
<thead><tr><th>Breaker</th><th>State</th><th>Failure rate</th><th>Slow calls</th><th>Calls/s</th><th>Rejected/s</th><th>Next probe</th><th>Last change</th><th>Recent states</th><th class="ctl">Controls</th></tr></thead>
<tbody id="rows"></tbody>
</table>
<p id="more" hidden></p>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>
`;
}
