/** Time as the application sees it, in milliseconds since the epoch; replaced by a fixed clock in tests. */
export interface Clock {
  now(): number;
}
export const Clock = Symbol('Clock');

export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
}
