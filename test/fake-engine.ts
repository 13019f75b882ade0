// A StackEngine (scripts/engine.ts) for the night scripts' tests: answers from a stack's state and
// config, destroys as told, and records every call ("destroy dev excludeProtected dropUnreachable").
import { DestroyOutcome, EngineUnavailable, StackEngine, StateResource } from "../scripts/engine";

export interface FakeEngineOptions {
    readonly state?: StateResource[];
    readonly config?: Record<string, string>;
    readonly outputs?: Record<string, unknown>;
    /** listStacks fails with this message (the backend or the CLI cannot be used). */
    readonly unavailable?: string;
    /** What each destroy returns, in turn; ok with no diagnostics once they run out. */
    readonly destroys?: DestroyOutcome[];
    /** releaseAll fails with this message. */
    readonly releaseFails?: string;
}

export function fakeEngine(options: FakeEngineOptions, calls: string[]): StackEngine {
    const destroys = [...(options.destroys ?? [])];
    return {
        why: "using a fake engine",
        async listStacks() {
            calls.push("listStacks");
            if (options.unavailable) {
                throw new EngineUnavailable(options.unavailable);
            }
            return [];
        },
        async exportState(stack) {
            calls.push(`exportState ${stack}`);
            return options.state ?? [];
        },
        async config(stack, key) {
            calls.push(`config ${stack} ${key}`);
            return options.config?.[key];
        },
        async allConfig(stack) {
            calls.push(`allConfig ${stack}`);
            return Object.fromEntries(Object.entries(options.config ?? {}).map(([key, value]) => [key, { value, secret: false }]));
        },
        async outputs(stack) {
            calls.push(`outputs ${stack}`);
            return options.outputs ?? {};
        },
        async destroy(stack, o) {
            calls.push(["destroy", stack, ...(o.excludeProtected ? ["excludeProtected"] : []), ...(o.dropUnreachable ? ["dropUnreachable"] : [])].join(" "));
            return destroys.shift() ?? { ok: true, diagnostics: [] };
        },
        async releaseAll(stack) {
            calls.push(`releaseAll ${stack}`);
            if (options.releaseFails) {
                throw new Error(options.releaseFails);
            }
        },
    };
}
