// Finding every pod spec a resource can carry, and reading props safely while values may be unknown.
//
// Preview behaviour (shared by every rule):
// - Under the engine, props are wrapped by @pulumi/policy so that reading a value that is unknown during
//   preview (e.g. a namespace taken from another resource's output) throws UnknownValueError. Rules run
//   each check inside `Deferred.run`: a check that hits an unknown value is skipped, every other check
//   still runs and reports, and at the end the first UnknownValueError is re-thrown so that the SDK
//   records its usual advisory "can't run policy ... during preview" note. The same rule runs again with
//   known values on `pulumi up`.
// - A field that is simply absent (undefined) is treated as absent: rules that require it report it.

/** Where the pod spec sits for each workload kind. */
interface WorkloadShape {
    readonly podSpecPath: readonly string[];
    /** Long-running (not a run-to-completion Job/CronJob). */
    readonly longRunning: boolean;
}

const WORKLOAD_SHAPES: { readonly [kind: string]: WorkloadShape } = {
    Pod: { podSpecPath: ["spec"], longRunning: true },
    Deployment: { podSpecPath: ["spec", "template", "spec"], longRunning: true },
    StatefulSet: { podSpecPath: ["spec", "template", "spec"], longRunning: true },
    DaemonSet: { podSpecPath: ["spec", "template", "spec"], longRunning: true },
    ReplicaSet: { podSpecPath: ["spec", "template", "spec"], longRunning: true },
    Job: { podSpecPath: ["spec", "template", "spec"], longRunning: false },
    CronJob: { podSpecPath: ["spec", "jobTemplate", "spec", "template", "spec"], longRunning: false },
};

// kubernetes:<group>/<version>:<Kind>, e.g. kubernetes:apps/v1:Deployment, kubernetes:core/v1:Pod,
// kubernetes:batch/v1:CronJob. *Patch and *List types are deliberately not matched (a patch is partial).
const WORKLOAD_TYPE_RE = /^kubernetes:(core|apps|batch|extensions)\/(v1|v1beta1|v1beta2):([A-Za-z]+)$/;

const KIND_GROUPS: { readonly [kind: string]: readonly string[] } = {
    Pod: ["core"],
    Deployment: ["apps", "extensions"],
    StatefulSet: ["apps"],
    DaemonSet: ["apps", "extensions"],
    ReplicaSet: ["apps", "extensions"],
    Job: ["batch"],
    CronJob: ["batch"],
};

/** The workload kind for a Pulumi type token, or undefined when the type carries no pod spec. */
export function workloadKind(type: string): string | undefined {
    const m = WORKLOAD_TYPE_RE.exec(type);
    if (!m) {
        return undefined;
    }
    const [, group, , kind] = m;
    const groups = KIND_GROUPS[kind];
    return groups !== undefined && groups.includes(group) ? kind : undefined;
}

/** Reading a value that is unknown during preview throws this (from @pulumi/policy's props proxy). */
export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof Error && e.constructor !== undefined && e.constructor.name === "UnknownValueError";
}

/** Runs checks, deferring "unknown during preview" errors until all other checks have run. */
export class Deferred {
    private firstUnknown: Error | undefined;

    /** Runs `fn`; an unknown value skips the rest of `fn` only. */
    run(fn: () => void): void {
        try {
            fn();
        } catch (e) {
            if (isUnknownValueError(e)) {
                if (this.firstUnknown === undefined) {
                    this.firstUnknown = e;
                }
                return;
            }
            throw e;
        }
    }

    /** Re-throws the first unknown-value error, if any (the SDK turns it into an advisory note). */
    finish(): void {
        if (this.firstUnknown !== undefined) {
            throw this.firstUnknown;
        }
    }
}

/** Reads a value, returning `fallback` if it is unknown during preview (for messages only). */
export function readForDisplay<T>(read: () => T, fallback: T): T {
    try {
        return read();
    } catch (e) {
        if (isUnknownValueError(e)) {
            return fallback;
        }
        throw e;
    }
}

// The props are untyped JSON from the engine.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function isObject(v: unknown): v is { [key: string]: Json } {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** "Deployment devkube/web" (namespace and name from metadata; the Pulumi name if metadata.name is absent). */
export function describeWorkload(kind: string, props: Json, pulumiName: string): string {
    const ns = readForDisplay(() => (isObject(props.metadata) ? props.metadata.namespace : undefined), "<computed>");
    const name = readForDisplay(() => (isObject(props.metadata) ? props.metadata.name : undefined), "<computed>");
    const shownName = typeof name === "string" && name !== "" ? name : pulumiName;
    return `${kind} ${typeof ns === "string" && ns !== "" ? ns + "/" : ""}${shownName}`;
}

export interface PodSpecSite {
    readonly kind: string;
    /** "Deployment devkube/web" */
    readonly workload: string;
    /** "spec.template.spec" */
    readonly path: string;
    readonly longRunning: boolean;
    /** The pod spec object (possibly a props proxy); undefined if the resource has none yet. */
    readonly podSpec: { [key: string]: Json } | undefined;
}

/** The pod spec of a workload resource, or undefined when the type carries none. May throw UnknownValueError. */
export function findPodSpec(type: string, props: Json, pulumiName: string): PodSpecSite | undefined {
    const kind = workloadKind(type);
    if (kind === undefined) {
        return undefined;
    }
    const shape = WORKLOAD_SHAPES[kind];
    const workload = describeWorkload(kind, props, pulumiName);
    let cur: Json = props;
    for (const key of shape.podSpecPath) {
        cur = isObject(cur) ? cur[key] : undefined;
    }
    return {
        kind,
        workload,
        path: shape.podSpecPath.join("."),
        longRunning: shape.longRunning,
        podSpec: isObject(cur) ? cur : undefined,
    };
}

export type ContainerList = "containers" | "initContainers";

export interface ContainerSite {
    readonly list: ContainerList;
    readonly index: number;
    readonly name: string;
    /** 'container "web" in Deployment devkube/web' */
    readonly label: string;
    /** "spec.template.spec.containers[0]" */
    readonly path: string;
    readonly container: { [key: string]: Json };
}

/**
 * Every container and init container of a pod spec. Reading the lists runs inside `deferred`, so an
 * unknown list is skipped rather than aborting the caller.
 */
export function containersOf(site: PodSpecSite, deferred: Deferred, lists: readonly ContainerList[] = ["containers", "initContainers"]): ContainerSite[] {
    const out: ContainerSite[] = [];
    const spec = site.podSpec;
    if (spec === undefined) {
        return out;
    }
    for (const list of lists) {
        deferred.run(() => {
            const items: Json = spec[list];
            if (!Array.isArray(items)) {
                return;
            }
            for (let i = 0; i < items.length; i++) {
                deferred.run(() => {
                    const c: Json = items[i];
                    if (!isObject(c)) {
                        return;
                    }
                    const rawName = readForDisplay(() => c.name, undefined);
                    const name = typeof rawName === "string" && rawName !== "" ? rawName : `#${i}`;
                    const what = list === "containers" ? "container" : "initContainer";
                    out.push({
                        list,
                        index: i,
                        name,
                        label: `${what} "${name}" in ${site.workload}`,
                        path: `${site.path}.${list}[${i}]`,
                        container: c,
                    });
                });
            }
        });
    }
    return out;
}

/** Calls args.notApplicable unless the resource carries a pod spec. */
export function podSpecOrNotApplicable(args: { type: string; props: Json; name: string; notApplicable(reason?: string): never }): PodSpecSite {
    const site = findPodSpec(args.type, args.props, args.name);
    if (site === undefined) {
        return args.notApplicable(`${args.type} carries no pod spec`);
    }
    return site;
}
