/** Path prefixes of the Client-Server API. */
export const CLIENT_V3 = '_matrix/client/v3';
export const CLIENT_BASE = '_matrix/client';
export const CLIENT_UNSTABLE = '_matrix/client/unstable';
