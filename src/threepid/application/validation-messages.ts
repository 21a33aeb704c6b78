import { EmailMessage } from '../domain/ports/email-sender';

/** Where tokens are submitted, relative to the public base URL. Unstable paths, as in Synapse. */
export const EMAIL_SUBMIT_TOKEN_PATH = '/_matrix/client/unstable/add_threepid/email/submit_token';
export const MSISDN_SUBMIT_TOKEN_PATH = '/_matrix/client/unstable/add_threepid/msisdn/submit_token';

/** The link in the validation e-mail; its page asks for a confirmation before validating. */
export function emailValidationLink(publicBaseUrl: string, sid: string, clientSecret: string, token: string): string {
  const query = new URLSearchParams({ token, client_secret: clientSecret, sid });
  return `${publicBaseUrl}${EMAIL_SUBMIT_TOKEN_PATH}?${query}`;
}

/**
 * The texts of the validation messages, each with `{{variable}}` placeholders (see
 * TEMPLATE_VARIABLES). A host replaces any of them with the module's `templates` option, an
 * operator all of them with TEMPLATE_DIR.
 */
export interface ValidationTemplates {
  /** One line. */
  emailSubject: string;
  emailText: string;
  /** Its values are HTML-escaped. */
  emailHtml: string;
  /** One line. */
  smsText: string;
}

const EMAIL_VARIABLES = ['server_name', 'address', 'link', 'valid_for'] as const;

/** What each template may use: `server_name`, the `address` validated, the e-mail's `link`, the SMS's `code`, `valid_for` ("1 hour"). */
export const TEMPLATE_VARIABLES: Readonly<Record<keyof ValidationTemplates, readonly string[]>> = {
  emailSubject: ['server_name', 'address'],
  emailText: EMAIL_VARIABLES,
  emailHtml: EMAIL_VARIABLES,
  smsText: ['server_name', 'code', 'valid_for'],
};

export const DEFAULT_TEMPLATES: Readonly<ValidationTemplates> = {
  emailSubject: '[{{server_name}}] Validate your email',
  emailText: `Hello,

Someone asked to add this email address to a Matrix account on {{server_name}}.
If it was you, open this link and confirm:

{{link}}

The link works for {{valid_for}}. If it was not you, ignore this email: nothing changes unless the link is confirmed.`,
  emailHtml: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Validate your email</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Hello,</p>
<p>Someone asked to add this email address to a Matrix account on {{server_name}}.
If it was you, open this link and confirm:</p>
<p><a href="{{link}}">Validate my email address</a></p>
<p>The link works for {{valid_for}}. If it was not you, ignore this email: nothing changes unless the link is confirmed.</p>
</body></html>
`,
  smsText: 'Your {{server_name}} validation code is {{code}}. It works for {{valid_for}}.',
};

/** A template names a variable it does not have; says which, and which it has. */
export class TemplateVariableError extends Error {
  constructor(
    readonly template: keyof ValidationTemplates,
    readonly variable: string,
  ) {
    super(`{{${variable}}} is not a variable of the ${template} template (it has ${TEMPLATE_VARIABLES[template].join(', ')})`);
    this.name = 'TemplateVariableError';
  }
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** A template, parsed once at start-up into literal text and variables, so that sending only joins them. */
export class MessageTemplate {
  private constructor(
    private readonly parts: readonly (string | { variable: string })[],
    private readonly escape: (value: string) => string,
  ) {}

  /** Throws TemplateVariableError for a placeholder that is not one of the template's variables. */
  static parse(template: keyof ValidationTemplates, source: string): MessageTemplate {
    const parts: (string | { variable: string })[] = [];
    let end = 0;
    for (const match of source.matchAll(PLACEHOLDER)) {
      const variable = match[1];
      if (!TEMPLATE_VARIABLES[template].includes(variable)) throw new TemplateVariableError(template, variable);
      parts.push(source.slice(end, match.index), { variable });
      end = match.index + match[0].length;
    }
    parts.push(source.slice(end));
    return new MessageTemplate(
      parts.filter((part) => part !== ''),
      template === 'emailHtml' ? escapeHtml : (value) => value,
    );
  }

  render(values: Readonly<Record<string, string>>): string {
    return this.parts.map((part) => (typeof part === 'string' ? part : this.escape(values[part.variable]))).join('');
  }
}

/** The validation messages, from the default templates or the host's or operator's own. */
export class ValidationMessages {
  private readonly templates: { readonly [name in keyof ValidationTemplates]: MessageTemplate };

  /** Throws TemplateVariableError for a template that names a variable it does not have. */
  constructor(templates: Partial<ValidationTemplates> = {}) {
    const source = { ...DEFAULT_TEMPLATES, ...templates };
    this.templates = {
      emailSubject: MessageTemplate.parse('emailSubject', source.emailSubject),
      emailText: MessageTemplate.parse('emailText', source.emailText),
      emailHtml: MessageTemplate.parse('emailHtml', source.emailHtml),
      smsText: MessageTemplate.parse('smsText', source.smsText),
    };
  }

  email(input: { to: string; serverName: string; link: string; validForMs: number }): EmailMessage {
    const values = { server_name: input.serverName, address: input.to, link: input.link, valid_for: describeDuration(input.validForMs) };
    return {
      to: input.to,
      subject: this.templates.emailSubject.render(values),
      text: this.templates.emailText.render(values),
      html: this.templates.emailHtml.render(values),
    };
  }

  sms(input: { serverName: string; token: string; validForMs: number }): string {
    return this.templates.smsText.render({ server_name: input.serverName, code: input.token, valid_for: describeDuration(input.validForMs) });
  }
}

const DEFAULT_MESSAGES = new ValidationMessages();

export function emailValidationMessage(input: { to: string; serverName: string; link: string; validForMs: number }): EmailMessage {
  return DEFAULT_MESSAGES.email(input);
}

export function smsValidationText(input: { serverName: string; token: string; validForMs: number }): string {
  return DEFAULT_MESSAGES.sms(input);
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
