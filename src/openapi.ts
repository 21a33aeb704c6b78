import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { errorExamples, RATE_LIMITED_EXAMPLE, RateLimitedErrorResponse } from './common/http/matrix-error.dto';

const GETTING_STARTED = `
The Matrix Client-Server "Account Administrative Contact" API: third-party identifiers (e-mail
addresses and phone numbers) on a Matrix account.

**Try it here:**
1. Create an account on the server's machine: \`npm run cli -- user:create alice --password 'a long password'\`.
2. Open **POST /_matrix/client/v3/login** below, *Try it out*, and *Execute* its example:
   \`{"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "a long password"}\`.
3. Copy \`access_token\` from the answer, press **Authorize**, and paste it under *accessTokenBearer*.
4. Call **GET /_matrix/client/v3/account/3pid**, or *Try it out* any operation with its example: each answers as its
   description says.

Every example uses one validation session: \`client_secret\` \`monkeys_are_GREAT\` and \`sid\` \`4bQ9d3Jx0sV1mLr8aT2yK7Pe\`. A real
one comes from requestToken: put its \`sid\` in place of the example's.
`;

/** The OpenAPI document, generated from the controllers and DTOs. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('matrix-3pid-server')
    .setDescription(GETTING_STARTED)
    .setVersion('1.0.0')
    // The spec's one scheme, and the only one Authorize offers: authorising a second (the query
    // parameter) would send the token twice, which the server refuses.
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        // Opaque tokens: drop the JWT bearerFormat Nest would otherwise declare.
        bearerFormat: undefined,
        description:
          'The `access_token` from login, as `Authorization: Bearer <token>`. The server also accepts it as an `access_token` ' +
          'query parameter (deprecated by the spec), but not both at once.',
      },
      'accessTokenBearer',
    )
    // Every endpoint is rate-limited (RATE_LIMIT_DEFAULT, per user or per client IP).
    .addGlobalResponse({
      status: 429,
      description: 'This request was rate-limited (`M_LIMIT_EXCEEDED`, with `retry_after_ms`); `Retry-After` gives the wait in seconds.',
      type: RateLimitedErrorResponse,
      examples: errorExamples([RATE_LIMITED_EXAMPLE]),
    })
    .build();
  return SwaggerModule.createDocument(app, config, { autoTagControllers: false });
}

/** Swagger UI at /docs, the document at /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true },
  });
}
