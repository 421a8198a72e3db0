import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { TerraformOutput, TerraformStack, TerraformVariable, Testing } from "cdktf";
import {
  applyOffline,
  commandAvailable,
  describeIf,
  describeIfTerraform,
  synthStack,
} from "../../__tests__/helpers/terraform-cli";
import {
  certificateBase64Body,
  certificatePem,
  samlIdpMetadataUrl,
  samlIdpMetadataXml,
  type SamlIdpAttributes,
} from "./saml-metadata";

const FIXTURES = path.join(__dirname, "../../__tests__/fixtures/saml");
const CATALOG = path.join(FIXTURES, "catalog.xml");
// Debian: opensaml-schemas (OASIS SAML 2.0) and xmltooling-schemas (W3C xmldsig/xmlenc/xml.xsd, see catalog.xml).
const METADATA_XSD = "/usr/share/xml/opensaml/saml-schema-metadata-2.0.xsd";
const W3C_XSDS = ["xmldsig-core-schema.xsd", "xenc-schema.xsd", "xml.xsd"].map(
  (file) => `/usr/share/xml/xmltooling/${file}`,
);

/** A throw-away self-signed certificate (its key was never kept), as `openssl` writes PEM. */
const CERT_PEM = fs.readFileSync(path.join(FIXTURES, "sample-idp-cert.pem"), "utf8");
const CERT_BODY = CERT_PEM.replace(/-----(BEGIN|END) CERTIFICATE-----/g, "").replace(/\s+/g, "");

/** Splits a Terraform string template into its literal parts and its `${…}` expressions. */
function splitTemplate(template: string): { literals: string[]; expressions: string[] } {
  const literals: string[] = [];
  const expressions: string[] = [];
  let literal = "";
  let i = 0;
  while (i < template.length) {
    if (template.startsWith("${", i)) {
      let depth = 1;
      let inString = false;
      let j = i + 2;
      for (; j < template.length && depth > 0; j++) {
        const c = template[j];
        if (inString) {
          if (c === "\\") j++;
          else if (c === '"') inString = false;
        } else if (c === '"') inString = true;
        else if (c === "{") depth++;
        else if (c === "}") depth--;
      }
      literals.push(literal);
      literal = "";
      expressions.push(template.slice(i + 2, j - 1));
      i = j;
    } else {
      literal += template[i++];
    }
  }
  literals.push(literal);
  return { literals, expressions };
}

interface SynthesizedOutputs {
  output: Record<string, { value: string }>;
}

/** Synthesizes outputs built from three string variables and returns the outputs' Terraform values. */
function synthOutputs(build: (attrs: SamlIdpAttributes) => Record<string, string>): Record<string, string> {
  const app = Testing.app();
  try {
    const stack = new TerraformStack(app, "expressions");
    const variable = (name: string) => new TerraformVariable(stack, name, { type: "string" }).stringValue;
    const attrs = {
      entityId: variable("entity_id"),
      ssoUrl: variable("sso_url"),
      publicKey: variable("key"),
    };
    for (const [name, value] of Object.entries(build(attrs))) new TerraformOutput(stack, name, { value });
    const outputs = (JSON.parse(Testing.synth(stack)) as SynthesizedOutputs).output;
    return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
  } finally {
    fs.rmSync(app.outdir, { recursive: true, force: true }); // Testing.app() makes a temporary directory
  }
}

const XML_ESCAPE_CHAIN = (ref: string) =>
  `replace(replace(replace(replace(replace(${ref}, "&", "&amp;"), "<", "&lt;"), ">", "&gt;"), "\\"", "&quot;"), "'", "&apos;")`;
const BODY_OF_KEY = `replace(var.key, "/-----(BEGIN|END)[^-]*-----|[[:space:]]+/", "")`;

describe("SAML metadata expressions (synthesized)", () => {
  const out = synthOutputs((attrs) => ({
    body: certificateBase64Body(attrs.publicKey),
    pem: certificatePem(attrs.publicKey),
    url: samlIdpMetadataUrl(attrs.ssoUrl),
    xml: samlIdpMetadataXml(attrs),
  }));

  it("takes the base64 body by removing PEM armour and all whitespace in one regex replace", () => {
    expect(out.body).toBe(`\${${BODY_OF_KEY}}`);
  });

  it("wraps the body at 64 characters between the PEM armour lines", () => {
    expect(out.pem).toBe(
      `-----BEGIN CERTIFICATE-----\n\${join("\\n", regexall(".{1,64}", ${BODY_OF_KEY}))}\n-----END CERTIFICATE-----\n`,
    );
  });

  it("appends /saml-metadata to the SSO endpoint without doubling a slash", () => {
    expect(out.url).toBe('${trimsuffix(var.sso_url, "/")}/saml-metadata');
  });

  it("interpolates exactly the escaped entity ID, the certificate body and the escaped SSO URL twice", () => {
    const { expressions } = splitTemplate(out.xml);
    expect(expressions).toEqual([
      XML_ESCAPE_CHAIN("var.entity_id"),
      BODY_OF_KEY,
      XML_ESCAPE_CHAIN("var.sso_url"),
      XML_ESCAPE_CHAIN("var.sso_url"),
    ]);
  });

  it("has no template sequence (${ or %{) in its literal XML, which Terraform would evaluate", () => {
    const { literals } = splitTemplate(out.xml);
    for (const literal of literals) {
      expect(literal).not.toMatch(/[$%]\{/);
    }
    expect(literals.join("")).toContain('entityID=""');
    expect(literals[0].startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor')).toBe(true);
  });

  it("keeps literal inputs literal (plain strings work as well as tokens)", () => {
    const literal = synthOutputs(() => ({ url: samlIdpMetadataUrl("https://sso.example/x/") }));
    expect(literal.url).toBe('${trimsuffix("https://sso.example/x/", "/")}/saml-metadata');
  });
});

/** `xmllint` against the OASIS schema, offline through the catalog; returns exit status and messages. */
function validateMetadata(xml: string): { status: number | null; messages: string } {
  const result = spawnSync("xmllint", ["--nonet", "--noout", "--schema", METADATA_XSD, "-"], {
    input: xml,
    encoding: "utf8",
    env: { ...process.env, XML_CATALOG_FILES: CATALOG },
  });
  return { status: result.status, messages: `${result.stdout}${result.stderr}` };
}

function xpath(xml: string, expression: string): string {
  const result = spawnSync("xmllint", ["--nonet", "--xpath", expression, "-"], {
    input: xml,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`xmllint --xpath ${expression}: ${result.stderr}`);
  return result.stdout.replace(/\n$/, ""); // newer xmllint versions end string() results with a newline
}

/** Wraps a base64 body the way some tools do: CRLF line ends, 65-character lines. */
const crlfWrapped = (body: string) => `${body.match(/.{1,65}/g)?.join("\r\n")}\r\n`;

const CASES = {
  // Full PEM with a trailing newline.
  pem: {
    entityId: "https://acme.cloudflareaccess.com/cdn-cgi/access/sso/saml/0123abcd?team=acme&app=idc",
    ssoUrl: "https://acme.cloudflareaccess.com/cdn-cgi/access/sso/saml/0123abcd",
    publicKey: CERT_PEM,
  },
  // Only the body, on one line; an SSO URL with characters that need escaping in an attribute.
  bare: {
    entityId: "https://acme.cloudflareaccess.com/cdn-cgi/access/sso/saml/4567ef01",
    ssoUrl: "https://acme.cloudflareaccess.com/cdn-cgi/access/sso/saml/4567ef01?a=1&b='2'&c=\"3\"",
    publicKey: CERT_BODY,
  },
  // Only the body, wrapped with CRLF line ends; an SSO URL with a trailing slash.
  wrapped: {
    entityId: "urn:example:idp:<acme>&co",
    ssoUrl: "https://acme.cloudflareaccess.com/cdn-cgi/access/sso/saml/89ab/",
    publicKey: crlfWrapped(CERT_BODY),
  },
} satisfies Record<string, SamlIdpAttributes>;

describeIfTerraform("SAML metadata rendered by the Terraform CLI", () => {
  let outdir: string;
  let outputs: Record<string, unknown>;

  beforeAll(() => {
    const stack = new TerraformStack(Testing.app(), "saml-metadata-render");
    for (const [name, sample] of Object.entries(CASES)) {
      const variable = (field: keyof SamlIdpAttributes) =>
        new TerraformVariable(stack, `${name}_${field}`, { type: "string", default: sample[field] })
          .stringValue;
      const attrs = {
        entityId: variable("entityId"),
        ssoUrl: variable("ssoUrl"),
        publicKey: variable("publicKey"),
      };
      new TerraformOutput(stack, `${name}_body`, { value: certificateBase64Body(attrs.publicKey) });
      new TerraformOutput(stack, `${name}_pem`, { value: certificatePem(attrs.publicKey) });
      new TerraformOutput(stack, `${name}_url`, { value: samlIdpMetadataUrl(attrs.ssoUrl) });
      new TerraformOutput(stack, `${name}_xml`, { value: samlIdpMetadataXml(attrs) });
    }
    const synthesized = synthStack(stack);
    outdir = synthesized.outdir;
    outputs = applyOffline(synthesized.stackDir);
  });

  afterAll(() => {
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  const output = (name: string): string => {
    const value = outputs[name];
    if (typeof value !== "string")
      throw new Error(`output ${name} is not a string: ${JSON.stringify(value)}`);
    return value;
  };

  describe.each(Object.entries(CASES))("public key given as %s", (name, sample) => {
    it("yields the certificate's one-line base64 body", () => {
      expect(output(`${name}_body`)).toBe(CERT_BODY);
    });

    it("yields the original certificate as canonical PEM (64-character lines)", () => {
      expect(output(`${name}_pem`)).toBe(CERT_PEM);
      expect(new X509Certificate(output(`${name}_pem`)).raw).toEqual(new X509Certificate(CERT_PEM).raw);
    });

    it("yields the metadata URL next to the SSO endpoint", () => {
      expect(output(`${name}_url`)).toBe(`${sample.ssoUrl.replace(/\/$/, "")}/saml-metadata`);
    });

    it("embeds the body of the certificate in the metadata", () => {
      expect(output(`${name}_xml`)).toContain(`<ds:X509Certificate>${CERT_BODY}</ds:X509Certificate>`);
    });
  });

  const xmlSkipReason = !commandAvailable("xmllint")
    ? "xmllint not found on PATH (Debian: libxml2-utils)"
    : ![METADATA_XSD, ...W3C_XSDS].every((file) => fs.existsSync(file))
      ? "SAML/W3C schemas not found under /usr/share/xml (Debian: opensaml-schemas, xmltooling-schemas)"
      : undefined;

  describeIf(xmlSkipReason, "validated with xmllint against the OASIS SAML 2.0 metadata schema", () => {
    it("rejects a document that breaks the schema (the validator really validates)", () => {
      const misordered = output("pem_xml").replace(
        /(\s*<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>)(\s*<md:NameIDFormat>.*<\/md:NameIDFormat>)/,
        "$2$1",
      );
      expect(misordered).not.toBe(output("pem_xml"));
      const result = validateMetadata(misordered);
      expect(result.status).not.toBe(0);
      expect(result.messages).toMatch(/KeyDescriptor.*not expected/);
    });

    it.each(Object.keys(CASES))("metadata for the %s sample is schema-valid", (name) => {
      const result = validateMetadata(output(`${name}_xml`));
      expect(result.messages).toContain("validates");
      expect(result.status).toBe(0);
    });

    it.each(Object.entries(CASES))("%s: values survive XML escaping unchanged", (name, sample) => {
      const xml = output(`${name}_xml`);
      const el = (local: string) => `//*[local-name()='${local}']`;
      expect(xpath(xml, `string(/*/@entityID)`)).toBe(sample.entityId);
      expect(xpath(xml, `string(${el("IDPSSODescriptor")}/@protocolSupportEnumeration)`)).toBe(
        "urn:oasis:names:tc:SAML:2.0:protocol",
      );
      expect(xpath(xml, `string(${el("KeyDescriptor")}/@use)`)).toBe("signing");
      expect(xpath(xml, `string(${el("X509Certificate")})`)).toBe(CERT_BODY);
      expect(xpath(xml, `string(${el("NameIDFormat")})`)).toBe(
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
      );
      for (const binding of ["HTTP-Redirect", "HTTP-POST"]) {
        const sso = `${el("SingleSignOnService")}[@Binding='urn:oasis:names:tc:SAML:2.0:bindings:${binding}']`;
        expect(xpath(xml, `string(${sso}/@Location)`)).toBe(sample.ssoUrl);
      }
    });
  });

  describeIf(
    commandAvailable("openssl", ["version"]) ? undefined : "openssl not found on PATH",
    "checked with openssl",
    () => {
      it.each(Object.keys(CASES))("the %s sample's PEM parses to the original certificate", (name) => {
        const openssl = (args: string[], pem: string) => {
          const result = spawnSync("openssl", ["x509", ...args], { input: pem });
          expect(result.stderr.toString()).toBe("");
          expect(result.status).toBe(0);
          return result.stdout;
        };
        openssl(["-noout"], output(`${name}_pem`));
        expect(openssl(["-outform", "DER"], output(`${name}_pem`))).toEqual(
          openssl(["-outform", "DER"], CERT_PEM),
        );
      });
    },
  );
});
