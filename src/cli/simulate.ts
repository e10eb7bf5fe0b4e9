/** `rolecall simulate-custom-policy`: the offline IAM policy simulator, shaped like `aws iam simulate-custom-policy`. */
import { parseArgs } from 'node:util';
import { AwsError } from '../domain/aws-error.js';
import { simulateCustomPolicy, type SimulateCustomPolicyInput } from '../services/iam/simulate-custom-policy.js';
import { readCliInputJson } from './read-input.js';

export const SIMULATE_SKELETON: SimulateCustomPolicyInput = {
  PolicyInputList: [''],
  PermissionsBoundaryPolicyInputList: [''],
  ActionNames: [''],
  ResourceArns: [''],
  ResourcePolicy: '',
  ResourceOwner: '',
  CallerArn: '',
  ContextEntries: [{ ContextKeyName: '', ContextKeyValues: [''], ContextKeyType: 'string' }],
  ResourceHandlingOption: '',
  MaxItems: 0,
  Marker: '',
};

export const SIMULATE_HELP = `rolecall simulate-custom-policy --cli-input-json file://request.json

Simulates IAM identity policies (and optionally a permissions boundary and a resource policy)
against actions and resources, offline, and prints the response as the AWS CLI prints it.

  --cli-input-json JSON|file://PATH|-   the request, as 'aws iam simulate-custom-policy
                                        --generate-cli-skeleton' describes it
  --generate-cli-skeleton               print an empty request to fill in
`;

export function runSimulate(argv: string[], out: (s: string) => void, errOut: (s: string) => void): number {
  const { values } = parseArgs({
    args: argv,
    options: { 'cli-input-json': { type: 'string' }, 'generate-cli-skeleton': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
  });
  if (values.help) {
    out(SIMULATE_HELP);
    return 0;
  }
  if (values['generate-cli-skeleton']) {
    out(JSON.stringify(SIMULATE_SKELETON, null, 4) + '\n');
    return 0;
  }
  if (!values['cli-input-json']) {
    errOut('usage: rolecall simulate-custom-policy --cli-input-json file://request.json\n');
    return 252;
  }
  let input: SimulateCustomPolicyInput;
  try {
    input = readCliInputJson(values['cli-input-json']) as SimulateCustomPolicyInput;
  } catch (e) {
    errOut(`\n${(e as Error).message}\n`);
    return 252;
  }
  try {
    // The AWS CLI follows Marker until the end and prints the merged results.
    const all = [];
    let marker = input.Marker || undefined;
    for (;;) {
      const req: SimulateCustomPolicyInput = { ...input };
      if (marker) req.Marker = marker;
      else delete req.Marker;
      const page = simulateCustomPolicy(req);
      all.push(...page.EvaluationResults);
      if (!page.IsTruncated || !page.Marker) break;
      marker = page.Marker;
    }
    out(JSON.stringify({ EvaluationResults: all }, null, 4) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof AwsError) {
      errOut(`\nAn error occurred (${e.code}) when calling the SimulateCustomPolicy operation: ${e.message}\n`);
      return 254;
    }
    throw e;
  }
}
