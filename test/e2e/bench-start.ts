// Benchmark (a script, not a test): what scripts/fast-start.js takes off the starts of the program and the
// policy pack. On the local kwok cluster, the minikube stack is brought up once; then no-change previews
// and no-change ups run with NODE_OPTIONS as devkube's npm scripts set it (the preload) and without it,
// taking turns, the plain one first in odd rounds; and `npm run preview` and `npm run up` as a user types
// them (scripts/stack.sh: the CLI chosen, the stack selected, its state read, then the same command).
// Prints the median and every run of each.
// Run through `npm run bench:start` (test/e2e/bench.sh start), which provides the toolchain and the cluster.
import * as os from "os";
import { CONTEXT, initStack, median, mustPulumi, policyFlags, prepareProject, run } from "./lib";

const ROUNDS = Number(process.env.DEVKUBE_BENCH_ROUNDS ?? "5");
const STACK = "minikube";
const POLICY = policyFlags(STACK);
const VARIANTS = { "without the preload": process.env.NODE_OPTIONS ?? "", "with the preload (npm run up)": undefined } as const;
type Variant = keyof typeof VARIANTS;

/** One pulumi command's wall time, with NODE_OPTIONS as the variant has it (undefined: as lib's env() sets it for npm scripts). */
function timed(variant: Variant, args: string[]): number {
    const nodeOptions = VARIANTS[variant];
    return mustPulumi(STACK, [...args, ...POLICY], nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }).seconds;
}

prepareProject();
initStack(STACK, { "devkube:kubeContext": CONTEXT });
mustPulumi(STACK, ["up", "--yes", ...POLICY]);
const commands = { "preview, no change": ["preview", "--expect-no-changes"], "up, no change": ["up", "--yes"] } as const;
/** As a user types them (lib's env() sets CI, so stack.sh passes --yes to the up). */
const typed = { "npm run preview, no change": ["preview", "--expect-no-changes"], "npm run up, no change": ["up"] } as const;
function npmRun(verb: string, extra: string[]): number {
    const result = run("npm", ["run", "--silent", verb, "--", STACK, ...extra]);
    if (result.code !== 0) {
        throw new Error(`npm run ${verb} exited ${result.code}:\n${result.stderr.slice(-2000)}`);
    }
    return result.seconds;
}
const times: Record<string, number[]> = {};
const variants = Object.keys(VARIANTS) as Variant[];
for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const [command, args] of Object.entries(commands)) {
        for (const variant of order) {
            (times[`${command} | ${variant}`] ??= []).push(timed(variant, [...args]));
        }
    }
    for (const [command, [verb, ...extra]] of Object.entries(typed)) {
        (times[`${command} | as npm run sets it`] ??= []).push(npmRun(verb, extra));
    }
}
console.log(`${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), node ${process.version}; ${ROUNDS} rounds`);
console.log("");
console.log("| command | NODE_OPTIONS | seconds: median (each run) |");
console.log("|---|---|---|");
for (const [key, values] of Object.entries(times)) {
    console.log(`| ${key} | ${median(values).toFixed(1)} (${values.map((v) => v.toFixed(1)).join(", ")}) |`);
}
