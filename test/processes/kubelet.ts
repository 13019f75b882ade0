// What a kubelet and a container runtime decide before a container's first instruction runs:
// its environment, its command line, its capabilities. Pure functions, so the process tests run a
// container the way a node would, and these rules have tests of their own (test/kubelet.spec.ts).

/** A container as the program registers it (plain JSON, secrets unwrapped). */
export type Container = Record<string, any>;

/** What an image brings that the pod spec does not say: its ENTRYPOINT, CMD, ENV, WORKDIR and USER. */
export interface ImageDefaults {
    readonly entrypoint: string[];
    readonly cmd: string[];
    readonly env: Record<string, string>;
    readonly workingDir: string;
    /** Numeric uid and gid of the image's USER. */
    readonly user: { readonly uid: number; readonly gid: number };
}

/** ConfigMaps and Secrets of the namespace, by name: key -> value. */
export interface NamespaceData {
    readonly configMaps: Record<string, Record<string, string>>;
    readonly secrets: Record<string, Record<string, string>>;
}

/**
 * `$(VAR)` references as the kubelet expands them in env values, command and args: a defined variable
 * is replaced, `$$` is a literal `$`, anything else (an undefined name, a lone `$`) stays as written.
 */
export function expandReferences(text: string, env: Record<string, string>): string {
    let out = "";
    for (let i = 0; i < text.length; i++) {
        if (text[i] !== "$" || i + 1 >= text.length) {
            out += text[i];
            continue;
        }
        if (text[i + 1] === "$") {
            out += "$";
            i++;
            continue;
        }
        const close = text[i + 1] === "(" ? text.indexOf(")", i + 2) : -1;
        const name = close > 0 ? text.slice(i + 2, close) : "";
        if (close > 0 && Object.prototype.hasOwnProperty.call(env, name)) {
            out += env[name];
            i = close;
        } else {
            out += text[i];
        }
    }
    return out;
}

/**
 * The environment the container's process starts with: the image's ENV, then envFrom in order, then
 * env entries in order, each value expanded against what came before it (the kubelet's rule).
 */
export function containerEnv(container: Container, image: ImageDefaults, data: NamespaceData): Record<string, string> {
    const lookup = (kind: "configMaps" | "secrets", name: string, key?: string): Record<string, string> | string => {
        const found = data[kind][name];
        if (!found) {
            throw new Error(`container ${container.name}: ${kind === "secrets" ? "Secret" : "ConfigMap"} ${name} was not registered by the program`);
        }
        if (key === undefined) {
            return found;
        }
        if (!(key in found)) {
            throw new Error(`container ${container.name}: key ${key} is not in ${name}`);
        }
        return found[key];
    };
    const fromSpec: Record<string, string> = {};
    for (const source of container.envFrom ?? []) {
        const values = source.configMapRef ? lookup("configMaps", source.configMapRef.name) : lookup("secrets", source.secretRef.name);
        Object.assign(fromSpec, values);
    }
    for (const entry of container.env ?? []) {
        if (entry.valueFrom?.secretKeyRef) {
            fromSpec[entry.name] = lookup("secrets", entry.valueFrom.secretKeyRef.name, entry.valueFrom.secretKeyRef.key) as string;
        } else if (entry.valueFrom?.configMapKeyRef) {
            fromSpec[entry.name] = lookup("configMaps", entry.valueFrom.configMapKeyRef.name, entry.valueFrom.configMapKeyRef.key) as string;
        } else if (entry.valueFrom) {
            throw new Error(`container ${container.name}: env ${entry.name} uses a valueFrom the process tests do not model`);
        } else {
            fromSpec[entry.name] = expandReferences(entry.value ?? "", fromSpec);
        }
    }
    return { ...image.env, ...fromSpec };
}

/**
 * The command line the runtime starts: `command` replaces the image's ENTRYPOINT (and drops its CMD),
 * `args` replaces CMD; both with `$(VAR)` expanded against the container's own variables.
 */
export function commandLine(container: Container, image: ImageDefaults, specEnv: Record<string, string>): string[] {
    const expand = (list: string[]) => list.map((part) => expandReferences(part, specEnv));
    const entrypoint = container.command ? expand(container.command) : image.entrypoint;
    const args = container.args ? expand(container.args) : container.command ? [] : image.cmd;
    const line = [...entrypoint, ...args];
    if (line.length === 0) {
        throw new Error(`container ${container.name}: neither the spec nor the image gives a command`);
    }
    return line;
}

/** The capabilities containerd gives a container by default (Docker's list; CRI-O's default is shorter). */
export const RUNTIME_DEFAULT_CAPABILITIES = [
    "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
    "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
];

/** The capability set a root process in the container holds: the default, less `drop`, plus `add`. */
export function effectiveCapabilities(container: Container): string[] {
    const caps = container.securityContext?.capabilities ?? {};
    const drop: string[] = caps.drop ?? [];
    const add: string[] = caps.add ?? [];
    const kept = drop.includes("ALL") ? [] : RUNTIME_DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
    return [...new Set([...kept, ...add])].sort();
}

/**
 * The user the process runs as: runAsUser/runAsGroup of the container, then of the pod, else the image's
 * USER. A runAsUser without runAsGroup takes the image's group for that user, else 0 (as runtimes do; the
 * stand-ins have no passwd of the image to look in, so only the image's own USER keeps its group).
 */
export function processUser(container: Container, podSecurity: Record<string, any> | undefined, image: ImageDefaults): { uid: number; gid: number } {
    const uid = container.securityContext?.runAsUser ?? podSecurity?.runAsUser ?? image.user.uid;
    const gid = container.securityContext?.runAsGroup ?? podSecurity?.runAsGroup ?? (uid === image.user.uid ? image.user.gid : 0);
    return { uid, gid };
}

/** Kubernetes forbids privilege escalation only when allowPrivilegeEscalation is false: then no_new_privs. */
export function noNewPrivileges(container: Container): boolean {
    return container.securityContext?.allowPrivilegeEscalation === false;
}
