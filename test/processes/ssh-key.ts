// The key pair the SSH tests log in with (process suite and e2e): made here by ssh-keygen, once per run.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

let made: { readonly file: string; readonly publicKey: string } | undefined;

/** The private key's file and the public key's line (what goes into devkube:ssh). */
export function clientKey(): { readonly file: string; readonly publicKey: string } {
    if (!made) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "devkube-ssh-client-"));
        process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
        const file = path.join(dir, "id_ed25519");
        const keygen = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "devkube-tests", "-f", file], { encoding: "utf8" });
        if (keygen.status !== 0) {
            throw new Error(`ssh-keygen: ${keygen.stderr || keygen.error}`);
        }
        made = { file, publicKey: fs.readFileSync(`${file}.pub`, "utf8").trim() };
    }
    return made;
}
