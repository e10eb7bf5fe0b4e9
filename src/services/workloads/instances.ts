/**
 * Simulated EC2 instances: launched with an instance profile, each with its own instance
 * metadata endpoint (one loopback port per instance, bound by the server) that hands the
 * profile's role credentials to whatever runs "on" the instance, as EC2 does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
 *
 * Launch (RunInstances) is authorized as ec2:RunInstances plus iam:PassRole on the profile's role
 * with iam:PassedToService=ec2.amazonaws.com. Credentials are issued by ec2.amazonaws.com
 * assuming the role (the trust policy must allow the service; aws:SourceAccount is the
 * instance's account, aws:SourceArn the instance ARN), with the instance id as session name.
 */
import type { InstanceProfileRecord, InstanceRecord, RoleRecord } from '../../store/ports.js';
import { AwsError } from '../../domain/aws-error.js';
import { assumeRoleAsService, EC2_SERVICE, type ServiceSession } from '../sts/service-assume-role.js';
import { authorizeAction, authorizePassRole, randomHex, type LaunchRequest, type WorkloadDeps } from './launch.js';
import { RotatingSessions } from './rotating-sessions.js';
import { ec2Errors, WorkloadError } from './workload-error.js';
import { isoSeconds } from '../../domain/clock.js';

export type HttpTokens = InstanceRecord['httpTokens'];

/** Where instance metadata endpoints live (one loopback listener per instance, endpoints/). */
export interface InstanceEndpointHost {
  /** Serves the instance's metadata on `preferredPort` if free (0: any); returns the port bound. */
  open(instanceId: string, preferredPort: number): Promise<number>;
  close(instanceId: string): Promise<void>;
}

export interface RunInstancesInput {
  IamInstanceProfile?: { Name?: string; Arn?: string };
  MetadataOptions?: { HttpTokens?: string };
  ImageId?: string;
  InstanceType?: string;
}

/** An instance as RunInstances/DescribeInstances show it (EC2 member names), plus its endpoint. */
export interface InstanceView {
  InstanceId: string;
  ImageId: string;
  InstanceType: string;
  State: { Code: number; Name: string };
  LaunchTime: string;
  Placement: { AvailabilityZone: string };
  PrivateIpAddress: string;
  IamInstanceProfile: { Arn: string; Id: string };
  MetadataOptions: { HttpTokens: HttpTokens; HttpEndpoint: 'enabled'; HttpPutResponseHopLimit: number; State: 'applied' };
  /** Rolecall: the instance metadata endpoint (AWS_EC2_METADATA_SERVICE_ENDPOINT). */
  MetadataEndpoint?: string;
}

/** What the metadata endpoint serves under iam/: a role's credentials, or why there are none. */
export type InstanceCredentials =
  | { ok: true; profile: InstanceProfileRecord; role: RoleRecord; session: ServiceSession }
  | { ok: false; profile: InstanceProfileRecord; roleName: string; code: 'AssumeRoleUnauthorizedAccess'; message: string; at: Date };

const INSTANCE_ID_RE = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const PROFILE_ARN_RE = /^arn:aws:iam::(\d{12}):instance-profile\/(?:.*\/)?([\w+=,.@-]+)$/;
const TERMINATED_VISIBLE_MS = 3600_000; // EC2 shows terminated instances for about an hour
const IMDS_HOST = '127.0.0.1';


export function instanceArn(i: Pick<InstanceRecord, 'region' | 'accountId' | 'id'>): string {
  return `arn:aws:ec2:${i.region}:${i.accountId}:instance/${i.id}`;
}

export function metadataEndpoint(i: Pick<InstanceRecord, 'imdsPort'>): string {
  return `http://${IMDS_HOST}:${i.imdsPort}`;
}

function view(i: InstanceRecord): InstanceView {
  const running = i.state === 'running';
  const v: InstanceView = {
    InstanceId: i.id,
    ImageId: i.imageId,
    InstanceType: i.instanceType,
    State: running ? { Code: 16, Name: 'running' } : { Code: 48, Name: 'terminated' },
    LaunchTime: isoSeconds(i.launchedAt),
    Placement: { AvailabilityZone: i.availabilityZone },
    PrivateIpAddress: i.privateIp,
    IamInstanceProfile: { Arn: i.instanceProfileArn, Id: i.instanceProfileId },
    MetadataOptions: { HttpTokens: i.httpTokens, HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2, State: 'applied' },
  };
  if (running && i.imdsPort) v.MetadataEndpoint = metadataEndpoint(i);
  return v;
}

function httpTokensOf(v: string | undefined, fallback: HttpTokens): HttpTokens {
  if (v === undefined) return fallback;
  if (v === 'optional' || v === 'required') return v;
  throw ec2Errors.invalidParameter(`Value (${v}) for parameter HttpTokens is invalid. Valid values: optional, required`);
}

export class InstanceService {
  private host: InstanceEndpointHost | undefined;
  readonly sessions: RotatingSessions;

  constructor(private readonly deps: WorkloadDeps) {
    this.sessions = new RotatingSessions(deps.clock);
  }

  /** The metadata endpoints' host (wired after construction: its handlers call back here). */
  attachHost(host: InstanceEndpointHost): void {
    this.host = host;
  }

  private requireHost(): InstanceEndpointHost {
    if (!this.host) throw new AwsError('InternalFailure', 'instance metadata endpoints are not wired');
    return this.host;
  }

  /** Opens the endpoint of every running instance (server start); a taken port gets a new one. */
  async resume(): Promise<void> {
    for (const i of await this.deps.store.instances.list()) {
      if (i.state !== 'running') continue;
      const port = await this.requireHost().open(i.id, i.imdsPort);
      if (port !== i.imdsPort) await this.deps.store.instances.update(i.id, { imdsPort: port });
    }
  }

  private async resolveProfile(accountId: string, ref: RunInstancesInput['IamInstanceProfile']): Promise<InstanceProfileRecord> {
    if (!ref || (ref.Name === undefined && ref.Arn === undefined)) throw ec2Errors.missingParameter('IamInstanceProfile');
    if (ref.Arn !== undefined) {
      const m = PROFILE_ARN_RE.exec(ref.Arn);
      const p = m && m[1] === accountId ? await this.deps.store.instanceProfiles.get(accountId, m[2] as string) : undefined;
      if (!p || p.arn !== ref.Arn) throw ec2Errors.invalidParameter(`Value (${ref.Arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM Instance Profile ARN`);
      return p;
    }
    const name = ref.Name as string;
    const p = /^[\w+=,.@-]{1,128}$/.test(name) ? await this.deps.store.instanceProfiles.get(accountId, name) : undefined;
    if (!p) throw ec2Errors.invalidParameter(`Value (${name}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`);
    return p;
  }

  async run(req: LaunchRequest, input: RunInstancesInput): Promise<InstanceView> {
    const accountId = req.caller.accountId;
    const httpTokens = httpTokensOf(input.MetadataOptions?.HttpTokens, 'required');
    const imageId = input.ImageId ?? 'ami-0abcdef1234567890';
    if (!/^ami-[0-9a-f]{8,17}$/.test(imageId)) throw new WorkloadError('InvalidAMIID.Malformed', 400, `Invalid id: "${imageId}" (expecting "ami-...")`);
    const instanceType = input.InstanceType ?? 't3.micro';
    if (!/^[a-z0-9-]+\.[a-z0-9]+$/.test(instanceType)) throw ec2Errors.invalidParameter(`Invalid value '${instanceType}' for InstanceType.`);
    const id = `i-${randomHex(this.deps.random, 17)}`;
    const arn = instanceArn({ region: req.region, accountId, id });

    await authorizeAction(this.deps, req, 'ec2:RunInstances', `arn:aws:ec2:${req.region}:${accountId}:instance/*`, { 'ec2:MetadataHttpTokens': httpTokens }, ec2Errors.unauthorized);
    const profile = await this.resolveProfile(accountId, input.IamInstanceProfile);
    for (const roleName of profile.roleNames) {
      const role = await this.deps.store.roles.get(accountId, roleName);
      if (role) await authorizePassRole(this.deps, req, role.arn, EC2_SERVICE, ec2Errors.unauthorized, arn);
    }

    const b = this.deps.random.bytes(2);
    const rec: InstanceRecord = {
      id,
      accountId,
      region: req.region,
      availabilityZone: `${req.region}a`,
      imageId,
      instanceType,
      privateIp: `10.0.${b[0] ?? 0}.${((b[1] ?? 0) % 250) + 4}`,
      instanceProfileArn: profile.arn,
      instanceProfileId: profile.id,
      httpTokens,
      imdsPort: 0,
      state: 'running',
      launchedAt: this.deps.clock.now(),
      launchedBy: req.caller.arn,
    };
    await this.deps.store.instances.create(rec);
    try {
      rec.imdsPort = await this.requireHost().open(id, 0);
      await this.deps.store.instances.update(id, { imdsPort: rec.imdsPort });
    } catch (e) {
      await this.deps.store.instances.delete(id);
      throw e;
    }
    return view(rec);
  }

  /** The caller's account's instance, or InvalidInstanceID.NotFound (other accounts' included). */
  private async own(req: LaunchRequest, id: string): Promise<InstanceRecord> {
    if (!INSTANCE_ID_RE.test(id)) throw ec2Errors.instanceMalformed(id);
    const i = await this.deps.store.instances.get(id);
    if (!i || i.accountId !== req.caller.accountId) throw ec2Errors.instanceNotFound(id);
    return i;
  }

  async describe(req: LaunchRequest, ids: string[] | undefined): Promise<InstanceView[]> {
    await authorizeAction(this.deps, req, 'ec2:DescribeInstances', '*', {}, ec2Errors.unauthorized);
    const now = this.deps.clock.now().getTime();
    const out: InstanceView[] = [];
    if (ids && ids.length) {
      for (const id of ids) out.push(view(await this.own(req, id)));
      return out;
    }
    for (const i of await this.deps.store.instances.list(req.caller.accountId)) {
      if (i.state === 'terminated' && i.terminatedAt && now - i.terminatedAt.getTime() > TERMINATED_VISIBLE_MS) {
        await this.deps.store.instances.delete(i.id);
        continue;
      }
      out.push(view(i));
    }
    return out;
  }

  async terminate(req: LaunchRequest, ids: string[]): Promise<Array<{ InstanceId: string; PreviousState: InstanceView['State']; CurrentState: InstanceView['State'] }>> {
    if (!ids.length) throw ec2Errors.missingParameter('InstanceId');
    const found = [];
    for (const id of ids) found.push(await this.own(req, id));
    for (const i of found) await authorizeAction(this.deps, req, 'ec2:TerminateInstances', instanceArn(i), {}, ec2Errors.unauthorized);
    const out = [];
    for (const i of found) {
      const previous = view(i).State;
      if (i.state === 'running') {
        await this.requireHost().close(i.id);
        this.sessions.drop(i.id);
        await this.deps.store.instances.update(i.id, { state: 'terminated', terminatedAt: this.deps.clock.now() });
      }
      out.push({ InstanceId: i.id, PreviousState: previous, CurrentState: { Code: 48, Name: 'terminated' } });
    }
    return out;
  }

  /** ModifyInstanceMetadataOptions: turn IMDSv1 on (`optional`) or off (`required`). */
  async modifyMetadataOptions(req: LaunchRequest, id: string, httpTokens: string | undefined): Promise<{ InstanceId: string; InstanceMetadataOptions: InstanceView['MetadataOptions'] }> {
    const i = await this.own(req, id);
    const tokens = httpTokensOf(httpTokens, i.httpTokens);
    await authorizeAction(this.deps, req, 'ec2:ModifyInstanceMetadataOptions', instanceArn(i), { 'ec2:MetadataHttpTokens': tokens }, ec2Errors.unauthorized);
    if (i.state !== 'running') throw ec2Errors.incorrectState(id, i.state);
    await this.deps.store.instances.update(id, { httpTokens: tokens });
    return { InstanceId: id, InstanceMetadataOptions: view({ ...i, httpTokens: tokens }).MetadataOptions };
  }

  /** A running instance, for its metadata endpoint. */
  async running(id: string): Promise<InstanceRecord | undefined> {
    const i = await this.deps.store.instances.get(id);
    return i && i.state === 'running' ? i : undefined;
  }

  /** The instance's profile as launched, with its current role name (undefined: no role). */
  async profileOf(i: InstanceRecord): Promise<{ profile: InstanceProfileRecord; roleName?: string } | undefined> {
    const m = PROFILE_ARN_RE.exec(i.instanceProfileArn);
    const profile = m ? await this.deps.store.instanceProfiles.get(i.accountId, m[2] as string) : undefined;
    if (!profile || profile.id !== i.instanceProfileId) return undefined;
    const roleName = profile.roleNames[0];
    return roleName === undefined ? { profile } : { profile, roleName };
  }

  /**
   * The credentials the instance's role gives it now: issued by ec2.amazonaws.com assuming the
   * role (trust policy checked, audited), reused until due for rotation. Undefined when the
   * profile is gone or holds no role.
   */
  async credentials(i: InstanceRecord): Promise<InstanceCredentials | undefined> {
    const p = await this.profileOf(i);
    if (!p || p.roleName === undefined) return undefined;
    const role = await this.deps.store.roles.get(i.accountId, p.roleName);
    if (!role) return undefined;
    try {
      const session = await this.sessions.get(i.id, role.arn, () =>
        assumeRoleAsService(this.deps, {
          service: EC2_SERVICE,
          roleArn: role.arn,
          sessionName: i.id,
          durationSeconds: this.sessions.durationSeconds,
          sourceAccount: i.accountId,
          sourceArn: instanceArn(i),
          region: i.region,
        }),
      );
      return { ok: true, profile: p.profile, role, session };
    } catch (e) {
      if (!(e instanceof AwsError) || e.code !== 'AccessDenied') throw e;
      // The wording EC2 uses (IAM user guide, troubleshooting EC2 roles).
      return {
        ok: false,
        profile: p.profile,
        roleName: role.name,
        code: 'AssumeRoleUnauthorizedAccess',
        message: `EC2 cannot assume the role ${role.name}. Please see documentation at https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_iam-ec2.html#troubleshoot_iam-ec2_errors-info-doc.`,
        at: this.deps.clock.now(),
      };
    }
  }
}
