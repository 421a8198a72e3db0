import { ConfigError } from "../env";

/** The message of the ConfigError `load(env)` throws (fails the test when it does not throw one). */
export function configProblem(
  load: (env: Record<string, string | undefined>) => unknown,
  env: Record<string, string | undefined>,
): string {
  try {
    load(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected loadConfig to throw a ConfigError");
}
