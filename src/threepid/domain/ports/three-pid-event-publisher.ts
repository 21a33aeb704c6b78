import type { ThreePidEvent } from '../three-pid.events';

/**
 * Where the 3PID feature's events go (three-pid.events.ts), once a change is stored. The default
 * hands them to Nest's EventEmitter2 when the host imports EventEmitterModule; a listener's failure
 * never changes the answer the client gets.
 */
export interface ThreePidEventPublisher {
  publish(event: ThreePidEvent): void;
}
export const ThreePidEventPublisher = Symbol('ThreePidEventPublisher');
