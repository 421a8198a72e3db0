import { ResourceNotFoundException, ValidationException } from "@aws-sdk/client-identitystore";
import { DeadlineExceededError } from "./deadline";
import { errorKind } from "./error-kind";
import { describeError } from "./telemetry";

describe("describeError", () => {
  it("never logs an AWS service message (it may quote the request), but its metadata and enum fields", () => {
    const error = new ResourceNotFoundException({
      message: "USER john.doe@example.com not found",
      $metadata: { httpStatusCode: 400, requestId: "req-1", attempts: 2 },
      ResourceType: "GROUP",
    });
    const described = describeError(error);
    expect(described).toEqual({
      errorName: "ResourceNotFoundException",
      errorKind: "permanent",
      httpStatusCode: 400,
      requestId: "req-1",
      attempts: 2,
      ResourceType: "GROUP",
    });
    expect(JSON.stringify(described)).not.toContain("john.doe");
    const wrapped = new Error("Identity Store sync failed", {
      cause: new ValidationException({ message: "Value 'secret@x' at 'userName'", $metadata: {} }),
    });
    expect(describeError(wrapped)).toMatchObject({ cause: "ValidationException" });
  });

  it("keeps the message of the bridge's own errors", () => {
    expect(describeError(new DeadlineExceededError(4000))).toEqual({
      errorName: "DeadlineExceededError",
      errorKind: "transient",
      errorMessage: "AWS calls did not complete within the 4000 ms budget",
    });
  });
});

describe("errorKind", () => {
  const service = (name: string, status: number, extra: object = {}) =>
    Object.assign(new Error("x"), { name, $metadata: { httpStatusCode: status }, ...extra });

  it.each([
    ["ThrottlingException", 400, "transient"],
    ["TooManyRequestsException", 400, "transient"],
    ["InternalServerException", 500, "transient"],
    ["ServiceUnavailable", 503, "transient"],
    ["AccessDeniedException", 400, "permanent"],
    ["AccessDenied", 403, "permanent"],
    ["ValidationException", 400, "permanent"],
    ["ResourceNotFoundException", 400, "permanent"],
    ["UnrecognizedClientException", 403, "permanent"],
  ])("%s (HTTP %p) is %s", (name, status, kind) => {
    expect(errorKind(service(name, status))).toBe(kind);
  });

  it("treats timeouts, dropped connections and an expired deadline as transient", () => {
    expect(errorKind(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe("transient");
    expect(errorKind(Object.assign(new Error("t"), { name: "TimeoutError" }))).toBe("transient");
    expect(errorKind(new DeadlineExceededError(10))).toBe("transient");
    expect(errorKind(new Error("wrapper", { cause: new DeadlineExceededError(10) }))).toBe("transient");
    expect(errorKind("a string")).toBe("permanent");
  });
});
