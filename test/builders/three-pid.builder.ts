import { ThreePid } from '../../src/threepid/domain/three-pid';
import { Medium } from '../../src/threepid/domain/medium';

/** `aThreePid().forUser('@a:x').msisdn('447700900123').build()` */
export function aThreePid(): ThreePidBuilder {
  return new ThreePidBuilder();
}

class ThreePidBuilder {
  private userId = '@alice:test.local';
  private medium: Medium = 'email';
  private address = 'alice@example.org';
  private validatedAt = 1_535_176_800_000;
  private addedAt = 1_535_336_848_756;

  forUser(userId: string): this {
    this.userId = userId;
    return this;
  }

  email(address: string): this {
    this.medium = 'email';
    this.address = address;
    return this;
  }

  msisdn(address: string): this {
    this.medium = 'msisdn';
    this.address = address;
    return this;
  }

  at(validatedAt: number, addedAt = validatedAt + 1000): this {
    this.validatedAt = validatedAt;
    this.addedAt = addedAt;
    return this;
  }

  build(): ThreePid {
    return new ThreePid(this.userId, this.medium, this.address, this.validatedAt, this.addedAt);
  }
}
