/**
 * Role credentials a service keeps for a running workload and hands out again until they are
 * due for rotation, as the EC2 and ECS credential endpoints do: every caller on the instance (or
 * in the task) gets the same credentials, and new ones are made available well before the old
 * ones expire ("at least five minutes before", IAM user guide, "Use an IAM role to grant
 * permissions to applications running on Amazon EC2 instances").
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html
 *
 * Here: sessions last `durationSeconds` (6 h) and are replaced once `rotateAfterSeconds` (1 h)
 * old, so a client that refreshes at its own advisory window (boto3: 15 min before expiry, the
 * JS SDK: 5 min) always gets credentials with hours left. Concurrent first requests share one
 * issuance. A different role (the instance profile's role changed) means new credentials.
 *
 * A refusal (the role's trust policy does not let the service assume it: AccessDenied) is kept for
 * `retryRefusedAfterSeconds` (10 s) and answered again without a new attempt: an SDK polling the
 * endpoint in a retry loop would otherwise make (and audit) an AssumeRole per GET. Other failures
 * (the store unreachable) are not kept.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Clock } from '../../domain/clock.js';
import type { ServiceSession } from '../sts/service-assume-role.js';

export const SERVICE_SESSION_SECONDS = 6 * 3600;
export const SERVICE_ROTATE_AFTER_SECONDS = 3600;
export const SERVICE_RETRY_REFUSED_AFTER_SECONDS = 10;

interface Entry {
  roleArn: string;
  session: ServiceSession;
}

export class RotatingSessions {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<ServiceSession>>();
  /** The last refusal per workload, answered again until `until` (ms) for the same role. */
  private readonly refused = new Map<string, { roleArn: string; until: number; error: AwsError }>();

  constructor(
    private readonly clock: Clock,
    readonly durationSeconds = SERVICE_SESSION_SECONDS,
    private readonly rotateAfterSeconds = SERVICE_ROTATE_AFTER_SECONDS,
    private readonly retryRefusedAfterSeconds = SERVICE_RETRY_REFUSED_AFTER_SECONDS,
  ) {}

  /** The current session for `key`, or a new one from `issue` when none is fresh. */
  get(key: string, roleArn: string, issue: () => Promise<ServiceSession>): Promise<ServiceSession> {
    const now = this.clock.now().getTime();
    const no = this.refused.get(key);
    if (no && no.roleArn === roleArn && now < no.until) return Promise.reject(no.error);
    const e = this.cache.get(key);
    if (e && e.roleArn === roleArn) {
      const expires = e.session.Credentials.Expiration.getTime();
      const issuedAt = expires - this.durationSeconds * 1000;
      if (now - issuedAt < this.rotateAfterSeconds * 1000 && expires > now) return Promise.resolve(e.session);
    }
    const inflight = this.pending.get(`${key}\u0000${roleArn}`);
    if (inflight) return inflight;
    const p = issue().then(
      (session) => {
        this.cache.set(key, { roleArn, session });
        this.refused.delete(key);
        return session;
      },
      (err: unknown) => {
        // A refused issuance also ends the old credentials' service: the workload sees the error.
        this.cache.delete(key);
        if (err instanceof AwsError && err.code === 'AccessDenied') this.refused.set(key, { roleArn, until: this.clock.now().getTime() + this.retryRefusedAfterSeconds * 1000, error: err });
        throw err;
      },
    );
    const pk = `${key}\u0000${roleArn}`;
    this.pending.set(pk, p);
    const clear = () => this.pending.delete(pk);
    p.then(clear, clear);
    return p;
  }

  drop(key: string): void {
    this.cache.delete(key);
    this.refused.delete(key);
  }
}
