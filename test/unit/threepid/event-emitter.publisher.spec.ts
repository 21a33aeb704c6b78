import { ConsoleLogger, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ThreePidAddedEvent, ThreePidValidatedEvent } from '../../../src/threepid/domain/three-pid.events';
import { EventEmitterThreePidEventPublisher } from '../../../src/threepid/infrastructure/event-emitter.publisher';

describe(EventEmitterThreePidEventPublisher.name, () => {
  // A failing listener is logged; these tests make one fail on purpose.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(new ConsoleLogger()));

  const added = new ThreePidAddedEvent('@alice:example.org', 'email', 'alice@example.org', 1_700_000_000_000);

  it("emits each event under its class's name, with the event as the payload", () => {
    const emitter = new EventEmitter2();
    const seen: unknown[] = [];
    emitter.on(ThreePidAddedEvent.eventName, (event) => seen.push(event));
    new EventEmitterThreePidEventPublisher(emitter).publish(added);
    new EventEmitterThreePidEventPublisher(emitter).publish(new ThreePidValidatedEvent('sid', 'email', 'alice@example.org', 1));
    expect(seen).toEqual([added]);
    expect(added.eventName).toBe('threepid.added');
  });

  it("keeps a listener's failure from the caller: the change it announces is stored already", () => {
    const emitter = new EventEmitter2();
    emitter.on(ThreePidAddedEvent.eventName, () => {
      throw new Error('listener bug');
    });
    expect(() => new EventEmitterThreePidEventPublisher(emitter).publish(added)).not.toThrow();
  });

  it('publishes to nobody without an EventEmitter2 (the host imported no EventEmitterModule)', () => {
    expect(() => new EventEmitterThreePidEventPublisher(undefined).publish(added)).not.toThrow();
  });
});
