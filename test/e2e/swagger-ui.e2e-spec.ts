import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/** Debian's package (`.ci/ensure-browser.sh` installs it); Playwright's own browser download cannot work here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A closed network refuses Chromium's own background connections; these keep it from trying. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** The password of the login example (`npm run cli -- user:create alice --password 'a long password'`). */
const EXAMPLE_PASSWORD = 'a long password';

// Waits are on selectors, never on time; this only bounds a browser that hangs.
jest.setTimeout(180_000);

interface DocumentedOperation {
  operationId: string;
  tags: string[];
  security?: unknown[];
  responses: Record<string, { description: string }>;
}

/** What the response panel of an operation shows after *Execute*. */
interface Answer {
  status: number;
  body: string;
}

/**
 * A person exploring the API in Swagger UI, in a real browser against the running server: log in
 * with POST /login's example, Authorize with the token as the dialog offers it, then *Try it out*
 * each operation with its example as it is. Each must answer as its description says.
 */
describe('Swagger UI in headless Chromium, against the running server', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  let operations: DocumentedOperation[];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`No Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/ensure-browser.sh does)`);
    smtp = await SmtpSink.start();
    // Identity servers: only one that is not the examples', so that bind answers without reaching out.
    t = await startTestApp('sqlite', { SMTP_URL: smtp.url, ID_SERVER_ALLOWLIST: 'id.test.local' });
    await t.createUser('alice', EXAMPLE_PASSWORD);
    await t.app.listen(0, '127.0.0.1');
    const document = (await t.http().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, DocumentedOperation>> };
    operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    profile = mkdtempSync(join(tmpdir(), 'm3pid-chromium-'));
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`${await t.app.getUrl()}/docs`.replace('[::1]', '127.0.0.1'));
  });
  afterAll(async () => {
    await browser?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
    await smtp?.stop();
  });

  const operationBlock = (operationId: string): Locator => {
    const { tags } = operations.find((operation) => operation.operationId === operationId)!;
    return page.locator(`#operations-${tags[0].replace(/\s/g, '_')}-${operationId}`);
  };

  /** Opens the operation, *Try it out*, *Execute* with what the example filled in; the answer shown. */
  const tryItOut = async (operationId: string): Promise<Answer> => {
    const block = operationBlock(operationId);
    await block.locator('.opblock-summary').first().click();
    const tryOut = block.locator('.try-out__btn');
    if ((await tryOut.innerText()).trim() === 'Try it out') await tryOut.click();
    // An operation tried before still shows its answer: clear it, and wait for the new one.
    const clear = block.locator('.btn-clear');
    if (await clear.isVisible()) await clear.click();
    await block.locator('.execute').click();
    const row = block.locator('.live-responses-table tbody .response');
    // Either the answer, or Swagger UI refusing to send what the example left out (status 0).
    const refused = block.locator('.validation-errors, .parameters .invalid').first();
    await Promise.race([row.waitFor(), refused.waitFor()]);
    if (!(await row.isVisible())) {
      const errors = (await block.locator('.validation-errors').allInnerTexts()).join(' ') || 'a required field is empty';
      await block.locator('.opblock-summary').first().click();
      return { status: 0, body: `not sent: ${errors}` };
    }
    const status = Number(await row.locator('.response-col_status').innerText());
    const body = (await row.locator('.response-col_description .highlight-code pre').first().innerText()).trim();
    // Closed again, as a person moving on would, so that the page stays small.
    await block.locator('.opblock-summary').first().click();
    await block.locator('.opblock-body').waitFor({ state: 'detached' });
    return { status, body };
  };

  /** Authorize: the token in every scheme the dialog offers, as a person filling it in would. */
  const authorize = async (token: string): Promise<string[]> => {
    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.waitFor();
    // A scheme already authorised offers Logout first.
    for (const logout of await dialog.locator('button.modal-btn.auth:not(.authorize)').filter({ hasText: 'Logout' }).all()) await logout.click();
    const schemes = await dialog.locator('.auth-container h4').allInnerTexts();
    for (const input of await dialog.locator('.auth-container input').all()) await input.fill(token);
    const authorizeButtons = dialog.locator('button.modal-btn.auth.authorize');
    while ((await authorizeButtons.count()) > 0) await authorizeButtons.first().click();
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });
    return schemes.map((scheme) => scheme.split(/\s/)[0]);
  };

  const errcodeOf = (answer: Answer): string | undefined => {
    try {
      return (JSON.parse(answer.body) as { errcode?: string }).errcode;
    } catch {
      return undefined;
    }
  };

  /** Whether the answer is one the operation documents: its status, and (for an error) its errcode named there. */
  const asDescribed = (operationId: string, answer: Answer): boolean => {
    const response = operations.find((operation) => operation.operationId === operationId)!.responses[String(answer.status)];
    const errcode = errcodeOf(answer);
    return response !== undefined && (errcode === undefined || response.description.includes(`\`${errcode}\``));
  };

  const loginWithTheExample = async (): Promise<string> => {
    const answer = await tryItOut('login');
    expect({ status: answer.status, asDescribed: asDescribed('login', answer) }).toEqual({ status: 200, asDescribed: true });
    return (JSON.parse(answer.body) as { access_token: string }).access_token;
  };

  it('logs in with the example of POST /login, and Authorize offers the header scheme only', async () => {
    const token = await loginWithTheExample();
    expect(await authorize(token)).toEqual(['accessTokenBearer']);
  });

  it('answers Try it out with the example of every other operation as its description says', async () => {
    const expected: Record<string, string> = {
      getVersions: '200',
      getCapabilities: '200',
      getLoginFlows: '200',
      getTokenOwner: '200',
      getServerKey: '200',
      getAccount3PIDs: '200',
      // Off unless THREEPID_DEPRECATED_POST_ENABLED=true.
      post3PIDs: '404 M_UNRECOGNIZED',
      // The example has no auth: User-Interactive Authentication's challenge, with no errcode.
      add3PID: '401',
      // Not on the account: nothing to unbind.
      delete3pidFromAccount: '200',
      // The example's identity server is not on ID_SERVER_ALLOWLIST here.
      bind3PID: '400 M_SERVER_NOT_TRUSTED',
      unbind3pidFromAccount: '200',
      requestTokenTo3PIDEmail: '200',
      requestTokenTo3PIDMSISDN: '200',
      // The examples name a session that does not exist.
      showEmailValidationPage: '400',
      submitEmailToken: '400 M_NO_VALID_SESSION',
      submitMsisdnToken: '400 M_NO_VALID_SESSION',
      // Synapse's admin API: alice is no server administrator.
      getUserByThreePid: '403 M_FORBIDDEN',
      getUserAccount: '403 M_FORBIDDEN',
    };
    // Every operation but those that log in and out (below).
    expect(operations.map((operation) => operation.operationId).filter((id) => !['login', 'logout', 'logout_all'].includes(id)).sort()).toEqual(
      Object.keys(expected).sort(),
    );
    const answered: Record<string, string> = {};
    const notAsDescribed: string[] = [];
    for (const operationId of Object.keys(expected)) {
      const answer = await tryItOut(operationId);
      answered[operationId] = [answer.status, errcodeOf(answer)].filter((part) => part !== undefined).join(' ');
      if (!asDescribed(operationId, answer)) notAsDescribed.push(`${operationId}: ${answer.status} ${answer.body.slice(0, 200)}`);
    }
    expect({ answered, notAsDescribed }).toEqual({ answered: expected, notAsDescribed: [] });
  });

  it('shows /3pid/add the flows and the session to send back, and the validation e-mail reached the sink', async () => {
    const challenge = JSON.parse((await tryItOut('add3PID')).body) as Record<string, unknown>;
    expect(challenge).toEqual({ flows: [{ stages: ['m.login.password'] }], params: {}, session: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
    expect(smtp.messages.map((message) => message.to)).toContainEqual(['alice@example.org']);
  });

  it('ends every token with logout/all, and the token of a new login with logout', async () => {
    expect(await tryItOut('logout_all')).toEqual({ status: 200, body: '{}' });
    const ended = await tryItOut('getTokenOwner');
    expect({ status: ended.status, errcode: errcodeOf(ended) }).toEqual({ status: 401, errcode: 'M_UNKNOWN_TOKEN' });

    await authorize(await loginWithTheExample());
    await expect(tryItOut('getTokenOwner')).resolves.toMatchObject({ status: 200 });
    expect(await tryItOut('logout')).toEqual({ status: 200, body: '{}' });
    const loggedOut = await tryItOut('getTokenOwner');
    expect({ status: loggedOut.status, errcode: errcodeOf(loggedOut) }).toEqual({ status: 401, errcode: 'M_UNKNOWN_TOKEN' });
  });
});
