import { z } from "zod";

/** Schema pieces shared by the config's sections. */
export const httpsUrl = z.url({ protocol: /^https$/, error: "expected an https:// URL" });
