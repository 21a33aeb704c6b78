import { Medium } from '../medium';

/** A 3PID this homeserver bound to a user at an identity server, so that it can unbind it later. */
export interface ThreePidBinding {
  userId: string;
  medium: Medium;
  /** Canonical. */
  address: string;
  /** As IdServer.toString() spells it. */
  idServer: string;
  boundAt: number;
}

/** The bindings made through this homeserver (spec: "Homeservers should track successful binds"). */
export interface ThreePidBindingRepository {
  /** Records the binding; recording it again only updates its time. */
  record(binding: ThreePidBinding): Promise<void>;
  /** The identity servers the user's address was bound at through this homeserver. */
  findIdServers(userId: string, medium: Medium, address: string): Promise<string[]>;
  remove(userId: string, medium: Medium, address: string, idServer: string): Promise<void>;
}
export const ThreePidBindingRepository = Symbol('ThreePidBindingRepository');
