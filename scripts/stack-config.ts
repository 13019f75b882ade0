// A stack's config as `up` checks it, read through the engine: what the scripts need to know where the
// stack's data and editor are. Secrets and the token are not theirs to check, only where things are.
import { ConfigError, DevkubeConfig, RawConfig } from "../config";
import { TargetSettings, parseConfig } from "../targets";
import { StackEngine } from "./engine";
import { fail } from "./night";

/** The checked config; a config with problems is refused with them (`what` says what they prevent). */
export async function checkedConfig(name: string, engine: StackEngine, what: string): Promise<DevkubeConfig<TargetSettings>> {
    const all = await engine.allConfig(name);
    const raw: RawConfig = {
        get: (key) => all[`devkube:${key}`]?.value,
        isSecret: () => true,
        other: { exists: () => true, isSecret: () => true },
        keys: () => Object.keys(all),
        hasDigitalOceanToken: true,
    };
    try {
        return parseConfig(raw);
    } catch (error) {
        if (error instanceof ConfigError) {
            fail(`stack ${name}'s config ${what}, and it has problems; nothing was changed. Fix them (pulumi config set ...) and run this again:\n${error.problems.map((p) => `  - ${p}`).join("\n")}`);
        }
        throw error;
    }
}
