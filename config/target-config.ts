// What the config parser asks of a target. Each module in targets/ answers it for its own keys, so
// a target's settings, defaults and rules live with its resources; config/index.ts reads them all
// through targets/index.ts without knowing any one target.
import type { ServiceType } from "../contract/identity";
import type { AppSpec } from "./apps";

/** How a target's parser reads and reports its own keys. */
export interface SettingReader {
    /** The stack's value, trimmed, or the key's default. */
    text(key: string): string;
    /** Whether the stack sets the key itself (not from its default). */
    isSet(key: string): boolean;
    /** One bad value: `devkube:<key>: got "<value>"; <allowed>`. */
    problem(key: string, value: string, allowed: string): void;
    /** A problem that is not about one value (a missing token). */
    report(problem: string): void;
    /** Whether a DigitalOcean API token is available (config `digitalocean:token` or env). */
    readonly hasDigitalOceanToken: boolean;
}

export interface TargetConfig<S extends { readonly kind: string } = { readonly kind: string }> {
    /** The value of devkube:target that chooses it. */
    readonly name: S["kind"];
    /** Its own keys and their defaults, as Pulumi.yaml declares them. A key two targets share has one default. */
    readonly defaults: Readonly<Record<string, string | number>>;
    /** The web server's exposure when devkube:webServiceType is empty. */
    readonly defaultWebServiceType: ServiceType;
    /** Why the web server cannot have this exposure here, or undefined. */
    webServiceTypeProblem?(type: ServiceType): string | undefined;
    /** Reads its keys; reports every bad value through `read` and returns its settings all the same. */
    parse(read: SettingReader): S;
    /** Why an app's own volume cannot be kept through the night here (`field` names it for the message). */
    appVolumeProblems?(volume: NonNullable<AppSpec["volume"]>, field: string, settings: S): string[];
}
