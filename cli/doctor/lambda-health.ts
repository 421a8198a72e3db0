import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { fail, message, pass, type Check, type CheckResult, type DoctorDependencies } from "./check";

const HOURS_OF_METRICS = 24;

/** The JIT Lambda's errors, throttles and p99 duration over the last day. */
export const lambdaHealthCheck: Check = (deps, outputs) =>
  checkLambdaHealth(
    deps,
    outputs.needs("JIT Lambda: recent errors, throttles and p99 duration", "cognito", [
      "pre_token_generation_function",
    ]),
  );

async function checkLambdaHealth(
  deps: DoctorDependencies,
  values: string[] | CheckResult,
): Promise<CheckResult[]> {
  if (!Array.isArray(values)) return [values];
  const [functionName] = values as [string];
  const end = (deps.now ?? (() => new Date()))();
  const start = new Date(end.getTime() - HOURS_OF_METRICS * 3_600_000);
  const metric = (id: string, name: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: name,
        Dimensions: [{ Name: "FunctionName", Value: functionName }],
      },
      Period: HOURS_OF_METRICS * 3600,
      Stat: stat,
    },
  });
  const window = `last ${HOURS_OF_METRICS} h`;
  try {
    const output = await deps.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: start,
        EndTime: end,
        MetricDataQueries: [
          metric("errors", "Errors", "Sum"),
          metric("throttles", "Throttles", "Sum"),
          metric("p99", "Duration", "p99"),
        ],
      }),
    );
    const value = (id: string) =>
      (output.MetricDataResults ?? [])
        .find((r) => r.Id === id)
        ?.Values?.reduce((a, b) => Math.max(a, b), 0) ?? 0;
    const errors = value("errors");
    const throttles = value("throttles");
    const p99 = value("p99");
    const limit = deps.config.cognito.monitoring.durationAlarmMs;
    const logs = `the function's log group /aws/lambda/${functionName}`;
    return [
      errors === 0
        ? pass(`JIT Lambda ${functionName}: no errors`, window)
        : fail(
            `JIT Lambda ${functionName}: no errors`,
            `${errors} errors (${window})`,
            `read ${logs}: sign-ins are failing`,
          ),
      throttles === 0
        ? pass(`JIT Lambda ${functionName}: no throttles`, window)
        : fail(
            `JIT Lambda ${functionName}: no throttles`,
            `${throttles} throttles (${window})`,
            "raise the account's Lambda concurrency or reserve concurrency for the function",
          ),
      p99 <= limit
        ? pass(
            `JIT Lambda ${functionName}: p99 duration within ${limit} ms`,
            `${Math.round(p99)} ms (${window})`,
          )
        : fail(
            `JIT Lambda ${functionName}: p99 duration within ${limit} ms`,
            `${Math.round(p99)} ms (${window}); Cognito gives up at 5000 ms`,
            "check Identity Store latency (IdentityStoreLatency metric) and memory (cognito.provisioning.memorySizeMb)",
          ),
    ];
  } catch (error) {
    return [
      fail(
        `JIT Lambda ${functionName}: metrics`,
        message(error),
        "needs cloudwatch:GetMetricData in cognito.region",
      ),
    ];
  }
}
