// Test helpers that call policies the way the @pulumi/policy 1.21 analyzer server does: props wrapped in
// the SDK's unknown-checking proxy, a real `isType`, `notApplicable` that throws, `stackTags`, and
// `getConfig` returning the policy's own config section. Used by this folder's specs and by the program's
// mocks test (every registered resource through `allPolicies`).
import type {
    EnforcementLevel,
    Policies,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import * as policySdk from "@pulumi/policy";
import { configSchemaFor } from "../config";
import { allPolicies } from "../policies";

// The SDK exports these at runtime; its published typings omit the proxy's declarations.
const sdk = policySdk as unknown as {
    unknownCheckingProxy<T extends object>(o: T): T;
    UnknownValueError: new (...args: unknown[]) => Error;
};

/** Sentinels the engine uses for values unknown during preview (as deserialized by @pulumi/policy). */
export const UNKNOWN = {
    string: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    number: "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    boolean: "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    array: "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    object: "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
} as const;

/** Thrown by the test `args.notApplicable()`, like the SDK's NotApplicableError. */
export class NotApplicable extends Error {
    constructor(public readonly reason?: string) {
        super(reason ?? "Policy does not apply");
        this.name = "NotApplicable";
    }
}

export function isUnknownValueError(e: unknown): e is Error {
    return e instanceof sdk.UnknownValueError;
}

type Props = Record<string, unknown>;

export interface ResourceInput {
    type: string;
    props: Props;
    name?: string;
    urn?: string;
    opts?: Partial<PolicyResourceOptions>;
    /** The policy's own config section, as `args.getConfig()` returns it. */
    config?: unknown;
    stackTags?: Record<string, string>;
}

export interface StackResourceInput {
    type: string;
    props: Props;
    name: string;
    urn?: string;
    opts?: Partial<PolicyResourceOptions>;
    /** URNs or names of other resources in the same list. */
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    /** URN or name of the parent resource. */
    parent?: string;
}

export interface RunResult {
    /** Messages passed to reportViolation. */
    violations: string[];
    /** The same, with the URN a stack policy passed (if any). */
    reported: { message: string; urn?: string }[];
    /** Set when the policy called notApplicable (reason, or "" without one). */
    notApplicable?: string;
    /** Set when the policy hit a value unknown during preview (the engine reports it as advisory). */
    unknownDuringPreview?: string;
}

export function defaultUrn(type: string, name: string): string {
    return `urn:pulumi:test::devkube::${type}::${name}`;
}

function fullOpts(opts?: Partial<PolicyResourceOptions>): PolicyResourceOptions {
    return {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        ...opts,
    };
}

/** Like the SDK's isTypeOf: compares the class's `__pulumiType` (or its isInstance) with the type token. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
    const cls = resourceClass as { __pulumiType?: unknown; isInstance?: unknown };
    if (typeof cls.__pulumiType === "string") {
        return cls.__pulumiType === type;
    }
    return typeof cls.isInstance === "function" && (cls.isInstance as (o: unknown) => boolean)({ __pulumiType: type }) === true;
}

/** A stand-in resource class for `isType`/`asType` (what generated SDK classes look like to the policy SDK). */
export function fakeResourceClass(type: string): { new (...rest: unknown[]): never; __pulumiType: string } {
    const cls = class {
        static __pulumiType = type;
    };
    return cls as unknown as { new (...rest: unknown[]): never; __pulumiType: string };
}

function stackTagsOf(tags?: Record<string, string>): ReadonlyMap<string, string> {
    return new Map(Object.entries(tags ?? {}));
}

function getConfigOf(config: unknown): <T extends object>() => T {
    return <T extends object>() => (config === undefined ? {} : config) as T;
}

function proxied(props: Props): Props {
    return sdk.unknownCheckingProxy(JSON.parse(JSON.stringify(props)) as Props);
}

async function capture(run: (report: (m: string, urn?: string) => void) => Promise<void> | void): Promise<RunResult> {
    const violations: string[] = [];
    const reported: { message: string; urn?: string }[] = [];
    const result: RunResult = { violations, reported };
    try {
        await run((message: string, urn?: string) => {
            violations.push(message);
            reported.push({ message, urn });
        });
    } catch (e) {
        if (e instanceof NotApplicable) {
            result.notApplicable = e.reason ?? "";
        } else if (isUnknownValueError(e)) {
            result.unknownDuringPreview = e.message;
        } else {
            throw e;
        }
    }
    return result;
}

export function resourceArgs(input: ResourceInput): ResourceValidationArgs {
    const name = input.name ?? "test";
    const props = proxied(input.props);
    const type = input.type;
    return {
        type,
        props,
        urn: input.urn ?? defaultUrn(type, name),
        name,
        opts: fullOpts(input.opts),
        stackTags: stackTagsOf(input.stackTags),
        isType: (cls: unknown) => isTypeOf(type, cls),
        asType: ((cls: unknown) => (isTypeOf(type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: getConfigOf(input.config),
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    } as ResourceValidationArgs;
}

/** Runs one resource policy on one resource; the full outcome. */
export async function runResourcePolicyDetailed(policy: ResourceValidationPolicy, input: ResourceInput): Promise<RunResult> {
    const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
    const all: RunResult = { violations: [], reported: [] };
    for (const validate of validations) {
        const r = await capture((report) => validate(resourceArgs(input), report));
        all.violations.push(...r.violations);
        all.reported.push(...r.reported);
        all.notApplicable = all.notApplicable ?? r.notApplicable;
        all.unknownDuringPreview = all.unknownDuringPreview ?? r.unknownDuringPreview;
    }
    return all;
}

/** Runs one resource policy on one resource; the violation messages (none when not applicable). */
export async function runResourcePolicy(policy: ResourceValidationPolicy, input: ResourceInput): Promise<string[]> {
    return (await runResourcePolicyDetailed(policy, input)).violations;
}

/** Builds PolicyResource objects with dependencies/propertyDependencies/parent resolved like the SDK does. */
export function stackResources(resources: StackResourceInput[]): PolicyResource[] {
    const built: PolicyResource[] = resources.map((r) => {
        const props = proxied(r.props);
        const type = r.type;
        return {
            type,
            props,
            urn: r.urn ?? defaultUrn(type, r.name),
            name: r.name,
            opts: fullOpts(r.opts),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: unknown) => isTypeOf(type, cls),
            asType: ((cls: unknown) => (isTypeOf(type, cls) ? props : undefined)) as PolicyResource["asType"],
        } as PolicyResource;
    });
    const find = (ref: string): PolicyResource | undefined => built.find((b) => b.urn === ref) ?? built.find((b) => b.name === ref);
    const resolve = (refs: string[] | undefined, owner: string): PolicyResource[] =>
        (refs ?? []).map((ref) => {
            const r = find(ref);
            if (r === undefined) {
                throw new Error(`test setup: ${owner} depends on "${ref}", which is not in the resource list`);
            }
            return r;
        });
    resources.forEach((r, i) => {
        built[i].dependencies = resolve(r.dependencies, r.name);
        for (const key of Object.keys(r.propertyDependencies ?? {})) {
            built[i].propertyDependencies[key] = resolve((r.propertyDependencies ?? {})[key], r.name);
        }
        if (r.parent !== undefined) {
            built[i].parent = find(r.parent);
        }
    });
    return built;
}

export async function runStackPolicyDetailed(
    policy: StackValidationPolicy,
    resources: StackResourceInput[],
    config?: unknown,
    stackTags?: Record<string, string>,
): Promise<RunResult> {
    const args: StackValidationArgs = {
        resources: stackResources(resources),
        getConfig: getConfigOf(config),
        stackTags: stackTagsOf(stackTags),
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    return capture((report) => policy.validateStack(args, report));
}

/** Runs one stack policy on a set of resources; the violation messages (none when not applicable). */
export async function runStackPolicy(policy: StackValidationPolicy, resources: StackResourceInput[], config?: unknown): Promise<string[]> {
    return (await runStackPolicyDetailed(policy, resources, config)).violations;
}

export function isResourcePolicy(p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy {
    return (p as StackValidationPolicy).validateStack === undefined;
}

export interface Finding {
    policy: string;
    enforcement: EnforcementLevel;
    message: string;
    /** URN of the resource concerned (the resource analysed, or the one a stack policy named). */
    urn?: string;
}

/**
 * Runs every policy as the engine would with `--policy-pack-config <file>`: enforcement levels from the
 * policy, then "all", then the policy's own entry; "disabled" skips; each policy's getConfig() gets its own
 * section (schema defaults filled in, "enforcementLevel" removed); resource policies run on every resource,
 * stack policies on the set; "unknown during preview" becomes an advisory finding. A policy that throws
 * (e.g. on a bad config) rejects the promise, as the engine fails the run.
 */
export async function runAllPolicies(resources: StackResourceInput[], configJson: unknown = {}, policies?: Policies): Promise<Finding[]> {
    const list = policies ?? allPolicies;
    const file = (configJson ?? {}) as Record<string, unknown>;
    const levelOf = (v: unknown): EnforcementLevel | undefined =>
        typeof v === "string" ? (v as EnforcementLevel) : typeof v === "object" && v !== null ? ((v as { enforcementLevel?: EnforcementLevel }).enforcementLevel ?? undefined) : undefined;
    const findings: Finding[] = [];
    const built = stackResources(resources);
    for (const policy of list) {
        const level: EnforcementLevel = levelOf(file[policy.name]) ?? levelOf(file["all"]) ?? policy.enforcementLevel ?? "advisory";
        if (level === "disabled") {
            continue;
        }
        const enforcement: EnforcementLevel = level === "remediate" ? "mandatory" : level;
        const section: Record<string, unknown> = {};
        const schema = configSchemaFor(policy.name);
        for (const [k, s] of Object.entries(schema?.properties ?? {})) {
            if (typeof s === "object" && s !== null && "default" in s) {
                section[k] = (s as { default?: unknown }).default;
            }
        }
        const given = file[policy.name];
        if (typeof given === "object" && given !== null) {
            for (const [k, v] of Object.entries(given)) {
                if (k !== "enforcementLevel") {
                    section[k] = v;
                }
            }
        }
        const push = (r: RunResult, urn?: string): void => {
            for (const v of r.reported) {
                findings.push({ policy: policy.name, enforcement, message: v.message, urn: v.urn ?? urn });
            }
            if (r.unknownDuringPreview !== undefined) {
                findings.push({ policy: policy.name, enforcement: "advisory", message: `can't run policy '${policy.name}' during preview: ${r.unknownDuringPreview}`, urn });
            }
        };
        if (isResourcePolicy(policy)) {
            for (let i = 0; i < resources.length; i++) {
                const r = resources[i];
                push(await runResourcePolicyDetailed(policy, { ...r, urn: built[i].urn, config: section }), built[i].urn);
            }
        } else {
            push(await runStackPolicyDetailed(policy, resources, section));
        }
    }
    return findings;
}
