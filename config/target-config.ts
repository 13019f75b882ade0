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
    /** Why an app's own volume cannot be kept through the night here (`field` names it for the message). */
    appVolumeProblems?(volume: NonNullable<AppSpec["volume"]>, field: string, settings: S): string[];
}
