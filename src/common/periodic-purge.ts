import { Logger } from '@nestjs/common';

/**
 * Deletes what has expired every `intervalMs`, without keeping the process alive. Each instance
 * runs its own, harmlessly: a purge is one conditional DELETE. A failed run is logged, and the next
 * one tries again.
 */
export class PeriodicPurge {
  private timer?: NodeJS.Timeout;

  constructor(
    /** What is purged, for the log: 'expired UIA sessions'. */
    private readonly what: string,
    private readonly intervalMs: number,
    private readonly purge: () => Promise<number>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runQuietly(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async runQuietly(): Promise<void> {
    try {
      const purged = await this.purge();
      if (purged > 0) this.logger.log({ purged }, `Purged ${this.what}`);
    } catch (error) {
      this.logger.warn({ err: error }, `Could not purge ${this.what}`);
    }
  }
}
