/**
 * Type-level view of the generated operation maps, so services and the gateway can type their
 * handlers by AWS operation name: `OperationInput<'iam', 'CreateRole'>` is `CreateRoleRequest`.
 */
import type { AccessAnalyzerOperations } from './generated/accessanalyzer-types.js';
import type { CloudTrailOperations } from './generated/cloudtrail-types.js';
import type { IamOperations } from './generated/iam-types.js';
import type { StsOperations } from './generated/sts-types.js';
import type { ServiceName } from './wire.js';

export interface ServiceOperations {
  iam: IamOperations;
  sts: StsOperations;
  cloudtrail: CloudTrailOperations;
  accessanalyzer: AccessAnalyzerOperations;
}

export type OperationName<S extends ServiceName> = keyof ServiceOperations[S] & string;

type Op<S extends ServiceName, O extends OperationName<S>> = ServiceOperations[S][O] extends { input: unknown; output: unknown } ? ServiceOperations[S][O] : never;

export type OperationInput<S extends ServiceName, O extends OperationName<S>> = Op<S, O>['input'];
export type OperationOutput<S extends ServiceName, O extends OperationName<S>> = Op<S, O>['output'];

/** A table of implemented operations of one service; missing ones are not implemented. */
export type OperationHandlers<S extends ServiceName, Ctx> = {
  [O in OperationName<S>]?: (input: OperationInput<S, O>, ctx: Ctx) => Promise<OperationOutput<S, O>> | OperationOutput<S, O>;
};
