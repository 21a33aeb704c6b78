import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../application/validation-messages';

/**
 * The pages a person sees after opening the link in a validation e-mail. The link carries the token
 * and the client_secret, so these pages must not leak their URL: no referrer, no caching, no framing.
 */
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

export function sendHtml(reply: FastifyReply, status: number, html: string): void {
  void reply.status(status).headers(HTML_HEADERS).send(html);
}

/** To the client's next_link; without a referrer, which would be this page's URL, secrets and all. */
export function redirect(reply: FastifyReply, location: string): void {
  void reply.status(302).headers({ location, 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' }).send();
}

/**
 * Shown on GET: validating takes a click on the button (a POST to the same URL), so that mail
 * scanners that fetch every link cannot validate anyone's address.
 */
export function confirmationPage(address: string, nextLinkHost?: string): string {
  const next = nextLinkHost ? `<p>You will then be taken to <strong>${escapeHtml(nextLinkHost)}</strong>.</p>\n` : '';
  return page(
    'Confirm your email address',
    `<p>Confirm that <strong>${escapeHtml(address)}</strong> is your email address and may be added to your Matrix account.</p>
${next}<form method="post"><button type="submit">Confirm</button></form>
<p>If you did not ask for this, close this page: nothing changes.</p>`,
  );
}

export function alreadyValidatedPage(address: string): string {
  return page(
    'Email address already confirmed',
    `<p><strong>${escapeHtml(address)}</strong> is already confirmed. Please return to your client to continue.</p>`,
  );
}

export function successPage(): string {
  return page('Email address confirmed', '<p>Your email address has been confirmed. Please return to your client to continue.</p>');
}

export function failurePage(reason: string): string {
  return page('Email address not confirmed', `<p>The email address could not be confirmed: ${escapeHtml(reason)}</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}button{font-size:1rem;padding:.5rem 1.5rem}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
