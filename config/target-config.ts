// What the config parser asks of a target. Each module in targets/ answers it for its own keys, so
// a target's settings, defaults and rules live with its resources; config/index.ts reads them all
// through targets/index.ts without knowing any one target.
import type { ServiceType } from "../contract/identity";
import type { AppSpec } from "./apps";
import type { Settings, Values } from "./schema";

/** What a target's parser may ask beside its checked values, and how it reports rules across keys. */
export interface SettingReader {
    /** Whether the stack sets the key itself (not from its default). */
    isSet(key: string): boolean;
    /** Whether the key passed its own rule (a bad one is reported already, and holds its text or default). */
    valid(key: string): boolean;
    /** One bad value: `devkube:<key>: got "<value>"; <allowed>`. */
    problem(key: string, value: string, allowed: string): void;
    /** A problem that is not about one value (a missing token). */
    report(problem: string): void;
    /** Whether a DigitalOcean API token is available (config `digitalocean:token` or env). */
    readonly hasDigitalOceanToken: boolean;
}

/**
 * One place a stack's data stays once a destroy has removed everything else; `app` names whose data it
 * is (absent: the workspace, the user's code). delete-everything lists and removes these.
 */
export type KeptData =
    /**
     * A DigitalOcean volume, found through the API by its name in its region (devkube-tagged only, and never
     * one with another environment's tag than environmentTag).
     */
    | { readonly kind: "cloud-volume"; readonly name: string; readonly region: string; readonly environmentTag?: string; readonly app?: string }
    /** A claim from a storage class, left in the cluster (retainOnDelete): only the next `up` takes it back. */
    | { readonly kind: "claim"; readonly namespace: string; readonly name: string; readonly app?: string }
    /** Files on a node's disk behind a Retain PersistentVolume (`host path /data/devkube`): removed by hand. */
    | { readonly kind: "disk"; readonly where: string; readonly app?: string };

/** Where the target keeps a stack's data: the stack, its namespace, and the apps whose volumes the target holds. */
export interface DataPlace {
    readonly stack: string;
    readonly namespace: string;
    /** Apps with a volume of their own and no storage class (a class's claims are the same on every target). */
    readonly apps: readonly string[];
}

export interface TargetConfig<S extends { readonly kind: string } = { readonly kind: string }, K extends Settings = Settings> {
    /** The value of devkube:target that chooses it. */
    readonly name: S["kind"];
    /**
     * Its own keys: type, rule, default and description of each (Pulumi.yaml is generated from them).
     * A key two targets share is one declaration both name (targets/target.ts).
     */
    readonly settings: K;
    /** The web server's exposure when devkube:webServiceType is empty. */
    readonly defaultWebServiceType: ServiceType;
    /** Why the web server cannot have this exposure here, or undefined. */
    webServiceTypeProblem?(type: ServiceType): string | undefined;
    /** Builds its settings from its checked keys; reports rules across keys through `read`, and returns settings all the same. */
    parse(values: Values<K>, read: SettingReader): S;
    /** Where a destroy leaves the workspace and those apps' data on this target (pure: from settings alone). */
    keptData(settings: S, place: DataPlace): KeptData[];
    /** Why an app's own volume cannot be kept through the night here (`field` names it for the message). */
    appVolumeProblems?(volume: NonNullable<AppSpec["volume"]>, field: string, settings: S): string[];
}
