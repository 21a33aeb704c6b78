/** The kinds of third-party identifier this server handles. */
export const MEDIA = ['email', 'msisdn'] as const;
export type Medium = (typeof MEDIA)[number];

export function isMedium(value: string): value is Medium {
  return (MEDIA as readonly string[]).includes(value);
}
