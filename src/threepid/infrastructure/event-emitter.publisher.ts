import { Logger } from '@nestjs/common';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import { ThreePidEventPublisher } from '../domain/ports/three-pid-event-publisher';
import { ThreePidEvent } from '../domain/three-pid.events';

/**
 * The default ThreePidEventPublisher: Nest's EventEmitter2, which EventEmitterModule.forRoot()
 * provides; without it, events go nowhere (nobody could listen). The change is stored by the time
 * an event is published, so a listener that throws is logged, and the client's answer stands.
 */
export class EventEmitterThreePidEventPublisher implements ThreePidEventPublisher {
  private readonly logger = new Logger(EventEmitterThreePidEventPublisher.name);

  constructor(private readonly emitter: EventEmitter2 | undefined) {}

  publish(event: ThreePidEvent): void {
    if (!this.emitter) return;
    try {
      this.emitter.emit(event.eventName, event);
    } catch (error) {
      this.logger.error({ err: error, event: event.eventName }, 'A listener failed on a 3PID event');
    }
  }
}
