import {
  describeDuration,
  EMAIL_SUBMIT_TOKEN_PATH,
  emailValidationLink,
  emailValidationMessage,
  MessageTemplate,
  smsValidationText,
  TemplateVariableError,
  ValidationMessages,
} from '../../../src/threepid/application/validation-messages';

describe(describeDuration.name, () => {
  it.each([
    [3_600_000, '1 hour'],
    [5_400_000, '90 minutes'],
    [172_800_000, '2 days'],
    [86_400_000, '1 day'],
    [1000, '1 second'],
    [30_000, '30 seconds'],
    [60_000, '1 minute'],
  ])('describes %i ms as %s', (ms, expected) => {
    expect(describeDuration(ms)).toBe(expected);
  });
});

describe(emailValidationLink.name, () => {
  it('puts token, client_secret and sid in the query of the submit_token URL, encoded', () => {
    const link = emailValidationLink('https://matrix.example.org', 'S1d', 'sec ret&x=/y', 'to+ken');
    expect(link).toBe(
      `https://matrix.example.org${EMAIL_SUBMIT_TOKEN_PATH}?token=to%2Bken&client_secret=sec+ret%26x%3D%2Fy&sid=S1d`,
    );
    const url = new URL(link);
    expect([...url.searchParams]).toEqual([
      ['token', 'to+ken'],
      ['client_secret', 'sec ret&x=/y'],
      ['sid', 'S1d'],
    ]);
  });
});

describe(emailValidationMessage.name, () => {
  const link = 'https://matrix.example.org/submit?token=t&client_secret=c&sid=s';
  const message = emailValidationMessage({ to: 'alice@example.org', serverName: 'Evil <b>& Co', link, validForMs: 3_600_000 });

  it('addresses the recipient and names the server in the subject', () => {
    expect(message.to).toBe('alice@example.org');
    expect(message.subject).toContain('Evil <b>& Co');
  });

  it('gives the link and its lifetime in the text', () => {
    expect(message.text).toContain(link);
    expect(message.text).toContain('1 hour');
  });

  it('escapes the link and the server name in the HTML', () => {
    expect(message.html).toContain('href="https://matrix.example.org/submit?token=t&#38;client_secret=c&#38;sid=s"');
    expect(message.html).not.toContain(link);
    expect(message.html).toContain('Evil &#60;b&#62;&#38; Co');
    expect(message.html).not.toContain('<b>');
    expect(message.html).toContain('1 hour');
  });
});

describe(smsValidationText.name, () => {
  it('gives the code, the server and how long the code works', () => {
    const text = smsValidationText({ serverName: 'example.org', token: '042917', validForMs: 5_400_000 });
    expect(text).toContain('042917');
    expect(text).toContain('example.org');
    expect(text).toContain('90 minutes');
  });
});

describe(MessageTemplate.name, () => {
  it('puts the values in place of their placeholders, spaces inside the braces allowed, and leaves the rest as it is', () => {
    const template = MessageTemplate.parse('smsText', '{{code}}: {{ server_name }} {x} {{code}} {{');
    expect(template.render({ code: '042917', server_name: 'example.org' })).toBe('042917: example.org {x} 042917 {{');
  });

  it('HTML-escapes the values in the HTML template only', () => {
    const values = { server_name: '<b>&', address: 'a@x', link: 'https://x/?a=1&b="2"', valid_for: '1 hour' };
    expect(MessageTemplate.parse('emailHtml', '<a href="{{link}}">{{server_name}}</a>').render(values)).toBe(
      '<a href="https://x/?a=1&#38;b=&#34;2&#34;">&#60;b&#62;&#38;</a>',
    );
    expect(MessageTemplate.parse('emailText', '{{link}} {{server_name}}').render(values)).toBe('https://x/?a=1&b="2" <b>&');
  });

  it.each([
    ['smsText', 'Your link: {{link}}', 'link'],
    ['emailSubject', '{{code}}', 'code'],
    ['emailText', '{{ serverName }}', 'serverName'],
    ['emailHtml', '{{}}', ''],
  ] as const)('refuses a %s template %j: {{%s}} is not one of its variables', (template, source, variable) => {
    const error = (() => {
      try {
        MessageTemplate.parse(template, source);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TemplateVariableError);
    expect(error).toMatchObject({ template, variable, message: expect.stringContaining(`{{${variable}}} is not a variable of the ${template} template`) });
  });
});

describe(ValidationMessages.name, () => {
  const email = { to: 'alice@example.org', serverName: 'example.org', link: 'https://matrix.example.org/submit?token=t', validForMs: 5_400_000 };

  it('writes the default messages from the default templates', () => {
    expect(new ValidationMessages().email(email)).toEqual(emailValidationMessage(email));
    expect(new ValidationMessages({}).sms({ serverName: 'example.org', token: '042917', validForMs: 60_000 })).toBe(
      'Your example.org validation code is 042917. It works for 1 minute.',
    );
  });

  it('takes any template it is given, and the defaults for the others', () => {
    const messages = new ValidationMessages({ emailSubject: '{{address}}: confirm on {{server_name}}', smsText: 'Code {{code}} ({{valid_for}})' });
    expect(messages.email(email)).toMatchObject({ subject: 'alice@example.org: confirm on example.org', text: emailValidationMessage(email).text });
    expect(messages.sms({ serverName: 'example.org', token: '042917', validForMs: 5_400_000 })).toBe('Code 042917 (90 minutes)');
  });

  it('refuses a template with a variable it does not have when it is made, that is at start-up', () => {
    expect(() => new ValidationMessages({ emailText: '{{code}}' })).toThrow(TemplateVariableError);
  });
});
