/**
 * The ECS-style container credentials endpoint, on the main port:
 * `GET /_rolecall/ecs/credentials/<task-id>` with `Authorization: <the task's token>` (sent
 * verbatim by the SDKs from AWS_CONTAINER_AUTHORIZATION_TOKEN), answering
 * `{AccessKeyId, SecretAccessKey, Token, Expiration, RoleArn}` as the ECS agent does.
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 *
 * A missing or wrong token is 401 with `{Code, Message}` (the JS SDK surfaces both); the same
 * answer for a task that does not exist. The token is never logged.
 */
import type { Endpoint } from './endpoint.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import { CONTAINER_CREDENTIALS_PATH, type TaskService } from '../services/workloads/tasks.js';
import { isoSeconds } from '../domain/clock.js';


function answer(status: number, body: unknown): HttpResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function containerCredentialsEndpoint(tasks: TaskService): Endpoint {
  return {
    name: 'container-credentials',
    matches: (req) => req.path.startsWith(CONTAINER_CREDENTIALS_PATH),
    async handle(req: HttpRequest) {
      if (req.method !== 'GET') return answer(405, { Code: 'MethodNotAllowed', Message: 'Use GET.' });
      const taskId = req.path.slice(CONTAINER_CREDENTIALS_PATH.length);
      let token: string | undefined;
      for (const [k, v] of req.headers) if (k.toLowerCase() === 'authorization') token = v;
      const r = await tasks.credentials(taskId, token);
      if (!r.ok) return r.reason === 'unauthorized' ? answer(401, { Code: 'Unauthorized', Message: r.message }) : answer(403, { Code: 'AccessDenied', Message: r.message });
      const c = r.session.Credentials;
      return answer(200, { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken, Expiration: isoSeconds(c.Expiration), RoleArn: r.task.roleArn });
    },
  };
}
