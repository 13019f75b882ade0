// devkube:ssh: the public keys that may log in to the sshd beside the editor. Pure checks, unit-tested.

/** Key types OpenSSH's sshd accepts by default (ssh -Q PubkeyAcceptedAlgorithms, less the certificate forms). */
export const SSH_KEY_TYPES = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-rsa",
] as const;

export const SSH_KEY_RULE = "use one OpenSSH public key per entry, e.g. \"ssh-ed25519 AAAAC3Nz... you@laptop\" (the one line of ~/.ssh/id_ed25519.pub)";

/** What a pasted private key is answered with: the key itself is never repeated in an error. */
export const PRIVATE_KEY_PROBLEM =
    "is a private key (not shown); give the public key (~/.ssh/id_ed25519.pub), and since the private one is now in the stack file, make a new key pair";

/** Why one entry is not a public key line sshd would accept, or undefined. */
export function sshKeyProblem(line: string): string | undefined {
    if (/PRIVATE KEY/.test(line)) {
        return PRIVATE_KEY_PROBLEM;
    }
    if (/[\r\n]/.test(line)) {
        return `${SSH_KEY_RULE}; this entry has more than one line`;
    }
    const [type, blob] = line.trim().split(/\s+/);
    if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
        return `${SSH_KEY_RULE}; a key starts with its type, one of ${SSH_KEY_TYPES.join(", ")}`;
    }
    // The blob is length-prefixed fields, the first the key type again: a cut or mixed-up paste shows here.
    const fields = /^[A-Za-z0-9+/]+={0,2}$/.test(blob ?? "") && blob.length % 4 === 0 ? wireFields(Buffer.from(blob, "base64")) : undefined;
    if (!fields || fields.length < 2 || fields[0] !== type) {
        return `${SSH_KEY_RULE}; the part after ${type} is not that key's base64 (cut short when pasted?)`;
    }
    return undefined;
}

/** The SSH wire format's strings (uint32 length, then bytes) that fill the buffer exactly, or undefined. */
function wireFields(bytes: Buffer): string[] | undefined {
    const fields: string[] = [];
    for (let at = 0; at < bytes.length; ) {
        const length = at + 4 <= bytes.length ? bytes.readUInt32BE(at) : -1;
        if (length < 0 || at + 4 + length > bytes.length) {
            return undefined;
        }
        fields.push(bytes.subarray(at + 4, at + 4 + length).toString("latin1"));
        at += 4 + length;
    }
    return fields;
}
