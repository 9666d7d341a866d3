// Certificates for the local control plane, made with the machine's openssl: a CA, a serving
// certificate for 127.0.0.1/localhost, client certificates (CN = user, O = groups) and the
// service-account signing key pair. Client-certificate users are how tests act as other users.
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly saPublicKey: string;
  readonly saPrivateKey: string;
}

export interface ClientCert {
  readonly cert: string;
  readonly key: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (error) {
    throw new Error(`openssl ${args[0]} failed; is openssl installed?`, { cause: error });
  }
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function signedCert(dir: string, name: string, subject: string, extensions: string): Promise<ClientCert> {
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(["req", "-new", ...EC_KEY, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject], dir);
  await openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.crt",
      "-CAkey",
      "ca.key",
      "-set_serial",
      `0x${randomBytes(12).toString("hex")}`,
      "-days",
      "30",
      "-out",
      `${name}.crt`,
      "-extfile",
      ext,
    ],
    dir,
  );
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** Creates every key and certificate the control plane needs in `dir`. */
export async function createPki(dir: string): Promise<Pki> {
  await openssl(["req", "-x509", ...EC_KEY, "-keyout", "ca.key", "-out", "ca.crt", "-days", "30", "-subj", "/CN=zio-test-ca"], dir);
  const serving = await signedCert(
    dir,
    "serving",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key"], dir);
  await openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    servingCert: serving.cert,
    servingKey: serving.key,
    saPublicKey: join(dir, "sa.pub"),
    saPrivateKey: join(dir, "sa.key"),
  };
}

/** A client certificate for `user` in `groups`, signed by the CA in `pkiDir` (the control plane's dir). */
export async function issueClientCert(pkiDir: string, user: string, groups: readonly string[] = []): Promise<ClientCert> {
  const safe = `${user.replace(/[^a-zA-Z0-9_.-]/g, "_")}-${randomBytes(4).toString("hex")}`;
  const subject = `/CN=${user}${groups.map((g) => `/O=${g}`).join("")}`;
  return signedCert(pkiDir, `user-${safe}`, subject, "extendedKeyUsage=clientAuth\n");
}
