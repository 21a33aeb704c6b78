/**
 * What a request body that is not UTF-8 JSON parses to. The validation pipe answers it with
 * M_NOT_JSON, after the guards, so that a switched-off feature or a missing access token is
 * reported before a malformed body, as for any other body error.
 */
export class UnparsableBody {}
