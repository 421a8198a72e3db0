import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out*/", "dist/", "coverage/", ".gen/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // A root import of a prebuilt provider costs ~5 s and 500 MB per process.
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@cdktf/provider-aws",
              message: "Import by deep path: @cdktf/provider-aws/lib/<resource>.",
            },
            {
              name: "@cdktf/provider-cloudflare",
              message: "Import by deep path: @cdktf/provider-cloudflare/lib/<resource>.",
            },
            {
              name: "@cdktf/provider-archive",
              message: "Import by deep path: @cdktf/provider-archive/lib/<resource>.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { module: "writable", require: "readonly", __dirname: "readonly", process: "readonly" },
    },
  },
);
