// cdktf's Testing matchers (toHaveResource, toHaveResourceWithProperties, ...) and aws-sdk-client-mock's.
import "aws-sdk-client-mock-jest";
import { Testing } from "cdktf";
import { removeTempDirs } from "./helpers/temp-dirs";

Testing.setupJest();
afterAll(removeTempDirs);
