import {
  describeDuration,
  EMAIL_SUBMIT_TOKEN_PATH,
  emailValidationLink,
  emailValidationMessage,
  smsValidationText,
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
