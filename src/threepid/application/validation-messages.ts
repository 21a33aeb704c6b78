import { EmailMessage } from '../domain/ports/email-sender';

/** Where tokens are submitted, relative to the public base URL. Unstable paths, as in Synapse. */
export const EMAIL_SUBMIT_TOKEN_PATH = '/_matrix/client/unstable/add_threepid/email/submit_token';
export const MSISDN_SUBMIT_TOKEN_PATH = '/_matrix/client/unstable/add_threepid/msisdn/submit_token';

/** The link in the validation e-mail; its page asks for a confirmation before validating. */
export function emailValidationLink(publicBaseUrl: string, sid: string, clientSecret: string, token: string): string {
  const query = new URLSearchParams({ token, client_secret: clientSecret, sid });
  return `${publicBaseUrl}${EMAIL_SUBMIT_TOKEN_PATH}?${query}`;
}

export function emailValidationMessage(input: { to: string; serverName: string; link: string; validForMs: number }): EmailMessage {
  const validFor = describeDuration(input.validForMs);
  const text = [
    'Hello,',
    '',
    `Someone asked to add this email address to a Matrix account on ${input.serverName}.`,
    'If it was you, open this link and confirm:',
    '',
    input.link,
    '',
    `The link works for ${validFor}. If it was not you, ignore this email: nothing changes unless the link is confirmed.`,
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Validate your email</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
<p>Someone asked to add this email address to a Matrix account on ${escapeHtml(input.serverName)}.
If it was you, open this link and confirm:</p>
<p><a href="${escapeHtml(input.link)}">Validate my email address</a></p>
<p>The link works for ${validFor}. If it was not you, ignore this email: nothing changes unless the link is confirmed.</p>
</body></html>
`;
  return { to: input.to, subject: `[${input.serverName}] Validate your email`, text, html };
}

export function smsValidationText(input: { serverName: string; token: string; validForMs: number }): string {
  return `Your ${input.serverName} validation code is ${input.token}. It works for ${describeDuration(input.validForMs)}.`;
}

/** `1 hour`, `90 minutes`, `2 days`: the largest whole unit. */
export function describeDuration(ms: number): string {
  const units: [string, number][] = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  const [unit, size] = units.find(([, size]) => ms % size === 0 && ms >= size) ?? ['second', 1000];
  const count = Math.max(1, Math.round(ms / size));
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
